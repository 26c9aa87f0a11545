/* jc-hq-table.h — rows of JSON objects written as text, CSV or JSON
 *
 * The ledger, the objections and the reports build their rows once as
 * JSON objects (what the web dashboard gets) and write them for people and
 * tools from that: CSV is RFC 4180 in UTF-8 with a BOM so that Excel reads
 * it; arrays become their elements joined by "; ".
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-hq-query.h"

G_BEGIN_DECLS

/* @columns (NULL-terminated) names the members to write, in order. */
void  jc_hq_table_write   (JsonArray          *rows,
                           const char * const *columns,
                           JcHqFormat          format,
                           GString            *out);
/* @value as one CSV field, quoted when it must be, then ',' or CRLF after
 * the @last field of a line. */
void  jc_hq_table_csv_field (GString          *out,
                             const char       *value,
                             gboolean          last);
/* A member of @row as text: "" when absent or null. */
char *jc_hq_table_cell    (JsonObject         *row,
                           const char         *column);
/* @node as pretty-less JSON text with a newline. */
char *jc_hq_table_json    (JsonNode           *node);

G_END_DECLS

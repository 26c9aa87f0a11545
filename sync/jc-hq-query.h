/* jc-hq-query.h — what HQ holds, as tables for people and tools
 *
 * The rows come from the projections of every device's events at HQ
 * (jc-hq-merge.h): findings with their inspection, items, confirmation and
 * amendment links; and the audit of everything HQ refused.
 */
#pragma once

#include <glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

typedef enum {
  JC_HQ_FORMAT_TEXT,
  JC_HQ_FORMAT_CSV,    /* RFC 4180, UTF-8 with a BOM so Excel reads it */
  JC_HQ_FORMAT_JSON,
} JcHqFormat;

gboolean jc_hq_format_from_string (const char  *name,
                                   JcHqFormat  *format,
                                   GError     **error);

/* @institution may be NULL: every institution. */
gboolean jc_hq_query_findings     (JcHqStore   *store,
                                   const char  *institution,
                                   JcHqFormat   format,
                                   GString     *out,
                                   GError     **error);
gboolean jc_hq_query_rejections   (JcHqStore   *store,
                                   JcHqFormat   format,
                                   GString     *out,
                                   GError     **error);

/* Runs @sql (with @param, may be NULL, bound to ?1) and writes its rows in
 * @format: column names are the header, integer columns stay numbers in
 * JSON. Takes the store's lock. */
gboolean jc_hq_query_rows         (JcHqStore   *store,
                                   const char  *sql,
                                   const char  *param,
                                   JcHqFormat   format,
                                   GString     *out,
                                   GError     **error);

/* Items two devices changed both (jc-hq-merge.h): the pair, and which shows. */
gboolean jc_hq_query_conflicts    (JcHqStore   *store,
                                   JcHqFormat   format,
                                   GString     *out,
                                   GError     **error);

G_END_DECLS

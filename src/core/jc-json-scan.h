/* jc-json-scan.h — a strict JSON scanner that knows where things are
 *
 * json-glib 1.6 parses JSON into a tree but keeps no position for each node,
 * so a validator built on it can only say *what* is wrong, not *where*. This
 * scanner walks the same text again: once before parsing, as a strict
 * RFC 8259 check (depth-limited, UTF-8 checked, no duplicate member names)
 * whose errors carry line, column and the path being read; and, only when
 * the validator finds a problem, once more to find the line and column of
 * the value at a given path.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_JSON_SCAN_MAX_DEPTH 64

/* One step of a path: a member name, or (name == NULL) an array index. */
typedef struct {
  const char *name;
  guint       index;
} JcJsonStep;

typedef struct {
  guint line;    /* 1-based */
  guint column;  /* 1-based, in characters */
} JcJsonPos;

/* Checks that @data is one strict JSON value. On failure returns FALSE,
 * sets @pos to where the problem is, and @message (free it) to what it is,
 * naming the path being read, e.g. "sections[1].groups[0]: unexpected end of
 * input (expected ',' or ']')". */
gboolean jc_json_scan_check  (const char  *data,
                              gsize        len,
                              JcJsonPos   *pos,
                              char       **message);

/* Finds the position of the value at @path (@n_steps steps; 0 = the root).
 * @data must have passed jc_json_scan_check(). Returns FALSE if no such
 * value exists. */
gboolean jc_json_scan_locate (const char       *data,
                              gsize             len,
                              const JcJsonStep *path,
                              guint             n_steps,
                              JcJsonPos        *pos);

/* "sections[1].groups[0].items[3].code" */
char    *jc_json_path_format (const JcJsonStep *path,
                              guint             n_steps);

G_END_DECLS

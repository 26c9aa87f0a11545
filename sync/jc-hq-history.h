/* jc-hq-history.h — HQ's signed decisions: one row per change of the
 * problem ledger or of an objection, never updated, never deleted
 *
 * Each row is a canonical JSON record (RFC 8259 without whitespace, object
 * members in byte order of their names, as json-glib 1.6 escapes strings):
 *
 *   {"action":"…","at":UNIX-SECONDS,"by":"HQ staff name","changes":{…},
 *    "prev":"SHA-256 hex of the previous row's record and signature, or ''",
 *    "row":N,"subject":"ledger:N" | "objection:N"}
 *
 * and HQ's Ed25519 signature of exactly those bytes (jc_hq_store_sign),
 * stored as hex. "prev" chains the rows, so a row removed or reordered is
 * seen as well as a row changed; anyone with HQ's public key (`jiancha-hq
 * key`) can check them. Table hq_ledger_history (row, subject, at, by,
 * record, signature).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

/* Creates the table when missing. */
gboolean  jc_hq_history_ensure   (JcHqStore    *store,
                                  GError      **error);

/* Appends a signed row for @subject; @changes is a JSON object (any member
 * order: the record sorts them). The caller holds the store's lock and its
 * transaction. */
gboolean  jc_hq_history_append   (JcHqStore    *store,
                                  const char   *subject,
                                  const char   *action,
                                  const char   *by,
                                  JsonObject   *changes,
                                  GError      **error);

/* The canonical text of @node (see above). */
char     *jc_hq_history_canonical (JsonNode    *node);

/* Checks every row's signature with @public_key (32 bytes) and the chain;
 * *n_rows (may be NULL) gets the count. The error names the first bad row. */
gboolean  jc_hq_history_verify   (JcHqStore    *store,
                                  const guint8 *public_key,
                                  guint        *n_rows,
                                  GError      **error);

/* The rows of @subject as a JSON array of {row, at, by, action, changes,
 * record, signature}, oldest first. */
JsonNode *jc_hq_history_of       (JcHqStore    *store,
                                  const char   *subject,
                                  GError      **error);

G_END_DECLS

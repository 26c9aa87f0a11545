/* jc-hq-updates.h — GET /v1/updates: what HQ tells its devices
 *
 * One signed document (jc-signed-doc.h, type "updates"):
 *   {"type":"updates","hq_time":S,"since":S,
 *    "revoked":["device hex",…],
 *    "checklists":[{"name":"ID@VERSION.json","json":base64,"signature":hex},…]}
 *    "plans":[envelope,…],
 *    "directory":{"sha256":hex,"institutions":[{code,name,type,level,county},…]}?}
 * The checklists are the HQ-issued versions in HQDIR/checklists/ (each file
 * with its detached .sig, made by `jiancha-hq checklist-issue`) changed
 * after @since; devices check each signature again before they use a list.
 * The directory comes whole, and only when its digest is not @directory,
 * the one the device already holds (NULL or "": it holds none).
 */
#pragma once

#include "jc-hq-store.h"

G_BEGIN_DECLS

char     *jc_hq_updates_build     (JcHqStore   *store,
                                   gint64       since,
                                   const char  *directory,
                                   GError     **error);
/* Checks @path as a checklist, signs its exact bytes and files it in
 * HQDIR/checklists/ID@VERSION.json (+ .sig); returns "ID@VERSION". */
char     *jc_hq_checklist_issue   (JcHqStore   *store,
                                   const char  *path,
                                   GError     **error);

G_END_DECLS

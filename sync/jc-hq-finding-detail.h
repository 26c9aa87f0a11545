/* jc-hq-finding-detail.h — one finding as HQ holds it, checked again
 *
 * For the dashboard's finding page: the finding's row with its inspection
 * and confirmation, its record's items (code, legal basis, amount) and
 * facts, each piece of evidence the record names with whether HQ holds it
 * complete and verified, and the checks HQ runs again on every request:
 *
 *   record   the stored record's SHA-256 is the one sealed (JC1 claim 9)
 *   seal     the seal (or amend) event verifies with its device's key and
 *            carries that record and digest
 *   confirm  the confirmation event verifies with its device's key
 *   institution  way 2: the institution's signature over claim 9
 *
 * The JC1 text itself is not rebuilt here (HQ does not hold the device's
 * certificate as the QR carries it); the same digest and signatures are
 * what a JC1 check would rest on.
 */
#pragma once

#include <glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

/* The JSON object, or NULL with JC_HQ_WEB_ERROR_NOT_FOUND. Takes the
 * store's lock. */
char *jc_hq_finding_detail_json (JcHqStore   *store,
                                 const char  *finding_id,
                                 GError     **error);

G_END_DECLS

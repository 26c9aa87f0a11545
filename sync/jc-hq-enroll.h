/* jc-hq-enroll.h — HQ's answer to an enrollment request
 *
 *   request = {"device_id": hex32, "public_key": hex64, "code": "XXXX-XXXX-XXXX",
 *              "inspector": "…"}
 *   reply   = {"certificate": {"device_id", "hq_kid", "not_after", "hq_signature"},
 *              "hq_public_key": hex64, "escrow_public_key": hex64, "hq_time": S}
 *
 * The same JSON online (POST /v1/enroll) and by file for a site without
 * network (`jiancha-cli enroll --request` → `jiancha-hq enroll-request` →
 * `jiancha-cli enroll --reply`).
 */
#pragma once

#include "jc-hq-store.h"

G_BEGIN_DECLS

/* A request is a few hundred bytes. */
#define JC_HQ_ENROLL_MAX_REQUEST 16384

/* Checks and consumes the request's code and returns the reply; on failure
 * *@http_status says how HTTP would answer (400, 403, 409, 413, 500). Takes
 * the store's lock. */
char *jc_hq_enroll_request (JcHqStore   *store,
                            const char  *request,
                            gsize        len,
                            guint       *http_status,
                            GError     **error);

G_END_DECLS

/* jc-sync-enroll.h — enrollment with HQ over HTTP (POST /v1/enroll)
 *
 * One way to enroll, shared by `jiancha-cli enroll` and the app's Sync
 * page: this device's id and public key go to HQ with the one-time code;
 * the certificate HQ returns is verified against the HQ key it returns and
 * handed to jc_vault_enroll() (pins HQ's keys, adds the escrow recovery
 * slot, records the event and HQ's time), and the URL is kept for sync.
 */
#pragma once

#include "jc-core.h"

G_BEGIN_DECLS

/* Blocking (network and Argon2id): run it in a thread. @vault must be
 * unlocked with @pin, which rewraps the PIN slot beside the new recovery
 * slot; a wrong @pin fails before the code is sent, so it is not spent. @out_not_after (may be NULL) gets the certificate's end, in Unix
 * seconds. Errors are JC_SYNC_ERROR_NETWORK (HQ unreachable),
 * JC_SYNC_ERROR_REFUSED (HQ said no, with its reason),
 * JC_SYNC_ERROR_RECEIPT (a reply that does not parse), or the vault's. */
gboolean jc_sync_enroll (JcVault     *vault,
                         const char  *pin,
                         const char  *hq_url,
                         const char  *code,
                         gint64      *out_not_after,
                         GError     **error);

G_END_DECLS

/* jc-sync.h — the device's side of sync: bundles, receipts, evidence, updates
 *
 * What HQ holds is known only from HQ's signed receipts: a device marks its
 * events acknowledged up to the receipt's acked_seq (whose event hash must
 * be its own), and evidence uploaded once a receipt or HQ's blob state says
 * it is complete. Everything else is sent again, harmlessly: HQ's merge is
 * a set union. Online (jc_sync_run) and by file (export a bundle, import
 * the receipt) are the same steps. The state lives in the vault
 * (sync_state, sync_blobs), encrypted with the rest.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_SYNC_ERROR (jc_sync_error_quark ())

typedef enum {
  JC_SYNC_ERROR_NOT_ENROLLED,  /* no certificate, no pinned HQ key */
  JC_SYNC_ERROR_NETWORK,       /* HQ unreachable or the connection broke: retry */
  JC_SYNC_ERROR_REFUSED,       /* HQ answered with an error */
  JC_SYNC_ERROR_RECEIPT,       /* a receipt or update that does not verify or fit */
  JC_SYNC_ERROR_REJECTED,      /* HQ stored the bundle but rejected events */
} JcSyncError;

/* Events per bundle: each event is at most 1 MiB, and most a few hundred
 * bytes; a bundle also stops at 32 MiB. */
#define JC_SYNC_BUNDLE_EVENTS  5000
#define JC_SYNC_PIECE_SIZE     (4 * 1024 * 1024)

typedef struct {
  guint64  head_seq;             /* this device's newest event */
  guint64  acked_seq;            /* the newest one HQ acknowledged */
  guint64  events_waiting;
  guint64  blobs_waiting;
  guint64  blob_bytes_waiting;
  gint64   last_sync;            /* Unix seconds of the last complete sync, 0 never */
  gint64   last_updates;         /* HQ time of the last applied updates, 0 never */
} JcSyncStatus;

typedef struct {
  guint64  bundles;
  guint64  events_sent;
  guint64  events_added;         /* new at HQ */
  guint64  blobs_uploaded;
  guint64  blob_bytes_sent;
  guint64  checklists_received;
  guint64  assignments_received; /* new ones of this inspector */
} JcSyncResult;

/* Called from the syncing thread after each step (may be NULL). */
typedef void (*JcSyncProgressFunc) (const char *what,
                                    guint64     done,
                                    guint64     total,
                                    gpointer    user_data);

GQuark   jc_sync_error_quark   (void);

gboolean jc_sync_get_status    (JcVault            *vault,
                                JcSyncStatus       *status,
                                GError            **error);
/* The next bundle of what HQ has not acknowledged (events after acked_seq,
 * and the manifests of evidence not complete at HQ). NULL with no error
 * when nothing waits. */
GBytes  *jc_sync_make_bundle   (JcVault            *vault,
                                guint               max_events,
                                guint64            *out_last_seq,
                                GError            **error);
/* Writes every waiting piece of evidence, encrypted for HQ as it would
 * travel online, to @dir/SHA256.jcblob (for a USB stick, beside the
 * bundle); `jiancha-hq import --evidence DIR` takes them in. */
gboolean jc_sync_export_evidence (JcVault          *vault,
                                  const char       *dir,
                                  guint            *out_files,
                                  GError          **error);
/* Verifies HQ's receipt (an envelope from POST /v1/bundles or
 * `jiancha-hq import`) with the pinned HQ key and records what HQ holds.
 * @out_rejected (may be NULL) gets HQ's reasons for any rejected event. */
gboolean jc_sync_apply_receipt (JcVault            *vault,
                                const char         *envelope,
                                gsize               len,
                                GPtrArray         **out_rejected,
                                GError            **error);
/* Verifies and applies GET /v1/updates: HQ time, revoked devices, signed
 * checklists (written to VAULT/checklists/ once their signature checks),
 * signed plans (this inspector's assignments, jc_assignments_save()).
 * Every plan and list verifies before anything is kept. */
gboolean jc_sync_apply_updates (JcVault            *vault,
                                const char         *envelope,
                                gsize               len,
                                guint              *out_checklists,
                                GError            **error);
/* Everything, online: bundles until no event waits, every waiting piece
 * of evidence (resumed where HQ stands), then the updates. Blocking: run
 * it in a thread. */
gboolean jc_sync_run           (JcVault            *vault,
                                const char         *hq_url,
                                JcSyncProgressFunc  progress,
                                gpointer            user_data,
                                GCancellable       *cancellable,
                                JcSyncResult       *result,
                                GError            **error);
/* The HTTP session every request to HQ goes through. HTTPS is checked
 * against the system's CAs, or against the PEM file named by
 * JIANCHA_HQ_CA_FILE (an HQ with a certificate of its own). */
SoupSession *jc_sync_new_session (GError **error);
/* The HQ address of enrollment or of the last sync (NULL when none). */
char    *jc_sync_get_hq_url    (JcVault            *vault);
gboolean jc_sync_set_hq_url    (JcVault            *vault,
                                const char         *hq_url,
                                GError            **error);
/* The checklists HQ issued, as synced into the vault. */
gboolean jc_sync_add_checklists (JcVault             *vault,
                                 JcChecklistRegistry *registry,
                                 GError             **error);

G_END_DECLS

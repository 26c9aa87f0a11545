/* jc-hq-merge.h — HQ's verified merge of the devices' bundles
 *
 * HQ keeps every device's events in one event log (the same JcEventlog the
 * devices use, on hq.db) with the same projections, so every inspection,
 * finding, confirmation and amendment of every device is a table at HQ.
 * Before anything is stored: the bundle opens with HQ's key, its device is
 * enrolled and not revoked, the bundle's and every event's signature
 * verify (on every core), and each event extends its device's chain. The
 * merge is a set union keyed by (device, seq): a bundle replayed changes
 * nothing. An event after a gap is held until the missing ones arrive;
 * a forged, conflicting or out-of-chain event is rejected, and every
 * rejection is kept with its reason in hq_rejections.
 */
#pragma once

#include <glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

#define JC_HQ_MERGE_ERROR (jc_hq_merge_error_quark ())

typedef enum {
  JC_HQ_MERGE_ERROR_REJECTED,   /* the whole bundle was refused: HTTP 400/403 */
  JC_HQ_MERGE_ERROR_FORBIDDEN,  /* unknown or revoked device: HTTP 403 */
  JC_HQ_MERGE_ERROR_DATABASE,   /* HQ could not store it: HTTP 500, send again */
} JcHqMergeError;

typedef struct _JcHqMerge JcHqMerge;

GQuark      jc_hq_merge_error_quark (void);

/* Creates HQ's event tables and projections in the store's database. */
JcHqMerge  *jc_hq_merge_new         (JcHqStore     *store,
                                     GError       **error);
void        jc_hq_merge_free        (JcHqMerge     *merge);

/* Merges one sealed bundle; returns the signed receipt (an envelope of
 * jc-signed-doc.h, type "receipt"). @source says where it came from
 * ("http 127.0.0.1", "import FILE") for the records. Takes the store's lock
 * for the database work, while worker threads check the signatures: each
 * event is stored only once its own signature has verified. */
char       *jc_hq_merge_bundle      (JcHqMerge     *merge,
                                     GBytes        *sealed,
                                     const char    *source,
                                     GError       **error);

/* Every stored event's signature and every device's chain, again. */
gboolean    jc_hq_merge_verify      (JcHqMerge     *merge,
                                     GError       **error);

/* The number of worker threads that verify signatures (default: the
 * number of processors). */
void        jc_hq_merge_set_threads (JcHqMerge     *merge,
                                     guint          n_threads);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcHqMerge, jc_hq_merge_free)

G_END_DECLS

/* jc-sync-manager.h — when the app syncs with HQ, and what it shows of it
 *
 * One per window. It starts jc_sync_run() in a thread when asked (Sync
 * now), when GNetworkMonitor reports a connection, and every few minutes
 * while something waits; a failed sync is retried with exponential
 * backoff. The Sync page and the window's status badge read it and redraw
 * on "changed".
 */
#pragma once

#include <gio/gio.h>

#include "jc-core.h"
#include "jc-sync.h"

G_BEGIN_DECLS

#define JC_TYPE_SYNC_MANAGER (jc_sync_manager_get_type ())
G_DECLARE_FINAL_TYPE (JcSyncManager, jc_sync_manager, JC, SYNC_MANAGER, GObject)

/* The first retry waits this long, each further one twice as long, up to
 * the maximum; a successful sync starts over. */
#define JC_SYNC_MANAGER_BACKOFF_FIRST_MS  (30 * 1000)
#define JC_SYNC_MANAGER_BACKOFF_MAX_MS    (30 * 60 * 1000)

JcSyncManager *jc_sync_manager_new          (JcVault         *vault,
                                             GSettings       *settings);

/* Reads again what waits (after a change made elsewhere). */
void           jc_sync_manager_refresh      (JcSyncManager   *self);
/* Starts a sync unless one runs or the device is not enrolled; FALSE then. */
gboolean       jc_sync_manager_sync_now     (JcSyncManager   *self);

/* Stops a running sync where it stands (what HQ confirmed stays
 * confirmed); not an error, no retry. */
void           jc_sync_manager_cancel       (JcSyncManager   *self);
gboolean       jc_sync_manager_get_running  (JcSyncManager   *self);
gboolean       jc_sync_manager_get_enrolled (JcSyncManager   *self);
/* FALSE while the vault is locked. */
gboolean       jc_sync_manager_get_status   (JcSyncManager   *self,
                                             JcSyncStatus    *status);
const char    *jc_sync_manager_get_hq_url   (JcSyncManager   *self);
/* The last sync's error in words, NULL after a success. */
const char    *jc_sync_manager_get_last_error (JcSyncManager *self);
/* Unix seconds of the next retry after a failure, 0 when none waits. */
gint64         jc_sync_manager_get_next_retry (JcSyncManager *self);
/* What the running sync is at (@what "events" or "evidence", NULL before
 * the first step). */
void           jc_sync_manager_get_progress (JcSyncManager   *self,
                                             const char     **what,
                                             guint64         *done,
                                             guint64         *total);
/* A short line for the window's badge: "3 events to sync", "Synced", …
 * NULL while the vault is locked. */
char          *jc_sync_manager_describe     (JcSyncManager   *self);

/* Tests shorten the backoff. */
void           jc_sync_manager_set_backoff  (JcSyncManager   *self,
                                             guint            first_ms,
                                             guint            max_ms);

G_END_DECLS

/* jc-sync-manager.c — when the app syncs with HQ, and what it shows of it
 *
 * jc_sync_run() blocks on the network, so it runs in a GTask thread; the
 * vault is held meanwhile (jc_vault_task_hold), so locking waits for the
 * sync to finish instead of pulling the database from under it. Progress
 * comes from that thread and is handed to the main thread with an idle
 * callback. What waits is read again every few seconds while the vault is
 * open, which is a few cheap SQL queries: the pages that record change the
 * vault through the core, and this way none of them has to tell.
 */
#define G_LOG_DOMAIN "jiancha-sync-manager"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "jc-sync-manager.h"
#include "jc-vault-task.h"

/* How often what waits is read again, and how often an automatic sync is
 * tried while something waits and nothing failed. */
#define POLL_SECONDS    5
#define PERIOD_SECONDS  (5 * 60)

struct _JcSyncManager
{
  GObject          parent_instance;

  JcVault         *vault;
  GSettings       *settings;
  GNetworkMonitor *monitor;
  GCancellable    *cancellable;

  gboolean         running;
  gboolean         have_status;
  gboolean         enrolled;
  JcSyncStatus     status;
  char            *hq_url;
  char            *last_error;
  const char      *progress_what;   /* interned */
  guint64          progress_done;
  guint64          progress_total;

  guint            backoff_first_ms;
  guint            backoff_max_ms;
  guint            backoff_ms;      /* the wait before the pending retry, 0 none */
  gint64           next_retry;      /* Unix seconds */
  gint64           last_attempt;    /* monotonic µs, 0 never */
  guint            retry_id;
  guint            poll_id;
};

G_DEFINE_FINAL_TYPE (JcSyncManager, jc_sync_manager, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct {
  JcSyncManager *self;
  const char    *what;
  guint64        done;
  guint64        total;
} Progress;

static void
emit_changed (JcSyncManager *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
auto_sync_on (JcSyncManager *self)
{
  return g_settings_get_boolean (self->settings, "auto-sync");
}

static gboolean
can_sync (JcSyncManager *self)
{
  return !self->running && jc_vault_is_unlocked (self->vault) && self->enrolled && self->hq_url != NULL;
}

static gboolean
something_waits (JcSyncManager *self)
{
  return self->have_status && (self->status.events_waiting > 0 || self->status.blobs_waiting > 0);
}

/* Reads the vault's sync state; not while a sync writes it. */
static void
read_state (JcSyncManager *self)
{
  g_autoptr(GError) error = NULL;

  if (!jc_vault_is_unlocked (self->vault))
    {
      self->have_status = FALSE;
      self->enrolled = FALSE;
      g_clear_pointer (&self->hq_url, g_free);
      return;
    }
  if (self->running)
    return;
  self->have_status = jc_sync_get_status (self->vault, &self->status, &error);
  if (!self->have_status)
    g_warning ("Cannot read the sync state of the vault in %s: %s", jc_vault_get_dir (self->vault),
               error->message);
  self->enrolled = jc_vault_get_enrollment (self->vault, NULL, NULL, NULL);
  g_free (self->hq_url);
  self->hq_url = jc_sync_get_hq_url (self->vault);
}

static void start_sync (JcSyncManager *self);

static gboolean
on_retry (gpointer data)
{
  JcSyncManager *self = data;

  self->retry_id = 0;
  if (can_sync (self) && auto_sync_on (self))
    start_sync (self);
  return G_SOURCE_REMOVE;
}

static void
clear_retry (JcSyncManager *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->next_retry = 0;
}

/* After a failure: 30 s, 1 min, 2 min, … up to 30 min. */
static void
schedule_retry (JcSyncManager *self)
{
  clear_retry (self);
  if (!auto_sync_on (self))
    return;
  self->backoff_ms = self->backoff_ms == 0 ? self->backoff_first_ms
                                           : MIN (self->backoff_ms * 2, self->backoff_max_ms);
  self->next_retry = g_get_real_time () / G_USEC_PER_SEC + (self->backoff_ms + 999) / 1000;
  self->retry_id = g_timeout_add (self->backoff_ms, on_retry, self);
}

/* An automatic sync, when it is on, something waits and no retry is
 * pending (a pending retry has its own time). */
static void
maybe_auto_sync (JcSyncManager *self, gboolean periodic)
{
  gint64 since = g_get_monotonic_time () - self->last_attempt;

  if (!auto_sync_on (self) || !can_sync (self) || !something_waits (self) || self->retry_id != 0)
    return;
  if (!g_network_monitor_get_network_available (self->monitor))
    return;
  if (periodic && self->last_attempt != 0 && since < (gint64) PERIOD_SECONDS * G_USEC_PER_SEC)
    return;
  start_sync (self);
}

static gboolean
on_poll (gpointer data)
{
  JcSyncManager *self = data;

  read_state (self);
  emit_changed (self);
  maybe_auto_sync (self, TRUE);
  return G_SOURCE_CONTINUE;
}

static gboolean
deliver_progress (gpointer data)
{
  Progress *p = data;

  if (p->self->running)
    {
      p->self->progress_what = p->what;
      p->self->progress_done = p->done;
      p->self->progress_total = p->total;
      emit_changed (p->self);
    }
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  g_object_unref (p->self);
  g_free (p);
}

/* In the syncing thread. */
static void
on_progress (const char *what, guint64 done, guint64 total, gpointer user_data)
{
  Progress *p = g_new0 (Progress, 1);

  p->self = g_object_ref (JC_SYNC_MANAGER (user_data));
  p->what = g_intern_string (what);
  p->done = done;
  p->total = total;
  g_idle_add_full (G_PRIORITY_DEFAULT, deliver_progress, p, progress_free);
}

static void
sync_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JcSyncManager *self = source;
  const char *url = task_data;
  GError *error = NULL;
  JcSyncResult result;

  if (jc_sync_run (self->vault, url, on_progress, self, cancellable, &result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_sync_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  JcSyncManager *self = JC_SYNC_MANAGER (source);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);
  /* jc_sync_run() may name the cut connection rather than the cancel. */
  gboolean cancelled = g_cancellable_is_cancelled (self->cancellable);

  self->running = FALSE;
  jc_vault_task_release (self->vault);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_error, g_free);
  if (ok)
    {
      self->backoff_ms = 0;
      clear_retry (self);
    }
  else if (cancelled)
    clear_retry (self);
  else
    {
      self->last_error = g_strdup (error->message);
      g_message ("Sync with %s failed: %s", self->hq_url ? self->hq_url : "HQ", error->message);
      schedule_retry (self);
    }
  read_state (self);
  emit_changed (self);
}

static void
start_sync (JcSyncManager *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (can_sync (self));

  clear_retry (self);
  self->running = TRUE;
  self->last_attempt = g_get_monotonic_time ();
  self->progress_what = NULL;
  self->progress_done = self->progress_total = 0;
  self->cancellable = g_cancellable_new ();
  jc_vault_task_hold (self->vault);
  task = g_task_new (self, self->cancellable, on_sync_done, NULL);
  g_task_set_source_tag (task, start_sync);
  g_task_set_task_data (task, g_strdup (self->hq_url), g_free);
  g_task_run_in_thread (task, sync_thread);
  emit_changed (self);
}

static void
on_unlocked_changed (JcSyncManager *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (jc_vault_is_unlocked (self->vault))
    self->poll_id = g_timeout_add_seconds (POLL_SECONDS, on_poll, self);
  else
    {
      /* Another inspector may open the vault next: nothing carries over. */
      clear_retry (self);
      self->backoff_ms = 0;
      self->last_attempt = 0;
      g_clear_pointer (&self->last_error, g_free);
    }
  read_state (self);
  emit_changed (self);
  maybe_auto_sync (self, FALSE);
}

static void
on_network_changed (JcSyncManager *self)
{
  /* A connection appeared: try now rather than at the retry time. */
  if (g_network_monitor_get_network_available (self->monitor) && self->retry_id != 0 && can_sync (self) &&
      auto_sync_on (self))
    {
      start_sync (self);
      return;
    }
  maybe_auto_sync (self, FALSE);
}

static void
on_auto_sync_changed (JcSyncManager *self)
{
  if (!auto_sync_on (self))
    clear_retry (self);
  else if (self->last_error != NULL && can_sync (self))
    schedule_retry (self);
  else
    maybe_auto_sync (self, FALSE);
  emit_changed (self);
}

static void
jc_sync_manager_dispose (GObject *object)
{
  JcSyncManager *self = JC_SYNC_MANAGER (object);

  /* A running sync holds a reference to this object through its task. */
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->vault);
  g_clear_object (&self->settings);
  self->monitor = NULL;
  G_OBJECT_CLASS (jc_sync_manager_parent_class)->dispose (object);
}

static void
jc_sync_manager_finalize (GObject *object)
{
  JcSyncManager *self = JC_SYNC_MANAGER (object);

  g_free (self->hq_url);
  g_free (self->last_error);
  G_OBJECT_CLASS (jc_sync_manager_parent_class)->finalize (object);
}

static void
jc_sync_manager_class_init (JcSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jc_sync_manager_dispose;
  object_class->finalize = jc_sync_manager_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
jc_sync_manager_init (JcSyncManager *self)
{
  self->backoff_first_ms = JC_SYNC_MANAGER_BACKOFF_FIRST_MS;
  self->backoff_max_ms = JC_SYNC_MANAGER_BACKOFF_MAX_MS;
}

JcSyncManager *
jc_sync_manager_new (JcVault *vault, GSettings *settings)
{
  JcSyncManager *self = g_object_new (JC_TYPE_SYNC_MANAGER, NULL);

  g_return_val_if_fail (JC_IS_VAULT (vault), NULL);

  self->vault = g_object_ref (vault);
  self->settings = g_object_ref (settings);
  self->monitor = g_network_monitor_get_default ();
  g_signal_connect_object (vault, "notify::unlocked", G_CALLBACK (on_unlocked_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "notify::network-available", G_CALLBACK (on_network_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::auto-sync", G_CALLBACK (on_auto_sync_changed), self,
                           G_CONNECT_SWAPPED);
  on_unlocked_changed (self);
  return self;
}

void
jc_sync_manager_refresh (JcSyncManager *self)
{
  g_return_if_fail (JC_IS_SYNC_MANAGER (self));

  read_state (self);
  emit_changed (self);
}

gboolean
jc_sync_manager_sync_now (JcSyncManager *self)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), FALSE);

  read_state (self);
  if (!can_sync (self))
    return FALSE;
  start_sync (self);
  return TRUE;
}

void
jc_sync_manager_cancel (JcSyncManager *self)
{
  g_return_if_fail (JC_IS_SYNC_MANAGER (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
jc_sync_manager_get_running (JcSyncManager *self)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), FALSE);

  return self->running;
}

gboolean
jc_sync_manager_get_enrolled (JcSyncManager *self)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), FALSE);

  return self->enrolled;
}

gboolean
jc_sync_manager_get_status (JcSyncManager *self, JcSyncStatus *status)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), FALSE);

  if (!self->have_status || !jc_vault_is_unlocked (self->vault))
    return FALSE;
  *status = self->status;
  return TRUE;
}

const char *
jc_sync_manager_get_hq_url (JcSyncManager *self)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), NULL);

  return self->hq_url;
}

const char *
jc_sync_manager_get_last_error (JcSyncManager *self)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), NULL);

  return self->last_error;
}

gint64
jc_sync_manager_get_next_retry (JcSyncManager *self)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), 0);

  return self->retry_id != 0 ? self->next_retry : 0;
}

void
jc_sync_manager_get_progress (JcSyncManager *self, const char **what, guint64 *done, guint64 *total)
{
  g_return_if_fail (JC_IS_SYNC_MANAGER (self));

  *what = self->running ? self->progress_what : NULL;
  *done = self->progress_done;
  *total = self->progress_total;
}

char *
jc_sync_manager_describe (JcSyncManager *self)
{
  g_return_val_if_fail (JC_IS_SYNC_MANAGER (self), NULL);

  if (!self->have_status || !jc_vault_is_unlocked (self->vault))
    return NULL;
  if (self->running)
    return g_strdup (_("Syncing…"));
  if (self->status.events_waiting > 0)
    return g_strdup_printf (ngettext ("%" PRIu64 " event to sync", "%" PRIu64 " events to sync",
                                      (gulong) self->status.events_waiting),
                            self->status.events_waiting);
  if (self->status.blobs_waiting > 0)
    return g_strdup_printf (ngettext ("%" PRIu64 " file to sync", "%" PRIu64 " files to sync",
                                      (gulong) self->status.blobs_waiting),
                            self->status.blobs_waiting);
  if (!self->enrolled)
    return g_strdup (_("Not enrolled"));
  return g_strdup (_("All synced"));
}

void
jc_sync_manager_set_backoff (JcSyncManager *self, guint first_ms, guint max_ms)
{
  g_return_if_fail (JC_IS_SYNC_MANAGER (self));
  g_return_if_fail (first_ms > 0 && max_ms >= first_ms);

  self->backoff_first_ms = first_ms;
  self->backoff_max_ms = max_ms;
}

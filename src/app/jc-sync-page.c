/* jc-sync-page.c — the place Sync: what waits, HQ's receipts, Sync now, USB
 *
 * Before enrollment the page is a status page with Enroll…; after, it
 * shows what JcSyncManager knows: what waits, what HQ holds, the last
 * successful sync, the last error in words and the next retry, the
 * progress of a running sync, and the USB way (a bundle and the evidence
 * written to a folder, HQ's receipt read back). The USB steps run in a
 * thread, holding the vault, like a sync.
 */
#define G_LOG_DOMAIN "jiancha-sync-page"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "jc-enroll-dialog.h"
#include "jc-sync-page.h"
#include "jc-sync.h"
#include "jc-vault-task.h"

struct _JcSyncPage
{
  AdwBin            parent_instance;

  JcVault          *vault;
  JcSyncManager    *manager;
  GNetworkMonitor  *monitor;
  JcEnrollDialog   *enroll_dialog;    /* weak */
  GtkFileChooserNative *chooser;
  gboolean          usb_busy;
  guint             scroll_frames;

  GtkStack         *stack;
  GtkScrolledWindow *scroller;
  AdwStatusPage    *enroll_status;
  GtkLabel         *enroll_waiting_label;
  GtkButton        *enroll_button;
  GtkImage         *state_icon;
  GtkLabel         *state_label;
  GtkLabel         *state_detail;
  GtkProgressBar   *progress_bar;
  GtkButton        *sync_now_button;
  AdwActionRow     *waiting_row;
  AdwActionRow     *hq_row;
  AdwActionRow     *last_sync_row;
  AdwActionRow     *address_row;
  AdwActionRow     *error_row;
  AdwActionRow     *retry_row;
  GtkSwitch        *auto_switch;
  AdwActionRow     *export_row;
  AdwActionRow     *import_row;
  GtkLabel         *usb_label;
};

G_DEFINE_FINAL_TYPE (JcSyncPage, jc_sync_page, ADW_TYPE_BIN)

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (unix_seconds);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (t == NULL)
    return g_strdup ("?");
  if (g_date_time_get_year (t) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (t) == g_date_time_get_day_of_year (now))
    return g_date_time_format (t, "%H:%M:%S");
  return g_date_time_format (t, "%Y-%m-%d %H:%M");
}

static char *
describe_waiting (const JcSyncStatus *st)
{
  g_autofree char *events = g_strdup_printf (ngettext ("%" PRIu64 " event", "%" PRIu64 " events",
                                                       (gulong) st->events_waiting),
                                             st->events_waiting);
  g_autofree char *bytes = g_format_size (st->blob_bytes_waiting);

  if (st->blobs_waiting == 0)
    return g_steal_pointer (&events);
  /* Translators: "3 events · 2 files (1.2 MB)" */
  return g_strdup_printf (ngettext ("%s · %" PRIu64 " evidence file (%s)", "%s · %" PRIu64 " evidence files (%s)",
                                    (gulong) st->blobs_waiting),
                          events, st->blobs_waiting, bytes);
}

static void
update_progress (JcSyncPage *self)
{
  const char *what = NULL;
  guint64 done = 0, total = 0;
  g_autofree char *text = NULL;
  g_autofree char *done_text = NULL, *total_text = NULL;

  jc_sync_manager_get_progress (self->manager, &what, &done, &total);
  if (g_strcmp0 (what, "evidence") == 0)
    {
      done_text = g_format_size (done);
      total_text = g_format_size (total);
      text = g_strdup_printf (_("Evidence: %s of %s"), done_text, total_text);
    }
  else if (g_strcmp0 (what, "events") == 0)
    text = g_strdup_printf (_("Events: HQ holds %" PRIu64 " of %" PRIu64), done, total);
  else
    text = g_strdup (_("Connecting to headquarters…"));
  gtk_progress_bar_set_text (self->progress_bar, text);
  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, (double) MIN (done, total) / (double) total);
  else
    gtk_progress_bar_pulse (self->progress_bar);
}

static void
update_enroll_view (JcSyncPage *self, gboolean have, const JcSyncStatus *st)
{
  gboolean online = g_network_monitor_get_network_available (self->monitor);
  g_autofree char *waiting = have ? describe_waiting (st) : NULL;
  g_autofree char *line = waiting ? g_strdup_printf (_("Waiting on this device: %s"), waiting) : NULL;

  adw_status_page_set_description (self->enroll_status,
                                   online
                                   ? _("A network is available, but this device is not enrolled with headquarters yet. Results stay on this device until it is.")
                                   : _("No network. Results stay on this device and are sent to headquarters once it is enrolled and a connection appears."));
  gtk_label_set_label (self->enroll_waiting_label, line ? line : "");
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_waiting_label), line != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enroll_button), !self->usb_busy);
}

static void
update (JcSyncPage *self)
{
  JcSyncStatus st = { 0 };
  gboolean have, running, waits;
  const char *error_text, *url;
  gint64 retry;
  g_autofree char *waiting = NULL, *holds = NULL, *last = NULL, *detail = NULL, *retry_text = NULL;

  if (self->manager == NULL)
    return;
  have = jc_sync_manager_get_status (self->manager, &st);
  running = jc_sync_manager_get_running (self->manager);
  error_text = jc_sync_manager_get_last_error (self->manager);
  url = jc_sync_manager_get_hq_url (self->manager);
  retry = jc_sync_manager_get_next_retry (self->manager);
  waits = have && (st.events_waiting > 0 || st.blobs_waiting > 0);

  if (!jc_sync_manager_get_enrolled (self->manager))
    {
      update_enroll_view (self, have, &st);
      gtk_stack_set_visible_child_name (self->stack, "enroll");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "status");

  last = have && st.last_sync > 0 ? format_time (st.last_sync) : g_strdup (_("Never"));
  if (retry > 0)
    {
      g_autofree char *when = format_time (retry);

      retry_text = g_strdup_printf (_("Next retry: %s"), when);
    }

  if (running)
    {
      gtk_image_set_from_icon_name (self->state_icon, "emblem-synchronizing-symbolic");
      gtk_label_set_label (self->state_label, _("Syncing…"));
      detail = g_strdup (_("You can go on working; the sync runs in the background."));
    }
  else if (error_text != NULL)
    {
      gtk_image_set_from_icon_name (self->state_icon, "dialog-warning-symbolic");
      gtk_label_set_label (self->state_label, _("Sync Failed"));
      detail = retry_text ? g_strdup (retry_text) : g_strdup (_("Automatic sync is off: press Sync Now to try again."));
    }
  else if (waits)
    {
      g_autofree char *what = describe_waiting (&st);

      gtk_image_set_from_icon_name (self->state_icon, "emblem-synchronizing-symbolic");
      /* Translators: %s is "3 events · 1 evidence file (2.0 MB)" */
      gtk_label_set_label (self->state_label, _("Waiting to Sync"));
      detail = g_strdup_printf (_("Waiting: %s"), what);
    }
  else
    {
      gtk_image_set_from_icon_name (self->state_icon, "emblem-ok-symbolic");
      gtk_label_set_label (self->state_label, _("Everything Is at Headquarters"));
      /* All of it may have gone by USB stick, acknowledged by receipt. */
      detail = have && st.last_sync > 0 ? g_strdup_printf (_("Last successful sync: %s"), last)
                                        : g_strdup (_("Headquarters acknowledged everything by receipt"));
    }
  gtk_label_set_label (self->state_detail, detail);
  if (error_text != NULL && !running)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "error");
  if (!running && error_text == NULL && !waits)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "success");

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  if (running)
    update_progress (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_now_button), !running && !self->usb_busy && url != NULL);

  waiting = have ? describe_waiting (&st) : g_strdup ("?");
  adw_action_row_set_subtitle (self->waiting_row, waiting);
  holds = have ? g_strdup_printf (ngettext ("%" PRIu64 " event of %" PRIu64, "%" PRIu64 " events of %" PRIu64,
                                            (gulong) st.acked_seq),
                                  st.acked_seq, st.head_seq)
               : g_strdup ("?");
  adw_action_row_set_subtitle (self->hq_row, holds);
  adw_action_row_set_subtitle (self->last_sync_row, last);
  adw_action_row_set_subtitle (self->address_row, url ? url : _("None yet"));
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), error_text != NULL);
  adw_action_row_set_subtitle (self->error_row, error_text ? error_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->retry_row), retry > 0);
  if (retry > 0)
    {
      g_autofree char *when = format_time (retry);

      adw_action_row_set_subtitle (self->retry_row, when);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_row), !running && !self->usb_busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_row), !running && !self->usb_busy);
}

static void
on_network_changed (JcSyncPage *self)
{
  update (self);
}

static void
on_sync_now (JcSyncPage *self)
{
  if (self->manager != NULL)
    jc_sync_manager_sync_now (self->manager);
}

static void
on_enrolled (JcSyncPage *self)
{
  jc_sync_manager_refresh (self->manager);
  /* The first sync right away, when that is wanted. */
  if (g_network_monitor_get_network_available (self->monitor))
    {
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);

      if (g_settings_get_boolean (settings, "auto-sync"))
        jc_sync_manager_sync_now (self->manager);
    }
}

static void
on_enroll (JcSyncPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  JcEnrollDialog *dialog;

  if (self->enroll_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->enroll_dialog));
      return;
    }
  dialog = jc_enroll_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->vault);
  g_set_weak_pointer (&self->enroll_dialog, dialog);
  g_signal_connect_object (dialog, "done", G_CALLBACK (on_enrolled), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- USB ---- */

typedef struct {
  JcVault *vault;
  GFile   *file;
} UsbJob;

static void
usb_job_free (UsbJob *job)
{
  g_object_unref (job->vault);
  g_object_unref (job->file);
  g_free (job);
}

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  UsbJob *job = task_data;
  g_autofree char *dir = g_file_get_path (job->file);
  g_autofree char *evidence_dir = NULL, *name = NULL, *path = NULL, *device = NULL;
  g_autoptr(GBytes) bundle = NULL;
  GError *error = NULL;
  guint64 last_seq = 0;
  guint n_files = 0;
  JcSyncStatus st;

  if (dir == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The folder %s is not on this device"), g_file_peek_path (job->file));
      return;
    }
  if (!jc_sync_get_status (job->vault, &st, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  bundle = jc_sync_make_bundle (job->vault, 0, &last_seq, &error);
  if (bundle == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_strdup (_("Nothing waits for headquarters: no bundle written")), g_free);
      return;
    }
  device = g_strndup (jc_device_get_id_hex (jc_vault_get_device (job->vault)), 8);
  name = g_strdup_printf ("jiancha-%s-%" PRIu64 "-%" PRIu64 ".jcb", device, st.acked_seq + 1, last_seq);
  path = g_build_filename (dir, name, NULL);
  evidence_dir = g_build_filename (dir, "jiancha-evidence", NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (bundle, NULL), (gssize) g_bytes_get_size (bundle),
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, &error) ||
      !jc_sync_export_evidence (job->vault, evidence_dir, &n_files, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task,
                         g_strdup_printf (ngettext ("Wrote %s (events %" PRIu64 "–%" PRIu64 ") and %u evidence file to %s",
                                                    "Wrote %s (events %" PRIu64 "–%" PRIu64 ") and %u evidence files to %s",
                                                    n_files),
                                          name, st.acked_seq + 1, last_seq, n_files, evidence_dir),
                         g_free);
}

static void
import_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  UsbJob *job = task_data;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autofree char *text = NULL;
  GError *error = NULL;
  JcSyncStatus st;
  gsize len;

  if (!g_file_load_contents (job->file, NULL, &text, &len, NULL, &error) ||
      !jc_sync_apply_receipt (job->vault, text, len, &rejected, &error) ||
      !jc_sync_get_status (job->vault, &st, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (rejected->len > 0)
    g_task_return_pointer (task,
                           g_strdup_printf (ngettext ("Receipt recorded, but headquarters rejected %u event: %s",
                                                      "Receipt recorded, but headquarters rejected %u events; the first: %s",
                                                      rejected->len),
                                            rejected->len, (const char *) rejected->pdata[0]),
                           g_free);
  else
    g_task_return_pointer (task,
                           g_strdup_printf (_("Receipt recorded: headquarters holds %" PRIu64 " of %" PRIu64 " events"),
                                            st.acked_seq, st.head_seq),
                           g_free);
}

/* A wrapped label settles its height over a frame or two: follow it for a
 * few frames. */
static gboolean
scroll_to_end (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  JcSyncPage *self = JC_SYNC_PAGE (widget);
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  return ++self->scroll_frames < 8 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
on_usb_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcSyncPage *self = JC_SYNC_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_task_propagate_pointer (G_TASK (result), &error);

  self->usb_busy = FALSE;
  jc_vault_task_release (self->vault);
  gtk_label_set_label (self->usb_label, text ? text : error->message);
  if (text != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->usb_label), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->usb_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->usb_label), TRUE);
  jc_sync_manager_refresh (self->manager);
  /* The outcome is at the foot of the page: bring it into view once the
   * page has its new size. */
  self->scroll_frames = 0;
  gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_end, NULL, NULL);
}

static void
run_usb (JcSyncPage *self, GFile *file, GTaskThreadFunc func)
{
  g_autoptr(GTask) task = NULL;
  UsbJob *job;

  g_return_if_fail (self->manager != NULL);
  if (self->usb_busy || jc_sync_manager_get_running (self->manager) || !jc_vault_is_unlocked (self->vault))
    return;
  job = g_new0 (UsbJob, 1);
  job->vault = g_object_ref (self->vault);
  job->file = g_object_ref (file);
  self->usb_busy = TRUE;
  jc_vault_task_hold (self->vault);
  gtk_widget_set_visible (GTK_WIDGET (self->usb_label), FALSE);
  update (self);
  task = g_task_new (self, NULL, on_usb_done, NULL);
  g_task_set_source_tag (task, run_usb);
  g_task_set_task_data (task, job, (GDestroyNotify) usb_job_free);
  g_task_run_in_thread (task, func);
}

static void
on_chooser_response (JcSyncPage *self, int response, GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  gboolean export = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "export"));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file == NULL)
    return;
  run_usb (self, file, export ? export_thread : import_thread);
}

static void
choose (JcSyncPage *self, gboolean export)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (export ? _("Export Sync Bundle To") : _("Import Receipt"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               export ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                      : GTK_FILE_CHOOSER_ACTION_OPEN,
                                               export ? _("_Export") : _("_Import"), _("_Cancel"));
  g_object_set_data (G_OBJECT (self->chooser), "export", GINT_TO_POINTER (export));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_export (JcSyncPage *self)
{
  choose (self, TRUE);
}

static void
on_import (JcSyncPage *self)
{
  choose (self, FALSE);
}

static void
on_unlocked_changed (JcSyncPage *self)
{
  if (jc_vault_is_unlocked (self->vault))
    return;
  /* Nothing of the open vault stays on the lock screen. */
  if (self->enroll_dialog != NULL)
    jc_enroll_dialog_close (self->enroll_dialog);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_set_visible (GTK_WIDGET (self->usb_label), FALSE);
}

static void
jc_sync_page_dispose (GObject *object)
{
  JcSyncPage *self = JC_SYNC_PAGE (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  self->monitor = NULL;
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_weak_pointer (&self->enroll_dialog);
  g_clear_object (&self->manager);
  g_clear_object (&self->vault);
  /* The bin's child is a bound template child: AdwBin must let go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_SYNC_PAGE);
  G_OBJECT_CLASS (jc_sync_page_parent_class)->dispose (object);
}

static void
jc_sync_page_class_init (JcSyncPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_sync_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-sync-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, stack);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, enroll_status);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, enroll_waiting_label);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, enroll_button);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, state_icon);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, state_detail);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, sync_now_button);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, waiting_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, hq_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, last_sync_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, error_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, retry_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, auto_switch);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, export_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, import_row);
  gtk_widget_class_bind_template_child (widget_class, JcSyncPage, usb_label);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_now);
  gtk_widget_class_bind_template_callback (widget_class, on_enroll);
  gtk_widget_class_bind_template_callback (widget_class, on_export);
  gtk_widget_class_bind_template_callback (widget_class, on_import);
}

static void
jc_sync_page_init (JcSyncPage *self)
{
  g_autoptr(GSettings) settings = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  settings = g_settings_new (APP_ID);
  g_settings_bind (settings, "auto-sync", self->auto_switch, "active", G_SETTINGS_BIND_DEFAULT);
  self->monitor = g_network_monitor_get_default ();
  g_signal_connect_object (self->monitor, "notify::network-available", G_CALLBACK (on_network_changed), self,
                           G_CONNECT_SWAPPED);
}

void
jc_sync_page_set_manager (JcSyncPage *self, JcVault *vault, JcSyncManager *manager)
{
  g_return_if_fail (JC_IS_SYNC_PAGE (self));
  g_return_if_fail (self->manager == NULL);

  self->vault = g_object_ref (vault);
  self->manager = g_object_ref (manager);
  g_signal_connect_object (manager, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vault, "notify::unlocked", G_CALLBACK (on_unlocked_changed), self, G_CONNECT_SWAPPED);
  update (self);
}

const char *
jc_sync_page_get_shown (JcSyncPage *self)
{
  g_return_val_if_fail (JC_IS_SYNC_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

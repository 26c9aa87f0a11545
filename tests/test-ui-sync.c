/* test-ui-sync.c — the Sync place against the real jiancha-hq on 127.0.0.1,
 * in Chinese: the device is enrolled through the dialog (address, one-time
 * code, PIN), an item is recorded, Sync now sends it and HQ's hq.db holds
 * every event; then HQ is stopped, more is recorded, Sync now fails and the
 * page says why and when it retries; HQ comes back on the same port and the
 * retry (backoff shortened for the test) succeeds by itself. A second test,
 * at 1280×800, goes by USB stick: the bundle and its evidence exported to a
 * folder, imported by `jiancha-hq import`, its receipt read back. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "jc-core.h"
#include "jc-enroll-dialog.h"
#include "jc-sync-manager.h"
#include "jc-sync-page.h"
#include "jc-test.h"
#include "jc-ui-test.h"
#include "jc-vault-task.h"
#include "jc-window.h"

static gint64
hq_events (const char *hqdir)
{
  return jc_test_hq_int (hqdir, "SELECT count(*) FROM events");
}

/* A fresh HQ with a one-time code for the test inspector. */
static char *
hq_setup (const char *hqdir)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "init", NULL) == 0, "init: %s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "enroll-code", "--inspector", "测试检查员", NULL) == 0,
                 "enroll-code: %s", err);
  return jc_test_last_line (out);
}

static JcSyncPage *
sync_page (GtkWindow *window)
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");

  return JC_SYNC_PAGE (gtk_stack_get_child_by_name (stack, "sync"));
}

static void
scroll_to_end (JcSyncPage *page)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "scroller"));

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

static const char *
label_of (JcSyncPage *page, const char *name)
{
  return gtk_label_get_label (jc_ui_child (page, JC_TYPE_SYNC_PAGE, name));
}

static JcEnrollDialog *
find_enroll_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (JC_IS_ENROLL_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
enrolled (gpointer data)
{
  return jc_sync_manager_get_enrolled (data);
}

static gboolean
shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
no_dialog (gpointer data)
{
  return find_enroll_dialog () == NULL;
}

/* Enrolls through the Sync page's dialog, the way an inspector does. */
static void
enroll_through_dialog (GtkWindow *window, const char *url, const char *code, const char *shot)
{
  JcSyncPage *page = sync_page (window);
  JcSyncManager *manager = jc_window_get_sync_manager (JC_WINDOW (window));
  JcEnrollDialog *dialog;
  GtkWidget *error_label;

  jc_window_show_place (JC_WINDOW (window), "sync");
  jc_ui_wait_drawn (window);
  ck_assert_str_eq (jc_sync_page_get_shown (page), "enroll");
  jc_ui_click (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "enroll_button"));
  dialog = find_enroll_dialog ();
  ck_assert_ptr_nonnull (dialog);
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "url_row"), url);
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "pin_row"), JC_UI_PIN);

  /* A code HQ never gave: HQ's refusal is said in the dialog, which stays. */
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "code_row"), "AAAA-BBBB-CCCC");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "enroll");
  error_label = jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "error_label");
  jc_ui_wait_until (shown, error_label, "HQ's refusal of a wrong code is shown");
  ck_assert_ptr_eq (find_enroll_dialog (), dialog);
  ck_assert_msg (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "HTTP") != NULL, "%s",
                 gtk_label_get_label (GTK_LABEL (error_label)));
  ck_assert (!jc_vault_get_enrollment (jc_ui_app_vault (window), NULL, NULL, NULL));

  /* A wrong PIN is refused before HQ sees the code, which stays good. */
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "code_row"), code);
  ck_assert (!gtk_widget_get_visible (error_label));
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "pin_row"), "Wrong-pin-1234");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "enroll");
  jc_ui_wait_until (shown, error_label, "a wrong PIN is said in the dialog");
  ck_assert_str_eq (gtk_editable_get_text (jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "pin_row")), "");
  ck_assert (!jc_vault_get_enrollment (jc_ui_app_vault (window), NULL, NULL, NULL));
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_ENROLL_DIALOG, "pin_row"), JC_UI_PIN);
  jc_ui_wait_drawn (GTK_WINDOW (dialog));
  jc_ui_shot (GTK_WINDOW (dialog), shot);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "enroll");
  jc_ui_wait_until (no_dialog, NULL, "the enroll dialog closes once enrolled");
  jc_ui_wait_until (enrolled, manager, "the device is enrolled");
  ck_assert_str_eq (jc_sync_page_get_shown (page), "status");
  ck_assert_str_eq (jc_sync_manager_get_hq_url (manager), url);
}

/* A pharmacy inspection and one violation, recorded through the core as the
 * item editor records it; returns the inspection id. */
static char *
record (JcVault *vault, const char *id, const char *code, const char *note, const char *evidence)
{
  g_autoptr(GError) error = NULL;
  JcInspectionSpec spec = {
    .institution_code = "P3201-0042", .institution_name = "康民大药房（中山路店）",
    .institution_type = JC_INSTITUTION_PHARMACY, .form = JC_INSPECTION_FORM_CROSS,
    .date = "2026-11-24",
  };
  JcItemUpdate u = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION,
                     .set_note = TRUE, .note = note, .set_amount = TRUE, .amount_fen = 86000 };
  char *made = id ? g_strdup (id) : jc_inspection_create (vault, NULL, &spec, &error);

  ck_assert_msg (made != NULL, "%s", error ? error->message : "");
  ck_assert_msg (jc_inspection_set_item (vault, NULL, made, code, &u, &error), "%s", error ? error->message : "");
  if (evidence != NULL)
    {
      g_autoptr(JcBlobInfo) info = jc_vault_add_evidence (vault, evidence, "收费票据", NULL, &error);

      ck_assert_msg (info != NULL, "%s", error ? error->message : "");
      ck_assert_msg (jc_inspection_link_evidence (vault, NULL, made, code, info->sha256_hex, &error),
                     "%s", error ? error->message : "");
    }
  return made;
}

static JcSyncStatus
status_of (GtkWindow *window)
{
  JcSyncManager *manager = jc_window_get_sync_manager (JC_WINDOW (window));
  JcSyncStatus st;

  jc_sync_manager_refresh (manager);
  ck_assert (jc_sync_manager_get_status (manager, &st));
  return st;
}

/* What the page's progress bar said while a sync ran. */
static void
on_changed (JcSyncManager *manager, GPtrArray *seen)
{
  const char *what = NULL;
  guint64 done, total;

  jc_sync_manager_get_progress (manager, &what, &done, &total);
  if (what != NULL && !g_ptr_array_find_with_equal_func (seen, what, g_str_equal, NULL))
    g_ptr_array_add (seen, (gpointer) what);
}

static gboolean
synced (gpointer data)
{
  JcSyncManager *manager = data;
  JcSyncStatus st;

  return !jc_sync_manager_get_running (manager) && jc_sync_manager_get_last_error (manager) == NULL &&
         jc_sync_manager_get_status (manager, &st) && st.last_sync > 0 && st.events_waiting == 0 &&
         st.blobs_waiting == 0;
}

static gboolean
locked (gpointer data)
{
  return !jc_vault_is_unlocked (data);
}

static gboolean
failed (gpointer data)
{
  JcSyncManager *manager = data;

  return !jc_sync_manager_get_running (manager) && jc_sync_manager_get_last_error (manager) != NULL;
}

START_TEST (test_enroll_sync_retry)
{
  g_autofree char *root = jc_test_tmpdir ("ui-sync");
  g_autofree char *hqdir = g_build_filename (root, "hq", NULL);
  g_autofree char *code = hq_setup (hqdir);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *id = NULL, *count = NULL;
  g_autofree char *photo = g_build_filename (root, "photo.jpg", NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  JcTestServer server = { 0 };
  GtkWindow *window;
  JcSyncManager *manager;
  JcSyncPage *page;
  JcSyncStatus st;
  guint port;
  gint64 first_retry;

  /* Automatic sync is off at first, so that Sync now is what syncs. */
  g_settings_set_boolean (settings, "auto-sync", FALSE);
  window = jc_ui_start_unlocked (360, 720);
  manager = jc_window_get_sync_manager (JC_WINDOW (window));
  page = sync_page (window);
  jc_sync_manager_set_backoff (manager, 2000, 4000);
  jc_test_server_start (&server, hqdir);
  port = server.port;

  jc_window_show_place (JC_WINDOW (window), "sync");
  jc_ui_shot (window, "sync-enroll-360");
  enroll_through_dialog (window, server.url, code, "sync-enroll-dialog-360");

  ck_assert (g_file_set_contents (photo, "\xff\xd8\xff\xe0 not really a photo, but evidence all the same", -1, NULL));
  id = record (jc_ui_app_vault (window), NULL, "p21.1.3", "医保卡结算日用品", photo);
  st = status_of (window);
  ck_assert_uint_gt (st.events_waiting, 0);
  ck_assert_uint_eq (st.acked_seq, 0);
  jc_ui_wait_drawn (window);
  ck_assert_str_eq (label_of (page, "state_label"), "等待同步");
  jc_ui_shot (window, "sync-waiting-360");

  g_signal_connect (manager, "changed", G_CALLBACK (on_changed), seen);
  jc_ui_click (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "sync_now_button"));
  ck_assert (jc_sync_manager_get_running (manager));
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "progress_bar")));
  /* A sync in a thread holds the vault: locking waits for it. */
  ck_assert (jc_vault_task_is_busy (jc_ui_app_vault (window)));
  ck_assert (!gtk_widget_get_sensitive (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "sync_now_button")));
  jc_ui_wait_until (synced, manager, "the page says synced");
  jc_ui_wait_drawn (window);
  st = status_of (window);
  ck_assert_str_eq (label_of (page, "state_label"), "已全部送达总部");
  ck_assert_uint_eq (st.acked_seq, st.head_seq);
  ck_assert_int_eq (hq_events (hqdir), (gint64) st.head_seq);
  ck_assert_int_eq (jc_test_hq_int (hqdir, "SELECT count(*) FROM hq_blobs WHERE complete = 1"), 1);
  g_signal_handlers_disconnect_by_func (manager, on_changed, seen);
  /* The thread's progress reached the main thread, both steps of it. */
  ck_assert (g_ptr_array_find_with_equal_func (seen, "events", g_str_equal, NULL));
  ck_assert (g_ptr_array_find_with_equal_func (seen, "evidence", g_str_equal, NULL));
  ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "progress_bar")));
  ck_assert_str_eq (gtk_label_get_label (jc_ui_child (window, JC_TYPE_WINDOW, "sidebar_sync_label")), "已全部同步");
  jc_ui_shot (window, "sync-synced-360");
  /* The foot of the page on a handheld: the switch and the USB rows. */
  scroll_to_end (page);
  jc_ui_shot (window, "sync-usb-360");
  ck_assert (gtk_widget_get_mapped (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "import_row")));

  /* HQ goes away; more is recorded; Sync now fails and says why. */
  g_settings_set_boolean (settings, "auto-sync", TRUE);
  jc_test_server_stop (&server);
  g_free (record (jc_ui_app_vault (window), id, "p21.2.1.2", "串换药品：保健品按药品结算", NULL));
  st = status_of (window);
  ck_assert_uint_gt (st.events_waiting, 0);
  jc_ui_click (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "sync_now_button"));
  jc_ui_wait_until (failed, manager, "the sync with HQ stopped fails");
  jc_ui_wait_drawn (window);
  ck_assert_str_eq (label_of (page, "state_label"), "同步失败");
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "error_row")));
  ck_assert_msg (strstr (adw_action_row_get_subtitle (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "error_row")),
                         "127.0.0.1") != NULL,
                 "the error names HQ: %s",
                 adw_action_row_get_subtitle (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "error_row")));
  first_retry = jc_sync_manager_get_next_retry (manager);
  ck_assert_int_gt (first_retry, 0);
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "retry_row")));
  ck_assert_msg (g_str_has_prefix (label_of (page, "state_detail"), "下次重试："), "%s",
                 label_of (page, "state_detail"));
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, st.events_waiting);
  ck_assert_str_eq (gtk_label_get_label (jc_ui_child (window, JC_TYPE_WINDOW, "sync_badge_label")), count);
  ck_assert (gtk_widget_has_css_class (jc_ui_child (window, JC_TYPE_WINDOW, "sync_badge"), "error"));
  jc_ui_shot (window, "sync-error-360");
  /* Nothing reached HQ meanwhile. */
  ck_assert_int_lt (hq_events (hqdir), (gint64) st.head_seq);

  /* HQ is back on its address: the retry succeeds by itself. */
  jc_test_server_start_on (&server, hqdir, port);
  jc_ui_wait_until (synced, manager, "the automatic retry succeeds");
  jc_ui_wait_drawn (window);
  st = status_of (window);
  ck_assert_int_eq (hq_events (hqdir), (gint64) st.head_seq);
  ck_assert_int_eq (jc_sync_manager_get_next_retry (manager), 0);
  ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "error_row")));
  ck_assert (!gtk_widget_has_css_class (jc_ui_child (window, JC_TYPE_WINDOW, "sync_badge"), "error"));
  jc_ui_shot (window, "sync-retried-360");

  /* Locking while a sync runs stops the sync, and the vault locks. */
  g_free (record (jc_ui_app_vault (window), id, "p21.1.1", "超量开药", NULL));
  jc_ui_click (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "sync_now_button"));
  ck_assert (jc_sync_manager_get_running (manager));
  jc_application_lock (JC_APPLICATION (gtk_window_get_application (window)));
  jc_ui_wait_until (locked, jc_ui_app_vault (window), "the vault locks under a sync");
  ck_assert (!jc_sync_manager_get_running (manager));
  ck_assert_ptr_null (jc_sync_manager_get_last_error (manager));
  ck_assert_int_eq (jc_sync_manager_get_next_retry (manager), 0);
  ck_assert_ptr_null (jc_sync_manager_describe (manager));

  jc_ui_stop (window);
  jc_test_server_stop (&server);
  g_settings_reset (settings, "auto-sync");
}
END_TEST

static GtkWindow *
find_chooser (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (GTK_IS_FILE_CHOOSER (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
chooser_shown (gpointer data)
{
  return find_chooser () != NULL;
}

/* Activates @row of the page, and in the file chooser it opens (GTK's
 * own: no portal in the tests) picks @file. */
static void
choose_through (JcSyncPage *page, const char *row, GFile *file, gboolean folder)
{
  g_autoptr(GError) error = NULL;
  GtkWindow *chooser;

  g_signal_emit_by_name (jc_ui_child (page, JC_TYPE_SYNC_PAGE, row), "activated");
  jc_ui_wait_until (chooser_shown, NULL, "the file chooser opens");
  chooser = find_chooser ();
  if (folder)
    ck_assert_msg (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), file, &error), "%s",
                   error ? error->message : "");
  else
    ck_assert_msg (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, &error), "%s",
                   error ? error->message : "");
  jc_ui_wait_drawn (chooser);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
}

static gboolean
usb_done (gpointer data)
{
  GtkWidget *label = data;

  return gtk_widget_get_visible (label);
}

START_TEST (test_usb_desktop)
{
  g_autofree char *root = jc_test_tmpdir ("ui-sync-usb");
  g_autofree char *hqdir = g_build_filename (root, "hq", NULL);
  g_autofree char *stick = g_build_filename (root, "stick", NULL);
  g_autofree char *photo = g_build_filename (root, "receipt.jpg", NULL);
  g_autofree char *receipt = g_build_filename (stick, "receipt.jcr", NULL);
  g_autofree char *evidence_dir = g_build_filename (stick, "jiancha-evidence", NULL);
  g_autofree char *code = hq_setup (hqdir);
  g_autofree char *bundle = NULL, *out = NULL, *err = NULL, *id = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GFile) stick_file = g_file_new_for_path (stick);
  g_autoptr(GFile) receipt_file = g_file_new_for_path (receipt);
  g_autoptr(GDir) dir = NULL;
  g_autofree guint8 *bytes = g_malloc (300 * 1024);
  JcTestServer server = { 0 };
  const char *name;
  GtkWindow *window;
  JcSyncPage *page;
  GtkWidget *usb_label;
  JcSyncStatus st;
  guint n_bundles = 0;

  g_settings_set_boolean (settings, "auto-sync", FALSE);
  window = jc_ui_start_unlocked (1280, 800);
  page = sync_page (window);
  usb_label = jc_ui_child (page, JC_TYPE_SYNC_PAGE, "usb_label");
  jc_test_server_start (&server, hqdir);
  enroll_through_dialog (window, server.url, code, "sync-enroll-dialog-1280x800");
  /* From here on the site has no network: HQ is gone. */
  jc_test_server_stop (&server);

  for (gsize i = 0; i < 300 * 1024; i++)
    bytes[i] = (guint8) (i * 7 + i / 251);
  ck_assert (g_file_set_contents (photo, (const char *) bytes, 300 * 1024, NULL));
  id = record (jc_ui_app_vault (window), NULL, "p21.1.3", "医保卡结算日用品", photo);
  st = status_of (window);
  ck_assert_uint_eq (st.blobs_waiting, 1);
  ck_assert_uint_eq (st.blob_bytes_waiting, 300 * 1024);
  jc_ui_wait_drawn (window);
  ck_assert_msg (strstr (adw_action_row_get_subtitle (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "waiting_row")),
                         "1 个证据文件") != NULL, "%s",
                 adw_action_row_get_subtitle (jc_ui_child (page, JC_TYPE_SYNC_PAGE, "waiting_row")));
  jc_ui_shot (window, "sync-waiting-1280x800");

  ck_assert_int_eq (g_mkdir_with_parents (stick, 0700), 0);
  choose_through (page, "export_row", stick_file, TRUE);
  jc_ui_wait_until (usb_done, usb_label, "the bundle is written");
  ck_assert_msg (!gtk_widget_has_css_class (usb_label, "error"), "%s", gtk_label_get_label (GTK_LABEL (usb_label)));
  dir = g_dir_open (stick, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".jcb"))
      {
        n_bundles++;
        bundle = g_build_filename (stick, name, NULL);
      }
  ck_assert_uint_eq (n_bundles, 1);
  ck_assert (g_file_test (evidence_dir, G_FILE_TEST_IS_DIR));
  jc_ui_shot (window, "sync-exported-1280x800");

  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "import", bundle, "--evidence", evidence_dir,
                             "--receipt", receipt, NULL) == 0, "import: %s", err);
  ck_assert_int_eq (hq_events (hqdir), (gint64) st.head_seq);

  choose_through (page, "import_row", receipt_file, FALSE);
  jc_ui_wait_until (usb_done, usb_label, "the receipt is recorded");
  ck_assert_msg (!gtk_widget_has_css_class (usb_label, "error"), "%s", gtk_label_get_label (GTK_LABEL (usb_label)));
  st = status_of (window);
  ck_assert_uint_eq (st.acked_seq, st.head_seq);
  ck_assert_uint_eq (st.blobs_waiting, 0);
  jc_ui_wait_drawn (window);
  ck_assert_str_eq (label_of (page, "state_label"), "已全部送达总部");
  jc_ui_shot (window, "sync-receipt-1280x800");

  jc_ui_stop (window);
  g_settings_reset (settings, "auto-sync");
}
END_TEST

static Suite *
ui_sync_suite (void)
{
  Suite *s = suite_create ("ui-sync");
  TCase *tc = tcase_create ("sync");

  tcase_set_timeout (tc, 180);
  tcase_add_test (tc, test_enroll_sync_retry);
  tcase_add_test (tc, test_usb_desktop);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  /* GTK's file chooser records what it picked as recently used, under the
   * program's name, which the app has from its argv[0]. */
  g_autofree char *data_home = g_build_filename (JC_BUILD_DIR, "tmp", "ui-sync-data-home", NULL);

  g_set_prgname ("test-ui-sync");
  /* …in XDG_DATA_HOME's recently-used.xbel: the build's, not the user's. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  return jc_test_run (ui_sync_suite ());
}

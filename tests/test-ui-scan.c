/* test-ui-scan.c — the place 扫描核验 in the real window, in Chinese.
 *
 * Institution mode at 360×720: the app's vault is the institution's
 * device; a finding sealed on an inspector's vault (made through the core)
 * is opened as a QR image, shown in words, disputed with a reason and
 * signed; the acknowledgment on screen scans back (zbar), its saved PNG
 * decodes and verifies, and the inspector's vault records it so the
 * finding's JC1 carries the institution's key and signature. Codes that are
 * not valid, and an image with no code, say why.
 * The inspector's side at 360×720: an unanswered finding's QR page leads to
 * the scan place, an acknowledgment image is recorded from there, and
 * "Save QR Image" on the finding's QR page writes the final code.
 * The desktop at 1280×800: a finding's code in words. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-core.h"
#include "jc-finding-view.h"
#include "jc-findings-page.h"
#include "jc-qr-view.h"
#include "jc-scan-page.h"
#include "jc-test.h"
#include "jc-ui-test.h"
#include "jc-window.h"

#define PIN "583921"

static JcScanPage *
scan_page (GtkWindow *window)
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");

  jc_window_show_place (JC_WINDOW (window), "scan");
  return JC_SCAN_PAGE (gtk_stack_get_child_by_name (stack, "scan"));
}

/* Down to the end of the page, for the screenshot. */
static void
scroll_to_end (GtkWindow *window, JcScanPage *page)
{
  GtkScrolledWindow *scroll = GTK_SCROLLED_WINDOW (gtk_widget_get_first_child (GTK_WIDGET (page)));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroll);

  jc_ui_wait_drawn (window);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
}

static gboolean
scanned (gpointer data)
{
  return !g_str_equal (jc_scan_page_get_state (data), "scanning");
}

/* Opens @path as the file chooser would, waits for the verdict. */
static const char *
open_image (JcScanPage *page, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  jc_scan_page_open_file (page, file);
  ck_assert_str_eq (jc_scan_page_get_state (page), "scanning");
  jc_ui_wait_until (scanned, page, "the image to be read");
  return jc_scan_page_get_state (page);
}

/* Another device's vault in @dir. */
static JcVault *
other_vault (const char *dir, const char *user)
{
  g_autoptr(GError) error = NULL;
  JcVault *vault = jc_vault_new (dir);

  ck_assert_msg (jc_vault_create (vault, PIN, user, NULL, &error), "%s", error ? error->message : "");
  return vault;
}

/* A pharmacy inspection with one violation, sealed unanswered; its id. */
static char *
seal_finding (JcVault *vault, char **out_item_text)
{
  g_autoptr(GError) error = NULL;
  static const char * const team[] = { "张伟", "李娜", NULL };
  JcInspectionSpec spec = {
    .institution_code = "P3201-0042", .institution_name = "康民大药房（中山路店）",
    .institution_type = JC_INSTITUTION_PHARMACY, .form = JC_INSPECTION_FORM_CROSS,
    .team = team, .date = "2026-12-01",
  };
  g_autofree char *id = jc_inspection_create (vault, NULL, &spec, &error);
  JcChecklist *checklist = jc_checklist_registry_lookup (jc_inspection_get_default_registry (NULL),
                                                         "pharmacy-2021", &error);
  const JcChecklistItem *item = jc_checklist_get_item (checklist, 2);
  JcItemUpdate u = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION, .set_note = TRUE,
                     .note = "保健品按药品结算", .set_amount = TRUE, .amount_fen = 86000 };
  JcFindingSpec fs = { 0 };
  char *fid;

  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert (jc_inspection_set_item (vault, NULL, id, item->code, &u, &error));
  fs.inspection_id = id;
  fid = jc_finding_seal (vault, NULL, &fs, NULL, &error);
  ck_assert_msg (fid != NULL, "%s", error ? error->message : "");
  if (out_item_text != NULL)
    *out_item_text = g_strdup (item->text);
  return fid;
}

static void
write_finding_png (JcVault *vault, const char *fid, const char *png)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  ck_assert (jc_finding_to_jc1 (vault, fid, &text, &error));
  ck_assert (jc_qr_write_png (text, png, 4, &error));
}

static gboolean
count_acknowledge (const JcEvent *event, gpointer data, GError **error)
{
  *(guint *) data += g_str_equal (jc_event_get_kind (event), "finding.acknowledge");
  return TRUE;
}

START_TEST (test_institution_answers)
{
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  JcVault *institution = jc_ui_app_vault (window);
  g_autofree char *dir = jc_test_tmpdir ("ui-scan");
  g_autofree char *inspector_dir = g_build_filename (dir, "inspector", NULL);
  g_autofree char *finding_png = g_build_filename (dir, "finding.png", NULL);
  g_autofree char *bad_png = g_build_filename (dir, "bad.png", NULL);
  g_autofree char *blank_png = g_build_filename (dir, "blank.png", NULL);
  g_autofree char *ack_png = g_build_filename (dir, "ack.png", NULL);
  g_autoptr(JcVault) inspector = other_vault (inspector_dir, "张伟");
  g_autofree char *item_text = NULL, *fid = seal_finding (inspector, &item_text);
  g_autofree char *screenshot = NULL, *on_screen = NULL, *saved = NULL, *final = NULL, *recorded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) ack_file = g_file_new_for_path (ack_png);
  g_autoptr(JcAck) ack = NULL;
  g_autoptr(JcFinding) f = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  JcScanPage *page = scan_page (window);
  GtkWidget *sign = jc_ui_child (page, JC_TYPE_SCAN_PAGE, "sign_button");
  JcQrView *ack_view = jc_ui_child (page, JC_TYPE_SCAN_PAGE, "ack_view");
  const char *result;

  jc_ui_shot (window, "scan-01-empty-360");
  write_finding_png (inspector, fid, finding_png);
  ck_assert_str_eq (open_image (page, finding_png), "valid");
  result = jc_scan_page_get_result (page);
  /* In words: the verdict, the institution, the item's own text, yuan. */
  ck_assert_msg (strstr (result, "有效") != NULL, "%s", result);
  ck_assert_msg (strstr (result, "P3201-0042") != NULL, "%s", result);
  ck_assert_msg (strstr (result, item_text) != NULL, "%s", result);
  ck_assert_msg (strstr (result, "860.00") != NULL, "%s", result);
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "answer_box")));
  ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "record_box")));
  jc_ui_shot (window, "scan-02-finding-360");

  /* No name, no signing; a dispute needs its reason. */
  ck_assert (!gtk_widget_get_sensitive (sign));
  jc_ui_set_text (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "name_row"), "王海");
  jc_ui_set_text (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "title_row"), "店长");
  ck_assert (gtk_widget_get_sensitive (sign));
  gtk_check_button_set_active (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "dispute_toggle"), TRUE);
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "reason_list")));
  ck_assert (!gtk_widget_get_sensitive (sign));
  jc_ui_set_text (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "reason_row"), "所售为药品，非保健品");
  scroll_to_end (window, page);
  jc_ui_shot (window, "scan-03-dispute-360");
  jc_ui_click (sign);

  /* The acknowledgment, on screen: it scans to the code the page holds. */
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "ack_box")));
  ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "answer_box")));
  ck_assert (g_str_has_prefix (jc_qr_view_get_code (ack_view), JC_ACK_PREFIX));
  scroll_to_end (window, page);
  jc_ui_wait_drawn (window);
  screenshot = jc_ui_screenshot (window, "scan-04-ack-360");
  on_screen = jc_qr_decode_png (screenshot, &error);
  ck_assert_msg (on_screen != NULL, "the acknowledgment on screen: %s", error ? error->message : "");
  ck_assert_str_eq (on_screen, jc_qr_view_get_code (ack_view));

  /* Save QR Image: the PNG decodes and verifies, signed by this device. */
  ck_assert_msg (jc_qr_view_save (ack_view, ack_file, &error), "%s", error ? error->message : "");
  ck_assert (gtk_widget_get_visible (jc_ui_child (ack_view, JC_TYPE_QR_VIEW, "saved_label")));
  saved = jc_qr_decode_png (ack_png, &error);
  ck_assert_msg (saved != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (saved, on_screen);
  ack = jc_ack_decode_verify (saved, &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (ack->status, JC_JC1_STATUS_DISPUTED);
  ck_assert_str_eq (ack->name, "王海");
  ck_assert_str_eq (ack->title, "店长");
  ck_assert_str_eq (ack->reason, "所售为药品，非保健品");
  ck_assert (memcmp (ack->institution_key, jc_device_get_public_key (jc_vault_get_device (institution)), 32) == 0);

  /* The institution's device kept its copy: an event in its own log. */
  {
    guint n = 0;

    ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (institution), NULL, 0, count_acknowledge, &n, &error));
    ck_assert_uint_eq (n, 1);
  }

  /* The inspector's device records it: both parties in the finding's code. */
  ck_assert_msg (jc_finding_record_ack (inspector, fid, saved, &recorded, &error), "%s", error ? error->message : "");
  f = jc_finding_get (inspector, fid, &error);
  ck_assert (f->confirm_countersigned);
  ck_assert (jc_finding_to_jc1 (inspector, fid, &final, &error));
  ck_assert_msg (jc_jc1_decode_verify (final, NULL, &claims, &error), "%s", error ? error->message : "");
  ck_assert (claims->confirmation.has_institution_signature);
  ck_assert_int_eq (claims->confirmation.status, JC_JC1_STATUS_DISPUTED);

  /* The answered finding's code: valid, and no second answer offered. */
  {
    g_autofree char *answered_png = g_build_filename (dir, "answered.png", NULL);

    ck_assert (jc_qr_write_png (final, answered_png, 4, &error));
    ck_assert_str_eq (open_image (page, answered_png), "valid");
    ck_assert_msg (strstr (jc_scan_page_get_result (page), "王海") != NULL, "%s", jc_scan_page_get_result (page));
    ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "answer_box")));
  }

  /* Not valid: a code with the wrong prefix says so; no code says so. */
  ck_assert (jc_qr_write_png ("JC2:0000", bad_png, 4, &error));
  ck_assert_str_eq (open_image (page, bad_png), "invalid");
  ck_assert_msg (strstr (jc_scan_page_get_result (page), "JC1:") != NULL, "%s", jc_scan_page_get_result (page));
  ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "answer_box")));
  jc_ui_shot (window, "scan-05-invalid-360");
  {
    cairo_surface_t *blank = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 200, 200);
    cairo_t *cr = cairo_create (blank);

    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_paint (cr);
    cairo_destroy (cr);
    ck_assert_int_eq (cairo_surface_write_to_png (blank, blank_png), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy (blank);
  }
  ck_assert_str_eq (open_image (page, blank_png), "invalid");
  ck_assert_str_eq (gtk_label_get_label (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "result_title")), "未读到二维码");
  jc_ui_stop (window);
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_inspector_records)
{
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  JcVault *inspector = jc_ui_app_vault (window);
  g_autofree char *dir = jc_test_tmpdir ("ui-scan-records");
  g_autofree char *institution_dir = g_build_filename (dir, "institution", NULL);
  g_autofree char *finding_png = g_build_filename (dir, "finding.png", NULL);
  g_autofree char *ack_png = g_build_filename (dir, "ack.png", NULL);
  g_autoptr(JcVault) institution = other_vault (institution_dir, "王海");
  g_autofree char *fid = seal_finding (inspector, NULL);
  g_autofree char *text = NULL, *ack = NULL, *saved = NULL, *final = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (finding_png);
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autoptr(JcFinding) f = NULL;
  JcScanPage *page;
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");
  JcFindingsPage *fp = JC_FINDINGS_PAGE (gtk_stack_get_child_by_name (stack, "findings"));
  JcQrView *qr_view;

  /* Unanswered, its QR page leads to the scan place. */
  jc_window_show_place (JC_WINDOW (window), "findings");
  ck_assert (jc_findings_page_open_finding (fp, fid));
  jc_ui_shot (window, "scan-06a-unanswered-qr-360");
  jc_ui_click (jc_ui_child (jc_findings_page_get_view (fp), JC_TYPE_FINDING_VIEW, "scan_ack_button"));
  ck_assert_str_eq (jc_window_get_place (JC_WINDOW (window)), "scan");

  /* Its own finding: no answering it as the institution from here. */
  write_finding_png (inspector, fid, finding_png);
  page = scan_page (window);
  ck_assert_str_eq (open_image (page, finding_png), "valid");
  ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "answer_box")));

  /* The institution's device answers (through the core here). */
  ck_assert (jc_finding_to_jc1 (inspector, fid, &text, &error));
  ck_assert (jc_jc1_decode_verify (text, NULL, &claims, &error));
  ack = jc_ack_make (claims, JC_JC1_STATUS_CONFIRMED, "王海", "店长", NULL,
                     jc_device_get_secret_key (jc_vault_get_device (institution)), &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert (jc_qr_write_png (ack, ack_png, 4, &error));

  ck_assert_str_eq (open_image (page, ack_png), "valid");
  ck_assert_msg (strstr (jc_scan_page_get_result (page), "王海") != NULL, "%s", jc_scan_page_get_result (page));
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "record_box")));
  jc_ui_shot (window, "scan-06-ack-to-record-360");
  jc_ui_click (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "record_button"));
  ck_assert (!gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "record_button")));
  ck_assert_msg (strstr (gtk_label_get_label (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "record_label")), fid) != NULL,
                 "%s", gtk_label_get_label (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "record_label")));
  jc_ui_shot (window, "scan-07-recorded-360");
  f = jc_finding_get (inspector, fid, &error);
  ck_assert (f->confirmed && f->confirm_countersigned);
  ck_assert_str_eq (f->confirm_name, "王海");

  /* The finding's QR page: Save QR Image writes the code that verifies
   * with the institution's signature. */
  jc_window_show_place (JC_WINDOW (window), "findings");
  ck_assert (jc_findings_page_open_finding (fp, fid));
  qr_view = jc_finding_view_get_qr_view (jc_findings_page_get_view (fp));
  jc_ui_shot (window, "scan-08-finding-qr-save-360");
  /* The longer code, with 12.4/12.5, still scans from a handheld's screen. */
  {
    g_autofree char *screen = jc_ui_screenshot (window, "scan-08-finding-qr-save-360");
    g_autofree char *read = jc_qr_decode_png (screen, &error);

    ck_assert_msg (read != NULL, "%s", error ? error->message : "");
    ck_assert_str_eq (read, jc_qr_view_get_code (qr_view));
  }
  {
    g_autofree char *png = g_build_filename (dir, "saved-finding.png", NULL);
    g_autoptr(GFile) out = g_file_new_for_path (png);
    g_autoptr(JcJc1Claims) saved_claims = NULL;

    ck_assert_msg (jc_qr_view_save (qr_view, out, &error), "%s", error ? error->message : "");
    saved = jc_qr_decode_png (png, &error);
    ck_assert_msg (saved != NULL, "%s", error ? error->message : "");
    ck_assert (jc_finding_to_jc1 (inspector, fid, &final, &error));
    ck_assert_str_eq (saved, final);
    ck_assert (jc_jc1_decode_verify (saved, NULL, &saved_claims, &error));
    ck_assert (saved_claims->confirmation.has_institution_signature);
  }
  /* An unwritable place: the reason under the button. */
  {
    g_autoptr(GFile) nowhere = g_file_new_for_path ("/nonexistent/dir/qr.png");

    ck_assert (!jc_qr_view_save (qr_view, nowhere, &error));
    ck_assert_ptr_nonnull (error);
    ck_assert (gtk_widget_has_css_class (jc_ui_child (qr_view, JC_TYPE_QR_VIEW, "saved_label"), "error"));
  }
  jc_ui_stop (window);
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_desktop)
{
  GtkWindow *window = jc_ui_start_unlocked (1280, 800);
  g_autofree char *dir = jc_test_tmpdir ("ui-scan-desktop");
  g_autofree char *inspector_dir = g_build_filename (dir, "inspector", NULL);
  g_autofree char *finding_png = g_build_filename (dir, "finding.png", NULL);
  g_autoptr(JcVault) inspector = other_vault (inspector_dir, "张伟");
  g_autofree char *fid = seal_finding (inspector, NULL);
  JcScanPage *page = scan_page (window);

  jc_ui_shot (window, "scan-09-empty-1280");
  write_finding_png (inspector, fid, finding_png);
  ck_assert_str_eq (open_image (page, finding_png), "valid");
  jc_ui_shot (window, "scan-10-finding-1280");
  /* Confirmed as the institution, the acknowledgment beside the sidebar. */
  jc_ui_set_text (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "name_row"), "王海");
  jc_ui_click (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "sign_button"));
  ck_assert (gtk_widget_get_visible (jc_ui_child (page, JC_TYPE_SCAN_PAGE, "ack_box")));
  scroll_to_end (window, page);
  jc_ui_shot (window, "scan-11-ack-1280");
  jc_ui_stop (window);
  jc_test_rmtree (dir);
}
END_TEST

static Suite *
ui_scan_suite (void)
{
  Suite *s = suite_create ("ui-scan");
  TCase *tc = tcase_create ("ui-scan");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_institution_answers);
  tcase_add_test (tc, test_inspector_records);
  tcase_add_test (tc, test_desktop);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (ui_scan_suite ());
}

/* test-ui-finding.c — a finding sealed and confirmed on the inspector's
 * device at 360×720 in Chinese: a pharmacy inspection with two violations
 * (made through the core), the Seal Finding page, the representative's
 * name, title and signature, Confirm, and the QR page; then the vault is
 * asked what was recorded, the signature evidence decrypted and the QR text
 * verified, and the QR as drawn on screen scanned with zbar. The signature is drawn through the pad's public
 * jc_signature_pad_begin_stroke()/add_point(), which its GtkGestureDrag
 * handlers call: pointer events are not synthesized. A second test: a
 * dispute without a reason cannot be submitted; a third takes the desktop
 * screenshots. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "jc-core.h"
#include "jc-finding-view.h"
#include "jc-findings-page.h"
#include "jc-inspection-view.h"
#include "jc-inspections-page.h"
#include "jc-signature-pad.h"
#include "jc-test.h"
#include "jc-ui-test.h"
#include "jc-window.h"

/* A pharmacy inspection with violations at items 0 and 4, opened. */
static JcInspectionView *
open_inspection (GtkWindow *window, char **out_id, char *codes[2])
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");
  JcInspectionsPage *page = JC_INSPECTIONS_PAGE (gtk_stack_get_child_by_name (stack, "inspections"));
  JcVault *vault = jc_ui_app_vault (window);
  g_autoptr(GError) error = NULL;
  static const char * const notes[] = { "医保卡由店员代刷，药品与结算清单不符", "串换药品：保健品按药品结算" };
  static const guint64 fen[] = { 123456, 86000 };
  JcInspectionSpec spec = {
    .institution_code = "P3201-0042", .institution_name = "康民大药房（中山路店）",
    .institution_type = JC_INSTITUTION_PHARMACY, .form = JC_INSPECTION_FORM_CROSS,
    .date = "2026-11-24",
  };
  JcInspectionView *view;
  char *id = jc_inspection_create (vault, NULL, &spec, &error);
  JcChecklist *checklist;
  const guint index[2] = { 0, 4 };

  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  checklist = jc_checklist_registry_lookup (jc_inspection_get_default_registry (NULL), "pharmacy-2021", &error);
  ck_assert_ptr_nonnull (checklist);
  for (guint i = 0; i < 2; i++)
    {
      JcItemUpdate u = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION,
                         .set_note = TRUE, .note = notes[i], .set_amount = TRUE, .amount_fen = fen[i] };

      codes[i] = g_strdup (jc_checklist_get_item (checklist, index[i])->code);
      ck_assert_msg (jc_inspection_set_item (vault, NULL, id, codes[i], &u, &error), "%s", error ? error->message : "");
    }
  jc_inspections_page_reload (page);
  jc_window_show_place (JC_WINDOW (window), "inspections");
  ck_assert (jc_inspections_page_open_inspection (page, id));
  view = jc_inspections_page_get_view (page);
  *out_id = id;
  return view;
}

/* Down to the signature pad, for the screenshot. */
static void
scroll_to_end (GtkWindow *window, JcFindingView *fv)
{
  GtkScrolledWindow *scroll = jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "confirm_scroll");
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroll);

  jc_ui_wait_drawn (window);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

static void
draw_signature (JcSignaturePad *pad)
{
  /* Two strokes, the second with a pen's pressure. */
  jc_signature_pad_begin_stroke (pad, 20, 100, 1);
  for (int i = 1; i <= 20; i++)
    jc_signature_pad_add_point (pad, 20 + i * 6, 100 - 40 * sin (i / 3.0), 1);
  jc_signature_pad_begin_stroke (pad, 160, 60, 0.3);
  for (int i = 1; i <= 10; i++)
    jc_signature_pad_add_point (pad, 160 + i * 8, 60 + i * 5, 0.3 + i * 0.05);
}

START_TEST (test_confirm_walk)
{
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  JcVault *vault = jc_ui_app_vault (window);
  g_autofree char *id = NULL;
  g_autofree char *code0 = NULL, *code1 = NULL;
  char *codes[2];
  JcInspectionView *view = open_inspection (window, &id, codes);
  JcFindingView *fv = jc_inspection_view_get_finding_view (view);
  JcSignaturePad *pad = jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "pad");
  GtkWidget *submit = jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "submit_button");
  GtkListBox *items_list = jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "items_list");
  g_autoptr(GError) error = NULL;
  g_autoptr(JcFinding) f = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autofree char *qr = NULL;
  g_autofree char *dir = jc_test_tmpdir ("ui-finding-files");
  g_autofree char *out = g_build_filename (dir, "strokes", NULL);
  g_autofree char *strokes = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *screenshot = NULL;
  g_autofree char *scanned = NULL;
  g_autoptr(GDir) vault_dir = NULL;
  const char *name;
  guint n_open = 0;

  code0 = codes[0];
  code1 = codes[1];
  jc_ui_shot (window, "finding-01-inspection-360");

  /* Seal Finding…: both violations listed and checked, the sum shown. */
  jc_ui_click (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "seal_finding_button"));
  ck_assert_str_eq (jc_finding_view_get_shown (fv), "seal");
  ck_assert_ptr_nonnull (gtk_list_box_get_row_at_index (items_list, 1));
  ck_assert_ptr_null (gtk_list_box_get_row_at_index (items_list, 2));
  ck_assert_ptr_nonnull (strstr (gtk_label_get_label (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "amount_label")), "2094.56"));
  jc_ui_shot (window, "finding-02-seal-360");
  jc_ui_click (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "seal_button"));

  /* Sealed, not yet answered: the confirmation page, the button off. */
  ck_assert_str_eq (jc_finding_view_get_shown (fv), "confirm");
  ck_assert (jc_finding_view_count_open (vault, id, &n_open, &error));
  ck_assert_uint_eq (n_open, 0);
  ck_assert (!gtk_widget_get_sensitive (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "seal_finding_button")));
  ck_assert_ptr_nonnull (strstr (gtk_label_get_label (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "finding_label")), code1));
  ck_assert (!gtk_widget_get_sensitive (submit));
  jc_ui_shot (window, "finding-03-confirm-360");

  jc_ui_set_text (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "name_row"), "王海");
  jc_ui_set_text (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "title_row"), "店长");
  /* A name but no signature yet. */
  ck_assert (!gtk_widget_get_sensitive (submit));
  draw_signature (pad);
  ck_assert_uint_eq (jc_signature_pad_get_n_strokes (pad), 2);
  ck_assert (gtk_widget_get_sensitive (submit));
  gtk_widget_grab_focus (submit);
  jc_ui_shot (window, "finding-04-signed-360");
  expected = jc_signature_pad_serialize (pad);
  ck_assert (g_str_has_prefix (expected, "JCS1\nsize "));
  jc_ui_click (submit);

  /* The QR page, and the confirmation in the vault. */
  ck_assert_str_eq (jc_finding_view_get_shown (fv), "qr");
  ck_assert_ptr_nonnull (jc_finding_view_get_qr_text (fv));
  jc_ui_wait_drawn (window);
  screenshot = jc_ui_screenshot (window, "finding-05-qr-360");
  /* What is on screen scans (zbar) to the very code. */
  scanned = jc_qr_decode_png (screenshot, &error);
  ck_assert_msg (scanned != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (scanned, jc_finding_view_get_qr_text (fv));
  f = jc_finding_get (vault, jc_finding_view_get_finding_id (fv), &error);
  ck_assert_msg (f != NULL, "%s", error ? error->message : "");
  ck_assert (f->confirmed);
  ck_assert_int_eq (f->confirm_status, JC_JC1_STATUS_CONFIRMED);
  ck_assert_str_eq (f->confirm_name, "王海");
  ck_assert_str_eq (f->confirm_title, "店长");
  ck_assert_uint_eq (f->amount_fen, 123456 + 86000);
  ck_assert_int_eq (g_strv_length (f->items), 2);
  ck_assert_ptr_nonnull (f->confirm_strokes);

  /* The strokes evidence decrypts to the pad's JCS1 text. */
  ck_assert_msg (jc_vault_get_evidence (vault, f->confirm_strokes, out, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert (g_file_get_contents (out, &strokes, NULL, NULL));
  ck_assert_str_eq (strokes, expected);
  /* Its plaintext file in the vault directory is gone. */
  vault_dir = g_dir_open (jc_vault_get_dir (vault), 0, NULL);
  while ((name = g_dir_read_name (vault_dir)) != NULL)
    ck_assert_msg (!g_str_has_prefix (name, "signature-"), "left behind: %s", name);

  /* The code the page draws verifies, with both parties. */
  ck_assert (jc_finding_to_jc1 (vault, f->id, &qr, &error));
  ck_assert_str_eq (qr, jc_finding_view_get_qr_text (fv));
  ck_assert_msg (jc_jc1_decode_verify (qr, NULL, &claims, &error), "%s", error ? error->message : "");
  ck_assert (claims->has_confirmation);
  ck_assert_int_eq (claims->confirmation.status, JC_JC1_STATUS_CONFIRMED);
  ck_assert_str_eq (claims->confirmation.name, "王海");
  ck_assert_uint_eq (claims->amount_fen, 123456 + 86000);

  /* Done: back to the items. */
  jc_ui_click (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "done_button"));
  jc_ui_wait_drawn (window);

  /* The Findings place lists it; activating the row shows its QR, with
   * the finding's own Back only. */
  {
    GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");
    JcFindingsPage *fp = JC_FINDINGS_PAGE (gtk_stack_get_child_by_name (stack, "findings"));
    GtkListBox *list = jc_ui_child (fp, JC_TYPE_FINDINGS_PAGE, "findings_list");
    GtkListBoxRow *row;

    jc_window_show_place (JC_WINDOW (window), "findings");
    ck_assert_str_eq (jc_findings_page_get_shown (fp), "list");
    row = gtk_list_box_get_row_at_index (list, 0);
    ck_assert_ptr_nonnull (row);
    ck_assert_ptr_null (gtk_list_box_get_row_at_index (list, 1));
    ck_assert_str_eq (gtk_widget_get_name (GTK_WIDGET (row)), f->id);
    ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "康民大药房（中山路店）");
    ck_assert_ptr_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "已确认"));
    ck_assert_ptr_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "2094.56"));
    jc_ui_shot (window, "finding-06-findings-place-360");
    g_signal_emit_by_name (list, "row-activated", row);
    ck_assert_str_eq (jc_findings_page_get_shown (fp), "finding");
    ck_assert_str_eq (jc_finding_view_get_qr_text (jc_findings_page_get_view (fp)), qr);
    ck_assert (!gtk_widget_get_visible (jc_ui_child (window, JC_TYPE_WINDOW, "back_button")));
    jc_ui_shot (window, "finding-07-findings-qr-360");
    jc_ui_click (jc_ui_child (jc_findings_page_get_view (fp), JC_TYPE_FINDING_VIEW, "done_button"));
    ck_assert_str_eq (jc_findings_page_get_shown (fp), "list");
  }
  g_unlink (out);
  jc_ui_stop (window);
}
END_TEST

START_TEST (test_dispute_needs_reason)
{
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  g_autofree char *id = NULL;
  char *codes[2];
  JcInspectionView *view = open_inspection (window, &id, codes);
  JcFindingView *fv = jc_inspection_view_get_finding_view (view);
  JcSignaturePad *pad = jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "pad");
  GtkWidget *submit = jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "submit_button");
  g_autoptr(JcFinding) f = NULL;
  g_autoptr(GError) error = NULL;

  g_free (codes[0]);
  g_free (codes[1]);
  jc_ui_click (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "seal_finding_button"));
  jc_ui_click (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "seal_button"));
  jc_ui_set_text (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "name_row"), "王海");
  gtk_check_button_set_active (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "dispute_toggle"), TRUE);
  ck_assert (gtk_widget_get_visible (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "reason_row")));
  ck_assert (!gtk_widget_get_visible (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "witness_row")));
  draw_signature (pad);
  /* Name and signature, but no reason: not yet. */
  ck_assert (!gtk_widget_get_sensitive (submit));
  scroll_to_end (window, fv);
  jc_ui_shot (window, "finding-08-dispute-no-reason-360");
  jc_ui_set_text (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "reason_row"), "代刷为顾客本人授权");
  ck_assert (gtk_widget_get_sensitive (submit));

  /* Refusal: the pad starts over for the witness, who must be named. */
  gtk_check_button_set_active (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "refuse_toggle"), TRUE);
  ck_assert (jc_signature_pad_is_empty (pad));
  draw_signature (pad);
  ck_assert (!gtk_widget_get_sensitive (submit));
  jc_ui_set_text (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "witness_row"), "李娜");
  ck_assert (gtk_widget_get_sensitive (submit));
  scroll_to_end (window, fv);
  jc_ui_shot (window, "finding-09-refuse-360");
  jc_ui_click (submit);
  ck_assert_str_eq (jc_finding_view_get_shown (fv), "qr");
  f = jc_finding_get (jc_ui_app_vault (window), jc_finding_view_get_finding_id (fv), &error);
  ck_assert_msg (f != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (f->confirm_status, JC_JC1_STATUS_REFUSED);
  ck_assert_str_eq (f->confirm_witness, "李娜");
  jc_ui_shot (window, "finding-10-refused-qr-360");
  jc_ui_stop (window);
}
END_TEST

START_TEST (test_desktop)
{
  GtkWindow *window = jc_ui_start_unlocked (1280, 800);
  g_autofree char *id = NULL;
  char *codes[2];
  JcInspectionView *view = open_inspection (window, &id, codes);
  JcFindingView *fv = jc_inspection_view_get_finding_view (view);

  g_free (codes[0]);
  g_free (codes[1]);
  jc_ui_click (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "seal_finding_button"));
  jc_ui_shot (window, "finding-11-seal-1280");
  jc_ui_click (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "seal_button"));
  /* Left unanswered: the Findings place shows its QR (for institution
   * mode to scan) and can still bring the confirmation back. */
  jc_ui_click (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "back_button"));
  {
    GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");
    JcFindingsPage *fp = JC_FINDINGS_PAGE (gtk_stack_get_child_by_name (stack, "findings"));
    GtkListBox *list = jc_ui_child (fp, JC_TYPE_FINDINGS_PAGE, "findings_list");
    JcFindingView *pv = jc_findings_page_get_view (fp);

    jc_window_show_place (JC_WINDOW (window), "findings");
    ck_assert_ptr_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_list_box_get_row_at_index (list, 0))), "待确认"));
    g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (list, 0));
    ck_assert_str_eq (jc_finding_view_get_shown (pv), "qr");
    ck_assert (gtk_widget_get_visible (jc_ui_child (pv, JC_TYPE_FINDING_VIEW, "confirm_here_button")));
    jc_ui_shot (window, "finding-11b-unanswered-qr-1280");
    jc_ui_click (jc_ui_child (pv, JC_TYPE_FINDING_VIEW, "confirm_here_button"));
    ck_assert_str_eq (jc_finding_view_get_shown (pv), "confirm");
    /* The rest happens here, in the Findings place. */
    fv = pv;
  }
  jc_ui_set_text (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "name_row"), "王海");
  draw_signature (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "pad"));
  jc_ui_shot (window, "finding-12-confirm-1280");
  jc_ui_click (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "submit_button"));
  ck_assert_str_eq (jc_finding_view_get_shown (fv), "qr");
  jc_ui_shot (window, "finding-13-qr-1280");
  jc_ui_click (jc_ui_child (fv, JC_TYPE_FINDING_VIEW, "done_button"));
  jc_ui_shot (window, "finding-14-findings-place-1280");
  jc_ui_stop (window);
}
END_TEST

static Suite *
ui_finding_suite (void)
{
  Suite *s = suite_create ("ui-finding");
  TCase *tc = tcase_create ("finding");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_confirm_walk);
  tcase_add_test (tc, test_dispute_needs_reason);
  tcase_add_test (tc, test_desktop);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (ui_finding_suite ());
}

/* test-ui-inspection.c — a pharmacy inspection walked through the real
 * window at 360×720 in Chinese: the New Inspection dialog (with a bad code
 * first), three items marked as violations with a note, an amount, cases
 * and a file each, search and the status filter; then the window is
 * destroyed (the last note still inside its typing pause), the app started
 * again on the same vault, and the three results read back through the UI
 * and through the core. A second test takes the desktop screenshots. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "jc-core.h"
#include "jc-inspection-view.h"
#include "jc-inspections-page.h"
#include "jc-item-editor.h"
#include "jc-item-object.h"
#include "jc-new-inspection-dialog.h"
#include "jc-test.h"
#include "jc-ui-test.h"
#include "jc-window.h"

static JcInspectionsPage *
get_page (GtkWindow *window)
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");

  return JC_INSPECTIONS_PAGE (gtk_stack_get_child_by_name (stack, "inspections"));
}

static JcNewInspectionDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* borrowed */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (JC_IS_NEW_INSPECTION_DIALOG (w))
        return JC_NEW_INSPECTION_DIALOG (w);
    }
  return NULL;
}

static gboolean
no_dialog (gpointer data)
{
  return find_dialog () == NULL;
}

static gboolean
files_stored (gpointer editor)
{
  return jc_item_editor_get_n_pending_files (JC_ITEM_EDITOR (editor)) == 0;
}

static gboolean
one_item (gpointer view)
{
  return g_list_model_get_n_items (jc_inspection_view_get_items (JC_INSPECTION_VIEW (view))) == 1;
}

static JcItemObject *
item_at (JcInspectionView *view, guint i)
{
  JcItemObject *obj = g_list_model_get_item (jc_inspection_view_get_items (view), i);

  ck_assert_ptr_nonnull (obj);
  g_object_unref (obj);  /* the store keeps it */
  return obj;
}

static char *
write_file (const char *dir, const char *name, const char *content)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  ck_assert (g_file_set_contents (path, content, -1, &error));
  return path;
}

typedef struct {
  const char *note;
  const char *amount;
  guint64     fen;
  int         cases;
  const char *file;
} Violation;

static const Violation violations[] = {
  { "医保卡由店员代刷，药品与结算清单不符", "1234.56", 123456, 12, "收银小票.txt" },
  { "串换药品：保健品按药品结算", "860", 86000, 5, "进销存台账.csv" },
  { "未按规定留存处方，抽查 8 张缺 3 张", "0.5", 50, 8, "处方照片.txt" },
};

/* Marks @obj as a violation through the editor's widgets. */
static void
mark_violation (GtkWindow *window, JcInspectionView *view, JcItemObject *obj,
                const Violation *v, const char *dir, gboolean wait_note)
{
  JcItemEditor *editor = jc_inspection_view_get_editor (view);
  g_autofree char *path = write_file (dir, v->file, v->note);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkLabel *amount_error = jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "amount_error");
  GtkTextView *note_view = jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "note_view");

  ck_assert (jc_inspection_view_open_item (view, jc_item_object_get_code (obj)));
  ck_assert_ptr_eq (jc_item_editor_get_item (editor), obj);

  gtk_toggle_button_set_active (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "violation_button"), TRUE);
  ck_assert_int_eq (jc_item_object_get_result (obj)->status, JC_ITEM_STATUS_VIOLATION);

  /* A third decimal is refused inline and not saved. */
  jc_ui_set_text (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "amount_row"), "12.345");
  ck_assert (gtk_widget_get_visible (GTK_WIDGET (amount_error)));
  ck_assert_ptr_nonnull (strstr (gtk_label_get_label (amount_error), "12.345"));
  jc_ui_set_text (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "amount_row"), v->amount);
  ck_assert (!gtk_widget_get_visible (GTK_WIDGET (amount_error)));

  /* What the file chooser's response does with the file picked. */
  jc_item_editor_add_file (editor, file);
  /* Typed while the file is stored: recorded once it is in. */
  gtk_spin_button_set_value (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "cases_spin"), v->cases);
  ck_assert_int_eq (jc_item_object_get_result (obj)->cases, v->cases);
  jc_ui_wait_until (files_stored, editor, "the evidence file to be stored");
  ck_assert_ptr_nonnull (jc_item_object_get_result (obj)->evidence);
  ck_assert_int_eq (g_strv_length (jc_item_object_get_result (obj)->evidence), 1);

  gtk_widget_grab_focus (GTK_WIDGET (note_view));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (note_view), v->note, -1);
  if (wait_note)
    {
      /* Saved after the typing pause, with no button pressed. */
      jc_ui_wait_drawn (window);
      while (g_strcmp0 (jc_item_object_get_result (obj)->note, v->note) != 0)
        g_main_context_iteration (NULL, TRUE);
      ck_assert_uint_eq (jc_item_object_get_result (obj)->amount_fen, v->fen);
    }
}

static void
check_results (JcVault *vault, const char *id, const char * const *codes, const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = jc_inspection_get_results (vault, NULL, id, NULL,
                                                            JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_VIOLATION), &error);

  ck_assert_msg (results != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (results->len, 3);
  for (guint i = 0; i < 3; i++)
    {
      JcItemResult *r = results->pdata[i];
      g_autofree char *out = g_build_filename (dir, "restored", NULL);
      g_autofree char *content = NULL;

      ck_assert_str_eq (r->item->code, codes[i]);
      ck_assert_str_eq (r->note, violations[i].note);
      ck_assert (r->has_amount);
      ck_assert_uint_eq (r->amount_fen, violations[i].fen);
      ck_assert_int_eq (r->cases, violations[i].cases);
      ck_assert_int_eq (g_strv_length (r->evidence), 1);
      /* The evidence decrypts to the very file added. */
      ck_assert_msg (jc_vault_get_evidence (vault, r->evidence[0], out, NULL, &error), "%s",
                     error ? error->message : "");
      ck_assert (g_file_get_contents (out, &content, NULL, NULL));
      ck_assert_str_eq (content, violations[i].note);
      g_unlink (out);
    }
}

START_TEST (test_pharmacy_walk)
{
  g_autofree char *dir = jc_test_tmpdir ("ui-inspection-files");
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  JcInspectionsPage *page = get_page (window);
  JcNewInspectionDialog *dialog;
  JcInspectionView *view;
  JcItemEditor *editor;
  GtkLabel *error_label;
  g_autofree char *id = NULL;
  g_autofree char *progress = NULL;
  const char *codes[3];
  JcItemObject *objs[3];
  g_autoptr(GError) error = NULL;
  JcChecklist *pharmacy;

  jc_window_show_place (JC_WINDOW (window), "inspections");
  ck_assert_str_eq (jc_inspections_page_get_shown (page), "empty");
  jc_ui_shot (window, "inspection-01-empty-360");

  /* The empty state's button opens the dialog. */
  jc_ui_click (jc_ui_child (page, JC_TYPE_INSPECTIONS_PAGE, "empty_new_button"));
  dialog = find_dialog ();
  ck_assert_ptr_nonnull (dialog);
  ck_assert (!gtk_widget_get_sensitive (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "create_button")));
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "code_row"), "P3201 0042");
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "name_row"), "康民大药房（中山路店）");
  adw_combo_row_set_selected (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "type_row"), 1);
  adw_combo_row_set_selected (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "form_row"), 2);
  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "team_row"), "张伟、李娜, 王强");
  /* A pharmacy has no level, and the pharmacy list is the one chosen. */
  ck_assert (!gtk_widget_get_visible (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "level_row")));
  pharmacy = jc_checklist_registry_lookup (jc_inspection_get_default_registry (NULL), "pharmacy-2021", &error);
  ck_assert_ptr_nonnull (pharmacy);
  ck_assert_str_eq (adw_action_row_get_subtitle (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "checklist_row")),
                    jc_checklist_get_title (pharmacy));

  /* A space in the code: refused in plain words, the dialog stays. */
  jc_ui_click (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "create_button"));
  error_label = jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "error_label");
  ck_assert (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  ck_assert_ptr_nonnull (strstr (gtk_label_get_label (error_label), "P3201 0042"));
  ck_assert_ptr_eq (find_dialog (), dialog);
  jc_ui_shot (GTK_WINDOW (dialog), "inspection-02-new-error-360");

  jc_ui_set_text (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "code_row"), "P3201-0042");
  jc_ui_shot (GTK_WINDOW (dialog), "inspection-03-new-360");
  jc_ui_click (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "create_button"));
  jc_ui_wait_until (no_dialog, NULL, "the dialog to close");

  /* It opens on the new inspection's checklist. */
  ck_assert_str_eq (jc_inspections_page_get_shown (page), "inspection");
  view = jc_inspections_page_get_view (page);
  editor = jc_inspection_view_get_editor (view);
  id = g_strdup (jc_inspection_view_get_id (view));
  ck_assert_int_eq (g_list_model_get_n_items (jc_inspection_view_get_items (view)),
                    jc_checklist_get_n_items (pharmacy));
  ck_assert_str_eq (gtk_label_get_label (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "progress_label")), "0/19");
  jc_ui_shot (window, "inspection-04-checklist-360");
  /* One Back only: the inspection's own, not also the window's. */
  ck_assert (!gtk_widget_get_visible (jc_ui_child (window, JC_TYPE_WINDOW, "back_button")));

  /* Jump to the next unchecked item: the first. */
  jc_ui_click (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "next_button"));
  ck_assert_ptr_eq (jc_item_editor_get_item (editor), item_at (view, 0));

  objs[0] = item_at (view, 0);
  objs[1] = item_at (view, 4);
  objs[2] = item_at (view, 11);
  for (guint i = 0; i < 3; i++)
    codes[i] = jc_item_object_get_code (objs[i]);

  mark_violation (window, view, objs[0], &violations[0], dir, TRUE);
  jc_ui_shot (window, "inspection-05-item-360");
  /* Back, through the editor's own button. */
  jc_ui_click (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "back_button"));
  mark_violation (window, view, objs[1], &violations[1], dir, TRUE);
  jc_inspection_view_show_items (view);
  jc_ui_shot (window, "inspection-06-checklist-two-360");

  /* The rows follow their objects; the progress follows the vault. */
  progress = jc_format_progress (&(JcInspection) { .n_items = 19, .n_checked = 2, .n_violations = 2,
                                                  .amount_fen = 123456 + 86000 });
  ck_assert_str_eq (gtk_label_get_label (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "progress_label")), progress);
  ck_assert_ptr_nonnull (strstr (gtk_label_get_label (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "progress_label")),
                                 "¥2,094.56"));

  /* Filter: violations only; then search a word of a note. */
  gtk_drop_down_set_selected (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "filter_dropdown"), 2);
  ck_assert_int_eq (g_list_model_get_n_items (jc_inspection_view_get_items (view)), 2);
  jc_ui_shot (window, "inspection-07-filter-360");
  jc_ui_set_text (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "search_entry"), "保健品");
  jc_ui_wait_until (one_item, view, "the search to narrow the list");
  ck_assert_str_eq (jc_item_object_get_code (item_at (view, 0)), codes[1]);
  jc_ui_set_text (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "search_entry"), "");
  gtk_drop_down_set_selected (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "filter_dropdown"), 0);
  ck_assert_int_eq (g_list_model_get_n_items (jc_inspection_view_get_items (view)), 19);

  /* The third: the note typed just before the window goes away. */
  objs[2] = item_at (view, 11);
  mark_violation (window, view, objs[2], &violations[2], dir, FALSE);
  jc_ui_stop (window);

  /* Started again on the same vault. */
  window = jc_ui_start (360, 720);
  ck_assert_msg (jc_vault_unlock (jc_ui_app_vault (window), JC_UI_PIN, &error), "%s", error ? error->message : "");
  jc_window_show_place (JC_WINDOW (window), "inspections");
  page = get_page (window);
  jc_ui_wait_drawn (window);
  ck_assert_str_eq (jc_inspections_page_get_shown (page), "list");
  jc_ui_shot (window, "inspection-08-list-after-restart-360");
  {
    GtkListBox *list = jc_ui_child (page, JC_TYPE_INSPECTIONS_PAGE, "inspections_list");
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);

    ck_assert_ptr_nonnull (row);
    ck_assert_ptr_null (gtk_list_box_get_row_at_index (list, 1));
    ck_assert_str_eq (gtk_widget_get_name (GTK_WIDGET (row)), id);
    g_signal_emit_by_name (list, "row-activated", row);
  }
  view = jc_inspections_page_get_view (page);
  ck_assert_str_eq (jc_inspections_page_get_shown (page), "inspection");
  gtk_drop_down_set_selected (jc_ui_child (view, JC_TYPE_INSPECTION_VIEW, "filter_dropdown"), 2);
  ck_assert_int_eq (g_list_model_get_n_items (jc_inspection_view_get_items (view)), 3);
  for (guint i = 0; i < 3; i++)
    {
      JcItemObject *obj = item_at (view, i);
      g_autofree char *summary = jc_item_object_dup_summary (obj);

      ck_assert_str_eq (jc_item_object_get_code (obj), codes[i]);
      ck_assert_str_eq (jc_item_object_get_result (obj)->note, violations[i].note);
      ck_assert_ptr_nonnull (strstr (summary, "违规"));
    }
  jc_ui_shot (window, "inspection-09-violations-after-restart-360");
  ck_assert (jc_inspection_view_open_item (view, codes[2]));
  jc_ui_shot (window, "inspection-10-item-after-restart-360");
  /* Scrolled down to the evidence. */
  gtk_widget_grab_focus (jc_ui_child (jc_inspection_view_get_editor (view), JC_TYPE_ITEM_EDITOR, "add_file_button"));
  jc_ui_shot (window, "inspection-11-evidence-after-restart-360");
  {
    GtkListBox *evidence = jc_ui_child (jc_inspection_view_get_editor (view), JC_TYPE_ITEM_EDITOR, "evidence_list");
    AdwActionRow *row = ADW_ACTION_ROW (gtk_list_box_get_row_at_index (evidence, 0));

    ck_assert_ptr_nonnull (row);
    ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), violations[2].file);
  }

  check_results (jc_ui_app_vault (window), id, codes, dir);
  jc_ui_stop (window);
}
END_TEST

/* The same screens on a desktop, with a hospital (its level shown). */
START_TEST (test_desktop)
{
  GtkWindow *window = jc_ui_start_unlocked (1280, 800);
  JcInspectionsPage *page = get_page (window);
  JcVault *vault = jc_ui_app_vault (window);
  JcNewInspectionDialog *dialog;
  JcInspectionView *view;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  JcInspectionSpec spec = {
    .institution_code = "H3201-0007", .institution_name = "南京市第一人民医院",
    .institution_type = JC_INSTITUTION_HOSPITAL, .level = 3, .form = JC_INSPECTION_FORM_FLIGHT,
  };
  JcItemUpdate violation = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION,
                             .set_note = TRUE, .note = "重复收取床位费 32 人次",
                             .set_amount = TRUE, .amount_fen = 1234567 };
  JcItemUpdate compliant = { .set_status = TRUE, .status = JC_ITEM_STATUS_COMPLIANT };

  id = jc_inspection_create (vault, NULL, &spec, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert (jc_inspection_set_item (vault, NULL, id, "h21.1.1", &violation, &error));
  jc_inspections_page_reload (page);
  jc_window_show_place (JC_WINDOW (window), "inspections");
  ck_assert_str_eq (jc_inspections_page_get_shown (page), "list");
  jc_ui_shot (window, "inspection-12-list-1280");

  dialog = jc_inspections_page_new_inspection (page);
  ck_assert (gtk_widget_get_visible (jc_ui_child (dialog, JC_TYPE_NEW_INSPECTION_DIALOG, "level_row")));
  jc_ui_shot (GTK_WINDOW (dialog), "inspection-13-new-1280");
  gtk_window_destroy (GTK_WINDOW (dialog));

  ck_assert (jc_inspections_page_open_inspection (page, id));
  view = jc_inspections_page_get_view (page);
  for (guint i = 1; i < 6; i++)
    {
      JcItemObject *obj = item_at (view, i);
      ck_assert (jc_inspection_set_item (vault, NULL, id, jc_item_object_get_code (obj), &compliant, &error));
    }
  /* Set through the core behind the view's back: reopen to see them. */
  ck_assert (jc_inspections_page_open_inspection (page, id));
  jc_ui_shot (window, "inspection-14-checklist-1280");
  ck_assert (jc_inspection_view_open_next_unchecked (view));
  jc_ui_shot (window, "inspection-15-item-1280");
  jc_ui_stop (window);
}
END_TEST

static Suite *
ui_inspection_suite (void)
{
  Suite *s = suite_create ("ui-inspection");
  TCase *tc = tcase_create ("inspection");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_pharmacy_walk);
  tcase_add_test (tc, test_desktop);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (ui_inspection_suite ());
}

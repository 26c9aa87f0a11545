/* test-ui-today.c — the place Today (今日任务) in the real window, in
 * Chinese, at 360×720 and 1280×800: the empty state before any sync, then
 * the assignments of a plan signed with an HQ key and saved through the
 * device's check (jc_assignments_save), and 开始检查 creating the
 * inspection from an assignment and opening it; a second press opens the
 * same inspection rather than another. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-inspection-view.h"
#include "jc-inspections-page.h"
#include "jc-test.h"
#include "jc-today-page.h"
#include "jc-ui-test.h"
#include "jc-window.h"

#define PLAN_ID "5f0c2a9be41d7386a1c0f93e27b4d6a8"

/* The inspector of jc_ui_start_unlocked()'s vault is 测试检查员. */
static const char document[] =
  "{\"format\":\"JC-PLAN1\",\"plan_id\":\"" PLAN_ID "\",\"seed\":20211001,"
  "\"directory\":\"9d1e…\",\"roster\":\"4b7a…\",\"team_size\":2,\"max_load\":0,\"counts\":[],"
  "\"assignments\":["
  "{\"code\":\"H3201-0007\",\"name\":\"南京市江宁区第一人民医院（东院区）\",\"county\":\"江宁区\","
  "\"type\":\"hospital\",\"level\":3,\"reason\":\"rate\",\"team\":[\"测试检查员\",\"李娜\"]},"
  "{\"code\":\"P3201-0042\",\"name\":\"康民大药房（中山路店）\",\"county\":\"玄武区\",\"type\":\"pharmacy\","
  "\"reason\":\"top30\",\"team\":[\"王强\",\"测试检查员\"],\"due\":\"2026-12-18\"},"
  "{\"code\":\"A3201-0001\",\"name\":\"秦淮区医疗保障服务中心\",\"county\":\"秦淮区\",\"type\":\"agency\","
  "\"reason\":\"all\",\"team\":[\"测试检查员\",\"赵敏\"]},"
  "{\"code\":\"H3201-0100\",\"name\":\"鼓楼医院\",\"county\":\"鼓楼区\",\"type\":\"hospital\",\"level\":3,"
  "\"reason\":\"rate\",\"team\":[\"王强\",\"赵敏\"]}]}";

/* Signs the plan above with a fresh HQ key and saves it into @vault
 * through the device's own check. */
static void
save_plan (JcVault *vault)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *envelope = NULL;
  guint8 pk[32], sk[64];
  const char *envelopes[2] = { NULL, NULL };
  guint mine = 0;

  crypto_sign_keypair (pk, sk);
  envelope = jc_test_plan_envelope (PLAN_ID, document, sk, pk);
  envelopes[0] = envelope;
  ck_assert_msg (jc_assignments_save (vault, envelopes, pk, g_get_real_time () / G_USEC_PER_SEC, &mine, &error),
                 "%s", error ? error->message : "");
  ck_assert_uint_eq (mine, 3);
}

static JcTodayPage *
get_today (GtkWindow *window)
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");

  return JC_TODAY_PAGE (gtk_stack_get_child_by_name (stack, "assignments"));
}

static JcInspectionsPage *
get_inspections (GtkWindow *window)
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");

  return JC_INSPECTIONS_PAGE (gtk_stack_get_child_by_name (stack, "inspections"));
}

static GtkWidget *
find_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "assignment-start"))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The row of assignment @code, and (may be NULL) its 开始检查 button. */
static AdwActionRow *
find_row (JcTodayPage *page, const char *code, GtkButton **out_button)
{
  GtkWidget *list = jc_ui_child (page, JC_TYPE_TODAY_PAGE, "assignments_list");
  g_autofree char *id = g_strconcat (PLAN_ID, ":", code, NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), id) == 0)
      {
        if (out_button != NULL)
          *out_button = GTK_BUTTON (find_button (row));
        return ADW_ACTION_ROW (row);
      }
  return NULL;
}

static guint
n_rows (JcTodayPage *page)
{
  GtkWidget *list = jc_ui_child (page, JC_TYPE_TODAY_PAGE, "assignments_list");
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

static void
assert_empty_state (GtkWindow *window, const char *shot)
{
  JcTodayPage *page = get_today (window);
  AdwStatusPage *empty = ADW_STATUS_PAGE (gtk_widget_get_first_child (
    gtk_widget_get_first_child (GTK_WIDGET (page))));

  jc_window_show_place (JC_WINDOW (window), "assignments");
  ck_assert_str_eq (jc_today_page_get_shown (page), "empty");
  ck_assert (ADW_IS_STATUS_PAGE (empty));
  ck_assert_str_eq (adw_status_page_get_title (empty), "今天没有任务");
  ck_assert_str_eq (adw_status_page_get_description (empty), "同步后显示总部下达的任务");
  jc_ui_shot (window, shot);
}

/* Starts @code's inspection from its row: the window shows it open under
 * Inspections; returns its id. */
static char *
start_from_row (GtkWindow *window, const char *code, const char *label)
{
  JcTodayPage *page = get_today (window);
  JcInspectionsPage *inspections = get_inspections (window);
  GtkButton *button = NULL;

  ck_assert_ptr_nonnull (find_row (page, code, &button));
  ck_assert_ptr_nonnull (button);
  ck_assert_str_eq (gtk_button_get_label (button), label);
  jc_ui_click (button);
  ck_assert_str_eq (jc_window_get_place (JC_WINDOW (window)), "inspections");
  ck_assert_str_eq (jc_inspections_page_get_shown (inspections), "inspection");
  return g_strdup (jc_inspection_view_get_id (jc_inspections_page_get_view (inspections)));
}

START_TEST (test_handheld)
{
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  JcVault *vault = jc_ui_app_vault (window);
  JcTodayPage *page = get_today (window);
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(JcAssignment) a = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL, *again = NULL;
  AdwActionRow *row;
  const char *subtitle;

  assert_empty_state (window, "today-01-empty-360");

  save_plan (vault);
  jc_today_page_reload (page);
  ck_assert_str_eq (jc_today_page_get_shown (page), "list");
  /* Only the three of this inspector; the due one first. */
  ck_assert_uint_eq (n_rows (page), 3);
  ck_assert_ptr_null (find_row (page, "H3201-0100", NULL));
  ck_assert_str_eq (gtk_widget_get_name (gtk_widget_get_first_child (
                      jc_ui_child (page, JC_TYPE_TODAY_PAGE, "assignments_list"))), PLAN_ID ":P3201-0042");
  row = find_row (page, "H3201-0007", NULL);
  ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "南京市江宁区第一人民医院（东院区）");
  subtitle = adw_action_row_get_subtitle (row);
  ck_assert_msg (strstr (subtitle, "江宁区") != NULL && strstr (subtitle, "测试检查员、李娜") != NULL &&
                 strstr (subtitle, "5f0c2a9b") != NULL && strstr (subtitle, "20211001") != NULL &&
                 strstr (subtitle, "定点医疗机构，3 级") != NULL, "%s", subtitle);
  subtitle = adw_action_row_get_subtitle (find_row (page, "P3201-0042", NULL));
  ck_assert_msg (strstr (subtitle, "2026-12-18") != NULL, "%s", subtitle);
  jc_ui_shot (window, "today-02-list-360");

  id = start_from_row (window, "H3201-0007", "开始检查");
  jc_ui_shot (window, "today-03-started-360");
  in = jc_inspection_get (vault, NULL, id, &error);
  ck_assert_msg (in != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (in->institution_code, "H3201-0007");
  ck_assert_int_eq (in->institution_type, JC_INSTITUTION_HOSPITAL);
  ck_assert_uint_eq (in->level, 3);
  ck_assert_int_eq (in->form, JC_INSPECTION_FORM_CROSS);
  ck_assert_str_eq (in->team[0], "测试检查员");
  ck_assert_str_eq (in->team[1], "李娜");
  a = jc_assignments_get (vault, PLAN_ID ":H3201-0007", &error);
  ck_assert_msg (a != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (a->inspection_id, id);

  /* Back under Today: started, last, and it opens the same inspection. */
  jc_window_show_place (JC_WINDOW (window), "assignments");
  ck_assert_str_eq (gtk_widget_get_name (gtk_widget_get_last_child (
                      jc_ui_child (page, JC_TYPE_TODAY_PAGE, "assignments_list"))), PLAN_ID ":H3201-0007");
  jc_ui_shot (window, "today-04-after-start-360");
  again = start_from_row (window, "H3201-0007", "继续检查");
  ck_assert_str_eq (again, id);
  all = jc_inspection_list (vault, NULL, &error);
  ck_assert_uint_eq (all->len, 1);
  jc_ui_stop (window);
}
END_TEST

START_TEST (test_desktop)
{
  GtkWindow *window = jc_ui_start_unlocked (1280, 800);
  JcVault *vault = jc_ui_app_vault (window);
  JcTodayPage *page = get_today (window);
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  assert_empty_state (window, "today-05-empty-1280");
  save_plan (vault);
  jc_today_page_reload (page);
  ck_assert_uint_eq (n_rows (page), 3);
  jc_ui_shot (window, "today-06-list-1280");
  id = start_from_row (window, "A3201-0001", "开始检查");
  in = jc_inspection_get (vault, NULL, id, &error);
  ck_assert_msg (in != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (in->institution_name, "秦淮区医疗保障服务中心");
  ck_assert_int_eq (in->institution_type, JC_INSTITUTION_AGENCY);
  jc_ui_shot (window, "today-07-started-1280");
  jc_ui_stop (window);
}
END_TEST

static Suite *
ui_today_suite (void)
{
  Suite *suite = suite_create ("ui-today");
  TCase *tc = tcase_create ("today");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_handheld);
  tcase_add_test (tc, test_desktop);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return jc_test_run (ui_today_suite ());
}

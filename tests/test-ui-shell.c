/* test-ui-shell.c — the real window at 360×720 and 1280×800, in Chinese:
 * every place can be reached and shows its title and its empty state. */
#include "config.h"

#include <string.h>

#include "jc-test.h"
#include "jc-ui-test.h"
#include "jc-window.h"

static const struct {
  const char *name;
  const char *title;        /* the header's title */
  const char *empty_title;  /* what the empty state says */
} places[] = {
  { "assignments", "今日任务", "今天没有任务" },
  { "inspections", "检查", "还没有检查" },
  { "findings", "发现", "还没有检查发现" },
  { "sync", "同步", "未连接总部" },
};

/* The place's empty state: the place itself, or inside it (Inspections
 * shows its own AdwStatusPage while it has nothing to list). */
static AdwStatusPage *
empty_state (GtkWidget *widget)
{
  if (ADW_IS_STATUS_PAGE (widget))
    return ADW_STATUS_PAGE (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwStatusPage *found = gtk_widget_get_child_visible (child) ? empty_state (child) : NULL;

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
check_places (int width, int height, gboolean folded)
{
  GtkWindow *window = jc_ui_start_unlocked (width, height);
  AdwLeaflet *leaflet = jc_ui_child (window, JC_TYPE_WINDOW, "leaflet");
  GtkWidget *sidebar = jc_ui_child (window, JC_TYPE_WINDOW, "sidebar");
  GtkWidget *content = jc_ui_child (window, JC_TYPE_WINDOW, "content");
  AdwWindowTitle *title = jc_ui_child (window, JC_TYPE_WINDOW, "content_title");
  GtkWidget *back = jc_ui_child (window, JC_TYPE_WINDOW, "back_button");
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");
  g_autofree char *first = NULL;

  first = jc_ui_screenshot (window, folded ? "shell-places-360x720" : "shell-start-1280x800");
  ck_assert_int_eq (adw_leaflet_get_folded (leaflet), folded);
  /* A handheld opens on the list of places; a desktop shows both panes. */
  ck_assert (gtk_widget_get_mapped (sidebar));
  ck_assert_int_eq (gtk_widget_get_mapped (content), !folded);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      AdwStatusPage *page = empty_state (gtk_stack_get_child_by_name (stack, places[i].name));
      g_autofree char *shot_name = g_strdup_printf ("shell-%s-%dx%d", places[i].name, width, height);
      g_autofree char *shot = NULL;

      ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-place", "s", places[i].name));
      jc_ui_wait_drawn (window);

      ck_assert_str_eq (jc_window_get_place (JC_WINDOW (window)), places[i].name);
      ck_assert (gtk_widget_get_mapped (content));
      ck_assert (gtk_widget_get_mapped (GTK_WIDGET (page)));
      ck_assert_int_eq (gtk_widget_get_mapped (sidebar), !folded);
      ck_assert_int_eq (gtk_widget_get_visible (back), folded);
      ck_assert_str_eq (adw_window_title_get_title (title), places[i].title);
      ck_assert_str_eq (adw_status_page_get_title (page), places[i].empty_title);
      ck_assert_msg (strlen (adw_status_page_get_description (page) ?: "") > 20,
                     "%s has no explanation in its empty state", places[i].name);
      /* The accessible name a screen reader announces is the visible title. */
      shot = jc_ui_screenshot (window, shot_name);
      ck_assert (g_file_test (shot, G_FILE_TEST_IS_REGULAR));

      if (folded)
        {
          ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
          jc_ui_wait_drawn (window);
          ck_assert (gtk_widget_get_mapped (sidebar));
          ck_assert (!gtk_widget_get_mapped (content));
        }
    }
  jc_ui_stop (window);
}

START_TEST (test_handheld)
{
  check_places (360, 720, TRUE);
}
END_TEST

START_TEST (test_desktop)
{
  check_places (1280, 800, FALSE);
}
END_TEST

START_TEST (test_about_and_shortcuts)
{
  GtkWindow *window = jc_ui_start_unlocked (1280, 800);
  GApplication *app = G_APPLICATION (gtk_window_get_application (window));
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();
  AdwAboutWindow *about = NULL;
  GtkWindow *help = NULL;
  g_autofree char *shot = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_ABOUT_WINDOW (w))
        about = ADW_ABOUT_WINDOW (w);
    }
  ck_assert_msg (about != NULL, "app.about opened no About window");
  jc_ui_wait_drawn (GTK_WINDOW (about));
  ck_assert_str_eq (adw_about_window_get_version (about), PACKAGE_VERSION);
  ck_assert_str_eq (adw_about_window_get_application_name (about), "检查");
  ck_assert_int_eq (adw_about_window_get_license_type (about), GTK_LICENSE_GPL_3_0);
  shot = jc_ui_screenshot (GTK_WINDOW (about), "shell-about");
  gtk_window_destroy (GTK_WINDOW (about));

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)) != NULL
         ? GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))) : NULL;
  ck_assert_msg (help != NULL, "no keyboard shortcuts window");
  jc_ui_wait_drawn (help);
  ck_assert (gtk_widget_get_visible (GTK_WIDGET (help)));
  gtk_window_close (help);

  /* Alt+3 goes to Findings, as the shortcuts window says. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-place", "s", "findings"));
  ck_assert_str_eq (jc_window_get_place (JC_WINDOW (window)), "findings");
  jc_ui_stop (window);
}
END_TEST

static Suite *
ui_shell_suite (void)
{
  Suite *s = suite_create ("ui-shell");
  TCase *tc = tcase_create ("window");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_handheld);
  tcase_add_test (tc, test_desktop);
  tcase_add_test (tc, test_about_and_shortcuts);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (ui_shell_suite ());
}

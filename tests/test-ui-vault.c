/* test-ui-vault.c — the vault in the real window, at 360×720 and 1280×800,
 * in Chinese: first-run setup with PIN feedback, lock, a wrong and a right
 * PIN, Change PIN, and the auto-lock preference. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-change-pin-dialog.h"
#include "jc-core.h"
#include "jc-pin-strength.h"
#include "jc-preferences-window.h"
#include "jc-setup-page.h"
#include "jc-test.h"
#include "jc-ui-test.h"
#include "jc-unlock-page.h"
#include "jc-window.h"

#define GOOD_PIN  "Qz7!kd29"
#define NEW_PIN   "Lm4#wr81x"
#define INSPECTOR "张伟"

typedef struct {
  GtkStack   *stack;
  const char *page;
} PageWait;

static gboolean
page_is (gpointer data)
{
  PageWait *w = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (w->stack), w->page) == 0;
}

static void
wait_page (GtkWindow *window, const char *page)
{
  PageWait w = { jc_ui_child (window, JC_TYPE_WINDOW, "vault_stack"), page };

  jc_ui_wait_until (page_is, &w, page);
  jc_ui_wait_drawn (window);
}

static gboolean
is_visible (gpointer widget)
{
  return gtk_widget_get_visible (GTK_WIDGET (widget));
}

static gboolean
dialog_gone (gpointer window)
{
  return jc_window_get_change_pin_dialog (JC_WINDOW (window)) == NULL;
}

static void
set_text (gpointer row, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static gboolean
has_focus_within (GtkWindow *window, gpointer widget)
{
  GtkWidget *focus = gtk_window_get_focus (window);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, GTK_WIDGET (widget)));
}

static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static char *
shot_name (const char *step, int width, int height)
{
  return g_strdup_printf ("vault-%s-%dx%d", step, width, height);
}

static void
shoot (GtkWindow *window, const char *step, int width, int height)
{
  g_autofree char *name = shot_name (step, width, height);
  g_autofree char *path = jc_ui_screenshot (window, name);

  ck_assert (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static void
setup_and_create (GtkWindow *window, int width, int height)
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "vault_stack");
  JcSetupPage *setup = jc_ui_child (window, JC_TYPE_WINDOW, "setup_page");
  gpointer name_row = jc_ui_child (setup, JC_TYPE_SETUP_PAGE, "name_row");
  gpointer pin_row = jc_ui_child (setup, JC_TYPE_SETUP_PAGE, "pin_row");
  gpointer again_row = jc_ui_child (setup, JC_TYPE_SETUP_PAGE, "pin_again_row");
  GtkWidget *button = jc_ui_child (setup, JC_TYPE_SETUP_PAGE, "create_button");
  GtkWidget *spinner = jc_ui_child (setup, JC_TYPE_SETUP_PAGE, "spinner");
  GtkWidget *strength = jc_ui_child (setup, JC_TYPE_SETUP_PAGE, "strength");
  GtkLevelBar *level = jc_ui_child (strength, JC_TYPE_PIN_STRENGTH, "level");
  GtkLabel *reason = jc_ui_child (strength, JC_TYPE_PIN_STRENGTH, "reason_label");
  GtkWidget *mismatch = jc_ui_child (strength, JC_TYPE_PIN_STRENGTH, "mismatch_label");
  JcVault *vault = jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
  const char *expected = NULL;

  /* First run: no vault, so the setup page, and nothing to create yet. */
  ck_assert_str_eq (gtk_stack_get_visible_child_name (stack), "setup");
  ck_assert (gtk_widget_get_mapped (GTK_WIDGET (setup)));
  ck_assert (!jc_vault_exists (vault));
  ck_assert (!gtk_widget_get_sensitive (button));
  ck_assert (has_focus_within (window, name_row));
  shoot (window, "setup", width, height);

  /* A weak PIN: the core's reason, an empty bar, no button. */
  set_text (name_row, INSPECTOR);
  set_text (pin_row, "123456");
  set_text (again_row, "123456");
  jc_pin_strength ("123456", &expected);
  ck_assert_str_eq (gtk_label_get_label (reason), expected);
  ck_assert (gtk_widget_has_css_class (GTK_WIDGET (reason), "error"));
  ck_assert (gtk_level_bar_get_value (level) == 0);
  ck_assert (!gtk_widget_get_visible (mismatch));
  ck_assert (!gtk_widget_get_sensitive (button));
  jc_ui_wait_drawn (window);
  shoot (window, "weak-pin", width, height);

  /* A good PIN typed differently the second time. */
  set_text (pin_row, GOOD_PIN);
  set_text (again_row, "Qz7!kd2x");
  ck_assert (gtk_level_bar_get_value (level) >= 2);
  ck_assert (gtk_widget_get_visible (mismatch));
  ck_assert_str_eq (gtk_label_get_label (GTK_LABEL (mismatch)), _("The two PINs differ"));
  ck_assert (!gtk_widget_get_sensitive (button));
  jc_ui_wait_drawn (window);
  shoot (window, "pins-differ", width, height);

  /* While the second one is still being typed, no complaint yet. */
  set_text (again_row, "Qz7");
  ck_assert (!gtk_widget_get_visible (mismatch));

  /* Both right: the button, then Argon2id in a thread with a spinner. */
  set_text (again_row, GOOD_PIN);
  ck_assert (!gtk_widget_get_visible (mismatch));
  ck_assert (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  ck_assert (gtk_widget_get_visible (spinner));
  ck_assert (!gtk_widget_get_sensitive (button));
  wait_page (window, "main");

  ck_assert (jc_vault_exists (vault));
  ck_assert (jc_vault_is_unlocked (vault));
  ck_assert_str_eq (jc_vault_get_inspector (vault), INSPECTOR);
  /* The PIN is gone from the form. */
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (pin_row)), "");
  ck_assert (gtk_widget_get_mapped (jc_ui_child (window, JC_TYPE_WINDOW, "sidebar")));
  shoot (window, "created", width, height);
}

static void
lock_and_unlock (GtkWindow *window, int width, int height, const char *pin)
{
  JcUnlockPage *unlock = jc_ui_child (window, JC_TYPE_WINDOW, "unlock_page");
  gpointer pin_row = jc_ui_child (unlock, JC_TYPE_UNLOCK_PAGE, "pin_row");
  GtkLabel *error_label = jc_ui_child (unlock, JC_TYPE_UNLOCK_PAGE, "error_label");
  GtkLabel *who = jc_ui_child (unlock, JC_TYPE_UNLOCK_PAGE, "inspector_label");
  GtkWidget *button = jc_ui_child (unlock, JC_TYPE_UNLOCK_PAGE, "unlock_button");
  JcVault *vault = jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
  g_autofree char *expected = NULL;

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL));
  wait_page (window, "unlock");
  ck_assert (!jc_vault_is_unlocked (vault));
  ck_assert_msg (strstr (gtk_label_get_label (who), INSPECTOR) != NULL,
                 "the locked page does not name the inspector: %s", gtk_label_get_label (who));
  ck_assert (!gtk_widget_get_sensitive (button));
  ck_assert (has_focus_within (window, pin_row));
  shoot (window, "locked", width, height);

  /* A wrong PIN, entered with Enter: the core's message, in Chinese once
   * po/zh_CN.po has it; the field emptied and focused for the next try. */
  set_text (pin_row, "wrong-pin-1");
  ck_assert (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (pin_row, "entry-activated");
  jc_ui_wait_until (is_visible, error_label, "the wrong-PIN message");
  jc_ui_wait_drawn (window);
  expected = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Wrong PIN (attempt %u)"), 1);
  ck_assert_str_eq (gtk_label_get_label (error_label), expected);
  if (strcmp (expected, "Wrong PIN (attempt 1)") != 0)
    ck_assert_msg (strstr (expected, "PIN 码错误") != NULL, "unexpected translation: %s", expected);
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (pin_row)), "");
  ck_assert (has_focus_within (window, pin_row));
  ck_assert (!jc_vault_is_unlocked (vault));
  ck_assert_str_eq (gtk_stack_get_visible_child_name (jc_ui_child (window, JC_TYPE_WINDOW, "vault_stack")), "unlock");
  shoot (window, "wrong-pin", width, height);

  /* The right one, with the button. */
  set_text (pin_row, pin);
  g_signal_emit_by_name (button, "clicked");
  wait_page (window, "main");
  ck_assert (jc_vault_is_unlocked (vault));
  ck_assert (!gtk_widget_get_visible (GTK_WIDGET (error_label)));
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (pin_row)), "");
}

static void
change_pin (GtkWindow *window, int width, int height)
{
  JcChangePinDialog *dialog;
  gpointer current_row, new_row, again_row;
  GtkLabel *error_label;
  GtkWidget *change_button;
  JcVault *vault = jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
  g_autofree char *name = NULL;

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.change-pin", NULL));
  dialog = jc_window_get_change_pin_dialog (JC_WINDOW (window));
  ck_assert_msg (dialog != NULL, "win.change-pin opened no dialog");
  jc_ui_wait_drawn (GTK_WINDOW (dialog));
  current_row = jc_ui_child (dialog, JC_TYPE_CHANGE_PIN_DIALOG, "current_row");
  new_row = jc_ui_child (dialog, JC_TYPE_CHANGE_PIN_DIALOG, "new_row");
  again_row = jc_ui_child (dialog, JC_TYPE_CHANGE_PIN_DIALOG, "new_again_row");
  error_label = jc_ui_child (dialog, JC_TYPE_CHANGE_PIN_DIALOG, "error_label");
  change_button = find_button (GTK_WIDGET (dialog), g_dgettext (GETTEXT_PACKAGE, "C_hange"));
  ck_assert_msg (change_button != NULL, "no Change button in the dialog");
  ck_assert (!gtk_widget_get_sensitive (change_button));

  /* A weak new PIN keeps the button off. */
  set_text (current_row, "not-the-pin");
  set_text (new_row, "111111");
  set_text (again_row, "111111");
  ck_assert (!gtk_widget_get_sensitive (change_button));

  /* A wrong current PIN: said in the dialog, which stays open. */
  set_text (new_row, NEW_PIN);
  set_text (again_row, NEW_PIN);
  ck_assert (gtk_widget_get_sensitive (change_button));
  /* The dialog's first frames come before its content is laid out. */
  jc_ui_wait_drawn (GTK_WINDOW (dialog));
  name = shot_name ("change-pin", width, height);
  g_free (jc_ui_screenshot (GTK_WINDOW (dialog), name));
  g_signal_emit_by_name (change_button, "clicked");
  jc_ui_wait_until (is_visible, error_label, "the dialog's error");
  jc_ui_wait_drawn (GTK_WINDOW (dialog));
  ck_assert_ptr_eq (jc_window_get_change_pin_dialog (JC_WINDOW (window)), dialog);
  ck_assert (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  ck_assert (strlen (gtk_label_get_label (error_label)) > 0);
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (current_row)), "");
  g_free (name);
  name = shot_name ("change-pin-wrong", width, height);
  g_free (jc_ui_screenshot (GTK_WINDOW (dialog), name));

  /* The right current PIN: the dialog closes and the vault stays open. */
  set_text (current_row, GOOD_PIN);
  g_signal_emit_by_name (change_button, "clicked");
  jc_ui_wait_until (dialog_gone, window, "the Change PIN dialog to close");
  jc_ui_wait_drawn (window);
  ck_assert (jc_vault_is_unlocked (vault));
  shoot (window, "pin-changed", width, height);

  /* Closing it without an answer (Escape) is Cancel. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.change-pin", NULL));
  dialog = jc_window_get_change_pin_dialog (JC_WINDOW (window));
  ck_assert (dialog != NULL);
  jc_ui_wait_drawn (GTK_WINDOW (dialog));
  gtk_window_close (GTK_WINDOW (dialog));
  jc_ui_wait_until (dialog_gone, window, "Escape to close the Change PIN dialog");
}

static void
check_vault (int width, int height)
{
  g_autofree char *tmp = jc_test_tmpdir ("ui-vault");
  g_autofree char *dir = g_build_filename (tmp, "vault", NULL);
  GtkWindow *window;

  g_setenv ("JIANCHA_VAULT_DIR", dir, TRUE);
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  window = jc_ui_start (width, height);

  setup_and_create (window, width, height);
  lock_and_unlock (window, width, height, GOOD_PIN);
  change_pin (window, width, height);
  /* Only the new PIN opens it now. */
  lock_and_unlock (window, width, height, NEW_PIN);
  jc_ui_stop (window);
}

START_TEST (test_handheld)
{
  check_vault (360, 720);
}
END_TEST

START_TEST (test_desktop)
{
  check_vault (1280, 800);
}
END_TEST

/* The locked window reopened later: the unlock page, not the setup. */
START_TEST (test_existing_vault)
{
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  JcVault *vault = jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "vault_stack");
  JcChangePinDialog *dialog;
  GtkWidget *current_row;

  ck_assert_str_eq (gtk_stack_get_visible_child_name (stack), "main");

  /* Locking closes an open Change PIN dialog, half filled in or not. */
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.change-pin", NULL));
  dialog = jc_window_get_change_pin_dialog (JC_WINDOW (window));
  ck_assert (dialog != NULL);
  jc_ui_wait_drawn (GTK_WINDOW (dialog));
  current_row = jc_ui_child (dialog, JC_TYPE_CHANGE_PIN_DIALOG, "current_row");
  set_text (current_row, "half-typed");
  gtk_widget_grab_focus (current_row);
  jc_vault_lock (vault);
  ck_assert (jc_window_get_change_pin_dialog (JC_WINDOW (window)) == NULL);
  jc_ui_wait_drawn (window);
  ck_assert_str_eq (gtk_stack_get_visible_child_name (stack), "unlock");
  /* Locked, there is nothing to lock or re-key. */
  ck_assert (!gtk_widget_activate_action (GTK_WIDGET (window), "win.change-pin", NULL) ||
             jc_window_get_change_pin_dialog (JC_WINDOW (window)) == NULL);
  jc_ui_stop (window);
}
END_TEST

START_TEST (test_preferences)
{
  GtkWindow *window = jc_ui_start_unlocked (1280, 800);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();
  JcPreferencesWindow *prefs = NULL;
  GtkSpinButton *spin;

  ck_assert_uint_eq (g_settings_get_uint (settings, "lock-after-idle"), 5);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL));
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (JC_IS_PREFERENCES_WINDOW (w))
        prefs = JC_PREFERENCES_WINDOW (w);
    }
  ck_assert_msg (prefs != NULL, "win.preferences opened no preferences window");
  jc_ui_wait_drawn (GTK_WINDOW (prefs));
  spin = jc_ui_child (prefs, JC_TYPE_PREFERENCES_WINDOW, "lock_after_idle_spin");
  ck_assert (gtk_spin_button_get_value_as_int (spin) == 5);
  g_free (jc_ui_screenshot (GTK_WINDOW (prefs), "vault-preferences"));
  gtk_spin_button_set_value (spin, 15);
  ck_assert_uint_eq (g_settings_get_uint (settings, "lock-after-idle"), 15);
  g_settings_set_uint (settings, "lock-after-idle", 0);
  ck_assert (gtk_spin_button_get_value_as_int (spin) == 0);
  gtk_window_destroy (GTK_WINDOW (prefs));
  jc_ui_stop (window);
}
END_TEST

/* Auto-lock, for real: a minute without input. Slow, so only with
 * JIANCHA_TEST_SLOW=1 (CK_RUN_CASE=idle). */
START_TEST (test_idle_lock)
{
  GtkWindow *window = jc_ui_start_unlocked (360, 720);
  JcVault *vault = jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  gint64 deadline = g_get_monotonic_time () + 100 * G_USEC_PER_SEC;

  g_settings_set_uint (settings, "lock-after-idle", 1);
  while (jc_vault_is_unlocked (vault) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_msg (!jc_vault_is_unlocked (vault), "the vault did not lock itself after a minute idle");
  jc_ui_wait_drawn (window);
  ck_assert_str_eq (gtk_stack_get_visible_child_name (jc_ui_child (window, JC_TYPE_WINDOW, "vault_stack")), "unlock");
  jc_ui_stop (window);
}
END_TEST

static Suite *
ui_vault_suite (void)
{
  Suite *s = suite_create ("ui-vault");
  TCase *tc = tcase_create ("vault");

  if (g_strcmp0 (g_getenv ("JIANCHA_TEST_SLOW"), "1") == 0)
    {
      TCase *idle = tcase_create ("idle");

      tcase_set_timeout (idle, 150);
      tcase_add_test (idle, test_idle_lock);
      suite_add_tcase (s, idle);
    }

  tcase_set_timeout (tc, 90);
  tcase_add_test (tc, test_handheld);
  tcase_add_test (tc, test_desktop);
  tcase_add_test (tc, test_existing_vault);
  tcase_add_test (tc, test_preferences);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (ui_vault_suite ());
}

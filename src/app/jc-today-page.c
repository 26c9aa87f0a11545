/* jc-today-page.c — the place Today (今日任务): HQ's assignments for this inspector
 *
 * One row per assignment of the synced plans (jc-assignments.h): the
 * institution, its type and county, the team, and the plan's id and seed,
 * so anyone can trace the 双随机 draw that chose it. 开始检查 creates the
 * inspection from the assignment; the window then opens it under
 * Inspections. A started assignment opens its inspection again.
 */
#define G_LOG_DOMAIN "jiancha-today"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-today-page.h"

struct _JcTodayPage
{
  AdwBin       parent_instance;

  JcVault     *vault;

  GtkStack    *stack;
  GtkLabel    *error_label;
  GtkListBox  *assignments_list;
};

G_DEFINE_FINAL_TYPE (JcTodayPage, jc_today_page, ADW_TYPE_BIN)

enum { SIGNAL_OPEN_INSPECTION, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (JcTodayPage *self, const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static char *
subtitle_of (const JcAssignment *a)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *team = g_strjoinv ("、", a->team);

  if (a->level > 0)
    g_string_append_printf (s, _("%s, level %u"), jc_institution_kind_get_label (a->type), a->level);
  else
    g_string_append (s, jc_institution_kind_get_label (a->type));
  g_string_append_printf (s, " · %s · %s\n", a->county, jc_assignment_reason_get_label (a->reason));
  /* TRANSLATORS: the inspectors of the team, separated by 、 */
  g_string_append_printf (s, _("Team: %s"), team);
  g_string_append_c (s, '\n');
  /* TRANSLATORS: the plan's id (its first 8 hex digits) and its published random seed */
  g_string_append_printf (s, _("Plan %.8s · seed %" PRIu64), a->plan_id, a->seed);
  if (a->due != NULL)
    {
      /* its own line: a date split across two reads badly at 360 px */
      g_string_append_c (s, '\n');
      /* TRANSLATORS: a date, YYYY-MM-DD */
      g_string_append_printf (s, _("due %s"), a->due);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
on_start_clicked (GtkButton *button, JcTodayPage *self)
{
  jc_today_page_start (self, gtk_widget_get_name (GTK_WIDGET (button)));
}

static GtkWidget *
assignment_row (JcTodayPage *self, const JcAssignment *a)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_label (a->inspection_id == NULL ? _("Start Inspection")
                                                                           : _("Open Inspection"));
  g_autofree char *subtitle = subtitle_of (a);

  gtk_widget_set_name (row, a->id);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_name (button, a->id);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, a->inspection_id == NULL ? "suggested-action" : "flat");
  gtk_widget_add_css_class (button, "assignment-start");
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_start_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  return row;
}

void
jc_today_page_reload (JcTodayPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GtkWidget *child;

  g_return_if_fail (JC_IS_TODAY_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->assignments_list))) != NULL)
    gtk_list_box_remove (self->assignments_list, child);
  if (self->vault == NULL || !jc_vault_is_unlocked (self->vault))
    {
      show_error (self, NULL);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  list = jc_assignments_list (self->vault, &error);
  show_error (self, error != NULL ? error->message : NULL);
  for (guint i = 0; list != NULL && i < list->len; i++)
    gtk_list_box_append (self->assignments_list, assignment_row (self, list->pdata[i]));
  gtk_stack_set_visible_child_name (self->stack, list != NULL && list->len == 0 ? "empty" : "list");
}

gboolean
jc_today_page_start (JcTodayPage *self, const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcAssignment) a = NULL;
  g_autofree char *inspection_id = NULL;

  g_return_val_if_fail (JC_IS_TODAY_PAGE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->vault == NULL || !jc_vault_is_unlocked (self->vault))
    {
      show_error (self, _("The vault is locked. Unlock it and try again."));
      return FALSE;
    }
  a = jc_assignments_get (self->vault, id, &error);
  if (a != NULL && a->inspection_id != NULL)
    inspection_id = g_strdup (a->inspection_id);
  else if (a != NULL)
    inspection_id = jc_assignments_start (self->vault, NULL, id, &error);
  if (inspection_id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The inspection was not created: %s"), error->message);

      show_error (self, message);
      return FALSE;
    }
  jc_today_page_reload (self);
  g_signal_emit (self, signals[SIGNAL_OPEN_INSPECTION], 0, inspection_id);
  return TRUE;
}

const char *
jc_today_page_get_shown (JcTodayPage *self)
{
  g_return_val_if_fail (JC_IS_TODAY_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

void
jc_today_page_set_vault (JcTodayPage *self, JcVault *vault)
{
  g_return_if_fail (JC_IS_TODAY_PAGE (self));

  if (self->vault == vault)
    return;
  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  g_set_object (&self->vault, vault);
  if (vault != NULL)
    g_signal_connect_object (vault, "notify::unlocked", G_CALLBACK (jc_today_page_reload), self, G_CONNECT_SWAPPED);
  jc_today_page_reload (self);
}

static void
jc_today_page_dispose (GObject *object)
{
  JcTodayPage *self = JC_TODAY_PAGE (object);

  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  /* The bin's child is a bound template child: AdwBin must let go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_TODAY_PAGE);
  g_clear_object (&self->vault);
  G_OBJECT_CLASS (jc_today_page_parent_class)->dispose (object);
}

static void
jc_today_page_class_init (JcTodayPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_today_page_dispose;

  /* The id of the inspection to open. */
  signals[SIGNAL_OPEN_INSPECTION] = g_signal_new ("open-inspection", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-today-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JcTodayPage, stack);
  gtk_widget_class_bind_template_child (widget_class, JcTodayPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcTodayPage, assignments_list);
}

static void
jc_today_page_init (JcTodayPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Shown again: what a sync brought since. */
  g_signal_connect (self, "map", G_CALLBACK (jc_today_page_reload), NULL);
}

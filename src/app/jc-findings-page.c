/* jc-findings-page.c — the place Findings: every finding, one's QR
 *
 * A list over all inspections, read again each time the page is shown (a
 * finding is sealed and answered in the Inspections place), and the same
 * JcFindingView the inspection uses to show a finding's QR.
 */
#define G_LOG_DOMAIN "jiancha-findings-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-findings-page.h"

struct _JcFindingsPage
{
  AdwBin         parent_instance;

  JcVault       *vault;

  GtkStack      *stack;
  GtkListBox    *findings_list;
  GtkLabel      *error_label;
  JcFindingView *view;
};

G_DEFINE_FINAL_TYPE (JcFindingsPage, jc_findings_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_AT_TOP, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const char *
status_text (const JcFinding *f)
{
  if (f->superseded_by != NULL)
    return _("Superseded");
  if (!f->confirmed)
    return _("Awaiting Confirmation");
  switch (f->confirm_status)
    {
    case JC_JC1_STATUS_CONFIRMED: return _("Confirmed");
    case JC_JC1_STATUS_DISPUTED:  return _("Disputed");
    case JC_JC1_STATUS_REFUSED:   return _("Refused to Sign");
    default:                      return "";
    }
}

static GtkWidget *
make_row (const JcInspection *in, const JcFinding *f)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *yuan = jc_amount_format_yuan (f->amount_fen);
  g_autoptr(GDateTime) sealed = g_date_time_new_from_unix_local (f->sealed_at);
  g_autofree char *when = g_date_time_format (sealed, "%Y-%m-%d %H:%M");
  guint n = g_strv_length (f->items);
  g_autofree char *subtitle = NULL;

  /* Translators: N items · ¥amount · status · sealed time */
  subtitle = g_strdup_printf (ngettext ("%u item · ¥%s · %s · %s", "%u items · ¥%s · %s · %s", n),
                              n, yuan, status_text (f), when);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), in->institution_name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_name (row, f->id);
  return row;
}

static gboolean
fill (JcFindingsPage *self, guint *n_rows, GError **error)
{
  g_autoptr(GPtrArray) inspections = jc_inspection_list (self->vault, NULL, error);

  if (inspections == NULL)
    return FALSE;
  for (guint i = 0; i < inspections->len; i++)
    {
      JcInspection *in = inspections->pdata[i];
      g_autoptr(GPtrArray) findings = jc_finding_list (self->vault, in->id, error);

      if (findings == NULL)
        return FALSE;
      /* Newest first, as the inspections are. */
      for (guint j = findings->len; j > 0; j--)
        {
          gtk_list_box_append (self->findings_list, make_row (in, findings->pdata[j - 1]));
          (*n_rows)++;
        }
    }
  return TRUE;
}

void
jc_findings_page_reload (JcFindingsPage *self)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint n = 0;

  g_return_if_fail (JC_IS_FINDINGS_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->findings_list))) != NULL)
    gtk_list_box_remove (self->findings_list, child);
  if (self->vault == NULL || !jc_vault_is_unlocked (self->vault))
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  if (!fill (self, &n, &error))
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "finding") != 0)
    gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

void
jc_findings_page_set_vault (JcFindingsPage *self, JcVault *vault)
{
  g_return_if_fail (JC_IS_FINDINGS_PAGE (self));

  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  g_set_object (&self->vault, vault);
  if (vault != NULL)
    g_signal_connect_object (vault, "notify::unlocked", G_CALLBACK (jc_findings_page_reload), self, G_CONNECT_SWAPPED);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  jc_findings_page_reload (self);
}

gboolean
jc_findings_page_open_finding (JcFindingsPage *self, const char *finding_id)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (JC_IS_FINDINGS_PAGE (self), FALSE);

  if (!jc_finding_view_show_qr (self->view, self->vault, finding_id, &error))
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return FALSE;
    }
  gtk_stack_set_visible_child_name (self->stack, "finding");
  return TRUE;
}

JcFindingView *
jc_findings_page_get_view (JcFindingsPage *self)
{
  g_return_val_if_fail (JC_IS_FINDINGS_PAGE (self), NULL);

  return self->view;
}

gboolean
jc_findings_page_get_at_top (JcFindingsPage *self)
{
  g_return_val_if_fail (JC_IS_FINDINGS_PAGE (self), TRUE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "finding") != 0;
}

const char *
jc_findings_page_get_shown (JcFindingsPage *self)
{
  g_return_val_if_fail (JC_IS_FINDINGS_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

static void
on_row_activated (JcFindingsPage *self, GtkListBoxRow *row)
{
  jc_findings_page_open_finding (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
on_view_closed (JcFindingsPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, "list");
  jc_findings_page_reload (self);
}

static void
on_shown_changed (JcFindingsPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AT_TOP]);
}

static void
jc_findings_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (jc_findings_page_parent_class)->map (widget);
  /* Findings are sealed elsewhere: read them again whenever shown. */
  jc_findings_page_reload (JC_FINDINGS_PAGE (widget));
}

static void
jc_findings_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  JcFindingsPage *self = JC_FINDINGS_PAGE (object);

  switch (prop_id)
    {
    case PROP_AT_TOP:
      g_value_set_boolean (value, jc_findings_page_get_at_top (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jc_findings_page_dispose (GObject *object)
{
  JcFindingsPage *self = JC_FINDINGS_PAGE (object);

  /* The bin's child is a bound template child: AdwBin must let go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_FINDINGS_PAGE);
  g_clear_object (&self->vault);
  G_OBJECT_CLASS (jc_findings_page_parent_class)->dispose (object);
}

static void
jc_findings_page_class_init (JcFindingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_findings_page_dispose;
  object_class->get_property = jc_findings_page_get_property;
  widget_class->map = jc_findings_page_map;

  properties[PROP_AT_TOP] = g_param_spec_boolean ("at-top", NULL, NULL, TRUE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (JC_TYPE_FINDING_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-findings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JcFindingsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, JcFindingsPage, findings_list);
  gtk_widget_class_bind_template_child (widget_class, JcFindingsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingsPage, view);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_view_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_shown_changed);
  gtk_widget_class_bind_template_callback (widget_class, jc_findings_page_reload);
}

static void
jc_findings_page_init (JcFindingsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

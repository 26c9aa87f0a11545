/* jc-inspections-page.c — the place Inspections: the list, a new one, one open
 *
 * A stack rather than a second leaflet: on a 360 px handheld the list, an
 * inspection and an item each take the whole pane, and every level has
 * its own Back button.
 */
#define G_LOG_DOMAIN "jiancha-inspections"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-inspections-page.h"
#include "jc-item-object.h"

struct _JcInspectionsPage
{
  AdwBin             parent_instance;

  JcVault           *vault;

  GtkStack          *stack;
  GtkListBox        *inspections_list;
  GtkLabel          *error_label;
  GtkButton         *empty_new_button;
  GtkButton         *new_button;
  JcInspectionView  *view;
};

G_DEFINE_FINAL_TYPE (JcInspectionsPage, jc_inspections_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_VAULT, PROP_AT_TOP, N_PROPS };
static GParamSpec *properties[N_PROPS];

static GtkWidget *
inspection_row (const JcInspection *in)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *progress = jc_format_progress (in);
  g_autofree char *kind = NULL;
  g_autofree char *subtitle = NULL;

  if (in->institution_type == JC_INSTITUTION_HOSPITAL && in->level > 0)
    kind = g_strdup_printf (_("%s, level %u"), jc_institution_kind_get_label (in->institution_type), in->level);
  else
    kind = g_strdup (jc_institution_kind_get_label (in->institution_type));
  subtitle = g_strdup_printf ("%s · %s · %s\n%s", kind, jc_inspection_form_get_label (in->form), in->date, progress);
  gtk_widget_set_name (row, in->id);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), in->institution_name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  return row;
}

void
jc_inspections_page_reload (JcInspectionsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GtkWidget *child;

  g_return_if_fail (JC_IS_INSPECTIONS_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->inspections_list))) != NULL)
    gtk_list_box_remove (self->inspections_list, child);
  if (self->vault == NULL || !jc_vault_is_unlocked (self->vault))
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  list = jc_inspection_list (self->vault, NULL, &error);
  gtk_label_set_label (self->error_label, error != NULL ? error->message : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  if (list != NULL)
    for (guint i = 0; i < list->len; i++)
      gtk_list_box_append (self->inspections_list, inspection_row (list->pdata[i]));
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "inspection") != 0)
    gtk_stack_set_visible_child_name (self->stack, list != NULL && list->len == 0 ? "empty" : "list");
}

static void
on_unlocked_changed (JcInspectionsPage *self)
{
  /* Locked: nothing of an inspection stays on screen. */
  gtk_stack_set_visible_child_name (self->stack, "list");
  jc_inspections_page_reload (self);
}

void
jc_inspections_page_set_vault (JcInspectionsPage *self, JcVault *vault)
{
  g_return_if_fail (JC_IS_INSPECTIONS_PAGE (self));

  if (self->vault == vault)
    return;
  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  g_set_object (&self->vault, vault);
  if (vault != NULL)
    {
      g_signal_connect_object (vault, "notify::unlocked", G_CALLBACK (on_unlocked_changed), self, G_CONNECT_SWAPPED);
      /* Whatever locks the vault (Ctrl+L, idle, screen lock), a note typed a
       * moment ago is saved first. */
      g_signal_connect_object (vault, "locking", G_CALLBACK (jc_inspections_page_flush), self, G_CONNECT_SWAPPED);
    }
  on_unlocked_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VAULT]);
}

JcVault *
jc_inspections_page_get_vault (JcInspectionsPage *self)
{
  g_return_val_if_fail (JC_IS_INSPECTIONS_PAGE (self), NULL);

  return self->vault;
}

JcInspectionView *
jc_inspections_page_get_view (JcInspectionsPage *self)
{
  g_return_val_if_fail (JC_IS_INSPECTIONS_PAGE (self), NULL);

  return self->view;
}

/* At the top the page shows its list (or its empty state): the window's
 * own Back then leads out of the place; deeper, the page has its own Back. */
gboolean
jc_inspections_page_get_at_top (JcInspectionsPage *self)
{
  g_return_val_if_fail (JC_IS_INSPECTIONS_PAGE (self), TRUE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "inspection") != 0;
}

static void
on_stack_child_changed (JcInspectionsPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AT_TOP]);
}

const char *
jc_inspections_page_get_shown (JcInspectionsPage *self)
{
  g_return_val_if_fail (JC_IS_INSPECTIONS_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
jc_inspections_page_open_inspection (JcInspectionsPage *self, const char *id)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (JC_IS_INSPECTIONS_PAGE (self), FALSE);

  if (!jc_inspection_view_set_inspection (self->view, self->vault, id, &error))
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return FALSE;
    }
  gtk_stack_set_visible_child_name (self->stack, "inspection");
  return TRUE;
}

static void
on_created (JcInspectionsPage *self, const char *id)
{
  jc_inspections_page_reload (self);
  jc_inspections_page_open_inspection (self, id);
}

JcNewInspectionDialog *
jc_inspections_page_new_inspection (JcInspectionsPage *self)
{
  JcNewInspectionDialog *dialog;
  GtkRoot *root;

  g_return_val_if_fail (JC_IS_INSPECTIONS_PAGE (self), NULL);
  g_return_val_if_fail (self->vault != NULL, NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = jc_new_inspection_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->vault);
  g_signal_connect_object (dialog, "created", G_CALLBACK (on_created), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_new_clicked (JcInspectionsPage *self)
{
  jc_inspections_page_new_inspection (self);
}

static void
on_row_activated (JcInspectionsPage *self, GtkListBoxRow *row)
{
  jc_inspections_page_open_inspection (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
on_view_closed (JcInspectionsPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, "list");
  jc_inspections_page_reload (self);
}

static void
jc_inspections_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  JcInspectionsPage *self = JC_INSPECTIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_AT_TOP:
      g_value_set_boolean (value, jc_inspections_page_get_at_top (self));
      break;
    case PROP_VAULT:
      g_value_set_object (value, self->vault);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jc_inspections_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  JcInspectionsPage *self = JC_INSPECTIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_VAULT:
      jc_inspections_page_set_vault (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jc_inspections_page_dispose (GObject *object)
{
  JcInspectionsPage *self = JC_INSPECTIONS_PAGE (object);

  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  /* The bin's child is a bound template child: AdwBin must let go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_INSPECTIONS_PAGE);
  g_clear_object (&self->vault);
  G_OBJECT_CLASS (jc_inspections_page_parent_class)->dispose (object);
}

static void
jc_inspections_page_class_init (JcInspectionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_inspections_page_dispose;
  object_class->get_property = jc_inspections_page_get_property;
  object_class->set_property = jc_inspections_page_set_property;

  properties[PROP_AT_TOP] = g_param_spec_boolean ("at-top", NULL, NULL, TRUE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VAULT] = g_param_spec_object ("vault", NULL, NULL, JC_TYPE_VAULT,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (JC_TYPE_INSPECTION_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-inspections-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JcInspectionsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionsPage, inspections_list);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionsPage, view);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionsPage, empty_new_button);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionsPage, new_button);
  gtk_widget_class_bind_template_callback (widget_class, on_new_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_view_closed);
}

void
jc_inspections_page_flush (JcInspectionsPage *self)
{
  g_return_if_fail (JC_IS_INSPECTIONS_PAGE (self));

  if (self->vault != NULL && jc_vault_is_unlocked (self->vault))
    jc_inspection_view_flush (self->view);
}

static void
jc_inspections_page_init (JcInspectionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (on_stack_child_changed), self, G_CONNECT_SWAPPED);

  /* Leaving the place (another place, a folded leaflet) saves the typing. */
  g_signal_connect (self, "unmap", G_CALLBACK (jc_inspections_page_flush), NULL);
}

/* jc-new-inspection-dialog.c — start an inspection: institution, form, team, date
 *
 * The checklist follows from the institution type and the form (the core's
 * default); the dialog shows which one before anything is created.
 */
#define G_LOG_DOMAIN "jiancha-new-inspection"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-new-inspection-dialog.h"

struct _JcNewInspectionDialog
{
  AdwWindow        parent_instance;

  JcVault         *vault;

  GtkButton       *create_button;
  GtkWidget       *error_group;
  GtkLabel        *error_label;
  AdwEntryRow     *code_row;
  AdwEntryRow     *name_row;
  AdwComboRow     *type_row;
  AdwComboRow     *level_row;
  AdwComboRow     *form_row;
  AdwEntryRow     *team_row;
  AdwEntryRow     *date_row;
  AdwActionRow    *checklist_row;
};

G_DEFINE_FINAL_TYPE (JcNewInspectionDialog, jc_new_inspection_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_CREATED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* In the order of the type and form rows. */
static const JcInstitutionKind kinds[] = { JC_INSTITUTION_HOSPITAL, JC_INSTITUTION_PHARMACY, JC_INSTITUTION_AGENCY };
static const JcInspectionForm forms[] = {
  JC_INSPECTION_FORM_DAILY, JC_INSPECTION_FORM_SPECIAL, JC_INSPECTION_FORM_CROSS,
  JC_INSPECTION_FORM_FLIGHT, JC_INSPECTION_FORM_SELF,
};
/* Level row: 一级, 二级, 三级, 未定级. */
static const guint levels[] = { 1, 2, 3, 0 };

static JcInstitutionKind
selected_kind (JcNewInspectionDialog *self)
{
  guint i = adw_combo_row_get_selected (self->type_row);

  return kinds[MIN (i, G_N_ELEMENTS (kinds) - 1)];
}

static JcInspectionForm
selected_form (JcNewInspectionDialog *self)
{
  guint i = adw_combo_row_get_selected (self->form_row);

  return forms[MIN (i, G_N_ELEMENTS (forms) - 1)];
}

static void
show_error (JcNewInspectionDialog *self, const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_widget_set_visible (self->error_group, message != NULL);
}

static void
update_checklist (JcNewInspectionDialog *self)
{
  JcInstitutionKind kind = selected_kind (self);
  const char *key = jc_inspection_default_checklist (kind, selected_form (self));
  g_autoptr(GError) error = NULL;
  JcChecklistRegistry *registry = jc_inspection_get_default_registry (&error);
  JcChecklist *checklist = registry != NULL ? jc_checklist_registry_lookup (registry, key, &error) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->level_row), kind == JC_INSTITUTION_HOSPITAL);
  if (checklist == NULL)
    {
      adw_action_row_set_subtitle (self->checklist_row, error->message);
      return;
    }
  adw_action_row_set_subtitle (self->checklist_row, jc_checklist_get_title (checklist));
}

static void
update_sensitive (JcNewInspectionDialog *self)
{
  g_autofree char *code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), *code != '\0' && *name != '\0');
  /* The last error was about what is being corrected now. */
  show_error (self, NULL);
}

/* "张伟、李娜, 王强" → { "张伟", "李娜", "王强" } */
static GStrv
split_team (const char *text)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *copy = g_strdup (text);
  GString *name = g_string_new (NULL);

  for (const char *p = copy; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0 || c == ',' || c == ';' || c == 0xFF0C /* ， */ || c == 0x3001 /* 、 */ || c == 0xFF1B /* ； */)
        {
          g_strstrip (name->str);
          if (name->str[0] != '\0')
            g_strv_builder_add (b, name->str);
          g_string_truncate (name, 0);
          if (c == 0)
            break;
        }
      else
        g_string_append_unichar (name, c);
    }
  g_string_free (name, TRUE);
  return g_strv_builder_end (b);
}

static void
on_create_clicked (JcNewInspectionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *date = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->date_row))));
  g_auto(GStrv) team = split_team (gtk_editable_get_text (GTK_EDITABLE (self->team_row)));
  g_autofree char *id = NULL;
  JcInspectionSpec spec = { 0 };
  guint level = adw_combo_row_get_selected (self->level_row);

  spec.institution_code = code;
  spec.institution_name = name;
  spec.institution_type = selected_kind (self);
  spec.level = spec.institution_type == JC_INSTITUTION_HOSPITAL ? levels[MIN (level, G_N_ELEMENTS (levels) - 1)] : 0;
  spec.form = selected_form (self);
  spec.team = (const char * const *) team;
  spec.date = *date != '\0' ? date : NULL;

  if (self->vault == NULL || !jc_vault_is_unlocked (self->vault))
    {
      show_error (self, _("The vault is locked. Unlock it and try again."));
      return;
    }
  id = jc_inspection_create (self->vault, NULL, &spec, &error);
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The inspection was not created: %s"), error->message);

      show_error (self, message);
      return;
    }
  show_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_cancel_clicked (JcNewInspectionDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
jc_new_inspection_dialog_dispose (GObject *object)
{
  JcNewInspectionDialog *self = JC_NEW_INSPECTION_DIALOG (object);

  g_clear_object (&self->vault);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_NEW_INSPECTION_DIALOG);
  G_OBJECT_CLASS (jc_new_inspection_dialog_parent_class)->dispose (object);
}

static void
jc_new_inspection_dialog_class_init (JcNewInspectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_new_inspection_dialog_dispose;

  signals[SIGNAL_CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-new-inspection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, error_group);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, level_row);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, form_row);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, team_row);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, JcNewInspectionDialog, checklist_row);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, update_sensitive);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jc_new_inspection_dialog_init (JcNewInspectionDialog *self)
{
  g_autoptr(GtkStringList) types = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) form_names = gtk_string_list_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The core's labels, so the app and the CLI name them alike. */
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (types, jc_institution_kind_get_label (kinds[i]));
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    gtk_string_list_append (form_names, jc_inspection_form_get_label (forms[i]));
  adw_combo_row_set_model (self->type_row, G_LIST_MODEL (types));
  adw_combo_row_set_model (self->form_row, G_LIST_MODEL (form_names));
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), today);
  g_signal_connect_object (self->type_row, "notify::selected", G_CALLBACK (update_checklist), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->form_row, "notify::selected", G_CALLBACK (update_checklist), self, G_CONNECT_SWAPPED);
  update_checklist (self);
  update_sensitive (self);
}

JcNewInspectionDialog *
jc_new_inspection_dialog_new (GtkWindow *parent, JcVault *vault)
{
  JcNewInspectionDialog *self = g_object_new (JC_TYPE_NEW_INSPECTION_DIALOG,
                                              "transient-for", parent,
                                              "modal", TRUE,
                                              NULL);

  self->vault = g_object_ref (vault);
  /* No wider or taller than the window it belongs to: a 360 px handheld. */
  if (parent != NULL && gtk_widget_get_width (GTK_WIDGET (parent)) > 0)
    gtk_window_set_default_size (GTK_WINDOW (self),
                                 MIN (480, gtk_widget_get_width (GTK_WIDGET (parent))),
                                 MIN (680, gtk_widget_get_height (GTK_WIDGET (parent))));
  return self;
}

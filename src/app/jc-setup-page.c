/* jc-setup-page.c — first run: the inspector's name and a new PIN make the vault
 *
 * The window shows this page while there is no vault; once the vault
 * exists and is unlocked, the window follows the vault's "unlocked"
 * property and moves on by itself.
 */
#define G_LOG_DOMAIN "jiancha-setup-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-pin-strength.h"
#include "jc-setup-page.h"
#include "jc-vault-task.h"

struct _JcSetupPage
{
  AdwBin          parent_instance;

  JcVault        *vault;
  gboolean        busy;
  gboolean        disposed;

  AdwEntryRow    *name_row;
  AdwEntryRow    *pin_row;
  AdwEntryRow    *pin_again_row;
  JcPinStrength  *strength;
  GtkLabel       *error_label;
  GtkButton      *create_button;
  GtkSpinner     *spinner;
};

G_DEFINE_FINAL_TYPE (JcSetupPage, jc_setup_page, ADW_TYPE_BIN)

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
name_valid (JcSetupPage *self)
{
  g_autofree char *name = g_strstrip (g_strdup (text_of (self->name_row)));

  return *name != '\0';
}

static void
update (JcSetupPage *self)
{
  gboolean pin_ok = jc_pin_strength_widget_update (self->strength, text_of (self->pin_row),
                                                   text_of (self->pin_again_row));

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button),
                            self->vault != NULL && !self->busy && pin_ok && name_valid (self));
  gtk_editable_set_editable (GTK_EDITABLE (self->name_row), !self->busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->pin_row), !self->busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->pin_again_row), !self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
on_changed (JcSetupPage *self)
{
  /* The rows empty themselves as they are disposed. */
  if (self->disposed)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update (self);
}

static void
show_error (JcSetupPage *self, const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(JcSetupPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  if (!jc_vault_task_finish (JC_VAULT (source), result, &error))
    {
      /* The core's messages are already in plain words and translated. */
      show_error (self, error->message);
      update (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
      return;
    }
  /* The PIN has done its job; it stays in no widget. */
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->pin_again_row), "");
  update (self);
}

static void
on_create_clicked (JcSetupPage *self)
{
  g_autofree char *name = NULL;

  update (self);
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->create_button)))
    return;

  name = g_strstrip (g_strdup (text_of (self->name_row)));
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  self->busy = TRUE;
  update (self);
  jc_vault_task_create_async (self->vault, text_of (self->pin_row), name, NULL,
                              on_created, g_object_ref (self));
}

static void
on_name_activated (JcSetupPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
}

static void
on_pin_activated (JcSetupPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_again_row));
}

void
jc_setup_page_set_vault (JcSetupPage *self, JcVault *vault)
{
  g_return_if_fail (JC_IS_SETUP_PAGE (self));

  g_set_object (&self->vault, vault);
  update (self);
}

void
jc_setup_page_focus (JcSetupPage *self)
{
  g_return_if_fail (JC_IS_SETUP_PAGE (self));

  if (!name_valid (self))
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
}

static void
jc_setup_page_dispose (GObject *object)
{
  JcSetupPage *self = JC_SETUP_PAGE (object);

  self->disposed = TRUE;
  g_clear_object (&self->vault);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_SETUP_PAGE);
  G_OBJECT_CLASS (jc_setup_page_parent_class)->dispose (object);
}

static void
jc_setup_page_class_init (JcSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_setup_page_dispose;

  g_type_ensure (JC_TYPE_PIN_STRENGTH);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-setup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JcSetupPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, JcSetupPage, pin_row);
  gtk_widget_class_bind_template_child (widget_class, JcSetupPage, pin_again_row);
  gtk_widget_class_bind_template_child (widget_class, JcSetupPage, strength);
  gtk_widget_class_bind_template_child (widget_class, JcSetupPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcSetupPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, JcSetupPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_name_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_pin_activated);
}

static void
jc_setup_page_init (JcSetupPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

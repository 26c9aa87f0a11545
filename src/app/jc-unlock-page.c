/* jc-unlock-page.c — the locked vault asks for its PIN
 *
 * A wrong PIN clears the field and says so with the attempt count; after
 * a few, the key file makes the inspector wait, and the message says how
 * long. Both messages come from the core, already in plain words.
 */
#define G_LOG_DOMAIN "jiancha-unlock-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-unlock-page.h"
#include "jc-vault-task.h"

struct _JcUnlockPage
{
  AdwBin       parent_instance;

  JcVault     *vault;
  gboolean     busy;
  gboolean     disposed;

  GtkLabel    *inspector_label;
  AdwEntryRow *pin_row;
  GtkLabel    *error_label;
  GtkButton   *unlock_button;
  GtkSpinner  *spinner;
};

G_DEFINE_FINAL_TYPE (JcUnlockPage, jc_unlock_page, ADW_TYPE_BIN)

static void
update (JcUnlockPage *self)
{
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));

  gtk_widget_set_sensitive (GTK_WIDGET (self->unlock_button), self->vault != NULL && !self->busy && *pin != '\0');
  gtk_editable_set_editable (GTK_EDITABLE (self->pin_row), !self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
on_unlocked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(JcUnlockPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = jc_vault_task_finish (JC_VAULT (source), result, &error);

  self->busy = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
  if (!ok)
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      update (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update (self);
}

static void
on_unlock_clicked (JcUnlockPage *self)
{
  update (self);
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->unlock_button)))
    return;

  self->busy = TRUE;
  update (self);
  jc_vault_task_unlock_async (self->vault, gtk_editable_get_text (GTK_EDITABLE (self->pin_row)), NULL,
                              on_unlocked, g_object_ref (self));
}

static void
on_changed (JcUnlockPage *self)
{
  /* The rows empty themselves as they are disposed. */
  if (self->disposed)
    return;
  update (self);
}

void
jc_unlock_page_set_vault (JcUnlockPage *self, JcVault *vault)
{
  g_return_if_fail (JC_IS_UNLOCK_PAGE (self));

  g_set_object (&self->vault, vault);
  update (self);
}

void
jc_unlock_page_set_inspector (JcUnlockPage *self, const char *inspector)
{
  g_return_if_fail (JC_IS_UNLOCK_PAGE (self));

  if (inspector != NULL && *inspector != '\0')
    {
      g_autofree char *text = g_strdup_printf (_("%s, enter your PIN to unlock the vault."), inspector);
      gtk_label_set_label (self->inspector_label, text);
    }
  else
    gtk_label_set_label (self->inspector_label, _("Enter your PIN to unlock the vault."));
}

void
jc_unlock_page_focus (JcUnlockPage *self)
{
  g_return_if_fail (JC_IS_UNLOCK_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
}

static void
jc_unlock_page_dispose (GObject *object)
{
  JcUnlockPage *self = JC_UNLOCK_PAGE (object);

  self->disposed = TRUE;
  g_clear_object (&self->vault);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_UNLOCK_PAGE);
  G_OBJECT_CLASS (jc_unlock_page_parent_class)->dispose (object);
}

static void
jc_unlock_page_class_init (JcUnlockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_unlock_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-unlock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JcUnlockPage, inspector_label);
  gtk_widget_class_bind_template_child (widget_class, JcUnlockPage, pin_row);
  gtk_widget_class_bind_template_child (widget_class, JcUnlockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcUnlockPage, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, JcUnlockPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_clicked);
}

static void
jc_unlock_page_init (JcUnlockPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  jc_unlock_page_set_inspector (self, NULL);
  update (self);
}

/* jc-change-pin-dialog.c — the current PIN and a new one, twice
 *
 * Only the wrapping of the data key changes (jc_vault_change_pin), so
 * this is quick apart from Argon2id, which runs in a thread while the
 * dialog shows a spinner. A wrong current PIN is said in the dialog,
 * which stays open.
 */
#define G_LOG_DOMAIN "jiancha-change-pin"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-change-pin-dialog.h"
#include "jc-pin-strength.h"
#include "jc-vault-task.h"

struct _JcChangePinDialog
{
  JcFormDialog      parent_instance;

  JcVault          *vault;
  gboolean          disposed;

  AdwEntryRow      *current_row;
  AdwEntryRow      *new_row;
  AdwEntryRow      *new_again_row;
  JcPinStrength    *strength;
  GtkLabel         *error_label;
  GtkSpinner       *spinner;
};

G_DEFINE_FINAL_TYPE (JcChangePinDialog, jc_change_pin_dialog, JC_TYPE_FORM_DIALOG)

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
update (JcChangePinDialog *self)
{
  gboolean busy = jc_form_dialog_get_busy (JC_FORM_DIALOG (self));
  gboolean new_ok = jc_pin_strength_widget_update (self->strength, text_of (self->new_row),
                                                   text_of (self->new_again_row));
  gboolean ok = !busy && new_ok && *text_of (self->current_row) != '\0';

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "change", ok);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "cancel", !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->current_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->new_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->new_again_row), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  return ok;
}

static void
on_changed (JcChangePinDialog *self)
{
  /* The rows empty themselves as they are disposed. */
  if (self->disposed)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update (self);
}

static void
on_pin_changed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(JcChangePinDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = jc_vault_task_finish (JC_VAULT (source), result, &error);

  jc_form_dialog_set_busy (JC_FORM_DIALOG (self), FALSE);
  if (ok)
    {
      jc_form_dialog_done (JC_FORM_DIALOG (self));
      return;
    }
  update (self);
  /* Emptied first: any edit hides the message. */
  if (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WEAK_PIN))
    gtk_widget_grab_focus (GTK_WIDGET (self->new_row));
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->current_row), "");
      gtk_widget_grab_focus (GTK_WIDGET (self->current_row));
    }
  gtk_label_set_label (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
change (JcChangePinDialog *self)
{
  if (!update (self))
    return;
  jc_form_dialog_set_busy (JC_FORM_DIALOG (self), TRUE);
  update (self);
  jc_vault_task_change_pin_async (self->vault, text_of (self->current_row), text_of (self->new_row),
                                  NULL, on_pin_changed, g_object_ref (self));
}

static void
jc_change_pin_dialog_respond (JcFormDialog *dialog, const char *response)
{
  if (g_strcmp0 (response, "change") == 0)
    change (JC_CHANGE_PIN_DIALOG (dialog));
}

static void
on_current_activated (JcChangePinDialog *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->new_row));
}

static void
on_new_activated (JcChangePinDialog *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->new_again_row));
}

static void
on_new_again_activated (JcChangePinDialog *self)
{
  change (self);
}

static void
jc_change_pin_dialog_dispose (GObject *object)
{
  JcChangePinDialog *self = JC_CHANGE_PIN_DIALOG (object);

  self->disposed = TRUE;
  g_clear_object (&self->vault);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_CHANGE_PIN_DIALOG);
  G_OBJECT_CLASS (jc_change_pin_dialog_parent_class)->dispose (object);
}

static void
jc_change_pin_dialog_class_init (JcChangePinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  JcFormDialogClass *dialog_class = JC_FORM_DIALOG_CLASS (klass);

  object_class->dispose = jc_change_pin_dialog_dispose;
  dialog_class->respond = jc_change_pin_dialog_respond;

  g_type_ensure (JC_TYPE_PIN_STRENGTH);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-change-pin-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JcChangePinDialog, current_row);
  gtk_widget_class_bind_template_child (widget_class, JcChangePinDialog, new_row);
  gtk_widget_class_bind_template_child (widget_class, JcChangePinDialog, new_again_row);
  gtk_widget_class_bind_template_child (widget_class, JcChangePinDialog, strength);
  gtk_widget_class_bind_template_child (widget_class, JcChangePinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcChangePinDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_current_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_new_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_new_again_activated);
}

static void
jc_change_pin_dialog_init (JcChangePinDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
jc_change_pin_dialog_close (JcChangePinDialog *self)
{
  g_return_if_fail (JC_IS_CHANGE_PIN_DIALOG (self));

  jc_form_dialog_close (JC_FORM_DIALOG (self));
}

JcChangePinDialog *
jc_change_pin_dialog_new (GtkWindow *parent, JcVault *vault)
{
  JcChangePinDialog *self = g_object_new (JC_TYPE_CHANGE_PIN_DIALOG,
                                          "transient-for", parent,
                                          "modal", TRUE,
                                          NULL);

  self->vault = g_object_ref (vault);
  update (self);
  return self;
}

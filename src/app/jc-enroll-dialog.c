/* jc-enroll-dialog.c — enrolling this device with HQ: address, one-time code, PIN
 *
 * The same steps as `jiancha-cli enroll` (jc_sync_enroll): the request to
 * HQ and Argon2id (the PIN rewraps the key file beside HQ's new recovery
 * slot) run in a thread while the dialog shows a spinner; what went wrong
 * is said in the dialog, which stays open. The vault is held meanwhile, so
 * it cannot be locked under the enrollment.
 */
#define G_LOG_DOMAIN "jiancha-enroll"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "jc-enroll-dialog.h"
#include "jc-sync-enroll.h"
#include "jc-vault-task.h"

struct _JcEnrollDialog
{
  JcFormDialog      parent_instance;

  JcVault          *vault;
  gboolean          disposed;

  AdwEntryRow      *url_row;
  AdwEntryRow      *code_row;
  AdwEntryRow      *pin_row;
  GtkLabel         *error_label;
  GtkSpinner       *spinner;
};

G_DEFINE_FINAL_TYPE (JcEnrollDialog, jc_enroll_dialog, JC_TYPE_FORM_DIALOG)

typedef struct {
  JcVault *vault;
  char    *url;
  char    *code;
  char    *pin;
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->vault);
  g_free (job->url);
  g_free (job->code);
  sodium_memzero (job->pin, strlen (job->pin));
  g_free (job->pin);
  g_free (job);
}

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
update (JcEnrollDialog *self)
{
  gboolean busy = jc_form_dialog_get_busy (JC_FORM_DIALOG (self));
  g_autofree char *url = g_strstrip (g_strdup (text_of (self->url_row)));
  g_autofree char *code = g_strstrip (g_strdup (text_of (self->code_row)));
  gboolean ok = !busy && *url != '\0' && *code != '\0' && *text_of (self->pin_row) != '\0';

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "enroll", ok);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "cancel", !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->url_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->code_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->pin_row), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  return ok;
}

static void
on_changed (JcEnrollDialog *self)
{
  /* The rows empty themselves as they are disposed. */
  if (self->disposed)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update (self);
}

static void
enroll_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (jc_sync_enroll (job->vault, job->pin, job->url, job->code, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_enrolled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JcEnrollDialog *self = JC_ENROLL_DIALOG (source);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  jc_vault_task_release (self->vault);
  jc_form_dialog_set_busy (JC_FORM_DIALOG (self), FALSE);
  if (ok)
    {
      jc_form_dialog_done (JC_FORM_DIALOG (self));
      return;
    }
  update (self);
  if (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
      gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
    }
  gtk_label_set_label (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
enroll (JcEnrollDialog *self)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (!update (self))
    return;
  job = g_new0 (Job, 1);
  job->vault = g_object_ref (self->vault);
  job->url = g_strstrip (g_strdup (text_of (self->url_row)));
  job->code = g_strstrip (g_strdup (text_of (self->code_row)));
  job->pin = g_strdup (text_of (self->pin_row));
  jc_form_dialog_set_busy (JC_FORM_DIALOG (self), TRUE);
  update (self);
  jc_vault_task_hold (self->vault);
  task = g_task_new (self, NULL, on_enrolled, NULL);
  g_task_set_source_tag (task, enroll);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, enroll_thread);
}

static void
jc_enroll_dialog_respond (JcFormDialog *dialog, const char *response)
{
  if (g_strcmp0 (response, "enroll") == 0)
    enroll (JC_ENROLL_DIALOG (dialog));
}

static void
on_url_activated (JcEnrollDialog *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
on_code_activated (JcEnrollDialog *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
}

static void
on_pin_activated (JcEnrollDialog *self)
{
  enroll (self);
}

static void
jc_enroll_dialog_dispose (GObject *object)
{
  JcEnrollDialog *self = JC_ENROLL_DIALOG (object);

  self->disposed = TRUE;
  g_clear_object (&self->vault);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_ENROLL_DIALOG);
  G_OBJECT_CLASS (jc_enroll_dialog_parent_class)->dispose (object);
}

static void
jc_enroll_dialog_class_init (JcEnrollDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  JcFormDialogClass *dialog_class = JC_FORM_DIALOG_CLASS (klass);

  object_class->dispose = jc_enroll_dialog_dispose;
  dialog_class->respond = jc_enroll_dialog_respond;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-enroll-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JcEnrollDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, JcEnrollDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, JcEnrollDialog, pin_row);
  gtk_widget_class_bind_template_child (widget_class, JcEnrollDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcEnrollDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_url_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_code_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_pin_activated);
}

static void
jc_enroll_dialog_init (JcEnrollDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
jc_enroll_dialog_close (JcEnrollDialog *self)
{
  g_return_if_fail (JC_IS_ENROLL_DIALOG (self));

  if (!jc_form_dialog_get_busy (JC_FORM_DIALOG (self)))
    jc_form_dialog_close (JC_FORM_DIALOG (self));
}

JcEnrollDialog *
jc_enroll_dialog_new (GtkWindow *parent, JcVault *vault)
{
  JcEnrollDialog *self = g_object_new (JC_TYPE_ENROLL_DIALOG,
                                       "transient-for", parent,
                                       "modal", TRUE,
                                       NULL);

  self->vault = g_object_ref (vault);
  update (self);
  return self;
}

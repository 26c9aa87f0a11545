/* jc-form-dialog.c — an AdwMessageDialog that stays open while its work runs
 *
 * AdwMessageDialog closes itself before it emits ::response. So a close is
 * held back and decided on by the response that follows it, or, when none
 * does (Escape, the window's close button), answered as the close
 * response.
 */
#define G_LOG_DOMAIN "jiancha-form-dialog"

#include "config.h"

#include "jc-form-dialog.h"

typedef struct
{
  gboolean busy;
  gboolean may_close;
  gboolean close_requested;
} JcFormDialogPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (JcFormDialog, jc_form_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum { DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

void
jc_form_dialog_close (JcFormDialog *self)
{
  JcFormDialogPrivate *priv = jc_form_dialog_get_instance_private (self);

  g_return_if_fail (JC_IS_FORM_DIALOG (self));

  priv->may_close = TRUE;
  /* An AdwEntryRow that still holds the focus when its window goes
   * trips over its own focus tracking in libadwaita 1.2. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
jc_form_dialog_done (JcFormDialog *self)
{
  g_return_if_fail (JC_IS_FORM_DIALOG (self));

  g_signal_emit (self, signals[DONE], 0);
  jc_form_dialog_close (self);
}

static void
jc_form_dialog_response (AdwMessageDialog *dialog, const char *response)
{
  JcFormDialog *self = JC_FORM_DIALOG (dialog);
  JcFormDialogPrivate *priv = jc_form_dialog_get_instance_private (self);

  priv->close_requested = FALSE;
  if (g_strcmp0 (response, adw_message_dialog_get_close_response (dialog)) != 0 &&
      JC_FORM_DIALOG_GET_CLASS (self)->respond != NULL)
    JC_FORM_DIALOG_GET_CLASS (self)->respond (self, response);
  else if (!priv->busy)
    jc_form_dialog_close (self);
}

static gboolean
close_unanswered (gpointer data)
{
  JcFormDialog *self = data;
  JcFormDialogPrivate *priv = jc_form_dialog_get_instance_private (self);

  if (priv->close_requested && !priv->busy)
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (self),
                                 adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (self)));
  return G_SOURCE_REMOVE;
}

static gboolean
jc_form_dialog_close_request (GtkWindow *window)
{
  JcFormDialog *self = JC_FORM_DIALOG (window);
  JcFormDialogPrivate *priv = jc_form_dialog_get_instance_private (self);

  if (priv->may_close)
    return GTK_WINDOW_CLASS (jc_form_dialog_parent_class)->close_request (window);
  if (!priv->busy && !priv->close_requested)
    {
      priv->close_requested = TRUE;
      g_idle_add_full (G_PRIORITY_HIGH_IDLE, close_unanswered, g_object_ref (self), g_object_unref);
    }
  return TRUE;
}

static void
jc_form_dialog_class_init (JcFormDialogClass *klass)
{
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  window_class->close_request = jc_form_dialog_close_request;
  dialog_class->response = jc_form_dialog_response;

  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
jc_form_dialog_init (JcFormDialog *self)
{
}

void
jc_form_dialog_set_busy (JcFormDialog *self, gboolean busy)
{
  JcFormDialogPrivate *priv = jc_form_dialog_get_instance_private (self);

  g_return_if_fail (JC_IS_FORM_DIALOG (self));

  priv->busy = busy;
}

gboolean
jc_form_dialog_get_busy (JcFormDialog *self)
{
  JcFormDialogPrivate *priv = jc_form_dialog_get_instance_private (self);

  g_return_val_if_fail (JC_IS_FORM_DIALOG (self), FALSE);

  return priv->busy;
}

/* jc-form-dialog.h — an AdwMessageDialog that stays open while its work runs
 *
 * A form in a message dialog (Change PIN, Enroll) runs its work in a
 * thread and shows what went wrong in place, so it must not close when a
 * response is chosen. Subclasses get ::respond for every response but the
 * close response, and say when they are busy.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JC_TYPE_FORM_DIALOG (jc_form_dialog_get_type ())
G_DECLARE_DERIVABLE_TYPE (JcFormDialog, jc_form_dialog, JC, FORM_DIALOG, AdwMessageDialog)

struct _JcFormDialogClass
{
  AdwMessageDialogClass parent_class;

  /* A response other than the close response (e.g. "change"). */
  void (*respond) (JcFormDialog *self,
                   const char   *response);
};

/* While busy, neither the close response nor Escape closes the dialog. */
void     jc_form_dialog_set_busy (JcFormDialog *self,
                                  gboolean      busy);
gboolean jc_form_dialog_get_busy (JcFormDialog *self);
/* Closes it for good (the vault was locked). */
void     jc_form_dialog_close    (JcFormDialog *self);
/* The work is done: emits "done", then closes. */
void     jc_form_dialog_done     (JcFormDialog *self);

G_END_DECLS

/* jc-change-pin-dialog.h — the current PIN and a new one, twice */
#pragma once

#include <adwaita.h>

#include "jc-form-dialog.h"

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_CHANGE_PIN_DIALOG (jc_change_pin_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JcChangePinDialog, jc_change_pin_dialog, JC, CHANGE_PIN_DIALOG, JcFormDialog)

/* Emits "done" and closes itself once the PIN is changed. */
JcChangePinDialog *jc_change_pin_dialog_new (GtkWindow *parent,
                                             JcVault   *vault);
/* Closes it without changing anything (the vault was locked meanwhile). */
void               jc_change_pin_dialog_close (JcChangePinDialog *self);

G_END_DECLS

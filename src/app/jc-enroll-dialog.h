/* jc-enroll-dialog.h — enrolling this device with HQ: address, one-time code, PIN */
#pragma once

#include <adwaita.h>

#include "jc-form-dialog.h"

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_ENROLL_DIALOG (jc_enroll_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JcEnrollDialog, jc_enroll_dialog, JC, ENROLL_DIALOG, JcFormDialog)

/* Emits "done" and closes itself once the device is enrolled. */
JcEnrollDialog *jc_enroll_dialog_new   (GtkWindow      *parent,
                                        JcVault        *vault);
/* Closes it without enrolling (the vault was locked meanwhile). */
void            jc_enroll_dialog_close (JcEnrollDialog *self);

G_END_DECLS

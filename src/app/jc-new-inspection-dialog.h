/* jc-new-inspection-dialog.h — start an inspection: institution, form, team, date */
#pragma once

#include <adwaita.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_NEW_INSPECTION_DIALOG (jc_new_inspection_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JcNewInspectionDialog, jc_new_inspection_dialog, JC, NEW_INSPECTION_DIALOG, AdwWindow)

/* Emits "created" (the new inspection's id) and closes once it is made. */
JcNewInspectionDialog *jc_new_inspection_dialog_new (GtkWindow *parent,
                                                     JcVault   *vault);

G_END_DECLS

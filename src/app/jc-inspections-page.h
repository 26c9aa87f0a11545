/* jc-inspections-page.h — the place Inspections: the list, a new one, one open */
#pragma once

#include <adwaita.h>

#include "jc-core.h"
#include "jc-inspection-view.h"
#include "jc-new-inspection-dialog.h"

G_BEGIN_DECLS

#define JC_TYPE_INSPECTIONS_PAGE (jc_inspections_page_get_type ())
G_DECLARE_FINAL_TYPE (JcInspectionsPage, jc_inspections_page, JC, INSPECTIONS_PAGE, AdwBin)

/* The page follows the vault: filled when it unlocks, emptied when it locks. */
void                   jc_inspections_page_set_vault       (JcInspectionsPage *self,
                                                            JcVault           *vault);
JcVault               *jc_inspections_page_get_vault       (JcInspectionsPage *self);
/* Reads the list of inspections again. */
void                   jc_inspections_page_reload          (JcInspectionsPage *self);
/* Opens the New Inspection dialog (what "+" does) and returns it. */
JcNewInspectionDialog *jc_inspections_page_new_inspection  (JcInspectionsPage *self);
gboolean               jc_inspections_page_open_inspection (JcInspectionsPage *self,
                                                            const char        *id);
JcInspectionView      *jc_inspections_page_get_view        (JcInspectionsPage *self);
/* Saves what is being typed now rather than after the typing pause:
 * call it before locking the vault. */
void                   jc_inspections_page_flush           (JcInspectionsPage *self);
gboolean               jc_inspections_page_get_at_top      (JcInspectionsPage *self);
/* "empty", "list" or "inspection". */
const char            *jc_inspections_page_get_shown       (JcInspectionsPage *self);

G_END_DECLS

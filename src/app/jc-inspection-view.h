/* jc-inspection-view.h — one inspection: progress, search, filter, the items */
#pragma once

#include <adwaita.h>

#include "jc-core.h"
#include "jc-finding-view.h"
#include "jc-item-editor.h"

G_BEGIN_DECLS

#define JC_TYPE_INSPECTION_VIEW (jc_inspection_view_get_type ())
G_DECLARE_FINAL_TYPE (JcInspectionView, jc_inspection_view, JC, INSPECTION_VIEW, AdwBin)

/* FALSE, with the reason shown in the view, when it cannot be read. */
gboolean      jc_inspection_view_set_inspection (JcInspectionView *self,
                                                 JcVault          *vault,
                                                 const char       *id,
                                                 GError          **error);
const char   *jc_inspection_view_get_id         (JcInspectionView *self);
/* The items shown (JcItemObject), after search and filter. */
GListModel   *jc_inspection_view_get_items      (JcInspectionView *self);
/* Opens the editor on the item @code; FALSE when the list has no such item. */
gboolean      jc_inspection_view_open_item      (JcInspectionView *self,
                                                 const char       *code);
/* The next item not yet checked, after the one open (if any). */
gboolean      jc_inspection_view_open_next_unchecked (JcInspectionView *self);
JcItemEditor *jc_inspection_view_get_editor     (JcInspectionView *self);
/* The pages that seal, confirm and show a finding of this inspection. */
JcFindingView *jc_inspection_view_get_finding_view (JcInspectionView *self);
/* Back to the list of items, everything saved. */
void          jc_inspection_view_show_items     (JcInspectionView *self);
/* Saves what is being typed. */
void          jc_inspection_view_flush          (JcInspectionView *self);

G_END_DECLS

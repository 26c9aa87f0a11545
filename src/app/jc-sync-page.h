/* jc-sync-page.h — the place Sync: what waits, HQ's receipts, Sync now, USB */
#pragma once

#include <adwaita.h>

#include "jc-core.h"
#include "jc-sync-manager.h"

G_BEGIN_DECLS

#define JC_TYPE_SYNC_PAGE (jc_sync_page_get_type ())
G_DECLARE_FINAL_TYPE (JcSyncPage, jc_sync_page, JC, SYNC_PAGE, AdwBin)

/* The page shows @manager's state and syncs through it. */
void        jc_sync_page_set_manager (JcSyncPage    *self,
                                      JcVault       *vault,
                                      JcSyncManager *manager);
/* "enroll" (not enrolled yet) or "status". */
const char *jc_sync_page_get_shown   (JcSyncPage    *self);

G_END_DECLS

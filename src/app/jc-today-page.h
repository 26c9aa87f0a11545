/* jc-today-page.h — the place Today (今日任务): HQ's assignments for this inspector */
#pragma once

#include <adwaita.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_TODAY_PAGE (jc_today_page_get_type ())
G_DECLARE_FINAL_TYPE (JcTodayPage, jc_today_page, JC, TODAY_PAGE, AdwBin)

/* The page follows the vault: filled when it unlocks, emptied when it locks. */
void        jc_today_page_set_vault  (JcTodayPage *self,
                                      JcVault     *vault);
/* Reads the assignments again (after a sync, when the place is shown). */
void        jc_today_page_reload     (JcTodayPage *self);
/* What 开始检查 (or 继续检查) of assignment @id does: creates its inspection
 * when there is none yet, then emits "open-inspection" with its id. */
gboolean    jc_today_page_start      (JcTodayPage *self,
                                      const char  *id);
/* "empty" or "list". */
const char *jc_today_page_get_shown  (JcTodayPage *self);

G_END_DECLS

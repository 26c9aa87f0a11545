/* jc-unlock-page.h — the locked vault asks for its PIN */
#pragma once

#include <adwaita.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_UNLOCK_PAGE (jc_unlock_page_get_type ())
G_DECLARE_FINAL_TYPE (JcUnlockPage, jc_unlock_page, JC, UNLOCK_PAGE, AdwBin)

void jc_unlock_page_set_vault     (JcUnlockPage *self,
                                   JcVault      *vault);
/* The name shown above the PIN, NULL when it is not known: the name is
 * inside the encrypted vault, so only a session that unlocked it knows. */
void jc_unlock_page_set_inspector (JcUnlockPage *self,
                                   const char   *inspector);
void jc_unlock_page_focus         (JcUnlockPage *self);

G_END_DECLS

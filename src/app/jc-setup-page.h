/* jc-setup-page.h — first run: the inspector's name and a new PIN make the vault */
#pragma once

#include <adwaita.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_SETUP_PAGE (jc_setup_page_get_type ())
G_DECLARE_FINAL_TYPE (JcSetupPage, jc_setup_page, JC, SETUP_PAGE, AdwBin)

void jc_setup_page_set_vault   (JcSetupPage *self,
                                JcVault     *vault);
/* Puts the keyboard focus where typing starts. */
void jc_setup_page_focus       (JcSetupPage *self);

G_END_DECLS

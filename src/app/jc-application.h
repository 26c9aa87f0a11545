/* jc-application.h — the Jiancha application */
#pragma once

#include <adwaita.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_APPLICATION (jc_application_get_type ())
G_DECLARE_FINAL_TYPE (JcApplication, jc_application, JC, APPLICATION, AdwApplication)

JcApplication *jc_application_new        (void);
/* The device's one vault: $JIANCHA_VAULT_DIR or DATADIR/jiancha/vault. */
JcVault       *jc_application_get_vault  (JcApplication *self);
/* Locks the vault now, or as soon as a running unlock or PIN change ends;
 * while it waits, "lock-waiting" asks work that can stop early to stop. */
void           jc_application_lock       (JcApplication *self);

/* Registers the app's GResource; main() and the UI tests call it once. */
void           jc_application_register_resources (void);

G_END_DECLS

/* jc-application.h — the Jiancha application */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JC_TYPE_APPLICATION (jc_application_get_type ())
G_DECLARE_FINAL_TYPE (JcApplication, jc_application, JC, APPLICATION, AdwApplication)

JcApplication *jc_application_new (void);

/* Registers the app's GResource; main() and the UI tests call it once. */
void           jc_application_register_resources (void);

G_END_DECLS

/* jc-preferences-window.h — the app's settings */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JC_TYPE_PREFERENCES_WINDOW (jc_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (JcPreferencesWindow, jc_preferences_window, JC, PREFERENCES_WINDOW, AdwPreferencesWindow)

JcPreferencesWindow *jc_preferences_window_new (GtkWindow *parent);

G_END_DECLS

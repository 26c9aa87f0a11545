/* jc-ui-test.h — driving the real window under Xvfb */
#pragma once

#include <adwaita.h>

#include "jc-vault.h"

G_BEGIN_DECLS

/* Starts the real application (resources, startup, activate) and returns
 * its window once it has been drawn at @width × @height. */
GtkWindow *jc_ui_start          (int          width,
                                 int          height);
void       jc_ui_stop           (GtkWindow   *window);

/* Like jc_ui_start(), with a new vault (PIN JC_UI_PIN) made in a fresh
 * $JIANCHA_VAULT_DIR and unlocked, so the window shows the places. */
#define JC_UI_PIN "Jc-ui-test-7406"
GtkWindow *jc_ui_start_unlocked (int          width,
                                 int          height);

/* Spins the main loop until @done (@data) is TRUE, or fails the test
 * after a few seconds naming @what. */
typedef gboolean (*JcUiCondition) (gpointer data);
void       jc_ui_wait_until     (JcUiCondition done,
                                 gpointer      data,
                                 const char   *what);

/* Spins the main loop until the window has painted a new frame and no
 * transition is running, or fails the test after a few seconds. */
void       jc_ui_wait_drawn     (GtkWindow   *window);

/* Renders the window as it is on screen into $JIANCHA_BUILD_DIR/screenshots/NAME.png. */
char      *jc_ui_screenshot     (GtkWindow   *window,
                                 const char  *name);

/* jc_ui_screenshot() once the window is drawn; NAME ending in "-360"
 * also fails the test when anything pushed the window wider than 360 px. */
void       jc_ui_shot           (GtkWindow   *window,
                                 const char  *name);

/* The application's vault (the one the window shows). */
JcVault   *jc_ui_app_vault      (GtkWindow   *window);

/* Clicks @button, which must be sensitive; types @text into @editable. */
void       jc_ui_click          (gpointer     button);
void       jc_ui_set_text       (gpointer     editable,
                                 const char  *text);

/* The template child @name of @widget (of type @type). */
gpointer   jc_ui_child          (gpointer     widget,
                                 GType        type,
                                 const char  *name);

G_END_DECLS

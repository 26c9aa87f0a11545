/* jc-window.h — the main window */
#pragma once

#include <adwaita.h>

#include "jc-application.h"
#include "jc-change-pin-dialog.h"
#include "jc-sync-manager.h"

G_BEGIN_DECLS

#define JC_TYPE_WINDOW (jc_window_get_type ())
G_DECLARE_FINAL_TYPE (JcWindow, jc_window, JC, WINDOW, AdwApplicationWindow)

JcWindow   *jc_window_new            (JcApplication *app);
/* The place shown: "assignments", "inspections", "findings", "scan" or "sync". */
const char *jc_window_get_place      (JcWindow      *self);
void        jc_window_show_place     (JcWindow      *self,
                                      const char    *place);
/* The Change PIN dialog while it is open, else NULL. */
JcChangePinDialog *jc_window_get_change_pin_dialog (JcWindow *self);
/* When and how the window syncs with HQ. */
JcSyncManager     *jc_window_get_sync_manager      (JcWindow *self);

G_END_DECLS

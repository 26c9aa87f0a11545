/* jc-capture-panel.h — the camera's live preview and shutter, or a voice note's timer and stop */
#pragma once

#include <adwaita.h>

#include "jc-capture.h"

G_BEGIN_DECLS

#define JC_TYPE_CAPTURE_PANEL (jc_capture_panel_get_type ())
G_DECLARE_FINAL_TYPE (JcCapturePanel, jc_capture_panel, JC, CAPTURE_PANEL, AdwBin)

/* Opens the camera (and shows its preview) or starts recording; on
 * failure nothing runs and the error says why. */
gboolean   jc_capture_panel_start       (JcCapturePanel *self,
                                         JcCaptureKind   kind,
                                         GError        **error);
/* Stops and drops what was captured; emits "closed". */
void       jc_capture_panel_cancel      (JcCapturePanel *self);
/* TRUE once the preview shows a frame from the camera. */
gboolean   jc_capture_panel_has_frame   (JcCapturePanel *self);
/* The running capture, or NULL. */
JcCapture *jc_capture_panel_get_capture (JcCapturePanel *self);

G_END_DECLS

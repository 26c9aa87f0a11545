/* jc-frame-paintable.h — the camera's preview: the newest frame, as one paintable */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define JC_TYPE_FRAME_PAINTABLE (jc_frame_paintable_get_type ())
G_DECLARE_FINAL_TYPE (JcFramePaintable, jc_frame_paintable, JC, FRAME_PAINTABLE, GObject)

JcFramePaintable *jc_frame_paintable_new         (void);
/* Shows @frame (NULL: nothing); only a change of size relayouts. */
void              jc_frame_paintable_set_texture (JcFramePaintable *self,
                                                  GdkTexture       *frame);
GdkTexture       *jc_frame_paintable_get_texture (JcFramePaintable *self);

G_END_DECLS

/* jc-frame-paintable.c — the camera's preview: the newest frame, as one paintable
 *
 * Giving a GtkPicture a new texture for every frame relayouts the whole
 * page 15–30 times a second; this paintable stays the same object and
 * only says that its contents changed, unless the frame size did.
 */
#define G_LOG_DOMAIN "jiancha-frame-paintable"

#include "config.h"

#include "jc-frame-paintable.h"

struct _JcFramePaintable
{
  GObject     parent_instance;

  GdkTexture *frame;
};

static void jc_frame_paintable_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JcFramePaintable, jc_frame_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, jc_frame_paintable_paintable_init))

static void
jc_frame_paintable_snapshot (GdkPaintable *paintable, GdkSnapshot *snapshot, double width, double height)
{
  JcFramePaintable *self = JC_FRAME_PAINTABLE (paintable);

  if (self->frame != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->frame), snapshot, width, height);
}

static int
jc_frame_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  JcFramePaintable *self = JC_FRAME_PAINTABLE (paintable);

  return self->frame != NULL ? gdk_texture_get_width (self->frame) : 0;
}

static int
jc_frame_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  JcFramePaintable *self = JC_FRAME_PAINTABLE (paintable);

  return self->frame != NULL ? gdk_texture_get_height (self->frame) : 0;
}

static void
jc_frame_paintable_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = jc_frame_paintable_snapshot;
  iface->get_intrinsic_width = jc_frame_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = jc_frame_paintable_get_intrinsic_height;
}

JcFramePaintable *
jc_frame_paintable_new (void)
{
  return g_object_new (JC_TYPE_FRAME_PAINTABLE, NULL);
}

void
jc_frame_paintable_set_texture (JcFramePaintable *self, GdkTexture *frame)
{
  gboolean same_size;

  g_return_if_fail (JC_IS_FRAME_PAINTABLE (self));

  same_size = self->frame != NULL && frame != NULL &&
              gdk_texture_get_width (self->frame) == gdk_texture_get_width (frame) &&
              gdk_texture_get_height (self->frame) == gdk_texture_get_height (frame);
  g_set_object (&self->frame, frame);
  if (!same_size)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

GdkTexture *
jc_frame_paintable_get_texture (JcFramePaintable *self)
{
  g_return_val_if_fail (JC_IS_FRAME_PAINTABLE (self), NULL);

  return self->frame;
}

static void
jc_frame_paintable_dispose (GObject *object)
{
  JcFramePaintable *self = JC_FRAME_PAINTABLE (object);

  g_clear_object (&self->frame);
  G_OBJECT_CLASS (jc_frame_paintable_parent_class)->dispose (object);
}

static void
jc_frame_paintable_class_init (JcFramePaintableClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = jc_frame_paintable_dispose;
}

static void
jc_frame_paintable_init (JcFramePaintable *self)
{
}

/* jc-capture-panel.c — the camera's live preview and shutter, or a voice note's timer and stop
 *
 * It only captures: what it took goes out with "captured" (the bytes, the
 * media type, a name), and the item editor stores it like a file.
 */
#define G_LOG_DOMAIN "jiancha-capture-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-capture-panel.h"
#include "jc-frame-paintable.h"

struct _JcCapturePanel
{
  AdwBin            parent_instance;

  JcCapture        *capture;
  JcFramePaintable *frames;
  GCancellable     *cancellable;
  guint             timer_id;

  GtkStack         *stack;
  GtkPicture       *preview;
  GtkLabel         *timer_label;
  GtkLabel         *status_label;
  GtkButton        *cancel_button;
  GtkButton        *action_button;
  AdwButtonContent *action_content;
};

G_DEFINE_FINAL_TYPE (JcCapturePanel, jc_capture_panel, ADW_TYPE_BIN)

enum { SIGNAL_CAPTURED, SIGNAL_CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_status (JcCapturePanel *self, const char *message, gboolean is_error)
{
  gtk_label_set_label (self->status_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
stop (JcCapturePanel *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->capture != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->capture, self);
      jc_capture_cancel (self->capture);
      g_clear_object (&self->capture);
    }
  if (self->frames != NULL)
    jc_frame_paintable_set_texture (self->frames, NULL);
}

static void
close_panel (JcCapturePanel *self)
{
  stop (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

/* "照片 2026-05-14 09.30.12.jpg": what the evidence list shows. */
static char *
capture_name (JcCaptureKind kind, const char *media_type)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H.%M.%S");
  const char *ext = g_str_equal (media_type, "image/jpeg") ? "jpg"
                    : g_str_equal (media_type, "audio/ogg") ? "ogg" : "wav";

  /* TRANSLATORS: a photo's file name; %s is the date and time */
  return g_strdup_printf (kind == JC_CAPTURE_PHOTO ? _("Photo %s.%s") : _("Voice note %s.%s"), when, ext);
}

static void
on_frame (JcCapturePanel *self, GBytes *rgba, int width, int height, int stride)
{
  g_autoptr(GdkTexture) texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, rgba, stride);

  jc_frame_paintable_set_texture (self->frames, texture);
  gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), TRUE);
}

static void
on_failed (JcCapturePanel *self, GError *error)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), FALSE);
  show_status (self, error->message, TRUE);
}

static gboolean
on_timer (gpointer data)
{
  JcCapturePanel *self = data;
  gint64 s = self->capture != NULL ? jc_capture_get_elapsed (self->capture) / G_USEC_PER_SEC : 0;
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", s / 60, (int) (s % 60));

  gtk_label_set_label (self->timer_label, text);
  return G_SOURCE_CONTINUE;
}

gboolean
jc_capture_panel_start (JcCapturePanel *self, JcCaptureKind kind, GError **error)
{
  g_return_val_if_fail (JC_IS_CAPTURE_PANEL (self), FALSE);

  stop (self);
  show_status (self, NULL, FALSE);
  self->capture = jc_capture_new (kind);
  g_signal_connect_object (self->capture, "frame", G_CALLBACK (on_frame), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->capture, "failed", G_CALLBACK (on_failed), self, G_CONNECT_SWAPPED);
  if (!jc_capture_start (self->capture, error))
    {
      g_clear_object (&self->capture);
      return FALSE;
    }
  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->stack, kind == JC_CAPTURE_PHOTO ? "photo" : "voice");
  if (kind == JC_CAPTURE_PHOTO)
    {
      adw_button_content_set_icon_name (self->action_content, "camera-photo-symbolic");
      adw_button_content_set_label (self->action_content, _("Take Photo"));
      /* Until the first frame there is nothing to take. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), FALSE);
    }
  else
    {
      adw_button_content_set_icon_name (self->action_content, "media-playback-stop-symbolic");
      adw_button_content_set_label (self->action_content, _("Stop and Save"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), TRUE);
      gtk_label_set_label (self->timer_label, "0:00");
      self->timer_id = g_timeout_add (250, on_timer, self);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  return TRUE;
}

void
jc_capture_panel_cancel (JcCapturePanel *self)
{
  g_return_if_fail (JC_IS_CAPTURE_PANEL (self));

  close_panel (self);
}

gboolean
jc_capture_panel_has_frame (JcCapturePanel *self)
{
  g_return_val_if_fail (JC_IS_CAPTURE_PANEL (self), FALSE);

  return jc_frame_paintable_get_texture (self->frames) != NULL;
}

JcCapture *
jc_capture_panel_get_capture (JcCapturePanel *self)
{
  g_return_val_if_fail (JC_IS_CAPTURE_PANEL (self), NULL);

  return self->capture;
}

static void
captured (JcCapturePanel *self, GObject *source, GAsyncResult *result)
{
  JcCapture *capture = JC_CAPTURE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = jc_capture_get_kind (capture) == JC_CAPTURE_PHOTO
                            ? jc_capture_take_photo_finish (capture, result, &error)
                            : jc_capture_finish_finish (capture, result, &error);
  g_autofree char *name = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Nothing was saved: %s"), error->message);

      show_status (self, message, TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), jc_capture_is_running (capture));
      return;
    }
  name = capture_name (jc_capture_get_kind (capture), jc_capture_get_media_type (capture));
  g_signal_emit (self, signals[SIGNAL_CAPTURED], 0, bytes, jc_capture_get_media_type (capture), name);
  close_panel (self);
}

static void
on_captured (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(JcCapturePanel) self = data;

  /* A capture cancelled or replaced meanwhile has nothing to say. */
  if (self->capture != JC_CAPTURE (source))
    return;
  captured (self, source, result);
}

static void
on_action_clicked (JcCapturePanel *self)
{
  if (self->capture == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), FALSE);
  show_status (self, _("Saving…"), FALSE);
  if (jc_capture_get_kind (self->capture) == JC_CAPTURE_PHOTO)
    jc_capture_take_photo_async (self->capture, self->cancellable, on_captured, g_object_ref (self));
  else
    {
      g_clear_handle_id (&self->timer_id, g_source_remove);
      gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
      jc_capture_finish_async (self->capture, self->cancellable, on_captured, g_object_ref (self));
    }
}

static void
on_cancel_clicked (JcCapturePanel *self)
{
  close_panel (self);
}

static void
jc_capture_panel_dispose (GObject *object)
{
  JcCapturePanel *self = JC_CAPTURE_PANEL (object);

  stop (self);
  g_clear_object (&self->frames);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_CAPTURE_PANEL);
  G_OBJECT_CLASS (jc_capture_panel_parent_class)->dispose (object);
}

static void
jc_capture_panel_class_init (JcCapturePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_capture_panel_dispose;

  /* A photo or a voice note: its bytes, media type and name. */
  signals[SIGNAL_CAPTURED] = g_signal_new ("captured", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                           G_TYPE_BYTES, G_TYPE_STRING, G_TYPE_STRING);
  /* The capture is over, taken or cancelled: the panel can go. */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-capture-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, JcCapturePanel, stack);
  gtk_widget_class_bind_template_child (widget_class, JcCapturePanel, preview);
  gtk_widget_class_bind_template_child (widget_class, JcCapturePanel, timer_label);
  gtk_widget_class_bind_template_child (widget_class, JcCapturePanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, JcCapturePanel, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, JcCapturePanel, action_button);
  gtk_widget_class_bind_template_child (widget_class, JcCapturePanel, action_content);
  gtk_widget_class_bind_template_callback (widget_class, on_action_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
}

static void
jc_capture_panel_init (JcCapturePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->frames = jc_frame_paintable_new ();
  gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (self->frames));
}

/* jc-capture.c — a still photo or a voice note from the device, with GStreamer
 *
 * Debian 12's GTK 4.8 has no camera widget and no gtk4paintablesink, so
 * the photo pipeline ends in an appsink of RGBA frames that the UI turns
 * into textures, and the voice pipeline in an appsink that collects the
 * Ogg pages in memory.
 */
#define G_LOG_DOMAIN "jiancha-capture"

#include "config.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

#include "jc-capture.h"

/* How long the shutter and the end of a recording may take. */
#define ENCODE_TIMEOUT (5 * GST_SECOND)
#define FINISH_TIMEOUT_MS 5000

struct _JcCapture
{
  GObject        parent_instance;

  JcCaptureKind  kind;
  GMainContext  *context;
  GstElement    *pipeline;
  guint          bus_watch;
  gint64         started_at;

  GMutex         lock;
  GstSample     *last_frame;   /* photo: the newest preview frame */
  gboolean       frame_queued;
  GByteArray    *recorded;     /* voice: the file so far */

  GTask         *finishing;    /* voice: waits for the end of stream */
  guint          finish_timeout;
};

G_DEFINE_FINAL_TYPE (JcCapture, jc_capture, G_TYPE_OBJECT)
G_DEFINE_QUARK (jc-capture-error-quark, jc_capture_error)

enum { SIGNAL_FRAME, SIGNAL_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
ensure_gst (GError **error)
{
  static gsize done;
  static GError *init_error;

  if (g_once_init_enter (&done))
    {
      gst_init_check (NULL, NULL, &init_error);
      g_once_init_leave (&done, 1);
    }
  if (init_error != NULL)
    {
      g_set_error (error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_MISSING_PLUGIN,
                   _("GStreamer cannot start: %s"), init_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
use_test_source (void)
{
  return g_strcmp0 (g_getenv ("JIANCHA_CAPTURE_TEST_SOURCE"), "1") == 0;
}

static const char *
device_class (JcCaptureKind kind)
{
  return kind == JC_CAPTURE_PHOTO ? "Video/Source" : "Audio/Source";
}

/* The first camera or microphone GStreamer's device providers know, the
 * system's default one first; NULL when there is none. */
static GstDevice *
find_device (JcCaptureKind kind)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GList *devices, *l;
  GstDevice *found = NULL;

  gst_device_monitor_add_filter (monitor, device_class (kind), NULL);
  if (!gst_device_monitor_start (monitor))
    return NULL;
  devices = gst_device_monitor_get_devices (monitor);
  gst_device_monitor_stop (monitor);
  for (l = devices; l != NULL; l = l->next)
    {
      g_autoptr(GstStructure) props = gst_device_get_properties (l->data);
      gboolean is_default = FALSE;

      if (props != NULL && gst_structure_get_boolean (props, "is-default", &is_default) && is_default)
        {
          found = g_object_ref (l->data);
          break;
        }
    }
  if (found == NULL && devices != NULL)
    found = g_object_ref (devices->data);
  g_list_free_full (devices, gst_object_unref);
  return found;
}

gboolean
jc_capture_has_device (JcCaptureKind kind)
{
  g_autoptr(GstDevice) device = NULL;

  if (!ensure_gst (NULL))
    return FALSE;
  if (use_test_source ())
    return TRUE;
  device = find_device (kind);
  return device != NULL;
}

static gboolean
have_opus (void)
{
  g_autoptr(GstElementFactory) enc = gst_element_factory_find ("opusenc");
  g_autoptr(GstElementFactory) mux = gst_element_factory_find ("oggmux");

  return enc != NULL && mux != NULL;
}

const char *
jc_capture_get_media_type (JcCapture *self)
{
  g_return_val_if_fail (JC_IS_CAPTURE (self), NULL);

  if (self->kind == JC_CAPTURE_PHOTO)
    return "image/jpeg";
  return ensure_gst (NULL) && have_opus () ? "audio/ogg" : "audio/x-wav";
}

JcCapture *
jc_capture_new (JcCaptureKind kind)
{
  JcCapture *self = g_object_new (JC_TYPE_CAPTURE, NULL);

  self->kind = kind;
  return self;
}

JcCaptureKind
jc_capture_get_kind (JcCapture *self)
{
  g_return_val_if_fail (JC_IS_CAPTURE (self), JC_CAPTURE_PHOTO);

  return self->kind;
}

gboolean
jc_capture_is_running (JcCapture *self)
{
  g_return_val_if_fail (JC_IS_CAPTURE (self), FALSE);

  return self->pipeline != NULL;
}

gint64
jc_capture_get_elapsed (JcCapture *self)
{
  g_return_val_if_fail (JC_IS_CAPTURE (self), 0);

  return self->pipeline != NULL ? g_get_monotonic_time () - self->started_at : 0;
}

/* ---- streaming thread → main context ---- */

static gboolean
emit_frame (gpointer data)
{
  JcCapture *self = data;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GstVideoInfo info;
  GstMapInfo map;
  GstBuffer *buffer;

  g_mutex_lock (&self->lock);
  self->frame_queued = FALSE;
  sample = self->last_frame != NULL ? gst_sample_ref (self->last_frame) : NULL;
  g_mutex_unlock (&self->lock);
  if (sample == NULL || self->pipeline == NULL ||
      !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      (buffer = gst_sample_get_buffer (sample)) == NULL ||
      !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return G_SOURCE_REMOVE;
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);
  g_signal_emit (self, signals[SIGNAL_FRAME], 0, bytes,
                 GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                 GST_VIDEO_INFO_PLANE_STRIDE (&info, 0));
  return G_SOURCE_REMOVE;
}

static GstFlowReturn
on_new_frame (GstAppSink *sink, gpointer data)
{
  JcCapture *self = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  gboolean queue;

  if (sample == NULL)
    return GST_FLOW_EOS;
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->last_frame, gst_sample_unref);
  self->last_frame = sample;
  /* One pending redraw at a time: a slow screen drops frames, not memory. */
  queue = !self->frame_queued;
  self->frame_queued = TRUE;
  g_mutex_unlock (&self->lock);
  if (queue)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_frame,
                                g_object_ref (self), g_object_unref);
  return GST_FLOW_OK;
}

static GstFlowReturn
on_new_audio (GstAppSink *sink, gpointer data)
{
  JcCapture *self = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer = sample != NULL ? gst_sample_get_buffer (sample) : NULL;
  GstMapInfo map;

  if (buffer == NULL)
    return GST_FLOW_EOS;
  if (gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      g_mutex_lock (&self->lock);
      if (self->recorded != NULL)
        g_byte_array_append (self->recorded, map.data, map.size);
      g_mutex_unlock (&self->lock);
      gst_buffer_unmap (buffer, &map);
    }
  return GST_FLOW_OK;
}

/* ---- the pipelines ---- */

static void stop_pipeline (JcCapture *self);

/* wavenc rewrites its header sizes by seeking back, which an appsink
 * cannot: write them here. */
static void
fix_wav_header (GByteArray *wav)
{
  guint32 riff, data;

  if (wav->len < 44 || memcmp (wav->data, "RIFF", 4) != 0)
    return;
  riff = GUINT32_TO_LE (wav->len - 8);
  memcpy (wav->data + 4, &riff, 4);
  for (guint off = 12; off + 8 <= wav->len;)
    {
      guint32 size;

      memcpy (&size, wav->data + off + 4, 4);
      if (memcmp (wav->data + off, "data", 4) == 0)
        {
          data = GUINT32_TO_LE (wav->len - off - 8);
          memcpy (wav->data + off + 4, &data, 4);
          return;
        }
      off += 8 + GUINT32_FROM_LE (size);
    }
}

static void
finish_now (JcCapture *self, GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->finishing);
  g_autoptr(GByteArray) recorded = NULL;

  g_clear_handle_id (&self->finish_timeout, g_source_remove);
  g_mutex_lock (&self->lock);
  recorded = g_steal_pointer (&self->recorded);
  g_mutex_unlock (&self->lock);
  stop_pipeline (self);
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else if (recorded == NULL || recorded->len == 0)
    g_task_return_new_error (task, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                             _("The recording is empty: the microphone delivered no sound"));
  else
    {
      if (g_str_equal (jc_capture_get_media_type (self), "audio/x-wav"))
        fix_wav_header (recorded);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&recorded)),
                             (GDestroyNotify) g_bytes_unref);
    }
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  JcCapture *self = data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_EOS:
      finish_now (self, NULL);
      break;
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autofree char *debug = NULL;
        GError *error;

        gst_message_parse_error (message, &gst_error, &debug);
        g_debug ("%s: %s", gst_error->message, debug ? debug : "");
        error = g_error_new (JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                             self->kind == JC_CAPTURE_PHOTO ? _("The camera stopped: %s")
                                                            : _("The microphone stopped: %s"),
                             gst_error->message);
        if (self->finishing != NULL)
          finish_now (self, error);
        else
          {
            stop_pipeline (self);
            g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
            g_error_free (error);
          }
      }
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static GstElement *
make (const char *factory, const char *name, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (e == NULL)
    g_set_error (error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_MISSING_PLUGIN,
                 _("The GStreamer element “%s” is not installed"), factory);
  return e;
}

static GstElement *
make_source (JcCapture *self, GError **error)
{
  g_autoptr(GstDevice) device = NULL;
  GstElement *src;

  if (use_test_source ())
    {
      src = make (self->kind == JC_CAPTURE_PHOTO ? "videotestsrc" : "audiotestsrc", "source", error);
      if (src != NULL)
        g_object_set (src, "is-live", TRUE, NULL);
      return src;
    }
  device = find_device (self->kind);
  if (device == NULL)
    {
      g_set_error_literal (error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_NO_DEVICE,
                           self->kind == JC_CAPTURE_PHOTO ? _("This device has no camera")
                                                          : _("This device has no microphone"));
      return NULL;
    }
  src = gst_device_create_element (device, "source");
  if (src == NULL)
    g_set_error (error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                 _("“%s” cannot be opened"), gst_device_get_display_name (device));
  return src;
}

/* Each name in @names made and added to @bin, then linked in order, with
 * caps filters where a name is a caps string. */
static gboolean
build_chain (GstBin *bin, GstElement *first, const char * const *names, GstElement **last, GError **error)
{
  GstElement *prev = first;

  gst_bin_add (bin, first);
  for (guint i = 0; names[i] != NULL; i++)
    {
      GstElement *e;

      if (strchr (names[i], '/') != NULL)
        {
          g_autoptr(GstCaps) caps = gst_caps_from_string (names[i]);

          e = make ("capsfilter", NULL, error);
          if (e != NULL)
            g_object_set (e, "caps", caps, NULL);
        }
      else
        e = make (names[i], NULL, error);
      if (e == NULL)
        return FALSE;
      gst_bin_add (bin, e);
      if (!gst_element_link (prev, e))
        {
          g_set_error (error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                       _("GStreamer cannot link %s to %s"), GST_ELEMENT_NAME (prev), GST_ELEMENT_NAME (e));
          return FALSE;
        }
      prev = e;
    }
  *last = prev;
  return TRUE;
}

static GstElement *
build_pipeline (JcCapture *self, GError **error)
{
  static const char * const photo[] = {
    "videoconvert", "videoscale",
    "video/x-raw,format=RGBA,pixel-aspect-ratio=1/1,width=[16,1920],height=[16,1920]", NULL
  };
  static const char * const photo_test[] = {
    "video/x-raw,width=640,height=480,framerate=15/1",
    "videoconvert", "video/x-raw,format=RGBA", NULL
  };
  static const char * const opus[] = { "queue", "audioconvert", "audioresample", "opusenc", "oggmux", NULL };
  static const char * const wav[] = { "queue", "audioconvert", "audio/x-raw,format=S16LE", "wavenc", NULL };
  g_autoptr(GstElement) pipeline = gst_pipeline_new ("capture");
  GstElement *src, *last = NULL, *sink;
  GstAppSinkCallbacks callbacks = { 0 };
  const char * const *chain;

  if (self->kind == JC_CAPTURE_PHOTO)
    chain = use_test_source () ? photo_test : photo;
  else
    chain = have_opus () ? opus : wav;
  src = make_source (self, error);
  if (src == NULL)
    return NULL;
  if (!build_chain (GST_BIN (pipeline), src, chain, &last, error))
    return NULL;
  sink = make ("appsink", "sink", error);
  if (sink == NULL)
    return NULL;
  gst_bin_add (GST_BIN (pipeline), sink);
  if (!gst_element_link (last, sink))
    {
      g_set_error (error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                   _("GStreamer cannot link %s to %s"), GST_ELEMENT_NAME (last), "appsink");
      return NULL;
    }
  /* The preview keeps only the newest frame; the recording every page. */
  g_object_set (sink, "sync", FALSE, NULL);
  if (self->kind == JC_CAPTURE_PHOTO)
    {
      g_object_set (sink, "max-buffers", 1, "drop", TRUE, NULL);
      callbacks.new_sample = on_new_frame;
    }
  else
    callbacks.new_sample = on_new_audio;
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  return g_steal_pointer (&pipeline);
}

gboolean
jc_capture_start (JcCapture *self, GError **error)
{
  g_autoptr(GstBus) bus = NULL;

  g_return_val_if_fail (JC_IS_CAPTURE (self), FALSE);
  g_return_val_if_fail (self->pipeline == NULL, FALSE);

  if (!ensure_gst (error))
    return FALSE;
  self->pipeline = build_pipeline (self, error);
  if (self->pipeline == NULL)
    return FALSE;
  if (self->kind == JC_CAPTURE_VOICE)
    self->recorded = g_byte_array_new ();
  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      g_autoptr(GError) gst_error = NULL;

      if (message != NULL)
        gst_message_parse_error (message, &gst_error, NULL);
      g_set_error (error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                   self->kind == JC_CAPTURE_PHOTO ? _("The camera cannot be started: %s")
                                                  : _("The microphone cannot be started: %s"),
                   gst_error != NULL ? gst_error->message : _("the device refused"));
      stop_pipeline (self);
      return FALSE;
    }
  self->started_at = g_get_monotonic_time ();
  return TRUE;
}

static void
stop_pipeline (JcCapture *self)
{
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_clear_object (&self->pipeline);
    }
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->last_frame, gst_sample_unref);
  g_clear_pointer (&self->recorded, g_byte_array_unref);
  g_mutex_unlock (&self->lock);
}

void
jc_capture_cancel (JcCapture *self)
{
  g_return_if_fail (JC_IS_CAPTURE (self));

  if (self->finishing != NULL)
    finish_now (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The recording was cancelled")));
  stop_pipeline (self);
}

/* ---- the shutter ---- */

static void
encode_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GstSample *frame = data;
  g_autoptr(GstCaps) caps = gst_caps_new_empty_simple ("image/jpeg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GstSample) jpeg = gst_video_convert_sample (frame, caps, ENCODE_TIMEOUT, &error);
  GstBuffer *buffer = jpeg != NULL ? gst_sample_get_buffer (jpeg) : NULL;
  GstMapInfo map;

  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      g_task_return_new_error (task, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                               _("The photo cannot be encoded as JPEG: %s"),
                               error != NULL ? error->message : _("no image"));
      return;
    }
  g_task_return_pointer (task, g_bytes_new (map.data, map.size), (GDestroyNotify) g_bytes_unref);
  gst_buffer_unmap (buffer, &map);
}

void
jc_capture_take_photo_async (JcCapture          *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  GstSample *frame = NULL;

  g_return_if_fail (JC_IS_CAPTURE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jc_capture_take_photo_async);
  g_mutex_lock (&self->lock);
  if (self->kind == JC_CAPTURE_PHOTO && self->last_frame != NULL)
    frame = gst_sample_ref (self->last_frame);
  g_mutex_unlock (&self->lock);
  if (frame == NULL)
    {
      g_task_return_new_error (task, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_NOT_RUNNING,
                               _("The camera has not delivered a picture yet"));
      return;
    }
  g_task_set_task_data (task, frame, (GDestroyNotify) gst_sample_unref);
  g_task_run_in_thread (task, encode_thread);
}

GBytes *
jc_capture_take_photo_finish (JcCapture *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the end of a recording ---- */

static gboolean
on_finish_timeout (gpointer data)
{
  JcCapture *self = data;

  self->finish_timeout = 0;
  finish_now (self, g_error_new_literal (JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_FAILED,
                                         _("The recording did not end within 5 seconds")));
  return G_SOURCE_REMOVE;
}

void
jc_capture_finish_async (JcCapture          *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (JC_IS_CAPTURE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jc_capture_finish_async);
  if (self->kind != JC_CAPTURE_VOICE || self->pipeline == NULL || self->finishing != NULL)
    {
      g_task_return_new_error (task, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_NOT_RUNNING,
                               _("There is no recording to finish"));
      return;
    }
  self->finishing = g_steal_pointer (&task);
  self->finish_timeout = g_timeout_add (FINISH_TIMEOUT_MS, on_finish_timeout, self);
  /* The source ends the stream: the encoder and the muxer flush behind it. */
  gst_element_send_event (self->pipeline, gst_event_new_eos ());
}

GBytes *
jc_capture_finish_finish (JcCapture *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
jc_capture_dispose (GObject *object)
{
  JcCapture *self = JC_CAPTURE (object);

  jc_capture_cancel (self);
  G_OBJECT_CLASS (jc_capture_parent_class)->dispose (object);
}

static void
jc_capture_finalize (GObject *object)
{
  JcCapture *self = JC_CAPTURE (object);

  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (jc_capture_parent_class)->finalize (object);
}

static void
jc_capture_class_init (JcCaptureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jc_capture_dispose;
  object_class->finalize = jc_capture_finalize;

  /* A preview frame: RGBA bytes, width, height, stride. */
  signals[SIGNAL_FRAME] = g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                        G_TYPE_BYTES, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT);
  /* The device stopped with an error; the capture is stopped. */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
jc_capture_init (JcCapture *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
}

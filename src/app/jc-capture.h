/* jc-capture.h — a still photo or a voice note from the device, with GStreamer
 *
 * GTK-free so that a test drives the real pipelines. A photo capture runs
 * the camera and hands out preview frames ("frame"); the shutter encodes
 * the latest frame as JPEG. A voice capture records Opus in Ogg (WAV where
 * the Opus encoder is missing) until it is finished. Either way the result
 * stays in memory: it goes into the vault without a plaintext file.
 *
 * JIANCHA_CAPTURE_TEST_SOURCE=1 replaces the device by GStreamer's own
 * videotestsrc / audiotestsrc, for the tests on machines with neither.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define JC_CAPTURE_ERROR (jc_capture_error_quark ())

typedef enum {
  JC_CAPTURE_ERROR_NO_DEVICE,      /* no camera / no microphone */
  JC_CAPTURE_ERROR_MISSING_PLUGIN, /* a GStreamer element is not installed */
  JC_CAPTURE_ERROR_FAILED,         /* the pipeline stopped with an error */
  JC_CAPTURE_ERROR_NOT_RUNNING,    /* nothing to take or finish yet */
} JcCaptureError;

typedef enum {
  JC_CAPTURE_PHOTO,
  JC_CAPTURE_VOICE,
} JcCaptureKind;

#define JC_TYPE_CAPTURE (jc_capture_get_type ())
G_DECLARE_FINAL_TYPE (JcCapture, jc_capture, JC, CAPTURE, GObject)

GQuark         jc_capture_error_quark     (void);

/* TRUE when a camera (a microphone) is there, or the test source is set. */
gboolean       jc_capture_has_device      (JcCaptureKind         kind);

JcCapture     *jc_capture_new             (JcCaptureKind         kind);
JcCaptureKind  jc_capture_get_kind        (JcCapture            *self);
/* "image/jpeg", "audio/ogg" or "audio/x-wav": what the result will be. */
const char    *jc_capture_get_media_type  (JcCapture            *self);

/* Opens the device and starts the preview (photo) or the recording
 * (voice). Errors later on emit "failed". */
gboolean       jc_capture_start           (JcCapture            *self,
                                           GError              **error);
/* Stops and drops whatever was captured. */
void           jc_capture_cancel          (JcCapture            *self);
gboolean       jc_capture_is_running      (JcCapture            *self);
/* Microseconds since the start (the voice note's timer). */
gint64         jc_capture_get_elapsed     (JcCapture            *self);

/* Photo: the latest frame as JPEG, encoded in a thread; the preview runs on. */
void           jc_capture_take_photo_async  (JcCapture          *self,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
GBytes        *jc_capture_take_photo_finish (JcCapture          *self,
                                             GAsyncResult       *result,
                                             GError            **error);

/* Voice: ends the recording (the encoder and the muxer write their last
 * pages) and stops; the whole file. */
void           jc_capture_finish_async    (JcCapture            *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GBytes        *jc_capture_finish_finish   (JcCapture            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS

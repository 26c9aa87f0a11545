/* test-capture.c — the capture pipelines alone, headless, with GStreamer's
 * test sources (JIANCHA_CAPTURE_TEST_SOURCE=1): preview frames, a JPEG from
 * the shutter, an Ogg voice note; the errors for taking too early and for
 * finishing what is not recording; cancel. */
#include "config.h"

#include <check.h>
#include <string.h>
#include <unistd.h>

#include "jc-capture.h"
#include "jc-test.h"

static void
setup (void)
{
  g_setenv ("JIANCHA_CAPTURE_TEST_SOURCE", "1", TRUE);
}

typedef struct {
  guint   frames;
  int     width, height, stride;
  gsize   size;
  GBytes *result;
  GError *error;
  gboolean done;
} Seen;

static void
on_frame (JcCapture *capture, GBytes *rgba, int width, int height, int stride, Seen *seen)
{
  seen->frames++;
  seen->width = width;
  seen->height = height;
  seen->stride = stride;
  seen->size = g_bytes_get_size (rgba);
}

static void
on_photo (GObject *source, GAsyncResult *result, gpointer data)
{
  Seen *seen = data;

  seen->result = jc_capture_take_photo_finish (JC_CAPTURE (source), result, &seen->error);
  seen->done = TRUE;
}

static void
on_finished (GObject *source, GAsyncResult *result, gpointer data)
{
  Seen *seen = data;

  seen->result = jc_capture_finish_finish (JC_CAPTURE (source), result, &seen->error);
  seen->done = TRUE;
}

/* Spins the default context until @flag, or fails after 20 s. */
static void
spin_until (gboolean *flag, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  ck_assert_msg (*flag, "gave up waiting for %s", what);
}

/* Taking a photo before the start, finishing a recording that is not
 * running: refused with NOT_RUNNING. */
static void
check_refused (JcCapture *capture, const char *media_type)
{
  Seen seen = { 0 };

  ck_assert (jc_capture_has_device (jc_capture_get_kind (capture)));
  ck_assert_str_eq (jc_capture_get_media_type (capture), media_type);
  if (jc_capture_get_kind (capture) == JC_CAPTURE_PHOTO)
    jc_capture_take_photo_async (capture, NULL, on_photo, &seen);
  else
    jc_capture_finish_async (capture, NULL, on_finished, &seen);
  spin_until (&seen.done, "the refusal");
  ck_assert_ptr_null (seen.result);
  ck_assert (g_error_matches (seen.error, JC_CAPTURE_ERROR, JC_CAPTURE_ERROR_NOT_RUNNING));
  g_clear_error (&seen.error);
}

START_TEST (test_photo)
{
  g_autoptr(JcCapture) capture = jc_capture_new (JC_CAPTURE_PHOTO);
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };
  gint64 deadline;
  const guint8 *jpeg;
  gsize size;

  check_refused (capture, "image/jpeg");

  g_signal_connect (capture, "frame", G_CALLBACK (on_frame), &seen);
  ck_assert_msg (jc_capture_start (capture, &error), "%s", error ? error->message : "");
  ck_assert (jc_capture_is_running (capture));
  /* Frames reach the main context from the streaming thread. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (seen.frames < 3 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  ck_assert_uint_ge (seen.frames, 3);
  ck_assert_int_eq (seen.width, 640);
  ck_assert_int_eq (seen.height, 480);
  ck_assert_int_ge (seen.stride, 640 * 4);
  ck_assert_uint_ge (seen.size, (gsize) seen.stride * 479 + 640 * 4);

  jc_capture_take_photo_async (capture, NULL, on_photo, &seen);
  spin_until (&seen.done, "the JPEG");
  ck_assert_msg (seen.result != NULL, "%s", seen.error ? seen.error->message : "");
  jpeg = g_bytes_get_data (seen.result, &size);
  ck_assert_uint_gt (size, 1000);
  ck_assert_mem_eq (jpeg, "\xff\xd8\xff", 3);
  ck_assert_mem_eq (jpeg + size - 2, "\xff\xd9", 2);
  ck_assert (jc_capture_is_running (capture));   /* the preview runs on */
  jc_capture_cancel (capture);
  ck_assert (!jc_capture_is_running (capture));
  g_bytes_unref (seen.result);
}
END_TEST

START_TEST (test_voice)
{
  g_autoptr(JcCapture) capture = jc_capture_new (JC_CAPTURE_VOICE);
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };
  gint64 until;
  const guint8 *ogg;
  gsize size;

  check_refused (capture, "audio/ogg");

  ck_assert_msg (jc_capture_start (capture, &error), "%s", error ? error->message : "");
  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (10000);
  ck_assert_int_ge (jc_capture_get_elapsed (capture), G_USEC_PER_SEC);
  jc_capture_finish_async (capture, NULL, on_finished, &seen);
  spin_until (&seen.done, "the end of the recording");
  ck_assert_msg (seen.result != NULL, "%s", seen.error ? seen.error->message : "");
  ogg = g_bytes_get_data (seen.result, &size);
  ck_assert_uint_gt (size, 1000);
  ck_assert_mem_eq (ogg, "OggS", 4);
  ck_assert_ptr_nonnull (memmem (ogg, MIN (size, 200), "OpusHead", 8));
  ck_assert (!jc_capture_is_running (capture));
  g_bytes_unref (seen.result);
}
END_TEST

/* A system without GStreamer's Opus plugin (every other one linked into a
 * private plugin directory): the voice note is WAV, its header sizes
 * written although the appsink could not seek back. */
START_TEST (test_voice_without_opus)
{
  g_autofree char *tmp = jc_test_tmpdir ("capture-no-opus");
  g_autofree char *plugins = g_build_filename (tmp, "plugins", NULL);
  g_autofree char *registry = g_build_filename (tmp, "registry.bin", NULL);
  g_autoptr(GDir) dir = g_dir_open (GST_PLUGINS_DIR, 0, NULL);
  g_autoptr(JcCapture) capture = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  Seen seen = { 0 };
  gint64 until;
  const guint8 *wav;
  guint32 riff, data;
  gsize size;

  ck_assert_ptr_nonnull (dir);
  ck_assert_int_eq (g_mkdir_with_parents (plugins, 0700), 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, "libgstopus.so"))
      {
        g_autofree char *from = g_build_filename (GST_PLUGINS_DIR, name, NULL);
        g_autofree char *to = g_build_filename (plugins, name, NULL);

        ck_assert_int_eq (symlink (from, to), 0);
      }
  g_setenv ("GST_PLUGIN_SYSTEM_PATH_1_0", plugins, TRUE);
  g_setenv ("GST_REGISTRY_1_0", registry, TRUE);
  g_unsetenv ("GST_PLUGIN_PATH_1_0");

  capture = jc_capture_new (JC_CAPTURE_VOICE);
  check_refused (capture, "audio/x-wav");
  ck_assert_msg (jc_capture_start (capture, &error), "%s", error ? error->message : "");
  until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (10000);
  jc_capture_finish_async (capture, NULL, on_finished, &seen);
  spin_until (&seen.done, "the end of the recording");
  ck_assert_msg (seen.result != NULL, "%s", seen.error ? seen.error->message : "");
  wav = g_bytes_get_data (seen.result, &size);
  ck_assert_uint_gt (size, 44 + 1000);
  ck_assert_mem_eq (wav, "RIFF", 4);
  ck_assert_mem_eq (wav + 8, "WAVE", 4);
  memcpy (&riff, wav + 4, 4);
  ck_assert_uint_eq (GUINT32_FROM_LE (riff), size - 8);
  ck_assert_mem_eq (wav + 36, "data", 4);
  memcpy (&data, wav + 40, 4);
  ck_assert_uint_eq (GUINT32_FROM_LE (data), size - 44);
  g_bytes_unref (seen.result);
}
END_TEST

START_TEST (test_voice_cancelled)
{
  g_autoptr(JcCapture) capture = jc_capture_new (JC_CAPTURE_VOICE);
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };

  ck_assert (jc_capture_start (capture, &error));
  jc_capture_finish_async (capture, NULL, on_finished, &seen);
  jc_capture_cancel (capture);
  spin_until (&seen.done, "the cancelled recording");
  ck_assert_ptr_null (seen.result);
  ck_assert (g_error_matches (seen.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  ck_assert (!jc_capture_is_running (capture));
  g_clear_error (&seen.error);
}
END_TEST

static Suite *
capture_suite (void)
{
  Suite *s = suite_create ("capture");
  TCase *tc = tcase_create ("capture");

  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_photo);
  tcase_add_test (tc, test_voice);
  tcase_add_test (tc, test_voice_without_opus);
  tcase_add_test (tc, test_voice_cancelled);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (capture_suite ());
}

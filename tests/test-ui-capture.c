/* test-ui-capture.c — camera and voice evidence through the real window at
 * 360×720 in Chinese.
 *
 * First as this machine is (no camera, no microphone): the editor says so
 * and Record is off. Then with JIANCHA_CAPTURE_TEST_SOURCE=1, which puts
 * GStreamer's videotestsrc / audiotestsrc where the devices would be (the
 * real pipelines, a real source): the live preview shows frames, the
 * shutter stores a photo, a voice note is recorded for a second and
 * stopped. The vault is then asked: both are on the item, the photo
 * decrypts to a JPEG that gdk-pixbuf decodes, the voice note to Ogg. Both
 * open in the viewer (the sound's private copy gone once it closes), and
 * the photo is removed from the item: off the item, still in the vault,
 * the unlink an event. A second test takes the desktop screenshots. */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "jc-application.h"
#include "jc-capture-panel.h"
#include "jc-core.h"
#include "jc-evidence-viewer.h"
#include "jc-inspection-view.h"
#include "jc-inspections-page.h"
#include "jc-item-editor.h"
#include "jc-item-object.h"
#include "jc-test.h"
#include "jc-ui-test.h"
#include "jc-vault-task.h"
#include "jc-window.h"

#define CODE "p21.1.2"

static void
shot (GtkWindow *window, const char *name)
{
  jc_ui_wait_drawn (window);
  if (g_str_has_suffix (name, "-360"))
    ck_assert_msg (gtk_widget_get_width (GTK_WIDGET (window)) <= 360 + 16,
                   "%s: the window grew to %d px", name, gtk_widget_get_width (GTK_WIDGET (window)));
  g_free (jc_ui_screenshot (window, name));
}

static void
click (gpointer button)
{
  ck_assert (gtk_widget_get_sensitive (GTK_WIDGET (button)));
  g_signal_emit_by_name (button, "clicked");
}

static JcVault *
app_vault (GtkWindow *window)
{
  return jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
}

/* A pharmacy inspection made through the core, opened on one item. */
static JcItemEditor *
open_item (GtkWindow *window, char **out_id)
{
  GtkStack *stack = jc_ui_child (window, JC_TYPE_WINDOW, "stack");
  JcInspectionsPage *page = JC_INSPECTIONS_PAGE (gtk_stack_get_child_by_name (stack, "inspections"));
  JcInspectionSpec spec = {
    .institution_code = "P3201-0042", .institution_name = "康民大药房（中山路店）",
    .institution_type = JC_INSTITUTION_PHARMACY, .form = JC_INSPECTION_FORM_CROSS,
  };
  g_autoptr(GError) error = NULL;
  JcInspectionView *view;

  *out_id = jc_inspection_create (app_vault (window), NULL, &spec, &error);
  ck_assert_msg (*out_id != NULL, "%s", error ? error->message : "");
  jc_inspections_page_reload (page);
  jc_window_show_place (JC_WINDOW (window), "inspections");
  ck_assert (jc_inspections_page_open_inspection (page, *out_id));
  view = jc_inspections_page_get_view (page);
  ck_assert (jc_inspection_view_open_item (view, CODE));
  return jc_inspection_view_get_editor (view);
}

static gboolean
has_preview (gpointer panel)
{
  return jc_capture_panel_has_frame (JC_CAPTURE_PANEL (panel));
}

static gboolean
stored (gpointer editor)
{
  return jc_item_editor_get_n_pending_files (JC_ITEM_EDITOR (editor)) == 0 &&
         !gtk_widget_get_visible (GTK_WIDGET (jc_item_editor_get_capture_panel (JC_ITEM_EDITOR (editor))));
}

static gboolean
recorded_a_second (gpointer panel)
{
  JcCapture *capture = jc_capture_panel_get_capture (JC_CAPTURE_PANEL (panel));

  return capture != NULL && jc_capture_get_elapsed (capture) > 1200 * 1000;
}

static gboolean
viewer_loaded (gpointer viewer)
{
  return g_strcmp0 (jc_evidence_viewer_get_shown (JC_EVIDENCE_VIEWER (viewer)), "loading") != 0;
}

static gboolean
media_prepared (gpointer viewer)
{
  GtkMediaStream *stream = jc_evidence_viewer_get_media_stream (JC_EVIDENCE_VIEWER (viewer));

  return stream != NULL && (gtk_media_stream_is_prepared (stream) || gtk_media_stream_get_error (stream) != NULL);
}

/* The end of the editor's page, where the evidence and the capture are. */
static void
scroll_down (GtkWindow *window, JcItemEditor *editor)
{
  GtkWidget *w = gtk_widget_get_ancestor (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "device_note"),
                                          GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj;

  ck_assert_ptr_nonnull (w);
  jc_ui_wait_drawn (window);
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (w));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

static guint
n_evidence (JcItemEditor *editor)
{
  const JcItemResult *r = jc_item_object_get_result (jc_item_editor_get_item (editor));

  return r->evidence != NULL ? g_strv_length (r->evidence) : 0;
}

static JcItemResult *
vault_result (JcVault *vault, const char *id)
{
  g_autoptr(GPtrArray) results = jc_inspection_get_results (vault, NULL, id, NULL, 0, NULL);

  ck_assert_ptr_nonnull (results);
  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (((JcItemResult *) results->pdata[i])->item->code, CODE))
      return g_ptr_array_steal_index (results, i);
  ck_abort_msg ("no result for %s", CODE);
  return NULL;
}

static guint
n_private_copies (JcVault *vault)
{
  g_autoptr(GDir) d = g_dir_open (jc_vault_get_dir (vault), 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n += g_str_has_prefix (name, ".open-");
  return n;
}

/* Opens @sha in the viewer, waits for it, checks what it shows and how
 * many private copies it made, closes it. */
static void
view (JcItemEditor *editor, const char *sha, const char *expected, guint copies, const char *screenshot)
{
  GtkWindow *viewer = jc_item_editor_open_evidence (editor, sha);

  ck_assert_ptr_nonnull (viewer);
  jc_ui_wait_until (viewer_loaded, viewer, "the evidence to be decrypted");
  ck_assert_str_eq (jc_evidence_viewer_get_shown (JC_EVIDENCE_VIEWER (viewer)), expected);
  if (g_str_equal (expected, "audio"))
    {
      GtkMediaStream *stream = jc_evidence_viewer_get_media_stream (JC_EVIDENCE_VIEWER (viewer));

      /* GTK's GStreamer backend reads the voice note: about a second long. */
      jc_ui_wait_until (media_prepared, viewer, "the player to read the voice note");
      ck_assert_msg (gtk_media_stream_get_error (stream) == NULL, "%s", gtk_media_stream_get_error (stream)->message);
      ck_assert_int_gt (gtk_media_stream_get_duration (stream), 900 * 1000);
      ck_assert (gtk_media_stream_has_audio (stream));
    }
  ck_assert_int_le (gtk_widget_get_width (GTK_WIDGET (viewer)), 360 + 16);
  ck_assert_uint_eq (n_private_copies (jc_application_get_vault (JC_APPLICATION (g_application_get_default ()))),
                     copies);
  shot (viewer, screenshot);
  gtk_window_destroy (viewer);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Photo, the live preview (@screenshot), the shutter: one more evidence. */
static void
take_photo (GtkWindow *window, JcItemEditor *editor, const char *screenshot)
{
  JcCapturePanel *panel = jc_item_editor_get_capture_panel (editor);
  guint before = n_evidence (editor);

  click (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "photo_button"));
  ck_assert (gtk_widget_get_visible (GTK_WIDGET (panel)));
  ck_assert (!gtk_widget_get_sensitive (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "voice_button")));
  jc_ui_wait_until (has_preview, panel, "the camera preview's first frame");
  scroll_down (window, editor);
  shot (window, screenshot);
  click (jc_ui_child (panel, JC_TYPE_CAPTURE_PANEL, "action_button"));
  jc_ui_wait_until (stored, editor, "the photo to be stored");
  ck_assert_uint_eq (n_evidence (editor), before + 1);
}

START_TEST (test_capture_handheld)
{
  GtkWindow *window;
  JcItemEditor *editor;
  JcCapturePanel *panel;
  JcVault *vault;
  g_autofree char *id = NULL;
  g_autoptr(JcItemResult) r = NULL;
  g_autoptr(JcItemResult) after = NULL;
  g_autoptr(GBytes) photo = NULL;
  g_autoptr(GBytes) voice = NULL;
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("jpeg", NULL);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *decoded;
  const guint8 *data;
  gsize size;

  g_unsetenv ("JIANCHA_CAPTURE_TEST_SOURCE");
  window = jc_ui_start_unlocked (360, 720);
  vault = app_vault (window);
  editor = open_item (window, &id);
  panel = jc_item_editor_get_capture_panel (editor);

  /* This machine as it is: with no camera, Photo picks a file, and says so. */
  if (!jc_capture_has_device (JC_CAPTURE_PHOTO) && !jc_capture_has_device (JC_CAPTURE_VOICE))
    {
      GtkLabel *note = jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "device_note");

      ck_assert (gtk_widget_get_visible (GTK_WIDGET (note)));
      ck_assert_ptr_nonnull (strstr (gtk_label_get_label (note), "摄像头"));
      ck_assert_ptr_nonnull (strstr (gtk_label_get_label (note), "麦克风"));
      ck_assert (!gtk_widget_get_sensitive (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "voice_button")));
      ck_assert (gtk_widget_get_sensitive (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "photo_button")));
      scroll_down (window, editor);
      shot (window, "capture-01-no-devices-360");
    }

  /* The test source: the same pipelines, GStreamer's own sources. */
  g_setenv ("JIANCHA_CAPTURE_TEST_SOURCE", "1", TRUE);
  jc_item_editor_set_item (editor, vault, id, jc_item_editor_get_item (editor));
  ck_assert (!gtk_widget_get_visible (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "device_note")));
  take_photo (window, editor, "capture-02-preview-360");

  click (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "voice_button"));
  ck_assert (gtk_widget_get_visible (GTK_WIDGET (panel)));
  jc_ui_wait_until (recorded_a_second, panel, "a second of recording");
  jc_ui_wait_drawn (window);
  ck_assert_str_ne (gtk_label_get_label (jc_ui_child (panel, JC_TYPE_CAPTURE_PANEL, "timer_label")), "");
  scroll_down (window, editor);
  shot (window, "capture-03-recording-360");
  click (jc_ui_child (panel, JC_TYPE_CAPTURE_PANEL, "action_button"));
  jc_ui_wait_until (stored, editor, "the voice note to be stored");
  ck_assert_uint_eq (n_evidence (editor), 2);
  ck_assert (!gtk_widget_get_visible (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "error_label")));
  scroll_down (window, editor);
  shot (window, "capture-04-evidence-360");

  /* What the vault holds: both on the item, each what it says it is. */
  r = vault_result (vault, id);
  ck_assert_uint_eq (g_strv_length (r->evidence), 2);
  photo = jc_vault_read_evidence (vault, r->evidence[0], NULL, &error);
  ck_assert_msg (photo != NULL, "%s", error ? error->message : "");
  data = g_bytes_get_data (photo, &size);
  ck_assert_uint_gt (size, 1000);
  ck_assert_mem_eq (data, "\xff\xd8\xff", 3);
  ck_assert_msg (gdk_pixbuf_loader_write (loader, data, size, &error) && gdk_pixbuf_loader_close (loader, &error),
                 "the photo does not decode: %s", error ? error->message : "");
  decoded = gdk_pixbuf_loader_get_pixbuf (loader);
  ck_assert_int_eq (gdk_pixbuf_get_width (decoded), 640);
  ck_assert_int_eq (gdk_pixbuf_get_height (decoded), 480);
  voice = jc_vault_read_evidence (vault, r->evidence[1], NULL, &error);
  ck_assert_msg (voice != NULL, "%s", error ? error->message : "");
  data = g_bytes_get_data (voice, &size);
  ck_assert_uint_gt (size, 1000);
  ck_assert_mem_eq (data, "OggS", 4);
  {
    g_autofree char *media_type = NULL;

    ck_assert (jc_vault_describe_evidence (vault, r->evidence[1], NULL, &media_type, NULL, NULL, &error));
    ck_assert_str_eq (media_type, "audio/ogg");
  }

  /* Opened: the picture from memory, the sound from a private copy that
   * goes with the viewer. */
  view (editor, r->evidence[0], "image", 0, "capture-05-view-photo-360");
  view (editor, r->evidence[1], "audio", 1, "capture-06-view-voice-360");
  ck_assert_uint_eq (n_private_copies (vault), 0);
  /* A document: handed to the default application, from a private copy. */
  {
    g_autofree char *tmp = jc_test_tmpdir ("ui-capture-files");
    g_autofree char *path = g_build_filename (tmp, "处方.pdf", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(JcItemResult) with_pdf = NULL;

    ck_assert (g_file_set_contents (path, "%PDF-1.4\n% a prescription\n", -1, NULL));
    jc_item_editor_add_file (editor, file);
    ck_assert (jc_vault_task_is_busy (vault));   /* the app's lock waits for the file */
    jc_ui_wait_until (stored, editor, "the document to be stored");
    ck_assert (!jc_vault_task_is_busy (vault));
    with_pdf = vault_result (vault, id);
    ck_assert_uint_eq (g_strv_length (with_pdf->evidence), 3);
    view (editor, with_pdf->evidence[2], "document", 1, "capture-06b-view-document-360");
    ck_assert_uint_eq (n_private_copies (vault), 0);
    ck_assert (jc_item_editor_remove_evidence (editor, with_pdf->evidence[2]));
  }

  /* Removed from the item: gone from it, still in the vault. */
  ck_assert (jc_item_editor_remove_evidence (editor, r->evidence[0]));
  ck_assert_uint_eq (n_evidence (editor), 1);
  after = vault_result (vault, id);
  ck_assert_uint_eq (g_strv_length (after->evidence), 1);
  ck_assert_str_eq (after->evidence[0], r->evidence[1]);
  g_clear_pointer (&photo, g_bytes_unref);
  photo = jc_vault_read_evidence (vault, r->evidence[0], NULL, &error);
  ck_assert_ptr_nonnull (photo);
  ck_assert_msg (jc_vault_verify (vault, NULL, NULL, &error), "%s", error ? error->message : "");

  /* Cancel drops a capture: nothing stored. */
  click (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "voice_button"));
  click (jc_ui_child (panel, JC_TYPE_CAPTURE_PANEL, "cancel_button"));
  ck_assert (!gtk_widget_get_visible (GTK_WIDGET (panel)));
  ck_assert_ptr_null (jc_capture_panel_get_capture (panel));
  ck_assert_uint_eq (n_evidence (editor), 1);

  /* Locking closes a viewer and removes its private copy. */
  {
    GtkWindow *viewer = jc_item_editor_open_evidence (editor, r->evidence[1]);
    g_autoptr(GtkWindow) watched = g_object_ref (viewer);

    jc_ui_wait_until (viewer_loaded, viewer, "the voice note to be decrypted");
    ck_assert_uint_eq (n_private_copies (vault), 1);
    jc_vault_lock (vault);
    ck_assert_uint_eq (n_private_copies (vault), 0);
    ck_assert (!gtk_widget_get_visible (GTK_WIDGET (watched)));
    ck_assert_msg (jc_vault_unlock (vault, JC_UI_PIN, &error), "%s", error ? error->message : "");
    jc_ui_wait_drawn (window);
  }

  /* Locking turns the camera off. */
  click (jc_ui_child (editor, JC_TYPE_ITEM_EDITOR, "photo_button"));
  ck_assert_ptr_nonnull (jc_capture_panel_get_capture (panel));
  jc_vault_lock (vault);
  jc_ui_wait_drawn (window);
  ck_assert_ptr_null (jc_capture_panel_get_capture (panel));
  ck_assert (!gtk_widget_get_visible (GTK_WIDGET (panel)));

  g_unsetenv ("JIANCHA_CAPTURE_TEST_SOURCE");
  jc_ui_stop (window);
}
END_TEST

START_TEST (test_capture_desktop)
{
  GtkWindow *window;
  JcItemEditor *editor;
  g_autofree char *id = NULL;

  g_setenv ("JIANCHA_CAPTURE_TEST_SOURCE", "1", TRUE);
  window = jc_ui_start_unlocked (1280, 800);
  editor = open_item (window, &id);
  take_photo (window, editor, "capture-07-preview-1280");
  scroll_down (window, editor);
  shot (window, "capture-08-evidence-1280");
  g_unsetenv ("JIANCHA_CAPTURE_TEST_SOURCE");
  jc_ui_stop (window);
}
END_TEST

static Suite *
capture_suite (void)
{
  Suite *s = suite_create ("ui-capture");
  TCase *tc = tcase_create ("capture");

  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_capture_handheld);
  tcase_add_test (tc, test_capture_desktop);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (capture_suite ());
}

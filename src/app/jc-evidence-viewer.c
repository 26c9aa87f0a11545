/* jc-evidence-viewer.c — one piece of evidence, decrypted and shown
 *
 * Pictures are decrypted into memory and never touch the disk. GTK's
 * media player (GStreamer underneath) and the default application need a
 * file, so sound, video and documents are decrypted to a private file in
 * the vault directory (0600, ".open-…"), removed when this window closes;
 * one left behind by a crash is removed the next time a viewer opens.
 */
#define G_LOG_DOMAIN "jiancha-evidence-viewer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "jc-evidence-viewer.h"
#include "jc-vault-task.h"

#define OPEN_PREFIX ".open-"

struct _JcEvidenceViewer
{
  AdwWindow       parent_instance;

  JcVault        *vault;
  char           *sha256_hex;
  char           *media_type;
  char           *name;
  char           *open_path;   /* the decrypted copy, while this window lives */
  GCancellable   *cancellable;

  AdwWindowTitle *title;
  GtkStack       *stack;
  GtkPicture     *picture;
  GtkVideo       *video;
  GtkMediaControls *audio_controls;
  AdwStatusPage  *document_page;
  AdwStatusPage  *error_page;
  GtkButton      *launch_button;
};

G_DEFINE_FINAL_TYPE (JcEvidenceViewer, jc_evidence_viewer, ADW_TYPE_WINDOW)

typedef enum { SHOW_IMAGE, SHOW_AUDIO, SHOW_VIDEO, SHOW_DOCUMENT } Show;

typedef struct {
  JcVault    *vault;
  char       *sha256_hex;
  char       *dir;
  char       *extension;
  Show        show;
  /* results */
  GdkTexture *texture;
  char       *path;
} Load;

static void
load_free (Load *load)
{
  jc_vault_task_release (load->vault);
  g_object_unref (load->vault);
  g_free (load->sha256_hex);
  g_free (load->dir);
  g_free (load->extension);
  g_clear_object (&load->texture);
  if (load->path != NULL)
    g_unlink (load->path);   /* not handed over: the window went first */
  g_free (load->path);
  g_free (load);
}

static void
remove_leftovers (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, OPEN_PREFIX))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
}

/* A private file in the vault directory holding @bytes. */
static char *
write_private (const char *dir, const char *extension, GBytes *bytes, GError **error)
{
  g_autofree char *template = g_strconcat (dir, G_DIR_SEPARATOR_S, OPEN_PREFIX, "XXXXXX", extension, NULL);
  const guint8 *data;
  gsize left;
  int fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot make a private copy in %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  data = g_bytes_get_data (bytes, &left);
  while (left > 0)
    {
      gssize n = write (fd, data, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot make a private copy in %s: %s"), dir, g_strerror (saved));
          close (fd);
          g_unlink (template);
          return NULL;
        }
      data += n;
      left -= n;
    }
  if (close (fd) != 0)
    {
      g_unlink (template);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot make a private copy in %s: %s"),
                   dir, g_strerror (errno));
      return NULL;
    }
  return g_steal_pointer (&template);
}

static void
load_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Load *load = data;
  GError *error = NULL;
  g_autoptr(GBytes) bytes = jc_vault_read_evidence (load->vault, load->sha256_hex, cancellable, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (load->show == SHOW_IMAGE)
    load->texture = gdk_texture_new_from_bytes (bytes, &error);
  else
    load->path = write_private (load->dir, load->extension, bytes, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_error (JcEvidenceViewer *self, const char *message)
{
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void on_vault_locking (JcEvidenceViewer *self);

static void
on_media_error (JcEvidenceViewer *self, GParamSpec *pspec, GtkMediaStream *stream)
{
  const GError *error = gtk_media_stream_get_error (stream);

  if (error != NULL)
    show_error (self, error->message);
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  JcEvidenceViewer *self = JC_EVIDENCE_VIEWER (source);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  switch (load->show)
    {
    case SHOW_IMAGE:
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (load->texture));
      gtk_stack_set_visible_child_name (self->stack, "image");
      break;
    case SHOW_AUDIO:
    case SHOW_VIDEO:
      {
        g_autoptr(GtkMediaStream) stream = NULL;

        self->open_path = g_steal_pointer (&load->path);
        stream = gtk_media_file_new_for_filename (self->open_path);
        g_signal_connect_object (stream, "notify::error", G_CALLBACK (on_media_error), self, G_CONNECT_SWAPPED);
        if (load->show == SHOW_VIDEO)
          gtk_video_set_media_stream (self->video, stream);
        else
          gtk_media_controls_set_media_stream (self->audio_controls, stream);
        gtk_stack_set_visible_child_name (self->stack, load->show == SHOW_VIDEO ? "video" : "audio");
      }
      break;
    case SHOW_DOCUMENT:
      self->open_path = g_steal_pointer (&load->path);
      gtk_stack_set_visible_child_name (self->stack, "document");
      break;
    }
}

static void
on_launch_clicked (JcEvidenceViewer *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GAppLaunchContext) context = NULL;
  g_autoptr(GError) error = NULL;

  if (self->open_path == NULL)
    return;
  file = g_file_new_for_path (self->open_path);
  uri = g_file_get_uri (file);
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self))));
  if (!g_app_info_launch_default_for_uri (uri, context, &error))
    {
      g_autofree char *message = g_strdup_printf (_("No application opens “%s”: %s"), self->name, error->message);
      show_error (self, message);
    }
}

JcEvidenceViewer *
jc_evidence_viewer_new (GtkWindow *parent, JcVault *vault, const char *sha256_hex)
{
  JcEvidenceViewer *self = g_object_new (JC_TYPE_EVIDENCE_VIEWER, "transient-for", parent, NULL);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *media_type = NULL;
  Load *load;

  g_return_val_if_fail (JC_IS_VAULT (vault), NULL);

  self->vault = g_object_ref (vault);
  self->sha256_hex = g_strdup (sha256_hex);
  g_signal_connect_object (vault, "locking", G_CALLBACK (on_vault_locking), self, G_CONNECT_SWAPPED);
  /* A handheld's screen is smaller than the window's default. */
  if (parent != NULL && gtk_widget_get_width (GTK_WIDGET (parent)) > 0)
    gtk_window_set_default_size (GTK_WINDOW (self),
                                 MIN (640, gtk_widget_get_width (GTK_WIDGET (parent))),
                                 MIN (560, gtk_widget_get_height (GTK_WIDGET (parent))));
  if (!jc_vault_describe_evidence (vault, sha256_hex, &name, &media_type, NULL, NULL, &error))
    {
      adw_window_title_set_title (self->title, _("Evidence"));
      show_error (self, error->message);
      return self;
    }
  self->name = g_strdup (*name != '\0' ? name : sha256_hex);
  self->media_type = g_steal_pointer (&media_type);
  adw_window_title_set_title (self->title, self->name);
  adw_window_title_set_subtitle (self->title, self->media_type);
  adw_status_page_set_title (self->document_page, self->name);

  remove_leftovers (jc_vault_get_dir (vault));
  load = g_new0 (Load, 1);
  load->vault = g_object_ref (vault);
  jc_vault_task_hold (vault);   /* decrypting: locking waits */
  load->sha256_hex = g_strdup (sha256_hex);
  load->dir = g_strdup (jc_vault_get_dir (vault));
  {
    const char *dot = strrchr (self->name, '.');
    /* Only a plain extension goes into the file name. */
    load->extension = dot != NULL && strlen (dot) <= 8 && strchr (dot, G_DIR_SEPARATOR) == NULL
                      ? g_strdup (dot) : g_strdup ("");
  }
  if (g_str_has_prefix (self->media_type, "image/"))
    load->show = SHOW_IMAGE;
  else if (g_str_has_prefix (self->media_type, "audio/"))
    load->show = SHOW_AUDIO;
  else if (g_str_has_prefix (self->media_type, "video/"))
    load->show = SHOW_VIDEO;
  else
    load->show = SHOW_DOCUMENT;
  task = g_task_new (self, self->cancellable, on_loaded, NULL);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
  return self;
}

const char *
jc_evidence_viewer_get_shown (JcEvidenceViewer *self)
{
  g_return_val_if_fail (JC_IS_EVIDENCE_VIEWER (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkMediaStream *
jc_evidence_viewer_get_media_stream (JcEvidenceViewer *self)
{
  g_return_val_if_fail (JC_IS_EVIDENCE_VIEWER (self), NULL);

  if (self->video != NULL && gtk_video_get_media_stream (self->video) != NULL)
    return gtk_video_get_media_stream (self->video);
  return self->audio_controls != NULL ? gtk_media_controls_get_media_stream (self->audio_controls) : NULL;
}

/* Stops the player and removes the private copy. */
static void
forget (JcEvidenceViewer *self)
{
  g_cancellable_cancel (self->cancellable);
  if (jc_evidence_viewer_get_media_stream (self) != NULL)
    {
      gtk_media_stream_pause (jc_evidence_viewer_get_media_stream (self));
      gtk_video_set_media_stream (self->video, NULL);
      gtk_media_controls_set_media_stream (self->audio_controls, NULL);
    }
  if (self->picture != NULL)
    gtk_picture_set_paintable (self->picture, NULL);
  if (self->open_path != NULL)
    g_unlink (self->open_path);
  g_clear_pointer (&self->open_path, g_free);
}

/* Locked, nothing decrypted stays on screen or on disk. */
static void
on_vault_locking (JcEvidenceViewer *self)
{
  forget (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
jc_evidence_viewer_dispose (GObject *object)
{
  JcEvidenceViewer *self = JC_EVIDENCE_VIEWER (object);

  forget (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_EVIDENCE_VIEWER);
  G_OBJECT_CLASS (jc_evidence_viewer_parent_class)->dispose (object);
}

static void
jc_evidence_viewer_finalize (GObject *object)
{
  JcEvidenceViewer *self = JC_EVIDENCE_VIEWER (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->vault);
  g_free (self->sha256_hex);
  g_free (self->media_type);
  g_free (self->name);
  G_OBJECT_CLASS (jc_evidence_viewer_parent_class)->finalize (object);
}

static void
jc_evidence_viewer_class_init (JcEvidenceViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_evidence_viewer_dispose;
  object_class->finalize = jc_evidence_viewer_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-evidence-viewer.ui");
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, title);
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, stack);
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, picture);
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, video);
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, audio_controls);
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, document_page);
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, error_page);
  gtk_widget_class_bind_template_child (widget_class, JcEvidenceViewer, launch_button);
  gtk_widget_class_bind_template_callback (widget_class, on_launch_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jc_evidence_viewer_init (JcEvidenceViewer *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* jc-qr-view.c — a QR code shown large for scanning, and saved as a PNG
 *
 * Black on white whatever the theme, as large as the space allows; below
 * it "Save QR Image…", a GtkFileChooserNative, and a line saying where it
 * went or why it could not.
 */
#define G_LOG_DOMAIN "jiancha-qr-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "jc-core.h"
#include "jc-qr-view.h"

/* Pixels per module of a saved PNG: a 600-character code is about 500 px. */
#define SAVE_MODULE_PX 6

struct _JcQrView
{
  GtkBox                parent_instance;

  char                 *text;
  char                 *file_name;
  GtkFileChooserNative *chooser;

  GtkDrawingArea       *area;
  GtkButton            *save_button;
  GtkLabel             *saved_label;
};

G_DEFINE_FINAL_TYPE (JcQrView, jc_qr_view, GTK_TYPE_BOX)

static void
draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  JcQrView *self = data;
  double size = MIN (width, height);
  double x = floor ((width - size) / 2);
  double y = floor ((height - size) / 2);

  if (self->text == NULL || size < 1)
    return;
  /* White under the code and its quiet zone, whatever the theme. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x, y, size, size);
  cairo_fill (cr);
  jc_qr_draw (cr, self->text, x, y, size, NULL);
}

static void
show_saved (JcQrView *self, const char *message, gboolean is_error)
{
  gtk_label_set_label (self->saved_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->saved_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->saved_label), "error");
}

void
jc_qr_view_set_code (JcQrView *self, const char *text, const char *file_name)
{
  g_return_if_fail (JC_IS_QR_VIEW (self));

  g_free (self->text);
  self->text = g_strdup (text);
  g_free (self->file_name);
  self->file_name = g_strdup (file_name);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), text != NULL);
  show_saved (self, NULL, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

const char *
jc_qr_view_get_code (JcQrView *self)
{
  g_return_val_if_fail (JC_IS_QR_VIEW (self), NULL);

  return self->text;
}

gboolean
jc_qr_view_save (JcQrView *self, GFile *file, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (JC_IS_QR_VIEW (self), FALSE);

  path = g_file_get_path (file);
  if (self->text == NULL || path == NULL)
    {
      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   self->text == NULL ? _("There is no code to save") : _("Only a local file can be written"));
    }
  else if (jc_qr_write_png (self->text, path, SAVE_MODULE_PX, &local_error))
    {
      message = g_strdup_printf (_("Saved to %s"), path);
      show_saved (self, message, FALSE);
      return TRUE;
    }
  show_saved (self, local_error->message, TRUE);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
on_chooser_response (JcQrView *self, int response, GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      /* The label says what went wrong. */
      jc_qr_view_save (self, file, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
on_save_clicked (JcQrView *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save QR Image"), GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser),
                                     self->file_name != NULL ? self->file_name : "jiancha-qr.png");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
jc_qr_view_dispose (GObject *object)
{
  JcQrView *self = JC_QR_VIEW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->file_name, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_QR_VIEW);
  G_OBJECT_CLASS (jc_qr_view_parent_class)->dispose (object);
}

static void
jc_qr_view_class_init (JcQrViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_qr_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-qr-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JcQrView, area);
  gtk_widget_class_bind_template_child (widget_class, JcQrView, save_button);
  gtk_widget_class_bind_template_child (widget_class, JcQrView, saved_label);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
}

static void
jc_qr_view_init (JcQrView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->area, draw, self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
}

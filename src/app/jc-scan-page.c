/* jc-scan-page.c — the place 扫描核验 (Scan and Verify)
 *
 * One screen for every code of the JC1 family, read from an image file (a
 * photo or a screenshot of the other device's screen):
 *  - any finding's JC1 code is verified and shown in words (institution,
 *    checklist, items with their text, amount, sealing time, signer), or the
 *    exact reason it is not valid;
 *  - on the institution's device (DESIGN.md "way 2"), an unanswered finding
 *    sealed elsewhere can be answered: the representative confirms or
 *    disputes with a reason, and this device's key signs a JCA1
 *    acknowledgment, shown as a QR code for the inspector to scan (the
 *    vault keeps its copy as an event);
 *  - on the inspector's device, such an acknowledgment is recorded as the
 *    answer to the finding, which then carries the institution's key and
 *    signature.
 * All the rules are in the core (jc-ack.c, jc-finding.c); the page only
 * reads the image, off the main thread, and shows what the core says.
 *
 * No live camera yet: GTK 4.8 has no camera source (GtkMediaFile plays
 * files), Debian 12's zbar has its camera widget for GTK 3 only and its
 * zbar_processor previews in an X11 window of its own. What would work with
 * Debian 12's packages is zbar_video (V4L2) without display, each frame both
 * scanned and turned into a GdkTexture for a preview; it needs a camera to
 * be tested, which these machines do not have. A photo taken with the
 * device's own camera app goes through the file chooser the same way.
 */
#define G_LOG_DOMAIN "jiancha-scan-page"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "jc-scan-page.h"

struct _JcScanPage
{
  AdwBin                parent_instance;

  JcVault              *vault;
  GtkFileChooserNative *chooser;
  const char           *state;
  guint                 generation;   /* a scan still running when this moved on is ignored */
  char                 *code;
  char                 *result;
  JcJc1Claims          *claims;       /* of a valid finding code, else NULL */

  GtkWidget            *intro_box;
  GtkButton            *open_button;
  GtkWidget            *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_title;
  GtkLabel             *result_label;
  GtkWidget            *answer_box;
  AdwEntryRow          *name_row;
  AdwEntryRow          *title_row;
  GtkCheckButton       *confirm_toggle;
  GtkCheckButton       *dispute_toggle;
  GtkWidget            *reason_list;
  AdwEntryRow          *reason_row;
  GtkLabel             *answer_error_label;
  GtkButton            *sign_button;
  GtkWidget            *ack_box;
  GtkLabel             *ack_label;
  JcQrView             *ack_view;
  GtkWidget            *record_box;
  GtkButton            *record_button;
  GtkLabel             *record_label;
};

G_DEFINE_FINAL_TYPE (JcScanPage, jc_scan_page, ADW_TYPE_BIN)

static void
show_error (GtkLabel *label, const char *message)
{
  gtk_label_set_label (label, message);
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static void
set_state (JcScanPage *self, const char *state, const char *title, const char *text)
{
  gboolean valid = g_str_equal (state, "valid");

  self->state = state;
  g_free (self->result);
  self->result = g_strdup (text);
  gtk_widget_set_visible (self->result_box, text != NULL);
  gtk_widget_set_visible (self->intro_box, text == NULL);
  gtk_label_set_label (self->result_title, title);
  gtk_label_set_label (self->result_label, text ? text : "");
  gtk_image_set_from_icon_name (self->result_icon, valid ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), valid ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->result_icon), valid ? "success" : "error");
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), !g_str_equal (state, "scanning"));
}

static void
reset (JcScanPage *self)
{
  self->generation++;
  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->claims, jc_jc1_claims_free);
  set_state (self, "empty", NULL, NULL);
  gtk_widget_set_visible (self->answer_box, FALSE);
  gtk_widget_set_visible (self->ack_box, FALSE);
  gtk_widget_set_visible (self->record_box, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->reason_row), "");
  gtk_check_button_set_active (self->confirm_toggle, TRUE);
  show_error (self->answer_error_label, NULL);
  jc_qr_view_set_code (self->ack_view, NULL, NULL);
}

/* ---- what the code says ---- */

static gboolean
sealed_here (JcScanPage *self, const JcJc1Claims *claims)
{
  const guint8 *pk = jc_device_get_public_key (jc_vault_get_device (self->vault));

  return memcmp (pk, claims->signer_key, 32) == 0;
}

/* A valid acknowledgment: can this device record it? */
static void
offer_record (JcScanPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcAck) ack = jc_ack_decode_verify (self->code, &error);
  g_autoptr(JcFinding) f = NULL;
  char hex[JC_FINDING_ID_SIZE * 2 + 1];

  if (ack == NULL)
    return;
  sodium_bin2hex (hex, sizeof hex, ack->finding_id, sizeof ack->finding_id);
  f = jc_finding_get (self->vault, hex, NULL);
  gtk_widget_set_visible (self->record_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->record_button), f != NULL && !f->confirmed && f->superseded_by == NULL);
  if (f == NULL)
    gtk_label_set_label (self->record_label, _("This device has no such finding: the inspector who sealed it records the acknowledgment."));
  else if (f->confirmed)
    gtk_label_set_label (self->record_label, _("This finding already has the institution’s answer."));
  else if (f->superseded_by != NULL)
    gtk_label_set_label (self->record_label, _("This finding was amended since: the institution must answer the new one."));
  else
    gtk_label_set_label (self->record_label, _("Record it as the institution’s answer: the finding’s code then carries the institution’s key and signature."));
}

static void
show_code (JcScanPage *self, char *code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *words = NULL;

  g_free (self->code);
  self->code = code;
  words = jc_finding_describe_code (self->vault, NULL, code, &error);
  if (words == NULL)
    {
      set_state (self, "invalid", _("Not Valid"), error->message);
      return;
    }
  set_state (self, "valid", _("Valid"), words);
  if (g_str_has_prefix (code, JC_ACK_PREFIX))
    {
      offer_record (self);
      return;
    }
  self->claims = jc_finding_verify_code (self->vault, code, NULL, NULL);
  /* The institution answers a finding sealed on another device, once. */
  gtk_widget_set_visible (self->answer_box, self->claims != NULL && !self->claims->has_confirmation &&
                                            !sealed_here (self, self->claims));
}

/* ---- reading the image, off the main thread ---- */

/* RGB24, transparency over white. */
static cairo_surface_t *
surface_from_pixbuf (GdkPixbuf *pixbuf)
{
  int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf), rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  guint8 *dst;
  int stride;

  cairo_surface_flush (surface);
  dst = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; dst != NULL && y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = src + (gsize) y * rowstride + (gsize) x * n;
        guint a = alpha ? p[3] : 255;
        guint r = (p[0] * a + 255 * (255 - a)) / 255;
        guint g = (p[1] * a + 255 * (255 - a)) / 255;
        guint b = (p[2] * a + 255 * (255 - a)) / 255;

        *(guint32 *) (dst + (gsize) y * stride + (gsize) x * 4) = (r << 16) | (g << 8) | b;
      }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
scan_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GFile *file = data;
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_auto(GStrv) codes = NULL;
  cairo_surface_t *surface;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Only a local file can be read"));
      return;
    }
  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  if (pixbuf == NULL)
    {
      g_task_return_new_error (task, JC_QR_ERROR, JC_QR_ERROR_FILE, _("Cannot read the image %s: %s"), path,
                               error->message);
      return;
    }
  surface = surface_from_pixbuf (pixbuf);
  codes = jc_qr_scan_surface (surface, &error);
  cairo_surface_destroy (surface);
  if (codes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_strv_length (codes) > 1)
    {
      g_task_return_new_error (task, JC_QR_ERROR, JC_QR_ERROR_SEVERAL,
                               _("The image holds %u QR codes: take a picture of the one to check"),
                               g_strv_length (codes));
      return;
    }
  g_task_return_pointer (task, g_strdup (codes[0]), g_free);
}

static void
on_scanned (GObject *source, GAsyncResult *result, gpointer data)
{
  JcScanPage *self = JC_SCAN_PAGE (source);
  guint generation = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;
  char *code = g_task_propagate_pointer (G_TASK (result), &error);

  if (generation != self->generation)
    {
      g_free (code);
      return;
    }
  if (code == NULL)
    set_state (self, "invalid", _("No Code Read"), error->message);
  else
    show_code (self, code);
}

void
jc_scan_page_open_file (JcScanPage *self, GFile *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (JC_IS_SCAN_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  reset (self);
  set_state (self, "scanning", _("Reading the Image…"), "");
  task = g_task_new (self, NULL, on_scanned, GUINT_TO_POINTER (self->generation));
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, scan_thread);
}

static void
on_chooser_response (JcScanPage *self, int response, GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      jc_scan_page_open_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
on_open_clicked (JcScanPage *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open QR Image"), GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Images"));
  gtk_file_filter_add_pixbuf_formats (filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- answering as the institution ---- */

static void
update_sign (JcScanPage *self)
{
  gboolean dispute = gtk_check_button_get_active (self->dispute_toggle);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));

  gtk_widget_set_visible (self->reason_list, dispute);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_button), *name != '\0' && (!dispute || *reason != '\0'));
}

static void
on_sign_clicked (JcScanPage *self)
{
  g_autoptr(GError) error = NULL;
  gboolean dispute = gtk_check_button_get_active (self->dispute_toggle);
  g_autofree char *ack = NULL, *file_name = NULL, *summary = NULL;
  g_autoptr(JcAck) signed_ack = NULL;
  char hex[JC_FINDING_ID_SIZE * 2 + 1];

  g_return_if_fail (self->claims != NULL);

  ack = jc_finding_acknowledge (self->vault, self->code, dispute ? JC_JC1_STATUS_DISPUTED : JC_JC1_STATUS_CONFIRMED,
                                gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                                gtk_editable_get_text (GTK_EDITABLE (self->title_row)),
                                dispute ? gtk_editable_get_text (GTK_EDITABLE (self->reason_row)) : NULL, &error);
  if (ack == NULL)
    {
      show_error (self->answer_error_label, error->message);
      return;
    }
  /* What was signed, read back from the code itself. */
  signed_ack = jc_ack_decode_verify (ack, NULL);
  summary = signed_ack ? jc_ack_describe (signed_ack) : NULL;
  gtk_label_set_label (self->ack_label, summary ? g_strstrip (summary) : "");
  sodium_bin2hex (hex, sizeof hex, self->claims->finding_id, sizeof self->claims->finding_id);
  file_name = g_strdup_printf ("acknowledgment-%.8s.png", hex);
  jc_qr_view_set_code (self->ack_view, ack, file_name);
  gtk_widget_set_visible (self->answer_box, FALSE);
  gtk_widget_set_visible (self->ack_box, TRUE);
}

/* ---- recording an acknowledgment ---- */

static void
on_record_clicked (JcScanPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fid = NULL, *done = NULL;

  if (!jc_finding_record_ack (self->vault, NULL, self->code, &fid, &error))
    {
      gtk_label_set_label (self->record_label, error->message);
      return;
    }
  done = g_strdup_printf (_("Recorded: finding %s now carries the institution’s key and signature."), fid);
  gtk_label_set_label (self->record_label, done);
  gtk_widget_set_visible (GTK_WIDGET (self->record_button), FALSE);
}

/* ---- the page ---- */

void
jc_scan_page_set_vault (JcScanPage *self, JcVault *vault)
{
  g_return_if_fail (JC_IS_SCAN_PAGE (self));

  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  g_set_object (&self->vault, vault);
  if (vault != NULL)
    g_signal_connect_object (vault, "notify::unlocked", G_CALLBACK (reset), self, G_CONNECT_SWAPPED);
  reset (self);
}

const char *
jc_scan_page_get_state (JcScanPage *self)
{
  g_return_val_if_fail (JC_IS_SCAN_PAGE (self), NULL);

  return self->state;
}

const char *
jc_scan_page_get_result (JcScanPage *self)
{
  g_return_val_if_fail (JC_IS_SCAN_PAGE (self), NULL);

  return self->result;
}

static void
jc_scan_page_dispose (GObject *object)
{
  JcScanPage *self = JC_SCAN_PAGE (object);

  /* The bin's child is a bound template child: AdwBin must let go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_SCAN_PAGE);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->result, g_free);
  g_clear_pointer (&self->claims, jc_jc1_claims_free);
  G_OBJECT_CLASS (jc_scan_page_parent_class)->dispose (object);
}

static void
jc_scan_page_class_init (JcScanPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_scan_page_dispose;

  g_type_ensure (JC_TYPE_QR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-scan-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, intro_box);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, open_button);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, result_box);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, result_icon);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, result_title);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, result_label);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, answer_box);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, title_row);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, confirm_toggle);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, dispute_toggle);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, reason_list);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, reason_row);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, answer_error_label);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, sign_button);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, ack_box);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, ack_label);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, ack_view);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, record_box);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, record_button);
  gtk_widget_class_bind_template_child (widget_class, JcScanPage, record_label);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, update_sign);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_record_clicked);
}

static void
jc_scan_page_init (JcScanPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->state = "empty";
  update_sign (self);
}

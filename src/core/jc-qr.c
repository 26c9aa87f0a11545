/* jc-qr.c — QR codes: libqrencode to draw them, zbar to read them back
 *
 * Error correction Q (25 %) because the code lives on screens with glare
 * and on printed sheets that get folded and stamped.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <qrencode.h>
#include <string.h>
#include <zbar.h>

#include "jc-qr.h"

G_DEFINE_QUARK (jc-qr-error-quark, jc_qr_error)

static gboolean
is_alphanumeric (const char *text)
{
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && !g_ascii_isupper (*p) && strchr (" $%*+-./:", *p) == NULL)
      return FALSE;
  return TRUE;
}

static QRcode *
encode (const char  *text,
        GError     **error)
{
  QRcode *code = NULL;

  if (*text == '\0')
    {
      g_set_error_literal (error, JC_QR_ERROR, JC_QR_ERROR_ENCODE, _("Cannot make a QR code of empty text"));
      return NULL;
    }

  /* One alphanumeric segment for the whole text (5.5 bits a character);
   * libqrencode's own splitting could start a costlier 8-bit segment. */
  if (is_alphanumeric (text))
    {
      QRinput *input = QRinput_new2 (0, QR_ECLEVEL_Q);

      if (input != NULL && QRinput_append (input, QR_MODE_AN, strlen (text), (const unsigned char *) text) == 0)
        code = QRcode_encodeInput (input);
      QRinput_free (input);
    }
  else
    code = QRcode_encodeString (text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);

  if (code == NULL)
    {
      g_set_error (error, JC_QR_ERROR, JC_QR_ERROR_ENCODE,
                   errno == ERANGE ? _("The text (%zu characters) is too long for a QR code")
                                   : _("libqrencode could not encode the text (%zu characters)"),
                   strlen (text));
      return NULL;
    }
  return code;
}

guint8 *
jc_qr_encode_matrix (const char  *text,
                     int         *width,
                     GError     **error)
{
  QRcode *code = encode (text, error);
  guint8 *m;

  if (code == NULL)
    return NULL;
  m = g_malloc ((gsize) code->width * code->width);
  for (int i = 0; i < code->width * code->width; i++)
    m[i] = code->data[i] & 1;
  *width = code->width;
  QRcode_free (code);
  return m;
}

/* Dark modules as one rectangle per horizontal run: fewer paths in a PDF,
 * and no hairline seams between neighbouring modules. */
static void
add_modules (cairo_t      *cr,
             const guint8 *m,
             int           width,
             double        x,
             double        y,
             double        module)
{
  for (int row = 0; row < width; row++)
    for (int col = 0; col < width; )
      {
        int run = 0;

        while (col + run < width && m[row * width + col + run])
          run++;
        if (run > 0)
          {
            cairo_rectangle (cr, x + (col + JC_QR_QUIET_ZONE) * module, y + (row + JC_QR_QUIET_ZONE) * module,
                             run * module, module);
            col += run;
          }
        else
          col++;
      }
}

gboolean
jc_qr_draw (cairo_t     *cr,
            const char  *text,
            double       x,
            double       y,
            double       size,
            GError     **error)
{
  g_autofree guint8 *m = NULL;
  int width;
  double module;

  m = jc_qr_encode_matrix (text, &width, error);
  if (m == NULL)
    return FALSE;
  module = size / (width + 2 * JC_QR_QUIET_ZONE);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x, y, size, size);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  add_modules (cr, m, width, x, y, module);
  cairo_fill (cr);
  cairo_restore (cr);
  return TRUE;
}

cairo_surface_t *
jc_qr_render_surface (const char  *text,
                      int          module_px,
                      GError     **error)
{
  g_autofree guint8 *m = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  int width, px;

  g_return_val_if_fail (module_px > 0 && module_px <= 64, NULL);

  m = jc_qr_encode_matrix (text, &width, error);
  if (m == NULL)
    return NULL;
  px = (width + 2 * JC_QR_QUIET_ZONE) * module_px;
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, px, px);
  cr = cairo_create (surface);
  /* Whole pixels: crisp edges that any scanner reads. */
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  add_modules (cr, m, width, 0, 0, module_px);
  cairo_fill (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

gboolean
jc_qr_write_png (const char  *text,
                 const char  *path,
                 int          module_px,
                 GError     **error)
{
  cairo_surface_t *surface = jc_qr_render_surface (text, module_px, error);
  cairo_status_t status;

  if (surface == NULL)
    return FALSE;
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, JC_QR_ERROR, JC_QR_ERROR_FILE,
                   _("Cannot write the QR image %s: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

GStrv
jc_qr_scan_surface (cairo_surface_t  *surface,
                    GError          **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint8 *gray = NULL;
  cairo_surface_t *flat;
  cairo_t *cr;
  zbar_image_scanner_t *scanner;
  zbar_image_t *image;
  const guint8 *px;
  int w, h, stride;

  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  if (w <= 0 || h <= 0)
    {
      g_set_error_literal (error, JC_QR_ERROR, JC_QR_ERROR_NOT_FOUND, _("No QR code found: the image is empty"));
      return NULL;
    }

  /* Flatten any format (grey, palette, alpha) onto white as RGB24, then
   * to 8-bit luminance, zbar's Y800. */
  flat = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cr = cairo_create (flat);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (flat);

  px = cairo_image_surface_get_data (flat);
  stride = cairo_image_surface_get_stride (flat);
  gray = g_malloc ((gsize) w * h);
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (px + (gsize) y * stride);

      for (int x = 0; x < w; x++)
        {
          guint32 p = row[x];

          gray[(gsize) y * w + x] = (((p >> 16) & 0xff) * 77 + ((p >> 8) & 0xff) * 150 + (p & 0xff) * 29) >> 8;
        }
    }
  cairo_surface_destroy (flat);

  scanner = zbar_image_scanner_create ();
  zbar_image_scanner_set_config (scanner, 0, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config (scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
  /* Bytes as they are, no guessing of a legacy charset. */
  zbar_image_scanner_set_config (scanner, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
  image = zbar_image_create ();
  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, w, h);
  zbar_image_set_data (image, gray, (unsigned long) w * h, NULL);

  if (zbar_scan_image (scanner, image) > 0)
    for (const zbar_symbol_t *sym = zbar_image_first_symbol (image); sym != NULL;
         sym = zbar_symbol_next (sym))
      if (zbar_symbol_get_type (sym) == ZBAR_QRCODE)
        g_ptr_array_add (found, g_strndup (zbar_symbol_get_data (sym), zbar_symbol_get_data_length (sym)));

  zbar_image_destroy (image);
  zbar_image_scanner_destroy (scanner);

  if (found->len == 0)
    {
      g_set_error (error, JC_QR_ERROR, JC_QR_ERROR_NOT_FOUND,
                   _("No QR code found in the %d×%d image"), w, h);
      return NULL;
    }
  g_ptr_array_add (found, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&found), FALSE);
}

char *
jc_qr_decode_png (const char  *path,
                  GError     **error)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  cairo_status_t status = cairo_surface_status (surface);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) texts = NULL;

  if (status != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      g_set_error (error, JC_QR_ERROR, JC_QR_ERROR_FILE, _("Cannot read %s: %s"), path,
                   status == CAIRO_STATUS_FILE_NOT_FOUND ? _("no such file")
                   : status == CAIRO_STATUS_READ_ERROR ? _("not a readable PNG image")
                   : cairo_status_to_string (status));
      return NULL;
    }
  texts = jc_qr_scan_surface (surface, &local_error);
  cairo_surface_destroy (surface);
  if (texts == NULL)
    {
      g_set_error (error, JC_QR_ERROR, local_error->code, _("%s: %s"), path, local_error->message);
      return NULL;
    }
  if (g_strv_length (texts) > 1)
    {
      g_set_error (error, JC_QR_ERROR, JC_QR_ERROR_SEVERAL,
                   _("%s: %u QR codes found where one was expected; crop the image to one code"),
                   path, g_strv_length (texts));
      return NULL;
    }
  return g_strdup (texts[0]);
}

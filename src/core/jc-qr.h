/* jc-qr.h — drawing QR codes (libqrencode, Cairo) and reading them (zbar) */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define JC_QR_ERROR (jc_qr_error_quark ())

typedef enum {
  JC_QR_ERROR_ENCODE,     /* the text does not fit a QR code */
  JC_QR_ERROR_FILE,       /* the image file cannot be read or written */
  JC_QR_ERROR_NOT_FOUND,  /* no QR code in the image */
  JC_QR_ERROR_SEVERAL,    /* more than one QR code where one was expected */
} JcQrError;

/* Light modules around the code, as ISO 18004 requires. */
#define JC_QR_QUIET_ZONE 4

GQuark           jc_qr_error_quark     (void);

/* The module matrix (error correction Q, smallest version that fits): a
 * width × width array of 0 (light) / 1 (dark), row by row. A text made only
 * of QR's alphanumeric set (a JC1 code) is encoded in alphanumeric mode. */
guint8          *jc_qr_encode_matrix   (const char  *text,
                                        int         *width,
                                        GError     **error);

/* An RGB24 image: black on white, @module_px pixels per module, with the
 * quiet zone. Free with cairo_surface_destroy(). */
cairo_surface_t *jc_qr_render_surface  (const char  *text,
                                        int          module_px,
                                        GError     **error);

gboolean         jc_qr_write_png       (const char  *text,
                                        const char  *path,
                                        int          module_px,
                                        GError     **error);

/* Draws the code, quiet zone included, as a @size × @size square with its
 * top-left corner at (@x, @y) in user space: for PDF sheets and widgets. */
gboolean         jc_qr_draw            (cairo_t     *cr,
                                        const char  *text,
                                        double       x,
                                        double       y,
                                        double       size,
                                        GError     **error);

/* Every QR code zbar finds in @surface (any Cairo image format; transparent
 * pixels count as white), in zbar's order. Fails when there is none. */
GStrv            jc_qr_scan_surface    (cairo_surface_t *surface,
                                        GError         **error);

/* The one QR code in a PNG file (fails when there is none or several). */
char            *jc_qr_decode_png      (const char  *path,
                                        GError     **error);

G_END_DECLS

/* jc-qr-view.h — a QR code shown large for scanning, and saved as a PNG */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define JC_TYPE_QR_VIEW (jc_qr_view_get_type ())
G_DECLARE_FINAL_TYPE (JcQrView, jc_qr_view, JC, QR_VIEW, GtkBox)

/* NULL shows nothing. @file_name is what Save suggests ("finding-….png"). */
void        jc_qr_view_set_code      (JcQrView    *self,
                                      const char  *text,
                                      const char  *file_name);
const char *jc_qr_view_get_code      (JcQrView    *self);
/* What "Save QR Image…" does once a file is chosen: the PNG, large enough
 * to print or to scan from a screen. */
gboolean    jc_qr_view_save          (JcQrView    *self,
                                      GFile       *file,
                                      GError     **error);

G_END_DECLS

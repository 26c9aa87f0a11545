/* jc-sheet.h — the findings sheet of an inspection, as an A4 PDF
 *
 * The inspection (institution, team, form, date, checklist), then each live
 * (not superseded) finding: items and their legal basis, facts, amount,
 * evidence with SHA-256, the institution's answer, lines to sign on paper,
 * and the finding's JC1 QR code. Chinese text in a CJK font found with
 * fontconfig (Noto Sans CJK SC first), embedded by Cairo.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "jc-checklist-registry.h"
#include "jc-vault.h"

G_BEGIN_DECLS

#define JC_SHEET_ERROR (jc_sheet_error_quark ())

typedef enum {
  JC_SHEET_ERROR_FONT,     /* no font with Chinese characters */
  JC_SHEET_ERROR_EMPTY,    /* the inspection has no finding */
  JC_SHEET_ERROR_WRITE,    /* Cairo could not write the file */
} JcSheetError;

GQuark   jc_sheet_error_quark (void);

/* Writes the sheet of @inspection_id to @path. @registry NULL: built-in lists. */
gboolean jc_sheet_write_pdf   (JcVault             *vault,
                               JcChecklistRegistry *registry,
                               const char          *inspection_id,
                               const char          *path,
                               GError             **error);

/* A face of the first font fontconfig offers for @name (e.g. "Noto Sans
 * CJK SC:weight=bold") that has Chinese; JC_SHEET_ERROR_FONT when none. */
cairo_font_face_t *jc_sheet_cjk_face (const char  *name,
                                      GError     **error);

G_END_DECLS

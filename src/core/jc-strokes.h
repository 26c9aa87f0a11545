/* jc-strokes.h — a handwritten signature as strokes of points (JCS1)
 *
 * What the signature pad records, what the vault keeps as evidence and
 * what the findings sheet draws again. The text form ("JCS1"):
 *
 *   JCS1\n
 *   size WIDTH HEIGHT\n          the pad's size when drawn, in pixels
 *   x,y,p;x,y,p;…\n              one line per stroke, in drawing order
 *
 * x and y with one decimal in pad pixels (origin top left), p the pressure
 * 0…1 with two decimals. Decimal points are always '.', whatever the locale.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "jc-vault.h"

G_BEGIN_DECLS

#define JC_STROKES_ERROR (jc_strokes_error_quark ())

typedef enum {
  JC_STROKES_ERROR_FORMAT,  /* not JCS1 text: names the line and what is wrong */
} JcStrokesError;

/* Bounds of what is read back: a signature is a few thousand points. */
#define JC_STROKES_MAX_SIZE   (1024 * 1024)
#define JC_STROKES_MAX_POINTS 100000

typedef struct _JcStrokes JcStrokes;

GQuark      jc_strokes_error_quark (void);

JcStrokes  *jc_strokes_new         (void);
void        jc_strokes_free        (JcStrokes       *strokes);

void        jc_strokes_begin       (JcStrokes       *strokes,
                                    double           x,
                                    double           y,
                                    double           pressure);
/* Adds to the last stroke (starting one when there is none). */
void        jc_strokes_add_point   (JcStrokes       *strokes,
                                    double           x,
                                    double           y,
                                    double           pressure);
void        jc_strokes_clear       (JcStrokes       *strokes);
guint       jc_strokes_get_n_strokes (const JcStrokes *strokes);
/* Points in all strokes. */
guint       jc_strokes_get_n_points  (const JcStrokes *strokes);
/* The pad's size (0 × 0 until serialized or parsed). */
void        jc_strokes_get_size    (const JcStrokes *strokes,
                                    int             *width,
                                    int             *height);

/* The JCS1 text of a pad @width × @height pixels. */
char       *jc_strokes_serialize   (JcStrokes       *strokes,
                                    int              width,
                                    int              height);
JcStrokes  *jc_strokes_parse       (const char      *text,
                                    gsize            len,
                                    GError         **error);
/* The JCS1 evidence @sha256_hex of @vault, decrypted in memory (never to a
 * file) and parsed. */
JcStrokes  *jc_strokes_load        (JcVault         *vault,
                                    const char      *sha256_hex,
                                    GError         **error);

/* Ink in the current source colour, in pad pixels times @scale (the
 * caller translates); line width grows with the pressure. */
void        jc_strokes_draw        (const JcStrokes *strokes,
                                    cairo_t         *cr,
                                    double           scale);
/* The pad's area scaled to fit @w × @h at (@x, @y), centred. */
void        jc_strokes_draw_in     (const JcStrokes *strokes,
                                    cairo_t         *cr,
                                    double           x,
                                    double           y,
                                    double           w,
                                    double           h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcStrokes, jc_strokes_free)

G_END_DECLS

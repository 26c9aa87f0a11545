/* jc-signature-pad.h — a handwritten signature, kept as strokes of points */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define JC_TYPE_SIGNATURE_PAD (jc_signature_pad_get_type ())
G_DECLARE_FINAL_TYPE (JcSignaturePad, jc_signature_pad, JC, SIGNATURE_PAD, GtkDrawingArea)

GtkWidget *jc_signature_pad_new          (void);

/* What the drag gesture calls, public so a test can draw without
 * synthesizing pointer events: a stroke starts at a point and grows point by
 * point. Coordinates are in pad pixels; @pressure is 0…1, or 1 when the
 * device reports none. */
void       jc_signature_pad_begin_stroke (JcSignaturePad *self,
                                          double          x,
                                          double          y,
                                          double          pressure);
void       jc_signature_pad_add_point    (JcSignaturePad *self,
                                          double          x,
                                          double          y,
                                          double          pressure);
void       jc_signature_pad_clear        (JcSignaturePad *self);
gboolean   jc_signature_pad_is_empty     (JcSignaturePad *self);
guint      jc_signature_pad_get_n_strokes (JcSignaturePad *self);

/* The strokes as JCS1 text (jc-strokes.h), with the pad's size. */
char      *jc_signature_pad_serialize    (JcSignaturePad *self);

G_END_DECLS

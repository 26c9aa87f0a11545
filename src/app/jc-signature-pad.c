/* jc-signature-pad.c — a handwritten signature, kept as strokes of points
 *
 * One GtkGestureDrag takes mouse, touch and pen alike; the pressure comes
 * from the event's axis when the device has one (a pen), so no separate
 * stylus gesture is needed. The strokes are kept, not pixels: they are what
 * is stored as evidence and drawn again on the findings sheet.
 */
#define G_LOG_DOMAIN "jiancha-signature-pad"

#include "config.h"

#include "jc-signature-pad.h"
#include "jc-strokes.h"

struct _JcSignaturePad
{
  GtkDrawingArea  parent_instance;

  JcStrokes      *strokes;
  double          start_x;
  double          start_y;
};

G_DEFINE_FINAL_TYPE (JcSignaturePad, jc_signature_pad, GTK_TYPE_DRAWING_AREA)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  JcSignaturePad *self = JC_SIGNATURE_PAD (area);

  /* Ink on paper, whatever the theme: it is a signature. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.75, 0.75, 0.75);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, 16, height * 0.75 + 0.5);
  cairo_line_to (cr, width - 16, height * 0.75 + 0.5);
  cairo_stroke (cr);

  cairo_set_source_rgb (cr, 0.05, 0.05, 0.2);
  jc_strokes_draw (self->strokes, cr, 1.0);
}

static double
event_pressure (GtkGesture *gesture)
{
  GdkEvent *event = gtk_gesture_get_last_event (gesture, gtk_gesture_get_last_updated_sequence (gesture));
  double pressure;

  if (event != NULL && gdk_event_get_axis (event, GDK_AXIS_PRESSURE, &pressure))
    return CLAMP (pressure, 0, 1);
  return 1;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, JcSignaturePad *self)
{
  self->start_x = x;
  self->start_y = y;
  jc_signature_pad_begin_stroke (self, x, y, event_pressure (GTK_GESTURE (gesture)));
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, JcSignaturePad *self)
{
  jc_signature_pad_add_point (self, self->start_x + dx, self->start_y + dy,
                              event_pressure (GTK_GESTURE (gesture)));
}

void
jc_signature_pad_begin_stroke (JcSignaturePad *self, double x, double y, double pressure)
{
  g_return_if_fail (JC_IS_SIGNATURE_PAD (self));

  jc_strokes_begin (self->strokes, x, y, pressure);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (jc_strokes_get_n_points (self->strokes) == 1)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
jc_signature_pad_add_point (JcSignaturePad *self, double x, double y, double pressure)
{
  g_return_if_fail (JC_IS_SIGNATURE_PAD (self));

  jc_strokes_add_point (self->strokes, x, y, pressure);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (jc_strokes_get_n_points (self->strokes) == 1)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
jc_signature_pad_clear (JcSignaturePad *self)
{
  g_return_if_fail (JC_IS_SIGNATURE_PAD (self));

  jc_strokes_clear (self->strokes);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

gboolean
jc_signature_pad_is_empty (JcSignaturePad *self)
{
  g_return_val_if_fail (JC_IS_SIGNATURE_PAD (self), TRUE);

  return jc_strokes_get_n_strokes (self->strokes) == 0;
}

guint
jc_signature_pad_get_n_strokes (JcSignaturePad *self)
{
  g_return_val_if_fail (JC_IS_SIGNATURE_PAD (self), 0);

  return jc_strokes_get_n_strokes (self->strokes);
}

char *
jc_signature_pad_serialize (JcSignaturePad *self)
{
  g_return_val_if_fail (JC_IS_SIGNATURE_PAD (self), NULL);

  return jc_strokes_serialize (self->strokes, gtk_widget_get_width (GTK_WIDGET (self)),
                               gtk_widget_get_height (GTK_WIDGET (self)));
}

static void
jc_signature_pad_finalize (GObject *object)
{
  JcSignaturePad *self = JC_SIGNATURE_PAD (object);

  jc_strokes_free (self->strokes);
  G_OBJECT_CLASS (jc_signature_pad_parent_class)->finalize (object);
}

static void
jc_signature_pad_class_init (JcSignaturePadClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_signature_pad_finalize;

  /* Went from empty to signed, or was cleared. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "signaturepad");
}

static void
jc_signature_pad_init (JcSignaturePad *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->strokes = jc_strokes_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (drag), FALSE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw, NULL, NULL);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self), 180);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
jc_signature_pad_new (void)
{
  return g_object_new (JC_TYPE_SIGNATURE_PAD, NULL);
}

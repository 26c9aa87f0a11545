/* fuzz-strokes.c — fuzz target for the signature strokes reader (JCS1)
 *
 * The strokes come from vault evidence, which may have been synced from
 * another device: jc_strokes_parse() must take any bytes. Replayed over
 * tests/fuzz/strokes/ by tests/fuzz-main.c in the normal suite;
 * build-aux/fuzz.sh strokes runs libFuzzer on it.
 *
 * The invariant checked: every input gives either strokes that serialize
 * back to text that parses to the same strokes, and draw without a Cairo
 * error, or NULL and an error of the module that names a line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jc-strokes.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStrokes) s = jc_strokes_parse ((const char *) data, size, &error);
  g_autoptr(JcStrokes) again = NULL;
  g_autofree char *text = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  int w, h;

  if (s == NULL)
    {
      if (error == NULL || error->domain != JC_STROKES_ERROR || strstr (error->message, "JCS1") == NULL)
        abort ();
      return 0;
    }
  jc_strokes_get_size (s, &w, &h);
  text = jc_strokes_serialize (s, w, h);
  again = jc_strokes_parse (text, strlen (text), &error);
  if (again == NULL || jc_strokes_get_n_points (again) != jc_strokes_get_n_points (s) ||
      jc_strokes_get_n_strokes (again) != jc_strokes_get_n_strokes (s))
    abort ();
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 64, 32);
  cr = cairo_create (surface);
  jc_strokes_draw_in (s, cr, 2, 2, 60, 28);
  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    abort ();
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}

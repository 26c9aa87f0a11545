/* jc-strokes.c — signature strokes: JCS1 text, drawing, from the vault */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jc-strokes.h"

G_DEFINE_QUARK (jc-strokes-error-quark, jc_strokes_error)

#define MAX_PAD_SIZE 16384

typedef struct {
  double x, y, pressure;
} Point;

struct _JcStrokes {
  GPtrArray *strokes;  /* of GArray of Point */
  int        width;
  int        height;
  guint      n_points;
};

JcStrokes *
jc_strokes_new (void)
{
  JcStrokes *s = g_new0 (JcStrokes, 1);

  s->strokes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  return s;
}

void
jc_strokes_free (JcStrokes *s)
{
  if (s == NULL)
    return;
  g_ptr_array_unref (s->strokes);
  g_free (s);
}

void
jc_strokes_begin (JcStrokes *s, double x, double y, double pressure)
{
  g_ptr_array_add (s->strokes, g_array_new (FALSE, FALSE, sizeof (Point)));
  jc_strokes_add_point (s, x, y, pressure);
}

void
jc_strokes_add_point (JcStrokes *s, double x, double y, double pressure)
{
  Point p = { x, y, CLAMP (pressure, 0, 1) };

  if (s->strokes->len == 0)
    g_ptr_array_add (s->strokes, g_array_new (FALSE, FALSE, sizeof (Point)));
  g_array_append_val ((GArray *) s->strokes->pdata[s->strokes->len - 1], p);
  s->n_points++;
}

void
jc_strokes_clear (JcStrokes *s)
{
  g_ptr_array_set_size (s->strokes, 0);
  s->n_points = 0;
}

guint
jc_strokes_get_n_strokes (const JcStrokes *s)
{
  return s->strokes->len;
}

guint
jc_strokes_get_n_points (const JcStrokes *s)
{
  return s->n_points;
}

void
jc_strokes_get_size (const JcStrokes *s, int *width, int *height)
{
  *width = s->width;
  *height = s->height;
}

char *
jc_strokes_serialize (JcStrokes *s, int width, int height)
{
  GString *out = g_string_new ("JCS1\n");
  char buf[3][G_ASCII_DTOSTR_BUF_SIZE];

  s->width = width;
  s->height = height;
  g_string_append_printf (out, "size %d %d\n", width, height);
  for (guint i = 0; i < s->strokes->len; i++)
    {
      GArray *points = s->strokes->pdata[i];

      for (guint j = 0; j < points->len; j++)
        {
          Point *p = &g_array_index (points, Point, j);

          g_string_append_printf (out, "%s%s,%s,%s", j > 0 ? ";" : "",
                                  g_ascii_formatd (buf[0], sizeof buf[0], "%.1f", p->x),
                                  g_ascii_formatd (buf[1], sizeof buf[1], "%.1f", p->y),
                                  g_ascii_formatd (buf[2], sizeof buf[2], "%.2f", p->pressure));
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static gboolean
bad (GError **error, guint line, const char *what)
{
  g_set_error (error, JC_STROKES_ERROR, JC_STROKES_ERROR_FORMAT,
               _("Signature strokes (JCS1), line %u: %s"), line, what);
  return FALSE;
}

/* A finite decimal number taking the whole of @s. */
static gboolean
parse_number (const char *s, double *out)
{
  char *end = NULL;

  if (*s == '\0')
    return FALSE;
  *out = g_ascii_strtod (s, &end);
  return end != NULL && *end == '\0' && isfinite (*out);
}

static gboolean
parse_stroke (JcStrokes *s, const char *line, guint n, GError **error)
{
  g_auto(GStrv) points = g_strsplit (line, ";", -1);

  if (*line == '\0')
    return bad (error, n, _("a stroke without points"));
  g_ptr_array_add (s->strokes, g_array_new (FALSE, FALSE, sizeof (Point)));
  for (guint i = 0; points[i] != NULL; i++)
    {
      g_auto(GStrv) xyp = g_strsplit (points[i], ",", -1);
      double x, y, p;

      if (g_strv_length (xyp) != 3 || !parse_number (xyp[0], &x) || !parse_number (xyp[1], &y) ||
          !parse_number (xyp[2], &p))
        return bad (error, n, _("a point is not “x,y,pressure”"));
      if (p < 0 || p > 1)
        return bad (error, n, _("a pressure is not between 0 and 1"));
      if (s->n_points >= JC_STROKES_MAX_POINTS)
        return bad (error, n, _("too many points"));
      jc_strokes_add_point (s, x, y, p);
    }
  return TRUE;
}

JcStrokes *
jc_strokes_parse (const char *text, gsize len, GError **error)
{
  g_autoptr(JcStrokes) s = jc_strokes_new ();
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  if (len > JC_STROKES_MAX_SIZE)
    {
      bad (error, 1, _("larger than 1 MiB"));
      return NULL;
    }
  if (memchr (text, '\0', len) != NULL || !g_utf8_validate_len (text, len, NULL))
    {
      bad (error, 1, _("not text"));
      return NULL;
    }
  copy = g_strndup (text, len);
  lines = g_strsplit (copy, "\n", -1);
  n = g_strv_length (lines);
  if (n == 0 || strcmp (lines[0], "JCS1") != 0)
    {
      bad (error, 1, _("it does not start with “JCS1”"));
      return NULL;
    }
  /* Every line ends with \n: the last piece is empty. */
  if (n < 3 || *lines[n - 1] != '\0')
    {
      bad (error, n, _("the text does not end with a line end"));
      return NULL;
    }
  {
    char *end = NULL;
    const char *p = lines[1];
    long w, h;

    if (!g_str_has_prefix (p, "size "))
      {
        bad (error, 2, _("expected “size WIDTH HEIGHT”"));
        return NULL;
      }
    w = strtol (p + 5, &end, 10);
    if (end == p + 5 || *end != ' ')
      {
        bad (error, 2, _("expected “size WIDTH HEIGHT”"));
        return NULL;
      }
    p = end + 1;
    h = strtol (p, &end, 10);
    if (end == p || *end != '\0' || w <= 0 || h <= 0 || w > MAX_PAD_SIZE || h > MAX_PAD_SIZE)
      {
        bad (error, 2, _("expected “size WIDTH HEIGHT” with a width and height of 1 to 16384 pixels"));
        return NULL;
      }
    s->width = (int) w;
    s->height = (int) h;
  }
  for (guint i = 2; i + 1 < n; i++)
    if (!parse_stroke (s, lines[i], i + 1, error))
      return NULL;
  return g_steal_pointer (&s);
}

JcStrokes *
jc_strokes_load (JcVault *vault, const char *sha256_hex, GError **error)
{
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  guint8 hash[32];

  if (!jc_blob_hash_from_hex (sha256_hex, hash, error) ||
      !jc_blobstore_read_to (jc_vault_get_blobstore (vault), hash, mem, NULL, error) ||
      !g_output_stream_close (mem, NULL, error))
    return NULL;
  return jc_strokes_parse (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem)),
                           g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem)), error);
}

void
jc_strokes_draw (const JcStrokes *s, cairo_t *cr, double scale)
{
  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < s->strokes->len; i++)
    {
      GArray *points = s->strokes->pdata[i];

      for (guint j = 0; j < points->len; j++)
        {
          Point *a = &g_array_index (points, Point, j > 0 ? j - 1 : 0);
          Point *b = &g_array_index (points, Point, j);

          cairo_set_line_width (cr, (1.5 + 2.5 * b->pressure) * scale);
          cairo_move_to (cr, a->x * scale, a->y * scale);
          cairo_line_to (cr, b->x * scale, b->y * scale);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
}

void
jc_strokes_draw_in (const JcStrokes *s, cairo_t *cr, double x, double y, double w, double h)
{
  double scale;

  if (s->width <= 0 || s->height <= 0)
    return;
  scale = MIN (w / s->width, h / s->height);
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_clip (cr);
  cairo_translate (cr, x + (w - s->width * scale) / 2, y + (h - s->height * scale) / 2);
  jc_strokes_draw (s, cr, scale);
  cairo_restore (cr);
}

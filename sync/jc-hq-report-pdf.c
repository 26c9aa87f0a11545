/* jc-hq-report-pdf.c — the report as a printable A4 summary (Cairo) */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>

#include "jc-core.h"
#include "jc-hq-report.h"
#include "jc-hq-table.h"
#include "jc-sheet.h"

#define PAGE_W  595.276
#define PAGE_H  841.890
#define MARGIN  42.0
#define ROW_H   20.0

/* Column widths in points: they add up to the text width (511). */
static const double widths[] = { 125, 46, 76, 76, 46, 56, 43, 43 };

typedef struct {
  cairo_t           *cr;
  cairo_font_face_t *regular;
  cairo_font_face_t *bold;
  double             y;
  guint              page;
  char              *footer;
} Pdf;

static void
show (Pdf *p, double x, double width, double size, gboolean bold, gboolean right, const char *text)
{
  cairo_text_extents_t ext;

  cairo_set_font_face (p->cr, bold ? p->bold : p->regular);
  cairo_set_font_size (p->cr, size);
  cairo_text_extents (p->cr, text, &ext);
  cairo_move_to (p->cr, right ? x + width - 4 - ext.x_advance : x + 4, p->y + ROW_H / 2 + size * 0.36);
  cairo_show_text (p->cr, text);
}

/* @text in lines that fit @width: at the last space that fits for Latin
 * words, at any character for Chinese. */
static GPtrArray *
wrap (Pdf *p, const char *text, double width)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  const char *start = text;

  while (*start != '\0')
    {
      const char *end = start, *space = NULL;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);
          g_autofree char *candidate = g_strndup (start, (gsize) (next - start));
          cairo_text_extents_t ext;

          cairo_text_extents (p->cr, candidate, &ext);
          if (ext.x_advance > width && end != start)
            break;
          if (*end == ' ')
            space = end;
          end = next;
        }
      if (*end != '\0' && space != NULL)
        end = space;
      g_ptr_array_add (lines, g_strndup (start, (gsize) (end - start)));
      start = end;
      while (*start == ' ')
        start++;
    }
  return lines;
}

static void
heading_row (Pdf *p)
{
  double x = MARGIN;

  cairo_set_source_rgb (p->cr, 0.90, 0.92, 0.96);
  cairo_rectangle (p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, ROW_H * 1.5);
  cairo_fill (p->cr);
  cairo_set_source_rgb (p->cr, 0, 0, 0);
  cairo_set_font_face (p->cr, p->bold);
  cairo_set_font_size (p->cr, 7.5);
  for (guint c = 0; jc_hq_report_columns[c] != NULL; c++)
    {
      g_autoptr(GPtrArray) lines = wrap (p, jc_hq_report_heading (jc_hq_report_columns[c]), widths[c] - 6);
      double top = p->y;

      /* One line in the middle, two filling the row. */
      p->y += lines->len == 1 ? ROW_H * 0.25 : ROW_H * 0.05 - 5;
      for (guint l = 0; l < lines->len && l < 2; l++)
        {
          show (p, x, widths[c], 7.5, TRUE, c > 0, lines->pdata[l]);
          p->y += 10;
        }
      p->y = top;
      x += widths[c];
    }
  p->y += ROW_H * 1.5;
}

static void
footer (Pdf *p)
{
  g_autofree char *text = g_strdup_printf ("%s · %u", p->footer, p->page);

  cairo_set_font_face (p->cr, p->regular);
  cairo_set_font_size (p->cr, 7);
  cairo_set_source_rgb (p->cr, 0.35, 0.35, 0.35);
  cairo_move_to (p->cr, MARGIN, PAGE_H - MARGIN / 2);
  cairo_show_text (p->cr, text);
  cairo_set_source_rgb (p->cr, 0, 0, 0);
}

static void
data_row (Pdf *p, JsonObject *row, gboolean total, guint index)
{
  double x = MARGIN;

  if (p->y + ROW_H > PAGE_H - MARGIN)
    {
      footer (p);
      cairo_show_page (p->cr);
      p->page++;
      p->y = MARGIN;
      heading_row (p);
    }
  if (index % 2 == 1 || total)
    {
      cairo_set_source_rgb (p->cr, total ? 0.93 : 0.97, total ? 0.93 : 0.97, total ? 0.93 : 0.97);
      cairo_rectangle (p->cr, MARGIN, p->y, PAGE_W - 2 * MARGIN, ROW_H);
      cairo_fill (p->cr);
    }
  /* The rectification rate as a bar under its number, on a track. */
  {
    double bar_x = MARGIN + widths[0] + widths[1] + widths[2] + widths[3] + widths[4] + 6;
    double bar_w = widths[5] - 10;

    cairo_set_source_rgb (p->cr, 0.88, 0.88, 0.88);
    cairo_rectangle (p->cr, bar_x, p->y + ROW_H - 4, bar_w, 2.5);
    cairo_fill (p->cr);
    cairo_set_source_rgb (p->cr, 0.20, 0.62, 0.33);
    cairo_rectangle (p->cr, bar_x, p->y + ROW_H - 4, bar_w * json_object_get_double_member (row, "rate") / 100.0, 2.5);
    cairo_fill (p->cr);
  }
  cairo_set_source_rgb (p->cr, 0, 0, 0);
  for (guint c = 0; jc_hq_report_columns[c] != NULL; c++)
    {
      /* The first column shows the group's label. */
      g_autofree char *cell = jc_hq_table_cell (row, c == 0 ? "label" : jc_hq_report_columns[c]);

      show (p, x, widths[c], 9, total, c > 0, cell);
      x += widths[c];
    }
  p->y += ROW_H;
}

static void
draw (Pdf *p, JsonObject *report)
{
  JsonArray *groups = json_object_get_array_member (report, "groups");
  g_autofree char *title = g_strdup_printf ("%s（%s）", _("Problem ledger summary"),
                                            jc_hq_report_by_label (json_object_get_string_member (report, "by")));
  g_autofree char *subtitle = g_strdup_printf (_("As of %s · overdue: open or rectifying after the deadline · "
                                                 "rate: rectified or verified among the findings"),
                                               json_object_get_string_member (report, "today"));

  p->y = MARGIN;
  show (p, MARGIN, PAGE_W - 2 * MARGIN, 17, TRUE, FALSE, title);
  p->y += ROW_H * 1.4;
  cairo_set_source_rgb (p->cr, 0.3, 0.3, 0.3);
  show (p, MARGIN, PAGE_W - 2 * MARGIN, 8, FALSE, FALSE, subtitle);
  cairo_set_source_rgb (p->cr, 0, 0, 0);
  p->y += ROW_H * 1.3;
  heading_row (p);
  for (guint i = 0; i < json_array_get_length (groups); i++)
    data_row (p, json_array_get_object_element (groups, i), FALSE, i);
  data_row (p, json_object_get_object_member (report, "total"), TRUE, 0);
  cairo_set_line_width (p->cr, 0.8);
  cairo_move_to (p->cr, MARGIN, p->y);
  cairo_line_to (p->cr, PAGE_W - MARGIN, p->y);
  cairo_stroke (p->cr);
  footer (p);
}

gboolean
jc_hq_report_write_pdf (JsonObject *report, const char *path, GError **error)
{
  Pdf p = { .page = 1 };
  cairo_surface_t *surface;
  cairo_status_t status;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M");

  if ((p.regular = jc_sheet_cjk_face ("Noto Sans CJK SC", error)) == NULL)
    return FALSE;
  if ((p.bold = jc_sheet_cjk_face ("Noto Sans CJK SC:weight=bold", error)) == NULL)
    {
      cairo_font_face_destroy (p.regular);
      return FALSE;
    }
  p.footer = g_strdup_printf (_("Jiancha HQ · generated %s"), when);
  surface = cairo_pdf_surface_create (path, PAGE_W, PAGE_H);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("Problem ledger summary"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Jiancha " PACKAGE_VERSION);
  p.cr = cairo_create (surface);
  draw (&p, report);
  cairo_show_page (p.cr);
  cairo_destroy (p.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  cairo_font_face_destroy (p.regular);
  cairo_font_face_destroy (p.bold);
  g_free (p.footer);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: cannot write the PDF: %s"), path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* jc-sheet.c — the findings sheet of an inspection, as an A4 PDF (Cairo) */
#include "config.h"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "jc-amount.h"
#include "jc-finding.h"
#include "jc-inspection.h"
#include "jc-qr.h"
#include "jc-sheet.h"
#include "jc-strokes.h"

G_DEFINE_QUARK (jc-sheet-error-quark, jc_sheet_error)

/* A4 in points; the QR is large enough for 150 dpi scans of a print. */
#define PAGE_W   595.276
#define PAGE_H   841.890
#define MARGIN   50.0
#define TEXT_W   (PAGE_W - 2 * MARGIN)
#define QR_SIZE  170.0
/* The drawn signature: about the size of a signature on paper. */
#define SIGNATURE_W 200.0
#define SIGNATURE_H 60.0

typedef struct {
  cairo_t            *cr;
  cairo_font_face_t  *regular;
  cairo_font_face_t  *bold;
  double              y;
  guint               page;
  const char         *footer;
} Sheet;

cairo_font_face_t *
jc_sheet_cjk_face (const char *name, GError **error)
{
  FcPattern *pattern = FcNameParse ((const FcChar8 *) name);
  FcPattern *match;
  FcCharSet *charset = NULL;
  FcResult result;
  cairo_font_face_t *face = NULL;

  FcConfigSubstitute (NULL, pattern, FcMatchPattern);
  FcDefaultSubstitute (pattern);
  match = FcFontMatch (NULL, pattern, &result);
  FcPatternDestroy (pattern);
  /* 检 and 查: a font without them would print empty boxes. */
  if (match != NULL && FcPatternGetCharSet (match, FC_CHARSET, 0, &charset) == FcResultMatch &&
      FcCharSetHasChar (charset, 0x68C0) && FcCharSetHasChar (charset, 0x67E5))
    face = cairo_ft_font_face_create_for_pattern (match);
  if (match != NULL)
    FcPatternDestroy (match);
  if (face == NULL)
    g_set_error (error, JC_SHEET_ERROR, JC_SHEET_ERROR_FONT,
                 _("No font with Chinese characters was found for “%s” (install fonts-noto-cjk)"), name);
  return face;
}

static void
footer (Sheet *s)
{
  g_autofree char *text = g_strdup_printf ("%s · %u", s->footer, s->page);

  cairo_set_font_face (s->cr, s->regular);
  cairo_set_font_size (s->cr, 7);
  cairo_move_to (s->cr, MARGIN, PAGE_H - MARGIN / 2);
  cairo_show_text (s->cr, text);
}

/* Starts a new page when less than @height is left. */
static void
need (Sheet *s, double height)
{
  if (s->y + height <= PAGE_H - MARGIN)
    return;
  footer (s);
  cairo_show_page (s->cr);
  s->page++;
  s->y = MARGIN;
}

/* Wrapped text at @x, @width wide: character by character, since Chinese
 * has no spaces to break at (Latin words may break too: codes and hashes
 * are what is long here). */
static void
text (Sheet *s, double x, double width, double size, gboolean bold, const char *str)
{
  g_auto(GStrv) paragraphs = g_strsplit (str, "\n", -1);

  cairo_set_font_face (s->cr, bold ? s->bold : s->regular);
  cairo_set_font_size (s->cr, size);
  for (guint p = 0; paragraphs[p] != NULL; p++)
    {
      const char *start = paragraphs[p];

      do
        {
          const char *end = start, *next;
          g_autofree char *line = NULL;

          /* The longest prefix that fits (at least one character). */
          while (*end != '\0')
            {
              g_autofree char *candidate = NULL;
              cairo_text_extents_t ext;

              next = g_utf8_next_char (end);
              candidate = g_strndup (start, (gsize) (next - start));
              cairo_text_extents (s->cr, candidate, &ext);
              if (ext.x_advance > width && end != start)
                break;
              end = next;
            }
          line = g_strndup (start, (gsize) (end - start));
          need (s, size * 1.45);
          cairo_set_font_face (s->cr, bold ? s->bold : s->regular);
          cairo_set_font_size (s->cr, size);
          cairo_move_to (s->cr, x, s->y + size);
          cairo_show_text (s->cr, line);
          s->y += size * 1.45;
          start = end;
        }
      while (*start != '\0');
    }
}

static void
labelled (Sheet *s, const char *label, const char *value)
{
  g_autofree char *line = g_strdup_printf ("%s: %s", label, value);

  text (s, MARGIN, TEXT_W, 10, FALSE, line);
}

static void
rule (Sheet *s)
{
  need (s, 12);
  cairo_set_line_width (s->cr, 0.6);
  cairo_move_to (s->cr, MARGIN, s->y + 5);
  cairo_line_to (s->cr, PAGE_W - MARGIN, s->y + 5);
  cairo_stroke (s->cr);
  s->y += 12;
}

static const char *
answer_label (const JcFinding *f)
{
  if (!f->confirmed)
    return _("not yet answered: sign below");
  switch (f->confirm_status)
    {
    case JC_JC1_STATUS_CONFIRMED: return _("confirmed by the institution");
    case JC_JC1_STATUS_DISPUTED:  return _("disputed by the institution");
    case JC_JC1_STATUS_REFUSED:   return _("the institution refused to sign");
    default:                      return "";
    }
}

/* The representative's handwritten signature, drawn again from its strokes
 * (vault evidence), with their hash; when the evidence cannot be read
 * (a device that has the events but not the file), the reason instead. */
static void
draw_signature (Sheet *s, JcVault *vault, const char *strokes_sha)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStrokes) strokes = jc_strokes_load (vault, strokes_sha, &error);

  text (s, MARGIN, TEXT_W, 10, FALSE, _("Representative’s signature:"));
  if (strokes == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("(not drawn: %s)"), error->message);

      text (s, MARGIN + 12, TEXT_W - 12, 8, FALSE, why);
    }
  else
    {
      need (s, SIGNATURE_H + 6);
      cairo_save (s->cr);
      cairo_set_source_rgb (s->cr, 0.7, 0.7, 0.7);
      cairo_set_line_width (s->cr, 0.5);
      cairo_rectangle (s->cr, MARGIN + 12, s->y + 2, SIGNATURE_W, SIGNATURE_H);
      cairo_stroke (s->cr);
      cairo_set_source_rgb (s->cr, 0, 0, 0.2);
      jc_strokes_draw_in (strokes, s->cr, MARGIN + 14, s->y + 4, SIGNATURE_W - 4, SIGNATURE_H - 4);
      cairo_restore (s->cr);
      s->y += SIGNATURE_H + 6;
    }
  labelled (s, _("Signature strokes (SHA-256)"), strokes_sha);
}

static gboolean
draw_finding (Sheet *s, JcVault *vault, const JcFinding *f, guint n, guint total, GError **error)
{
  g_autofree char *heading = g_strdup_printf (_("Finding %u of %u"), n, total);
  g_autofree char *yuan = jc_amount_format_yuan (f->amount_fen);
  g_autofree char *sha = jc_device_hex (f->record_sha256, 32);
  g_autofree char *qr = NULL;
  g_autofree char *sealed_text = NULL;
  g_autoptr(GDateTime) sealed = g_date_time_new_from_unix_local (f->sealed_at);
  double x_sig = MARGIN + QR_SIZE + 20, top;

  if (!jc_finding_to_jc1 (vault, f->id, &qr, error))
    return FALSE;
  sealed_text = g_date_time_format (sealed, "%Y-%m-%d %H:%M");

  need (s, 80);
  text (s, MARGIN, TEXT_W, 13, TRUE, heading);
  labelled (s, _("Finding"), f->id);
  labelled (s, _("Sealed"), sealed_text);
  if (f->supersedes != NULL)
    labelled (s, _("Supersedes"), f->supersedes);
  text (s, MARGIN, TEXT_W, 10, TRUE, _("Items and legal basis"));
  for (guint i = 0; f->items[i] != NULL; i++)
    {
      g_autofree char *item = g_strdup_printf ("%s  %s", f->items[i], f->basis[i]);

      text (s, MARGIN + 12, TEXT_W - 12, 10, FALSE, item);
    }
  text (s, MARGIN, TEXT_W, 10, TRUE, _("Facts"));
  text (s, MARGIN + 12, TEXT_W - 12, 10, FALSE, *f->facts ? f->facts : "—");
  labelled (s, _("Amount involved (yuan)"), yuan);
  text (s, MARGIN, TEXT_W, 10, TRUE, _("Evidence (SHA-256)"));
  if (f->evidence[0] == NULL)
    text (s, MARGIN + 12, TEXT_W - 12, 8, FALSE, "—");
  for (guint i = 0; f->evidence[i] != NULL; i++)
    text (s, MARGIN + 12, TEXT_W - 12, 8, FALSE, f->evidence[i]);
  labelled (s, _("Institution’s answer"), answer_label (f));
  if (f->confirmed)
    {
      g_autofree char *who = *f->confirm_title ? g_strdup_printf ("%s (%s)", f->confirm_name, f->confirm_title)
                                               : g_strdup (f->confirm_name);

      if (*who != '\0')
        labelled (s, _("Representative"), who);
      if (*f->confirm_reason != '\0')
        labelled (s, _("Reason for the dispute"), f->confirm_reason);
      if (*f->confirm_witness != '\0')
        labelled (s, _("Witness"), f->confirm_witness);
      if (f->confirm_strokes != NULL)
        draw_signature (s, vault, f->confirm_strokes);
      if (f->confirm_countersigned)
        {
          g_autofree char *key = jc_device_hex (f->confirm_institution_key, 32);

          labelled (s, _("Countersigned with the institution’s key"), key);
        }
    }

  /* The QR and the lines to sign on paper, side by side. */
  need (s, QR_SIZE + 24);
  top = s->y + 4;
  if (!jc_qr_draw (s->cr, qr, MARGIN, top, QR_SIZE, error))
    return FALSE;
  {
    const char *lines[] = { _("Inspector"), _("Institution’s representative"), _("Witness (if refused)") };
    g_autofree char *inspector = g_strdup_printf ("%s: %s", _("Sealed by"), jc_vault_get_inspector (vault));

    s->y = top;
    text (s, x_sig, PAGE_W - MARGIN - x_sig, 9, FALSE, inspector);
    for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
      {
        g_autofree char *label = g_strdup_printf (_("%s (signature and date):"), lines[i]);

        s->y += 10;
        text (s, x_sig, PAGE_W - MARGIN - x_sig, 9, FALSE, label);
        cairo_set_line_width (s->cr, 0.5);
        cairo_move_to (s->cr, x_sig, s->y + 18);
        cairo_line_to (s->cr, PAGE_W - MARGIN, s->y + 18);
        cairo_stroke (s->cr);
        s->y += 20;
      }
  }
  s->y = top + QR_SIZE + 2;
  {
    g_autofree char *digest = g_strdup_printf ("%s: %s", _("Record SHA-256"), sha);

    text (s, MARGIN, TEXT_W, 7, FALSE, digest);
  }
  rule (s);
  return TRUE;
}

gboolean
jc_sheet_write_pdf (JcVault             *vault,
                    JcChecklistRegistry *registry,
                    const char          *inspection_id,
                    const char          *path,
                    GError             **error)
{
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) live = g_ptr_array_new ();
  g_autofree char *tmp = NULL, *team = NULL, *institution = NULL, *footer_text = NULL;
  JcChecklist *checklist;
  cairo_surface_t *surface;
  cairo_status_t status;
  Sheet s = { 0 };
  gboolean ok = TRUE;

  if ((in = jc_inspection_get (vault, registry, inspection_id, error)) == NULL ||
      (checklist = jc_inspection_get_checklist (in, registry, error)) == NULL ||
      (findings = jc_finding_list (vault, inspection_id, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < findings->len; i++)
    if (((JcFinding *) findings->pdata[i])->superseded_by == NULL)
      g_ptr_array_add (live, findings->pdata[i]);
  if (live->len == 0)
    {
      g_set_error (error, JC_SHEET_ERROR, JC_SHEET_ERROR_EMPTY,
                   _("Inspection %s has no finding to print (seal one first)"), inspection_id);
      return FALSE;
    }
  if ((s.regular = jc_sheet_cjk_face ("Noto Sans CJK SC", error)) == NULL)
    return FALSE;
  if ((s.bold = jc_sheet_cjk_face ("Noto Sans CJK SC:weight=bold", error)) == NULL)
    {
      cairo_font_face_destroy (s.regular);
      return FALSE;
    }

  /* Written next to @path and renamed: a reader never sees half a sheet. */
  tmp = g_strdup_printf ("%s.tmp", path);
  surface = cairo_pdf_surface_create (tmp, PAGE_W, PAGE_H);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("Findings of the inspection"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Jiancha " PACKAGE_VERSION);
  s.cr = cairo_create (surface);
  s.y = MARGIN;
  s.page = 1;
  footer_text = g_strdup_printf ("%s %s", _("Inspection"), in->id);
  s.footer = footer_text;
  cairo_set_source_rgb (s.cr, 0, 0, 0);

  team = g_strjoinv ("、", in->team);
  institution = g_strdup_printf ("%s %s (%s)", in->institution_code, in->institution_name,
                                 jc_institution_kind_get_label (in->institution_type));
  text (&s, MARGIN, TEXT_W, 18, TRUE, _("Findings of the inspection"));
  s.y += 4;
  labelled (&s, _("Institution"), institution);
  labelled (&s, _("Form"), jc_inspection_form_get_label (in->form));
  labelled (&s, _("Team"), *team ? team : "—");
  labelled (&s, _("Date"), in->date);
  {
    g_autofree char *list = g_strdup_printf ("%s %s", in->checklist, jc_checklist_get_title (checklist));

    labelled (&s, _("Checklist"), list);
  }
  labelled (&s, _("Inspection"), in->id);
  rule (&s);

  for (guint i = 0; ok && i < live->len; i++)
    ok = draw_finding (&s, vault, live->pdata[i], i + 1, live->len, error);
  if (ok)
    footer (&s);

  cairo_destroy (s.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  cairo_font_face_destroy (s.regular);
  cairo_font_face_destroy (s.bold);
  if (ok && status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, JC_SHEET_ERROR, JC_SHEET_ERROR_WRITE, _("Cannot write %s: %s"), path,
                   cairo_status_to_string (status));
      ok = FALSE;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_set_error (error, JC_SHEET_ERROR, JC_SHEET_ERROR_WRITE, _("Cannot write %s: %s"), path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  return ok;
}

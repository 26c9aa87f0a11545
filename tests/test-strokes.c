/* test-strokes.c — signature strokes (JCS1): text round trip, every
 * malformed input refused with its line, drawing that puts ink where the
 * strokes are, loading from real vault evidence, and the findings sheet
 * drawing them (rendered with pdftoppm, the ink found on the page). */
#include "config.h"

#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

#define PIN "583921"

static char *workdir;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  workdir = jc_test_tmpdir ("strokes");
}

static void
teardown (void)
{
  jc_test_rmtree (workdir);
  g_clear_pointer (&workdir, g_free);
}

/* A "V" across a 300 × 100 pad, and a dot. */
static JcStrokes *
make_signature (void)
{
  JcStrokes *s = jc_strokes_new ();

  jc_strokes_begin (s, 20, 20, 0.5);
  jc_strokes_add_point (s, 150, 90, 0.8);
  jc_strokes_add_point (s, 280, 20, 1.5);  /* clamped to 1 */
  jc_strokes_begin (s, 150, 10, 0.25);
  return s;
}

START_TEST (test_round_trip)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcStrokes) s = make_signature ();
  g_autofree char *text = jc_strokes_serialize (s, 300, 100);
  g_autofree char *again = NULL;
  g_autoptr(JcStrokes) back = NULL;
  int w, h;

  ck_assert_str_eq (text, "JCS1\nsize 300 100\n20.0,20.0,0.50;150.0,90.0,0.80;280.0,20.0,1.00\n150.0,10.0,0.25\n");
  back = jc_strokes_parse (text, strlen (text), &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (jc_strokes_get_n_strokes (back), 2);
  ck_assert_uint_eq (jc_strokes_get_n_points (back), 4);
  jc_strokes_get_size (back, &w, &h);
  ck_assert_int_eq (w, 300);
  ck_assert_int_eq (h, 100);
  again = jc_strokes_serialize (back, w, h);
  ck_assert_str_eq (again, text);
  /* An empty pad is two lines. */
  jc_strokes_clear (back);
  g_free (again);
  again = jc_strokes_serialize (back, 10, 10);
  ck_assert_str_eq (again, "JCS1\nsize 10 10\n");
}
END_TEST

START_TEST (test_malformed)
{
  static const struct { const char *text; const char *line; } cases[] = {
    { "", "line 1" },
    { "JCS2\nsize 1 1\n", "line 1" },
    { "JCS1\nsize 1 1", "line 2" },
    { "JCS1\nsize 0 10\n", "line 2" },
    { "JCS1\nsize 10\n", "line 2" },
    { "JCS1\nsize 10 10 10\n", "line 2" },
    { "JCS1\nsize 99999 10\n", "line 2" },
    { "JCS1\nsize 10 10\n1,2,0.5;3,4\n", "line 3" },
    { "JCS1\nsize 10 10\n1,2,0.5\n\n", "line 4" },
    { "JCS1\nsize 10 10\n1,2,1.5\n", "line 3" },
    { "JCS1\nsize 10 10\n1,2,nan\n", "line 3" },
    { "JCS1\nsize 10 10\n1,2x,0.5\n", "line 3" },
    { "JCS1\r\nsize 10 10\n", "line 1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcStrokes) s = jc_strokes_parse (cases[i].text, strlen (cases[i].text), &error);

      ck_assert_msg (s == NULL, "case %u accepted", i);
      ck_assert (g_error_matches (error, JC_STROKES_ERROR, JC_STROKES_ERROR_FORMAT));
      ck_assert_msg (strstr (error->message, cases[i].line) != NULL, "case %u: %s", i, error->message);
    }
  {
    g_autoptr(GError) error = NULL;
    const char nul[] = "JCS1\nsize 1 1\n\0";

    ck_assert_ptr_null (jc_strokes_parse (nul, sizeof nul - 1, &error));
    ck_assert (g_error_matches (error, JC_STROKES_ERROR, JC_STROKES_ERROR_FORMAT));
  }
}
END_TEST

static guint
dark_pixels (cairo_surface_t *surface, int x0, int y0, int x1, int y1)
{
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  guint n = 0;

  cairo_surface_flush (surface);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 px = *(const guint32 *) (data + y * stride + x * 4);

        if (((px >> 16) & 0xff) < 128 && ((px >> 8) & 0xff) < 128)
          n++;
      }
  return n;
}

START_TEST (test_draw_in_box)
{
  g_autoptr(JcStrokes) s = make_signature ();
  g_autofree char *text = jc_strokes_serialize (s, 300, 100);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 200, 200);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  /* Scaled to 150 × 50 at (25, 100): ink there, none above. */
  jc_strokes_draw_in (s, cr, 25, 100, 150, 50);
  cairo_destroy (cr);
  ck_assert_uint_gt (dark_pixels (surface, 25, 100, 175, 150), 50);
  ck_assert_uint_eq (dark_pixels (surface, 0, 0, 200, 100), 0);
  ck_assert_uint_eq (dark_pixels (surface, 0, 150, 200, 200), 0);
  /* The bottom of the V is at the middle. */
  ck_assert_uint_gt (dark_pixels (surface, 95, 135, 105, 150), 0);
  cairo_surface_destroy (surface);
}
END_TEST

START_TEST (test_vault_and_sheet)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (workdir, "vault", NULL);
  g_autofree char *file = g_build_filename (workdir, "strokes.jcs", NULL);
  g_autofree char *pdf = g_build_filename (workdir, "sheet.pdf", NULL);
  g_autofree char *prefix = g_build_filename (workdir, "page", NULL);
  g_autofree char *page = g_build_filename (workdir, "page-1.png", NULL);
  g_autofree char *out = NULL, *err = NULL, *fid = NULL, *pdftext = NULL;
  g_autoptr(JcVault) vault = jc_vault_new (dir);
  g_autoptr(JcStrokes) s = make_signature ();
  g_autoptr(JcStrokes) loaded = NULL;
  g_autoptr(JcBlobInfo) info = NULL;
  g_autofree char *text = jc_strokes_serialize (s, 300, 100);
  static const char * const team[] = { "张三", NULL };
  JcInspectionSpec spec = {
    .institution_code = "H-0001", .institution_name = "人民医院", .institution_type = JC_INSTITUTION_HOSPITAL,
    .form = JC_INSPECTION_FORM_CROSS, .team = team, .date = "2026-12-01",
  };
  g_autofree char *id = NULL;
  JcItemUpdate u = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION };
  JcFindingSpec fs = { 0 };
  JcFindingConfirmation conf = { .status = JC_JC1_STATUS_CONFIRMED, .name = "王秀英" };
  cairo_surface_t *png;

  ck_assert (jc_vault_create (vault, PIN, "张三", NULL, &error));
  ck_assert (g_file_set_contents (file, text, -1, NULL));
  info = jc_vault_add_evidence (vault, file, NULL, NULL, &error);
  ck_assert_msg (info != NULL, "%s", error ? error->message : "");
  loaded = jc_strokes_load (vault, info->sha256_hex, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (jc_strokes_get_n_points (loaded), 4);
  /* Evidence that is not JCS1 says so. */
  {
    g_autofree char *other = g_build_filename (workdir, "photo.jpg", NULL);
    g_autoptr(JcBlobInfo) oi = NULL;
    g_autoptr(JcStrokes) none = NULL;

    ck_assert (g_file_set_contents (other, "\xff\xd8 not strokes", -1, NULL));
    oi = jc_vault_add_evidence (vault, other, NULL, NULL, &error);
    none = jc_strokes_load (vault, oi->sha256_hex, &error);
    ck_assert_ptr_null (none);
    ck_assert (g_error_matches (error, JC_STROKES_ERROR, JC_STROKES_ERROR_FORMAT));
    g_clear_error (&error);
  }

  id = jc_inspection_create (vault, NULL, &spec, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert (jc_inspection_set_item (vault, NULL, id, "h21.1.1", &u, &error));
  fs.inspection_id = id;
  conf.signature_strokes = info->sha256_hex;
  fid = jc_finding_seal (vault, NULL, &fs, &conf, &error);
  ck_assert_msg (fid != NULL, "%s", error ? error->message : "");
  ck_assert_msg (jc_sheet_write_pdf (vault, NULL, id, pdf, &error), "%s", error ? error->message : "");
  {
    const char *argv[] = { "/usr/bin/pdftotext", pdf, "-", NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &pdftext, &err), 0);
    ck_assert_msg (strstr (pdftext, "not drawn") == NULL, "%s", pdftext);
    ck_assert_msg (strstr (pdftext, info->sha256_hex) != NULL, "%s", pdftext);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { "/usr/bin/pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", pdf, prefix, NULL };

    ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "pdftoppm: %s", err);
  }
  png = cairo_image_surface_create_from_png (page);
  ck_assert_int_eq (cairo_surface_status (png), CAIRO_STATUS_SUCCESS);
  /* Ink of the signature colour (dark blue: more blue than red) on the page. */
  {
    int stride = cairo_image_surface_get_stride (png), w = cairo_image_surface_get_width (png);
    const guint8 *data = cairo_image_surface_get_data (png);
    guint blue = 0;

    for (int y = 0; y < cairo_image_surface_get_height (png); y++)
      for (int x = 0; x < w; x++)
        {
          guint32 px = *(const guint32 *) (data + y * stride + x * 4);
          int r = (px >> 16) & 0xff, b = px & 0xff;

          blue += b - r > 40;
        }
    ck_assert_uint_gt (blue, 30);
  }
  cairo_surface_destroy (png);
}
END_TEST

static Suite *
strokes_suite (void)
{
  Suite *s = suite_create ("strokes");
  TCase *tc = tcase_create ("strokes");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_draw_in_box);
  tcase_add_test (tc, test_vault_and_sheet);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (strokes_suite ());
}

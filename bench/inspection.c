/* inspection.c — bench-inspection: opening a fully worked inspection
 *
 * What the checklist view does when an inspection is opened: read the
 * inspection (with its progress) and every item result in checklist order
 * (jc_inspection_get + jc_inspection_get_results). Measured on a real,
 * encrypted vault holding 20 inspections of the hospital list with a
 * result, a note, an amount and evidence on every item, against the
 * baseline of opening an empty inspection of the same list in the same
 * vault and run. Prints the median of each, the ratio, and the RSS.
 * (The app's time to first frame is a later benchmark.)
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc-bench.h"
#include "jc-core.h"

#define N_FULL  20
#define N_RUNS  301
#define N_COLD  11

/* Opens @id once; returns seconds. */
static double
open_once (JcVault *vault, const char *id, guint *n_checked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gint64 t = g_get_monotonic_time ();

  in = jc_inspection_get (vault, NULL, id, &error);
  if (in == NULL || (results = jc_inspection_get_results (vault, NULL, id, NULL, 0, &error)) == NULL)
    g_error ("open %s: %s", id, error->message);
  t = g_get_monotonic_time () - t;
  *n_checked = in->n_checked;
  return t / 1e6;
}

static double
median_open (JcVault *vault, const char *id, guint *n_checked)
{
  double samples[N_RUNS];

  for (guint i = 0; i < N_RUNS; i++)
    samples[i] = open_once (vault, id, n_checked);
  return jc_bench_median (samples, N_RUNS);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-inspection-XXXXXX", &error);
  g_autofree char *vault_dir = NULL, *photo = NULL;
  g_autofree char *full_id = NULL, *empty_id = NULL;
  g_autoptr(JcVault) vault = NULL;
  JcChecklist *checklist;
  JcInspectionSpec spec = {
    .institution_code = "H-001", .institution_name = "市第一人民医院",
    .institution_type = JC_INSTITUTION_HOSPITAL, .level = 3, .form = JC_INSPECTION_FORM_CROSS,
    .date = "2026-11-24", .checklist = "hospital-2021",
  };
  JcBlobInfo *info;
  guint n_items, n_full = 0, n_empty = 0;
  double t_full, t_empty, t_full_cold, t_empty_cold;
  double cold_full[N_COLD], cold_empty[N_COLD];
  gint64 rss_start = 0, rss_open;

  if (dir == NULL || !jc_core_init (&error))
    g_error ("%s", error->message);
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  vault_dir = g_build_filename (dir, "vault", NULL);
  photo = g_build_filename (dir, "photo.jpg", NULL);
  vault = jc_vault_new (vault_dir);
  if (!jc_vault_create (vault, "583921", "张三", NULL, &error) ||
      !g_file_set_contents (photo, "a photo of a receipt", -1, &error) ||
      (info = jc_vault_add_evidence (vault, photo, NULL, NULL, &error)) == NULL)
    g_error ("%s", error->message);

  checklist = jc_checklist_registry_lookup (jc_inspection_get_default_registry (&error), "hospital-2021", &error);
  if (checklist == NULL)
    g_error ("%s", error->message);
  n_items = jc_checklist_get_n_items (checklist);
  for (guint k = 0; k < N_FULL; k++)
    {
      g_free (full_id);
      full_id = jc_inspection_create (vault, NULL, &spec, &error);
      if (full_id == NULL)
        g_error ("%s", error->message);
      for (guint i = 0; i < n_items; i++)
        {
          const char *code = jc_checklist_get_item (checklist, i)->code;
          JcItemUpdate update = {
            .set_status = TRUE, .status = i % 3 ? JC_ITEM_STATUS_COMPLIANT : JC_ITEM_STATUS_VIOLATION,
            .set_note = TRUE, .note = "抽查病历30份，发现重复收费、串换项目，涉及金额见附件。",
            .set_amount = TRUE, .amount_fen = 123456 + i, .set_cases = TRUE, .cases = 30,
          };

          if (!jc_inspection_set_item (vault, NULL, full_id, code, &update, &error) ||
              !jc_inspection_link_evidence (vault, NULL, full_id, code, info->sha256_hex, &error))
            g_error ("%s", error->message);
        }
    }
  empty_id = jc_inspection_create (vault, NULL, &spec, &error);
  if (empty_id == NULL)
    g_error ("%s", error->message);
  jc_blob_info_free (info);

  /* First open after unlocking, SQLite's cache empty: median of N_COLD
   * unlocks, alternating which inspection is opened. */
  for (guint k = 0; k < 2 * N_COLD; k++)
    {
      jc_vault_lock (vault);
      if (!jc_vault_unlock (vault, "583921", &error))
        g_error ("%s", error->message);
      if (k == 0)
        rss_start = jc_bench_rss_kib ("VmRSS:");
      if (k % 2)
        cold_full[k / 2] = open_once (vault, full_id, &n_full);
      else
        cold_empty[k / 2] = open_once (vault, empty_id, &n_empty);
    }
  rss_open = jc_bench_rss_kib ("VmRSS:");
  t_full_cold = jc_bench_median (cold_full, N_COLD);
  t_empty_cold = jc_bench_median (cold_empty, N_COLD);

  t_empty = median_open (vault, empty_id, &n_empty);
  t_full = median_open (vault, full_id, &n_full);
  if (n_full != n_items || n_empty != 0)
    g_error ("progress: %u/%u and %u", n_full, n_items, n_empty);

  printf ("bench-inspection: hospital-2021, %u items; vault with %u worked inspections (%u item events)\n",
          n_items, N_FULL, N_FULL * n_items * 2);
  printf ("open empty inspection (baseline), median of %d: %8.3f ms\n", N_RUNS, t_empty * 1e3);
  printf ("open full inspection,             median of %d: %8.3f ms   ratio %.2f\n",
          N_RUNS, t_full * 1e3, t_full / t_empty);
  printf ("first open after unlock, median of %d: empty %.3f ms, full %.3f ms   ratio %.2f\n",
          N_COLD, t_empty_cold * 1e3, t_full_cold * 1e3, t_full_cold / t_empty_cold);
  printf ("RSS: %" G_GINT64_FORMAT " KiB after unlock, %" G_GINT64_FORMAT " KiB after opening (peak %"
          G_GINT64_FORMAT " KiB)\n", rss_start, rss_open, jc_bench_rss_kib ("VmHWM:"));

  jc_vault_lock (vault);
  g_clear_object (&vault);
  jc_bench_rmtree (dir);
  return 0;
}

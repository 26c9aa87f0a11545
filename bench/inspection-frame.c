/* inspection-frame.c — bench-inspection-frame: the app opening an inspection
 *
 * Time from "open this inspection" to the first frame the window paints
 * with it, for an inspection of the hospital list with a result, a note,
 * an amount, cases and evidence on every item, against the baseline of an
 * empty inspection of the same list in the same vault. Each run is a new
 * process of the real window (the app's library, all but main.c) under
 * Xvfb, unlocked and settled before the clock starts; the two kinds
 * alternate. Prints the medians, their ratio and each process's RSS once
 * the inspection is on screen, at 360×720 and at 1280×800.
 *
 *   bench-inspection-frame                      the benchmark
 *   bench-inspection-frame --child W H ID       one run (what the benchmark spawns)
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc-application.h"
#include "jc-bench.h"
#include "jc-core.h"
#include "jc-inspections-page.h"
#include "jc-window.h"

#define RUNS 11
#define PIN "583921"

/* ---- one run, in a child process ---- */

static guint frames;
static gint64 painted_at;

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  frames++;
  painted_at = g_get_monotonic_time ();
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins until a frame newer than @since is painted and @quiet_ms pass
 * without another one (0: just the frame). */
static void
wait_frame (guint since, int quiet_ms)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline &&
         (frames <= since || g_get_monotonic_time () - painted_at < quiet_ms * 1000))
    g_main_context_iteration (NULL, TRUE);
  if (g_get_monotonic_time () >= deadline)
    g_error ("no frame within 20 s");
}

static int
child (int width, int height, const char *id)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcApplication) app = NULL;
  GtkWindow *window;
  GtkStack *stack;
  JcInspectionsPage *page;
  guint before;
  gint64 t0;
  double ms;

  jc_core_init_i18n ();
  if (!jc_core_init (&error))
    g_error ("%s", error->message);
  jc_application_register_resources ();
  settings = g_settings_new (APP_ID);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", FALSE);
  app = jc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_timeout_add (20, wake, NULL);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (on_after_paint), NULL);
  if (!jc_vault_unlock (jc_application_get_vault (app), PIN, &error))
    g_error ("%s", error->message);
  stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), JC_TYPE_WINDOW, "stack"));
  page = JC_INSPECTIONS_PAGE (gtk_stack_get_child_by_name (stack, "inspections"));
  jc_window_show_place (JC_WINDOW (window), "inspections");
  /* Unlocked, the list shown, every transition over. */
  gtk_widget_queue_draw (GTK_WIDGET (window));
  wait_frame (frames, 600);

  before = frames;
  t0 = g_get_monotonic_time ();
  if (!jc_inspections_page_open_inspection (page, id))
    g_error ("cannot open inspection %s", id);
  wait_frame (before, 0);
  ms = (painted_at - t0) / 1000.0;
  printf ("frame_ms=%.3f rss_kb=%" G_GINT64_FORMAT "\n", ms, jc_bench_rss_kib ("VmRSS:"));
  fflush (stdout);
  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}

/* ---- the benchmark ---- */

typedef struct {
  double ms;
  long rss_kb;
} Sample;

static Sample
run_once (const char *self_exe, const char *vault_dir, int width, int height, const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *w = g_strdup_printf ("%d", width);
  g_autofree char *h = g_strdup_printf ("%d", height);
  Sample s = { -1, -1 };

  g_subprocess_launcher_setenv (launcher, "JIANCHA_VAULT_DIR", vault_dir, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, self_exe, "--child", w, h, id, NULL);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error))
    g_error ("run: %s", error->message);
  if (out == NULL || sscanf (out, "frame_ms=%lf rss_kb=%ld", &s.ms, &s.rss_kb) != 2)
    g_error ("the run reported no frame (%s)", out ? out : "no output");
  return s;
}

/* One vault: a hospital inspection with a result on every item, and an empty one. */
static void
make_vault (const char *dir, char **out_full, char **out_empty)
{
  g_autofree char *vault_dir = g_build_filename (dir, "vault", NULL);
  g_autofree char *photo = g_build_filename (dir, "photo.jpg", NULL);
  g_autoptr(JcVault) vault = jc_vault_new (vault_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcBlobInfo) info = NULL;
  JcInspectionSpec spec = {
    .institution_code = "H-001", .institution_name = "市第一人民医院",
    .institution_type = JC_INSTITUTION_HOSPITAL, .level = 3, .form = JC_INSPECTION_FORM_CROSS,
    .date = "2026-11-24", .checklist = "hospital-2021",
  };
  JcChecklist *checklist;

  if (!jc_vault_create (vault, PIN, "张三", NULL, &error) ||
      !g_file_set_contents (photo, "a photo of a receipt", -1, &error) ||
      (info = jc_vault_add_evidence (vault, photo, NULL, NULL, &error)) == NULL ||
      (checklist = jc_checklist_registry_lookup (jc_inspection_get_default_registry (&error),
                                                 "hospital-2021", &error)) == NULL ||
      (*out_full = jc_inspection_create (vault, NULL, &spec, &error)) == NULL ||
      (*out_empty = jc_inspection_create (vault, NULL, &spec, &error)) == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; i < jc_checklist_get_n_items (checklist); i++)
    {
      const char *code = jc_checklist_get_item (checklist, i)->code;
      JcItemUpdate update = {
        .set_status = TRUE, .status = i % 3 ? JC_ITEM_STATUS_COMPLIANT : JC_ITEM_STATUS_VIOLATION,
        .set_note = TRUE, .note = "抽查病历30份，发现重复收费、串换项目，涉及金额见附件。",
        .set_amount = TRUE, .amount_fen = 123456 + i, .set_cases = TRUE, .cases = 30,
      };

      if (!jc_inspection_set_item (vault, NULL, *out_full, code, &update, &error) ||
          !jc_inspection_link_evidence (vault, NULL, *out_full, code, info->sha256_hex, &error))
        g_error ("%s", error->message);
    }
  jc_vault_lock (vault);
}

static void
measure (const char *self_exe, const char *vault_dir, int width, int height, const char *full, const char *empty)
{
  double full_ms[RUNS], empty_ms[RUNS];
  long full_rss = 0, empty_rss = 0;
  double f, e;

  /* One warm-up of each: a new process each time, not an empty page cache. */
  run_once (self_exe, vault_dir, width, height, empty);
  run_once (self_exe, vault_dir, width, height, full);
  for (int i = 0; i < RUNS; i++)
    {
      Sample a = run_once (self_exe, vault_dir, width, height, empty);
      Sample b = run_once (self_exe, vault_dir, width, height, full);

      empty_ms[i] = a.ms;
      full_ms[i] = b.ms;
      empty_rss = MAX (empty_rss, a.rss_kb);
      full_rss = MAX (full_rss, b.rss_kb);
    }
  e = jc_bench_median (empty_ms, RUNS);   /* sorts */
  f = jc_bench_median (full_ms, RUNS);
  printf ("%d×%d, open to first frame, median of %d runs each, alternating:\n", width, height, RUNS);
  printf ("  empty inspection (baseline)  %8.1f ms (%.1f–%.1f)   RSS %6ld KiB\n",
          e, empty_ms[0], empty_ms[RUNS - 1], empty_rss);
  printf ("  every item with a result     %8.1f ms (%.1f–%.1f)   RSS %6ld KiB\n",
          f, full_ms[0], full_ms[RUNS - 1], full_rss);
  printf ("  ratio full / empty           %8.2f×   memory %.2f×\n", f / e, (double) full_rss / empty_rss);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *vault_dir = NULL;
  g_autofree char *full = NULL, *empty = NULL;

  /* The vault is made with a fast key derivation: unlocking is not what is measured. */
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  if (argc == 5 && g_str_equal (argv[1], "--child"))
    return child (atoi (argv[2]), atoi (argv[3]), argv[4]);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-inspection-frame: needs a display; run it under xvfb-run\n");
      return 77;
    }
  if (!jc_core_init (&error) || (dir = g_dir_make_tmp ("bench-inspection-frame-XXXXXX", &error)) == NULL)
    g_error ("%s", error->message);
  make_vault (dir, &full, &empty);
  vault_dir = g_build_filename (dir, "vault", NULL);
  printf ("bench-inspection-frame: hospital-2021, every item with status, note, amount, cases and evidence\n");
  measure (argv[0], vault_dir, 360, 720, full, empty);
  measure (argv[0], vault_dir, 1280, 800, full, empty);
  jc_bench_rmtree (dir);
  return 0;
}

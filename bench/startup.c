/* startup.c — cold start of jiancha to its first frame, against a bare
 * AdwApplicationWindow program, alternating runs in one session.
 *
 * Run under Xvfb (meson's benchmark does): prints the median of 10 runs of
 * each, their ratio (goal ≤ 1.5×) and the resident memory after start. */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc-bench.h"

#define RUNS 10

typedef struct {
  double ms;
  long rss_kb;
} Sample;

static Sample
run_once (const char *exe)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  gint64 t0 = g_get_monotonic_time ();
  Sample s = { -1, -1 };

  g_subprocess_launcher_setenv (launcher, "JIANCHA_BENCH_FIRST_FRAME", "1", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, exe, NULL);
  if (proc == NULL)
    g_error ("spawn %s: %s", exe, error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  s.ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (line == NULL || sscanf (line, "first-frame rss_kb=%ld", &s.rss_kb) != 1)
    g_error ("%s did not report its first frame (%s)", exe, line ? line : "no output");
  g_subprocess_wait (proc, NULL, NULL);
  return s;
}

int
main (int argc, char **argv)
{
  g_autofree char *app = g_build_filename (JC_BUILD_DIR, "src", "app", "jiancha", NULL);
  g_autofree char *bare = g_build_filename (JC_BUILD_DIR, "bench", "bench-bare-window", NULL);
  double app_ms[RUNS], bare_ms[RUNS];
  long app_rss = 0, bare_rss = 0;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-startup: needs a display; run it under xvfb-run\n");
      return 77;
    }
  /* One warm-up of each: "cold" here means a new process, not an empty page cache. */
  run_once (bare);
  run_once (app);
  for (int i = 0; i < RUNS; i++)
    {
      Sample b = run_once (bare);
      Sample a = run_once (app);
      bare_ms[i] = b.ms;
      app_ms[i] = a.ms;
      bare_rss = MAX (bare_rss, b.rss_kb);
      app_rss = MAX (app_rss, a.rss_kb);
    }
  {
    double a = jc_bench_median (app_ms, RUNS), b = jc_bench_median (bare_ms, RUNS);

    printf ("startup to first frame, median of %d runs each, alternating:\n", RUNS);
    printf ("  bare AdwApplicationWindow  %8.1f ms   RSS %6ld KiB\n", b, bare_rss);
    printf ("  jiancha                    %8.1f ms   RSS %6ld KiB\n", a, app_rss);
    printf ("  ratio jiancha / bare       %8.2f×   (goal ≤ 1.50×)\n", a / b);
    printf ("  memory jiancha / bare      %8.2f×\n", (double) app_rss / bare_rss);
  }
  return 0;
}

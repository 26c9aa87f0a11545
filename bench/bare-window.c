/* bare-window.c — the baseline of bench/startup: an empty AdwApplicationWindow
 * that reports its first frame exactly as jiancha does under the bench. */
#include <adwaita.h>
#include <stdlib.h>
#include <string.h>

static void
on_first_frame (GdkFrameClock *clock, GApplication *app)
{
  g_autofree char *status = NULL;
  const char *rss;

  g_signal_handlers_disconnect_by_func (clock, on_first_frame, app);
  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  rss = status != NULL ? strstr (status, "VmRSS:") : NULL;
  g_print ("first-frame rss_kb=%ld\n", rss != NULL ? strtol (rss + 6, NULL, 10) : -1L);
  g_application_quit (app);
}

static void
on_map (GtkWidget *window, GApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_first_frame), app);
}

static void
on_activate (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 720);
  g_signal_connect (window, "map", G_CALLBACK (on_map), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(AdwApplication) app = adw_application_new ("cn.jiancha.BenchBareWindow", G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}

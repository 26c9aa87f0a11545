/* jc-ui-test.c — driving the real window under Xvfb */
#include "config.h"

#include <check.h>

#include "jc-application.h"
#include "jc-core.h"
#include "jc-test.h"
#include "jc-ui-test.h"

static guint frames;

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  frames++;
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
transitions_running (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_LEAFLET (child) && adw_leaflet_get_child_transition_running (ADW_LEAFLET (child)))
        return TRUE;
      if (GTK_IS_STACK (child) && gtk_stack_get_transition_running (GTK_STACK (child)))
        return TRUE;
      if (transitions_running (child))
        return TRUE;
    }
  return FALSE;
}

/* Where every child of every leaflet sits: a leaflet's fold animation has
 * no "running" getter in libadwaita 1.2, so we wait until this stops moving. */
static void
layout_signature (GtkWidget *widget, GtkWidget *root, GString *sig)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_LEAFLET (widget))
        {
          graphene_rect_t b;

          if (gtk_widget_compute_bounds (child, root, &b))
            g_string_append_printf (sig, "%g,%g,%g,%g;", b.origin.x, b.origin.y, b.size.width, b.size.height);
          g_string_append_printf (sig, "%d;", gtk_widget_get_mapped (child));
        }
      layout_signature (child, root, sig);
    }
}

void
jc_ui_wait_drawn (GtkWindow *window)
{
  GdkFrameClock *clock;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint start;
  gint64 stable_since;
  g_autoptr(GString) before = g_string_new (NULL);
  g_autoptr(GString) after = g_string_new (NULL);

  /* Blocking iterations wake at least every 50 ms to look at the deadline. */
  guint waker = g_timeout_add (50, wake, NULL);

  while (!gtk_widget_get_mapped (GTK_WIDGET (window)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_msg (gtk_widget_get_mapped (GTK_WIDGET (window)), "the window was never shown");

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  /* Settled: a new frame painted, no transition running, and the layout
   * unchanged for 300 ms (a fold animates over 250 ms). The X11 frame
   * clock stops ticking when nothing changes, so this counts time, not
   * frames. */
  start = frames;
  gtk_widget_queue_draw (GTK_WIDGET (window));
  stable_since = g_get_monotonic_time ();
  layout_signature (GTK_WIDGET (window), GTK_WIDGET (window), before);
  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      g_string_truncate (after, 0);
      layout_signature (GTK_WIDGET (window), GTK_WIDGET (window), after);
      if (transitions_running (GTK_WIDGET (window)) || !g_string_equal (before, after))
        {
          stable_since = g_get_monotonic_time ();
          g_string_assign (before, after->str);
        }
      else if (frames > start && g_get_monotonic_time () - stable_since > 300 * 1000)
        break;
    }
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, NULL);
  g_source_remove (waker);
  ck_assert_msg (g_get_monotonic_time () < deadline, "the window did not settle within 10 s");
}

GtkWindow *
jc_ui_start (int width, int height)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  JcApplication *app;
  GtkWindow *window;

  jc_core_init_i18n ();
  ck_assert (jc_core_init (&error));
  jc_application_register_resources ();

  /* The window takes its size from GSettings, as it does for the user. */
  settings = g_settings_new (APP_ID);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  app = jc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  ck_assert (g_application_register (G_APPLICATION (app), NULL, &error));
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  ck_assert_ptr_nonnull (window);
  jc_ui_wait_drawn (window);
  /* Without a window manager the client-side frame takes a few pixels. */
  ck_assert_msg (ABS (gtk_widget_get_width (GTK_WIDGET (window)) - width) <= 16,
                 "window is %d px wide, asked for %d", gtk_widget_get_width (GTK_WIDGET (window)), width);
  return window;
}

GtkWindow *
jc_ui_start_unlocked (int width, int height)
{
  g_autofree char *tmp = jc_test_tmpdir ("ui-vault");
  g_autofree char *dir = g_build_filename (tmp, "vault", NULL);
  g_autoptr(JcVault) made = jc_vault_new (dir);
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  JcVault *vault;

  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  g_setenv ("JIANCHA_VAULT_DIR", dir, TRUE);
  ck_assert (jc_core_init (&error));
  ck_assert_msg (jc_vault_create (made, JC_UI_PIN, "测试检查员", NULL, &error),
                 "cannot make the test vault: %s", error ? error->message : "");
  jc_vault_lock (made);

  window = jc_ui_start (width, height);
  vault = jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
  ck_assert_msg (jc_vault_unlock (vault, JC_UI_PIN, &error), "cannot unlock: %s", error ? error->message : "");
  jc_ui_wait_drawn (window);
  return window;
}

void
jc_ui_wait_until (JcUiCondition done, gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (50, wake, NULL);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  ck_assert_msg (done (data), "gave up waiting for %s", what);
}

void
jc_ui_stop (GtkWindow *window)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (window));

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (app);
}

/* The window's last frame as a render node; NULL when a redraw was queued
 * since (a live camera preview, a running timer). */
static GskRenderNode *
last_frame (GtkWidget *widget, int w, int h)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  return gtk_snapshot_free_to_node (snapshot);
}

char *
jc_ui_screenshot (GtkWindow *window, const char *name)
{
  GtkWidget *widget = GTK_WIDGET (window);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("JIANCHA_BUILD_DIR") ?: ".", "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);

  node = last_frame (widget, w, h);
  for (int attempt = 0; node == NULL && attempt < 20; attempt++)
    {
      /* Taken right after the next frame is painted, before anything
       * else can queue another redraw. */
      GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
      gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
      guint start = frames;
      guint waker = g_timeout_add (50, wake, NULL);

      g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
      gtk_widget_queue_draw (widget);
      while (frames == start && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handlers_disconnect_by_func (clock, on_after_paint, NULL);
      g_source_remove (waker);
      node = last_frame (widget, w, h);
    }
  ck_assert_msg (node != NULL, "the window rendered nothing");
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_mkdir_with_parents (dir, 0755);
  ck_assert_msg (gdk_texture_save_to_png (texture, path), "cannot save %s", path);
  return path;
}

gpointer
jc_ui_child (gpointer widget, GType type, const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  ck_assert_msg (child != NULL, "no template child “%s”", name);
  return child;
}

void
jc_ui_shot (GtkWindow *window, const char *name)
{
  jc_ui_wait_drawn (window);
  /* Nothing may push a handheld's window wider than its screen. */
  if (g_str_has_suffix (name, "-360"))
    ck_assert_msg (gtk_widget_get_width (GTK_WIDGET (window)) <= 360 + 16,
                   "%s: the window grew to %d px", name, gtk_widget_get_width (GTK_WIDGET (window)));
  g_free (jc_ui_screenshot (window, name));
}

JcVault *
jc_ui_app_vault (GtkWindow *window)
{
  return jc_application_get_vault (JC_APPLICATION (gtk_window_get_application (window)));
}

void
jc_ui_click (gpointer button)
{
  ck_assert (gtk_widget_get_sensitive (GTK_WIDGET (button)));
  g_signal_emit_by_name (button, "clicked");
}

void
jc_ui_set_text (gpointer editable, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

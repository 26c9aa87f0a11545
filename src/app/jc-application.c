/* jc-application.c — application-wide actions, the About window, start-up */
#define G_LOG_DOMAIN "jiancha-app"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "jc-application.h"
#include "jc-resources.h"
#include "jc-vault-task.h"
#include "jc-window.h"

struct _JcApplication
{
  AdwApplication  parent_instance;

  JcVault        *vault;
  guint           lock_retry_id;
};

G_DEFINE_FINAL_TYPE (JcApplication, jc_application, ADW_TYPE_APPLICATION)

enum { LOCK_WAITING, N_SIGNALS };
static guint signals[N_SIGNALS];

void
jc_application_register_resources (void)
{
  g_resources_register (jc_get_resource ());
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWidget *about;
  const char *developers[] = { _("The Jiancha developers"), NULL };

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-icon", APP_ID,
                        "application-name", _("Jiancha"),
                        "developer-name", _("The Jiancha developers"),
                        "version", PACKAGE_VERSION,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        "comments", _("Offline on-site inspection of the medical-insurance fund: the official "
                                      "checklists, encrypted evidence, findings confirmed by both parties with "
                                      "a signed QR code, and sync to headquarters."),
                        "release-notes-version", "0.1.0",
                        /* Kept in step with the release notes of the metainfo. */
                        "release-notes", _("<p>The first foundation of Jiancha:</p><ul>"
                                           "<li>An adaptive window with the places Today, Inspections, Findings and Sync</li>"
                                           "<li>The jiancha-cli command-line tool</li>"
                                           "<li>The jiancha-hq headquarters server with a health endpoint</li>"
                                           "<li>A complete Chinese translation</li></ul>"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* $JIANCHA_VAULT_DIR, or the user's data directory. */
static char *
vault_dir (void)
{
  const char *dir = g_getenv ("JIANCHA_VAULT_DIR");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (g_get_user_data_dir (), "jiancha", "vault", NULL);
}

JcVault *
jc_application_get_vault (JcApplication *self)
{
  g_return_val_if_fail (JC_IS_APPLICATION (self), NULL);

  return self->vault;
}

static gboolean
lock_retry (gpointer data)
{
  JcApplication *self = data;

  self->lock_retry_id = 0;
  jc_application_lock (self);
  return G_SOURCE_REMOVE;
}

void
jc_application_lock (JcApplication *self)
{
  g_return_if_fail (JC_IS_APPLICATION (self));

  /* Argon2id is running in a thread on this vault: lock once it is done. */
  if (jc_vault_task_is_busy (self->vault))
    {
      /* Work that can stop early (a sync) stops: the lock should not wait
       * for a long upload. */
      if (self->lock_retry_id == 0)
        {
          self->lock_retry_id = g_timeout_add (100, lock_retry, self);
          g_signal_emit (self, signals[LOCK_WAITING], 0);
        }
      return;
    }
  g_clear_handle_id (&self->lock_retry_id, g_source_remove);
  jc_vault_lock (self->vault);
}

static void
on_screensaver_active (JcApplication *self)
{
  gboolean active = FALSE;

  g_object_get (self, "screensaver-active", &active, NULL);
  if (active)
    jc_application_lock (self);
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

/* bench/startup sets JIANCHA_BENCH_FIRST_FRAME: the app reports its first
 * painted frame and its resident memory, then quits. */
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
on_window_mapped (GtkWidget *window, GApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_first_frame), app);
}

static void
jc_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (jc_window_new (JC_APPLICATION (app)));
      if (g_getenv ("JIANCHA_BENCH_FIRST_FRAME") != NULL)
        g_signal_connect (window, "map", G_CALLBACK (on_window_mapped), app);
    }
  gtk_window_present (window);
}

static void
jc_application_startup (GApplication *app)
{
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (jc_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_window_set_default_icon_name (APP_ID);

  /* GTK learns of the screen lock from the session (register-session);
   * without a session bus the property just never changes. */
  g_signal_connect (app, "notify::screensaver-active", G_CALLBACK (on_screensaver_active), NULL);
}

static void
jc_application_shutdown (GApplication *app)
{
  JcApplication *self = JC_APPLICATION (app);

  g_clear_handle_id (&self->lock_retry_id, g_source_remove);
  if (!jc_vault_task_is_busy (self->vault))
    jc_vault_lock (self->vault);
  G_APPLICATION_CLASS (jc_application_parent_class)->shutdown (app);
}

static void
jc_application_finalize (GObject *object)
{
  JcApplication *self = JC_APPLICATION (object);

  g_clear_object (&self->vault);
  G_OBJECT_CLASS (jc_application_parent_class)->finalize (object);
}

static void
jc_application_class_init (JcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = jc_application_finalize;
  app_class->shutdown = jc_application_shutdown;
  app_class->activate = jc_application_activate;
  app_class->startup = jc_application_startup;

  signals[LOCK_WAITING] = g_signal_new ("lock-waiting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
jc_application_init (JcApplication *self)
{
  g_autofree char *dir = vault_dir ();

  self->vault = jc_vault_new (dir);
}

JcApplication *
jc_application_new (void)
{
  return g_object_new (JC_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/cn/jiancha/Jiancha",
                       "register-session", TRUE,
                       NULL);
}

/* jc-preferences-window.c — the app's settings, each bound to its GSettings key */
#define G_LOG_DOMAIN "jiancha-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-preferences-window.h"

struct _JcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  GtkSpinButton        *lock_after_idle_spin;
};

G_DEFINE_FINAL_TYPE (JcPreferencesWindow, jc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
jc_preferences_window_dispose (GObject *object)
{
  JcPreferencesWindow *self = JC_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (jc_preferences_window_parent_class)->dispose (object);
}

static void
jc_preferences_window_class_init (JcPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcPreferencesWindow, lock_after_idle_spin);
}

static void
jc_preferences_window_init (JcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "lock-after-idle", self->lock_after_idle_spin, "value", G_SETTINGS_BIND_DEFAULT);
}

JcPreferencesWindow *
jc_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (JC_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}

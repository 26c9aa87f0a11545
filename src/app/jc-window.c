/* jc-window.c — the main window: places on the left, the place on the right
 *
 * An AdwLeaflet: side by side on a desktop, one pane at a time on a 360 px
 * handheld, where choosing a place slides to it and Back returns.
 */
#define G_LOG_DOMAIN "jiancha-window"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-window.h"

struct _JcWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GNetworkMonitor      *monitor;

  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkListBox           *places_list;
  GtkStack             *stack;
  AdwWindowTitle       *content_title;
  GtkWidget            *back_button;
  GtkWidget            *content;
  GtkWidget            *network_bar;
  GtkImage             *network_icon;
  GtkLabel             *network_label;
  AdwStatusPage        *sync_page;
};

G_DEFINE_FINAL_TYPE (JcWindow, jc_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkListBoxRow *
find_row (JcWindow *self, const char *place)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->places_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (gtk_widget_get_name (child), place) == 0)
      return GTK_LIST_BOX_ROW (child);
  return NULL;
}

static void
select_place (JcWindow *self, const char *place)
{
  GtkListBoxRow *row = find_row (self, place);
  GtkStackPage *page;

  g_return_if_fail (row != NULL);
  gtk_list_box_select_row (self->places_list, row);
  gtk_stack_set_visible_child_name (self->stack, place);
  page = gtk_stack_get_page (self->stack, gtk_stack_get_visible_child (self->stack));
  adw_window_title_set_title (self->content_title, gtk_stack_page_get_title (page));
}

void
jc_window_show_place (JcWindow *self, const char *place)
{
  g_return_if_fail (JC_IS_WINDOW (self));

  select_place (self, place);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

const char *
jc_window_get_place (JcWindow *self)
{
  g_return_val_if_fail (JC_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

static void
on_place_activated (JcWindow *self, GtkListBoxRow *row)
{
  jc_window_show_place (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

/* Folded, the list is a menu: no row stays highlighted behind the page.
 * Unfolded, the row of the page shown is. */
static void
on_folded_changed (JcWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    gtk_list_box_set_selection_mode (self->places_list, GTK_SELECTION_NONE);
  else
    {
      gtk_list_box_set_selection_mode (self->places_list, GTK_SELECTION_SINGLE);
      select_place (self, jc_window_get_place (self));
    }
}

static void
show_place_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);
  const char *place = g_variant_get_string (param, NULL);

  if (find_row (self, place) == NULL)
    {
      g_message ("No place called “%s”", place);
      return;
    }
  jc_window_show_place (self, place);
}

static void
go_back_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
update_network (JcWindow *self)
{
  gboolean online = g_network_monitor_get_network_available (self->monitor);

  gtk_image_set_from_icon_name (self->network_icon,
                                online ? "network-transmit-receive-symbolic" : "network-offline-symbolic");
  gtk_label_set_label (self->network_label,
                       online ? _("Network available")
                              : _("Offline — everything is kept on this device"));
  if (online)
    {
      gtk_widget_remove_css_class (self->network_bar, "offline");
      gtk_widget_add_css_class (self->network_bar, "online");
    }
  else
    {
      gtk_widget_remove_css_class (self->network_bar, "online");
      gtk_widget_add_css_class (self->network_bar, "offline");
    }
  adw_status_page_set_description (self->sync_page,
                                   online
                                   ? _("A network is available, but this device is not enrolled with headquarters yet. Results stay on this device until it is.")
                                   : _("No network. Results stay on this device and are sent to headquarters once it is enrolled and a connection appears."));
}

static void
jc_window_dispose (GObject *object)
{
  JcWindow *self = JC_WINDOW (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_WINDOW);
  G_OBJECT_CLASS (jc_window_parent_class)->dispose (object);
}

static void
jc_window_class_init (JcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const char *places[] = { "assignments", "inspections", "findings", "sync" };

  object_class->dispose = jc_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, places_list);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, content);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, network_bar);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, network_icon);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, network_label);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sync_page);
  gtk_widget_class_bind_template_callback (widget_class, on_place_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);

  gtk_widget_class_install_action (widget_class, "win.show-place", "s", show_place_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-place", "s", places[i]);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
}

static void
jc_window_init (JcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Window geometry lives in GSettings, as GNOME apps keep it. */
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  self->monitor = g_network_monitor_get_default ();
  g_signal_connect_object (self->monitor, "notify::network-available",
                           G_CALLBACK (update_network), self, G_CONNECT_SWAPPED);
  update_network (self);

  select_place (self, "assignments");
  /* A handheld opens on the list of places. */
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  on_folded_changed (self);
}

JcWindow *
jc_window_new (JcApplication *app)
{
  return g_object_new (JC_TYPE_WINDOW, "application", app, NULL);
}

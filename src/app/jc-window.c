/* jc-window.c — the main window: places on the left, the place on the right
 *
 * An AdwLeaflet: side by side on a desktop, one pane at a time on a 360 px
 * handheld, where choosing a place slides to it and Back returns.
 *
 * Above it, a stack that follows the vault: the first-run setup while
 * there is no vault, the unlock page while it is locked, the places once
 * it is open. The window also locks the vault after an idle time.
 */
#define G_LOG_DOMAIN "jiancha-window"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-change-pin-dialog.h"
#include "jc-findings-page.h"
#include "jc-inspections-page.h"
#include "jc-preferences-window.h"
#include "jc-scan-page.h"
#include "jc-setup-page.h"
#include "jc-today-page.h"
#include "jc-sync-manager.h"
#include "jc-sync-page.h"
#include "jc-unlock-page.h"
#include "jc-window.h"

struct _JcWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GNetworkMonitor      *monitor;
  JcVault              *vault;
  /* Known once this session has unlocked the vault; shown when locked. */
  char                 *inspector;
  gint64                last_input;      /* monotonic µs */
  guint                 idle_lock_id;
  JcChangePinDialog    *change_pin_dialog;
  AdwToast             *toast;           /* weak */

  AdwToastOverlay      *toast_overlay;
  GtkStack             *vault_stack;
  JcSetupPage          *setup_page;
  JcUnlockPage         *unlock_page;

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
  JcSyncPage           *sync_page;
  GtkLabel             *sidebar_sync_label;
  GtkWidget            *sync_badge;
  GtkImage             *sync_badge_icon;
  GtkLabel             *sync_badge_label;

  JcSyncManager        *sync_manager;
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

/* Back leads out of a place on a handheld, except where the place shows a
 * Back of its own (an inspection, an item), so there is only ever one. */
static void
update_back_button (JcWindow *self)
{
  GtkWidget *place = gtk_stack_get_visible_child (self->stack);
  gboolean own_back = (JC_IS_INSPECTIONS_PAGE (place) &&
                       !jc_inspections_page_get_at_top (JC_INSPECTIONS_PAGE (place))) ||
                      (JC_IS_FINDINGS_PAGE (place) &&
                       !jc_findings_page_get_at_top (JC_FINDINGS_PAGE (place)));

  gtk_widget_set_visible (self->back_button, adw_leaflet_get_folded (self->leaflet) && !own_back);
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
  update_back_button (self);
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
  update_back_button (self);
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
}

/* "Sync status always visible": the Sync row of the sidebar says it in
 * words, and the content's header bar has a small badge (the count of
 * what waits, or a warning after a failed sync) that leads to the place. */
static void
update_sync_status (JcWindow *self)
{
  g_autofree char *text = jc_sync_manager_describe (self->sync_manager);
  const char *error_text = jc_sync_manager_get_last_error (self->sync_manager);
  gboolean running = jc_sync_manager_get_running (self->sync_manager);
  g_autofree char *tooltip = NULL;
  g_autofree char *count = NULL;
  JcSyncStatus st;
  const char *icon;

  gtk_label_set_label (self->sidebar_sync_label, text ? text : "");
  gtk_widget_set_visible (self->sync_badge, text != NULL);
  if (text == NULL)
    return;
  if (jc_sync_manager_get_status (self->sync_manager, &st) && st.events_waiting > 0)
    count = g_strdup_printf ("%" G_GUINT64_FORMAT, st.events_waiting);
  if (running)
    icon = "emblem-synchronizing-symbolic";
  else if (error_text != NULL)
    icon = "dialog-warning-symbolic";
  else if (count == NULL && jc_sync_manager_get_enrolled (self->sync_manager))
    icon = "emblem-ok-symbolic";
  else
    icon = "emblem-synchronizing-symbolic";
  gtk_image_set_from_icon_name (self->sync_badge_icon, icon);
  gtk_label_set_label (self->sync_badge_label, count ? count : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sync_badge_label), count != NULL);
  if (error_text != NULL && !running)
    {
      gtk_widget_add_css_class (self->sync_badge, "error");
      tooltip = g_strdup_printf (_("%s — last sync failed: %s"), text, error_text);
    }
  else
    gtk_widget_remove_css_class (self->sync_badge, "error");
  gtk_widget_set_tooltip_text (self->sync_badge, tooltip ? tooltip : text);
}

JcSyncManager *
jc_window_get_sync_manager (JcWindow *self)
{
  g_return_val_if_fail (JC_IS_WINDOW (self), NULL);

  return self->sync_manager;
}

/* ---- locking ---- */

static void arm_idle_lock (JcWindow *self);

static JcApplication *
get_app (JcWindow *self)
{
  return JC_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static gboolean
on_idle_lock (gpointer data)
{
  JcWindow *self = data;
  guint minutes = g_settings_get_uint (self->settings, "lock-after-idle");
  gint64 idle = g_get_monotonic_time () - self->last_input;

  self->idle_lock_id = 0;
  if (minutes > 0 && idle >= (gint64) minutes * 60 * G_USEC_PER_SEC)
    {
      if (get_app (self) != NULL)
        jc_application_lock (get_app (self));
      else
        jc_vault_lock (self->vault);
    }
  else
    arm_idle_lock (self);
  return G_SOURCE_REMOVE;
}

/* One timer for the whole idle time: input only moves last_input, and the
 * timer, when it fires early, sleeps again for what is left. */
static void
arm_idle_lock (JcWindow *self)
{
  guint minutes = g_settings_get_uint (self->settings, "lock-after-idle");
  gint64 left;

  g_clear_handle_id (&self->idle_lock_id, g_source_remove);
  if (minutes == 0 || self->vault == NULL || !jc_vault_is_unlocked (self->vault))
    return;
  left = (gint64) minutes * 60 * G_USEC_PER_SEC - (g_get_monotonic_time () - self->last_input);
  self->idle_lock_id = g_timeout_add_seconds ((guint) MAX (1, (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC),
                                              on_idle_lock, self);
}

static gboolean
on_input (JcWindow *self)
{
  self->last_input = g_get_monotonic_time ();
  return GDK_EVENT_PROPAGATE;
}

/* Keys, pointer, touch and scrolling, seen before any widget handles them. */
static void
watch_input (JcWindow *self, GtkWidget *widget)
{
  GtkEventController *controller = gtk_event_controller_legacy_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "event", G_CALLBACK (on_input), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (widget, controller);
}

static void
update_vault_view (JcWindow *self)
{
  gboolean unlocked = jc_vault_is_unlocked (self->vault);
  const char *view = unlocked ? "main" : jc_vault_exists (self->vault) ? "unlock" : "setup";

  if (unlocked)
    {
      g_free (self->inspector);
      self->inspector = g_strdup (jc_vault_get_inspector (self->vault));
    }
  else
    {
      /* Nothing of the open vault stays on the lock screen. */
      if (self->change_pin_dialog != NULL)
        jc_change_pin_dialog_close (self->change_pin_dialog);
      if (self->toast != NULL)
        adw_toast_dismiss (self->toast);
    }

  jc_unlock_page_set_inspector (self->unlock_page, self->inspector);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", unlocked);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.change-pin", unlocked);
  gtk_stack_set_visible_child_name (self->vault_stack, view);

  if (g_str_equal (view, "setup"))
    jc_setup_page_focus (self->setup_page);
  else if (g_str_equal (view, "unlock"))
    jc_unlock_page_focus (self->unlock_page);

  self->last_input = g_get_monotonic_time ();
  arm_idle_lock (self);
}

static void
lock_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);

  if (get_app (self) != NULL)
    jc_application_lock (get_app (self));
  else
    jc_vault_lock (self->vault);
}

static void
on_pin_changed (JcWindow *self)
{
  AdwToast *toast = adw_toast_new (_("The PIN is changed"));

  g_set_weak_pointer (&self->toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
change_pin_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);

  if (self->change_pin_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->change_pin_dialog));
      return;
    }
  self->change_pin_dialog = jc_change_pin_dialog_new (GTK_WINDOW (self), self->vault);
  g_object_add_weak_pointer (G_OBJECT (self->change_pin_dialog), (gpointer *) &self->change_pin_dialog);
  g_signal_connect_object (self->change_pin_dialog, "done", G_CALLBACK (on_pin_changed), self, G_CONNECT_SWAPPED);
  /* Typing in the dialog is activity too. */
  watch_input (self, GTK_WIDGET (self->change_pin_dialog));
  gtk_window_present (GTK_WINDOW (self->change_pin_dialog));
}

static void
preferences_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  JcWindow *self = JC_WINDOW (widget);
  JcPreferencesWindow *prefs = jc_preferences_window_new (GTK_WINDOW (self));

  watch_input (self, GTK_WIDGET (prefs));
  gtk_window_present (GTK_WINDOW (prefs));
}

JcChangePinDialog *
jc_window_get_change_pin_dialog (JcWindow *self)
{
  g_return_val_if_fail (JC_IS_WINDOW (self), NULL);

  return self->change_pin_dialog;
}

static void
jc_window_dispose (GObject *object)
{
  JcWindow *self = JC_WINDOW (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_handle_id (&self->idle_lock_id, g_source_remove);
  g_clear_weak_pointer (&self->toast);
  if (self->change_pin_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->change_pin_dialog), (gpointer *) &self->change_pin_dialog);
  self->change_pin_dialog = NULL;
  if (self->vault != NULL)
    g_signal_handlers_disconnect_by_data (self->vault, self);
  if (self->sync_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->sync_manager, self);
  g_clear_object (&self->sync_manager);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->inspector, g_free);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_WINDOW);
  G_OBJECT_CLASS (jc_window_parent_class)->dispose (object);
}

static void
jc_window_class_init (JcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const char *places[] = { "assignments", "inspections", "findings", "scan", "sync" };

  object_class->dispose = jc_window_dispose;

  g_type_ensure (JC_TYPE_FINDINGS_PAGE);
  g_type_ensure (JC_TYPE_INSPECTIONS_PAGE);
  g_type_ensure (JC_TYPE_SCAN_PAGE);
  g_type_ensure (JC_TYPE_SETUP_PAGE);
  g_type_ensure (JC_TYPE_TODAY_PAGE);
  g_type_ensure (JC_TYPE_SYNC_PAGE);
  g_type_ensure (JC_TYPE_UNLOCK_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, vault_stack);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, setup_page);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, unlock_page);
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
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sidebar_sync_label);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sync_badge);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sync_badge_icon);
  gtk_widget_class_bind_template_child (widget_class, JcWindow, sync_badge_label);
  gtk_widget_class_bind_template_callback (widget_class, on_place_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);

  gtk_widget_class_install_action (widget_class, "win.show-place", "s", show_place_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);
  gtk_widget_class_install_action (widget_class, "win.change-pin", NULL, change_pin_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-place", "s", places[i]);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.preferences", NULL);
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

  self->last_input = g_get_monotonic_time ();
  watch_input (self, GTK_WIDGET (self));
  g_signal_connect_object (self->settings, "changed::lock-after-idle",
                           G_CALLBACK (arm_idle_lock), self, G_CONNECT_SWAPPED);

  select_place (self, "assignments");
  /* A handheld opens on the list of places. */
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  on_folded_changed (self);
}

/* 开始检查 under Today: the inspection opens where inspections live. */
static void
on_open_inspection (JcWindow *self, const char *id)
{
  JcInspectionsPage *page = JC_INSPECTIONS_PAGE (gtk_stack_get_child_by_name (self->stack, "inspections"));

  jc_inspections_page_reload (page);
  jc_window_show_place (self, "inspections");
  jc_inspections_page_open_inspection (page, id);
}

JcWindow *
jc_window_new (JcApplication *app)
{
  JcWindow *self = g_object_new (JC_TYPE_WINDOW, "application", app, NULL);

  self->vault = g_object_ref (jc_application_get_vault (app));
  jc_setup_page_set_vault (self->setup_page, self->vault);
  jc_unlock_page_set_vault (self->unlock_page, self->vault);
  jc_inspections_page_set_vault (JC_INSPECTIONS_PAGE (gtk_stack_get_child_by_name (self->stack, "inspections")),
                                 self->vault);
  g_signal_connect_object (gtk_stack_get_child_by_name (self->stack, "inspections"), "notify::at-top",
                           G_CALLBACK (update_back_button), self, G_CONNECT_SWAPPED);
  jc_findings_page_set_vault (JC_FINDINGS_PAGE (gtk_stack_get_child_by_name (self->stack, "findings")), self->vault);
  g_signal_connect_object (gtk_stack_get_child_by_name (self->stack, "findings"), "notify::at-top",
                           G_CALLBACK (update_back_button), self, G_CONNECT_SWAPPED);
  jc_scan_page_set_vault (JC_SCAN_PAGE (gtk_stack_get_child_by_name (self->stack, "scan")), self->vault);
  jc_today_page_set_vault (JC_TODAY_PAGE (gtk_stack_get_child_by_name (self->stack, "assignments")), self->vault);
  g_signal_connect_object (gtk_stack_get_child_by_name (self->stack, "assignments"), "open-inspection",
                           G_CALLBACK (on_open_inspection), self, G_CONNECT_SWAPPED);
  self->sync_manager = jc_sync_manager_new (self->vault, self->settings);
  jc_sync_page_set_manager (self->sync_page, self->vault, self->sync_manager);
  g_signal_connect_object (self->sync_manager, "changed", G_CALLBACK (update_sync_status), self,
                           G_CONNECT_SWAPPED);
  update_sync_status (self);
  g_signal_connect_object (app, "lock-waiting", G_CALLBACK (jc_sync_manager_cancel), self->sync_manager,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->vault, "notify::unlocked",
                           G_CALLBACK (update_vault_view), self, G_CONNECT_SWAPPED);
  update_vault_view (self);
  return self;
}

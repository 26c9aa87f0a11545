/* jc-inspection-view.c — one inspection: progress, search, filter, the items
 *
 * The items are a GtkListView over a GListStore of JcItemObject: an edit
 * changes one object and its row follows through property bindings, so
 * the 40-odd rows of a list are never rebuilt for a change. Search and the
 * status filter ask the core again (it matches code, text, behaviour and
 * note) and replace the store's contents in one splice.
 */
#define G_LOG_DOMAIN "jiancha-inspection-view"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-finding-view.h"
#include "jc-inspection-view.h"
#include "jc-item-object.h"

struct _JcInspectionView
{
  AdwBin            parent_instance;

  JcVault          *vault;
  char             *id;
  GListStore       *items;

  GtkStack         *stack;
  GtkLabel         *title_label;
  GtkLabel         *subtitle_label;
  GtkProgressBar   *progress_bar;
  GtkLabel         *progress_label;
  GtkLabel         *info_label;
  GtkButton        *next_button;
  GtkButton        *seal_finding_button;
  GtkSearchEntry   *search_entry;
  GtkDropDown      *filter_dropdown;
  GtkListView      *list_view;
  GtkStack         *list_stack;
  JcItemEditor     *editor;
  JcFindingView    *finding_view;
};

G_DEFINE_FINAL_TYPE (JcInspectionView, jc_inspection_view, ADW_TYPE_BIN)

enum { SIGNAL_CLOSED, SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The filter's entries, in the order of the drop-down. */
static const guint filter_masks[] = {
  0,
  JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_UNCHECKED),
  JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_VIOLATION),
  JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_COMPLIANT),
  JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_NA),
};

static void
show_info (JcInspectionView *self, const char *message)
{
  gtk_label_set_label (self->info_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->info_label), message != NULL);
}

static gboolean
update_progress (JcInspectionView *self, GError **error)
{
  g_autoptr(JcInspection) in = jc_inspection_get (self->vault, NULL, self->id, error);
  g_autofree char *progress = NULL;
  g_autofree char *subtitle = NULL;
  guint n_open = 0;

  if (in == NULL)
    return FALSE;
  progress = jc_format_progress (in);
  gtk_label_set_label (self->title_label, in->institution_name);
  subtitle = g_strdup_printf ("%s · %s · %s", jc_inspection_form_get_label (in->form), in->date, in->institution_code);
  gtk_label_set_label (self->subtitle_label, subtitle);
  /* Sealing needs a violation that no finding holds yet. */
  if (!jc_finding_view_count_open (self->vault, self->id, &n_open, error))
    return FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->seal_finding_button), n_open > 0);
  gtk_progress_bar_set_fraction (self->progress_bar, in->n_items > 0 ? (double) in->n_checked / in->n_items : 0);
  gtk_label_set_label (self->progress_label, progress);
  return TRUE;
}

static gboolean
reload_items (JcInspectionView *self, GError **error)
{
  guint selected = gtk_drop_down_get_selected (self->filter_dropdown);
  guint mask = selected < G_N_ELEMENTS (filter_masks) ? filter_masks[selected] : 0;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autoptr(GPtrArray) results = jc_inspection_get_results (self->vault, NULL, self->id, query, mask, error);
  g_autoptr(GPtrArray) objects = NULL;
  const JcChecklistGroup *group = NULL;

  if (results == NULL)
    return FALSE;
  objects = g_ptr_array_new_full (results->len, g_object_unref);
  for (guint i = 0; i < results->len; i++)
    {
      JcItemResult *r = results->pdata[i];
      g_autofree char *header = NULL;

      /* The section and the behaviour above the first item of each group. */
      if (r->item->group != group)
        {
          group = r->item->group;
          header = *group->behaviour != '\0'
                   ? g_strdup_printf ("%s · %s", group->section->category, group->behaviour)
                   : g_strdup (group->section->category);
        }
      results->pdata[i] = NULL;
      g_ptr_array_add (objects, jc_item_object_new (r, header));
    }
  g_list_store_splice (self->items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->items)),
                       objects->pdata, objects->len);
  gtk_stack_set_visible_child_name (self->list_stack, objects->len > 0 ? "items" : "none");
  return TRUE;
}

static void
on_filter_changed (JcInspectionView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->vault == NULL)
    return;
  if (!reload_items (self, &error))
    show_info (self, error->message);
}

gboolean
jc_inspection_view_set_inspection (JcInspectionView *self, JcVault *vault, const char *id, GError **error)
{
  g_return_val_if_fail (JC_IS_INSPECTION_VIEW (self), FALSE);

  jc_inspection_view_show_items (self);
  g_set_object (&self->vault, vault);
  g_free (self->id);
  self->id = g_strdup (id);
  show_info (self, NULL);
  /* A new inspection starts unfiltered. */
  g_signal_handlers_block_by_func (self->search_entry, on_filter_changed, self);
  g_signal_handlers_block_by_func (self->filter_dropdown, on_filter_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->filter_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->search_entry, on_filter_changed, self);
  g_signal_handlers_unblock_by_func (self->filter_dropdown, on_filter_changed, self);
  g_list_store_remove_all (self->items);
  return update_progress (self, error) && reload_items (self, error);
}

const char *
jc_inspection_view_get_id (JcInspectionView *self)
{
  g_return_val_if_fail (JC_IS_INSPECTION_VIEW (self), NULL);

  return self->id;
}

GListModel *
jc_inspection_view_get_items (JcInspectionView *self)
{
  g_return_val_if_fail (JC_IS_INSPECTION_VIEW (self), NULL);

  return G_LIST_MODEL (self->items);
}

JcItemEditor *
jc_inspection_view_get_editor (JcInspectionView *self)
{
  g_return_val_if_fail (JC_IS_INSPECTION_VIEW (self), NULL);

  return self->editor;
}

static JcItemObject *
find_item (JcInspectionView *self, const char *code)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JcItemObject) obj = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (g_strcmp0 (jc_item_object_get_code (obj), code) == 0)
        return obj;  /* the store keeps its reference */
    }
  return NULL;
}

static void
open_object (JcInspectionView *self, JcItemObject *obj)
{
  show_info (self, NULL);
  jc_item_editor_set_item (self->editor, self->vault, self->id, obj);
  gtk_stack_set_visible_child_name (self->stack, "editor");
}

gboolean
jc_inspection_view_open_item (JcInspectionView *self, const char *code)
{
  JcItemObject *obj;

  g_return_val_if_fail (JC_IS_INSPECTION_VIEW (self), FALSE);

  obj = find_item (self, code);
  if (obj == NULL)
    return FALSE;
  open_object (self, obj);
  return TRUE;
}

gboolean
jc_inspection_view_open_next_unchecked (JcInspectionView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  JcItemObject *current = NULL;

  g_return_val_if_fail (JC_IS_INSPECTION_VIEW (self), FALSE);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "editor") == 0)
    {
      jc_item_editor_flush (self->editor);
      current = jc_item_editor_get_item (self->editor);
    }
  code = jc_inspection_next_unchecked (self->vault, NULL, self->id,
                                       current != NULL ? jc_item_object_get_code (current) : NULL, &error);
  if (code == NULL)
    {
      jc_inspection_view_show_items (self);
      show_info (self, error != NULL ? error->message : _("Every item is checked."));
      return FALSE;
    }
  /* The item may be hidden by the search or the filter: show them all. */
  if (find_item (self, code) == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      gtk_drop_down_set_selected (self->filter_dropdown, 0);
      on_filter_changed (self);
    }
  return jc_inspection_view_open_item (self, code);
}

void
jc_inspection_view_show_items (JcInspectionView *self)
{
  g_return_if_fail (JC_IS_INSPECTION_VIEW (self));

  jc_item_editor_flush (self->editor);
  gtk_stack_set_visible_child_name (self->stack, "items");
}

void
jc_inspection_view_flush (JcInspectionView *self)
{
  g_return_if_fail (JC_IS_INSPECTION_VIEW (self));

  jc_item_editor_flush (self->editor);
}

static void
on_item_activated (JcInspectionView *self, guint position)
{
  g_autoptr(JcItemObject) obj = g_list_model_get_item (G_LIST_MODEL (self->items), position);

  if (obj != NULL)
    open_object (self, obj);
}

static void
on_item_saved (JcInspectionView *self)
{
  g_autoptr(GError) error = NULL;

  if (!update_progress (self, &error))
    show_info (self, error->message);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_back_clicked (JcInspectionView *self)
{
  jc_inspection_view_show_items (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
on_next_clicked (JcInspectionView *self)
{
  jc_inspection_view_open_next_unchecked (self);
}

JcFindingView *
jc_inspection_view_get_finding_view (JcInspectionView *self)
{
  g_return_val_if_fail (JC_IS_INSPECTION_VIEW (self), NULL);

  return self->finding_view;
}

static void
on_seal_finding_clicked (JcInspectionView *self)
{
  g_autoptr(GError) error = NULL;

  jc_item_editor_flush (self->editor);
  if (!jc_finding_view_start_seal (self->finding_view, self->vault, self->id, &error))
    {
      show_info (self, error->message);
      return;
    }
  show_info (self, NULL);
  gtk_stack_set_visible_child_name (self->stack, "finding");
}

static void
on_finding_closed (JcInspectionView *self)
{
  gtk_stack_set_visible_child_name (self->stack, "items");
}

static void
on_finding_changed (JcInspectionView *self)
{
  on_item_saved (self);
}

static void
jc_inspection_view_dispose (GObject *object)
{
  JcInspectionView *self = JC_INSPECTION_VIEW (object);

  /* Saved while the view can still show the progress it changes. */
  if (self->editor != NULL && self->vault != NULL && jc_vault_is_unlocked (self->vault))
    jc_item_editor_flush (self->editor);
  /* The bin's child is a bound template child: AdwBin must let go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_INSPECTION_VIEW);
  g_clear_object (&self->items);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->id, g_free);
  G_OBJECT_CLASS (jc_inspection_view_parent_class)->dispose (object);
}

static void
jc_inspection_view_class_init (JcInspectionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_inspection_view_dispose;

  /* Back to the list of inspections. */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A result was saved: the progress changed. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (JC_TYPE_ITEM_OBJECT);
  g_type_ensure (JC_TYPE_ITEM_EDITOR);
  g_type_ensure (JC_TYPE_FINDING_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-inspection-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, stack);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, title_label);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, info_label);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, next_button);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, list_view);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, editor);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, finding_view);
  gtk_widget_class_bind_template_child (widget_class, JcInspectionView, seal_finding_button);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_item_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_item_saved);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_next_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_seal_finding_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_finding_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_finding_changed);
}

static void
jc_inspection_view_init (JcInspectionView *self)
{
  g_autoptr(GtkSelectionModel) selection = NULL;
  g_autoptr(GtkListItemFactory) factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_list_store_new (JC_TYPE_ITEM_OBJECT);
  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->items))));
  factory = gtk_builder_list_item_factory_new_from_resource (NULL, "/cn/jiancha/Jiancha/ui/jc-item-row.ui");
  gtk_list_view_set_model (self->list_view, selection);
  gtk_list_view_set_factory (self->list_view, factory);
  g_signal_connect_object (self->editor, "closed", G_CALLBACK (jc_inspection_view_show_items), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->editor, "next", G_CALLBACK (on_next_clicked), self, G_CONNECT_SWAPPED);
}

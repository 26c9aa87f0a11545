/* jc-item-editor.c — one checklist item: its text, status, note, amount, cases, evidence
 *
 * There is no Save button: every change is an event in the vault at once
 * (status, cases, evidence), or after a short pause in typing (note,
 * amount) and at the latest when the field loses focus or the editor
 * closes, so a keystroke is never lost.
 */
#define G_LOG_DOMAIN "jiancha-item-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-item-editor.h"

/* Typing pause after which the note and the amount are saved. */
#define SAVE_DELAY_MS 500

struct _JcItemEditor
{
  AdwBin          parent_instance;

  JcVault        *vault;
  char           *inspection_id;
  JcItemObject   *item;
  gboolean        loading;
  gboolean        note_dirty;
  gboolean        amount_dirty;
  guint           save_id;
  guint           n_pending_files;
  /* Changes made while a file is being stored: the vault's event log takes
   * one writer at a time, so they are recorded once the file is in. */
  GQueue          deferred;
  GtkFileChooserNative *chooser;

  GtkButton      *back_button;
  GtkButton      *next_button;
  GtkLabel       *code_label;
  GtkLabel       *error_label;
  GtkLabel       *category_label;
  GtkLabel       *behaviour_label;
  GtkLabel       *text_label;
  GtkToggleButton *compliant_button;
  GtkToggleButton *violation_button;
  GtkToggleButton *na_button;
  GtkToggleButton *unchecked_button;
  GtkTextView    *note_view;
  AdwEntryRow    *amount_row;
  GtkLabel       *amount_error;
  GtkSpinButton  *cases_spin;
  GtkListBox     *evidence_list;
  GtkButton      *add_file_button;
};

G_DEFINE_FINAL_TYPE (JcItemEditor, jc_item_editor, ADW_TYPE_BIN)

enum { SIGNAL_SAVED, SIGNAL_CLOSED, SIGNAL_NEXT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (JcItemEditor *self, const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

typedef struct {
  JcVault      *vault;
  char         *inspection_id;
  JcItemObject *item;
  JcItemUpdate  update;
  char         *note;
} Deferred;

static void
deferred_free (Deferred *d)
{
  g_object_unref (d->vault);
  g_free (d->inspection_id);
  g_object_unref (d->item);
  g_free (d->note);
  g_free (d);
}

static gboolean
record (JcItemEditor *self, JcVault *vault, const char *inspection_id, JcItemObject *item,
        const JcItemUpdate *update)
{
  g_autoptr(GError) error = NULL;

  if (!jc_inspection_set_item (vault, NULL, inspection_id, jc_item_object_get_code (item), update, &error))
    {
      g_autofree char *message = g_strdup_printf (_("This change was not saved: %s"), error->message);

      if (self->vault != NULL)  /* not yet disposed */
        show_error (self, message);
      return FALSE;
    }
  if (self->vault != NULL)
    show_error (self, NULL);
  return TRUE;
}

/* One event with every field of @update; the row follows. */
static gboolean
save (JcItemEditor *self, const JcItemUpdate *update)
{
  if (self->item == NULL || self->vault == NULL)
    return TRUE;
  if (self->n_pending_files > 0)
    {
      Deferred *d = g_new0 (Deferred, 1);

      d->vault = g_object_ref (self->vault);
      d->inspection_id = g_strdup (self->inspection_id);
      d->item = g_object_ref (self->item);
      d->update = *update;
      d->note = g_strdup (update->note);
      d->update.note = d->note;
      g_queue_push_tail (&self->deferred, d);
    }
  else if (!record (self, self->vault, self->inspection_id, self->item, update))
    return FALSE;
  jc_item_object_apply (self->item, update);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->item);
  return TRUE;
}

static void
record_deferred (JcItemEditor *self)
{
  Deferred *d;

  while (self->n_pending_files == 0 && (d = g_queue_pop_head (&self->deferred)) != NULL)
    {
      record (self, d->vault, d->inspection_id, d->item, &d->update);
      deferred_free (d);
    }
}

/* *out_empty when the field is empty (no amount); else the amount parsed. */
static gboolean
parse_amount (JcItemEditor *self, gboolean *out_empty, guint64 *out_fen, GError **error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->amount_row))));

  *out_empty = *text == '\0';
  if (*out_empty)
    return TRUE;
  return jc_amount_parse_yuan (text, out_fen, error);
}

gboolean
jc_item_editor_flush (JcItemEditor *self)
{
  JcItemUpdate update = { 0 };
  g_autofree char *note = NULL;

  g_return_val_if_fail (JC_IS_ITEM_EDITOR (self), FALSE);

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->note_dirty)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      note = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      update.set_note = TRUE;
      update.note = note;
    }
  if (self->amount_dirty)
    {
      gboolean empty;
      guint64 fen = 0;

      /* An amount that does not parse stays on screen with its error and
       * is not saved; the rest is. */
      if (parse_amount (self, &empty, &fen, NULL))
        {
          update.set_amount = TRUE;
          update.clear_amount = empty;
          update.amount_fen = fen;
        }
    }
  if (!update.set_note && !update.set_amount)
    return TRUE;
  if (!save (self, &update))
    return FALSE;
  self->note_dirty = FALSE;
  if (update.set_amount)
    self->amount_dirty = FALSE;
  return TRUE;
}

static gboolean
on_save_timeout (gpointer data)
{
  JcItemEditor *self = data;

  self->save_id = 0;
  jc_item_editor_flush (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (JcItemEditor *self)
{
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (SAVE_DELAY_MS, on_save_timeout, self);
}

static void
on_note_changed (JcItemEditor *self)
{
  if (self->loading)
    return;
  self->note_dirty = TRUE;
  schedule_save (self);
}

static void
on_amount_changed (JcItemEditor *self)
{
  g_autoptr(GError) error = NULL;
  gboolean empty;
  guint64 fen;
  gboolean ok;

  if (self->loading)
    return;
  ok = parse_amount (self, &empty, &fen, &error);
  gtk_label_set_label (self->amount_error, ok ? NULL : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->amount_error), !ok);
  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->amount_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_row), "error");
  self->amount_dirty = TRUE;
  if (ok)
    schedule_save (self);
}

static void
on_focus_leave (JcItemEditor *self)
{
  jc_item_editor_flush (self);
}

static void
on_cases_changed (JcItemEditor *self)
{
  JcItemUpdate update = { 0 };

  if (self->loading)
    return;
  update.set_cases = TRUE;
  update.cases = gtk_spin_button_get_value_as_int (self->cases_spin);
  save (self, &update);
}

static void
on_status_toggled (JcItemEditor *self, GtkToggleButton *button)
{
  JcItemUpdate update = { 0 };

  if (self->loading || !gtk_toggle_button_get_active (button))
    return;
  update.set_status = TRUE;
  update.status = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "status"));
  /* The typing pending goes into the same event. */
  jc_item_editor_flush (self);
  save (self, &update);
}

static GtkWidget *
evidence_row (JcItemEditor *self, const char *sha256_hex)
{
  GtkWidget *row = adw_action_row_new ();
  sqlite3 *db = jc_eventlog_get_db (jc_vault_get_eventlog (self->vault));
  sqlite3_stmt *stmt = NULL;

  gtk_widget_set_name (row, sha256_hex);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sha256_hex);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (sqlite3_prepare_v2 (db, "SELECT name, size, captured_at FROM evidence WHERE sha256 = ?",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_bind_text (stmt, 1, sha256_hex, -1, SQLITE_STATIC) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *size = g_format_size ((guint64) sqlite3_column_int64 (stmt, 1));
      g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (sqlite3_column_int64 (stmt, 2));
      g_autofree char *when = t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M") : g_strdup ("");
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", size, when);

      if (name != NULL && *name != '\0')
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
    }
  sqlite3_finalize (stmt);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("text-x-generic-symbolic"));
  return row;
}

static void
fill_evidence (JcItemEditor *self)
{
  const JcItemResult *r = self->item ? jc_item_object_get_result (self->item) : NULL;
  GtkListBoxRow *row;

  /* Rows only: the placeholder stays. */
  while ((row = gtk_list_box_get_row_at_index (self->evidence_list, 0)) != NULL)
    gtk_list_box_remove (self->evidence_list, GTK_WIDGET (row));
  if (r == NULL || r->evidence == NULL)
    return;
  for (guint i = 0; r->evidence[i] != NULL; i++)
    gtk_list_box_append (self->evidence_list, evidence_row (self, r->evidence[i]));
}

static void
load (JcItemEditor *self)
{
  const JcItemResult *r = jc_item_object_get_result (self->item);
  const JcChecklistItem *item = r->item;
  GtkToggleButton *buttons[] = {
    [JC_ITEM_STATUS_UNCHECKED] = self->unchecked_button,
    [JC_ITEM_STATUS_COMPLIANT] = self->compliant_button,
    [JC_ITEM_STATUS_VIOLATION] = self->violation_button,
    [JC_ITEM_STATUS_NA] = self->na_button,
  };
  g_autofree char *amount = r->has_amount ? jc_amount_format_yuan (r->amount_fen) : g_strdup ("");

  self->loading = TRUE;
  gtk_label_set_label (self->code_label, item->code);
  gtk_label_set_label (self->category_label, item->group->section->category);
  gtk_label_set_label (self->behaviour_label, item->group->behaviour);
  gtk_widget_set_visible (GTK_WIDGET (self->behaviour_label), *item->group->behaviour != '\0');
  gtk_label_set_label (self->text_label, item->text);
  gtk_toggle_button_set_active (buttons[r->status], TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->note_view), r->note ? r->note : "", -1);
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), amount);
  gtk_widget_set_visible (GTK_WIDGET (self->amount_error), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->amount_row), "error");
  gtk_spin_button_set_value (self->cases_spin, MAX (r->cases, 0));
  show_error (self, NULL);
  fill_evidence (self);
  self->note_dirty = self->amount_dirty = FALSE;
  self->loading = FALSE;
}

void
jc_item_editor_set_item (JcItemEditor *self, JcVault *vault, const char *inspection_id, JcItemObject *item)
{
  g_return_if_fail (JC_IS_ITEM_EDITOR (self));
  g_return_if_fail (JC_IS_ITEM_OBJECT (item));

  jc_item_editor_flush (self);
  g_set_object (&self->vault, vault);
  g_free (self->inspection_id);
  self->inspection_id = g_strdup (inspection_id);
  g_set_object (&self->item, item);
  load (self);
}

JcItemObject *
jc_item_editor_get_item (JcItemEditor *self)
{
  g_return_val_if_fail (JC_IS_ITEM_EDITOR (self), NULL);

  return self->item;
}

guint
jc_item_editor_get_n_pending_files (JcItemEditor *self)
{
  g_return_val_if_fail (JC_IS_ITEM_EDITOR (self), 0);

  return self->n_pending_files;
}

/* ---- evidence from a file ---- */

typedef struct {
  JcVault      *vault;
  char         *inspection_id;
  JcItemObject *item;
  char         *path;
} AddFile;

static void
add_file_free (AddFile *add)
{
  g_clear_object (&add->vault);
  g_free (add->inspection_id);
  g_clear_object (&add->item);
  g_free (add->path);
  g_free (add);
}

static void
add_file_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  AddFile *add = data;
  GError *error = NULL;
  JcBlobInfo *info = jc_vault_add_evidence (add->vault, add->path, NULL, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) jc_blob_info_free);
}

static void
add_file_done (GObject *source, GAsyncResult *result, gpointer data)
{
  JcItemEditor *self = JC_ITEM_EDITOR (source);
  AddFile *add = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JcBlobInfo) info = g_task_propagate_pointer (G_TASK (result), &error);

  self->n_pending_files--;
  if (info == NULL ||
      !jc_inspection_link_evidence (add->vault, NULL, add->inspection_id,
                                    jc_item_object_get_code (add->item), info->sha256_hex, &error))
    {
      g_autofree char *name = g_path_get_basename (add->path);
      g_autofree char *message = g_strdup_printf (_("“%s” was not added: %s"), name, error->message);

      if (self->vault != NULL)
        show_error (self, message);
    }
  else
    {
      jc_item_object_add_evidence (add->item, info->sha256_hex);
      if (self->vault != NULL)
        g_signal_emit (self, signals[SIGNAL_SAVED], 0, add->item);
      if (self->item != NULL && add->item == self->item)
        fill_evidence (self);
    }
  record_deferred (self);
}

void
jc_item_editor_add_file (JcItemEditor *self, GFile *file)
{
  g_autoptr(GTask) task = NULL;
  AddFile *add;

  g_return_if_fail (JC_IS_ITEM_EDITOR (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->item == NULL || self->vault == NULL)
    return;
  if (g_file_peek_path (file) == NULL)
    {
      show_error (self, _("Only files on this device can be added as evidence."));
      return;
    }
  add = g_new0 (AddFile, 1);
  add->vault = g_object_ref (self->vault);
  add->inspection_id = g_strdup (self->inspection_id);
  add->item = g_object_ref (self->item);
  add->path = g_file_get_path (file);
  task = g_task_new (self, NULL, add_file_done, NULL);
  g_task_set_task_data (task, add, (GDestroyNotify) add_file_free);
  self->n_pending_files++;
  g_task_run_in_thread (task, add_file_thread);
}

static void
on_chooser_response (JcItemEditor *self, int response, GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          jc_item_editor_add_file (self, file);
        }
    }
  g_clear_object (&self->chooser);
}

static void
on_add_file_clicked (JcItemEditor *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Add Evidence"), GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_back_clicked (JcItemEditor *self)
{
  jc_item_editor_flush (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
on_next_clicked (JcItemEditor *self)
{
  jc_item_editor_flush (self);
  g_signal_emit (self, signals[SIGNAL_NEXT], 0);
}

static void
jc_item_editor_dispose (GObject *object)
{
  JcItemEditor *self = JC_ITEM_EDITOR (object);

  /* Closing the window saves what was typed last. */
  if (self->vault != NULL && jc_vault_is_unlocked (self->vault))
    jc_item_editor_flush (self);
  g_clear_handle_id (&self->save_id, g_source_remove);
  /* Files still being stored record what waits for them when they finish;
   * the tasks keep this object alive until then. */
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->item);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->inspection_id, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_ITEM_EDITOR);
  G_OBJECT_CLASS (jc_item_editor_parent_class)->dispose (object);
}

static void
jc_item_editor_finalize (GObject *object)
{
  JcItemEditor *self = JC_ITEM_EDITOR (object);

  g_queue_clear_full (&self->deferred, (GDestroyNotify) deferred_free);
  G_OBJECT_CLASS (jc_item_editor_parent_class)->finalize (object);
}

static void
jc_item_editor_class_init (JcItemEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_item_editor_dispose;
  object_class->finalize = jc_item_editor_finalize;

  /* The item's result changed in the vault. */
  signals[SIGNAL_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, JC_TYPE_ITEM_OBJECT);
  /* Back was pressed; everything is saved. */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* Next Unchecked was pressed; everything is saved. */
  signals[SIGNAL_NEXT] = g_signal_new ("next", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-item-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, back_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, next_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, code_label);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, category_label);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, behaviour_label);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, text_label);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, compliant_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, violation_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, na_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, unchecked_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, note_view);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, amount_row);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, amount_error);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, cases_spin);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, evidence_list);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, add_file_button);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_cases_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_status_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_add_file_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_next_clicked);
}

static void
jc_item_editor_init (JcItemEditor *self)
{
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_object_set_data (G_OBJECT (self->unchecked_button), "status", GINT_TO_POINTER (JC_ITEM_STATUS_UNCHECKED));
  g_object_set_data (G_OBJECT (self->compliant_button), "status", GINT_TO_POINTER (JC_ITEM_STATUS_COMPLIANT));
  g_object_set_data (G_OBJECT (self->violation_button), "status", GINT_TO_POINTER (JC_ITEM_STATUS_VIOLATION));
  g_object_set_data (G_OBJECT (self->na_button), "status", GINT_TO_POINTER (JC_ITEM_STATUS_NA));

  g_signal_connect_object (gtk_text_view_get_buffer (self->note_view), "changed",
                           G_CALLBACK (on_note_changed), self, G_CONNECT_SWAPPED);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (on_focus_leave), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->note_view), focus);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (on_focus_leave), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->amount_row), focus);
}

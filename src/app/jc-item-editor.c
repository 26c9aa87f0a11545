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

#include "jc-capture-panel.h"
#include "jc-evidence-viewer.h"
#include "jc-item-editor.h"
#include "jc-vault-task.h"

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
  GtkButton      *photo_button;
  GtkButton      *voice_button;
  GtkButton      *add_file_button;
  GtkLabel       *device_note;
  JcCapturePanel *capture_panel;
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

static const char *
media_icon (const char *media_type)
{
  if (g_str_has_prefix (media_type, "image/"))
    return "image-x-generic-symbolic";
  if (g_str_has_prefix (media_type, "audio/"))
    return "audio-x-generic-symbolic";
  if (g_str_has_prefix (media_type, "video/"))
    return "video-x-generic-symbolic";
  return "text-x-generic-symbolic";
}

static void on_remove_clicked (JcItemEditor *self, GtkButton *button);
static void update_devices (JcItemEditor *self);
static void stop_capture (JcItemEditor *self);

static GtkWidget *
evidence_row (JcItemEditor *self, const char *sha256_hex)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  g_autofree char *name = NULL;
  g_autofree char *media_type = NULL;
  guint64 size = 0;
  gint64 captured_at = 0;

  gtk_widget_set_name (row, sha256_hex);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sha256_hex);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  if (jc_vault_describe_evidence (self->vault, sha256_hex, &name, &media_type, &size, &captured_at, NULL))
    {
      g_autofree char *bytes = g_format_size (size);
      g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (captured_at);
      g_autofree char *when = t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M") : g_strdup ("");
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", bytes, when);

      if (*name != '\0')
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
    }
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (media_icon (media_type ? media_type : "")));
  gtk_widget_set_tooltip_text (remove, _("Remove from This Item"));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_name (remove, "remove");
  g_object_set_data_full (G_OBJECT (remove), "sha256", g_strdup (sha256_hex), g_free);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
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
  /* A capture belongs to the item it was started on. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->capture_panel)))
    jc_capture_panel_cancel (self->capture_panel);
  update_devices (self);
  self->note_dirty = self->amount_dirty = FALSE;
  self->loading = FALSE;
}

void
jc_item_editor_set_item (JcItemEditor *self, JcVault *vault, const char *inspection_id, JcItemObject *item)
{
  g_return_if_fail (JC_IS_ITEM_EDITOR (self));
  g_return_if_fail (JC_IS_ITEM_OBJECT (item));

  jc_item_editor_flush (self);
  if (self->vault != vault)
    {
      if (self->vault != NULL)
        g_signal_handlers_disconnect_by_func (self->vault, stop_capture, self);
      g_signal_connect_object (vault, "locking", G_CALLBACK (stop_capture), self, G_CONNECT_SWAPPED);
    }
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

/* ---- evidence from a file or a capture ---- */

typedef struct {
  JcVault      *vault;
  char         *inspection_id;
  JcItemObject *item;
  char         *path;        /* a file, or: */
  GBytes       *bytes;       /* a capture in memory, */
  char         *media_type;  /* its media type */
  char         *name;        /* and the name it is shown under */
} AddFile;

static void
add_file_free (AddFile *add)
{
  g_clear_object (&add->vault);
  g_free (add->inspection_id);
  g_clear_object (&add->item);
  g_free (add->path);
  g_clear_pointer (&add->bytes, g_bytes_unref);
  g_free (add->media_type);
  g_free (add->name);
  g_free (add);
}

static void
add_file_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  AddFile *add = data;
  GError *error = NULL;
  JcBlobInfo *info;

  if (add->bytes != NULL)
    {
      g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (add->bytes);

      info = jc_vault_add_evidence_stream (add->vault, in, add->media_type, add->name, NULL, cancellable, &error);
    }
  else
    info = jc_vault_add_evidence (add->vault, add->path, NULL, cancellable, &error);
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
  jc_vault_task_release (add->vault);
  if (info == NULL ||
      !jc_inspection_link_evidence (add->vault, NULL, add->inspection_id,
                                    jc_item_object_get_code (add->item), info->sha256_hex, &error))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” was not added: %s"), add->name, error->message);

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

/* @add: path or bytes set; the rest is filled here. */
static void
store (JcItemEditor *self, AddFile *add)
{
  g_autoptr(GTask) task = NULL;

  add->vault = g_object_ref (self->vault);
  add->inspection_id = g_strdup (self->inspection_id);
  add->item = g_object_ref (self->item);
  task = g_task_new (self, NULL, add_file_done, NULL);
  g_task_set_task_data (task, add, (GDestroyNotify) add_file_free);
  self->n_pending_files++;
  jc_vault_task_hold (add->vault);
  g_task_run_in_thread (task, add_file_thread);
}

void
jc_item_editor_add_file (JcItemEditor *self, GFile *file)
{
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
  add->path = g_file_get_path (file);
  add->name = g_path_get_basename (add->path);
  store (self, add);
}

void
jc_item_editor_add_bytes (JcItemEditor *self, GBytes *bytes, const char *media_type, const char *name)
{
  AddFile *add;

  g_return_if_fail (JC_IS_ITEM_EDITOR (self));
  g_return_if_fail (bytes != NULL);

  if (self->item == NULL || self->vault == NULL)
    return;
  add = g_new0 (AddFile, 1);
  add->bytes = g_bytes_ref (bytes);
  add->media_type = g_strdup (media_type);
  add->name = g_strdup (name);
  store (self, add);
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
open_chooser (JcItemEditor *self, gboolean images_only)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (images_only ? _("Add a Photo") : _("Add Evidence"),
                                               GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  if (images_only)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _("Photos"));
      gtk_file_filter_add_mime_type (filter, "image/*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
    }
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_add_file_clicked (JcItemEditor *self)
{
  open_chooser (self, FALSE);
}

/* ---- camera and microphone ---- */

/* Which of the two the device has, said under the buttons: without a
 * camera the Photo button picks a photo file instead. */
static void
update_devices (JcItemEditor *self)
{
  gboolean camera = jc_capture_has_device (JC_CAPTURE_PHOTO);
  gboolean microphone = jc_capture_has_device (JC_CAPTURE_VOICE);
  const char *note = NULL;

  if (!camera && !microphone)
    note = _("No camera and no microphone on this device: Photo picks a photo file instead, and voice notes cannot be recorded.");
  else if (!camera)
    note = _("No camera on this device: Photo picks a photo file instead.");
  else if (!microphone)
    note = _("No microphone on this device: voice notes cannot be recorded.");
  gtk_label_set_label (self->device_note, note);
  gtk_widget_set_visible (GTK_WIDGET (self->device_note), note != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->photo_button),
                               camera ? _("Take a photo with the camera") : _("No camera: add a photo from a file"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->voice_button),
                               microphone ? _("Record a voice note") : _("No microphone on this device"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->voice_button), microphone);
}

static void
set_capturing (JcItemEditor *self, gboolean capturing)
{
  gtk_widget_set_visible (GTK_WIDGET (self->capture_panel), capturing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->photo_button), !capturing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_file_button), !capturing);
  if (capturing)
    gtk_widget_set_sensitive (GTK_WIDGET (self->voice_button), FALSE);
  else
    update_devices (self);
}

static void
start_capture (JcItemEditor *self, JcCaptureKind kind)
{
  g_autoptr(GError) error = NULL;

  if (self->item == NULL || self->vault == NULL)
    return;
  if (kind == JC_CAPTURE_PHOTO && !jc_capture_has_device (kind))
    {
      update_devices (self);
      open_chooser (self, TRUE);
      return;
    }
  if (!jc_capture_panel_start (self->capture_panel, kind, &error))
    {
      update_devices (self);
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  set_capturing (self, TRUE);
}

static void
on_photo_clicked (JcItemEditor *self)
{
  start_capture (self, JC_CAPTURE_PHOTO);
}

static void
on_voice_clicked (JcItemEditor *self)
{
  start_capture (self, JC_CAPTURE_VOICE);
}

static void
on_captured (JcItemEditor *self, GBytes *bytes, const char *media_type, const char *name)
{
  jc_item_editor_add_bytes (self, bytes, media_type, name);
}

static void
on_capture_closed (JcItemEditor *self)
{
  set_capturing (self, FALSE);
}

/* Locking the vault or leaving the page turns the camera and the
 * microphone off; what they had not delivered yet is dropped with them. */
static void
stop_capture (JcItemEditor *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->capture_panel)))
    jc_capture_panel_cancel (self->capture_panel);
}

JcCapturePanel *
jc_item_editor_get_capture_panel (JcItemEditor *self)
{
  g_return_val_if_fail (JC_IS_ITEM_EDITOR (self), NULL);

  return self->capture_panel;
}

/* ---- opening and removing evidence ---- */

GtkWindow *
jc_item_editor_open_evidence (JcItemEditor *self, const char *sha256_hex)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  JcEvidenceViewer *viewer;

  g_return_val_if_fail (JC_IS_ITEM_EDITOR (self), NULL);

  if (self->vault == NULL)
    return NULL;
  viewer = jc_evidence_viewer_new (GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL, self->vault, sha256_hex);
  gtk_window_present (GTK_WINDOW (viewer));
  return GTK_WINDOW (viewer);
}

static void
on_evidence_activated (JcItemEditor *self, GtkListBoxRow *row)
{
  jc_item_editor_open_evidence (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

gboolean
jc_item_editor_remove_evidence (JcItemEditor *self, const char *sha256_hex)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (JC_IS_ITEM_EDITOR (self), FALSE);

  if (self->item == NULL || self->vault == NULL)
    return FALSE;
  if (!jc_inspection_unlink_evidence (self->vault, NULL, self->inspection_id,
                                      jc_item_object_get_code (self->item), sha256_hex, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The evidence was not removed: %s"), error->message);

      show_error (self, message);
      return FALSE;
    }
  show_error (self, NULL);
  jc_item_object_remove_evidence (self->item, sha256_hex);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->item);
  fill_evidence (self);
  return TRUE;
}

static void
on_remove_response (AdwMessageDialog *dialog, const char *response, JcItemEditor *self)
{
  if (g_str_equal (response, "remove"))
    jc_item_editor_remove_evidence (self, g_object_get_data (G_OBJECT (dialog), "sha256"));
}

static void
on_remove_clicked (JcItemEditor *self, GtkButton *button)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                   _("Remove This Evidence from the Item?"),
                                   _("The file stays in the vault, and the record keeps when it was added and removed."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "sha256",
                          g_strdup (g_object_get_data (G_OBJECT (button), "sha256")), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, photo_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, voice_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, add_file_button);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, device_note);
  gtk_widget_class_bind_template_child (widget_class, JcItemEditor, capture_panel);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_cases_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_status_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_add_file_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_voice_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_captured);
  gtk_widget_class_bind_template_callback (widget_class, on_capture_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_evidence_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_next_clicked);
}

static void
jc_item_editor_init (JcItemEditor *self)
{
  GtkEventController *focus;

  g_type_ensure (JC_TYPE_CAPTURE_PANEL);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "unmap", G_CALLBACK (stop_capture), NULL);

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

/* jc-finding-view.c — seal a finding, have it confirmed on this device, show its QR
 *
 * Three pages in one stack, in the order they happen on site: the inspector
 * picks the violations and seals; the device is handed to the institution's
 * representative, who reads the finding, signs on the pad and confirms,
 * disputes or refuses (then a witness signs); the signed JC1 code is shown
 * large for the other side to scan. The signature's strokes are stored as
 * vault evidence (the JCS1 text of jc-strokes.h) and the confirmation
 * names its hash.
 */
#define G_LOG_DOMAIN "jiancha-finding-view"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "jc-finding-view.h"

struct _JcFindingView
{
  AdwBin          parent_instance;

  JcVault        *vault;
  char           *inspection_id;
  char           *finding_id;
  char           *qr_text;
  GPtrArray      *checks;     /* GtkCheckButton, borrowed from items_list */

  GtkButton      *back_button;
  GtkLabel       *heading_label;
  GtkStack       *stack;
  GtkListBox     *items_list;
  GtkTextView    *facts_view;
  GtkLabel       *amount_label;
  GtkLabel       *seal_error_label;
  GtkButton      *seal_button;
  GtkScrolledWindow *confirm_scroll;
  GtkLabel       *finding_label;
  AdwEntryRow    *name_row;
  AdwEntryRow    *title_row;
  GtkCheckButton *confirm_toggle;
  GtkCheckButton *dispute_toggle;
  GtkCheckButton *refuse_toggle;
  GtkListBox     *extra_list;
  AdwEntryRow    *reason_row;
  AdwEntryRow    *witness_row;
  GtkLabel       *pad_label;
  GtkButton      *clear_button;
  JcSignaturePad *pad;
  GtkLabel       *confirm_error_label;
  GtkButton      *submit_button;
  JcQrView       *qr_view;
  GtkLabel       *qr_status_label;
  GtkLabel       *qr_summary_label;
  GtkButton      *done_button;
  GtkButton      *confirm_here_button;
  GtkButton      *scan_ack_button;
};

G_DEFINE_FINAL_TYPE (JcFindingView, jc_finding_view, ADW_TYPE_BIN)

enum { SIGNAL_CLOSED, SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
status_label (const JcFinding *f)
{
  if (!f->confirmed)
    return _("Awaiting Confirmation");
  switch (f->confirm_status)
    {
    case JC_JC1_STATUS_CONFIRMED: return _("Confirmed");
    case JC_JC1_STATUS_DISPUTED:  return _("Disputed");
    case JC_JC1_STATUS_REFUSED:   return _("Refused to Sign");
    default:                      return "";
    }
}

static void
show_error (GtkLabel *label, const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

/* The violations in no current finding, in checklist order. */
static GPtrArray *
open_violations (JcVault *vault, const char *inspection_id, GError **error)
{
  g_autoptr(GPtrArray) results = jc_inspection_get_results (vault, NULL, inspection_id, NULL,
                                                            JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_VIOLATION), error);
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);

  if (results == NULL)
    return NULL;
  findings = jc_finding_list (vault, inspection_id, error);
  if (findings == NULL)
    return NULL;
  for (guint i = 0; i < findings->len; i++)
    {
      JcFinding *f = findings->pdata[i];

      if (f->superseded_by != NULL)
        continue;
      for (guint j = 0; f->items[j] != NULL; j++)
        g_hash_table_add (taken, f->items[j]);
    }
  for (guint i = results->len; i > 0; i--)
    {
      JcItemResult *r = results->pdata[i - 1];

      if (g_hash_table_contains (taken, r->item->code))
        g_ptr_array_remove_index (results, i - 1);
    }
  return g_steal_pointer (&results);
}

gboolean
jc_finding_view_count_open (JcVault *vault, const char *inspection_id, guint *out_count, GError **error)
{
  g_autoptr(GPtrArray) open = open_violations (vault, inspection_id, error);

  if (open == NULL)
    return FALSE;
  *out_count = open->len;
  return TRUE;
}

static void
update_seal (JcFindingView *self)
{
  guint64 sum = 0;
  guint n = 0;
  g_autofree char *yuan = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = self->checks->pdata[i];

      if (gtk_check_button_get_active (check))
        {
          n++;
          sum += GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (check), "jc-amount-fen"));
        }
    }
  yuan = jc_amount_format_yuan (sum);
  /* Translators: %u items, %s the sum in yuan such as 1234.56 */
  text = g_strdup_printf (ngettext ("%u item · amount involved ¥%s", "%u items · amount involved ¥%s", n), n, yuan);
  gtk_label_set_label (self->amount_label, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->seal_button), n > 0);
}

gboolean
jc_finding_view_start_seal (JcFindingView *self, JcVault *vault, const char *inspection_id, GError **error)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GString) facts = g_string_new (NULL);
  GtkWidget *child;

  g_return_val_if_fail (JC_IS_FINDING_VIEW (self), FALSE);

  open = open_violations (vault, inspection_id, error);
  if (open == NULL)
    return FALSE;
  if (open->len == 0)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NO_VIOLATIONS,
                   _("Every violation of this inspection is already in a finding."));
      return FALSE;
    }
  g_set_object (&self->vault, vault);
  g_free (self->inspection_id);
  self->inspection_id = g_strdup (inspection_id);
  g_clear_pointer (&self->finding_id, g_free);
  g_clear_pointer (&self->qr_text, g_free);

  g_ptr_array_set_size (self->checks, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->items_list))) != NULL)
    gtk_list_box_remove (self->items_list, child);
  for (guint i = 0; i < open->len; i++)
    {
      JcItemResult *r = open->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *title = g_strdup_printf ("%s %s", r->item->code, r->item->text);
      g_autofree char *yuan = r->has_amount ? jc_amount_format_yuan (r->amount_fen) : NULL;
      g_autofree char *subtitle = yuan != NULL ? g_strdup_printf ("¥%s · %s", yuan, r->note ? r->note : "")
                                               : g_strdup (r->note ? r->note : "");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (check), "jc-code", g_strdup (r->item->code), g_free);
      g_object_set_data (G_OBJECT (check), "jc-amount-fen", GSIZE_TO_POINTER ((gsize) (r->has_amount ? r->amount_fen : 0)));
      g_signal_connect_object (check, "toggled", G_CALLBACK (update_seal), self, G_CONNECT_SWAPPED);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (self->items_list, row);
      g_ptr_array_add (self->checks, check);
      if (r->note != NULL && *r->note != '\0')
        g_string_append_printf (facts, "%s%s", facts->len > 0 ? "\n" : "", r->note);
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->facts_view), facts->str, -1);
  show_error (self->seal_error_label, NULL);
  update_seal (self);
  gtk_label_set_label (self->heading_label, _("Seal Finding"));
  gtk_stack_set_visible_child_name (self->stack, "seal");
  return TRUE;
}

static void
set_finding_text (JcFindingView *self, const JcFinding *f)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *yuan = jc_amount_format_yuan (f->amount_fen);

  for (guint i = 0; f->items[i] != NULL; i++)
    g_string_append_printf (text, "%u. %s %s\n", i + 1, f->items[i], f->basis[i]);
  g_string_append_printf (text, "\n%s\n%s\n\n", _("Facts:"), f->facts);
  g_string_append_printf (text, _("Amount involved: ¥%s"), yuan);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, ngettext ("%u piece of evidence", "%u pieces of evidence",
                                          g_strv_length (f->evidence)), g_strv_length (f->evidence));
  gtk_label_set_label (self->finding_label, text->str);
}

static void
reset_confirmation (JcFindingView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->reason_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->witness_row), "");
  gtk_check_button_set_active (self->confirm_toggle, TRUE);
  jc_signature_pad_clear (self->pad);
  show_error (self->confirm_error_label, NULL);
}

static gboolean
show_qr (JcFindingView *self, const JcFinding *f, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *yuan = jc_amount_format_yuan (f->amount_fen);
  g_autoptr(GDateTime) sealed = g_date_time_new_from_unix_local (f->sealed_at);
  g_autofree char *when = g_date_time_format (sealed, "%Y-%m-%d %H:%M");
  g_autofree char *summary = NULL;
  g_autofree char *file_name = NULL;
  guint n = g_strv_length (f->items);

  if (!jc_finding_to_jc1 (self->vault, f->id, &text, error))
    return FALSE;
  g_free (self->qr_text);
  self->qr_text = g_steal_pointer (&text);
  gtk_label_set_label (self->qr_status_label, status_label (f));
  /* Translators: institution code · N items · ¥amount · sealed time */
  summary = g_strdup_printf (ngettext ("%s · %u item · ¥%s · sealed %s", "%s · %u items · ¥%s · sealed %s", n),
                             f->institution_code, n, yuan, when);
  if (f->confirmed && f->confirm_name != NULL && *f->confirm_name != '\0')
    {
      gboolean titled = f->confirm_title != NULL && *f->confirm_title != '\0';
      char *with = g_strdup_printf ("%s\n%s%s%s", summary, f->confirm_name,
                                    titled ? " · " : "", titled ? f->confirm_title : "");
      g_free (summary);
      summary = with;
    }
  if (f->confirm_countersigned)
    {
      char *with = g_strdup_printf ("%s\n%s", summary, _("Countersigned with the institution’s key"));

      g_free (summary);
      summary = with;
    }
  gtk_label_set_label (self->qr_summary_label, summary);
  /* Not answered yet: the representative may still answer on this device. */
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_here_button), !f->confirmed && f->superseded_by == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->scan_ack_button), !f->confirmed && f->superseded_by == NULL);
  gtk_label_set_label (self->heading_label, _("Finding QR Code"));
  file_name = g_strdup_printf ("finding-%.8s.png", f->id);
  jc_qr_view_set_code (self->qr_view, self->qr_text, file_name);
  gtk_stack_set_visible_child_name (self->stack, "qr");
  return TRUE;
}

gboolean
jc_finding_view_show_finding (JcFindingView *self, JcVault *vault, const char *finding_id, GError **error)
{
  g_autoptr(JcFinding) f = NULL;

  g_return_val_if_fail (JC_IS_FINDING_VIEW (self), FALSE);

  f = jc_finding_get (vault, finding_id, error);
  if (f == NULL)
    return FALSE;
  g_set_object (&self->vault, vault);
  g_free (self->inspection_id);
  self->inspection_id = g_strdup (f->inspection_id);
  g_free (self->finding_id);
  self->finding_id = g_strdup (finding_id);
  g_clear_pointer (&self->qr_text, g_free);
  if (f->confirmed || f->superseded_by != NULL)
    return show_qr (self, f, error);
  set_finding_text (self, f);
  reset_confirmation (self);
  gtk_label_set_label (self->heading_label, _("Confirm the Finding"));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->confirm_scroll), 0);
  gtk_stack_set_visible_child_name (self->stack, "confirm");
  return TRUE;
}

gboolean
jc_finding_view_show_qr (JcFindingView *self, JcVault *vault, const char *finding_id, GError **error)
{
  g_autoptr(JcFinding) f = NULL;

  g_return_val_if_fail (JC_IS_FINDING_VIEW (self), FALSE);

  f = jc_finding_get (vault, finding_id, error);
  if (f == NULL)
    return FALSE;
  g_set_object (&self->vault, vault);
  g_free (self->inspection_id);
  self->inspection_id = g_strdup (f->inspection_id);
  g_free (self->finding_id);
  self->finding_id = g_strdup (finding_id);
  return show_qr (self, f, error);
}

const char *
jc_finding_view_get_finding_id (JcFindingView *self)
{
  g_return_val_if_fail (JC_IS_FINDING_VIEW (self), NULL);

  return self->finding_id;
}

const char *
jc_finding_view_get_shown (JcFindingView *self)
{
  g_return_val_if_fail (JC_IS_FINDING_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

JcQrView *
jc_finding_view_get_qr_view (JcFindingView *self)
{
  g_return_val_if_fail (JC_IS_FINDING_VIEW (self), NULL);

  return self->qr_view;
}

const char *
jc_finding_view_get_qr_text (JcFindingView *self)
{
  g_return_val_if_fail (JC_IS_FINDING_VIEW (self), NULL);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "qr") == 0 ? self->qr_text : NULL;
}

static void
on_seal_clicked (JcFindingView *self)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *facts = NULL;
  g_autofree char *id = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->facts_view);
  GtkTextIter start, end;
  JcFindingSpec spec = { 0 };

  for (guint i = 0; i < self->checks->len; i++)
    if (gtk_check_button_get_active (self->checks->pdata[i]))
      g_ptr_array_add (codes, g_object_get_data (self->checks->pdata[i], "jc-code"));
  g_ptr_array_add (codes, NULL);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  facts = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));

  spec.inspection_id = self->inspection_id;
  spec.items = (const char * const *) codes->pdata;
  spec.facts = *facts != '\0' ? facts : NULL;
  id = jc_finding_seal (self->vault, NULL, &spec, NULL, &error);
  if (id == NULL || !jc_finding_view_show_finding (self, self->vault, id, &error))
    {
      show_error (self->seal_error_label, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static const char *
entry_text (AdwEntryRow *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  return *text != '\0' ? text : NULL;
}

static void
update_submit (JcFindingView *self)
{
  gboolean ok = !jc_signature_pad_is_empty (self->pad);

  if (gtk_check_button_get_active (self->refuse_toggle))
    ok = ok && entry_text (self->witness_row) != NULL;
  else
    ok = ok && entry_text (self->name_row) != NULL;
  if (gtk_check_button_get_active (self->dispute_toggle))
    ok = ok && entry_text (self->reason_row) != NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button), ok);
}

static void
on_choice_toggled (JcFindingView *self, GtkCheckButton *button)
{
  gboolean dispute = gtk_check_button_get_active (self->dispute_toggle);
  gboolean refuse = gtk_check_button_get_active (self->refuse_toggle);

  if (!gtk_check_button_get_active (button))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->extra_list), dispute || refuse);
  gtk_widget_set_visible (GTK_WIDGET (self->reason_row), dispute);
  gtk_widget_set_visible (GTK_WIDGET (self->witness_row), refuse);
  /* A refusal is signed by the witness, not by the representative. */
  gtk_label_set_label (self->pad_label, refuse ? _("Witness's Signature") : _("Representative's Signature"));
  if (!jc_signature_pad_is_empty (self->pad))
    jc_signature_pad_clear (self->pad);
  update_submit (self);
}

static void
on_clear_clicked (JcFindingView *self)
{
  jc_signature_pad_clear (self->pad);
}

/* The strokes go through a file inside the vault directory (never /tmp)
 * that lives only until they are stored encrypted. */
static JcBlobInfo *
store_strokes (JcFindingView *self, GError **error)
{
  g_autofree char *strokes = jc_signature_pad_serialize (self->pad);
  g_autofree char *path = g_build_filename (jc_vault_get_dir (self->vault), "signature-XXXXXX.jcs", NULL);
  JcBlobInfo *info = NULL;
  int fd = g_mkstemp_full (path, O_RDWR, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write the signature to %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  /* Written through the 0600 descriptor: g_file_set_contents() would
   * replace it with a file of the default mode. */
  {
    gsize len = strlen (strokes), done = 0;

    while (done < len)
      {
        gssize n = write (fd, strokes + done, len - done);

        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          break;
        done += n;
      }
    if (done < len || close (fd) != 0)
      {
        int saved = errno;
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                     _("Could not write the signature to %s: %s"), path, g_strerror (saved));
        if (done < len)
          close (fd);
      }
    else
      info = jc_vault_add_evidence (self->vault, path, _("Signature"), NULL, error);
  }
  g_unlink (path);
  return info;
}

static void
on_submit_clicked (JcFindingView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcFinding) f = NULL;
  JcBlobInfo *info;
  JcFindingConfirmation conf = { 0 };

  if (gtk_check_button_get_active (self->refuse_toggle))
    conf.status = JC_JC1_STATUS_REFUSED;
  else if (gtk_check_button_get_active (self->dispute_toggle))
    conf.status = JC_JC1_STATUS_DISPUTED;
  else
    conf.status = JC_JC1_STATUS_CONFIRMED;
  conf.name = entry_text (self->name_row);
  conf.title = entry_text (self->title_row);
  conf.reason = conf.status == JC_JC1_STATUS_DISPUTED ? entry_text (self->reason_row) : NULL;
  conf.witness = conf.status == JC_JC1_STATUS_REFUSED ? entry_text (self->witness_row) : NULL;

  info = store_strokes (self, &error);
  if (info != NULL)
    {
      conf.signature_strokes = info->sha256_hex;
      if (jc_finding_confirm (self->vault, self->finding_id, &conf, &error))
        f = jc_finding_get (self->vault, self->finding_id, &error);
      jc_blob_info_free (info);
    }
  if (f == NULL || !show_qr (self, f, &error))
    {
      show_error (self->confirm_error_label, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_confirm_here_clicked (JcFindingView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (self->finding_id);

  if (!jc_finding_view_show_finding (self, self->vault, id, &error))
    gtk_label_set_label (self->qr_summary_label, error->message);
}

static void
on_back_clicked (JcFindingView *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
jc_finding_view_dispose (GObject *object)
{
  JcFindingView *self = JC_FINDING_VIEW (object);

  /* The bin's child is a bound template child: AdwBin must let go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JC_TYPE_FINDING_VIEW);
  g_clear_pointer (&self->checks, g_ptr_array_unref);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->inspection_id, g_free);
  g_clear_pointer (&self->finding_id, g_free);
  g_clear_pointer (&self->qr_text, g_free);
  G_OBJECT_CLASS (jc_finding_view_parent_class)->dispose (object);
}

static void
jc_finding_view_class_init (JcFindingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_finding_view_dispose;

  /* Back to the inspection. */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A finding was sealed or answered. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (JC_TYPE_SIGNATURE_PAD);
  g_type_ensure (JC_TYPE_QR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-finding-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, back_button);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, heading_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, stack);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, items_list);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, facts_view);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, amount_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, seal_error_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, seal_button);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, confirm_scroll);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, finding_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, name_row);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, title_row);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, confirm_toggle);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, dispute_toggle);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, refuse_toggle);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, extra_list);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, reason_row);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, witness_row);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, pad_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, clear_button);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, pad);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, confirm_error_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, submit_button);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, qr_view);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, qr_status_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, qr_summary_label);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, done_button);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, confirm_here_button);
  gtk_widget_class_bind_template_child (widget_class, JcFindingView, scan_ack_button);
  gtk_widget_class_bind_template_callback (widget_class, on_seal_clicked);
  gtk_widget_class_bind_template_callback (widget_class, update_submit);
  gtk_widget_class_bind_template_callback (widget_class, on_choice_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_submit_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_here_clicked);
}

static void
jc_finding_view_init (JcFindingView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->checks = g_ptr_array_new ();
  gtk_label_set_label (self->pad_label, _("Representative's Signature"));
  update_submit (self);
}

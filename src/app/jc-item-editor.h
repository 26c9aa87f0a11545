/* jc-item-editor.h — one checklist item: its text, status, note, amount, cases, evidence */
#pragma once

#include <adwaita.h>

#include "jc-capture-panel.h"
#include "jc-core.h"
#include "jc-item-object.h"

G_BEGIN_DECLS

#define JC_TYPE_ITEM_EDITOR (jc_item_editor_get_type ())
G_DECLARE_FINAL_TYPE (JcItemEditor, jc_item_editor, JC, ITEM_EDITOR, AdwBin)

/* Saves what is pending for the item shown before, then shows @item. */
void          jc_item_editor_set_item  (JcItemEditor *self,
                                        JcVault      *vault,
                                        const char   *inspection_id,
                                        JcItemObject *item);
JcItemObject *jc_item_editor_get_item  (JcItemEditor *self);
/* Saves the note and the amount now instead of after the typing pause.
 * FALSE (the error shown in the editor) when the vault refused them. */
gboolean      jc_item_editor_flush     (JcItemEditor *self);
/* What the file chooser does with the file picked: stores it in the vault
 * off the main thread and links it to the item. */
void          jc_item_editor_add_file  (JcItemEditor *self,
                                        GFile        *file);
/* The same for a capture held in memory (a photo, a voice note). */
void          jc_item_editor_add_bytes (JcItemEditor *self,
                                        GBytes       *bytes,
                                        const char   *media_type,
                                        const char   *name);
/* Opens the evidence in a viewer window over the editor's window. */
GtkWindow    *jc_item_editor_open_evidence   (JcItemEditor *self,
                                              const char   *sha256_hex);
/* Takes the evidence off the item (an unlink event; the file stays). */
gboolean      jc_item_editor_remove_evidence (JcItemEditor *self,
                                              const char   *sha256_hex);
JcCapturePanel *jc_item_editor_get_capture_panel (JcItemEditor *self);
/* Files still being stored. */
guint         jc_item_editor_get_n_pending_files (JcItemEditor *self);

G_END_DECLS

/* jc-item-object.h — one checklist item and its result, as a list model item */
#pragma once

#include <glib-object.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_TYPE_ITEM_OBJECT (jc_item_object_get_type ())
G_DECLARE_FINAL_TYPE (JcItemObject, jc_item_object, JC, ITEM_OBJECT, GObject)

/* Takes @result. @header: the section and behaviour above this row, or
 * NULL when the row above already shows them. */
JcItemObject       *jc_item_object_new        (JcItemResult       *result,
                                               const char         *header);
const JcItemResult *jc_item_object_get_result (JcItemObject       *self);
const char         *jc_item_object_get_code   (JcItemObject       *self);
/* Applies an update that the vault has accepted; notifies what changed. */
void                jc_item_object_apply      (JcItemObject       *self,
                                               const JcItemUpdate *update);
void                jc_item_object_add_evidence (JcItemObject     *self,
                                                 const char       *sha256_hex);
void                jc_item_object_remove_evidence (JcItemObject  *self,
                                                    const char    *sha256_hex);

/* "违规 · ¥1,234.56 · 3 个文件 · the note…": what the list row shows under the text. */
char               *jc_item_object_dup_summary (JcItemObject      *self);

/* ¥1,234.56, grouped by thousands. */
char               *jc_format_yuan_display    (guint64             fen);
/* "12/28 · 2 violations · ¥1,234.56": an inspection's progress in one line. */
char               *jc_format_progress        (const JcInspection *inspection);

G_END_DECLS

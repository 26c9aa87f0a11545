/* jc-vault-head.h — the last committed event, recorded outside the database
 *
 * Page encryption cannot see a WAL cut short: a changed checksum or a
 * damaged last frame makes SQLite stop early and open an earlier, authentic
 * state. VAULT/head keeps (seq, hash) of the newest event under a MAC, so
 * the vault can tell "events went missing" from "nothing happened".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_VAULT_HEAD_KEY_BYTES 32

typedef struct _JcVaultHead JcVaultHead;

/* Opens (creating with @create) the head file; reads the newest valid slot. */
JcVaultHead *jc_vault_head_open   (const char    *path,
                                   const guint8   key[JC_VAULT_HEAD_KEY_BYTES],
                                   gboolean       create,
                                   GError       **error);
void         jc_vault_head_free   (JcVaultHead   *head);
/* What the file says; seq 0 before the first event. */
guint64      jc_vault_head_get_seq  (JcVaultHead *head);
const guint8*jc_vault_head_get_hash (JcVaultHead *head);
gboolean     jc_vault_head_update (JcVaultHead   *head,
                                   guint64        seq,
                                   const guint8   hash[32],
                                   gboolean       durable,
                                   GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcVaultHead, jc_vault_head_free)

G_END_DECLS

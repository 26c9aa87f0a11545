/* jc-vault-task.h — the vault's slow operations, off the main thread
 *
 * Creating, unlocking and re-keying a vault run Argon2id (about half a
 * second by design), so the app runs them in a GTask thread and the
 * window stays alive, showing a spinner.
 */
#pragma once

#include <gio/gio.h>

#include "jc-core.h"

G_BEGIN_DECLS

void     jc_vault_task_create_async     (JcVault              *vault,
                                         const char           *pin,
                                         const char           *inspector,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
void     jc_vault_task_unlock_async     (JcVault              *vault,
                                         const char           *pin,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
void     jc_vault_task_change_pin_async (JcVault              *vault,
                                         const char           *old_pin,
                                         const char           *new_pin,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* Finishes any of the three. */
gboolean jc_vault_task_finish           (JcVault              *vault,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Other work on the vault in a thread (storing or decrypting evidence)
 * holds it the same way, so that locking waits for it. */
void     jc_vault_task_hold             (JcVault              *vault);
void     jc_vault_task_release          (JcVault              *vault);

/* TRUE while one of them runs: the vault must not be locked meanwhile. */
gboolean jc_vault_task_is_busy          (JcVault              *vault);

G_END_DECLS

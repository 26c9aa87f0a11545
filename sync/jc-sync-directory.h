/* jc-sync-directory.h — HQ's institution directory, on the device
 *
 * HQ's updates carry the directory (检查对象名录) whenever it differs from
 * the copy the device names by its digest: code, name, type, level and
 * county of every institution (not the fund payments, which stay at HQ).
 * The device keeps the newest whole list in its vault, so an inspection can
 * be started from an institution's code alone, offline.
 */
#pragma once

#include "jc-core.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char              *code;
  char              *name;
  JcInstitutionKind  type;
  guint              level;
  char              *county;
} JcDirectoryEntry;

void       jc_directory_entry_free     (JcDirectoryEntry *entry);

/* The digest of the copy the device holds ("" when none); the caller holds
 * the vault's database mutex. */
char      *jc_sync_directory_digest    (JcVault          *vault);
/* Checks @directory ({"sha256": hex, "institutions": […]}) whole, then
 * replaces the device's copy; the caller holds the mutex and a savepoint. */
gboolean   jc_sync_directory_apply     (JcVault          *vault,
                                        JsonObject       *directory,
                                        GError          **error);
/* Entries whose code or name contains @text (NULL: all), by code. */
GPtrArray *jc_sync_directory_search    (JcVault          *vault,
                                        const char       *text,
                                        GError          **error);
/* The entry of @code, or NULL (no error) when the directory has none. */
JcDirectoryEntry *jc_sync_directory_lookup (JcVault      *vault,
                                            const char   *code,
                                            GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcDirectoryEntry, jc_directory_entry_free)

G_END_DECLS

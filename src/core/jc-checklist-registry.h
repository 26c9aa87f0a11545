/* jc-checklist-registry.h — the checklists a device knows, by "id@version"
 *
 * The official lists are built into the binary (a GResource made from
 * the JSON files in checklists/), so every program finds them from any directory and
 * trusts them as it trusts its own code. Lists HQ issues later must carry
 * HQ's Ed25519 signature. Several versions of one list live side by side:
 * an inspection looks up the exact "id@version" it started with.
 */
#pragma once

#include <glib.h>

#include "jc-checklist.h"

G_BEGIN_DECLS

typedef struct _JcChecklistRegistry JcChecklistRegistry;

/* Where the built-in lists live in the resource. */
#define JC_CHECKLIST_RESOURCE_PATH "/cn/jiancha/Jiancha/checklists/"

JcChecklistRegistry *jc_checklist_registry_new          (void);
/* A new registry holding the built-in lists. */
JcChecklistRegistry *jc_checklist_registry_new_bundled  (GError              **error);
JcChecklistRegistry *jc_checklist_registry_ref          (JcChecklistRegistry  *self);
void                 jc_checklist_registry_unref        (JcChecklistRegistry  *self);

gboolean     jc_checklist_registry_add_bundled     (JcChecklistRegistry  *self,
                                                    GError              **error);
/* Adds HQ-issued PATH (with PATH.sig) after checking its signature. */
gboolean     jc_checklist_registry_add_signed_file (JcChecklistRegistry  *self,
                                                    const char           *path,
                                                    const guint8         *hq_public_key,
                                                    GError              **error);
/* Adds a list already loaded (and so already trusted by the caller).
 * Adding the same id@version again is fine if the bytes are the same, a
 * JC_CHECKLIST_ERROR_CONFLICT if they differ: a version never changes. */
gboolean     jc_checklist_registry_add             (JcChecklistRegistry  *self,
                                                    JcChecklist          *checklist,
                                                    GError              **error);

/* "hospital-2021@1" → that version; "hospital-2021" → its newest version.
 * Returns a borrowed pointer, or NULL and JC_CHECKLIST_ERROR_NOT_FOUND. */
JcChecklist *jc_checklist_registry_lookup          (JcChecklistRegistry  *self,
                                                    const char           *key,
                                                    GError              **error);

/* Every list, sorted by id then version; the array holds references. */
GPtrArray   *jc_checklist_registry_list            (JcChecklistRegistry  *self);
/* The newest version of every list that applies to @kind. */
GPtrArray   *jc_checklist_registry_list_for        (JcChecklistRegistry  *self,
                                                    JcInstitutionKind     kind);

/* The built-in lists as files ("hospital-2021.json", …) and their exact
 * bytes: for tests and tools that compare them with checklists/. */
char       **jc_checklist_bundled_files            (void);
GBytes      *jc_checklist_bundled_bytes            (const char           *file_name,
                                                    GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcChecklistRegistry, jc_checklist_registry_unref)

G_END_DECLS

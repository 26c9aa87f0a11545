/* jc-assignments.h — HQ's signed plan of assignments, as devices get it
 *
 * HQ draws a plan (jiancha-hq plan draw) and signs its document, a JSON
 * text, with its Ed25519 key. The document travels verbatim inside an
 * envelope, so that no re-encoding can change the bytes that were signed:
 *
 *   {"plan_id": "…", "document": "<the JSON text>",
 *    "signature": "<128 hex>", "hq_key": "<64 hex>"}
 *
 * The signature is over "JC-PLAN1", a NUL byte, then the document's bytes.
 * The document: {"format": "JC-PLAN1", "plan_id", "seed", "directory",
 * "roster", "team_size", "max_load", "counts": […], "assignments": [{"code",
 * "name", "county", "type", "level" (hospitals), "reason", "team": [names]}]}.
 * A plan may also carry "due" ("YYYY-MM-DD"), for the whole plan or for one
 * assignment.
 *
 * On the device, jc_assignments_save() keeps the assignments of the vault's
 * own inspector from each verified plan, in the vault (encrypted with the
 * rest): the plan's id, seed and the digests of the lists it was drawn
 * from, so the 双随机 draw stays traceable, but nobody else's assignments.
 *
 *   assignment_plans (plan_id, seed, directory, roster, due, received)
 *   assignments      (plan_id, code, position, name, type, level, county,
 *                     reason, team (JSON array), due, inspection_id, started)
 *
 * An assignment's id is "PLAN_ID:CODE" (an institution is drawn at most
 * once per plan).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "jc-checklist.h"
#include "jc-checklist-registry.h"
#include "jc-vault.h"

G_BEGIN_DECLS

#define JC_ASSIGNMENTS_ERROR (jc_assignments_error_quark ())
#define JC_ASSIGNMENTS_FORMAT "JC-PLAN1"

typedef enum {
  JC_ASSIGNMENTS_ERROR_MALFORMED,  /* not an envelope, or not a plan inside */
  JC_ASSIGNMENTS_ERROR_SIGNATURE,  /* not signed by the expected HQ key */
  JC_ASSIGNMENTS_ERROR_NOT_FOUND,  /* no such assignment on this device */
  JC_ASSIGNMENTS_ERROR_STARTED,    /* the assignment's inspection exists already */
  JC_ASSIGNMENTS_ERROR_DATABASE,
} JcAssignmentsError;

typedef struct {
  char              *id;             /* "PLAN_ID:CODE" */
  char              *plan_id;        /* 32 hex digits */
  guint64            seed;           /* the plan's published seed */
  char              *code;
  char              *name;
  JcInstitutionKind  type;
  guint              level;          /* hospitals 1–3, else 0 */
  char              *county;
  char              *reason;         /* why it was drawn (jc-plan-draw.h) */
  GStrv              team;
  char              *due;            /* "YYYY-MM-DD" or NULL */
  gint64             received;       /* HQ time of the update, Unix seconds */
  char              *inspection_id;  /* NULL until started */
} JcAssignment;

GQuark      jc_assignments_error_quark (void);

/* The bytes signed for @document: "JC-PLAN1\0" + @document. */
GBytes     *jc_assignments_message     (const char    *document);

/* The envelope of @document for its @signature_hex (128 hex digits) by
 * @hq_key: what HQ serves (plan_id, document, signature, hq_key). */
char       *jc_assignments_envelope    (const char    *plan_id,
                                        const char    *document,
                                        const char    *signature_hex,
                                        const guint8   hq_key[32]);

/* Checks @envelope's signature with @hq_key (HQ's pinned public key) and
 * returns the document, parsed; *document_text (may be NULL) gets its text. */
JsonObject *jc_assignments_verify      (const char    *envelope,
                                        const guint8   hq_key[32],
                                        char         **document_text,
                                        GError       **error);

/* Verifies every envelope of @envelopes (NULL-terminated) with @hq_key
 * and that each holds well-formed assignments; the error names the plan. */
gboolean    jc_assignments_check       (const char * const *envelopes,
                                        const guint8        hq_key[32],
                                        GError            **error);
/* Checks them all, then stores the assignments of the vault's inspector
 * from each, all or none (a plan stored before is kept as it is).
 * @received: HQ's time. *out_mine (may be NULL): how many are new. */
gboolean    jc_assignments_save        (JcVault            *vault,
                                        const char * const *envelopes,
                                        const guint8        hq_key[32],
                                        gint64              received,
                                        guint              *out_mine,
                                        GError            **error);
/* This inspector's assignments: those not started first, then by due date
 * (none last), the newest plan first, in the plan's order. */
GPtrArray  *jc_assignments_list        (JcVault            *vault,
                                        GError            **error);
/* @id: "PLAN_ID:CODE", a plan id's prefix before the colon, or the code
 * alone when only one assignment has it. */
JcAssignment *jc_assignments_get       (JcVault            *vault,
                                        const char         *id,
                                        GError            **error);
/* Creates the inspection of assignment @id (its institution, its team, a
 * cross inspection with the default checklist of its type, today) and
 * records it as started; returns the inspection's id. */
char       *jc_assignments_start       (JcVault            *vault,
                                        JcChecklistRegistry *registry,
                                        const char         *id,
                                        GError            **error);
/* Why the draw chose it, through gettext: "rate", "top30", "all". */
const char *jc_assignment_reason_get_label (const char *reason);
void        jc_assignment_free         (JcAssignment       *assignment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcAssignment, jc_assignment_free)

G_END_DECLS

/* jc-hq-plan.h — HQ's inspection plans: drawn, signed, stored
 *
 * A plan is the draw of jc-plan-draw.h over the directory and the roster in
 * hq.db, as the document of jc-assignments.h signed with HQ's key. Its id
 * is derived from what the draw depends on: the first 16 bytes (32 hex
 * digits) of the SHA-256 of "JC-PLAN1", "SEED,TEAM_SIZE,MAX_LOAD" (decimal),
 * the directory's digest and the roster's (hex), each followed by a NUL
 * byte. So drawing again with the same seed from the same lists gives the
 * same plan, byte for byte, signature included (Ed25519 is deterministic),
 * and stores nothing new.
 *
 *   plans            (plan_id, seed, created, document, signature)
 *   plan_assignments (plan_id, code, county, reason)
 *   plan_team        (plan_id, code, seat, inspector)
 */
#pragma once

#include <glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

/* Seeds are integers JSON readers hold exactly (JavaScript's included). */
#define JC_HQ_PLAN_MAX_SEED G_GUINT64_CONSTANT (9007199254740991)
#define JC_HQ_PLAN_DEFAULT_TEAM 2

typedef struct {
  char    *plan_id;    /* 32 hex digits */
  guint64  seed;
  gint64   created;    /* Unix seconds of the first draw */
  char    *document;   /* the signed JSON text */
  char    *signature;  /* 128 hex digits */
} JcHqPlan;

/* Draws, signs and stores a plan (or finds the one this draw made before). */
JcHqPlan *jc_hq_plan_draw       (JcHqStore  *store,
                                 guint64     seed,
                                 guint       team_size,
                                 guint       max_load,
                                 GError    **error);

/* The plan @plan_id, or the newest one when NULL. */
JcHqPlan *jc_hq_plan_get        (JcHqStore  *store,
                                 const char *plan_id,
                                 GError    **error);

/* The envelope of jc-assignments.h for @plan: what devices download
 * (GET /v1/updates) and verify with jc_assignments_verify(). */
char     *jc_hq_plan_envelope   (JcHqStore      *store,
                                 const JcHqPlan *plan);

/* The newest plan's envelope (or @plan_id's), for the down-sync. */
char     *jc_hq_plan_get_assignments_json (JcHqStore  *store,
                                           const char *plan_id,
                                           GError    **error);

/* The envelopes of every plan created at or after @since (Unix seconds),
 * newest first: the "plans" of GET /v1/updates. */
GPtrArray *jc_hq_plan_envelopes_since (JcHqStore  *store,
                                       gint64      since,
                                       GError    **error);

void      jc_hq_plan_free       (JcHqPlan   *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcHqPlan, jc_hq_plan_free)

G_END_DECLS

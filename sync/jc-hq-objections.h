/* jc-hq-objections.h — objections (异议) to disputed findings, and their review
 *
 * Every disputed finding at HQ opens an objection with the representative's
 * name and reason. A reviewer decides, with reasons:
 *   upheld   the institution is right: the finding is withdrawn, no ledger entry;
 *   rejected the finding stands: it becomes a ledger entry with its amount;
 *   partial  it stands with another amount (--amount): a ledger entry with that.
 * The opening and the decision are signed rows of jc-hq-history.h (subject
 * "objection:ID"). A decided objection is not decided again; an open
 * objection whose finding an amendment superseded is closed as
 * "superseded" (the amendment has its own answer, and its own objection
 * when disputed). Table hq_objections.
 */
#pragma once

#include <glib.h>

#include "jc-hq-query.h"
#include "jc-hq-store.h"

G_BEGIN_DECLS

#define JC_HQ_OBJECTION_ERROR (jc_hq_objection_error_quark ())

typedef enum {
  JC_HQ_OBJECTION_ERROR_NOT_FOUND,
  JC_HQ_OBJECTION_ERROR_DECIDED,    /* already decided, or its finding superseded */
  JC_HQ_OBJECTION_ERROR_INVALID,    /* a bad decision, amount, missing reason or name */
} JcHqObjectionError;

typedef enum {
  JC_HQ_OBJECTION_UPHELD,
  JC_HQ_OBJECTION_REJECTED,
  JC_HQ_OBJECTION_PARTIAL,
} JcHqObjectionDecision;

GQuark    jc_hq_objection_error_quark   (void);

/* "upheld", "rejected", "partial". */
gboolean  jc_hq_objection_decision_from_string (const char             *name,
                                                JcHqObjectionDecision  *decision,
                                                GError                **error);

/* Opens an objection for each new disputed finding (and brings the ledger
 * up to date); *n_opened may be NULL. */
gboolean  jc_hq_objections_refresh      (JcHqStore              *store,
                                         guint                  *n_opened,
                                         GError                **error);

/* Decides objection @id; @amount_fen is the new amount of a partial
 * decision (ignored otherwise). *entry_id (may be NULL) gets the ledger
 * entry opened, 0 when upheld. */
gboolean  jc_hq_objection_decide        (JcHqStore              *store,
                                         gint64                  id,
                                         JcHqObjectionDecision   decision,
                                         guint64                 amount_fen,
                                         const char             *reason,
                                         const char             *by,
                                         gint64                 *entry_id,
                                         GError                **error);

/* The objections as JSON objects: id, finding, institution,
 * institution_name, representative, reason, amount_fen, amount, opened_at,
 * status (open, upheld, rejected, partial, superseded), decided_amount_fen,
 * decision_reason, decided_by, decided_at, entry (ledger id or null),
 * superseded_by. For the web dashboard: the JSON text of that array
 * (@status NULL: every objection, else only those of that status). */
char     *jc_hq_objections_list_json    (JcHqStore              *store,
                                         const char             *status,
                                         GError                **error);
/* `objections list`. */
gboolean  jc_hq_objections_list         (JcHqStore              *store,
                                         const char             *status,
                                         JcHqFormat              format,
                                         GString                *out,
                                         GError                **error);

G_END_DECLS

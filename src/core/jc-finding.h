/* jc-finding.h — findings: violations of one inspection, sealed and confirmed
 *
 * A finding groups violation items of one inspection. Sealing it records a
 * "finding.seal" event whose body holds the canonical record (below) as a
 * string and its SHA-256 — JC1 claim 9. A sealed finding is never edited:
 * "finding.amend" seals a new finding whose record names the one it
 * supersedes; both stay, the old one marked superseded. The institution's
 * answer is a "finding.confirm" event (confirmed, disputed or refused).
 * On the institution's own device, the acknowledgment it signed (way 2) is
 * a "finding.acknowledge" event, its copy of what it answered (no table).
 * The tables findings, finding_items and finding_confirmations are
 * projections of these events.
 *
 * The canonical record is JSON text (RFC 8259) without any whitespace,
 * object members in byte order of their names, integers as plain decimal
 * numbers, strings in UTF-8 with only '"', '\\' and control characters
 * escaped (as json-glib 1.6 writes them):
 *
 *   {"amount_fen":N,"checklist":"id@version","evidence":["sha256 hex",…],
 *    "facts":"…","id":"finding hex","inspection":"inspection hex",
 *    "institution_code":"…","items":[{"amount_fen":N?,"basis":"item text",
 *    "code":"…","evidence":[…]},…],"sealed_at":UNIX-SECONDS,
 *    "signature_strokes":"sha256 hex"?,"supersedes":"finding hex"?,"version":1}
 *
 * Members marked ? are absent when there is nothing to say. "evidence" is
 * every item's evidence, in item order, each hash once. The record is stored
 * exactly as hashed, so anyone holding the event can recompute claim 9.
 */
#pragma once

#include <glib.h>

#include "jc-checklist-registry.h"
#include "jc-eventlog.h"
#include "jc-jc1.h"
#include "jc-vault.h"

G_BEGIN_DECLS

#define JC_FINDING_ERROR (jc_finding_error_quark ())

typedef enum {
  JC_FINDING_ERROR_NO_VIOLATIONS,  /* nothing to seal: no open violation */
  JC_FINDING_ERROR_NOT_FOUND,      /* no such finding, inspection or item */
  JC_FINDING_ERROR_NOT_VIOLATION,  /* the item is not marked a violation */
  JC_FINDING_ERROR_ALREADY,        /* item already in a finding; finding already confirmed or superseded */
  JC_FINDING_ERROR_INVALID,        /* a bad field: empty name, missing reason or witness */
  JC_FINDING_ERROR_DATABASE,
} JcFindingError;

#define JC_FINDING_ID_SIZE 16

/* The institution's answer. Required: confirmed → name; disputed → name and
 * reason; refused → witness. */
typedef struct {
  JcJc1Status  status;
  const char  *name;               /* the representative */
  const char  *title;              /* may be NULL */
  const char  *reason;             /* of a dispute */
  const char  *witness;            /* of a refusal */
  const char  *signature_strokes;  /* SHA-256 hex of vault evidence, may be NULL */
  /* Way 2 (jc_finding_record_ack()): the institution's key, its signature
   * over the record's SHA-256 (JC1 claims 12.4 and 12.5) and the JCA1 text
   * it came in; all three or none. */
  const guint8 *institution_key;        /* 32 bytes */
  const guint8 *institution_signature;  /* 64 bytes */
  const char   *acknowledgment;
} JcFindingConfirmation;

typedef struct {
  const char         *inspection_id;
  const char * const *items;       /* NULL: every violation not yet in a finding */
  const char         *facts;       /* NULL: the items' notes, one a line */
  gboolean            has_amount;  /* FALSE: the sum of the items' amounts */
  guint64             amount_fen;
} JcFindingSpec;

typedef struct {
  char        *id;                 /* 32 hex digits */
  char        *inspection_id;
  char        *institution_code;
  char        *checklist;          /* "id@version" */
  GStrv        items;              /* codes, in checklist order */
  GStrv        basis;              /* each item's text (the legal basis), parallel to items */
  char        *facts;
  guint64      amount_fen;
  GStrv        evidence;           /* SHA-256 hex */
  char        *signature_strokes;  /* NULL when none was given at sealing */
  gint64       sealed_at;          /* Unix seconds */
  char        *record;             /* the canonical record, exactly as hashed */
  guint8       record_sha256[32];
  char        *supersedes;         /* NULL or a finding id */
  char        *superseded_by;      /* NULL or a finding id */
  gboolean     confirmed;          /* there is a confirmation (any status) */
  JcJc1Status  confirm_status;
  char        *confirm_name;
  char        *confirm_title;
  char        *confirm_reason;
  char        *confirm_witness;
  char        *confirm_strokes;
  gboolean     confirm_countersigned;  /* the institution signed with its key (way 2) */
  guint8       confirm_institution_key[32];
  guint8       confirm_institution_signature[64];
} JcFinding;

GQuark      jc_finding_error_quark          (void);

/* Called when a vault opens: the projections of the finding events. */
gboolean    jc_finding_register_projections (JcEventlog                  *log,
                                             GError                     **error);

/* Seals a finding and, when @confirmation is not NULL, records it right
 * after (its signature-strokes hash then also goes into the record).
 * Returns the new finding's id. @registry NULL: the built-in lists. */
char       *jc_finding_seal                 (JcVault                     *vault,
                                             JcChecklistRegistry         *registry,
                                             const JcFindingSpec         *spec,
                                             const JcFindingConfirmation *confirmation,
                                             GError                     **error);
/* The institution's answer to a sealed finding; only one per finding. */
gboolean    jc_finding_confirm              (JcVault                     *vault,
                                             const char                  *finding_id,
                                             const JcFindingConfirmation *confirmation,
                                             GError                     **error);
/* Way 2, on the institution's device: verifies the finding's JC1
 * @finding_code (its certificate too when HQ's key is pinned in @vault),
 * signs the answer with this vault's device key (jc_ack_make()), keeps the
 * institution's copy as a "finding.acknowledge" event holding both codes,
 * and returns the JCA1 text to show the inspector. */
char       *jc_finding_acknowledge          (JcVault                     *vault,
                                             const char                  *finding_code,
                                             JcJc1Status                  status,
                                             const char                  *name,
                                             const char                  *title,
                                             const char                  *reason,
                                             GError                     **error);
/* Way 2: records the institution's JCA1 acknowledgment @ack_text as the
 * answer to @finding_id (NULL: the finding it names), after checking both
 * of its signatures, that it answers this finding as sealed (id and
 * claim 9), and that the finding is live and unanswered. */
gboolean    jc_finding_record_ack           (JcVault                     *vault,
                                             const char                  *finding_id,
                                             const char                  *ack_text,
                                             char                       **out_finding_id,
                                             GError                     **error);
/* Seals a new finding that supersedes @finding_id: @items (NULL: the same)
 * and @facts (NULL: the same); the amount is the sum of the items'. */
char       *jc_finding_amend                (JcVault                     *vault,
                                             JcChecklistRegistry         *registry,
                                             const char                  *finding_id,
                                             const char * const          *items,
                                             const char                  *facts,
                                             GError                     **error);
JcFinding  *jc_finding_get                  (JcVault                     *vault,
                                             const char                  *finding_id,
                                             GError                     **error);
/* Every finding of the inspection, superseded ones included, in sealing order. */
GPtrArray  *jc_finding_list                 (JcVault                     *vault,
                                             const char                  *inspection_id,
                                             GError                     **error);
void        jc_finding_free                 (JcFinding                   *finding);

const char *jc_finding_status_to_string     (JcJc1Status                  status);
gboolean    jc_finding_status_from_string   (const char                  *name,
                                             JcJc1Status                 *out_status);

/* Claims 1–10 (+ 12 when confirmed: status and name — for a refusal
 * without a representative's name, the witness's) of @finding, signed by
 * this device. Claim 11 is absent until the device is enrolled. */
JcJc1Claims *jc_finding_to_claims           (JcVault                     *vault,
                                             const JcFinding             *finding,
                                             GError                     **error);
gboolean    jc_finding_to_jc1               (JcVault                     *vault,
                                             const char                  *finding_id,
                                             char                       **out_text,
                                             GError                     **error);

/* A scanned finding in words, for whoever reads it (the institution, the
 * scan screen): the checklist's title, each item with its text looked up
 * in @registry (NULL: the built-in lists), the amount in yuan, the sealing
 * time, the signer and the answer. */
char       *jc_finding_describe_claims      (const JcJc1Claims           *claims,
                                             JcChecklistRegistry         *registry);

/* Verifies a scanned JC1 @text; when @vault (may be NULL) is enrolled, the
 * signer's certificate too, against the HQ key pinned in it
 * (*out_hq_checked says which). */
JcJc1Claims *jc_finding_verify_code         (JcVault                     *vault,
                                             const char                  *text,
                                             gboolean                    *out_hq_checked,
                                             GError                     **error);
/* Any scanned code of the JC1 family (a finding's JC1, an institution's
 * JCA1) verified and put in words, first line the verdict; or the exact
 * reason it is not valid. */
char       *jc_finding_describe_code        (JcVault                     *vault,
                                             JcChecklistRegistry         *registry,
                                             const char                  *text,
                                             GError                     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcFinding, jc_finding_free)

G_END_DECLS

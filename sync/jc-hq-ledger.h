/* jc-hq-ledger.h — the problem ledger (问题台账) of the 清零行动
 *
 * Every confirmed finding, and every finding the institution refused to
 * sign (拒绝签字: still a problem), becomes a ledger entry; a disputed one
 * becomes an entry only when its objection is rejected or partly upheld
 * (jc-hq-objections.h). An entry holds the amount involved, the legal basis
 * (the items' texts in the finding record), the institution and its county
 * (from the directory when HQ knows it), the deadline for rectification
 * (30 days after sealing, or after the decision on its objection, unless
 * set), the rectification evidence (a note
 * and SHA-256s), the amount recovered (fen) and its status:
 *
 *   open → rectifying → rectified → verified
 *                ↑           │ (verification failed)
 *                └───────────┘
 *   open | rectifying | rectified → police (移交公安) | discipline (移交纪检监察)
 *
 * verified, police and discipline are final. An amendment that supersedes
 * the finding moves the entry to the new finding (and its amount). Nothing
 * is deleted: every change is a signed row of jc-hq-history.h whose subject
 * is "ledger:ID", naming who at HQ made it. Tables: hq_ledger.
 *
 * Dates are days in China Standard Time (UTC+8), "YYYY-MM-DD". An entry is
 * overdue when it is open or rectifying and its deadline is before today.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-hq-query.h"
#include "jc-hq-store.h"

G_BEGIN_DECLS

#define JC_HQ_LEDGER_ERROR (jc_hq_ledger_error_quark ())

typedef enum {
  JC_HQ_LEDGER_ERROR_NOT_FOUND,   /* no such entry or finding */
  JC_HQ_LEDGER_ERROR_TRANSITION,  /* a status change the ledger does not allow */
  JC_HQ_LEDGER_ERROR_INVALID,     /* a bad value: date, amount, hash, missing name or note */
} JcHqLedgerError;

typedef enum {
  JC_HQ_LEDGER_OPEN,
  JC_HQ_LEDGER_RECTIFYING,
  JC_HQ_LEDGER_RECTIFIED,
  JC_HQ_LEDGER_VERIFIED,
  JC_HQ_LEDGER_POLICE,       /* 移交公安 */
  JC_HQ_LEDGER_DISCIPLINE,   /* 移交纪检监察 */
} JcHqLedgerStatus;

#define JC_HQ_LEDGER_DEADLINE_DAYS 30

typedef struct {
  const char       *county;       /* NULL: any */
  gboolean          has_status;
  JcHqLedgerStatus  status;
  gboolean          overdue;      /* only overdue entries */
  const char       *today;        /* "YYYY-MM-DD"; NULL: today */
  guint             limit;        /* a page of at most this many entries; 0: all */
  guint             offset;       /* entries skipped before the page (by id) */
} JcHqLedgerFilter;

/* What `ledger set` changes; NULL / FALSE leaves a field as it is. */
typedef struct {
  gboolean            has_status;
  JcHqLedgerStatus    status;
  const char         *note;
  gboolean            has_recovered;
  guint64             recovered_fen;
  const char         *deadline;    /* "YYYY-MM-DD" */
  const char * const *evidence;    /* SHA-256 hex, added to the entry's */
  const char         *by;          /* HQ staff name: required */
} JcHqLedgerChange;

GQuark      jc_hq_ledger_error_quark      (void);

/* "open", "rectifying", "rectified", "verified", "police", "discipline";
 * the label is the translated word for people (待整改, 整改中, …). */
const char *jc_hq_ledger_status_to_string (JcHqLedgerStatus  status);
const char *jc_hq_ledger_status_label     (JcHqLedgerStatus  status);
gboolean    jc_hq_ledger_status_from_string (const char       *name,
                                             JcHqLedgerStatus *status,
                                             GError          **error);

/* Today in China Standard Time, "YYYY-MM-DD". */
char       *jc_hq_ledger_today            (void);

/* Creates the tables when missing (also the history's and the directory's);
 * the caller holds the store's lock. */
gboolean    jc_hq_ledger_ensure           (JcHqStore         *store,
                                           GError           **error);

/* Brings the ledger up to date with the merged findings: an entry for each
 * new confirmed or refused finding, entries moved to amendments. Every
 * query below calls it first. *n_opened (may be NULL) counts new entries. */
gboolean    jc_hq_ledger_refresh          (JcHqStore         *store,
                                           guint             *n_opened,
                                           GError           **error);

/* For the refreshes, the caller holding the lock and a transaction: *news
 * tells whether HQ stored an event (hq_observed) since the refresh @name
 * last asked, and the answer is recorded. Merged events are the only way
 * findings and their answers change, so a refresh without news is one
 * query. */
gboolean    jc_hq_ledger_news_locked      (JcHqStore         *store,
                                           const char        *name,
                                           gboolean          *news,
                                           GError           **error);

/* For jc-hq-objections.c, the caller holding the lock and a transaction:
 * opens the entry of @finding_id with @amount_fen, its deadline 30 days
 * after @since (Unix seconds); *entry_id gets its id. */
gboolean    jc_hq_ledger_open_locked      (JcHqStore         *store,
                                           const char        *finding_id,
                                           guint64            amount_fen,
                                           gint64             since,
                                           const char        *by,
                                           const char        *reason,
                                           gint64            *entry_id,
                                           GError           **error);

/* Applies @change to entry @id as one signed history row. */
gboolean    jc_hq_ledger_set              (JcHqStore              *store,
                                           gint64                  id,
                                           const JcHqLedgerChange *change,
                                           GError                **error);

/* The entries as JSON objects: id, finding, first_finding, institution,
 * institution_name, county, type, form, items (array of codes), basis
 * (array of item texts), amount_fen, amount (yuan text), recovered_fen,
 * recovered, status, status_label, deadline, overdue (bool), note,
 * evidence (array of SHA-256 hex), sealed_at, opened_at, updated_at. */
JsonArray  *jc_hq_ledger_rows             (JcHqStore              *store,
                                           const JcHqLedgerFilter *filter,
                                           GError                **error);

/* For the web dashboard: JSON text (a newline at the end).
 * list: {"today": "YYYY-MM-DD", "entries": [rows as above]}, @filter may be NULL;
 * get:  the row with "history": [signed rows of jc_hq_history_of()]. */
char       *jc_hq_ledger_list_json        (JcHqStore              *store,
                                           const JcHqLedgerFilter *filter,
                                           GError                **error);
char       *jc_hq_ledger_get_json         (JcHqStore              *store,
                                           gint64                  id,
                                           GError                **error);

/* `ledger list` and `ledger show`: text, CSV or JSON (the JSON of
 * jc_hq_ledger_list_json() and jc_hq_ledger_get_json()). */
gboolean    jc_hq_ledger_list             (JcHqStore              *store,
                                           const JcHqLedgerFilter *filter,
                                           JcHqFormat              format,
                                           GString                *out,
                                           GError                **error);
gboolean    jc_hq_ledger_show             (JcHqStore              *store,
                                           gint64                  id,
                                           JcHqFormat              format,
                                           GString                *out,
                                           GError                **error);

G_END_DECLS

/* jc-hq-ledger.c — the problem ledger (问题台账) of the 清零行动 */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-directory.h"
#include "jc-hq-history.h"
#include "jc-hq-ledger.h"
#include "jc-hq-sql.h"
#include "jc-hq-table.h"

G_DEFINE_QUARK (jc-hq-ledger-error-quark, jc_hq_ledger_error)

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS hq_ledger ("
  "  id INTEGER PRIMARY KEY,"
  "  finding_id TEXT NOT NULL UNIQUE,"
  "  first_finding TEXT NOT NULL,"
  "  institution_code TEXT NOT NULL,"
  "  status TEXT NOT NULL,"
  "  amount_fen INTEGER NOT NULL,"
  "  recovered_fen INTEGER NOT NULL DEFAULT 0,"
  "  deadline TEXT NOT NULL,"
  "  note TEXT NOT NULL DEFAULT '',"
  "  evidence TEXT NOT NULL DEFAULT '',"
  "  opened_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  /* The newest event (hq_observed) each refresh has seen. */
  "CREATE TABLE IF NOT EXISTS hq_ledger_state ("
  "  name TEXT PRIMARY KEY,"
  "  observed INTEGER NOT NULL);";

static const char * const status_names[] = { "open", "rectifying", "rectified", "verified", "police", "discipline" };

/* from → the statuses it may go to, as bits. */
#define BIT(s) (1u << (s))
#define HAND_OVER (BIT (JC_HQ_LEDGER_POLICE) | BIT (JC_HQ_LEDGER_DISCIPLINE))
static const guint transitions[] = {
  [JC_HQ_LEDGER_OPEN] = BIT (JC_HQ_LEDGER_RECTIFYING) | HAND_OVER,
  [JC_HQ_LEDGER_RECTIFYING] = BIT (JC_HQ_LEDGER_RECTIFIED) | HAND_OVER,
  [JC_HQ_LEDGER_RECTIFIED] = BIT (JC_HQ_LEDGER_VERIFIED) | BIT (JC_HQ_LEDGER_RECTIFYING) | HAND_OVER,
  [JC_HQ_LEDGER_VERIFIED] = 0,
  [JC_HQ_LEDGER_POLICE] = 0,
  [JC_HQ_LEDGER_DISCIPLINE] = 0,
};

const char *
jc_hq_ledger_status_to_string (JcHqLedgerStatus status)
{
  return (guint) status < G_N_ELEMENTS (status_names) ? status_names[status] : NULL;
}

const char *
jc_hq_ledger_status_label (JcHqLedgerStatus status)
{
  switch (status)
    {
    case JC_HQ_LEDGER_OPEN: return _("Open");
    case JC_HQ_LEDGER_RECTIFYING: return _("Rectifying");
    case JC_HQ_LEDGER_RECTIFIED: return _("Rectified");
    case JC_HQ_LEDGER_VERIFIED: return _("Verified");
    case JC_HQ_LEDGER_POLICE: return _("Handed over to the police");
    case JC_HQ_LEDGER_DISCIPLINE: return _("Handed over to discipline inspection");
    default: return "";
    }
}

gboolean
jc_hq_ledger_status_from_string (const char *name, JcHqLedgerStatus *status, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (name, status_names[i]) == 0)
      {
        *status = (JcHqLedgerStatus) i;
        return TRUE;
      }
  g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_INVALID,
               _("Unknown ledger status “%s”: use open, rectifying, rectified, verified, police or discipline"),
               name ? name : "");
  return FALSE;
}

static GDateTime *
china_time (gint64 unix_seconds)
{
  g_autoptr(GTimeZone) cst = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_to_timezone (utc, cst);
}

char *
jc_hq_ledger_today (void)
{
  g_autoptr(GDateTime) now = china_time (g_get_real_time () / G_USEC_PER_SEC);

  return g_date_time_format (now, "%Y-%m-%d");
}

static char *
deadline_after (gint64 since)
{
  g_autoptr(GDateTime) t = china_time (since);
  g_autoptr(GDateTime) d = g_date_time_add_days (t, JC_HQ_LEDGER_DEADLINE_DAYS);

  return g_date_time_format (d, "%Y-%m-%d");
}

static gboolean
date_is_valid (const char *text)
{
  guint y, m, d;
  char end;

  return text != NULL && strlen (text) == 10 && text[4] == '-' && text[7] == '-' &&
         sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &end) == 3 &&
         g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static gboolean
sha256_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

gboolean
jc_hq_ledger_ensure (JcHqStore *store, GError **error)
{
  return jc_hq_directory_ensure (store, error) && jc_hq_history_ensure (store, error) &&
         jc_hq_sql_exec (jc_hq_store_get_db (store), schema, error);
}

static char *
subject_of (gint64 id)
{
  return g_strdup_printf ("ledger:%" PRId64, id);
}

gboolean
jc_hq_ledger_open_locked (JcHqStore *store, const char *finding_id, guint64 amount_fen, gint64 since,
                          const char *by, const char *reason, gint64 *entry_id, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autofree char *deadline = deadline_after (since);
  g_autofree char *subject = NULL;
  g_autoptr(JsonObject) changes = json_object_new ();
  JcDbStmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!jc_hq_sql_prepare (db, "INSERT INTO hq_ledger (finding_id, first_finding, institution_code, status, "
                              "amount_fen, deadline, opened_at, updated_at) "
                              "SELECT f.id, f.id, coalesce (i.institution_code, "
                              "       json_extract (f.record, '$.institution_code')), 'open', ?2, ?3, ?4, ?4 "
                              "FROM findings f LEFT JOIN inspections i ON i.id = f.inspection_id WHERE f.id = ?1 "
                              "RETURNING id",
                          &stmt, error))
    return FALSE;
  jc_db_bind_text (stmt, 1, finding_id, -1, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 2, (gint64) amount_fen);
  jc_db_bind_text (stmt, 3, deadline, -1, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 4, now);
  if (!jc_hq_sql_run_id (db, stmt, "hq_ledger", entry_id, error))
    return FALSE;
  if (*entry_id == 0)
    {
      g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_NOT_FOUND,
                   _("Ledger: no finding %s at HQ"), finding_id);
      return FALSE;
    }
  subject = subject_of (*entry_id);
  json_object_set_string_member (changes, "finding", finding_id);
  json_object_set_int_member (changes, "amount_fen", (gint64) amount_fen);
  json_object_set_string_member (changes, "deadline", deadline);
  json_object_set_string_member (changes, "status", "open");
  json_object_set_string_member (changes, "reason", reason);
  return jc_hq_history_append (store, subject, "open", by, changes, error);
}

/* The live end of @finding_id's amendments and its amount. */
static gboolean
live_finding (JcDb *db, const char *finding_id, char **live, gint64 *amount, GError **error)
{
  g_autofree char *id = g_strdup (finding_id);

  /* Each step is a distinct finding; a cycle cannot be sealed, but bound it. */
  for (guint steps = 0; steps < 10000; steps++)
    {
      JcDbStmt *stmt = NULL;
      g_autofree char *next = NULL;
      int rc;

      if (!jc_hq_sql_prepare (db, "SELECT superseded_by, amount_fen FROM findings WHERE id = ?", &stmt, error))
        return FALSE;
      jc_db_bind_text (stmt, 1, id, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
      if (rc == JC_DB_ROW)
        {
          next = g_strdup ((const char *) jc_db_column_text (stmt, 0));
          *amount = jc_db_column_int64 (stmt, 1);
        }
      jc_db_finalize (stmt);
      if (rc != JC_DB_ROW)
        return jc_hq_sql_error (db, "findings", error);
      if (next == NULL)
        {
          *live = g_steal_pointer (&id);
          return TRUE;
        }
      g_free (id);
      id = g_steal_pointer (&next);
    }
  return jc_hq_sql_error (db, "findings: amendments", error);
}

/* Moves every entry whose finding was superseded to the live amendment. */
static gboolean
follow_amendments (JcHqStore *store, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(GPtrArray) moved = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JcDbStmt *stmt = NULL;

  if (!jc_hq_sql_prepare (db, "SELECT l.id, l.finding_id FROM hq_ledger l JOIN findings f ON f.id = l.finding_id "
                              "WHERE f.superseded_by IS NOT NULL", &stmt, error))
    return FALSE;
  while (jc_db_step (stmt) == JC_DB_ROW)
    {
      gint64 id = jc_db_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
      g_ptr_array_add (moved, g_strdup ((const char *) jc_db_column_text (stmt, 1)));
    }
  jc_db_finalize (stmt);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i), amount = 0;
      g_autofree char *live = NULL;
      g_autofree char *subject = subject_of (id);
      g_autoptr(JsonObject) changes = json_object_new ();

      if (!live_finding (db, moved->pdata[i], &live, &amount, error) ||
          !jc_hq_sql_prepare (db, "UPDATE hq_ledger SET finding_id = ?, amount_fen = ?, updated_at = ? "
                                  "WHERE id = ?", &stmt, error))
        return FALSE;
      jc_db_bind_text (stmt, 1, live, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 2, amount);
      jc_db_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
      jc_db_bind_int64 (stmt, 4, id);
      if (!jc_hq_sql_run (db, stmt, "hq_ledger", error))
        return FALSE;
      json_object_set_string_member (changes, "finding", live);
      json_object_set_string_member (changes, "superseded", moved->pdata[i]);
      json_object_set_int_member (changes, "amount_fen", amount);
      if (!jc_hq_history_append (store, subject, "amend", "jiancha-hq", changes, error))
        return FALSE;
    }
  return TRUE;
}

/* An entry for each live confirmed or refused finding without one. */
static gboolean
open_new (JcHqStore *store, guint *n_opened, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) info = g_array_new (FALSE, FALSE, sizeof (gint64));
  JcDbStmt *stmt = NULL;

  if (!jc_hq_sql_prepare (db, "SELECT f.id, f.amount_fen, f.sealed_at, c.status FROM findings f "
                              "JOIN finding_confirmations c ON c.finding_id = f.id "
                              "WHERE f.superseded_by IS NULL AND c.status IN ('confirmed', 'refused') "
                              "AND NOT EXISTS (SELECT 1 FROM hq_ledger l WHERE l.finding_id = f.id) "
                              "ORDER BY f.sealed_at, f.seq, f.id", &stmt, error))
    return FALSE;
  while (jc_db_step (stmt) == JC_DB_ROW)
    {
      gint64 amount = jc_db_column_int64 (stmt, 1), sealed = jc_db_column_int64 (stmt, 2);

      g_ptr_array_add (found, g_strdup ((const char *) jc_db_column_text (stmt, 0)));
      g_ptr_array_add (found, g_strdup ((const char *) jc_db_column_text (stmt, 3)));
      g_array_append_val (info, amount);
      g_array_append_val (info, sealed);
    }
  jc_db_finalize (stmt);
  for (guint i = 0; i < found->len / 2; i++)
    {
      gint64 entry = 0;
      const char *status = found->pdata[2 * i + 1];

      if (!jc_hq_ledger_open_locked (store, found->pdata[2 * i], (guint64) g_array_index (info, gint64, 2 * i),
                                     g_array_index (info, gint64, 2 * i + 1), "jiancha-hq",
                                     g_str_equal (status, "refused") ? "refused to sign" : "confirmed",
                                     &entry, error))
        return FALSE;
      (*n_opened)++;
    }
  return TRUE;
}

gboolean
jc_hq_ledger_news_locked (JcHqStore *store, const char *name, gboolean *news, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  gint64 newest = 0, seen = -1;
  int rc;

  if (!jc_hq_sql_prepare (db, "SELECT (SELECT coalesce (max (observed), 0) FROM hq_observed), "
                              "(SELECT observed FROM hq_ledger_state WHERE name = ?)", &stmt, error))
    return FALSE;
  jc_db_bind_text (stmt, 1, name, -1, JC_DB_STATIC);
  rc = jc_db_step (stmt);
  if (rc == JC_DB_ROW)
    {
      newest = jc_db_column_int64 (stmt, 0);
      if (jc_db_column_type (stmt, 1) != JC_DB_NULL)
        seen = jc_db_column_int64 (stmt, 1);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW)
    return jc_hq_sql_error (db, "hq_ledger_state", error);
  *news = newest != seen;
  if (!*news ||
      !jc_hq_sql_prepare (db, "INSERT INTO hq_ledger_state (name, observed) VALUES (?1, ?2) "
                              "ON CONFLICT (name) DO UPDATE SET observed = ?2", &stmt, error))
    return !*news;
  jc_db_bind_text (stmt, 1, name, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, newest);
  return jc_hq_sql_run (db, stmt, "hq_ledger_state", error);
}

static gboolean
refresh_locked (JcHqStore *store, guint *n, GError **error)
{
  gboolean news = FALSE;

  if (!jc_hq_ledger_news_locked (store, "ledger", &news, error))
    return FALSE;
  return !news || (follow_amendments (store, error) && open_new (store, n, error));
}

gboolean
jc_hq_ledger_refresh (JcHqStore *store, guint *n_opened, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  guint n = 0;
  gboolean ok;

  jc_hq_store_lock (store);
  ok = jc_hq_ledger_ensure (store, error) && jc_hq_sql_exec (db, "BEGIN IMMEDIATE", error);
  if (ok)
    ok = jc_hq_sql_finish (db, refresh_locked (store, &n, error), error);
  jc_hq_store_unlock (store);
  if (ok && n_opened != NULL)
    *n_opened = n;
  return ok;
}

/* Change --------------------------------------------------------------------- */

typedef struct {
  JcHqLedgerStatus status;
  gint64           amount_fen;
  gint64           recovered_fen;
  char            *note;
  char            *evidence;   /* space-separated */
} Entry;

static void
entry_clear (Entry *e)
{
  g_free (e->note);
  g_free (e->evidence);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Entry, entry_clear)

static gboolean
load_entry (JcDb *db, gint64 id, Entry *e, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc;

  if (!jc_hq_sql_prepare (db, "SELECT status, amount_fen, recovered_fen, note, evidence FROM hq_ledger WHERE id = ?",
                          &stmt, error))
    return FALSE;
  jc_db_bind_int64 (stmt, 1, id);
  rc = jc_db_step (stmt);
  if (rc == JC_DB_ROW)
    {
      jc_hq_ledger_status_from_string ((const char *) jc_db_column_text (stmt, 0), &e->status, NULL);
      e->amount_fen = jc_db_column_int64 (stmt, 1);
      e->recovered_fen = jc_db_column_int64 (stmt, 2);
      e->note = g_strdup ((const char *) jc_db_column_text (stmt, 3));
      e->evidence = g_strdup ((const char *) jc_db_column_text (stmt, 4));
    }
  jc_db_finalize (stmt);
  if (rc == JC_DB_ROW)
    return TRUE;
  if (rc != JC_DB_DONE)
    return jc_hq_sql_error (db, "hq_ledger", error);
  g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_NOT_FOUND,
               _("Ledger: no entry %" PRId64), id);
  return FALSE;
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  g_autofree char *copy = g_strdup (text);

  return copy == NULL || *g_strstrip (copy) == '\0';
}

/* Checks @c against entry @e and writes the new values into it and @changes. */
static gboolean
check_change (gint64 id, Entry *e, const JcHqLedgerChange *c, JsonObject *changes, GError **error)
{
  JcHqLedgerStatus to = c->has_status ? c->status : e->status;

  if (is_blank (c->by))
    return invalid (error, _("Ledger: say who makes the change (--by NAME)"));
  if (transitions[e->status] == 0)
    {
      g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_TRANSITION,
                   _("Ledger entry %" PRId64 " is %s: a final status, nothing more can change"),
                   id, jc_hq_ledger_status_to_string (e->status));
      return FALSE;
    }
  if (c->has_status && c->status != e->status && (transitions[e->status] & BIT (c->status)) == 0)
    {
      g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_TRANSITION,
                   _("Ledger entry %" PRId64 ": cannot go from %s to %s"), id,
                   jc_hq_ledger_status_to_string (e->status), jc_hq_ledger_status_to_string (c->status));
      return FALSE;
    }
  if (c->deadline != NULL && !date_is_valid (c->deadline))
    {
      g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_INVALID,
                   _("Ledger: the deadline “%s” is not a date YYYY-MM-DD"), c->deadline);
      return FALSE;
    }
  if (c->has_recovered && c->recovered_fen > (guint64) e->amount_fen)
    return invalid (error, _("Ledger: the amount recovered is larger than the amount involved"));
  for (guint i = 0; c->evidence != NULL && c->evidence[i] != NULL; i++)
    if (!sha256_is_valid (c->evidence[i]))
      {
        g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_INVALID,
                     _("Ledger: the evidence “%s” is not a SHA-256 (64 lowercase hex digits)"), c->evidence[i]);
        return FALSE;
      }

  if (c->note != NULL)
    {
      g_free (e->note);
      e->note = g_strdup (c->note);
      json_object_set_string_member (changes, "note", c->note);
    }
  if (c->evidence != NULL && c->evidence[0] != NULL)
    {
      g_autoptr(JsonArray) added = json_array_new ();
      GString *all = g_string_new (e->evidence);

      for (guint i = 0; c->evidence[i] != NULL; i++)
        if (strstr (all->str, c->evidence[i]) == NULL)
          {
            g_string_append_printf (all, "%s%s", all->len > 0 ? " " : "", c->evidence[i]);
            json_array_add_string_element (added, c->evidence[i]);
          }
      g_free (e->evidence);
      e->evidence = g_string_free (all, FALSE);
      json_object_set_array_member (changes, "evidence", json_array_ref (added));
    }
  if (to == JC_HQ_LEDGER_RECTIFIED && to != e->status && *e->evidence == '\0' && *e->note == '\0')
    return invalid (error, _("Ledger: rectified needs its evidence: a note or a SHA-256 (--note, --evidence)"));
  if ((to == JC_HQ_LEDGER_POLICE || to == JC_HQ_LEDGER_DISCIPLINE) && to != e->status &&
      is_blank (c->note))
    return invalid (error, _("Ledger: a hand-over needs a note saying what was handed over and to whom (--note)"));
  if (c->has_status && c->status != e->status)
    {
      json_object_set_string_member (changes, "from", jc_hq_ledger_status_to_string (e->status));
      json_object_set_string_member (changes, "status", jc_hq_ledger_status_to_string (to));
    }
  e->status = to;
  if (c->has_recovered)
    {
      e->recovered_fen = (gint64) c->recovered_fen;
      json_object_set_int_member (changes, "recovered_fen", e->recovered_fen);
    }
  if (c->deadline != NULL)
    json_object_set_string_member (changes, "deadline", c->deadline);
  if (json_object_get_size (changes) == 0)
    return invalid (error, _("Ledger: nothing to change (--status, --note, --recovered, --deadline or --evidence)"));
  return TRUE;
}

static gboolean
apply_change (JcHqStore *store, gint64 id, const JcHqLedgerChange *c, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_auto(Entry) e = { 0 };
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *subject = subject_of (id);
  JcDbStmt *stmt = NULL;

  if (!load_entry (db, id, &e, error) || !check_change (id, &e, c, changes, error) ||
      !jc_hq_sql_prepare (db, "UPDATE hq_ledger SET status = ?, recovered_fen = ?, note = ?, evidence = ?, "
                              "deadline = coalesce (?, deadline), updated_at = ? WHERE id = ?", &stmt, error))
    return FALSE;
  jc_db_bind_text (stmt, 1, jc_hq_ledger_status_to_string (e.status), -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, e.recovered_fen);
  jc_db_bind_text (stmt, 3, e.note, -1, JC_DB_TRANSIENT);
  jc_db_bind_text (stmt, 4, e.evidence, -1, JC_DB_TRANSIENT);
  if (c->deadline != NULL)
    jc_db_bind_text (stmt, 5, c->deadline, -1, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  jc_db_bind_int64 (stmt, 7, id);
  return jc_hq_sql_run (db, stmt, "hq_ledger", error) &&
         jc_hq_history_append (store, subject, "set", c->by, changes, error);
}

gboolean
jc_hq_ledger_set (JcHqStore *store, gint64 id, const JcHqLedgerChange *change, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  gboolean ok;

  if (!jc_hq_ledger_refresh (store, NULL, error))
    return FALSE;
  jc_hq_store_lock (store);
  ok = jc_hq_sql_exec (db, "BEGIN IMMEDIATE", error);
  if (ok)
    ok = jc_hq_sql_finish (db, apply_change (store, id, change, error), error);
  jc_hq_store_unlock (store);
  return ok;
}

/* jc-hq-merge.c — HQ's verified merge of the devices' bundles */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-bundle.h"
#include "jc-core.h"
#include "jc-hq-merge.h"
#include "jc-signed-doc.h"

G_DEFINE_QUARK (jc-hq-merge-error-quark, jc_hq_merge_error)

struct _JcHqMerge
{
  JcHqStore    *store;
  JcEventlog   *log;
  guint         n_threads;
  gboolean      undo_each;  /* this pass undoes a refused event alone */
  /* during a pass, inspection id → whether another device has results in
   * it: only the pass's device writes meanwhile, so once asked is enough */
  GHashTable   *others;
};

static const char merge_schema[] =
  /* a bundle's pages stay in the cache until its COMMIT instead of
   * spilling to the WAL as it is merged (the default is 2 MiB) */
  "PRAGMA cache_size = -65536;"
  "CREATE TABLE IF NOT EXISTS hq_bundles ("
  "  id INTEGER PRIMARY KEY,"
  "  digest TEXT NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  received_at INTEGER NOT NULL,"
  "  source TEXT NOT NULL,"
  "  n_events INTEGER NOT NULL,"
  "  added INTEGER NOT NULL,"
  "  duplicates INTEGER NOT NULL,"
  "  held INTEGER NOT NULL,"
  "  rejected INTEGER NOT NULL);"
  /* The audit of everything refused, with the reason: nothing is dropped
   * silently. seq is NULL when the whole bundle was refused. */
  "CREATE TABLE IF NOT EXISTS hq_rejections ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER,"
  "  bundle TEXT,"
  "  source TEXT NOT NULL,"
  "  reason TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS hq_held ("
  "  device_id BLOB NOT NULL,"
  "  seq INTEGER NOT NULL,"
  "  encoded BLOB NOT NULL,"
  "  signature BLOB NOT NULL,"
  "  held_at INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, seq)) WITHOUT ROWID;"
  /* The order in which HQ first stored each event: with the device's time,
   * what decides which of two devices' changes to an item shows. */
  "CREATE TABLE IF NOT EXISTS hq_observed ("
  "  observed INTEGER PRIMARY KEY,"  /* rows are never deleted: the rowid only grows */
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER NOT NULL,"
  "  received_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS hq_conflicts ("
  "  id INTEGER PRIMARY KEY,"
  "  inspection_id TEXT NOT NULL,"
  "  code TEXT NOT NULL,"
  "  device_a TEXT NOT NULL,"
  "  seq_a INTEGER NOT NULL,"
  "  device_b TEXT NOT NULL,"
  "  seq_b INTEGER NOT NULL,"
  "  flagged_at INTEGER NOT NULL,"
  "  reviewed_at INTEGER);"
  "CREATE TABLE IF NOT EXISTS hq_blobs ("
  "  sha256 TEXT PRIMARY KEY,"
  "  size INTEGER NOT NULL,"
  "  media_type TEXT NOT NULL,"
  "  wrapped_key BLOB NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  first_seen INTEGER NOT NULL,"
  "  received INTEGER NOT NULL DEFAULT 0,"
  "  complete INTEGER NOT NULL DEFAULT 0);";

typedef struct {
  guint   added;
  guint   duplicates;
  guint   held;
  GArray *rejected_seq;      /* guint64 */
  GPtrArray *rejected_why;   /* char* */
} Outcome;

static void
outcome_init (Outcome *o)
{
  *o = (Outcome) { 0 };
  o->rejected_seq = g_array_new (FALSE, FALSE, sizeof (guint64));
  o->rejected_why = g_ptr_array_new_with_free_func (g_free);
}

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->rejected_seq, g_array_unref);
  g_clear_pointer (&o->rejected_why, g_ptr_array_unref);
}

static gboolean
db_fail (JcHqMerge *merge, const char *what, GError **error)
{
  g_set_error (error, JC_HQ_MERGE_ERROR, JC_HQ_MERGE_ERROR_DATABASE, _("HQ database: %s: %s"), what,
               jc_db_errmsg (jc_hq_store_get_db (merge->store)));
  return FALSE;
}

static gboolean
exec (JcHqMerge *merge, const char *sql, GError **error)
{
  if (jc_db_exec (jc_hq_store_get_db (merge->store), sql) != JC_DB_OK)
    return db_fail (merge, sql, error);
  return TRUE;
}

/* A fresh statement for @sql, or NULL with @error set. */
static JcDbStmt *
prepare (JcHqMerge *merge, const char *sql, GError **error)
{
  JcDbStmt *stmt = NULL;

  if (jc_db_prepare (jc_hq_store_get_db (merge->store), sql, -1, &stmt, NULL) != JC_DB_OK)
    {
      db_fail (merge, sql, error);
      return NULL;
    }
  return stmt;
}

static gboolean
step_done (JcHqMerge *merge, JcDbStmt *stmt, const char *what, GError **error)
{
  int rc = jc_db_step (stmt);

  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return db_fail (merge, what, error);
  return TRUE;
}

JcHqMerge *
jc_hq_merge_new (JcHqStore *store, GError **error)
{
  g_autoptr(JcHqMerge) merge = g_new0 (JcHqMerge, 1);

  merge->store = store;
  merge->n_threads = MAX (1, jc_core_get_n_cores ());
  merge->others = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  jc_hq_store_lock (store);
  if (exec (merge, merge_schema, error))
    {
      /* HQ's record is the events table; the audit summaries are the
       * devices' `log show`, and without them one thread merges at 0.71–0.73
       * of the raw verify rate instead of 0.53–0.66 (bench-sync). */
      merge->log = jc_eventlog_new_bare (jc_hq_store_get_db (store), error);
      if (merge->log != NULL &&
          (!jc_inspection_register_projections (merge->log, error) ||
           !jc_finding_register_projections (merge->log, error)))
        g_clear_pointer (&merge->log, jc_eventlog_free);
    }
  jc_hq_store_unlock (store);
  if (merge->log == NULL)
    return NULL;
  return g_steal_pointer (&merge);
}

void
jc_hq_merge_free (JcHqMerge *merge)
{
  if (merge == NULL)
    return;
  g_clear_pointer (&merge->log, jc_eventlog_free);
  g_clear_pointer (&merge->others, g_hash_table_unref);
  g_free (merge);
}

gboolean
jc_hq_merge_verify (JcHqMerge *merge, GError **error)
{
  gboolean ok;

  jc_hq_store_lock (merge->store);
  ok = jc_eventlog_verify (merge->log, error);
  jc_hq_store_unlock (merge->store);
  return ok;
}

void
jc_hq_merge_set_threads (JcHqMerge *merge, guint n_threads)
{
  merge->n_threads = MAX (1, n_threads);
}

/* Signatures, on every core ------------------------------------------------ */

#define VERIFY_RUN 64

/* The workers check the signatures while the merging thread stores the
 * events already checked: it waits for each event's verdict before it
 * touches the event, so nothing unverified is stored, and with one worker
 * the storing no longer adds to the time the signatures take. */
typedef struct {
  GPtrArray    *events;
  const guint8 *public_key;
  guint         n;            /* workers; worker t checks events t, t + n, …;
                               0: no worker, each event checked when its turn comes */
  guint         checked;      /* with no worker: events 0 … checked - 1 are */
  char        **why;          /* per event: NULL when it verified */
  GThread     **threads;
  gint         *done;         /* per worker: how many of its events are checked */
  gint         *wake_at;      /* per worker: signal cond when done reaches it (0: nobody waits) */
  gint          stop;         /* the merge gave up: the workers stop early */
  GMutex        lock;
  GCond         cond;
} Verify;

typedef struct {
  Verify *v;
  guint   first;
} VerifyJob;

static gpointer
verify_worker (gpointer data)
{
  VerifyJob *job = data;
  Verify *v = job->v;
  guint t = job->first;

  g_free (job);
  for (guint i = t; i < v->events->len && !g_atomic_int_get (&v->stop); i += v->n)
    {
      g_autoptr(GError) error = NULL;

      gint done, wake;

      if (!jc_event_verify (g_ptr_array_index (v->events, i), v->public_key, &error))
        v->why[i] = g_strdup (error->message);
      done = g_atomic_int_add (&v->done[t], 1) + 1;
      wake = g_atomic_int_get (&v->wake_at[t]);
      if (wake != 0 && done >= wake)
        {
          g_mutex_lock (&v->lock);
          g_cond_broadcast (&v->cond);
          g_mutex_unlock (&v->lock);
        }
    }
  return NULL;
}

static Verify *
verify_start (JcHqMerge *merge, GPtrArray *events, const guint8 public_key[32])
{
  Verify *v = g_new0 (Verify, 1);

  v->events = events;
  v->public_key = public_key;
  /* On a single processor a worker only adds its hand-overs to the same
   * work: the merging thread checks each event itself. */
  v->n = jc_core_get_n_cores () == 1 ? 0 : MIN (merge->n_threads, MAX (1, events->len / 64));
  v->why = g_new0 (char *, events->len);
  v->threads = g_new0 (GThread *, v->n);
  v->done = g_new0 (gint, v->n);
  v->wake_at = g_new0 (gint, v->n);
  g_mutex_init (&v->lock);
  g_cond_init (&v->cond);
  for (guint t = 0; t < v->n; t++)
    {
      VerifyJob *job = g_new (VerifyJob, 1);

      *job = (VerifyJob) { v, t };
      v->threads[t] = g_thread_new ("jc-verify", verify_worker, job);
    }
  return v;
}

/* Waits until event @i is checked; its reason for failing, or NULL. */
static const char *
verify_wait (Verify *v, guint i)
{
  guint t;
  gint *done;
  gint need;

  if (v->n == 0)
    {
      /* in order, and again when the bundle is merged a second time; a
       * run of events at a time, so that the verifying code and the
       * storing code each stay in the processor's caches */
      guint end = MIN (v->events->len, (i / VERIFY_RUN + 1) * VERIFY_RUN);

      for (; v->checked < end; v->checked++)
        {
          g_autoptr(GError) error = NULL;

          if (!jc_event_verify (g_ptr_array_index (v->events, v->checked), v->public_key, &error))
            v->why[v->checked] = g_strdup (error->message);
        }
      return v->why[i];
    }
  t = i % v->n;
  done = &v->done[t];
  need = (gint) (i / v->n) + 1;
  if (g_atomic_int_get (done) < need)
    {
      /* one wake-up for a run of events, not one for each */
      gint share = (gint) ((v->events->len - t + v->n - 1) / v->n);

      need = MIN (need + 255, share);
      g_mutex_lock (&v->lock);
      g_atomic_int_set (&v->wake_at[t], need);
      while (g_atomic_int_get (done) < need)
        g_cond_wait (&v->cond, &v->lock);
      g_atomic_int_set (&v->wake_at[t], 0);
      g_mutex_unlock (&v->lock);
    }
  return v->why[i];
}

static void
verify_finish (Verify *v)
{
  g_atomic_int_set (&v->stop, 1);
  for (guint t = 0; t < v->n; t++)
    g_thread_join (v->threads[t]);
  /* not g_strfreev(): the reasons are apart, with NULLs between them */
  for (guint i = 0; i < v->events->len; i++)
    g_free (v->why[i]);
  g_free (v->why);
  g_free (v->threads);
  g_free (v->done);
  g_free (v->wake_at);
  g_mutex_clear (&v->lock);
  g_cond_clear (&v->cond);
  g_free (v);
}

/* Records ------------------------------------------------------------------ */

static gboolean
record_rejection (JcHqMerge    *merge,
                  const char   *device_hex,
                  gint64        seq,
                  const char   *bundle_hex,
                  const char   *source,
                  const char   *reason,
                  GError      **error)
{
  JcDbStmt *stmt = prepare (merge, "INSERT INTO hq_rejections (at, device_id, seq, bundle, source, reason) "
                                       "VALUES (?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  jc_db_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
  jc_db_bind_text (stmt, 2, device_hex, -1, JC_DB_TRANSIENT);
  if (seq > 0)
    jc_db_bind_int64 (stmt, 3, seq);
  if (bundle_hex != NULL)
    jc_db_bind_text (stmt, 4, bundle_hex, -1, JC_DB_TRANSIENT);
  jc_db_bind_text (stmt, 5, source, -1, JC_DB_TRANSIENT);
  jc_db_bind_text (stmt, 6, reason, -1, JC_DB_TRANSIENT);
  return step_done (merge, stmt, _("recording a rejection"), error);
}

static gboolean
hold (JcHqMerge *merge, const JcEvent *event, GError **error)
{
  gsize len;
  const guint8 *encoded = jc_event_get_encoded (event, &len);
  JcDbStmt *stmt = prepare (merge, "INSERT INTO hq_held (device_id, seq, encoded, signature, held_at) "
                                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", error);

  if (stmt == NULL)
    return FALSE;
  jc_db_bind_blob (stmt, 1, jc_event_get_device_id (event), 16, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, (gint64) jc_event_get_seq (event));
  jc_db_bind_blob (stmt, 3, encoded, len, JC_DB_STATIC);
  jc_db_bind_blob (stmt, 4, jc_event_get_signature (event), 64, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  return step_done (merge, stmt, _("holding an event"), error);
}

/* The order in which HQ stored events first: those of a pass are the
 * chain's new stretch (@from, @to], stored in the order of their seq, so
 * one statement records them all. */
static gboolean
observe (JcHqMerge *merge, const char *device_hex, guint64 from, guint64 to, GError **error)
{
  JcDbStmt *stmt;

  if (to <= from)
    return TRUE;
  stmt = prepare (merge, "WITH RECURSIVE s (seq) AS (SELECT CAST (?2 AS BIGINT) UNION ALL "
                         "SELECT seq + 1 FROM s WHERE seq < CAST (?3 AS BIGINT)) "
                         "INSERT INTO hq_observed (device_id, seq, received_at) SELECT ?1, seq, ?4 FROM s ORDER BY seq",
                  error);
  if (stmt == NULL)
    return FALSE;
  jc_db_bind_text (stmt, 1, device_hex, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, (gint64) from + 1);
  jc_db_bind_int64 (stmt, 3, (gint64) to);
  jc_db_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  return step_done (merge, stmt, _("recording the order of arrival"), error);
}

/* Before an item change is applied: another device's change to the same
 * item that shows now. */
typedef struct {
  const char *inspection;  /* the item, from the event's body */
  const char *code;
  char       *device;      /* NULL: none shows, or it is the same device's */
  gint64      seq;
} Shown;

/* Whether a device other than @event's has results in @inspection: if
 * none has, no change there can conflict (most inspections' items are
 * recorded on one device). */
static gboolean
others_in (JcHqMerge *merge, const JcEvent *event, const char *inspection, gboolean *out, GError **error)
{
  gpointer known;
  JcDbStmt *stmt;
  int rc;

  if (g_hash_table_lookup_extended (merge->others, inspection, NULL, &known))
    {
      *out = GPOINTER_TO_INT (known);
      return TRUE;
    }
  stmt = prepare (merge, "SELECT 1 FROM item_results WHERE inspection_id = ? AND device_id <> ? LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  jc_db_bind_text (stmt, 1, inspection, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 2, jc_event_get_device_id_hex (event), -1, JC_DB_STATIC);
  rc = jc_db_step (stmt);
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return db_fail (merge, _("looking up an item's results"), error);
  *out = rc == JC_DB_ROW;
  g_hash_table_insert (merge->others, g_strdup (inspection), GINT_TO_POINTER (*out));
  return TRUE;
}

static gboolean
shown_change (JcHqMerge *merge, const JcEvent *event, Shown *shown, GError **error)
{
  gboolean others = FALSE;
  JcDbStmt *stmt;
  int rc;

  if (g_strcmp0 (jc_event_get_kind (event), "inspection.item.set") != 0)
    return TRUE;
  shown->inspection = jc_event_get_body_string (event, "inspection");
  shown->code = jc_event_get_body_string (event, "code");
  if (shown->inspection == NULL || shown->code == NULL)
    return TRUE;
  if (!others_in (merge, event, shown->inspection, &others, error))
    return FALSE;
  if (!others)
    return TRUE;
  stmt = prepare (merge, "SELECT device_id, seq FROM item_results WHERE inspection_id = ? AND code = ?", error);
  if (stmt == NULL)
    return FALSE;
  jc_db_bind_text (stmt, 1, shown->inspection, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 2, shown->code, -1, JC_DB_STATIC);
  rc = jc_db_step (stmt);
  if (rc == JC_DB_ROW &&
      g_strcmp0 ((const char *) jc_db_column_text (stmt, 0), jc_event_get_device_id_hex (event)) != 0)
    {
      shown->device = g_strdup ((const char *) jc_db_column_text (stmt, 0));
      shown->seq = jc_db_column_int64 (stmt, 1);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return db_fail (merge, _("looking up an item's results"), error);
  return TRUE;
}

/* Both changes stay in the log; the pair is flagged for review. */
static gboolean
flag_conflict (JcHqMerge *merge, const JcEvent *event, const Shown *shown, GError **error)
{
  JcDbStmt *stmt = prepare (merge, "INSERT INTO hq_conflicts (inspection_id, code, device_a, seq_a, device_b, "
                                   "seq_b, flagged_at) VALUES (?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  jc_db_bind_text (stmt, 1, shown->inspection, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 2, shown->code, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 3, shown->device, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 4, shown->seq);
  jc_db_bind_text (stmt, 5, jc_event_get_device_id_hex (event), -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 6, (gint64) jc_event_get_seq (event));
  jc_db_bind_int64 (stmt, 7, g_get_real_time () / G_USEC_PER_SEC);
  return step_done (merge, stmt, _("flagging a conflict"), error);
}

/* One verified event: stored, a duplicate, held, or rejected (reason in
 * *@why). Only database failures return FALSE, and a projection's refusal
 * in a bare pass; then the caller rolls the whole bundle back: what was
 * stored of the event goes with it. */
static gboolean
merge_event (JcHqMerge    *merge,
             JcEvent      *event,
             const guint8  public_key[32],
             Outcome      *o,
             char        **why,
             GError      **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *shown_device = NULL;  /* owns shown.device */
  Shown shown = { 0 };
  gboolean added = FALSE;

  if (!shown_change (merge, event, &shown, error))
    return FALSE;
  shown_device = shown.device;
  if (!jc_eventlog_insert_event (merge->log, event, public_key, &added, &local))
    {
      if (g_error_matches (local, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_GAP))
        {
          o->held++;
          return hold (merge, event, error);
        }
      /* bare, a refused event may have left rows: the pass is undone */
      if (g_error_matches (local, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_DATABASE) ||
          (!merge->undo_each && g_error_matches (local, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION)))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      *why = g_strdup (local->message);
      return TRUE;
    }
  /* a duplicate changes nothing: its conflict, if any, was flagged when it came first */
  if (added && shown.device != NULL && !flag_conflict (merge, event, &shown, error))
    return FALSE;
  if (added)
    o->added++;
  else
    o->duplicates++;
  return TRUE;
}

static gboolean
reject (JcHqMerge *merge, Outcome *o, const JcEvent *event, const char *why,
        const char *bundle_hex, const char *source, GError **error)
{
  guint64 seq = jc_event_get_seq (event);
  char *reason = g_strdup (why);

  g_array_append_val (o->rejected_seq, seq);
  g_ptr_array_add (o->rejected_why, reason);
  return record_rejection (merge, jc_event_get_device_id_hex (event), (gint64) seq, bundle_hex, source, why, error);
}

/* Events held after a gap that the new head now reaches. */
static gboolean
release_held (JcHqMerge *merge, const guint8 device_id[16], const guint8 public_key[32],
              Outcome *o, const char *bundle_hex, const char *source, GError **error)
{
  for (;;)
    {
      g_autoptr(JcEvent) event = NULL;
      g_autoptr(GError) local = NULL;
      g_autofree char *why = NULL;
      guint64 head = 0;
      guint8 head_hash[32];
      JcDbStmt *stmt;
      int rc;

      if (!jc_eventlog_get_head (merge->log, device_id, &head, head_hash, error))
        return FALSE;
      stmt = prepare (merge, "DELETE FROM hq_held WHERE device_id = ? AND seq <= ?", error);
      if (stmt == NULL)
        return FALSE;
      jc_db_bind_blob (stmt, 1, device_id, 16, JC_DB_STATIC);
      jc_db_bind_int64 (stmt, 2, (gint64) head);
      if (!step_done (merge, stmt, _("releasing held events"), error))
        return FALSE;
      stmt = prepare (merge, "SELECT encoded, signature FROM hq_held WHERE device_id = ? AND seq = ?", error);
      if (stmt == NULL)
        return FALSE;
      jc_db_bind_blob (stmt, 1, device_id, 16, JC_DB_STATIC);
      jc_db_bind_int64 (stmt, 2, (gint64) head + 1);
      rc = jc_db_step (stmt);
      if (rc == JC_DB_ROW)
        {
          event = jc_event_decode (jc_db_column_blob (stmt, 0), jc_db_column_bytes (stmt, 0), &local);
          if (event != NULL &&
              !jc_event_set_signature (event, jc_db_column_blob (stmt, 1), jc_db_column_bytes (stmt, 1), &local))
            g_clear_pointer (&event, jc_event_unref);
        }
      jc_db_finalize (stmt);
      if (rc == JC_DB_DONE)
        return TRUE;
      if (rc != JC_DB_ROW)
        return db_fail (merge, _("reading held events"), error);
      if (event == NULL)
        return record_rejection (merge, "?", (gint64) head + 1, bundle_hex, source, local->message, error);
      /* merge_event counts it as held again if it still does not fit */
      if (!merge_event (merge, event, public_key, o, &why, error))
        return FALSE;
      if (why != NULL)
        {
          stmt = prepare (merge, "DELETE FROM hq_held WHERE device_id = ? AND seq = ?", error);
          if (stmt == NULL)
            return FALSE;
          jc_db_bind_blob (stmt, 1, device_id, 16, JC_DB_STATIC);
          jc_db_bind_int64 (stmt, 2, (gint64) head + 1);
          return step_done (merge, stmt, _("releasing held events"), error) &&
                 reject (merge, o, event, why, bundle_hex, source, error);
        }
    }
}

static gboolean
store_blob (JcHqMerge *merge, const JcBundleBlob *blob, const char *device_hex, GError **error)
{
  guint8 wrapped[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32];
  g_autofree char *hash_hex = jc_device_hex (blob->sha256, 32);
  JcDbStmt *stmt;

  randombytes_buf (wrapped, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy (wrapped + crypto_secretbox_NONCEBYTES, blob->key, 32, wrapped,
                         jc_hq_store_get_storage_key (merge->store));
  /* A blob announced again (by the same or another device) keeps the key
   * its upload started with; one that never started takes the new key. */
  stmt = prepare (merge, "INSERT INTO hq_blobs (sha256, size, media_type, wrapped_key, device_id, first_seen) "
                         "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
                         "wrapped_key = excluded.wrapped_key, device_id = excluded.device_id, size = excluded.size "
                         "WHERE hq_blobs.received = 0 AND hq_blobs.complete = 0", error);
  if (stmt == NULL)
    return FALSE;
  jc_db_bind_text (stmt, 1, hash_hex, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, (gint64) blob->size);
  jc_db_bind_text (stmt, 3, blob->media_type, -1, JC_DB_STATIC);
  jc_db_bind_blob (stmt, 4, wrapped, sizeof wrapped, JC_DB_STATIC);
  jc_db_bind_text (stmt, 5, device_hex, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  return step_done (merge, stmt, _("storing an evidence manifest"), error);
}

static void
add_blob_states (JcHqMerge *merge, JsonBuilder *b, JcBundle *bundle)
{
  json_builder_set_member_name (b, "blobs");
  json_builder_begin_array (b);
  for (guint i = 0; i < bundle->blobs->len; i++)
    {
      JcBundleBlob *blob = g_ptr_array_index (bundle->blobs, i);
      g_autofree char *hash_hex = jc_device_hex (blob->sha256, 32);
      JcDbStmt *stmt = prepare (merge, "SELECT received, complete FROM hq_blobs WHERE sha256 = ?", NULL);

      if (stmt == NULL)
        continue;
      jc_db_bind_text (stmt, 1, hash_hex, -1, JC_DB_STATIC);
      if (jc_db_step (stmt) == JC_DB_ROW)
        {
          json_builder_begin_object (b);
          jc_json_builder_add_string (b, "sha256", hash_hex);
          jc_json_builder_add_int (b, "received", jc_db_column_int64 (stmt, 0));
          json_builder_set_member_name (b, "complete");
          json_builder_add_boolean_value (b, jc_db_column_int (stmt, 1) != 0);
          json_builder_end_object (b);
        }
      jc_db_finalize (stmt);
    }
  json_builder_end_array (b);
}

static char *
make_receipt (JcHqMerge *merge, JcBundle *bundle, const char *bundle_hex, Outcome *o, guint64 head,
              const guint8 head_hash[32])
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *head_hex = head > 0 ? jc_device_hex (head_hash, 32) : g_strdup ("");

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "type", "receipt");
  jc_json_builder_add_int (b, "version", 1);
  jc_json_builder_add_string (b, "bundle", bundle_hex);
  jc_json_builder_add_string (b, "device", bundle->device_hex);
  jc_json_builder_add_int (b, "events", bundle->events->len);
  jc_json_builder_add_int (b, "acked_seq", (gint64) head);
  jc_json_builder_add_string (b, "acked_hash", head_hex);
  jc_json_builder_add_int (b, "added", o->added);
  jc_json_builder_add_int (b, "duplicates", o->duplicates);
  jc_json_builder_add_int (b, "held", o->held);
  json_builder_set_member_name (b, "rejected");
  json_builder_begin_array (b);
  for (guint i = 0; i < o->rejected_seq->len; i++)
    {
      json_builder_begin_object (b);
      jc_json_builder_add_int (b, "seq", (gint64) g_array_index (o->rejected_seq, guint64, i));
      jc_json_builder_add_string (b, "reason", g_ptr_array_index (o->rejected_why, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_blob_states (merge, b, bundle);
  jc_json_builder_add_int (b, "hq_time", g_get_real_time () / G_USEC_PER_SEC);
  json_builder_end_object (b);
  return jc_signed_doc_wrap (jc_hq_store_get_secret_key (merge->store),
                             jc_hq_store_get_public_key (merge->store), b);
}

static gboolean
bundle_key (const guint8 device_id[16], guint8 public_key[32], gpointer user_data, GError **error)
{
  JcHqMerge *merge = user_data;
  g_autoptr(GError) local = NULL;
  gboolean ok;

  jc_hq_store_lock (merge->store);
  ok = jc_hq_store_device_key (merge->store, device_id, public_key, &local);
  jc_hq_store_unlock (merge->store);
  if (!ok)
    g_set_error_literal (error, JC_BUNDLE_ERROR,
                         g_error_matches (local, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO)
                           ? JC_BUNDLE_ERROR_MALFORMED : JC_BUNDLE_ERROR_UNKNOWN_DEVICE,
                         local->message);
  return ok;
}

static void
record_refused_bundle (JcHqMerge *merge, GBytes *sealed, const char *device_hex,
                       const char *source, const GError *why)
{
  g_autofree char *digest_hex = NULL;
  guint8 digest[32];

  jc_bundle_digest (sealed, digest);
  digest_hex = jc_device_hex (digest, 32);
  jc_hq_store_lock (merge->store);
  if (!record_rejection (merge, device_hex[0] != '\0' ? device_hex : "?", 0, digest_hex, source,
                         why->message, NULL))
    g_warning ("could not record the refusal of bundle %s: %s", digest_hex,
               jc_db_errmsg (jc_hq_store_get_db (merge->store)));
  jc_hq_store_unlock (merge->store);
}

/* One pass over @bundle's events in one transaction, committed or rolled
 * back whole. Bare (merge->undo_each FALSE), an event a projection refuses
 * fails the pass with JC_EVENTLOG_ERROR_PROJECTION. */
static gboolean
merge_pass (JcHqMerge   *merge,
            JcBundle    *bundle,
            Verify      *verify,
            const char  *bundle_hex,
            const char  *source,
            Outcome     *o,
            guint64     *head,
            guint8       head_hash[32],
            GError     **error)
{
  const guint8 *public_key = bundle->public_key;
  guint64 first_head;
  JcDbStmt *stmt;

  if (!exec (merge, "BEGIN IMMEDIATE", error))
    return FALSE;
  g_hash_table_remove_all (merge->others);
  if (!jc_eventlog_get_head (merge->log, bundle->device_id, &first_head, NULL, error))
    goto rollback;
  /* a failure after an event is stored fails the whole bundle */
  jc_eventlog_begin_run (merge->log, merge->undo_each);
  for (guint i = 0; i < bundle->events->len; i++)
    {
      JcEvent *event = g_ptr_array_index (bundle->events, i);
      const char *failed = verify_wait (verify, i);
      g_autofree char *reason = NULL;

      if (failed != NULL)
        reason = g_strdup (failed);
      else if (!merge_event (merge, event, public_key, o, &reason, error))
        goto rollback;
      if (reason != NULL && !reject (merge, o, event, reason, bundle_hex, source, error))
        goto rollback;
    }
  if (!release_held (merge, bundle->device_id, public_key, o, bundle_hex, source, error))
    goto rollback;
  for (guint i = 0; i < bundle->blobs->len; i++)
    if (!store_blob (merge, g_ptr_array_index (bundle->blobs, i), bundle->device_hex, error))
      goto rollback;
  if (!jc_eventlog_get_head (merge->log, bundle->device_id, head, head_hash, error) ||
      !observe (merge, bundle->device_hex, first_head, *head, error))
    goto rollback;

  stmt = prepare (merge, "INSERT INTO hq_bundles (digest, device_id, received_at, source, n_events, added, "
                         "duplicates, held, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  jc_db_bind_text (stmt, 1, bundle_hex, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 2, bundle->device_hex, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  jc_db_bind_text (stmt, 4, source, -1, JC_DB_STATIC);
  jc_db_bind_int (stmt, 5, (int) bundle->events->len);
  jc_db_bind_int (stmt, 6, (int) o->added);
  jc_db_bind_int (stmt, 7, (int) o->duplicates);
  jc_db_bind_int (stmt, 8, (int) o->held);
  jc_db_bind_int (stmt, 9, (int) o->rejected_seq->len);
  jc_eventlog_end_run (merge->log);
  if (step_done (merge, stmt, _("recording the bundle"), error) && exec (merge, "COMMIT", error))
    return TRUE;

rollback:
  jc_eventlog_end_run (merge->log);
  exec (merge, "ROLLBACK", NULL);
  return FALSE;
}

char *
jc_hq_merge_bundle (JcHqMerge   *merge,
                    GBytes      *sealed,
                    const char  *source,
                    GError     **error)
{
  g_autoptr(JcBundle) bundle = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *bundle_hex = NULL;
  Verify *verify = NULL;
  Outcome o = { 0 };
  guint64 head = 0;
  guint8 head_hash[32];
  char device_hex[33] = "";
  char *receipt = NULL;

  bundle = jc_bundle_open (sealed, jc_hq_store_get_public_key (merge->store),
                           jc_hq_store_get_secret_key (merge->store), bundle_key, merge, device_hex, &local);
  if (bundle == NULL)
    {
      record_refused_bundle (merge, sealed, device_hex, source, local);
      g_set_error (error, JC_HQ_MERGE_ERROR,
                   g_error_matches (local, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_UNKNOWN_DEVICE)
                     ? JC_HQ_MERGE_ERROR_FORBIDDEN : JC_HQ_MERGE_ERROR_REJECTED,
                   "%s", local->message);
      return NULL;
    }
  bundle_hex = jc_device_hex (bundle->digest, 32);
  verify = verify_start (merge, bundle->events, bundle->public_key);

  jc_hq_store_lock (merge->store);
  /* Without a savepoint around each event, a merge takes a twentieth less
   * time (bench-sync); a bundle with an event a projection refuses, which
   * then may have left rows behind, is merged again with them. */
  for (merge->undo_each = FALSE;; merge->undo_each = TRUE)
    {
      gboolean again;

      outcome_clear (&o);
      outcome_init (&o);
      if (merge_pass (merge, bundle, verify, bundle_hex, source, &o, &head, head_hash, &local))
        {
          receipt = make_receipt (merge, bundle, bundle_hex, &o, head, head_hash);
          break;
        }
      again = !merge->undo_each && g_error_matches (local, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION);
      if (!again)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          break;
        }
      g_clear_error (&local);
    }
  jc_hq_store_unlock (merge->store);
  verify_finish (verify);
  outcome_clear (&o);
  return receipt;
}

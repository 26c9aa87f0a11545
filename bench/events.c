/* events.c — bench-events: what the signed event log costs over its crypto
 *
 * Baselines, measured side by side in the same run: raw Ed25519 signing
 * (crypto_sign_detached) and raw verifying (crypto_sign_verify_detached) of
 * messages the size of a real event. The event log is then timed on a
 * plain SQLite file (WAL, synchronous=NORMAL: the encrypted VFS is
 * bench-vault's business) for 10 000 events:
 *   append + sign, in transactions of 10 000, of 100 and of 1;
 *   verify of the whole log; insert_foreign of the whole log into a second
 *   database (HQ's merge path: decode + verify + chain check + insert).
 * Each line prints its rate and the ratio to the matching baseline
 * (1.00 = as fast as the bare signature).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "jc-core.h"

#define N_EVENTS 10000

/* Process CPU time (user + system), not wall time: the build machine is
 * shared, and a ratio of CPU times does not move with the neighbours' load.
 * The system part keeps SQLite's writes in the count. */
static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best of three passes: the baseline is the bare crypto at its fastest. */
static void
measure_baselines (const guint8 *msgs,
                   gsize         msg_len,
                   guint8       *sigs,
                   const guint8 *pk,
                   const guint8 *sk,
                   double       *sign_rate,
                   double       *verify_rate)
{
  for (guint pass = 0; pass < 3; pass++)
    {
      double t = now_s ();

      for (guint i = 0; i < N_EVENTS; i++)
        crypto_sign_detached (sigs + i * 64, NULL, msgs + i * msg_len, msg_len, sk);
      *sign_rate = MAX (*sign_rate, N_EVENTS / (now_s () - t));
      t = now_s ();
      for (guint i = 0; i < N_EVENTS; i++)
        if (crypto_sign_verify_detached (sigs + i * 64, msgs + i * msg_len, msg_len, pk) != 0)
          g_error ("baseline verify failed");
      *verify_rate = MAX (*verify_rate, N_EVENTS / (now_s () - t));
    }
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  /* 64 MB of page cache: with SQLite's default 2 MB a 10 000-event
   * transaction spills dirty pages to the WAL half-way and runs at half
   * speed; the vault picks its own size. */
  if (sqlite3_open (path, &db) != SQLITE_OK ||
      sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
                    NULL, NULL, NULL) != SQLITE_OK)
    g_error ("open %s: %s", path, sqlite3_errmsg (db));
  return db;
}

static char *
body_for (guint i)
{
  return g_strdup_printf ("{\"inspection\":\"4f0c2a9e-%08x\",\"item\":\"h21.2.%u.%u\",\"status\":\"%s\","
                          "\"amount_fen\":%u,\"note\":\"超标准收费，第%u项\"}",
                          i / 50, i % 7, i % 11, i % 3 ? "pass" : "fail", i * 37 % 100000, i);
}

/* Appends @n events in transactions of @batch (1: each append commits). */
static double
time_appends (JcEventlog     *log,
              const JcDevice *device,
              guint           n,
              guint           batch)
{
  g_autoptr(GError) error = NULL;
  double t0 = now_s ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = body_for (i);

      if (batch > 1 && i % batch == 0 && !jc_eventlog_begin (log, &error))
        g_error ("%s", error->message);
      if (!jc_eventlog_append (log, device, "张三", i % 9 ? "item.set" : "inspection.note", body,
                               NULL, &error))
        g_error ("%s", error->message);
      if (batch > 1 && (i % batch == batch - 1 || i == n - 1) && !jc_eventlog_commit (log, &error))
        g_error ("%s", error->message);
    }
  return now_s () - t0;
}

static gboolean
collect (const JcEvent  *event,
         gpointer        user_data,
         GError        **error)
{
  g_ptr_array_add (user_data, jc_event_ref ((JcEvent *) event));
  return TRUE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcDevice) device = NULL;
  g_autoptr(JcEventlog) log = NULL;
  g_autoptr(JcEventlog) hq = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_event_unref);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *path_hq = NULL;
  g_autofree char *path_1 = NULL;
  guint8 pk[32], sk[64];
  guint8 *msgs, *sigs;
  gsize msg_len;
  double t, sign_rate = 0, verify_rate = 0;
  sqlite3 *db, *db_hq, *db_1;
  JcDb *jdb, *jdb_hq, *jdb_1;  /* the same connections, for the event log */

  if (!jc_core_init (&error))
    g_error ("%s", error->message);
  dir = g_dir_make_tmp ("bench-events-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "events.db", NULL);
  path_hq = g_build_filename (dir, "hq.db", NULL);
  path_1 = g_build_filename (dir, "single.db", NULL);

  device = jc_device_new_random (&error);
  crypto_sign_keypair (pk, sk);
  {
    /* baseline messages: real encodings of the same size */
    g_autofree char *body = body_for (1234);
    g_autoptr(JcEvent) sample = jc_event_new (jc_device_get_id (device), 1234, pk, g_get_real_time (),
                                              g_get_monotonic_time (), 0, "张三", "item.set", body,
                                              &error);

    jc_event_get_encoded (sample, &msg_len);
  }
  msgs = g_malloc (msg_len * N_EVENTS);
  sigs = g_malloc (64 * N_EVENTS);
  randombytes_buf (msgs, msg_len * N_EVENTS);

  g_print ("bench-events: %d events of %zu bytes, libsodium %s, SQLite %s (plain file, WAL, "
           "synchronous=NORMAL)\n", N_EVENTS, msg_len, sodium_version_string (), sqlite3_libversion ());

  measure_baselines (msgs, msg_len, sigs, pk, sk, &sign_rate, &verify_rate);

  g_print ("baseline crypto_sign_detached:          %8.0f /s  (CPU time; best of 3)\n", sign_rate);
  g_print ("baseline crypto_sign_verify_detached:    %8.0f /s\n", verify_rate);

  /* append, one transaction of 10 000 */
  db = open_db (path);
  jdb = jc_db_new_sqlite (db, FALSE);
  log = jc_eventlog_new (jdb, &error);
  if (log == NULL)
    g_error ("%s", error->message);
  t = time_appends (log, device, N_EVENTS, N_EVENTS);
  g_print ("append+sign, 1 txn of %d:          %8.0f /s  = %.2f x sign rate\n",
           N_EVENTS, N_EVENTS / t, (N_EVENTS / t) / sign_rate);

  /* transactions of 100, on the same log (its chain goes on) */
  t = time_appends (log, device, N_EVENTS, 100);
  g_print ("append+sign, txns of 100:              %8.0f /s  = %.2f x sign rate\n",
           N_EVENTS / t, (N_EVENTS / t) / sign_rate);

  /* each append its own transaction (a separate file, so sizes compare) */
  {
    g_autoptr(JcEventlog) log_1 = NULL;

    db_1 = open_db (path_1);
    jdb_1 = jc_db_new_sqlite (db_1, FALSE);
    log_1 = jc_eventlog_new (jdb_1, &error);
    t = time_appends (log_1, device, N_EVENTS, 1);
    g_print ("append+sign, 1 txn per event:          %8.0f /s  = %.2f x sign rate\n",
             N_EVENTS / t, (N_EVENTS / t) / sign_rate);
  }
  jc_db_free (jdb_1);
  sqlite3_close (db_1);

  /* verify: 20 000 events now */
  t = now_s ();
  if (!jc_eventlog_verify (log, &error))
    g_error ("%s", error->message);
  t = now_s () - t;
  g_print ("verify whole log (%d events):        %8.0f /s  = %.2f x verify rate\n",
           2 * N_EVENTS, 2 * N_EVENTS / t, (2 * N_EVENTS / t) / verify_rate);

  /* where verify time goes: decoding alone (CBOR + JSON + SHA-256) */
  if (!jc_eventlog_foreach (log, NULL, 0, collect, events, &error))
    g_error ("%s", error->message);
  t = now_s ();
  for (guint i = 0; i < events->len; i++)
    {
      gsize len;
      const guint8 *encoded = jc_event_get_encoded (events->pdata[i], &len);
      g_autoptr(JcEvent) back = jc_event_decode (encoded, len, &error);

      if (back == NULL)
        g_error ("%s", error->message);
    }
  t = now_s () - t;
  g_print ("  of which decode alone:               %8.0f /s  = %.2f x verify rate\n",
           events->len / t, (events->len / t) / verify_rate);

  /* HQ's merge path: every event decoded, verified, chained and stored */
  db_hq = open_db (path_hq);
  jdb_hq = jc_db_new_sqlite (db_hq, FALSE);
  hq = jc_eventlog_new (jdb_hq, &error);
  t = now_s ();
  if (!jc_eventlog_begin (hq, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < events->len; i++)
    {
      gsize len;
      const guint8 *encoded = jc_event_get_encoded (events->pdata[i], &len);

      if (!jc_eventlog_insert_foreign (hq, encoded, len, jc_event_get_signature (events->pdata[i]), 64,
                                       jc_device_get_public_key (device), NULL, &error))
        g_error ("%s", error->message);
    }
  if (!jc_eventlog_commit (hq, &error))
    g_error ("%s", error->message);
  t = now_s () - t;
  g_print ("insert_foreign (1 txn, %u events):   %8.0f /s  = %.2f x verify rate\n",
           events->len, events->len / t, (events->len / t) / verify_rate);

  /* HQ with worker threads would decode + verify in parallel and store
   * serially: time that serial part alone (events verified beforehand) */
  {
    g_autoptr(JcEventlog) hq2 = NULL;
    g_autofree char *path_hq2 = g_build_filename (dir, "hq2.db", NULL);
    sqlite3 *db_hq2 = open_db (path_hq2);
    JcDb *jdb_hq2 = jc_db_new_sqlite (db_hq2, FALSE);
    const guint8 *pk_device = jc_device_get_public_key (device);

    hq2 = jc_eventlog_new (jdb_hq2, &error);
    for (guint i = 0; i < events->len; i++)
      if (!jc_event_verify (events->pdata[i], pk_device, &error))
        g_error ("%s", error->message);
    t = now_s ();
    if (!jc_eventlog_begin (hq2, &error))
      g_error ("%s", error->message);
    for (guint i = 0; i < events->len; i++)
      if (!jc_eventlog_insert_event (hq2, events->pdata[i], pk_device, NULL, &error))
        g_error ("%s", error->message);
    if (!jc_eventlog_commit (hq2, &error))
      g_error ("%s", error->message);
    t = now_s () - t;
    g_print ("  serial part (pre-verified events):   %8.0f /s  = %.2f x verify rate\n",
             events->len / t, (events->len / t) / verify_rate);
    g_clear_pointer (&hq2, jc_eventlog_free);
    jc_db_free (jdb_hq2);
    sqlite3_close (db_hq2);
    for (guint i = 0; i < 3; i++)
      {
        static const char *suffixes[] = { "", "-wal", "-shm" };
        g_autofree char *a = g_strconcat (path_hq2, suffixes[i], NULL);

        g_unlink (a);
      }
  }

  /* what SQLite alone costs for a commit per event: the same rows, bare */
  {
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_exec (db_hq, "CREATE TABLE bare (device_id BLOB, seq INTEGER, encoded BLOB, "
                             "signature BLOB, PRIMARY KEY (device_id, seq))", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2 (db_hq, "INSERT INTO bare VALUES (?1, ?2, ?3, ?4)", -1, &stmt, NULL) != SQLITE_OK)
      g_error ("%s", sqlite3_errmsg (db_hq));
    t = now_s ();
    for (guint i = 0; i < N_EVENTS; i++)
      {
        gsize len;
        const guint8 *encoded = jc_event_get_encoded (events->pdata[i], &len);

        sqlite3_bind_blob (stmt, 1, jc_event_get_device_id (events->pdata[i]), 16, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, jc_event_get_seq (events->pdata[i]));
        sqlite3_bind_blob (stmt, 3, encoded, len, SQLITE_STATIC);
        sqlite3_bind_blob (stmt, 4, jc_event_get_signature (events->pdata[i]), 64, SQLITE_STATIC);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          g_error ("%s", sqlite3_errmsg (db_hq));
        sqlite3_reset (stmt);
      }
    t = now_s () - t;
    sqlite3_finalize (stmt);
    g_print ("  context: bare INSERT, 1 txn per row:  %8.0f /s  = %.2f x sign rate\n",
             N_EVENTS / t, (N_EVENTS / t) / sign_rate);
  }

  /* the baseline again, after the run: if the two differ much, the
   * machine's speed changed under the run and the ratios are suspect */
  {
    double sign2 = 0, verify2 = 0;

    measure_baselines (msgs, msg_len, sigs, pk, sk, &sign2, &verify2);
    g_print ("baseline again after the run:  sign %.0f /s (%.2f x), verify %.0f /s (%.2f x)\n",
             sign2, sign2 / sign_rate, verify2, verify2 / verify_rate);
  }
  g_free (msgs);
  g_free (sigs);

  g_clear_pointer (&hq, jc_eventlog_free);
  g_clear_pointer (&log, jc_eventlog_free);
  g_clear_pointer (&events, g_ptr_array_unref);
  jc_db_free (jdb_hq);
  jc_db_free (jdb);
  sqlite3_close (db_hq);
  sqlite3_close (db);
  for (guint i = 0; i < 3; i++)
    {
      static const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *a = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *b = g_strconcat (path_hq, suffixes[i], NULL);
      g_autofree char *c = g_strconcat (path_1, suffixes[i], NULL);

      g_unlink (a);
      g_unlink (b);
      g_unlink (c);
    }
  g_rmdir (dir);
  return 0;
}

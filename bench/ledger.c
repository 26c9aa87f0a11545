/* ledger.c — bench-ledger: HQ's problem ledger and reports over 1 million events
 *
 * An HQ database with 1 000 000 events and
 * the projections such a history holds: 50 000 inspections of 5 000
 * institutions in 10 counties, 20 events each (the inspection, 15 items, 2
 * findings sealed and answered), so 100 000 findings, 90 % of them
 * confirmed or refused (ledger entries) and 10 % disputed (objections).
 * Measured against the baseline of a plain SELECT count(*) FROM events on
 * the same database in the same run:
 *   - the first refresh, which opens every entry and objection with its
 *     signed history row (one Ed25519 signature each);
 *   - a refresh with nothing new (what every query pays);
 *   - the ledger query: a page of 50 (what the dashboard shows), every
 *     entry, one county, the overdue ones;
 *   - the reports by county and by item (JSON), and as XLSX and PDF;
 *   - the check of every history signature.
 * Once on SQLite (hq.db) and once on PostgreSQL (when run under
 * tests/with-postgresql), each against its own count(*).
 * Prints medians and ratios, never a bare time alone.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "jc-bench.h"
#include "jc-core.h"
#include "jc-hq-directory.h"
#include "jc-hq-history.h"
#include "jc-hq-ledger.h"
#include "jc-hq-merge.h"
#include "jc-hq-objections.h"
#include "jc-hq-report.h"
#include "jc-hq-store.h"

#define N_EVENTS        1000000
#define N_INSTITUTIONS  5000
#define N_COUNTIES      10
#define EVENTS_PER      20
#define N_INSPECTIONS   (N_EVENTS / EVENTS_PER)
#define N_RUNS          5

static void
exec_or_die (JcDb *db, const char *sql)
{
  if (jc_db_exec (db, sql) != JC_DB_OK)
    g_error ("%s: %s", sql, jc_db_errmsg (db));
}

static JcDbStmt *
prepare (JcDb *db, const char *sql)
{
  JcDbStmt *stmt = NULL;

  if (jc_db_prepare (db, sql, -1, &stmt, NULL) != JC_DB_OK)
    g_error ("%s: %s", sql, jc_db_errmsg (db));
  return stmt;
}

static void
step (JcDb *db, JcDbStmt *stmt)
{
  if (jc_db_step (stmt) != JC_DB_DONE)
    g_error ("insert: %s", jc_db_errmsg (db));
  jc_db_reset (stmt);
}

static void
write_directory (const char *path)
{
  g_autoptr(GString) csv = g_string_new ("code,name,type,level,county,fund_payment\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_INSTITUTIONS; i++)
    g_string_append_printf (csv, "%c%011u,机构%u,%s,%s,县区%02u,%u.00\n", i % 3 == 0 ? 'H' : 'P', i, i,
                            i % 3 == 0 ? "hospital" : "pharmacy", i % 3 == 0 ? "2" : "", i % N_COUNTIES,
                            100000 + i);
  if (!g_file_set_contents (path, csv->str, -1, &error))
    g_error ("%s", error->message);
}

/* 1 000 000 events (random bytes of a typical size) and their projections. */
static void
fill (JcDb *db)
{
  static const char * const forms[] = { "daily", "special", "cross", "flight", "self" };
  static const char * const answers[] = { "confirmed", "confirmed", "confirmed", "confirmed", "confirmed",
                                          "confirmed", "confirmed", "confirmed", "refused", "disputed" };
  JcDbStmt *ev = prepare (db, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  JcDbStmt *insp = prepare (db, "INSERT INTO inspections VALUES (?, ?, ?, ?, 0, ?, '张伟,李娜', '2026-06-01', "
                                    "'x@1', 1, 'd', ?)");
  JcDbStmt *fnd = prepare (db, "INSERT INTO findings VALUES (?, ?, ?, 'sha', ?, ?, NULL, NULL, 'd', ?)");
  JcDbStmt *item = prepare (db, "INSERT INTO finding_items VALUES (?, ?)");
  JcDbStmt *conf = prepare (db, "INSERT INTO finding_confirmations VALUES (?, ?, '王芳', '', ?, '', NULL, 1, "
                                    "'d', ?)");
  guint8 device[16], bytes[300], sig[64], hash[32];
  guint64 n_finding = 0;

  randombytes_buf (device, sizeof device);
  randombytes_buf (bytes, sizeof bytes);
  randombytes_buf (sig, sizeof sig);
  exec_or_die (db, "BEGIN");
  for (guint64 seq = 1; seq <= N_EVENTS; seq++)
    {
      memcpy (hash, &seq, sizeof seq);
      jc_db_bind_blob (ev, 1, device, 16, JC_DB_STATIC);
      jc_db_bind_int64 (ev, 2, (gint64) seq);
      jc_db_bind_blob (ev, 3, hash, 32, JC_DB_TRANSIENT);
      jc_db_bind_blob (ev, 4, hash, 32, JC_DB_TRANSIENT);
      jc_db_bind_blob (ev, 5, bytes, 120 + (int) (seq % 180), JC_DB_STATIC);
      jc_db_bind_blob (ev, 6, sig, 64, JC_DB_STATIC);
      jc_db_bind_text (ev, 7, seq % EVENTS_PER == 1 ? "inspection.create" : "item.set", -1, JC_DB_STATIC);
      jc_db_bind_int64 (ev, 8, 1780000000 + (gint64) seq);
      jc_db_bind_int64 (ev, 9, (gint64) seq);
      step (db, ev);
    }
  for (guint i = 0; i < N_INSPECTIONS; i++)
    {
      g_autofree char *id = g_strdup_printf ("%032x", i + 1);
      guint inst = (i * 7919) % N_INSTITUTIONS;
      g_autofree char *code = g_strdup_printf ("%c%011u", inst % 3 == 0 ? 'H' : 'P', inst);

      jc_db_bind_text (insp, 1, id, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (insp, 2, code, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (insp, 3, "机构", -1, JC_DB_STATIC);
      jc_db_bind_text (insp, 4, inst % 3 == 0 ? "hospital" : "pharmacy", -1, JC_DB_STATIC);
      jc_db_bind_text (insp, 5, forms[i % G_N_ELEMENTS (forms)], -1, JC_DB_STATIC);
      jc_db_bind_int64 (insp, 6, (gint64) i * EVENTS_PER + 1);
      step (db, insp);
      for (guint k = 0; k < 2; k++)
        {
          g_autofree char *fid = g_strdup_printf ("%016x%016" G_GINT64_MODIFIER "x", i + 1, ++n_finding);
          const char *prefix = inst % 3 == 0 ? "h21" : "p21";
          g_autofree char *c1 = g_strdup_printf ("%s.1.%u", prefix, 1 + (i + k) % 9);
          g_autofree char *c2 = g_strdup_printf ("%s.2.%u", prefix, 1 + (i * 3 + k) % 7);
          g_autofree char *record = g_strdup_printf (
            "{\"amount_fen\":%u,\"institution_code\":\"%s\",\"items\":[{\"basis\":\"违规收费、串换药品、耗材、"
            "物品、诊疗项目等骗取医保基金支出的\",\"code\":\"%s\"},{\"basis\":\"将不属于医保基金支付范围的医药"
            "费用纳入医保基金结算的\",\"code\":\"%s\"}]}", 1000 + i % 50000, code, c1, c2);

          jc_db_bind_text (fnd, 1, fid, -1, JC_DB_TRANSIENT);
          jc_db_bind_text (fnd, 2, id, -1, JC_DB_TRANSIENT);
          jc_db_bind_text (fnd, 3, record, -1, JC_DB_TRANSIENT);
          jc_db_bind_int64 (fnd, 4, 1780000000 + (gint64) n_finding * 600);
          jc_db_bind_int64 (fnd, 5, 1000 + i % 50000);
          jc_db_bind_int64 (fnd, 6, (gint64) i * EVENTS_PER + 17 + k);
          step (db, fnd);
          for (guint c = 0; c < 2; c++)
            {
              jc_db_bind_text (item, 1, fid, -1, JC_DB_TRANSIENT);
              jc_db_bind_text (item, 2, c == 0 ? c1 : c2, -1, JC_DB_TRANSIENT);
              step (db, item);
            }
          jc_db_bind_text (conf, 1, fid, -1, JC_DB_TRANSIENT);
          jc_db_bind_text (conf, 2, answers[n_finding % G_N_ELEMENTS (answers)], -1, JC_DB_STATIC);
          jc_db_bind_text (conf, 3, "处方齐全", -1, JC_DB_STATIC);
          jc_db_bind_int64 (conf, 4, (gint64) i * EVENTS_PER + 19 + k);
          step (db, conf);
        }
    }
  exec_or_die (db, "COMMIT");
  jc_db_finalize (ev);
  jc_db_finalize (insp);
  jc_db_finalize (fnd);
  jc_db_finalize (item);
  jc_db_finalize (conf);
}

static double
now_ms (void)
{
  return (double) g_get_monotonic_time () / 1000.0;
}

static double
count_events (JcDb *db)
{
  JcDbStmt *stmt = prepare (db, "SELECT count(*) FROM events");
  double t = now_ms ();

  if (jc_db_step (stmt) != JC_DB_ROW || jc_db_column_int64 (stmt, 0) != N_EVENTS)
    g_error ("count(*): %s", jc_db_errmsg (db));
  t = now_ms () - t;
  jc_db_finalize (stmt);
  return t;
}

typedef enum { LIST_PAGE, LIST_ALL, LIST_COUNTY, LIST_OVERDUE, REPORT_COUNTY, REPORT_ITEM, REPORT_XLSX, REPORT_PDF,
               REFRESH, VERIFY, N_TASKS } Task;

static const char * const task_names[] = {
  "ledger query, a page of 50 (dashboard)", "ledger query, every entry", "ledger query, one county", "ledger query, overdue only",
  "report by county (JSON)", "report by item (JSON)", "report by item, XLSX", "report by county, PDF",
  "refresh with nothing new", "verify every history signature",
};

static double
run (JcHqStore *store, Task task, const char *dir, guint *n_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JcHqLedgerFilter filter = { .today = "2026-12-01" };
  double t = now_ms ();
  gboolean ok = TRUE;

  switch (task)
    {
    case LIST_PAGE:
    case LIST_ALL:
    case LIST_COUNTY:
    case LIST_OVERDUE:
      {
        g_autoptr(JsonArray) rows = NULL;

        filter.county = task == LIST_COUNTY ? "县区03" : NULL;
        filter.overdue = task == LIST_OVERDUE;
        filter.limit = task == LIST_PAGE ? 50 : 0;
        filter.offset = task == LIST_PAGE ? 40000 : 0;
        rows = jc_hq_ledger_rows (store, &filter, &error);
        ok = rows != NULL;
        *n_out = ok ? json_array_get_length (rows) : 0;
        break;
      }
    case REPORT_COUNTY:
    case REPORT_ITEM:
      {
        g_autoptr(JsonObject) r = jc_hq_report_build (store, task == REPORT_ITEM ? JC_HQ_REPORT_ITEM
                                                                                  : JC_HQ_REPORT_COUNTY,
                                                      "2026-12-01", &error);
        ok = r != NULL;
        *n_out = ok ? json_array_get_length (json_object_get_array_member (r, "groups")) : 0;
        break;
      }
    case REPORT_XLSX:
    case REPORT_PDF:
      {
        g_autoptr(GString) out = g_string_new (NULL);

        path = g_build_filename (dir, task == REPORT_XLSX ? "r.xlsx" : "r.pdf", NULL);
        ok = jc_hq_report_write (store, task == REPORT_XLSX ? JC_HQ_REPORT_ITEM : JC_HQ_REPORT_COUNTY,
                                 task == REPORT_XLSX ? JC_HQ_REPORT_XLSX : JC_HQ_REPORT_PDF, path, out, &error);
        *n_out = 1;
        break;
      }
    case REFRESH:
      ok = jc_hq_objections_refresh (store, n_out, &error);
      break;
    case VERIFY:
    default:
      jc_hq_store_lock (store);
      ok = jc_hq_history_verify (store, jc_hq_store_get_public_key (store), n_out, &error);
      jc_hq_store_unlock (store);
      break;
    }
  if (!ok)
    g_error ("%s: %s", task_names[task], error->message);
  return now_ms () - t;
}

/* Every figure of one engine, as multiples of its own count(*): [0] the
 * first refresh, then the tasks. */
static void
bench_engine (const char *engine, const char *db_url, double ratios[N_TASKS + 1])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (JC_BUILD_DIR, "tmp", "bench-ledger", NULL);
  g_autofree char *hqdir = g_build_filename (dir, "hq", NULL);
  g_autofree char *csv = g_build_filename (dir, "directory.csv", NULL);
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(JcHqMerge) merge = NULL;
  double base[N_RUNS], samples[N_RUNS], t_base, t_first;
  guint n = 0, n_objections = 0;
  JcDb *db;

  jc_bench_rmtree (dir);
  g_mkdir_with_parents (dir, 0700);
  if (!jc_hq_store_init (hqdir, db_url, &error) || (store = jc_hq_store_open (hqdir, &error)) == NULL ||
      (merge = jc_hq_merge_new (store, &error)) == NULL)
    g_error ("%s", error->message);
  write_directory (csv);
  if (!jc_hq_directory_import (store, csv, &n, &error))
    g_error ("%s", error->message);
  db = jc_hq_store_get_db (store);
  {
    double t = now_ms ();

    fill (db);
    printf ("\n%s: %u events, %u inspections, %u findings of %u institutions (filled in %.1f s)\n",
            engine, N_EVENTS, N_INSPECTIONS, N_INSPECTIONS * 2, N_INSTITUTIONS, (now_ms () - t) / 1000.0);
  }
  for (guint r = 0; r < N_RUNS; r++)
    base[r] = count_events (db);
  t_base = jc_bench_median (base, N_RUNS);
  printf ("baseline: SELECT count(*) FROM events (%u rows): %.2f ms\n", N_EVENTS, t_base);

  t_first = now_ms ();
  if (!jc_hq_objections_refresh (store, &n_objections, &error))
    g_error ("%s", error->message);
  t_first = now_ms () - t_first;
  ratios[0] = t_first / t_base;
  printf ("%-40s %10.1f ms  %8.1f× count(*)  (%u objections and the entries, each signed)\n",
          "first refresh (opens every entry)", t_first, ratios[0], n_objections);

  for (Task task = 0; task < N_TASKS; task++)
    {
      guint runs = task == VERIFY ? 1 : N_RUNS;

      for (guint r = 0; r < runs; r++)
        samples[r] = run (store, task, dir, &n);
      {
        double t = jc_bench_median (samples, runs);

        ratios[task + 1] = t / t_base;
        printf ("%-40s %10.1f ms  %8.1f× count(*)  (%u rows)\n", task_names[task], t, ratios[task + 1], n);
      }
    }
  g_clear_pointer (&merge, jc_hq_merge_free);
  g_clear_pointer (&store, jc_hq_store_free);
  jc_bench_rmtree (dir);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pg_url = NULL;
  double sqlite[N_TASKS + 1], pg[N_TASKS + 1];

  if (!jc_core_init (&error))
    g_error ("%s", error->message);
  printf ("bench-ledger: each figure as a multiple of a plain SELECT count(*) FROM events on the same engine\n");
  bench_engine ("SQLite", NULL, sqlite);
  pg_url = jc_bench_pg_database ("bench_ledger", NULL);
  if (pg_url == NULL)
    {
      printf ("\nPostgreSQL: skipped (run under tests/with-postgresql, as `meson test --benchmark ledger` does)\n");
      return 0;
    }
  bench_engine ("PostgreSQL 15 (tests/with-postgresql: Unix socket, fsync off)", pg_url, pg);
  printf ("\n%-40s %12s %12s\n", "× count(*) of its own engine", "SQLite", "PostgreSQL");
  printf ("%-40s %11.1f× %11.1f×\n", "first refresh (opens every entry)", sqlite[0], pg[0]);
  for (Task task = 0; task < N_TASKS; task++)
    printf ("%-40s %11.1f× %11.1f×\n", task_names[task], sqlite[task + 1], pg[task + 1]);
  return 0;
}

/* vault.c — bench-vault: the encrypting VFS against plain SQLite
 *
 * The same workload, in the same run, on plain SQLite (default VFS, WAL,
 * page_size 4096, cache_size 8 MiB, temp_store=MEMORY, mmap_size=0: the
 * pragmas jc_vfs_open() sets) and on a vault database
 * (jc_vfs_open): event-like appends (~300-byte blob) in transactions of 1
 * and of 100, point reads by primary key, a full scan; with
 * synchronous=FULL (what the vault uses) and NORMAL (for comparison).
 * Each line is run ROUNDS times alternating plain/encrypted; the best time
 * of each is kept (the machine is shared). Prints plain, encrypted, ratio
 * for the wall-clock time and for the CPU time (user + system) of this
 * process, which other people's load and disk queue disturb far less.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>

#include "jc-core.h"

#define ROUNDS     5
#define ROWS       10000
#define READS      10000
#define BLOB_BYTES 300

static const guint8 bench_key[JC_VFS_KEY_BYTES] = { 42 };

typedef enum { LINE_TX1, LINE_TX100, LINE_POINT, LINE_SCAN, N_LINES } Line;

typedef struct { double wall, cpu; } Stamp;

static Stamp
now (void)
{
  struct rusage ru;
  Stamp st;

  getrusage (RUSAGE_SELF, &ru);
  st.wall = g_get_monotonic_time () / (double) G_USEC_PER_SEC;
  st.cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
           + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  return st;
}

static Stamp
since (Stamp t0)
{
  Stamp t1 = now ();

  t1.wall -= t0.wall;
  t1.cpu -= t0.cpu;
  return t1;
}

static void
die (sqlite3 *db, const char *what)
{
  g_printerr ("bench-vault: %s: %s\n", what, db ? sqlite3_errmsg (db) : "?");
  exit (1);
}

static void
exec (sqlite3 *db, const char *sql)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die (db, sql);
}

static sqlite3 *
open_db (const char *path, gboolean encrypted, const char *sync)
{
  g_autofree char *pragma = g_strdup_printf ("PRAGMA synchronous=%s;", sync);
  sqlite3 *db = NULL;

  if (encrypted)
    {
      g_autoptr(GError) error = NULL;

      if (!jc_vfs_open (path, bench_key, TRUE, &db, &error))
        {
          g_printerr ("bench-vault: %s\n", error->message);
          exit (1);
        }
    }
  else
    {
      if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                           | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
        die (db, path);
      exec (db, "PRAGMA page_size=4096; PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=0;"
                "PRAGMA journal_mode=WAL;");
    }
  exec (db, pragma);
  return db;
}

static void
close_db (sqlite3 *db, gboolean encrypted)
{
  if (encrypted)
    jc_vfs_close (db);
  else
    sqlite3_close (db);
}

static void
remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

static Stamp
append (sqlite3 *db, int first, int n, int per_tx)
{
  sqlite3_stmt *stmt = NULL;
  guint8 blob[BLOB_BYTES];
  Stamp t0;

  if (sqlite3_prepare_v2 (db, "INSERT INTO events (id, kind, body) VALUES (?, 'finding.note', ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    die (db, "prepare insert");
  t0 = now ();
  for (int i = 0; i < n; i++)
    {
      if (i % per_tx == 0)
        exec (db, "BEGIN");
      randombytes_buf (blob, sizeof blob);
      sqlite3_bind_int (stmt, 1, first + i);
      sqlite3_bind_blob (stmt, 2, blob, sizeof blob, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        die (db, "insert");
      sqlite3_reset (stmt);
      if (i % per_tx == per_tx - 1 || i == n - 1)
        exec (db, "COMMIT");
    }
  t0 = since (t0);
  sqlite3_finalize (stmt);
  return t0;
}

static Stamp
point_reads (sqlite3 *db, int rows)
{
  sqlite3_stmt *stmt = NULL;
  GRand *rand = g_rand_new_with_seed (7);
  gint64 sum = 0;
  Stamp t0;

  if (sqlite3_prepare_v2 (db, "SELECT body FROM events WHERE id = ?", -1, &stmt, NULL) != SQLITE_OK)
    die (db, "prepare select");
  t0 = now ();
  for (int i = 0; i < READS; i++)
    {
      sqlite3_bind_int (stmt, 1, g_rand_int_range (rand, 1, rows + 1));
      if (sqlite3_step (stmt) != SQLITE_ROW)
        die (db, "point read");
      sum += sqlite3_column_bytes (stmt, 0);
      sqlite3_reset (stmt);
    }
  t0 = since (t0);
  sqlite3_finalize (stmt);
  g_rand_free (rand);
  if (sum != (gint64) READS * BLOB_BYTES)
    die (db, "point read sizes");
  return t0;
}

static Stamp
full_scan (sqlite3 *db, int rows)
{
  sqlite3_stmt *stmt = NULL;
  Stamp t0 = now ();

  if (sqlite3_prepare_v2 (db, "SELECT count(*), sum(length(body)) FROM events", -1, &stmt, NULL) != SQLITE_OK
      || sqlite3_step (stmt) != SQLITE_ROW)
    die (db, "scan");
  if (sqlite3_column_int (stmt, 0) != rows)
    die (db, "scan count");
  sqlite3_finalize (stmt);
  return since (t0);
}

/* One round of every line on one database; fills t[N_LINES]. */
static void
run (const char *path, gboolean encrypted, const char *sync, int tx1_rows, Stamp t[N_LINES])
{
  sqlite3 *db;
  int rows = tx1_rows + ROWS;

  remove_db (path);
  db = open_db (path, encrypted, sync);
  exec (db, "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL)");
  t[LINE_TX1] = append (db, 1, tx1_rows, 1);
  t[LINE_TX100] = append (db, tx1_rows + 1, ROWS, 100);
  close_db (db, encrypted);

  /* Reads on a fresh connection: SQLite's page cache (2 MB) is cold, the
   * file is in the OS cache for both. */
  db = open_db (path, encrypted, sync);
  t[LINE_POINT] = point_reads (db, rows);
  close_db (db, encrypted);
  db = open_db (path, encrypted, sync);
  t[LINE_SCAN] = full_scan (db, rows);
  close_db (db, encrypted);
  remove_db (path);
}

static void
bench_sync (const char *dir, const char *sync, int tx1_rows)
{
  g_autofree char *plain_path = g_build_filename (dir, "plain.db", NULL);
  g_autofree char *vault_path = g_build_filename (dir, "jiancha.db", NULL);
  Stamp best_plain[N_LINES], best_vault[N_LINES];
  g_autofree char *l_tx1 = g_strdup_printf ("%d appends, 1 per transaction", tx1_rows);
  const char *names[N_LINES] = {
    l_tx1, "10000 appends, 100 per transaction", "10000 point reads by id", "full scan (cold cache)",
  };

  for (int l = 0; l < N_LINES; l++)
    best_plain[l].wall = best_vault[l].wall = best_plain[l].cpu = best_vault[l].cpu = G_MAXDOUBLE;
  for (int r = 0; r < ROUNDS; r++)
    {
      Stamp tp[N_LINES], tv[N_LINES];

      run (plain_path, FALSE, sync, tx1_rows, tp);
      run (vault_path, TRUE, sync, tx1_rows, tv);
      for (int l = 0; l < N_LINES; l++)
        {
          best_plain[l].wall = MIN (best_plain[l].wall, tp[l].wall);
          best_vault[l].wall = MIN (best_vault[l].wall, tv[l].wall);
          best_plain[l].cpu = MIN (best_plain[l].cpu, tp[l].cpu);
          best_vault[l].cpu = MIN (best_vault[l].cpu, tv[l].cpu);
        }
    }
  g_print ("\nsynchronous=%s (best of %d, ms)\n", sync, ROUNDS);
  g_print ("%-36s %9s %9s %6s | %8s %8s %6s\n", "", "plain", "encrypt", "ratio",
           "cpu pl", "cpu enc", "ratio");
  for (int l = 0; l < N_LINES; l++)
    {
      double r = best_vault[l].wall / best_plain[l].wall;

      g_print ("%-36s %9.1f %9.1f %5.2fx | %8.1f %8.1f %5.2fx%s\n", names[l],
               best_plain[l].wall * 1e3, best_vault[l].wall * 1e3, r,
               best_plain[l].cpu * 1e3, best_vault[l].cpu * 1e3,
               best_vault[l].cpu / MAX (best_plain[l].cpu, 1e-4),
               r > 1.15 ? "  (over 1.15x)" : "");
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_build_filename (JC_BUILD_DIR, "tmp", NULL);
  g_autofree char *dir = NULL;

  if (!jc_core_init (&error))
    {
      g_printerr ("bench-vault: %s\n", error->message);
      return 1;
    }
  g_mkdir_with_parents (base, 0700);
  dir = g_build_filename (base, "bench-vault-XXXXXX", NULL);
  if (g_mkdtemp (dir) == NULL)
    return 1;

  g_print ("bench-vault: plain SQLite %s vs the encrypting VFS (XChaCha20-Poly1305, libsodium %s)\n",
           sqlite3_libversion (), sodium_version_string ());
  /* With FULL every commit waits for an fsync of the WAL (1.5 ms or more
   * on this shared disk): 1000 single-row transactions there, not 10000,
   * to keep the run within a couple of minutes. */
  bench_sync (dir, "FULL", 1000);
  bench_sync (dir, "NORMAL", 10000);
  g_rmdir (dir);
  return 0;
}

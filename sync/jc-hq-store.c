/* jc-hq-store.c — headquarters' directory: its keys and its database */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include "jc-db.h"
#include <string.h>
#include <unistd.h>

#include "jc-core.h"
#include "jc-db-pg.h"
#include "jc-hq-store.h"

G_DEFINE_QUARK (jc-hq-store-error-quark, jc_hq_store_error)

struct _JcHqStore
{
  char    *dir;
  JcDb *db;
  guint8  *sign_sk;       /* 64, sodium_malloc */
  guint8  *code_key;      /* 32, sodium_malloc: keys the code hashes */
  guint8  *storage_key;   /* 32, sodium_malloc: wraps secrets kept in hq.db */
  GMutex   lock;
  guint8   sign_pk[32];
  guint8   escrow_pk[32];
};

static const char schema[] =
  /* A new hq.db has 16 KiB pages: a merge writes a quarter as many pages
   * to the WAL and copies a quarter as many at the checkpoint, and one
   * core merges at 0.02–0.03 more of the raw verify rate than with 4 KiB
   * (bench-sync). An existing database keeps its page size (WAL mode
   * cannot change it). */
  "PRAGMA page_size=16384;"
  "PRAGMA journal_mode=WAL;"
  /* The savepoint around each event of a merge keeps its sub-journal in
   * memory: in a temporary file, a merge of 10 000 events made 56 000
   * page writes to /var/tmp, a tenth of its time (bench-sync). */
  "PRAGMA temp_store=MEMORY;"
  "CREATE TABLE IF NOT EXISTS enrollment_codes ("
  "  code_hash BLOB PRIMARY KEY,"
  "  inspector TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  used_by TEXT,"
  "  used_at INTEGER);"
  "CREATE TABLE IF NOT EXISTS devices ("
  "  device_id TEXT PRIMARY KEY,"
  "  public_key TEXT NOT NULL,"
  "  inspector TEXT NOT NULL,"
  "  not_after INTEGER NOT NULL,"
  "  enrolled_at INTEGER NOT NULL,"
  "  revoked_at INTEGER);";

/* No 0/O, 1/I: codes are read aloud and typed from paper. */
static const char code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
#define CODE_CHARS 12

static gboolean
db_error (JcDb *db, const char *what, GError **error)
{
  g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
               _("HQ database: %s: %s"), what, jc_db_errmsg (db));
  return FALSE;
}

static gboolean
write_private (const char *path, const char *text, int mode, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  gsize len = strlen (text);
  int saved;

  if (fd < 0 || write (fd, text, len) != (ssize_t) len || fsync (fd) != 0)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
                   _("Cannot write %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gboolean
write_key (const char *dir, const char *name, const guint8 *key, int mode, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char hex[66];
  gboolean ok;

  sodium_bin2hex (hex, 65, key, 32);
  hex[64] = '\n';
  hex[65] = '\0';
  ok = write_private (path, hex, mode, error);
  sodium_memzero (hex, sizeof hex);
  return ok;
}

static gboolean
read_key (const char *dir, const char *name, guint8 key[32], GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) local = NULL;
  char *text = NULL;
  gsize len = 0;
  gboolean ok;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, JC_HQ_STORE_ERROR,
                   g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? JC_HQ_STORE_ERROR_NOT_FOUND
                                                                            : JC_HQ_STORE_ERROR_IO,
                   _("No HQ in %s: %s"), dir, local->message);
      return FALSE;
    }
  g_strstrip (text);
  ok = jc_device_unhex (text, key, 32);
  sodium_memzero (text, len);
  g_free (text);
  if (!ok)
    g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
                 _("%s: expected a key of 64 hexadecimal digits"), path);
  return ok;
}

static gboolean
is_postgresql (const char *url)
{
  return g_str_has_prefix (url, "postgresql://") || g_str_has_prefix (url, "postgres://");
}

/* HQDIR/database names a PostgreSQL database; without it, HQDIR/hq.db. */
static JcDb *
open_database (const char *dir, gboolean create, GError **error)
{
  g_autofree char *url_path = g_build_filename (dir, "database", NULL);
  g_autofree char *db_path = g_build_filename (dir, "hq.db", NULL);
  g_autofree char *url = NULL;
  g_autoptr(GError) local = NULL;
  sqlite3 *sdb = NULL;

  if (g_file_get_contents (url_path, &url, NULL, &local))
    {
      g_strstrip (url);
      if (!is_postgresql (url))
        {
          g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
                       _("%s: expected a postgresql:// address"), url_path);
          return NULL;
        }
      return jc_db_pg_open (url, error);
    }
  if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO, "%s", local->message);
      return NULL;
    }
  if (!create && !g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_NOT_FOUND,
                   _("No HQ database %s; run “jiancha-hq init --dir %s”"), db_path, dir);
      return NULL;
    }
  if (sqlite3_open_v2 (db_path, &sdb, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL) != SQLITE_OK)
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO, _("HQ database: %s: %s"), db_path,
                   sdb ? sqlite3_errmsg (sdb) : g_strerror (ENOMEM));
      sqlite3_close (sdb);
      return NULL;
    }
  sqlite3_busy_timeout (sdb, 5000);
  if (create)
    g_chmod (db_path, 0600);
  return jc_db_new_sqlite (sdb, TRUE);
}

/* A PostgreSQL database for a new HQ must be empty: another HQ's tables
 * with this HQ's keys would be a mix nobody could verify. */
static gboolean
check_empty (JcDb *db, const char *url, GError **error)
{
  JcDbStmt *stmt = NULL;
  gint64 n = -1;

  if (jc_db_get_dialect (db) != JC_DB_DIALECT_POSTGRESQL)
    return TRUE;
  if (jc_db_prepare (db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema ()",
                     -1, &stmt, NULL) == JC_DB_OK && jc_db_step (stmt) == JC_DB_ROW)
    n = jc_db_column_int64 (stmt, 0);
  jc_db_finalize (stmt);
  if (n < 0)
    return db_error (db, url, error);
  if (n > 0)
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_EXISTS,
                   _("The database %s already holds tables; an HQ needs an empty one"), url);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_hq_store_init (const char *dir, const char *db_url, GError **error)
{
  g_autofree char *db_path = g_build_filename (dir, "hq.db", NULL);
  g_autofree char *url_path = g_build_filename (dir, "database", NULL);
  g_autofree char *sign_path = g_build_filename (dir, "signing.key", NULL);
  guint8 *seed = sodium_malloc (32);
  guint8 *sk = sodium_malloc (64);
  guint8 *esk = sodium_malloc (32);
  guint8 pk[32], epk[32];
  JcDb *db = NULL;
  gboolean ok = FALSE;

  if (db_url != NULL && !is_postgresql (db_url))
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_INVALID,
                   _("--db: expected a postgresql:// address, not “%s” (without --db HQ keeps hq.db in its directory)"),
                   db_url);
      goto out;
    }
  if (g_file_test (sign_path, G_FILE_TEST_EXISTS) || g_file_test (db_path, G_FILE_TEST_EXISTS) ||
      g_file_test (url_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_EXISTS,
                   _("%s already holds an HQ; not overwriting it"), dir);
      goto out;
    }
  /* A database that cannot be used is found before any key is made, so
   * that a corrected address can be given to init again. */
  if (db_url != NULL && ((db = jc_db_pg_open (db_url, error)) == NULL || !check_empty (db, db_url, error)))
    goto out;
  if (g_mkdir_with_parents (dir, 0700) != 0 || g_chmod (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
                   _("Cannot create the HQ directory %s: %s"), dir, g_strerror (saved));
      goto out;
    }
  randombytes_buf (seed, 32);
  crypto_sign_seed_keypair (pk, sk, seed);
  crypto_box_keypair (epk, esk);
  /* The secret keys first: a crash leaves no public key without its secret. */
  if (!write_key (dir, "signing.key", seed, 0600, error) ||
      !write_key (dir, "escrow.key", esk, 0600, error) ||
      !write_key (dir, "signing.pub", pk, 0644, error) ||
      !write_key (dir, "escrow.pub", epk, 0644, error))
    goto out;
  if (db_url != NULL)
    {
      g_autofree char *line = g_strconcat (db_url, "\n", NULL);

      if (!write_private (url_path, line, 0600, error))
        goto out;
    }
  else if ((db = open_database (dir, TRUE, error)) == NULL)
    goto out;
  if (jc_db_exec (db, schema) != JC_DB_OK)
    {
      db_error (db, db_url ? db_url : db_path, error);
      goto out;
    }
  ok = TRUE;

out:
  jc_db_free (db);
  sodium_free (seed);
  sodium_free (sk);
  sodium_free (esk);
  return ok;
}

JcDb *
jc_hq_store_open_database (const char *dir, GError **error)
{
  return open_database (dir, FALSE, error);
}

JcHqStore *
jc_hq_store_open (const char *dir, GError **error)
{
  g_autoptr(JcHqStore) store = g_new0 (JcHqStore, 1);
  guint8 *seed = sodium_malloc (32);
  gboolean ok;

  store->dir = g_strdup (dir);
  store->sign_sk = sodium_malloc (64);
  store->code_key = sodium_malloc (32);
  store->storage_key = sodium_malloc (32);
  g_mutex_init (&store->lock);
  ok = read_key (dir, "signing.key", seed, error) &&
       read_key (dir, "escrow.pub", store->escrow_pk, error);
  if (ok)
    {
      crypto_sign_seed_keypair (store->sign_pk, store->sign_sk, seed);
      crypto_generichash (store->code_key, 32, (const guint8 *) "jc-hq-enrollment-code", 21, seed, 32);
      crypto_generichash (store->storage_key, 32, (const guint8 *) "jc-hq-storage", 13, seed, 32);
    }
  sodium_free (seed);
  if (!ok)
    return NULL;
  store->db = open_database (dir, FALSE, error);
  if (store->db == NULL)
    return NULL;
  if (jc_db_exec (store->db, schema) != JC_DB_OK)
    {
      db_error (store->db, _("the schema"), error);
      return NULL;
    }
  return g_steal_pointer (&store);
}

void
jc_hq_store_free (JcHqStore *store)
{
  if (store == NULL)
    return;
  jc_db_free (store->db);
  sodium_free (store->sign_sk);
  sodium_free (store->code_key);
  sodium_free (store->storage_key);
  g_mutex_clear (&store->lock);
  g_free (store->dir);
  g_free (store);
}

const guint8 *
jc_hq_store_get_public_key (JcHqStore *store)
{
  return store->sign_pk;
}

const guint8 *
jc_hq_store_get_escrow_key (JcHqStore *store)
{
  return store->escrow_pk;
}

const char *
jc_hq_store_get_dir (JcHqStore *store)
{
  return store->dir;
}

const guint8 *
jc_hq_store_get_secret_key (JcHqStore *store)
{
  return store->sign_sk;
}

const guint8 *
jc_hq_store_get_storage_key (JcHqStore *store)
{
  return store->storage_key;
}

JcDb *
jc_hq_store_get_db (JcHqStore *store)
{
  return store->db;
}

void
jc_hq_store_lock (JcHqStore *store)
{
  g_mutex_lock (&store->lock);
}

void
jc_hq_store_unlock (JcHqStore *store)
{
  g_mutex_unlock (&store->lock);
}

void
jc_hq_store_sign (JcHqStore *store, const guint8 *message, gsize len, guint8 signature[64])
{
  crypto_sign_detached (signature, NULL, message, len, store->sign_sk);
}

/* Uppercase, without dashes and spaces; FALSE when not CODE_CHARS letters
 * of the alphabet. */
static gboolean
normalize_code (const char *code, char out[CODE_CHARS + 1])
{
  gsize n = 0;

  for (; *code != '\0'; code++)
    {
      char c = g_ascii_toupper (*code);

      if (c == '-' || c == ' ')
        continue;
      if (n == CODE_CHARS || strchr (code_alphabet, c) == NULL || c == '\0')
        return FALSE;
      out[n++] = c;
    }
  out[n] = '\0';
  return n == CODE_CHARS;
}

static void
hash_code (JcHqStore *store, const char *normalized, guint8 out[32])
{
  crypto_generichash (out, 32, (const guint8 *) normalized, CODE_CHARS, store->code_key, 32);
}

char *
jc_hq_store_new_code (JcHqStore *store, const char *inspector, guint valid_hours, GError **error)
{
  char code[CODE_CHARS + 1];
  guint8 hash[32];
  JcDbStmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int rc, i;

  if (inspector == NULL || *inspector == '\0' || !g_utf8_validate (inspector, -1, NULL))
    {
      g_set_error_literal (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_INVALID,
                           _("The inspector’s name is empty or not UTF-8"));
      return NULL;
    }
  for (i = 0; i < CODE_CHARS; i++)
    code[i] = code_alphabet[randombytes_uniform (sizeof code_alphabet - 1)];
  code[CODE_CHARS] = '\0';
  hash_code (store, code, hash);

  rc = jc_db_prepare (store->db,
                      "INSERT INTO enrollment_codes (code_hash, inspector, created, expires) VALUES (?, ?, ?, ?)",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_blob (stmt, 1, hash, sizeof hash, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 2, inspector, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 3, now);
      jc_db_bind_int64 (stmt, 4, now + (gint64) valid_hours * 3600);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      db_error (store->db, _("storing the enrollment code"), error);
      return NULL;
    }
  return g_strdup_printf ("%.4s-%.4s-%.4s", code, code + 4, code + 8);
}

static gboolean
exec (JcHqStore *store, const char *sql, GError **error)
{
  if (jc_db_exec (store->db, sql) != JC_DB_OK)
    return db_error (store->db, sql, error);
  return TRUE;
}

/* Finds an unused code with hash @hash, comparing every candidate in
 * constant time. */
static gboolean
find_code (JcHqStore *store, const guint8 hash[32], gint64 *expires, char **inspector)
{
  JcDbStmt *stmt = NULL;
  gboolean found = FALSE;

  if (jc_db_prepare (store->db, "SELECT code_hash, expires, inspector FROM enrollment_codes WHERE used_by IS NULL",
                     -1, &stmt, NULL) != JC_DB_OK)
    return FALSE;
  while (jc_db_step (stmt) == JC_DB_ROW)
    {
      const void *h = jc_db_column_blob (stmt, 0);

      if (jc_db_column_bytes (stmt, 0) == 32 && sodium_memcmp (h, hash, 32) == 0 && !found)
        {
          found = TRUE;
          *expires = jc_db_column_int64 (stmt, 1);
          *inspector = g_strdup ((const char *) jc_db_column_text (stmt, 2));
        }
    }
  jc_db_finalize (stmt);
  return found;
}

/* The stored public key of @id_hex in *@pk (NULL when unknown), *@revoked
 * set; FALSE only when the database failed. */
static gboolean
device_key (JcHqStore *store, const char *id_hex, char **pk, gboolean *revoked, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc = jc_db_prepare (store->db, "SELECT public_key, revoked_at IS NOT NULL FROM devices WHERE device_id = ?",
                          -1, &stmt, NULL);

  *pk = NULL;
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, id_hex, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
      if (rc == JC_DB_ROW)
        {
          *pk = g_strdup ((const char *) jc_db_column_text (stmt, 0));
          *revoked = jc_db_column_int (stmt, 1) != 0;
        }
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return db_error (store->db, _("looking up the device"), error);
  return TRUE;
}

gboolean
jc_hq_store_enroll (JcHqStore        *store,
                    const guint8      device_id[16],
                    const guint8      device_pk[32],
                    const char       *code,
                    const char       *inspector,
                    JcJc1Certificate *out,
                    GError          **error)
{
  g_autofree char *id_hex = jc_device_hex (device_id, 16);
  g_autofree char *pk_hex = jc_device_hex (device_pk, 32);
  g_autofree char *code_inspector = NULL;
  g_autofree char *known_pk = NULL;
  gboolean revoked = FALSE;
  char normalized[CODE_CHARS + 1];
  guint8 hash[32];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires = 0;
  guint64 not_after = (guint64) now + (guint64) JC_HQ_CERT_VALID_DAYS * 86400;
  JcDbStmt *stmt = NULL;
  int rc;

  if (code == NULL || !normalize_code (code, normalized))
    {
      g_set_error_literal (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_CODE,
                           _("unknown or used enrollment code"));
      return FALSE;
    }
  hash_code (store, normalized, hash);

  if (!exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!find_code (store, hash, &expires, &code_inspector))
    {
      g_set_error_literal (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_CODE,
                           _("unknown or used enrollment code"));
      goto fail;
    }
  if (expires <= now)
    {
      g_set_error_literal (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_CODE,
                           _("the enrollment code has expired"));
      goto fail;
    }
  if (inspector != NULL && g_strcmp0 (inspector, code_inspector) != 0)
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_CODE,
                   _("the enrollment code was issued for another inspector, not “%s”"), inspector);
      goto fail;
    }
  /* The same device with the same key and a fresh code may enroll again
   * (its first reply was lost, or it could not store it): it gets a new
   * certificate. Another key for a known id, or a revoked device, may not. */
  if (!device_key (store, id_hex, &known_pk, &revoked, error))
    goto fail;
  if (known_pk != NULL && (revoked || g_strcmp0 (known_pk, pk_hex) != 0))
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_DUPLICATE,
                   revoked ? _("device %s is revoked") : _("device %s is already enrolled with another key"),
                   id_hex);
      goto fail;
    }
  if (!jc_jc1_make_certificate (store->sign_sk, device_id, device_pk, not_after, out, error))
    goto fail;

  rc = jc_db_prepare (store->db, "UPDATE enrollment_codes SET used_by = ?, used_at = ? WHERE code_hash = ?",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, id_hex, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 2, now);
      jc_db_bind_blob (stmt, 3, hash, 32, JC_DB_STATIC);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      db_error (store->db, _("marking the enrollment code used"), error);
      goto fail;
    }
  rc = jc_db_prepare (store->db,
                      "INSERT INTO devices (device_id, public_key, inspector, not_after, enrolled_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device_id) DO UPDATE SET public_key = ?2, "
                      "inspector = ?3, not_after = ?4, enrolled_at = ?5, revoked_at = NULL", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, id_hex, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 2, pk_hex, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 3, code_inspector, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 4, (gint64) not_after);
      jc_db_bind_int64 (stmt, 5, now);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      db_error (store->db, _("storing the device"), error);
      goto fail;
    }
  return exec (store, "COMMIT", error);

fail:
  jc_db_exec (store->db, "ROLLBACK");
  return FALSE;
}

gboolean
jc_hq_store_revoke (JcHqStore *store, const char *device_id_hex, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc;

  rc = jc_db_prepare (store->db,
                      "UPDATE devices SET revoked_at = ? WHERE device_id = lower(?) AND revoked_at IS NULL",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
      jc_db_bind_text (stmt, 2, device_id_hex, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return db_error (store->db, _("revoking the device"), error);
  if (jc_db_changes (store->db) == 0)
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_NOT_FOUND,
                   _("No enrolled, unrevoked device %s at HQ"), device_id_hex);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_hq_store_device_key (JcHqStore     *store,
                        const guint8   device_id[16],
                        guint8         public_key[32],
                        GError       **error)
{
  g_autofree char *id_hex = jc_device_hex (device_id, 16);
  g_autofree char *pk_hex = NULL;
  gboolean revoked = FALSE;

  if (!device_key (store, id_hex, &pk_hex, &revoked, error))
    return FALSE;
  if (pk_hex == NULL)
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_NOT_FOUND,
                   _("device %s is not enrolled with this HQ"), id_hex);
      return FALSE;
    }
  if (revoked)
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_REVOKED, _("device %s is revoked"), id_hex);
      return FALSE;
    }
  if (!jc_device_unhex (pk_hex, public_key, 32))
    {
      g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
                   _("HQ database: the key of device %s is damaged"), id_hex);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
jc_hq_store_revoked (JcHqStore *store, GError **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  JcDbStmt *stmt = NULL;
  int rc;

  rc = jc_db_prepare (store->db, "SELECT device_id FROM devices WHERE revoked_at IS NOT NULL "
                                      "ORDER BY revoked_at, device_id", -1, &stmt, NULL);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      g_ptr_array_add (ids, g_strdup ((const char *) jc_db_column_text (stmt, 0)));
      rc = JC_DB_OK;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      db_error (store->db, _("listing revoked devices"), error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

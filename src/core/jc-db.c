/* jc-db.c — one SQL connection: the dispatch, and SQLite's backend */
#include "config.h"

#include <string.h>

#include "jc-db.h"
#include "jc-vfs.h"

/* Statements finalized are kept, reset, and handed out again when the same
 * SQL is prepared: the projections and HQ prepare a few statements for
 * every event, and SQLite's parse and plan cost more than running them
 * (a fifth of HQ's merge of inspection events went to sqlite3_prepare). */
#define IDLE_MAX 256

typedef struct _JcDbSqliteStmt JcDbSqliteStmt;

/* Statements are found by the address of the caller's SQL (most of it is
 * string literals) and then by its text, which is compared, not hashed:
 * SQL prepared from two addresses is kept twice, never mixed up. */
typedef struct {
  gconstpointer origin;  /* the caller's text, never read through */
  const char   *sql;
} IdleKey;

static guint
idle_key_hash (gconstpointer k)
{
  return g_direct_hash (((const IdleKey *) k)->origin);
}

static gboolean
idle_key_equal (gconstpointer a, gconstpointer b)
{
  const IdleKey *x = a, *y = b;

  return x->origin == y->origin && strcmp (x->sql, y->sql) == 0;
}

typedef struct
{
  JcDb        parent;
  sqlite3    *db;
  gboolean    owned;
  /* IdleKey → the JcDbSqliteStmt last finalized, the head of a chain */
  GHashTable *idle;
  GQueue      lru;   /* every idle statement, the longest idle first */
} JcDbSqlite;

struct _JcDbSqliteStmt
{
  JcDbStmt        parent;
  sqlite3_stmt   *stmt;
  char           *sql;        /* the text it came from; NULL: never kept */
  IdleKey         key;        /* { the caller's text, sql } */
  int             tail;       /* where its text ended, in @sql */
  JcDbSqliteStmt *next_idle;  /* of the same SQL */
  GList           link;       /* in lru */
};

#define SDB(d)   (((JcDbSqlite *) (d))->db)
#define SSTMT(s) (((JcDbSqliteStmt *) (s))->stmt)

static void
stmt_free (JcDbSqliteStmt *s)
{
  sqlite3_finalize (s->stmt);
  g_free (s->sql);
  g_free (s);
}

/* Takes @s, idle, out of the cache. */
static void
idle_remove (JcDbSqlite *self, JcDbSqliteStmt *s)
{
  JcDbSqliteStmt *first = g_hash_table_lookup (self->idle, &s->key);

  g_queue_unlink (&self->lru, &s->link);
  if (first == s)
    {
      if (s->next_idle != NULL)
        g_hash_table_replace (self->idle, &s->next_idle->key, s->next_idle);
      else
        g_hash_table_remove (self->idle, &s->key);
    }
  else
    {
      while (first->next_idle != s)
        first = first->next_idle;
      first->next_idle = s->next_idle;
    }
  s->next_idle = NULL;
}

static void
sqlite_free (JcDb *db)
{
  JcDbSqlite *self = (JcDbSqlite *) db;
  GList *l;

  /* before the connection closes: it cannot while statements are open */
  while ((l = g_queue_pop_head_link (&self->lru)) != NULL)
    stmt_free (l->data);
  g_hash_table_unref (self->idle);
  if (self->owned)
    sqlite3_close (SDB (db));
  g_free (db);
}

static int
sqlite_prepare (JcDb *db, const char *sql, int nbytes, unsigned flags, JcDbStmt **out,
                const char **tail)
{
  JcDbSqlite *self = (JcDbSqlite *) db;
  g_autofree char *copy = nbytes >= 0 ? g_strndup (sql, nbytes) : NULL;
  const char *text = copy != NULL ? copy : sql;
  sqlite3_stmt *stmt = NULL;
  const char *end = NULL;
  gboolean keep = (flags & SQLITE_PREPARE_PERSISTENT) == 0;
  IdleKey key = { sql, text };
  JcDbSqliteStmt *s = keep ? g_hash_table_lookup (self->idle, &key) : NULL;
  int rc;

  *out = NULL;
  if (s != NULL)
    {
      idle_remove (self, s);
      if (tail != NULL)
        *tail = sql + s->tail;
      *out = &s->parent;
      return SQLITE_OK;
    }
  rc = sqlite3_prepare_v3 (SDB (db), text, -1, flags, &stmt, &end);
  if (tail != NULL)
    *tail = end != NULL ? sql + (end - text) : NULL;
  if (rc != SQLITE_OK || stmt == NULL)
    return rc;
  s = g_new0 (JcDbSqliteStmt, 1);
  s->parent.db = db;
  s->stmt = stmt;
  s->link.data = s;
  if (keep)
    {
      s->sql = copy != NULL ? g_steal_pointer (&copy) : g_strdup (sql);
      s->key = (IdleKey) { sql, s->sql };
      s->tail = (int) (end - text);
    }
  *out = &s->parent;
  return rc;
}

static int
sqlite_exec (JcDb *db, const char *sql)
{
  return sqlite3_exec (SDB (db), sql, NULL, NULL, NULL);
}

static const char *
sqlite_errmsg (JcDb *db)
{
  return sqlite3_errmsg (SDB (db));
}

static int
sqlite_errcode (JcDb *db)
{
  return sqlite3_extended_errcode (SDB (db));
}

static gint64
sqlite_changes (JcDb *db)
{
  return sqlite3_changes64 (SDB (db));
}

static gboolean
sqlite_get_autocommit (JcDb *db)
{
  return sqlite3_get_autocommit (SDB (db)) != 0;
}

static void
sqlite_set_error (JcDb *db, int rc, GError **error)
{
  jc_vfs_set_error (SDB (db), rc, error);
}

static int
sqlite_step (JcDbStmt *s)
{
  return sqlite3_step (SSTMT (s));
}

static int
sqlite_reset (JcDbStmt *s)
{
  return sqlite3_reset (SSTMT (s));
}

static void
sqlite_finalize (JcDbStmt *stmt)
{
  JcDbSqlite *self = (JcDbSqlite *) stmt->db;
  JcDbSqliteStmt *s = (JcDbSqliteStmt *) stmt;

  if (s->sql == NULL)
    {
      stmt_free (s);
      return;
    }
  /* a reset releases the values it read; the unbinding, those bound */
  sqlite3_reset (s->stmt);
  sqlite3_clear_bindings (s->stmt);
  s->next_idle = g_hash_table_lookup (self->idle, &s->key);
  g_hash_table_replace (self->idle, &s->key, s);
  g_queue_push_tail_link (&self->lru, &s->link);
  if (self->lru.length > IDLE_MAX)
    {
      JcDbSqliteStmt *oldest = g_queue_peek_head (&self->lru);

      idle_remove (self, oldest);
      stmt_free (oldest);
    }
}

static int
sqlite_clear_bindings (JcDbStmt *s)
{
  return sqlite3_clear_bindings (SSTMT (s));
}

static int
sqlite_bind_int64 (JcDbStmt *s, int i, gint64 value)
{
  return sqlite3_bind_int64 (SSTMT (s), i, value);
}

static int
sqlite_bind_double (JcDbStmt *s, int i, double value)
{
  return sqlite3_bind_double (SSTMT (s), i, value);
}

static int
sqlite_bind_text (JcDbStmt *s, int i, const char *value, int n, JcDbDestructor d)
{
  return sqlite3_bind_text (SSTMT (s), i, value, n, d);
}

static int
sqlite_bind_blob (JcDbStmt *s, int i, const void *value, int n, JcDbDestructor d)
{
  return sqlite3_bind_blob (SSTMT (s), i, value, n, d);
}

static int
sqlite_bind_null (JcDbStmt *s, int i)
{
  return sqlite3_bind_null (SSTMT (s), i);
}

static int
sqlite_column_count (JcDbStmt *s)
{
  return sqlite3_column_count (SSTMT (s));
}

static const char *
sqlite_column_name (JcDbStmt *s, int i)
{
  return sqlite3_column_name (SSTMT (s), i);
}

static int
sqlite_column_type (JcDbStmt *s, int i)
{
  return sqlite3_column_type (SSTMT (s), i);
}

static gint64
sqlite_column_int64 (JcDbStmt *s, int i)
{
  return sqlite3_column_int64 (SSTMT (s), i);
}

static double
sqlite_column_double (JcDbStmt *s, int i)
{
  return sqlite3_column_double (SSTMT (s), i);
}

static const unsigned char *
sqlite_column_text (JcDbStmt *s, int i)
{
  return sqlite3_column_text (SSTMT (s), i);
}

static const void *
sqlite_column_blob (JcDbStmt *s, int i)
{
  return sqlite3_column_blob (SSTMT (s), i);
}

static int
sqlite_column_bytes (JcDbStmt *s, int i)
{
  return sqlite3_column_bytes (SSTMT (s), i);
}

static const JcDbBackend sqlite_backend = {
  .dialect = JC_DB_DIALECT_SQLITE,
  .free = sqlite_free,
  .prepare = sqlite_prepare,
  .exec = sqlite_exec,
  .errmsg = sqlite_errmsg,
  .errcode = sqlite_errcode,
  .changes = sqlite_changes,
  .get_autocommit = sqlite_get_autocommit,
  .set_error = sqlite_set_error,
  .step = sqlite_step,
  .reset = sqlite_reset,
  .finalize = sqlite_finalize,
  .clear_bindings = sqlite_clear_bindings,
  .bind_int64 = sqlite_bind_int64,
  .bind_double = sqlite_bind_double,
  .bind_text = sqlite_bind_text,
  .bind_blob = sqlite_bind_blob,
  .bind_null = sqlite_bind_null,
  .column_count = sqlite_column_count,
  .column_name = sqlite_column_name,
  .column_type = sqlite_column_type,
  .column_int64 = sqlite_column_int64,
  .column_double = sqlite_column_double,
  .column_text = sqlite_column_text,
  .column_blob = sqlite_column_blob,
  .column_bytes = sqlite_column_bytes,
};

JcDb *
jc_db_new_sqlite (sqlite3 *db, gboolean owned)
{
  JcDbSqlite *self = g_new0 (JcDbSqlite, 1);

  self->parent.backend = &sqlite_backend;
  self->db = db;
  self->owned = owned;
  self->idle = g_hash_table_new (idle_key_hash, idle_key_equal);
  return &self->parent;
}

sqlite3 *
jc_db_get_sqlite (JcDb *db)
{
  return db->backend == &sqlite_backend ? SDB (db) : NULL;
}

JcDbDialect
jc_db_get_dialect (JcDb *db)
{
  return db->backend->dialect;
}

void
jc_db_free (JcDb *db)
{
  if (db != NULL)
    db->backend->free (db);
}

/* The dispatch ------------------------------------------------------------ */

int
jc_db_prepare (JcDb *db, const char *sql, int nbytes, JcDbStmt **stmt, const char **tail)
{
  return db->backend->prepare (db, sql, nbytes, 0, stmt, tail);
}

int
jc_db_prepare_v3 (JcDb *db, const char *sql, int nbytes, unsigned flags, JcDbStmt **stmt,
                  const char **tail)
{
  return db->backend->prepare (db, sql, nbytes, flags, stmt, tail);
}

int
jc_db_exec (JcDb *db, const char *sql)
{
  return db->backend->exec (db, sql);
}

gboolean
jc_db_exec_sql (JcDb *db, const char *sql, GError **error)
{
  int rc = db->backend->exec (db, sql);

  if (rc != JC_DB_OK)
    {
      jc_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

const char *
jc_db_errmsg (JcDb *db)
{
  return db->backend->errmsg (db);
}

int
jc_db_errcode (JcDb *db)
{
  return db->backend->errcode (db);
}

gint64
jc_db_changes (JcDb *db)
{
  return db->backend->changes (db);
}

gboolean
jc_db_get_autocommit (JcDb *db)
{
  return db->backend->get_autocommit (db);
}

void
jc_db_set_error (JcDb *db, int rc, GError **error)
{
  db->backend->set_error (db, rc, error);
}

#define BACKEND(s) ((s)->db->backend)

int
jc_db_step (JcDbStmt *stmt)
{
  return BACKEND (stmt)->step (stmt);
}

int
jc_db_reset (JcDbStmt *stmt)
{
  return stmt ? BACKEND (stmt)->reset (stmt) : JC_DB_OK;
}

/* Like sqlite3_finalize(), NULL is fine. */
void
jc_db_finalize (JcDbStmt *stmt)
{
  if (stmt != NULL)
    BACKEND (stmt)->finalize (stmt);
}

int
jc_db_clear_bindings (JcDbStmt *stmt)
{
  return BACKEND (stmt)->clear_bindings (stmt);
}

int
jc_db_bind_int64 (JcDbStmt *stmt, int i, gint64 value)
{
  return BACKEND (stmt)->bind_int64 (stmt, i, value);
}

int
jc_db_bind_int (JcDbStmt *stmt, int i, int value)
{
  return BACKEND (stmt)->bind_int64 (stmt, i, value);
}

int
jc_db_bind_double (JcDbStmt *stmt, int i, double value)
{
  return BACKEND (stmt)->bind_double (stmt, i, value);
}

int
jc_db_bind_text (JcDbStmt *stmt, int i, const char *value, int n, JcDbDestructor destroy)
{
  return BACKEND (stmt)->bind_text (stmt, i, value, n, destroy);
}

int
jc_db_bind_blob (JcDbStmt *stmt, int i, const void *value, int n, JcDbDestructor destroy)
{
  return BACKEND (stmt)->bind_blob (stmt, i, value, n, destroy);
}

int
jc_db_bind_null (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->bind_null (stmt, i);
}

int
jc_db_column_count (JcDbStmt *stmt)
{
  return BACKEND (stmt)->column_count (stmt);
}

const char *
jc_db_column_name (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->column_name (stmt, i);
}

int
jc_db_column_type (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->column_type (stmt, i);
}

gint64
jc_db_column_int64 (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->column_int64 (stmt, i);
}

int
jc_db_column_int (JcDbStmt *stmt, int i)
{
  return (int) BACKEND (stmt)->column_int64 (stmt, i);
}

double
jc_db_column_double (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->column_double (stmt, i);
}

const unsigned char *
jc_db_column_text (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->column_text (stmt, i);
}

const void *
jc_db_column_blob (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->column_blob (stmt, i);
}

int
jc_db_column_bytes (JcDbStmt *stmt, int i)
{
  return BACKEND (stmt)->column_bytes (stmt, i);
}

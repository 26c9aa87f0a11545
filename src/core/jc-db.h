/* jc-db.h — one SQL connection, on SQLite or on PostgreSQL
 *
 * The event log, its projections and everything HQ keeps go through this
 * interface, so that HQ runs on SQLite (a device's vault, a small HQ) or on
 * PostgreSQL (a province's HQ) with the same code. It follows SQLite's own
 * C interface call for call (prepare, bind, step, column, reset, finalize,
 * the same result and type codes), because that is what the code was written
 * against and what its readers know.
 *
 * SQL is written once, in the dialect both engines share: `?` or `?N`
 * parameters, `INSERT ... ON CONFLICT`, `RETURNING`, savepoints. The
 * PostgreSQL backend (sync/jc-db-pg.c) rewrites what SQLite spells its own
 * way: parameters become $N; in table definitions INTEGER becomes BIGINT,
 * INTEGER PRIMARY KEY an identity column, BLOB BYTEA; WITHOUT ROWID and
 * PRAGMA statements are dropped, BEGIN IMMEDIATE also takes a lock that
 * keeps writers one at a time, as SQLite does (between processes too); group_concat is
 * string_agg, char() chr(), json_extract (X, '$.a') X::jsonb ->> 'a' and
 * json_each (X, '$.a') jsonb_array_elements (X::jsonb -> 'a'); a column
 * named user is quoted. A SAVEPOINT
 * outside a transaction starts one, as in SQLite. The few queries
 * that need an engine's own words ask jc_db_get_dialect().
 *
 * Where the engines differ, callers keep to what holds on both: after a
 * statement fails inside a transaction, PostgreSQL accepts only ROLLBACK
 * (TO a savepoint), so callers roll back; a COMMIT there fails instead of
 * keeping what succeeded, as SQLite would.
 *
 * A connection is used by one thread at a time (callers hold their lock).
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _JcDb     JcDb;
typedef struct _JcDbStmt JcDbStmt;

typedef void (*JcDbDestructor) (void *);

/* The same values as SQLite's, so that its backend passes them through. */
#define JC_DB_STATIC     ((JcDbDestructor) 0)
#define JC_DB_TRANSIENT  ((JcDbDestructor) -1)

enum {
  JC_DB_OK         = SQLITE_OK,
  JC_DB_ERROR      = SQLITE_ERROR,
  JC_DB_BUSY       = SQLITE_BUSY,
  JC_DB_CONSTRAINT = SQLITE_CONSTRAINT,
  JC_DB_ROW        = SQLITE_ROW,
  JC_DB_DONE       = SQLITE_DONE,
};

enum {
  JC_DB_INTEGER = SQLITE_INTEGER,
  JC_DB_FLOAT   = SQLITE_FLOAT,
  JC_DB_TEXT    = SQLITE_TEXT,
  JC_DB_BLOB    = SQLITE_BLOB,
  JC_DB_NULL    = SQLITE_NULL,
};

/* jc_db_prepare_v3(): the statement is kept and reused many times. */
#define JC_DB_PREPARE_PERSISTENT SQLITE_PREPARE_PERSISTENT

typedef enum {
  JC_DB_DIALECT_SQLITE,
  JC_DB_DIALECT_POSTGRESQL,
} JcDbDialect;

/* A backend: jc-db.c has SQLite's, sync/jc-db-pg.c PostgreSQL's. */
typedef struct
{
  JcDbDialect    dialect;
  void         (*free)            (JcDb *db);
  int          (*prepare)         (JcDb *db, const char *sql, int nbytes, unsigned flags,
                                   JcDbStmt **stmt, const char **tail);
  int          (*exec)            (JcDb *db, const char *sql);
  const char  *(*errmsg)          (JcDb *db);
  int          (*errcode)         (JcDb *db);
  gint64       (*changes)         (JcDb *db);
  gboolean     (*get_autocommit)  (JcDb *db);
  void         (*set_error)       (JcDb *db, int rc, GError **error);

  int          (*step)            (JcDbStmt *stmt);
  int          (*reset)           (JcDbStmt *stmt);
  void         (*finalize)        (JcDbStmt *stmt);
  int          (*clear_bindings)  (JcDbStmt *stmt);
  int          (*bind_int64)      (JcDbStmt *stmt, int i, gint64 value);
  int          (*bind_double)     (JcDbStmt *stmt, int i, double value);
  int          (*bind_text)       (JcDbStmt *stmt, int i, const char *value, int n, JcDbDestructor d);
  int          (*bind_blob)       (JcDbStmt *stmt, int i, const void *value, int n, JcDbDestructor d);
  int          (*bind_null)       (JcDbStmt *stmt, int i);
  int          (*column_count)    (JcDbStmt *stmt);
  const char  *(*column_name)     (JcDbStmt *stmt, int i);
  int          (*column_type)     (JcDbStmt *stmt, int i);
  gint64       (*column_int64)    (JcDbStmt *stmt, int i);
  double       (*column_double)   (JcDbStmt *stmt, int i);
  const unsigned char *(*column_text) (JcDbStmt *stmt, int i);
  const void  *(*column_blob)     (JcDbStmt *stmt, int i);
  int          (*column_bytes)    (JcDbStmt *stmt, int i);
} JcDbBackend;

struct _JcDb
{
  const JcDbBackend *backend;
};

struct _JcDbStmt
{
  JcDb *db;
};

/* @db wrapped; when @owned, jc_db_free() closes it with sqlite3_close(). */
JcDb        *jc_db_new_sqlite      (sqlite3        *db,
                                    gboolean        owned);
/* The SQLite connection underneath, or NULL on another engine. */
sqlite3     *jc_db_get_sqlite      (JcDb           *db);
JcDbDialect  jc_db_get_dialect     (JcDb           *db);
void         jc_db_free            (JcDb           *db);

int          jc_db_prepare         (JcDb           *db,
                                    const char     *sql,
                                    int             nbytes,
                                    JcDbStmt      **stmt,
                                    const char    **tail);
int          jc_db_prepare_v3      (JcDb           *db,
                                    const char     *sql,
                                    int             nbytes,
                                    unsigned        flags,
                                    JcDbStmt      **stmt,
                                    const char    **tail);
/* Runs @sql, which may hold several statements, none with parameters. */
int          jc_db_exec            (JcDb           *db,
                                    const char     *sql);
/* jc_db_exec() with its failure as a GError (jc_db_set_error()). */
gboolean     jc_db_exec_sql        (JcDb           *db,
                                    const char     *sql,
                                    GError        **error);
const char  *jc_db_errmsg          (JcDb           *db);
int          jc_db_errcode         (JcDb           *db);
/* Rows the last INSERT, UPDATE or DELETE changed. */
gint64       jc_db_changes         (JcDb           *db);
/* TRUE outside a transaction. */
gboolean     jc_db_get_autocommit  (JcDb           *db);
/* Turns the failing result @rc of a call on @db into a GError. On SQLite
 * this is jc_vfs_set_error(), which names a page that failed
 * authentication or a full disk as such. */
void         jc_db_set_error       (JcDb           *db,
                                    int             rc,
                                    GError        **error);

int          jc_db_step            (JcDbStmt       *stmt);
int          jc_db_reset           (JcDbStmt       *stmt);
void         jc_db_finalize        (JcDbStmt       *stmt);
int          jc_db_clear_bindings  (JcDbStmt       *stmt);
int          jc_db_bind_int64      (JcDbStmt       *stmt,
                                    int             i,
                                    gint64          value);
int          jc_db_bind_int        (JcDbStmt       *stmt,
                                    int             i,
                                    int             value);
int          jc_db_bind_double     (JcDbStmt       *stmt,
                                    int             i,
                                    double          value);
int          jc_db_bind_text       (JcDbStmt       *stmt,
                                    int             i,
                                    const char     *value,
                                    int             n,
                                    JcDbDestructor  destroy);
int          jc_db_bind_blob       (JcDbStmt       *stmt,
                                    int             i,
                                    const void     *value,
                                    int             n,
                                    JcDbDestructor  destroy);
int          jc_db_bind_null       (JcDbStmt       *stmt,
                                    int             i);
int          jc_db_column_count    (JcDbStmt       *stmt);
const char  *jc_db_column_name     (JcDbStmt       *stmt,
                                    int             i);
int          jc_db_column_type     (JcDbStmt       *stmt,
                                    int             i);
gint64       jc_db_column_int64    (JcDbStmt       *stmt,
                                    int             i);
int          jc_db_column_int      (JcDbStmt       *stmt,
                                    int             i);
double       jc_db_column_double   (JcDbStmt       *stmt,
                                    int             i);
const unsigned char *jc_db_column_text (JcDbStmt   *stmt,
                                    int             i);
const void  *jc_db_column_blob     (JcDbStmt       *stmt,
                                    int             i);
int          jc_db_column_bytes    (JcDbStmt       *stmt,
                                    int             i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcDb, jc_db_free)

G_END_DECLS

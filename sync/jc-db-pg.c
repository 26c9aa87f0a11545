/* jc-db-pg.c — jc-db.h's PostgreSQL backend (libpq)
 *
 * Each statement is prepared once per connection and per set of parameter
 * types (PQprepare), then run with PQexecPrepared; its whole result is
 * fetched at the first step, so that, as on SQLite, other statements can
 * run on the connection while the caller walks the rows. Integers travel as
 * int8, blobs as binary bytea, text as an untyped literal the server reads
 * as its column's type; results come back as text and are read back as
 * SQLite's column functions would give them.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <string.h>

#include "jc-db-pg.h"

/* The server's type oids (catalog/pg_type_d.h, stable since forever). */
#define BOOLOID    16
#define BYTEAOID   17
#define INT8OID    20
#define INT2OID    21
#define INT4OID    23
#define TEXTOID    25
#define OIDOID     26
#define FLOAT4OID  700
#define FLOAT8OID  701
#define NUMERICOID 1700

typedef struct
{
  JcDb        parent;
  PGconn     *conn;
  char       *errmsg;
  int         errcode;
  gint64      changes;
  GHashTable *prepared;   /* "types\x1fsql" → statement name */
  guint       n_prepared;
  guint       generation; /* a new one for each connection: its statements */
  /* SQLite starts a transaction at a SAVEPOINT outside one and commits it
   * at that savepoint's RELEASE; PostgreSQL wants a BEGIN: the name of
   * that savepoint, and how deep it is nested in itself */
  char       *implicit;
  guint       implicit_depth;
  gboolean    in_transaction;   /* a BEGIN of the caller's own is open */
  char       *why;              /* failed()'s reason, for its empty result */
} JcDbPg;

typedef struct
{
  char  kind;   /* 'n' NULL, 'i' int8, 'd' float8, 't' text, 'b' bytea */
  char *value;
  int   len;
} Param;

typedef struct
{
  JcDbStmt  parent;
  char     *sql;
  gboolean  utility;    /* BEGIN, SAVEPOINT, CREATE…: run, not prepared */
  int       n_params;
  Param    *params;
  PGresult *res;
  PGresult *desc;       /* the columns, before the first step */
  /* the name it was last run under, for these parameter types, on this
   * connection: the next run with the same types skips the lookup */
  const char *name;
  char       *name_kinds;
  guint       name_generation;
  int       row;
  int       n_rows;
  guchar  **blobs;      /* the current row's bytea columns, unescaped */
  size_t   *blob_lens;
} JcDbPgStmt;

/* The advisory lock BEGIN IMMEDIATE takes ("JC" is 0x4a43 = 19011). */
#define JC_DB_PG_WRITER_LOCK 19011000001

#define PG(d)     ((JcDbPg *) (d))
#define PGS(s)    ((JcDbPgStmt *) (s))

/* Translation -------------------------------------------------------------- */

static gboolean
word_is (const char *p, const char *word)
{
  gsize n = strlen (word);

  return g_ascii_strncasecmp (p, word, n) == 0 && !g_ascii_isalnum (p[n]) && p[n] != '_';
}

static const char *
skip_space (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

/* Copies a quoted run ('…', "…" with doubled quotes, or $$…$$) verbatim. */
static const char *
copy_quoted (GString *out, const char *p)
{
  if (p[0] == '$' && p[1] == '$')
    {
      const char *end = strstr (p + 2, "$$");

      end = end ? end + 2 : p + strlen (p);
      g_string_append_len (out, p, end - p);
      return end;
    }
  else
    {
      char q = *p;
      const char *s = p + 1;

      while (*s != '\0' && !(*s == q && s[1] != q))
        s += (*s == q) ? 2 : 1;
      if (*s == q)
        s++;
      g_string_append_len (out, p, s - p);
      return s;
    }
}

/* The ')' that closes the '(' at @open, or NULL. */
static const char *
closing_paren (const char *open, const char *end)
{
  g_autoptr(GString) skip = g_string_new (NULL);
  int depth = 0;

  for (const char *p = open; p < end;)
    {
      if (*p == '\'' || *p == '"')
        {
          g_string_truncate (skip, 0);
          p = copy_quoted (skip, p);
          continue;
        }
      if (*p == '(')
        depth++;
      else if (*p == ')' && --depth == 0)
        return p;
      p++;
    }
  return NULL;
}

static void translate (GString *out, const char *p, const char *end, int *max_param);

/* SQLite's json_extract (X, '$.a.b') and json_each (X, '$.a') at @p (the
 * word's start, @args its '('): X::jsonb -> 'a' ->> 'b' and
 * jsonb_array_elements (X::jsonb -> 'a'), whose column is also "value".
 * Returns where the call ends, or NULL when it is not of that form. */
static const char *
translate_json (GString *out, const char *args, const char *end, gboolean each, int *max_param)
{
  const char *close = closing_paren (args, end);
  const char *comma = NULL, *path, *path_end;
  g_auto(GStrv) keys = NULL;
  g_autofree char *path_text = NULL;
  int depth = 0;

  if (close == NULL)
    return NULL;
  for (const char *p = args + 1; p < close && comma == NULL; p++)
    {
      if (*p == '\'')
        return NULL;  /* a string in X: not the simple form we rewrite */
      depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
      if (*p == ',' && depth == 0)
        comma = p;
    }
  if (comma == NULL)
    return NULL;
  path = skip_space (comma + 1);
  if (path[0] != '\'' || path[1] != '$')
    return NULL;
  path_end = strchr (path + 1, '\'');
  if (path_end == NULL || *skip_space (path_end + 1) != ')')
    return NULL;
  path_text = g_strndup (path + 2, path_end - path - 2);
  if (path_text[0] != '\0' && path_text[0] != '.')
    return NULL;
  keys = g_strsplit (path_text[0] ? path_text + 1 : path_text, ".", -1);

  g_string_append (out, each ? "jsonb_array_elements ((" : "((");
  translate (out, args + 1, comma, max_param);
  g_string_append (out, ")::jsonb");
  for (guint i = 0; keys[i] != NULL && keys[i][0] != '\0'; i++)
    g_string_append_printf (out, " %s '%s'", !each && keys[i + 1] == NULL ? "->>" : "->", keys[i]);
  if (!each && (keys[0] == NULL || keys[0][0] == '\0'))
    g_string_append (out, " #>> '{}'");
  g_string_append_c (out, ')');
  return close + 1;
}

static void
translate (GString *out, const char *p, const char *end, int *max_param)
{
  gboolean after_begin = FALSE;

  while (p < end)
    {
      if (*p == '\'' || *p == '"' || (p[0] == '$' && p[1] == '$'))
        p = copy_quoted (out, p);
      else if (p[0] == '-' && p[1] == '-')
        {
          const char *eol = memchr (p, '\n', end - p);
          const char *stop = eol ? eol : end;

          g_string_append_len (out, p, stop - p);
          p = stop;
        }
      else if (*p == '?')
        {
          int n = 0;

          p++;
          if (g_ascii_isdigit (*p))
            while (g_ascii_isdigit (*p))
              n = n * 10 + (*p++ - '0');
          else
            n = *max_param + 1;
          *max_param = MAX (*max_param, n);
          g_string_append_printf (out, "$%d", n);
        }
      else if (g_ascii_isalpha (*p) || *p == '_')
        {
          const char *start = p;
          gboolean was_begin = after_begin;
          const char *call_end;

          while (g_ascii_isalnum (*p) || *p == '_')
            p++;
          after_begin = FALSE;
          if (word_is (start, "INTEGER") && word_is (skip_space (p), "PRIMARY"))
            g_string_append (out, "BIGINT GENERATED BY DEFAULT AS IDENTITY");
          else if (word_is (start, "INTEGER"))
            g_string_append (out, "BIGINT");
          else if (word_is (start, "BLOB"))
            g_string_append (out, "BYTEA");
          else if (word_is (start, "REAL"))
            g_string_append (out, "DOUBLE PRECISION");
          else if (word_is (start, "AUTOINCREMENT"))
            ;
          else if (word_is (start, "WITHOUT") && word_is (skip_space (p), "ROWID"))
            p = skip_space (p) + strlen ("ROWID");
          else if (was_begin && word_is (start, "DEFERRED"))
            ;  /* IMMEDIATE and EXCLUSIVE stay: run_one() gives them their meaning */
          else if (word_is (start, "PRAGMA"))
            {
              /* SQLite's settings mean nothing here: the whole statement goes */
              const char *semi = memchr (p, ';', end - p);

              p = semi ? semi + 1 : end;
            }
          else if ((word_is (start, "json_extract") || word_is (start, "json_each")) &&
                   *skip_space (p) == '(' &&
                   (call_end = translate_json (out, skip_space (p), end, word_is (start, "json_each"),
                                               max_param)) != NULL)
            p = call_end;
          else if (word_is (start, "group_concat"))
            g_string_append (out, "string_agg");
          else if (word_is (start, "char") && *skip_space (p) == '(')
            g_string_append (out, "chr");
          else if (word_is (start, "user"))
            g_string_append (out, "\"user\"");  /* a column here; a keyword there */
          else
            {
              after_begin = word_is (start, "BEGIN");
              g_string_append_len (out, start, p - start);
            }
        }
      else
        g_string_append_c (out, *p++);
    }
}

char *
jc_db_pg_translate (const char *sql, int *n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 32);
  int max_param = 0;

  translate (out, sql, sql + strlen (sql), &max_param);
  if (n_params != NULL)
    *n_params = max_param;
  return g_string_free (out, FALSE);
}

/* Errors -------------------------------------------------------------------- */

static void
set_errmsg (JcDbPg *db, const char *msg, int code)
{
  char *copy = g_strchomp (g_strdup (msg ? msg : ""));  /* @msg may be the old one */

  g_free (db->errmsg);
  db->errmsg = copy;
  db->errcode = code;
}

/* Keeps @res's error; returns the jc-db result code for it. */
static int
result_error (JcDbPg *db, const PGresult *res)
{
  const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  const char *detail = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL) : NULL;
  g_autofree char *msg = NULL;
  int code = JC_DB_ERROR;

  if (state != NULL && g_str_has_prefix (state, "23"))
    code = JC_DB_CONSTRAINT;
  else if (g_strcmp0 (state, "40P01") == 0 || g_strcmp0 (state, "55P03") == 0 ||
           g_strcmp0 (state, "40001") == 0)
    code = JC_DB_BUSY;
  if (primary != NULL)
    msg = detail ? g_strdup_printf ("%s (%s)", primary, detail) : g_strdup (primary);
  else if (db->why != NULL)
    msg = g_steal_pointer (&db->why);
  else
    msg = g_strdup (PQerrorMessage (db->conn));
  g_clear_pointer (&db->why, g_free);
  if (state != NULL)
    {
      char *with_state = g_strdup_printf ("%s [SQLSTATE %s]", msg, state);

      g_free (msg);
      msg = with_state;
    }
  set_errmsg (db, msg, code);
  return code;
}

/* Runs a result's status check: TRUE when it succeeded. */
static gboolean
result_ok (JcDbPg *db, PGresult *res, int *rc)
{
  ExecStatusType status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
  PGTransactionStatusType txn = PQtransactionStatus (db->conn);

  /* unknown once the connection is gone: then what it was still counts */
  if (txn != PQTRANS_UNKNOWN)
    db->in_transaction = txn == PQTRANS_INTRANS || txn == PQTRANS_INERROR;

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    {
      const char *n = PQcmdTuples (res);

      db->changes = n && *n ? g_ascii_strtoll (n, NULL, 10) : 0;
      *rc = JC_DB_OK;
      return TRUE;
    }
  *rc = result_error (db, res);
  return FALSE;
}

/* The connection ------------------------------------------------------------ */

static void
ignore_notice (void *data, const char *message)
{
  /* "relation already exists, skipping" on every start: not news */
  g_debug ("PostgreSQL: %s", message);
}

static void
pg_free (JcDb *db)
{
  g_free (PG (db)->implicit);
  g_free (PG (db)->why);
  PQfinish (PG (db)->conn);
  g_hash_table_unref (PG (db)->prepared);
  g_free (PG (db)->errmsg);
  g_free (db);
}

/* A connection the server dropped (restarted, a network cut, an
 * administrator's pg_terminate_backend) is made again before the next
 * statement — but never inside a transaction, whose work went with the
 * old connection: that statement fails, and the caller's ROLLBACK ends it. */
static gboolean
ensure_connected (JcDbPg *db)
{
  if (PQstatus (db->conn) == CONNECTION_OK)
    return TRUE;
  if (db->in_transaction)
    {
      /* this statement fails; the next one (the caller's ROLLBACK) connects */
      db->in_transaction = FALSE;
      g_clear_pointer (&db->implicit, g_free);
      set_errmsg (db, "the connection to the database server was lost during a transaction; "
                      "nothing of it was kept", JC_DB_ERROR);
      return FALSE;
    }
  PQreset (db->conn);
  if (PQstatus (db->conn) != CONNECTION_OK)
    {
      set_errmsg (db, PQerrorMessage (db->conn), JC_DB_ERROR);
      return FALSE;
    }
  g_message ("PostgreSQL: connected again after the connection was lost");
  /* prepared statements belong to the old connection */
  g_hash_table_remove_all (db->prepared);
  db->generation++;
  PQsetNoticeProcessor (db->conn, ignore_notice, NULL);
  return TRUE;
}

/* After the server dropped the connection, a statement that changes
 * nothing (a query, the start of a transaction) may simply be sent again
 * on a new one; a change might have been made before the drop, so it is
 * not — its caller sees the error and, like every sync, tries again. */
static gboolean
may_retry (JcDbPg *db, gboolean was_in_transaction, const char *sql)
{
  const char *p = skip_space (sql);

  return PQstatus (db->conn) == CONNECTION_BAD && !was_in_transaction &&
         (word_is (p, "SELECT") || word_is (p, "BEGIN") || word_is (p, "SAVEPOINT")) &&
         ensure_connected (db);
}

/* PQexec(), once more on a new connection when may_retry() says so. */
static PGresult *
exec_retrying (JcDbPg *db, const char *sql)
{
  gboolean was_in_transaction = db->in_transaction;
  PGresult *res = PQexec (db->conn, sql);
  ExecStatusType status = PQresultStatus (res);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && may_retry (db, was_in_transaction, sql))
    {
      PQclear (res);
      res = PQexec (db->conn, sql);
    }
  return res;
}

static gboolean
is_utility (const char *sql)
{
  static const char * const words[] = { "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END",
                                         "CREATE", "DROP", "ALTER", "SET", NULL };
  const char *p = skip_space (sql);

  for (guint i = 0; words[i] != NULL; i++)
    if (word_is (p, words[i]))
      return TRUE;
  return FALSE;
}

/* The savepoint named after SAVEPOINT or RELEASE [SAVEPOINT] at @p. */
static char *
savepoint_name (const char *p)
{
  const char *start;

  p = skip_space (p);
  if (word_is (p, "SAVEPOINT"))
    p = skip_space (p + strlen ("SAVEPOINT"));
  start = p;
  while (g_ascii_isalnum (*p) || *p == '_')
    p++;
  return g_ascii_strdown (start, p - start);
}

/* A failed result of our own making: result_error() reads @why from it. */
static PGresult *
failed (JcDbPg *db, const char *why)
{
  char *copy = g_strdup (why);  /* @why may be db->errmsg */

  g_free (db->why);
  db->why = copy;
  return PQmakeEmptyPGresult (db->conn, PGRES_FATAL_ERROR);
}

/* One statement without parameters, with SQLite's savepoints. */
static PGresult *
run_one (JcDbPg *db, const char *sql)
{
  const char *p = skip_space (sql);
  PGTransactionStatusType status;

  if (!ensure_connected (db))
    return failed (db, db->errmsg);
  status = PQtransactionStatus (db->conn);

  if (word_is (p, "BEGIN") && (word_is (skip_space (p + strlen ("BEGIN")), "IMMEDIATE") ||
                                word_is (skip_space (p + strlen ("BEGIN")), "EXCLUSIVE")))
    {
      /* SQLite's BEGIN IMMEDIATE: one writer at a time, so that what a
       * writer reads (a chain's head, a code still unused) stays true until
       * it commits — also between several jiancha-hq on one database. A
       * lock of the transaction, let go at its COMMIT or ROLLBACK. */
      PGresult *res = exec_retrying (db, "BEGIN");

      if (PQresultStatus (res) == PGRES_COMMAND_OK)
        {
          PGresult *lock = PQexec (db->conn, "SELECT pg_advisory_xact_lock (" G_STRINGIFY (JC_DB_PG_WRITER_LOCK) ")");

          if (PQresultStatus (lock) != PGRES_TUPLES_OK)
            {
              PQclear (res);
              PQclear (PQexec (db->conn, "ROLLBACK"));
              return lock;
            }
          PQclear (lock);
        }
      return res;
    }
  if (word_is (p, "SAVEPOINT"))
    {
      g_autofree char *name = savepoint_name (p + strlen ("SAVEPOINT"));

      if (status == PQTRANS_IDLE)
        {
          PGresult *res = exec_retrying (db, "BEGIN");

          if (PQresultStatus (res) != PGRES_COMMAND_OK)
            return res;
          PQclear (res);
          g_free (db->implicit);
          db->implicit = g_steal_pointer (&name);
          db->implicit_depth = 1;
        }
      else if (g_strcmp0 (name, db->implicit) == 0)
        db->implicit_depth++;
    }
  else if (word_is (p, "RELEASE") && db->implicit != NULL)
    {
      g_autofree char *name = savepoint_name (p + strlen ("RELEASE"));

      if (g_strcmp0 (name, db->implicit) == 0 && --db->implicit_depth == 0)
        {
          g_clear_pointer (&db->implicit, g_free);
          sql = "COMMIT";
          p = sql;
        }
    }
  if (word_is (p, "COMMIT") || word_is (p, "END") ||
      (word_is (p, "ROLLBACK") && !word_is (skip_space (p + strlen ("ROLLBACK")), "TO")))
    {
      g_clear_pointer (&db->implicit, g_free);
      /* PostgreSQL answers COMMIT of a failed transaction with a quiet
       * ROLLBACK; SQLite would have committed what succeeded. Neither is
       * what the caller meant: say so. */
      if (word_is (p, "COMMIT") && status == PQTRANS_INERROR)
        {
          PQclear (PQexec (db->conn, "ROLLBACK"));
          return failed (db, "COMMIT of a transaction in which a statement had failed: rolled back");
        }
    }
  return exec_retrying (db, sql);
}

/* @sql, one statement after another, as PQexec() would but through
 * run_one(); the last result, or the first that failed. */
static PGresult *
run_sql (JcDbPg *db, const char *sql)
{
  g_autoptr(GString) one = g_string_new (NULL);
  PGresult *res = NULL;
  const char *p = sql;

  while (TRUE)
    {
      if (*p == '\'' || *p == '"' || (p[0] == '$' && p[1] == '$'))
        {
          p = copy_quoted (one, p);
          continue;
        }
      if (*p != ';' && *p != '\0')
        {
          g_string_append_c (one, *p++);
          continue;
        }
      if (*skip_space (one->str) != '\0')
        {
          PQclear (res);
          res = run_one (db, one->str);
          if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
            return res;
        }
      g_string_truncate (one, 0);
      if (*p == '\0')
        break;
      p++;
    }
  return res ? res : PQexec (db->conn, "");
}

static int
pg_prepare (JcDb *db, const char *sql, int nbytes, unsigned flags, JcDbStmt **out, const char **tail)
{
  g_autofree char *text = nbytes >= 0 ? g_strndup (sql, nbytes) : g_strdup (sql);
  JcDbPgStmt *s = g_new0 (JcDbPgStmt, 1);

  s->parent.db = db;
  s->sql = jc_db_pg_translate (text, &s->n_params);
  s->utility = s->n_params == 0 && is_utility (s->sql);
  s->params = g_new0 (Param, MAX (s->n_params, 1));
  for (int i = 0; i < s->n_params; i++)
    s->params[i].kind = 'n';
  if (tail != NULL)
    *tail = sql + (nbytes >= 0 ? (gsize) nbytes : strlen (sql));
  *out = &s->parent;
  return JC_DB_OK;
}

static int
pg_exec (JcDb *db, const char *sql)
{
  g_autofree char *text = jc_db_pg_translate (sql, NULL);
  PGresult *res = run_sql (PG (db), text);
  int rc;

  result_ok (PG (db), res, &rc);
  PQclear (res);
  return rc;
}

static const char *
pg_errmsg (JcDb *db)
{
  return PG (db)->errmsg ? PG (db)->errmsg : "not an error";
}

static int
pg_errcode (JcDb *db)
{
  return PG (db)->errcode;
}

static gint64
pg_changes (JcDb *db)
{
  return PG (db)->changes;
}

static gboolean
pg_get_autocommit (JcDb *db)
{
  return PQtransactionStatus (PG (db)->conn) == PQTRANS_IDLE;
}

static void
pg_set_error (JcDb *db, int rc, GError **error)
{
  const char *msg = pg_errmsg (db);

  /* class 53: insufficient resources (disk full, out of memory) */
  g_set_error (error, G_IO_ERROR, strstr (msg, "[SQLSTATE 53") ? G_IO_ERROR_NO_SPACE : G_IO_ERROR_FAILED,
               _("PostgreSQL: %s"), msg);
}

/* Statements ----------------------------------------------------------------- */

static void
clear_row (JcDbPgStmt *s)
{
  if (s->blobs != NULL)
    {
      for (int i = 0; i < PQnfields (s->res); i++)
        if (s->blobs[i] != NULL)
          PQfreemem (s->blobs[i]);
      g_clear_pointer (&s->blobs, g_free);
      g_clear_pointer (&s->blob_lens, g_free);
    }
}

static void
clear_result (JcDbPgStmt *s)
{
  if (s->res != NULL)
    clear_row (s);
  g_clear_pointer (&s->res, PQclear);
  s->row = -1;
  s->n_rows = 0;
}

static Oid
param_type (char kind, gboolean text_typed)
{
  switch (kind)
    {
    case 'i': return INT8OID;
    case 'd': return FLOAT8OID;
    case 'b': return BYTEAOID;
    default: return text_typed ? TEXTOID : 0;
    }
}

/* The name of @s prepared for its parameters' current types. */
static const char *
prepared_name (JcDbPgStmt *s, int *rc)
{
  JcDbPg *db = PG (s->parent.db);
  GString *key;
  const char *name;

  if (!ensure_connected (db))
    {
      *rc = JC_DB_ERROR;
      return NULL;
    }
  key = g_string_sized_new (s->n_params + strlen (s->sql) + 1);
  for (int i = 0; i < s->n_params; i++)
    g_string_append_c (key, s->params[i].kind);
  if (s->name != NULL && s->name_generation == db->generation && strcmp (key->str, s->name_kinds) == 0)
    {
      g_string_free (key, TRUE);
      return s->name;
    }
  g_free (s->name_kinds);
  s->name_kinds = g_strdup (key->str);
  s->name_generation = db->generation;
  g_string_append_c (key, '\x1f');
  g_string_append (key, s->sql);
  name = g_hash_table_lookup (db->prepared, key->str);
  if (name == NULL)
    {
      g_autofree Oid *types = g_new0 (Oid, MAX (s->n_params, 1));
      g_autofree char *new_name = g_strdup_printf ("jc%u", ++db->n_prepared);
      PGresult *res;

      for (int i = 0; i < s->n_params; i++)
        types[i] = param_type (s->params[i].kind, FALSE);
      res = PQprepare (db->conn, new_name, s->sql, s->n_params, types);
      /* "could not determine the data type of $N": an untyped text or NULL
       * where nothing says its type; tell the server it is text */
      if (PQresultStatus (res) == PGRES_FATAL_ERROR &&
          (g_strcmp0 (PQresultErrorField (res, PG_DIAG_SQLSTATE), "42P18") == 0 ||
           g_strcmp0 (PQresultErrorField (res, PG_DIAG_SQLSTATE), "42P08") == 0))
        {
          PQclear (res);
          for (int i = 0; i < s->n_params; i++)
            types[i] = param_type (s->params[i].kind, TRUE);
          res = PQprepare (db->conn, new_name, s->sql, s->n_params, types);
        }
      if (!result_ok (db, res, rc))
        {
          PQclear (res);
          g_string_free (key, TRUE);
          s->name = NULL;
          return NULL;
        }
      PQclear (res);
      name = new_name;
      g_hash_table_insert (db->prepared, g_string_free (key, FALSE), g_steal_pointer (&new_name));
      return s->name = name;
    }
  g_string_free (key, TRUE);
  return s->name = name;
}

static int
pg_step (JcDbStmt *stmt)
{
  JcDbPgStmt *s = PGS (stmt);
  JcDbPg *db = PG (stmt->db);
  int rc = JC_DB_OK;

  for (guint attempt = 0; s->res == NULL; attempt++)
    {
      gboolean was_in_transaction = db->in_transaction;
      PGresult *res;

      if (s->utility)
        res = run_sql (db, s->sql);
      else
        {
          g_autofree const char **values = g_new0 (const char *, MAX (s->n_params, 1));
          g_autofree int *lengths = g_new0 (int, MAX (s->n_params, 1));
          g_autofree int *formats = g_new0 (int, MAX (s->n_params, 1));
          const char *name = prepared_name (s, &rc);

          if (name == NULL && attempt == 0 && may_retry (db, was_in_transaction, s->sql))
            continue;
          if (name == NULL)
            return rc;
          for (int i = 0; i < s->n_params; i++)
            {
              values[i] = s->params[i].value;
              lengths[i] = s->params[i].len;
              formats[i] = s->params[i].kind == 'b';
            }
          res = PQexecPrepared (db->conn, name, s->n_params, values, lengths, formats, 0);
        }
      if (!result_ok (db, res, &rc))
        {
          PQclear (res);
          if (attempt == 0 && !s->utility && may_retry (db, was_in_transaction, s->sql))
            continue;
          return rc;
        }
      s->res = res;
      s->row = -1;
      s->n_rows = PQresultStatus (res) == PGRES_TUPLES_OK ? PQntuples (res) : 0;
    }
  clear_row (s);
  if (s->row + 1 < s->n_rows)
    {
      s->row++;
      return JC_DB_ROW;
    }
  s->row = s->n_rows;
  return JC_DB_DONE;
}

static int
pg_reset (JcDbStmt *stmt)
{
  clear_result (PGS (stmt));
  return JC_DB_OK;
}

static void
clear_param (Param *p)
{
  g_clear_pointer (&p->value, g_free);
  p->len = 0;
  p->kind = 'n';
}

static int
pg_clear_bindings (JcDbStmt *stmt)
{
  for (int i = 0; i < PGS (stmt)->n_params; i++)
    clear_param (&PGS (stmt)->params[i]);
  return JC_DB_OK;
}

static void
pg_finalize (JcDbStmt *stmt)
{
  JcDbPgStmt *s = PGS (stmt);

  clear_result (s);
  g_clear_pointer (&s->desc, PQclear);
  g_free (s->name_kinds);
  pg_clear_bindings (stmt);
  g_free (s->params);
  g_free (s->sql);
  g_free (s);
}

/* The parameter @i (1-based) emptied, ready for a value; NULL when out of
 * range (SQLite's SQLITE_RANGE). */
static Param *
param (JcDbStmt *stmt, int i)
{
  JcDbPgStmt *s = PGS (stmt);

  if (i < 1 || i > s->n_params)
    {
      set_errmsg (PG (stmt->db), "column index out of range", JC_DB_ERROR);
      return NULL;
    }
  clear_param (&s->params[i - 1]);
  return &s->params[i - 1];
}

static void
release (const void *value, JcDbDestructor d)
{
  if (d != JC_DB_STATIC && d != JC_DB_TRANSIENT)
    d ((void *) value);
}

/* A text or blob parameter: a copy, NUL-terminated for libpq's text. */
static int
bind_copy (JcDbStmt *stmt, int i, char kind, const void *value, int n, JcDbDestructor d)
{
  Param *p = param (stmt, i);

  if (p != NULL && value != NULL)
    {
      p->kind = kind;
      p->len = n;
      p->value = g_malloc (n + 1);
      memcpy (p->value, value, n);
      p->value[n] = '\0';
    }
  release (value, d);
  return p == NULL ? JC_DB_ERROR : JC_DB_OK;
}

/* Numbers travel as text too, typed int8 or float8. */
static int
pg_bind_int64 (JcDbStmt *stmt, int i, gint64 value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  return bind_copy (stmt, i, 'i', text, strlen (text), JC_DB_STATIC);
}

static int
pg_bind_double (JcDbStmt *stmt, int i, double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (text, sizeof text, value);
  return bind_copy (stmt, i, 'd', text, strlen (text), JC_DB_STATIC);
}

static int
pg_bind_text (JcDbStmt *stmt, int i, const char *value, int n, JcDbDestructor d)
{
  return bind_copy (stmt, i, 't', value, value && n < 0 ? (int) strlen (value) : n, d);
}

static int
pg_bind_blob (JcDbStmt *stmt, int i, const void *value, int n, JcDbDestructor d)
{
  return bind_copy (stmt, i, 'b', value, n, d);
}

static int
pg_bind_null (JcDbStmt *stmt, int i)
{
  return param (stmt, i) != NULL ? JC_DB_OK : JC_DB_ERROR;
}

/* Columns -------------------------------------------------------------------- */

static gboolean
has_cell (JcDbPgStmt *s, int i)
{
  return s->res != NULL && s->row >= 0 && s->row < s->n_rows && i >= 0 && i < PQnfields (s->res) &&
         !PQgetisnull (s->res, s->row, i);
}

/* The result, or before the first step its description: SQLite tells a
 * statement's columns as soon as it is prepared. */
static const PGresult *
columns (JcDbPgStmt *s)
{
  const char *name;
  int rc;

  if (s->res != NULL || s->desc != NULL || s->utility)
    return s->res ? s->res : s->desc;
  name = prepared_name (s, &rc);
  if (name != NULL)
    s->desc = PQdescribePrepared (PG (s->parent.db)->conn, name);
  return s->desc;
}

static int
pg_column_count (JcDbStmt *stmt)
{
  const PGresult *res = columns (PGS (stmt));

  return res ? PQnfields (res) : 0;
}

static const char *
pg_column_name (JcDbStmt *stmt, int i)
{
  const PGresult *res = columns (PGS (stmt));

  return res && i >= 0 && i < PQnfields (res) ? PQfname (res, i) : NULL;
}

static int
pg_column_type (JcDbStmt *stmt, int i)
{
  JcDbPgStmt *s = PGS (stmt);

  if (!has_cell (s, i))
    return JC_DB_NULL;
  switch (PQftype (s->res, i))
    {
    case BOOLOID: case INT8OID: case INT2OID: case INT4OID: case OIDOID:
      return JC_DB_INTEGER;
    case FLOAT4OID: case FLOAT8OID:
      return JC_DB_FLOAT;
    case NUMERICOID:
      /* sum() of integers is numeric: an integer unless it has a point */
      return strpbrk (PQgetvalue (s->res, s->row, i), ".eE") ? JC_DB_FLOAT : JC_DB_INTEGER;
    case BYTEAOID:
      return JC_DB_BLOB;
    default:
      return JC_DB_TEXT;
    }
}

static gint64
pg_column_int64 (JcDbStmt *stmt, int i)
{
  JcDbPgStmt *s = PGS (stmt);
  const char *v;

  if (!has_cell (s, i))
    return 0;
  v = PQgetvalue (s->res, s->row, i);
  if (PQftype (s->res, i) == BOOLOID)
    return v[0] == 't';
  if (strpbrk (v, ".eE") != NULL)
    return (gint64) g_ascii_strtod (v, NULL);
  return g_ascii_strtoll (v, NULL, 10);
}

static double
pg_column_double (JcDbStmt *stmt, int i)
{
  JcDbPgStmt *s = PGS (stmt);

  return has_cell (s, i) ? g_ascii_strtod (PQgetvalue (s->res, s->row, i), NULL) : 0.0;
}

static const unsigned char *
pg_column_text (JcDbStmt *stmt, int i)
{
  JcDbPgStmt *s = PGS (stmt);

  if (!has_cell (s, i))
    return NULL;
  if (PQftype (s->res, i) == BOOLOID)
    return (const unsigned char *) (PQgetvalue (s->res, s->row, i)[0] == 't' ? "1" : "0");
  return (const unsigned char *) PQgetvalue (s->res, s->row, i);
}

static const void *
pg_column_blob (JcDbStmt *stmt, int i)
{
  JcDbPgStmt *s = PGS (stmt);

  if (!has_cell (s, i))
    return NULL;
  if (PQftype (s->res, i) != BYTEAOID)
    return PQgetvalue (s->res, s->row, i);
  if (s->blobs == NULL)
    {
      s->blobs = g_new0 (guchar *, PQnfields (s->res));
      s->blob_lens = g_new0 (size_t, PQnfields (s->res));
    }
  if (s->blobs[i] == NULL)
    s->blobs[i] = PQunescapeBytea ((const unsigned char *) PQgetvalue (s->res, s->row, i), &s->blob_lens[i]);
  return s->blobs[i];
}

static int
pg_column_bytes (JcDbStmt *stmt, int i)
{
  JcDbPgStmt *s = PGS (stmt);

  if (!has_cell (s, i))
    return 0;
  if (PQftype (s->res, i) != BYTEAOID)
    return PQgetlength (s->res, s->row, i);
  return pg_column_blob (stmt, i) ? (int) s->blob_lens[i] : 0;
}

static const JcDbBackend pg_backend = {
  .dialect = JC_DB_DIALECT_POSTGRESQL,
  .free = pg_free,
  .prepare = pg_prepare,
  .exec = pg_exec,
  .errmsg = pg_errmsg,
  .errcode = pg_errcode,
  .changes = pg_changes,
  .get_autocommit = pg_get_autocommit,
  .set_error = pg_set_error,
  .step = pg_step,
  .reset = pg_reset,
  .finalize = pg_finalize,
  .clear_bindings = pg_clear_bindings,
  .bind_int64 = pg_bind_int64,
  .bind_double = pg_bind_double,
  .bind_text = pg_bind_text,
  .bind_blob = pg_bind_blob,
  .bind_null = pg_bind_null,
  .column_count = pg_column_count,
  .column_name = pg_column_name,
  .column_type = pg_column_type,
  .column_int64 = pg_column_int64,
  .column_double = pg_column_double,
  .column_text = pg_column_text,
  .column_blob = pg_column_blob,
  .column_bytes = pg_column_bytes,
};

JcDb *
jc_db_pg_open (const char *url, GError **error)
{
  PGconn *conn = PQconnectdb (url);
  JcDbPg *db;
  PGresult *res;

  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strchomp (g_strdup (conn ? PQerrorMessage (conn) : "out of memory"));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   _("Cannot connect to the PostgreSQL database: %s"), msg);
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  /* Text sorts as in SQLite (by bytes) in a database created with the C
   * collation, as the README says to create HQ's. */
  res = PQexec (conn, "SET client_encoding = 'UTF8'; SET default_transaction_isolation = 'read committed'");
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("PostgreSQL: %s"), PQresultErrorMessage (res));
      PQclear (res);
      PQfinish (conn);
      return NULL;
    }
  PQclear (res);
  db = g_new0 (JcDbPg, 1);
  db->parent.backend = &pg_backend;
  db->conn = conn;
  db->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return &db->parent;
}

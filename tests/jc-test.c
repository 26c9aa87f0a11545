/* jc-test.c — shared bits of the Check test programs */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sodium.h>
#include <sys/wait.h>

#include <signal.h>
#include <libpq-fe.h>
#include <stdio.h>

#include "jc-core.h"
#include "jc-hq-store.h"
#include "jc-test.h"

int
jc_test_run (Suite *suite)
{
  SRunner *runner = srunner_create (suite);
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}

char *
jc_test_tmpdir (const char *name)
{
  g_autofree char *base = g_build_filename (JC_BUILD_DIR, "tmp", NULL);
  g_autofree char *templ = NULL;
  char *dir;

  g_mkdir_with_parents (base, 0700);
  templ = g_strdup_printf ("%s/%s-XXXXXX", base, name);
  dir = g_mkdtemp (g_steal_pointer (&templ));
  ck_assert_msg (dir != NULL, "mkdtemp under %s: %s", base, g_strerror (errno));
  return dir;
}

static void
rmtree_rec (GFile *file)
{
  g_autoptr(GFileEnumerator) en = NULL;

  en = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (en != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (en, &info, &child, NULL, NULL) && info != NULL)
        {
          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            rmtree_rec (child);
          else
            g_file_delete (child, NULL, NULL);
        }
    }
  g_file_delete (file, NULL, NULL);
}

void
jc_test_rmtree (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  rmtree_rec (file);
}

char *
jc_test_read (const char *path, gsize *len)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  ck_assert_msg (g_file_get_contents (path, &contents, len, &error),
                 "read %s: %s", path, error ? error->message : "?");
  return contents;
}

char *
jc_test_last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  while (n > 0 && *lines[n - 1] == '\0')
    n--;
  ck_assert_msg (n > 0, "no line in “%s”", text);
  return g_strdup (lines[n - 1]);
}

char *
jc_test_plan_envelope (const char *plan_id, const char *document, const guint8 sk[64], const guint8 pk[32])
{
  g_autoptr(GBytes) message = jc_assignments_message (document);
  g_autofree char *sig_hex = NULL;
  guint8 sig[64];

  crypto_sign_detached (sig, NULL, g_bytes_get_data (message, NULL), g_bytes_get_size (message), sk);
  sig_hex = jc_device_hex (sig, sizeof sig);
  return jc_assignments_envelope (plan_id, document, sig_hex, pk);
}

int
jc_test_spawn (const char * const *argv,
               const char * const *envp_extra,
               char              **out,
               char              **err)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  int status = 0;

  for (guint i = 0; envp_extra != NULL && envp_extra[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (envp_extra[i], "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1] ? kv[1] : "", TRUE);
    }

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error),
                 "spawn %s: %s", argv[0], error ? error->message : "?");
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -1;
}

int
jc_test_cli_vaultv (const char          *vault,
                    const char * const  *env_extra,
                    char               **out,
                    char               **err,
                    va_list              args)
{
  g_autofree char *cli = g_build_filename (JC_BUILD_DIR, "src", "cli", "jiancha-cli", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GPtrArray) env = g_ptr_array_new ();
  const char *arg;

  g_ptr_array_add (argv, cli);
  g_ptr_array_add (argv, (gpointer) "--vault");
  g_ptr_array_add (argv, (gpointer) vault);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  g_ptr_array_add (env, (gpointer) "JIANCHA_TEST_FAST_KDF=1");
  g_ptr_array_add (env, (gpointer) "LC_ALL=C.UTF-8");
  g_ptr_array_add (env, (gpointer) "LANGUAGE=");
  for (guint i = 0; env_extra != NULL && env_extra[i] != NULL; i++)
    g_ptr_array_add (env, (gpointer) env_extra[i]);
  g_ptr_array_add (env, NULL);
  return jc_test_spawn ((const char * const *) argv->pdata, (const char * const *) env->pdata, out, err);
}

static int
cli_pin (const char *vault, const char *extra_env, char **out, char **err, va_list ap)
{
  const char * const env[] = { "JIANCHA_PIN=" JC_TEST_PIN, "JIANCHA_NEW_PIN=" JC_TEST_PIN, extra_env, NULL };

  return jc_test_cli_vaultv (vault, env, out, err, ap);
}

int
jc_test_cli (const char *vault, char **out, char **err, ...)
{
  va_list ap;
  int status;

  va_start (ap, err);
  status = cli_pin (vault, NULL, out, err, ap);
  va_end (ap);
  return status;
}

int
jc_test_cli_env (const char *vault, const char *extra_env, char **out, char **err, ...)
{
  va_list ap;
  int status;

  va_start (ap, err);
  status = cli_pin (vault, extra_env, out, err, ap);
  va_end (ap);
  return status;
}

int
jc_test_hqv (const char *hqdir, const char * const *env, char **out, char **err, const char *first, va_list ap)
{
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *db_url = NULL;
  gboolean init = FALSE, has_db = FALSE;

  g_ptr_array_add (argv, exe);
  g_ptr_array_add (argv, (char *) "--dir");
  g_ptr_array_add (argv, (char *) hqdir);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    {
      init |= argv->len == 3 && strcmp (arg, "init") == 0;
      has_db |= strcmp (arg, "--db") == 0;
      g_ptr_array_add (argv, (char *) arg);
    }
  /* the same tests on PostgreSQL: under tests/with-postgresql, every new
   * HQ gets a database of its own */
  if (init && !has_db && (db_url = jc_test_hq_db_url ()) != NULL)
    {
      g_ptr_array_add (argv, (char *) "--db");
      g_ptr_array_add (argv, db_url);
    }
  g_ptr_array_add (argv, NULL);
  return jc_test_spawn ((const char * const *) argv->pdata, env, out, err);
}

int
jc_test_hq (const char *hqdir, char **out, char **err, ...)
{
  va_list ap;
  const char *first;
  int status;

  va_start (ap, err);
  first = va_arg (ap, const char *);
  status = jc_test_hqv (hqdir, NULL, out, err, first, ap);
  va_end (ap);
  return status;
}

static void
server_start (JcTestServer *s, const char *hqdir, guint port, const char * const *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  gboolean tls = FALSE;

  g_ptr_array_add (argv, exe);
  g_ptr_array_add (argv, (char *) "--dir");
  g_ptr_array_add (argv, (char *) hqdir);
  g_ptr_array_add (argv, (char *) "serve");
  g_ptr_array_add (argv, (char *) "--listen");
  g_ptr_array_add (argv, listen);
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (char *) options[i]);
      tls = tls || g_str_equal (options[i], "--tls-cert");
    }
  g_ptr_array_add (argv, NULL);
  /* JC_TEST_SERVER_STDERR=1 shows the server's log (and a sanitizer's report). */
  s->proc = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               (g_getenv ("JC_TEST_SERVER_STDERR") ? 0 : G_SUBPROCESS_FLAGS_STDERR_SILENCE), &error);
  ck_assert_msg (s->proc != NULL, "start %s: %s", exe, error ? error->message : "");
  s->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line_utf8 (s->out, NULL, NULL, &error);
  ck_assert_msg (line != NULL, "no start line from jiancha-hq on %s", listen);
  ck_assert_msg (sscanf (line, "jiancha-hq: listening on port %u", &s->port) == 1, "start line: %s", line);
  ck_assert_msg (port == 0 || s->port == port, "jiancha-hq listens on %u, not %u", s->port, port);
  s->url = g_strdup_printf ("%s://127.0.0.1:%u", tls ? "https" : "http", s->port);
}

void
jc_test_server_start (JcTestServer *s, const char *hqdir)
{
  server_start (s, hqdir, 0, NULL);
}

void
jc_test_server_start_on (JcTestServer *s, const char *hqdir, guint port)
{
  server_start (s, hqdir, port, NULL);
}

void
jc_test_server_start_with (JcTestServer *s, const char *hqdir, const char * const *options)
{
  server_start (s, hqdir, 0, options);
}

gint64
jc_test_hq_int (const char *hqdir, const char *sql)
{
  g_autoptr(JcDb) db = jc_test_hq_db (hqdir);
  JcDbStmt *stmt = NULL;
  gint64 value = -1;

  ck_assert_msg (jc_db_prepare (db, sql, -1, &stmt, NULL) == JC_DB_OK, "%s: %s", sql, jc_db_errmsg (db));
  if (jc_db_step (stmt) == JC_DB_ROW)
    value = jc_db_column_int64 (stmt, 0);
  jc_db_finalize (stmt);
  return value;
}

JcDb *
jc_test_hq_db (const char *hqdir)
{
  g_autoptr(GError) error = NULL;
  JcDb *db = jc_hq_store_open_database (hqdir, &error);

  ck_assert_msg (db != NULL, "HQ's database in %s: %s", hqdir, error ? error->message : "");
  /* under tests/with-postgresql an HQ made without --db would pass for a
   * PostgreSQL test while it ran on SQLite */
  ck_assert_msg (g_getenv ("JIANCHA_TEST_PG_HOST") == NULL || jc_db_get_dialect (db) == JC_DB_DIALECT_POSTGRESQL,
                 "%s: HQ is on SQLite in a PostgreSQL test (its init did not get --db)", hqdir);
  return db;
}

/* Runs @sql on the test cluster's postgres database; the rows it returned. */
static guint
pg_admin (const char *sql)
{
  g_autofree char *admin = g_strdup_printf ("postgresql:///postgres?host=%s&user=postgres",
                                            g_getenv ("JIANCHA_TEST_PG_HOST"));
  PGconn *conn = PQconnectdb (admin);
  PGresult *res;
  guint n;

  ck_assert_msg (PQstatus (conn) == CONNECTION_OK, "PostgreSQL: %s", PQerrorMessage (conn));
  res = PQexec (conn, sql);
  ck_assert_msg (PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK, "%s: %s",
                 sql, PQresultErrorMessage (res));
  n = PQntuples (res);
  PQclear (res);
  PQfinish (conn);
  return n;
}

/* The name of the PostgreSQL database of the HQ in @hqdir, whose address
 * is in the test databases' own form, postgresql:///NAME?host=…; NULL when
 * that HQ is on SQLite. */
static char *
pg_database_of (const char *hqdir)
{
  g_autofree char *url_path = g_build_filename (hqdir, "database", NULL);
  g_autofree char *url = NULL;
  const char *name;

  if (!g_file_get_contents (url_path, &url, NULL, NULL))
    return NULL;
  ck_assert_msg (g_str_has_prefix (url, "postgresql:///"), "%s: %s", url_path, url);
  name = url + strlen ("postgresql:///");
  return g_strndup (name, strcspn (name, "?"));
}

/* A new database, a copy of @template_name or empty (UTF-8, sorted by
 * bytes as in SQLite); its address in the form pg_database_of() reads. */
static char *
pg_new_database (const char *template_name)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("jc_%d_%u", (int) getpid (), ++n);
  g_autofree char *sql = template_name != NULL
    ? g_strdup_printf ("CREATE DATABASE %s TEMPLATE %s", name, template_name)
    : g_strdup_printf ("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", name);

  pg_admin (sql);
  return g_strdup_printf ("postgresql:///%s?host=%s&user=postgres", name, g_getenv ("JIANCHA_TEST_PG_HOST"));
}

void
jc_test_hq_copy (const char *from, const char *to)
{
  const char *cp[] = { "/bin/cp", "-a", from, to, NULL };
  g_autofree char *name = NULL;

  ck_assert_int_eq (jc_test_spawn (cp, NULL, NULL, NULL), 0);
  name = pg_database_of (to);
  if (name != NULL)
    {
      g_autofree char *url_path = g_build_filename (to, "database", NULL);
      g_autofree char *copy_url = pg_new_database (name);

      ck_assert (g_file_set_contents (url_path, copy_url, -1, NULL));
    }
}

guint
jc_test_hq_db_disconnect (const char *hqdir)
{
  g_autofree char *name = pg_database_of (hqdir);
  g_autofree char *sql = NULL;

  ck_assert_msg (name != NULL, "%s: HQ is not on PostgreSQL", hqdir);
  sql = g_strdup_printf ("SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                         "WHERE datname = '%s' AND pid <> pg_backend_pid ()", name);
  return pg_admin (sql);
}

char *
jc_test_hq_db_url (void)
{
  const char *host = g_getenv ("JIANCHA_TEST_PG_HOST");

  return host != NULL && *host != '\0' ? pg_new_database (NULL) : NULL;
}

static void
server_clear (JcTestServer *s)
{
  g_clear_object (&s->out);
  g_clear_object (&s->proc);
  g_clear_pointer (&s->url, g_free);
}

void
jc_test_server_stop (JcTestServer *s)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (s->proc, SIGTERM);
  ck_assert (g_subprocess_wait (s->proc, NULL, &error));
  ck_assert (g_subprocess_get_if_exited (s->proc));
  ck_assert_int_eq (g_subprocess_get_exit_status (s->proc), 0);
  server_clear (s);
}

void
jc_test_server_kill (JcTestServer *s)
{
  g_subprocess_force_exit (s->proc);
  ck_assert (g_subprocess_wait (s->proc, NULL, NULL));
  server_clear (s);
}

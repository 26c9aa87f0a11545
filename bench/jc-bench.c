/* jc-bench.c — what every benchmark needs: medians, resident memory, a clean temp dir */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "jc-bench.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
jc_bench_median (double *samples, guint n)
{
  g_return_val_if_fail (n > 0, 0);

  qsort (samples, n, sizeof samples[0], cmp_double);
  return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

gint64
jc_bench_rss_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

void
jc_bench_rmtree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        jc_bench_rmtree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
pg_admin (const char *host, const char *sql)
{
  g_autofree char *admin = g_strdup_printf ("postgresql:///postgres?host=%s&user=postgres", host);
  PGconn *conn = PQconnectdb (admin);
  PGresult *res;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("PostgreSQL at %s: %s", host, PQerrorMessage (conn));
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));
  PQclear (res);
  PQfinish (conn);
}

char *
jc_bench_pg_database (const char *name, const char *template_name)
{
  const char *host = g_getenv ("JIANCHA_TEST_PG_HOST");
  g_autofree char *drop = NULL;
  g_autofree char *create = NULL;

  if (host == NULL || *host == '\0')
    return NULL;
  drop = g_strdup_printf ("DROP DATABASE IF EXISTS %s", name);
  create = template_name != NULL
    ? g_strdup_printf ("CREATE DATABASE %s TEMPLATE %s", name, template_name)
    : g_strdup_printf ("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", name);
  pg_admin (host, drop);
  pg_admin (host, create);
  return g_strdup_printf ("postgresql:///%s?host=%s&user=postgres", name, host);
}

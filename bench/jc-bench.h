/* jc-bench.h — what every benchmark needs: medians, resident memory, a clean temp dir, a database */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts @samples in place; the middle one (the mean of the two middle ones). */
double  jc_bench_median   (double      *samples,
                           guint        n);
/* A field of /proc/self/status in KiB ("VmRSS:", "VmHWM:"), -1 if unknown. */
gint64  jc_bench_rss_kib  (const char  *field);
/* Removes @path and everything below it (links are removed, not followed). */
void    jc_bench_rmtree   (const char  *path);
/* Under tests/with-postgresql (JIANCHA_TEST_PG_HOST): a new database named
 * @name (dropped first if it is there), a copy of @template when not NULL;
 * its postgresql:// address. NULL without a PostgreSQL to use. */
char   *jc_bench_pg_database (const char *name,
                              const char *template_name);

G_END_DECLS

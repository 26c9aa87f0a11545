/* jc-bench.h — what every benchmark needs: medians, resident memory, a clean temp dir */
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

G_END_DECLS

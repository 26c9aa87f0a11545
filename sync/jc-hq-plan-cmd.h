/* jc-hq-plan-cmd.h — jiancha-hq's planning commands
 *
 *   jiancha-hq directory import FILE.csv
 *   jiancha-hq roster import FILE.csv
 *   jiancha-hq plan draw --seed N [--team-size N] [--max-load N] [--format text|json]
 *   jiancha-hq plan show [PLAN-ID] [--format text|json|signed]
 *
 * Each takes HQ's directory (--dir) and the command's own argv.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean jc_hq_cmd_directory (const char  *dir,
                              int          argc,
                              char       **argv,
                              GError     **error);
gboolean jc_hq_cmd_roster    (const char  *dir,
                              int          argc,
                              char       **argv,
                              GError     **error);
gboolean jc_hq_cmd_plan      (const char  *dir,
                              int          argc,
                              char       **argv,
                              GError     **error);

G_END_DECLS

/* jc-hq-ledger-cmd.h — jiancha-hq's commands for the ledger, objections, reports
 *
 *   jiancha-hq ledger list [--county C] [--status S] [--overdue] [--limit N] [--offset N]
 *                          [--format text|csv|json]
 *   jiancha-hq ledger show ID [--format text|json]
 *   jiancha-hq ledger set ID [--status S] [--note TEXT] [--recovered YUAN]
 *                            [--deadline YYYY-MM-DD] [--evidence SHA256]… --by NAME
 *   jiancha-hq ledger verify
 *   jiancha-hq objections list [--status open|upheld|rejected|partial] [--format …]
 *   jiancha-hq objection decide ID --decision upheld|rejected|partial [--amount YUAN]
 *                               --reason TEXT --by NAME
 *   jiancha-hq report --by county|type|item|form [--format text|csv|json|xlsx|pdf] [--out FILE]
 *
 * Each takes HQ's directory (--dir, before or after the command's name).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean jc_hq_cmd_ledger     (const char  *dir,
                               int          argc,
                               char       **argv,
                               GError     **error);
gboolean jc_hq_cmd_objections (const char  *dir,
                               int          argc,
                               char       **argv,
                               GError     **error);
gboolean jc_hq_cmd_objection  (const char  *dir,
                               int          argc,
                               char       **argv,
                               GError     **error);
gboolean jc_hq_cmd_report     (const char  *dir,
                               int          argc,
                               char       **argv,
                               GError     **error);

G_END_DECLS

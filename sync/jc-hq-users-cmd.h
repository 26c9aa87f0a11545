/* jc-hq-users-cmd.h — `jiancha-hq user add|list|disable`
 *
 *   jiancha-hq user add --dir HQDIR NAME --role analyst|reviewer|admin
 *   jiancha-hq user list --dir HQDIR
 *   jiancha-hq user disable --dir HQDIR NAME
 *
 * The password of `add` comes from JIANCHA_HQ_PASSWORD when it is set,
 * otherwise it is asked twice on the terminal, without echo.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean jc_hq_cmd_user (const char  *dir,
                         int          argc,
                         char       **argv,
                         GError     **error);

G_END_DECLS

/* jc-hq-audit.h — who did what at HQ's dashboard, and when
 *
 * One row for every sign-in, failed sign-in, sign-out, data request and
 * change, refused ones included (user "-" when nobody was signed in):
 *
 *   hq_audit (id, at, user, action, target, remote, status)
 *
 * action is "login", "login-failed", "logout" or "METHOD /api/PATH";
 * target what it was about (a finding id, a user name, the query);
 * status the HTTP status of the answer. Rows are never changed.
 */
#pragma once

#include <glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

/* A name, or an address, with this many failed sign-ins within
 * JC_HQ_LOGIN_WINDOW seconds is refused until the window has passed. */
#define JC_HQ_LOGIN_MAX_FAILURES 5
#define JC_HQ_LOGIN_MAX_FAILURES_PER_ADDRESS 20
#define JC_HQ_LOGIN_WINDOW (15 * 60)

gboolean jc_hq_audit_add             (JcHqStore   *store,
                                      const char  *user,
                                      const char  *action,
                                      const char  *target,
                                      const char  *remote,
                                      guint        status,
                                      GError     **error);
/* Whether sign-ins as @user or from @remote are refused for now. */
gboolean jc_hq_audit_login_throttled (JcHqStore   *store,
                                      const char  *user,
                                      const char  *remote,
                                      GError     **error);
/* The newest @limit rows, newest first, as a JSON array. */
char    *jc_hq_audit_recent_json     (JcHqStore   *store,
                                      guint        limit,
                                      GError     **error);

G_END_DECLS

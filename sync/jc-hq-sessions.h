/* jc-hq-sessions.h — signed-in staff: session tokens and their CSRF tokens
 *
 * A session is a random 32-byte token (64 hex digits) in the browser's
 * cookie; HQ keeps only its SHA-256, so a copy of hq.db signs nobody in.
 * Each session has its own random CSRF token that every POST must send
 * back in the X-CSRF-Token header. Sessions expire at a fixed time.
 *
 *   hq_sessions (token_hash, user, csrf, created, expires)
 */
#pragma once

#include <glib.h>

#include "jc-hq-users.h"

G_BEGIN_DECLS

/* How long a session lasts unless `serve --session-minutes` says otherwise. */
#define JC_HQ_SESSION_DEFAULT_MINUTES (8 * 60)

typedef struct {
  char     *user;
  JcHqRole  role;
  char     *csrf;     /* 64 hex digits */
  gint64    expires;  /* Unix seconds */
} JcHqSession;

/* A new session for @user, lasting @lifetime_seconds; returns its token,
 * and the session itself in @out. */
char        *jc_hq_session_create (JcHqStore    *store,
                                   const char   *user,
                                   JcHqRole      role,
                                   gint64        lifetime_seconds,
                                   JcHqSession **out,
                                   GError      **error);
/* The live session of @token, or NULL: unknown, expired or of a disabled
 * account (JC_HQ_USERS_ERROR_DENIED). Expired sessions are deleted. */
JcHqSession *jc_hq_session_lookup (JcHqStore    *store,
                                   const char   *token,
                                   GError      **error);
gboolean     jc_hq_session_end    (JcHqStore    *store,
                                   const char   *token,
                                   GError      **error);

void         jc_hq_session_free   (JcHqSession  *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcHqSession, jc_hq_session_free)

G_END_DECLS

/* jc-hq-users.h — HQ's staff accounts for the web dashboard
 *
 * Staff are not inspectors: they sign in to `jiancha-hq serve`'s dashboard
 * with a name and a password. Each has one role; a higher role may do
 * everything a lower one may:
 *
 *   analyst    reads the plan, the findings and their evidence
 *   reviewer   also reads HQ's rejections audit
 *   admin      also manages the staff accounts and reads the access log
 *
 *   hq_users (name, role, password_hash, created, disabled_at)
 *
 * Passwords are kept as Argon2id strings (crypto_pwhash_str). A disabled
 * account stays (the audit names it) but can no longer sign in.
 */
#pragma once

#include <glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

#define JC_HQ_USERS_ERROR (jc_hq_users_error_quark ())

typedef enum {
  JC_HQ_USERS_ERROR_INVALID,    /* a bad name, role or password */
  JC_HQ_USERS_ERROR_EXISTS,     /* add: the name is taken */
  JC_HQ_USERS_ERROR_NOT_FOUND,  /* no such account */
  JC_HQ_USERS_ERROR_DENIED,     /* wrong password, unknown or disabled account */
  JC_HQ_USERS_ERROR_IO,
} JcHqUsersError;

typedef enum {
  JC_HQ_ROLE_NONE,      /* not signed in */
  JC_HQ_ROLE_ANALYST,
  JC_HQ_ROLE_REVIEWER,
  JC_HQ_ROLE_ADMIN,
} JcHqRole;

/* Passwords shorter than this are refused. */
#define JC_HQ_PASSWORD_MIN 8

typedef struct {
  char     *name;
  JcHqRole  role;
  gint64    created;      /* Unix seconds */
  gint64    disabled_at;  /* 0 while enabled */
} JcHqUser;

GQuark      jc_hq_users_error_quark   (void);

const char *jc_hq_role_to_string      (JcHqRole     role);
gboolean    jc_hq_role_from_string    (const char  *name,
                                       JcHqRole    *role,
                                       GError     **error);

/* Creates the tables of this module, of jc-hq-sessions.h and of
 * jc-hq-audit.h when they are missing. Takes the store's lock. */
gboolean    jc_hq_users_prepare       (JcHqStore   *store,
                                       GError     **error);

gboolean    jc_hq_user_add            (JcHqStore   *store,
                                       const char  *name,
                                       JcHqRole     role,
                                       const char  *password,
                                       GError     **error);
/* Disables @name and ends its sessions. */
gboolean    jc_hq_user_disable        (JcHqStore   *store,
                                       const char  *name,
                                       GError     **error);
/* JcHqUser *, by name. */
GPtrArray  *jc_hq_user_list           (JcHqStore   *store,
                                       GError     **error);
/* The role of @name when @password is its password and it is enabled;
 * JC_HQ_USERS_ERROR_DENIED otherwise, with one message for every case so
 * that a failed sign-in does not tell which names exist. */
gboolean    jc_hq_user_check_password (JcHqStore   *store,
                                       const char  *name,
                                       const char  *password,
                                       JcHqRole    *role,
                                       GError     **error);

void        jc_hq_user_free           (JcHqUser    *user);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcHqUser, jc_hq_user_free)

G_END_DECLS

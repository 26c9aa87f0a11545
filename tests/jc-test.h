/* jc-test.h — shared bits of the Check test programs */
#pragma once

#include <check.h>
#include <glib.h>
#include <gio/gio.h>
#include <stdarg.h>

#include "jc-db.h"

G_BEGIN_DECLS

/* @err is set, of @domain and @ecode; else the test fails with its message. */
#define ck_assert_error(err, domain, ecode) G_STMT_START { \
    ck_assert_msg ((err) != NULL, "no error"); \
    ck_assert_msg (g_error_matches ((err), (domain), (ecode)), "wrong error: %s (%d)", (err)->message, (err)->code); \
  } G_STMT_END

/* Runs every case of @suite verbosely and returns the process exit status,
 * so each test-*.c ends with `return jc_test_run (suite);`. */
int   jc_test_run      (Suite *suite);

/* A fresh directory under the build's tmp/ (not /tmp: the no-plaintext
 * tests scan it), removed by jc_test_rmtree(). */
char *jc_test_tmpdir   (const char *name);
void  jc_test_rmtree   (const char *path);

/* The last non-empty line of @text (a command's answer), or the test fails. */
char *jc_test_last_line (const char *text);

/* The one integer @sql selects from HQDIR's database. */
gint64 jc_test_hq_int   (const char *hqdir,
                         const char *sql);

/* HQDIR's database (hq.db, or PostgreSQL's), for a test to look into or
 * to change behind HQ's back; jc_db_free() it. */
JcDb  *jc_test_hq_db    (const char *hqdir);

/* Under tests/with-postgresql (JIANCHA_TEST_PG_HOST set): a new, empty
 * PostgreSQL database's postgresql:// address for `jiancha-hq init --db`,
 * which jc_test_hq() passes by itself. NULL otherwise: HQ on SQLite. */
char  *jc_test_hq_db_url (void);

/* A copy of the HQ in @from (stopped) at @to: its files, and on PostgreSQL
 * its database too (CREATE DATABASE … TEMPLATE), so that the two part. */
void   jc_test_hq_copy  (const char *from,
                         const char *to);

/* On PostgreSQL: ends every other connection to @hqdir's database, as a
 * server restart or an administrator would; how many it ended. */
guint  jc_test_hq_db_disconnect (const char *hqdir);

/* Reads a whole file or aborts the test. */
char *jc_test_read     (const char *path, gsize *len);

/* HQ's envelope (jc-assignments.h) of the plan @document, signed here with
 * @sk: plans for the device's check without an HQ. */
char *jc_test_plan_envelope (const char   *plan_id,
                             const char   *document,
                             const guint8  sk[64],
                             const guint8  pk[32]);

/* Runs a program of the build with @argv, captures stdout/stderr, returns
 * its exit status (or -1 when it did not exit normally). */
int   jc_test_spawn    (const char * const *argv,
                        const char * const *envp_extra,
                        char              **out,
                        char              **err);

/* Runs the build's jiancha-cli --vault @vault ARGS… (NULL-terminated
 * varargs) in C.UTF-8 with the fast test KDF; @env_extra adds variables such
 * as JIANCHA_PIN. Returns the exit status, like jc_test_spawn(). */
int   jc_test_cli_vaultv (const char          *vault,
                          const char * const  *env_extra,
                          char               **out,
                          char               **err,
                          va_list              args);

/* The PIN of the tests' vaults. */
#define JC_TEST_PIN "583921"

/* jiancha-cli --vault @vault ARGS… (NULL-terminated) with JC_TEST_PIN as
 * JIANCHA_PIN and JIANCHA_NEW_PIN, and @extra_env (may be NULL) too. */
int   jc_test_cli        (const char          *vault,
                          char               **out,
                          char               **err,
                          ...) G_GNUC_NULL_TERMINATED;
int   jc_test_cli_env    (const char          *vault,
                          const char          *extra_env,
                          char               **out,
                          char               **err,
                          ...) G_GNUC_NULL_TERMINATED;

/* jc_test_hq() with @first and the rest in @ap, and @env ("NAME=value",
 * NULL-terminated, or NULL) added to the environment. */
int   jc_test_hqv        (const char          *hqdir,
                          const char * const  *env,
                          char               **out,
                          char               **err,
                          const char          *first,
                          va_list              ap);

/* The build's jiancha-hq --dir @hqdir ARGS… (NULL-terminated); under
 * tests/with-postgresql, `init` gets a fresh database of its own. */
int   jc_test_hq         (const char          *hqdir,
                          char               **out,
                          char               **err,
                          ...) G_GNUC_NULL_TERMINATED;

/* A real `jiancha-hq serve` on 127.0.0.1, a port of its own choosing. */
typedef struct {
  GSubprocess      *proc;
  GDataInputStream *out;
  guint             port;
  char             *url;
} JcTestServer;

void  jc_test_server_start (JcTestServer *s,
                            const char   *hqdir);
/* The same with more `serve` options (NULL-terminated), e.g. TLS. */
void  jc_test_server_start_with (JcTestServer       *s,
                                 const char         *hqdir,
                                 const char * const *options);
/* The same on @port (0: any), e.g. to come back where devices expect it. */
void  jc_test_server_start_on (JcTestServer *s,
                               const char   *hqdir,
                               guint         port);
/* SIGTERM, and it must exit 0 after finishing what is in flight. */
void  jc_test_server_stop  (JcTestServer *s);
/* SIGKILL: the crash the fault-injection tests inflict. */
void  jc_test_server_kill  (JcTestServer *s);

G_END_DECLS

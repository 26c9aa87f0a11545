/* test-web.c — the web dashboard's API against the real jiancha-hq on
 * 127.0.0.1: sign-in, sessions, roles, CSRF, the audit, and the data of a
 * finding synced from a real device.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "jc-db.h"
#include <string.h>

#include "jc-test.h"

#define last_line jc_test_last_line
#define hq_int(sql) jc_test_hq_int (hqdir, sql)

#define PIN "583921"
#define PASSWORD "correct-horse-9"

static char *root;
static char *hqdir;

typedef struct {
  guint  status;
  char  *body;          /* NUL-terminated, and len bytes long (a download may hold NULs) */
  gsize  len;
  char  *set_cookie;
  char  *content_type;
  char  *disposition;
} Reply;

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, g_free);
  g_clear_pointer (&r->set_cookie, g_free);
  g_clear_pointer (&r->content_type, g_free);
  g_clear_pointer (&r->disposition, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

#define HQ_OK(...) G_STMT_START {                                          \
    g_autofree char *o_ = NULL, *e_ = NULL;                                 \
    int rc_ = jc_test_hq (hqdir, &o_, &e_, __VA_ARGS__, NULL);              \
    ck_assert_msg (rc_ == 0, "jiancha-hq %s: exit %d: %s%s", #__VA_ARGS__, rc_, o_, e_); \
  } G_STMT_END

static void
setup (void)
{
  root = jc_test_tmpdir ("web");
  hqdir = g_build_filename (root, "hq", NULL);
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  g_setenv ("JIANCHA_HQ_PASSWORD", PASSWORD, TRUE);
  HQ_OK ("init");
  HQ_OK ("user", "add", "王主任", "--role", "admin");
  HQ_OK ("user", "add", "李审核", "--role", "reviewer");
  HQ_OK ("user", "add", "张分析", "--role", "analyst");
}

static void
teardown (void)
{
  jc_test_rmtree (root);
  g_clear_pointer (&root, g_free);
  g_clear_pointer (&hqdir, g_free);
}

/* One request; @cookie "jc_session=…" or NULL, @csrf the header or NULL,
 * @json a POST body (NULL: GET). */
static void
request (JcTestServer *s, const char *method, const char *path, const char *cookie, const char *csrf,
         const char *json, Reply *r)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (s->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  ck_assert_msg (msg != NULL, "bad URL %s", url);
  if (cookie != NULL)
    soup_message_headers_append (headers, "Cookie", cookie);
  if (csrf != NULL)
    soup_message_headers_append (headers, "X-CSRF-Token", csrf);
  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }
  out = soup_session_send_and_read (session, msg, NULL, &error);
  ck_assert_msg (out != NULL, "%s %s: %s", method, url, error ? error->message : "");
  reply_clear (r);
  r->status = soup_message_get_status (msg);
  r->len = g_bytes_get_size (out);
  r->body = g_malloc (r->len + 1);
  memcpy (r->body, g_bytes_get_data (out, NULL), r->len);
  r->body[r->len] = '\0';
  r->set_cookie = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Set-Cookie"));
  r->content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  r->disposition = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                           "Content-Disposition"));
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, json, -1, &error), "not JSON: %s", json);
  return json_node_copy (json_parser_get_root (parser));
}

/* A signed-in session: *@cookie "jc_session=TOKEN", *@csrf its token. */
static void
login (JcTestServer *s, const char *name, char **cookie, char **csrf)
{
  g_auto(Reply) r = { 0 };
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\",\"password\":\"%s\"}", name, PASSWORD);
  g_autoptr(JsonNode) node = NULL;
  const char *end;

  request (s, "POST", "/api/login", NULL, NULL, body, &r);
  ck_assert_msg (r.status == 200, "login %s: %u %s", name, r.status, r.body);
  ck_assert_msg (r.set_cookie != NULL && g_str_has_prefix (r.set_cookie, "jc_session="), "%s", r.set_cookie);
  end = strchr (r.set_cookie, ';');
  *cookie = g_strndup (r.set_cookie, end - r.set_cookie);
  ck_assert_uint_eq (strlen (*cookie), strlen ("jc_session=") + 64);
  node = parse (r.body);
  *csrf = g_strdup (json_object_get_string_member (json_node_get_object (node), "csrf"));
  ck_assert_uint_eq (strlen (*csrf), 64);
}

static void
hq_exec (const char *sql)
{
  JcDb *db;

  db = jc_test_hq_db (hqdir);
  ck_assert_msg (jc_db_exec (db, sql) == JC_DB_OK, "%s: %s", sql, jc_db_errmsg (db));
  jc_db_free (db);
}

static void
assert_error_json (const Reply *r, guint status)
{
  g_autoptr(JsonNode) node = NULL;

  ck_assert_msg (r->status == status, "expected %u, got %u: %s", status, r->status, r->body);
  ck_assert_str_eq (r->content_type, "application/json");
  node = parse (r->body);
  ck_assert (JSON_NODE_HOLDS_OBJECT (node));
  ck_assert (json_object_has_member (json_node_get_object (node), "error"));
}

START_TEST (test_user_command)
{
  g_autofree char *exe = g_build_filename (g_getenv ("JIANCHA_BUILD_DIR"), "sync", "jiancha-hq", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *dup[] = { exe, "--dir", hqdir, "user", "add", "王主任", "--role", "admin", NULL };
  const char *bad_role[] = { exe, "--dir", hqdir, "user", "add", "赵", "--role", "boss", NULL };
  const char *short_pw[] = { exe, "--dir", hqdir, "user", "add", "赵", "--role", "analyst", NULL };
  const char *short_env[] = { "JIANCHA_HQ_PASSWORD=abc", NULL };
  const char *list[] = { exe, "--dir", hqdir, "user", "list", NULL };

  ck_assert_int_ne (jc_test_spawn (dup, NULL, &out, &err), 0);
  ck_assert_msg (strstr (err, "王主任") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_ne (jc_test_spawn (bad_role, NULL, &out, &err), 0);
  ck_assert_msg (strstr (err, "boss") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_ne (jc_test_spawn (short_pw, short_env, &out, &err), 0);
  ck_assert_msg (strstr (err, "8") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  HQ_OK ("user", "disable", "张分析");
  ck_assert_int_eq (jc_test_spawn (list, NULL, &out, &err), 0);
  ck_assert_str_eq (out, "张分析\tanalyst\tdisabled\n李审核\treviewer\tenabled\n王主任\tadmin\tenabled\n");
  /* Argon2id strings, never the password. */
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_users WHERE password_hash LIKE '$argon2id$%'"), 3);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_users WHERE password_hash LIKE '%" PASSWORD "%'"), 0);
}
END_TEST

START_TEST (test_login)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_auto(Reply) unknown = { 0 };
  g_autofree char *cookie = NULL, *csrf = NULL;

  jc_test_server_start (&s, hqdir);
  request (&s, "POST", "/api/login", NULL, NULL, "{\"name\":\"王主任\",\"password\":\"wrong-password\"}", &r);
  assert_error_json (&r, 401);
  ck_assert_ptr_null (r.set_cookie);
  request (&s, "POST", "/api/login", NULL, NULL, "{\"name\":\"无此人\",\"password\":\"wrong-password\"}", &unknown);
  assert_error_json (&unknown, 401);
  /* The same answer whether the name exists or not. */
  ck_assert_str_eq (r.body, unknown.body);
  request (&s, "POST", "/api/login", NULL, NULL, "name=王主任&password=" PASSWORD, &r);
  ck_assert_uint_eq (r.status, 400);

  request (&s, "POST", "/api/login", NULL, NULL, "{\"name\":\"王主任\",\"password\":\"" PASSWORD "\"}", &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  ck_assert_msg (strstr (r.set_cookie, "; HttpOnly") && strstr (r.set_cookie, "; SameSite=Strict") &&
                 strstr (r.set_cookie, "; Path=/") && strstr (r.set_cookie, "; Max-Age=28800"), "%s", r.set_cookie);
  /* Plain HTTP on 127.0.0.1: no Secure, the browser would drop the cookie. */
  ck_assert_ptr_null (strstr (r.set_cookie, "Secure"));
  ck_assert_msg (strstr (r.body, "\"role\":\"admin\""), "%s", r.body);

  login (&s, "李审核", &cookie, &csrf);
  request (&s, "GET", "/api/session", cookie, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  ck_assert_msg (strstr (r.body, "\"user\":\"李审核\"") && strstr (r.body, csrf), "%s", r.body);
  /* Only the token's hash is stored. */
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_sessions"), 2);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM hq_sessions WHERE token_hash = '%s'",
                                            cookie + strlen ("jc_session="));
    ck_assert_int_eq (hq_int (sql), 0);
  }
  jc_test_server_stop (&s);

  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE action = 'login-failed' AND user = '王主任'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE action = 'login-failed' AND user = '无此人' "
                            "AND status = 401 AND remote = '127.0.0.1'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE action = 'login' AND status = 200"), 2);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE action = 'GET /api/session' AND user = '李审核'"), 1);
}
END_TEST

static const char * const get_paths[] = {
  "/api/session", "/api/plan", "/api/findings", "/api/findings?status=confirmed",
  "/api/findings/0123456789abcdef0123456789abcdef", "/api/stats/counties", "/api/rejections",
  "/api/users", "/api/audit", "/api/no-such-page", "/api/ledger", "/api/ledger?status=open&overdue=1",
  "/api/ledger/1", "/api/objections", "/api/reports?by=county",
  "/api/reports/export?by=county&format=xlsx", "/api/reports/export?format=docx", "/api/ledger/export",
};
static const char * const post_paths[] = {
  "/api/logout", "/api/users", "/api/users/disable", "/api/ledger/1", "/api/objections/1/decision",
};

START_TEST (test_unauthenticated)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  const char *bogus = "jc_session=0000000000000000000000000000000000000000000000000000000000000000";

  jc_test_server_start (&s, hqdir);
  for (guint i = 0; i < G_N_ELEMENTS (get_paths); i++)
    {
      request (&s, "GET", get_paths[i], NULL, NULL, NULL, &r);
      assert_error_json (&r, 401);
      request (&s, "GET", get_paths[i], bogus, NULL, NULL, &r);
      assert_error_json (&r, 401);
      request (&s, "GET", get_paths[i], "jc_session=short", NULL, NULL, &r);
      assert_error_json (&r, 401);
    }
  for (guint i = 0; i < G_N_ELEMENTS (post_paths); i++)
    {
      request (&s, "POST", post_paths[i], NULL, NULL, "{\"name\":\"x\",\"role\":\"admin\",\"password\":\"12345678\"}", &r);
      assert_error_json (&r, 401);
    }
  /* The dashboard's page itself is public: it shows the sign-in. */
  request (&s, "GET", "/", NULL, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  ck_assert_str_eq (r.content_type, "text/html");
  ck_assert_msg (strstr (r.body, "工作人员登录") != NULL, "%s", r.body);
  request (&s, "GET", "/app.js", NULL, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  request (&s, "GET", "/../hq.db", NULL, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 404);
  jc_test_server_stop (&s);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_users WHERE name = 'x'"), 0);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '-' AND status = 401"),
                    3 * G_N_ELEMENTS (get_paths) + G_N_ELEMENTS (post_paths));
}
END_TEST

START_TEST (test_roles)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_autofree char *analyst = NULL, *analyst_csrf = NULL;
  g_autofree char *reviewer = NULL, *reviewer_csrf = NULL;
  g_autofree char *admin = NULL, *admin_csrf = NULL;
  const char *add = "{\"name\":\"周新\",\"role\":\"analyst\",\"password\":\"another-pass-1\"}";

  jc_test_server_start (&s, hqdir);
  login (&s, "张分析", &analyst, &analyst_csrf);
  login (&s, "李审核", &reviewer, &reviewer_csrf);
  login (&s, "王主任", &admin, &admin_csrf);

  request (&s, "GET", "/api/findings", analyst, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  request (&s, "GET", "/api/rejections", analyst, NULL, NULL, &r);
  assert_error_json (&r, 403);
  request (&s, "GET", "/api/rejections", reviewer, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  ck_assert_str_eq (r.body, "[]\n");
  request (&s, "GET", "/api/users", reviewer, NULL, NULL, &r);
  assert_error_json (&r, 403);
  request (&s, "POST", "/api/users", reviewer, reviewer_csrf, add, &r);
  assert_error_json (&r, 403);
  ck_assert_msg (strstr (r.body, "admin") != NULL, "%s", r.body);
  request (&s, "POST", "/api/users/disable", reviewer, reviewer_csrf, "{\"name\":\"王主任\"}", &r);
  assert_error_json (&r, 403);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_users WHERE name = '周新'"), 0);

  request (&s, "POST", "/api/users", admin, admin_csrf, add, &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  ck_assert_msg (strstr (r.body, "\"name\":\"周新\"") != NULL, "%s", r.body);
  request (&s, "POST", "/api/users", admin, admin_csrf, add, &r);
  assert_error_json (&r, 409);
  request (&s, "POST", "/api/users", admin, admin_csrf, "{\"name\":\"吴\",\"role\":\"root\",\"password\":\"long-enough\"}", &r);
  assert_error_json (&r, 400);
  request (&s, "POST", "/api/users/disable", admin, admin_csrf, "{\"name\":\"王主任\"}", &r);
  assert_error_json (&r, 409);
  /* Disabling ends the account's sessions at once. */
  request (&s, "POST", "/api/users/disable", admin, admin_csrf, "{\"name\":\"张分析\"}", &r);
  ck_assert_uint_eq (r.status, 200);
  request (&s, "GET", "/api/findings", analyst, NULL, NULL, &r);
  assert_error_json (&r, 401);
  request (&s, "GET", "/api/audit", admin, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  ck_assert_msg (strstr (r.body, "\"action\":\"POST /api/users/disable\",\"target\":\"张分析\"") != NULL, "%s", r.body);
  jc_test_server_stop (&s);

  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE status = 403 AND user IN ('张分析', '李审核')"), 4);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '王主任' AND action = 'POST /api/users' "
                            "AND target = '周新 role=analyst' AND status = 200"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_users WHERE name = '张分析' AND disabled_at IS NOT NULL"), 1);
}
END_TEST

START_TEST (test_csrf)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_autofree char *admin = NULL, *csrf = NULL, *other = NULL, *other_csrf = NULL;
  const char *add = "{\"name\":\"周新\",\"role\":\"analyst\",\"password\":\"another-pass-1\"}";

  jc_test_server_start (&s, hqdir);
  login (&s, "王主任", &admin, &csrf);
  login (&s, "李审核", &other, &other_csrf);
  request (&s, "POST", "/api/users", admin, NULL, add, &r);
  assert_error_json (&r, 403);
  ck_assert_msg (strstr (r.body, "CSRF") != NULL, "%s", r.body);
  request (&s, "POST", "/api/users", admin, "0000", add, &r);
  assert_error_json (&r, 403);
  /* Another session's token is no good either. */
  request (&s, "POST", "/api/users", admin, other_csrf, add, &r);
  assert_error_json (&r, 403);
  request (&s, "POST", "/api/logout", admin, NULL, "{}", &r);
  assert_error_json (&r, 403);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_users WHERE name = '周新'"), 0);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_sessions"), 2);
  request (&s, "POST", "/api/users", admin, csrf, add, &r);
  ck_assert_uint_eq (r.status, 200);
  jc_test_server_stop (&s);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_users WHERE name = '周新'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '王主任' AND status = 403"), 4);
}
END_TEST

START_TEST (test_expiry_logout)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_autofree char *cookie = NULL, *csrf = NULL, *late = NULL, *late_csrf = NULL;

  jc_test_server_start (&s, hqdir);
  login (&s, "张分析", &cookie, &csrf);
  request (&s, "GET", "/api/session", cookie, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  request (&s, "POST", "/api/logout", cookie, csrf, "{}", &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  ck_assert_msg (g_str_has_prefix (r.set_cookie, "jc_session=; Max-Age=0;"), "%s", r.set_cookie);
  request (&s, "GET", "/api/session", cookie, NULL, NULL, &r);
  assert_error_json (&r, 401);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_sessions"), 0);

  /* A session past its time is refused, and forgotten. */
  login (&s, "张分析", &late, &late_csrf);
  {
    g_autofree char *expire = g_strdup_printf ("UPDATE hq_sessions SET expires = %" G_GINT64_FORMAT,
                                               g_get_real_time () / G_USEC_PER_SEC - 1);

    hq_exec (expire);
  }
  request (&s, "GET", "/api/findings", late, NULL, NULL, &r);
  assert_error_json (&r, 401);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_sessions"), 0);
  jc_test_server_stop (&s);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE action = 'logout' AND user = '张分析'"), 1);
}
END_TEST

START_TEST (test_throttle)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_autofree char *cookie = NULL, *csrf = NULL;

  jc_test_server_start (&s, hqdir);
  for (int i = 0; i < 5; i++)
    {
      request (&s, "POST", "/api/login", NULL, NULL, "{\"name\":\"李审核\",\"password\":\"guess-guess\"}", &r);
      assert_error_json (&r, 401);
    }
  /* Now even the right password waits. */
  request (&s, "POST", "/api/login", NULL, NULL, "{\"name\":\"李审核\",\"password\":\"" PASSWORD "\"}", &r);
  assert_error_json (&r, 429);
  ck_assert_ptr_null (r.set_cookie);
  /* Another name from the same address is not locked out by these. */
  login (&s, "王主任", &cookie, &csrf);
  jc_test_server_stop (&s);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE action = 'login-refused' AND user = '李审核' "
                            "AND status = 429"), 1);
}
END_TEST

static int
cli (const char *vault, char **out, ...)
{
  const char * const env[] = { "JIANCHA_PIN=" PIN, "JIANCHA_NEW_PIN=" PIN, "JIANCHA_TEST_FAST_KDF=1", NULL };
  g_autofree char *err = NULL;
  va_list ap;
  int status;

  va_start (ap, out);
  status = jc_test_cli_vaultv (vault, env, out, &err, ap);
  va_end (ap);
  ck_assert_msg (status == 0, "jiancha-cli: exit %d: %s", status, err);
  return status;
}

/* The directory and roster of two counties, and a plan drawn from them. */
static void
hq_plan (void)
{
  g_autofree char *dir_csv = g_build_filename (root, "名录.csv", NULL);
  g_autofree char *roster_csv = g_build_filename (root, "人员.csv", NULL);

  ck_assert (g_file_set_contents (dir_csv, "code,name,type,level,county,fund_payment\n"
                                           "P14110200017,康宁大药房,pharmacy,,小店区,120000.50\n"
                                           "H14010500001,迎泽区人民医院,hospital,2,迎泽区,9800000\n", -1, NULL));
  ck_assert (g_file_set_contents (roster_csv, "name,county,role\n张伟,迎泽区,enforcement\n李娜,迎泽区,enforcement\n"
                                              "王强,小店区,enforcement\n赵敏,小店区,enforcement\n", -1, NULL));
  HQ_OK ("directory", "import", dir_csv);
  HQ_OK ("roster", "import", roster_csv);
  HQ_OK ("plan", "draw", "--seed", "20211001");
}

/* A device enrolled at @s, with an inspection of 康宁大药房, two
 * violations (one with a photo) sealed in one confirmed finding, synced;
 * @dispute: the second sealed apart, disputed by the representative. */
static void
synced_findings (JcTestServer *s, gboolean dispute)
{
  g_autofree char *vault = g_build_filename (root, "device.vault", NULL);
  g_autofree char *photo = g_build_filename (root, "receipt.jpg", NULL);
  g_autofree char *out = NULL, *err = NULL, *code = NULL, *insp = NULL;
  const char *argv_code[] = { NULL, "--dir", hqdir, "enroll-code", "--inspector", "张伟", NULL };
  g_autofree char *exe = g_build_filename (g_getenv ("JIANCHA_BUILD_DIR"), "sync", "jiancha-hq", NULL);

  argv_code[0] = exe;
  ck_assert_int_eq (jc_test_spawn (argv_code, NULL, &out, &err), 0);
  code = last_line (out);
  g_clear_pointer (&out, g_free);
  ck_assert (g_file_set_contents (photo, "\xff\xd8\xff\xe0 a receipt for daily goods", -1, NULL));
  cli (vault, NULL, "vault", "init", "--inspector", "张伟", NULL);
  cli (vault, NULL, "enroll", "--hq", s->url, "--code", code, NULL);
  cli (vault, &out, "inspection", "new", "--institution", "P14110200017", "--name", "康宁大药房", "--type",
       "pharmacy", "--form", "cross", "--team", "张伟,李娜", NULL);
  insp = last_line (out);
  cli (vault, NULL, "item", "set", insp, "p21.1.1", "--status", "violation", "--amount", "1234.50",
       "--note", "医保卡结算日用品", "--evidence", photo, NULL);
  cli (vault, NULL, "item", "set", insp, "p21.1.3", "--status", "violation", "--amount", "10", "--note", "串换药品", NULL);
  if (dispute)
    {
      cli (vault, NULL, "finding", "seal", insp, "--items", "p21.1.1", "--confirm-name", "王芳", NULL);
      cli (vault, NULL, "finding", "seal", insp, "--items", "p21.1.3", "--dispute-name", "王芳",
           "--reason", "系统误记，并未串换", NULL);
    }
  else
    cli (vault, NULL, "finding", "seal", insp, "--confirm-name", "王芳", NULL);
  cli (vault, NULL, "sync", NULL);
}

static JsonObject *
object_of (JsonNode *node)
{
  ck_assert (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static gboolean
check_ok (JsonObject *finding, const char *name)
{
  JsonObject *checks = json_object_get_object_member (finding, "checks");

  ck_assert_msg (json_object_has_member (checks, name), "no check %s", name);
  return json_object_get_boolean_member (json_object_get_object_member (checks, name), "ok");
}

START_TEST (test_data)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_autofree char *cookie = NULL, *csrf = NULL, *path = NULL, *id = NULL, *tamper = NULL;
  g_autoptr(JsonNode) list = NULL, detail = NULL, plan = NULL, again = NULL;
  JsonObject *f, *ev;
  JsonArray *items, *evidence;

  hq_plan ();
  jc_test_server_start (&s, hqdir);
  synced_findings (&s, FALSE);
  login (&s, "张分析", &cookie, &csrf);

  request (&s, "GET", "/api/plan", cookie, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  plan = parse (r.body);
  f = json_object_get_object_member (json_object_get_object_member (object_of (plan), "plan"), "document");
  ck_assert_int_eq (json_object_get_int_member (f, "seed"), 20211001);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (f, "assignments")), 2);

  request (&s, "GET", "/api/findings", cookie, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  list = parse (r.body);
  ck_assert_uint_eq (json_array_get_length (json_node_get_array (list)), 1);
  f = json_array_get_object_element (json_node_get_array (list), 0);
  ck_assert_str_eq (json_object_get_string_member (f, "name"), "康宁大药房");
  ck_assert_str_eq (json_object_get_string_member (f, "status"), "confirmed");
  ck_assert_int_eq (json_object_get_int_member (f, "amount_fen"), 124450);
  id = g_strdup (json_object_get_string_member (f, "finding"));

  request (&s, "GET", "/api/findings?status=confirmed&institution=P14110200017", cookie, NULL, NULL, &r);
  ck_assert_msg (r.status == 200 && strstr (r.body, id) != NULL, "%u %s", r.status, r.body);
  request (&s, "GET", "/api/findings?status=disputed", cookie, NULL, NULL, &r);
  ck_assert_str_eq (r.body, "[]");
  request (&s, "GET", "/api/findings?institution=H14010500001", cookie, NULL, NULL, &r);
  ck_assert_str_eq (r.body, "[]");
  request (&s, "GET", "/api/findings?status=lost", cookie, NULL, NULL, &r);
  assert_error_json (&r, 400);

  request (&s, "GET", "/api/stats/counties", cookie, NULL, NULL, &r);
  ck_assert_str_eq (r.body, "[{\"county\":\"小店区\",\"findings\":1,\"amount_fen\":124450,\"disputed\":0}]\n");

  path = g_strconcat ("/api/findings/", id, NULL);
  request (&s, "GET", path, cookie, NULL, NULL, &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  detail = parse (r.body);
  f = object_of (detail);
  ck_assert_str_eq (json_object_get_string_member (f, "representative"), "王芳");
  ck_assert_str_eq (json_object_get_string_member (f, "county"), "小店区");
  ck_assert_str_eq (json_object_get_string_member (f, "inspector"), "张伟");
  items = json_object_get_array_member (f, "items");
  ck_assert_uint_eq (json_array_get_length (items), 2);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (items, 0), "code"), "p21.1.1");
  ck_assert_int_eq (json_object_get_int_member (json_array_get_object_element (items, 0), "amount_fen"), 123450);
  ck_assert (*json_object_get_string_member (json_array_get_object_element (items, 0), "basis") != '\0');
  evidence = json_object_get_array_member (f, "evidence");
  ck_assert_uint_eq (json_array_get_length (evidence), 1);
  ev = json_array_get_object_element (evidence, 0);
  ck_assert (json_object_get_boolean_member (ev, "complete"));
  ck_assert_uint_eq (strlen (json_object_get_string_member (ev, "sha256")), 64);
  ck_assert (check_ok (f, "record"));
  ck_assert (check_ok (f, "seal"));
  ck_assert (check_ok (f, "confirmation"));
  {
    JsonObject *checks = json_object_get_object_member (f, "checks");
    const char *said = json_object_get_string_member (json_object_get_object_member (checks, "confirmation"), "detail");

    ck_assert_msg (strstr (said, "verifies with the device") != NULL, "%s", said);
  }

  request (&s, "GET", "/api/findings/00000000000000000000000000000000", cookie, NULL, NULL, &r);
  assert_error_json (&r, 404);
  request (&s, "GET", "/api/findings/a/b", cookie, NULL, NULL, &r);
  assert_error_json (&r, 404);

  /* A record changed in hq.db behind HQ's back fails both checks. */
  tamper = g_strdup_printf ("UPDATE findings SET record = replace (record, '123450', '1') WHERE id = '%s'", id);
  hq_exec (tamper);
  request (&s, "GET", path, cookie, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  again = parse (r.body);
  ck_assert (!check_ok (object_of (again), "record"));
  ck_assert (!check_ok (object_of (again), "seal"));
  ck_assert (check_ok (object_of (again), "confirmation"));
  jc_test_server_stop (&s);

  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM hq_audit WHERE user = '张分析' "
                                            "AND action = 'GET /api/findings/%s' AND target = '%s'", id, id);
    ck_assert_int_eq (hq_int (sql), 2);
  }
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE action = 'GET /api/findings' "
                            "AND target = 'institution=P14110200017&status=confirmed'"), 1);
}
END_TEST

/* GET @path as @cookie: 200 and its JSON. */
static JsonNode *
get_json (JcTestServer *s, const char *path, const char *cookie)
{
  g_auto(Reply) r = { 0 };

  request (s, "GET", path, cookie, NULL, NULL, &r);
  ck_assert_msg (r.status == 200, "GET %s: %u %s", path, r.status, r.body);
  return parse (r.body);
}

static guint
history_length (JcTestServer *s, const char *path, const char *cookie)
{
  g_autoptr(JsonNode) entry = get_json (s, path, cookie);

  return json_array_get_length (json_object_get_array_member (object_of (entry), "history"));
}

START_TEST (test_ledger)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_autofree char *analyst = NULL, *analyst_csrf = NULL, *reviewer = NULL, *reviewer_csrf = NULL;
  g_autofree char *path = NULL, *decide = NULL, *sql = NULL;
  g_autoptr(JsonNode) list = NULL, entry = NULL, objections = NULL, report = NULL, filtered = NULL;
  const char *sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  JsonArray *entries, *history;
  JsonObject *e, *o, *total;
  guint before;

  hq_plan ();
  jc_test_server_start (&s, hqdir);
  synced_findings (&s, TRUE);
  login (&s, "张分析", &analyst, &analyst_csrf);
  login (&s, "李审核", &reviewer, &reviewer_csrf);

  /* The confirmed finding is an entry; the disputed one is not (yet). */
  list = get_json (&s, "/api/ledger", analyst);
  entries = json_object_get_array_member (object_of (list), "entries");
  ck_assert_uint_eq (json_array_get_length (entries), 1);
  e = json_array_get_object_element (entries, 0);
  ck_assert_str_eq (json_object_get_string_member (e, "status"), "open");
  ck_assert_str_eq (json_object_get_string_member (e, "county"), "小店区");
  ck_assert_int_eq (json_object_get_int_member (e, "amount_fen"), 123450);
  path = g_strdup_printf ("/api/ledger/%" G_GINT64_FORMAT, json_object_get_int_member (e, "id"));
  filtered = get_json (&s, "/api/ledger?county=迎泽区", analyst);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (object_of (filtered), "entries")), 0);
  g_clear_pointer (&filtered, json_node_unref);
  filtered = get_json (&s, "/api/ledger?status=open&county=小店区&limit=10&offset=0", analyst);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (object_of (filtered), "entries")), 1);
  request (&s, "GET", "/api/ledger?status=lost", analyst, NULL, NULL, &r);
  assert_error_json (&r, 400);
  request (&s, "GET", "/api/ledger?limit=-1", analyst, NULL, NULL, &r);
  assert_error_json (&r, 400);
  request (&s, "GET", "/api/ledger/999", analyst, NULL, NULL, &r);
  assert_error_json (&r, 404);

  /* An analyst reads but does not move an entry. */
  before = history_length (&s, path, analyst);
  ck_assert_uint_ge (before, 1);
  request (&s, "POST", path, analyst, analyst_csrf, "{\"status\":\"rectifying\"}", &r);
  assert_error_json (&r, 403);
  request (&s, "POST", path, reviewer, NULL, "{\"status\":\"rectifying\"}", &r);
  assert_error_json (&r, 403);
  ck_assert_uint_eq (history_length (&s, path, analyst), before);

  /* The reviewer moves it along; an illegal step says why. */
  request (&s, "POST", path, reviewer, reviewer_csrf, "{\"status\":\"verified\"}", &r);
  assert_error_json (&r, 409);
  request (&s, "POST", path, reviewer, reviewer_csrf, "{\"status\":\"rectifying\",\"deadline\":\"2027-13-01\"}", &r);
  assert_error_json (&r, 400);
  request (&s, "POST", path, reviewer, reviewer_csrf, "{\"status\":\"rectifying\",\"deadline\":\"2027-01-15\"}", &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  request (&s, "POST", path, reviewer, reviewer_csrf, "{\"status\":\"rectified\",\"evidence\":[7]}", &r);
  assert_error_json (&r, 400);
  {
    g_autofree char *body = g_strdup_printf ("{\"status\":\"rectified\",\"note\":\"已退回违规费用\","
                                             "\"recovered\":\"1234.50\",\"evidence\":[\"%s\"]}", sha);

    request (&s, "POST", path, reviewer, reviewer_csrf, body, &r);
    ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  }
  entry = parse (r.body);
  e = object_of (entry);
  ck_assert_str_eq (json_object_get_string_member (e, "status"), "rectified");
  ck_assert_str_eq (json_object_get_string_member (e, "deadline"), "2027-01-15");
  ck_assert_str_eq (json_object_get_string_member (e, "note"), "已退回违规费用");
  ck_assert_int_eq (json_object_get_int_member (e, "recovered_fen"), 123450);
  ck_assert_str_eq (json_array_get_string_element (json_object_get_array_member (e, "evidence"), 0), sha);
  history = json_object_get_array_member (e, "history");
  ck_assert_uint_eq (json_array_get_length (history), before + 2);
  ck_assert_uint_eq (history_length (&s, path, analyst), before + 2);
  ck_assert_msg (strstr (r.body, "李审核") != NULL, "the history names the reviewer: %s", r.body);

  /* The disputed finding's objection, decided by the reviewer. */
  objections = get_json (&s, "/api/objections", analyst);
  ck_assert_uint_eq (json_array_get_length (json_node_get_array (objections)), 1);
  o = json_array_get_object_element (json_node_get_array (objections), 0);
  ck_assert_str_eq (json_object_get_string_member (o, "status"), "open");
  ck_assert_str_eq (json_object_get_string_member (o, "representative"), "王芳");
  ck_assert_str_eq (json_object_get_string_member (o, "reason"), "系统误记，并未串换");
  decide = g_strdup_printf ("/api/objections/%" G_GINT64_FORMAT "/decision", json_object_get_int_member (o, "id"));
  request (&s, "POST", decide, analyst, analyst_csrf, "{\"decision\":\"rejected\",\"reason\":\"x\"}", &r);
  assert_error_json (&r, 403);
  request (&s, "POST", decide, reviewer, reviewer_csrf, "{\"decision\":\"rejected\",\"amount\":\"5\",\"reason\":\"x\"}", &r);
  assert_error_json (&r, 400);
  request (&s, "POST", decide, reviewer, reviewer_csrf, "{\"decision\":\"maybe\",\"reason\":\"x\"}", &r);
  assert_error_json (&r, 400);
  request (&s, "POST", decide, reviewer, reviewer_csrf,
           "{\"decision\":\"partial\",\"amount\":\"6\",\"reason\":\"部分处方经核实齐全\"}", &r);
  ck_assert_msg (r.status == 200 && strstr (r.body, "\"entry\":") != NULL && strstr (r.body, "null") == NULL,
                 "%u %s", r.status, r.body);
  request (&s, "POST", decide, reviewer, reviewer_csrf, "{\"decision\":\"upheld\",\"reason\":\"再议\"}", &r);
  assert_error_json (&r, 409);
  request (&s, "POST", "/api/objections/77/decision", reviewer, reviewer_csrf,
           "{\"decision\":\"upheld\",\"reason\":\"再议\"}", &r);
  assert_error_json (&r, 404);
  g_clear_pointer (&objections, json_node_unref);
  request (&s, "GET", "/api/objections?status=lost", analyst, NULL, NULL, &r);
  assert_error_json (&r, 400);
  objections = get_json (&s, "/api/objections?status=partial", analyst);
  o = json_array_get_object_element (json_node_get_array (objections), 0);
  ck_assert_str_eq (json_object_get_string_member (o, "decided_by"), "李审核");
  ck_assert_int_eq (json_object_get_int_member (o, "decided_amount_fen"), 600);
  g_clear_pointer (&list, json_node_unref);
  list = get_json (&s, "/api/ledger", analyst);
  entries = json_object_get_array_member (object_of (list), "entries");
  ck_assert_uint_eq (json_array_get_length (entries), 2);
  e = json_array_get_object_element (entries, 1);
  ck_assert_int_eq (json_object_get_int_member (e, "amount_fen"), 600);
  ck_assert_str_eq (json_object_get_string_member (e, "status"), "open");
  ck_assert (!json_object_get_boolean_member (e, "overdue"));

  /* A deadline in the past makes it overdue, and the filter finds it. */
  {
    g_autofree char *second = g_strdup_printf ("/api/ledger/%" G_GINT64_FORMAT, json_object_get_int_member (e, "id"));
    g_autoptr(JsonNode) overdue = NULL;

    request (&s, "POST", second, reviewer, reviewer_csrf, "{\"deadline\":\"2020-01-01\"}", &r);
    ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
    overdue = get_json (&s, "/api/ledger?overdue=1", analyst);
    entries = json_object_get_array_member (object_of (overdue), "entries");
    ck_assert_uint_eq (json_array_get_length (entries), 1);
    e = json_array_get_object_element (entries, 0);
    ck_assert (json_object_get_boolean_member (e, "overdue"));
    ck_assert_str_eq (json_object_get_string_member (e, "deadline"), "2020-01-01");
  }

  /* Reports sum the two entries up. */
  report = get_json (&s, "/api/reports?by=county", analyst);
  total = json_object_get_object_member (object_of (report), "total");
  ck_assert_int_eq (json_object_get_int_member (total, "findings"), 2);
  ck_assert_int_eq (json_object_get_int_member (total, "amount_fen"), 124050);
  ck_assert_int_eq (json_object_get_int_member (total, "rectified"), 1);
  ck_assert_int_eq (json_object_get_int_member (total, "overdue"), 1);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (
                      json_object_get_array_member (object_of (report), "groups"), 0), "group"), "小店区");
  for (guint i = 0; i < 3; i++)
    {
      static const char * const bys[] = { "/api/reports?by=type", "/api/reports?by=item", "/api/reports?by=form" };
      g_autoptr(JsonNode) other = get_json (&s, bys[i], analyst);

      ck_assert (json_array_get_length (json_object_get_array_member (object_of (other), "groups")) >= 1);
    }
  request (&s, "GET", "/api/reports?by=weather", analyst, NULL, NULL, &r);
  assert_error_json (&r, 400);
  jc_test_server_stop (&s);

  sql = g_strdup_printf ("SELECT count(*) FROM hq_audit WHERE user = '李审核' AND action = 'POST %s' "
                         "AND status = 200", path);
  ck_assert_int_eq (hq_int (sql), 2);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_ledger_history WHERE by = '李审核'"), 5);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '张分析' AND status = 403 "
                            "AND action LIKE 'POST /api/%'"), 2);
}
END_TEST

/* A download's Content-Disposition: an attachment, @ascii_prefix… as the
 * plain name, and filename*= decoding to @name. */
static void
assert_attachment (const Reply *r, const char *ascii_prefix, const char *name)
{
  g_autofree char *plain = g_strconcat ("attachment; filename=\"", ascii_prefix, NULL);
  const char *star;
  g_autofree char *decoded = NULL;

  ck_assert_msg (r->disposition != NULL && g_str_has_prefix (r->disposition, plain), "%s", r->disposition);
  star = strstr (r->disposition, "; filename*=UTF-8''");
  ck_assert_msg (star != NULL, "%s", r->disposition);
  /* Percent-encoded: nothing but ASCII in the header. */
  for (const char *p = r->disposition; *p != '\0'; p++)
    ck_assert_msg ((guchar) *p >= 0x20 && (guchar) *p < 0x7f, "%s", r->disposition);
  decoded = g_uri_unescape_string (star + strlen ("; filename*=UTF-8''"), NULL);
  ck_assert_str_eq (decoded, name);
}

static char *
save_reply (const Reply *r, const char *name)
{
  char *path = g_build_filename (root, name, NULL);

  ck_assert (g_file_set_contents (path, r->body, (gssize) r->len, NULL));
  return path;
}

/* The report and the ledger downloaded as files, by an analyst, from a
 * server in the users' language. */
START_TEST (test_downloads)
{
  JcTestServer s = { 0 };
  g_auto(Reply) r = { 0 };
  g_autofree char *cookie = NULL, *csrf = NULL, *today = NULL, *name = NULL, *xlsx = NULL, *pdf = NULL;
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autofree char *localedir = g_build_filename (g_getenv ("JIANCHA_BUILD_DIR"), "po", NULL);
  g_autofree char *script = g_build_filename (g_getenv ("JIANCHA_SOURCE_DIR"), "tests", "read_xlsx.py", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) china = g_date_time_add_hours (now, 8);
  const char *xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  /* The server inherits these: its messages and its files in Chinese. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("JIANCHA_LOCALEDIR", localedir, TRUE);
  /* The ledger's day is China's. */
  today = g_date_time_format (china, "%Y-%m-%d");
  hq_plan ();
  jc_test_server_start (&s, hqdir);
  synced_findings (&s, FALSE);
  login (&s, "张分析", &cookie, &csrf);

  request (&s, "GET", "/api/reports/export?by=county&format=csv", cookie, NULL, NULL, &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  ck_assert_str_eq (r.content_type, "text/csv");
  ck_assert_msg (g_str_has_prefix (r.body, "\xEF\xBB\xBF" "group,findings,amount,"), "%s", r.body);
  ck_assert_msg (strstr (r.body, "\r\n小店区,1,1244.50,0.00,0,0.0,0,0\r\n"), "%s", r.body);
  name = g_strdup_printf ("问题台账汇总（按区县）%s.csv", today);
  assert_attachment (&r, "jiancha-report-county-", name);
  g_clear_pointer (&name, g_free);

  request (&s, "GET", "/api/reports/export?by=type&format=xlsx", cookie, NULL, NULL, &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  ck_assert_str_eq (r.content_type, xlsx_type);
  ck_assert (r.len > 1000 && memcmp (r.body, "PK\x03\x04", 4) == 0);
  name = g_strdup_printf ("问题台账汇总（按机构类型）%s.xlsx", today);
  assert_attachment (&r, "jiancha-report-type-", name);
  xlsx = save_reply (&r, "报表.xlsx");
  {
    const char *argv[] = { "/usr/bin/python3", script, xlsx, NULL };

    ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "read_xlsx.py: %s%s", out, err);
  }
  ck_assert_msg (g_str_has_prefix (out, "问题台账按机构类型，截至 "), "%s", out);
  ck_assert_msg (strstr (out, "\n分组|"), "%s", out);
  ck_assert_msg (strstr (out, "\n定点零售药店|1|1244.5|0|0|0|0|0\n"), "%s", out);

  request (&s, "GET", "/api/reports/export?format=pdf", cookie, NULL, NULL, &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  ck_assert_str_eq (r.content_type, "application/pdf");
  ck_assert (r.len > 1000 && memcmp (r.body, "%PDF-", 5) == 0);
  g_clear_pointer (&name, g_free);
  name = g_strdup_printf ("问题台账汇总（按区县）%s.pdf", today);
  assert_attachment (&r, "jiancha-report-county-", name);
  pdf = save_reply (&r, "汇总.pdf");
  {
    const char *argv[] = { "/usr/bin/pdftotext", "-layout", pdf, "-", NULL };

    g_clear_pointer (&err, g_free);
    ck_assert_msg (jc_test_spawn (argv, NULL, &text, &err) == 0, "pdftotext: %s", err);
  }
  ck_assert_msg (strstr (text, "问题台账汇总") && strstr (text, "小店区") && strstr (text, "1244.50"), "%s", text);

  /* What was wrong is named; nothing is sent as a file. */
  request (&s, "GET", "/api/reports/export?by=county&format=docx", cookie, NULL, NULL, &r);
  assert_error_json (&r, 400);
  ck_assert_msg (strstr (r.body, "docx") && strstr (r.body, "xlsx"), "%s", r.body);
  ck_assert_ptr_null (r.disposition);
  request (&s, "GET", "/api/reports/export?by=county", cookie, NULL, NULL, &r);
  assert_error_json (&r, 400);
  request (&s, "GET", "/api/reports/export?by=weather&format=csv", cookie, NULL, NULL, &r);
  assert_error_json (&r, 400);
  ck_assert_msg (strstr (r.body, "weather"), "%s", r.body);
  request (&s, "GET", "/api/reports/export?format=json", cookie, NULL, NULL, &r);
  assert_error_json (&r, 400);
  request (&s, "GET", "/api/reports/export?by=county&format=csv", NULL, NULL, NULL, &r);
  assert_error_json (&r, 401);
  ck_assert_ptr_null (r.disposition);

  /* The ledger as its filter keeps it, every page. */
  request (&s, "GET", "/api/ledger/export?county=小店区&status=open", cookie, NULL, NULL, &r);
  ck_assert_msg (r.status == 200, "%u %s", r.status, r.body);
  ck_assert_str_eq (r.content_type, "text/csv");
  ck_assert_msg (g_str_has_prefix (r.body, "\xEF\xBB\xBF" "id,status,institution,"), "%s", r.body);
  ck_assert_msg (strstr (r.body, "\r\n1,open,P14110200017,康宁大药房,小店区,"), "%s", r.body);
  g_clear_pointer (&name, g_free);
  name = g_strdup_printf ("问题台账 %s.csv", today);
  assert_attachment (&r, "jiancha-ledger-", name);
  request (&s, "GET", "/api/ledger/export?county=迎泽区", cookie, NULL, NULL, &r);
  ck_assert_uint_eq (r.status, 200);
  ck_assert_msg (strstr (r.body, "\r\n") == r.body + r.len - 2, "only the heading: %s", r.body);
  request (&s, "GET", "/api/ledger/export?status=lost", cookie, NULL, NULL, &r);
  assert_error_json (&r, 400);
  request (&s, "GET", "/api/ledger/export?format=pdf", cookie, NULL, NULL, &r);
  assert_error_json (&r, 400);
  /* A POST there is still the entry's route: a reviewer's. */
  request (&s, "POST", "/api/ledger/export", cookie, csrf, "{\"status\":\"rectifying\"}", &r);
  assert_error_json (&r, 403);
  ck_assert_msg (strstr (r.body, "reviewer"), "%s", r.body);
  jc_test_server_stop (&s);

  /* Every download is in the audit, the refused ones too. */
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '张分析' "
                            "AND action = 'GET /api/reports/export' AND status = 200"), 3);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '张分析' "
                            "AND action = 'GET /api/reports/export' AND target = 'report by=type format=xlsx'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '张分析' "
                            "AND action = 'GET /api/reports/export' AND status = 400"), 4);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '-' "
                            "AND action = 'GET /api/reports/export' AND status = 401"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_audit WHERE user = '张分析' AND action = 'GET /api/ledger/export' "
                            "AND target = 'county=小店区&status=open' AND status = 200"), 1);
}
END_TEST

static Suite *
web_suite (void)
{
  Suite *s = suite_create ("web");
  TCase *tc = tcase_create ("auth");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_user_command);
  tcase_add_test (tc, test_login);
  tcase_add_test (tc, test_unauthenticated);
  tcase_add_test (tc, test_roles);
  tcase_add_test (tc, test_csrf);
  tcase_add_test (tc, test_expiry_logout);
  tcase_add_test (tc, test_throttle);
  suite_add_tcase (s, tc);
  tc = tcase_create ("data");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_data);
  tcase_add_test (tc, test_ledger);
  tcase_add_test (tc, test_downloads);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (web_suite ());
}

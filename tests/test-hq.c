/* test-hq.c — jiancha-hq serve: health, errors and a clean stop on SIGTERM
 *
 * Runs the real server binary on 127.0.0.1 with port 0 and talks HTTP to it.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

typedef struct {
  GSubprocess *proc;
  GDataInputStream *out;
  char *dir;
  guint port;
} Hq;

static void
hq_start (Hq *hq)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
  g_autofree char *line = NULL;

  hq->dir = jc_test_tmpdir ("hq");
  hq->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, "--dir", hq->dir,
                               "serve", "--listen", "127.0.0.1:0", NULL);
  ck_assert_msg (hq->proc != NULL, "start %s: %s", exe, error ? error->message : "");
  hq->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (hq->proc));
  line = g_data_input_stream_read_line_utf8 (hq->out, NULL, NULL, &error);
  ck_assert_msg (line != NULL, "no start line from jiancha-hq");
  ck_assert_msg (sscanf (line, "jiancha-hq: listening on port %u", &hq->port) == 1,
                 "unexpected start line: %s", line);
  ck_assert_uint_gt (hq->port, 0);
}

static int
hq_stop (Hq *hq)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;
  int status;

  g_subprocess_send_signal (hq->proc, SIGTERM);
  ck_assert (g_subprocess_wait (hq->proc, NULL, &error));
  rest = g_data_input_stream_read_upto (hq->out, "", 0, NULL, NULL, NULL);
  ck_assert_msg (rest != NULL && strstr (rest, "jiancha-hq: stopped") != NULL,
                 "no stop line: %s", rest ? rest : "(null)");
  status = g_subprocess_get_if_exited (hq->proc) ? g_subprocess_get_exit_status (hq->proc) : -1;
  g_clear_object (&hq->out);
  g_clear_object (&hq->proc);
  jc_test_rmtree (hq->dir);
  g_clear_pointer (&hq->dir, g_free);
  return status;
}

static GBytes *
http (Hq *hq, const char *method, const char *path, guint *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", hq->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (session, msg, NULL, &error);

  ck_assert_msg (body != NULL, "%s %s: %s", method, url, error ? error->message : "");
  *status = soup_message_get_status (msg);
  return body;
}

START_TEST (test_health)
{
  Hq hq = { 0 };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *obj;
  guint status;

  hq_start (&hq);
  body = http (&hq, "GET", "/v1/health", &status);
  ck_assert_uint_eq (status, 200);
  ck_assert_msg (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), &error),
                 "health is not JSON: %s", error ? error->message : "");
  obj = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (obj, "version"), jc_version_string ());
  ck_assert_str_eq (json_object_get_string_member (obj, "status"), "ok");
  ck_assert (json_object_has_member (obj, "uptime_seconds"));
  ck_assert_int_ge (json_object_get_int_member (obj, "uptime_seconds"), 0);
  ck_assert_int_eq (hq_stop (&hq), 0);
}
END_TEST

START_TEST (test_unknown_path_and_method)
{
  Hq hq = { 0 };
  g_autoptr(GBytes) missing = NULL;
  g_autoptr(GBytes) post = NULL;
  g_autoptr(GBytes) health = NULL;
  guint status;

  hq_start (&hq);
  missing = http (&hq, "GET", "/v1/nothing-here", &status);
  ck_assert_uint_eq (status, 404);
  ck_assert_ptr_nonnull (g_strstr_len (g_bytes_get_data (missing, NULL), g_bytes_get_size (missing), "error"));
  post = http (&hq, "POST", "/v1/health", &status);
  ck_assert_uint_eq (status, 405);
  /* Still serving after the bad requests. */
  health = http (&hq, "GET", "/v1/health", &status);
  ck_assert_uint_eq (status, 200);
  ck_assert_int_eq (hq_stop (&hq), 0);
}
END_TEST

START_TEST (test_bad_listen_address)
{
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
  g_autofree char *dir = jc_test_tmpdir ("hq-bad");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { exe, "--dir", dir, "serve", "--listen", "not an address:x", NULL };

  ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 1);
  ck_assert_msg (strstr (err, "not an address:x") != NULL, "error does not name the address: %s", err);
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_usage_errors)
{
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *unknown[] = { exe, "frobnicate", NULL };
  const char *extra[] = { exe, "serve", "extra-argument", NULL };

  ck_assert_int_eq (jc_test_spawn (unknown, NULL, &out, &err), 2);
  ck_assert_ptr_nonnull (strstr (err, "frobnicate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (jc_test_spawn (extra, NULL, &out, &err), 2);
  ck_assert_ptr_nonnull (strstr (err, "Too many arguments"));
}
END_TEST

static Suite *
hq_suite (void)
{
  Suite *s = suite_create ("hq");
  TCase *tc = tcase_create ("serve");

  tcase_add_test (tc, test_health);
  tcase_add_test (tc, test_unknown_path_and_method);
  tcase_add_test (tc, test_bad_listen_address);
  tcase_add_test (tc, test_usage_errors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (hq_suite ());
}

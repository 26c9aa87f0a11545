/* test-sync.c — sync end to end: real vaults, the real jiancha-cli, the real
 * jiancha-hq on 127.0.0.1 with its real database; bundles crafted with the
 * device's own key for the forgeries; HQ killed with SIGKILL mid-request.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include "jc-db.h"
#include <string.h>

#include "jc-bundle.h"
#include "jc-core.h"
#include "jc-sync.h"
#include "jc-sync-directory.h"
#include "jc-test.h"

#define PIN JC_TEST_PIN
#define cli jc_test_cli
#define cli_env jc_test_cli_env
#define last_line jc_test_last_line
#define hq_int(sql) jc_test_hq_int (hqdir, sql)

static char *root;
static char *hqdir;

static void
setup (void)
{
  root = jc_test_tmpdir ("sync");
  hqdir = g_build_filename (root, "hq", NULL);
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
}

static void
teardown (void)
{
  jc_test_rmtree (root);
  g_clear_pointer (&root, g_free);
  g_clear_pointer (&hqdir, g_free);
}

#define CLI_OK(vault, ...) G_STMT_START {                                   \
    g_autofree char *o_ = NULL, *e_ = NULL;                                 \
    int rc_ = cli (vault, &o_, &e_, __VA_ARGS__, NULL);                     \
    ck_assert_msg (rc_ == 0, "jiancha-cli %s: exit %d: %s%s", #__VA_ARGS__, rc_, o_, e_); \
  } G_STMT_END

static void
hq_init (void)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "init", NULL) == 0, "init: %s", err);
}

/* A vault enrolled with the HQ at @url, with an inspection of a pharmacy
 * and three violations, one with @evidence_bytes of evidence. Returns the
 * vault's directory; *@inspection gets the inspection id. */
static char *
new_device (const char *name, const char *inspector, const char *url, gsize evidence_bytes, char **inspection)
{
  g_autofree char *out = NULL, *err = NULL, *code = NULL;
  g_autofree char *evidence = g_build_filename (root, name, NULL);
  char *vault = g_strconcat (evidence, ".vault", NULL);
  g_autofree char *photo = g_strconcat (evidence, ".jpg", NULL);
  g_autofree guint8 *bytes = g_malloc (MAX (evidence_bytes, 1));
  static const char * const codes[] = { "p21.1.1", "p21.1.3", "p21.2.1.2" };

  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "enroll-code", "--inspector", inspector, NULL) == 0, "%s", err);
  code = last_line (out);
  CLI_OK (vault, "vault", "init", "--inspector", inspector);
  CLI_OK (vault, "enroll", "--hq", url, "--code", code);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault, &out, &err, "inspection", "new", "--institution", "P14110200017", "--name",
                         "康宁大药房", "--type", "pharmacy", "--form", "cross", "--team", inspector, NULL), 0);
  *inspection = last_line (out);
  randombytes_buf (bytes, evidence_bytes);
  ck_assert (g_file_set_contents (photo, (const char *) bytes, evidence_bytes, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (i == 0)
      CLI_OK (vault, "item", "set", *inspection, codes[i], "--status", "violation", "--amount", "1234.50",
              "--note", "医保卡结算日用品", "--evidence", photo);
    else
      CLI_OK (vault, "item", "set", *inspection, codes[i], "--status", "violation", "--amount", "10",
              "--note", name);
  return vault;
}

/* Every (device, seq, hash) HQ holds, one a line: HQ's state to compare. */
static char *
hq_events (const char *dir)
{
  g_autoptr(GString) s = g_string_new (NULL);
  JcDb *db;
  JcDbStmt *stmt = NULL;

  db = jc_test_hq_db (dir);
  ck_assert_int_eq (jc_db_prepare (db, "SELECT device_id, seq, hash FROM events ORDER BY 1, 2", -1, &stmt, NULL),
                    JC_DB_OK);
  while (jc_db_step (stmt) == JC_DB_ROW)
    {
      g_autofree char *device = jc_device_hex (jc_db_column_blob (stmt, 0), jc_db_column_bytes (stmt, 0));
      g_autofree char *hash = jc_device_hex (jc_db_column_blob (stmt, 2), jc_db_column_bytes (stmt, 2));

      g_string_append_printf (s, "%s %lld %s\n", device, (long long) jc_db_column_int64 (stmt, 1), hash);
    }
  jc_db_finalize (stmt);
  jc_db_free (db);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static JcVault *
open_vault (const char *dir)
{
  g_autoptr(GError) error = NULL;
  JcVault *vault = jc_vault_new (dir);

  ck_assert_msg (jc_vault_unlock (vault, PIN, &error), "unlock %s: %s", dir, error ? error->message : "");
  return vault;
}

static guint64
device_head (const char *dir)
{
  g_autoptr(JcVault) vault = open_vault (dir);
  JcSyncStatus st;

  ck_assert (jc_sync_get_status (vault, &st, NULL));
  return st.head_seq;
}

static guint
post (const char *url, const char *path, GBytes *body, char **reply)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *full = g_strconcat (url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (body ? "POST" : "GET", full);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  out = soup_session_send_and_read (session, msg, NULL, &error);
  ck_assert_msg (out != NULL, "%s: %s", full, error ? error->message : "");
  if (reply != NULL)
    *reply = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  return soup_message_get_status (msg);
}

static void
assert_serving (JcTestServer *s)
{
  ck_assert_uint_eq (post (s->url, "/v1/health", NULL, NULL), 200);
}

static void
assert_hq_verifies (void)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "check", NULL) == 0, "jiancha-hq check: %s%s", out, err);
}

/* A new device's vault (see new_device()), opened, and its events so far,
 * for bundles made by hand; @hq_pk gets the HQ key it pinned. */
static GPtrArray *
device_events (const char *name, const char *url, gsize evidence_bytes, char **inspection, JcVault **vault,
               guint8 hq_pk[32])
{
  g_autofree char *dir = new_device (name, "张伟", url, evidence_bytes, inspection);
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  *vault = open_vault (dir);
  ck_assert (jc_vault_get_enrollment (*vault, NULL, hq_pk, NULL));
  events = jc_eventlog_get_events_after (jc_vault_get_eventlog (*vault),
                                         jc_device_get_id (jc_vault_get_device (*vault)), 0, 0, &error);
  ck_assert_msg (events != NULL, "%s", error ? error->message : "");
  return events;
}

/* HQ on PostgreSQL loses its database connection (a server restart, an
 * administrator): the next sync reconnects and HQ holds everything once. */
START_TEST (test_database_connection_lost)
{
  g_autofree char *insp = NULL, *a = NULL;
  JcTestServer s = { 0 };

  hq_init ();
  jc_test_server_start (&s, hqdir);
  a = new_device ("lost", "张伟", s.url, 1000, &insp);
  CLI_OK (a, "sync", "--hq", s.url);
  ck_assert_uint_ge (jc_test_hq_db_disconnect (hqdir), 1);
  CLI_OK (a, "item", "set", insp, "p21.1.2", "--status", "compliant");
  CLI_OK (a, "sync");
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), (gint64) device_head (a));
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections"), 0);
  /* and again, with nothing new: the receipt alone */
  ck_assert_uint_ge (jc_test_hq_db_disconnect (hqdir), 1);
  CLI_OK (a, "sync");
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), (gint64) device_head (a));
  assert_hq_verifies ();
  jc_test_server_stop (&s);
}
END_TEST

static void add_notes (const char *vault_dir, guint n);

typedef struct {
  const char *url;
  GBytes     *bundle;
  guint       status;
} Post;

static gpointer
post_thread (gpointer data)
{
  Post *p = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *full = g_strconcat (p->url, "/v1/bundles", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", full);
  g_autoptr(GBytes) out = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", p->bundle);
  out = soup_session_send_and_read (session, msg, NULL, NULL);
  p->status = soup_message_get_status (msg);
  return NULL;
}

/* Two jiancha-hq on one PostgreSQL database (two front ends of one HQ):
 * the same bundle reaches both at once, rounds after rounds; their merges
 * take turns, so each event is stored once and nothing is refused. */
START_TEST (test_two_servers_one_database)
{
  g_autofree char *insp = NULL, *a = NULL;
  g_autofree char *file = g_build_filename (root, "twice.jcb", NULL);
  JcTestServer s1 = { 0 }, s2 = { 0 };
  gint64 held = 0;

  hq_init ();
  jc_test_server_start (&s1, hqdir);
  jc_test_server_start (&s2, hqdir);
  a = new_device ("twice", "张伟", s1.url, 1000, &insp);
  for (guint round = 0; round < 4; round++)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_autoptr(GBytes) bundle = NULL;
      Post p1, p2;
      GThread *t1, *t2;

      add_notes (a, 500);
      CLI_OK (a, "bundle", "export", file);
      ck_assert (g_file_get_contents (file, &contents, &len, NULL));
      bundle = g_bytes_new_take (g_steal_pointer (&contents), len);
      p1 = (Post) { s1.url, bundle, 0 };
      p2 = (Post) { s2.url, bundle, 0 };
      t1 = g_thread_new ("post-1", post_thread, &p1);
      t2 = g_thread_new ("post-2", post_thread, &p2);
      g_thread_join (t1);
      g_thread_join (t2);
      ck_assert_uint_eq (p1.status, 200);
      ck_assert_uint_eq (p2.status, 200);
      /* the device has not taken a receipt: each round's bundle holds all */
      held = hq_int ("SELECT count(*) FROM events");
      ck_assert_int_eq (held, (gint64) device_head (a));
    }
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections"), 0);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_observed"), held);
  ck_assert_int_eq (hq_int ("SELECT sum (added) FROM hq_bundles"), held);
  CLI_OK (a, "sync", "--hq", s2.url);
  assert_hq_verifies ();
  jc_test_server_stop (&s1);
  jc_test_server_stop (&s2);
}
END_TEST

/* Two devices, offline, then synced: HQ holds exactly the union; again:
 * nothing changes. */
START_TEST (test_two_devices_union)
{
  g_autofree char *insp_a = NULL, *insp_b = NULL, *events = NULL, *again = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *a = NULL, *b = NULL;
  JcTestServer s = { 0 };
  gint64 n_events;

  hq_init ();
  jc_test_server_start (&s, hqdir);
  a = new_device ("a", "张伟", s.url, 300 * 1000, &insp_a);
  b = new_device ("b", "李娜", s.url, 70 * 1000, &insp_b);

  CLI_OK (a, "sync", "--hq", s.url);
  CLI_OK (b, "sync");            /* the address of enrollment is not assumed: */
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), (gint64) (device_head (a) + device_head (b) - 0));
  n_events = hq_int ("SELECT count(*) FROM events");
  ck_assert_int_eq (n_events, (gint64) (device_head (a) + device_head (b)));
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_observed"), n_events);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM inspections"), 2);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM item_results WHERE status = 'violation'"), 6);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_blobs WHERE complete = 1"), 2);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections"), 0);
  assert_hq_verifies ();
  events = hq_events (hqdir);

  /* A finding on one device, then everything again from both. */
  CLI_OK (a, "finding", "seal", insp_a, "--confirm-name", "王芳");
  CLI_OK (a, "sync");
  CLI_OK (b, "sync");
  CLI_OK (a, "sync");
  ck_assert_int_gt ((gint64) (device_head (a) + device_head (b)), n_events);
  n_events = (gint64) (device_head (a) + device_head (b));
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), n_events);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM findings"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM finding_confirmations WHERE status = 'confirmed'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_observed"), n_events);
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "findings", "--format", "csv", NULL), 0);
  ck_assert_msg (g_str_has_prefix (out, "\xEF\xBB\xBF" "finding,institution,name"), "%s", out);
  ck_assert_msg (strstr (out, "康宁大药房") && strstr (out, ",confirmed,王芳,"), "%s", out);
  again = hq_events (hqdir);
  ck_assert (g_str_has_prefix (again, "") && strlen (again) > strlen (events));
  assert_hq_verifies ();
  jc_test_server_stop (&s);
}
END_TEST

/* Two devices of one team change the same item: both events stay at HQ,
 * the latest (by device time) shows, and the pair is flagged for review. */
START_TEST (test_item_conflict)
{
  g_autofree char *insp_a = NULL, *insp_b = NULL, *a = NULL, *b = NULL, *body = NULL;
  JcTestServer s = { 0 };

  hq_init ();
  jc_test_server_start (&s, hqdir);
  a = new_device ("ca", "张伟", s.url, 10, &insp_a);
  b = new_device ("cb", "李娜", s.url, 10, &insp_b);
  CLI_OK (a, "sync");
  /* B, in the same team, rechecks an item of A's inspection */
  body = g_strdup_printf ("{\"code\":\"p21.1.3\",\"inspection\":\"%s\",\"note\":\"复核：已整改\","
                          "\"status\":\"compliant\"}", insp_a);
  {
    g_autoptr(JcVault) vault = open_vault (b);
    g_autoptr(GError) error = NULL;

    ck_assert_msg (jc_vault_record (vault, "inspection.item.set", body, NULL, &error), "%s",
                   error ? error->message : "");
  }
  CLI_OK (b, "sync");
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections"), 0);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_conflicts WHERE code = 'p21.1.3'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_conflicts WHERE device_a <> device_b AND reviewed_at IS NULL"),
                    1);
  /* both changes are in the log; B's, made later, is the one that shows */
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events WHERE kind = 'inspection.item.set'"), 7);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT status = 'compliant' FROM item_results WHERE inspection_id = '%s' "
                                            "AND code = 'p21.1.3'", insp_a);

    ck_assert_int_eq (hq_int (sql), 1);
  }
  {
    g_autofree char *out = NULL, *err = NULL;

    ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "conflicts", "--format", "json", NULL), 0);
    ck_assert_msg (strstr (out, "\"code\":\"p21.1.3\"") && strstr (out, "\"shown_status\":\"compliant\""), "%s", out);
  }
  /* both devices' whole logs again: the conflict is not flagged twice */
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(JcVault) vault = open_vault (round == 0 ? a : b);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GBytes) again = NULL;
      g_autofree char *reply = NULL;
      guint8 hq_pk[32];
      gint64 n_events = hq_int ("SELECT count(*) FROM events");

      ck_assert (jc_vault_get_enrollment (vault, NULL, hq_pk, NULL));
      events = jc_eventlog_get_events_after (jc_vault_get_eventlog (vault),
                                             jc_device_get_id (jc_vault_get_device (vault)), 0, 0, &error);
      again = jc_bundle_seal (jc_vault_get_device (vault), events, NULL, 1, hq_pk, &error);
      ck_assert (again != NULL);
      ck_assert_uint_eq (post (s.url, "/v1/bundles", again, &reply), 200);
      ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), n_events);
      ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_conflicts"), 1);
    }
  assert_hq_verifies ();
  jc_test_server_stop (&s);
}
END_TEST

/* Bundles made with the device's real key, altered the way an attacker or
 * a broken device would; each refused with its reason, nothing stored,
 * the server still serving. */
START_TEST (test_rejections)
{
  g_autofree char *insp = NULL, *reply = NULL, *dev = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) good = NULL, forged = NULL, broken = NULL, truncated = NULL, garbage = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) bad_event = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autofree char *out = NULL, *err = NULL;
  JcTestServer s = { 0 };
  guint8 hq_pk[32], sig[64], bogus[32];
  gint64 stored;
  gsize len;
  char buf[512] = "";
  const char *raw;
  gssize got;

  hq_init ();
  jc_test_server_start (&s, hqdir);
  events = device_events ("r", s.url, 1000, &insp, &vault, hq_pk);
  ck_assert (events->len >= 5);
  dev = g_strdup (jc_device_get_id_hex (jc_vault_get_device (vault)));

  /* the good bundle, twice: the replay changes nothing */
  good = jc_bundle_seal (jc_vault_get_device (vault), events, NULL, 1, hq_pk, &error);
  ck_assert (good != NULL);
  ck_assert_uint_eq (post (s.url, "/v1/bundles", good, &reply), 200);
  ck_assert_msg (strstr (reply, "\"document\""), "%s", reply);
  stored = hq_int ("SELECT count(*) FROM events");
  ck_assert_int_eq (stored, events->len);
  g_clear_pointer (&reply, g_free);
  ck_assert_uint_eq (post (s.url, "/v1/bundles", good, &reply), 200);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), stored);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_observed"), stored);
  ck_assert_int_eq (hq_int ("SELECT duplicates FROM hq_bundles ORDER BY id DESC LIMIT 1"), events->len);
  ck_assert_int_eq (hq_int ("SELECT added FROM hq_bundles ORDER BY id DESC LIMIT 1"), 0);

  /* a forged signature on a new event: rejected with the reason */
  {
    g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_event_unref);
    const JcEvent *last = events->pdata[events->len - 1];
    g_autoptr(JcEvent) next = jc_event_new (jc_event_get_device_id (last), jc_event_get_seq (last) + 1,
                                            jc_event_get_hash (last), 1, 1, 0, "张伟", "test.note",
                                            "{\"n\":1}", &error);

    ck_assert (next != NULL && jc_event_sign (next, jc_vault_get_device (vault), &error));
    memcpy (sig, jc_event_get_signature (next), 64);
    sig[17] ^= 0x01;
    ck_assert (jc_event_set_signature (next, sig, 64, &error));
    g_ptr_array_add (one, g_steal_pointer (&next));
    forged = jc_bundle_seal (jc_vault_get_device (vault), one, NULL, 2, hq_pk, &error);
    ck_assert (forged != NULL);
    g_clear_pointer (&reply, g_free);
    ck_assert_uint_eq (post (s.url, "/v1/bundles", forged, &reply), 200);
    ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), stored);
    ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections WHERE reason LIKE '%signature%'"), 1);
  }

  /* an event signed by the device but out of chain (wrong prev_hash) */
  {
    g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_event_unref);
    const JcEvent *last = events->pdata[events->len - 1];

    randombytes_buf (bogus, sizeof bogus);
    bad_event = jc_event_new (jc_event_get_device_id (last), jc_event_get_seq (last) + 1, bogus, 1, 1, 0,
                              "张伟", "test.note", "{\"n\":2}", &error);
    ck_assert (bad_event != NULL && jc_event_sign (bad_event, jc_vault_get_device (vault), &error));
    g_ptr_array_add (one, jc_event_ref (bad_event));
    broken = jc_bundle_seal (jc_vault_get_device (vault), one, NULL, 3, hq_pk, &error);
    g_clear_pointer (&reply, g_free);
    ck_assert_uint_eq (post (s.url, "/v1/bundles", broken, &reply), 200);
    ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), stored);
    ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections WHERE reason LIKE '%out of chain%'"), 1);
  }

  /* truncated, garbage, not a bundle, empty */
  raw = g_bytes_get_data (good, &len);
  truncated = g_bytes_new (raw, len - 10);
  g_clear_pointer (&reply, g_free);
  ck_assert_uint_eq (post (s.url, "/v1/bundles", truncated, &reply), 400);
  ck_assert_msg (strstr (reply, "cannot be opened"), "%s", reply);
  {
    guint8 junk[4096];

    randombytes_buf (junk, sizeof junk);
    memcpy (junk, "JCB1", 4);
    garbage = g_bytes_new (junk, sizeof junk);
    g_clear_pointer (&reply, g_free);
    ck_assert_uint_eq (post (s.url, "/v1/bundles", garbage, &reply), 400);
    g_bytes_unref (garbage);
    garbage = g_bytes_new (junk + 4, sizeof junk - 4);
    g_clear_pointer (&reply, g_free);
    ck_assert_uint_eq (post (s.url, "/v1/bundles", garbage, &reply), 400);
    ck_assert_msg (strstr (reply, "JCB1"), "%s", reply);
  }
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), stored);
  ck_assert_int_ge (hq_int ("SELECT count(*) FROM hq_rejections WHERE seq IS NULL"), 3);
  assert_serving (&s);

  /* an oversized body is refused from its headers alone */
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", s.port, NULL, &error);
  ck_assert_msg (conn != NULL, "%s", error ? error->message : "");
  {
    const char *req = "POST /v1/bundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 9999999999\r\n\r\n";
    GOutputStream *os = g_io_stream_get_output_stream (G_IO_STREAM (conn));
    GInputStream *is = g_io_stream_get_input_stream (G_IO_STREAM (conn));

    ck_assert (g_output_stream_write_all (os, req, strlen (req), NULL, NULL, &error));
    got = g_input_stream_read (is, buf, sizeof buf - 1, NULL, &error);
    ck_assert_int_gt (got, 0);
    buf[got] = '\0';
    ck_assert_msg (g_str_has_prefix (buf, "HTTP/1.1 413"), "%s", buf);
  }
  g_clear_object (&conn);
  assert_serving (&s);

  /* a revoked device: refused whole, recorded, nothing stored */
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "revoke", dev, NULL), 0);
  g_clear_pointer (&reply, g_free);
  ck_assert_uint_eq (post (s.url, "/v1/bundles", good, &reply), 403);
  ck_assert_msg (strstr (reply, "revoked"), "%s", reply);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), stored);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections WHERE reason LIKE '%revoked%'"), 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "rejections", "--format", "json", NULL), 0);
  ck_assert_msg (strstr (out, dev) != NULL, "%s", out);
  assert_serving (&s);
  assert_hq_verifies ();
  jc_test_server_stop (&s);
}
END_TEST

/* An event signed and in its chain that a projection refuses (an item
 * result without a status): rejected with the reason, none of its rows
 * kept, and everything before it in the bundle stored once; the next
 * event waits for the one refused. */
START_TEST (test_refused_by_projection)
{
  g_autofree char *insp = NULL, *reply = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const kinds[] = { "inspection.item.set", "inspection.item.set", "test.note" };
  JcTestServer s = { 0 };
  const char *bodies[3];
  g_autofree char *good = NULL, *refused = NULL;
  guint n_before;
  guint8 hq_pk[32];

  hq_init ();
  jc_test_server_start (&s, hqdir);
  events = device_events ("p", s.url, 10, &insp, &vault, hq_pk);
  n_before = events->len;
  good = g_strdup_printf ("{\"code\":\"p21.1.2\",\"inspection\":\"%s\",\"note\":\"进销存不符\",\"status\":\"violation\"}",
                          insp);
  refused = g_strdup_printf ("{\"code\":\"p21.1.4\",\"inspection\":\"%s\",\"note\":\"无状态\"}", insp);
  bodies[0] = good;
  bodies[1] = refused;
  bodies[2] = "{\"n\":3}";
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const JcEvent *last = events->pdata[events->len - 1];
      JcEvent *next = jc_event_new (jc_event_get_device_id (last), jc_event_get_seq (last) + 1,
                                    jc_event_get_hash (last), 1, 1, 0, "张伟", kinds[i], bodies[i], &error);

      ck_assert_msg (next != NULL && jc_event_sign (next, jc_vault_get_device (vault), &error), "%s",
                     error ? error->message : "");
      g_ptr_array_add (events, next);
    }
  bundle = jc_bundle_seal (jc_vault_get_device (vault), events, NULL, 1, hq_pk, &error);
  ck_assert (bundle != NULL);
  ck_assert_uint_eq (post (s.url, "/v1/bundles", bundle, &reply), 200);

  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), n_before + 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_observed"), n_before + 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections WHERE reason LIKE '%“status”%'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_held"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM item_results"), 4);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM item_results WHERE code = 'p21.1.2' AND note = '进销存不符'"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM item_results WHERE code = 'p21.1.4'"), 0);
  ck_assert_int_eq (hq_int ("SELECT added FROM hq_bundles"), n_before + 1);
  ck_assert_int_eq (hq_int ("SELECT rejected FROM hq_bundles"), 1);
  ck_assert_int_eq (hq_int ("SELECT held FROM hq_bundles"), 1);
  {
    /* the receipt names the event refused and acknowledges what came before it */
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree guchar *doc = NULL;
    g_autofree char *text = NULL, *acked = NULL, *rejected = NULL;
    gsize doc_len;

    ck_assert (json_parser_load_from_data (parser, reply, -1, NULL));
    doc = g_base64_decode (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                          "document"), &doc_len);
    text = g_strndup ((const char *) doc, doc_len);
    acked = g_strdup_printf ("\"acked_seq\":%u,", n_before + 1);
    rejected = g_strdup_printf ("\"rejected\":[{\"seq\":%u,", n_before + 2);
    ck_assert_msg (strstr (text, acked) != NULL && strstr (text, rejected) != NULL, "%s", text);
  }
  assert_serving (&s);
  assert_hq_verifies ();
  jc_test_server_stop (&s);
}
END_TEST

/* The receipt is believed only when HQ signed it, for this device. */
START_TEST (test_receipt_checks)
{
  g_autofree char *insp = NULL, *reply = NULL, *vault_dir = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GError) error = NULL;
  JcTestServer s = { 0 };
  JcSyncStatus st;
  char *p, saved;

  hq_init ();
  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("c", "张伟", s.url, 10, &insp);
  vault = open_vault (vault_dir);
  bundle = jc_sync_make_bundle (vault, 0, NULL, &error);
  ck_assert (bundle != NULL);
  ck_assert_uint_eq (post (s.url, "/v1/bundles", bundle, &reply), 200);
  /* one changed character of the signature */
  p = strstr (reply, "\"signature\":\"") + 13;
  saved = *p;
  *p = *p == '0' ? '1' : '0';
  ck_assert (!jc_sync_apply_receipt (vault, reply, strlen (reply), NULL, &error));
  ck_assert_msg (strstr (error->message, "signature"), "%s", error->message);
  g_clear_error (&error);
  ck_assert (jc_sync_get_status (vault, &st, NULL));
  ck_assert_uint_eq (st.acked_seq, 0);
  *p = saved;
  ck_assert_msg (jc_sync_apply_receipt (vault, reply, strlen (reply), NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert (jc_sync_get_status (vault, &st, NULL));
  ck_assert_uint_eq (st.acked_seq, st.head_seq);
  ck_assert_uint_eq (st.events_waiting, 0);
  /* evidence is not complete until it is uploaded */
  ck_assert_uint_eq (st.blobs_waiting, 1);
  jc_test_server_stop (&s);
}
END_TEST

static void
add_notes (const char *vault_dir, guint n)
{
  g_autoptr(JcVault) vault = open_vault (vault_dir);
  g_autoptr(GError) error = NULL;

  ck_assert (jc_eventlog_begin (jc_vault_get_eventlog (vault), &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"n\":%u,\"text\":\"现场核查记录 %u\"}", i, i);

      ck_assert_msg (jc_vault_record (vault, "test.note", body, NULL, &error), "%s", error->message);
    }
  ck_assert (jc_eventlog_commit (jc_vault_get_eventlog (vault), &error));
}

/* The bytes HQ holds of the upload in progress (0 when none). */
static goffset
partial_bytes (void)
{
  g_autofree char *dir_path = g_build_filename (hqdir, "blobs", "partial", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  goffset total = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        total += st.st_size;
    }
  return total;
}

/* kill -9 of HQ 24 times in the middle of a sync: even rounds while 2 000
 * new events travel as a bundle, odd rounds at a random byte of a 50 MB
 * evidence upload; then one clean sync: everything at HQ exactly once,
 * every signature, chain and byte of evidence verified. */
START_TEST (test_kill_mid_sync)
{
  g_autofree char *insp = NULL, *vault_dir = NULL;
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "src", "cli", "jiancha-cli", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261201);
  const goffset total = 50 * 1000 * 1000;
  JcTestServer s = { 0 };
  guint64 head;
  guint interrupted = 0, mid_upload = 0;

  hq_init ();
  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("k", "张伟", s.url, total, &insp);
  add_notes (vault_dir, 3000);

  for (guint round = 0; round < 24; round++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) sync = NULL;
      g_autoptr(GError) error = NULL;
      goffset held = partial_bytes ();
      gboolean upload_round = round % 2 == 1 && hq_int ("SELECT count(*) FROM hq_blobs WHERE complete = 1") == 0;
      /* within the next two pieces or so, so the upload is cut many times */
      goffset target = held + 1 + g_rand_int_range (rand, 0, (gint32) MAX (1, MIN (total - held, 9 * 1000 * 1000)));

      if (!upload_round)
        add_notes (vault_dir, 2000);
      if (s.proc == NULL)
        jc_test_server_start (&s, hqdir);
      g_subprocess_launcher_setenv (launcher, "JIANCHA_PIN", PIN, TRUE);
      sync = g_subprocess_launcher_spawn (launcher, &error, exe, "--vault", vault_dir, "sync", "--hq", s.url, NULL);
      ck_assert_msg (sync != NULL, "%s", error ? error->message : "");
      if (upload_round)
        {
          /* wait for the upload to pass a random byte, then cut */
          for (guint i = 0; i < 6000 && partial_bytes () < target && partial_bytes () >= held; i++)
            g_usleep (5000);
        }
      else
        g_usleep (g_rand_int_range (rand, 20, 200) * 1000);
      jc_test_server_kill (&s);
      ck_assert (g_subprocess_wait (sync, NULL, NULL));
      if (!g_subprocess_get_successful (sync))
        {
          interrupted++;
          if (upload_round)
            mid_upload++;
        }
    }
  g_printerr ("kill -9 rounds: %u of 24 cut a sync, %u in the middle of the evidence upload\n",
              interrupted, mid_upload);
  /* Most rounds must really have been cut; a sync that won the race is fine. */
  ck_assert_uint_ge (interrupted, 20);
  ck_assert_uint_ge (mid_upload, 8);

  head = device_head (vault_dir);
  jc_test_server_start (&s, hqdir);
  CLI_OK (vault_dir, "sync", "--hq", s.url);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), (gint64) head);
  ck_assert_int_eq (hq_int ("SELECT max(seq) FROM events"), (gint64) head);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_observed"), (gint64) head);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_blobs WHERE complete = 1"), 1);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_rejections"), 0);
  ck_assert_int_eq (partial_bytes (), 0);
  assert_hq_verifies ();
  {
    g_autoptr(JcVault) vault = open_vault (vault_dir);
    JcSyncStatus st;

    ck_assert (jc_sync_get_status (vault, &st, NULL));
    ck_assert_uint_eq (st.events_waiting, 0);
    ck_assert_uint_eq (st.blobs_waiting, 0);
  }
  jc_test_server_stop (&s);
}
END_TEST

/* A USB stick: the bundle and its evidence as files, imported at HQ, give
 * the same state as the online sync of the same device to a twin HQ. */
START_TEST (test_usb_round_trip)
{
  g_autofree char *insp = NULL, *vault_dir = NULL, *twin = g_build_filename (root, "hq-twin", NULL);
  g_autofree char *file = g_build_filename (root, "stick.jcb", NULL);
  g_autofree char *evidence = g_build_filename (root, "stick-evidence", NULL);
  g_autofree char *receipt = g_build_filename (root, "receipt.json", NULL);
  g_autofree char *out = NULL, *err = NULL, *online = NULL, *usb = NULL;
  g_autofree char *f1 = NULL, *f2 = NULL, *e1 = NULL, *e2 = NULL;
  JcTestServer s = { 0 };

  hq_init ();
  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("u", "张伟", s.url, 200 * 1000, &insp);
  CLI_OK (vault_dir, "finding", "seal", insp, "--dispute-name", "王芳", "--reason", "金额有误");
  jc_test_server_stop (&s);
  /* the twin: the same HQ (same keys, same enrolled device), another disk */
  jc_test_hq_copy (hqdir, twin);

  CLI_OK (vault_dir, "bundle", "export", file, "--evidence", evidence);
  jc_test_server_start (&s, hqdir);
  CLI_OK (vault_dir, "sync", "--hq", s.url);
  jc_test_server_stop (&s);

  ck_assert_msg (jc_test_hq (twin, &out, &err, "import", file, "--evidence", evidence, "--receipt", receipt,
                             NULL) == 0, "import: %s", err);
  CLI_OK (vault_dir, "bundle", "receipt", receipt);
  online = hq_events (hqdir);
  usb = hq_events (twin);
  ck_assert_str_eq (online, usb);
  ck_assert_int_eq (jc_test_hq (hqdir, &f1, &e1, "findings", "--format", "json", NULL), 0);
  ck_assert_int_eq (jc_test_hq (twin, &f2, &e2, "findings", "--format", "json", NULL), 0);
  ck_assert_str_eq (f1, f2);
  ck_assert_msg (strstr (f1, "\"status\":\"disputed\""), "%s", f1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_hq (twin, &out, &err, "check", NULL) == 0, "%s", err);
  ck_assert_msg (strstr (out, "1 pieces of evidence"), "%s", out);
  /* the same bundle imported again changes nothing */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (jc_test_hq (twin, &out, &err, "import", file, NULL), 0);
  g_free (usb);
  usb = hq_events (twin);
  ck_assert_str_eq (online, usb);
}
END_TEST

/* HQ's updates: a checklist HQ issues reaches the device, verified. */
START_TEST (test_updates)
{
  g_autofree char *insp = NULL, *vault_dir = NULL, *out = NULL, *err = NULL;
  g_autofree char *list = g_build_filename (root, "pharmacy-2021.json", NULL);
  g_autofree char *synced = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JcTestServer s = { 0 };
  char *v;

  hq_init ();
  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("d", "张伟", s.url, 10, &insp);
  bytes = jc_checklist_bundled_bytes ("pharmacy-2021.json", &error);
  ck_assert (bytes != NULL);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  v = strstr (text, "\"version\": 1");
  ck_assert_msg (v != NULL, "no version in the bundled list");
  v[11] = '2';
  ck_assert (g_file_set_contents (list, text, -1, NULL));
  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "checklist-issue", list, NULL) == 0, "%s", err);
  CLI_OK (vault_dir, "sync", "--hq", s.url);
  synced = g_build_filename (vault_dir, "checklists", "pharmacy-2021@2.json", NULL);
  ck_assert_msg (g_file_test (synced, G_FILE_TEST_EXISTS), "%s missing", synced);
  {
    g_autoptr(JcVault) vault = open_vault (vault_dir);
    g_autoptr(JcChecklistRegistry) reg = jc_checklist_registry_new_bundled (NULL);

    ck_assert_msg (jc_sync_add_checklists (vault, reg, &error), "%s", error ? error->message : "");
    ck_assert (jc_checklist_registry_lookup (reg, "pharmacy-2021@2", NULL) != NULL);
    ck_assert_int_gt (jc_eventlog_get_hq_time (jc_vault_get_eventlog (vault)), 0);
  }
  jc_test_server_stop (&s);
}
END_TEST

/* HQ with a certificate of its own: sync goes over HTTPS when the device
 * trusts it, and fails clearly when it does not. */
START_TEST (test_tls)
{
  g_autofree char *insp = NULL, *vault_dir = NULL, *out = NULL, *err = NULL;
  g_autofree char *cert = g_build_filename (root, "hq-cert.pem", NULL);
  g_autofree char *key = g_build_filename (root, "hq-key.pem", NULL);
  g_autofree char *ca_env = g_strconcat ("JIANCHA_HQ_CA_FILE=", cert, NULL);
  const char *openssl[] = { "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                            "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1", NULL };
  const char *tls[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  JcTestServer plain = { 0 }, s = { 0 };

  hq_init ();
  ck_assert_int_eq (jc_test_spawn (openssl, NULL, NULL, NULL), 0);
  jc_test_server_start (&plain, hqdir);
  vault_dir = new_device ("t", "张伟", plain.url, 1000, &insp);
  jc_test_server_stop (&plain);

  /* Under AddressSanitizer, LeakSanitizer's own tracer crashes at the exit
   * of a process that loaded GnuTLS (seen with Debian 12's libgnutls30):
   * the HTTPS server alone runs without the leak check; every other test
   * keeps it. */
  if (g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *saved = g_strdup (g_getenv ("ASAN_OPTIONS"));
      g_autofree char *asan = g_strconcat (saved, ":detect_leaks=0", NULL);

      g_setenv ("ASAN_OPTIONS", asan, TRUE);
      jc_test_server_start_with (&s, hqdir, tls);
      g_setenv ("ASAN_OPTIONS", saved, TRUE);
    }
  else
    jc_test_server_start_with (&s, hqdir, tls);
  ck_assert (g_str_has_prefix (s.url, "https://"));
  /* not trusted: refused, nothing sent */
  ck_assert_int_eq (cli (vault_dir, &out, &err, "sync", "--hq", s.url, NULL), 1);
  ck_assert_msg (strstr (err, "Cannot reach HQ"), "%s", err);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (cli_env (vault_dir, ca_env, &out, &err, "sync", "--hq", s.url, NULL) == 0,
                 "sync over https: %s%s", out, err);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), (gint64) device_head (vault_dir));
  jc_test_server_stop (&s);
}
END_TEST

/* A site with no network at all: enrollment by request and reply files,
 * then a bundle and its evidence by USB stick, and HQ's receipt back. */
START_TEST (test_offline_enrollment)
{
  g_autofree char *vault_dir = g_build_filename (root, "o.vault", NULL);
  g_autofree char *request = g_build_filename (root, "request.json", NULL);
  g_autofree char *reply = g_build_filename (root, "reply.json", NULL);
  g_autofree char *forged = g_build_filename (root, "forged.json", NULL);
  g_autofree char *bundle = g_build_filename (root, "o.jcb", NULL);
  g_autofree char *evidence = g_build_filename (root, "o-evidence", NULL);
  g_autofree char *receipt = g_build_filename (root, "o-receipt.json", NULL);
  g_autofree char *photo = g_build_filename (root, "o.jpg", NULL);
  g_autofree char *out = NULL, *err = NULL, *code = NULL, *text = NULL, *insp = NULL;
  char *p;

  hq_init ();
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "enroll-code", "--inspector", "张伟", NULL), 0);
  code = last_line (out);
  CLI_OK (vault_dir, "vault", "init", "--inspector", "张伟");
  CLI_OK (vault_dir, "enroll", "--request", request, "--code", code);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "enroll-request", request, "--out", reply, NULL) == 0, "%s", err);
  /* the same request again: the code is spent */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "enroll-request", request, "--out", forged, NULL), 1);
  ck_assert_msg (strstr (err, "used") != NULL, "%s", err);
  /* a reply whose certificate signature was changed is refused */
  text = jc_test_read (reply, NULL);
  p = strstr (text, "\"hq_signature\":\"") + 16;
  *p = *p == 'a' ? 'b' : 'a';
  ck_assert (g_file_set_contents (forged, text, -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "enroll", "--reply", forged, NULL), 1);
  ck_assert_msg (strstr (err, "Not enrolled"), "%s", err);
  CLI_OK (vault_dir, "enroll", "--reply", reply);

  /* work offline, then everything to HQ by files */
  ck_assert (g_file_set_contents (photo, "JPEG?", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "inspection", "new", "--institution", "P14110200017", "--name",
                         "康宁大药房", "--type", "pharmacy", NULL), 0);
  insp = last_line (out);
  CLI_OK (vault_dir, "item", "set", insp, "p21.1.3", "--status", "violation", "--amount", "5", "--evidence", photo);
  CLI_OK (vault_dir, "bundle", "export", bundle, "--evidence", evidence);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "import", bundle, "--evidence", evidence, "--receipt", receipt,
                                NULL), 0);
  CLI_OK (vault_dir, "bundle", "receipt", receipt);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM events"), (gint64) device_head (vault_dir));
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM hq_blobs WHERE complete = 1"), 1);
  {
    g_autoptr(JcVault) vault = open_vault (vault_dir);
    JcSyncStatus st;

    ck_assert (jc_sync_get_status (vault, &st, NULL));
    ck_assert_uint_eq (st.events_waiting, 0);
    ck_assert_uint_eq (st.blobs_waiting, 0);
  }
  assert_hq_verifies ();
}
END_TEST

/* The same without a file to carry: the request and the reply as QR codes,
 * one screen photographed by the other side's scanner. */
START_TEST (test_enrollment_by_qr)
{
  g_autofree char *vault_dir = g_build_filename (root, "q.vault", NULL);
  g_autofree char *request = g_build_filename (root, "request.png", NULL);
  g_autofree char *reply = g_build_filename (root, "reply.png", NULL);
  g_autofree char *out = NULL, *err = NULL, *code = NULL;

  hq_init ();
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "enroll-code", "--inspector", "张伟", NULL), 0);
  code = last_line (out);
  CLI_OK (vault_dir, "vault", "init", "--inspector", "张伟");
  CLI_OK (vault_dir, "enroll", "--request-png", request, "--code", code);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "enroll-request", "--png", request, "--out-png", reply, NULL) == 0,
                 "%s", err);
  CLI_OK (vault_dir, "enroll", "--reply-png", reply);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "device", "show", NULL), 0);
  ck_assert_msg (strstr (out, "enrolled: yes") != NULL, "%s", out);
  ck_assert_int_eq (hq_int ("SELECT count(*) FROM devices"), 1);
}
END_TEST

/* HQ's institution directory reaches the device with the updates, whole and
 * only when it changed; an inspection starts from a code alone. */
START_TEST (test_directory)
{
  g_autofree char *csv = g_build_filename (root, "名录.csv", NULL);
  g_autofree char *insp = NULL, *vault_dir = NULL, *out = NULL, *err = NULL, *id = NULL;
  g_autofree char *digest = NULL, *reply = NULL, *path = NULL, *doc = NULL;
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;
  JcTestServer s = { 0 };
  char *p, *q;

  hq_init ();
  ck_assert (g_file_set_contents (csv, "code,name,type,level,county,fund_payment\r\n"
                                       "H32010000001,南京市第一人民医院,hospital,3,玄武区,12000000.00\r\n"
                                       "P32010000002,康民大药房,pharmacy,,秦淮区,880000\r\n", -1, NULL));
  ck_assert_msg (jc_test_hq (hqdir, &out, &err, "directory", "import", csv, NULL) == 0, "%s", err);
  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("dir", "张伟", s.url, 10, &insp);
  CLI_OK (vault_dir, "sync");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "institutions", NULL), 0);
  ck_assert_msg (strstr (out, "H32010000001  南京市第一人民医院") && strstr (out, "康民大药房"), "%s", out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "inspection", "new", "--institution", "H32010000001", NULL), 0);
  id = last_line (out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "inspection", "show", id, NULL), 0);
  ck_assert_msg (strstr (out, "南京市第一人民医院") && strstr (out, "hospital-2021"), "%s", out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "inspection", "new", "--institution", "X999", NULL), 2);
  ck_assert_msg (strstr (err, "--name"), "%s", err);

  /* with the device's digest, HQ leaves the directory out */
  {
    g_autoptr(JcVault) vault = open_vault (vault_dir);
    g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));

    digest = jc_sync_directory_digest (vault);
  }
  ck_assert_uint_eq (strlen (digest), 64);
  path = g_strdup_printf ("/v1/updates?since=0&directory=%s", digest);
  ck_assert_uint_eq (post (s.url, path, NULL, &reply), 200);
  p = strstr (reply, "\"document\":\"") + 12;
  q = strchr (p, '"');
  doc = g_strndup (p, q - p);
  raw = g_base64_decode (doc, &raw_len);
  ck_assert_msg (g_strstr_len ((const char *) raw, raw_len, "\"directory\"") == NULL, "%.*s", (int) raw_len, raw);

  /* a new directory replaces the old one whole at the next sync */
  ck_assert (g_file_set_contents (csv, "code,name,type,level,county,fund_payment\n"
                                       "A32010000009,秦淮区医疗保障服务中心,agency,,秦淮区,0\n", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (jc_test_hq (hqdir, &out, &err, "directory", "import", csv, NULL), 0);
  CLI_OK (vault_dir, "sync");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (vault_dir, &out, &err, "institutions", NULL), 0);
  ck_assert_msg (strstr (out, "A32010000009") && !strstr (out, "H32010000001"), "%s", out);
  jc_test_server_stop (&s);
}
END_TEST

static Suite *
sync_suite (void)
{
  Suite *suite = suite_create ("sync");
  TCase *tc = tcase_create ("sync");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 600);
  tcase_add_test (tc, test_two_devices_union);
  tcase_add_test (tc, test_rejections);
  tcase_add_test (tc, test_refused_by_projection);
  tcase_add_test (tc, test_item_conflict);
  tcase_add_test (tc, test_receipt_checks);
  tcase_add_test (tc, test_usb_round_trip);
  tcase_add_test (tc, test_updates);
  tcase_add_test (tc, test_tls);
  tcase_add_test (tc, test_offline_enrollment);
  tcase_add_test (tc, test_directory);
  tcase_add_test (tc, test_enrollment_by_qr);
  tcase_add_test (tc, test_kill_mid_sync);
  /* only where there is a database connection to lose, or to share */
  if (g_getenv ("JIANCHA_TEST_PG_HOST") != NULL)
    {
      tcase_add_test (tc, test_database_connection_lost);
      tcase_add_test (tc, test_two_servers_one_database);
    }
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  jc_core_init (NULL);
  return jc_test_run (sync_suite ());
}

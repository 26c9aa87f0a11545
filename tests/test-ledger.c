/* test-ledger.c — the problem ledger and objections end to end: real
 * vaults and jiancha-cli, the real jiancha-hq on 127.0.0.1 with its real
 * database; the signed history checked with HQ's public key and refused
 * after one byte changes; illegal transitions refused.
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include "jc-db.h"
#include <string.h>

#include "jc-core.h"
#include "jc-hq-history.h"
#include "jc-hq-ledger.h"
#include "jc-hq-merge.h"
#include "jc-hq-objections.h"
#include "jc-hq-store.h"
#include "jc-test.h"

#define last_line jc_test_last_line

#define PIN "583921"
#define INSTITUTION "P14110200017"

static char *root;
static char *hqdir;

static void
setup (void)
{
  root = jc_test_tmpdir ("ledger");
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

/* jiancha-cli …, which must succeed; returns its last line. */
#define CLI_OK(vault, ...) cli_ok (__LINE__, vault, __VA_ARGS__, NULL)
static char *
cli_ok (int line, const char *vault, ...)
{
  const char * const env[] = { "JIANCHA_PIN=" PIN, "JIANCHA_NEW_PIN=" PIN, "JIANCHA_TEST_FAST_KDF=1", NULL };
  g_autofree char *out = NULL, *err = NULL;
  va_list ap;
  int rc;

  va_start (ap, vault);
  rc = jc_test_cli_vaultv (vault, env, &out, &err, ap);
  va_end (ap);
  ck_assert_msg (rc == 0, "line %d: jiancha-cli: exit %d: %s%s", line, rc, out, err);
  return out != NULL && *out != '\0' ? last_line (out) : g_strdup ("");
}

/* jiancha-hq --dir HQDIR …: its exit status, stdout and stderr. */
#define HQ(out, err, ...) jc_test_hq (hqdir, out, err, __VA_ARGS__, NULL)
#define HQ_OK(...) hq_ok (__LINE__, __VA_ARGS__, NULL)
static char *
hq_ok (int line, const char *first, ...)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list ap;
  int rc;

  va_start (ap, first);
  rc = jc_test_hqv (hqdir, NULL, &out, &err, first, ap);
  va_end (ap);
  ck_assert_msg (rc == 0, "line %d: jiancha-hq %s: exit %d: %s%s", line, first, rc, out, err);
  return out;
}

/* jiancha-hq …, which must fail with @needle in its message. */
#define HQ_FAILS(needle, ...) G_STMT_START {                                    \
    g_autofree char *o_ = NULL, *e_ = NULL;                                     \
    int rc_ = HQ (&o_, &e_, __VA_ARGS__);                                        \
    ck_assert_msg (rc_ != 0, "jiancha-hq %s succeeded: %s", #__VA_ARGS__, o_);   \
    ck_assert_msg (strstr (e_, needle) != NULL, "expected “%s” in: %s", needle, e_); \
  } G_STMT_END

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, text, -1, &error), "%s: %s", error ? error->message : "", text);
  return json_node_copy (json_parser_get_root (parser));
}

static void
hq_init (const char *directory_csv)
{
  g_autofree char *path = g_build_filename (root, "名录.csv", NULL);

  g_free (HQ_OK ("init"));
  ck_assert (g_file_set_contents (path, directory_csv, -1, NULL));
  g_free (HQ_OK ("directory", "import", path));
}

/* An enrolled vault with an inspection of INSTITUTION and three violations
 * (1234.50 + 10 + 10 yuan); *inspection gets its id. */
static char *
new_device (const char *name, const char *inspector, const char *url, char **inspection)
{
  g_autofree char *out = NULL, *err = NULL, *code = NULL;
  char *vault = g_build_filename (root, name, NULL);
  static const char * const codes[] = { "p21.1.1", "p21.1.3", "p21.2.1.2" };

  ck_assert_msg (HQ (&out, &err, "enroll-code", "--inspector", inspector) == 0, "%s", err);
  code = last_line (out);
  g_free (CLI_OK (vault, "vault", "init", "--inspector", inspector));
  g_free (CLI_OK (vault, "enroll", "--hq", url, "--code", code));
  *inspection = CLI_OK (vault, "inspection", "new", "--institution", INSTITUTION, "--name", "康宁大药房",
                        "--type", "pharmacy", "--form", "cross", "--team", inspector);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    g_free (CLI_OK (vault, "item", "set", *inspection, codes[i], "--status", "violation",
                    "--amount", i == 0 ? "1234.50" : "10", "--note", "医保卡结算日用品"));
  return vault;
}

static const char directory[] =
  "code,name,type,level,county,fund_payment\r\n"
  INSTITUTION ",康宁大药房,pharmacy,,离石区,523000.50\r\n";

static JsonObject *
ledger_entry (JsonNode *list, guint index)
{
  JsonArray *entries = json_object_get_array_member (json_node_get_object (list), "entries");

  ck_assert_uint_gt (json_array_get_length (entries), index);
  return json_array_get_object_element (entries, index);
}

START_TEST (test_confirmed_to_verified)
{
  g_autofree char *insp = NULL, *vault = NULL, *finding = NULL, *amended = NULL, *out = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) shown = NULL;
  JsonObject *e;
  JsonArray *history;
  JcTestServer s = { 0 };
  static const char evidence[] = "3f2a1c9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a";

  hq_init (directory);
  jc_test_server_start (&s, hqdir);
  vault = new_device ("a", "张伟", s.url, &insp);
  finding = CLI_OK (vault, "finding", "seal", insp, "--confirm-name", "王芳");
  g_free (CLI_OK (vault, "sync", "--hq", s.url));

  /* The confirmed finding is an open entry, its county from the directory. */
  out = HQ_OK ("ledger", "list", "--format", "json");
  list = parse_json (out);
  e = ledger_entry (list, 0);
  ck_assert_int_eq (json_object_get_int_member (e, "id"), 1);
  ck_assert_str_eq (json_object_get_string_member (e, "finding"), finding);
  ck_assert_str_eq (json_object_get_string_member (e, "status"), "open");
  ck_assert_str_eq (json_object_get_string_member (e, "county"), "离石区");
  ck_assert_int_eq (json_object_get_int_member (e, "amount_fen"), 125450);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (e, "basis")), 3);
  ck_assert_ptr_nonnull (strstr (json_array_get_string_element (json_object_get_array_member (e, "basis"), 0),
                                 "虚假购药"));
  ck_assert (!json_object_get_boolean_member (e, "overdue"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&list, json_node_unref);

  /* An amendment moves the entry to the new finding and its amount. */
  amended = CLI_OK (vault, "finding", "amend", finding, "--items", "p21.1.1");
  g_free (CLI_OK (vault, "sync"));
  out = HQ_OK ("ledger", "list", "--format", "json", "--county", "离石区");
  list = parse_json (out);
  e = ledger_entry (list, 0);
  ck_assert_str_eq (json_object_get_string_member (e, "finding"), amended);
  ck_assert_str_eq (json_object_get_string_member (e, "first_finding"), finding);
  ck_assert_int_eq (json_object_get_int_member (e, "amount_fen"), 123450);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (e, "basis")), 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&list, json_node_unref);

  /* Illegal steps are refused, and say why. */
  HQ_FAILS ("cannot go from open to rectified", "ledger", "set", "1", "--status", "rectified", "--by", "李科长");
  HQ_FAILS ("--by NAME", "ledger", "set", "1", "--status", "rectifying");
  HQ_FAILS ("no entry 9", "ledger", "set", "9", "--status", "rectifying", "--by", "李科长");
  HQ_FAILS ("Unknown ledger status", "ledger", "set", "1", "--status", "closed", "--by", "李科长");
  HQ_FAILS ("not a date", "ledger", "set", "1", "--deadline", "2026-02-30", "--by", "李科长");
  g_free (HQ_OK ("ledger", "set", "1", "--status", "rectifying", "--deadline", "2027-01-15", "--by", "李科长"));
  HQ_FAILS ("rectified needs its evidence", "ledger", "set", "1", "--status", "rectified", "--by", "李科长");
  HQ_FAILS ("not a SHA-256", "ledger", "set", "1", "--evidence", "abc", "--by", "李科长");
  HQ_FAILS ("larger than the amount involved", "ledger", "set", "1", "--recovered", "2000", "--by", "李科长");
  g_free (HQ_OK ("ledger", "set", "1", "--status", "rectified", "--note", "已退回违规费用并整改收费系统",
                 "--evidence", evidence, "--by", "李科长"));
  g_free (HQ_OK ("ledger", "set", "1", "--status", "verified", "--recovered", "1234.50", "--by", "赵处长"));
  HQ_FAILS ("final status", "ledger", "set", "1", "--status", "rectifying", "--by", "赵处长");

  out = HQ_OK ("ledger", "show", "1", "--format", "json");
  shown = parse_json (out);
  e = json_node_get_object (shown);
  ck_assert_str_eq (json_object_get_string_member (e, "status"), "verified");
  ck_assert_int_eq (json_object_get_int_member (e, "recovered_fen"), 123450);
  ck_assert_str_eq (json_object_get_string_member (e, "deadline"), "2027-01-15");
  ck_assert_str_eq (json_array_get_string_element (json_object_get_array_member (e, "evidence"), 0), evidence);
  history = json_object_get_array_member (e, "history");
  ck_assert_uint_eq (json_array_get_length (history), 5);   /* open, amend, rectifying, rectified, verified */
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (history, 0), "action"), "open");
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (history, 1), "action"), "amend");
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (history, 4), "by"), "赵处长");
  g_clear_pointer (&out, g_free);
  out = HQ_OK ("ledger", "show", "1");
  ck_assert_msg (strstr (out, "status: verified") && strstr (out, "赵处长") && strstr (out, "已退回"), "%s", out);
  g_clear_pointer (&out, g_free);
  out = HQ_OK ("ledger", "list", "--status", "verified", "--format", "csv");
  ck_assert_msg (g_str_has_prefix (out, "\xEF\xBB\xBF" "id,status,institution,"), "%s", out);
  ck_assert_msg (strstr (out, "\r\n1,verified," INSTITUTION ",康宁大药房,离石区,pharmacy,cross,p21.1.1,"), "%s", out);
  g_clear_pointer (&out, g_free);
  out = HQ_OK ("ledger", "list", "--status", "verified", "--offset", "1");
  ck_assert_str_eq (out, "");
  g_clear_pointer (&out, g_free);
  out = HQ_OK ("ledger", "list", "--status", "open");
  ck_assert_str_eq (out, "");
  g_clear_pointer (&out, g_free);
  out = HQ_OK ("ledger", "verify");
  ck_assert_msg (strstr (out, "Verified 5 signed"), "%s", out);
  jc_test_server_stop (&s);
}
END_TEST

START_TEST (test_objections)
{
  g_autofree char *insp = NULL, *vault = NULL, *f1 = NULL, *f2 = NULL, *f3 = NULL, *f4 = NULL, *out = NULL;
  g_autofree char *f4b = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonArray *objections;
  JsonObject *o;
  JcTestServer s = { 0 };

  hq_init (directory);
  jc_test_server_start (&s, hqdir);
  vault = new_device ("b", "李娜", s.url, &insp);
  f1 = CLI_OK (vault, "finding", "seal", insp, "--items", "p21.1.1", "--dispute-name", "王秀英",
               "--reason", "处方齐全");
  f2 = CLI_OK (vault, "finding", "seal", insp, "--items", "p21.1.3", "--dispute-name", "王秀英",
               "--reason", "系统误记");
  f3 = CLI_OK (vault, "finding", "seal", insp, "--items", "p21.2.1.2", "--refused", "--witness", "赵六");
  g_free (CLI_OK (vault, "item", "set", insp, "p21.1.4", "--status", "violation", "--amount", "5", "--note", "串换"));
  f4 = CLI_OK (vault, "finding", "seal", insp, "--items", "p21.1.4", "--dispute-name", "王秀英", "--reason", "未串换");
  g_free (CLI_OK (vault, "sync", "--hq", s.url));

  /* Two objections with the representative's reasons; the refusal is a
   * ledger entry already. */
  out = HQ_OK ("objections", "list", "--format", "json");
  list = parse_json (out);
  objections = json_node_get_array (list);
  ck_assert_uint_eq (json_array_get_length (objections), 3);
  o = json_array_get_object_element (objections, 0);
  ck_assert_str_eq (json_object_get_string_member (o, "finding"), f1);
  ck_assert_str_eq (json_object_get_string_member (o, "reason"), "处方齐全");
  ck_assert_str_eq (json_object_get_string_member (o, "representative"), "王秀英");
  ck_assert_str_eq (json_object_get_string_member (o, "status"), "open");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&list, json_node_unref);
  out = HQ_OK ("ledger", "list", "--format", "json");
  list = parse_json (out);
  ck_assert_str_eq (json_object_get_string_member (ledger_entry (list, 0), "finding"), f3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&list, json_node_unref);

  /* An amendment answers the objection's finding anew: it is not decided. */
  f4b = CLI_OK (vault, "finding", "amend", f4, "--facts", "更正：串换一次");
  g_free (CLI_OK (vault, "sync"));
  {
    g_autofree char *needle = g_strdup_printf ("its finding is superseded by %s", f4b);

    HQ_FAILS (needle, "objection", "decide", "3", "--decision", "rejected", "--reason", "x", "--by", "周");
  }
  HQ_FAILS ("Unknown decision", "objection", "decide", "1", "--decision", "maybe", "--reason", "x", "--by", "周");
  HQ_FAILS ("needs its reasons", "objection", "decide", "1", "--decision", "upheld", "--by", "周");
  HQ_FAILS ("below the finding’s 1234.50 yuan", "objection", "decide", "1", "--decision", "partial",
            "--amount", "1234.50", "--reason", "部分属实", "--by", "周审核");
  HQ_FAILS ("only with --decision partial", "objection", "decide", "1", "--decision", "rejected", "--amount", "5",
            "--reason", "x", "--by", "周");
  HQ_FAILS ("no objection 7", "objection", "decide", "7", "--decision", "upheld", "--reason", "x", "--by", "周");

  /* Partly upheld: an entry with the amount that stands. */
  out = HQ_OK ("objection", "decide", "1", "--decision", "partial", "--amount", "600", "--reason",
               "部分处方经核实齐全", "--by", "周审核");
  ck_assert_msg (strstr (out, "ledger entry 2"), "%s", out);
  g_clear_pointer (&out, g_free);
  HQ_FAILS ("already decided", "objection", "decide", "1", "--decision", "upheld", "--reason", "再议", "--by", "周");
  /* Upheld: withdrawn, no entry. */
  out = HQ_OK ("objection", "decide", "2", "--decision", "upheld", "--reason", "系统记录有误", "--by", "周审核");
  ck_assert_msg (strstr (out, "withdrawn"), "%s", out);
  g_clear_pointer (&out, g_free);

  out = HQ_OK ("ledger", "list", "--format", "json");
  list = parse_json (out);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "entries")), 2);
  o = ledger_entry (list, 1);
  ck_assert_str_eq (json_object_get_string_member (o, "finding"), f1);
  ck_assert_int_eq (json_object_get_int_member (o, "amount_fen"), 60000);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&list, json_node_unref);

  out = HQ_OK ("objections", "list", "--format", "json");
  list = parse_json (out);
  objections = json_node_get_array (list);
  o = json_array_get_object_element (objections, 0);
  ck_assert_str_eq (json_object_get_string_member (o, "status"), "partial");
  ck_assert_str_eq (json_object_get_string_member (o, "decided_by"), "周审核");
  ck_assert_int_eq (json_object_get_int_member (o, "entry"), 2);
  o = json_array_get_object_element (objections, 1);
  ck_assert_str_eq (json_object_get_string_member (o, "finding"), f2);
  ck_assert_str_eq (json_object_get_string_member (o, "status"), "upheld");
  ck_assert (json_object_get_null_member (o, "entry"));
  g_clear_pointer (&out, g_free);
  out = HQ_OK ("objections", "list", "--status", "open");
  ck_assert_str_eq (out, "");
  g_clear_pointer (&out, g_free);
  out = HQ_OK ("objections", "list", "--status", "superseded", "--format", "json");
  list = parse_json (out);
  ck_assert_uint_eq (json_array_get_length (json_node_get_array (list)), 1);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (json_node_get_array (list), 0),
                                                   "superseded_by"), f4b);
  g_clear_pointer (&list, json_node_unref);
  g_clear_pointer (&out, g_free);
  /* objection.open ×3, the refusal's open, supersede, decide + its entry's open, decide. */
  out = HQ_OK ("ledger", "verify");
  ck_assert_msg (strstr (out, "Verified 8 signed"), "%s", out);
  jc_test_server_stop (&s);
}
END_TEST

/* Changes one byte of column @column of history row @row in HQ's database. */
static void
tamper (const char *column, gint64 row, gboolean restore)
{
  g_autofree char *select = g_strdup_printf ("SELECT %s FROM hq_ledger_history WHERE row = ?", column);
  g_autofree char *update = g_strdup_printf ("UPDATE hq_ledger_history SET %s = ? WHERE row = ?", column);
  g_autofree char *value = NULL;
  g_autoptr(JcDb) db = jc_test_hq_db (hqdir);
  JcDbStmt *stmt = NULL;
  gsize len;

  ck_assert_int_eq (jc_db_prepare (db, select, -1, &stmt, NULL), JC_DB_OK);
  jc_db_bind_int64 (stmt, 1, row);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_ROW);
  value = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  jc_db_finalize (stmt);
  /* Flips the case of the last hex digit or letter but one: one byte, same length. */
  len = strlen (value);
  ck_assert_uint_ge (len, 2);
  value[len - 2] += restore ? -1 : 1;
  ck_assert_int_eq (jc_db_prepare (db, update, -1, &stmt, NULL), JC_DB_OK);
  jc_db_bind_text (stmt, 1, value, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, row);
  ck_assert_msg (jc_db_step (stmt) == JC_DB_DONE, "%s", jc_db_errmsg (db));
  jc_db_finalize (stmt);
  ck_assert_int_eq (jc_db_changes (db), 1);
}

static gboolean
verify_with (const guint8 *pk, GError **error)
{
  g_autoptr(JcHqStore) store = jc_hq_store_open (hqdir, error);
  gboolean ok;

  ck_assert_ptr_nonnull (store);
  jc_hq_store_lock (store);
  ok = jc_hq_history_verify (store, pk, NULL, error);
  jc_hq_store_unlock (store);
  return ok;
}

/* tests/verify_ledger.py: PyNaCl and Python's json, not our code. */
static int
verify_outside (void)
{
  g_autofree char *script = g_build_filename (JC_SOURCE_DIR, "tests", "verify_ledger.py", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "/usr/bin/python3", script, hqdir, NULL };
  int rc = jc_test_spawn (argv, NULL, &out, &err);

  ck_assert_msg (rc == 0 || strstr (out, "row 2:"), "verify_ledger.py: %s%s", out, err);
  return rc;
}

START_TEST (test_signatures)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  guint8 pk[32], other_pk[32], other_sk[64];
  guint n = 0;

  g_free (HQ_OK ("init"));
  {
    g_autoptr(JcHqStore) store = jc_hq_store_open (hqdir, &error);
    g_autoptr(JcHqMerge) merge = jc_hq_merge_new (store, &error);
    JcDb *db = jc_hq_store_get_db (store);
    const char *record = "{\"amount_fen\":5000,\"institution_code\":\"X1\",\"items\":[{\"basis\":\"b\",\"code\":\"p21.1.1\"}]}";
    JcDbStmt *stmt = NULL;

    ck_assert_msg (merge != NULL, "%s", error ? error->message : "");
    ck_assert_int_eq (jc_db_prepare (db, "INSERT INTO findings (id, inspection_id, record, sha256, sealed_at, "
                                              "amount_fen, device_id, seq) VALUES ('f1', 'i1', ?, 's', 100, 5000, 'd', 1)",
                                     -1, &stmt, NULL), JC_DB_OK);
    jc_db_bind_text (stmt, 1, record, -1, JC_DB_STATIC);
    ck_assert_int_eq (jc_db_step (stmt), JC_DB_DONE);
    jc_db_finalize (stmt);
    ck_assert_int_eq (jc_db_exec (db, "INSERT INTO finding_confirmations VALUES ('f1', 'confirmed', '王', '', '', '', "
                                  "NULL, 100, 'd', 2)"), JC_DB_OK);
    ck_assert_msg (jc_hq_ledger_refresh (store, &n, &error), "%s", error ? error->message : "");
    ck_assert_uint_eq (n, 1);
    {
      JcHqLedgerChange c = { .has_status = TRUE, .status = JC_HQ_LEDGER_RECTIFYING, .by = "李科长" };

      ck_assert_msg (jc_hq_ledger_set (store, 1, &c, &error), "%s", error ? error->message : "");
      c.status = JC_HQ_LEDGER_VERIFIED;
      ck_assert (!jc_hq_ledger_set (store, 1, &c, &error));
      ck_assert_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_TRANSITION);
      g_clear_error (&error);
    }
    memcpy (pk, jc_hq_store_get_public_key (store), 32);
  }
  /* HQ's published key is the one that verifies. */
  key = HQ_OK ("key");
  {
    g_autofree char *hex = jc_device_hex (pk, 32);

    ck_assert (g_str_has_prefix (key, hex));
  }
  ck_assert_msg (verify_with (pk, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (verify_outside (), 0);
  crypto_sign_keypair (other_pk, other_sk);
  ck_assert (!verify_with (other_pk, &error));
  ck_assert_msg (strstr (error->message, "row 1: HQ’s signature does not verify"), "%s", error->message);
  g_clear_error (&error);

  /* One byte of a record, then of a signature. */
  tamper ("record", 2, FALSE);
  ck_assert_int_ne (verify_outside (), 0);
  ck_assert (!verify_with (pk, &error));
  ck_assert_msg (strstr (error->message, "hq_ledger_history row 2: HQ’s signature does not verify"), "%s",
                 error->message);
  g_clear_error (&error);
  tamper ("record", 2, TRUE);
  ck_assert_msg (verify_with (pk, &error), "%s", error ? error->message : "");
  tamper ("signature", 1, FALSE);
  ck_assert (!verify_with (pk, &error));
  ck_assert_msg (strstr (error->message, "row 1:"), "%s", error->message);
  g_clear_error (&error);
  tamper ("signature", 1, TRUE);
  /* A row removed breaks the chain. */
  {
    JcDb *db;

    db = jc_test_hq_db (hqdir);
    ck_assert_int_eq (jc_db_exec (db, "DELETE FROM hq_ledger_history WHERE row = 1"), JC_DB_OK);
    jc_db_free (db);
  }
  ck_assert (!verify_with (pk, &error));
  ck_assert_msg (strstr (error->message, "row 2: the chain is broken"), "%s", error->message);
  g_clear_error (&error);
  {
    g_autofree char *out = NULL, *err = NULL;

    ck_assert_int_ne (HQ (&out, &err, "ledger", "verify"), 0);
    ck_assert_msg (strstr (err, "chain is broken"), "%s", err);
  }
}
END_TEST

static Suite *
ledger_suite (void)
{
  Suite *suite = suite_create ("ledger");
  TCase *tc = tcase_create ("ledger");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_confirmed_to_verified);
  tcase_add_test (tc, test_objections);
  tcase_add_test (tc, test_signatures);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  jc_core_init (NULL);
  return jc_test_run (ledger_suite ());
}

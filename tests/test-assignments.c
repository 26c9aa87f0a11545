/* test-assignments.c — HQ's signed plans reach the device through the
 * down-sync: the real jiancha-hq (directory, roster, plan draw, serve on
 * 127.0.0.1) and the real jiancha-cli (enroll, sync, assignments,
 * inspection new --assignment); a plan changed at HQ after it was signed is
 * refused and nothing of the update is kept.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include "jc-db.h"
#include <string.h>

#include "jc-core.h"
#include "jc-signed-doc.h"
#include "jc-sync.h"
#include "jc-test.h"

#define PIN JC_TEST_PIN
#define cli jc_test_cli

static char *root;
static char *hqdir;

/* Three counties; each county's institutions are inspected by two
 * law-enforcement inspectors of another county. */
static const char directory_csv[] =
  "code,name,type,level,county,fund_payment\n"
  "H1001,甲县人民医院,hospital,3,甲县,900000\n"
  "H1002,甲县中医院,hospital,3,甲县,500000\n"
  "P1001,甲县康宁大药房,pharmacy,,甲县,12000\n"
  "A1001,甲县医保中心,agency,,甲县,0\n"
  "H2001,乙县人民医院,hospital,2,乙县,700000\n"
  "P2001,乙县仁和药店,pharmacy,,乙县,8000\n"
  "A2001,乙县医保中心,agency,,乙县,0\n"
  "H3001,丙县人民医院,hospital,3,丙县,800000\n"
  "P3001,丙县同济药房,pharmacy,,丙县,9000\n";

static const char roster_csv[] =
  "name,county,role\n"
  "张伟,甲县,enforcement\n"
  "李娜,甲县,enforcement\n"
  "王强,乙县,enforcement\n"
  "赵敏,乙县,enforcement\n"
  "孙丽,丙县,enforcement\n"
  "周杰,丙县,enforcement\n";

static void
setup (void)
{
  root = jc_test_tmpdir ("assignments");
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

/* jiancha-cli on @vault must succeed; returns its output. */
#define CLI_OUT(vault, ...) cli_ok (vault, #__VA_ARGS__, __VA_ARGS__, NULL)

static char *
cli_ok (const char *vault, const char *what, ...)
{
  const char * const env[] = { "JIANCHA_PIN=" PIN, "JIANCHA_NEW_PIN=" PIN, NULL };
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list ap;
  int status;

  va_start (ap, what);
  status = jc_test_cli_vaultv (vault, env, &out, &err, ap);
  va_end (ap);
  ck_assert_msg (status == 0, "jiancha-cli %s: exit %d: %s%s", what, status, out, err);
  return out;
}

/* jiancha-hq --dir HQDIR ARGS… must succeed; *out (may be NULL) gets its output. */
#define HQ_OK(out, ...) G_STMT_START {                                          \
    g_autofree char *e_ = NULL;                                                 \
    int rc_ = jc_test_hq (hqdir, out, &e_, __VA_ARGS__, NULL);                  \
    ck_assert_msg (rc_ == 0, "jiancha-hq %s: exit %d: %s", #__VA_ARGS__, rc_, e_); \
  } G_STMT_END

static char *
write_file (const char *name, const char *text)
{
  char *path = g_build_filename (root, name, NULL);

  ck_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* An HQ with the directory and roster above and the plan of seed 7. */
static void
hq_with_plan (void)
{
  g_autofree char *dir_csv = write_file ("名录.csv", directory_csv);
  g_autofree char *roster = write_file ("人员.csv", roster_csv);

  HQ_OK (NULL, "init");
  HQ_OK (NULL, "directory", "import", dir_csv);
  HQ_OK (NULL, "roster", "import", roster);
  HQ_OK (NULL, "plan", "draw", "--seed", "7");
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, text, -1, &error), "%s: %s", error ? error->message : "", text);
  return json_node_copy (json_parser_get_root (parser));
}

/* A vault of @inspector enrolled with the HQ at @url. */
static char *
new_device (const char *name, const char *inspector, const char *url)
{
  g_autofree char *out = NULL, *code = NULL, *o1 = NULL, *o2 = NULL;
  char *vault = g_build_filename (root, name, NULL);

  HQ_OK (&out, "enroll-code", "--inspector", inspector);
  code = jc_test_last_line (out);
  o1 = CLI_OUT (vault, "vault", "init", "--inspector", inspector);
  o2 = CLI_OUT (vault, "enroll", "--hq", url, "--code", code);
  return vault;
}

static int
compare_codes (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The codes the signed plan gives @inspector, sorted, comma-separated. */
static char *
plan_codes_of (const char *inspector, char **out_plan_id)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root_node = NULL;
  g_autoptr(GPtrArray) codes = g_ptr_array_new ();
  JsonObject *doc;
  JsonArray *list;

  HQ_OK (&out, "plan", "show", "--format", "json");
  root_node = parse (out);
  doc = json_node_get_object (root_node);
  list = json_object_get_array_member (doc, "assignments");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *a = json_array_get_object_element (list, i);
      JsonArray *team = json_object_get_array_member (a, "team");

      for (guint t = 0; t < json_array_get_length (team); t++)
        if (g_str_equal (json_array_get_string_element (team, t), inspector))
          g_ptr_array_add (codes, (gpointer) json_object_get_string_member (a, "code"));
    }
  g_ptr_array_sort (codes, compare_codes);
  g_ptr_array_add (codes, NULL);
  if (out_plan_id != NULL)
    *out_plan_id = g_strdup (json_object_get_string_member (doc, "plan_id"));
  return g_strjoinv (",", (char **) codes->pdata);
}

/* The codes `assignments --format json` lists on @vault, sorted. */
static char *
device_codes (const char *vault, guint *out_n)
{
  g_autofree char *out = CLI_OUT (vault, "assignments", "--format", "json");
  g_autoptr(JsonNode) list = parse (out);
  g_autoptr(GPtrArray) codes = g_ptr_array_new ();
  JsonArray *array;

  ck_assert (JSON_NODE_HOLDS_ARRAY (list));
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (codes, (gpointer) json_object_get_string_member (json_array_get_object_element (array, i),
                                                                      "code"));
  g_ptr_array_sort (codes, compare_codes);
  g_ptr_array_add (codes, NULL);
  if (out_n != NULL)
    *out_n = json_array_get_length (array);
  return g_strjoinv (",", (char **) codes->pdata);
}

static JcVault *
open_vault (const char *dir)
{
  g_autoptr(GError) error = NULL;
  JcVault *vault = jc_vault_new (dir);

  ck_assert_msg (jc_vault_unlock (vault, PIN, &error), "unlock %s: %s", dir, error ? error->message : "");
  return vault;
}

/* Synced, a device lists exactly its inspector's assignments of the plan,
 * with the plan and the seed; syncing again adds nothing. */
START_TEST (test_sync_lists_mine)
{
  g_autofree char *vault_dir = NULL, *other_dir = NULL, *expected = NULL, *got = NULL, *plan_id = NULL;
  g_autofree char *again = NULL, *text = NULL, *o1 = NULL, *o2 = NULL, *o3 = NULL, *outsider = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  JcTestServer s = { 0 };
  guint n = 0, n_again = 0;

  hq_with_plan ();
  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("zhang.vault", "张伟", s.url);
  other_dir = new_device ("outsider.vault", "陈晨", s.url);

  /* Before any sync: nothing, and the text says where they come from. */
  text = CLI_OUT (vault_dir, "assignments");
  ck_assert_msg (strstr (text, "No assignments for 张伟") != NULL, "%s", text);

  o1 = CLI_OUT (vault_dir, "sync", "--hq", s.url);
  expected = plan_codes_of ("张伟", &plan_id);
  ck_assert_msg (*expected != '\0', "the plan gives 张伟 nothing");
  got = device_codes (vault_dir, &n);
  ck_assert_str_eq (got, expected);
  {
    g_autofree char *line = g_strdup_printf ("new assignments from HQ: %u ", n);

    ck_assert_msg (strstr (o1, line) != NULL, "%s", o1);
  }

  /* Again: the same plan is not stored twice. */
  o2 = CLI_OUT (vault_dir, "sync", "--hq", s.url);
  again = device_codes (vault_dir, &n_again);
  ck_assert_str_eq (again, expected);
  ck_assert_uint_eq (n_again, n);
  ck_assert_msg (strstr (o2, "new assignments") == NULL, "%s", o2);

  /* Someone the roster does not name gets none of it. */
  o3 = CLI_OUT (other_dir, "sync", "--hq", s.url);
  outsider = device_codes (other_dir, NULL);
  ck_assert_str_eq (outsider, "");

  vault = open_vault (vault_dir);
  list = jc_assignments_list (vault, &error);
  ck_assert_msg (list != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (list->len, n);
  for (guint i = 0; i < list->len; i++)
    {
      JcAssignment *a = list->pdata[i];
      g_autofree char *id = g_strconcat (plan_id, ":", a->code, NULL);

      /* 交叉检查: never an institution of 张伟's own county */
      ck_assert_str_ne (a->county, "甲县");
      ck_assert_str_eq (a->plan_id, plan_id);
      ck_assert_str_eq (a->id, id);
      ck_assert_uint_eq (a->seed, 7);
      ck_assert (g_strv_contains ((const char * const *) a->team, "张伟"));
      ck_assert_uint_eq (g_strv_length (a->team), 2);
      ck_assert_ptr_null (a->inspection_id);
      ck_assert_ptr_null (a->due);
      ck_assert_int_gt (a->received, 0);
      if (g_str_equal (a->code, "H2001"))
        {
          ck_assert_int_eq (a->type, JC_INSTITUTION_HOSPITAL);
          ck_assert_uint_eq (a->level, 2);
          ck_assert_str_eq (a->name, "乙县人民医院");
        }
    }
  /* The text form names the plan and the seed, so the draw can be traced. */
  g_clear_pointer (&text, g_free);
  text = CLI_OUT (vault_dir, "assignments");
  {
    g_autofree char *plan_seed = g_strdup_printf ("plan %.8s, seed 7", plan_id);

    ck_assert_msg (strstr (text, plan_seed) != NULL, "%s", text);
  }
  jc_test_server_stop (&s);
}
END_TEST

/* A plan changed at HQ after it was signed: the sync fails, naming the
 * signature, and the device keeps nothing of that update (no assignment,
 * not the checklist issued with it, not the update's time). */
START_TEST (test_tampered_plan_rejected)
{
  g_autofree char *vault_dir = NULL;
  g_autofree char *list_path = g_build_filename (root, "pharmacy-2021.json", NULL);
  g_autofree char *synced = NULL, *out = NULL, *err = NULL, *o1 = NULL, *text = NULL, *codes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL;
  JcTestServer s = { 0 };
  JcDb *db;
  JcDbStmt *stmt = NULL;
  char *v;

  hq_with_plan ();
  bytes = jc_checklist_bundled_bytes ("pharmacy-2021.json", &error);
  ck_assert (bytes != NULL);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  v = strstr (text, "\"version\": 1");
  ck_assert (v != NULL);
  v[11] = '2';
  ck_assert (g_file_set_contents (list_path, text, -1, NULL));
  HQ_OK (NULL, "checklist-issue", list_path);

  /* Someone with access to HQ's database changes the plan's published seed. */
  db = jc_test_hq_db (hqdir);
  ck_assert_int_eq (jc_db_prepare (db, "SELECT document FROM plans", -1, &stmt, NULL), JC_DB_OK);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_ROW);
  original = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  jc_db_finalize (stmt);
  ck_assert_int_eq (jc_db_exec (db, "UPDATE plans SET document = replace (document, '\"seed\":7', '\"seed\":8')"), JC_DB_OK);
  ck_assert_int_eq (jc_db_changes (db), 1);

  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("zhang.vault", "张伟", s.url);
  ck_assert_int_ne (cli (vault_dir, &out, &err, "sync", "--hq", s.url, NULL), 0);
  ck_assert_msg (strstr (err, "Plan 1 of HQ’s updates") != NULL && strstr (err, "signature") != NULL, "%s", err);
  codes = device_codes (vault_dir, NULL);
  ck_assert_str_eq (codes, "");
  synced = g_build_filename (vault_dir, "checklists", "pharmacy-2021@2.json", NULL);
  ck_assert_msg (!g_file_test (synced, G_FILE_TEST_EXISTS), "%s written from a refused update", synced);
  {
    g_autoptr(JcVault) vault = open_vault (vault_dir);
    JcSyncStatus st;

    ck_assert (jc_sync_get_status (vault, &st, NULL));
    ck_assert_int_eq (st.last_updates, 0);
  }

  /* HQ's document as it was signed: the same device now gets it all. */
  ck_assert_int_eq (jc_db_prepare (db, "UPDATE plans SET document = ?", -1, &stmt, NULL), JC_DB_OK);
  jc_db_bind_text (stmt, 1, original, -1, JC_DB_STATIC);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_DONE);
  jc_db_finalize (stmt);
  jc_db_free (db);
  o1 = CLI_OUT (vault_dir, "sync", "--hq", s.url);
  g_clear_pointer (&codes, g_free);
  codes = device_codes (vault_dir, NULL);
  {
    g_autofree char *expected = plan_codes_of ("张伟", NULL);

    ck_assert_str_eq (codes, expected);
  }
  ck_assert (g_file_test (synced, G_FILE_TEST_EXISTS));
  jc_test_server_stop (&s);
}
END_TEST

/* The newest plan's envelope as `plan show --format signed` prints it;
 * @pk gets the HQ key it names. */
static char *
signed_plan (guint8 pk[32])
{
  char *out = NULL;
  g_autoptr(JsonNode) env = NULL;
  const char *hex;
  gsize len = 0;

  HQ_OK (&out, "plan", "show", "--format", "signed");
  g_strstrip (out);
  env = parse (out);
  hex = json_object_get_string_member (json_node_get_object (env), "hq_key");
  ck_assert (sodium_hex2bin (pk, 32, hex, strlen (hex), NULL, &len, NULL) == 0 && len == 32);
  return out;
}

static JsonParser *
get_updates (JcTestServer *s, gint64 since, const guint8 pk[32])
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/v1/updates?since=%" G_GINT64_FORMAT, s->url, since);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonParser *parser;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  ck_assert_msg (body != NULL, "%s: %s", url, error ? error->message : "");
  ck_assert_uint_eq (soup_message_get_status (msg), 200);
  parser = jc_signed_doc_unwrap (g_bytes_get_data (body, NULL), g_bytes_get_size (body), pk, "updates", &error);
  ck_assert_msg (parser != NULL, "%s", error ? error->message : "");
  return parser;
}

/* HQ's updates keep their members and add "plans": the envelope of each
 * plan drawn at or after `since`, exactly as HQ signed it; and, to a device
 * without HQ's directory, the directory. */
START_TEST (test_updates_document)
{
  g_autofree char *envelope = NULL;
  g_autoptr(JsonParser) first = NULL, later = NULL;
  g_autoptr(GList) members = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  JcTestServer s = { 0 };
  JsonObject *doc;
  JsonArray *plans;
  guint8 pk[32];

  hq_with_plan ();
  envelope = signed_plan (pk);
  jc_test_server_start (&s, hqdir);
  first = get_updates (&s, 0, pk);
  doc = json_node_get_object (json_parser_get_root (first));
  members = json_object_get_members (doc);
  for (GList *l = members; l != NULL; l = l->next)
    g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "", (const char *) l->data);
  ck_assert_str_eq (names->str, "type,version,hq_time,since,revoked,checklists,plans,directory");
  plans = json_object_get_array_member (doc, "plans");
  ck_assert_uint_eq (json_array_get_length (plans), 1);
  ck_assert_str_eq (json_array_get_string_element (plans, 0), envelope);

  /* Nothing drawn since: no plan travels again. */
  later = get_updates (&s, json_object_get_int_member (doc, "hq_time") + 1, pk);
  plans = json_object_get_array_member (json_node_get_object (json_parser_get_root (later)), "plans");
  ck_assert_uint_eq (json_array_get_length (plans), 0);
  jc_test_server_stop (&s);
}
END_TEST

/* A tampered envelope handed straight to the device's check fails too. */
START_TEST (test_check_envelopes)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = NULL;
  guint8 pk[32], other[32];
  char *p;

  hq_with_plan ();
  out = signed_plan (pk);
  {
    const char *good[] = { out, NULL };

    ck_assert_msg (jc_assignments_check (good, pk, &error), "%s", error ? error->message : "");
    memcpy (other, pk, 32);
    other[0] ^= 1;
    ck_assert (!jc_assignments_check (good, other, &error));
    ck_assert_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_SIGNATURE);
    g_clear_error (&error);
  }
  bad = g_strdup (out);
  p = strstr (bad, "H2001");
  ck_assert (p != NULL);
  p[4] = '2';
  {
    const char *both[] = { out, bad, NULL };

    ck_assert (!jc_assignments_check (both, pk, &error));
    ck_assert_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_SIGNATURE);
    ck_assert_msg (strstr (error->message, "Plan 2") != NULL, "%s", error->message);
  }
}
END_TEST

/* Signed but not well-formed: refused like a forgery, and a good plan
 * beside it is not stored either; alone, it is. */
START_TEST (test_save_all_or_nothing)
{
  g_autofree char *doc = NULL, *bad_doc = NULL, *good = NULL, *bad = NULL;
  g_autofree char *vault_dir = g_build_filename (root, "core.vault", NULL);
  g_autoptr(JcVault) vault = jc_vault_new (vault_dir);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  guint8 pk[32], sk[64];
  guint mine = 99;
  char *p;

  hq_with_plan ();
  HQ_OK (&doc, "plan", "show", "--format", "json");
  g_strchomp (doc);
  bad_doc = g_strdup (doc);
  p = strstr (strstr (bad_doc, "\"assignments\""), "\"type\":\"hospital\"");
  ck_assert (p != NULL);
  memcpy (p + 8, "clinicxx", 8);
  crypto_sign_keypair (pk, sk);
  {
    g_autoptr(JsonNode) parsed = parse (doc);
    const char *plan_id = json_object_get_string_member (json_node_get_object (parsed), "plan_id");

    good = jc_test_plan_envelope (plan_id, doc, sk, pk);
    bad = jc_test_plan_envelope (plan_id, bad_doc, sk, pk);
  }
  ck_assert_msg (jc_vault_create (vault, PIN, "张伟", NULL, &error), "%s", error ? error->message : "");
  {
    const char *both[] = { good, bad, NULL };

    ck_assert (!jc_assignments_save (vault, both, pk, 1, &mine, &error));
    ck_assert_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED);
    ck_assert_msg (strstr (error->message, "Plan 2") != NULL && strstr (error->message, "is not an institution"),
                   "%s", error->message);
    g_clear_error (&error);
    ck_assert_uint_eq (mine, 99);
  }
  list = jc_assignments_list (vault, &error);
  ck_assert_uint_eq (list->len, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  {
    const char *one[] = { good, NULL };

    ck_assert_msg (jc_assignments_save (vault, one, pk, 1, &mine, &error), "%s", error ? error->message : "");
  }
  list = jc_assignments_list (vault, &error);
  ck_assert_uint_gt (mine, 0);
  ck_assert_uint_eq (list->len, mine);
}
END_TEST

/* inspection new --assignment: the institution, its type and level, the
 * team, a cross inspection with the type's checklist; once only. */
START_TEST (test_start_from_assignment)
{
  g_autofree char *vault_dir = NULL, *plan_id = NULL, *expected = NULL, *o1 = NULL, *out = NULL, *err = NULL;
  g_autofree char *created = NULL, *id = NULL, *shown = NULL, *listed = NULL, *short_id = NULL, *again = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(JcAssignment) a = NULL;
  g_autoptr(GError) error = NULL;
  JcTestServer s = { 0 };

  hq_with_plan ();
  jc_test_server_start (&s, hqdir);
  vault_dir = new_device ("zhang.vault", "张伟", s.url);
  o1 = CLI_OUT (vault_dir, "sync", "--hq", s.url);
  jc_test_server_stop (&s);
  expected = plan_codes_of ("张伟", &plan_id);
  ck_assert (strstr (expected, "H2001") != NULL || strstr (expected, "H3001") != NULL);
  short_id = g_strdup_printf ("%.8s:%s", plan_id, strstr (expected, "H2001") != NULL ? "H2001" : "H3001");

  /* Options of its own are refused: the plan says what it is. */
  ck_assert_int_ne (cli (vault_dir, &out, &err, "inspection", "new", "--assignment", short_id, "--name", "x", NULL), 0);
  ck_assert_msg (strstr (err, "--assignment") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_ne (cli (vault_dir, &out, &err, "inspection", "new", "--assignment", "ffff:H2001", NULL), 0);
  ck_assert_msg (strstr (err, "No assignment ffff:H2001 for 张伟") != NULL, "%s", err);

  created = CLI_OUT (vault_dir, "inspection", "new", "--assignment", short_id);
  id = jc_test_last_line (created);
  ck_assert_uint_eq (strlen (id), 32);
  shown = CLI_OUT (vault_dir, "inspection", "show", id);
  ck_assert_msg (strstr (shown, "张伟") != NULL, "%s", shown);

  vault = open_vault (vault_dir);
  in = jc_inspection_get (vault, NULL, id, &error);
  ck_assert_msg (in != NULL, "%s", error ? error->message : "");
  a = jc_assignments_get (vault, short_id, &error);
  ck_assert_msg (a != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (in->institution_code, a->code);
  ck_assert_str_eq (in->institution_name, a->name);
  ck_assert_int_eq (in->institution_type, JC_INSTITUTION_HOSPITAL);
  ck_assert_uint_eq (in->level, a->level);
  ck_assert_int_eq (in->form, JC_INSPECTION_FORM_CROSS);
  ck_assert (g_strv_equal ((const char * const *) in->team, (const char * const *) a->team));
  ck_assert (g_str_has_prefix (in->checklist, jc_inspection_default_checklist (JC_INSTITUTION_HOSPITAL,
                                                                               JC_INSPECTION_FORM_CROSS)));
  ck_assert_str_eq (a->inspection_id, id);
  g_clear_object (&vault);

  /* Listed as started, after those not started; and never twice. */
  listed = CLI_OUT (vault_dir, "assignments", "--format", "json");
  {
    g_autoptr(JsonNode) list = parse (listed);
    JsonArray *array = json_node_get_array (list);
    JsonObject *last = json_array_get_object_element (array, json_array_get_length (array) - 1);

    ck_assert_str_eq (json_object_get_string_member (last, "inspection"), id);
    ck_assert_str_eq (json_object_get_string_member (last, "code"), a->code);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_ne (cli (vault_dir, &out, &err, "inspection", "new", "--assignment", a->code, NULL), 0);
  ck_assert_msg (strstr (err, "started already") != NULL && strstr (err, id) != NULL, "%s", err);
  again = CLI_OUT (vault_dir, "inspection", "list");
  ck_assert_ptr_eq (strstr (again, id), g_strrstr (again, id));
}
END_TEST

static Suite *
assignments_suite (void)
{
  Suite *suite = suite_create ("assignments");
  TCase *tc = tcase_create ("assignments");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_sync_lists_mine);
  tcase_add_test (tc, test_tampered_plan_rejected);
  tcase_add_test (tc, test_updates_document);
  tcase_add_test (tc, test_check_envelopes);
  tcase_add_test (tc, test_save_all_or_nothing);
  tcase_add_test (tc, test_start_from_assignment);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  jc_core_init (NULL);
  return jc_test_run (assignments_suite ());
}

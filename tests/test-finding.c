/* test-finding.c — findings in a real vault: sealing every open violation
 * with summed amounts and evidence, the canonical record and its SHA-256,
 * confirmed / disputed / refused answers, JC1 codes back through a QR PNG,
 * zbar and the independent Python verifier, amendments that keep both
 * findings, projections rebuilt from the log, and every refusal. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

#define PIN "583921"

static char *workdir;
static char *vault_dir;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  workdir = jc_test_tmpdir ("finding");
  vault_dir = g_build_filename (workdir, "vault", NULL);
}

static void
teardown (void)
{
  jc_test_rmtree (workdir);
  g_clear_pointer (&workdir, g_free);
  g_clear_pointer (&vault_dir, g_free);
}

static JcVault *
create_vault (void)
{
  g_autoptr(GError) error = NULL;
  JcVault *vault = jc_vault_new (vault_dir);

  ck_assert_msg (jc_vault_create (vault, PIN, "张三", NULL, &error), "create: %s", error ? error->message : "");
  return vault;
}

static char *
new_inspection (JcVault *vault, const char *code)
{
  static const char * const team[] = { "张三", "李四", NULL };
  g_autoptr(GError) error = NULL;
  JcInspectionSpec spec = {
    .institution_code = code,
    .institution_name = "康民大药房",
    .institution_type = JC_INSTITUTION_PHARMACY,
    .form = JC_INSPECTION_FORM_CROSS,
    .team = team,
    .date = "2026-11-24",
  };
  char *id = jc_inspection_create (vault, NULL, &spec, &error);

  ck_assert_msg (id != NULL, "create: %s", error ? error->message : "");
  return id;
}

static void
set_item (JcVault *vault, const char *id, const char *code, JcItemStatus status, const char *note, gint64 amount)
{
  g_autoptr(GError) error = NULL;
  JcItemUpdate u = { .set_status = TRUE, .status = status, .set_note = TRUE, .note = note };

  if (amount >= 0)
    {
      u.set_amount = TRUE;
      u.amount_fen = (guint64) amount;
    }
  ck_assert_msg (jc_inspection_set_item (vault, NULL, id, code, &u, &error), "set %s: %s", code,
                 error ? error->message : "");
}

/* Adds a file with @content as evidence and returns its hash. */
static char *
add_evidence (JcVault *vault, const char *name, const char *content)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (workdir, name, NULL);
  g_autoptr(JcBlobInfo) info = NULL;

  ck_assert (g_file_set_contents (path, content, -1, NULL));
  info = jc_vault_add_evidence (vault, path, NULL, NULL, &error);
  ck_assert_msg (info != NULL, "evidence: %s", error ? error->message : "");
  return g_strdup (info->sha256_hex);
}

static gboolean
count_kind (const JcEvent *event, gpointer user_data, GError **error)
{
  gpointer *args = user_data;

  if (args[0] == NULL || g_str_equal (jc_event_get_kind (event), args[0]))
    (*(guint *) args[1])++;
  return TRUE;
}

/* Events of @kind (NULL: all). */
static guint
count_events (JcVault *vault, const char *kind)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;
  gpointer args[2] = { (gpointer) kind, &n };

  ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (vault), NULL, 0, count_kind, args, &error));
  return n;
}

static char *
hex_of (const guint8 *data, gsize len)
{
  char *hex = g_malloc (len * 2 + 1);

  sodium_bin2hex (hex, len * 2 + 1, data, len);
  return hex;
}

/* Every claim of @text against @f, the vault's device and @status / @name. */
static void
assert_claims (JcVault *vault, const JcFinding *f, const char *text, int status, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autoptr(JcJc1Claims) expected = jc_finding_to_claims (vault, f, &error);
  g_autofree char *fid = NULL, *iid = NULL;
  guint8 digest[32];

  ck_assert_msg (expected != NULL, "%s", error ? error->message : "");
  ck_assert_msg (jc_jc1_decode_verify (text, NULL, &c, &error), "verify: %s", error ? error->message : "");
  ck_assert (jc_jc1_claims_equal (c, expected));
  ck_assert_uint_eq (c->version, 1);
  fid = hex_of (c->finding_id, 16);
  iid = hex_of (c->inspection_id, 16);
  ck_assert_str_eq (fid, f->id);
  ck_assert_str_eq (iid, f->inspection_id);
  ck_assert_str_eq (c->institution_code, f->institution_code);
  ck_assert_str_eq (c->checklist, f->checklist);
  ck_assert (g_strv_equal ((const char * const *) c->item_codes, (const char * const *) f->items));
  ck_assert_uint_eq (c->amount_fen, f->amount_fen);
  ck_assert_uint_eq (c->sealed_at, (guint64) f->sealed_at);
  crypto_hash_sha256 (digest, (const guint8 *) f->record, strlen (f->record));
  ck_assert (memcmp (c->record_sha256, digest, 32) == 0);
  ck_assert (memcmp (c->signer_key, jc_device_get_public_key (jc_vault_get_device (vault)), 32) == 0);
  ck_assert (!c->has_certificate);
  if (status < 0)
    ck_assert (!c->has_confirmation);
  else
    {
      ck_assert (c->has_confirmation);
      ck_assert_int_eq (c->confirmation.status, status);
      ck_assert_str_eq (c->confirmation.name, name);
      ck_assert (!c->confirmation.has_institution_key);
    }
}

START_TEST (test_seal_all_open_violations)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = new_inspection (vault, "P-0042");
  g_autofree char *photo = add_evidence (vault, "receipt.jpg", "photo bytes");
  g_autofree char *scan = add_evidence (vault, "record.pdf", "%PDF-1.4 scan");
  g_autofree char *strokes = add_evidence (vault, "strokes.json", "[[[1,2,0.5],[3,4,0.6]]]");
  g_autofree char *fid = NULL, *text = NULL, *again = NULL;
  g_autofree char *expected_record_part = NULL;
  g_autoptr(JcFinding) f = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JcInspection) in = NULL;
  JcChecklist *checklist;
  JcFindingSpec spec = { .inspection_id = id };
  JcFindingConfirmation conf = { .status = JC_JC1_STATUS_CONFIRMED, .name = " 王秀英 ", .title = "店长",
                                 .signature_strokes = strokes };
  guint8 digest[32];

  set_item (vault, id, "p21.1.1", JC_ITEM_STATUS_VIOLATION, "串换药品", 123456);
  set_item (vault, id, "p21.1.2", JC_ITEM_STATUS_VIOLATION, "虚假购药", 5);
  set_item (vault, id, "p21.1.3", JC_ITEM_STATUS_VIOLATION, "", -1);
  set_item (vault, id, "p21.2.1.1", JC_ITEM_STATUS_COMPLIANT, "已核对", -1);
  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "p21.1.1", photo, &error));
  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "p21.1.1", scan, &error));
  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "p21.1.2", photo, &error));

  fid = jc_finding_seal (vault, NULL, &spec, &conf, &error);
  ck_assert_msg (fid != NULL, "seal: %s", error ? error->message : "");
  ck_assert (g_regex_match_simple ("^[0-9a-f]{32}$", fid, 0, 0));
  ck_assert_uint_eq (count_events (vault, "finding.seal"), 1);
  ck_assert_uint_eq (count_events (vault, "finding.confirm"), 1);

  f = jc_finding_get (vault, fid, &error);
  ck_assert_msg (f != NULL, "%s", error ? error->message : "");
  {
    const char * const items[] = { "p21.1.1", "p21.1.2", "p21.1.3", NULL };
    const char * const evidence[] = { photo, scan, NULL };

    ck_assert (g_strv_equal ((const char * const *) f->items, items));
    ck_assert (g_strv_equal ((const char * const *) f->evidence, evidence));
  }
  ck_assert_uint_eq (f->amount_fen, 123461);
  ck_assert_str_eq (f->facts, "串换药品\n虚假购药");
  ck_assert_str_eq (f->inspection_id, id);
  ck_assert_str_eq (f->institution_code, "P-0042");
  ck_assert (g_str_has_prefix (f->checklist, "pharmacy-2021@"));
  ck_assert_str_eq (f->signature_strokes, strokes);
  ck_assert_ptr_null (f->supersedes);
  ck_assert_ptr_null (f->superseded_by);
  ck_assert_int_le (ABS (f->sealed_at - g_get_real_time () / G_USEC_PER_SEC), 60);
  /* The legal basis is the checklist's text, word for word. */
  in = jc_inspection_get (vault, NULL, id, &error);
  checklist = jc_inspection_get_checklist (in, NULL, &error);
  ck_assert_ptr_nonnull (checklist);
  for (guint i = 0; f->items[i] != NULL; i++)
    ck_assert_str_eq (f->basis[i], jc_checklist_lookup (checklist, f->items[i])->text);
  /* The confirmation, names trimmed. */
  ck_assert (f->confirmed);
  ck_assert_int_eq (f->confirm_status, JC_JC1_STATUS_CONFIRMED);
  ck_assert_str_eq (f->confirm_name, "王秀英");
  ck_assert_str_eq (f->confirm_title, "店长");
  ck_assert_str_eq (f->confirm_strokes, strokes);
  /* The canonical record: members sorted, compact, evidence inside; its
   * SHA-256 is what the event and the JC1 code carry. */
  ck_assert (g_str_has_prefix (f->record, "{\"amount_fen\":123461,\"checklist\":\"pharmacy-2021@"));
  expected_record_part = g_strdup_printf ("\"evidence\":[\"%s\",\"%s\"],\"facts\":\"串换药品\\n虚假购药\",\"id\":\"%s\","
                                          "\"inspection\":\"%s\",\"institution_code\":\"P-0042\",\"items\":"
                                          "[{\"amount_fen\":123456,\"basis\":",
                                          photo, scan, fid, id);
  ck_assert_msg (strstr (f->record, expected_record_part) != NULL, "record: %s", f->record);
  ck_assert_ptr_nonnull (strstr (f->record, ",\"version\":1}"));
  ck_assert_ptr_null (strchr (f->record, '\n'));
  crypto_hash_sha256 (digest, (const guint8 *) f->record, strlen (f->record));
  ck_assert (memcmp (digest, f->record_sha256, 32) == 0);

  list = jc_finding_list (vault, id, &error);
  ck_assert_uint_eq (list->len, 1);
  ck_assert_str_eq (((JcFinding *) list->pdata[0])->id, fid);

  /* JC1: every claim is the finding's. */
  ck_assert_msg (jc_finding_to_jc1 (vault, fid, &text, &error), "%s", error ? error->message : "");
  assert_claims (vault, f, text, JC_JC1_STATUS_CONFIRMED, "王秀英");
  g_print ("JC1 for 3 items: %zu characters\n", strlen (text));
  ck_assert_uint_le (strlen (text), 600);

  /* Nothing is open any more. */
  again = jc_finding_seal (vault, NULL, &spec, NULL, &error);
  ck_assert_ptr_null (again);
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NO_VIOLATIONS);
}
END_TEST

/* A record is read as strictly as the event body that carries it: one
 * with a member twice (json-glib would take the last) is refused whole,
 * and nothing of it is projected. */
/* A finding sealed on item p21.1.1 of inspection @id, read back. */
static JcFinding *
seal_one (JcVault *vault, const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fid = NULL;
  JcFindingSpec spec = { .inspection_id = id };
  JcFinding *f;

  set_item (vault, id, "p21.1.1", JC_ITEM_STATUS_VIOLATION, "串换药品", 123456);
  fid = jc_finding_seal (vault, NULL, &spec, NULL, &error);
  ck_assert_msg (fid != NULL, "seal: %s", error ? error->message : "");
  f = jc_finding_get (vault, fid, &error);
  ck_assert_msg (f != NULL, "%s", error ? error->message : "");
  return f;
}

/* Appends a finding.seal event of @record. */
static gboolean
post_record (JcVault *vault, const char *record, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sha = NULL, *body = NULL;
  guint8 digest[32];

  crypto_hash_sha256 (digest, (const guint8 *) record, strlen (record));
  sha = hex_of (digest, 32);
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "record", record);
  jc_json_builder_add_string (b, "sha256", sha);
  json_builder_end_object (b);
  body = jc_json_builder_to_string (b);
  return jc_eventlog_append (jc_vault_get_eventlog (vault), jc_vault_get_device (vault), "张三", "finding.seal",
                             body, NULL, error);
}

START_TEST (test_record_must_be_strict)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = new_inspection (vault, "P-0043");
  g_autoptr(JcFinding) f = seal_one (vault, id);
  g_autofree char *twice = NULL;
  const char *fid = f->id;

  /* the same finding again, under a new id, its facts said twice */
  twice = g_strdup_printf ("%.*s,\"facts\":\"另一种说法\"}", (int) strlen (f->record) - 1, f->record);
  ck_assert_ptr_nonnull (strstr (twice, fid));
  memcpy (strstr (twice, fid), "00000000000000000000000000000001", 32);
  ck_assert (!post_record (vault, twice, &error));
  ck_assert_msg (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION) &&
                 strstr (error->message, "“record”") != NULL, "%s", error->message);
  g_clear_pointer (&f, jc_finding_free);
  g_clear_error (&error);
  f = jc_finding_get (vault, "00000000000000000000000000000001", &error);
  ck_assert_ptr_null (f);
  ck_assert_uint_eq (count_events (vault, "finding.seal"), 1);
}
END_TEST

/* A record's members are read without a tree: each kind of bad member is
 * named, and what json-glib alone reads (a 16-digit integer) still reads. */
START_TEST (test_record_members)
{
  static const struct {
    const char *pattern, *replacement;
    const char *refused;  /* NULL: taken */
  } cases[] = {
    { "\"evidence\":\\[[^]]*\\]", "\"evidence\":[\"x\",1]", "“evidence”" },
    { "\"evidence\":\\[[^]]*\\]", "\"evidence\":{}", "“evidence”" },
    { "\"items\":\\[.*\\],\"sealed_at\"", "\"items\":[],\"sealed_at\"", "“items”" },
    { "\"items\":\\[.*\\],\"sealed_at\"", "\"items\":[\"p21.1.1\"],\"sealed_at\"", "“items”" },
    { "\"items\":\\[.*\\],\"sealed_at\"", "\"items\":[{\"code\":\"p21.1.1\"}],\"sealed_at\"", "“items”" },
    { "\"items\":\\[.*\\],\"sealed_at\"", "\"items\":{\"code\":\"p21.1.1\",\"basis\":\"b\"},\"sealed_at\"", "“items”" },
    { "\"amount_fen\":[0-9]+", "\"amount_fen\":1e3", "“amount_fen”" },
    { "\"version\":1", "\"version\":\"1\"", "“version”" },
    { "\"id\":\"[0-9a-f]+\"", "\"id\":7", "“id”" },
    { "\"sealed_at\":[0-9]+", "\"sealed_at\":1000000000000000", NULL },
    { "\"items\":\\[.*\\],\"sealed_at\"", "\"items\":[ {\"basis\":\"第]条{\\\\\"，\",\"code\":\"p21.1.1\"} , "
      "{\"basis\":\"b\",\"code\":\"p21.1.2\",\"x\":[[{}]]}],\"sealed_at\"", NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = new_inspection (vault, "P-0043");
  g_autoptr(JcFinding) f = seal_one (vault, id);
  const char *fid = f->id;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GRegex) re = g_regex_new (cases[i].pattern, 0, 0, NULL);
      g_autofree char *other_id = g_strdup_printf ("%032x", i + 1);
      g_autofree char *changed = g_regex_replace (re, f->record, -1, 0, cases[i].replacement, 0, NULL);
      g_autofree char *record = NULL;
      g_autoptr(JcFinding) got = NULL;
      g_autoptr(GError) local = NULL;

      ck_assert_msg (changed != NULL && strcmp (changed, f->record) != 0, "case %u does not apply", i);
      if (strstr (changed, fid) != NULL)  /* all but where the id is what is wrong */
        memcpy (strstr (changed, fid), other_id, 32);
      record = g_steal_pointer (&changed);
      if (cases[i].refused != NULL)
        {
          ck_assert (!post_record (vault, record, &local));
          ck_assert_msg (g_error_matches (local, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION) &&
                         strstr (local->message, cases[i].refused) != NULL, "case %u: %s", i, local->message);
          continue;
        }
      ck_assert_msg (post_record (vault, record, &local), "case %u: %s", i, local ? local->message : "");
      got = jc_finding_get (vault, other_id, &local);
      ck_assert_msg (got != NULL, "case %u: %s", i, local ? local->message : "");
      ck_assert_str_eq (got->record, record);
      if (i == 9)
        ck_assert_int_eq (got->sealed_at, G_GINT64_CONSTANT (1000000000000000));
      else
        {
          ck_assert_str_eq (got->items[0], "p21.1.1");
          ck_assert_str_eq (got->basis[0], "第]条{\"，");  /* \" in the record */
          ck_assert_str_eq (got->items[1], "p21.1.2");
          ck_assert_ptr_null (got->items[2]);
        }
    }
}
END_TEST

START_TEST (test_three_answers_through_qr_png)
{
  static const JcJc1Status statuses[] = { JC_JC1_STATUS_CONFIRMED, JC_JC1_STATUS_DISPUTED, JC_JC1_STATUS_REFUSED };
  static const char * const items[] = { "p21.1.1", "p21.1.2", "p21.1.3" };
  static const char * const words[] = { "\"confirmed\"", "\"disputed\"", "\"refused\"" };
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = new_inspection (vault, "P-0043");
  const char *py = "/usr/bin/python3";
  g_autofree char *script = g_build_filename (g_getenv ("JIANCHA_SOURCE_DIR"), "tests", "verify_jc1.py", NULL);

  set_item (vault, id, "p21.1.1", JC_ITEM_STATUS_VIOLATION, "串换药品", 100);
  set_item (vault, id, "p21.1.2", JC_ITEM_STATUS_VIOLATION, "虚假购药", 2000);
  set_item (vault, id, "p21.1.3", JC_ITEM_STATUS_VIOLATION, "超量开药", 30000);
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    {
      g_autoptr(GError) error = NULL;
      const char * const codes[] = { items[s], NULL };
      JcFindingSpec spec = { .inspection_id = id, .items = codes, .facts = "现场核查发现" };
      JcFindingConfirmation conf = { .status = statuses[s] };
      g_autofree char *fid = NULL, *text = NULL, *scanned = NULL, *out = NULL, *err = NULL;
      g_autofree char *png = g_strdup_printf ("%s/f%u.png", workdir, s);
      g_autofree char *fid_json = NULL;
      g_autoptr(JcFinding) f = NULL;
      const char *name = statuses[s] == JC_JC1_STATUS_REFUSED ? "赵六" : "王秀英";

      if (statuses[s] == JC_JC1_STATUS_REFUSED)
        conf.witness = "赵六";
      else
        conf.name = "王秀英";
      if (statuses[s] == JC_JC1_STATUS_DISPUTED)
        conf.reason = "药品为同一通用名";

      /* Sealed first, answered after: the institution's own way. */
      fid = jc_finding_seal (vault, NULL, &spec, NULL, &error);
      ck_assert_msg (fid != NULL, "seal: %s", error ? error->message : "");
      ck_assert (jc_finding_to_jc1 (vault, fid, &text, &error));
      f = jc_finding_get (vault, fid, &error);
      assert_claims (vault, f, text, -1, NULL);
      g_clear_pointer (&text, g_free);
      g_clear_pointer (&f, jc_finding_free);

      ck_assert_msg (jc_finding_confirm (vault, fid, &conf, &error), "confirm: %s", error ? error->message : "");
      f = jc_finding_get (vault, fid, &error);
      ck_assert_uint_eq (f->amount_fen, s == 0 ? 100 : s == 1 ? 2000 : 30000);
      ck_assert_str_eq (f->facts, "现场核查发现");
      if (statuses[s] == JC_JC1_STATUS_DISPUTED)
        ck_assert_str_eq (f->confirm_reason, "药品为同一通用名");
      if (statuses[s] == JC_JC1_STATUS_REFUSED)
        ck_assert_str_eq (f->confirm_witness, "赵六");
      ck_assert (jc_finding_to_jc1 (vault, fid, &text, &error));
      ck_assert (jc_qr_write_png (text, png, 3, &error));
      scanned = jc_qr_decode_png (png, &error);
      ck_assert_msg (scanned != NULL, "zbar: %s", error ? error->message : "");
      ck_assert_str_eq (scanned, text);
      assert_claims (vault, f, scanned, statuses[s], name);

      /* The independent verifier, fed by zbarimg. */
      {
        const char *argv[] = { py, script, "--png", png, NULL };

        ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "verify_jc1.py: %s", err);
      }
      fid_json = g_strdup_printf ("\"finding_id\": \"%s\"", fid);
      ck_assert_msg (strstr (out, fid_json) != NULL, "%s", out);
      ck_assert_ptr_nonnull (strstr (out, words[s]));
      ck_assert_ptr_nonnull (strstr (out, "\"institution\": \"P-0043\""));
      ck_assert_ptr_nonnull (strstr (out, name));
    }
}
END_TEST

START_TEST (test_amend_keeps_both)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = new_inspection (vault, "P-0044");
  g_autofree char *old_id = NULL, *new_id = NULL, *third = NULL, *bad = NULL;
  g_autofree char *old_record = NULL, *text = NULL;
  g_autoptr(JcFinding) old = NULL;
  g_autoptr(JcFinding) amended = NULL;
  g_autoptr(JcFinding) rest = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) rebuilt = NULL;
  const char * const both[] = { "p21.1.2", "p21.1.1", NULL };
  const char * const one[] = { "p21.1.1", NULL };
  JcFindingSpec spec = { .inspection_id = id, .items = both, .facts = "串换药品" };
  JcFindingConfirmation conf = { .status = JC_JC1_STATUS_CONFIRMED, .name = "王秀英" };

  set_item (vault, id, "p21.1.1", JC_ITEM_STATUS_VIOLATION, "串换药品", 1000);
  set_item (vault, id, "p21.1.2", JC_ITEM_STATUS_VIOLATION, "虚假购药", 500);
  old_id = jc_finding_seal (vault, NULL, &spec, NULL, &error);
  ck_assert_msg (old_id != NULL, "%s", error ? error->message : "");
  old = jc_finding_get (vault, old_id, &error);
  old_record = g_strdup (old->record);
  ck_assert_uint_eq (old->amount_fen, 1500);
  {
    const char * const sorted[] = { "p21.1.1", "p21.1.2", NULL };

    ck_assert (g_strv_equal ((const char * const *) old->items, sorted));  /* checklist order */
  }

  new_id = jc_finding_amend (vault, NULL, old_id, one, "串换药品（更正）", &error);
  ck_assert_msg (new_id != NULL, "amend: %s", error ? error->message : "");
  ck_assert_str_ne (new_id, old_id);
  ck_assert_uint_eq (count_events (vault, "finding.amend"), 1);

  /* Both stay; the old one is untouched but marked. */
  g_clear_pointer (&old, jc_finding_free);
  old = jc_finding_get (vault, old_id, &error);
  ck_assert_str_eq (old->record, old_record);
  ck_assert_str_eq (old->superseded_by, new_id);
  amended = jc_finding_get (vault, new_id, &error);
  ck_assert_str_eq (amended->supersedes, old_id);
  ck_assert_ptr_null (amended->superseded_by);
  ck_assert_uint_eq (amended->amount_fen, 1000);
  ck_assert_str_eq (amended->facts, "串换药品（更正）");
  ck_assert_ptr_nonnull (strstr (amended->record, "\"supersedes\":\""));
  list = jc_finding_list (vault, id, &error);
  ck_assert_uint_eq (list->len, 2);

  /* A superseded finding is neither amended nor confirmed again. */
  bad = jc_finding_amend (vault, NULL, old_id, NULL, "再次", &error);
  ck_assert_ptr_null (bad);
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY);
  g_clear_error (&error);
  ck_assert (!jc_finding_confirm (vault, old_id, &conf, &error));
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY);
  g_clear_error (&error);

  /* The amended one is a finding like any other. */
  ck_assert (jc_finding_confirm (vault, new_id, &conf, &error));
  ck_assert (jc_finding_to_jc1 (vault, new_id, &text, &error));
  g_clear_pointer (&amended, jc_finding_free);
  amended = jc_finding_get (vault, new_id, &error);
  assert_claims (vault, amended, text, JC_JC1_STATUS_CONFIRMED, "王秀英");

  /* p21.1.2 left the live findings: it is open again. */
  spec.items = NULL;
  spec.facts = NULL;
  third = jc_finding_seal (vault, NULL, &spec, NULL, &error);
  ck_assert_msg (third != NULL, "%s", error ? error->message : "");
  rest = jc_finding_get (vault, third, &error);
  ck_assert_uint_eq (g_strv_length (rest->items), 1);
  ck_assert_str_eq (rest->items[0], "p21.1.2");
  ck_assert_uint_eq (rest->amount_fen, 500);
  ck_assert_str_eq (rest->facts, "虚假购药");

  /* The projections are the log's: rebuilt, and after a reopen, the same. */
  ck_assert_msg (jc_eventlog_rebuild_projections (jc_vault_get_eventlog (vault), &error), "%s",
                 error ? error->message : "");
  jc_vault_lock (vault);
  ck_assert (jc_vault_unlock (vault, PIN, &error));
  rebuilt = jc_finding_list (vault, id, &error);
  ck_assert_uint_eq (rebuilt->len, 3);
  for (guint i = 0; i < 3; i++)
    {
      JcFinding *a = list->len > i ? list->pdata[i] : NULL;
      JcFinding *b = rebuilt->pdata[i];

      if (a != NULL)
        {
          ck_assert_str_eq (a->id, b->id);
          ck_assert_str_eq (a->record, b->record);
        }
    }
  ck_assert_str_eq (((JcFinding *) rebuilt->pdata[0])->superseded_by, new_id);
  ck_assert (((JcFinding *) rebuilt->pdata[1])->confirmed);
}
END_TEST

START_TEST (test_refusals)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = new_inspection (vault, "P-0045");
  g_autofree char *empty = new_inspection (vault, "P-0046");
  g_autofree char *fid = NULL, *text = NULL;
  g_autoptr(JcFinding) f = NULL;
  JcFindingSpec spec = { .inspection_id = empty };
  JcFindingConfirmation disputed = { .status = JC_JC1_STATUS_DISPUTED, .name = "王秀英", .reason = "  " };
  JcFindingConfirmation refused = { .status = JC_JC1_STATUS_REFUSED, .name = "王秀英" };
  JcFindingConfirmation confirmed = { .status = JC_JC1_STATUS_CONFIRMED, .name = "" };
  JcFindingConfirmation strokes = { .status = JC_JC1_STATUS_CONFIRMED, .name = "王秀英",
                                    .signature_strokes = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" };
  JcFindingConfirmation good = { .status = JC_JC1_STATUS_CONFIRMED, .name = "王秀英" };
  guint n_events;

  set_item (vault, id, "p21.1.1", JC_ITEM_STATUS_VIOLATION, "串换药品", 1000);
  set_item (vault, id, "p21.2.1.1", JC_ITEM_STATUS_COMPLIANT, "", -1);
  set_item (vault, empty, "p21.2.1.1", JC_ITEM_STATUS_COMPLIANT, "", -1);
  n_events = count_events (vault, NULL);

#define REFUSED(call, domain, ecode) G_STMT_START { \
    char *r_ = (call); \
    ck_assert_msg (r_ == NULL, "accepted: %s", #call); \
    ck_assert_error (error, domain, ecode); \
    ck_assert_msg (strlen (error->message) > 10, "%s", error->message); \
    g_clear_error (&error); \
  } G_STMT_END

  /* No violation at all. */
  REFUSED (jc_finding_seal (vault, NULL, &spec, NULL, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_NO_VIOLATIONS);
  spec.inspection_id = id;
  {
    const char * const unknown[] = { "p99.9", NULL };
    const char * const compliant[] = { "p21.2.1.1", NULL };
    const char * const unchecked[] = { "p21.1.2", NULL };
    const char * const none[] = { NULL };

    spec.items = unknown;
    REFUSED (jc_finding_seal (vault, NULL, &spec, NULL, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND);
    spec.items = compliant;
    REFUSED (jc_finding_seal (vault, NULL, &spec, NULL, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_VIOLATION);
    spec.items = unchecked;
    REFUSED (jc_finding_seal (vault, NULL, &spec, NULL, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_VIOLATION);
    spec.items = none;
    REFUSED (jc_finding_seal (vault, NULL, &spec, NULL, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_NO_VIOLATIONS);
    spec.items = NULL;
  }
  spec.inspection_id = "00000000000000000000000000000000";
  REFUSED (jc_finding_seal (vault, NULL, &spec, NULL, &error), JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND);
  spec.inspection_id = id;
  /* Bad answers are refused before anything is sealed. */
  REFUSED (jc_finding_seal (vault, NULL, &spec, &disputed, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID);
  REFUSED (jc_finding_seal (vault, NULL, &spec, &refused, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID);
  REFUSED (jc_finding_seal (vault, NULL, &spec, &confirmed, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID);
  REFUSED (jc_finding_seal (vault, NULL, &spec, &strokes, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND);
  ck_assert_uint_eq (count_events (vault, NULL), n_events);

  fid = jc_finding_seal (vault, NULL, &spec, &good, &error);
  ck_assert_msg (fid != NULL, "%s", error ? error->message : "");
  /* The same item twice, a second answer, unknown findings. */
  {
    const char * const again[] = { "p21.1.1", NULL };

    spec.items = again;
    REFUSED (jc_finding_seal (vault, NULL, &spec, NULL, &error), JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY);
  }
  ck_assert (!jc_finding_confirm (vault, fid, &good, &error));
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY);
  g_clear_error (&error);
  ck_assert (!jc_finding_confirm (vault, "ffffffffffffffffffffffffffffffff", &good, &error));
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert (!jc_finding_to_jc1 (vault, "not-an-id", &text, &error));
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert_uint_eq (count_events (vault, NULL), n_events + 2);

  /* Nothing was lost or changed by the refusals. */
  f = jc_finding_get (vault, fid, &error);
  ck_assert_uint_eq (f->amount_fen, 1000);
  ck_assert_int_eq (f->confirm_status, JC_JC1_STATUS_CONFIRMED);

  /* A locked vault says so. */
  jc_vault_lock (vault);
  ck_assert_ptr_null (jc_finding_get (vault, fid, &error));
  ck_assert_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_LOCKED);
#undef REFUSED
}
END_TEST

/* The QR codes on the rendered pages of @pdf (150 dpi), page by page. */
static GPtrArray *
scan_pdf (const char *pdf, guint *out_pages, guint *out_on_page1)
{
  g_autofree char *prefix = g_strdup_printf ("%s/page", workdir);
  g_autofree char *out = NULL, *err = NULL;
  GPtrArray *codes = g_ptr_array_new_with_free_func (g_free);
  const char *argv[] = { "/usr/bin/pdftoppm", "-r", "150", "-png", pdf, prefix, NULL };

  ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "pdftoppm: %s", err);
  *out_pages = 0;
  *out_on_page1 = 0;
  for (guint page = 1; page < 100; page++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *png = g_strdup_printf ("%s-%u.png", prefix, page);
      g_auto(GStrv) found = NULL;
      cairo_surface_t *surface;

      if (!g_file_test (png, G_FILE_TEST_EXISTS))
        break;
      (*out_pages)++;
      surface = cairo_image_surface_create_from_png (png);
      ck_assert_int_eq (cairo_surface_status (surface), CAIRO_STATUS_SUCCESS);
      ck_assert_int_eq (cairo_image_surface_get_width (surface), 1241);  /* A4 at 150 dpi */
      found = jc_qr_scan_surface (surface, &error);
      cairo_surface_destroy (surface);
      for (guint i = 0; found != NULL && found[i] != NULL; i++)
        g_ptr_array_add (codes, g_strdup (found[i]));
      if (page == 1)
        *out_on_page1 = found ? g_strv_length (found) : 0;
    }
  return codes;
}

START_TEST (test_sheet_pdf)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = new_inspection (vault, "P-0047");
  g_autofree char *empty = new_inspection (vault, "P-0048");
  g_autofree char *photo = add_evidence (vault, "receipt.jpg", "photo bytes");
  g_autofree char *pdf = g_build_filename (workdir, "sheet.pdf", NULL);
  g_autofree char *bad = g_build_filename (workdir, "no-such-dir", "sheet.pdf", NULL);
  g_autofree char *bad_tmp = g_strdup_printf ("%s.tmp", bad);
  g_autofree char *data = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  g_autoptr(GString) long_facts = g_string_new (NULL);
  g_autofree char *f1 = NULL, *f2 = NULL, *f3 = NULL, *old = NULL;
  const char * const codes1[] = { "p21.1.1", "p21.1.2", NULL };
  const char * const codes2[] = { "p21.1.3", NULL };
  const char * const codes3[] = { "p21.1.4", NULL };
  JcFindingConfirmation confirmed = { .status = JC_JC1_STATUS_CONFIRMED, .name = "王秀英", .title = "店长" };
  JcFindingConfirmation refused = { .status = JC_JC1_STATUS_REFUSED, .witness = "赵六" };
  JcFindingSpec spec = { .inspection_id = id, .items = codes1 };
  guint pages, on_page1;
  gsize len;

  for (guint i = 0; i < 40; i++)
    g_string_append (long_facts, "药店将医保目录外药品串换为目录内药品进行结算，");
  set_item (vault, id, "p21.1.1", JC_ITEM_STATUS_VIOLATION, "串换药品", 123456);
  set_item (vault, id, "p21.1.2", JC_ITEM_STATUS_VIOLATION, "虚假购药", 5);
  set_item (vault, id, "p21.1.3", JC_ITEM_STATUS_VIOLATION, "超量开药", 100);
  set_item (vault, id, "p21.1.4", JC_ITEM_STATUS_VIOLATION, "", -1);
  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "p21.1.1", photo, &error));

  /* No finding yet: nothing to print, nothing written. */
  ck_assert (!jc_sheet_write_pdf (vault, NULL, id, pdf, &error));
  ck_assert_error (error, JC_SHEET_ERROR, JC_SHEET_ERROR_EMPTY);
  g_clear_error (&error);
  ck_assert (!g_file_test (pdf, G_FILE_TEST_EXISTS));

  f1 = jc_finding_seal (vault, NULL, &spec, &confirmed, &error);
  spec.items = codes2;
  spec.facts = long_facts->str;
  old = jc_finding_seal (vault, NULL, &spec, NULL, &error);
  f2 = jc_finding_amend (vault, NULL, old, NULL, long_facts->str, &error);
  spec.items = codes3;
  spec.facts = "未按规定留存处方";
  f3 = jc_finding_seal (vault, NULL, &spec, &refused, &error);
  ck_assert_msg (f1 && f2 && f3, "%s", error ? error->message : "");

  ck_assert_msg (jc_sheet_write_pdf (vault, NULL, id, pdf, &error), "%s", error ? error->message : "");
  data = jc_test_read (pdf, &len);
  ck_assert (len > 1000 && memcmp (data, "%PDF-", 5) == 0);
  /* The Chinese font is embedded (a subset: "ABCDEF+Name"). */
  ck_assert (memmem (data, len, "+NotoSansCJK", 12) != NULL);

  /* Rendered at 150 dpi, each live finding's code reads back, the
   * superseded one is not printed, and page 1 has one. */
  codes = scan_pdf (pdf, &pages, &on_page1);
  ck_assert_uint_ge (pages, 2);
  ck_assert_uint_ge (on_page1, 1);
  ck_assert_uint_eq (codes->len, 3);
  {
    const char *ids[] = { f1, f2, f3 };

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        g_autofree char *text = NULL;
        g_autoptr(JcFinding) f = jc_finding_get (vault, ids[i], &error);
        gboolean seen = FALSE;

        ck_assert (jc_finding_to_jc1 (vault, ids[i], &text, &error));
        for (guint k = 0; k < codes->len; k++)
          seen |= g_str_equal (codes->pdata[k], text);
        ck_assert_msg (seen, "finding %u's QR is not on the sheet", i + 1);
        assert_claims (vault, f, text, i == 0 ? JC_JC1_STATUS_CONFIRMED : i == 2 ? JC_JC1_STATUS_REFUSED : -1,
                       i == 0 ? "王秀英" : "赵六");
      }
  }
  g_print ("sheet: %u pages, %u codes\n", pages, codes->len);

  /* An unwritable place: a clear error and no stray file. */
  ck_assert (!jc_sheet_write_pdf (vault, NULL, id, bad, &error));
  ck_assert_error (error, JC_SHEET_ERROR, JC_SHEET_ERROR_WRITE);
  ck_assert_ptr_nonnull (strstr (error->message, bad));
  g_clear_error (&error);
  ck_assert (!g_file_test (bad_tmp, G_FILE_TEST_EXISTS));
  ck_assert (!jc_sheet_write_pdf (vault, NULL, empty, pdf, &error));
  ck_assert_error (error, JC_SHEET_ERROR, JC_SHEET_ERROR_EMPTY);
}
END_TEST

/* The look-ups a seal and a listing make go through an index: HQ holds
 * every finding of a province, and a scan per seal grew with all of them. */
START_TEST (test_lookups_use_indexes)
{
  static const struct {
    const char *sql;
    const char *index;
  } queries[] = {
    { "SELECT id FROM findings WHERE supersedes = 'x'", "findings_supersedes" },
    { "SELECT record, superseded_by FROM findings WHERE inspection_id = 'x' ORDER BY sealed_at, rowid",
      "findings_inspection" },
  };
  g_autoptr(JcVault) vault = create_vault ();
  sqlite3 *db = jc_db_get_sqlite (jc_vault_get_db (vault, NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", queries[i].sql, NULL);
      g_autoptr(GString) plan = g_string_new (NULL);
      sqlite3_stmt *stmt = NULL;

      ck_assert_int_eq (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (plan, "%s; ", (const char *) sqlite3_column_text (stmt, 3));
      sqlite3_finalize (stmt);
      ck_assert_msg (strstr (plan->str, queries[i].index) != NULL && strstr (plan->str, "TEMP B-TREE") == NULL,
                     "%s: %s", queries[i].sql, plan->str);
    }
}
END_TEST

static Suite *
finding_suite (void)
{
  Suite *s = suite_create ("finding");
  TCase *tc = tcase_create ("finding");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_seal_all_open_violations);
  tcase_add_test (tc, test_record_must_be_strict);
  tcase_add_test (tc, test_record_members);
  tcase_add_test (tc, test_three_answers_through_qr_png);
  tcase_add_test (tc, test_amend_keeps_both);
  tcase_add_test (tc, test_refusals);
  tcase_add_test (tc, test_sheet_pdf);
  tcase_add_test (tc, test_lookups_use_indexes);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (finding_suite ());
}

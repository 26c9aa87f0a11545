/* test-inspection.c — inspections and item results as events of a real
 * vault: creation for every institution type, exact amounts, the latest
 * result winning while the log keeps them all, evidence links, progress,
 * projections rebuilt from the log, and a reopened vault. */
#include "config.h"

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
  workdir = jc_test_tmpdir ("inspection");
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

static JcVault *
reopen_vault (void)
{
  g_autoptr(GError) error = NULL;
  JcVault *vault = jc_vault_new (vault_dir);

  ck_assert_msg (jc_vault_unlock (vault, PIN, &error), "unlock: %s", error ? error->message : "");
  return vault;
}

static char *
create (JcVault *vault, const char *code, JcInstitutionKind type, guint level, const char *checklist)
{
  static const char * const team[] = { "张三", "李四", NULL };
  g_autoptr(GError) error = NULL;
  JcInspectionSpec spec = {
    .institution_code = code,
    .institution_name = "测试机构",
    .institution_type = type,
    .level = level,
    .form = JC_INSPECTION_FORM_CROSS,
    .team = team,
    .date = "2026-11-24",
    .checklist = checklist,
  };
  char *id = jc_inspection_create (vault, NULL, &spec, &error);

  ck_assert_msg (id != NULL, "create %s: %s", code, error ? error->message : "");
  return id;
}

static void
set_item (JcVault *vault, const char *id, const char *code, JcItemStatus status,
          const char *note, gint64 amount_fen)
{
  g_autoptr(GError) error = NULL;
  JcItemUpdate update = {
    .set_status = TRUE, .status = status,
    .set_note = note != NULL, .note = note,
    .set_amount = amount_fen >= 0, .amount_fen = (guint64) MAX (amount_fen, 0),
  };

  ck_assert_msg (jc_inspection_set_item (vault, NULL, id, code, &update, &error),
                 "set %s: %s", code, error ? error->message : "");
}

static JcItemResult *
result_of (GPtrArray *results, const char *code)
{
  for (guint i = 0; i < results->len; i++)
    {
      JcItemResult *r = results->pdata[i];

      if (g_str_equal (r->item->code, code))
        return r;
    }
  return NULL;
}

static gboolean
count_kind (const JcEvent *event, gpointer user_data, GError **error)
{
  gpointer *args = user_data;

  if (g_str_equal (jc_event_get_kind (event), args[0]))
    (*(guint *) args[1])++;
  return TRUE;
}

static guint
count_events (JcVault *vault, const char *kind)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;
  gpointer args[2] = { (gpointer) kind, &n };

  ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (vault), NULL, 0, count_kind, args, &error));
  return n;
}

static gboolean
count_all (const JcEvent *event, gpointer user_data, GError **error)
{
  (*(guint *) user_data)++;
  return TRUE;
}

static guint
count_all_events (JcVault *vault)
{
  guint n = 0;

  ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (vault), NULL, 0, count_all, &n, NULL));
  return n;
}

/* Every row of the projection tables, in key order, as text. */
static char *
dump_tables (JcVault *vault)
{
  static const char * const queries[] = {
    "SELECT * FROM inspections ORDER BY id",
    "SELECT * FROM item_results ORDER BY inspection_id, code",
    "SELECT * FROM item_evidence ORDER BY inspection_id, code, sha256",
  };
  JcDb *db = jc_eventlog_get_db (jc_vault_get_eventlog (vault));
  GString *out = g_string_new (NULL);

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      JcDbStmt *stmt = NULL;

      ck_assert_int_eq (jc_db_prepare (db, queries[q], -1, &stmt, NULL), JC_DB_OK);
      while (jc_db_step (stmt) == JC_DB_ROW)
        {
          for (int c = 0; c < jc_db_column_count (stmt); c++)
            g_string_append_printf (out, "%s|", jc_db_column_type (stmt, c) == JC_DB_NULL
                                                 ? "NULL" : (const char *) jc_db_column_text (stmt, c));
          g_string_append_c (out, '\n');
        }
      jc_db_finalize (stmt);
      g_string_append (out, "--\n");
    }
  return g_string_free (out, FALSE);
}

START_TEST (test_amount_parse)
{
  static const struct { const char *text; guint64 fen; } good[] = {
    { "0", 0 }, { "0.5", 50 }, { "0.05", 5 }, { "12345678.90", 1234567890 }, { "1234.56", 123456 },
    { "007", 700 }, { "9999999999999.99", G_GUINT64_CONSTANT (999999999999999) }, { "0.00", 0 },
  };
  static const struct { const char *text; int code; const char *says; } bad[] = {
    { "1.234", JC_AMOUNT_ERROR_INVALID, "more than 2 decimals" },
    { "-1", JC_AMOUNT_ERROR_INVALID, "negative" },
    { "abc", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { "99999999999999999999", JC_AMOUNT_ERROR_OVERFLOW, "too large" },
    { "99999999999999999999999999999999999999", JC_AMOUNT_ERROR_OVERFLOW, "too large" },
    { "10000000000000", JC_AMOUNT_ERROR_OVERFLOW, "too large" },
    { "", JC_AMOUNT_ERROR_INVALID, "empty" },
    { "12.", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { ".5", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { "1,234.56", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { " 12", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { "+12", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { "1e3", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { "1.2.3", JC_AMOUNT_ERROR_INVALID, "not a number" },
    { "１２", JC_AMOUNT_ERROR_INVALID, "not a number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;
      guint64 fen = 1;

      ck_assert_msg (jc_amount_parse_yuan (good[i].text, &fen, &error), "%s: %s", good[i].text,
                     error ? error->message : "");
      ck_assert_uint_eq (fen, good[i].fen);
      back = jc_amount_format_yuan (fen);
      ck_assert_uint_eq (g_ascii_strtoull (back, NULL, 10) * 100 + g_ascii_strtoull (strchr (back, '.') + 1, NULL, 10),
                         fen);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 fen = 42;

      ck_assert_msg (!jc_amount_parse_yuan (bad[i].text, &fen, &error), "“%s” was accepted", bad[i].text);
      ck_assert_msg (g_error_matches (error, JC_AMOUNT_ERROR, bad[i].code), "%s: %s", bad[i].text, error->message);
      ck_assert_msg (strstr (error->message, bad[i].says) != NULL, "%s: %s", bad[i].text, error->message);
      ck_assert_uint_eq (fen, 42);   /* untouched */
    }
  {
    g_autofree char *a = jc_amount_format_yuan (5);
    g_autofree char *b = jc_amount_format_yuan (123456);
    g_autofree char *c = jc_amount_format_yuan (0);

    ck_assert_str_eq (a, "0.05");
    ck_assert_str_eq (b, "1234.56");
    ck_assert_str_eq (c, "0.00");
  }
}
END_TEST

START_TEST (test_create_each_type)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *h = create (vault, "H-001", JC_INSTITUTION_HOSPITAL, 3, NULL);
  g_autofree char *p = create (vault, "P002", JC_INSTITUTION_PHARMACY, 0, NULL);
  g_autofree char *a = create (vault, "A3", JC_INSTITUTION_AGENCY, 0, NULL);
  g_autofree char *s = create (vault, "S4", JC_INSTITUTION_HOSPITAL, 1, "self-institution-2021@1");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GError) error = NULL;

  ck_assert (g_regex_match_simple ("^[0-9a-f]{32}$", h, 0, 0));
  ck_assert_str_ne (h, p);
  in = jc_inspection_get (vault, NULL, h, &error);
  ck_assert_msg (in != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (in->institution_code, "H-001");
  ck_assert_str_eq (in->institution_name, "测试机构");
  ck_assert_int_eq (in->institution_type, JC_INSTITUTION_HOSPITAL);
  ck_assert_uint_eq (in->level, 3);
  ck_assert_int_eq (in->form, JC_INSPECTION_FORM_CROSS);
  ck_assert_uint_eq (g_strv_length (in->team), 2);
  ck_assert_str_eq (in->team[1], "李四");
  ck_assert_str_eq (in->date, "2026-11-24");
  ck_assert_str_eq (in->checklist, "hospital-2021@1");
  ck_assert_uint_eq (in->n_items, 28);
  ck_assert_uint_eq (in->n_checked, 0);

  list = jc_inspection_list (vault, NULL, &error);
  ck_assert_ptr_nonnull (list);
  ck_assert_uint_eq (list->len, 4);
  for (guint i = 0; i < list->len; i++)
    {
      JcInspection *x = list->pdata[i];

      if (g_str_equal (x->id, p))
        ck_assert_str_eq (x->checklist, "pharmacy-2021@1");
      else if (g_str_equal (x->id, a))
        ck_assert_str_eq (x->checklist, "self-agency-2021@1");
      else if (g_str_equal (x->id, s))
        ck_assert_str_eq (x->checklist, "self-institution-2021@1");
    }
  ck_assert_uint_eq (count_events (vault, "inspection.create"), 4);
}
END_TEST

START_TEST (test_create_refuses)
{
  g_autoptr(JcVault) vault = create_vault ();
  static const char * const team_bad[] = { "张三", "  ", NULL };
  struct {
    JcInspectionSpec spec;
    int code;
    const char *says;
  } cases[] = {
    { { "H1", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, "2026-11-24", "pharmacy-2021" },
      JC_INSPECTION_ERROR_CHECKLIST, "does not apply to a hospital" },
    { { "P1", "药店", JC_INSTITUTION_PHARMACY, 0, 0, NULL, "2026-11-24", "hospital-2021@1" },
      JC_INSPECTION_ERROR_CHECKLIST, "hospital-2021@1" },
    { { "P1", "药店", JC_INSTITUTION_PHARMACY, 0, 0, NULL, "2026-11-24", "pharmacy-2099" },
      JC_INSPECTION_ERROR_CHECKLIST, "pharmacy-2099" },
    { { "P1", "药店", JC_INSTITUTION_PHARMACY, 0, 0, NULL, "2026-11-24", "pharmacy-2021@7" },
      JC_INSPECTION_ERROR_CHECKLIST, "pharmacy-2021@7" },
    { { "", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "Institution code" },
    { { "H 1", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "H 1" },
    { { "医院1", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "医院1" },
    { { "H123456789012345678901234567890123", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, NULL, NULL },
      JC_INSPECTION_ERROR_INVALID, "1 to 32" },
    { { "H1", " ", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "name is empty" },
    { { "H1", "医院", JC_INSTITUTION_HOSPITAL, 4, 0, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "level 4" },
    { { "P1", "药店", JC_INSTITUTION_PHARMACY, 2, 0, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "only hospitals" },
    { { "H1", "医院", 0, 0, 0, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "type" },
    { { "H1", "医院", JC_INSTITUTION_HOSPITAL, 0, 9, NULL, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "form" },
    { { "H1", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, team_bad, NULL, NULL }, JC_INSPECTION_ERROR_INVALID, "Team member 2" },
    { { "H1", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, "2026-02-30", NULL }, JC_INSPECTION_ERROR_INVALID, "2026-02-30" },
    { { "H1", "医院", JC_INSTITUTION_HOSPITAL, 0, 0, NULL, "24.11.2026", NULL }, JC_INSPECTION_ERROR_INVALID, "YYYY-MM-DD" },
  };
  g_autoptr(GPtrArray) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *id = jc_inspection_create (vault, NULL, &cases[i].spec, &error);

      ck_assert_msg (id == NULL, "case %u was accepted", i);
      ck_assert_msg (g_error_matches (error, JC_INSPECTION_ERROR, cases[i].code), "case %u: %s", i, error->message);
      ck_assert_msg (strstr (error->message, cases[i].says) != NULL, "case %u: %s", i, error->message);
    }
  /* nothing was recorded */
  ck_assert_uint_eq (count_events (vault, "inspection.create"), 0);
  list = jc_inspection_list (vault, NULL, NULL);
  ck_assert_uint_eq (list->len, 0);
}
END_TEST

START_TEST (test_items_history_evidence_rebuild_reopen)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = create (vault, "H-001", JC_INSTITUTION_HOSPITAL, 2, "hospital-2021");
  g_autofree char *photo = g_build_filename (workdir, "receipt.jpg", NULL);
  g_autofree char *before = NULL, *after = NULL, *reopened = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;
  JcBlobInfo *info;
  JcItemResult *r;
  JcItemUpdate only_cases = { .set_cases = TRUE, .cases = 40 };

  set_item (vault, id, "h21.1.1", JC_ITEM_STATUS_VIOLATION, "虚构医疗服务", 50000);
  set_item (vault, id, "h21.1.1", JC_ITEM_STATUS_VIOLATION, "虚构医疗服务，共12人次", 123456);  /* override */
  set_item (vault, id, "h21.1.2", JC_ITEM_STATUS_COMPLIANT, NULL, -1);
  set_item (vault, id, "h21.2.1.1", JC_ITEM_STATUS_NA, "无此业务", -1);
  set_item (vault, id, "h21.1.3", JC_ITEM_STATUS_VIOLATION, NULL, 5);
  set_item (vault, id, "h21.1.3", JC_ITEM_STATUS_COMPLIANT, "复核后符合", -1);  /* violation withdrawn */
  ck_assert (jc_inspection_set_item (vault, NULL, id, "h21.1.1", &only_cases, &error));

  g_file_set_contents (photo, "a photo of a receipt", -1, NULL);
  info = jc_vault_add_evidence (vault, photo, "收费票据", NULL, &error);
  ck_assert_msg (info != NULL, "%s", error ? error->message : "");
  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "h21.1.1", info->sha256_hex, &error));
  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "h21.1.1", info->sha256_hex, &error));  /* once */

  /* The log has every change; the tables the latest. */
  ck_assert_uint_eq (count_events (vault, "inspection.item.set"), 7);
  ck_assert_uint_eq (count_events (vault, "inspection.item.evidence"), 1);

  results = jc_inspection_get_results (vault, NULL, id, NULL, 0, &error);
  ck_assert_msg (results != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (results->len, 28);
  ck_assert_str_eq (((JcItemResult *) results->pdata[0])->item->code, "h21.1.1");   /* checklist order */
  ck_assert_str_eq (((JcItemResult *) results->pdata[4])->item->code, "h21.2.1.1");
  r = result_of (results, "h21.1.1");
  ck_assert_int_eq (r->status, JC_ITEM_STATUS_VIOLATION);
  ck_assert_str_eq (r->note, "虚构医疗服务，共12人次");
  ck_assert (r->has_amount);
  ck_assert_uint_eq (r->amount_fen, 123456);
  ck_assert_int_eq (r->cases, 40);   /* set alone, the rest kept */
  ck_assert_uint_eq (g_strv_length (r->evidence), 1);
  ck_assert_str_eq (r->evidence[0], info->sha256_hex);
  r = result_of (results, "h21.1.3");
  ck_assert_int_eq (r->status, JC_ITEM_STATUS_COMPLIANT);
  ck_assert_str_eq (r->note, "复核后符合");
  ck_assert_uint_eq (r->amount_fen, 5);   /* kept: not named in the last change */
  r = result_of (results, "h21.2.1.2");
  ck_assert_int_eq (r->status, JC_ITEM_STATUS_UNCHECKED);
  ck_assert_int_eq (r->cases, -1);
  ck_assert (!r->has_amount);

  in = jc_inspection_get (vault, NULL, id, &error);
  ck_assert_uint_eq (in->n_items, 28);
  ck_assert_uint_eq (in->n_checked, 4);
  ck_assert_uint_eq (in->n_violations, 1);
  ck_assert_uint_eq (in->amount_fen, 123456);

  /* search and filter */
  found = jc_inspection_get_results (vault, NULL, id, "12人次", 0, &error);
  ck_assert_uint_eq (found->len, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = jc_inspection_get_results (vault, NULL, id, "H21.2.1", 0, &error);   /* case-insensitive code */
  ck_assert_uint_ge (found->len, 2);
  for (guint i = 0; i < found->len; i++)
    ck_assert (g_str_has_prefix (((JcItemResult *) found->pdata[i])->item->code, "h21.2.1"));
  g_clear_pointer (&found, g_ptr_array_unref);
  found = jc_inspection_get_results (vault, NULL, id, NULL,
                                     JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_COMPLIANT) |
                                     JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_NA), &error);
  ck_assert_uint_eq (found->len, 3);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = jc_inspection_get_results (vault, NULL, id, NULL, JC_ITEM_STATUS_MASK (JC_ITEM_STATUS_UNCHECKED), &error);
  ck_assert_uint_eq (found->len, 24);

  next = jc_inspection_next_unchecked (vault, NULL, id, NULL, &error);
  ck_assert_str_eq (next, "h21.1.4");
  g_free (next);
  next = jc_inspection_next_unchecked (vault, NULL, id, "h21.1.4", &error);
  ck_assert_str_eq (next, "h21.2.1.2");

  /* Rebuilt from the events alone: the same tables. */
  before = dump_tables (vault);
  ck_assert_msg (jc_eventlog_rebuild_projections (jc_vault_get_eventlog (vault), &error), "%s",
                 error ? error->message : "");
  after = dump_tables (vault);
  ck_assert_str_eq (before, after);
  ck_assert_ptr_nonnull (strstr (before, "虚构医疗服务，共12人次"));

  /* And after the vault is locked and opened again. */
  jc_vault_lock (vault);
  g_clear_object (&vault);
  vault = reopen_vault ();
  reopened = dump_tables (vault);
  ck_assert_str_eq (before, reopened);
  g_clear_pointer (&in, jc_inspection_free);
  in = jc_inspection_get (vault, NULL, id, &error);
  ck_assert_msg (in != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (in->n_checked, 4);
  ck_assert_uint_eq (in->amount_fen, 123456);
  ck_assert_msg (jc_vault_verify (vault, NULL, NULL, &error), "%s", error ? error->message : "");
  jc_blob_info_free (info);
}
END_TEST

/* Evidence from memory (a capture) linked, read back, unlinked: the link
 * goes with an event of its own, the blob and the history stay, and a
 * rebuild from the events agrees. */
START_TEST (test_evidence_from_memory_unlink)
{
  static const char jpeg[] = "\xff\xd8\xff\xe0 not a real picture \xff\xd9";
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = create (vault, "H-002", JC_INSTITUTION_HOSPITAL, 2, "hospital-2021");
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (jpeg, sizeof jpeg - 1, NULL);
  g_autoptr(JcBlobInfo) info = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autofree char *before = NULL, *after = NULL;

  info = jc_vault_add_evidence_stream (vault, in, "image/jpeg", "照片.jpg", NULL, NULL, &error);
  ck_assert_msg (info != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (info->media_type, "image/jpeg");
  ck_assert_uint_eq (info->size, sizeof jpeg - 1);
  back = jc_vault_read_evidence (vault, info->sha256_hex, NULL, &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  ck_assert_mem_eq (g_bytes_get_data (back, NULL), jpeg, sizeof jpeg - 1);
  ck_assert_uint_eq (g_bytes_get_size (back), sizeof jpeg - 1);

  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "h21.1.2", info->sha256_hex, &error));
  ck_assert (jc_inspection_unlink_evidence (vault, NULL, id, "h21.1.2", info->sha256_hex, &error));
  ck_assert (!jc_inspection_unlink_evidence (vault, NULL, id, "h21.1.2", info->sha256_hex, &e1));
  ck_assert (g_error_matches (e1, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (e1->message, "h21.1.2"));
  ck_assert (!jc_inspection_unlink_evidence (vault, NULL, id, "h21.9.9", info->sha256_hex, &e2));
  ck_assert_uint_eq (count_events (vault, "inspection.item.evidence"), 1);
  ck_assert_uint_eq (count_events (vault, "inspection.item.evidence.unlink"), 1);
  results = jc_inspection_get_results (vault, NULL, id, NULL, 0, &error);
  ck_assert_uint_eq (g_strv_length (result_of (results, "h21.1.2")->evidence), 0);
  /* The evidence itself is still there. */
  g_clear_pointer (&back, g_bytes_unref);
  back = jc_vault_read_evidence (vault, info->sha256_hex, NULL, &error);
  ck_assert_ptr_nonnull (back);

  /* Linked again after the unlink: back on the item. */
  ck_assert (jc_inspection_link_evidence (vault, NULL, id, "h21.1.2", info->sha256_hex, &error));
  g_clear_pointer (&results, g_ptr_array_unref);
  results = jc_inspection_get_results (vault, NULL, id, NULL, 0, &error);
  ck_assert_str_eq (result_of (results, "h21.1.2")->evidence[0], info->sha256_hex);
  before = dump_tables (vault);
  ck_assert (jc_eventlog_rebuild_projections (jc_vault_get_eventlog (vault), &error));
  after = dump_tables (vault);
  ck_assert_str_eq (before, after);
}
END_TEST

START_TEST (test_item_errors)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = create (vault, "P-9", JC_INSTITUTION_PHARMACY, 0, NULL);
  JcItemUpdate update = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION };
  JcItemUpdate too_much = { .set_amount = TRUE, .amount_fen = JC_AMOUNT_MAX_FEN + 1 };
  JcItemUpdate bad_status = { .set_status = TRUE, .status = 17 };
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL, e6 = NULL, e7 = NULL;
  guint before = count_all_events (vault);

  ck_assert (!jc_inspection_set_item (vault, NULL, "00000000000000000000000000000000", "p21.1.1", &update, &e1));
  ck_assert (g_error_matches (e1, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (e1->message, "00000000000000000000000000000000"));
  ck_assert (!jc_inspection_set_item (vault, NULL, "xyz", "p21.1.1", &update, &e2));
  ck_assert_ptr_nonnull (strstr (e2->message, "“xyz”"));
  ck_assert (!jc_inspection_set_item (vault, NULL, id, "h21.1.1", &update, &e3));   /* a hospital code */
  ck_assert (g_error_matches (e3, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (e3->message, "h21.1.1"));
  ck_assert_ptr_nonnull (strstr (e3->message, "pharmacy-2021@1"));
  ck_assert (!jc_inspection_set_item (vault, NULL, id, "p21.1.1", &too_much, &e4));
  ck_assert (g_error_matches (e4, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_OVERFLOW));
  ck_assert (!jc_inspection_set_item (vault, NULL, id, "p21.1.1", &bad_status, &e5));
  ck_assert (g_error_matches (e5, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID));
  ck_assert (!jc_inspection_link_evidence (vault, NULL, id, "p21.1.1",
                                           "0000000000000000000000000000000000000000000000000000000000000000", &e6));
  ck_assert (g_error_matches (e6, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND));
  ck_assert (!jc_inspection_link_evidence (vault, NULL, id, "p21.1.1", "not-a-hash", &e7));
  ck_assert_ptr_nonnull (strstr (e7->message, "not-a-hash"));
  ck_assert_uint_eq (count_all_events (vault), before);   /* nothing recorded */
}
END_TEST

START_TEST (test_bad_foreign_body_is_refused)
{
  /* A projection refuses an item.set without its fields: the event is
   * rolled back, the tables untouched. */
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(GError) error = NULL;
  guint n = 0, m = 0;

  ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (vault), NULL, 0, count_all, &n, NULL));
  ck_assert (!jc_vault_record (vault, "inspection.item.set", "{\"code\":\"h21.1.1\"}", NULL, &error));
  ck_assert (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION));
  ck_assert_ptr_nonnull (strstr (error->message, "inspection"));
  ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (vault), NULL, 0, count_all, &m, NULL));
  ck_assert_uint_eq (n, m);
}
END_TEST

/* Another device's events for the same item, as sync brings them: across
 * devices the later wall time wins, on one device the later seq does (a
 * clock set back does not undo a change); a rebuild agrees. */
static JcEvent *
foreign_event (JcDevice *device, guint64 seq, const guint8 *prev, gint64 wall, const char *body)
{
  g_autoptr(GError) error = NULL;
  JcEvent *event = jc_event_new (jc_device_get_id (device), seq, prev, wall, wall, 0, "李四",
                                 "inspection.item.set", body, &error);

  ck_assert_msg (event != NULL, "%s", error ? error->message : "");
  ck_assert (jc_event_sign (event, device, &error));
  return event;
}

static JcItemStatus
status_of (JcVault *vault, const char *id, const char *code)
{
  g_autoptr(GPtrArray) results = jc_inspection_get_results (vault, NULL, id, NULL, 0, NULL);

  ck_assert_ptr_nonnull (results);
  return result_of (results, code)->status;
}

START_TEST (test_sync_order)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *id = create (vault, "H-7", JC_INSTITUTION_HOSPITAL, 1, NULL);
  g_autoptr(JcDevice) other = jc_device_new_random (NULL);
  JcEventlog *log = jc_vault_get_eventlog (vault);
  g_autofree char *b1 = g_strdup_printf ("{\"code\":\"h21.1.1\",\"inspection\":\"%s\",\"note\":\"\",\"status\":\"compliant\"}", id);
  g_autofree char *b2 = g_strdup_printf ("{\"code\":\"h21.1.1\",\"inspection\":\"%s\",\"note\":\"\",\"status\":\"na\"}", id);
  g_autofree char *b3 = g_strdup_printf ("{\"code\":\"h21.1.1\",\"inspection\":\"%s\",\"note\":\"\",\"status\":\"violation\"}", id);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr(JcEvent) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autoptr(GError) error = NULL;
  guint8 zero[32] = { 0 };
  gint64 now = g_get_real_time ();
  gboolean added = FALSE;

  set_item (vault, id, "h21.1.1", JC_ITEM_STATUS_VIOLATION, "本机", -1);

  e1 = foreign_event (other, 1, zero, now - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, b1);   /* older than ours */
  ck_assert_msg (jc_eventlog_insert_event (log, e1, jc_device_get_public_key (other), &added, &error), "%s",
                 error ? error->message : "");
  ck_assert (added);
  ck_assert_int_eq (status_of (vault, id, "h21.1.1"), JC_ITEM_STATUS_VIOLATION);

  e2 = foreign_event (other, 2, jc_event_get_hash (e1), now + G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, b2);   /* newer */
  ck_assert (jc_eventlog_insert_event (log, e2, jc_device_get_public_key (other), &added, &error));
  ck_assert_int_eq (status_of (vault, id, "h21.1.1"), JC_ITEM_STATUS_NA);

  /* the other device's clock set back: its later seq still wins */
  e3 = foreign_event (other, 3, jc_event_get_hash (e2), now - G_GINT64_CONSTANT (7200) * G_USEC_PER_SEC, b3);
  ck_assert (jc_eventlog_insert_event (log, e3, jc_device_get_public_key (other), &added, &error));
  ck_assert_int_eq (status_of (vault, id, "h21.1.1"), JC_ITEM_STATUS_VIOLATION);

  before = dump_tables (vault);
  ck_assert (jc_eventlog_rebuild_projections (log, &error));
  after = dump_tables (vault);
  ck_assert_str_eq (before, after);
  ck_assert_uint_eq (count_events (vault, "inspection.item.set"), 4);
}
END_TEST

static Suite *
inspection_suite (void)
{
  Suite *s = suite_create ("inspection");
  TCase *tc = tcase_create ("inspection");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_amount_parse);
  tcase_add_test (tc, test_create_each_type);
  tcase_add_test (tc, test_create_refuses);
  tcase_add_test (tc, test_items_history_evidence_rebuild_reopen);
  tcase_add_test (tc, test_evidence_from_memory_unlink);
  tcase_add_test (tc, test_item_errors);
  tcase_add_test (tc, test_bad_foreign_body_is_refused);
  tcase_add_test (tc, test_sync_order);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (inspection_suite ());
}

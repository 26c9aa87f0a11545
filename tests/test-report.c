/* test-report.c — the ledger's reports on a known data set: the counts
 * and sums per county, type, item and form; the CSV with its BOM, the
 * XLSX read back with openpyxl, the PDF rendered with pdftoppm and read
 * with pdftotext.
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "jc-db.h"
#include <string.h>

#include "jc-core.h"
#include "jc-hq-directory.h"
#include "jc-hq-ledger.h"
#include "jc-hq-merge.h"
#include "jc-hq-objections.h"
#include "jc-hq-report.h"
#include "jc-hq-store.h"
#include "jc-test.h"

static char *root;
static char *hqdir;

/* Three institutions in the directory, one it does not know (X1). */
static const char directory[] =
  "code,name,type,level,county,fund_payment\n"
  "H1,人民医院,hospital,2,离石区,1000000.00\n"
  "P1,康宁大药房,pharmacy,,离石区,50000\n"
  "P2,仁和药店,pharmacy,,孝义市,30000\n";

typedef struct {
  const char *inspection, *code, *type, *form;
} Inspection;

static const Inspection inspections[] = {
  { "i1", "H1", "hospital", "cross" },
  { "i2", "P1", "pharmacy", "cross" },
  { "i3", "P2", "pharmacy", "flight" },
  { "i4", "X1", "pharmacy", "daily" },
};

typedef struct {
  const char *inspection;
  const char *items;     /* space-separated codes */
  gint64      amount_fen;
  const char *status;    /* the institution's answer */
} Finding;

/* Entries 1–5 in this order; the disputed one is no entry. */
static const Finding findings[] = {
  { "i1", "h21.1.1 h21.1.2", 100000, "confirmed" },
  { "i1", "h21.1.1", 5000, "refused" },
  { "i2", "p21.1.1", 20000, "confirmed" },
  { "i3", "p21.1.1", 30000, "confirmed" },
  { "i4", "p21.1.3", 700, "confirmed" },
  { "i3", "p21.2.1", 999, "disputed" },
};

static void
exec_ok (JcDb *db, const char *sql)
{
  ck_assert_msg (jc_db_exec (db, sql) == JC_DB_OK, "%s: %s", sql, jc_db_errmsg (db));
}

/* The merged projections as HQ holds them, written directly. */
static void
load_data_set (JcHqStore *store)
{
  JcDb *db = jc_hq_store_get_db (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < G_N_ELEMENTS (inspections); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO inspections VALUES ('%s', '%s', '机构%s', '%s', 0, '%s', '张伟', '2026-11-20', 'x@1', 1, 'd', %u)",
        inspections[i].inspection, inspections[i].code, inspections[i].code, inspections[i].type,
        inspections[i].form, i + 1);

      exec_ok (db, sql);
    }
  for (guint i = 0; i < G_N_ELEMENTS (findings); i++)
    {
      g_auto(GStrv) codes = g_strsplit (findings[i].items, " ", -1);
      g_autoptr(GString) record = g_string_new ("{\"items\":[");
      g_autofree char *id = g_strdup_printf ("%032x", i + 1);
      g_autofree char *sql = NULL;
      char *escaped;

      for (guint c = 0; codes[c] != NULL; c++)
        g_string_append_printf (record, "%s{\"basis\":\"条款%s\",\"code\":\"%s\"}", c > 0 ? "," : "", codes[c],
                                codes[c]);
      g_string_append (record, "]}");
      escaped = sqlite3_mprintf ("%Q", record->str);
      sql = g_strdup_printf ("INSERT INTO findings VALUES ('%s', '%s', %s, 'sha', %" G_GINT64_FORMAT ", %"
                             G_GINT64_FORMAT ", NULL, NULL, 'd', %u);"
                             "INSERT INTO finding_confirmations VALUES ('%s', '%s', '王', '', 'r', 'w', NULL, 1, 'd', %u)",
                             id, findings[i].inspection, escaped, now - 100 + i, findings[i].amount_fen, 10 + i,
                             id, findings[i].status, 20 + i);
      sqlite3_free (escaped);
      exec_ok (db, sql);
      for (guint c = 0; codes[c] != NULL; c++)
        {
          g_autofree char *item = g_strdup_printf ("INSERT INTO finding_items VALUES ('%s', '%s')", id, codes[c]);

          exec_ok (db, item);
        }
    }
}

static void
set_ok (JcHqStore *store, gint64 id, JcHqLedgerStatus status, const char *note, gint64 recovered, const char *deadline)
{
  g_autoptr(GError) error = NULL;
  JcHqLedgerChange c = {
    .has_status = TRUE, .status = status, .note = note,
    .has_recovered = recovered >= 0, .recovered_fen = recovered >= 0 ? (guint64) recovered : 0,
    .deadline = deadline, .by = "李科长",
  };

  ck_assert_msg (jc_hq_ledger_set (store, id, &c, &error), "entry %" G_GINT64_FORMAT ": %s", id,
                 error ? error->message : "");
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(JcHqMerge) merge = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *db_url = jc_test_hq_db_url ();
  guint n = 0;

  root = jc_test_tmpdir ("report");
  hqdir = g_build_filename (root, "hq", NULL);
  csv = g_build_filename (root, "名录.csv", NULL);
  ck_assert (g_file_set_contents (csv, directory, -1, NULL));
  ck_assert_msg (jc_hq_store_init (hqdir, db_url, &error), "%s", error ? error->message : "");
  store = jc_hq_store_open (hqdir, &error);
  merge = jc_hq_merge_new (store, &error);
  ck_assert_msg (merge != NULL, "%s", error ? error->message : "");
  ck_assert_msg (jc_hq_directory_import (store, csv, &n, &error), "%s", error ? error->message : "");
  load_data_set (store);
  ck_assert_msg (jc_hq_ledger_refresh (store, &n, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (n, 5);
  /* 1 verified with all recovered; 3 rectifying and overdue; 4 handed over. */
  set_ok (store, 1, JC_HQ_LEDGER_RECTIFYING, NULL, -1, NULL);
  set_ok (store, 1, JC_HQ_LEDGER_RECTIFIED, "已整改", -1, NULL);
  set_ok (store, 1, JC_HQ_LEDGER_VERIFIED, NULL, 100000, NULL);
  set_ok (store, 3, JC_HQ_LEDGER_RECTIFYING, NULL, 1500, "2020-01-01");
  set_ok (store, 4, JC_HQ_LEDGER_POLICE, "涉嫌诈骗，移交市公安局", -1, NULL);
}

static void
teardown (void)
{
  jc_test_rmtree (root);
  g_clear_pointer (&root, g_free);
  g_clear_pointer (&hqdir, g_free);
}

static JsonObject *
report (JcHqReportBy by)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcHqStore) store = jc_hq_store_open (hqdir, &error);
  JsonObject *r;

  ck_assert_ptr_nonnull (store);
  r = jc_hq_report_build (store, by, NULL, &error);
  ck_assert_msg (r != NULL, "%s", error ? error->message : "");
  return r;
}

/* Group @name of @r is: findings, amount, recovered, rectified, rate ×10,
 * handed over, overdue. */
static void
assert_group (JsonObject *r, const char *name, gint64 findings_n, gint64 amount, gint64 recovered,
              gint64 rectified, gint64 rate10, gint64 handed, gint64 overdue)
{
  JsonArray *groups = json_object_get_array_member (r, "groups");
  JsonObject *g = NULL;

  if (g_str_equal (name, "total"))
    g = json_object_get_object_member (r, "total");
  for (guint i = 0; g == NULL && i < json_array_get_length (groups); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (groups, i), "group"), name))
      g = json_array_get_object_element (groups, i);
  ck_assert_msg (g != NULL, "no group %s", name);
  ck_assert_int_eq (json_object_get_int_member (g, "findings"), findings_n);
  ck_assert_int_eq (json_object_get_int_member (g, "amount_fen"), amount);
  ck_assert_int_eq (json_object_get_int_member (g, "recovered_fen"), recovered);
  ck_assert_int_eq (json_object_get_int_member (g, "rectified"), rectified);
  ck_assert_int_eq ((gint64) (json_object_get_double_member (g, "rate") * 10 + 0.5), rate10);
  ck_assert_int_eq (json_object_get_int_member (g, "handed_over"), handed);
  ck_assert_int_eq (json_object_get_int_member (g, "overdue"), overdue);
}

START_TEST (test_counts)
{
  g_autoptr(JsonObject) county = report (JC_HQ_REPORT_COUNTY);
  g_autoptr(JsonObject) type = report (JC_HQ_REPORT_TYPE);
  g_autoptr(JsonObject) item = report (JC_HQ_REPORT_ITEM);
  g_autoptr(JsonObject) form = report (JC_HQ_REPORT_FORM);

  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (county, "groups")), 3);
  assert_group (county, "离石区", 3, 125000, 101500, 1, 333, 0, 1);
  assert_group (county, "孝义市", 1, 30000, 0, 0, 0, 1, 0);
  assert_group (county, "unknown", 1, 700, 0, 0, 0, 0, 0);
  assert_group (county, "total", 5, 155700, 101500, 1, 200, 1, 1);
  assert_group (type, "hospital", 2, 105000, 100000, 1, 500, 0, 0);
  assert_group (type, "pharmacy", 3, 50700, 1500, 0, 0, 1, 1);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (item, "groups")), 4);
  assert_group (item, "h21.1.1", 2, 105000, 100000, 1, 500, 0, 0);
  assert_group (item, "h21.1.2", 1, 100000, 100000, 1, 1000, 0, 0);
  assert_group (item, "p21.1.1", 2, 50000, 1500, 0, 0, 1, 1);
  assert_group (item, "p21.1.3", 1, 700, 0, 0, 0, 0, 0);
  assert_group (item, "total", 5, 155700, 101500, 1, 200, 1, 1);
  assert_group (form, "cross", 3, 125000, 101500, 1, 333, 0, 1);
  assert_group (form, "flight", 1, 30000, 0, 0, 0, 1, 0);
  assert_group (form, "daily", 1, 700, 0, 0, 0, 0, 0);
}
END_TEST

/* jiancha-hq --dir HQDIR …, which must succeed: its stdout. */
#define HQ_OK(...) hq_ok (__LINE__, jc_test_hq (hqdir, &hq_out_, &hq_err_, __VA_ARGS__, NULL))
static char *hq_out_, *hq_err_;

static char *
hq_ok (int line, int status)
{
  g_autofree char *err = g_steal_pointer (&hq_err_);

  ck_assert_msg (status == 0, "line %d: jiancha-hq: exit %d: %s", line, status, err);
  return g_steal_pointer (&hq_out_);
}

START_TEST (test_cli_text_csv_json)
{
  g_autofree char *csv = HQ_OK ("report", "--by", "county", "--format", "csv");
  g_autofree char *text = HQ_OK ("report", "--by", "form");
  g_autofree char *json = HQ_OK ("report", "--by", "item", "--format", "json");
  g_autofree char *overdue = HQ_OK ("ledger", "list", "--overdue", "--format", "csv");
  g_autofree char *county = HQ_OK ("ledger", "list", "--county", "孝义市", "--format", "csv");
  g_autofree char *err = NULL, *out = NULL;

  ck_assert_msg (g_str_has_prefix (csv, "\xEF\xBB\xBF" "group,findings,amount,recovered,rectified,rate,"
                                        "handed_over,overdue\r\n"), "%s", csv);
  ck_assert_msg (strstr (csv, "\r\n离石区,3,1250.00,1015.00,1,33.3,0,1\r\n"), "%s", csv);
  ck_assert_msg (strstr (csv, "\r\ntotal,5,1557.00,1015.00,1,20.0,1,1\r\n"), "%s", csv);
  ck_assert_msg (strstr (text, "group: flight\n  findings: 1\n  amount: 300.00\n"), "%s", text);
  ck_assert_msg (strstr (json, "\"by\":\"item\"") && strstr (json, "\"group\":\"h21.1.2\""), "%s", json);
  /* Only entry 3 is overdue; only entry 4 is in 孝义市. */
  ck_assert_msg (strstr (overdue, "\r\n3,rectifying,P1,") && !strstr (overdue, "\r\n1,"), "%s", overdue);
  ck_assert_msg (strstr (county, "\r\n4,police,P2,") && !strstr (county, "\r\n3,"), "%s", county);
  ck_assert_int_ne (jc_test_hq (hqdir, &out, &err, "report", "--format", "xlsx", NULL), 0);
  ck_assert_msg (strstr (err, "--format xlsx needs --out FILE"), "%s", err);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  ck_assert_int_ne (jc_test_hq (hqdir, &out, &err, "report", "--by", "city", NULL), 0);
  ck_assert_msg (strstr (err, "Unknown --by “city”"), "%s", err);
}
END_TEST

START_TEST (test_xlsx_read_back)
{
  g_autofree char *path = g_build_filename (root, "报表.xlsx", NULL);
  g_autofree char *script = g_build_filename (JC_SOURCE_DIR, "tests", "read_xlsx.py", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "/usr/bin/python3", script, path, NULL };

  g_free (HQ_OK ("report", "--by", "county", "--format", "xlsx", "--out", path));
  ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "read_xlsx.py: %s%s", out, err);
  /* openpyxl's values, a row a line, cells joined by |: whole numbers come back as integers. */
  ck_assert_msg (g_str_has_prefix (out, "Problem ledger by county, "), "%s", out);
  ck_assert_msg (strstr (out, "\nGroup|Findings|Amount involved (yuan)|Recovered (yuan)|Rectified|"
                              "Rectification rate (%)|Handed over|Overdue\n"), "%s", out);
  ck_assert_msg (strstr (out, "\n离石区|3|1250|1015|1|33.3|0|1\n"), "%s", out);
  ck_assert_msg (strstr (out, "\n孝义市|1|300|0|0|0|1|0\n"), "%s", out);
  ck_assert_msg (strstr (out, "\ntotal|5|1557|1015|1|20|1|1\n"), "%s", out);
}
END_TEST

START_TEST (test_pdf_renders)
{
  g_autofree char *pdf = g_build_filename (root, "summary.pdf", NULL);
  g_autofree char *png_base = g_build_filename (JC_BUILD_DIR, "tmp", "report-summary", NULL);
  g_autofree char *png = g_strconcat (png_base, ".png", NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL, *fonts = NULL;
  g_autofree char *bytes = NULL;
  gsize len = 0;
  const char *render[] = { "/usr/bin/pdftoppm", "-png", "-r", "80", "-singlefile", pdf, png_base, NULL };
  const char *to_text[] = { "/usr/bin/pdftotext", "-layout", pdf, "-", NULL };
  const char *list_fonts[] = { "/usr/bin/pdffonts", pdf, NULL };

  g_unsetenv ("LANGUAGE");
  g_free (HQ_OK ("report", "--by", "county", "--format", "pdf", "--out", pdf));
  bytes = jc_test_read (pdf, &len);
  ck_assert (len > 1000 && memcmp (bytes, "%PDF-", 5) == 0);
  ck_assert_msg (jc_test_spawn (render, NULL, &out, &err) == 0, "pdftoppm: %s", err);
  g_clear_pointer (&bytes, g_free);
  bytes = jc_test_read (png, &len);
  ck_assert (len > 8 && memcmp (bytes, "\x89PNG", 4) == 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_spawn (to_text, NULL, &text, &err) == 0, "pdftotext: %s", err);
  ck_assert_msg (strstr (text, "离石区") && strstr (text, "孝义市") && strstr (text, "1250.00") &&
                 strstr (text, "33.3") && strstr (text, "1557.00"), "%s", text);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_spawn (list_fonts, NULL, &fonts, &err) == 0, "pdffonts: %s", err);
  ck_assert_msg (strstr (fonts, "NotoSansCJK") != NULL, "%s", fonts);
}
END_TEST

/* The users' language: the headings and the title in Chinese. */
START_TEST (test_pdf_in_chinese)
{
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
  g_autofree char *pdf = g_build_filename (root, "汇总.pdf", NULL);
  g_autofree char *png_base = g_build_filename (JC_BUILD_DIR, "tmp", "report-summary-zh", NULL);
  g_autofree char *localedir = g_build_filename (JC_BUILD_DIR, "po", NULL);
  g_autofree char *env_dir = g_strconcat ("JIANCHA_LOCALEDIR=", localedir, NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  const char *argv[] = { exe, "--dir", hqdir, "report", "--by", "type", "--format", "pdf", "--out", pdf, NULL };
  const char *env[] = { "LANGUAGE=zh_CN", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", env_dir, NULL };
  const char *render[] = { "/usr/bin/pdftoppm", "-png", "-r", "80", "-singlefile", pdf, png_base, NULL };
  const char *to_text[] = { "/usr/bin/pdftotext", "-layout", pdf, "-", NULL };

  ck_assert_msg (jc_test_spawn (argv, env, &out, &err) == 0, "report: %s", err);
  ck_assert_msg (strstr (err, "报表已写入"), "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_spawn (render, NULL, &out, &err) == 0, "pdftoppm: %s", err);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (jc_test_spawn (to_text, NULL, &text, &err) == 0, "pdftotext: %s", err);
  ck_assert_msg (strstr (text, "问题台账汇总（按机构类型）") && strstr (text, "整改率") && strstr (text, "合计") &&
                 strstr (text, "定点医疗机构") && strstr (text, "507.00"), "%s", text);
}
END_TEST

/* What the web dashboard calls: JSON text that parses, with the data. */
START_TEST (test_dashboard_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcHqStore) store = jc_hq_store_open (hqdir, &error);
  JcHqLedgerFilter filter = { .county = "离石区", .has_status = TRUE, .status = JC_HQ_LEDGER_RECTIFYING };
  g_autofree char *list = jc_hq_ledger_list_json (store, &filter, &error);
  g_autofree char *entry = jc_hq_ledger_get_json (store, 1, &error);
  g_autofree char *objections = jc_hq_objections_list_json (store, "open", &error);
  g_autofree char *report = jc_hq_report_json (store, JC_HQ_REPORT_FORM, &error);
  g_autofree char *missing = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *array;
  JsonObject *obj;

  ck_assert_msg (list && entry && objections && report, "%s", error ? error->message : "");
  ck_assert (json_parser_load_from_data (parser, list, -1, NULL));
  array = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "entries");
  ck_assert_uint_eq (json_array_get_length (array), 1);
  obj = json_array_get_object_element (array, 0);
  ck_assert_int_eq (json_object_get_int_member (obj, "id"), 3);
  ck_assert (json_object_get_boolean_member (obj, "overdue"));
  ck_assert_str_eq (json_object_get_string_member (obj, "status_label"), "Rectifying");
  ck_assert (json_parser_load_from_data (parser, entry, -1, NULL));
  obj = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (obj, "status"), "verified");
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (obj, "history")), 4);
  ck_assert (json_parser_load_from_data (parser, objections, -1, NULL));
  array = json_node_get_array (json_parser_get_root (parser));
  ck_assert_uint_eq (json_array_get_length (array), 1);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (array, 0), "reason"), "r");
  ck_assert (json_parser_load_from_data (parser, report, -1, NULL));
  obj = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (obj, "by"), "form");
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj, "total"), "amount"),
                    "1557.00");
  {
    JcHqLedgerFilter page = { .limit = 2, .offset = 1 };
    g_autoptr(JsonArray) rows = jc_hq_ledger_rows (store, &page, &error);

    ck_assert_uint_eq (json_array_get_length (rows), 2);
    ck_assert_int_eq (json_object_get_int_member (json_array_get_object_element (rows, 0), "id"), 2);
    ck_assert_int_eq (json_object_get_int_member (json_array_get_object_element (rows, 1), "id"), 3);
  }
  missing = jc_hq_ledger_get_json (store, 42, &error);
  ck_assert_ptr_null (missing);
  ck_assert_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_NOT_FOUND);
}
END_TEST

static Suite *
report_suite (void)
{
  Suite *suite = suite_create ("report");
  TCase *tc = tcase_create ("report");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_counts);
  tcase_add_test (tc, test_dashboard_json);
  tcase_add_test (tc, test_cli_text_csv_json);
  tcase_add_test (tc, test_xlsx_read_back);
  tcase_add_test (tc, test_pdf_renders);
  tcase_add_test (tc, test_pdf_in_chinese);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  jc_core_init (NULL);
  return jc_test_run (report_suite ());
}

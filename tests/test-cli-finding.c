/* test-cli-finding.c — `finding seal|confirm|list|show|qr|amend` as a script
 * uses them: the id on the last line, every open violation taken and its
 * amounts summed, confirmed / disputed / refused answers, the QR PNG read
 * back by `jiancha-cli verify --png`, by the independent verify_jc1.py and
 * in-process, amendments that keep both findings, errors and exit statuses. */
#include "config.h"

#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

#define PIN "583921"

static char *cli;
static char *workdir;
static char *vault;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  cli = g_build_filename (JC_BUILD_DIR, "src", "cli", "jiancha-cli", NULL);
  workdir = jc_test_tmpdir ("cli-finding");
  vault = g_build_filename (workdir, "vault", NULL);
}

static void
teardown (void)
{
  jc_test_rmtree (workdir);
  g_clear_pointer (&workdir, g_free);
  g_clear_pointer (&vault, g_free);
  g_clear_pointer (&cli, g_free);
}

static const char * const env[] = { "JIANCHA_TEST_FAST_KDF=1", "LC_ALL=C.UTF-8", "LANGUAGE=", "JIANCHA_PIN=" PIN, NULL };

/* Runs jiancha-cli --vault DIR ARGS… with the PIN in the environment. */
static int
run_in (const char *dir, char **out, char **err, ...)
{
  const char * const pin[] = { "JIANCHA_PIN=" PIN, NULL };
  va_list ap;
  int status;

  va_start (ap, err);
  status = jc_test_cli_vaultv (dir, pin, out, err, ap);
  va_end (ap);
  return status;
}

/* The same on this test's vault. */
#define run(...) run_in (vault, __VA_ARGS__)

/* Runs and asserts exit status 0; returns stdout. */
#define RUN_OK(...) run_ok (__LINE__, __VA_ARGS__, NULL)

static char *
run_ok_v (int line, const char *dir, va_list ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  int status;

  g_ptr_array_add (argv, cli);
  g_ptr_array_add (argv, (gpointer) "--vault");
  g_ptr_array_add (argv, (gpointer) dir);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  status = jc_test_spawn ((const char * const *) argv->pdata, env, &out, &err);
  ck_assert_msg (status == 0, "line %d: exit %d: %s", line, status, err);
  return out;
}

static char *
run_ok (int line, ...)
{
  va_list ap;
  char *out;

  va_start (ap, line);
  out = run_ok_v (line, vault, ap);
  va_end (ap);
  return out;
}

/* The same on another device's vault @dir. */
#define RUN_OK_IN(dir, ...) run_ok_in (__LINE__, dir, __VA_ARGS__, NULL)

static char *
run_ok_in (int line, const char *dir, ...)
{
  va_list ap;
  char *out;

  va_start (ap, dir);
  out = run_ok_v (line, dir, ap);
  va_end (ap);
  return out;
}

/* The last non-empty line of @out. */
static char *
last_line (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = g_strv_length (lines);

  while (n > 0 && *lines[n - 1] == '\0')
    n--;
  ck_assert_uint_gt (n, 0);
  return g_strdup (lines[n - 1]);
}

static char *
id_of (char *out)
{
  g_autofree char *owned = out;
  char *id = last_line (owned);

  ck_assert_msg (g_regex_match_simple ("^[0-9a-f]{32}$", id, 0, 0), "last line: %s", id);
  return id;
}

/* A vault and an inspection with violations p21.1.1 (1234.56 yuan, two
 * pieces of evidence), p21.1.2 (0.05), p21.1.3 (100) and p21.1.4 (no
 * amount), and p21.2.1.1 compliant. Returns the inspection id. */
static char *
prepare (void)
{
  g_autofree char *photo = g_build_filename (workdir, "receipt.jpg", NULL);
  g_autofree char *scan = g_build_filename (workdir, "record.pdf", NULL);
  char *id;

  ck_assert (g_file_set_contents (photo, "photo bytes", -1, NULL));
  ck_assert (g_file_set_contents (scan, "%PDF-1.4 scan", -1, NULL));
  g_free (RUN_OK ("vault", "init", "--inspector", "王五"));
  id = id_of (RUN_OK ("inspection", "new", "--institution", "P-0042", "--name", "康民大药房", "--type", "pharmacy",
                      "--form", "cross", "--team", "张三，李四", "--date", "2026-11-24"));
  g_free (RUN_OK ("item", "set", id, "p21.1.1", "--status", "violation", "--note", "串换药品", "--amount", "1234.56",
                  "--evidence", photo, "--evidence", scan));
  g_free (RUN_OK ("item", "set", id, "p21.1.2", "--status", "violation", "--note", "虚假购药", "--amount", "0.05"));
  g_free (RUN_OK ("item", "set", id, "p21.1.3", "--status", "violation", "--note", "超量开药", "--amount", "100"));
  g_free (RUN_OK ("item", "set", id, "p21.1.4", "--status", "violation"));
  g_free (RUN_OK ("item", "set", id, "p21.2.1.1", "--status", "compliant"));
  return id;
}

static char *
out_of_qr_text (const char *finding)
{
  return run_ok (__LINE__, "finding", "qr", finding, "--text", NULL);
}

/* `verify --png`, verify_jc1.py and jc_jc1_decode_verify() all accept the
 * finding's PNG; returns the claims. */
static JcJc1Claims *
check_png (const char *finding, const char *png)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL, *pyout = NULL, *pyerr = NULL;
  g_autofree char *script = g_build_filename (JC_SOURCE_DIR, "tests", "verify_jc1.py", NULL);
  g_autofree char *scanned = NULL, *text = NULL, *fid_json = NULL, *qr_out = NULL;
  JcJc1Claims *claims = NULL;

  g_free (RUN_OK ("finding", "qr", finding, "--png", png));
  ck_assert_msg (run (&out, &err, "verify", "--png", png, NULL) == 0, "verify: %s%s", out, err);
  ck_assert_ptr_nonnull (strstr (out, "P-0042"));
  ck_assert_ptr_nonnull (strstr (out, finding));
  {
    const char *argv[] = { "/usr/bin/python3", script, "--png", png, NULL };

    ck_assert_msg (jc_test_spawn (argv, NULL, &pyout, &pyerr) == 0, "verify_jc1.py: %s", pyerr);
  }
  fid_json = g_strdup_printf ("\"finding_id\": \"%s\"", finding);
  ck_assert_msg (strstr (pyout, fid_json) != NULL, "%s", pyout);

  scanned = jc_qr_decode_png (png, &error);
  ck_assert_msg (scanned != NULL, "%s", error ? error->message : "");
  /* --text prints the same code the PNG holds. */
  qr_out = out_of_qr_text (finding);
  text = last_line (qr_out);
  ck_assert_str_eq (text, scanned);
  ck_assert_msg (jc_jc1_decode_verify (scanned, NULL, &claims, &error), "%s", error ? error->message : "");
  return claims;
}

static char *
hex16 (const guint8 *b)
{
  return jc_device_hex (b, 16);
}

START_TEST (test_seal_three_answers)
{
  g_autofree char *id = prepare ();
  g_autofree char *strokes = g_build_filename (workdir, "strokes.json", NULL);
  g_autofree char *png1 = g_build_filename (workdir, "f1.png", NULL);
  g_autofree char *png2 = g_build_filename (workdir, "f2.png", NULL);
  g_autofree char *png3 = g_build_filename (workdir, "f3.png", NULL);
  g_autofree char *f1 = NULL, *f2 = NULL, *f3 = NULL, *list = NULL, *show = NULL, *tmp = NULL;
  g_autoptr(JcJc1Claims) c1 = NULL;
  g_autoptr(JcJc1Claims) c2 = NULL;
  g_autoptr(JcJc1Claims) c3 = NULL;
  g_autofree char *h1 = NULL, *hi = NULL;

  ck_assert (g_file_set_contents (strokes, "[[[10,20,0.4],[11,22,0.5]]]", -1, NULL));
  /* Disputed: two named items. */
  f2 = id_of (RUN_OK ("finding", "seal", id, "--items", "p21.1.3，p21.1.2", "--facts", "超量开药与虚假购药",
                      "--dispute-name", "王秀英", "--reason", "处方齐全"));
  /* Refused: one more. */
  f3 = id_of (RUN_OK ("finding", "seal", id, "--items", "p21.1.4", "--refused", "--witness", "赵六"));
  /* Confirmed: without --items, whatever is left — p21.1.1 alone. */
  f1 = id_of (RUN_OK ("finding", "seal", id, "--confirm-name", "王秀英", "--confirm-title", "店长",
                      "--signature-strokes", strokes));

  list = RUN_OK ("finding", "list", id);
  ck_assert_ptr_nonnull (strstr (list, f1));
  ck_assert_ptr_nonnull (strstr (list, "confirmed  1234.56 yuan  p21.1.1\n"));
  ck_assert_ptr_nonnull (strstr (list, "disputed  100.05 yuan  p21.1.2,p21.1.3\n"));
  ck_assert_ptr_nonnull (strstr (list, "refused to sign  0.00 yuan  p21.1.4\n"));
  show = RUN_OK ("finding", "show", f1);
  ck_assert_ptr_nonnull (strstr (show, "Representative: 王秀英"));
  ck_assert_ptr_nonnull (strstr (show, "Title: 店长"));
  ck_assert_ptr_nonnull (strstr (show, "Signature strokes: "));
  ck_assert_ptr_nonnull (strstr (show, "Facts: 串换药品"));
  g_free (show);
  show = RUN_OK ("finding", "show", f2);
  ck_assert_ptr_nonnull (strstr (show, "Reason for the dispute: 处方齐全"));
  g_free (show);
  show = RUN_OK ("finding", "show", f3);
  ck_assert_ptr_nonnull (strstr (show, "Witness: 赵六"));

  c1 = check_png (f1, png1);
  c2 = check_png (f2, png2);
  c3 = check_png (f3, png3);
  h1 = hex16 (c1->finding_id);
  hi = hex16 (c1->inspection_id);
  ck_assert_str_eq (h1, f1);
  ck_assert_str_eq (hi, id);
  ck_assert_str_eq (c1->institution_code, "P-0042");
  ck_assert (g_str_has_prefix (c1->checklist, "pharmacy-2021@"));
  ck_assert_str_eq (c1->item_codes[0], "p21.1.1");
  ck_assert_ptr_null (c1->item_codes[1]);
  ck_assert_uint_eq (c1->amount_fen, 123456);
  ck_assert (c1->has_confirmation);
  ck_assert_int_eq (c1->confirmation.status, JC_JC1_STATUS_CONFIRMED);
  ck_assert_str_eq (c1->confirmation.name, "王秀英");
  ck_assert (!c1->has_certificate);
  ck_assert_uint_eq (c2->amount_fen, 10005);
  ck_assert_str_eq (c2->item_codes[0], "p21.1.2");
  ck_assert_str_eq (c2->item_codes[1], "p21.1.3");
  ck_assert_int_eq (c2->confirmation.status, JC_JC1_STATUS_DISPUTED);
  ck_assert_str_eq (c2->confirmation.name, "王秀英");
  ck_assert_uint_eq (c3->amount_fen, 0);
  ck_assert_int_eq (c3->confirmation.status, JC_JC1_STATUS_REFUSED);
  ck_assert_str_eq (c3->confirmation.name, "赵六");
  /* One device signed them all. */
  ck_assert (memcmp (c1->signer_key, c2->signer_key, 32) == 0 && memcmp (c1->signer_key, c3->signer_key, 32) == 0);
  tmp = jc_device_hex (c1->record_sha256, 32);
  {
    g_autofree char *show1 = RUN_OK ("finding", "show", f1);
    g_autofree char *line = g_strdup_printf ("Record SHA-256: %s", tmp);

    ck_assert_msg (strstr (show1, line) != NULL, "%s", show1);
  }

  /* The findings sheet: page 1 at 150 dpi carries the first finding's code. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *pdf = g_build_filename (workdir, "sheet.pdf", NULL);
    g_autofree char *prefix = g_build_filename (workdir, "sheet", NULL);
    g_autofree char *page1 = g_build_filename (workdir, "sheet-1.png", NULL);
    g_autofree char *qr_out = out_of_qr_text (f2);
    g_autofree char *first = last_line (qr_out);
    g_autofree char *out = NULL, *err = NULL;
    const char *argv[] = { "/usr/bin/pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", pdf, prefix, NULL };
    g_auto(GStrv) found = NULL;
    cairo_surface_t *surface;

    g_free (RUN_OK ("report", "pdf", id, "--out", pdf));
    ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "pdftoppm: %s", err);
    surface = cairo_image_surface_create_from_png (page1);
    found = jc_qr_scan_surface (surface, &error);
    cairo_surface_destroy (surface);
    ck_assert_msg (found != NULL, "%s", error ? error->message : "");
    ck_assert (g_strv_contains ((const char * const *) found, first));
  }
}
END_TEST

START_TEST (test_seal_later_confirm_amend)
{
  g_autofree char *id = prepare ();
  g_autofree char *png = g_build_filename (workdir, "amended.png", NULL);
  g_autofree char *old = NULL, *amended = NULL, *list = NULL, *out = NULL, *err = NULL;
  g_autoptr(JcJc1Claims) c = NULL;

  /* Every open violation, amounts summed; no answer yet. */
  old = id_of (RUN_OK ("finding", "seal", id));
  list = RUN_OK ("finding", "list", id);
  ck_assert_ptr_nonnull (strstr (list, "not confirmed  1334.61 yuan  p21.1.1,p21.1.2,p21.1.3,p21.1.4\n"));
  g_clear_pointer (&list, g_free);

  amended = id_of (RUN_OK ("finding", "amend", old, "--items", "p21.1.1,p21.1.3", "--facts", "更正后的事实"));
  ck_assert_str_ne (amended, old);
  list = RUN_OK ("finding", "list", id);
  ck_assert_ptr_nonnull (strstr (list, "superseded  1334.61 yuan  p21.1.1,p21.1.2,p21.1.3,p21.1.4\n"));
  ck_assert_ptr_nonnull (strstr (list, "not confirmed  1334.56 yuan  p21.1.1,p21.1.3\n"));
  ck_assert_ptr_nonnull (strstr (list, amended));

  /* The old one stays as it was sealed, and can be neither amended nor answered. */
  ck_assert_int_eq (run (&out, &err, "finding", "amend", old, "--facts", "再改", NULL), 1);
  ck_assert_ptr_nonnull (strstr (err, "superseded"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run (&out, &err, "finding", "confirm", old, "--confirm-name", "王秀英", NULL), 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_free (RUN_OK ("finding", "confirm", amended, "--dispute-name", "王秀英", "--reason", "金额有误"));
  ck_assert_int_eq (run (&out, &err, "finding", "confirm", amended, "--confirm-name", "王秀英", NULL), 1);
  ck_assert_ptr_nonnull (strstr (err, "already"));
  c = check_png (amended, png);
  ck_assert_uint_eq (c->amount_fen, 133456);
  ck_assert_int_eq (c->confirmation.status, JC_JC1_STATUS_DISPUTED);

  /* p21.1.2 and p21.1.4 are open again. */
  g_free (out);
  out = RUN_OK ("finding", "seal", id, "--confirm-name", "王秀英");
  g_free (list);
  list = RUN_OK ("finding", "list", id);
  ck_assert_ptr_nonnull (strstr (list, "confirmed  0.05 yuan  p21.1.2,p21.1.4\n"));
}
END_TEST

START_TEST (test_errors)
{
  g_autofree char *id = prepare ();
  g_autofree char *list = NULL, *f = NULL;
  g_autofree char *pdf = g_build_filename (workdir, "sheet.pdf", NULL);
  static const struct {
    int status;
    const char *args[8];
    const char *message;
  } cases[] = {
    { 2, { "finding", "seal", NULL }, "finding seal INSPECTION" },
    { 2, { "finding", "seal", "X", "--reason", "r", NULL }, "--reason" },
    { 2, { "finding", "seal", "X", "--dispute-name", "n", NULL }, "--reason" },
    { 2, { "finding", "seal", "X", "--refused", NULL }, "--witness" },
    { 2, { "finding", "seal", "X", "--confirm-name", "a", "--refused", NULL }, "only one" },
    { 2, { "finding", "seal", "X", "--items", " , ", NULL }, "--items" },
    { 2, { "finding", "seal", "X", "--amount", "1.234", NULL }, "--amount" },
    { 2, { "finding", "qr", "X", NULL }, "--png" },
    { 2, { "finding", "qr", "X", "--text", "--png", "a.png", NULL }, "--png" },
    { 2, { "finding", "confirm", "X", NULL }, "--confirm-name" },
    { 2, { "finding", "amend", "X", NULL }, "Nothing to amend" },
    { 2, { "finding", "frobnicate", NULL }, "frobnicate" },
    { 2, { "report", "pdf", "X", NULL }, "--out" },
    { 1, { "report", "pdf", "@ID", "--out", "@PDF", NULL }, "no finding to print" },
    { 1, { "finding", "seal", "0123456789abcdef0123456789abcdef", NULL }, "no inspection" },
    { 1, { "finding", "seal", "@ID", "--items", "p99.1", NULL }, "p99.1" },
    { 1, { "finding", "seal", "@ID", "--items", "p21.2.1.1", NULL }, "not marked a violation" },
    { 1, { "finding", "seal", "@ID", "--items", "p21.1.5", NULL }, "not marked a violation" },
    { 1, { "finding", "seal", "@ID", "--confirm-name", "王秀英", "--signature-strokes", "/nonexistent/s", NULL },
      "/nonexistent/s" },
    { 1, { "finding", "qr", "ffffffffffffffffffffffffffffffff", "--text", NULL }, "no finding" },
    { 1, { "finding", "show", "nothex", NULL }, "not a finding id" },
    { 1, { "finding", "list", "0123456789abcdef0123456789abcdef", NULL }, "no inspection" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL, *err = NULL;
      int status;

      g_ptr_array_add (argv, cli);
      g_ptr_array_add (argv, (gpointer) "--vault");
      g_ptr_array_add (argv, vault);
      for (guint k = 0; cases[i].args[k] != NULL; k++)
        g_ptr_array_add (argv, g_str_equal (cases[i].args[k], "@ID") ? id
                               : g_str_equal (cases[i].args[k], "@PDF") ? pdf : (gpointer) cases[i].args[k]);
      g_ptr_array_add (argv, NULL);
      status = jc_test_spawn ((const char * const *) argv->pdata, env, &out, &err);
      ck_assert_msg (status == cases[i].status, "case %u: exit %d, not %d: %s", i, status, cases[i].status, err);
      ck_assert_msg (strstr (err, cases[i].message) != NULL, "case %u: “%s” not in: %s", i, cases[i].message, err);
    }
  /* Nothing was sealed or written by any of them. */
  ck_assert (!g_file_test (pdf, G_FILE_TEST_EXISTS));
  list = RUN_OK ("finding", "list", id);
  ck_assert_str_eq (list, "No findings yet.\n");

  /* An item sealed once is not sealed twice; nothing left: exit 1. */
  f = id_of (RUN_OK ("finding", "seal", id, "--items", "p21.1.1"));
  {
    g_autofree char *out = NULL, *err = NULL;

    ck_assert_int_eq (run (&out, &err, "finding", "seal", id, "--items", "p21.1.1", NULL), 1);
    ck_assert_msg (strstr (err, f) != NULL, "%s", err);
  }
  g_free (RUN_OK ("finding", "seal", id));
  {
    g_autofree char *out = NULL, *err = NULL;

    ck_assert_int_eq (run (&out, &err, "finding", "seal", id, NULL), 1);
    ck_assert_ptr_nonnull (strstr (err, "no violation"));
  }
}
END_TEST

/* Way 2 between two vaults: the inspector's finding PNG answered by the
 * institution's `ack make`, recorded by `finding ack-scan`; the final code
 * carries the institution's key and signature. */
START_TEST (test_institution_ack)
{
  g_autofree char *id = prepare ();
  g_autofree char *inst = g_build_filename (workdir, "institution", NULL);
  g_autofree char *fpng = g_build_filename (workdir, "finding.png", NULL);
  g_autofree char *apng = g_build_filename (workdir, "ack.png", NULL);
  g_autofree char *final_png = g_build_filename (workdir, "final.png", NULL);
  g_autofree char *script = g_build_filename (JC_SOURCE_DIR, "tests", "verify_jc1.py", NULL);
  g_autofree char *f1 = NULL, *f2 = NULL, *made = NULL, *scanned = NULL, *verified = NULL, *show = NULL;
  g_autofree char *dispute = NULL, *ack_text = NULL, *pyout = NULL, *pyerr = NULL, *out = NULL, *err = NULL;

  f1 = id_of (RUN_OK ("finding", "seal", id, "--items", "p21.1.1"));
  f2 = id_of (RUN_OK ("finding", "seal", id, "--items", "p21.1.2"));
  g_free (RUN_OK ("finding", "qr", f1, "--png", fpng));

  /* The institution's device, its own vault and key. */
  g_free (RUN_OK_IN (inst, "vault", "init", "--inspector", "王秀英"));
  made = RUN_OK_IN (inst, "ack", "make", "--finding-png", fpng, "--confirm", "--name", "王秀英", "--title", "店长",
                    "--png", apng);
  ck_assert_msg (strstr (made, "P-0042") != NULL, "%s", made);
  ck_assert_msg (strstr (made, "1234.56") != NULL, "%s", made);
  ck_assert_msg (strstr (made, "p21.1.1 ") != NULL, "%s", made);

  /* The institution's device keeps its copy in its signed log. */
  {
    g_autofree char *log = RUN_OK_IN (inst, "log", "show");

    ck_assert_msg (strstr (log, "finding.acknowledge") != NULL, "%s", log);
  }
  /* `verify` reads an acknowledgment too. */
  g_free (verified);
  verified = RUN_OK ("verify", "--png", apng);
  ck_assert_msg (strstr (verified, "VALID: an acknowledgment") != NULL && strstr (verified, "店长") != NULL,
                 "%s", verified);
  g_clear_pointer (&verified, g_free);

  /* Wrong prefix: the finding's own code is not an acknowledgment. */
  ck_assert_int_eq (run (&out, &err, "finding", "ack-scan", f1, "--png", fpng, NULL), 1);
  ck_assert_msg (strstr (err, "JCA1:") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* An answer to f1 is not one to f2. */
  ck_assert_int_eq (run (&out, &err, "finding", "ack-scan", f2, "--png", apng, NULL), 1);
  ck_assert_msg (strstr (err, "answers finding") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  scanned = RUN_OK ("finding", "ack-scan", f1, "--png", apng);
  ck_assert_msg (strstr (scanned, "王秀英") != NULL && strstr (scanned, "Recorded") != NULL, "%s", scanned);
  show = RUN_OK ("finding", "show", f1);
  ck_assert_msg (strstr (show, "Institution key (countersigned)") != NULL, "%s", show);
  ck_assert_msg (strstr (show, "店长") != NULL, "%s", show);
  /* Once only. */
  ck_assert_int_eq (run (&out, &err, "finding", "ack-scan", f1, "--png", apng, NULL), 1);
  ck_assert_msg (strstr (err, "already") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_free (RUN_OK ("finding", "qr", f1, "--png", final_png));
  verified = RUN_OK ("verify", "--png", final_png);
  ck_assert_msg (strstr (verified, "signed with the institution’s key") != NULL, "%s", verified);
  {
    const char *argv[] = { "/usr/bin/python3", script, "--png", final_png, NULL };

    ck_assert_msg (jc_test_spawn (argv, NULL, &pyout, &pyerr) == 0, "verify_jc1.py: %s", pyerr);
  }
  ck_assert_msg (strstr (pyout, "\"institution_signature_verified\": true") != NULL, "%s", pyout);

  /* A dispute, as text both ways; and its usage errors. */
  g_free (RUN_OK ("finding", "qr", f2, "--png", fpng));
  ck_assert_int_eq (run_in (inst, &out, &err, "ack", "make", "--finding-png", fpng, "--dispute", "--name", "王秀英",
                            "--text", NULL), 2);
  ck_assert_msg (strstr (err, "--reason") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  dispute = RUN_OK_IN (inst, "ack", "make", "--finding-png", fpng, "--dispute", "--reason", "处方齐全",
                       "--name", "王秀英", "--text");
  ack_text = last_line (dispute);
  ck_assert_msg (g_str_has_prefix (ack_text, "JCA1:"), "%s", ack_text);
  g_free (RUN_OK ("finding", "ack-scan", f2, "--text", ack_text));
  g_free (show);
  show = RUN_OK ("finding", "show", f2);
  ck_assert_msg (strstr (show, "处方齐全") != NULL && strstr (show, "disputed") != NULL, "%s", show);
}
END_TEST

static Suite *
cli_finding_suite (void)
{
  Suite *s = suite_create ("cli-finding");
  TCase *tc = tcase_create ("cli-finding");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_seal_three_answers);
  tcase_add_test (tc, test_seal_later_confirm_amend);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_institution_ack);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (cli_finding_suite ());
}

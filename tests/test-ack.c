/* test-ack.c — the institution's acknowledgment (JCA1) between two real
 * vaults: the inspector's finding QR scanned by the institution's device,
 * answered, the answer's QR scanned back and recorded, the finding's JC1
 * then carrying claims 12.4/12.5 (checked by the codec and by the
 * independent Python verifier); and every way it must fail: a tampered
 * answer, an answer to another finding or another version of it, a second
 * answer, the wrong prefix, a dispute without a reason. */
#include "config.h"

#include <sodium.h>
#include <string.h>
#include <zlib.h>

#include "jc-ack.h"
#include "jc-core.h"
#include "jc-test.h"

#define PIN "583921"

static char *workdir;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  workdir = jc_test_tmpdir ("ack");
}

static void
teardown (void)
{
  jc_test_rmtree (workdir);
  g_clear_pointer (&workdir, g_free);
}

static JcVault *
create_vault (const char *name, const char *user)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (workdir, name, NULL);
  JcVault *vault = jc_vault_new (dir);

  ck_assert_msg (jc_vault_create (vault, PIN, user, NULL, &error), "create: %s", error ? error->message : "");
  return vault;
}

/* An inspection of P-0077 with two violations and a finding for each;
 * returns the finding ids. */
static void
seal_two (JcVault *vault, char **first, char **second)
{
  static const char * const team[] = { "张三", NULL };
  static const char * const one[] = { "p21.1.1", NULL };
  static const char * const two[] = { "p21.1.3", NULL };
  g_autoptr(GError) error = NULL;
  JcInspectionSpec spec = {
    .institution_code = "P-0077", .institution_name = "康民大药房",
    .institution_type = JC_INSTITUTION_PHARMACY, .form = JC_INSPECTION_FORM_CROSS,
    .team = team, .date = "2026-12-01",
  };
  g_autofree char *id = jc_inspection_create (vault, NULL, &spec, &error);
  JcItemUpdate u = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION, .set_amount = TRUE, .amount_fen = 12345 };
  JcFindingSpec f1 = { .inspection_id = id, .items = one, .facts = "串换药品" };
  JcFindingSpec f2 = { .inspection_id = id, .items = two, .facts = "超量开药" };

  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert (jc_inspection_set_item (vault, NULL, id, "p21.1.1", &u, &error));
  ck_assert (jc_inspection_set_item (vault, NULL, id, "p21.1.3", &u, &error));
  *first = jc_finding_seal (vault, NULL, &f1, NULL, &error);
  ck_assert_msg (*first != NULL, "%s", error ? error->message : "");
  *second = jc_finding_seal (vault, NULL, &f2, NULL, &error);
  ck_assert_msg (*second != NULL, "%s", error ? error->message : "");
}

/* The finding's QR as the institution's camera would see it: a PNG, zbar. */
static JcJc1Claims *
scan_finding (JcVault *vault, const char *fid, char **out_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL, *png = g_build_filename (workdir, "finding.png", NULL);
  g_autofree char *scanned = NULL;
  JcJc1Claims *claims = NULL;

  ck_assert_msg (jc_finding_to_jc1 (vault, fid, &text, &error), "%s", error ? error->message : "");
  ck_assert (jc_qr_write_png (text, png, 3, &error));
  scanned = jc_qr_decode_png (png, &error);
  ck_assert_msg (scanned != NULL, "zbar: %s", error ? error->message : "");
  ck_assert_str_eq (scanned, text);
  ck_assert_msg (jc_jc1_decode_verify (scanned, NULL, &claims, &error), "%s", error ? error->message : "");
  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);
  return claims;
}

static char *tamper (const char *text, gsize offset_from_end);

static const guint8 *
secret_key (JcVault *vault)
{
  return jc_device_get_secret_key (jc_vault_get_device (vault));
}

START_TEST (test_round_trip)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) inspector = create_vault ("inspector", "张三");
  g_autoptr(JcVault) institution = create_vault ("institution", "王秀英");
  g_autofree char *fid = NULL, *other = NULL, *ack_text = NULL, *scanned = NULL, *recorded = NULL;
  g_autofree char *final = NULL, *described = NULL, *out = NULL, *err = NULL;
  g_autofree char *png = g_build_filename (workdir, "ack.png", NULL);
  g_autofree char *script = g_build_filename (g_getenv ("JIANCHA_SOURCE_DIR"), "tests", "verify_jc1.py", NULL);
  g_autofree char *key_hex = NULL, *key_json = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autoptr(JcJc1Claims) after = NULL;
  g_autoptr(JcAck) ack = NULL;
  g_autoptr(JcFinding) f = NULL;
  const guint8 *ipk = jc_device_get_public_key (jc_vault_get_device (institution));

  seal_two (inspector, &fid, &other);
  claims = scan_finding (inspector, fid, NULL);

  /* The institution reads it in words: the item's text from the checklist. */
  described = jc_finding_describe_claims (claims, NULL);
  ck_assert_msg (strstr (described, "P-0077") != NULL, "%s", described);
  ck_assert_msg (strstr (described, "p21.1.1 ") != NULL, "%s", described);
  ck_assert_msg (strstr (described, "123.45") != NULL, "%s", described);

  ack_text = jc_ack_make (claims, JC_JC1_STATUS_CONFIRMED, " 王秀英 ", "店长", "ignored", secret_key (institution), &error);
  ck_assert_msg (ack_text != NULL, "ack: %s", error ? error->message : "");
  ck_assert (g_str_has_prefix (ack_text, JC_ACK_PREFIX));
  g_print ("JCA1 acknowledgment: %zu characters\n", strlen (ack_text));
  ck_assert_uint_le (strlen (ack_text), 600);

  /* Back to the inspector as a QR image. */
  ck_assert (jc_qr_write_png (ack_text, png, 3, &error));
  scanned = jc_qr_decode_png (png, &error);
  ck_assert_msg (scanned != NULL, "zbar: %s", error ? error->message : "");
  ck_assert_str_eq (scanned, ack_text);
  ack = jc_ack_decode_verify (scanned, &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (ack->status, JC_JC1_STATUS_CONFIRMED);
  ck_assert_str_eq (ack->name, "王秀英");
  ck_assert_str_eq (ack->title, "店长");
  ck_assert_ptr_null (ack->reason);
  ck_assert (memcmp (ack->institution_key, ipk, 32) == 0);
  ck_assert (memcmp (ack->record_sha256, claims->record_sha256, 32) == 0);

  /* The independent verifier accepts the acknowledgment too, and a
   * flipped bit in it not. */
  {
    g_autofree char *ack_out = NULL, *ack_err = NULL, *bad = tamper (scanned, 0);
    const char *argv[] = { "/usr/bin/python3", script, "--text", scanned, NULL };
    const char *bad_argv[] = { "/usr/bin/python3", script, "--text", bad, NULL };
    g_autofree char *name_json = g_strdup ("\"name\": \"王秀英\"");

    ck_assert_msg (jc_test_spawn (argv, NULL, &ack_out, &ack_err) == 0, "verify_jc1.py: %s", ack_err);
    ck_assert_msg (strstr (ack_out, name_json) != NULL, "%s", ack_out);
    ck_assert_msg (strstr (ack_out, "\"status\": \"confirmed\"") != NULL, "%s", ack_out);
    g_clear_pointer (&ack_out, g_free);
    g_clear_pointer (&ack_err, g_free);
    ck_assert_int_eq (jc_test_spawn (bad_argv, NULL, &ack_out, &ack_err), 1);
    ck_assert_msg (strstr (ack_err, "bad signature") != NULL, "%s", ack_err);
  }

  ck_assert_msg (jc_finding_record_ack (inspector, NULL, scanned, &recorded, &error), "record: %s",
                 error ? error->message : "");
  ck_assert_str_eq (recorded, fid);
  f = jc_finding_get (inspector, fid, &error);
  ck_assert (f->confirmed && f->confirm_countersigned);
  ck_assert_str_eq (f->confirm_name, "王秀英");
  ck_assert_str_eq (f->confirm_title, "店长");
  ck_assert (memcmp (f->confirm_institution_key, ipk, 32) == 0);

  /* The finding's JC1 now carries both parties: 12.4 and 12.5 verify. */
  ck_assert (jc_finding_to_jc1 (inspector, fid, &final, &error));
  ck_assert_msg (jc_jc1_decode_verify (final, NULL, &after, &error), "%s", error ? error->message : "");
  ck_assert (after->has_confirmation);
  ck_assert (after->confirmation.has_institution_key && after->confirmation.has_institution_signature);
  ck_assert (memcmp (after->confirmation.institution_key, ipk, 32) == 0);
  ck_assert_str_eq (after->confirmation.name, "王秀英");
  g_print ("JC1 with the institution's key and signature: %zu characters\n", strlen (final));
  {
    const char *argv[] = { "/usr/bin/python3", script, "--text", final, NULL };

    ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "verify_jc1.py: %s", err);
  }
  key_hex = g_malloc (65);
  sodium_bin2hex (key_hex, 65, ipk, 32);
  key_json = g_strdup_printf ("\"institution_key\": \"%s\"", key_hex);
  ck_assert_msg (strstr (out, key_json) != NULL, "%s", out);
  ck_assert_msg (strstr (out, "\"institution_signature_verified\": true") != NULL, "%s", out);

  /* The answer is an event: rebuilt projections keep the countersignature. */
  g_clear_pointer (&f, jc_finding_free);
  ck_assert (jc_eventlog_rebuild_projections (jc_vault_get_eventlog (inspector), &error));
  f = jc_finding_get (inspector, fid, &error);
  ck_assert (f->confirm_countersigned);
  ck_assert (memcmp (f->confirm_institution_key, ipk, 32) == 0);

  /* Only one answer per finding. */
  ck_assert (!jc_finding_record_ack (inspector, NULL, scanned, NULL, &error));
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY);
  g_clear_error (&error);
  /* A finding that already carries an answer is not answered again. */
  g_clear_pointer (&after, jc_jc1_claims_free);
  ck_assert (jc_jc1_decode_verify (final, NULL, &after, &error));
  ck_assert_ptr_null (jc_ack_make (after, JC_JC1_STATUS_CONFIRMED, "王秀英", NULL, NULL, secret_key (institution), &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER);
}
END_TEST

START_TEST (test_dispute)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) inspector = create_vault ("inspector", "张三");
  g_autoptr(JcVault) institution = create_vault ("institution", "王秀英");
  g_autofree char *fid = NULL, *other = NULL, *ack_text = NULL, *final = NULL, *words = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autoptr(JcJc1Claims) after = NULL;
  g_autoptr(JcAck) ack = NULL;
  g_autoptr(JcFinding) f = NULL;

  seal_two (inspector, &fid, &other);
  claims = scan_finding (inspector, other, NULL);

  ck_assert_ptr_null (jc_ack_make (claims, JC_JC1_STATUS_DISPUTED, "王秀英", NULL, "  ", secret_key (institution), &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER);
  g_clear_error (&error);
  ck_assert_ptr_null (jc_ack_make (claims, JC_JC1_STATUS_CONFIRMED, "", NULL, NULL, secret_key (institution), &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER);
  g_clear_error (&error);
  ck_assert_ptr_null (jc_ack_make (claims, JC_JC1_STATUS_REFUSED, "王秀英", NULL, NULL, secret_key (institution), &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER);
  g_clear_error (&error);

  ack_text = jc_ack_make (claims, JC_JC1_STATUS_DISPUTED, "王秀英", NULL, "处方齐全，不是超量", secret_key (institution), &error);
  ck_assert_msg (ack_text != NULL, "%s", error ? error->message : "");
  ack = jc_ack_decode_verify (ack_text, &error);
  words = jc_ack_describe (ack);
  ck_assert_msg (strstr (words, "处方齐全，不是超量") != NULL, "%s", words);
  ck_assert_ptr_null (ack->title);

  ck_assert_msg (jc_finding_record_ack (inspector, other, ack_text, NULL, &error), "%s", error ? error->message : "");
  f = jc_finding_get (inspector, other, &error);
  ck_assert_int_eq (f->confirm_status, JC_JC1_STATUS_DISPUTED);
  ck_assert_str_eq (f->confirm_reason, "处方齐全，不是超量");
  ck_assert (jc_finding_to_jc1 (inspector, other, &final, &error));
  ck_assert (jc_jc1_decode_verify (final, NULL, &after, &error));
  ck_assert_int_eq (after->confirmation.status, JC_JC1_STATUS_DISPUTED);
  ck_assert (after->confirmation.has_institution_signature);
}
END_TEST

static gboolean
find_acknowledge (const JcEvent *event, gpointer user_data, GError **error)
{
  GPtrArray *bodies = user_data;

  if (g_str_equal (jc_event_get_kind (event), "finding.acknowledge"))
    g_ptr_array_add (bodies, g_strdup (jc_event_get_body (event)));
  return TRUE;
}

/* On the institution's device, through the vault: the finding verified,
 * the answer signed with the device key, and the institution's copy kept
 * as an event; a code that does not verify signs and records nothing. */
START_TEST (test_institution_copy)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) inspector = create_vault ("inspector", "张三");
  g_autoptr(JcVault) institution = create_vault ("institution", "王秀英");
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *fid = NULL, *other = NULL, *code = NULL, *ack_text = NULL, *broken = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autoptr(JcAck) ack = NULL;

  seal_two (inspector, &fid, &other);
  claims = scan_finding (inspector, fid, &code);
  ack_text = jc_finding_acknowledge (institution, code, JC_JC1_STATUS_CONFIRMED, "王秀英", "店长", NULL, &error);
  ck_assert_msg (ack_text != NULL, "%s", error ? error->message : "");
  ack = jc_ack_decode_verify (ack_text, &error);
  ck_assert (memcmp (ack->institution_key, jc_device_get_public_key (jc_vault_get_device (institution)), 32) == 0);
  ck_assert (jc_finding_record_ack (inspector, fid, ack_text, NULL, &error));

  ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (institution), NULL, 0, find_acknowledge, bodies, &error));
  ck_assert_uint_eq (bodies->len, 1);
  ck_assert_msg (strstr (bodies->pdata[0], ack_text) != NULL, "%s", (char *) bodies->pdata[0]);
  ck_assert_msg (strstr (bodies->pdata[0], code) != NULL, "%s", (char *) bodies->pdata[0]);
  ck_assert_msg (strstr (bodies->pdata[0], fid) != NULL, "%s", (char *) bodies->pdata[0]);
  /* The projections pass over it; the vault checks out. */
  ck_assert_msg (jc_eventlog_rebuild_projections (jc_vault_get_eventlog (institution), &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (jc_vault_verify (institution, NULL, NULL, &error), "%s", error ? error->message : "");

  /* A finding code altered in transit: nothing signed, nothing kept. */
  broken = g_strdup (code);
  broken[strlen (broken) - 3] = broken[strlen (broken) - 3] == 'A' ? 'B' : 'A';
  ck_assert_ptr_null (jc_finding_acknowledge (institution, broken, JC_JC1_STATUS_CONFIRMED, "王秀英", NULL, NULL, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (error->domain == JC_JC1_ERROR, "%s", error->message);
  g_clear_error (&error);
  g_ptr_array_set_size (bodies, 0);
  ck_assert (jc_eventlog_foreach (jc_vault_get_eventlog (institution), NULL, 0, find_acknowledge, bodies, &error));
  ck_assert_uint_eq (bodies->len, 1);
}
END_TEST

/* Base45 → inflate → flip one byte at @offset from the end → deflate → Base45. */
static char *
tamper (const char *text, gsize offset_from_end)
{
  g_autoptr(GError) error = NULL;
  gsize zlen;
  g_autofree guint8 *z = jc_base45_decode (text + strlen (JC_ACK_PREFIX), strlen (text + strlen (JC_ACK_PREFIX)),
                                           &zlen, &error);
  guint8 raw[4096], packed[4096];
  uLongf rlen = sizeof raw, plen = sizeof packed;
  g_autofree char *b45 = NULL;

  ck_assert_ptr_nonnull (z);
  ck_assert_int_eq (uncompress (raw, &rlen, z, zlen), Z_OK);
  ck_assert_uint_gt (rlen, offset_from_end);
  raw[rlen - 1 - offset_from_end] ^= 0x01;
  ck_assert_int_eq (compress2 (packed, &plen, raw, rlen, 9), Z_OK);
  b45 = jc_base45_encode (packed, plen);
  return g_strconcat (JC_ACK_PREFIX, b45, NULL);
}

START_TEST (test_refusals)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) inspector = create_vault ("inspector", "张三");
  g_autoptr(JcVault) institution = create_vault ("institution", "王秀英");
  g_autofree char *fid = NULL, *other = NULL, *ack_text = NULL, *finding_text = NULL;
  g_autofree char *bad_sig = NULL, *bad_body = NULL, *stale = NULL, *amended = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autoptr(JcJc1Claims) changed = NULL;
  g_autoptr(JcFinding) f = NULL;

  seal_two (inspector, &fid, &other);
  claims = scan_finding (inspector, fid, &finding_text);
  ack_text = jc_ack_make (claims, JC_JC1_STATUS_CONFIRMED, "王秀英", NULL, NULL, secret_key (institution), &error);
  ck_assert_ptr_nonnull (ack_text);

  /* Wrong prefix, both ways round. */
  ck_assert (!jc_finding_record_ack (inspector, fid, finding_text, NULL, &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_PREFIX);
  ck_assert_msg (strstr (error->message, "JCA1:") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!jc_jc1_decode_verify (ack_text, NULL, NULL, &error));
  ck_assert_error (error, JC_JC1_ERROR, JC_JC1_ERROR_PREFIX);
  g_clear_error (&error);

  /* Tampered: the last byte is the COSE signature's; a byte in the middle
   * is the payload's (the answer itself). */
  bad_sig = tamper (ack_text, 0);
  ck_assert_ptr_null (jc_ack_decode_verify (bad_sig, &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_SIGNATURE);
  g_clear_error (&error);
  ck_assert (!jc_finding_record_ack (inspector, fid, bad_sig, NULL, &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_SIGNATURE);
  g_clear_error (&error);
  bad_body = tamper (ack_text, 120);
  ck_assert_ptr_null (jc_ack_decode_verify (bad_body, &error));
  ck_assert_msg (error != NULL && error->domain == JC_ACK_ERROR, "no ack error");
  g_clear_error (&error);
  /* Garbage after the prefix: a Base45 error, in words. */
  ck_assert_ptr_null (jc_ack_decode_verify ("JCA1:abc", &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_INVALID);
  g_clear_error (&error);

  /* An answer to another finding. */
  ck_assert (!jc_finding_record_ack (inspector, other, ack_text, NULL, &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_MISMATCH);
  ck_assert_msg (strstr (error->message, fid) != NULL && strstr (error->message, other) != NULL, "%s", error->message);
  g_clear_error (&error);

  /* An answer to another version of this finding (claim 9 differs). */
  changed = jc_jc1_claims_copy (claims);
  changed->record_sha256[0] ^= 0xff;
  stale = jc_ack_make (changed, JC_JC1_STATUS_CONFIRMED, "王秀英", NULL, NULL, secret_key (institution), &error);
  ck_assert (!jc_finding_record_ack (inspector, NULL, stale, NULL, &error));
  ck_assert_error (error, JC_ACK_ERROR, JC_ACK_ERROR_MISMATCH);
  g_clear_error (&error);

  /* An answer to a finding amended since: the old one is superseded. */
  amended = jc_finding_amend (inspector, NULL, fid, NULL, "串换药品（更正）", &error);
  ck_assert_ptr_nonnull (amended);
  ck_assert (!jc_finding_record_ack (inspector, NULL, ack_text, NULL, &error));
  ck_assert_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY);
  g_clear_error (&error);

  /* Nothing of that was recorded. */
  f = jc_finding_get (inspector, other, &error);
  ck_assert (!f->confirmed);
}
END_TEST

static Suite *
ack_suite (void)
{
  Suite *s = suite_create ("ack");
  TCase *tc = tcase_create ("ack");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_dispute);
  tcase_add_test (tc, test_institution_copy);
  tcase_add_test (tc, test_refusals);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (ack_suite ());
}

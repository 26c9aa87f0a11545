/* finding.c — bench-finding: sealing a finding and its JC1 QR code
 *
 * On a real, encrypted vault, findings of 1, 5 and 12 violation items of
 * the hospital list (each with a note, an amount and a piece of evidence):
 *   - seal (jc_finding_amend: the same work as a seal, repeatable) and
 *     then the QR code (jc_finding_to_jc1 + jc_qr_encode_matrix), against
 *     the baseline of one raw Ed25519 signature measured in the same run;
 *   - verification (jc_jc1_decode_verify) against one raw Ed25519 verify;
 *   - the institution's acknowledgment (jc_ack_make: two signatures) and
 *     its check (jc_ack_decode_verify: two verifies), against the same;
 *   - the QR text length, and the finding's once it carries claims 12.4/12.5.
 * Prints medians and ratios, never a bare time alone.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc-bench.h"
#include "jc-core.h"

#define N_RUNS 101

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-finding-XXXXXX", &error);
  g_autofree char *vault_dir = NULL, *photo = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JcBlobInfo) info = NULL;
  JcInspectionSpec spec = {
    .institution_code = "H14110200123", .institution_name = "市第一人民医院",
    .institution_type = JC_INSTITUTION_HOSPITAL, .level = 3, .form = JC_INSPECTION_FORM_CROSS,
    .date = "2026-11-24", .checklist = "hospital-2021",
  };
  const guint sizes[] = { 1, 5, 12 };
  guint8 pk[32], sk[64], sig[64], msg[64];
  double samples[N_RUNS], t_sign, t_verify;

  if (dir == NULL || !jc_core_init (&error))
    g_error ("%s", error ? error->message : "init");
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  vault_dir = g_build_filename (dir, "vault", NULL);
  photo = g_build_filename (dir, "photo.jpg", NULL);
  vault = jc_vault_new (vault_dir);
  if (!jc_vault_create (vault, "583921", "张三", NULL, &error) ||
      !g_file_set_contents (photo, "a photo of a receipt", -1, &error) ||
      (info = jc_vault_add_evidence (vault, photo, NULL, NULL, &error)) == NULL)
    g_error ("%s", error->message);

  /* Baselines: one raw Ed25519 sign and verify of a 64-byte message. */
  crypto_sign_keypair (pk, sk);
  randombytes_buf (msg, sizeof msg);
  for (guint r = 0; r < N_RUNS; r++)
    {
      gint64 t = g_get_monotonic_time ();

      for (guint k = 0; k < 100; k++)
        crypto_sign_detached (sig, NULL, msg, sizeof msg, sk);
      samples[r] = (g_get_monotonic_time () - t) / 1e8;
    }
  t_sign = jc_bench_median (samples, N_RUNS);
  for (guint r = 0; r < N_RUNS; r++)
    {
      gint64 t = g_get_monotonic_time ();

      for (guint k = 0; k < 100; k++)
        if (crypto_sign_verify_detached (sig, msg, sizeof msg, pk) != 0)
          g_error ("raw verify failed");
      samples[r] = (g_get_monotonic_time () - t) / 1e8;
    }
  t_verify = jc_bench_median (samples, N_RUNS);
  printf ("baseline: Ed25519 sign %.1f µs, verify %.1f µs (medians of %d)\n", t_sign * 1e6, t_verify * 1e6, N_RUNS);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *id = jc_inspection_create (vault, NULL, &spec, &error);
      g_autoptr(GPtrArray) results = NULL;
      g_autoptr(GStrvBuilder) codes_b = g_strv_builder_new ();
      g_auto(GStrv) codes = NULL;
      g_autofree char *finding = NULL, *text = NULL;
      JcFindingSpec fspec = { 0 };
      double t_seal, t_qr, t_check;

      if (id == NULL || (results = jc_inspection_get_results (vault, NULL, id, NULL, 0, &error)) == NULL)
        g_error ("%s", error->message);
      for (guint i = 0; i < sizes[s]; i++)
        {
          const char *code = ((JcItemResult *) results->pdata[i])->item->code;
          JcItemUpdate u = { .set_status = TRUE, .status = JC_ITEM_STATUS_VIOLATION, .set_note = TRUE,
                             .note = "串换药品，虚记费用", .set_amount = TRUE, .amount_fen = 123456 + i };

          if (!jc_inspection_set_item (vault, NULL, id, code, &u, &error) ||
              !jc_inspection_link_evidence (vault, NULL, id, code, info->sha256_hex, &error))
            g_error ("%s", error->message);
          g_strv_builder_add (codes_b, code);
        }
      codes = g_strv_builder_end (codes_b);
      fspec.inspection_id = id;
      finding = jc_finding_seal (vault, NULL, &fspec, NULL, &error);
      if (finding == NULL)
        g_error ("%s", error->message);

      /* Seal: an amendment of the latest, each a new signed event. */
      for (guint r = 0; r < N_RUNS; r++)
        {
          gint64 t = g_get_monotonic_time ();
          char *next = jc_finding_amend (vault, NULL, finding, NULL, "现场核查发现", &error);

          if (next == NULL)
            g_error ("%s", error->message);
          samples[r] = (g_get_monotonic_time () - t) / 1e6;
          g_free (finding);
          finding = next;
        }
      t_seal = jc_bench_median (samples, N_RUNS);
      /* QR: the signed JC1 text and its module matrix. */
      for (guint r = 0; r < N_RUNS; r++)
        {
          gint64 t = g_get_monotonic_time ();
          g_autofree guint8 *matrix = NULL;
          int width;

          g_clear_pointer (&text, g_free);
          if (!jc_finding_to_jc1 (vault, finding, &text, &error) ||
              (matrix = jc_qr_encode_matrix (text, &width, &error)) == NULL)
            g_error ("%s", error->message);
          samples[r] = (g_get_monotonic_time () - t) / 1e6;
        }
      t_qr = jc_bench_median (samples, N_RUNS);
      for (guint r = 0; r < N_RUNS; r++)
        {
          g_autoptr(JcJc1Claims) claims = NULL;
          gint64 t = g_get_monotonic_time ();

          for (guint k = 0; k < 10; k++)
            {
              g_clear_pointer (&claims, jc_jc1_claims_free);
              if (!jc_jc1_decode_verify (text, NULL, &claims, &error))
                g_error ("%s", error->message);
            }
          samples[r] = (g_get_monotonic_time () - t) / 1e7;
        }
      t_check = jc_bench_median (samples, N_RUNS);
      printf ("%2u items: seal %.2f ms = %.0f× one sign; JC1 + QR matrix %.2f ms = %.0f× one sign; "
              "verify %.1f µs = %.1f× one raw verify; QR text %zu characters\n",
              sizes[s], t_seal * 1e3, t_seal / t_sign, t_qr * 1e3, t_qr / t_sign,
              t_check * 1e6, t_check / t_verify, strlen (text));

      /* Way 2: the institution answers (its own key: sk here). */
      {
        g_autoptr(JcJc1Claims) claims = NULL;
        g_autoptr(JcAck) ack = NULL;
        g_autofree char *ack_text = NULL, *both = NULL;
        double t_ack, t_ack_check;

        if (!jc_jc1_decode_verify (text, NULL, &claims, &error))
          g_error ("%s", error->message);
        for (guint r = 0; r < N_RUNS; r++)
          {
            gint64 t = g_get_monotonic_time ();

            g_clear_pointer (&ack_text, g_free);
            if ((ack_text = jc_ack_make (claims, JC_JC1_STATUS_CONFIRMED, "王秀英", "副院长", NULL, sk, &error)) == NULL)
              g_error ("%s", error->message);
            samples[r] = (g_get_monotonic_time () - t) / 1e6;
          }
        t_ack = jc_bench_median (samples, N_RUNS);
        for (guint r = 0; r < N_RUNS; r++)
          {
            gint64 t = g_get_monotonic_time ();

            for (guint k = 0; k < 10; k++)
              {
                g_clear_pointer (&ack, jc_ack_free);
                if ((ack = jc_ack_decode_verify (ack_text, &error)) == NULL)
                  g_error ("%s", error->message);
              }
            samples[r] = (g_get_monotonic_time () - t) / 1e7;
          }
        t_ack_check = jc_bench_median (samples, N_RUNS);
        claims->has_confirmation = TRUE;
        claims->confirmation.status = JC_JC1_STATUS_CONFIRMED;
        claims->confirmation.name = g_strdup (ack->name);
        claims->confirmation.has_institution_key = claims->confirmation.has_institution_signature = TRUE;
        memcpy (claims->confirmation.institution_key, ack->institution_key, 32);
        memcpy (claims->confirmation.institution_signature, ack->institution_signature, 64);
        if (!jc_jc1_encode (claims, jc_device_get_secret_key (jc_vault_get_device (vault)), &both, &error))
          g_error ("%s", error->message);
        printf ("          acknowledgment %.1f µs = %.1f× one sign; its check %.1f µs = %.1f× one raw verify; "
                "JCA1 text %zu characters; JC1 with 12.4/12.5 %zu characters\n",
                t_ack * 1e6, t_ack / t_sign, t_ack_check * 1e6, t_ack_check / t_verify,
                strlen (ack_text), strlen (both));
      }
    }
  jc_vault_lock (vault);
  jc_bench_rmtree (dir);
  return 0;
}

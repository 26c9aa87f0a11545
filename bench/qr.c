/* qr.c — bench-qr: what a JC1 code costs to make and to verify
 *
 * Baselines, measured side by side in the same run: one raw Ed25519 sign
 * (crypto_sign_detached) for making a code, one raw Ed25519 verify for
 * checking one. Also reported: the QR text length for findings of 1, 5 and
 * 12 items, and what drawing + scanning a PNG adds.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"

#define REPS 300

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static const char * const codes[] = {
  "h21.1.1", "h21.2.1.2", "h21.2.2.2", "h21.2.3.2", "h21.2.3.7",
  "h21.2.4.3", "h21.1.3", "h21.2.1.5", "h21.2.2.4", "h21.2.3.5", "h21.2.4.1", "h21.1.4",
};

/* A realistic finding with a certificate and a confirmation by name;
 * @institution_signs adds the institution's key and signature (+96 bytes). */
static JcJc1Claims *
make_claims (const guint8 pk[32], const guint8 hq_sk[64], guint n_items, gboolean institution_signs)
{
  JcJc1Claims *c = jc_jc1_claims_new ();
  guint8 device_id[16];
  guint8 inst_pk[32], inst_sk[64];

  randombytes_buf (c->finding_id, 16);
  randombytes_buf (c->inspection_id, 16);
  randombytes_buf (device_id, 16);
  c->institution_code = g_strdup ("H14110200123");
  c->checklist = g_strdup ("hospital-2021@1");
  g_strfreev (c->item_codes);
  c->item_codes = g_new0 (char *, n_items + 1);
  for (guint i = 0; i < n_items; i++)
    c->item_codes[i] = g_strdup (codes[i % G_N_ELEMENTS (codes)]);
  c->amount_fen = 3456789;
  c->sealed_at = 1790000000;
  randombytes_buf (c->record_sha256, 32);
  memcpy (c->signer_key, pk, 32);
  jc_jc1_make_certificate (hq_sk, device_id, pk, 1800000000, &c->certificate, NULL);
  c->has_certificate = TRUE;
  c->has_confirmation = TRUE;
  c->confirmation.status = JC_JC1_STATUS_CONFIRMED;
  c->confirmation.name = g_strdup ("王秀英");
  if (!institution_signs)
    return c;
  crypto_sign_keypair (inst_pk, inst_sk);
  c->confirmation.has_institution_key = TRUE;
  memcpy (c->confirmation.institution_key, inst_pk, 32);
  c->confirmation.has_institution_signature = TRUE;
  crypto_sign_detached (c->confirmation.institution_signature, NULL, c->record_sha256, 32, inst_sk);
  return c;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autofree char *text = NULL;
  g_autofree char *png = NULL;
  guint8 pk[32], sk[64], hq_pk[32], hq_sk[64], sig[64];
  guint8 msg[200];
  guint items[] = { 1, 5, 12 };
  double t, t_sign, t_verify, t_encode, t_encode_qr, t_decode, t_png;
  volatile int sink = 0;

  if (!jc_core_init (&error))
    {
      g_printerr ("bench-qr: %s\n", error->message);
      return 1;
    }
  crypto_sign_keypair (pk, sk);
  crypto_sign_keypair (hq_pk, hq_sk);
  randombytes_buf (msg, sizeof msg);
  claims = make_claims (pk, hq_sk, 5, FALSE);

  /* Baselines: the Sig_structure of a 5-item finding is about this size. */
  t = now_s ();
  for (guint i = 0; i < REPS; i++)
    crypto_sign_detached (sig, NULL, msg, sizeof msg, sk);
  t_sign = (now_s () - t) / REPS;

  t = now_s ();
  for (guint i = 0; i < REPS; i++)
    sink += crypto_sign_verify_detached (sig, msg, sizeof msg, pk);
  t_verify = (now_s () - t) / REPS;

  /* Encode: claims → CBOR → COSE_Sign1 (sign) → zlib → Base45. */
  t = now_s ();
  for (guint i = 0; i < REPS; i++)
    {
      g_free (text);
      if (!jc_jc1_encode (claims, sk, &text, &error))
        goto fail;
    }
  t_encode = (now_s () - t) / REPS;

  /* … and the QR module matrix (libqrencode, level Q). */
  t = now_s ();
  for (guint i = 0; i < REPS; i++)
    {
      g_autofree guint8 *m = NULL;
      int width;

      g_free (text);
      if (!jc_jc1_encode (claims, sk, &text, &error)
          || (m = jc_qr_encode_matrix (text, &width, &error)) == NULL)
        goto fail;
      sink += width;
    }
  t_encode_qr = (now_s () - t) / REPS;

  /* Decode + verify with the HQ key: prefix, Base45, inflate, COSE, claims,
   * signer signature, institution signature, certificate signature. */
  t = now_s ();
  for (guint i = 0; i < REPS; i++)
    {
      g_autoptr(JcJc1Claims) out = NULL;

      if (!jc_jc1_decode_verify (text, hq_pk, &out, &error))
        goto fail;
    }
  t_decode = (now_s () - t) / REPS;

  /* Image round trip: render a PNG and scan it back (zbar), a few times. */
  {
    g_autofree char *base = g_build_filename (JC_BUILD_DIR, "tmp", NULL);

    g_mkdir_with_parents (base, 0700);
    png = g_build_filename (base, "bench-qr.png", NULL);
  }
  t = now_s ();
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *back = NULL;

      if (!jc_qr_write_png (text, png, 4, &error) || (back = jc_qr_decode_png (png, &error)) == NULL)
        goto fail;
      sink += strcmp (back, text) == 0;
    }
  t_png = (now_s () - t) / 10;
  g_unlink (png);

  g_print ("bench-qr (%d repetitions; 5-item finding with certificate and confirmation)\n", REPS);
  g_print ("  baseline Ed25519 sign:    %8.1f us\n", t_sign * 1e6);
  g_print ("  baseline Ed25519 verify:  %8.1f us\n", t_verify * 1e6);
  g_print ("  encode (sign+CBOR+zlib+Base45):      %8.1f us = %5.2f x one sign\n", t_encode * 1e6, t_encode / t_sign);
  g_print ("  encode + QR matrix:                  %8.1f us = %5.2f x one sign\n", t_encode_qr * 1e6, t_encode_qr / t_sign);
  g_print ("  decode + verify (signer + HQ cert):  %8.1f us = %5.2f x one verify (%.0f codes/s)\n",
           t_decode * 1e6, t_decode / t_verify, 1.0 / t_decode);
  g_print ("  PNG render + zbar scan:              %8.1f us = %5.0f x one verify\n", t_png * 1e6, t_png / t_verify);

  for (guint i = 0; i < 2 * G_N_ELEMENTS (items); i++)
    {
      gboolean inst = i >= G_N_ELEMENTS (items);
      g_autoptr(JcJc1Claims) c = make_claims (pk, hq_sk, items[i % G_N_ELEMENTS (items)], inst);
      g_autofree char *tx = NULL;
      g_autofree guint8 *m = NULL;
      int width;

      if (!jc_jc1_encode (c, sk, &tx, &error) || (m = jc_qr_encode_matrix (tx, &width, &error)) == NULL)
        goto fail;
      g_print ("  QR text length, %2u items%s: %4" G_GSIZE_FORMAT " characters (QR version %d, %dx%d modules)\n",
               items[i % G_N_ELEMENTS (items)], inst ? " + institution signature" : "",
               strlen (tx), (width - 17) / 4, width, width);
    }
  return sink == -1;

fail:
  g_printerr ("bench-qr: %s\n", error->message);
  return 1;
}

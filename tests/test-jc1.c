/* test-jc1.c — the JC1 QR format: Base45, COSE_Sign1 claims, QR images,
 * the independent Python verifier and `jiancha-cli verify` */
#include "config.h"

#include <cairo.h>
#include <sodium.h>
#include <string.h>
#include <zlib.h>

#include "jc-core.h"
#include "jc-test.h"

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */

typedef struct {
  guint8 pk[crypto_sign_PUBLICKEYBYTES];
  guint8 sk[crypto_sign_SECRETKEYBYTES];
} Key;

static void
key_from_seed (Key *key, guint8 seed_byte)
{
  guint8 seed[crypto_sign_SEEDBYTES];

  for (guint i = 0; i < sizeof seed; i++)
    seed[i] = seed_byte + i;
  ck_assert_int_eq (crypto_sign_seed_keypair (key->pk, key->sk, seed), 0);
}

static void
fill (guint8 *p, gsize n, guint8 start)
{
  for (gsize i = 0; i < n; i++)
    p[i] = start + i * 7;
}

/* Real item codes of checklists/hospital-2021.json (7 to 9 characters). */
static const char * const hospital_codes[] = {
  "h21.1.1", "h21.1.2", "h21.1.3", "h21.1.4", "h21.2.1.1", "h21.2.1.2", "h21.2.1.3",
  "h21.2.1.4", "h21.2.1.5", "h21.2.2.1", "h21.2.2.2", "h21.2.2.3", "h21.2.2.4", "h21.2.2.5",
  "h21.2.3.1", "h21.2.3.2", "h21.2.3.3", "h21.2.3.4", "h21.2.3.5", "h21.2.3.6", "h21.2.3.7",
  "h21.2.3.8", "h21.2.3.9", "h21.2.4.1", "h21.2.4.2", "h21.2.4.3", "h21.2.4.4", "h21.2.4.5",
};

/* A realistic finding: hospital list 2021 items, a city institution code,
 * a certificate from @hq and, when @status >= 0, a confirmation with a
 * Chinese name and, when @institution_signs, the institution's key and its
 * signature over claim 9 (confirmation way 2, institution mode). */
static JcJc1Claims *
make_claims_full (const Key *signer,
                  const Key *hq,
                  guint      n_items,
                  int        status,
                  gboolean   institution_signs)
{
  JcJc1Claims *c = jc_jc1_claims_new ();
  GPtrArray *items = g_ptr_array_new ();

  fill (c->finding_id, 16, 0x10);
  fill (c->inspection_id, 16, 0x20);
  c->institution_code = g_strdup ("H14110200123");
  c->checklist = g_strdup ("hospital-2021@1");
  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (items, g_strdup (hospital_codes[(i * 5) % G_N_ELEMENTS (hospital_codes)]));
  g_ptr_array_add (items, NULL);
  g_strfreev (c->item_codes);
  c->item_codes = (GStrv) g_ptr_array_free (items, FALSE);
  c->amount_fen = 1234567;           /* 12 345.67 yuan */
  c->sealed_at = 1790000000;         /* 2026-09-21 */
  crypto_hash_sha256 (c->record_sha256, (const guint8 *) "canonical record", 16);
  memcpy (c->signer_key, signer->pk, 32);

  if (hq != NULL)
    {
      guint8 device_id[16];

      fill (device_id, 16, 0x30);
      ck_assert (jc_jc1_make_certificate (hq->sk, device_id, signer->pk, 1800000000,
                                          &c->certificate, NULL));
      c->has_certificate = TRUE;
    }

  if (status >= 0 && !institution_signs)
    {
      c->has_confirmation = TRUE;
      c->confirmation.status = status;
      c->confirmation.name = g_strdup ("王秀英");
    }
  else if (status >= 0)
    {
      Key inst;

      key_from_seed (&inst, 0x77);
      c->has_confirmation = TRUE;
      c->confirmation.status = status;
      c->confirmation.name = g_strdup ("王秀英");
      c->confirmation.has_institution_key = TRUE;
      memcpy (c->confirmation.institution_key, inst.pk, 32);
      c->confirmation.has_institution_signature = TRUE;
      crypto_sign_detached (c->confirmation.institution_signature, NULL,
                            c->record_sha256, 32, inst.sk);
    }
  return c;
}

static JcJc1Claims *
make_claims (const Key *signer,
             const Key *hq,
             guint      n_items,
             int        status)
{
  return make_claims_full (signer, hq, n_items, status, TRUE);
}

static char *
encode_ok (const JcJc1Claims *c, const Key *signer)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  ck_assert_msg (jc_jc1_encode (c, signer->sk, &text, &error), "encode: %s",
                 error ? error->message : "?");
  return text;
}

/* "JC1:" + Base45 (zlib (@cose)) — to build codes of any shape. A small
 * window and memLevel: still a standard zlib stream, but thousands of them
 * (the bit-flip loops) cost little under ASan and MALLOC_PERTURB_. */
static char *
wrap (const guint8 *cose, gsize len)
{
  z_stream zs = { 0 };
  gsize cap = compressBound (len) + 64;
  g_autofree guint8 *z = g_malloc (cap);
  g_autofree char *b45 = NULL;

  ck_assert_int_eq (deflateInit2 (&zs, 9, Z_DEFLATED, 9, 1, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = (Bytef *) cose;
  zs.avail_in = len;
  zs.next_out = z;
  zs.avail_out = cap;
  ck_assert_int_eq (deflate (&zs, Z_FINISH), Z_STREAM_END);
  b45 = jc_base45_encode (z, zs.total_out);
  deflateEnd (&zs);
  return g_strconcat ("JC1:", b45, NULL);
}

static guint8 *
unwrap (const char *text, gsize *len)
{
  gsize zlen;
  g_autofree guint8 *z = jc_base45_decode (text + 4, strlen (text + 4), &zlen, NULL);
  uLongf n = 65536;
  guint8 *out = g_malloc (n);

  ck_assert_ptr_nonnull (z);
  ck_assert_int_eq (uncompress (out, &n, z, zlen), Z_OK);
  *len = n;
  return out;
}

/* A COSE_Sign1 around any @payload, with a kid and a garbage signature:
 * for shapes that must fail before the signature is even looked at. */
static char *
cose_around (const guint8 *payload, gsize plen, const guint8 kid[8])
{
  GByteArray *b = g_byte_array_new ();
  static const guint8 head[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa1, 0x04, 0x48 };
  guint8 sig[64] = { 0 };
  guint8 len2[3] = { 0x59, plen >> 8, plen & 0xff };
  guint8 sighead[2] = { 0x58, 0x40 };
  char *text;

  g_byte_array_append (b, head, sizeof head);
  g_byte_array_append (b, kid, 8);
  if (plen < 24)
    {
      guint8 h = 0x40 | plen;
      g_byte_array_append (b, &h, 1);
    }
  else if (plen < 256)
    {
      guint8 h[2] = { 0x58, plen };
      g_byte_array_append (b, h, 2);
    }
  else
    g_byte_array_append (b, len2, 3);
  g_byte_array_append (b, payload, plen);
  g_byte_array_append (b, sighead, 2);
  g_byte_array_append (b, sig, 64);
  text = wrap (b->data, b->len);
  g_byte_array_unref (b);
  return text;
}

static void
assert_fails (const char *text, const guint8 *hq_pk, int code, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcJc1Claims) out = NULL;

  ck_assert_msg (!jc_jc1_decode_verify (text, hq_pk, &out, &error), "accepted: %.60s…", text);
  ck_assert_ptr_null (out);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, JC_JC1_ERROR, code),
                 "expected code %d, got %s %d: %s", code, g_quark_to_string (error->domain),
                 error->code, error->message);
  ck_assert_msg (needle == NULL || strstr (error->message, needle) != NULL,
                 "message “%s” lacks “%s”", error->message, needle);
}

static void
setup (void)
{
  ck_assert (jc_core_init (NULL));
}

/* ------------------------------------------------------------------ */
/* Base45                                                               */

START_TEST (test_base45_rfc9285_vectors)
{
  static const struct { const char *plain, *enc; } v[] = {
    { "AB", "BB8" },
    { "Hello!!", "%69 VD92EX0" },
    { "base-45", "UJCLQE7W581" },
    { "ietf!", "QED8WEX0" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    {
      g_autofree char *enc = jc_base45_encode ((const guint8 *) v[i].plain, strlen (v[i].plain));
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *dec = NULL;
      gsize len = 99;

      ck_assert_str_eq (enc, v[i].enc);
      dec = jc_base45_decode (v[i].enc, strlen (v[i].enc), &len, &error);
      ck_assert_ptr_null (error);
      ck_assert_uint_eq (len, strlen (v[i].plain));
      ck_assert (memcmp (dec, v[i].plain, len) == 0);
    }

  /* Every byte value and both lengths round-trip. */
  {
    guint8 all[256];
    g_autofree char *enc = NULL;
    g_autofree guint8 *dec = NULL;
    gsize len;

    for (guint i = 0; i < 256; i++)
      all[i] = 255 - i;
    for (gsize n = 255; n <= 256; n++)
      {
        g_free (enc);
        g_free (dec);
        enc = jc_base45_encode (all, n);
        dec = jc_base45_decode (enc, strlen (enc), &len, NULL);
        ck_assert_uint_eq (len, n);
        ck_assert (memcmp (dec, all, n) == 0);
      }
  }
}
END_TEST

START_TEST (test_base45_invalid)
{
  static const struct { const char *text; int code; const char *needle; } v[] = {
    { "GGW", JC_BASE45_ERROR_OUT_OF_RANGE, "position 0" },      /* 65536 */
    { "BB8GGW", JC_BASE45_ERROR_OUT_OF_RANGE, "position 3" },
    { "BB8:", JC_BASE45_ERROR_INVALID_LENGTH, "4 characters" },
    { "A", JC_BASE45_ERROR_INVALID_LENGTH, "truncated" },
    { "GG", JC_BASE45_ERROR_OUT_OF_RANGE, "over 255" },         /* 736 */
    { "BB8bb8", JC_BASE45_ERROR_INVALID_CHARACTER, "“b” at position 3" },
    { "BB\n", JC_BASE45_ERROR_INVALID_CHARACTER, "0x0A at position 2" },
    { "BB8=", JC_BASE45_ERROR_INVALID_CHARACTER, "“=” at position 3" },
    { "BB8=A", JC_BASE45_ERROR_INVALID_CHARACTER, "“=” at position 3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len;
      guint8 *dec = jc_base45_decode (v[i].text, strlen (v[i].text), &len, &error);

      ck_assert_msg (dec == NULL, "“%s” accepted", v[i].text);
      ck_assert_msg (g_error_matches (error, JC_BASE45_ERROR, v[i].code), "“%s”: %s", v[i].text,
                     error ? error->message : "no error");
      ck_assert_msg (v[i].needle == NULL || strstr (error->message, v[i].needle),
                     "“%s”: message “%s” lacks “%s”", v[i].text, error->message, v[i].needle);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Round trips                                                          */

START_TEST (test_round_trip_every_kind)
{
  Key signer, hq;
  int statuses[] = { -1, JC_JC1_STATUS_CONFIRMED, JC_JC1_STATUS_DISPUTED, JC_JC1_STATUS_REFUSED };

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    for (int with_cert = 0; with_cert <= 1; with_cert++)
      {
        g_autoptr(JcJc1Claims) c = make_claims (&signer, with_cert ? &hq : NULL, 3, statuses[s]);
        g_autoptr(JcJc1Claims) back = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *text = NULL;
        g_autofree char *again = NULL;

        /* Refusal carries no institution signature: the witness signs on paper. */
        if (statuses[s] == JC_JC1_STATUS_REFUSED)
          c->confirmation.has_institution_signature = c->confirmation.has_institution_key = FALSE;

        text = encode_ok (c, &signer);
        ck_assert (g_str_has_prefix (text, "JC1:"));
        ck_assert_msg (jc_jc1_decode_verify (text, with_cert ? hq.pk : NULL, &back, &error),
                       "status %d cert %d: %s", statuses[s], with_cert, error ? error->message : "?");
        ck_assert (jc_jc1_claims_equal (c, back));
        ck_assert_uint_eq (back->has_confirmation, statuses[s] >= 0);
        if (statuses[s] >= 0)
          {
            ck_assert_int_eq (back->confirmation.status, statuses[s]);
            ck_assert_str_eq (back->confirmation.name, "王秀英");
          }
        ck_assert_str_eq (back->item_codes[2], c->item_codes[2]);
        ck_assert_ptr_null (back->item_codes[3]);

        /* Deterministic: the same claims and key give the same text. */
        again = encode_ok (back, &signer);
        ck_assert_str_eq (again, text);
      }
}
END_TEST

START_TEST (test_round_trip_extremes)
{
  Key signer;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autoptr(JcJc1Claims) back = NULL;
  g_autofree char *text = NULL;
  guint64 amounts[] = { 0, 23, 24, 255, 256, 65535, 65536, G_MAXUINT32, (guint64) G_MAXUINT32 + 1, G_MAXUINT64 };

  key_from_seed (&signer, 3);
  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_clear_pointer (&c, jc_jc1_claims_free);
      g_clear_pointer (&back, jc_jc1_claims_free);
      g_clear_pointer (&text, g_free);
      c = make_claims (&signer, NULL, i % 2 ? 0 : 1, -1);
      c->amount_fen = amounts[i];
      c->sealed_at = amounts[G_N_ELEMENTS (amounts) - 1 - i];
      text = encode_ok (c, &signer);
      ck_assert_msg (jc_jc1_decode_verify (text, NULL, &back, NULL), "amount %" G_GUINT64_FORMAT, amounts[i]);
      ck_assert (jc_jc1_claims_equal (c, back));
    }
  ck_assert_ptr_null (back->item_codes[0]);  /* the last one has no items */
}
END_TEST

/* The format is a public interface: a fixed key and fixed claims must give
 * exactly this text, today and in every later version. If this test fails,
 * the encoder changed the bytes: fix the encoder, never the constant. */
static const char golden_text[] =
  "JC1:NCFOA0N60T9WJWG.FKK05GO0S%CV 0V7RGAHFBBYYGW507D0O12M 3KQ5IG7G69E-ACV"
  "CALE%I0-24*$5$R7ZH9X7BV.CTWERMG7P0V59-Q6$96NF6746QF6-U059DWQE-EDAEC5W584"
  "68A6+86%LGY7DZ96Z964B6Y7DZ96LF6Z96RE6-C37H283HCF3BIMH8GF6BG6EG$48$GM057D"
  "WADK3*QB13$CEEUIG18LON957I99V02/Z2%D1X44R-M**5E5T/MVRBFPH2NJLB8LE:33K7*-"
  "I4DRRYSJL14Q06TCWWGD46B*79T97JB59D3:E1YG:NI+79Y$ER S6P8FQHFPDUOQ27BN5UCI"
  "TBOBAFF756%AIPDEGFKI36I$SCY1P:PJ+0 9JDUMFAL.VBUNCNR16B8IL9G52TPB%C8WQFLG"
  "V8YOAK8I3ELGF0KMVXL-Q1V50WD0DCT+UH+7L-HT1HMF6B:SU-8JIC7M2VL.6PME+:8:NJSZ"
  "8U$P38CSX74438OGVRNP3WIU0098$WEELO+/BHL1Q4PQQ0JP5366$46C$OGIV/ME2*50%NC4"
  "3JVFOW7AGP-A8C44.LAF5F1A4B15MQ7PCSR48.943+1OHQXPLD.1/48HW2-%JW0B.LM%P11-"
  "6TARY%O ZF-QK+%T+:M-NEYQ3 W4R5W051 GASD5YJ670F1$9ROQD8A79DP8W37GG2T6QHBF"
  "TOM4YH1YT5+4";

START_TEST (test_golden_text)
{
  Key signer, hq;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autoptr(JcJc1Claims) back = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  c = make_claims (&signer, &hq, 2, JC_JC1_STATUS_CONFIRMED);
  text = encode_ok (c, &signer);
  ck_assert_str_eq (text, golden_text);
  ck_assert_msg (jc_jc1_decode_verify (golden_text, hq.pk, &back, &error), "%s", error ? error->message : "");
  ck_assert (jc_jc1_claims_equal (c, back));
}
END_TEST

START_TEST (test_text_lengths)
{
  Key signer, hq;
  guint n_items[] = { 1, 5, 12 };
  gsize lengths[2][3];

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  /* Typical: confirmed on the inspector's device (name, handwritten
   * signature as evidence inside claim 9); then the same with the
   * institution's own key and signature (+96 bytes, ≈ +145 characters). */
  for (guint k = 0; k < 2; k++)
    for (guint i = 0; i < 3; i++)
      {
        g_autoptr(JcJc1Claims) c = make_claims_full (&signer, &hq, n_items[i], JC_JC1_STATUS_CONFIRMED, k == 1);
        g_autofree char *text = encode_ok (c, &signer);
        g_autofree guint8 *m = NULL;
        int width;

        lengths[k][i] = strlen (text);
        m = jc_qr_encode_matrix (text, &width, NULL);
        ck_assert_ptr_nonnull (m);
        g_print ("JC1 text length, %2u items, certificate, confirmation with a Chinese name%s: "
                 "%" G_GSIZE_FORMAT " characters, QR version %d (%d modules)\n",
                 n_items[i], k ? " + institution key and signature" : "",
                 lengths[k][i], (width - 17) / 4, width);
      }
  ck_assert_uint_le (lengths[0][0], lengths[0][1]);
  ck_assert_uint_le (lengths[0][1], lengths[0][2]);
  ck_assert_uint_le (lengths[0][1], 600);
  ck_assert_uint_gt (lengths[1][1], lengths[0][1]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* QR images                                                            */

START_TEST (test_png_round_trip)
{
  Key signer, hq;
  g_autofree char *dir = jc_test_tmpdir ("jc1-png");
  g_autofree char *png = g_build_filename (dir, "finding.png", NULL);
  g_autoptr(GError) error = NULL;
  int statuses[] = { JC_JC1_STATUS_CONFIRMED, JC_JC1_STATUS_DISPUTED, JC_JC1_STATUS_REFUSED };

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    {
      g_autoptr(JcJc1Claims) c = make_claims (&signer, &hq, 5, statuses[s]);
      g_autoptr(JcJc1Claims) back = NULL;
      g_autofree char *text = encode_ok (c, &signer);
      g_autofree char *scanned = NULL;

      ck_assert_msg (jc_qr_write_png (text, png, 4, &error), "%s", error ? error->message : "");
      scanned = jc_qr_decode_png (png, &error);
      ck_assert_msg (scanned != NULL, "%s", error ? error->message : "");
      ck_assert_str_eq (scanned, text);
      ck_assert (jc_jc1_decode_verify (scanned, hq.pk, &back, &error));
      ck_assert (jc_jc1_claims_equal (c, back));
    }
  jc_test_rmtree (dir);
}
END_TEST

/* jc_qr_draw() at an offset and a non-integer scale, as on a PDF sheet. */
START_TEST (test_draw_on_any_surface)
{
  Key signer;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) found = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 900, 700);
  cairo_t *cr = cairo_create (surface);

  key_from_seed (&signer, 1);
  c = make_claims (&signer, NULL, 5, JC_JC1_STATUS_DISPUTED);
  text = encode_ok (c, &signer);
  cairo_set_source_rgb (cr, 0.9, 0.9, 0.8);
  cairo_paint (cr);
  ck_assert (jc_qr_draw (cr, text, 310.5, 40.25, 530.3, &error));
  cairo_destroy (cr);
  found = jc_qr_scan_surface (surface, &error);
  cairo_surface_destroy (surface);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (g_strv_length (found), 1);
  ck_assert_str_eq (found[0], text);
}
END_TEST

START_TEST (test_png_errors)
{
  g_autofree char *dir = jc_test_tmpdir ("jc1-png-bad");
  g_autofree char *blank = g_build_filename (dir, "blank.png", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
  g_autofree char *two = g_build_filename (dir, "two.png", NULL);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 200, 100);
  cairo_t *cr = cairo_create (s);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  ck_assert_int_eq (cairo_surface_write_to_png (s, blank), CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  ck_assert (g_file_set_contents (junk, "not a PNG at all", -1, NULL));

  ck_assert_ptr_null (jc_qr_decode_png (blank, &error));
  ck_assert (g_error_matches (error, JC_QR_ERROR, JC_QR_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, "No QR code found"));
  g_clear_error (&error);

  ck_assert_ptr_null (jc_qr_decode_png (junk, &error));
  ck_assert (g_error_matches (error, JC_QR_ERROR, JC_QR_ERROR_FILE));
  ck_assert_ptr_nonnull (strstr (error->message, junk));
  g_clear_error (&error);

  ck_assert_ptr_null (jc_qr_decode_png (missing, &error));
  ck_assert (g_error_matches (error, JC_QR_ERROR, JC_QR_ERROR_FILE));
  ck_assert_ptr_nonnull (strstr (error->message, "no such file"));
  g_clear_error (&error);

  /* Two codes side by side: ambiguous for a verifier. */
  s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 200);
  cr = cairo_create (s);
  ck_assert (jc_qr_draw (cr, "JC1:FIRST", 0, 0, 200, NULL));
  ck_assert (jc_qr_draw (cr, "JC1:SECOND", 200, 0, 200, NULL));
  cairo_destroy (cr);
  ck_assert_int_eq (cairo_surface_write_to_png (s, two), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);
  ck_assert_ptr_null (jc_qr_decode_png (two, &error));
  ck_assert (g_error_matches (error, JC_QR_ERROR, JC_QR_ERROR_SEVERAL));
  jc_test_rmtree (dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tampering and malformed input                                        */

START_TEST (test_every_flipped_bit_is_rejected)
{
  Key signer, hq;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *text = NULL;
  g_autofree guint8 *cose = NULL;
  gsize len;
  guint rejected = 0;

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  c = make_claims (&signer, &hq, 5, JC_JC1_STATUS_CONFIRMED);
  text = encode_ok (c, &signer);
  cose = unwrap (text, &len);
  ck_assert (jc_jc1_decode_verify (text, NULL, NULL, NULL));

  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree char *bad = NULL;
      g_autoptr(GError) error = NULL;

      cose[bit / 8] ^= 1 << (bit % 8);
      bad = wrap (cose, len);
      cose[bit / 8] ^= 1 << (bit % 8);
      ck_assert_msg (!jc_jc1_decode_verify (bad, NULL, NULL, &error),
                     "flipped bit %" G_GSIZE_FORMAT " (byte %" G_GSIZE_FORMAT ") accepted", bit, bit / 8);
      ck_assert (error->domain == JC_JC1_ERROR);
      rejected++;
    }
  ck_assert_uint_eq (rejected, len * 8);
  g_print ("all %u single-bit flips of the %" G_GSIZE_FORMAT "-byte COSE_Sign1 rejected\n", rejected, len);
}
END_TEST

START_TEST (test_text_errors)
{
  Key signer;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *text = NULL;
  g_autofree char *trunc1 = NULL, *trunc3 = NULL, *lower = NULL, *bad = NULL, *extra = NULL;
  gsize n;

  key_from_seed (&signer, 1);
  c = make_claims (&signer, NULL, 5, JC_JC1_STATUS_CONFIRMED);
  text = encode_ok (c, &signer);
  n = strlen (text);

  assert_fails ("", NULL, JC_JC1_ERROR_PREFIX, "“JC1:”");
  assert_fails ("HC1:6BFOXN", NULL, JC_JC1_ERROR_PREFIX, "starts with “HC1:”");
  lower = g_strconcat ("jc1:", text + 4, NULL);
  assert_fails (lower, NULL, JC_JC1_ERROR_PREFIX, NULL);
  assert_fails ("JC1:", NULL, JC_JC1_ERROR_INFLATE, NULL);

  /* Truncations: a length Base45 cannot have, then a zlib stream cut short. */
  trunc1 = g_strndup (text, n - 1);
  /* One character less: a 3n+1 length, a last group over 255, or a
   * zlib stream missing its end, depending on the text. */
  {
    g_autoptr(GError) error = NULL;

    ck_assert (!jc_jc1_decode_verify (trunc1, NULL, NULL, &error));
    ck_assert_msg (g_error_matches (error, JC_JC1_ERROR, JC_JC1_ERROR_BASE45)
                   || g_error_matches (error, JC_JC1_ERROR, JC_JC1_ERROR_INFLATE), "%s", error->message);
  }
  {
    g_autofree char *t2 = g_strndup (text, 4 + (n - 4) / 3 * 3 - 2);   /* a 3n+1 length */

    assert_fails (t2, NULL, JC_JC1_ERROR_BASE45, "truncated");
  }
  trunc3 = g_strndup (text, 4 + ((n - 4) / 3 - 1) * 3);   /* whole groups: valid Base45 */
  assert_fails (trunc3, NULL, JC_JC1_ERROR_INFLATE, "truncated");
  {
    g_autofree char *half = g_strndup (text, 4 + (n - 4) / 2 / 3 * 3);
    assert_fails (half, NULL, JC_JC1_ERROR_INFLATE, NULL);
  }

  bad = g_strdup (text);
  bad[20] = 'a';
  {
    g_autofree char *needle = g_strdup_printf ("“a” at position %d", 20 - 4);
    assert_fails (bad, NULL, JC_JC1_ERROR_BASE45, needle);
  }
  {
    /* Two bytes after the end of the zlib stream. */
    gsize zlen;
    g_autofree guint8 *z = jc_base45_decode (text + 4, n - 4, &zlen, NULL);
    g_autofree guint8 *z2 = g_malloc0 (zlen + 2);
    g_autofree char *b45 = NULL;

    memcpy (z2, z, zlen);
    b45 = jc_base45_encode (z2, zlen + 2);
    extra = g_strconcat ("JC1:", b45, NULL);
    assert_fails (extra, NULL, JC_JC1_ERROR_INFLATE, "after the end");
  }
  {
    g_autofree char *nl = g_strconcat (text, "\n", NULL);
    assert_fails (nl, NULL, JC_JC1_ERROR_BASE45, "0x0A");
  }
}
END_TEST

START_TEST (test_zlib_bomb)
{
  g_autofree guint8 *zeros = g_malloc0 (1 << 20);
  g_autofree char *bomb = wrap (zeros, 1 << 20);
  g_autofree guint8 *edge = g_malloc0 (64 * 1024);
  g_autofree char *at_limit = NULL;

  g_print ("zlib bomb: 1 MiB of zeros in %" G_GSIZE_FORMAT " characters\n", strlen (bomb));
  assert_fails (bomb, NULL, JC_JC1_ERROR_TOO_LARGE, "64 KiB");

  /* Exactly 64 KiB inflates and then fails as CBOR, not as a bomb. */
  at_limit = wrap (edge, 64 * 1024);
  assert_fails (at_limit, NULL, JC_JC1_ERROR_COSE, NULL);
}
END_TEST

START_TEST (test_cose_shapes)
{
  Key signer;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *text = NULL;
  g_autofree guint8 *good = NULL;
  gsize len;
  struct { const char *name; const guint8 *bytes; gsize len; const char *needle; } shapes[] = {
    { "an integer", (const guint8 *) "\x01", 1, "tag 18" },
    { "tag 98 (COSE_Sign)", (const guint8 *) "\xd8\x62\x80", 3, "tag 18" },
    { "array of 3", (const guint8 *) "\xd2\x83\x40\xa0\x40", 5, "array of 4" },
    { "float", (const guint8 *) "\xd2\xf9\x3c\x00", 4, "floating-point" },
    { "indefinite array", (const guint8 *) "\xd2\x9f\xff", 3, "indefinite" },
    { "non-shortest tag", (const guint8 *) "\xd8\x12\x80", 3, "shortest" },
    { "array of 2^28 (libcbor would allocate 2 GiB)", (const guint8 *) "\xd2\x9a\x10\x00\x00\x00", 6, "entries" },
    { "map of 2^60", (const guint8 *) "\xd2\xbb\x10\x00\x00\x00\x00\x00\x00\x00", 10, "entries" },
    { "string longer than the data", (const guint8 *) "\xd2\x5a\x00\x01\x00\x00\x00", 7, "remain" },
    { "deep nesting", (const guint8 *) "\xd2\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x80", 13, "deeply" },
    { "truncated head", (const guint8 *) "\xd2\x84\x43\xa1\x01", 5, NULL },
  };

  key_from_seed (&signer, 1);
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *t = wrap (shapes[i].bytes, shapes[i].len);
      g_autoptr(GError) error = NULL;

      ck_assert_msg (!jc_jc1_decode_verify (t, NULL, NULL, &error), "%s accepted", shapes[i].name);
      ck_assert_msg (g_error_matches (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE), "%s: %s", shapes[i].name, error->message);
      ck_assert_msg (shapes[i].needle == NULL || strstr (error->message, shapes[i].needle),
                     "%s: “%s” lacks “%s”", shapes[i].name, error->message, shapes[i].needle);
    }

  /* Byte-level edits of a real code. Layout: d2 84 43 a1 01 27 a1 04 48 kid… */
  c = make_claims (&signer, NULL, 2, -1);
  text = encode_ok (c, &signer);
  good = unwrap (text, &len);
  ck_assert_uint_eq (good[0], 0xd2);
  ck_assert_uint_eq (good[5], 0x27);
  {
    g_autofree guint8 *b = g_memdup2 (good, len);
    g_autofree char *t = NULL;

    b[5] = 0x26;  /* alg -7 (ES256) */
    t = wrap (b, len);
    assert_fails (t, NULL, JC_JC1_ERROR_COSE, "{1: -8}");
  }
  {
    g_autofree guint8 *b = g_memdup2 (good, len);
    g_autofree char *t = NULL;

    b[7] = 0x05;  /* unprotected {5: …} instead of {4: kid} */
    t = wrap (b, len);
    assert_fails (t, NULL, JC_JC1_ERROR_COSE, "{4: kid}");
  }
  {
    g_autofree guint8 *b = g_memdup2 (good, len);
    g_autofree char *t = NULL;

    b[9] ^= 0xff;  /* kid of another key */
    t = wrap (b, len);
    assert_fails (t, NULL, JC_JC1_ERROR_COSE, "does not match the signer key");
  }
  {
    /* Trailing byte after the COSE_Sign1. */
    g_autofree guint8 *b = g_malloc (len + 1);
    g_autofree char *t = NULL;

    memcpy (b, good, len);
    b[len] = 0x00;
    t = wrap (b, len + 1);
    assert_fails (t, NULL, JC_JC1_ERROR_COSE, "unexpected bytes after the end");
  }
  {
    /* Signature of 63 bytes: drop the last byte, fix the head 58 40 → 58 3f. */
    g_autofree guint8 *b = g_memdup2 (good, len - 1);
    g_autofree char *t = NULL;

    ck_assert_uint_eq (b[len - 66], 0x58);
    b[len - 65] = 0x3f;
    t = wrap (b, len - 1);
    assert_fails (t, NULL, JC_JC1_ERROR_COSE, "64 bytes");
  }
}
END_TEST

/* Claims of the wrong shape inside a well-formed COSE_Sign1. */
START_TEST (test_claims_shapes)
{
  Key signer;
  guint8 kid[8];
  /* A valid claims map prefix: {1: 1, 2: h'00…'(16), 3: h'00…'(16), 4: "H1", 5: "c@1", 6: ["a"], 7: 0, 8: 0, 9: h'…'(32), 10: pk} */
  g_autoptr(GByteArray) base = g_byte_array_new ();
  struct { const char *name; const char *hex_tail; guint n_pairs; const char *needle; } cases[] = {
    { "missing claim 10", "", 9, "Claim 10 (signer key) is missing" },
    { "claim 7 as text", NULL, 0, "must be an unsigned integer, not a text string" },
    { "unknown claim 13", "0d00", 11, "unknown key 13" },
    { "keys out of order", "0100", 11, "ascending" },
    { "negative key", "2000", 11, "small unsigned integers" },
    { "certificate of 3", "0b83400000", 11, "array of 4" },
    { "confirmation status 3", "0ca20103026141", 11, "status 3" },
    { "confirmation without name", "0ca10100", 11, "representative" },
    { "confirmation key 3", "0ca2010003614e", 11, "unknown key 3" },
    { "institution signature without key", NULL, 0, "no institution key" },
    { "version 2", NULL, 0, "version 2" },
    { "not a map", NULL, 0, "must be a map" },
  };

  key_from_seed (&signer, 1);
  jc_jc1_kid (signer.pk, kid);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GByteArray *p = g_byte_array_new ();
      g_autofree char *t = NULL;
      guint8 z16[16] = { 0 }, z32[32] = { 0 };
      guint n_pairs = cases[i].n_pairs ? cases[i].n_pairs : 10;
      guint8 version = g_str_equal (cases[i].name, "version 2") ? 2 : 1;
      gboolean text7 = g_str_equal (cases[i].name, "claim 7 as text");

      if (g_str_equal (cases[i].name, "institution signature without key"))
        n_pairs = 11;
#define PUT(...) G_STMT_START { const guint8 _b[] = { __VA_ARGS__ }; g_byte_array_append (p, _b, sizeof _b); } G_STMT_END
      if (g_str_equal (cases[i].name, "not a map"))
        PUT (0x80);
      else
        {
          PUT (0xa0 | n_pairs);
          PUT (0x01, version);
          PUT (0x02, 0x50); g_byte_array_append (p, z16, 16);
          PUT (0x03, 0x50); g_byte_array_append (p, z16, 16);
          PUT (0x04, 0x62, 'H', '1');
          PUT (0x05, 0x63, 'c', '@', '1');
          PUT (0x06, 0x81, 0x61, 'a');
          if (text7)
            PUT (0x07, 0x61, '7');
          else
            PUT (0x07, 0x00);
          PUT (0x08, 0x00);
          PUT (0x09, 0x58, 0x20); g_byte_array_append (p, z32, 32);
          if (n_pairs >= 10)
            {
              PUT (0x0a, 0x58, 0x20); g_byte_array_append (p, signer.pk, 32);
            }
          if (g_str_equal (cases[i].name, "institution signature without key"))
            {
              PUT (0x0c, 0xa3, 0x01, 0x00, 0x02, 0x61, 'N', 0x05, 0x58, 0x40);
              g_byte_array_append (p, z32, 32);
              g_byte_array_append (p, z32, 32);
            }
          else if (cases[i].hex_tail != NULL && *cases[i].hex_tail)
            {
              const char *h = cases[i].hex_tail;
              for (gsize k = 0; h[k]; k += 2)
                {
                  guint8 b = g_ascii_xdigit_value (h[k]) * 16 + g_ascii_xdigit_value (h[k + 1]);
                  g_byte_array_append (p, &b, 1);
                }
            }
        }
#undef PUT
      t = cose_around (p->data, p->len, kid);
      g_byte_array_unref (p);
      assert_fails (t, NULL, JC_JC1_ERROR_CLAIMS, cases[i].needle);
    }

  /* The same map, complete and well formed, passes the claims and then
   * fails only at the (zero) signature: the cases above fail for their
   * own reason. */
  {
    GByteArray *p = g_byte_array_new ();
    g_autofree char *t = NULL;
    guint8 z16[16] = { 0 }, z32[32] = { 0 };
    const guint8 head[] = { 0xaa, 0x01, 0x01, 0x02, 0x50 };
    const guint8 mid[] = { 0x04, 0x62, 'H', '1', 0x05, 0x63, 'c', '@', '1', 0x06, 0x81, 0x61, 'a',
                           0x07, 0x00, 0x08, 0x00, 0x09, 0x58, 0x20 };
    const guint8 k10[] = { 0x0a, 0x58, 0x20 };
    const guint8 k3[] = { 0x03, 0x50 };

    g_byte_array_append (p, head, sizeof head);
    g_byte_array_append (p, z16, 16);
    g_byte_array_append (p, k3, 2);
    g_byte_array_append (p, z16, 16);
    g_byte_array_append (p, mid, sizeof mid);
    g_byte_array_append (p, z32, 32);
    g_byte_array_append (p, k10, 3);
    g_byte_array_append (p, signer.pk, 32);
    t = cose_around (p->data, p->len, kid);
    g_byte_array_unref (p);
    assert_fails (t, NULL, JC_JC1_ERROR_SIGNATURE, "signature does not match");
  }
}
END_TEST

START_TEST (test_certificate_checks)
{
  Key signer, hq, other_hq;
  g_autofree char *text = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *forged = NULL;
  g_autoptr(JcJc1Claims) c = NULL;

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  key_from_seed (&other_hq, 9);
  c = make_claims (&signer, &hq, 5, JC_JC1_STATUS_CONFIRMED);
  text = encode_ok (c, &signer);

  ck_assert (jc_jc1_decode_verify (text, hq.pk, NULL, NULL));
  ck_assert (jc_jc1_decode_verify (text, NULL, NULL, NULL));   /* no HQ key: not checked */
  assert_fails (text, other_hq.pk, JC_JC1_ERROR_CERTIFICATE, "another HQ key");

  /* Valid certificate, but it ran out before the finding was sealed. */
  ck_assert (jc_jc1_make_certificate (hq.sk, c->certificate.device_id, signer.pk, c->sealed_at - 1,
                                      &c->certificate, NULL));
  expired = encode_ok (c, &signer);
  assert_fails (expired, hq.pk, JC_JC1_ERROR_CERTIFICATE, "expired");
  ck_assert (jc_jc1_make_certificate (hq.sk, c->certificate.device_id, signer.pk, c->sealed_at,
                                      &c->certificate, NULL));
  g_free (expired);
  expired = encode_ok (c, &signer);
  ck_assert (jc_jc1_decode_verify (expired, hq.pk, NULL, NULL));   /* valid up to that second */

  /* A certificate signed by HQ for another device key. */
  {
    Key other;

    key_from_seed (&other, 5);
    ck_assert (jc_jc1_make_certificate (hq.sk, c->certificate.device_id, other.pk, 1800000000,
                                        &c->certificate, NULL));
    forged = encode_ok (c, &signer);
    assert_fails (forged, hq.pk, JC_JC1_ERROR_CERTIFICATE, "does not verify");
  }

  c->has_certificate = FALSE;
  bare = encode_ok (c, &signer);
  ck_assert (jc_jc1_decode_verify (bare, NULL, NULL, NULL));
  assert_fails (bare, hq.pk, JC_JC1_ERROR_NOT_ENROLLED, "not enrolled");

  /* The certificate message is the CBOR DESIGN.md names. */
  {
    guint8 dev[16], pk[32];
    g_autoptr(GBytes) msg = NULL;
    const guint8 *d;
    gsize n;

    memset (dev, 0xdd, 16);
    memset (pk, 0xee, 32);
    msg = jc_jc1_certificate_message (dev, pk, 1800000000);
    d = g_bytes_get_data (msg, &n);
    ck_assert_uint_eq (n, 1 + 8 + 1 + 16 + 2 + 32 + 5);
    ck_assert (memcmp (d, "\x84\x67JC-CERT\x50", 10) == 0);
    ck_assert (memcmp (d + 26, "\x58\x20", 2) == 0);
    ck_assert (memcmp (d + 60, "\x1a\x6b\x49\xd2\x00", 5) == 0);
  }
}
END_TEST

START_TEST (test_institution_signature_checked)
{
  Key signer;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *text = NULL;
  g_autofree char *keyonly = NULL;
  g_autoptr(JcJc1Claims) back = NULL;

  key_from_seed (&signer, 1);
  c = make_claims (&signer, NULL, 1, JC_JC1_STATUS_CONFIRMED);
  c->confirmation.institution_signature[10] ^= 1;
  text = encode_ok (c, &signer);   /* the inspector signed it, but the institution did not */
  assert_fails (text, NULL, JC_JC1_ERROR_INSTITUTION_SIGNATURE, "institution");

  c->confirmation.has_institution_signature = FALSE;
  keyonly = encode_ok (c, &signer);
  ck_assert (jc_jc1_decode_verify (keyonly, NULL, &back, NULL));
  ck_assert (back->confirmation.has_institution_key);
  ck_assert (!back->confirmation.has_institution_signature);
}
END_TEST

START_TEST (test_encode_refuses_bad_claims)
{
  Key signer, other;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  key_from_seed (&signer, 1);
  key_from_seed (&other, 4);
  c = make_claims (&signer, NULL, 1, JC_JC1_STATUS_CONFIRMED);

  ck_assert (!jc_jc1_encode (c, other.sk, &text, &error));
  ck_assert (g_error_matches (error, JC_JC1_ERROR, JC_JC1_ERROR_INVALID));
  ck_assert_ptr_nonnull (strstr (error->message, "claim 10"));
  g_clear_error (&error);

  g_free (c->checklist);
  c->checklist = g_strdup ("hospital-2021");
  ck_assert (!jc_jc1_encode (c, signer.sk, &text, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "id@version"));
  g_clear_error (&error);
  g_free (c->checklist);
  c->checklist = g_strdup ("hospital-2021@1");

  g_free (c->confirmation.name);
  c->confirmation.name = g_strdup ("");
  ck_assert (!jc_jc1_encode (c, signer.sk, &text, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "name"));
  g_clear_error (&error);

  g_free (c->confirmation.name);
  c->confirmation.name = g_strdup ("\xff\xfe");
  ck_assert (!jc_jc1_encode (c, signer.sk, &text, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "UTF-8"));
  ck_assert_ptr_null (text);
}
END_TEST

START_TEST (test_describe)
{
  Key signer, hq;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *d = NULL;
  guint8 kid[8];
  g_autofree char *kid_line = NULL;

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  c = make_claims (&signer, &hq, 3, JC_JC1_STATUS_DISPUTED);
  c->amount_fen = 5;
  d = jc_jc1_claims_describe (c);
  jc_jc1_kid (signer.pk, kid);
  kid_line = g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x",
                              kid[0], kid[1], kid[2], kid[3], kid[4], kid[5], kid[6], kid[7]);

  ck_assert_ptr_nonnull (strstr (d, "Institution: H14110200123\n"));
  ck_assert_ptr_nonnull (strstr (d, "Checklist: hospital-2021@1\n"));
  ck_assert_ptr_nonnull (strstr (d, "Items (3): h21.1.1, h21.2.1.2, h21.2.2.2\n"));
  ck_assert_ptr_nonnull (strstr (d, "Amount: 0.05 yuan\n"));
  ck_assert_ptr_nonnull (strstr (d, "Sealed at: 2026-09-2"));
  ck_assert_ptr_nonnull (strstr (d, kid_line));
  ck_assert_ptr_nonnull (strstr (d, "Confirmation: disputed by 王秀英"));
  c->amount_fen = 1234567;
  g_free (d);
  d = jc_jc1_claims_describe (c);
  ck_assert_ptr_nonnull (strstr (d, "Amount: 12345.67 yuan\n"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* The independent verifier and the CLI                                 */

static char *
hex_of (const guint8 *p, gsize n)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < n; i++)
    g_string_append_printf (s, "%02x", p[i]);
  return g_string_free (s, FALSE);
}

static char *
script_path (void)
{
  return g_build_filename (g_getenv ("JIANCHA_SOURCE_DIR"), "tests", "verify_jc1.py", NULL);
}

/* jc_test_spawn() does not search PATH. */
static char *
python (void)
{
  /* Debian's, where python3-cbor2 and python3-nacl are installed. */
  char *path = g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
               ? g_strdup ("/usr/bin/python3") : g_find_program_in_path ("python3");

  ck_assert_msg (path != NULL, "python3 is not installed");
  return path;
}

START_TEST (test_independent_verifier_accepts)
{
  Key signer, hq;
  g_autofree char *script = script_path ();
  g_autofree char *py = python ();
  g_autofree char *dir = jc_test_tmpdir ("jc1-py");
  g_autofree char *hq_hex = NULL;
  int statuses[] = { JC_JC1_STATUS_CONFIRMED, JC_JC1_STATUS_DISPUTED, JC_JC1_STATUS_REFUSED };

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  hq_hex = hex_of (hq.pk, 32);
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    {
      g_autoptr(JcJc1Claims) c = make_claims (&signer, &hq, 5, statuses[s]);
      g_autofree char *text = encode_ok (c, &signer);
      g_autofree char *png = g_strdup_printf ("%s/f%u.png", dir, s);
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *fid = hex_of (c->finding_id, 16);
      const char *status_word = statuses[s] == 0 ? "\"confirmed\"" : statuses[s] == 1 ? "\"disputed\"" : "\"refused\"";

      ck_assert (jc_qr_write_png (text, png, 3, NULL));
      {
        const char *argv[] = { py, script, "--png", png, "--hq-key", hq_hex, NULL };

        ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "verify_jc1.py --png: %s", err);
      }
      ck_assert_ptr_nonnull (strstr (out, "\"institution\": \"H14110200123\""));
      ck_assert_ptr_nonnull (strstr (out, "\"amount_fen\": 1234567"));
      ck_assert_ptr_nonnull (strstr (out, "\"sealed_at\": 1790000000"));
      ck_assert_ptr_nonnull (strstr (out, fid));
      ck_assert_ptr_nonnull (strstr (out, "\"name\": \"王秀英\""));
      ck_assert_ptr_nonnull (strstr (out, status_word));
      ck_assert_ptr_nonnull (strstr (out, "\"verified\": true"));
      ck_assert_ptr_nonnull (strstr (out, "\"h21.2.3.7\""));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      /* Python starts slowly: the text form and a wrong key, once. */
      if (s > 0)
        continue;
      {
        const char *argv[] = { py, script, "--text", text, NULL };

        ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "verify_jc1.py --text: %s", err);
      }
      /* Another HQ key: the independent verifier refuses it too. */
      {
        Key other;
        g_autofree char *other_hex = NULL;
        const char *argv[] = { py, script, "--text", text, "--hq-key", NULL, NULL };

        key_from_seed (&other, 9);
        other_hex = hex_of (other.pk, 32);
        argv[5] = other_hex;
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
        ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 1);
        ck_assert_ptr_nonnull (strstr (err, "another HQ key"));
      }
    }
  jc_test_rmtree (dir);
}
END_TEST

/* Every single-bit flip of a real code, through the independent verifier
 * in one batch: each must be refused. */
START_TEST (test_independent_verifier_rejects_flips)
{
  Key signer, hq;
  g_autofree char *script = script_path ();
  g_autofree char *py = python ();
  g_autofree char *dir = jc_test_tmpdir ("jc1-py-flip");
  g_autofree char *batch = g_build_filename (dir, "flips.txt", NULL);
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *text = NULL;
  g_autofree guint8 *cose = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;
  GString *all = g_string_new (NULL);
  gsize len;
  guint n_ok = 0, n_err = 0;

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  c = make_claims (&signer, &hq, 5, JC_JC1_STATUS_CONFIRMED);
  text = encode_ok (c, &signer);
  cose = unwrap (text, &len);

  /* Line 1 is the untouched code: proves the batch mode accepts good ones. */
  g_string_append_printf (all, "%s\n", text);
  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree char *bad = NULL;

      cose[bit / 8] ^= 1 << (bit % 8);
      bad = wrap (cose, len);
      cose[bit / 8] ^= 1 << (bit % 8);
      g_string_append_printf (all, "%s\n", bad);
    }
  ck_assert (g_file_set_contents (batch, all->str, all->len, NULL));
  g_string_free (all, TRUE);

  {
    const char *argv[] = { py, script, "--batch", batch, NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 1);
  }
  lines = g_strsplit (out, "\n", -1);
  ck_assert_str_eq (lines[0], "ok");
  for (guint i = 1; lines[i] != NULL && *lines[i]; i++)
    {
      ck_assert_msg (g_str_has_prefix (lines[i], "error: "), "flip %u accepted by verify_jc1.py", i - 1);
      n_err++;
    }
  n_ok = 1;
  ck_assert_uint_eq (n_err, len * 8);
  g_print ("verify_jc1.py: %u good code accepted, %u flipped codes rejected\n", n_ok, n_err);
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_cli_verify)
{
  Key signer, hq;
  g_autofree char *cli = g_build_filename (g_getenv ("JIANCHA_BUILD_DIR"), "src", "cli", "jiancha-cli", NULL);
  g_autofree char *dir = jc_test_tmpdir ("jc1-cli");
  g_autofree char *png = g_build_filename (dir, "f.png", NULL);
  g_autofree char *hq_hex = NULL;
  g_autoptr(JcJc1Claims) c = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tampered = NULL;
  char *out = NULL, *err = NULL;

  key_from_seed (&signer, 1);
  key_from_seed (&hq, 2);
  hq_hex = hex_of (hq.pk, 32);
  c = make_claims (&signer, &hq, 5, JC_JC1_STATUS_CONFIRMED);
  text = encode_ok (c, &signer);
  ck_assert (jc_qr_write_png (text, png, 4, NULL));

  {
    const char *argv[] = { cli, "verify", "--png", png, "--hq-key", hq_hex, NULL };

    ck_assert_msg (jc_test_spawn (argv, NULL, &out, &err) == 0, "verify --png: %s", err);
    ck_assert_ptr_nonnull (strstr (out, "Institution: H14110200123"));
    ck_assert_ptr_nonnull (strstr (out, "Amount: 12345.67 yuan"));
    ck_assert_ptr_nonnull (strstr (out, "王秀英"));
    ck_assert_ptr_nonnull (strstr (out, "VALID"));
    g_free (out); g_free (err);
  }
  {
    const char *argv[] = { cli, "verify", "--text", text, NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 0);
    ck_assert_ptr_nonnull (strstr (out, "not checked"));
    g_free (out); g_free (err);
  }

  tampered = g_strdup (text);
  tampered[strlen (tampered) - 10] = tampered[strlen (tampered) - 10] == '0' ? '1' : '0';
  {
    const char *argv[] = { cli, "verify", "--text", tampered, NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 1);
    ck_assert_ptr_nonnull (strstr (err, "INVALID"));
    g_free (out); g_free (err);
  }
  {
    Key other;
    g_autofree char *other_hex = NULL;
    const char *argv[] = { cli, "verify", "--text", text, "--hq-key", NULL, NULL };

    key_from_seed (&other, 9);
    other_hex = hex_of (other.pk, 32);
    argv[5] = other_hex;
    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 1);
    ck_assert_ptr_nonnull (strstr (err, "another HQ key"));
    g_free (out); g_free (err);
  }
  {
    const char *argv[] = { cli, "verify", "--text", "HC1:XYZ", NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 1);
    ck_assert_ptr_nonnull (strstr (err, "HC1:"));
    g_free (out); g_free (err);
  }
  /* Usage errors: neither or both sources, a malformed key. */
  {
    const char *argv[] = { cli, "verify", NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 2);
    g_free (out); g_free (err);
  }
  {
    const char *argv[] = { cli, "verify", "--text", text, "--png", png, NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 2);
    g_free (out); g_free (err);
  }
  {
    const char *argv[] = { cli, "verify", "--text", text, "--hq-key", "abcd", NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 2);
    ck_assert_ptr_nonnull (strstr (err, "64 hexadecimal"));
    g_free (out); g_free (err);
  }
  {
    g_autofree char *missing = g_build_filename (dir, "nope.png", NULL);
    const char *argv[] = { cli, "verify", "--png", missing, NULL };

    ck_assert_int_eq (jc_test_spawn (argv, NULL, &out, &err), 1);
    ck_assert_ptr_nonnull (strstr (err, "no such file"));
    g_free (out); g_free (err);
  }
  jc_test_rmtree (dir);
}
END_TEST

static Suite *
jc1_suite (void)
{
  Suite *s = suite_create ("jc1");
  TCase *tc;

  tc = tcase_create ("base45");
  tcase_add_test (tc, test_base45_rfc9285_vectors);
  tcase_add_test (tc, test_base45_invalid);
  suite_add_tcase (s, tc);

  tc = tcase_create ("codec");
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_add_test (tc, test_round_trip_every_kind);
  tcase_add_test (tc, test_round_trip_extremes);
  tcase_add_test (tc, test_golden_text);
  tcase_add_test (tc, test_text_lengths);
  tcase_add_test (tc, test_describe);
  tcase_add_test (tc, test_encode_refuses_bad_claims);
  suite_add_tcase (s, tc);

  tc = tcase_create ("qr");
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_add_test (tc, test_png_round_trip);
  tcase_add_test (tc, test_draw_on_any_surface);
  tcase_add_test (tc, test_png_errors);
  suite_add_tcase (s, tc);

  tc = tcase_create ("rejects");
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_add_test (tc, test_every_flipped_bit_is_rejected);
  tcase_add_test (tc, test_text_errors);
  tcase_add_test (tc, test_zlib_bomb);
  tcase_add_test (tc, test_cose_shapes);
  tcase_add_test (tc, test_claims_shapes);
  tcase_add_test (tc, test_certificate_checks);
  tcase_add_test (tc, test_institution_signature_checked);
  suite_add_tcase (s, tc);

  tc = tcase_create ("independent");
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_add_test (tc, test_independent_verifier_accepts);
  tcase_add_test (tc, test_independent_verifier_rejects_flips);
  tcase_add_test (tc, test_cli_verify);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (jc1_suite ());
}

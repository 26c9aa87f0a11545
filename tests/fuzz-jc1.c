/* fuzz-jc1.c — fuzz target for the JC1 decoder (jc_jc1_decode_verify) and
 * its sibling, the institution's acknowledgment (jc_ack_decode_verify)
 *
 * The first input byte picks what the rest is:
 *   bit 0 clear: the QR text itself ("JC1:…", or anything);
 *   bit 0 set:   the inflated COSE bytes, wrapped here in zlib + Base45 +
 *                "JC1:", so the fuzzer reaches the CBOR parsers directly;
 *   bit 1 set:   verify with an HQ key too (the certificate path);
 *   bit 2 set:   the same as a JCA1 acknowledgment ("JCA1:" prefix).
 * Built with libFuzzer by build-aux/fuzz.sh, and as a replay program over
 * tests/fuzz/jc1/ in the normal test suite (tests/fuzz-main.c).
 */
#include "config.h"

#include <sodium.h>
#include <string.h>
#include <zlib.h>

#include "jc-core.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static guint8 hq_pk[32];
  static gboolean ready;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint8 mode;

  if (!ready)
    {
      guint8 sk[64], seed[32] = { 2 };

      g_assert (jc_core_init (NULL));
      crypto_sign_seed_keypair (hq_pk, sk, seed);
      ready = TRUE;
    }
  if (size == 0 || size > 128 * 1024)
    return 0;
  mode = data[0];
  data++;
  size--;

  if (mode & 1)
    {
      uLongf zlen = compressBound (size);
      g_autofree guint8 *z = g_malloc (zlen);
      g_autofree char *b45 = NULL;

      if (compress2 (z, &zlen, data, size, 1) != Z_OK)
        return 0;
      b45 = jc_base45_encode (z, zlen);
      text = g_strconcat ((mode & 4) ? JC_ACK_PREFIX : JC_JC1_PREFIX, b45, NULL);
    }
  else
    text = g_strndup ((const char *) data, size);

  if (mode & 4)
    {
      g_autoptr(JcAck) ack = jc_ack_decode_verify (text, &error);

      if (ack != NULL)
        {
          g_autofree char *d = jc_ack_describe (ack);

          g_assert (error == NULL && d != NULL && *d != '\0');
        }
      else
        g_assert (error != NULL && error->domain == JC_ACK_ERROR && *error->message != '\0');
      return 0;
    }

  if (jc_jc1_decode_verify (text, (mode & 2) ? hq_pk : NULL, &claims, &error))
    {
      g_autoptr(JcJc1Claims) copy = jc_jc1_claims_copy (claims);
      g_autofree char *d = jc_jc1_claims_describe (claims);

      g_assert (error == NULL);
      g_assert (jc_jc1_claims_equal (claims, copy));
      g_assert (d != NULL && *d != '\0');
    }
  else
    {
      /* Every refusal says why, in the module's domain. */
      g_assert (claims == NULL);
      g_assert (error != NULL && error->domain == JC_JC1_ERROR);
      g_assert (error->message != NULL && *error->message != '\0');
    }
  return 0;
}

/* jc-blob-crypt.c — evidence in transit to HQ, and at rest there */
#define G_LOG_DOMAIN "jiancha-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-blob-crypt.h"
#include "jc-sha256.h"

guint64
jc_blob_crypt_n_chunks (guint64 plain_size)
{
  /* An empty blob still has one (empty, final) chunk. */
  return plain_size == 0 ? 1 : (plain_size + JC_BLOB_CRYPT_CHUNK - 1) / JC_BLOB_CRYPT_CHUNK;
}

guint64
jc_blob_crypt_size (guint64 plain_size)
{
  return plain_size + jc_blob_crypt_n_chunks (plain_size) * JC_BLOB_CRYPT_TAG;
}

static void
nonce_and_ad (const guint8 sha256[32], guint64 index, gboolean final,
              guint8 nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], guint8 ad[41])
{
  memset (nonce, 0, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  for (int i = 0; i < 8; i++)
    {
      nonce[16 + i] = (guint8) (index >> (8 * (7 - i)));
      ad[32 + i] = nonce[16 + i];
    }
  memcpy (ad, sha256, 32);
  ad[40] = final ? 1 : 0;
}

void
jc_blob_crypt_chunk (const guint8  key[32],
                     const guint8  sha256[32],
                     guint64       index,
                     gboolean      final,
                     const guint8 *in,
                     gsize         len,
                     guint8       *out)
{
  guint8 nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  guint8 ad[41];

  nonce_and_ad (sha256, index, final, nonce, ad);
  crypto_aead_xchacha20poly1305_ietf_encrypt (out, NULL, in, len, ad, sizeof ad, NULL, nonce, key);
}

gboolean
jc_blob_crypt_decrypt (GInputStream  *in,
                       const guint8   key[32],
                       const guint8   sha256[32],
                       guint64        plain_size,
                       GOutputStream *out,
                       GCancellable  *cancellable,
                       GError       **error)
{
  guint64 n_chunks = jc_blob_crypt_n_chunks (plain_size);
  g_autofree guint8 *ct = g_malloc (JC_BLOB_CRYPT_CHUNK + JC_BLOB_CRYPT_TAG);
  g_autofree guint8 *pt = g_malloc (JC_BLOB_CRYPT_CHUNK);
  JcSha256 hash;
  guint8 digest[32], extra;
  guint64 remaining = plain_size;
  gsize got;

  jc_sha256_init (&hash);
  for (guint64 i = 0; i < n_chunks; i++)
    {
      gsize plen = remaining < JC_BLOB_CRYPT_CHUNK ? (gsize) remaining : JC_BLOB_CRYPT_CHUNK;
      guint8 nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
      guint8 ad[41];

      if (!g_input_stream_read_all (in, ct, plen + JC_BLOB_CRYPT_TAG, &got, cancellable, error))
        return FALSE;
      if (got != plen + JC_BLOB_CRYPT_TAG)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The evidence ends in chunk %" PRIu64 " of %" PRIu64 " (cut short)"),
                       i + 1, n_chunks);
          return FALSE;
        }
      nonce_and_ad (sha256, i, i + 1 == n_chunks, nonce, ad);
      if (crypto_aead_xchacha20poly1305_ietf_decrypt (pt, NULL, NULL, ct, got, ad, sizeof ad, nonce, key) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Chunk %" PRIu64 " of %" PRIu64 " of the evidence failed authentication (altered)"),
                       i + 1, n_chunks);
          return FALSE;
        }
      jc_sha256_update (&hash, pt, plen);
      if (out != NULL && !g_output_stream_write_all (out, pt, plen, NULL, cancellable, error))
        return FALSE;
      remaining -= plen;
    }
  if (!g_input_stream_read_all (in, &extra, 1, &got, cancellable, error))
    return FALSE;
  if (got != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Bytes follow the end of the evidence"));
      return FALSE;
    }
  jc_sha256_final (&hash, digest);
  if (sodium_memcmp (digest, sha256, 32) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The evidence’s SHA-256 is not the one it was sent under"));
      return FALSE;
    }
  return TRUE;
}

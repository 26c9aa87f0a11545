/* jc-blob-crypt.h — evidence in transit to HQ, and at rest there
 *
 * The device re-encrypts each piece of evidence for HQ under a random
 * per-blob transport key that travels inside the sealed bundle (so only HQ
 * can read it), in chunks of 64 KiB of plaintext:
 *
 *   chunk i = XChaCha20-Poly1305 (key, nonce = 16 zero bytes || i u64be,
 *                                 AD = sha256 || i u64be || final u8, plaintext i)
 *
 * The nonce is unique because the key is; the ciphertext is deterministic,
 * so an interrupted upload resumes from any byte HQ confirms and gets the
 * same bytes again. The final flag and the sizes stop truncation and
 * extension; HQ keeps the ciphertext as it arrived (encrypted at rest) and
 * accepts it once every chunk authenticates and the plaintext's SHA-256 is
 * the blob's name.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define JC_BLOB_CRYPT_CHUNK   (64 * 1024)
#define JC_BLOB_CRYPT_TAG     16
#define JC_BLOB_CRYPT_KEY     32

/* Bytes of ciphertext for @plain_size bytes of evidence. */
guint64  jc_blob_crypt_size          (guint64        plain_size);
guint64  jc_blob_crypt_n_chunks      (guint64        plain_size);
/* @out has room for @len + JC_BLOB_CRYPT_TAG bytes. */
void     jc_blob_crypt_chunk         (const guint8   key[32],
                                      const guint8   sha256[32],
                                      guint64        index,
                                      gboolean       final,
                                      const guint8  *in,
                                      gsize          len,
                                      guint8        *out);
/* Reads @in (the whole ciphertext) and checks every chunk, the sizes and
 * the SHA-256; writes the plaintext to @out when it is not NULL (a prefix
 * may have been written when this fails). */
gboolean jc_blob_crypt_decrypt       (GInputStream  *in,
                                      const guint8   key[32],
                                      const guint8   sha256[32],
                                      guint64        plain_size,
                                      GOutputStream *out,
                                      GCancellable  *cancellable,
                                      GError       **error);

G_END_DECLS

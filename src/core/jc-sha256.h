/* jc-sha256.h — SHA-256, the one hash of events, evidence and bundles
 *
 * Nettle's, not libsodium's: nettle uses the CPU's SHA extensions where it
 * has them (about five times faster on this project's x86-64 machines) and
 * HQ hashes every event and every evidence byte it receives.
 */
#pragma once

#include <glib.h>
#include <nettle/sha2.h>

G_BEGIN_DECLS

#define JC_SHA256_SIZE 32

typedef struct {
  struct sha256_ctx ctx;
} JcSha256;

void jc_sha256        (guint8        out[JC_SHA256_SIZE],
                       gconstpointer data,
                       gsize         len);
void jc_sha256_init   (JcSha256     *sha);
void jc_sha256_update (JcSha256     *sha,
                       gconstpointer data,
                       gsize         len);
void jc_sha256_final  (JcSha256     *sha,
                       guint8        out[JC_SHA256_SIZE]);

G_END_DECLS

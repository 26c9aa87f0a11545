/* jc-sha256.c — SHA-256 through nettle */
#include "config.h"

#include "jc-sha256.h"

void
jc_sha256 (guint8        out[JC_SHA256_SIZE],
           gconstpointer data,
           gsize         len)
{
  JcSha256 sha;

  jc_sha256_init (&sha);
  jc_sha256_update (&sha, data, len);
  jc_sha256_final (&sha, out);
}

void
jc_sha256_init (JcSha256 *sha)
{
  sha256_init (&sha->ctx);
}

void
jc_sha256_update (JcSha256     *sha,
                  gconstpointer data,
                  gsize         len)
{
  sha256_update (&sha->ctx, len, data);
}

/* Also resets @sha, as nettle does. */
void
jc_sha256_final (JcSha256 *sha,
                 guint8    out[JC_SHA256_SIZE])
{
  sha256_digest (&sha->ctx, JC_SHA256_SIZE, out);
}

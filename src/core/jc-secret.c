/* jc-secret.c — a buffer for key material in locked, guarded memory */
#include "config.h"

#include <inttypes.h>

#include <sodium.h>
#include <string.h>

#include "jc-secret.h"

struct _JcSecret {
  guint8 *data;
  gsize   len;
};

/* sodium_malloc() already mlock()s the region and puts guard pages around
 * it; the explicit sodium_mlock() documents the intent and is harmless.
 * Running out of secure memory is treated like running out of memory. */
JcSecret *
jc_secret_new (gsize len)
{
  JcSecret *secret = g_new0 (JcSecret, 1);

  secret->len = len;
  secret->data = sodium_malloc (len > 0 ? len : 1);
  if (secret->data == NULL)
    g_error ("out of secure memory (%zu bytes)", len);
  (void) sodium_mlock (secret->data, len > 0 ? len : 1);
  sodium_memzero (secret->data, len > 0 ? len : 1);
  return secret;
}

JcSecret *
jc_secret_new_random (gsize len)
{
  JcSecret *secret = jc_secret_new (len);

  randombytes_buf (secret->data, len);
  return secret;
}

JcSecret *
jc_secret_new_from (const guint8 *data,
                    gsize         len)
{
  JcSecret *secret = jc_secret_new (len);

  if (len > 0)
    memcpy (secret->data, data, len);
  return secret;
}

JcSecret *
jc_secret_dup (const JcSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);
  return jc_secret_new_from (secret->data, secret->len);
}

/* sodium_free() wipes the memory (and munlock()s it) before releasing it. */
void
jc_secret_free (JcSecret *secret)
{
  if (secret == NULL)
    return;
  sodium_free (secret->data);
  g_free (secret);
}

guint8 *
jc_secret_get_data (JcSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);
  return secret->data;
}

const guint8 *
jc_secret_peek (const JcSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);
  return secret->data;
}

gsize
jc_secret_get_len (const JcSecret *secret)
{
  g_return_val_if_fail (secret != NULL, 0);
  return secret->len;
}

/* Constant time, so comparing keys leaks nothing through timing. */
gboolean
jc_secret_equal (const JcSecret *a,
                 const JcSecret *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return a->len == b->len && sodium_memcmp (a->data, b->data, a->len) == 0;
}

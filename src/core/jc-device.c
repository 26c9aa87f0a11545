/* jc-device.c — the device identity: a random id and an Ed25519 key pair
 *
 * The identity is made once, on first run. Its secret key only ever lives in
 * sodium_malloc() memory (guard pages, mlock'ed, wiped on free); the vault
 * stores jc_device_to_bytes() inside its encrypted database.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-device.h"

#define SERIAL_MAGIC "JCD1"

struct _JcDevice
{
  guint8  id[JC_DEVICE_ID_SIZE];
  char    id_hex[JC_DEVICE_ID_HEX_SIZE + 1];
  guint8  public_key[JC_DEVICE_PUBLIC_KEY_SIZE];
  guint8 *secret_key;   /* crypto_sign_SECRETKEYBYTES, sodium_malloc'ed */
};

G_DEFINE_QUARK (jc-device-error-quark, jc_device_error)

G_STATIC_ASSERT (JC_DEVICE_PUBLIC_KEY_SIZE == crypto_sign_PUBLICKEYBYTES);
G_STATIC_ASSERT (JC_DEVICE_SEED_SIZE == crypto_sign_SEEDBYTES);
G_STATIC_ASSERT (JC_DEVICE_SIGNATURE_SIZE == crypto_sign_BYTES);
G_STATIC_ASSERT (JC_DEVICE_SERIALIZED_SIZE == 4 + JC_DEVICE_ID_SIZE + crypto_sign_PUBLICKEYBYTES
                                              + crypto_sign_SECRETKEYBYTES);

char *
jc_device_hex (const guint8 *data,
               gsize         len)
{
  char *hex = g_malloc (len * 2 + 1);

  sodium_bin2hex (hex, len * 2 + 1, data, len);
  return hex;
}

gboolean
jc_device_unhex (const char *hex,
                 guint8     *out,
                 gsize       len)
{
  gsize bin_len = 0;

  return hex != NULL && strlen (hex) == len * 2 &&
         sodium_hex2bin (out, len, hex, len * 2, NULL, &bin_len, NULL) == 0 && bin_len == len;
}

static JcDevice *
device_alloc (const guint8  *device_id,
              GError       **error)
{
  JcDevice *device = g_new0 (JcDevice, 1);

  device->secret_key = sodium_malloc (crypto_sign_SECRETKEYBYTES);
  if (device->secret_key == NULL)
    {
      g_free (device);
      g_set_error_literal (error, JC_DEVICE_ERROR, JC_DEVICE_ERROR_NO_MEMORY,
                           _("Could not allocate locked memory for the device key"));
      return NULL;
    }
  /* sodium_malloc() already tries to lock; lock explicitly so the intent is
   * visible. Failure (RLIMIT_MEMLOCK) is not fatal: guard pages and the wipe
   * on free still hold. */
  sodium_mlock (device->secret_key, crypto_sign_SECRETKEYBYTES);
  memcpy (device->id, device_id, JC_DEVICE_ID_SIZE);
  sodium_bin2hex (device->id_hex, sizeof device->id_hex, device->id, JC_DEVICE_ID_SIZE);
  return device;
}

/* A fresh identity: 16 random bytes of id and a new key pair. */
JcDevice *
jc_device_new_random (GError **error)
{
  guint8 id[JC_DEVICE_ID_SIZE];
  JcDevice *device;

  randombytes_buf (id, sizeof id);
  device = device_alloc (id, error);
  if (device == NULL)
    return NULL;
  crypto_sign_keypair (device->public_key, device->secret_key);
  return device;
}

/* A deterministic identity, for tests and for known-answer vectors. */
JcDevice *
jc_device_new_from_seed (const guint8  *device_id,
                         const guint8  *seed,
                         GError       **error)
{
  JcDevice *device;

  g_return_val_if_fail (device_id != NULL && seed != NULL, NULL);

  device = device_alloc (device_id, error);
  if (device == NULL)
    return NULL;
  crypto_sign_seed_keypair (device->public_key, device->secret_key, seed);
  return device;
}

/* The serialised form is "JCD1" || id || public key || secret key. It holds
 * the secret key, so it lives in sodium memory and is wiped when the GBytes
 * is freed; the caller stores it only inside the encrypted vault. */
GBytes *
jc_device_to_bytes (const JcDevice *device)
{
  guint8 *buf;
  guint8 *p;

  g_return_val_if_fail (device != NULL, NULL);

  buf = sodium_malloc (JC_DEVICE_SERIALIZED_SIZE);
  g_assert (buf != NULL);
  p = buf;
  memcpy (p, SERIAL_MAGIC, 4);
  p += 4;
  memcpy (p, device->id, JC_DEVICE_ID_SIZE);
  p += JC_DEVICE_ID_SIZE;
  memcpy (p, device->public_key, crypto_sign_PUBLICKEYBYTES);
  p += crypto_sign_PUBLICKEYBYTES;
  memcpy (p, device->secret_key, crypto_sign_SECRETKEYBYTES);

  return g_bytes_new_with_free_func (buf, JC_DEVICE_SERIALIZED_SIZE, sodium_free, buf);
}

JcDevice *
jc_device_new_from_bytes (GBytes  *bytes,
                          GError **error)
{
  const guint8 *data;
  gsize len;
  const guint8 *id, *pk, *sk;
  guint8 derived_pk[crypto_sign_PUBLICKEYBYTES];
  JcDevice *device;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len != JC_DEVICE_SERIALIZED_SIZE)
    {
      g_set_error (error, JC_DEVICE_ERROR, JC_DEVICE_ERROR_INVALID,
                   _("Device identity has %zu bytes, expected %d"),
                   len, JC_DEVICE_SERIALIZED_SIZE);
      return NULL;
    }
  if (memcmp (data, SERIAL_MAGIC, 4) != 0)
    {
      g_set_error_literal (error, JC_DEVICE_ERROR, JC_DEVICE_ERROR_INVALID,
                           _("Device identity does not start with the JCD1 magic"));
      return NULL;
    }
  id = data + 4;
  pk = id + JC_DEVICE_ID_SIZE;
  sk = pk + crypto_sign_PUBLICKEYBYTES;

  /* The public key is stored twice (on its own and as the second half of the
   * secret key) and is also derivable from the seed: all three must agree,
   * or a damaged identity would sign events nobody can verify. */
  if (crypto_sign_ed25519_sk_to_pk (derived_pk, sk) != 0 ||
      sodium_memcmp (derived_pk, pk, sizeof derived_pk) != 0)
    {
      g_set_error_literal (error, JC_DEVICE_ERROR, JC_DEVICE_ERROR_INVALID,
                           _("Device identity is inconsistent: the public key does not match the secret key"));
      return NULL;
    }

  device = device_alloc (id, error);
  if (device == NULL)
    return NULL;
  {
    guint8 seed[crypto_sign_SEEDBYTES];

    crypto_sign_ed25519_sk_to_seed (seed, sk);
    crypto_sign_seed_keypair (device->public_key, device->secret_key, seed);
    sodium_memzero (seed, sizeof seed);
  }
  if (sodium_memcmp (device->public_key, pk, crypto_sign_PUBLICKEYBYTES) != 0)
    {
      jc_device_free (device);
      g_set_error_literal (error, JC_DEVICE_ERROR, JC_DEVICE_ERROR_INVALID,
                           _("Device identity is inconsistent: the seed does not give the stored public key"));
      return NULL;
    }
  return device;
}

void
jc_device_free (JcDevice *device)
{
  if (device == NULL)
    return;
  /* sodium_free() wipes before it releases */
  sodium_munlock (device->secret_key, crypto_sign_SECRETKEYBYTES);
  sodium_free (device->secret_key);
  g_free (device);
}

const guint8 *
jc_device_get_id (const JcDevice *device)
{
  g_return_val_if_fail (device != NULL, NULL);
  return device->id;
}

const char *
jc_device_get_id_hex (const JcDevice *device)
{
  g_return_val_if_fail (device != NULL, NULL);
  return device->id_hex;
}

const guint8 *
jc_device_get_public_key (const JcDevice *device)
{
  g_return_val_if_fail (device != NULL, NULL);
  return device->public_key;
}

const guint8 *
jc_device_get_secret_key (const JcDevice *device)
{
  g_return_val_if_fail (device != NULL, NULL);
  return device->secret_key;
}

char *
jc_device_get_public_key_hex (const JcDevice *device)
{
  g_return_val_if_fail (device != NULL, NULL);
  return jc_device_hex (device->public_key, crypto_sign_PUBLICKEYBYTES);
}

/* Ed25519 detached signature of @data into @signature (64 bytes). */
void
jc_device_sign (const JcDevice *device,
                const guint8   *data,
                gsize           len,
                guint8         *signature)
{
  g_return_if_fail (device != NULL && signature != NULL);
  crypto_sign_detached (signature, NULL, data, len, device->secret_key);
}

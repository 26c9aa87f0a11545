/* jc-bundle.c — JCB1 bundles: build, sign, seal; open, verify, parse */
#define G_LOG_DOMAIN "jiancha-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-bundle.h"
#include "jc-sha256.h"

G_DEFINE_QUARK (jc-bundle-error-quark, jc_bundle_error)

#define SIGN_CONTEXT "JCB1-bundle"
#define INNER_HEAD   (16 + 64)

G_STATIC_ASSERT (sizeof SIGN_CONTEXT - 1 + 16 <= INNER_HEAD);

static void
put_be (GByteArray *out, guint64 v, guint bytes)
{
  guint8 b[8];

  for (guint i = 0; i < bytes; i++)
    b[i] = (guint8) (v >> (8 * (bytes - 1 - i)));
  g_byte_array_append (out, b, bytes);
}

void
jc_bundle_blob_free (JcBundleBlob *blob)
{
  if (blob == NULL)
    return;
  sodium_memzero (blob->key, sizeof blob->key);
  g_free (blob->media_type);
  g_free (blob);
}

void
jc_bundle_free (JcBundle *bundle)
{
  if (bundle == NULL)
    return;
  g_clear_pointer (&bundle->events, g_ptr_array_unref);
  g_clear_pointer (&bundle->blobs, g_ptr_array_unref);
  g_free (bundle);
}

void
jc_bundle_digest (GBytes *sealed, guint8 digest[32])
{
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  jc_sha256 (digest, data, len);
}

static void
sign_body (const JcDevice *device, const guint8 *body, gsize len, guint8 sig[64])
{
  g_autoptr(GByteArray) msg = g_byte_array_sized_new (len + 32);

  g_byte_array_append (msg, (const guint8 *) SIGN_CONTEXT, strlen (SIGN_CONTEXT));
  g_byte_array_append (msg, jc_device_get_id (device), JC_DEVICE_ID_SIZE);
  g_byte_array_append (msg, body, len);
  jc_device_sign (device, msg->data, msg->len, sig);
}

GBytes *
jc_bundle_seal (const JcDevice  *device,
                GPtrArray       *events,
                GPtrArray       *blobs,
                gint64           created,
                const guint8     hq_public_key[32],
                GError         **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  GBytes *sealed;
  guint n_blobs = blobs != NULL ? blobs->len : 0;

  if (events->len > JC_BUNDLE_MAX_EVENTS || n_blobs > JC_BUNDLE_MAX_BLOBS)
    {
      g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_TOO_LARGE,
                   _("A bundle holds at most %u events and %u evidence files"),
                   JC_BUNDLE_MAX_EVENTS, JC_BUNDLE_MAX_BLOBS);
      return NULL;
    }
  g_byte_array_append (body, (const guint8 *) JC_BUNDLE_MAGIC, 4);
  put_be (body, JC_BUNDLE_VERSION, 1);
  put_be (body, (guint64) created, 8);
  put_be (body, events->len, 4);
  for (guint i = 0; i < events->len; i++)
    {
      const JcEvent *event = g_ptr_array_index (events, i);
      gsize len;
      const guint8 *encoded = jc_event_get_encoded (event, &len);

      if (memcmp (jc_event_get_device_id (event), jc_device_get_id (device), JC_DEVICE_ID_SIZE) != 0 ||
          jc_event_get_signature (event) == NULL)
        {
          g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_MALFORMED,
                       _("Event %" PRIu64 " is not a signed event of this device"),
                       jc_event_get_seq (event));
          return NULL;
        }
      put_be (body, len, 4);
      g_byte_array_append (body, encoded, len);
      g_byte_array_append (body, jc_event_get_signature (event), 64);
    }
  put_be (body, n_blobs, 4);
  for (guint i = 0; i < n_blobs; i++)
    {
      const JcBundleBlob *blob = g_ptr_array_index (blobs, i);
      gsize media_len = strlen (blob->media_type);

      if (media_len > JC_BUNDLE_MEDIA_MAX)
        media_len = 0;
      g_byte_array_append (body, blob->sha256, 32);
      put_be (body, blob->size, 8);
      g_byte_array_append (body, blob->key, 32);
      put_be (body, media_len, 2);
      g_byte_array_append (body, (const guint8 *) blob->media_type, media_len);
    }
  if (body->len + INNER_HEAD + crypto_box_SEALBYTES + 4 > JC_BUNDLE_MAX_SIZE)
    {
      g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_TOO_LARGE,
                   _("The bundle would be %u bytes, over the limit of %u: send fewer events at a time"),
                   body->len, JC_BUNDLE_MAX_SIZE);
      return NULL;
    }

  sealed = jc_bundle_seal_body (device, body->data, body->len, hq_public_key, error);
  sodium_memzero (body->data, body->len);
  return sealed;
}

GBytes *
jc_bundle_seal_body (const JcDevice  *device,
                     const guint8    *body,
                     gsize            len,
                     const guint8     hq_public_key[32],
                     GError         **error)
{
  g_autoptr(GByteArray) inner = g_byte_array_sized_new (INNER_HEAD + len);
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];
  guint8 sig[64];
  guint8 *sealed;
  gsize sealed_len;

  if (crypto_sign_ed25519_pk_to_curve25519 (box_pk, hq_public_key) != 0)
    {
      g_set_error_literal (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_SEAL,
                           _("HQ’s public key is not a valid Ed25519 key"));
      return NULL;
    }
  sign_body (device, body, len, sig);
  g_byte_array_append (inner, jc_device_get_id (device), JC_DEVICE_ID_SIZE);
  g_byte_array_append (inner, sig, sizeof sig);
  g_byte_array_append (inner, body, len);

  sealed_len = 4 + crypto_box_SEALBYTES + inner->len;
  sealed = g_malloc (sealed_len);
  memcpy (sealed, JC_BUNDLE_MAGIC, 4);
  crypto_box_seal (sealed + 4, inner->data, inner->len, box_pk);
  sodium_memzero (inner->data, inner->len);
  return g_bytes_new_take (sealed, sealed_len);
}

/* Reading ----------------------------------------------------------------- */

typedef struct {
  const guint8 *p;
  const guint8 *end;
} Reader;

static gboolean
take (Reader *r, gsize n, const guint8 **out)
{
  if ((gsize) (r->end - r->p) < n)
    return FALSE;
  *out = r->p;
  r->p += n;
  return TRUE;
}

static gboolean
take_be (Reader *r, guint bytes, guint64 *out)
{
  const guint8 *b;

  if (!take (r, bytes, &b))
    return FALSE;
  *out = 0;
  for (guint i = 0; i < bytes; i++)
    *out = (*out << 8) | b[i];
  return TRUE;
}

static gboolean
malformed (GError **error, const char *what)
{
  g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_MALFORMED,
               _("The bundle is malformed: %s"), what);
  return FALSE;
}

static gboolean
parse_events (Reader *r, JcBundle *bundle, GError **error)
{
  guint64 n;

  if (!take_be (r, 4, &n))
    return malformed (error, _("it ends before the event count"));
  if (n > JC_BUNDLE_MAX_EVENTS)
    return malformed (error, _("too many events"));
  for (guint64 i = 0; i < n; i++)
    {
      g_autoptr(JcEvent) event = NULL;
      g_autoptr(GError) local = NULL;
      const guint8 *encoded, *sig;
      guint64 len;

      if (!take_be (r, 4, &len) || len > JC_EVENT_MAX_SIZE || !take (r, len, &encoded) || !take (r, 64, &sig))
        return malformed (error, _("an event is cut short"));
      event = jc_event_decode (encoded, len, &local);
      if (event == NULL || !jc_event_set_signature (event, sig, 64, &local))
        {
          g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_MALFORMED,
                       _("The bundle is malformed: event %" PRIu64 " of %" PRIu64 ": %s"),
                       i + 1, n, local->message);
          return FALSE;
        }
      if (memcmp (jc_event_get_device_id (event), bundle->device_id, 16) != 0)
        {
          g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_MALFORMED,
                       _("The bundle is malformed: event %" PRIu64 " belongs to device %s, not to %s, "
                         "which signed the bundle"),
                       i + 1, jc_event_get_device_id_hex (event), bundle->device_hex);
          return FALSE;
        }
      g_ptr_array_add (bundle->events, g_steal_pointer (&event));
    }
  return TRUE;
}

static gboolean
parse_blobs (Reader *r, JcBundle *bundle, GError **error)
{
  guint64 n;

  if (!take_be (r, 4, &n))
    return malformed (error, _("it ends before the evidence count"));
  if (n > JC_BUNDLE_MAX_BLOBS)
    return malformed (error, _("too many evidence files"));
  for (guint64 i = 0; i < n; i++)
    {
      g_autoptr(JcBundleBlob) blob = g_new0 (JcBundleBlob, 1);
      const guint8 *hash, *key, *media;
      guint64 media_len;

      if (!take (r, 32, &hash) || !take_be (r, 8, &blob->size) || !take (r, 32, &key) ||
          !take_be (r, 2, &media_len) || media_len > JC_BUNDLE_MEDIA_MAX || !take (r, media_len, &media))
        return malformed (error, _("an evidence manifest is cut short"));
      if (!g_utf8_validate ((const char *) media, media_len, NULL) ||
          memchr (media, '\0', media_len) != NULL)
        return malformed (error, _("a media type is not UTF-8 text"));
      memcpy (blob->sha256, hash, 32);
      memcpy (blob->key, key, 32);
      blob->media_type = g_strndup ((const char *) media, media_len);
      g_ptr_array_add (bundle->blobs, g_steal_pointer (&blob));
    }
  return TRUE;
}

JcBundle *
jc_bundle_open (GBytes          *sealed,
                const guint8     hq_public_key[32],
                const guint8     hq_secret_key[64],
                JcBundleKeyFunc  key_func,
                gpointer         user_data,
                char            *device_hex,
                GError         **error)
{
  g_autoptr(JcBundle) bundle = g_new0 (JcBundle, 1);
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];
  guint8 sig[64];
  guint8 *msg;
  guint8 *box_sk = NULL;
  guint8 *inner = NULL;
  gsize len, inner_len;
  const guint8 *data = g_bytes_get_data (sealed, &len);
  const guint8 *magic, *version, *body;
  guint64 created, ver;
  Reader r;
  gboolean opened;

  if (len < 4 || memcmp (data, JC_BUNDLE_MAGIC, 4) != 0)
    {
      g_set_error_literal (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_MAGIC,
                           _("Not a Jiancha bundle (it does not start with JCB1)"));
      return NULL;
    }
  if (len > JC_BUNDLE_MAX_SIZE)
    {
      g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_TOO_LARGE,
                   _("The bundle is %zu bytes, over the limit of %u"), len, JC_BUNDLE_MAX_SIZE);
      return NULL;
    }
  if (len < 4 + crypto_box_SEALBYTES + INNER_HEAD)
    {
      g_set_error_literal (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_MALFORMED,
                           _("The bundle is cut short"));
      return NULL;
    }
  jc_bundle_digest (sealed, bundle->digest);

  inner_len = len - 4 - crypto_box_SEALBYTES;
  inner = g_malloc (inner_len);
  box_sk = sodium_malloc (crypto_box_SECRETKEYBYTES);
  opened = crypto_sign_ed25519_pk_to_curve25519 (box_pk, hq_public_key) == 0 &&
           crypto_sign_ed25519_sk_to_curve25519 (box_sk, hq_secret_key) == 0 &&
           crypto_box_seal_open (inner, data + 4, len - 4, box_pk, box_sk) == 0;
  sodium_free (box_sk);
  if (!opened)
    {
      g_free (inner);
      g_set_error_literal (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_SEAL,
                           _("The bundle cannot be opened: it was sealed to another HQ, or altered"));
      return NULL;
    }

  memcpy (bundle->device_id, inner, 16);
  sodium_bin2hex (bundle->device_hex, sizeof bundle->device_hex, bundle->device_id, 16);
  if (device_hex != NULL)
    memcpy (device_hex, bundle->device_hex, sizeof bundle->device_hex);
  bundle->events = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_event_unref);
  bundle->blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_bundle_blob_free);
  if (!key_func (bundle->device_id, bundle->public_key, user_data, error))
    goto fail;

  /* The signature before any parsing: nothing unsigned is ever read. The
   * signed message (context, device id, body) is put together in place,
   * over the head it follows, rather than copied whole. */
  body = inner + INNER_HEAD;
  memcpy (sig, inner + 16, sizeof sig);
  msg = inner + INNER_HEAD - strlen (SIGN_CONTEXT) - 16;
  memcpy (msg, SIGN_CONTEXT, strlen (SIGN_CONTEXT));
  memcpy (msg + strlen (SIGN_CONTEXT), bundle->device_id, 16);
  if (crypto_sign_verify_detached (sig, msg, (gsize) (inner + inner_len - msg), bundle->public_key) != 0)
    {
      g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_SIGNATURE,
                   _("The bundle’s signature does not verify with the key of device %s"),
                   bundle->device_hex);
      goto fail;
    }

  r.p = body;
  r.end = inner + inner_len;
  if (!take (&r, 4, &magic) || memcmp (magic, JC_BUNDLE_MAGIC, 4) != 0 ||
      !take (&r, 1, &version))
    {
      malformed (error, _("the body does not start with JCB1"));
      goto fail;
    }
  ver = version[0];
  if (ver != JC_BUNDLE_VERSION)
    {
      g_set_error (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_MALFORMED,
                   _("The bundle is of version %" PRIu64 "; this HQ reads version %d"),
                   ver, JC_BUNDLE_VERSION);
      goto fail;
    }
  if (!take_be (&r, 8, &created))
    {
      malformed (error, _("it ends before its creation time"));
      goto fail;
    }
  bundle->created = (gint64) created;
  if (!parse_events (&r, bundle, error) || !parse_blobs (&r, bundle, error))
    goto fail;
  if (r.p != r.end)
    {
      malformed (error, _("bytes follow its end"));
      goto fail;
    }
  sodium_memzero (inner, inner_len);
  g_free (inner);
  return g_steal_pointer (&bundle);

fail:
  sodium_memzero (inner, inner_len);
  g_free (inner);
  return NULL;
}

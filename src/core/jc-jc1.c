/* jc-jc1.c — the JC1 QR format (DESIGN.md "The QR format JC1")
 *
 *   "JC1:" + Base45 (zlib (COSE_Sign1 [protected {1: -8}, {4: kid}, claims, sig]))
 *
 * Encoding is deterministic CBOR (definite lengths, shortest integers, map
 * keys ascending), so the same claims and key always give the same text.
 * Decoding is strict: it accepts exactly that encoding and nothing looser,
 * and it rejects unknown claims, because a signed paper that carries a claim
 * the verifier cannot show would be vouched for without being read. A later
 * format that needs more claims bumps claim 1 (and the prefix).
 *
 * libcbor 0.8 allocates a container as soon as it reads its declared size,
 * before checking that the bytes are there (a 5-byte input can ask for
 * gigabytes), so every input first goes through check_wellformed(), which
 * also enforces the deterministic encoding and says at which byte it fails.
 */
#include "config.h"

#include <inttypes.h>

#include <cbor.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>
#include <zlib.h>

#include "jc-base45.h"
#include "jc-jc1.h"
#include "jc-jc1-private.h"
#include "jc-sha256.h"

G_DEFINE_QUARK (jc-jc1-error-quark, jc_jc1_error)

/* The protected header: the CBOR map {1: -8} (alg: EdDSA), always these bytes. */
static const guint8 protected_header[] = { 0xa1, 0x01, 0x27 };

#define CBOR_TAG_COSE_SIGN1 18
#define COSE_SIGN1_TAG_BYTE 0xd2  /* major type 6, value 18 */
#define MAX_DEPTH 8

enum {
  CLAIM_VERSION = 1,
  CLAIM_FINDING_ID,
  CLAIM_INSPECTION_ID,
  CLAIM_INSTITUTION,
  CLAIM_CHECKLIST,
  CLAIM_ITEMS,
  CLAIM_AMOUNT,
  CLAIM_SEALED_AT,
  CLAIM_RECORD_HASH,
  CLAIM_SIGNER_KEY,
  CLAIM_CERTIFICATE,
  CLAIM_CONFIRMATION,
};

static const char *
claim_name (guint64 key)
{
  switch (key)
    {
    case CLAIM_VERSION:      return _("format version");
    case CLAIM_FINDING_ID:   return _("finding id");
    case CLAIM_INSPECTION_ID: return _("inspection id");
    case CLAIM_INSTITUTION:  return _("institution code");
    case CLAIM_CHECKLIST:    return _("checklist");
    case CLAIM_ITEMS:        return _("item codes");
    case CLAIM_AMOUNT:       return _("amount");
    case CLAIM_SEALED_AT:    return _("sealed at");
    case CLAIM_RECORD_HASH:  return _("record hash");
    case CLAIM_SIGNER_KEY:   return _("signer key");
    case CLAIM_CERTIFICATE:  return _("certificate");
    case CLAIM_CONFIRMATION: return _("confirmation");
    default:                 return _("unknown");
    }
}

/* ------------------------------------------------------------------ */
/* Claims                                                               */

JcJc1Claims *
jc_jc1_claims_new (void)
{
  JcJc1Claims *claims = g_new0 (JcJc1Claims, 1);

  claims->version = JC_JC1_VERSION;
  claims->item_codes = g_new0 (char *, 1);
  return claims;
}

void
jc_jc1_claims_free (JcJc1Claims *claims)
{
  if (claims == NULL)
    return;
  g_free (claims->institution_code);
  g_free (claims->checklist);
  g_strfreev (claims->item_codes);
  g_free (claims->confirmation.name);
  g_free (claims);
}

JcJc1Claims *
jc_jc1_claims_copy (const JcJc1Claims *claims)
{
  JcJc1Claims *copy = g_memdup2 (claims, sizeof *claims);

  copy->institution_code = g_strdup (claims->institution_code);
  copy->checklist = g_strdup (claims->checklist);
  copy->item_codes = claims->item_codes ? g_strdupv (claims->item_codes) : g_new0 (char *, 1);
  copy->confirmation.name = g_strdup (claims->confirmation.name);
  return copy;
}

gboolean
jc_jc1_claims_equal (const JcJc1Claims *a,
                     const JcJc1Claims *b)
{
  guint na, nb;

  if (a->version != b->version
      || memcmp (a->finding_id, b->finding_id, 16) != 0
      || memcmp (a->inspection_id, b->inspection_id, 16) != 0
      || g_strcmp0 (a->institution_code, b->institution_code) != 0
      || g_strcmp0 (a->checklist, b->checklist) != 0
      || a->amount_fen != b->amount_fen
      || a->sealed_at != b->sealed_at
      || memcmp (a->record_sha256, b->record_sha256, 32) != 0
      || memcmp (a->signer_key, b->signer_key, 32) != 0
      || a->has_certificate != b->has_certificate
      || a->has_confirmation != b->has_confirmation)
    return FALSE;

  na = a->item_codes ? g_strv_length (a->item_codes) : 0;
  nb = b->item_codes ? g_strv_length (b->item_codes) : 0;
  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (strcmp (a->item_codes[i], b->item_codes[i]) != 0)
      return FALSE;

  if (a->has_certificate
      && (memcmp (a->certificate.device_id, b->certificate.device_id, 16) != 0
          || memcmp (a->certificate.hq_kid, b->certificate.hq_kid, 8) != 0
          || a->certificate.not_after != b->certificate.not_after
          || memcmp (a->certificate.hq_signature, b->certificate.hq_signature, 64) != 0))
    return FALSE;

  if (a->has_confirmation)
    {
      const JcJc1Confirmation *ca = &a->confirmation, *cb = &b->confirmation;

      if (ca->status != cb->status
          || g_strcmp0 (ca->name, cb->name) != 0
          || ca->has_institution_key != cb->has_institution_key
          || ca->has_institution_signature != cb->has_institution_signature
          || (ca->has_institution_key && memcmp (ca->institution_key, cb->institution_key, 32) != 0)
          || (ca->has_institution_signature
              && memcmp (ca->institution_signature, cb->institution_signature, 64) != 0))
        return FALSE;
    }
  return TRUE;
}

const char *
jc_jc1_status_to_string (JcJc1Status status)
{
  switch (status)
    {
    case JC_JC1_STATUS_CONFIRMED: return _("confirmed");
    case JC_JC1_STATUS_DISPUTED:  return _("disputed");
    case JC_JC1_STATUS_REFUSED:   return _("refused to sign");
    default:                      return _("unknown");
    }
}

void
jc_jc1_kid (const guint8 pk[32],
            guint8       kid[8])
{
  guint8 digest[JC_SHA256_SIZE];

  jc_sha256 (digest, pk, 32);
  memcpy (kid, digest, 8);
}

/* A text claim: valid UTF-8, no NUL, not empty. Shared by encode and decode
 * so that the encoder never signs what the decoder would refuse. */
static gboolean
check_text (const char *s,
            gsize       len,
            const char *what,
            GError    **error)
{
  if (s == NULL || len == 0)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS, _("%s is empty"), what);
      return FALSE;
    }
  if (memchr (s, '\0', len) != NULL || !g_utf8_validate_len (s, len, NULL))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("%s is not valid UTF-8 text"), what);
      return FALSE;
    }
  return TRUE;
}

/* The rules of the claims beyond their CBOR types. */
static gboolean
check_claims (const JcJc1Claims *c,
              GError           **error)
{
  const char *at;

  if (c->version != JC_JC1_VERSION)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("Unsupported JC1 format version %" PRIu64 " (this program reads version %d)"),
                   c->version, JC_JC1_VERSION);
      return FALSE;
    }
  if (!check_text (c->institution_code, c->institution_code ? strlen (c->institution_code) : 0,
                   _("Claim 4 (institution code)"), error)
      || !check_text (c->checklist, c->checklist ? strlen (c->checklist) : 0,
                      _("Claim 5 (checklist)"), error))
    return FALSE;
  at = strchr (c->checklist, '@');
  if (at == NULL || at == c->checklist || at[1] == '\0' || strchr (at + 1, '@') != NULL)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("Claim 5 (checklist) “%s” is not of the form “id@version”"), c->checklist);
      return FALSE;
    }
  for (guint i = 0; c->item_codes != NULL && c->item_codes[i] != NULL; i++)
    {
      g_autofree char *what = g_strdup_printf (_("Claim 6 (item codes), item %u,"), i + 1);

      if (!check_text (c->item_codes[i], strlen (c->item_codes[i]), what, error))
        return FALSE;
    }
  if (c->has_confirmation)
    {
      const JcJc1Confirmation *conf = &c->confirmation;

      if ((guint) conf->status > JC_JC1_STATUS_REFUSED)
        {
          g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                       _("Claim 12 (confirmation) has status %u; expected 0 (confirmed), "
                         "1 (disputed) or 2 (refused)"), (guint) conf->status);
          return FALSE;
        }
      if (!check_text (conf->name, conf->name ? strlen (conf->name) : 0,
                       _("Claim 12 (confirmation), the representative’s name,"), error))
        return FALSE;
      if (conf->has_institution_signature && !conf->has_institution_key)
        {
          g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                               _("Claim 12 (confirmation) has an institution signature "
                                 "but no institution key to check it with"));
          return FALSE;
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Deterministic CBOR, built with libcbor                               */

/* libcbor keeps the width it was built with: pick the shortest. */
cbor_item_t *
jc_jc1_cbor_uint (guint64 v)
{
  if (v <= G_MAXUINT8)
    return cbor_build_uint8 (v);
  if (v <= G_MAXUINT16)
    return cbor_build_uint16 (v);
  if (v <= G_MAXUINT32)
    return cbor_build_uint32 (v);
  return cbor_build_uint64 (v);
}

void
jc_jc1_cbor_map_put (cbor_item_t *map,
         guint64      key,
         cbor_item_t *value)
{
  cbor_map_add (map, (struct cbor_pair) { .key = cbor_move (jc_jc1_cbor_uint (key)),
                                          .value = cbor_move (value) });
}

static cbor_item_t *
build_bytes (const guint8 *data,
             gsize         len)
{
  return cbor_build_bytestring (data, len);
}

GBytes *
jc_jc1_cbor_serialize (cbor_item_t *item)
{
  unsigned char *buf = NULL;
  size_t buf_size = 0;
  size_t len = cbor_serialize_alloc (item, &buf, &buf_size);
  GBytes *bytes;

  if (len == 0)
    g_error ("CBOR serialization failed (out of memory)");
  bytes = g_bytes_new (buf, len);
  free (buf);
  return bytes;
}

static GBytes *
encode_claims (const JcJc1Claims *c)
{
  guint n_items = c->item_codes ? g_strv_length (c->item_codes) : 0;
  cbor_item_t *map = cbor_new_definite_map (10 + !!c->has_certificate + !!c->has_confirmation);
  cbor_item_t *items = cbor_new_definite_array (n_items);
  GBytes *bytes;

  for (guint i = 0; i < n_items; i++)
    cbor_array_push (items, cbor_move (cbor_build_string (c->item_codes[i])));

  jc_jc1_cbor_map_put (map, CLAIM_VERSION, jc_jc1_cbor_uint (c->version));
  jc_jc1_cbor_map_put (map, CLAIM_FINDING_ID, build_bytes (c->finding_id, 16));
  jc_jc1_cbor_map_put (map, CLAIM_INSPECTION_ID, build_bytes (c->inspection_id, 16));
  jc_jc1_cbor_map_put (map, CLAIM_INSTITUTION, cbor_build_string (c->institution_code));
  jc_jc1_cbor_map_put (map, CLAIM_CHECKLIST, cbor_build_string (c->checklist));
  jc_jc1_cbor_map_put (map, CLAIM_ITEMS, items);
  jc_jc1_cbor_map_put (map, CLAIM_AMOUNT, jc_jc1_cbor_uint (c->amount_fen));
  jc_jc1_cbor_map_put (map, CLAIM_SEALED_AT, jc_jc1_cbor_uint (c->sealed_at));
  jc_jc1_cbor_map_put (map, CLAIM_RECORD_HASH, build_bytes (c->record_sha256, 32));
  jc_jc1_cbor_map_put (map, CLAIM_SIGNER_KEY, build_bytes (c->signer_key, 32));

  if (c->has_certificate)
    {
      cbor_item_t *cert = cbor_new_definite_array (4);

      cbor_array_push (cert, cbor_move (build_bytes (c->certificate.device_id, 16)));
      cbor_array_push (cert, cbor_move (build_bytes (c->certificate.hq_kid, 8)));
      cbor_array_push (cert, cbor_move (jc_jc1_cbor_uint (c->certificate.not_after)));
      cbor_array_push (cert, cbor_move (build_bytes (c->certificate.hq_signature, 64)));
      jc_jc1_cbor_map_put (map, CLAIM_CERTIFICATE, cert);
    }

  if (c->has_confirmation)
    {
      const JcJc1Confirmation *conf = &c->confirmation;
      cbor_item_t *cm = cbor_new_definite_map (2 + !!conf->has_institution_key
                                               + !!conf->has_institution_signature);

      jc_jc1_cbor_map_put (cm, 1, jc_jc1_cbor_uint (conf->status));
      jc_jc1_cbor_map_put (cm, 2, cbor_build_string (conf->name));
      if (conf->has_institution_key)
        jc_jc1_cbor_map_put (cm, 4, build_bytes (conf->institution_key, 32));
      if (conf->has_institution_signature)
        jc_jc1_cbor_map_put (cm, 5, build_bytes (conf->institution_signature, 64));
      jc_jc1_cbor_map_put (map, CLAIM_CONFIRMATION, cm);
    }

  bytes = jc_jc1_cbor_serialize (map);
  cbor_decref (&map);
  return bytes;
}

/* Sig_structure = ["Signature1", protected, external_aad = h'', payload] */
static GBytes *
sig_structure (const guint8 *prot,
               gsize         prot_len,
               const guint8 *payload,
               gsize         payload_len)
{
  cbor_item_t *arr = cbor_new_definite_array (4);
  GBytes *bytes;

  cbor_array_push (arr, cbor_move (cbor_build_string ("Signature1")));
  cbor_array_push (arr, cbor_move (build_bytes (prot, prot_len)));
  cbor_array_push (arr, cbor_move (build_bytes (NULL, 0)));
  cbor_array_push (arr, cbor_move (build_bytes (payload, payload_len)));
  bytes = jc_jc1_cbor_serialize (arr);
  cbor_decref (&arr);
  return bytes;
}

GBytes *
jc_jc1_certificate_message (const guint8 device_id[16],
                            const guint8 device_pk[32],
                            guint64      not_after)
{
  cbor_item_t *arr = cbor_new_definite_array (4);
  GBytes *bytes;

  cbor_array_push (arr, cbor_move (cbor_build_string ("JC-CERT")));
  cbor_array_push (arr, cbor_move (build_bytes (device_id, 16)));
  cbor_array_push (arr, cbor_move (build_bytes (device_pk, 32)));
  cbor_array_push (arr, cbor_move (jc_jc1_cbor_uint (not_after)));
  bytes = jc_jc1_cbor_serialize (arr);
  cbor_decref (&arr);
  return bytes;
}

gboolean
jc_jc1_make_certificate (const guint8      hq_sk[64],
                         const guint8      device_id[16],
                         const guint8      device_pk[32],
                         guint64           not_after,
                         JcJc1Certificate *out,
                         GError          **error)
{
  g_autoptr(GBytes) msg = jc_jc1_certificate_message (device_id, device_pk, not_after);
  gsize len;
  const guint8 *data = g_bytes_get_data (msg, &len);

  memcpy (out->device_id, device_id, 16);
  /* libsodium's secret key is seed || public key. */
  jc_jc1_kid (hq_sk + 32, out->hq_kid);
  out->not_after = not_after;
  if (crypto_sign_detached (out->hq_signature, NULL, data, len, hq_sk) != 0)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_CERTIFICATE,
                           _("Could not sign the device certificate"));
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_jc1_certificate_verify (const JcJc1Certificate *cert,
                           const guint8            device_pk[32],
                           const guint8            hq_pk[32],
                           GError                **error)
{
  g_autoptr(GBytes) msg = NULL;
  guint8 kid[8];
  gsize len;
  const guint8 *data;

  jc_jc1_kid (hq_pk, kid);
  if (memcmp (kid, cert->hq_kid, 8) != 0)
    {
      g_autofree char *got = g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x",
                                              cert->hq_kid[0], cert->hq_kid[1], cert->hq_kid[2], cert->hq_kid[3],
                                              cert->hq_kid[4], cert->hq_kid[5], cert->hq_kid[6], cert->hq_kid[7]);
      g_autofree char *want = g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x",
                                               kid[0], kid[1], kid[2], kid[3], kid[4], kid[5], kid[6], kid[7]);

      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CERTIFICATE,
                   _("The signer’s certificate was issued by another HQ key (kid %s, expected %s)"),
                   got, want);
      return FALSE;
    }

  msg = jc_jc1_certificate_message (cert->device_id, device_pk, cert->not_after);
  data = g_bytes_get_data (msg, &len);
  if (crypto_sign_verify_detached (cert->hq_signature, data, len, hq_pk) != 0)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_CERTIFICATE,
                           _("The signer’s certificate does not verify: HQ’s signature does "
                             "not match this device and key"));
      return FALSE;
    }
  return TRUE;
}

char *
jc_jc1_envelope_seal (const char   *prefix,
                      GBytes       *payload,
                      const guint8  sk[64],
                      GError      **error)
{
  g_autoptr(GBytes) tbs = NULL;
  g_autoptr(GBytes) cose = NULL;
  g_autofree guint8 *zbuf = NULL;
  g_autofree char *b45 = NULL;
  guint8 sig[crypto_sign_BYTES];
  guint8 kid[8];
  uLongf zlen;
  cbor_item_t *arr, *unprot, *tagged;
  gsize plen, tlen, clen;
  const guint8 *pdata, *tdata, *cdata;

  pdata = g_bytes_get_data (payload, &plen);
  tbs = sig_structure (protected_header, sizeof protected_header, pdata, plen);
  tdata = g_bytes_get_data (tbs, &tlen);
  crypto_sign_detached (sig, NULL, tdata, tlen, sk);
  /* libsodium's secret key is seed || public key. */
  jc_jc1_kid (sk + 32, kid);

  arr = cbor_new_definite_array (4);
  unprot = cbor_new_definite_map (1);
  jc_jc1_cbor_map_put (unprot, 4, build_bytes (kid, 8));
  cbor_array_push (arr, cbor_move (build_bytes (protected_header, sizeof protected_header)));
  cbor_array_push (arr, cbor_move (unprot));
  cbor_array_push (arr, cbor_move (build_bytes (pdata, plen)));
  cbor_array_push (arr, cbor_move (build_bytes (sig, sizeof sig)));
  tagged = cbor_build_tag (CBOR_TAG_COSE_SIGN1, cbor_move (arr));
  cose = jc_jc1_cbor_serialize (tagged);
  cbor_decref (&tagged);
  cdata = g_bytes_get_data (cose, &clen);

  zlen = compressBound (clen);
  zbuf = g_malloc (zlen);
  if (compress2 (zbuf, &zlen, cdata, clen, 9) != Z_OK)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_INFLATE,
                           _("zlib could not compress the signed code"));
      return NULL;
    }

  b45 = jc_base45_encode (zbuf, zlen);
  return g_strconcat (prefix, b45, NULL);
}

gboolean
jc_jc1_encode (const JcJc1Claims *claims,
               const guint8       sk[64],
               char             **out_text,
               GError           **error)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (claims != NULL && sk != NULL && out_text != NULL, FALSE);

  if (!check_claims (claims, &local_error))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_INVALID,
                   _("Cannot sign these claims: %s"), local_error->message);
      return FALSE;
    }
  if (sodium_memcmp (claims->signer_key, sk + 32, 32) != 0)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_INVALID,
                           _("Cannot sign these claims: claim 10 (signer key) is not the "
                             "public key of the signing key"));
      return FALSE;
    }

  payload = encode_claims (claims);
  *out_text = jc_jc1_envelope_seal (JC_JC1_PREFIX, payload, sk, error);
  return *out_text != NULL;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */

/* Reads one CBOR head at *pos: major type and argument, shortest form only. */
static gboolean
read_head (const guint8 *p,
           gsize         len,
           gsize        *pos,
           guint        *major,
           guint64      *arg,
           const char   *what,
           GError      **error)
{
  gsize at = *pos;
  guint ai;
  gsize n;
  guint64 v = 0;

  if (at >= len)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: truncated CBOR at byte %zu"), what, at);
      return FALSE;
    }
  *major = p[at] >> 5;
  ai = p[at] & 0x1f;
  if (*major == 7)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: a floating-point or simple value at byte %zu"
                     " (JC1 has none)"), what, at);
      return FALSE;
    }
  if (ai == 31)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: an indefinite length at byte %zu"
                     " (JC1 uses definite lengths only)"), what, at);
      return FALSE;
    }
  if (ai >= 28)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: malformed CBOR (reserved value %u) at byte %zu"),
                   what, ai, at);
      return FALSE;
    }
  n = ai < 24 ? 0 : (gsize) 1 << (ai - 24);
  if (len - at - 1 < n)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: truncated CBOR at byte %zu"), what, at);
      return FALSE;
    }
  if (n == 0)
    v = ai;
  for (gsize i = 0; i < n; i++)
    v = (v << 8) | p[at + 1 + i];
  if ((n == 1 && v < 24) || (n == 2 && v <= G_MAXUINT8)
      || (n == 4 && v <= G_MAXUINT16) || (n == 8 && v <= G_MAXUINT32))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: the number at byte %zu is not in its shortest "
                     "encoding (JC1 uses deterministic CBOR)"), what, at);
      return FALSE;
    }
  *arg = v;
  *pos = at + 1 + n;
  return TRUE;
}

static gboolean
check_item (const guint8 *p,
            gsize         len,
            gsize        *pos,
            guint         depth,
            const char   *what,
            GError      **error)
{
  gsize start = *pos;
  guint major;
  guint64 arg;

  if (depth > MAX_DEPTH)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: CBOR nested too deeply at byte %zu"), what, start);
      return FALSE;
    }
  if (!read_head (p, len, pos, &major, &arg, what, error))
    return FALSE;

  switch (major)
    {
    case 0:  /* unsigned */
    case 1:  /* negative */
      return TRUE;

    case 2:  /* byte string */
    case 3:  /* text string */
      if (arg > len - *pos)
        {
          g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                       _("%s: a string at byte %zu claims %" PRIu64
                         " bytes but only %zu remain"),
                       what, start, arg, len - *pos);
          return FALSE;
        }
      *pos += arg;
      return TRUE;

    case 4:  /* array: each element takes at least one byte */
    case 5:  /* map: each pair takes at least two */
      if (arg > (len - *pos) / (major == 4 ? 1 : 2))
        {
          g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                       _("%s: a container at byte %zu claims %" PRIu64
                         " entries, more than the %zu bytes left can hold"),
                       what, start, arg, len - *pos);
          return FALSE;
        }
      for (guint64 i = 0; i < arg * (major == 4 ? 1 : 2); i++)
        if (!check_item (p, len, pos, depth + 1, what, error))
          return FALSE;
      return TRUE;

    case 6:  /* tag: only COSE's own 18, in front, read by the caller */
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: a CBOR tag at byte %zu (JC1 has none inside the COSE_Sign1)"),
                   what, start);
      return FALSE;

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Well-formed, deterministic CBOR, exactly one item from @start to the end,
 * no trailing bytes; then (and only then) handed to libcbor. Byte offsets in
 * messages count from @p. */
cbor_item_t *
jc_jc1_cbor_load (const guint8 *p,
           gsize         len,
           gsize         start,
           const char   *what,
           GError      **error)
{
  struct cbor_load_result result;
  cbor_item_t *item;
  gsize pos = start;

  if (!check_item (p, len, &pos, 0, what, error))
    return NULL;
  if (pos != len)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: %zu unexpected bytes after the end, at byte %zu"),
                   what, len - pos, pos);
      return NULL;
    }
  item = cbor_load (p + start, len - start, &result);
  if (item == NULL || result.error.code != CBOR_ERR_NONE || result.read != len - start)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("%s: CBOR that libcbor cannot read (error %d at byte %zu)"),
                   what, (int) result.error.code, start + result.error.position);
      if (item != NULL)
        cbor_decref (&item);
      return NULL;
    }
  return item;
}

const char *
jc_jc1_cbor_type_name (const cbor_item_t *item)
{
  switch (cbor_typeof (item))
    {
    case CBOR_TYPE_UINT:       return _("an unsigned integer");
    case CBOR_TYPE_NEGINT:     return _("a negative integer");
    case CBOR_TYPE_BYTESTRING: return _("a byte string");
    case CBOR_TYPE_STRING:     return _("a text string");
    case CBOR_TYPE_ARRAY:      return _("an array");
    case CBOR_TYPE_MAP:        return _("a map");
    case CBOR_TYPE_TAG:        return _("a tagged item");
    case CBOR_TYPE_FLOAT_CTRL: return _("a simple value");
    default:                   return _("something unknown");
    }
}

/* A byte string of exactly @n bytes (any length when @n is 0). */
gboolean
jc_jc1_cbor_get_bytes (const cbor_item_t *item,
           gsize              n,
           guint8            *out,
           int                code,
           const char        *what,
           GError           **error)
{
  if (!cbor_isa_bytestring (item) || !cbor_bytestring_is_definite (item))
    {
      g_set_error (error, JC_JC1_ERROR, code, _("%s must be a byte string of %zu"
                                                " bytes, not %s"), what, n, jc_jc1_cbor_type_name (item));
      return FALSE;
    }
  if (cbor_bytestring_length (item) != n)
    {
      g_set_error (error, JC_JC1_ERROR, code,
                   _("%s must be %zu bytes long, not %zu"),
                   what, n, cbor_bytestring_length (item));
      return FALSE;
    }
  memcpy (out, cbor_bytestring_handle (item), n);
  return TRUE;
}

gboolean
jc_jc1_cbor_get_uint (const cbor_item_t *item,
          guint64           *out,
          const char        *what,
          GError           **error)
{
  if (!cbor_isa_uint (item))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("%s must be an unsigned integer, not %s"), what, jc_jc1_cbor_type_name (item));
      return FALSE;
    }
  *out = cbor_get_int (item);
  return TRUE;
}

gboolean
jc_jc1_cbor_get_text (const cbor_item_t *item,
          char             **out,
          const char        *what,
          GError           **error)
{
  gsize len;
  const char *s;

  if (!cbor_isa_string (item) || !cbor_string_is_definite (item))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("%s must be a text string, not %s"), what, jc_jc1_cbor_type_name (item));
      return FALSE;
    }
  len = cbor_string_length (item);
  s = (const char *) cbor_string_handle (item);
  if (!check_text (s, len, what, error))
    return FALSE;
  *out = g_strndup (s, len);
  return TRUE;
}

/* Integer keys in strictly ascending order (deterministic CBOR, no
 * duplicates), each within 1..@max_key and not in @forbidden. */
gboolean
jc_jc1_cbor_check_keys (const cbor_item_t *map,
            guint64            max_key,
            guint64            forbidden,
            const char        *what,
            GError           **error)
{
  struct cbor_pair *pairs = cbor_map_handle (map);
  guint64 prev = 0;

  for (gsize i = 0; i < cbor_map_size (map); i++)
    {
      guint64 k;

      if (!cbor_isa_uint (pairs[i].key))
        {
          g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                       _("%s: key number %zu is %s; JC1 keys are small unsigned integers"),
                       what, i + 1, jc_jc1_cbor_type_name (pairs[i].key));
          return FALSE;
        }
      k = cbor_get_int (pairs[i].key);
      if (k <= prev)
        {
          g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                       _("%s: key %" PRIu64 " comes after key %" PRIu64
                         " (keys must be unique and in ascending order)"), what, k, prev);
          return FALSE;
        }
      if (k == 0 || k > max_key || k == forbidden)
        {
          g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                       _("%s: unknown key %" PRIu64 " (JC1 version 1 rejects claims "
                         "it cannot show)"), what, k);
          return FALSE;
        }
      prev = k;
    }
  return TRUE;
}

static gboolean
parse_certificate (const cbor_item_t *item,
                   JcJc1Certificate  *cert,
                   GError           **error)
{
  cbor_item_t **a;

  if (!cbor_isa_array (item) || cbor_array_size (item) != 4)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("Claim 11 (certificate) must be an array of 4 "
                     "[device id, HQ kid, not after, HQ signature]"));
      return FALSE;
    }
  a = cbor_array_handle (item);
  return jc_jc1_cbor_get_bytes (a[0], 16, cert->device_id, JC_JC1_ERROR_CLAIMS, _("Claim 11 (certificate), the device id,"), error)
         && jc_jc1_cbor_get_bytes (a[1], 8, cert->hq_kid, JC_JC1_ERROR_CLAIMS, _("Claim 11 (certificate), the HQ kid,"), error)
         && jc_jc1_cbor_get_uint (a[2], &cert->not_after, _("Claim 11 (certificate), not after,"), error)
         && jc_jc1_cbor_get_bytes (a[3], 64, cert->hq_signature, JC_JC1_ERROR_CLAIMS, _("Claim 11 (certificate), the HQ signature,"), error);
}

static gboolean
parse_confirmation (const cbor_item_t *item,
                    JcJc1Confirmation *conf,
                    GError           **error)
{
  const char *what = _("Claim 12 (confirmation)");
  struct cbor_pair *pairs;
  gboolean has_status = FALSE;

  if (!cbor_isa_map (item) || !cbor_map_is_definite (item))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("%s must be a map, not %s"), what, jc_jc1_cbor_type_name (item));
      return FALSE;
    }
  /* Key 3 is left unused by the format. */
  if (!jc_jc1_cbor_check_keys (item, 5, 3, what, error))
    return FALSE;

  pairs = cbor_map_handle (item);
  for (gsize i = 0; i < cbor_map_size (item); i++)
    {
      const cbor_item_t *v = pairs[i].value;
      guint64 status;

      switch (cbor_get_int (pairs[i].key))
        {
        case 1:
          if (!jc_jc1_cbor_get_uint (v, &status, _("Claim 12 (confirmation), the status,"), error))
            return FALSE;
          if (status > JC_JC1_STATUS_REFUSED)
            {
              g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                           _("Claim 12 (confirmation) has status %" PRIu64 "; expected 0 "
                             "(confirmed), 1 (disputed) or 2 (refused)"), status);
              return FALSE;
            }
          conf->status = status;
          has_status = TRUE;
          break;
        case 2:
          if (!jc_jc1_cbor_get_text (v, &conf->name, _("Claim 12 (confirmation), the representative’s name,"), error))
            return FALSE;
          break;
        case 4:
          if (!jc_jc1_cbor_get_bytes (v, 32, conf->institution_key, JC_JC1_ERROR_CLAIMS,
                          _("Claim 12 (confirmation), the institution key,"), error))
            return FALSE;
          conf->has_institution_key = TRUE;
          break;
        case 5:
          if (!jc_jc1_cbor_get_bytes (v, 64, conf->institution_signature, JC_JC1_ERROR_CLAIMS,
                          _("Claim 12 (confirmation), the institution signature,"), error))
            return FALSE;
          conf->has_institution_signature = TRUE;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (!has_status || conf->name == NULL)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("%s lacks its %s"), what,
                   !has_status ? _("status (key 1)") : _("representative’s name (key 2)"));
      return FALSE;
    }
  return TRUE;
}

static JcJc1Claims *
parse_claims (const guint8 *data,
              gsize         len,
              GError      **error)
{
  g_autoptr(JcJc1Claims) c = g_new0 (JcJc1Claims, 1);
  cbor_item_t *root;
  struct cbor_pair *pairs;
  guint seen = 0;
  gboolean ok = TRUE;

  root = jc_jc1_cbor_load (data, len, 0, _("Claims"), error);
  if (root == NULL)
    {
      if (error != NULL && *error != NULL)
        (*error)->code = JC_JC1_ERROR_CLAIMS;
      return NULL;
    }
  if (!cbor_isa_map (root) || !cbor_map_is_definite (root))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("The claims must be a map, not %s"), jc_jc1_cbor_type_name (root));
      cbor_decref (&root);
      return NULL;
    }
  if (!jc_jc1_cbor_check_keys (root, CLAIM_CONFIRMATION, 0, _("Claims"), error))
    {
      cbor_decref (&root);
      return NULL;
    }

  pairs = cbor_map_handle (root);
  for (gsize i = 0; ok && i < cbor_map_size (root); i++)
    {
      guint64 key = cbor_get_int (pairs[i].key);
      const cbor_item_t *v = pairs[i].value;
      g_autofree char *what = g_strdup_printf (_("Claim %u (%s)"), (guint) key, claim_name (key));

      seen |= 1u << key;
      switch (key)
        {
        case CLAIM_VERSION:
          ok = jc_jc1_cbor_get_uint (v, &c->version, what, error);
          if (ok && c->version != JC_JC1_VERSION)
            {
              g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                           _("Unsupported JC1 format version %" PRIu64
                             " (this program reads version %d)"), c->version, JC_JC1_VERSION);
              ok = FALSE;
            }
          break;
        case CLAIM_FINDING_ID:
          ok = jc_jc1_cbor_get_bytes (v, 16, c->finding_id, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        case CLAIM_INSPECTION_ID:
          ok = jc_jc1_cbor_get_bytes (v, 16, c->inspection_id, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        case CLAIM_INSTITUTION:
          ok = jc_jc1_cbor_get_text (v, &c->institution_code, what, error);
          break;
        case CLAIM_CHECKLIST:
          ok = jc_jc1_cbor_get_text (v, &c->checklist, what, error);
          break;
        case CLAIM_ITEMS:
          if (!cbor_isa_array (v) || !cbor_array_is_definite (v))
            {
              g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                           _("%s must be an array of text, not %s"), what, jc_jc1_cbor_type_name (v));
              ok = FALSE;
              break;
            }
          c->item_codes = g_new0 (char *, cbor_array_size (v) + 1);
          for (gsize j = 0; ok && j < cbor_array_size (v); j++)
            {
              g_autofree char *iw = g_strdup_printf (_("Claim 6 (item codes), item %zu,"), j + 1);

              ok = jc_jc1_cbor_get_text (cbor_array_handle (v)[j], &c->item_codes[j], iw, error);
            }
          break;
        case CLAIM_AMOUNT:
          ok = jc_jc1_cbor_get_uint (v, &c->amount_fen, what, error);
          break;
        case CLAIM_SEALED_AT:
          ok = jc_jc1_cbor_get_uint (v, &c->sealed_at, what, error);
          break;
        case CLAIM_RECORD_HASH:
          ok = jc_jc1_cbor_get_bytes (v, 32, c->record_sha256, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        case CLAIM_SIGNER_KEY:
          ok = jc_jc1_cbor_get_bytes (v, 32, c->signer_key, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        case CLAIM_CERTIFICATE:
          ok = parse_certificate (v, &c->certificate, error);
          c->has_certificate = ok;
          break;
        case CLAIM_CONFIRMATION:
          ok = parse_confirmation (v, &c->confirmation, error);
          c->has_confirmation = ok;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  cbor_decref (&root);
  if (!ok)
    return NULL;

  for (guint key = CLAIM_VERSION; key <= CLAIM_SIGNER_KEY; key++)
    if (!(seen & (1u << key)))
      {
        g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                     _("Claim %u (%s) is missing"), key, claim_name (key));
        return NULL;
      }
  if (!check_claims (c, error))
    return NULL;
  return g_steal_pointer (&c);
}

/* Inflates a zlib stream to at most JC_JC1_MAX_COSE_SIZE bytes. */
static guint8 *
inflate_limited (const guint8 *in,
                 gsize         in_len,
                 gsize        *out_len,
                 GError      **error)
{
  g_autofree guint8 *out = g_malloc (JC_JC1_MAX_COSE_SIZE + 1);
  z_stream zs = { 0 };
  char msg[64];
  int rc;

  if (inflateInit (&zs) != Z_OK)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_INFLATE, _("zlib could not start"));
      return NULL;
    }
  zs.next_in = (Bytef *) in;
  zs.avail_in = in_len;
  zs.next_out = out;
  /* One byte more than allowed: filling it proves the limit is crossed. */
  zs.avail_out = JC_JC1_MAX_COSE_SIZE + 1;
  rc = inflate (&zs, Z_FINISH);
  *out_len = zs.total_out;
  /* zs.msg points into the stream state: keep a copy past inflateEnd(). */
  g_strlcpy (msg, zs.msg ? zs.msg : "error", sizeof msg);
  inflateEnd (&zs);

  if (*out_len > JC_JC1_MAX_COSE_SIZE)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_TOO_LARGE,
                   _("The compressed data inflates beyond %d KiB: refused (a JC1 code is a few hundred bytes)"),
                   JC_JC1_MAX_COSE_SIZE / 1024);
      return NULL;
    }
  if (rc != Z_STREAM_END)
    {
      if (rc == Z_BUF_ERROR)
        g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_INFLATE,
                             _("The compressed data is truncated (the zlib stream ends early)"));
      else
        g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_INFLATE,
                     _("The compressed data is corrupt (zlib: %s)"), msg);
      return NULL;
    }
  if (zs.avail_in != 0)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_INFLATE,
                   _("%u unexpected bytes after the end of the compressed data"), zs.avail_in);
      return NULL;
    }
  return g_steal_pointer (&out);
}

char *
jc_jc1_hex (const guint8 *data,
     gsize         len)
{
  char *s = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (s + 2 * i, 3, "%02x", data[i]);
  return s;
}

void
jc_jc1_envelope_clear (JcJc1Envelope *env)
{
  g_clear_pointer (&env->payload, g_bytes_unref);
}

gboolean
jc_jc1_envelope_open (const char    *text,
                      const char    *prefix,
                      const char    *code_name,
                      JcJc1Envelope *out,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *zdata = NULL;
  g_autofree guint8 *cose = NULL;
  cbor_item_t *root = NULL;
  cbor_item_t **parts;
  struct cbor_pair *up;
  gsize zlen, cose_len, prefix_len = strlen (prefix);
  gboolean ok = FALSE;

  g_return_val_if_fail (text != NULL && out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  if (!g_str_has_prefix (text, prefix))
    {
      g_autofree char *start = g_strndup (text, prefix_len);

      for (char *p = start; *p; p++)
        if ((guchar) *p < ' ' || (guchar) *p >= 0x7f)
          *p = '?';
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_PREFIX,
                   _("Not a %s code: it starts with “%s”, not “%s”"), code_name, start, prefix);
      return FALSE;
    }

  zdata = jc_base45_decode (text + prefix_len, strlen (text + prefix_len), &zlen, &local_error);
  if (zdata == NULL)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_BASE45,
                   _("Not a valid %s code: %s (counting from after “%s”)"),
                   code_name, local_error->message, prefix);
      return FALSE;
    }

  cose = inflate_limited (zdata, zlen, &cose_len, error);
  if (cose == NULL)
    return FALSE;

  /* COSE_Sign1: 18([bstr protected, {4: kid}, bstr payload, bstr signature]).
   * The tag head is read here: libcbor 0.8 refuses tags 6..20 as
   * "unassigned", 18 among them. */
  if (cose_len == 0 || cose[0] != COSE_SIGN1_TAG_BYTE)
    {
      g_autofree char *found = cose_len == 0 ? g_strdup (_("nothing"))
                               : (cose[0] >> 5) == 6 ? g_strdup (_("another tag, or tag 18 not in its shortest form"))
                               : g_strdup_printf (_("byte 0x%02X"), cose[0]);

      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("Not a COSE_Sign1 structure: expected CBOR tag 18 (byte 0xD2) at byte 0, found %s"),
                   found);
      return FALSE;
    }
  root = jc_jc1_cbor_load (cose, cose_len, 1, _("COSE structure"), error);
  if (root == NULL)
    return FALSE;
  if (!cbor_isa_array (root) || cbor_array_size (root) != 4)
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("COSE_Sign1 must be an array of 4 [protected, unprotected, payload, signature], not %s"),
                   cbor_isa_array (root) ? _("an array of another size") : jc_jc1_cbor_type_name (root));
      goto out;
    }
  parts = cbor_array_handle (root);

  if (!cbor_isa_bytestring (parts[0])
      || cbor_bytestring_length (parts[0]) != sizeof protected_header
      || memcmp (cbor_bytestring_handle (parts[0]), protected_header, sizeof protected_header) != 0)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                           _("The COSE protected header must be exactly {1: -8} (EdDSA)"));
      goto out;
    }
  if (!cbor_isa_map (parts[1]) || cbor_map_size (parts[1]) != 1
      || !cbor_isa_uint ((up = cbor_map_handle (parts[1]))[0].key)
      || cbor_get_int (up[0].key) != 4)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                           _("The COSE unprotected header must be exactly {4: kid}"));
      goto out;
    }
  if (!jc_jc1_cbor_get_bytes (up[0].value, 8, out->kid, JC_JC1_ERROR_COSE, _("The COSE kid"), error)
      || !jc_jc1_cbor_get_bytes (parts[3], 64, out->signature, JC_JC1_ERROR_COSE, _("The COSE signature"), error))
    goto out;
  if (!cbor_isa_bytestring (parts[2]))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("The COSE payload must be a byte string, not %s"), jc_jc1_cbor_type_name (parts[2]));
      goto out;
    }
  out->payload = g_bytes_new (cbor_bytestring_handle (parts[2]), cbor_bytestring_length (parts[2]));
  ok = TRUE;

out:
  cbor_decref (&root);
  return ok;
}

gboolean
jc_jc1_envelope_verify (const JcJc1Envelope *env,
                        const guint8         pk[32],
                        const char          *signer,
                        const char          *altered,
                        GError             **error)
{
  g_autoptr(GBytes) tbs = NULL;
  const guint8 *payload, *tdata;
  gsize plen, tlen;
  guint8 want[8];

  jc_jc1_kid (pk, want);
  if (memcmp (want, env->kid, 8) != 0)
    {
      g_autofree char *got_hex = jc_jc1_hex (env->kid, 8);
      g_autofree char *want_hex = jc_jc1_hex (want, 8);

      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_COSE,
                   _("The COSE kid %s does not match %s (kid %s)"), got_hex, signer, want_hex);
      return FALSE;
    }
  payload = g_bytes_get_data (env->payload, &plen);
  tbs = sig_structure (protected_header, sizeof protected_header, payload, plen);
  tdata = g_bytes_get_data (tbs, &tlen);
  if (crypto_sign_verify_detached (env->signature, tdata, tlen, pk) != 0)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_SIGNATURE, altered);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_jc1_decode_verify (const char    *text,
                      const guint8  *expected_hq_pk,
                      JcJc1Claims  **out,
                      GError       **error)
{
  g_auto(JcJc1Envelope) env = { 0 };
  g_autoptr(JcJc1Claims) claims = NULL;
  const guint8 *payload;
  gsize plen;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!jc_jc1_envelope_open (text, JC_JC1_PREFIX, "JC1", &env, error))
    return FALSE;
  payload = g_bytes_get_data (env.payload, &plen);
  claims = parse_claims (payload, plen, error);
  if (claims == NULL)
    return FALSE;
  if (!jc_jc1_envelope_verify (&env, claims->signer_key, _("the signer key in claim 10"),
                               _("The signature does not match: this finding was altered or not signed by the key it names"),
                               error))
    return FALSE;

  if (claims->has_confirmation && claims->confirmation.has_institution_signature
      && crypto_sign_verify_detached (claims->confirmation.institution_signature,
                                      claims->record_sha256, 32,
                                      claims->confirmation.institution_key) != 0)
    {
      g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_INSTITUTION_SIGNATURE,
                           _("The institution’s signature over the finding record does not verify"));
      return FALSE;
    }

  if (expected_hq_pk != NULL)
    {
      if (!claims->has_certificate)
        {
          g_set_error_literal (error, JC_JC1_ERROR, JC_JC1_ERROR_NOT_ENROLLED,
                               _("The signer is not enrolled: the code carries no HQ certificate"));
          return FALSE;
        }
      if (!jc_jc1_certificate_verify (&claims->certificate, claims->signer_key, expected_hq_pk, error))
        return FALSE;
      if (claims->certificate.not_after < claims->sealed_at)
        {
          g_autoptr(GDateTime) na = g_date_time_new_from_unix_utc (MIN (claims->certificate.not_after, (guint64) G_MAXINT32 * 100));
          g_autoptr(GDateTime) sa = g_date_time_new_from_unix_utc (MIN (claims->sealed_at, (guint64) G_MAXINT32 * 100));
          g_autofree char *na_s = na ? g_date_time_format_iso8601 (na) : g_strdup ("?");
          g_autofree char *sa_s = sa ? g_date_time_format_iso8601 (sa) : g_strdup ("?");

          g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CERTIFICATE,
                       _("The signer’s certificate expired (%s) before the finding was sealed (%s)"),
                       na_s, sa_s);
          return FALSE;
        }
    }

  if (out != NULL)
    *out = g_steal_pointer (&claims);
  return TRUE;
}

/* ------------------------------------------------------------------ */

static char *
format_unix (guint64 t, const char *format)
{
  g_autoptr(GDateTime) dt = NULL;

  if (t <= (guint64) 253402300799)  /* 9999-12-31 */
    dt = g_date_time_new_from_unix_local ((gint64) t);
  if (dt == NULL)
    return g_strdup_printf ("@%" PRIu64, t);
  return g_date_time_format (dt, format);
}

char *
jc_jc1_format_time (guint64 t)
{
  return format_unix (t, "%Y-%m-%dT%H:%M:%S%:z");
}

char *
jc_jc1_format_local_time (guint64 t)
{
  return format_unix (t, "%Y-%m-%d %H:%M:%S");
}

char *
jc_jc1_claims_describe (const JcJc1Claims *c)
{
  GString *s = g_string_new (NULL);
  g_autofree char *sealed = jc_jc1_format_time (c->sealed_at);
  g_autofree char *fid = jc_jc1_hex (c->finding_id, 16);
  g_autofree char *iid = jc_jc1_hex (c->inspection_id, 16);
  g_autofree char *rec = jc_jc1_hex (c->record_sha256, 32);
  g_autofree char *items = c->item_codes ? g_strjoinv (", ", c->item_codes) : g_strdup ("");
  g_autofree char *kid_hex = NULL;
  guint8 kid[8];

  jc_jc1_kid (c->signer_key, kid);
  kid_hex = jc_jc1_hex (kid, 8);

  g_string_append_printf (s, _("Institution: %s\n"), c->institution_code);
  g_string_append_printf (s, _("Checklist: %s\n"), c->checklist);
  g_string_append_printf (s, _("Items (%u): %s\n"),
                          c->item_codes ? g_strv_length (c->item_codes) : 0, items);
  g_string_append_printf (s, _("Amount: %" PRIu64 ".%02u yuan\n"),
                          c->amount_fen / 100, (guint) (c->amount_fen % 100));
  g_string_append_printf (s, _("Sealed at: %s\n"), sealed);
  g_string_append_printf (s, _("Finding: %s\n"), fid);
  g_string_append_printf (s, _("Inspection: %s\n"), iid);
  g_string_append_printf (s, _("Record SHA-256: %s\n"), rec);
  g_string_append_printf (s, _("Signer kid: %s\n"), kid_hex);
  if (c->has_certificate)
    {
      g_autofree char *dev = jc_jc1_hex (c->certificate.device_id, 16);
      g_autofree char *hq = jc_jc1_hex (c->certificate.hq_kid, 8);
      g_autofree char *until = jc_jc1_format_time (c->certificate.not_after);

      g_string_append_printf (s, _("Certificate: device %s, HQ kid %s, valid until %s\n"),
                              dev, hq, until);
    }
  else
    g_string_append (s, _("Certificate: none (device not enrolled)\n"));
  if (c->has_confirmation)
    {
      const JcJc1Confirmation *conf = &c->confirmation;

      g_string_append_printf (s, _("Confirmation: %s by %s"),
                              jc_jc1_status_to_string (conf->status), conf->name);
      if (conf->has_institution_signature)
        g_string_append (s, _(", signed with the institution’s key"));
      g_string_append_c (s, '\n');
    }
  else
    g_string_append (s, _("Confirmation: none yet\n"));
  return g_string_free (s, FALSE);
}

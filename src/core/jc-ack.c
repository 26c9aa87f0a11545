/* jc-ack.c — the institution's acknowledgment (JCA1), see jc-ack.h */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-ack.h"
#include "jc-jc1-private.h"

G_DEFINE_QUARK (jc-ack-error-quark, jc_ack_error)

enum {
  ACK_VERSION = 1,
  ACK_FINDING_ID,
  ACK_RECORD_HASH,
  ACK_INSTITUTION,
  ACK_STATUS,
  ACK_NAME,
  ACK_TITLE,
  ACK_REASON,
  ACK_ANSWERED_AT,
  ACK_KEY,
  ACK_SIGNATURE,
};

void
jc_ack_free (JcAck *ack)
{
  if (ack == NULL)
    return;
  g_free (ack->institution_code);
  g_free (ack->name);
  g_free (ack->title);
  g_free (ack->reason);
  g_free (ack);
}

static char *
stripped_or_null (const char *s)
{
  char *copy = s != NULL ? g_strstrip (g_strdup (s)) : NULL;

  if (copy != NULL && *copy == '\0')
    g_clear_pointer (&copy, g_free);
  return copy;
}

/* The same rules for making and for reading an answer. */
static gboolean
check_answer (const JcAck *ack,
              GError     **error)
{
  if (ack->status != JC_JC1_STATUS_CONFIRMED && ack->status != JC_JC1_STATUS_DISPUTED)
    {
      g_set_error (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER,
                   _("An acknowledgment confirms (0) or disputes (1) a finding, not status %u"),
                   (guint) ack->status);
      return FALSE;
    }
  if (ack->name == NULL)
    {
      g_set_error_literal (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER,
                           _("The institution’s representative’s name is empty"));
      return FALSE;
    }
  if ((ack->status == JC_JC1_STATUS_DISPUTED) != (ack->reason != NULL))
    {
      g_set_error_literal (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER,
                           ack->reason == NULL ? _("A dispute needs a reason")
                                               : _("Only a dispute has a reason"));
      return FALSE;
    }
  return TRUE;
}

static GBytes *
encode_payload (const JcAck *ack)
{
  cbor_item_t *map = cbor_new_definite_map (9 + !!ack->title + !!ack->reason);
  GBytes *bytes;

  jc_jc1_cbor_map_put (map, ACK_VERSION, jc_jc1_cbor_uint (ack->version));
  jc_jc1_cbor_map_put (map, ACK_FINDING_ID, cbor_build_bytestring (ack->finding_id, 16));
  jc_jc1_cbor_map_put (map, ACK_RECORD_HASH, cbor_build_bytestring (ack->record_sha256, 32));
  jc_jc1_cbor_map_put (map, ACK_INSTITUTION, cbor_build_string (ack->institution_code));
  jc_jc1_cbor_map_put (map, ACK_STATUS, jc_jc1_cbor_uint (ack->status));
  jc_jc1_cbor_map_put (map, ACK_NAME, cbor_build_string (ack->name));
  if (ack->title != NULL)
    jc_jc1_cbor_map_put (map, ACK_TITLE, cbor_build_string (ack->title));
  if (ack->reason != NULL)
    jc_jc1_cbor_map_put (map, ACK_REASON, cbor_build_string (ack->reason));
  jc_jc1_cbor_map_put (map, ACK_ANSWERED_AT, jc_jc1_cbor_uint (ack->answered_at));
  jc_jc1_cbor_map_put (map, ACK_KEY, cbor_build_bytestring (ack->institution_key, 32));
  jc_jc1_cbor_map_put (map, ACK_SIGNATURE, cbor_build_bytestring (ack->institution_signature, 64));
  bytes = jc_jc1_cbor_serialize (map);
  cbor_decref (&map);
  return bytes;
}

char *
jc_ack_make (const JcJc1Claims *finding,
             JcJc1Status        status,
             const char        *name,
             const char        *title,
             const char        *reason,
             const guint8       sk[64],
             GError           **error)
{
  g_autoptr(JcAck) ack = g_new0 (JcAck, 1);
  g_autoptr(GBytes) payload = NULL;

  g_return_val_if_fail (finding != NULL && sk != NULL, NULL);

  if (finding->has_confirmation)
    {
      g_set_error (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER,
                   _("This finding already carries the institution’s answer (%s by %s)"),
                   jc_jc1_status_to_string (finding->confirmation.status), finding->confirmation.name);
      return NULL;
    }
  ack->version = JC_ACK_VERSION;
  memcpy (ack->finding_id, finding->finding_id, 16);
  memcpy (ack->record_sha256, finding->record_sha256, 32);
  ack->institution_code = g_strdup (finding->institution_code);
  ack->status = status;
  ack->name = stripped_or_null (name);
  ack->title = stripped_or_null (title);
  ack->reason = status == JC_JC1_STATUS_DISPUTED ? stripped_or_null (reason) : NULL;
  if ((ack->name != NULL && !g_utf8_validate (ack->name, -1, NULL))
      || (ack->title != NULL && !g_utf8_validate (ack->title, -1, NULL))
      || (ack->reason != NULL && !g_utf8_validate (ack->reason, -1, NULL)))
    {
      g_set_error_literal (error, JC_ACK_ERROR, JC_ACK_ERROR_ANSWER,
                           _("The answer has text that is not valid UTF-8"));
      return NULL;
    }
  if (!check_answer (ack, error))
    return NULL;
  ack->answered_at = (guint64) (g_get_real_time () / G_USEC_PER_SEC);
  memcpy (ack->institution_key, sk + 32, 32);
  crypto_sign_detached (ack->institution_signature, NULL, ack->record_sha256, 32, sk);

  payload = encode_payload (ack);
  return jc_jc1_envelope_seal (JC_ACK_PREFIX, payload, sk, error);
}

/* Errors of the shared JC1 machinery, in this module's domain. */
static void
rewrap (GError  *inner,
        GError **error)
{
  int code = inner->code == JC_JC1_ERROR_PREFIX ? JC_ACK_ERROR_PREFIX
             : inner->code == JC_JC1_ERROR_SIGNATURE ? JC_ACK_ERROR_SIGNATURE
             : JC_ACK_ERROR_INVALID;

  g_set_error_literal (error, JC_ACK_ERROR, code, inner->message);
}

static gboolean
parse_payload (GBytes  *payload,
               JcAck   *ack,
               GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  cbor_item_t *root = jc_jc1_cbor_load (data, len, 0, _("Acknowledgment"), error);
  struct cbor_pair *pairs;
  guint seen = 0;
  gboolean ok = TRUE;

  if (root == NULL)
    return FALSE;
  if (!cbor_isa_map (root) || !cbor_map_is_definite (root))
    {
      g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                   _("The acknowledgment must be a map, not %s"), jc_jc1_cbor_type_name (root));
      cbor_decref (&root);
      return FALSE;
    }
  if (!jc_jc1_cbor_check_keys (root, ACK_SIGNATURE, 0, _("Acknowledgment"), error))
    {
      cbor_decref (&root);
      return FALSE;
    }
  pairs = cbor_map_handle (root);
  for (gsize i = 0; ok && i < cbor_map_size (root); i++)
    {
      guint64 key = cbor_get_int (pairs[i].key), status;
      const cbor_item_t *v = pairs[i].value;
      g_autofree char *what = g_strdup_printf (_("Acknowledgment key %u"), (guint) key);

      seen |= 1u << key;
      switch (key)
        {
        case ACK_VERSION:
          ok = jc_jc1_cbor_get_uint (v, &ack->version, what, error);
          if (ok && ack->version != JC_ACK_VERSION)
            {
              g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                           _("Unsupported acknowledgment version %" PRIu64
                             " (this program reads version %d)"), ack->version, JC_ACK_VERSION);
              ok = FALSE;
            }
          break;
        case ACK_FINDING_ID:
          ok = jc_jc1_cbor_get_bytes (v, 16, ack->finding_id, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        case ACK_RECORD_HASH:
          ok = jc_jc1_cbor_get_bytes (v, 32, ack->record_sha256, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        case ACK_INSTITUTION:
          ok = jc_jc1_cbor_get_text (v, &ack->institution_code, what, error);
          break;
        case ACK_STATUS:
          ok = jc_jc1_cbor_get_uint (v, &status, what, error);
          ack->status = status <= G_MAXUINT ? (JcJc1Status) status : (JcJc1Status) G_MAXUINT;
          break;
        case ACK_NAME:
          ok = jc_jc1_cbor_get_text (v, &ack->name, what, error);
          break;
        case ACK_TITLE:
          ok = jc_jc1_cbor_get_text (v, &ack->title, what, error);
          break;
        case ACK_REASON:
          ok = jc_jc1_cbor_get_text (v, &ack->reason, what, error);
          break;
        case ACK_ANSWERED_AT:
          ok = jc_jc1_cbor_get_uint (v, &ack->answered_at, what, error);
          break;
        case ACK_KEY:
          ok = jc_jc1_cbor_get_bytes (v, 32, ack->institution_key, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        case ACK_SIGNATURE:
          ok = jc_jc1_cbor_get_bytes (v, 64, ack->institution_signature, JC_JC1_ERROR_CLAIMS, what, error);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  cbor_decref (&root);
  if (!ok)
    return FALSE;
  for (guint key = ACK_VERSION; key <= ACK_SIGNATURE; key++)
    if (key != ACK_TITLE && key != ACK_REASON && !(seen & (1u << key)))
      {
        g_set_error (error, JC_JC1_ERROR, JC_JC1_ERROR_CLAIMS,
                     _("Acknowledgment key %u is missing"), key);
        return FALSE;
      }
  return TRUE;
}

JcAck *
jc_ack_decode_verify (const char *text,
                      GError    **error)
{
  g_auto(JcJc1Envelope) env = { 0 };
  g_autoptr(JcAck) ack = g_new0 (JcAck, 1);
  g_autoptr(GError) inner = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (!jc_jc1_envelope_open (text, JC_ACK_PREFIX, _("JCA1 acknowledgment"), &env, &inner)
      || !parse_payload (env.payload, ack, &inner)
      || !jc_jc1_envelope_verify (&env, ack->institution_key, _("the institution key (key 10)"),
                                  _("The acknowledgment’s signature does not match: it was altered "
                                    "or not signed by the institution key it names"), &inner))
    {
      rewrap (inner, error);
      return NULL;
    }
  if (!check_answer (ack, error))
    return NULL;
  if (crypto_sign_verify_detached (ack->institution_signature, ack->record_sha256, 32,
                                   ack->institution_key) != 0)
    {
      g_set_error_literal (error, JC_ACK_ERROR, JC_ACK_ERROR_SIGNATURE,
                           _("The institution’s signature over the finding record (key 11) does not verify"));
      return NULL;
    }
  return g_steal_pointer (&ack);
}

gboolean
jc_ack_check_matches (const JcAck  *ack,
                      const guint8  finding_id[16],
                      const guint8  record_sha256[32],
                      GError      **error)
{
  if (memcmp (ack->finding_id, finding_id, 16) != 0)
    {
      g_autofree char *got = jc_jc1_hex (ack->finding_id, 16);
      g_autofree char *want = jc_jc1_hex (finding_id, 16);

      g_set_error (error, JC_ACK_ERROR, JC_ACK_ERROR_MISMATCH,
                   _("This acknowledgment answers finding %s, not finding %s"), got, want);
      return FALSE;
    }
  if (sodium_memcmp (ack->record_sha256, record_sha256, 32) != 0)
    {
      g_autofree char *got = jc_jc1_hex (ack->record_sha256, 32);

      g_set_error (error, JC_ACK_ERROR, JC_ACK_ERROR_MISMATCH,
                   _("This acknowledgment answers another version of the finding (record SHA-256 %s): "
                     "the institution must scan the current code"), got);
      return FALSE;
    }
  return TRUE;
}

char *
jc_ack_describe (const JcAck *ack)
{
  GString *s = g_string_new (NULL);
  g_autofree char *fid = jc_jc1_hex (ack->finding_id, 16);
  g_autofree char *when = jc_jc1_format_local_time (ack->answered_at);
  g_autofree char *key = jc_jc1_hex (ack->institution_key, 32);

  g_string_append_printf (s, _("Answer: %s\n"), jc_jc1_status_to_string (ack->status));
  g_string_append_printf (s, _("Representative: %s\n"), ack->name);
  if (ack->title != NULL)
    g_string_append_printf (s, _("Title: %s\n"), ack->title);
  if (ack->reason != NULL)
    g_string_append_printf (s, _("Reason: %s\n"), ack->reason);
  g_string_append_printf (s, _("Institution: %s\n"), ack->institution_code);
  g_string_append_printf (s, _("Finding: %s\n"), fid);
  g_string_append_printf (s, _("Answered at: %s\n"), when);
  g_string_append_printf (s, _("Institution key: %s\n"), key);
  return g_string_free (s, FALSE);
}

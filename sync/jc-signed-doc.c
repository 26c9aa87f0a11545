/* jc-signed-doc.c — HQ's signed JSON documents: receipts and updates */
#define G_LOG_DOMAIN "jiancha-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-signed-doc.h"

#define CONTEXT "JC-DOC1"

static void
sign (const guint8 sk[64], const char *doc, gsize len, guint8 sig[64])
{
  g_autoptr(GByteArray) msg = g_byte_array_sized_new (len + 8);

  g_byte_array_append (msg, (const guint8 *) CONTEXT, strlen (CONTEXT));
  g_byte_array_append (msg, (const guint8 *) doc, len);
  crypto_sign_detached (sig, NULL, msg->data, msg->len, sk);
}

char *
jc_signed_doc_wrap (const guint8  secret_key[64],
                    const guint8  public_key[32],
                    JsonBuilder  *doc)
{
  g_autofree char *text = jc_json_builder_to_string (doc);
  g_autofree char *b64 = g_base64_encode ((const guchar *) text, strlen (text));
  g_autofree char *sig_hex = NULL;
  g_autofree char *kid_hex = NULL;
  g_autoptr(JsonBuilder) env = json_builder_new ();
  guint8 sig[64], kid[8];

  sign (secret_key, text, strlen (text), sig);
  jc_jc1_kid (public_key, kid);
  sig_hex = jc_device_hex (sig, sizeof sig);
  kid_hex = jc_device_hex (kid, sizeof kid);
  json_builder_begin_object (env);
  jc_json_builder_add_string (env, "document", b64);
  jc_json_builder_add_string (env, "kid", kid_hex);
  jc_json_builder_add_string (env, "signature", sig_hex);
  json_builder_end_object (env);
  return jc_json_builder_to_string (env);
}

static gboolean
bad (GError **error, const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("HQ’s signed document is not valid: %s"), why);
  return FALSE;
}

JsonParser *
jc_signed_doc_unwrap (const char   *envelope,
                      gsize         len,
                      const guint8  public_key[32],
                      const char   *type,
                      GError      **error)
{
  g_autoptr(JsonParser) outer = json_parser_new ();
  g_autoptr(JsonParser) inner = json_parser_new ();
  g_autofree guchar *doc = NULL;
  g_autoptr(GByteArray) msg = NULL;
  JsonObject *obj;
  const char *b64, *sig_hex;
  guint8 sig[64];
  gsize doc_len = 0;

  if (len > JC_SIGNED_DOC_MAX)
    return bad (error, _("it is too large")), NULL;
  if (!json_parser_load_from_data (outer, envelope, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (outer)))
    return bad (error, _("it is not a JSON object")), NULL;
  obj = json_node_get_object (json_parser_get_root (outer));
  b64 = json_object_get_string_member_with_default (obj, "document", NULL);
  sig_hex = json_object_get_string_member_with_default (obj, "signature", NULL);
  if (b64 == NULL || !jc_device_unhex (sig_hex, sig, sizeof sig))
    return bad (error, _("“document” or “signature” is missing or malformed")), NULL;
  doc = g_base64_decode (b64, &doc_len);
  msg = g_byte_array_sized_new (doc_len + 8);
  g_byte_array_append (msg, (const guint8 *) CONTEXT, strlen (CONTEXT));
  g_byte_array_append (msg, doc, doc_len);
  if (crypto_sign_verify_detached (sig, msg->data, msg->len, public_key) != 0)
    return bad (error, _("its signature does not verify with HQ’s pinned key")), NULL;
  if (!json_parser_load_from_data (inner, (const char *) doc, doc_len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (inner)))
    return bad (error, _("the signed document is not a JSON object")), NULL;
  obj = json_node_get_object (json_parser_get_root (inner));
  if (g_strcmp0 (json_object_get_string_member_with_default (obj, "type", NULL), type) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("HQ’s signed document is not a %s"), type);
      return NULL;
    }
  return g_steal_pointer (&inner);
}

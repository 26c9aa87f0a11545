/* jc-assignments.c — HQ's signed plan of assignments, as devices get it */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-assignments.h"

G_DEFINE_QUARK (jc-assignments-error-quark, jc_assignments_error)

GBytes *
jc_assignments_message (const char *document)
{
  gsize prefix = sizeof JC_ASSIGNMENTS_FORMAT;  /* with its NUL */
  gsize len = strlen (document);
  guint8 *message = g_malloc (prefix + len);

  memcpy (message, JC_ASSIGNMENTS_FORMAT, prefix);
  memcpy (message + prefix, document, len);
  return g_bytes_new_take (message, prefix + len);
}

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* @envelope says which of the two @text is, for the message. */
static JsonObject *
parse_object (const char *text, gboolean envelope, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, &local))
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                   envelope ? _("The plan envelope is not JSON: %s") : _("The plan document is not JSON: %s"),
                   local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                           envelope ? _("The plan envelope is not a JSON object")
                                    : _("The plan document is not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
jc_assignments_verify (const char    *envelope,
                       const guint8   hq_key[32],
                       char         **document_text,
                       GError       **error)
{
  g_autoptr(JsonObject) outer = parse_object (envelope, TRUE, error);
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GBytes) message = NULL;
  const char *text, *signature_hex;
  guint8 signature[64];
  gsize sig_len = 0;

  if (outer == NULL)
    return NULL;
  text = member_string (outer, "document");
  signature_hex = member_string (outer, "signature");
  if (text == NULL || signature_hex == NULL || strlen (signature_hex) != 128 ||
      sodium_hex2bin (signature, sizeof signature, signature_hex, 128, NULL, &sig_len, NULL) != 0 ||
      sig_len != sizeof signature)
    {
      g_set_error_literal (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                           _("The plan envelope needs a “document” string and a “signature” of 128 hex digits"));
      return NULL;
    }
  message = jc_assignments_message (text);
  if (crypto_sign_verify_detached (signature, g_bytes_get_data (message, NULL), g_bytes_get_size (message),
                                   hq_key) != 0)
    {
      g_set_error_literal (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_SIGNATURE,
                           _("The plan’s signature does not verify with HQ’s key: "
                             "it was changed or not signed by this HQ"));
      return NULL;
    }
  document = parse_object (text, FALSE, error);
  if (document == NULL)
    return NULL;
  if (g_strcmp0 (member_string (document, "format"), JC_ASSIGNMENTS_FORMAT) != 0 ||
      !json_object_has_member (document, "assignments"))
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                   _("The signed document is not a plan (format “%s” with assignments)"), JC_ASSIGNMENTS_FORMAT);
      return NULL;
    }
  if (document_text != NULL)
    *document_text = g_strdup (text);
  return g_steal_pointer (&document);
}

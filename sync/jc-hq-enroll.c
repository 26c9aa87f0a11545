/* jc-hq-enroll.c — HQ's answer to an enrollment request */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-enroll.h"

static const char *
string_member (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
add_hex (JsonBuilder *b, const char *name, const guint8 *data, gsize len)
{
  g_autofree char *hex = jc_device_hex (data, len);

  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, hex);
}

static char *
refuse (guint *http_status, guint status, GError **error, const char *why)
{
  *http_status = status;
  g_set_error_literal (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_INVALID, why);
  return NULL;
}

char *
jc_hq_enroll_request (JcHqStore   *store,
                      const char  *request,
                      gsize        len,
                      guint       *http_status,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) local = NULL;
  JcJc1Certificate cert;
  JsonObject *obj;
  const char *code, *inspector;
  guint8 device_id[16], device_pk[32];
  gboolean ok;

  if (len > JC_HQ_ENROLL_MAX_REQUEST)
    return refuse (http_status, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, error, _("the request is too large"));
  if (len == 0 || request == NULL || !json_parser_load_from_data (parser, request, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return refuse (http_status, SOUP_STATUS_BAD_REQUEST, error, _("the request is not a JSON object"));
  obj = json_node_get_object (json_parser_get_root (parser));
  if (!jc_json_get_hex (obj, "device_id", device_id, sizeof device_id))
    return refuse (http_status, SOUP_STATUS_BAD_REQUEST, error, _("device_id must be 32 hexadecimal digits"));
  if (!jc_json_get_hex (obj, "public_key", device_pk, sizeof device_pk))
    return refuse (http_status, SOUP_STATUS_BAD_REQUEST, error, _("public_key must be 64 hexadecimal digits"));
  code = string_member (obj, "code");
  inspector = string_member (obj, "inspector");
  if (code == NULL || inspector == NULL)
    return refuse (http_status, SOUP_STATUS_BAD_REQUEST, error, _("code and inspector must be strings"));

  jc_hq_store_lock (store);
  ok = jc_hq_store_enroll (store, device_id, device_pk, code, inspector, &cert, &local);
  jc_hq_store_unlock (store);
  if (!ok)
    {
      *http_status = g_error_matches (local, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_CODE) ? SOUP_STATUS_FORBIDDEN
                   : g_error_matches (local, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_DUPLICATE) ? SOUP_STATUS_CONFLICT
                   : g_error_matches (local, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_INVALID) ? SOUP_STATUS_BAD_REQUEST
                   : SOUP_STATUS_INTERNAL_SERVER_ERROR;
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "certificate");
  json_builder_begin_object (b);
  add_hex (b, "device_id", cert.device_id, sizeof cert.device_id);
  add_hex (b, "hq_kid", cert.hq_kid, sizeof cert.hq_kid);
  jc_json_builder_add_int (b, "not_after", (gint64) cert.not_after);
  add_hex (b, "hq_signature", cert.hq_signature, sizeof cert.hq_signature);
  json_builder_end_object (b);
  add_hex (b, "hq_public_key", jc_hq_store_get_public_key (store), 32);
  add_hex (b, "escrow_public_key", jc_hq_store_get_escrow_key (store), 32);
  jc_json_builder_add_int (b, "hq_time", g_get_real_time () / G_USEC_PER_SEC);
  json_builder_end_object (b);
  *http_status = SOUP_STATUS_OK;
  return jc_json_builder_to_string (b);
}

/* jc-sync-enroll.c — enrollment with HQ over HTTP (POST /v1/enroll) */
#define G_LOG_DOMAIN "jiancha-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "jc-sync-enroll.h"
#include "jc-sync.h"

static gboolean
reply_hex (JsonObject *obj, const char *name, guint8 *out, gsize len, GError **error)
{
  if (jc_json_get_hex (obj, name, out, len))
    return TRUE;
  g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
               _("HQ’s reply has no valid “%s” (%zu hexadecimal digits expected)"), name, len * 2);
  return FALSE;
}

static gboolean
reply_int (JsonObject *obj, const char *name, gint64 *out, GError **error)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node != NULL && json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) > 0)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
               _("HQ’s reply has no valid “%s”"), name);
  return FALSE;
}

static char *
request_body (JcVault *vault, const char *code)
{
  JcDevice *device = jc_vault_get_device (vault);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *pk = jc_device_get_public_key_hex (device);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, jc_device_get_id_hex (device));
  json_builder_set_member_name (b, "public_key");
  json_builder_add_string_value (b, pk);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "inspector");
  json_builder_add_string_value (b, jc_vault_get_inspector (vault));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* POSTs @body to URL/v1/enroll; returns the parsed reply object of a 200,
 * or fails with HQ's reason. */
static JsonParser *
post_enroll (const char *hq_url, const char *body, GError **error)
{
  g_autoptr(SoupSession) session = jc_sync_new_session (error);
  g_autofree char *base = g_str_has_suffix (hq_url, "/") ? g_strndup (hq_url, strlen (hq_url) - 1)
                                                         : g_strdup (hq_url);
  g_autofree char *url = g_strconcat (base, "/v1/enroll", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  gboolean parsed;
  guint status;

  if (session == NULL)
    return NULL;
  if (msg == NULL)
    {
      g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_NETWORK, _("Not a valid HQ address: %s"), hq_url);
      return NULL;
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  reply = soup_session_send_and_read (session, msg, NULL, &local);
  if (reply == NULL)
    {
      g_autofree char *where = g_strdup_printf (_("Cannot reach HQ at %s: "), url);

      g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_NETWORK, "%s%s", where, local->message);
      return NULL;
    }
  status = soup_message_get_status (msg);
  parsed = json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL) &&
           JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser));
  if (status != SOUP_STATUS_OK)
    {
      JsonObject *obj = parsed ? json_node_get_object (json_parser_get_root (parser)) : NULL;
      const char *reason = obj ? json_object_get_string_member_with_default (obj, "error", NULL) : NULL;

      g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_REFUSED, _("HQ refused the enrollment (HTTP %u): %s"),
                   status, reason ? reason : soup_status_get_phrase (status));
      return NULL;
    }
  if (!parsed)
    {
      g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT, _("HQ’s reply at %s is not a JSON object"), url);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

/* The certificate and HQ's keys from HQ's reply. */
static gboolean
parse_reply (JsonObject *reply, JcJc1Certificate *cert, guint8 hq_pk[32], guint8 escrow_pk[32],
             gint64 *not_after, gint64 *hq_time, GError **error)
{
  JsonNode *cert_node = json_object_get_member (reply, "certificate");
  JsonObject *cert_obj = cert_node != NULL && JSON_NODE_HOLDS_OBJECT (cert_node)
                         ? json_node_get_object (cert_node) : NULL;

  if (!reply_hex (cert_obj, "device_id", cert->device_id, sizeof cert->device_id, error) ||
      !reply_hex (cert_obj, "hq_kid", cert->hq_kid, sizeof cert->hq_kid, error) ||
      !reply_int (cert_obj, "not_after", not_after, error) ||
      !reply_hex (cert_obj, "hq_signature", cert->hq_signature, sizeof cert->hq_signature, error) ||
      !reply_hex (reply, "hq_public_key", hq_pk, 32, error) ||
      !reply_hex (reply, "escrow_public_key", escrow_pk, 32, error) ||
      !reply_int (reply, "hq_time", hq_time, error))
    return FALSE;
  cert->not_after = (guint64) *not_after;
  return TRUE;
}

/* Checked before a code is spent at HQ: not enrolled yet, the right PIN. */
static gboolean
can_enroll (JcVault *vault, const char *pin, GError **error)
{
  g_autofree char *keys = g_build_filename (jc_vault_get_dir (vault), "keys", NULL);
  g_autoptr(JcSecret) dek = NULL;

  if (jc_vault_get_enrollment (vault, NULL, NULL, NULL))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_ENROLLED,
                   _("The vault in %s is already enrolled with HQ"), jc_vault_get_dir (vault));
      return FALSE;
    }
  return jc_keyfile_unlock (keys, pin, &dek, error);
}

static gboolean
finish (JcVault *vault, const char *pin, JsonObject *reply, gint64 *out_not_after, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcJc1Certificate cert;
  guint8 hq_pk[32], escrow_pk[32];
  gint64 not_after = 0, hq_time = 0;

  if (!parse_reply (reply, &cert, hq_pk, escrow_pk, &not_after, &hq_time, error))
    return FALSE;
  /* jc_vault_enroll() verifies the certificate for this device against
   * the HQ key before anything is written. */
  if (!jc_vault_enroll (vault, pin, &cert, hq_pk, escrow_pk, hq_time * G_USEC_PER_SEC, error))
    {
      g_prefix_error (error, _("Not enrolled: "));
      return FALSE;
    }
  if (out_not_after != NULL)
    *out_not_after = not_after;
  return TRUE;
}

gboolean
jc_sync_enroll (JcVault *vault, const char *pin, const char *hq_url, const char *code,
                gint64 *out_not_after, GError **error)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = NULL;

  g_return_val_if_fail (JC_IS_VAULT (vault), FALSE);
  g_return_val_if_fail (pin != NULL && hq_url != NULL && code != NULL, FALSE);

  if (!can_enroll (vault, pin, error))
    return FALSE;
  body = request_body (vault, code);
  parser = post_enroll (hq_url, body, error);
  if (parser == NULL || !finish (vault, pin, json_node_get_object (json_parser_get_root (parser)), out_not_after,
                                 error))
    return FALSE;
  /* Where sync goes from now on, unless told otherwise. */
  return jc_sync_set_hq_url (vault, hq_url, error);
}

char *
jc_sync_enroll_request (JcVault *vault, const char *pin, const char *code, GError **error)
{
  g_return_val_if_fail (JC_IS_VAULT (vault) && pin != NULL && code != NULL, NULL);
  /* HQ checks the code; here only that one was given at all. */
  if (*code == '\0')
    {
      g_set_error_literal (error, JC_SYNC_ERROR, JC_SYNC_ERROR_REFUSED, _("The enrollment code is empty"));
      return NULL;
    }
  if (!can_enroll (vault, pin, error))
    return NULL;
  return request_body (vault, code);
}

gboolean
jc_sync_enroll_reply (JcVault *vault, const char *pin, const char *reply, gsize len,
                      gint64 *out_not_after, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_return_val_if_fail (JC_IS_VAULT (vault) && pin != NULL, FALSE);
  if (!can_enroll (vault, pin, error))
    return FALSE;
  if (len > 65536 || !json_parser_load_from_data (parser, reply, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
                           _("HQ’s enrollment reply is not a JSON object"));
      return FALSE;
    }
  return finish (vault, pin, json_node_get_object (json_parser_get_root (parser)), out_not_after, error);
}

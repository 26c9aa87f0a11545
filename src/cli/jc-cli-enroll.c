/* jc-cli-enroll.c — `jiancha-cli enroll --hq URL --code CODE`
 *
 * Posts this device's id and public key with the one-time code to
 * HQ's /v1/enroll, verifies the certificate HQ returns against the HQ key
 * it returns, and hands both to jc_vault_enroll() (pins HQ's keys, adds the
 * escrow recovery slot, records the event and HQ's time).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "jc-cli.h"
#include "jc-sync.h"

gboolean jc_cli_cmd_enroll (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
reply_hex (JsonObject *obj, const char *name, guint8 *out, gsize len, GError **error)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  const char *text;
  gsize bin_len = 0;

  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      text = json_node_get_string (node);
      if (strlen (text) == len * 2 &&
          sodium_hex2bin (out, len, text, len * 2, NULL, &bin_len, NULL) == 0 && bin_len == len)
        return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
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
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
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
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *base = g_str_has_suffix (hq_url, "/") ? g_strndup (hq_url, strlen (hq_url) - 1)
                                                         : g_strdup (hq_url);
  g_autofree char *url = g_strconcat (base, "/v1/enroll", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gboolean parsed;
  guint status;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Not a valid HQ address: %s"), hq_url);
      return NULL;
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  reply = soup_session_send_and_read (session, msg, NULL, error);
  if (reply == NULL)
    {
      g_prefix_error (error, _("Cannot reach HQ at %s: "), url);
      return NULL;
    }
  status = soup_message_get_status (msg);
  parsed = json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL) &&
           JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser));
  if (status != SOUP_STATUS_OK)
    {
      JsonObject *obj = parsed ? json_node_get_object (json_parser_get_root (parser)) : NULL;
      const char *reason = obj ? json_object_get_string_member_with_default (obj, "error", NULL) : NULL;

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("HQ refused the enrollment (HTTP %u): %s"),
                   status, reason ? reason : soup_status_get_phrase (status));
      return NULL;
    }
  if (!parsed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("HQ’s reply at %s is not a JSON object"), url);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

gboolean
jc_cli_cmd_enroll (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *hq_url = NULL;
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *until_text = NULL;
  JcJc1Certificate cert;
  JsonObject *reply, *cert_obj;
  guint8 hq_pk[32], escrow_pk[32];
  gint64 not_after = 0, hq_time = 0;
  char *pin = NULL;
  gboolean ok;
  GOptionEntry entries[] = {
    { "hq", 0, 0, G_OPTION_ARG_STRING, &hq_url, N_("HQ’s address, e.g. https://hq.example:8470"), N_("URL") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("The one-time enrollment code from HQ"), N_("CODE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Enroll this device with HQ and get its certificate"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "enroll --hq URL --code CODE", error))
    return FALSE;
  if (hq_url == NULL || code == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--hq URL and --code CODE are required"));
      return FALSE;
    }

  /* The PIN is kept until the end: adding the recovery slot rewraps the
   * PIN slot. */
  vault = jc_vault_new (cli->vault_dir);
  if (!jc_vault_exists (vault))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_NOT_FOUND,
                   _("There is no vault in %s; create one with “jiancha-cli --vault %s vault init”"),
                   cli->vault_dir, cli->vault_dir);
      return FALSE;
    }
  pin = jc_cli_read_pin ("JIANCHA_PIN", _("PIN: "), error);
  if (pin == NULL)
    return FALSE;
  ok = jc_vault_unlock (vault, pin, error);
  if (ok && jc_vault_get_enrollment (vault, NULL, NULL, NULL))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_ENROLLED,
                   _("The vault in %s is already enrolled with HQ"), cli->vault_dir);
      ok = FALSE;
    }
  if (ok)
    {
      body = request_body (vault, code);
      parser = post_enroll (hq_url, body, error);
      ok = parser != NULL;
    }
  if (ok)
    {
      reply = json_node_get_object (json_parser_get_root (parser));
      cert_obj = json_object_get_member (reply, "certificate") != NULL &&
                 JSON_NODE_HOLDS_OBJECT (json_object_get_member (reply, "certificate"))
                 ? json_object_get_object_member (reply, "certificate") : NULL;
      ok = reply_hex (cert_obj, "device_id", cert.device_id, sizeof cert.device_id, error) &&
           reply_hex (cert_obj, "hq_kid", cert.hq_kid, sizeof cert.hq_kid, error) &&
           reply_int (cert_obj, "not_after", &not_after, error) &&
           reply_hex (cert_obj, "hq_signature", cert.hq_signature, sizeof cert.hq_signature, error) &&
           reply_hex (reply, "hq_public_key", hq_pk, sizeof hq_pk, error) &&
           reply_hex (reply, "escrow_public_key", escrow_pk, sizeof escrow_pk, error) &&
           reply_int (reply, "hq_time", &hq_time, error);
      cert.not_after = (guint64) not_after;
    }
  /* jc_vault_enroll() verifies the certificate for this device against
   * the HQ key before anything is written. */
  if (ok)
    {
      ok = jc_vault_enroll (vault, pin, &cert, hq_pk, escrow_pk, hq_time * G_USEC_PER_SEC, error);
      if (!ok)
        g_prefix_error (error, _("Not enrolled: "));
      /* Where sync goes from now on, unless told otherwise. */
      ok = ok && jc_sync_set_hq_url (vault, hq_url, error);
    }
  jc_cli_free_pin (pin);
  if (!ok)
    return FALSE;

  until = g_date_time_new_from_unix_utc (not_after);
  until_text = until ? g_date_time_format (until, "%Y-%m-%d") : g_strdup ("?");
  g_print (_("Enrolled with HQ; the certificate is valid until %s\n"), until_text);
  return TRUE;
}

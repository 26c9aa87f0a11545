/* jc-cli-enroll.c — `jiancha-cli enroll --hq URL --code CODE`
 *
 * Unlocks the vault and hands the rest to jc_sync_enroll() (sync/), the
 * same steps the app's Sync page takes.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-cli.h"
#include "jc-sync-enroll.h"

gboolean jc_cli_cmd_enroll (JcCli *cli, int argc, char **argv, GError **error);

gboolean
jc_cli_cmd_enroll (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *hq_url = NULL;
  g_autofree char *code = NULL;
  g_autofree char *request_path = NULL;
  g_autofree char *reply_path = NULL;
  g_autofree char *request_png = NULL;
  g_autofree char *reply_png = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *request = NULL;
  gsize reply_len = 0;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *until_text = NULL;
  gint64 not_after = 0;
  char *pin = NULL;
  gboolean ok;
  GOptionEntry entries[] = {
    { "hq", 0, 0, G_OPTION_ARG_STRING, &hq_url, N_("HQ’s address, e.g. https://hq.example:8470"), N_("URL") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("The one-time enrollment code from HQ"), N_("CODE") },
    { "request", 0, 0, G_OPTION_ARG_FILENAME, &request_path,
      N_("Without network: write the request for “jiancha-hq enroll-request” to FILE (with --code)"), N_("FILE") },
    { "reply", 0, 0, G_OPTION_ARG_FILENAME, &reply_path,
      N_("Without network: enroll with HQ’s reply FILE from “jiancha-hq enroll-request”"), N_("FILE") },
    { "request-png", 0, 0, G_OPTION_ARG_FILENAME, &request_png,
      N_("The same request as a QR code image, for HQ to scan (with --code)"), N_("FILE") },
    { "reply-png", 0, 0, G_OPTION_ARG_FILENAME, &reply_png,
      N_("HQ’s reply as a QR code image (a photo or screenshot of it)"), N_("FILE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Enroll this device with HQ and get its certificate"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "enroll (--hq URL --code CODE | --request FILE --code CODE | --reply FILE)",
                               error))
    return FALSE;
  /* a QR image is the file's other form */
  if (request_png != NULL && request_path == NULL)
    request_path = g_strdup ("");
  if (reply_png != NULL && reply_path == NULL)
    reply_path = g_strdup ("");
  if (!(hq_url != NULL && code != NULL && request_path == NULL && reply_path == NULL) &&
      !(request_path != NULL && code != NULL && hq_url == NULL && reply_path == NULL) &&
      !(reply_path != NULL && hq_url == NULL && code == NULL && request_path == NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Give --hq URL and --code CODE; or, without network, --request FILE and --code CODE, "
                             "then --reply FILE"));
      return FALSE;
    }
  if (reply_png != NULL)
    {
      reply = jc_qr_decode_png (reply_png, error);
      if (reply == NULL)
        return FALSE;
      reply_len = strlen (reply);
    }
  else if (reply_path != NULL && !g_file_get_contents (reply_path, &reply, &reply_len, error))
    return FALSE;

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
  if (ok && request_path != NULL)
    {
      request = jc_sync_enroll_request (vault, pin, code, error);
      ok = request != NULL &&
           (*request_path == '\0' || g_file_set_contents (request_path, request, -1, error)) &&
           (request_png == NULL || jc_qr_write_png (request, request_png, 6, error));
    }
  else if (ok && reply_path != NULL)
    ok = jc_sync_enroll_reply (vault, pin, reply, reply_len, &not_after, error);
  else if (ok)
    ok = jc_sync_enroll (vault, pin, hq_url, code, &not_after, error);
  jc_cli_free_pin (pin);
  if (!ok)
    return FALSE;
  if (request_path != NULL)
    {
      g_print (_("Wrote the enrollment request to %s: take it to HQ for “jiancha-hq enroll-request”, "
                 "then enroll with --reply\n"), *request_path != '\0' ? request_path : request_png);
      return TRUE;
    }

  until = g_date_time_new_from_unix_utc (not_after);
  until_text = until ? g_date_time_format (until, "%Y-%m-%d") : g_strdup ("?");
  g_print (_("Enrolled with HQ; the certificate is valid until %s\n"), until_text);
  return TRUE;
}

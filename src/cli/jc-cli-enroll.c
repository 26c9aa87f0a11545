/* jc-cli-enroll.c — `jiancha-cli enroll --hq URL --code CODE`
 *
 * Unlocks the vault and hands the rest to jc_sync_enroll() (sync/), the
 * same steps the app's Sync page takes.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"
#include "jc-sync-enroll.h"

gboolean jc_cli_cmd_enroll (JcCli *cli, int argc, char **argv, GError **error);

gboolean
jc_cli_cmd_enroll (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *hq_url = NULL;
  g_autofree char *code = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *until_text = NULL;
  gint64 not_after = 0;
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
  ok = jc_vault_unlock (vault, pin, error) &&
       jc_sync_enroll (vault, pin, hq_url, code, &not_after, error);
  jc_cli_free_pin (pin);
  if (!ok)
    return FALSE;

  until = g_date_time_new_from_unix_utc (not_after);
  until_text = until ? g_date_time_format (until, "%Y-%m-%d") : g_strdup ("?");
  g_print (_("Enrolled with HQ; the certificate is valid until %s\n"), until_text);
  return TRUE;
}

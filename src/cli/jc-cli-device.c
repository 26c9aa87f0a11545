/* jc-cli-device.c — `jiancha-cli device show` */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"

gboolean jc_cli_cmd_device (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
cmd_show (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autofree char *pk = NULL;
  JcJc1Certificate cert;
  JcDevice *device;

  if (!jc_command_parse (&argc, &argv, NULL, _("Show this device’s identity"), NULL, error) ||
      !jc_command_expect_args (argc, 1, "device show", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  device = jc_vault_get_device (vault);
  pk = jc_device_get_public_key_hex (device);
  /* Fixed "key: value" lines: scripts read them. */
  g_print ("device-id: %s\n", jc_device_get_id_hex (device));
  g_print ("public-key: %s\n", pk);
  g_print ("inspector: %s\n", jc_vault_get_inspector (vault));
  if (jc_vault_get_enrollment (vault, &cert, NULL, NULL))
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc ((gint64) MIN (cert.not_after, (guint64) G_MAXINT64));
      g_autofree char *date = until ? g_date_time_format (until, "%Y-%m-%d") : g_strdup ("?");

      g_print ("enrolled: yes (until %s)\n", date);
    }
  else
    g_print ("enrolled: no\n");
  return TRUE;
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("show", N_("Show the device id and public key"), cmd_show),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_device (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

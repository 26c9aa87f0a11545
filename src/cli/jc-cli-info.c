/* jc-cli-info.c — `jiancha-cli info`: what this binary is and runs with */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"
#include "jc-core.h"

gboolean jc_cli_cmd_info (JcCli *cli, int argc, char **argv, GError **error);

gboolean
jc_cli_cmd_info (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *info = NULL;

  if (!jc_cli_parse_options (&argc, &argv, NULL, _("Show version and build information"), NULL, error) ||
      !jc_cli_expect_args (argc, 1, "info", error))
    return FALSE;

  info = jc_build_info ();
  g_print ("%s", info);
  g_print ("vault: %s\n", cli->vault_dir);
  return TRUE;
}

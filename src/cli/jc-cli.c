/* jc-cli.c — jiancha-cli: the product's features, scriptable and headless
 *
 *   jiancha-cli [--vault DIR] COMMAND [OPTIONS…] [ARGS…]
 *
 * Exit status: 0 done, 1 failed (the message says what and where),
 * 2 usage error (unknown command, bad option, wrong arguments).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"

static gboolean
prepare (gpointer ctx, GError **error)
{
  JcCli *cli = ctx;

  if (cli->vault_dir == NULL)
    cli->vault_dir = g_build_filename (g_get_user_data_dir (), "jiancha", "vault", NULL);
  return TRUE;
}

int
main (int argc, char **argv)
{
  JcCli cli = { 0 };
  GOptionEntry entries[] = {
    { "vault", 0, 0, G_OPTION_ARG_FILENAME, &cli.vault_dir,
      N_("The vault directory (default: the user's data directory)"), N_("DIR") },
    { NULL }
  };
  JcCommandLine line = {
    .program = "jiancha-cli",
    .summary = N_("Jiancha: offline medical-insurance fund inspection, from the command line."),
    .commands = jc_cli_commands (),
    .global_entries = entries,
    .prepare = prepare,
    .ctx = &cli,
  };
  int status = jc_command_main (&line, argc, argv);

  g_free (cli.vault_dir);
  return status;
}

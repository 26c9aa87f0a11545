/* jc-cli.c — jiancha-cli: the product's features, scriptable and headless
 *
 *   jiancha-cli [--vault DIR] COMMAND [OPTIONS…] [ARGS…]
 *
 * Exit status: 0 done, 1 failed (the message says what and where),
 * 2 usage error (unknown command, bad option, wrong arguments).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "jc-cli.h"
#include "jc-core.h"

gboolean
jc_cli_parse_options (int          *argc,
                      char       ***argv,
                      const char   *parameter_string,
                      const char   *summary,
                      GOptionEntry *entries,
                      GError      **error)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (parameter_string);

  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (ctx, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  /* Subcommand help names the subcommand, e.g. "jiancha-cli vault init". */
  g_set_prgname (g_strdup_printf ("jiancha-cli %s", (*argv)[0]));
  return g_option_context_parse (ctx, argc, argv, error);
}

gboolean
jc_cli_expect_args (int argc, int n, const char *usage, GError **error)
{
  if (argc == n)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
               argc < n ? _("Missing argument; usage: jiancha-cli %s")
                        : _("Too many arguments; usage: jiancha-cli %s"),
               usage);
  return FALSE;
}

static char *
commands_description (void)
{
  GString *s = g_string_new (_("Commands:"));

  for (const JcCliCommand *c = jc_cli_commands (); c->name != NULL; c++)
    g_string_append_printf (s, "\n  %-14s %s", c->name, _(c->summary));
  g_string_append_printf (s, "\n\n%s",
                          _("Run “jiancha-cli COMMAND --help” for the options of a command."));
  return g_string_free (s, FALSE);
}

static const JcCliCommand *
find_command (const char *name)
{
  for (const JcCliCommand *c = jc_cli_commands (); c->name != NULL; c++)
    if (g_str_equal (c->name, name))
      return c;
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *vault_dir = NULL;
  gboolean version = FALSE;
  const JcCliCommand *command;
  JcCli cli = { 0 };
  GOptionEntry entries[] = {
    { "vault", 0, 0, G_OPTION_ARG_FILENAME, &vault_dir,
      N_("The vault directory (default: the user's data directory)"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("jiancha-cli");

  if (!jc_core_init (&error))
    {
      g_printerr ("jiancha-cli: %s\n", error->message);
      return JC_CLI_FAILED;
    }

  description = commands_description ();
  ctx = g_option_context_new (_("COMMAND [ARGS…]"));
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, _("Jiancha: offline medical-insurance fund inspection."));
  g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  /* Stop at the command name: what follows belongs to the command. */
  g_option_context_set_strict_posix (ctx, TRUE);

  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("jiancha-cli: %s\n", error->message);
      g_printerr (_("Run “jiancha-cli --help” for usage.\n"));
      return JC_CLI_USAGE;
    }

  if (version)
    {
      g_print ("jiancha-cli %s\n", jc_version_string ());
      return JC_CLI_OK;
    }

  if (argc < 2)
    {
      g_printerr (_("jiancha-cli: no command given\n"));
      g_printerr (_("Run “jiancha-cli --help” for usage.\n"));
      return JC_CLI_USAGE;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_printerr (_("jiancha-cli: unknown command “%s”\n"), argv[1]);
      g_printerr (_("Run “jiancha-cli --help” for usage.\n"));
      return JC_CLI_USAGE;
    }

  cli.vault_dir = vault_dir != NULL ? g_steal_pointer (&vault_dir)
                                    : g_build_filename (g_get_user_data_dir (), "jiancha", "vault", NULL);

  if (!command->run (&cli, argc - 1, argv + 1, &error))
    {
      gboolean usage = error->domain == G_OPTION_ERROR;

      g_printerr ("jiancha-cli %s: %s\n", command->name, error->message);
      g_free (cli.vault_dir);
      return usage ? JC_CLI_USAGE : JC_CLI_FAILED;
    }

  g_free (cli.vault_dir);
  return JC_CLI_OK;
}

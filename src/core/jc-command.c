/* jc-command.c — the frame shared by the command-line programs */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-command.h"
#include "jc-core.h"

static char *program_name;

gboolean
jc_command_parse (int           *argc,
                  char        ***argv,
                  const char    *parameter_string,
                  const char    *summary,
                  GOptionEntry  *entries,
                  GError       **error)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (parameter_string);
  g_autofree char *prgname = g_strdup_printf ("%s %s", program_name ?: g_get_prgname (), (*argv)[0]);

  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (ctx, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  /* Help of a command names it: "Usage: jiancha-cli vault init …". */
  g_set_prgname (prgname);
  return g_option_context_parse (ctx, argc, argv, error);
}

gboolean
jc_command_expect_args (int argc, int n, const char *usage, GError **error)
{
  if (argc == n)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
               argc < n ? _("Missing argument; usage: %s %s")
                        : _("Too many arguments; usage: %s %s"),
               program_name ?: g_get_prgname (), usage);
  return FALSE;
}

static const JcCommand *
find_command (const JcCommand *commands, const char *name)
{
  for (const JcCommand *c = commands; c->name != NULL; c++)
    if (g_str_equal (c->name, name))
      return c;
  return NULL;
}

static char *
describe_commands (const JcCommand *commands, const char *title)
{
  GString *s = g_string_new (title);

  for (const JcCommand *c = commands; c->name != NULL; c++)
    g_string_append_printf (s, "\n  %-16s %s", c->name, _(c->summary));
  return g_string_free (s, FALSE);
}

gboolean
jc_command_dispatch_verb (const JcCommand  *verbs,
                          gpointer          ctx,
                          int               argc,
                          char            **argv,
                          GError          **error)
{
  const JcCommand *verb;
  g_autofree char *list = NULL;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      list = describe_commands (verbs, "");
      if (argc >= 2)
        {
          g_print (_("Usage: %s %s VERB [OPTIONS…]\n%s\n"), program_name ?: "", argv[0], list);
          exit (JC_EXIT_OK);
        }
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("“%s” needs one of:%s"), argv[0], list);
      return FALSE;
    }
  verb = find_command (verbs, argv[1]);
  if (verb == NULL)
    {
      list = describe_commands (verbs, "");
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                   _("Unknown “%s %s”; one of:%s"), argv[0], argv[1], list);
      return FALSE;
    }
  {
    /* The verb sees "CMD VERB" as its argv[0] so its help reads right. */
    g_autofree char *name = g_strdup_printf ("%s %s", argv[0], argv[1]);
    char *saved = argv[1];
    gboolean ok;

    argv[1] = name;
    ok = verb->run (ctx, argc - 1, argv + 1, error);
    argv[1] = saved;
    return ok;
  }
}

int
jc_command_main (const JcCommandLine *line, int argc, char **argv)
{
  g_autoptr(GOptionContext) octx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  g_autofree char *description = NULL;
  g_autofree char *footer = NULL;
  gboolean version = FALSE;
  const JcCommand *command;
  GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version and exit"), NULL },
    { NULL }
  };

  jc_core_init_i18n ();
  program_name = g_strdup (line->program);
  g_set_prgname (line->program);

  if (!jc_core_init (&error))
    {
      g_printerr ("%s: %s\n", line->program, error->message);
      return JC_EXIT_FAILED;
    }

  footer = g_strdup_printf (_("Run “%s COMMAND --help” for the options of a command."), line->program);
  commands = describe_commands (line->commands, _("Commands:"));
  description = g_strconcat (commands, "\n\n", footer, NULL);
  octx = g_option_context_new (_("COMMAND [ARGS…]"));
  g_option_context_set_translation_domain (octx, GETTEXT_PACKAGE);
  g_option_context_set_summary (octx, _(line->summary));
  g_option_context_set_description (octx, description);
  if (line->global_entries != NULL)
    g_option_context_add_main_entries (octx, line->global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (octx, version_entries, GETTEXT_PACKAGE);
  /* Stop at the command name: what follows belongs to the command. */
  g_option_context_set_strict_posix (octx, TRUE);

  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", line->program, error->message);
      g_printerr (_("Run “%s --help” for usage.\n"), line->program);
      return JC_EXIT_USAGE;
    }

  if (version)
    {
      g_print ("%s %s\n", line->program, jc_version_string ());
      return JC_EXIT_OK;
    }

  if (argc < 2)
    {
      g_printerr (_("%s: no command given\n"), line->program);
      g_printerr (_("Run “%s --help” for usage.\n"), line->program);
      return JC_EXIT_USAGE;
    }

  command = find_command (line->commands, argv[1]);
  if (command == NULL)
    {
      g_printerr (_("%s: unknown command “%s”\n"), line->program, argv[1]);
      g_printerr (_("Run “%s --help” for usage.\n"), line->program);
      return JC_EXIT_USAGE;
    }

  if ((line->prepare != NULL && !line->prepare (line->ctx, &error)) ||
      !command->run (line->ctx, argc - 1, argv + 1, &error))
    {
      gboolean usage = error->domain == G_OPTION_ERROR;

      g_printerr ("%s %s: %s\n", line->program, command->name, error->message);
      return usage ? JC_EXIT_USAGE : JC_EXIT_FAILED;
    }

  return JC_EXIT_OK;
}

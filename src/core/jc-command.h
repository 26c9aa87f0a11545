/* jc-command.h — the frame shared by the command-line programs
 *
 *   PROGRAM [GLOBAL OPTIONS…] COMMAND [OPTIONS…] [ARGS…]
 *
 * jiancha-cli and jiancha-hq both dispatch subcommands through it, so help,
 * usage errors and exit statuses behave the same in both.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses: scripts rely on them. */
enum {
  JC_EXIT_OK = 0,
  JC_EXIT_FAILED = 1,
  JC_EXIT_USAGE = 2,
};

/* A command gets its own argv (argv[0] is the command's name) and reports
 * usage errors as G_OPTION_ERROR (exit 2), anything else in another domain
 * (exit 1). @ctx is the program's own state (e.g. the parsed --vault). */
typedef gboolean (*JcCommandFunc) (gpointer   ctx,
                                   int        argc,
                                   char     **argv,
                                   GError   **error);

typedef struct {
  const char    *name;
  const char    *summary;  /* N_() marked; translated when shown */
  JcCommandFunc  run;
} JcCommand;

typedef struct {
  const char      *program;       /* "jiancha-cli" */
  const char      *summary;       /* N_() marked */
  const JcCommand *commands;      /* terminated by a { NULL } entry */
  GOptionEntry    *global_entries;
  /* Called after the global options are parsed, before the command runs. */
  gboolean       (*prepare) (gpointer ctx, GError **error);
  gpointer         ctx;
} JcCommandLine;

int      jc_command_main         (const JcCommandLine  *line,
                                  int                   argc,
                                  char                **argv);

/* For commands: parses @entries (may be NULL); "--help" prints and exits 0. */
gboolean jc_command_parse        (int                  *argc,
                                  char               ***argv,
                                  const char           *parameter_string,
                                  const char           *summary,
                                  GOptionEntry         *entries,
                                  GError              **error);

/* Fails with a G_OPTION_ERROR unless exactly @n arguments remain (argv[0]
 * included), naming @usage. */
gboolean jc_command_expect_args  (int                   argc,
                                  int                   n,
                                  const char           *usage,
                                  GError              **error);

/* Dispatches `COMMAND VERB …` to the verb's function (argv[0] = verb). */
gboolean jc_command_dispatch_verb (const JcCommand     *verbs,
                                   gpointer             ctx,
                                   int                  argc,
                                   char               **argv,
                                   GError             **error);

G_END_DECLS

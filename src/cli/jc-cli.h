/* jc-cli.h — the shared frame of jiancha-cli's subcommands */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses: scripts rely on them. */
enum {
  JC_CLI_OK = 0,
  JC_CLI_FAILED = 1,
  JC_CLI_USAGE = 2,
};

typedef struct {
  char *vault_dir;   /* --vault DIR, or the default under XDG data */
} JcCli;

/* A subcommand gets its own argv (argv[0] is the command's name) and
 * reports usage errors as G_OPTION_ERROR, anything else as another domain. */
typedef gboolean (*JcCliCommandFunc) (JcCli   *cli,
                                      int      argc,
                                      char   **argv,
                                      GError **error);

typedef struct {
  const char       *name;
  const char       *summary;  /* untranslated; passed through _() when shown */
  JcCliCommandFunc  run;
} JcCliCommand;

/* Parses @entries for a subcommand; "--help" prints and exits 0. */
gboolean jc_cli_parse_options (int          *argc,
                               char       ***argv,
                               const char   *parameter_string,
                               const char   *summary,
                               GOptionEntry *entries,
                               GError      **error);

/* Fails with a G_OPTION_ERROR unless exactly @n positional arguments remain. */
gboolean jc_cli_expect_args   (int          argc,
                               int          n,
                               const char  *usage,
                               GError     **error);

const JcCliCommand *jc_cli_commands (void);

G_END_DECLS

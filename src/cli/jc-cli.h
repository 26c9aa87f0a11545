/* jc-cli.h — what jiancha-cli's commands share */
#pragma once

#include <glib.h>

#include "jc-command.h"

G_BEGIN_DECLS

typedef struct {
  char *vault_dir;   /* --vault DIR, or the default under XDG data */
} JcCli;

/* A command: gboolean jc_cli_cmd_NAME (JcCli *cli, int argc, char **argv,
 * GError **error), listed in jc-cli-commands.c with JC_CLI_COMMAND(). */
#define JC_CLI_COMMAND(name, summary, func) { name, summary, (JcCommandFunc) (func) }

/* Kept as the names the commands use; the frame is jc-command.h. */
#define jc_cli_parse_options jc_command_parse
#define jc_cli_expect_args   jc_command_expect_args

const JcCommand *jc_cli_commands (void);

G_END_DECLS

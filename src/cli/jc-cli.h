/* jc-cli.h — what jiancha-cli's commands share */
#pragma once

#include <glib.h>

#include "jc-command.h"
#include "jc-vault.h"

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

/* The PIN comes from the environment variable @env_var when set, otherwise
 * from the terminal without echo. Free it with jc_cli_free_pin(). */
char    *jc_cli_read_pin     (const char  *env_var,
                              const char  *prompt,
                              GError     **error);
char    *jc_cli_read_new_pin (const char  *env_var,
                              GError     **error);
void     jc_cli_free_pin     (char        *pin);
/* The vault of --vault, unlocked with JIANCHA_PIN or a typed PIN. */
JcVault *jc_cli_open_vault   (JcCli       *cli,
                              GError     **error);

/* A scanned code from a PNG image (zbar) or from its text (line end
 * trimmed): exactly one of @png and @text. */
char    *jc_cli_read_code    (const char  *png,
                              const char  *text,
                              GError     **error);
void     jc_cli_trim_code    (char        *text);

G_END_DECLS

/* jc-cli-ack.c — `jiancha-cli ack make`: the institution's side of way 2
 *
 *   jiancha-cli --vault DIR ack make (--finding-png FILE | --finding-text STR)
 *       (--confirm | --dispute --reason TEXT) --name NAME [--title TITLE]
 *       (--png OUT | --text)
 *
 * On the institution's device (its own vault, whose device key signs):
 * verifies the finding's JC1 code (and its certificate when the vault has
 * HQ's key pinned), prints it in words, and writes the signed JCA1
 * acknowledgment that the inspector records with `finding ack-scan`; the
 * vault keeps its copy (a "finding.acknowledge" event, see `log show`).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"
#include "jc-core.h"

gboolean jc_cli_cmd_ack (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
usage_error (GError **error, const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

static gboolean
cmd_make (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *finding_png = NULL, *finding_text = NULL, *name = NULL, *title = NULL, *reason = NULL;
  g_autofree char *png = NULL, *code = NULL, *ack = NULL, *words = NULL;
  gboolean confirm = FALSE, dispute = FALSE, as_text = FALSE;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  GOptionEntry entries[] = {
    { "finding-png", 0, 0, G_OPTION_ARG_FILENAME, &finding_png, N_("The finding’s QR code, as a PNG image"), N_("FILE") },
    { "finding-text", 0, 0, G_OPTION_ARG_STRING, &finding_text, N_("The finding’s code as text (JC1:…)"), N_("STRING") },
    { "confirm", 0, 0, G_OPTION_ARG_NONE, &confirm, N_("The institution confirms the finding"), NULL },
    { "dispute", 0, 0, G_OPTION_ARG_NONE, &dispute, N_("The institution disputes the finding"), NULL },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("The reason for the dispute"), N_("TEXT") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The institution’s representative: their name"), N_("NAME") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("The representative’s title"), N_("TITLE") },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, N_("Write the acknowledgment’s QR code as a PNG image"), N_("FILE") },
    { "text", 0, 0, G_OPTION_ARG_NONE, &as_text, N_("Print the acknowledgment’s text (JCA1:…) on the last line"), NULL },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL,
                         _("Answer a scanned finding with the institution’s signed acknowledgment"), entries, error) ||
      !jc_command_expect_args (argc, 1, "ack make (--finding-png FILE | --finding-text STRING) "
                               "(--confirm | --dispute --reason TEXT) --name NAME [--title TITLE] (--png FILE | --text)",
                               error))
    return FALSE;
  if (confirm == dispute)
    return usage_error (error, _("Give one of --confirm and --dispute"));
  if (dispute && reason == NULL)
    return usage_error (error, _("--dispute needs --reason TEXT"));
  if (confirm && reason != NULL)
    return usage_error (error, _("--reason goes with --dispute"));
  if (name == NULL)
    return usage_error (error, _("--name NAME is required: the representative who answers"));
  if ((png != NULL) == as_text)
    return usage_error (error, _("Give one of --png FILE and --text"));
  if ((finding_png != NULL) == (finding_text != NULL))
    return usage_error (error, _("Give exactly one of --finding-png FILE and --finding-text STRING"));

  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || (code = jc_cli_read_code (finding_png, finding_text, error)) == NULL ||
      (claims = jc_finding_verify_code (vault, code, NULL, error)) == NULL)
    return FALSE;
  words = jc_finding_describe_claims (claims, NULL);
  g_print ("%s", words);
  ack = jc_finding_acknowledge (vault, code, dispute ? JC_JC1_STATUS_DISPUTED : JC_JC1_STATUS_CONFIRMED,
                                name, title, reason, error);
  if (ack == NULL)
    return FALSE;
  if (as_text)
    {
      g_print ("%s\n", ack);
      return TRUE;
    }
  return jc_qr_write_png (ack, png, 4, error);
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("make", N_("Answer a finding with a signed acknowledgment QR code"), cmd_make),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_ack (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

/* jc-cli-report.c — `jiancha-cli report pdf` */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"
#include "jc-sheet.h"

gboolean jc_cli_cmd_report (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
cmd_pdf (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autofree char *out = NULL;
  GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("The PDF file to write"), N_("FILE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("INSPECTION"),
                         _("Write the findings sheet of an inspection (A4 PDF, with each finding’s QR code)"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "report pdf INSPECTION --out FILE", error))
    return FALSE;
  if (out == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--out FILE is required"));
      return FALSE;
    }
  vault = jc_cli_open_vault (cli, error);
  return vault != NULL && jc_sheet_write_pdf (vault, NULL, argv[1], out, error);
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("pdf", N_("The findings sheet as a PDF"), cmd_pdf),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_report (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

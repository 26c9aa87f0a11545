/* jc-cli-commands.c — the table of jiancha-cli's commands */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"

gboolean jc_cli_cmd_ack (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_assignments (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_bundle (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_checklist (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_device (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_enroll (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_evidence (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_finding (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_info (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_institutions (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_inspection (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_item (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_log (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_report (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_sync (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_vault (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_verify (JcCli *cli, int argc, char **argv, GError **error);

/* Keep sorted by name: `jiancha-cli --help` lists them in this order. */
static const JcCommand commands[] = {
  JC_CLI_COMMAND ("ack", N_("The institution’s side: answer a scanned finding with a signed QR code"), jc_cli_cmd_ack),
  JC_CLI_COMMAND ("assignments", N_("The inspections HQ assigned to this inspector (synced plans)"), jc_cli_cmd_assignments),
  JC_CLI_COMMAND ("bundle", N_("Sync by file: export a bundle for HQ, record HQ’s receipt"), jc_cli_cmd_bundle),
  JC_CLI_COMMAND ("checklist", N_("The official checklists: list, show, validate"), jc_cli_cmd_checklist),
  JC_CLI_COMMAND ("device", N_("This device’s identity"), jc_cli_cmd_device),
  JC_CLI_COMMAND ("enroll", N_("Enroll this device with HQ: certificate, HQ’s keys, recovery slot"), jc_cli_cmd_enroll),
  JC_CLI_COMMAND ("evidence", N_("Evidence files: add, get, list"), jc_cli_cmd_evidence),
  JC_CLI_COMMAND ("finding", N_("Findings: seal, confirm, ack-scan, list, show, qr, amend"), jc_cli_cmd_finding),
  JC_CLI_COMMAND ("info", N_("Show version and build information"), jc_cli_cmd_info),
  JC_CLI_COMMAND ("institutions", N_("HQ’s directory of institutions, as last synced"), jc_cli_cmd_institutions),
  JC_CLI_COMMAND ("inspection", N_("Inspections: new, list, show"), jc_cli_cmd_inspection),
  JC_CLI_COMMAND ("item", N_("An inspection’s checklist items: set"), jc_cli_cmd_item),
  JC_CLI_COMMAND ("log", N_("The signed event log"), jc_cli_cmd_log),
  JC_CLI_COMMAND ("report", N_("Reports: the findings sheet as a PDF"), jc_cli_cmd_report),
  JC_CLI_COMMAND ("sync", N_("Sync with HQ: events, evidence, updates; sync status"), jc_cli_cmd_sync),
  JC_CLI_COMMAND ("vault", N_("The encrypted vault: init, check, change-pin, recover"), jc_cli_cmd_vault),
  JC_CLI_COMMAND ("verify", N_("Verify a finding’s JC1 QR code (offline)"), jc_cli_cmd_verify),
  { NULL, NULL, NULL },
};

const JcCommand *
jc_cli_commands (void)
{
  return commands;
}

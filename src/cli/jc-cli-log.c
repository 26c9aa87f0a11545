/* jc-cli-log.c — `jiancha-cli log show`: the events, verified, one per line */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-cli.h"

gboolean jc_cli_cmd_log (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
print_event (const JcEvent *event, gpointer user_data, GError **error)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (jc_event_get_wall_time (event) / G_USEC_PER_SEC);
  g_autofree char *when = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S%z");

  g_print ("%s  %.8s  #%-5" PRIu64 "  %s  %s  %s\n",
           when, jc_event_get_device_id_hex (event), jc_event_get_seq (event),
           jc_event_get_inspector (event), jc_event_get_kind (event), jc_event_get_body (event));
  return TRUE;
}

static gboolean
cmd_show (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  JcEventlog *log;

  if (!jc_command_parse (&argc, &argv, NULL,
                         _("Print every event after verifying signatures and chains: time, device, "
                           "sequence number, inspector, kind, content"),
                         NULL, error) ||
      !jc_command_expect_args (argc, 1, "log show", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  log = jc_vault_get_eventlog (vault);
  /* Nothing is shown from a log that does not verify. */
  return jc_eventlog_verify (log, error) &&
         jc_eventlog_foreach (log, NULL, 0, print_event, NULL, error);
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("show", N_("Print the verified events"), cmd_show),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_log (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

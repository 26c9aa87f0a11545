/* jc-cli-sync.c — `jiancha-cli sync [--hq URL]`, `sync status`,
 * `bundle export FILE`, `bundle receipt FILE`
 *
 * Online and by USB stick are the same steps (jc-sync.h): a bundle of what
 * HQ has not acknowledged, and HQ's signed receipt back.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-cli.h"
#include "jc-sync.h"

gboolean jc_cli_cmd_sync (JcCli *cli, int argc, char **argv, GError **error);
gboolean jc_cli_cmd_bundle (JcCli *cli, int argc, char **argv, GError **error);

static void
print_status (const JcSyncStatus *st)
{
  g_autoptr(GDateTime) when = st->last_sync > 0 ? g_date_time_new_from_unix_local (st->last_sync) : NULL;
  g_autofree char *when_text = when ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup (_("never"));

  g_print (_("events: %" PRIu64 " (HQ holds %" PRIu64 ", %" PRIu64 " waiting)\n"),
           st->head_seq, st->acked_seq, st->events_waiting);
  g_print (_("evidence waiting: %" PRIu64 " files, %" PRIu64 " bytes\n"), st->blobs_waiting,
           st->blob_bytes_waiting);
  g_print (_("last sync: %s\n"), when_text);
}

static void
progress (const char *what, guint64 done, guint64 total, gpointer user_data)
{
  if (g_str_equal (what, "evidence"))
    g_printerr (_("evidence: %" PRIu64 " of %" PRIu64 " bytes\n"), done, total);
}

static gboolean
cmd_status (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  JcSyncStatus st;

  if (!jc_command_parse (&argc, &argv, NULL, _("What waits to reach HQ, and the last sync"), NULL, error) ||
      !jc_command_expect_args (argc, 1, "sync status", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || !jc_sync_get_status (vault, &st, error))
    return FALSE;
  print_status (&st);
  return TRUE;
}

static gboolean
cmd_run (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *hq_url = NULL;
  g_autoptr(JcVault) vault = NULL;
  JcSyncResult result;
  JcSyncStatus st;
  GOptionEntry entries[] = {
    { "hq", 0, 0, G_OPTION_ARG_STRING, &hq_url, N_("HQ’s address (default: the last one used)"), N_("URL") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL,
                         _("Send HQ every event and piece of evidence it lacks, and fetch its updates"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "sync [--hq URL]", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  if (hq_url == NULL)
    hq_url = jc_sync_get_hq_url (vault);
  if (hq_url == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("No HQ address yet: give it with --hq URL"));
      return FALSE;
    }
  if (!jc_sync_run (vault, hq_url, progress, NULL, NULL, &result, error) ||
      !jc_sync_get_status (vault, &st, error))
    return FALSE;
  g_print (_("synced: %" PRIu64 " bundles, %" PRIu64 " events new at HQ, %" PRIu64 " pieces of evidence "
             "(%" PRIu64 " bytes), %" PRIu64 " checklists from HQ\n"),
           result.bundles, result.events_added, result.blobs_uploaded, result.blob_bytes_sent,
           result.checklists_received);
  if (result.assignments_received > 0)
    g_print (_("new assignments from HQ: %" PRIu64 " (see “jiancha-cli assignments”)\n"),
             result.assignments_received);
  print_status (&st);
  return TRUE;
}

static const JcCommand sync_verbs[] = {
  JC_CLI_COMMAND ("status", N_("What waits to reach HQ"), cmd_status),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_sync (JcCli *cli, int argc, char **argv, GError **error)
{
  if (argc >= 2 && g_str_equal (argv[1], "status"))
    return jc_command_dispatch_verb (sync_verbs, cli, argc, argv, error);
  return cmd_run (cli, argc, argv, error);
}

static gboolean
cmd_export (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *evidence_dir = NULL;
  guint64 last_seq = 0;
  guint n_evidence = 0;
  JcSyncStatus st;
  gsize len;
  const char *data;
  GOptionEntry entries[] = {
    { "evidence", 0, 0, G_OPTION_ARG_FILENAME, &evidence_dir,
      N_("Also write the waiting evidence, encrypted for HQ, into this directory"), N_("DIR") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("FILE"),
                         _("Write what HQ has not acknowledged as a sealed bundle (for a USB stick)"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "bundle export FILE [--evidence DIR]", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || !jc_sync_get_status (vault, &st, error))
    return FALSE;
  bundle = jc_sync_make_bundle (vault, 0, &last_seq, error);
  if (bundle == NULL)
    {
      if (error != NULL && *error != NULL)
        return FALSE;
      g_print (_("Nothing waits for HQ: no bundle written\n"));
      return TRUE;
    }
  file = g_file_new_for_commandline_arg (argv[1]);
  data = g_bytes_get_data (bundle, &len);
  if (!g_file_replace_contents (file, data, len, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, NULL, error))
    return FALSE;
  g_print (_("Wrote %s: events %" PRIu64 "–%" PRIu64 ", %" PRIu64 " evidence manifests, %zu bytes\n"),
           argv[1], st.acked_seq + 1, last_seq, st.blobs_waiting, len);
  if (evidence_dir != NULL)
    {
      if (!jc_sync_export_evidence (vault, evidence_dir, &n_evidence, error))
        return FALSE;
      g_print (_("Wrote %u evidence files to %s\n"), n_evidence, evidence_dir);
    }
  if (last_seq < st.head_seq)
    g_print (_("More events wait: import this bundle’s receipt, then export again\n"));
  return TRUE;
}

static gboolean
cmd_receipt (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autofree char *text = NULL;
  JcSyncStatus st;
  gsize len;

  if (!jc_command_parse (&argc, &argv, _("FILE"),
                         _("Record HQ’s signed receipt for a bundle (from “jiancha-hq import”)"), NULL, error) ||
      !jc_command_expect_args (argc, 2, "bundle receipt FILE", error))
    return FALSE;
  if (!g_file_get_contents (argv[1], &text, &len, error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || !jc_sync_apply_receipt (vault, text, len, &rejected, error) ||
      !jc_sync_get_status (vault, &st, error))
    return FALSE;
  for (guint i = 0; i < rejected->len; i++)
    g_printerr (_("HQ rejected %s\n"), (const char *) rejected->pdata[i]);
  print_status (&st);
  return rejected->len == 0 ||
         (g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_REJECTED, _("HQ rejected %u events"), rejected->len),
          FALSE);
}

static const JcCommand bundle_verbs[] = {
  JC_CLI_COMMAND ("export", N_("Write a sealed bundle for HQ to a file"), cmd_export),
  JC_CLI_COMMAND ("receipt", N_("Record HQ’s receipt for a bundle"), cmd_receipt),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_bundle (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (bundle_verbs, cli, argc, argv, error);
}

/* jc-cli-evidence.c — `jiancha-cli evidence add|get|list` */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-cli.h"

gboolean jc_cli_cmd_evidence (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
cmd_add (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *note = NULL;
  g_autoptr(JcVault) vault = NULL;
  JcBlobInfo *info;
  GOptionEntry entries[] = {
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("What the file shows"), N_("TEXT") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("FILE"), _("Store a file as evidence, encrypted; prints its SHA-256"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "evidence add FILE [--note TEXT]", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  info = jc_vault_add_evidence (vault, argv[1], note, NULL, error);
  if (info == NULL)
    return FALSE;
  g_print ("%s\n", info->sha256_hex);
  jc_blob_info_free (info);
  return TRUE;
}

static gboolean
cmd_get (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *out = NULL;
  g_autoptr(JcVault) vault = NULL;
  GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Where to write the file"), N_("FILE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("HASH"),
                         _("Decrypt a piece of evidence, verified in full before it is written"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "evidence get HASH --out FILE", error))
    return FALSE;
  if (out == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--out FILE is required"));
      return FALSE;
    }
  vault = jc_cli_open_vault (cli, error);
  return vault != NULL && jc_vault_get_evidence (vault, argv[1], out, NULL, error);
}

static gboolean
cmd_list (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  JcDbStmt *stmt = NULL;
  JcDb *db;
  int rc;

  if (!jc_command_parse (&argc, &argv, NULL, _("List the evidence in the vault"), NULL, error) ||
      !jc_command_expect_args (argc, 1, "evidence list", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  db = jc_eventlog_get_db (jc_vault_get_eventlog (vault));
  rc = jc_db_prepare (db, "SELECT sha256, size, media_type, captured_at, name, note FROM evidence "
                               "ORDER BY captured_at, sha256", -1, &stmt, NULL);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (jc_db_column_int64 (stmt, 3));
      g_autofree char *when = g_date_time_format (t, "%Y-%m-%d %H:%M:%S");

      g_print ("%s  %10" PRId64 "  %-24s  %s  %s%s%s\n",
               jc_db_column_text (stmt, 0), (gint64) jc_db_column_int64 (stmt, 1),
               jc_db_column_text (stmt, 2), when, jc_db_column_text (stmt, 4),
               *jc_db_column_text (stmt, 5) ? " — " : "", jc_db_column_text (stmt, 5));
      rc = JC_DB_OK;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED, "%s", jc_db_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("add", N_("Store a file as evidence"), cmd_add),
  JC_CLI_COMMAND ("get", N_("Write a piece of evidence back to a file"), cmd_get),
  JC_CLI_COMMAND ("list", N_("List the evidence"), cmd_list),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_evidence (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

/* jc-cli-item.c — `jiancha-cli item set|unlink INSPECTION ITEM-CODE …` */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-amount.h"
#include "jc-cli.h"
#include "jc-inspection.h"

gboolean jc_cli_cmd_item (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
cmd_set (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *status = NULL, *note = NULL, *amount = NULL;
  g_auto(GStrv) evidence = NULL;
  g_autoptr(JcVault) vault = NULL;
  JcItemUpdate update = { 0 };
  int cases = -2;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status, N_("compliant, violation, na or unchecked"), N_("STATUS") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("What was found"), N_("TEXT") },
    { "amount", 0, 0, G_OPTION_ARG_STRING, &amount, N_("The amount involved, in yuan (e.g. 1234.56)"), N_("YUAN") },
    { "cases", 0, 0, G_OPTION_ARG_INT, &cases, N_("The number of cases or records sampled"), N_("N") },
    { "evidence", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &evidence, N_("A file to store as evidence of the item (repeatable)"), N_("FILE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("INSPECTION ITEM-CODE"),
                         _("Record the result of one checklist item; options not given keep their value"),
                         entries, error) ||
      !jc_command_expect_args (argc, 3, "item set INSPECTION ITEM-CODE --status STATUS [--note TEXT] "
                                        "[--amount YUAN] [--cases N] [--evidence FILE]…", error))
    return FALSE;
  if (status != NULL)
    {
      update.set_status = TRUE;
      if (!jc_item_status_from_string (status, &update.status))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--status “%s”: use compliant, violation, na or unchecked"), status);
          return FALSE;
        }
    }
  if (status == NULL && note == NULL && amount == NULL && cases == -2 && evidence == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Nothing to record: give --status, --note, --amount, --cases or --evidence"));
      return FALSE;
    }
  if (cases != -2)
    {
      if (cases < 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--cases %d: the number of cases sampled is 0 or more"), cases);
          return FALSE;
        }
      update.set_cases = TRUE;
      update.cases = cases;
    }
  if (note != NULL)
    {
      update.set_note = TRUE;
      update.note = note;
    }
  if (amount != NULL)
    {
      update.set_amount = TRUE;
      if (!jc_amount_parse_yuan (amount, &update.amount_fen, error))
        return FALSE;
    }

  /* Every file must be there before anything is recorded. */
  for (guint i = 0; evidence != NULL && evidence[i] != NULL; i++)
    if (!g_file_test (evidence[i], G_FILE_TEST_IS_REGULAR))
      {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                     _("--evidence %s: there is no such file"), evidence[i]);
        return FALSE;
      }

  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  /* Checks the inspection and the code before any file is stored. */
  if (update.set_status || update.set_note || update.set_amount || update.set_cases)
    {
      if (!jc_inspection_set_item (vault, NULL, argv[1], argv[2], &update, error))
        return FALSE;
    }
  else
    {
      g_autoptr(JcInspection) in = jc_inspection_get (vault, NULL, argv[1], error);
      JcChecklist *checklist = in ? jc_inspection_get_checklist (in, NULL, error) : NULL;

      if (checklist == NULL)
        return FALSE;
      if (jc_checklist_lookup (checklist, argv[2]) == NULL)
        {
          g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND,
                       _("Checklist %s of inspection %s has no item “%s”"),
                       jc_checklist_get_key (checklist), argv[1], argv[2]);
          return FALSE;
        }
    }
  for (guint i = 0; evidence != NULL && evidence[i] != NULL; i++)
    {
      JcBlobInfo *info = jc_vault_add_evidence (vault, evidence[i], NULL, NULL, error);
      gboolean ok;

      if (info == NULL)
        return FALSE;
      ok = jc_inspection_link_evidence (vault, NULL, argv[1], argv[2], info->sha256_hex, error);
      if (ok)
        g_print ("%s  %s\n", info->sha256_hex, evidence[i]);
      jc_blob_info_free (info);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
cmd_unlink (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;

  if (!jc_command_parse (&argc, &argv, _("INSPECTION ITEM-CODE SHA256"),
                         _("Take a piece of evidence off an item; the file stays in the vault and the log "
                           "keeps both events"), NULL, error) ||
      !jc_command_expect_args (argc, 4, "item unlink INSPECTION ITEM-CODE SHA256", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  return vault != NULL && jc_inspection_unlink_evidence (vault, NULL, argv[1], argv[2], argv[3], error);
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("set", N_("Record an item’s status, note, amount, cases and evidence"), cmd_set),
  JC_CLI_COMMAND ("unlink", N_("Take a piece of evidence off an item"), cmd_unlink),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_item (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

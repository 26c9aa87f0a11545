/* jc-cli-institutions.c — `jiancha-cli institutions [TEXT]`: HQ's directory
 * as synced into the vault (jc-sync-directory.h) */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-cli.h"
#include "jc-sync-directory.h"

gboolean jc_cli_cmd_institutions (JcCli *cli, int argc, char **argv, GError **error);

gboolean
jc_cli_cmd_institutions (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  if (!jc_command_parse (&argc, &argv, _("[TEXT]"),
                         _("The institutions of HQ’s directory whose code or name contains TEXT"), NULL, error))
    return FALSE;
  if (argc > 2)
    return jc_command_expect_args (argc, 2, "institutions [TEXT]", error);
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  rows = jc_sync_directory_search (vault, argc == 2 ? argv[1] : NULL, error);
  if (rows == NULL)
    return FALSE;
  if (rows->len == 0)
    g_print (_("No institution (HQ’s directory arrives with sync)\n"));
  for (guint i = 0; i < rows->len; i++)
    {
      JcDirectoryEntry *e = rows->pdata[i];
      g_autofree char *level = e->level > 0 ? g_strdup_printf (_(", level %u"), e->level) : g_strdup ("");

      g_print ("%s  %s  %s%s  %s\n", e->code, e->name, jc_institution_kind_get_label (e->type), level, e->county);
    }
  return TRUE;
}

/* jc-cli-assignments.c — `jiancha-cli assignments [--format text|json]`:
 * what HQ's plans assign to this device's inspector (jc-assignments.h) */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-assignments.h"
#include "jc-cli.h"
#include "jc-inspection.h"
#include "jc-json.h"

gboolean jc_cli_cmd_assignments (JcCli *cli, int argc, char **argv, GError **error);

static char *
to_json (GPtrArray *list)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      const JcAssignment *a = list->pdata[i];

      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "id", a->id);
      jc_json_builder_add_string (b, "code", a->code);
      jc_json_builder_add_string (b, "name", a->name);
      jc_json_builder_add_string (b, "type", jc_institution_kind_to_string (a->type));
      if (a->level > 0)
        jc_json_builder_add_int (b, "level", a->level);
      jc_json_builder_add_string (b, "county", a->county);
      jc_json_builder_add_string (b, "reason", a->reason);
      json_builder_set_member_name (b, "team");
      json_builder_begin_array (b);
      for (guint t = 0; a->team[t] != NULL; t++)
        json_builder_add_string_value (b, a->team[t]);
      json_builder_end_array (b);
      jc_json_builder_add_string (b, "plan_id", a->plan_id);
      jc_json_builder_add_int (b, "seed", (gint64) a->seed);
      if (a->due != NULL)
        jc_json_builder_add_string (b, "due", a->due);
      if (a->inspection_id != NULL)
        jc_json_builder_add_string (b, "inspection", a->inspection_id);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return jc_json_builder_to_string (b);
}

static void
print_text (JcVault *vault, GPtrArray *list)
{
  if (list->len == 0)
    {
      /* TRANSLATORS: %s is the inspector's name */
      g_print (_("No assignments for %s yet: they arrive when this device syncs with HQ.\n"),
               jc_vault_get_inspector (vault));
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      const JcAssignment *a = list->pdata[i];
      g_autofree char *team = g_strjoinv ("、", a->team);
      g_autofree char *kind = a->level > 0
        ? g_strdup_printf (_("%s, level %u"), jc_institution_kind_get_label (a->type), a->level)
        : g_strdup (jc_institution_kind_get_label (a->type));

      g_print ("%s  %s %s (%s, %s)\n", a->id, a->code, a->name, kind, a->county);
      /* TRANSLATORS: the team, then the plan's id and its published seed */
      g_print (_("    team %s · plan %.8s, seed %" PRIu64), team, a->plan_id, a->seed);
      if (a->due != NULL)
        g_print (_(" · due %s"), a->due);
      if (a->inspection_id != NULL)
        g_print (_(" · started: inspection %s"), a->inspection_id);
      g_print ("\n");
    }
}

gboolean
jc_cli_cmd_assignments (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("text (default) or json"), N_("FORMAT") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL,
                         _("The inspections HQ assigned to this device’s inspector, not started first"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "assignments [--format text|json]", error))
    return FALSE;
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "json"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--format “%s”: use text or json"), format);
      return FALSE;
    }
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || (list = jc_assignments_list (vault, error)) == NULL)
    return FALSE;
  if (g_strcmp0 (format, "json") == 0)
    {
      g_autofree char *json = to_json (list);

      g_print ("%s\n", json);
    }
  else
    print_text (vault, list);
  return TRUE;
}

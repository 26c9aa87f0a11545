/* jc-cli-inspection.c — `jiancha-cli inspection new|list|show` */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-amount.h"
#include "jc-assignments.h"
#include "jc-sync-directory.h"
#include "jc-cli.h"
#include "jc-inspection.h"

gboolean jc_cli_cmd_inspection (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
usage_error (GError **error, const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

static gboolean
cmd_new (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *code = NULL, *name = NULL, *type = NULL, *form = NULL;
  g_autofree char *team = NULL, *date = NULL, *checklist = NULL;
  g_autofree char *assignment = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) members = NULL;
  g_autoptr(JcVault) vault = NULL;
  JcInspectionSpec spec = { 0 };
  int level = 0;
  GOptionEntry entries[] = {
    { "institution", 0, 0, G_OPTION_ARG_STRING, &code, N_("The institution’s code"), N_("CODE") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The institution’s name"), N_("FULL-NAME") },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("hospital, pharmacy, agency or administration"), N_("TYPE") },
    { "level", 0, 0, G_OPTION_ARG_INT, &level, N_("A hospital’s level: 1, 2 or 3"), N_("N") },
    { "form", 0, 0, G_OPTION_ARG_STRING, &form, N_("daily, special, cross, flight or self (default: daily)"), N_("FORM") },
    { "team", 0, 0, G_OPTION_ARG_STRING, &team, N_("The inspection team, names separated by commas"), N_("NAMES") },
    { "date", 0, 0, G_OPTION_ARG_STRING, &date, N_("The inspection date (default: today)"), N_("YYYY-MM-DD") },
    { "checklist", 0, 0, G_OPTION_ARG_STRING, &checklist, N_("The checklist, “id” or “id@version” (default: the one for the type)"), N_("ID") },
    { "assignment", 0, 0, G_OPTION_ARG_STRING, &assignment,
      N_("Start HQ’s assignment ID (see “assignments”): its institution and team, a cross inspection"), N_("ID") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Start an inspection; prints its id on the last line"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "inspection new --institution CODE [--name NAME --type TYPE]", error))
    return FALSE;
  if (assignment != NULL)
    {
      if (code != NULL || name != NULL || type != NULL || level != 0 || form != NULL || team != NULL ||
          date != NULL || checklist != NULL)
        return usage_error (error, _("--assignment takes the institution, the team and the rest from HQ’s plan: "
                                     "give no other option with it"));
      vault = jc_cli_open_vault (cli, error);
      if (vault == NULL || (id = jc_assignments_start (vault, NULL, assignment, error)) == NULL)
        return FALSE;
      g_print ("%s\n", id);
      return TRUE;
    }
  if (code == NULL)
    return usage_error (error, _("--institution CODE is required (and --name and --type when HQ’s directory "
                                 "does not have it)"));
  /* Name, type and level from HQ's directory when not given. */
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  if (name == NULL || type == NULL)
    {
      g_autoptr(JcDirectoryEntry) entry = NULL;
      g_autoptr(GError) local = NULL;

      entry = jc_sync_directory_lookup (vault, code, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (entry == NULL)
        return usage_error (error, _("HQ’s directory has no institution with this code: give --name and --type"));
      if (name == NULL)
        name = g_strdup (entry->name);
      if (type == NULL)
        type = g_strdup (jc_institution_kind_to_string (entry->type));
      if (level == 0)
        level = (int) entry->level;
    }
  spec.institution_type = jc_institution_kind_from_string (type);
  if (spec.institution_type == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--type “%s”: use hospital, pharmacy, agency or administration"), type);
      return FALSE;
    }
  if (level < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--level %d: use 1, 2 or 3"), level);
      return FALSE;
    }
  if (form != NULL && !jc_inspection_form_from_string (form, &spec.form))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--form “%s”: use daily, special, cross, flight or self"), form);
      return FALSE;
    }
  if (team != NULL)
    {
      /* a full-width comma too: names are typed with a Chinese IME */
      g_autoptr(GString) list = g_string_new (team);

      g_string_replace (list, "，", ",", 0);
      members = g_strsplit (list->str, ",", -1);
    }
  spec.institution_code = code;
  spec.institution_name = name;
  spec.level = (guint) level;
  spec.team = (const char * const *) members;
  spec.date = date;
  spec.checklist = checklist;

  id = jc_inspection_create (vault, NULL, &spec, error);
  if (id == NULL)
    return FALSE;
  g_print ("%s\n", id);
  return TRUE;
}

static char *
progress_text (const JcInspection *in)
{
  g_autofree char *amount = jc_amount_format_yuan (in->amount_fen);

  /* TRANSLATORS: checked/total items, violations, amount involved in yuan */
  return g_strdup_printf (_("%u/%u checked, %u violations, %s yuan"),
                          in->n_checked, in->n_items, in->n_violations, amount);
}

static gboolean
cmd_list (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (!jc_command_parse (&argc, &argv, NULL, _("List the inspections in the vault, newest first"), NULL, error) ||
      !jc_command_expect_args (argc, 1, "inspection list", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || (list = jc_inspection_list (vault, NULL, error)) == NULL)
    return FALSE;
  if (list->len == 0)
    g_print ("%s\n", _("No inspections yet."));
  for (guint i = 0; i < list->len; i++)
    {
      JcInspection *in = list->pdata[i];
      g_autofree char *progress = progress_text (in);

      g_print ("%s  %s  %s  %s %s  %s  %s\n", in->id, in->date, jc_inspection_form_get_label (in->form),
               in->institution_code, in->institution_name, in->checklist, progress);
    }
  return TRUE;
}

static gboolean
cmd_show (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *progress = NULL;
  g_autofree char *team = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *search = NULL;
  g_auto(GStrv) statuses = NULL;
  const JcChecklistSection *section = NULL;
  JcChecklist *checklist;
  guint mask = 0;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING_ARRAY, &statuses,
      N_("Only items with this status: compliant, violation, na or unchecked (repeatable)"), N_("STATUS") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("Only items whose code, text or note contains TEXT"), N_("TEXT") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("ID"), _("Show an inspection and the result of every item"), entries, error) ||
      !jc_command_expect_args (argc, 2, "inspection show ID [--status STATUS]… [--search TEXT]", error))
    return FALSE;
  for (guint i = 0; statuses != NULL && statuses[i] != NULL; i++)
    {
      JcItemStatus status;

      if (!jc_item_status_from_string (statuses[i], &status))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--status “%s”: use compliant, violation, na or unchecked"), statuses[i]);
          return FALSE;
        }
      mask |= JC_ITEM_STATUS_MASK (status);
    }
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL ||
      (in = jc_inspection_get (vault, NULL, argv[1], error)) == NULL ||
      (checklist = jc_inspection_get_checklist (in, NULL, error)) == NULL ||
      (results = jc_inspection_get_results (vault, NULL, argv[1], search, mask, error)) == NULL)
    return FALSE;

  progress = progress_text (in);
  team = g_strjoinv ("、", in->team);
  g_print ("%s: %s\n", _("Inspection"), in->id);
  kind = in->level > 0
         /* TRANSLATORS: institution type and hospital level: "Designated hospital, level 3" */
         ? g_strdup_printf (_("%s, level %u"), jc_institution_kind_get_label (in->institution_type), in->level)
         : g_strdup (jc_institution_kind_get_label (in->institution_type));
  g_print ("%s: %s %s (%s)\n", _("Institution"), in->institution_code, in->institution_name, kind);
  g_print ("%s: %s\n", _("Form"), jc_inspection_form_get_label (in->form));
  g_print ("%s: %s\n", _("Team"), team);
  g_print ("%s: %s\n", _("Date"), in->date);
  g_print ("%s: %s %s\n", _("Checklist"), in->checklist, jc_checklist_get_title (checklist));
  g_print ("%s: %s\n", _("Progress"), progress);

  for (guint i = 0; i < results->len; i++)
    {
      JcItemResult *r = results->pdata[i];
      g_autofree char *yuan = r->has_amount ? jc_amount_format_yuan (r->amount_fen) : NULL;
      /* TRANSLATORS: an amount of money, "1234.56 yuan" */
      g_autofree char *amount = yuan ? g_strdup_printf (_("%s yuan"), yuan) : g_strdup ("-");
      g_autofree char *cases = r->cases >= 0 ? g_strdup_printf ("%" PRId64, r->cases) : g_strdup ("-");

      if (r->item->group->section != section)
        {
          section = r->item->group->section;
          g_print ("\n%s %s\n", section->code, section->category);
        }
      /* TRANSLATORS: code, status, amount, cases sampled, evidence count */
      g_print (_("  %-12s %s  amount %s  cases %s  evidence %u\n"),
               r->item->code, jc_item_status_get_label (r->status), amount, cases,
               g_strv_length (r->evidence));
      if (*r->note != '\0')
        g_print ("               %s\n", r->note);
    }
  return TRUE;
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("list", N_("List the inspections"), cmd_list),
  JC_CLI_COMMAND ("new", N_("Start an inspection"), cmd_new),
  JC_CLI_COMMAND ("show", N_("Show an inspection and its item results"), cmd_show),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_inspection (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

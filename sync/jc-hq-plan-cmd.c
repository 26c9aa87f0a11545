/* jc-hq-plan-cmd.c — jiancha-hq's planning commands */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "jc-core.h"
#include "jc-hq-directory.h"
#include "jc-hq-plan-cmd.h"
#include "jc-hq-plan.h"
#include "jc-plan-draw.h"

/* The issue writes `jiancha-hq plan draw --dir HQDIR …`: each command also
 * takes --dir after its name, over the one before it. */
#define DIR_ENTRY(var) \
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &(var), N_("HQ's data directory"), N_("HQDIR") }

static JcHqStore *
open_store (const char *dir, const char *own_dir, GError **error)
{
  return jc_hq_store_open (own_dir != NULL ? own_dir : dir, error);
}

typedef gboolean (*ImportFunc) (JcHqStore *store, const char *path, guint *n, GError **error);

/* Parses `VERB FILE.csv` and imports FILE; *path and *n say what was done. */
static gboolean
run_import (const char *dir, int argc, char **argv, const char *summary, const char *usage,
            ImportFunc import, const char **path, guint *n, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *own_dir = NULL;
  GOptionEntry entries[] = { DIR_ENTRY (own_dir), { NULL } };

  if (!jc_command_parse (&argc, &argv, _("FILE.csv"), summary, entries, error) ||
      !jc_command_expect_args (argc, 2, usage, error))
    return FALSE;
  store = open_store (dir, own_dir, error);
  *path = argv[1];
  return store != NULL && import (store, argv[1], n, error);
}

static gboolean
cmd_directory_import (gpointer dir, int argc, char **argv, GError **error)
{
  const char *path = NULL;
  guint n = 0;

  if (!run_import (dir, argc, argv, _("Replace the institution directory with a CSV file "
                                      "(code,name,type,level,county,fund_payment)"),
                   "directory import FILE.csv", jc_hq_directory_import, &path, &n, error))
    return FALSE;
  g_print (_("Imported %u institutions from %s\n"), n, path);
  return TRUE;
}

static gboolean
cmd_roster_import (gpointer dir, int argc, char **argv, GError **error)
{
  const char *path = NULL;
  guint n = 0;

  if (!run_import (dir, argc, argv, _("Replace the inspector roster with a CSV file (name,county,role)"),
                   "roster import FILE.csv", jc_hq_roster_import, &path, &n, error))
    return FALSE;
  g_print (_("Imported %u inspectors from %s\n"), n, path);
  return TRUE;
}

static gboolean
parse_format (const char *format, const char * const *allowed, GError **error)
{
  g_autofree char *list = NULL;

  if (format == NULL || g_strv_contains (allowed, format))
    return TRUE;
  list = g_strjoinv (", ", (char **) allowed);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("Unknown --format “%s”; one of: %s"), format, list);
  return FALSE;
}

static JsonObject *
document_object (const JcHqPlan *plan, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, plan->document, -1, error))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
print_count (JsonArray *array, guint i, JsonNode *node, gpointer data)
{
  JsonObject *c = json_node_get_object (node);
  const char *type = json_object_get_string_member (c, "type");
  g_autofree char *stratum = NULL;

  if (json_object_has_member (c, "level"))
    stratum = g_strdup_printf (_("hospitals of level %" PRId64), json_object_get_int_member (c, "level"));
  else
    stratum = g_strdup (g_str_equal (type, "pharmacy") ? _("pharmacies") : _("agencies"));

  g_print (_("  %s, %s: %" PRId64 " of %" PRId64 "\n"), json_object_get_string_member (c, "county"),
           stratum, json_object_get_int_member (c, "drawn"), json_object_get_int_member (c, "total"));
}

static void
print_assignment (JsonArray *array, guint i, JsonNode *node, gpointer data)
{
  JsonObject *a = json_node_get_object (node);
  JsonArray *team = json_object_get_array_member (a, "team");
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint t = 0; t < json_array_get_length (team); t++)
    g_string_append_printf (names, "%s%s", t > 0 ? "、" : "", json_array_get_string_element (team, t));
  g_print ("  %s  %s  (%s)  %s\n", json_object_get_string_member (a, "code"), json_object_get_string_member (a, "name"),
           json_object_get_string_member (a, "county"), names->str);
}

static gboolean
print_plan (JcHqStore *store, const JcHqPlan *plan, const char *format, GError **error)
{
  g_autoptr(JsonObject) doc = NULL;
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *when = NULL;
  g_autofree char *envelope = NULL;
  JsonArray *assignments;

  if (g_strcmp0 (format, "json") == 0)
    {
      g_print ("%s\n", plan->document);
      return TRUE;
    }
  if (g_strcmp0 (format, "signed") == 0)
    {
      envelope = jc_hq_plan_envelope (store, plan);
      g_print ("%s\n", envelope);
      return TRUE;
    }
  doc = document_object (plan, error);
  if (doc == NULL)
    return FALSE;
  assignments = json_object_get_array_member (doc, "assignments");
  created = g_date_time_new_from_unix_local (plan->created);
  when = g_date_time_format (created, "%Y-%m-%d %H:%M");
  g_print (_("Plan %s, seed %" PRIu64 ", drawn %s: %u institutions, teams of %" PRId64 "\n"),
           plan->plan_id, plan->seed, when, json_array_get_length (assignments),
           json_object_get_int_member (doc, "team_size"));
  g_print (_("Drawn per county and type:\n"));
  json_array_foreach_element (json_object_get_array_member (doc, "counts"), print_count, NULL);
  g_print (_("Assignments (institution, county, team):\n"));
  json_array_foreach_element (assignments, print_assignment, NULL);
  return TRUE;
}

static gboolean
parse_seed (const char *text, guint64 *seed, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (text == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("--seed N is required: the published number the draw is made from"));
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, JC_HQ_PLAN_MAX_SEED, seed, &local))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--seed: expected a whole number from 0 to %" PRIu64 ", got “%s”"), JC_HQ_PLAN_MAX_SEED, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
cmd_plan_draw (gpointer dir, int argc, char **argv, GError **error)
{
  static const char * const formats[] = { "text", "json", NULL };
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(JcHqPlan) plan = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *format = NULL;
  g_autofree char *own_dir = NULL;
  int team_size = JC_HQ_PLAN_DEFAULT_TEAM, max_load = 0;
  guint64 seed = 0;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      N_("The published number the draw is made from (required)"), N_("N") },
    { "team-size", 0, 0, G_OPTION_ARG_INT, &team_size,
      N_("Inspectors per team, at least 2 (default 2)"), N_("N") },
    { "max-load", 0, 0, G_OPTION_ARG_INT, &max_load,
      N_("At most N assignments per inspector (default: no limit)"), N_("N") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("text (default) or json"), N_("FORMAT") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Draw a plan at random from the directory and the roster"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "plan draw --seed N [--team-size N] [--max-load N] [--format json]", error) ||
      !parse_format (format, formats, error) ||
      !parse_seed (seed_text, &seed, error))
    return FALSE;
  if (team_size < 0 || max_load < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--team-size and --max-load must not be negative"));
      return FALSE;
    }
  store = open_store (dir, own_dir, error);
  if (store == NULL)
    return FALSE;
  plan = jc_hq_plan_draw (store, seed, (guint) team_size, (guint) max_load, error);
  return plan != NULL && print_plan (store, plan, format, error);
}

static gboolean
cmd_plan_show (gpointer dir, int argc, char **argv, GError **error)
{
  static const char * const formats[] = { "text", "json", "signed", NULL };
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(JcHqPlan) plan = NULL;
  g_autofree char *format = NULL;
  g_autofree char *own_dir = NULL;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("text (default), json (the signed document) or signed (the envelope devices verify)"), N_("FORMAT") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("[PLAN-ID]"), _("Show a plan (the newest by default)"), entries, error) ||
      !parse_format (format, formats, error))
    return FALSE;
  if (argc > 2)
    return jc_command_expect_args (argc, 2, "plan show [PLAN-ID] [--format text|json|signed]", error);
  store = open_store (dir, own_dir, error);
  if (store == NULL)
    return FALSE;
  plan = jc_hq_plan_get (store, argc == 2 ? argv[1] : NULL, error);
  return plan != NULL && print_plan (store, plan, format, error);
}

static const JcCommand directory_verbs[] = {
  { "import", N_("Replace the institution directory with a CSV file"), cmd_directory_import },
  { NULL, NULL, NULL },
};

static const JcCommand roster_verbs[] = {
  { "import", N_("Replace the inspector roster with a CSV file"), cmd_roster_import },
  { NULL, NULL, NULL },
};

static const JcCommand plan_verbs[] = {
  { "draw", N_("Draw a plan at random from the directory and the roster"), cmd_plan_draw },
  { "show", N_("Show a plan (the newest by default)"), cmd_plan_show },
  { NULL, NULL, NULL },
};

gboolean
jc_hq_cmd_directory (const char *dir, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (directory_verbs, (gpointer) dir, argc, argv, error);
}

gboolean
jc_hq_cmd_roster (const char *dir, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (roster_verbs, (gpointer) dir, argc, argv, error);
}

gboolean
jc_hq_cmd_plan (const char *dir, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (plan_verbs, (gpointer) dir, argc, argv, error);
}

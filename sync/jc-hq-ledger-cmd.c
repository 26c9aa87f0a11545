/* jc-hq-ledger-cmd.c — jiancha-hq's commands for the ledger, objections, reports */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>

#include "jc-core.h"
#include "jc-hq-history.h"
#include "jc-hq-ledger-cmd.h"
#include "jc-hq-ledger.h"
#include "jc-hq-merge.h"
#include "jc-hq-objections.h"
#include "jc-hq-report.h"

#define DIR_ENTRY(var) \
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &(var), N_("HQ's data directory"), N_("HQDIR") }

/* The store with the merged projections in place (the ledger reads them). */
static JcHqStore *
open_store (const char *dir, const char *own_dir, GError **error)
{
  g_autoptr(JcHqStore) store = jc_hq_store_open (own_dir != NULL ? own_dir : dir, error);
  g_autoptr(JcHqMerge) merge = NULL;

  if (store == NULL)
    return NULL;
  merge = jc_hq_merge_new (store, error);
  if (merge == NULL)
    return NULL;
  return g_steal_pointer (&store);
}

static gboolean
parse_id (const char *text, const char *what, gint64 *id, GError **error)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s: expected a number, got “%s”"), what, text);
      return FALSE;
    }
  *id = (gint64) value;
  return TRUE;
}

static gboolean
print_out (GString *out)
{
  fwrite (out->str, 1, out->len, stdout);
  return TRUE;
}

static gboolean
cmd_ledger_list (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *own_dir = NULL, *county = NULL, *status = NULL, *format_name = NULL;
  gboolean overdue = FALSE;
  int limit = 0, offset = 0;
  JcHqFormat format = JC_HQ_FORMAT_TEXT;
  JcHqLedgerFilter filter = { 0 };
  GOptionEntry entries[] = {
    { "county", 0, 0, G_OPTION_ARG_STRING, &county, N_("Only institutions of this county"), N_("COUNTY") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &status,
      N_("Only this status: open, rectifying, rectified, verified, police, discipline"), N_("STATUS") },
    { "overdue", 0, 0, G_OPTION_ARG_NONE, &overdue, N_("Only entries past their deadline"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most N entries (default: all)"), N_("N") },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Skip the first N entries"), N_("N") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("text (default), csv or json"), N_("FORMAT") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("The problem ledger"), entries, error) ||
      !jc_command_expect_args (argc, 1, "ledger list [--county C] [--status S] [--overdue] [--limit N] [--offset N] [--format F]", error) ||
      (format_name != NULL && !jc_hq_format_from_string (format_name, &format, error)) ||
      (status != NULL && !jc_hq_ledger_status_from_string (status, &filter.status, error)))
    return FALSE;
  if (limit < 0 || offset < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--limit and --offset must not be negative"));
      return FALSE;
    }
  filter.limit = (guint) limit;
  filter.offset = (guint) offset;
  filter.county = county;
  filter.has_status = status != NULL;
  filter.overdue = overdue;
  store = open_store (dir, own_dir, error);
  return store != NULL && jc_hq_ledger_list (store, &filter, format, out, error) && print_out (out);
}

static gboolean
cmd_ledger_show (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *own_dir = NULL, *format_name = NULL;
  JcHqFormat format = JC_HQ_FORMAT_TEXT;
  gint64 id = 0;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("text (default) or json"), N_("FORMAT") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("ID"), _("A ledger entry with its signed history"), entries, error) ||
      !jc_command_expect_args (argc, 2, "ledger show ID [--format text|json]", error) ||
      (format_name != NULL && !jc_hq_format_from_string (format_name, &format, error)) ||
      !parse_id (argv[1], "ledger show", &id, error))
    return FALSE;
  store = open_store (dir, own_dir, error);
  return store != NULL && jc_hq_ledger_show (store, id, format, out, error) && print_out (out);
}

static gboolean
cmd_ledger_set (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *own_dir = NULL, *status = NULL, *note = NULL, *recovered = NULL, *deadline = NULL, *by = NULL;
  g_auto(GStrv) evidence = NULL;
  JcHqLedgerChange change = { 0 };
  gint64 id = 0;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status,
      N_("The new status: rectifying, rectified, verified, police or discipline"), N_("STATUS") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("What was done, or what was handed over and to whom"), N_("TEXT") },
    { "recovered", 0, 0, G_OPTION_ARG_STRING, &recovered, N_("The amount recovered so far, in yuan"), N_("YUAN") },
    { "deadline", 0, 0, G_OPTION_ARG_STRING, &deadline, N_("The deadline for rectification"), N_("YYYY-MM-DD") },
    { "evidence", 0, 0, G_OPTION_ARG_STRING_ARRAY, &evidence,
      N_("SHA-256 of a piece of rectification evidence (repeatable)"), N_("SHA256") },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("Who at HQ makes the change (required)"), N_("NAME") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("ID"), _("Change a ledger entry (a signed record)"), entries, error) ||
      !jc_command_expect_args (argc, 2, "ledger set ID [--status S] [--note TEXT] [--recovered YUAN] "
                                        "[--deadline DATE] [--evidence SHA256] --by NAME", error) ||
      !parse_id (argv[1], "ledger set", &id, error) ||
      (status != NULL && !jc_hq_ledger_status_from_string (status, &change.status, error)) ||
      (recovered != NULL && !jc_amount_parse_yuan (recovered, &change.recovered_fen, error)))
    return FALSE;
  change.has_status = status != NULL;
  change.has_recovered = recovered != NULL;
  change.note = note;
  change.deadline = deadline;
  change.evidence = (const char * const *) evidence;
  change.by = by;
  store = open_store (dir, own_dir, error);
  if (store == NULL || !jc_hq_ledger_set (store, id, &change, error))
    return FALSE;
  g_print (_("Ledger entry %" PRId64 " changed, signed by HQ\n"), id);
  return TRUE;
}

static gboolean
cmd_ledger_verify (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *own_dir = NULL;
  GOptionEntry entries[] = { DIR_ENTRY (own_dir), { NULL } };
  guint n = 0;
  gboolean ok;

  if (!jc_command_parse (&argc, &argv, NULL, _("Verify HQ’s signature on every ledger and objection record"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "ledger verify", error))
    return FALSE;
  store = open_store (dir, own_dir, error);
  if (store == NULL)
    return FALSE;
  jc_hq_store_lock (store);
  ok = jc_hq_history_verify (store, jc_hq_store_get_public_key (store), &n, error);
  jc_hq_store_unlock (store);
  if (!ok)
    return FALSE;
  g_print (_("Verified %u signed ledger and objection records\n"), n);
  return TRUE;
}

static gboolean
cmd_objections_list (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *own_dir = NULL, *status = NULL, *format_name = NULL;
  JcHqFormat format = JC_HQ_FORMAT_TEXT;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status, N_("Only open, upheld, rejected, partial or superseded"), N_("STATUS") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("text (default), csv or json"), N_("FORMAT") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Objections to disputed findings"), entries, error) ||
      !jc_command_expect_args (argc, 1, "objections list [--status S] [--format F]", error) ||
      (format_name != NULL && !jc_hq_format_from_string (format_name, &format, error)))
    return FALSE;
  store = open_store (dir, own_dir, error);
  return store != NULL && jc_hq_objections_list (store, status, format, out, error) && print_out (out);
}

static gboolean
cmd_objection_decide (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *own_dir = NULL, *decision_name = NULL, *amount = NULL, *reason = NULL, *by = NULL;
  JcHqObjectionDecision decision = JC_HQ_OBJECTION_REJECTED;
  guint64 amount_fen = 0;
  gint64 id = 0, entry = 0;
  GOptionEntry entries[] = {
    { "decision", 0, 0, G_OPTION_ARG_STRING, &decision_name, N_("upheld, rejected or partial"), N_("DECISION") },
    { "amount", 0, 0, G_OPTION_ARG_STRING, &amount, N_("The amount that stands, in yuan (partial)"), N_("YUAN") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("The reasons for the decision (required)"), N_("TEXT") },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("The reviewer (required)"), N_("NAME") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("ID"), _("Decide an objection (a signed record)"), entries, error) ||
      !jc_command_expect_args (argc, 2, "objection decide ID --decision upheld|rejected|partial [--amount YUAN] "
                                        "--reason TEXT --by NAME", error) ||
      !parse_id (argv[1], "objection decide", &id, error) ||
      !jc_hq_objection_decision_from_string (decision_name, &decision, error) ||
      (amount != NULL && !jc_amount_parse_yuan (amount, &amount_fen, error)))
    return FALSE;
  if (amount != NULL && decision != JC_HQ_OBJECTION_PARTIAL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--amount is the amount that stands after a partial decision: only with --decision partial"));
      return FALSE;
    }
  store = open_store (dir, own_dir, error);
  if (store == NULL || !jc_hq_objection_decide (store, id, decision, amount_fen, reason, by, &entry, error))
    return FALSE;
  if (entry > 0)
    g_print (_("Objection %" PRId64 " decided; the finding is ledger entry %" PRId64 "\n"),
             id, entry);
  else
    g_print (_("Objection %" PRId64 " upheld; the finding is withdrawn\n"), id);
  return TRUE;
}

static const JcCommand ledger_verbs[] = {
  { "list", N_("The problem ledger"), cmd_ledger_list },
  { "set", N_("Change a ledger entry (a signed record)"), cmd_ledger_set },
  { "show", N_("A ledger entry with its signed history"), cmd_ledger_show },
  { "verify", N_("Verify HQ’s signature on every ledger and objection record"), cmd_ledger_verify },
  { NULL, NULL, NULL },
};

static const JcCommand objections_verbs[] = {
  { "list", N_("Objections to disputed findings"), cmd_objections_list },
  { NULL, NULL, NULL },
};

static const JcCommand objection_verbs[] = {
  { "decide", N_("Decide an objection (a signed record)"), cmd_objection_decide },
  { NULL, NULL, NULL },
};

gboolean
jc_hq_cmd_ledger (const char *dir, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (ledger_verbs, (gpointer) dir, argc, argv, error);
}

gboolean
jc_hq_cmd_objections (const char *dir, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (objections_verbs, (gpointer) dir, argc, argv, error);
}

gboolean
jc_hq_cmd_objection (const char *dir, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (objection_verbs, (gpointer) dir, argc, argv, error);
}

gboolean
jc_hq_cmd_report (const char *dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *own_dir = NULL, *by_name = NULL, *format_name = NULL, *path = NULL;
  JcHqReportBy by = JC_HQ_REPORT_COUNTY;
  JcHqReportFormat format = JC_HQ_REPORT_TEXT;
  GOptionEntry entries[] = {
    { "by", 0, 0, G_OPTION_ARG_STRING, &by_name, N_("county (default), type, item or form"), N_("GROUP") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("text (default), csv, json, xlsx or pdf"),
      N_("FORMAT") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &path, N_("Write to FILE (required for xlsx and pdf)"), N_("FILE") },
    DIR_ENTRY (own_dir),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("The ledger summed up per county, type, item or form"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "report --by county|type|item|form [--format F] [--out FILE]", error) ||
      (by_name != NULL && !jc_hq_report_by_from_string (by_name, &by, error)) ||
      (format_name != NULL && !jc_hq_report_format_from_string (format_name, &format, error)))
    return FALSE;
  store = open_store (dir, own_dir, error);
  if (store == NULL || !jc_hq_report_write (store, by, format, path, out, error))
    return FALSE;
  if (format == JC_HQ_REPORT_XLSX || format == JC_HQ_REPORT_PDF)
    {
      g_printerr (_("Report written to %s\n"), path);
      return TRUE;
    }
  if (path != NULL)
    {
      if (!g_file_set_contents (path, out->str, (gssize) out->len, error))
        return FALSE;
      g_printerr (_("Report written to %s\n"), path);
      return TRUE;
    }
  return print_out (out);
}

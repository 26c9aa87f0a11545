/* jc-cli-finding.c — `jiancha-cli finding seal|confirm|ack-scan|list|show|qr|amend` */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "jc-ack.h"
#include "jc-amount.h"
#include "jc-cli.h"
#include "jc-finding.h"
#include "jc-inspection.h"
#include "jc-qr.h"

gboolean jc_cli_cmd_finding (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
usage_error (GError **error, const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

/* "a,b，c" → { "a", "b", "c" } (a full-width comma too: typed with an IME). */
static GStrv
split_codes (const char *list)
{
  g_autoptr(GString) s = g_string_new (list);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;

  g_string_replace (s, "，", ",", 0);
  parts = g_strsplit (s->str, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (b, parts[i]);
    }
  return g_strv_builder_end (b);
}

/* The institution's answer, as options shared by seal and confirm. */
typedef struct {
  char     *confirm_name;
  char     *confirm_title;
  char     *strokes_file;
  char     *dispute_name;
  char     *reason;
  gboolean  refused;
  char     *witness;
  char     *strokes_sha;
} Answer;

static void
answer_clear (Answer *a)
{
  g_free (a->confirm_name);
  g_free (a->confirm_title);
  g_free (a->strokes_file);
  g_free (a->dispute_name);
  g_free (a->reason);
  g_free (a->witness);
  g_free (a->strokes_sha);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

#define ANSWER_ENTRIES(a) \
  { "confirm-name", 0, 0, G_OPTION_ARG_STRING, &(a).confirm_name, \
    N_("The institution’s representative confirms: their name"), N_("NAME") }, \
  { "confirm-title", 0, 0, G_OPTION_ARG_STRING, &(a).confirm_title, \
    N_("The representative’s title"), N_("TITLE") }, \
  { "signature-strokes", 0, 0, G_OPTION_ARG_FILENAME, &(a).strokes_file, \
    N_("The representative’s handwritten signature (strokes file), kept as evidence"), N_("FILE") }, \
  { "dispute-name", 0, 0, G_OPTION_ARG_STRING, &(a).dispute_name, \
    N_("The institution’s representative disputes: their name"), N_("NAME") }, \
  { "reason", 0, 0, G_OPTION_ARG_STRING, &(a).reason, N_("The reason for the dispute"), N_("TEXT") }, \
  { "refused", 0, 0, G_OPTION_ARG_NONE, &(a).refused, \
    N_("The institution’s representative refuses to sign"), NULL }, \
  { "witness", 0, 0, G_OPTION_ARG_STRING, &(a).witness, N_("The witness of a refusal"), N_("NAME") }

/* Checks the combination; *out_given is FALSE when no answer was given. */
static gboolean
answer_check (Answer *a, gboolean *out_given, GError **error)
{
  guint n = (a->confirm_name != NULL) + (a->dispute_name != NULL) + (a->refused != FALSE);

  *out_given = n > 0;
  if (n > 1)
    return usage_error (error, _("Give only one of --confirm-name, --dispute-name and --refused"));
  if (a->reason != NULL && a->dispute_name == NULL)
    return usage_error (error, _("--reason goes with --dispute-name"));
  if (a->dispute_name != NULL && a->reason == NULL)
    return usage_error (error, _("--dispute-name needs --reason TEXT"));
  if (a->witness != NULL && !a->refused)
    return usage_error (error, _("--witness goes with --refused"));
  if (a->refused && a->witness == NULL)
    return usage_error (error, _("--refused needs --witness NAME"));
  if (n == 0 && (a->confirm_title != NULL || a->strokes_file != NULL))
    return usage_error (error, _("--confirm-title and --signature-strokes go with an answer "
                                 "(--confirm-name, --dispute-name or --refused)"));
  return TRUE;
}

/* Stores the strokes file as evidence and fills @c. */
static gboolean
answer_to_confirmation (JcVault *vault, Answer *a, JcFindingConfirmation *c, GError **error)
{
  if (a->strokes_file != NULL)
    {
      g_autoptr(JcBlobInfo) info = jc_vault_add_evidence (vault, a->strokes_file, _("Signature strokes"),
                                                          NULL, error);

      if (info == NULL)
        return FALSE;
      a->strokes_sha = g_strdup (info->sha256_hex);
    }
  c->status = a->confirm_name ? JC_JC1_STATUS_CONFIRMED
              : a->dispute_name ? JC_JC1_STATUS_DISPUTED : JC_JC1_STATUS_REFUSED;
  c->name = a->confirm_name ? a->confirm_name : a->dispute_name;
  c->title = a->confirm_title;
  c->reason = a->reason;
  c->witness = a->witness;
  c->signature_strokes = a->strokes_sha;
  return TRUE;
}

static gboolean
cmd_seal (JcCli *cli, int argc, char **argv, GError **error)
{
  g_auto(Answer) a = { 0 };
  g_autofree char *items = NULL, *facts = NULL, *amount = NULL, *id = NULL;
  g_auto(GStrv) codes = NULL;
  g_autoptr(JcVault) vault = NULL;
  JcFindingSpec spec = { 0 };
  JcFindingConfirmation c = { 0 };
  gboolean given;
  GOptionEntry entries[] = {
    { "items", 0, 0, G_OPTION_ARG_STRING, &items,
      N_("The violation items, codes separated by commas (default: every violation not yet in a finding)"),
      N_("CODE,…") },
    { "facts", 0, 0, G_OPTION_ARG_STRING, &facts, N_("The facts in words (default: the items’ notes)"), N_("TEXT") },
    { "amount", 0, 0, G_OPTION_ARG_STRING, &amount,
      N_("The amount involved in yuan (default: the sum of the items’ amounts)"), N_("YUAN") },
    ANSWER_ENTRIES (a),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("INSPECTION"),
                         _("Seal a finding of an inspection; prints its id on the last line"), entries, error) ||
      !jc_command_expect_args (argc, 2, "finding seal INSPECTION [--items CODE,…] [--facts TEXT] "
                               "(--confirm-name NAME | --dispute-name NAME --reason TEXT | --refused --witness NAME)",
                               error) ||
      !answer_check (&a, &given, error))
    return FALSE;
  if (items != NULL)
    {
      codes = split_codes (items);
      if (codes[0] == NULL)
        return usage_error (error, _("--items lists no item code"));
    }
  if (amount != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (!jc_amount_parse_yuan (amount, &spec.amount_fen, &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--amount “%s”: %s"), amount,
                       local_error->message);
          return FALSE;
        }
      spec.has_amount = TRUE;
    }
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || (given && !answer_to_confirmation (vault, &a, &c, error)))
    return FALSE;
  spec.inspection_id = argv[1];
  spec.items = (const char * const *) codes;
  spec.facts = facts;
  id = jc_finding_seal (vault, NULL, &spec, given ? &c : NULL, error);
  if (id == NULL)
    return FALSE;
  g_print ("%s\n", id);
  return TRUE;
}

static gboolean
cmd_confirm (JcCli *cli, int argc, char **argv, GError **error)
{
  g_auto(Answer) a = { 0 };
  g_autoptr(JcVault) vault = NULL;
  JcFindingConfirmation c = { 0 };
  gboolean given;
  GOptionEntry entries[] = {
    ANSWER_ENTRIES (a),
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("FINDING"), _("Record the institution’s answer to a sealed finding"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "finding confirm FINDING "
                               "(--confirm-name NAME | --dispute-name NAME --reason TEXT | --refused --witness NAME)",
                               error) ||
      !answer_check (&a, &given, error))
    return FALSE;
  if (!given)
    return usage_error (error, _("Give one of --confirm-name, --dispute-name and --refused"));
  vault = jc_cli_open_vault (cli, error);
  return vault != NULL && answer_to_confirmation (vault, &a, &c, error) &&
         jc_finding_confirm (vault, argv[1], &c, error);
}

static gboolean
cmd_ack_scan (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *png = NULL, *text = NULL, *code = NULL, *words = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JcAck) ack = NULL;
  GOptionEntry entries[] = {
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, N_("The acknowledgment’s QR code, as a PNG image"), N_("FILE") },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, N_("The acknowledgment’s text (JCA1:…)"), N_("STRING") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("FINDING"),
                         _("Record the institution’s signed acknowledgment (scanned from its device) as the "
                           "answer to a finding"), entries, error) ||
      !jc_command_expect_args (argc, 2, "finding ack-scan FINDING (--png FILE | --text STRING)", error))
    return FALSE;
  if ((png != NULL) == (text != NULL))
    return usage_error (error, _("Give one of --png FILE and --text STRING"));
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || (code = jc_cli_read_code (png, text, error)) == NULL ||
      !jc_finding_record_ack (vault, argv[1], code, NULL, error))
    return FALSE;
  ack = jc_ack_decode_verify (code, error);
  if (ack == NULL)
    return FALSE;
  words = jc_ack_describe (ack);
  g_print ("%s", words);
  g_print (_("Recorded: finding %s now carries the institution’s key and signature\n"), argv[1]);
  return TRUE;
}

static const char *
state_label (const JcFinding *f)
{
  if (f->superseded_by != NULL)
    return _("superseded");
  if (!f->confirmed)
    return _("not confirmed");
  switch (f->confirm_status)
    {
    case JC_JC1_STATUS_CONFIRMED: return _("confirmed");
    case JC_JC1_STATUS_DISPUTED:  return _("disputed");
    case JC_JC1_STATUS_REFUSED:   return _("refused to sign");
    default:                      return "";
    }
}

static gboolean
cmd_list (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (!jc_command_parse (&argc, &argv, _("INSPECTION"), _("List an inspection’s findings, superseded ones too"),
                         NULL, error) ||
      !jc_command_expect_args (argc, 2, "finding list INSPECTION", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || (in = jc_inspection_get (vault, NULL, argv[1], error)) == NULL ||
      (list = jc_finding_list (vault, argv[1], error)) == NULL)
    return FALSE;
  if (list->len == 0)
    g_print ("%s\n", _("No findings yet."));
  for (guint i = 0; i < list->len; i++)
    {
      JcFinding *f = list->pdata[i];
      g_autofree char *yuan = jc_amount_format_yuan (f->amount_fen);
      g_autofree char *codes = g_strjoinv (",", f->items);

      /* TRANSLATORS: finding id, state, amount in yuan, item codes */
      g_print (_("%s  %s  %s yuan  %s\n"), f->id, state_label (f), yuan, codes);
      if (f->superseded_by != NULL)
        g_print (_("    superseded by %s\n"), f->superseded_by);
    }
  return TRUE;
}

static gboolean
cmd_show (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(JcFinding) f = NULL;
  g_autofree char *yuan = NULL;
  g_autoptr(GDateTime) sealed = NULL;
  g_autofree char *sealed_text = NULL;
  g_autofree char *sha = NULL;

  if (!jc_command_parse (&argc, &argv, _("FINDING"), _("Show a finding in full"), NULL, error) ||
      !jc_command_expect_args (argc, 2, "finding show FINDING", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || (f = jc_finding_get (vault, argv[1], error)) == NULL)
    return FALSE;
  yuan = jc_amount_format_yuan (f->amount_fen);
  sealed = g_date_time_new_from_unix_local (f->sealed_at);
  sealed_text = g_date_time_format (sealed, "%Y-%m-%d %H:%M:%S");
  sha = jc_device_hex (f->record_sha256, 32);
  g_print ("%s: %s\n", _("Finding"), f->id);
  g_print ("%s: %s\n", _("Inspection"), f->inspection_id);
  g_print ("%s: %s\n", _("Institution"), f->institution_code);
  g_print ("%s: %s\n", _("Checklist"), f->checklist);
  g_print ("%s: %s\n", _("Sealed"), sealed_text);
  g_print ("%s: %s\n", _("State"), state_label (f));
  if (f->supersedes != NULL)
    g_print ("%s: %s\n", _("Supersedes"), f->supersedes);
  if (f->superseded_by != NULL)
    g_print ("%s: %s\n", _("Superseded by"), f->superseded_by);
  g_print ("%s: %s\n", _("Amount (yuan)"), yuan);
  g_print ("%s: %s\n", _("Facts"), f->facts);
  g_print ("%s:\n", _("Items and legal basis"));
  for (guint i = 0; f->items[i] != NULL; i++)
    g_print ("  %s  %s\n", f->items[i], f->basis[i]);
  g_print ("%s:\n", _("Evidence (SHA-256)"));
  for (guint i = 0; f->evidence[i] != NULL; i++)
    g_print ("  %s\n", f->evidence[i]);
  if (f->confirmed)
    {
      g_print ("%s: %s\n", _("Representative"), f->confirm_name);
      if (*f->confirm_title != '\0')
        g_print ("%s: %s\n", _("Title"), f->confirm_title);
      if (*f->confirm_reason != '\0')
        g_print ("%s: %s\n", _("Reason for the dispute"), f->confirm_reason);
      if (*f->confirm_witness != '\0')
        g_print ("%s: %s\n", _("Witness"), f->confirm_witness);
      if (f->confirm_strokes != NULL)
        g_print ("%s: %s\n", _("Signature strokes"), f->confirm_strokes);
      if (f->confirm_countersigned)
        {
          g_autofree char *key = jc_device_hex (f->confirm_institution_key, 32);

          g_print ("%s: %s\n", _("Institution key (countersigned)"), key);
        }
    }
  g_print ("%s: %s\n", _("Record SHA-256"), sha);
  return TRUE;
}

static gboolean
cmd_qr (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autofree char *png = NULL, *text = NULL;
  gboolean as_text = FALSE;
  int module_px = 4;
  GOptionEntry entries[] = {
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, N_("Write the QR code as a PNG image"), N_("FILE") },
    { "text", 0, 0, G_OPTION_ARG_NONE, &as_text, N_("Print the QR code’s text (JC1:…)"), NULL },
    { "module-px", 0, 0, G_OPTION_ARG_INT, &module_px, N_("Pixels per module of the PNG (default: 4)"), N_("N") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("FINDING"), _("The finding’s signed JC1 QR code"), entries, error) ||
      !jc_command_expect_args (argc, 2, "finding qr FINDING (--png FILE | --text)", error))
    return FALSE;
  if ((png != NULL) == as_text)
    return usage_error (error, _("Give one of --png FILE and --text"));
  if (module_px < 1 || module_px > 64)
    return usage_error (error, _("--module-px: use 1 to 64"));
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL || !jc_finding_to_jc1 (vault, argv[1], &text, error))
    return FALSE;
  if (as_text)
    {
      g_print ("%s\n", text);
      return TRUE;
    }
  return jc_qr_write_png (text, png, module_px, error);
}

static gboolean
cmd_amend (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *items = NULL, *facts = NULL, *id = NULL;
  g_auto(GStrv) codes = NULL;
  g_autoptr(JcVault) vault = NULL;
  GOptionEntry entries[] = {
    { "items", 0, 0, G_OPTION_ARG_STRING, &items, N_("The items of the new finding (default: the same)"),
      N_("CODE,…") },
    { "facts", 0, 0, G_OPTION_ARG_STRING, &facts, N_("The facts of the new finding (default: the same)"), N_("TEXT") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("FINDING"),
                         _("Seal a new finding that supersedes a sealed one; prints its id on the last line"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "finding amend FINDING [--facts TEXT] [--items CODE,…]", error))
    return FALSE;
  if (items == NULL && facts == NULL)
    return usage_error (error, _("Nothing to amend: give --facts TEXT or --items CODE,…"));
  if (items != NULL)
    {
      codes = split_codes (items);
      if (codes[0] == NULL)
        return usage_error (error, _("--items lists no item code"));
    }
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL ||
      (id = jc_finding_amend (vault, NULL, argv[1], (const char * const *) codes, facts, error)) == NULL)
    return FALSE;
  g_print ("%s\n", id);
  return TRUE;
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("ack-scan", N_("Record the institution’s signed acknowledgment"), cmd_ack_scan),
  JC_CLI_COMMAND ("amend", N_("Supersede a sealed finding with a new one"), cmd_amend),
  JC_CLI_COMMAND ("confirm", N_("Record the institution’s answer to a finding"), cmd_confirm),
  JC_CLI_COMMAND ("list", N_("List an inspection’s findings"), cmd_list),
  JC_CLI_COMMAND ("qr", N_("A finding’s signed QR code"), cmd_qr),
  JC_CLI_COMMAND ("seal", N_("Seal a finding"), cmd_seal),
  JC_CLI_COMMAND ("show", N_("Show a finding"), cmd_show),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_finding (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

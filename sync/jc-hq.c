/* jc-hq.c — jiancha-hq: headquarters' server and its administration
 *
 *   jiancha-hq init --dir HQDIR [--db postgresql://…]
 *   jiancha-hq key --dir HQDIR
 *   jiancha-hq enroll-code --dir HQDIR --inspector NAME [--valid-hours N]
 *   jiancha-hq revoke --dir HQDIR DEVICE-ID
 *   jiancha-hq serve [--dir HQDIR] [--listen 127.0.0.1:8470]
 *   jiancha-hq import --dir HQDIR BUNDLE [--evidence DIR] [--receipt FILE]
 *   jiancha-hq check --dir HQDIR
 *   jiancha-hq findings --dir HQDIR [--institution CODE] [--format text|csv|json]
 *   jiancha-hq rejections --dir HQDIR [--format text|csv|json]
 *   jiancha-hq checklist-issue --dir HQDIR FILE.json
 *   jiancha-hq directory|roster|plan …      planning: see jc-hq-plan-cmd.h
 *   jiancha-hq ledger|objections|objection|report …   see jc-hq-ledger-cmd.h
 *   jiancha-hq user add|list|disable …      dashboard staff: see jc-hq-users-cmd.h
 */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-blobs.h"
#include "jc-hq-enroll.h"
#include "jc-hq-ledger-cmd.h"
#include "jc-hq-merge.h"
#include "jc-hq-query.h"
#include "jc-hq-plan-cmd.h"
#include "jc-hq-server.h"
#include "jc-hq-store.h"
#include "jc-hq-updates.h"
#include "jc-hq-users-cmd.h"

typedef struct {
  char *dir;   /* --dir HQDIR */
} JcHq;

static gboolean
on_stop_signal (gpointer data)
{
  JcHqServer *server = data;

  g_printerr ("jiancha-hq: stopping: finishing requests in flight\n");
  jc_hq_server_shutdown (server);
  return G_SOURCE_CONTINUE;
}

static void
on_stopped (JcHqServer *server, GMainLoop *loop)
{
  g_main_loop_quit (loop);
}

static gboolean
cmd_serve (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  int session_minutes = 0;
  g_autoptr(JcHqServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint term_id, int_id;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("Address to listen on (default 127.0.0.1:8470)"), N_("HOST:PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("Serve HTTPS with this PEM certificate"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("The PEM private key of --tls-cert"), N_("FILE") },
    { "session-minutes", 0, 0, G_OPTION_ARG_INT, &session_minutes,
      N_("How long a dashboard sign-in lasts (default 480 minutes)"), N_("N") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Serve the sync protocol over HTTP"), entries, error) ||
      !jc_command_expect_args (argc, 1, "serve [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]", error))
    return FALSE;
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--tls-cert and --tls-key go together"));
      return FALSE;
    }

  if (session_minutes < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--session-minutes must not be negative"));
      return FALSE;
    }
  server = jc_hq_server_new (hq->dir, error);
  if (server != NULL && session_minutes > 0)
    jc_hq_server_set_session_lifetime (server, (gint64) session_minutes * 60);
  if (server == NULL || (tls_cert != NULL && !jc_hq_server_set_tls (server, tls_cert, tls_key, error)) ||
      !jc_hq_server_listen (server, listen ?: "127.0.0.1:8470", error))
    return FALSE;

  /* The line tests and scripts wait for; with port 0 it tells the port. */
  g_print ("jiancha-hq: listening on port %u (%s), data in %s\n", jc_hq_server_get_port (server),
           jc_hq_server_is_tls (server) ? "https" : "http", hq->dir);

  loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (server, "stopped", G_CALLBACK (on_stopped), loop);
  term_id = g_unix_signal_add (SIGTERM, on_stop_signal, server);
  int_id = g_unix_signal_add (SIGINT, on_stop_signal, server);
  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);
  g_print ("jiancha-hq: stopped\n");
  return TRUE;
}

static gboolean
cmd_init (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autofree char *db = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db,
      N_("Keep HQ’s data in this empty PostgreSQL database instead of HQDIR/hq.db"), N_("postgresql://…") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Create HQ’s keys and database"), entries, error) ||
      !jc_command_expect_args (argc, 1, "init [--db postgresql://…]", error) ||
      !jc_hq_store_init (hq->dir, db, error))
    return FALSE;
  g_print (_("HQ created in %s\n"), hq->dir);
  return TRUE;
}

static gboolean
cmd_key (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *pk = NULL;
  g_autofree char *escrow = NULL;

  if (!jc_command_parse (&argc, &argv, NULL, _("Print HQ’s public keys"), NULL, error) ||
      !jc_command_expect_args (argc, 1, "key", error))
    return FALSE;
  store = jc_hq_store_open (hq->dir, error);
  if (store == NULL)
    return FALSE;
  pk = jc_device_hex (jc_hq_store_get_public_key (store), 32);
  escrow = jc_device_hex (jc_hq_store_get_escrow_key (store), 32);
  /* Fixed lines: scripts read them. */
  g_print ("%s\n", pk);
  g_print ("escrow: %s\n", escrow);
  return TRUE;
}

static gboolean
cmd_enroll_code (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *inspector = NULL;
  g_autofree char *code = NULL;
  int valid_hours = 72;
  GOptionEntry entries[] = {
    { "inspector", 0, 0, G_OPTION_ARG_STRING, &inspector,
      N_("The inspector whose device will use the code"), N_("NAME") },
    { "valid-hours", 0, 0, G_OPTION_ARG_INT, &valid_hours,
      N_("How long the code is valid (default 72 hours)"), N_("N") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Print a one-time enrollment code"), entries, error) ||
      !jc_command_expect_args (argc, 1, "enroll-code --inspector NAME [--valid-hours N]", error))
    return FALSE;
  if (inspector == NULL || valid_hours < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           inspector == NULL ? _("--inspector NAME is required")
                                             : _("--valid-hours must not be negative"));
      return FALSE;
    }
  store = jc_hq_store_open (hq->dir, error);
  if (store == NULL)
    return FALSE;
  code = jc_hq_store_new_code (store, inspector, (guint) valid_hours, error);
  if (code == NULL)
    return FALSE;
  g_print (_("Enrollment code for %s, valid %d hours, usable once:\n"), inspector, valid_hours);
  g_print ("%s\n", code);
  return TRUE;
}

static gboolean
cmd_enroll_request (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *out_png = NULL;
  g_autofree char *request = NULL;
  g_autofree char *reply = NULL;
  gboolean png = FALSE;
  gsize len = 0;
  guint status = 0;
  GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, N_("Where to write the reply for the device"), N_("FILE") },
    { "out-png", 0, 0, G_OPTION_ARG_FILENAME, &out_png,
      N_("The reply as a QR code image, for the device to scan"), N_("FILE") },
    { "png", 0, 0, G_OPTION_ARG_NONE, &png, N_("REQUEST is a QR code image (from “enroll --request-png”)"), NULL },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("REQUEST"),
                         _("Enroll a device without network: answer its request file (from “jiancha-cli enroll "
                           "--request”)"), entries, error) ||
      !jc_command_expect_args (argc, 2, "enroll-request [--png] REQUEST (--out FILE | --out-png FILE)", error))
    return FALSE;
  if (out_path == NULL && out_png == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--out FILE or --out-png FILE is required"));
      return FALSE;
    }
  store = jc_hq_store_open (hq->dir, error);
  if (store == NULL)
    return FALSE;
  if (png)
    {
      request = jc_qr_decode_png (argv[1], error);
      if (request == NULL)
        return FALSE;
      len = strlen (request);
    }
  else if (!g_file_get_contents (argv[1], &request, &len, error))
    return FALSE;
  reply = jc_hq_enroll_request (store, request, len, &status, error);
  if (reply == NULL)
    {
      g_prefix_error (error, "%s: ", argv[1]);
      return FALSE;
    }
  if ((out_path != NULL && !g_file_set_contents (out_path, reply, -1, error)) ||
      (out_png != NULL && !jc_qr_write_png (reply, out_png, 6, error)))
    return FALSE;
  g_print (_("Enrolled the device of %s; its reply is in %s\n"), argv[1], out_path != NULL ? out_path : out_png);
  return TRUE;
}

static gboolean
cmd_revoke (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;

  if (!jc_command_parse (&argc, &argv, _("DEVICE-ID"), _("Revoke an enrolled device"), NULL, error) ||
      !jc_command_expect_args (argc, 2, "revoke DEVICE-ID", error))
    return FALSE;
  store = jc_hq_store_open (hq->dir, error);
  if (store == NULL || !jc_hq_store_revoke (store, argv[1], error))
    return FALSE;
  g_print (_("Device %s revoked\n"), argv[1]);
  return TRUE;
}

/* The store with its event tables and projections in place. */
static JcHqStore *
open_merged (JcHq *hq, JcHqMerge **merge, GError **error)
{
  g_autoptr(JcHqStore) store = jc_hq_store_open (hq->dir, error);

  if (store == NULL)
    return NULL;
  *merge = jc_hq_merge_new (store, error);
  if (*merge == NULL)
    return NULL;
  return g_steal_pointer (&store);
}

static gboolean
import_evidence (JcHqStore *store, const char *dir_path, guint *n, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *hash = NULL;
      g_autofree char *path = NULL;
      JcHqBlobState state;

      if (!g_str_has_suffix (name, ".jcblob"))
        continue;
      hash = g_strndup (name, strlen (name) - strlen (".jcblob"));
      path = g_build_filename (dir_path, name, NULL);
      if (!jc_hq_blobs_import_file (store, hash, path, &state, error))
        return FALSE;
      (*n)++;
    }
  return TRUE;
}

static gboolean
cmd_check (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(JcHqMerge) merge = NULL;
  guint n_blobs = 0;

  if (!jc_command_parse (&argc, &argv, NULL,
                         _("Verify every stored event, chain and piece of evidence at HQ"), NULL, error) ||
      !jc_command_expect_args (argc, 1, "check", error))
    return FALSE;
  store = open_merged (hq, &merge, error);
  if (store == NULL || !jc_hq_merge_verify (merge, error) || !jc_hq_blobs_verify_all (store, &n_blobs, error))
    return FALSE;
  g_print (_("HQ verified: every event, every chain and %u pieces of evidence\n"), n_blobs);
  return TRUE;
}

static gboolean
cmd_import (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(JcHqMerge) merge = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autofree char *receipt_path = NULL;
  g_autofree char *evidence_dir = NULL;
  g_autofree char *receipt = NULL;
  g_autofree char *source = NULL;
  guint n_evidence = 0;
  GOptionEntry entries[] = {
    { "receipt", 0, 0, G_OPTION_ARG_FILENAME, &receipt_path,
      N_("Where to write HQ’s signed receipt for the device (default: standard output)"), N_("FILE") },
    { "evidence", 0, 0, G_OPTION_ARG_FILENAME, &evidence_dir,
      N_("A directory of evidence files (SHA256.jcblob) exported with the bundle"), N_("DIR") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("BUNDLE"), _("Merge a bundle file brought from a device (USB)"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "import BUNDLE [--evidence DIR] [--receipt FILE]", error))
    return FALSE;
  store = open_merged (hq, &merge, error);
  if (store == NULL)
    return FALSE;
  file = g_file_new_for_commandline_arg (argv[1]);
  bundle = g_file_load_bytes (file, NULL, NULL, error);
  if (bundle == NULL)
    return FALSE;
  source = g_strdup_printf ("import %s", argv[1]);
  receipt = jc_hq_merge_bundle (merge, bundle, source, error);
  if (receipt == NULL)
    {
      g_prefix_error (error, "%s: ", argv[1]);
      return FALSE;
    }
  if (evidence_dir != NULL)
    {
      if (!import_evidence (store, evidence_dir, &n_evidence, error))
        return FALSE;
      /* The bundle again changes nothing, and its receipt now tells the
       * device which evidence HQ holds. */
      g_free (receipt);
      receipt = jc_hq_merge_bundle (merge, bundle, source, error);
      if (receipt == NULL)
        return FALSE;
      g_printerr (_("Took in %u evidence files from %s\n"), n_evidence, evidence_dir);
    }
  if (receipt_path == NULL)
    {
      g_print ("%s\n", receipt);
      return TRUE;
    }
  if (!g_file_set_contents (receipt_path, receipt, -1, error))
    return FALSE;
  g_printerr (_("Merged %s; the receipt for the device is in %s\n"), argv[1], receipt_path);
  return TRUE;
}

/* A table without options but its format: rejections, conflicts. */
typedef gboolean (*TableFunc) (JcHqStore *store, JcHqFormat format, GString *out, GError **error);

static gboolean
query_command (JcHq *hq, int *argc, char ***argv, const char *summary, const char *usage,
               TableFunc table, GError **error)
{
  gboolean with_institution = table == NULL;
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(JcHqMerge) merge = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *format_name = NULL;
  g_autofree char *institution = NULL;
  JcHqFormat format = JC_HQ_FORMAT_TEXT;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("text (default), csv or json"), N_("FORMAT") },
    { "institution", 0, 0, G_OPTION_ARG_STRING, &institution, N_("Only this institution"), N_("CODE") },
    { NULL }
  };

  if (!with_institution)
    entries[1] = entries[2];
  if (!jc_command_parse (argc, argv, NULL, summary, entries, error) ||
      !jc_command_expect_args (*argc, 1, usage, error) ||
      (format_name != NULL && !jc_hq_format_from_string (format_name, &format, error)))
    return FALSE;
  store = open_merged (hq, &merge, error);
  if (store == NULL)
    return FALSE;
  if (!(with_institution ? jc_hq_query_findings (store, institution, format, out, error)
                         : table (store, format, out, error)))
    return FALSE;
  fwrite (out->str, 1, out->len, stdout);
  return TRUE;
}

static gboolean
cmd_findings (JcHq *hq, int argc, char **argv, GError **error)
{
  return query_command (hq, &argc, &argv, _("Every finding from every device, with its confirmation"),
                        "findings [--institution CODE] [--format text|csv|json]", NULL, error);
}

static gboolean
cmd_rejections (JcHq *hq, int argc, char **argv, GError **error)
{
  return query_command (hq, &argc, &argv, _("Everything HQ refused, with the reason"),
                        "rejections [--format text|csv|json]", jc_hq_query_rejections, error);
}

static gboolean
cmd_conflicts (JcHq *hq, int argc, char **argv, GError **error)
{
  return query_command (hq, &argc, &argv, _("Items two devices changed both, flagged for review"),
                        "conflicts [--format text|csv|json]", jc_hq_query_conflicts, error);
}

static gboolean
cmd_checklist_issue (JcHq *hq, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *key = NULL;

  if (!jc_command_parse (&argc, &argv, _("FILE"), _("Sign a checklist version for the devices' updates"),
                         NULL, error) ||
      !jc_command_expect_args (argc, 2, "checklist-issue FILE", error))
    return FALSE;
  store = jc_hq_store_open (hq->dir, error);
  if (store == NULL)
    return FALSE;
  key = jc_hq_checklist_issue (store, argv[1], error);
  if (key == NULL)
    return FALSE;
  g_print (_("Issued %s: devices receive it with their next sync\n"), key);
  return TRUE;
}

static gboolean
cmd_directory (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_directory (hq->dir, argc, argv, error);
}

static gboolean
cmd_roster (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_roster (hq->dir, argc, argv, error);
}

static gboolean
cmd_plan (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_plan (hq->dir, argc, argv, error);
}

static gboolean
cmd_ledger (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_ledger (hq->dir, argc, argv, error);
}

static gboolean
cmd_objections (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_objections (hq->dir, argc, argv, error);
}

static gboolean
cmd_objection (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_objection (hq->dir, argc, argv, error);
}

static gboolean
cmd_report (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_report (hq->dir, argc, argv, error);
}

static gboolean
cmd_user (JcHq *hq, int argc, char **argv, GError **error)
{
  return jc_hq_cmd_user (hq->dir, argc, argv, error);
}

static const JcCommand commands[] = {
  { "check", N_("Verify every stored event, chain and piece of evidence at HQ"), (JcCommandFunc) cmd_check },
  { "checklist-issue", N_("Sign a checklist version for the devices' updates"), (JcCommandFunc) cmd_checklist_issue },
  { "directory", N_("Import the institution directory"), (JcCommandFunc) cmd_directory },
  { "conflicts", N_("Items two devices changed both, flagged for review"), (JcCommandFunc) cmd_conflicts },
  { "enroll-code", N_("Print a one-time enrollment code"), (JcCommandFunc) cmd_enroll_code },
  { "enroll-request", N_("Enroll a device without network, from its request file"),
    (JcCommandFunc) cmd_enroll_request },
  { "findings", N_("Every finding from every device, with its confirmation"), (JcCommandFunc) cmd_findings },
  { "import", N_("Merge a bundle file brought from a device (USB)"), (JcCommandFunc) cmd_import },
  { "init", N_("Create HQ’s keys and database"), (JcCommandFunc) cmd_init },
  { "key", N_("Print HQ’s public keys"), (JcCommandFunc) cmd_key },
  { "ledger", N_("The problem ledger: list, show, set, verify"), (JcCommandFunc) cmd_ledger },
  { "objection", N_("Decide an objection (a signed record)"), (JcCommandFunc) cmd_objection },
  { "objections", N_("Objections to disputed findings"), (JcCommandFunc) cmd_objections },
  { "plan", N_("Draw and show inspection plans (双随机一公开)"), (JcCommandFunc) cmd_plan },
  { "rejections", N_("Everything HQ refused, with the reason"), (JcCommandFunc) cmd_rejections },
  { "report", N_("The ledger summed up per county, type, item or form"), (JcCommandFunc) cmd_report },
  { "revoke", N_("Revoke an enrolled device"), (JcCommandFunc) cmd_revoke },
  { "roster", N_("Import the inspector roster"), (JcCommandFunc) cmd_roster },
  { "serve", N_("Serve the sync protocol over HTTP"), (JcCommandFunc) cmd_serve },
  { "user", N_("Manage the staff accounts of the web dashboard"), (JcCommandFunc) cmd_user },
  { NULL, NULL, NULL },
};

static gboolean
prepare (gpointer ctx, GError **error)
{
  JcHq *hq = ctx;

  if (hq->dir == NULL)
    hq->dir = g_build_filename (g_get_user_data_dir (), "jiancha-hq", NULL);
  return TRUE;
}

int
main (int argc, char **argv)
{
  JcHq hq = { 0 };
  GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &hq.dir,
      N_("HQ's data directory (default: the user's data directory)"), N_("HQDIR") },
    { NULL }
  };
  JcCommandLine line = {
    .program = "jiancha-hq",
    .summary = N_("Jiancha headquarters: receives, verifies and merges the teams' results."),
    .commands = commands,
    .global_entries = entries,
    .prepare = prepare,
    .ctx = &hq,
  };
  int status;

  /* A line per request must reach the log even when stdout is a pipe. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  status = jc_command_main (&line, argc, argv);
  g_free (hq.dir);
  return status;
}

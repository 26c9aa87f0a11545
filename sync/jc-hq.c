/* jc-hq.c — jiancha-hq: headquarters' server and its administration
 *
 *   jiancha-hq init --dir HQDIR
 *   jiancha-hq key --dir HQDIR
 *   jiancha-hq enroll-code --dir HQDIR --inspector NAME [--valid-hours N]
 *   jiancha-hq revoke --dir HQDIR DEVICE-ID
 *   jiancha-hq serve [--dir HQDIR] [--listen 127.0.0.1:8470]
 *   jiancha-hq directory|roster|plan …      planning: see jc-hq-plan-cmd.h
 */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "jc-core.h"
#include "jc-hq-plan-cmd.h"
#include "jc-hq-server.h"
#include "jc-hq-store.h"

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
  g_autoptr(JcHqServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint term_id, int_id;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("Address to listen on (default 127.0.0.1:8470)"), N_("HOST:PORT") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Serve the sync protocol over HTTP"), entries, error) ||
      !jc_command_expect_args (argc, 1, "serve [--listen HOST:PORT]", error))
    return FALSE;

  server = jc_hq_server_new (hq->dir, error);
  if (server == NULL || !jc_hq_server_listen (server, listen ?: "127.0.0.1:8470", error))
    return FALSE;

  /* The line tests and scripts wait for; with port 0 it tells the port. */
  g_print ("jiancha-hq: listening on port %u, data in %s\n", jc_hq_server_get_port (server), hq->dir);

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
  if (!jc_command_parse (&argc, &argv, NULL, _("Create HQ’s keys and database"), NULL, error) ||
      !jc_command_expect_args (argc, 1, "init", error) ||
      !jc_hq_store_init (hq->dir, error))
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

static const JcCommand commands[] = {
  { "directory", N_("Import the institution directory"), (JcCommandFunc) cmd_directory },
  { "enroll-code", N_("Print a one-time enrollment code"), (JcCommandFunc) cmd_enroll_code },
  { "init", N_("Create HQ’s keys and database"), (JcCommandFunc) cmd_init },
  { "key", N_("Print HQ’s public keys"), (JcCommandFunc) cmd_key },
  { "plan", N_("Draw and show inspection plans (双随机一公开)"), (JcCommandFunc) cmd_plan },
  { "revoke", N_("Revoke an enrolled device"), (JcCommandFunc) cmd_revoke },
  { "roster", N_("Import the inspector roster"), (JcCommandFunc) cmd_roster },
  { "serve", N_("Serve the sync protocol over HTTP"), (JcCommandFunc) cmd_serve },
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

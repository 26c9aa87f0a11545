/* jc-hq.c — jiancha-hq: headquarters' server and its administration
 *
 *   jiancha-hq serve [--dir HQDIR] [--listen 127.0.0.1:8470]
 */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "jc-core.h"
#include "jc-hq-server.h"

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

static const JcCommand commands[] = {
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

/* jc-hq-users-cmd.c — `jiancha-hq user add|list|disable` */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "jc-core.h"
#include "jc-hq-users.h"
#include "jc-hq-users-cmd.h"

#define PASSWORD_MAX 256

static char *
prompt_hidden (const char *prompt, GError **error)
{
  char line[PASSWORD_MAX + 2];
  struct termios saved, hidden;
  gboolean tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  char *got;
  gsize len;

  g_printerr ("%s", prompt);
  if (tty)
    {
      hidden = saved;
      hidden.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &hidden);
    }
  got = fgets (line, sizeof line, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (got == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("No password given: set JIANCHA_HQ_PASSWORD or type it on a terminal"));
      return NULL;
    }
  len = strcspn (line, "\r\n");
  line[len] = '\0';
  got = g_strdup (line);
  sodium_memzero (line, sizeof line);
  return got;
}

static char *
read_password (GError **error)
{
  const char *env = g_getenv ("JIANCHA_HQ_PASSWORD");
  g_autofree char *again = NULL;
  char *first;

  if (env != NULL)
    return g_strdup (env);
  first = prompt_hidden (_("New password: "), error);
  if (first == NULL)
    return NULL;
  again = prompt_hidden (_("The same password again: "), error);
  if (again == NULL || g_strcmp0 (first, again) != 0)
    {
      if (again != NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The two passwords differ"));
      g_free (first);
      return NULL;
    }
  return first;
}

#define DIR_ENTRY(var) \
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &(var), N_("HQ's data directory"), N_("HQDIR") }

static JcHqStore *
open_users (const char *dir, const char *own_dir, GError **error)
{
  g_autoptr(JcHqStore) store = jc_hq_store_open (own_dir != NULL ? own_dir : dir, error);

  if (store == NULL || !jc_hq_users_prepare (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

static gboolean
cmd_user_add (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *own_dir = NULL;
  g_autofree char *role_name = NULL;
  g_autofree char *password = NULL;
  JcHqRole role;
  GOptionEntry entries[] = {
    DIR_ENTRY (own_dir),
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name, N_("analyst, reviewer or admin"), N_("ROLE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, _("NAME"), _("Add a staff account for the web dashboard"), entries, error) ||
      !jc_command_expect_args (argc, 2, "user add NAME --role analyst|reviewer|admin", error))
    return FALSE;
  if (role_name == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("--role analyst, reviewer or admin is required"));
      return FALSE;
    }
  if (!jc_hq_role_from_string (role_name, &role, error))
    return FALSE;
  store = open_users (dir, own_dir, error);
  if (store == NULL)
    return FALSE;
  password = read_password (error);
  if (password == NULL)
    return FALSE;
  if (!jc_hq_user_add (store, argv[1], role, password, error))
    {
      sodium_memzero (password, strlen (password));
      return FALSE;
    }
  sodium_memzero (password, strlen (password));
  g_print (_("Added %s with the role %s\n"), argv[1], role_name);
  return TRUE;
}

static gboolean
cmd_user_list (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autofree char *own_dir = NULL;
  GOptionEntry entries[] = { DIR_ENTRY (own_dir), { NULL } };

  if (!jc_command_parse (&argc, &argv, NULL, _("List the staff accounts"), entries, error) ||
      !jc_command_expect_args (argc, 1, "user list", error))
    return FALSE;
  store = open_users (dir, own_dir, error);
  if (store == NULL || (users = jc_hq_user_list (store, error)) == NULL)
    return FALSE;
  /* Fixed columns: scripts read them. */
  for (guint i = 0; i < users->len; i++)
    {
      const JcHqUser *user = g_ptr_array_index (users, i);

      g_print ("%s\t%s\t%s\n", user->name, jc_hq_role_to_string (user->role),
               user->disabled_at != 0 ? "disabled" : "enabled");
    }
  return TRUE;
}

static gboolean
cmd_user_disable (gpointer dir, int argc, char **argv, GError **error)
{
  g_autoptr(JcHqStore) store = NULL;
  g_autofree char *own_dir = NULL;
  GOptionEntry entries[] = { DIR_ENTRY (own_dir), { NULL } };

  if (!jc_command_parse (&argc, &argv, _("NAME"), _("Disable a staff account and end its sessions"),
                         entries, error) ||
      !jc_command_expect_args (argc, 2, "user disable NAME", error))
    return FALSE;
  store = open_users (dir, own_dir, error);
  if (store == NULL || !jc_hq_user_disable (store, argv[1], error))
    return FALSE;
  g_print (_("Disabled %s\n"), argv[1]);
  return TRUE;
}

static const JcCommand user_verbs[] = {
  { "add", N_("Add a staff account for the web dashboard"), cmd_user_add },
  { "disable", N_("Disable a staff account and end its sessions"), cmd_user_disable },
  { "list", N_("List the staff accounts"), cmd_user_list },
  { NULL, NULL, NULL },
};

gboolean
jc_hq_cmd_user (const char *dir, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (user_verbs, (gpointer) dir, argc, argv, error);
}

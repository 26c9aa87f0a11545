/* jc-cli-vault.c — `jiancha-cli vault init|check|change-pin|recover` */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "jc-cli.h"

gboolean jc_cli_cmd_vault (JcCli *cli, int argc, char **argv, GError **error);

/* A key file holds 64 hex digits (32 bytes), as `jiancha-hq key` prints them. */
static gboolean
read_key_file (const char *path, guint8 key[32], GError **error)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  g_strstrip (text);
  if (!jc_device_unhex (text, key, 32))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_INVALID,
                   _("%s: expected a key of 64 hexadecimal digits"), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
cmd_init (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *inspector = NULL;
  g_autofree char *escrow_file = NULL;
  g_autoptr(JcVault) vault = jc_vault_new (cli->vault_dir);
  guint8 escrow_pk[32];
  char *pin;
  gboolean ok;
  GOptionEntry entries[] = {
    { "inspector", 0, 0, G_OPTION_ARG_STRING, &inspector,
      N_("The inspector who owns this vault (default: your user name)"), N_("NAME") },
    { "escrow-public-key", 0, 0, G_OPTION_ARG_FILENAME, &escrow_file,
      N_("HQ’s escrow public key, for recovery of a forgotten PIN"), N_("FILE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL, _("Create a new vault (refuses to overwrite one)"), entries, error) ||
      !jc_command_expect_args (argc, 1, "vault init [--inspector NAME] [--escrow-public-key FILE]", error))
    return FALSE;
  if (escrow_file != NULL && !read_key_file (escrow_file, escrow_pk, error))
    return FALSE;
  if (jc_vault_exists (vault))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_EXISTS,
                   _("There is already a vault in %s; it is left as it is"), cli->vault_dir);
      return FALSE;
    }

  pin = jc_cli_read_new_pin ("JIANCHA_PIN", error);
  if (pin == NULL)
    return FALSE;
  ok = jc_vault_create (vault, pin, inspector ? inspector : g_get_user_name (),
                        escrow_file ? escrow_pk : NULL, error);
  jc_cli_free_pin (pin);
  if (!ok)
    return FALSE;

  g_print (_("Created the vault in %s\n"), cli->vault_dir);
  g_print ("device-id: %s\n", jc_device_get_id_hex (jc_vault_get_device (vault)));
  if (escrow_file == NULL)
    g_print (_("No recovery slot: a forgotten PIN cannot be recovered by HQ.\n"));
  return TRUE;
}

static gboolean
cmd_check (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GString) report = g_string_new (NULL);

  if (!jc_command_parse (&argc, &argv, NULL, _("Verify every page, every event and every piece of evidence"),
                         NULL, error) ||
      !jc_command_expect_args (argc, 1, "vault check", error))
    return FALSE;
  vault = jc_cli_open_vault (cli, error);
  if (vault == NULL)
    return FALSE;
  if (!jc_vault_verify (vault, report, NULL, error))
    return FALSE;
  g_print ("%s", report->str);
  g_print (_("The vault %s is intact.\n"), cli->vault_dir);
  return TRUE;
}

static gboolean
cmd_change_pin (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autoptr(JcVault) vault = NULL;
  char *old_pin, *new_pin;
  gboolean ok;

  if (!jc_command_parse (&argc, &argv, NULL,
                         _("Change the PIN (JIANCHA_PIN: the current one, JIANCHA_NEW_PIN: the new one)"),
                         NULL, error) ||
      !jc_command_expect_args (argc, 1, "vault change-pin", error))
    return FALSE;
  vault = jc_vault_new (cli->vault_dir);
  old_pin = jc_cli_read_pin ("JIANCHA_PIN", _("Current PIN: "), error);
  if (old_pin == NULL)
    return FALSE;
  ok = jc_vault_unlock (vault, old_pin, error);
  new_pin = ok ? jc_cli_read_new_pin ("JIANCHA_NEW_PIN", error) : NULL;
  ok = new_pin != NULL && jc_vault_change_pin (vault, old_pin, new_pin, error);
  jc_cli_free_pin (old_pin);
  jc_cli_free_pin (new_pin);
  if (ok)
    g_print (_("The PIN of %s is changed.\n"), cli->vault_dir);
  return ok;
}

static gboolean
cmd_recover (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *escrow_file = NULL;
  g_autoptr(JcVault) vault = jc_vault_new (cli->vault_dir);
  guint8 escrow_sk[32], escrow_pk[32];
  char *new_pin;
  gboolean ok;
  GOptionEntry entries[] = {
    { "escrow-key", 0, 0, G_OPTION_ARG_FILENAME, &escrow_file,
      N_("HQ’s escrow secret key"), N_("FILE") },
    { NULL }
  };

  if (!jc_command_parse (&argc, &argv, NULL,
                         _("HQ: open a vault whose PIN is forgotten with the escrow key, and set a new PIN "
                           "(JIANCHA_NEW_PIN, or typed)"),
                         entries, error) ||
      !jc_command_expect_args (argc, 1, "vault recover --escrow-key FILE", error))
    return FALSE;
  if (escrow_file == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--escrow-key FILE is required"));
      return FALSE;
    }
  if (!read_key_file (escrow_file, escrow_sk, error))
    return FALSE;
  crypto_scalarmult_base (escrow_pk, escrow_sk);
  new_pin = jc_cli_read_new_pin ("JIANCHA_NEW_PIN", error);
  ok = new_pin != NULL && jc_vault_recover (vault, escrow_pk, escrow_sk, new_pin, error);
  sodium_memzero (escrow_sk, sizeof escrow_sk);
  jc_cli_free_pin (new_pin);
  if (ok)
    g_print (_("Recovered %s; it now opens with the new PIN.\n"), cli->vault_dir);
  return ok;
}

static const JcCommand verbs[] = {
  JC_CLI_COMMAND ("change-pin", N_("Change the PIN; the data key stays"), cmd_change_pin),
  JC_CLI_COMMAND ("check", N_("Verify every page, event and piece of evidence"), cmd_check),
  JC_CLI_COMMAND ("init", N_("Create a new vault"), cmd_init),
  JC_CLI_COMMAND ("recover", N_("HQ: reopen a vault whose PIN is forgotten"), cmd_recover),
  { NULL, NULL, NULL },
};

gboolean
jc_cli_cmd_vault (JcCli *cli, int argc, char **argv, GError **error)
{
  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

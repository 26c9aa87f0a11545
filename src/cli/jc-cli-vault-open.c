/* jc-cli-vault-open.c — the PIN and the vault, as every vault command gets them */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <sodium.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "jc-cli.h"

/* Reads a line from the terminal without echo; the buffer is wiped and
 * freed by the caller with jc_cli_free_pin(). */
static char *
read_pin_from_tty (const char *prompt, GError **error)
{
  int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC);
  struct termios saved, quiet;
  char *buf;
  gsize len = 0;
  gboolean echo_off;

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No PIN: set JIANCHA_PIN or run the command in a terminal"));
      return NULL;
    }
  buf = sodium_malloc (JC_PIN_MAX_BYTES + 2);
  echo_off = tcgetattr (fd, &saved) == 0;
  if (echo_off)
    {
      quiet = saved;
      quiet.c_lflag &= ~(ECHO | ECHONL);
      quiet.c_lflag |= ICANON;
      tcsetattr (fd, TCSAFLUSH, &quiet);
    }
  if (write (fd, prompt, strlen (prompt)) < 0)
    { /* nothing to do: the read below still works */ }
  while (len < JC_PIN_MAX_BYTES + 1)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n' || c == '\r')
        break;
      buf[len++] = c;
    }
  buf[len] = '\0';
  if (echo_off)
    tcsetattr (fd, TCSAFLUSH, &saved);
  if (write (fd, "\n", 1) < 0)
    { /* the newline is cosmetic */ }
  close (fd);
  return buf;
}

void
jc_cli_free_pin (char *pin)
{
  if (pin != NULL)
    sodium_free (pin);
}

static char *
pin_from_env (const char *var)
{
  const char *value = g_getenv (var);
  gsize len;
  char *buf;

  if (value == NULL)
    return NULL;
  len = MIN (strlen (value), JC_PIN_MAX_BYTES + 1);
  buf = sodium_malloc (len + 1);
  memcpy (buf, value, len);
  buf[len] = '\0';
  return buf;
}

char *
jc_cli_read_pin (const char *env_var, const char *prompt, GError **error)
{
  char *pin = pin_from_env (env_var);

  return pin != NULL ? pin : read_pin_from_tty (prompt, error);
}

/* A new PIN: from @env_var, or typed twice. */
char *
jc_cli_read_new_pin (const char *env_var, GError **error)
{
  char *pin = pin_from_env (env_var);
  char *again;
  gboolean same;

  if (pin != NULL)
    return pin;
  pin = read_pin_from_tty (_("New PIN: "), error);
  if (pin == NULL)
    return NULL;
  again = read_pin_from_tty (_("The new PIN again: "), error);
  if (again == NULL)
    {
      jc_cli_free_pin (pin);
      return NULL;
    }
  same = strlen (pin) == strlen (again) && sodium_memcmp (pin, again, strlen (pin)) == 0;
  jc_cli_free_pin (again);
  if (!same)
    {
      jc_cli_free_pin (pin);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The two PINs differ; nothing was changed"));
      return NULL;
    }
  return pin;
}

JcVault *
jc_cli_open_vault (JcCli *cli, GError **error)
{
  g_autoptr(JcVault) vault = jc_vault_new (cli->vault_dir);
  char *pin;
  gboolean ok;

  if (!jc_vault_exists (vault))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_NOT_FOUND,
                   _("There is no vault in %s; create one with “jiancha-cli --vault %s vault init”"),
                   cli->vault_dir, cli->vault_dir);
      return NULL;
    }
  pin = jc_cli_read_pin ("JIANCHA_PIN", _("PIN: "), error);
  if (pin == NULL)
    return NULL;
  ok = jc_vault_unlock (vault, pin, error);
  jc_cli_free_pin (pin);
  return ok ? g_steal_pointer (&vault) : NULL;
}

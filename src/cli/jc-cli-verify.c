/* jc-cli-verify.c — `jiancha-cli verify`: check a JC1 finding code offline
 *
 *   jiancha-cli verify (--png FILE | --text STRING) [--hq-key HEX]
 *
 * A finding's JC1 code, or an institution's JCA1 acknowledgment of one.
 * Exit 0 only when the code is valid (1 invalid, with the reason; 2 usage),
 * so scripts and the institution's own IT can rely on it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-cli.h"
#include "jc-core.h"

gboolean jc_cli_cmd_verify (JcCli *cli, int argc, char **argv, GError **error);

static gboolean
parse_hex_key (const char *hex,
               guint8      key[32],
               GError    **error)
{
  if (strlen (hex) != 64)
    goto bad;
  for (guint i = 0; i < 32; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        goto bad;
      key[i] = hi * 16 + lo;
    }
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--hq-key must be HQ’s Ed25519 public key as 64 hexadecimal digits, not “%s”"), hex);
  return FALSE;
}

void
jc_cli_trim_code (char *text)
{
  /* A text pasted from a file keeps its line end; Base45 has no \r or \n. */
  gsize n = strlen (text);

  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
    text[--n] = '\0';
}

char *
jc_cli_read_code (const char  *png,
                  const char  *text,
                  GError     **error)
{
  char *code;

  if ((png == NULL) == (text == NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Give the code either as a PNG image or as its text, not both"));
      return NULL;
    }
  code = png != NULL ? jc_qr_decode_png (png, error) : g_strdup (text);
  if (code != NULL)
    jc_cli_trim_code (code);
  return code;
}

gboolean
jc_cli_cmd_verify (JcCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *png = NULL;
  g_autofree char *text = NULL;
  g_autofree char *hq_hex = NULL;
  g_autofree char *description = NULL;
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 hq_pk[32];
  GOptionEntry entries[] = {
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, N_("Read the code from a PNG image"), N_("FILE") },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, N_("The code’s text, starting with JC1:"), N_("STRING") },
    { "hq-key", 0, 0, G_OPTION_ARG_STRING, &hq_hex,
      N_("Also check the signer’s certificate against HQ’s public key"), N_("HEX") },
    { NULL }
  };

  if (!jc_cli_parse_options (&argc, &argv, NULL, _("Verify a finding’s JC1 QR code"), entries, error)
      || !jc_cli_expect_args (argc, 1, "verify (--png FILE | --text STRING) [--hq-key HEX]", error))
    return FALSE;
  if ((png == NULL) == (text == NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Give exactly one of --png FILE and --text STRING"));
      return FALSE;
    }
  if (hq_hex != NULL && !parse_hex_key (hq_hex, hq_pk, error))
    return FALSE;

  if (png != NULL && (text = jc_cli_read_code (png, NULL, error)) == NULL)
    return FALSE;
  jc_cli_trim_code (text);

  /* An institution's acknowledgment is of the same family: say what it is. */
  if (g_str_has_prefix (text, JC_ACK_PREFIX))
    {
      g_autoptr(JcAck) ack = jc_ack_decode_verify (text, &local_error);

      if (ack == NULL)
        {
          g_set_error (error, local_error->domain, local_error->code, _("INVALID: %s"), local_error->message);
          return FALSE;
        }
      description = jc_ack_describe (ack);
      g_print ("%s", description);
      g_print (_("VALID: an acknowledgment signed by the institution’s key it names\n"));
      return TRUE;
    }

  if (!jc_jc1_decode_verify (text, hq_hex != NULL ? hq_pk : NULL, &claims, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, _("INVALID: %s"), local_error->message);
      return FALSE;
    }

  description = jc_jc1_claims_describe (claims);
  g_print ("%s", description);
  if (hq_hex != NULL)
    g_print (_("HQ certificate: verified against the given HQ key\n"));
  else if (claims->has_certificate)
    g_print (_("HQ certificate: not checked (give --hq-key to check it)\n"));
  g_print (_("VALID: the signature verifies; this is the finding as it was sealed\n"));
  return TRUE;
}

/* jc-base45.c — Base45 (RFC 9285)
 *
 * Two bytes become three characters, least significant first; a last odd
 * byte becomes two. The alphabet is exactly QR's alphanumeric set, so a
 * Base45 text fills a QR code at 5.5 bits per character.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "jc-base45.h"

G_DEFINE_QUARK (jc-base45-error-quark, jc_base45_error)

static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

char *
jc_base45_encode (const guint8 *data,
                  gsize         len)
{
  char *out = g_malloc (len / 2 * 3 + (len % 2) * 2 + 1);
  char *p = out;
  gsize i;

  for (i = 0; i + 1 < len; i += 2)
    {
      guint n = data[i] * 256u + data[i + 1];

      *p++ = alphabet[n % 45];
      *p++ = alphabet[(n / 45) % 45];
      *p++ = alphabet[n / (45 * 45)];
    }
  if (i < len)
    {
      *p++ = alphabet[data[i] % 45];
      *p++ = alphabet[data[i] / 45];
    }
  *p = '\0';
  return out;
}

static int
value_of (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'Z')
    return c - 'A' + 10;
  switch (c)
    {
    case ' ': return 36;
    case '$': return 37;
    case '%': return 38;
    case '*': return 39;
    case '+': return 40;
    case '-': return 41;
    case '.': return 42;
    case '/': return 43;
    case ':': return 44;
    default:  return -1;
    }
}

/* A character for an error message: printable ASCII as is, anything else as
 * a code so that a stray control byte or half a UTF-8 sequence is visible. */
static char *
describe_char (char c)
{
  if (c > ' ' && c < 0x7f)
    return g_strdup_printf ("“%c”", c);
  return g_strdup_printf ("byte 0x%02X", (guint) (guchar) c);
}

guint8 *
jc_base45_decode (const char  *text,
                  gsize        len,
                  gsize       *out_len,
                  GError     **error)
{
  g_autofree guint8 *out = NULL;
  gsize n = 0;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  /* Check every character first, so the error names the first bad one. */
  for (gsize i = 0; i < len; i++)
    if (value_of (text[i]) < 0)
      {
        g_autofree char *what = describe_char (text[i]);

        g_set_error (error, JC_BASE45_ERROR, JC_BASE45_ERROR_INVALID_CHARACTER,
                     _("Invalid Base45 character %s at position %zu"),
                     what, i);
        return NULL;
      }

  if (len % 3 == 1)
    {
      g_set_error (error, JC_BASE45_ERROR, JC_BASE45_ERROR_INVALID_LENGTH,
                   _("Base45 text of %zu characters is truncated "
                     "(a length of the form 3n+1 is impossible)"), len);
      return NULL;
    }

  out = g_malloc (len / 3 * 2 + 2);
  for (gsize i = 0; i < len; i += 3)
    {
      if (i + 3 <= len)
        {
          guint v = value_of (text[i]) + value_of (text[i + 1]) * 45u
                    + value_of (text[i + 2]) * 45u * 45u;

          if (v > 0xffff)
            {
              g_set_error (error, JC_BASE45_ERROR, JC_BASE45_ERROR_OUT_OF_RANGE,
                           _("Invalid Base45 group “%.3s” at position %zu"
                             ": its value %u is over 65535"), text + i, i, v);
              return NULL;
            }
          out[n++] = v >> 8;
          out[n++] = v & 0xff;
        }
      else
        {
          guint v = value_of (text[i]) + value_of (text[i + 1]) * 45u;

          if (v > 0xff)
            {
              g_set_error (error, JC_BASE45_ERROR, JC_BASE45_ERROR_OUT_OF_RANGE,
                           _("Invalid Base45 group “%.2s” at position %zu"
                             ": its value %u is over 255"), text + i, i, v);
              return NULL;
            }
          out[n++] = v;
        }
    }

  if (out_len != NULL)
    *out_len = n;
  return g_steal_pointer (&out);
}

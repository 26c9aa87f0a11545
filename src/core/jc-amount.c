/* jc-amount.c — money as an exact number of fen (分), never a float */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "jc-amount.h"

G_DEFINE_QUARK (jc-amount-error-quark, jc_amount_error)

gboolean
jc_amount_parse_yuan (const char  *text,
                      guint64     *out_fen,
                      GError     **error)
{
  guint64 yuan = 0, fen = 0;
  const char *p = text;
  guint n_int = 0, n_frac = 0;

  g_return_val_if_fail (out_fen != NULL, FALSE);

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_INVALID,
                   _("The amount is empty: write it in yuan, such as 1234.56"));
      return FALSE;
    }
  if (*p == '-')
    {
      g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_INVALID,
                   _("The amount “%s” is negative: an amount involved is 0 or more"), text);
      return FALSE;
    }

  for (; g_ascii_isdigit (*p); p++, n_int++)
    {
      /* stop long before guint64 could wrap; the limit check follows */
      if (yuan > JC_AMOUNT_MAX_FEN)
        {
          g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_OVERFLOW,
                       _("The amount “%s” is too large (at most %s yuan)"), text, "9999999999999.99");
          return FALSE;
        }
      yuan = yuan * 10 + (guint64) (*p - '0');
    }
  if (*p == '.')
    {
      p++;
      for (; g_ascii_isdigit (*p); p++, n_frac++)
        {
          if (n_frac >= 2)
            {
              g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_INVALID,
                           _("The amount “%s” has more than 2 decimals: amounts are exact to the fen (0.01 yuan)"),
                           text);
              return FALSE;
            }
          fen = fen * 10 + (guint64) (*p - '0');
        }
      if (n_frac == 0)
        n_int = 0;  /* "12." is refused like garbage below */
      if (n_frac == 1)
        fen *= 10;
    }
  if (*p != '\0' || n_int == 0)
    {
      g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_INVALID,
                   _("The amount “%s” is not a number of yuan such as 1234.56 (digits, at most one point and 2 decimals)"),
                   text);
      return FALSE;
    }
  if (yuan > JC_AMOUNT_MAX_FEN / 100 || yuan * 100 + fen > JC_AMOUNT_MAX_FEN)
    {
      g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_OVERFLOW,
                   _("The amount “%s” is too large (at most %s yuan)"), text, "9999999999999.99");
      return FALSE;
    }
  *out_fen = yuan * 100 + fen;
  return TRUE;
}

char *
jc_amount_format_yuan (guint64 fen)
{
  return g_strdup_printf ("%" PRIu64 ".%02u", fen / 100, (guint) (fen % 100));
}

/* jc-amount.h — money as an exact number of fen (分), never a float
 *
 * Amounts involved are typed in yuan ("1234.56") and stored in fen
 * (123456): the arithmetic of a fund must not round.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_AMOUNT_ERROR (jc_amount_error_quark ())

typedef enum {
  JC_AMOUNT_ERROR_INVALID,   /* not a plain non-negative decimal with at most 2 places */
  JC_AMOUNT_ERROR_OVERFLOW,  /* above JC_AMOUNT_MAX_FEN */
} JcAmountError;

/* 9 999 999 999 999.99 yuan: far above any case, and a sum of thousands
 * of them still fits a signed 64-bit integer (JSON, SQLite). */
#define JC_AMOUNT_MAX_FEN G_GUINT64_CONSTANT (999999999999999)

GQuark    jc_amount_error_quark (void);

/* "0", "12", "0.5", "1234.56" → fen. Refuses a sign, a third decimal,
 * spaces, separators, exponents and anything else. */
gboolean  jc_amount_parse_yuan  (const char  *text,
                                 guint64     *out_fen,
                                 GError     **error);
/* 123456 → "1234.56" (always two decimals). */
char     *jc_amount_format_yuan (guint64      fen);

G_END_DECLS

/* jc-base45.h — Base45 (RFC 9285), the text form of the JC1 QR payload */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_BASE45_ERROR (jc_base45_error_quark ())

typedef enum {
  JC_BASE45_ERROR_INVALID_CHARACTER,  /* a character outside the 45-letter alphabet */
  JC_BASE45_ERROR_INVALID_LENGTH,     /* length % 3 == 1: a truncated text */
  JC_BASE45_ERROR_OUT_OF_RANGE,       /* a group encodes a value over 65535 (or 255) */
} JcBase45Error;

GQuark  jc_base45_error_quark (void);

/* Returns a newly allocated NUL-terminated string of only the characters
 * 0-9 A-Z space $ % * + - . / : (the QR alphanumeric set). */
char   *jc_base45_encode      (const guint8 *data,
                               gsize         len);

/* Decodes @len characters of @text (not NUL-terminated necessarily).
 * Errors name the offending position (0-based) and character. */
guint8 *jc_base45_decode      (const char   *text,
                               gsize         len,
                               gsize        *out_len,
                               GError      **error);

G_END_DECLS

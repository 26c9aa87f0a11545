/* jc-jc1-private.h — the machinery JC1 shares with its sibling codes
 *
 * A code of the JC1 family is PREFIX + Base45 (zlib (COSE_Sign1)), with the
 * protected header {1: -8} (EdDSA), the unprotected header {4: kid} and an
 * Ed25519 signature over ["Signature1", protected, h'', payload]; only the
 * payload (a CBOR map of integer keys) differs. jc-jc1.c holds this once;
 * the acknowledgment (jc-ack.c) uses it too. Deterministic CBOR only, with
 * the same strictness as JC1 (see jc-jc1.c). Errors are in JC_JC1_ERROR.
 */
#pragma once

#include <cbor.h>
#include <glib.h>

G_BEGIN_DECLS

/* An opened, not yet verified, COSE_Sign1. */
typedef struct {
  GBytes *payload;
  guint8  kid[8];
  guint8  signature[64];
} JcJc1Envelope;

void          jc_jc1_envelope_clear  (JcJc1Envelope *env);

/* Signs @payload with @sk (seed || public key) and returns @prefix + Base45
 * (zlib (COSE_Sign1)). */
char         *jc_jc1_envelope_seal   (const char    *prefix,
                                      GBytes        *payload,
                                      const guint8   sk[64],
                                      GError       **error);

/* Checks @prefix (@code_name names the format in the message), Base45, zlib
 * (at most JC_JC1_MAX_COSE_SIZE) and the COSE_Sign1 shape. */
gboolean      jc_jc1_envelope_open   (const char    *text,
                                      const char    *prefix,
                                      const char    *code_name,
                                      JcJc1Envelope *out,
                                      GError       **error);

/* The kid is that of @pk (else JC_JC1_ERROR_COSE naming @signer) and the
 * signature verifies with @pk (else JC_JC1_ERROR_SIGNATURE, @altered). */
gboolean      jc_jc1_envelope_verify (const JcJc1Envelope *env,
                                      const guint8         pk[32],
                                      const char          *signer,
                                      const char          *altered,
                                      GError             **error);

cbor_item_t  *jc_jc1_cbor_uint       (guint64 v);
void          jc_jc1_cbor_map_put    (cbor_item_t *map,
                                      guint64      key,
                                      cbor_item_t *value);
GBytes       *jc_jc1_cbor_serialize  (cbor_item_t *item);
/* Well-formed deterministic CBOR, one item from @start to the end. */
cbor_item_t  *jc_jc1_cbor_load       (const guint8 *p,
                                      gsize         len,
                                      gsize         start,
                                      const char   *what,
                                      GError      **error);
const char   *jc_jc1_cbor_type_name  (const cbor_item_t *item);
gboolean      jc_jc1_cbor_get_bytes  (const cbor_item_t *item,
                                      gsize              n,
                                      guint8            *out,
                                      int                code,
                                      const char        *what,
                                      GError           **error);
gboolean      jc_jc1_cbor_get_uint   (const cbor_item_t *item,
                                      guint64           *out,
                                      const char        *what,
                                      GError           **error);
/* Valid UTF-8, no NUL, not empty. */
gboolean      jc_jc1_cbor_get_text   (const cbor_item_t *item,
                                      char             **out,
                                      const char        *what,
                                      GError           **error);
/* Integer keys ascending, unique, within 1..@max_key and not @forbidden. */
gboolean      jc_jc1_cbor_check_keys (const cbor_item_t *map,
                                      guint64            max_key,
                                      guint64            forbidden,
                                      const char        *what,
                                      GError           **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (JcJc1Envelope, jc_jc1_envelope_clear)

char         *jc_jc1_hex             (const guint8 *data,
                                      gsize         len);
/* ISO 8601 in local time, for `verify`; and as people read it. */
char         *jc_jc1_format_time     (guint64       t);
char         *jc_jc1_format_local_time (guint64     t);

G_END_DECLS

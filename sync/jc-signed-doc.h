/* jc-signed-doc.h — HQ's signed JSON documents: receipts and updates
 *
 *   envelope = {"document": base64 (DOC), "kid": hex8, "signature": hex64}
 *   signature = Ed25519 (HQ, "JC-DOC1" || DOC)
 *
 * DOC is a JSON object whose "type" names what it is ("receipt",
 * "updates"), so a signed receipt can never pass for an update. The
 * signature covers the exact bytes, carried base64 so no JSON re-encoding
 * can change them.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define JC_SIGNED_DOC_MAX (16 * 1024 * 1024)

/* @doc: a JSON object with a "type" member. Returns the envelope text. */
char       *jc_signed_doc_wrap   (const guint8  secret_key[64],
                                  const guint8  public_key[32],
                                  JsonBuilder  *doc);
/* Checks the envelope against @public_key and the document's type;
 * returns the parsed document (its root is an object). */
JsonParser *jc_signed_doc_unwrap (const char   *envelope,
                                  gsize         len,
                                  const guint8  public_key[32],
                                  const char   *type,
                                  GError      **error);

G_END_DECLS

/* jc-assignments.h — HQ's signed plan of assignments, as devices get it
 *
 * HQ draws a plan (jiancha-hq plan draw) and signs its document, a JSON
 * text, with its Ed25519 key. The document travels verbatim inside an
 * envelope, so that no re-encoding can change the bytes that were signed:
 *
 *   {"plan_id": "…", "document": "<the JSON text>",
 *    "signature": "<128 hex>", "hq_key": "<64 hex>"}
 *
 * The signature is over "JC-PLAN1", a NUL byte, then the document's bytes.
 * The document: {"format": "JC-PLAN1", "plan_id", "seed", "directory",
 * "roster", "team_size", "max_load", "counts": […], "assignments": [{"code",
 * "name", "county", "type", "level" (hospitals), "reason", "team": [names]}]}.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define JC_ASSIGNMENTS_ERROR (jc_assignments_error_quark ())
#define JC_ASSIGNMENTS_FORMAT "JC-PLAN1"

typedef enum {
  JC_ASSIGNMENTS_ERROR_MALFORMED,  /* not an envelope, or not a plan inside */
  JC_ASSIGNMENTS_ERROR_SIGNATURE,  /* not signed by the expected HQ key */
} JcAssignmentsError;

GQuark      jc_assignments_error_quark (void);

/* The bytes signed for @document: "JC-PLAN1\0" + @document. */
GBytes     *jc_assignments_message     (const char    *document);

/* Checks @envelope's signature with @hq_key (HQ's pinned public key) and
 * returns the document, parsed; *document_text (may be NULL) gets its text. */
JsonObject *jc_assignments_verify      (const char    *envelope,
                                        const guint8   hq_key[32],
                                        char         **document_text,
                                        GError       **error);

G_END_DECLS

/* jc-ack.h — the institution's signed acknowledgment of a finding (JCA1)
 *
 * DESIGN.md "way 2": the institution's own device scans a finding's JC1
 * code, verifies it, and its representative answers with this code, which
 * the inspector's device scans and records (jc_finding_record_ack()). The
 * finding's JC1 code then carries claims 12.4 and 12.5.
 *
 * QR text = "JCA1:" + Base45 (zlib (COSE_Sign1)), exactly the JC1 envelope
 * (protected {1: -8}, unprotected {4: kid}, Ed25519 over the Sig_structure,
 * deterministic CBOR, at most 64 KiB inflated), signed by the institution
 * device's own key. The payload is a CBOR map with integer keys:
 *
 *   1  format version (1)
 *   2  finding id (16 bytes)                 = the finding's claim 2
 *   3  SHA-256 of the finding record (32)    = the finding's claim 9
 *   4  institution code (text)               = the finding's claim 4
 *   5  answer: 0 confirmed, 1 disputed       (a refusal is never signed)
 *   6  the representative's name (text)
 *   7  their title (text, optional)
 *   8  the reason of a dispute (text, present exactly when disputed)
 *   9  answered at (Unix seconds)
 *   10 the institution's Ed25519 public key (32 bytes): the COSE signer
 *   11 the institution's Ed25519 signature over the 32 bytes of key 3
 *      (64 bytes): what the finding's JC1 claim 12.5 carries, with key 10
 *      as claim 12.4
 *
 * The COSE signature covers the whole answer (name, reason); key 11 is
 * what travels on in the finding's own code, where anyone can check it
 * against claim 9 without this acknowledgment.
 */
#pragma once

#include <glib.h>

#include "jc-jc1.h"

G_BEGIN_DECLS

#define JC_ACK_ERROR (jc_ack_error_quark ())

typedef enum {
  JC_ACK_ERROR_PREFIX,     /* not "JCA1:" */
  JC_ACK_ERROR_INVALID,    /* not a well-formed acknowledgment */
  JC_ACK_ERROR_SIGNATURE,  /* a signature does not verify */
  JC_ACK_ERROR_MISMATCH,   /* it answers another finding, or another version of it */
  JC_ACK_ERROR_ANSWER,     /* a bad answer: no name, a dispute without a reason */
} JcAckError;

#define JC_ACK_PREFIX  "JCA1:"
#define JC_ACK_VERSION 1

typedef struct {
  guint64      version;
  guint8       finding_id[16];
  guint8       record_sha256[32];
  char        *institution_code;
  JcJc1Status  status;           /* confirmed or disputed */
  char        *name;
  char        *title;            /* NULL when none */
  char        *reason;           /* NULL unless disputed */
  guint64      answered_at;
  guint8       institution_key[32];
  guint8       institution_signature[64];
} JcAck;

GQuark    jc_ack_error_quark    (void);
void      jc_ack_free           (JcAck             *ack);

/* The institution's side: @finding is a verified JC1 code's claims; signs
 * the answer with @sk (the institution device's key, seed || public key)
 * and returns the JCA1 text. @title may be NULL; @reason only for a dispute. */
char     *jc_ack_make           (const JcJc1Claims *finding,
                                 JcJc1Status        status,
                                 const char        *name,
                                 const char        *title,
                                 const char        *reason,
                                 const guint8       sk[64],
                                 GError           **error);

/* Decodes @text and verifies both of its signatures. */
JcAck    *jc_ack_decode_verify  (const char        *text,
                                 GError           **error);

/* Fails (JC_ACK_ERROR_MISMATCH, naming what differs) unless @ack answers
 * the finding @finding_id whose record digests to @record_sha256. */
gboolean  jc_ack_check_matches  (const JcAck       *ack,
                                 const guint8       finding_id[16],
                                 const guint8       record_sha256[32],
                                 GError           **error);

/* Multi-line text in words ("Answer: …\n…"). */
char     *jc_ack_describe       (const JcAck       *ack);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcAck, jc_ack_free)

G_END_DECLS

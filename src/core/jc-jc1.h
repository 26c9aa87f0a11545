/* jc-jc1.h — the JC1 QR format: a finding, signed, in a few hundred characters
 *
 * QR text = "JC1:" + Base45 (zlib (COSE_Sign1 (claims))), see DESIGN.md
 * "The QR format JC1". This is a public interface: other programs verify
 * it with standard tools, so the bytes must never drift.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_JC1_ERROR (jc_jc1_error_quark ())

typedef enum {
  JC_JC1_ERROR_PREFIX,                 /* the text does not start with "JC1:" */
  JC_JC1_ERROR_BASE45,                 /* not Base45 */
  JC_JC1_ERROR_INFLATE,                /* not a complete zlib stream */
  JC_JC1_ERROR_TOO_LARGE,              /* inflates beyond JC_JC1_MAX_COSE_SIZE */
  JC_JC1_ERROR_COSE,                   /* not a COSE_Sign1 of the JC1 shape */
  JC_JC1_ERROR_CLAIMS,                 /* the claims are not of the JC1 shape */
  JC_JC1_ERROR_SIGNATURE,              /* the signer's signature does not verify */
  JC_JC1_ERROR_CERTIFICATE,            /* the HQ certificate does not verify / expired */
  JC_JC1_ERROR_NOT_ENROLLED,           /* an HQ key was given but there is no certificate */
  JC_JC1_ERROR_INSTITUTION_SIGNATURE,  /* claim 12.5 does not verify */
  JC_JC1_ERROR_INVALID,                /* jc_jc1_encode() was given claims it cannot sign */
} JcJc1Error;

#define JC_JC1_PREFIX        "JC1:"
#define JC_JC1_VERSION       1
/* A finding is a few hundred bytes: anything inflating beyond this is a bomb. */
#define JC_JC1_MAX_COSE_SIZE (64 * 1024)

typedef enum {
  JC_JC1_STATUS_CONFIRMED = 0,
  JC_JC1_STATUS_DISPUTED  = 1,
  JC_JC1_STATUS_REFUSED   = 2,
} JcJc1Status;

/* Claim 11: [device_id, hq_kid, not_after, hq_signature]; HQ's signature is
 * over the CBOR ["JC-CERT", device_id, device_public_key, not_after]. */
typedef struct {
  guint8  device_id[16];
  guint8  hq_kid[8];          /* first 8 bytes of SHA-256 of HQ's public key */
  guint64 not_after;          /* Unix seconds */
  guint8  hq_signature[64];
} JcJc1Certificate;

/* Claim 12: {1: status, 2: name, 4: institution key?, 5: signature over claim 9?} */
typedef struct {
  JcJc1Status status;
  char       *name;           /* the representative's name (UTF-8, not empty) */
  gboolean    has_institution_key;
  guint8      institution_key[32];
  gboolean    has_institution_signature;  /* requires has_institution_key */
  guint8      institution_signature[64];
} JcJc1Confirmation;

typedef struct {
  guint64            version;           /* 1: always JC_JC1_VERSION */
  guint8             finding_id[16];    /* 2 */
  guint8             inspection_id[16]; /* 3 */
  char              *institution_code;  /* 4 */
  char              *checklist;         /* 5: "id@version" */
  GStrv              item_codes;        /* 6: NULL-terminated, may be empty */
  guint64            amount_fen;        /* 7 */
  guint64            sealed_at;         /* 8: Unix seconds */
  guint8             record_sha256[32]; /* 9 */
  guint8             signer_key[32];    /* 10: Ed25519 public key */
  gboolean           has_certificate;   /* 11 */
  JcJc1Certificate   certificate;
  gboolean           has_confirmation;  /* 12 */
  JcJc1Confirmation  confirmation;
} JcJc1Claims;

GQuark       jc_jc1_error_quark        (void);

JcJc1Claims *jc_jc1_claims_new         (void);
JcJc1Claims *jc_jc1_claims_copy        (const JcJc1Claims *claims);
gboolean     jc_jc1_claims_equal       (const JcJc1Claims *a,
                                        const JcJc1Claims *b);
void         jc_jc1_claims_free        (JcJc1Claims       *claims);

/* Signs @claims with the Ed25519 secret key @sk (libsodium layout: seed ||
 * public key; the public key must equal claim 10) and returns the QR text. */
gboolean     jc_jc1_encode             (const JcJc1Claims *claims,
                                        const guint8       sk[64],
                                        char             **out_text,
                                        GError           **error);

/* Decodes and verifies a QR text: prefix, Base45, zlib (at most 64 KiB),
 * COSE_Sign1, claims, the signer's signature, the institution's signature
 * when there is one, and — when @expected_hq_pk is not NULL — the signer's
 * certificate (present, issued by that key, valid at sealing time).
 * Strict: only the deterministic CBOR encoding jc_jc1_encode() makes is
 * accepted, and unknown claims are rejected (a verifier must never vouch for
 * a claim it cannot show). On success *out owns the claims. */
gboolean     jc_jc1_decode_verify      (const char        *text,
                                        const guint8      *expected_hq_pk,
                                        JcJc1Claims      **out,
                                        GError           **error);

/* HQ's side of enrollment: signs ["JC-CERT", device_id, device_pk, not_after]. */
gboolean     jc_jc1_make_certificate   (const guint8       hq_sk[64],
                                        const guint8       device_id[16],
                                        const guint8       device_pk[32],
                                        guint64            not_after,
                                        JcJc1Certificate  *out,
                                        GError           **error);

/* The exact bytes HQ signs for a certificate (CBOR). */
GBytes      *jc_jc1_certificate_message (const guint8      device_id[16],
                                         const guint8      device_pk[32],
                                         guint64           not_after);

/* Verifies @cert for @device_pk against @hq_pk (the kid and the signature;
 * not the date: the caller knows what time matters). */
gboolean     jc_jc1_certificate_verify (const JcJc1Certificate *cert,
                                        const guint8            device_pk[32],
                                        const guint8            hq_pk[32],
                                        GError                **error);

/* kid = first 8 bytes of SHA-256 of an Ed25519 public key. */
void         jc_jc1_kid                (const guint8       pk[32],
                                        guint8             kid[8]);

/* Multi-line human-readable text ("Institution: …\n…"), for `verify` and the
 * app's scan screen. Times in local time, amounts in yuan. */
char        *jc_jc1_claims_describe    (const JcJc1Claims *claims);

const char  *jc_jc1_status_to_string   (JcJc1Status        status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcJc1Claims, jc_jc1_claims_free)

G_END_DECLS

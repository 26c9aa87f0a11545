/* jc-bundle.h — JCB1: what a device ships to HQ, over HTTP or on a USB stick
 *
 * A bundle holds a device's own events that HQ has not acknowledged and the
 * manifests of the evidence they name, signed by the device and sealed to
 * HQ, so it is the same end-to-end protected file whichever way it travels:
 *
 *   bundle  = "JCB1" || crypto_box_seal (inner, X25519 (HQ's Ed25519 key))
 *   inner   = device_id[16] || signature[64] || body
 *   body    = "JCB1" || version u8 (1) || created u64 (Unix s)
 *             || n_events u32 || n_events × (len u32 || JCE1 event[len] || sig[64])
 *             || n_blobs u32  || n_blobs × (sha256[32] || size u64 || key[32]
 *                                           || media_len u16 || media_type)
 *   signature = Ed25519 (device, "JCB1-bundle" || device_id || body)
 *
 * Integers are big-endian. HQ checks the signature with the key it enrolled
 * the device with before it parses a byte of the body. Every event must be
 * the device's own; events keep their own signatures, checked at merge.
 * A blob's key is its transport key (jc-blob-crypt.h): the evidence itself
 * travels separately, encrypted under it, through PUT /v1/blobs/{sha256}.
 */
#pragma once

#include <glib.h>

#include "jc-core.h"

G_BEGIN_DECLS

#define JC_BUNDLE_ERROR (jc_bundle_error_quark ())

typedef enum {
  JC_BUNDLE_ERROR_MAGIC,           /* not a JCB1 bundle at all */
  JC_BUNDLE_ERROR_SEAL,            /* not sealed to this HQ, or altered */
  JC_BUNDLE_ERROR_MALFORMED,       /* truncated or of the wrong shape */
  JC_BUNDLE_ERROR_UNKNOWN_DEVICE,  /* a device HQ has not enrolled, or revoked */
  JC_BUNDLE_ERROR_SIGNATURE,       /* the device's signature does not verify */
  JC_BUNDLE_ERROR_TOO_LARGE,       /* over the limits below */
} JcBundleError;

#define JC_BUNDLE_MAGIC       "JCB1"
#define JC_BUNDLE_VERSION     1
/* One HTTP request; a device with more to send makes several bundles. */
#define JC_BUNDLE_MAX_SIZE    (64 * 1024 * 1024)
#define JC_BUNDLE_MAX_EVENTS  100000
#define JC_BUNDLE_MAX_BLOBS   100000
#define JC_BUNDLE_MEDIA_MAX   255

typedef struct {
  guint8   sha256[32];
  guint64  size;
  guint8   key[32];           /* the transport key */
  char    *media_type;
} JcBundleBlob;

typedef struct {
  guint8     device_id[16];
  char       device_hex[33];
  guint8     public_key[32];  /* the device's, as the key function gave it */
  gint64     created;
  GPtrArray *events;          /* JcEvent, signature set, not yet verified */
  GPtrArray *blobs;           /* JcBundleBlob */
  guint8     digest[32];      /* SHA-256 of the sealed bytes: receipts name it */
} JcBundle;

/* Looks up the Ed25519 key HQ enrolled @device_id with; fails with
 * JC_BUNDLE_ERROR_UNKNOWN_DEVICE (unknown or revoked) or another error. */
typedef gboolean (*JcBundleKeyFunc) (const guint8   device_id[16],
                                     guint8         public_key[32],
                                     gpointer       user_data,
                                     GError       **error);

GQuark        jc_bundle_error_quark (void);

/* @events: JcEvent of @device, signed; @blobs: JcBundleBlob (may be NULL). */
GBytes       *jc_bundle_seal        (const JcDevice  *device,
                                     GPtrArray       *events,
                                     GPtrArray       *blobs,
                                     gint64           created,
                                     const guint8     hq_public_key[32],
                                     GError         **error);
/* Signs and seals @body as it stands — the one step jc_bundle_seal() ends
 * with; tests and the fuzzer use it to put any body in a valid seal. */
GBytes       *jc_bundle_seal_body   (const JcDevice  *device,
                                     const guint8    *body,
                                     gsize            len,
                                     const guint8     hq_public_key[32],
                                     GError         **error);
/* HQ's side: @hq_secret_key is HQ's 64-byte Ed25519 secret key.
 * @device_hex (33 bytes, may be NULL) gets the sender's id once the seal
 * opens, so a refusal can still name the device. */
JcBundle     *jc_bundle_open        (GBytes          *sealed,
                                     const guint8     hq_public_key[32],
                                     const guint8     hq_secret_key[64],
                                     JcBundleKeyFunc  key_func,
                                     gpointer         user_data,
                                     char            *device_hex,
                                     GError         **error);
void          jc_bundle_free        (JcBundle        *bundle);
void          jc_bundle_blob_free   (JcBundleBlob    *blob);
/* SHA-256 of a sealed bundle, as jc_bundle_open() puts in digest. */
void          jc_bundle_digest      (GBytes          *sealed,
                                     guint8           digest[32]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcBundle, jc_bundle_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcBundleBlob, jc_bundle_blob_free)

G_END_DECLS

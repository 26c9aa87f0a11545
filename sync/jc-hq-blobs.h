/* jc-hq-blobs.h — evidence at HQ: resumable upload, verified, kept encrypted
 *
 * A blob can be uploaded once a bundle announced it (its manifest brings
 * the size and the transport key, see jc-blob-crypt.h). The ciphertext
 * arrives in pieces, each appended at the offset HQ confirms; a piece at
 * another offset is refused with the offset HQ holds, so a client resumes
 * from there after any break. The last piece triggers the check: every
 * chunk authenticates and the plaintext's SHA-256 is the blob's name —
 * only then is it complete. The ciphertext is what HQ keeps.
 *
 *   HQDIR/blobs/partial/SHA256   while it arrives
 *   HQDIR/blobs/ab/SHA256        complete and verified
 */
#pragma once

#include <gio/gio.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

#define JC_HQ_BLOBS_ERROR (jc_hq_blobs_error_quark ())

typedef enum {
  JC_HQ_BLOBS_ERROR_NOT_FOUND,  /* no bundle announced it: HTTP 404 */
  JC_HQ_BLOBS_ERROR_OFFSET,     /* not at the offset HQ holds: HTTP 409 */
  JC_HQ_BLOBS_ERROR_INVALID,    /* a range beyond the blob's size: HTTP 416 */
  JC_HQ_BLOBS_ERROR_CORRUPT,    /* complete but fails the check: HTTP 422 */
  JC_HQ_BLOBS_ERROR_IO,         /* HQ could not store it: HTTP 500 */
} JcHqBlobsError;

typedef struct {
  guint64  size;        /* plaintext */
  guint64  total;       /* ciphertext: what the upload sends */
  guint64  received;    /* ciphertext bytes HQ holds */
  gboolean complete;
} JcHqBlobState;

GQuark   jc_hq_blobs_error_quark (void);

gboolean jc_hq_blobs_state       (JcHqStore      *store,
                                  const char     *sha256_hex,
                                  JcHqBlobState  *state,
                                  GError        **error);
gboolean jc_hq_blobs_append      (JcHqStore      *store,
                                  const char     *sha256_hex,
                                  guint64         offset,
                                  const guint8   *data,
                                  gsize           len,
                                  JcHqBlobState  *state,
                                  GError        **error);
/* Takes in a whole ciphertext file (SHA256.jcblob from a USB stick), from
 * the offset HQ holds, through the same checks as an upload. */
gboolean jc_hq_blobs_import_file (JcHqStore      *store,
                                  const char     *sha256_hex,
                                  const char     *path,
                                  JcHqBlobState  *state,
                                  GError        **error);
/* Checks every complete blob again: each chunk and its SHA-256. */
gboolean jc_hq_blobs_verify_all  (JcHqStore      *store,
                                  guint          *out_checked,
                                  GError        **error);
/* Decrypts a complete blob into @out, checking it again. */
gboolean jc_hq_blobs_read        (JcHqStore      *store,
                                  const char     *sha256_hex,
                                  GOutputStream  *out,
                                  GError        **error);

G_END_DECLS

/* jc-blobstore.h — encrypted evidence files in VAULT/blobs/ */
#pragma once

#include <gio/gio.h>

#include "jc-secret.h"

G_BEGIN_DECLS

#define JC_BLOBSTORE_ERROR (jc_blobstore_error_quark ())

typedef enum {
  JC_BLOBSTORE_ERROR_IO,        /* reading or writing failed */
  JC_BLOBSTORE_ERROR_NO_SPACE,  /* disk full or file size limit while storing */
  JC_BLOBSTORE_ERROR_NOT_FOUND, /* no blob with that hash */
  JC_BLOBSTORE_ERROR_CORRUPT,   /* a chunk failed authentication, truncation, hash mismatch */
  JC_BLOBSTORE_ERROR_INVALID,   /* a malformed hash string */
} JcBlobstoreError;

#define JC_BLOB_CHUNK_BYTES (64 * 1024)

typedef struct _JcBlobstore JcBlobstore;

typedef struct {
  guint8   sha256[32];        /* of the plaintext */
  char     sha256_hex[65];
  guint64  size;              /* plaintext bytes */
  char    *media_type;        /* e.g. "image/jpeg" */
  char    *stored_name;       /* "ab/cdef…" relative to the store directory */
  gboolean deduplicated;      /* the same content was already stored */
} JcBlobInfo;

GQuark       jc_blobstore_error_quark  (void);

void         jc_blob_info_free         (JcBlobInfo     *info);

/* Parses 64 hex digits into 32 bytes. */
gboolean     jc_blob_hash_from_hex     (const char     *hex,
                                        guint8          sha256[32],
                                        GError        **error);

/* @dir is VAULT/blobs (created 0700 when missing); the store keeps its own
 * subkeys of @dek, not @dek itself. */
JcBlobstore *jc_blobstore_new          (const char     *dir,
                                        const JcSecret *dek,
                                        GError        **error);
void         jc_blobstore_free         (JcBlobstore    *store);
const char  *jc_blobstore_get_dir      (JcBlobstore    *store);

/* Streams @in into the store in constant memory.  @media_type NULL: sniffed
 * from the first chunk and @name_hint (a file name, may be NULL). */
JcBlobInfo  *jc_blobstore_add_stream   (JcBlobstore    *store,
                                        GInputStream   *in,
                                        const char     *media_type,
                                        const char     *name_hint,
                                        GCancellable   *cancellable,
                                        GError        **error);
JcBlobInfo  *jc_blobstore_add_file     (JcBlobstore    *store,
                                        const char     *path,
                                        const char     *media_type,
                                        GCancellable   *cancellable,
                                        GError        **error);

gboolean     jc_blobstore_has          (JcBlobstore    *store,
                                        const guint8    sha256[32]);
/* The file that holds the blob (whether or not it exists). */
char        *jc_blobstore_path_for     (JcBlobstore    *store,
                                        const guint8    sha256[32]);

/* Decrypts into @out, verifying every chunk, the end of the stream, and
 * the plaintext SHA-256.  On failure @out may have received a prefix:
 * use jc_blobstore_read_to_path() to never see unverified data. */
gboolean     jc_blobstore_read_to      (JcBlobstore    *store,
                                        const guint8    sha256[32],
                                        GOutputStream  *out,
                                        GCancellable   *cancellable,
                                        GError        **error);
/* Writes a temp file next to @out_path and renames it only once the whole
 * blob verified; on failure nothing is left at @out_path. */
gboolean     jc_blobstore_read_to_path (JcBlobstore    *store,
                                        const guint8    sha256[32],
                                        const char     *out_path,
                                        GCancellable   *cancellable,
                                        GError        **error);
gboolean     jc_blobstore_verify       (JcBlobstore    *store,
                                        const guint8    sha256[32],
                                        GCancellable   *cancellable,
                                        GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcBlobInfo, jc_blob_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcBlobstore, jc_blobstore_free)

G_END_DECLS

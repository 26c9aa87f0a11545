/* jc-blob-upload.h — an output stream that turns evidence into HQ's pieces
 *
 * Write a blob's plaintext into it (jc_blobstore_read_to() does): it
 * encrypts it for HQ (jc-blob-crypt.h) and hands each piece of ciphertext
 * to @send, skipping the first @skip bytes that HQ already holds. One pass
 * over the evidence, constant memory, whatever its size.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sends @len bytes of ciphertext at @offset; FALSE (with @error) stops. */
typedef gboolean (*JcBlobPieceFunc) (guint64        offset,
                                     const guint8  *data,
                                     gsize          len,
                                     gpointer       user_data,
                                     GError       **error);

#define JC_TYPE_BLOB_UPLOAD (jc_blob_upload_get_type ())
G_DECLARE_FINAL_TYPE (JcBlobUpload, jc_blob_upload, JC, BLOB_UPLOAD, GOutputStream)

GOutputStream *jc_blob_upload_new (const guint8     key[32],
                                   const guint8     sha256[32],
                                   guint64          plain_size,
                                   guint64          skip,
                                   gsize            piece_size,
                                   JcBlobPieceFunc  send,
                                   gpointer         user_data);

G_END_DECLS

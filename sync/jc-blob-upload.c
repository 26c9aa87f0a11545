/* jc-blob-upload.c — an output stream that turns evidence into HQ's pieces */
#define G_LOG_DOMAIN "jiancha-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-blob-crypt.h"
#include "jc-blob-upload.h"

struct _JcBlobUpload
{
  GOutputStream    parent_instance;

  guint8           key[32];
  guint8           sha256[32];
  guint64          plain_size;
  guint64          n_chunks;
  guint64          skip;
  JcBlobPieceFunc  send;
  gpointer         user_data;

  guint8          *chunk;         /* plaintext of the chunk being filled */
  gsize            chunk_len;
  guint64          chunk_index;
  guint64          plain_seen;

  guint8          *piece;         /* ciphertext not sent yet */
  gsize            piece_len;
  gsize            piece_size;
  guint64          piece_offset;  /* where piece[0] goes */
};

G_DEFINE_FINAL_TYPE (JcBlobUpload, jc_blob_upload, G_TYPE_OUTPUT_STREAM)

static gboolean
flush_piece (JcBlobUpload *self, GError **error)
{
  guint64 end = self->piece_offset + self->piece_len;
  gboolean ok = TRUE;

  /* Only what HQ does not hold yet: a piece may straddle the resume point. */
  if (end > self->skip)
    {
      guint64 from = MAX (self->piece_offset, self->skip);

      ok = self->send (from, self->piece + (from - self->piece_offset), end - from, self->user_data, error);
    }
  self->piece_offset = end;
  self->piece_len = 0;
  return ok;
}

static gboolean
seal_chunk (JcBlobUpload *self, GError **error)
{
  gboolean final = self->chunk_index + 1 == self->n_chunks;

  if (self->piece_len + self->chunk_len + JC_BLOB_CRYPT_TAG > self->piece_size &&
      !flush_piece (self, error))
    return FALSE;
  jc_blob_crypt_chunk (self->key, self->sha256, self->chunk_index, final, self->chunk, self->chunk_len,
                       self->piece + self->piece_len);
  self->piece_len += self->chunk_len + JC_BLOB_CRYPT_TAG;
  self->chunk_index++;
  self->chunk_len = 0;
  return TRUE;
}

static gssize
jc_blob_upload_write (GOutputStream  *stream,
                      const void     *buffer,
                      gsize           count,
                      GCancellable   *cancellable,
                      GError        **error)
{
  JcBlobUpload *self = JC_BLOB_UPLOAD (stream);
  const guint8 *p = buffer;
  gsize left = count;

  if (self->plain_seen + count > self->plain_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The evidence is longer than its recorded size of %" PRIu64 " bytes"), self->plain_size);
      return -1;
    }
  while (left > 0)
    {
      gsize n = MIN (left, JC_BLOB_CRYPT_CHUNK - self->chunk_len);

      memcpy (self->chunk + self->chunk_len, p, n);
      self->chunk_len += n;
      p += n;
      left -= n;
      self->plain_seen += n;
      /* A full chunk is sealed at once unless it is the last one, which
       * close seals with the final flag. */
      if (self->chunk_len == JC_BLOB_CRYPT_CHUNK && self->chunk_index + 1 < self->n_chunks &&
          !seal_chunk (self, error))
        return -1;
    }
  return count;
}

static gboolean
jc_blob_upload_close (GOutputStream  *stream,
                      GCancellable   *cancellable,
                      GError        **error)
{
  JcBlobUpload *self = JC_BLOB_UPLOAD (stream);

  if (self->plain_seen != self->plain_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The evidence ended after %" PRIu64 " of its %" PRIu64 " bytes"),
                   self->plain_seen, self->plain_size);
      return FALSE;
    }
  return seal_chunk (self, error) && flush_piece (self, error);
}

static void
jc_blob_upload_finalize (GObject *object)
{
  JcBlobUpload *self = JC_BLOB_UPLOAD (object);

  sodium_memzero (self->key, sizeof self->key);
  sodium_memzero (self->chunk, JC_BLOB_CRYPT_CHUNK);
  g_free (self->chunk);
  g_free (self->piece);
  G_OBJECT_CLASS (jc_blob_upload_parent_class)->finalize (object);
}

static void
jc_blob_upload_class_init (JcBlobUploadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = jc_blob_upload_finalize;
  stream_class->write_fn = jc_blob_upload_write;
  stream_class->close_fn = jc_blob_upload_close;
}

static void
jc_blob_upload_init (JcBlobUpload *self)
{
}

GOutputStream *
jc_blob_upload_new (const guint8     key[32],
                    const guint8     sha256[32],
                    guint64          plain_size,
                    guint64          skip,
                    gsize            piece_size,
                    JcBlobPieceFunc  send,
                    gpointer         user_data)
{
  JcBlobUpload *self = g_object_new (JC_TYPE_BLOB_UPLOAD, NULL);

  memcpy (self->key, key, 32);
  memcpy (self->sha256, sha256, 32);
  self->plain_size = plain_size;
  self->n_chunks = jc_blob_crypt_n_chunks (plain_size);
  self->skip = skip;
  self->send = send;
  self->user_data = user_data;
  self->piece_size = MAX (piece_size, JC_BLOB_CRYPT_CHUNK + JC_BLOB_CRYPT_TAG);
  self->chunk = g_malloc (JC_BLOB_CRYPT_CHUNK);
  self->piece = g_malloc (self->piece_size);
  return G_OUTPUT_STREAM (self);
}

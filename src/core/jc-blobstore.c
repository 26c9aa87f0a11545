/* jc-blobstore.c — encrypted evidence files in VAULT/blobs/
 *
 * A blob file is
 *
 *   0   magic "JCBLOB1", u8 version (1)
 *   8   salt (16): the blob key is BLAKE2b(salt) keyed with the DEK's "jcblobs_" subkey
 *   24  crypto_secretstream_xchacha20poly1305 header (24)
 *   48  chunks: each 64 KiB of plaintext + 17 bytes; the last one (maybe
 *       shorter, maybe empty) tagged FINAL; the first one has bytes 0..47 as AD
 *
 * and is named after BLAKE2b(SHA-256 of the plaintext) keyed with the
 * "jcnames_" subkey, as blobs/ab/cdef…: the name allows lookup and dedup
 * by content hash without revealing the hash (which would let anyone
 * confirm that a known document is in the vault).
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "jc-blobstore.h"
#include "jc-keyfile.h"
#include "jc-sha256.h"

G_DEFINE_QUARK (jc-blobstore-error-quark, jc_blobstore_error)

#define BLOB_MAGIC      "JCBLOB1"
#define BLOB_MAGIC_LEN  7
#define BLOB_VERSION    1
#define OFF_SALT        8
#define SALT_LEN        16
#define OFF_SS_HEADER   24
#define HEADER_LEN      48
#define CHUNK           JC_BLOB_CHUNK_BYTES
#define SEALED_CHUNK    (CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)

G_STATIC_ASSERT (OFF_SS_HEADER + crypto_secretstream_xchacha20poly1305_HEADERBYTES == HEADER_LEN);
G_STATIC_ASSERT (crypto_secretstream_xchacha20poly1305_KEYBYTES == 32);

struct _JcBlobstore {
  char     *dir;
  JcSecret *blob_key;   /* "jcblobs_": per-blob keys come from it */
  JcSecret *name_key;   /* "jcnames_": file names */
};

void
jc_blob_info_free (JcBlobInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->media_type);
  g_free (info->stored_name);
  g_free (info);
}

gboolean
jc_blob_hash_from_hex (const char *hex,
                       guint8      sha256[32],
                       GError    **error)
{
  size_t bin_len = 0;

  if (hex == NULL || strlen (hex) != 64 ||
      sodium_hex2bin (sha256, 32, hex, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32)
    {
      g_set_error (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_INVALID,
                   _("“%s” is not a SHA-256 hash (64 hexadecimal digits)"), hex ? hex : "");
      return FALSE;
    }
  return TRUE;
}

JcBlobstore *
jc_blobstore_new (const char     *dir,
                  const JcSecret *dek,
                  GError        **error)
{
  JcBlobstore *store;

  g_return_val_if_fail (dir != NULL && dek != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_IO,
                   _("Cannot create the evidence directory %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  store = g_new0 (JcBlobstore, 1);
  store->dir = g_strdup (dir);
  store->blob_key = jc_keys_derive_secret (dek, "jcblobs_");
  store->name_key = jc_keys_derive_secret (dek, "jcnames_");
  return store;
}

void
jc_blobstore_free (JcBlobstore *store)
{
  if (store == NULL)
    return;
  g_free (store->dir);
  jc_secret_free (store->blob_key);
  jc_secret_free (store->name_key);
  g_free (store);
}

const char *
jc_blobstore_get_dir (JcBlobstore *store)
{
  return store->dir;
}

/* "ab/cdef…" */
static char *
stored_name_for (JcBlobstore  *store,
                 const guint8  sha256[32])
{
  guint8 name[32];
  char hex[65];

  crypto_generichash (name, sizeof name, sha256, 32,
                      jc_secret_peek (store->name_key), jc_secret_get_len (store->name_key));
  sodium_bin2hex (hex, sizeof hex, name, sizeof name);
  return g_strdup_printf ("%.2s/%s", hex, hex + 2);
}

char *
jc_blobstore_path_for (JcBlobstore  *store,
                       const guint8  sha256[32])
{
  g_autofree char *name = stored_name_for (store, sha256);

  return g_build_filename (store->dir, name, NULL);
}

gboolean
jc_blobstore_has (JcBlobstore  *store,
                  const guint8  sha256[32])
{
  g_autofree char *path = jc_blobstore_path_for (store, sha256);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
blob_key_for (JcBlobstore  *store,
              const guint8  salt[SALT_LEN],
              JcSecret     *key)
{
  crypto_generichash (jc_secret_get_data (key), 32, salt, SALT_LEN,
                      jc_secret_peek (store->blob_key), jc_secret_get_len (store->blob_key));
}

static gboolean
fsync_dir (const char *dir,
           GError    **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_IO,
               _("Cannot sync directory %s: %s"), dir, g_strerror (saved));
  return FALSE;
}

static void
set_write_error (GError    **error,
                 int         err,
                 const char *where)
{
  gboolean full = err == ENOSPC || err == EFBIG
#ifdef EDQUOT
                  || err == EDQUOT
#endif
                  ;

  g_set_error (error, JC_BLOBSTORE_ERROR,
               full ? JC_BLOBSTORE_ERROR_NO_SPACE : JC_BLOBSTORE_ERROR_IO,
               full ? _("Not enough space to store the evidence in %s: %s")
                    : _("Cannot write the evidence to %s: %s"),
               where, g_strerror (err));
}

static gboolean
write_full (int           fd,
            const guint8 *buf,
            gsize         len,
            int          *err)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          *err = n < 0 ? errno : ENOSPC;
          return FALSE;
        }
      buf += n;
      len -= n;
    }
  return TRUE;
}

/* Fills @buf unless the file ends first; returns the count or -1. */
static gssize
read_full (int     fd,
           guint8 *buf,
           gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, buf + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += n;
    }
  return done;
}

static char *
sniff_media_type (const char   *name_hint,
                  const guint8 *data,
                  gsize         len)
{
  g_autofree char *type = g_content_type_guess (name_hint, data, len, NULL);
  char *mime = type != NULL ? g_content_type_get_mime_type (type) : NULL;

  return mime != NULL ? mime : g_strdup ("application/octet-stream");
}

/* SHA-256 runs on its own thread, alongside encryption and writing, so an
 * ingest costs about what hashing alone costs (libsodium's SHA-256 is 3-4×
 * slower than its XChaCha20-Poly1305).  Chunks go round a fixed pool of
 * buffers, so memory stays constant whatever the size of the input. */
#define POOL_CHUNKS 4
/* Start writeback every few MiB so the final fsync() has little left. */
#define WRITEBACK_BYTES (8 << 20)

typedef struct {
  guint8 *data;
  gsize   len;
  gint    refs;     /* the hasher and the encrypting thread */
} Chunk;

typedef struct {
  Chunk                    chunks[POOL_CHUNKS];
  GAsyncQueue             *todo;   /* chunks to hash, then &stop */
  GAsyncQueue             *free;   /* chunks to fill */
  JcSha256 sha;
  GThread                 *thread;
  char                     stop;
} Hasher;

static void
chunk_release (Hasher *hasher,
               Chunk  *chunk)
{
  if (g_atomic_int_dec_and_test (&chunk->refs))
    g_async_queue_push (hasher->free, chunk);
}

static gpointer
hasher_thread (gpointer data)
{
  Hasher *hasher = data;
  gpointer item;

  while ((item = g_async_queue_pop (hasher->todo)) != &hasher->stop)
    {
      Chunk *chunk = item;

      jc_sha256_update (&hasher->sha, chunk->data, chunk->len);
      chunk_release (hasher, chunk);
    }
  return NULL;
}

static Hasher *
hasher_new (void)
{
  Hasher *hasher = g_new0 (Hasher, 1);

  hasher->todo = g_async_queue_new ();
  hasher->free = g_async_queue_new ();
  for (guint i = 0; i < POOL_CHUNKS; i++)
    {
      hasher->chunks[i].data = g_malloc (CHUNK);
      g_async_queue_push (hasher->free, &hasher->chunks[i]);
    }
  jc_sha256_init (&hasher->sha);
  hasher->thread = g_thread_new ("jc-blob-sha256", hasher_thread, hasher);
  return hasher;
}

/* Fills a free chunk from @in and hands it to the hasher. */
static Chunk *
hasher_read (Hasher        *hasher,
             GInputStream  *in,
             GCancellable  *cancellable,
             GError       **error)
{
  Chunk *chunk = g_async_queue_pop (hasher->free);

  if (!g_input_stream_read_all (in, chunk->data, CHUNK, &chunk->len, cancellable, error))
    {
      g_async_queue_push (hasher->free, chunk);
      return NULL;
    }
  chunk->refs = 2;
  g_async_queue_push (hasher->todo, chunk);
  return chunk;
}

/* Waits for the hasher; @digest may be NULL on the error paths. */
static void
hasher_finish (Hasher *hasher,
               guint8  digest[32])
{
  g_async_queue_push (hasher->todo, &hasher->stop);
  g_thread_join (hasher->thread);
  if (digest != NULL)
    jc_sha256_final (&hasher->sha, digest);
  for (guint i = 0; i < POOL_CHUNKS; i++)
    {
      sodium_memzero (hasher->chunks[i].data, CHUNK);
      g_free (hasher->chunks[i].data);
    }
  sodium_memzero (&hasher->sha, sizeof hasher->sha);
  g_async_queue_unref (hasher->todo);
  g_async_queue_unref (hasher->free);
  g_free (hasher);
}

/* Reads one chunk ahead so the last chunk can be tagged FINAL, even when
 * the input is an exact multiple of 64 KiB (or empty). */
JcBlobInfo *
jc_blobstore_add_stream (JcBlobstore   *store,
                         GInputStream  *in,
                         const char    *media_type,
                         const char    *name_hint,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(JcBlobInfo) info = g_new0 (JcBlobInfo, 1);
  g_autoptr(JcSecret) key = jc_secret_new (32);
  g_autoptr(GError) local = NULL;
  g_autofree guint8 *sealed = g_malloc (SEALED_CHUNK);
  g_autofree char *tmp = g_build_filename (store->dir, ".tmp-XXXXXX", NULL);
  g_autofree char *final_path = NULL;
  g_autofree char *subdir = NULL;
  crypto_secretstream_xchacha20poly1305_state st;
  guint8 header[HEADER_LEN] = { 0 };
  Hasher *hasher = NULL;
  Chunk *cur = NULL, *next = NULL;
  gboolean first = TRUE, final = FALSE;
  guint64 written = HEADER_LEN, flushed = 0;
  int fd, err = 0;

  g_return_val_if_fail (store != NULL && G_IS_INPUT_STREAM (in), NULL);

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_write_error (error, errno, store->dir);
      return NULL;
    }

  memcpy (header, BLOB_MAGIC, BLOB_MAGIC_LEN);
  header[BLOB_MAGIC_LEN] = BLOB_VERSION;
  randombytes_buf (header + OFF_SALT, SALT_LEN);
  blob_key_for (store, header + OFF_SALT, key);
  crypto_secretstream_xchacha20poly1305_init_push (&st, header + OFF_SS_HEADER, jc_secret_peek (key));
  if (!write_full (fd, header, HEADER_LEN, &err))
    goto write_failed;

  hasher = hasher_new ();
  cur = hasher_read (hasher, in, cancellable, &local);
  if (cur == NULL)
    goto read_failed;
  info->media_type = media_type != NULL ? g_strdup (media_type)
                                        : sniff_media_type (name_hint, cur->data, cur->len);

  while (!final)
    {
      next = NULL;
      if (cur->len == CHUNK)
        {
          next = hasher_read (hasher, in, cancellable, &local);
          if (next == NULL)
            goto read_failed;
        }
      final = next == NULL || next->len == 0;

      crypto_secretstream_xchacha20poly1305_push (&st, sealed, NULL, cur->data, cur->len,
                                                  first ? header : NULL, first ? HEADER_LEN : 0,
                                                  final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
      info->size += cur->len;
      first = FALSE;
      if (!write_full (fd, sealed, cur->len + crypto_secretstream_xchacha20poly1305_ABYTES, &err))
        goto write_failed;
      written += cur->len + crypto_secretstream_xchacha20poly1305_ABYTES;
#ifdef SYNC_FILE_RANGE_WRITE
      if (written - flushed >= WRITEBACK_BYTES)
        {
          sync_file_range (fd, flushed, written - flushed, SYNC_FILE_RANGE_WRITE);
          flushed = written;
        }
#endif
      chunk_release (hasher, cur);
      cur = next;
    }
  if (cur != NULL)
    chunk_release (hasher, g_steal_pointer (&cur));
  hasher_finish (g_steal_pointer (&hasher), info->sha256);
  sodium_memzero (&st, sizeof st);

  if (fsync (fd) != 0)
    {
      err = errno;
      goto write_failed;
    }
  if (close (fd) != 0)
    {
      err = errno;
      fd = -1;
      goto write_failed;
    }
  fd = -1;

  sodium_bin2hex (info->sha256_hex, sizeof info->sha256_hex, info->sha256, 32);
  info->stored_name = stored_name_for (store, info->sha256);
  final_path = g_build_filename (store->dir, info->stored_name, NULL);
  subdir = g_path_get_dirname (final_path);

  if (g_file_test (final_path, G_FILE_TEST_IS_REGULAR))
    {
      /* Same content: keep the blob that is already referenced. */
      g_unlink (tmp);
      info->deduplicated = TRUE;
      return g_steal_pointer (&info);
    }
  if (!g_file_test (subdir, G_FILE_TEST_IS_DIR))
    {
      if (g_mkdir (subdir, 0700) != 0 && errno != EEXIST)
        {
          err = errno;
          goto write_failed;
        }
      if (!fsync_dir (store->dir, error))
        goto cleanup;
    }
  if (g_rename (tmp, final_path) != 0)
    {
      err = errno;
      goto write_failed;
    }
  if (!fsync_dir (subdir, error))
    return NULL;   /* the blob is complete; only its durability is in doubt */
  return g_steal_pointer (&info);

read_failed:
  if (name_hint != NULL)
    g_set_error (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_IO,
                 _("Cannot read the evidence %s: %s"), name_hint, local->message);
  else
    g_set_error (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_IO,
                 _("Cannot read the evidence: %s"), local->message);
  goto cleanup;
write_failed:
  set_write_error (error, err, store->dir);
cleanup:
  sodium_memzero (&st, sizeof st);
  if (hasher != NULL)
    {
      if (cur != NULL)
        chunk_release (hasher, cur);
      if (next != NULL && next != cur)
        chunk_release (hasher, next);
      hasher_finish (hasher, NULL);
    }
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  return NULL;
}

JcBlobInfo *
jc_blobstore_add_file (JcBlobstore   *store,
                       const char    *path,
                       const char    *media_type,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GError) local = NULL;

  in = g_file_read (file, cancellable, &local);
  if (in == NULL)
    {
      g_set_error (error, JC_BLOBSTORE_ERROR,
                   g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? JC_BLOBSTORE_ERROR_NOT_FOUND
                                                                           : JC_BLOBSTORE_ERROR_IO,
                   _("Cannot read the evidence %s: %s"), path, local->message);
      return NULL;
    }
  return jc_blobstore_add_stream (store, G_INPUT_STREAM (in), media_type, path, cancellable, error);
}

/* ---- reading ---- */

typedef gboolean (*SinkFunc) (const guint8 *data, gsize len, gpointer user_data, GError **error);

static gboolean
blob_error (GError    **error,
            int         code,
            const char *hex,
            const char *fmt,
            ...) G_GNUC_PRINTF (4, 5);

/* "Evidence 1a2b3c4d5e6f…: <what>": the hash prefix is what the user and
 * the database know the blob by. */
static gboolean
blob_error (GError    **error,
            int         code,
            const char *hex,
            const char *fmt,
            ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, JC_BLOBSTORE_ERROR, code, _("Evidence %.12s…: %s"), hex, what);
  return FALSE;
}

static gboolean
decrypt_blob (JcBlobstore   *store,
              const guint8   sha256[32],
              SinkFunc       sink,
              gpointer       sink_data,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(JcSecret) key = jc_secret_new (32);
  g_autofree char *path = jc_blobstore_path_for (store, sha256);
  g_autofree guint8 *sealed = g_malloc (SEALED_CHUNK);
  g_autofree guint8 *plain = g_malloc (CHUNK);
  crypto_secretstream_xchacha20poly1305_state st;
  JcSha256 sha;
  guint8 header[HEADER_LEN];
  guint8 digest[32];
  char hex[65], got_hex[65];
  gboolean ok = FALSE, done = FALSE;
  guint64 chunk = 0;
  gssize n;
  int fd;

  sodium_bin2hex (hex, sizeof hex, sha256, 32);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        return blob_error (error, JC_BLOBSTORE_ERROR_NOT_FOUND, hex,
                           _("not in the evidence store %s"), store->dir);
      return blob_error (error, JC_BLOBSTORE_ERROR_IO, hex, _("cannot open %s: %s"),
                         path, g_strerror (saved));
    }
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  n = read_full (fd, header, HEADER_LEN);
  if (n < 0)
    {
      blob_error (error, JC_BLOBSTORE_ERROR_IO, hex, _("cannot read %s: %s"), path, g_strerror (errno));
      goto out;
    }
  if (n < HEADER_LEN)
    {
      blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex, _("file %s is truncated (%d-byte header incomplete)"),
                  path, HEADER_LEN);
      goto out;
    }
  if (memcmp (header, BLOB_MAGIC, BLOB_MAGIC_LEN) != 0 || header[BLOB_MAGIC_LEN] != BLOB_VERSION)
    {
      blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex, _("file %s is not an evidence file of version %d"),
                  path, BLOB_VERSION);
      goto out;
    }
  blob_key_for (store, header + OFF_SALT, key);
  if (crypto_secretstream_xchacha20poly1305_init_pull (&st, header + OFF_SS_HEADER, jc_secret_peek (key)) != 0)
    {
      blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex, _("file %s has a damaged header"), path);
      goto out;
    }
  jc_sha256_init (&sha);

  while (!done)
    {
      unsigned long long plain_len = 0;
      unsigned char tag = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      chunk++;
      n = read_full (fd, sealed, SEALED_CHUNK);
      if (n < 0)
        {
          blob_error (error, JC_BLOBSTORE_ERROR_IO, hex, _("cannot read chunk %" PRIu64 " of %s: %s"),
                      chunk, path, g_strerror (errno));
          goto out;
        }
      if (n < (gssize) crypto_secretstream_xchacha20poly1305_ABYTES)
        {
          blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex,
                      _("truncated: chunk %" PRIu64 " is missing (the file ends before the final chunk)"),
                      chunk);
          goto out;
        }
      if (crypto_secretstream_xchacha20poly1305_pull (&st, plain, &plain_len, &tag, sealed, n,
                                                      chunk == 1 ? header : NULL, chunk == 1 ? HEADER_LEN : 0) != 0)
        {
          blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex,
                      _("chunk %" PRIu64 " failed authentication (damaged, altered, reordered or truncated)"),
                      chunk);
          goto out;
        }
      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        done = TRUE;
      else if (tag != 0 || n < SEALED_CHUNK)
        {
          blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex,
                      _("truncated: chunk %" PRIu64 " is not the final chunk but the file ends"),
                      chunk);
          goto out;
        }
      jc_sha256_update (&sha, plain, plain_len);
      if (sink != NULL && !sink (plain, plain_len, sink_data, error))
        goto out;
    }

  n = read_full (fd, sealed, 1);
  if (n != 0)
    {
      blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex,
                  _("data after the final chunk %" PRIu64), chunk);
      goto out;
    }
  jc_sha256_final (&sha, digest);
  if (sodium_memcmp (digest, sha256, 32) != 0)
    {
      sodium_bin2hex (got_hex, sizeof got_hex, digest, 32);
      blob_error (error, JC_BLOBSTORE_ERROR_CORRUPT, hex,
                  _("the content's SHA-256 is %s (the file was swapped or renamed)"), got_hex);
      goto out;
    }
  ok = TRUE;

out:
  close (fd);
  sodium_memzero (&st, sizeof st);
  sodium_memzero (plain, CHUNK);
  return ok;
}

static gboolean
sink_stream (const guint8 *data,
             gsize         len,
             gpointer      user_data,
             GError      **error)
{
  GOutputStream *out = user_data;

  return g_output_stream_write_all (out, data, len, NULL, NULL, error);
}

typedef struct {
  int         fd;
  const char *path;
} FdSink;

static gboolean
sink_fd (const guint8 *data,
         gsize         len,
         gpointer      user_data,
         GError      **error)
{
  FdSink *sink = user_data;
  int err = 0;

  if (!write_full (sink->fd, data, len, &err))
    {
      set_write_error (error, err, sink->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_blobstore_read_to (JcBlobstore   *store,
                      const guint8   sha256[32],
                      GOutputStream *out,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  return decrypt_blob (store, sha256, sink_stream, out, cancellable, error);
}

gboolean
jc_blobstore_verify (JcBlobstore   *store,
                     const guint8   sha256[32],
                     GCancellable  *cancellable,
                     GError       **error)
{
  return decrypt_blob (store, sha256, NULL, NULL, cancellable, error);
}

gboolean
jc_blobstore_read_to_path (JcBlobstore   *store,
                           const guint8   sha256[32],
                           const char    *out_path,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *dir = g_path_get_dirname (out_path);
  g_autofree char *base = g_path_get_basename (out_path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  FdSink sink = { -1, out_path };
  int err;

  /* Do not even create the temp file for a blob that is not there. */
  if (!jc_blobstore_has (store, sha256))
    return decrypt_blob (store, sha256, NULL, NULL, cancellable, error);

  sink.fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (sink.fd < 0)
    {
      set_write_error (error, errno, out_path);
      return FALSE;
    }
  if (!decrypt_blob (store, sha256, sink_fd, &sink, cancellable, error))
    goto fail;
  if (fsync (sink.fd) != 0 || close (sink.fd) != 0)
    {
      err = errno;
      sink.fd = -1;
      set_write_error (error, err, out_path);
      goto fail;
    }
  sink.fd = -1;
  if (g_rename (tmp, out_path) != 0)
    {
      set_write_error (error, errno, out_path);
      goto fail;
    }
  return TRUE;

fail:
  if (sink.fd >= 0)
    close (sink.fd);
  g_unlink (tmp);
  return FALSE;
}

/* jc-hq-blobs.c — evidence at HQ: resumable upload, verified, kept encrypted */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "jc-blob-crypt.h"
#include "jc-core.h"
#include "jc-hq-blobs.h"

G_DEFINE_QUARK (jc-hq-blobs-error-quark, jc_hq_blobs_error)

static gboolean
valid_hash (const char *hex, guint8 sha256[32], GError **error)
{
  /* lowercase only: the hash names files */
  if (hex == NULL || strspn (hex, "0123456789abcdef") != strlen (hex) || !jc_device_unhex (hex, sha256, 32))
    {
      g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_NOT_FOUND,
                   _("“%s” is not a SHA-256 (64 lowercase hexadecimal digits)"), hex ? hex : "");
      return FALSE;
    }
  return TRUE;
}

static char *
partial_path (JcHqStore *store, const char *hex)
{
  return g_build_filename (jc_hq_store_get_dir (store), "blobs", "partial", hex, NULL);
}

static char *
final_path (JcHqStore *store, const char *hex)
{
  char prefix[3] = { hex[0], hex[1], '\0' };

  return g_build_filename (jc_hq_store_get_dir (store), "blobs", prefix, hex, NULL);
}

static gboolean
io_fail (GError **error, const char *path, int errsv)
{
  g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_IO, _("Evidence store: %s: %s"),
               path, g_strerror (errsv));
  return FALSE;
}

/* Reads the manifest row; @key (32) gets the unwrapped transport key when
 * not NULL. Caller holds the lock. */
static gboolean
load (JcHqStore *store, const char *hex, JcHqBlobState *state, guint8 *key, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  rc = jc_db_prepare (db, "SELECT size, received, complete, wrapped_key FROM hq_blobs WHERE sha256 = ?",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, hex, -1, JC_DB_STATIC);
      rc = jc_db_step (stmt);
    }
  if (rc == JC_DB_ROW)
    {
      const guint8 *wrapped = jc_db_column_blob (stmt, 3);
      gsize wlen = jc_db_column_bytes (stmt, 3);

      state->size = (guint64) jc_db_column_int64 (stmt, 0);
      state->total = jc_blob_crypt_size (state->size);
      state->received = (guint64) jc_db_column_int64 (stmt, 1);
      state->complete = jc_db_column_int (stmt, 2) != 0;
      ok = key == NULL ||
           (wlen == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32 &&
            crypto_secretbox_open_easy (key, wrapped + crypto_secretbox_NONCEBYTES,
                                        wlen - crypto_secretbox_NONCEBYTES, wrapped,
                                        jc_hq_store_get_storage_key (store)) == 0);
      if (!ok)
        g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_IO,
                     _("HQ database: the key of evidence %s does not open (damaged)"), hex);
    }
  else if (rc == JC_DB_DONE)
    g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_NOT_FOUND,
                 _("No bundle has announced evidence %s yet: sync the bundle first"), hex);
  else
    g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_IO, _("HQ database: %s"), jc_db_errmsg (db));
  jc_db_finalize (stmt);
  return ok;
}

static gboolean
save_state (JcHqStore *store, const char *hex, guint64 received, gboolean complete, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  int rc = jc_db_prepare (db, "UPDATE hq_blobs SET received = ?, complete = ? WHERE sha256 = ?", -1, &stmt, NULL);

  if (rc == JC_DB_OK)
    {
      jc_db_bind_int64 (stmt, 1, (gint64) received);
      jc_db_bind_int (stmt, 2, complete ? 1 : 0);
      jc_db_bind_text (stmt, 3, hex, -1, JC_DB_STATIC);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_IO, _("HQ database: %s"), jc_db_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_file (const char *path, const guint8 key[32], const guint8 sha256[32], guint64 size, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr(GBufferedInputStream) buffered = NULL;

  if (in == NULL)
    return FALSE;
  buffered = G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new_sized (G_INPUT_STREAM (in), 256 * 1024));
  return jc_blob_crypt_decrypt (G_INPUT_STREAM (buffered), key, sha256, size, NULL, NULL, error);
}

/* The whole ciphertext is there: check it, then move it into place. */
static gboolean
finish (JcHqStore *store, const char *hex, const guint8 sha256[32], const guint8 key[32],
        JcHqBlobState *state, GError **error)
{
  g_autofree char *partial = partial_path (store, hex);
  g_autofree char *final = final_path (store, hex);
  g_autofree char *final_dir = g_path_get_dirname (final);
  g_autoptr(GError) local = NULL;

  if (!check_file (partial, key, sha256, state->size, &local))
    {
      /* Start over: a corrupt upload must not block a good one. */
      g_unlink (partial);
      save_state (store, hex, 0, FALSE, NULL);
      state->received = 0;
      g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_CORRUPT,
                   _("Evidence %s was refused and must be sent again: %s"), hex, local->message);
      return FALSE;
    }
  if (g_mkdir_with_parents (final_dir, 0700) != 0 || g_rename (partial, final) != 0)
    return io_fail (error, final, errno);
  state->complete = TRUE;
  return save_state (store, hex, state->total, TRUE, error);
}

/* A crash after the verified blob was moved into place but before the
 * database said so: check it again and record it. */
static gboolean
recover (JcHqStore *store, const char *hex, const guint8 sha256[32], const guint8 key[32],
         JcHqBlobState *state, GError **error)
{
  g_autofree char *final = final_path (store, hex);

  if (state->complete || !g_file_test (final, G_FILE_TEST_EXISTS) ||
      !check_file (final, key, sha256, state->size, NULL))
    return TRUE;
  state->received = state->total;
  state->complete = TRUE;
  return save_state (store, hex, state->total, TRUE, error);
}

gboolean
jc_hq_blobs_state (JcHqStore *store, const char *sha256_hex, JcHqBlobState *state, GError **error)
{
  guint8 sha256[32], key[32];
  gboolean ok;

  if (!valid_hash (sha256_hex, sha256, error))
    return FALSE;
  jc_hq_store_lock (store);
  ok = load (store, sha256_hex, state, key, error) && recover (store, sha256_hex, sha256, key, state, error);
  jc_hq_store_unlock (store);
  sodium_memzero (key, sizeof key);
  return ok;
}

static gboolean
append_locked (JcHqStore *store, const char *hex, const guint8 sha256[32], guint64 offset,
               const guint8 *data, gsize len, JcHqBlobState *state, GError **error)
{
  g_autofree char *partial = partial_path (store, hex);
  g_autofree char *dir = g_path_get_dirname (partial);
  guint8 key[32];
  gboolean ok = FALSE;
  int fd = -1;

  if (!load (store, hex, state, key, error) || !recover (store, hex, sha256, key, state, error))
    return FALSE;
  if (state->complete)
    {
      ok = TRUE;
      goto out;
    }
  if (offset != state->received)
    {
      g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_OFFSET,
                   _("HQ holds %" PRIu64 " bytes of evidence %s; send from there, not from %" PRIu64),
                   state->received, hex, offset);
      goto out;
    }
  if (len > state->total - offset)
    {
      g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_INVALID,
                   _("Evidence %s is %" PRIu64 " bytes in transit; %zu bytes at %" PRIu64 " go past its end"),
                   hex, state->total, len, offset);
      goto out;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      io_fail (error, dir, errno);
      goto out;
    }
  /* A crash between the write and the database update leaves bytes past
   * what HQ confirmed: cut them, the client sends them again. */
  fd = open (partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ftruncate (fd, (off_t) offset) != 0 ||
      pwrite (fd, data, len, (off_t) offset) != (ssize_t) len || fsync (fd) != 0)
    {
      int errsv = errno;

      if (fd >= 0 && ftruncate (fd, (off_t) offset) != 0)
        errsv = errno;
      io_fail (error, partial, errsv);
      goto out;
    }
  state->received = offset + len;
  /* The last piece is recorded only once it checks: HQ never holds a
   * "whole" blob it has not verified. */
  if (state->received < state->total)
    ok = save_state (store, hex, state->received, FALSE, error);
  else
    ok = finish (store, hex, sha256, key, state, error);

out:
  if (fd >= 0)
    close (fd);
  sodium_memzero (key, sizeof key);
  return ok;
}

gboolean
jc_hq_blobs_append (JcHqStore      *store,
                    const char     *sha256_hex,
                    guint64         offset,
                    const guint8   *data,
                    gsize           len,
                    JcHqBlobState  *state,
                    GError        **error)
{
  guint8 sha256[32];
  gboolean ok;

  if (!valid_hash (sha256_hex, sha256, error))
    return FALSE;
  jc_hq_store_lock (store);
  ok = append_locked (store, sha256_hex, sha256, offset, data, len, state, error);
  jc_hq_store_unlock (store);
  return ok;
}

gboolean
jc_hq_blobs_read (JcHqStore *store, const char *sha256_hex, GOutputStream *out, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  JcHqBlobState state;
  guint8 sha256[32], key[32];
  gboolean ok;

  if (!valid_hash (sha256_hex, sha256, error))
    return FALSE;
  jc_hq_store_lock (store);
  ok = load (store, sha256_hex, &state, key, error);
  jc_hq_store_unlock (store);
  if (!ok)
    return FALSE;
  if (!state.complete)
    {
      g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_NOT_FOUND,
                   _("Evidence %s has not fully arrived (%" PRIu64 " of %" PRIu64 " bytes)"),
                   sha256_hex, state.received, state.total);
      return FALSE;
    }
  path = final_path (store, sha256_hex);
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, error);
  ok = in != NULL && jc_blob_crypt_decrypt (G_INPUT_STREAM (in), key, sha256, state.size, out, NULL, error);
  sodium_memzero (key, sizeof key);
  return ok;
}

gboolean
jc_hq_blobs_import_file (JcHqStore      *store,
                         const char     *sha256_hex,
                         const char     *path,
                         JcHqBlobState  *state,
                         GError        **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree guint8 *piece = g_malloc (4 * 1024 * 1024);

  if (!jc_hq_blobs_state (store, sha256_hex, state, error))
    return FALSE;
  in = g_file_read (file, NULL, error);
  if (in == NULL ||
      (state->received > 0 && !g_seekable_seek (G_SEEKABLE (in), (goffset) state->received, G_SEEK_SET, NULL, error)))
    return FALSE;
  while (!state->complete)
    {
      gsize got = 0;

      if (!g_input_stream_read_all (G_INPUT_STREAM (in), piece, 4 * 1024 * 1024, &got, NULL, error))
        return FALSE;
      if (got == 0)
        {
          g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_CORRUPT,
                       _("%s ends at %" PRIu64 " of the %" PRIu64 " bytes evidence %s needs"),
                       path, state->received, state->total, sha256_hex);
          return FALSE;
        }
      if (!jc_hq_blobs_append (store, sha256_hex, state->received, piece, got, state, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
jc_hq_blobs_verify_all (JcHqStore *store, guint *out_checked, GError **error)
{
  g_autoptr(GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  int rc;

  jc_hq_store_lock (store);
  rc = jc_db_prepare (db, "SELECT sha256 FROM hq_blobs WHERE complete = 1 ORDER BY sha256", -1, &stmt, NULL);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      g_ptr_array_add (hashes, g_strdup ((const char *) jc_db_column_text (stmt, 0)));
      rc = JC_DB_OK;
    }
  jc_db_finalize (stmt);
  jc_hq_store_unlock (store);
  if (rc != JC_DB_DONE)
    {
      g_set_error (error, JC_HQ_BLOBS_ERROR, JC_HQ_BLOBS_ERROR_IO, _("HQ database: %s"), jc_db_errmsg (db));
      return FALSE;
    }
  for (guint i = 0; i < hashes->len; i++)
    if (!jc_hq_blobs_read (store, hashes->pdata[i], NULL, error))
      {
        g_prefix_error (error, _("Evidence %s: "), (const char *) hashes->pdata[i]);
        return FALSE;
      }
  if (out_checked != NULL)
    *out_checked = hashes->len;
  return TRUE;
}

/* test-blobstore.c — encrypted evidence: round trips, tampering, full disk, memory */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jc-core.h"
#include "jc-test.h"

#define HEADER_LEN    48
#define SEALED_CHUNK  (65536 + 17)
#define MARKER_ASCII  "JIANCHA-PLAINTEXT-MARKER-7f3a"
#define MARKER_ZH     "检查标记"

typedef struct {
  char        *dir;
  char        *blobs;
  JcSecret    *dek;
  JcBlobstore *store;
} Fixture;

static Fixture fx;

/* memmem() needs _GNU_SOURCE; this is all the tests need. */
static gboolean
contains_bytes (const void *hay, gsize hay_len, const void *needle, gsize needle_len)
{
  for (gsize i = 0; needle_len <= hay_len && i <= hay_len - needle_len; i++)
    if (memcmp ((const guint8 *) hay + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (NULL));
  fx.dir = jc_test_tmpdir ("blobstore");
  fx.blobs = g_build_filename (fx.dir, "vault", "blobs", NULL);
  fx.dek = jc_secret_new_random (32);
  fx.store = jc_blobstore_new (fx.blobs, fx.dek, &error);
  ck_assert_msg (fx.store != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  jc_blobstore_free (fx.store);
  jc_secret_free (fx.dek);
  jc_test_rmtree (fx.dir);
  g_free (fx.dir);
  g_free (fx.blobs);
  memset (&fx, 0, sizeof fx);
}

/* Random bytes with the markers sprinkled in, across chunk borders too. */
static guint8 *
make_data (gsize len)
{
  guint8 *data = g_malloc (len + 1);

  randombytes_buf (data, len);
  for (gsize off = 0; off + strlen (MARKER_ASCII) <= len; off += 65536 - 7)
    memcpy (data + off, MARKER_ASCII, strlen (MARKER_ASCII));
  for (gsize off = 4000; off + strlen (MARKER_ZH) <= len; off += 50000)
    memcpy (data + off, MARKER_ZH, strlen (MARKER_ZH));
  return data;
}

static JcBlobInfo *
add_bytes (const guint8 *data, gsize len, GError **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, len, NULL);

  return jc_blobstore_add_stream (fx.store, in, NULL, NULL, NULL, error);
}

static JcBlobInfo *
add_ok (const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  JcBlobInfo *info = add_bytes (data, len, &error);

  ck_assert_msg (info != NULL, "add %" G_GSIZE_FORMAT " bytes: %s", len, error ? error->message : "");
  return info;
}

static void
collect_files (const char *dir, GPtrArray *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          collect_files (path, out);
          g_free (path);
        }
      else
        g_ptr_array_add (out, path);
    }
}

static guint
count_temp_files (const char *dir)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  collect_files (dir, files);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (files->pdata[i]);

      n += strstr (base, "tmp") != NULL;
    }
  return n;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  collect_files (dir, files);
  return files->len;
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  ck_assert_int_eq (g_stat (path, &st), 0);
  return st.st_size;
}

static void
patch_file (const char *path, const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (g_file_set_contents (path, (const char *) data, len, &error), "%s", error ? error->message : "");
}

/* The one SHA-256 (nettle's): the standard's answers, and any split of the
 * input into updates gives libsodium's digest of the whole. */
START_TEST (test_sha256)
{
  static const struct {
    const char *text;
    const char *hex;
  } known[] = {
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
  };
  g_autofree guint8 *million = g_malloc (1000000);
  guint8 data[300], whole[32], parts[32], theirs[32];
  char hex[65];

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    {
      jc_sha256 (whole, known[i].text, strlen (known[i].text));
      sodium_bin2hex (hex, sizeof hex, whole, 32);
      ck_assert_str_eq (hex, known[i].hex);
    }
  memset (million, 'a', 1000000);
  jc_sha256 (whole, million, 1000000);
  sodium_bin2hex (hex, sizeof hex, whole, 32);
  ck_assert_str_eq (hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

  randombytes_buf (data, sizeof data);
  crypto_hash_sha256 (theirs, data, sizeof data);
  for (gsize a = 0; a <= sizeof data; a += 7)
    for (gsize b = a; b <= sizeof data; b += 13)
      {
        JcSha256 sha;

        jc_sha256_init (&sha);
        jc_sha256_update (&sha, data, a);
        jc_sha256_update (&sha, data + a, b - a);
        jc_sha256_update (&sha, data + b, sizeof data - b);
        jc_sha256_final (&sha, parts);
        ck_assert_mem_eq (parts, theirs, 32);
      }
}
END_TEST

START_TEST (test_round_trip_sizes)
{
  const gsize sizes[] = { 0, 1, 65535, 65536, 65537, 5 * 1000 * 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *data = make_data (sizes[i]);
      g_autoptr(JcBlobInfo) info = add_ok (data, sizes[i]);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autofree char *path = jc_blobstore_path_for (fx.store, info->sha256);
      g_autofree char *out_path = g_build_filename (fx.dir, "out.bin", NULL);
      g_autofree char *back = NULL;
      gsize back_len = 0, chunks;
      guint8 expect[32];
      char expect_hex[65];

      crypto_hash_sha256 (expect, data, sizes[i]);
      sodium_bin2hex (expect_hex, sizeof expect_hex, expect, 32);
      ck_assert_mem_eq (info->sha256, expect, 32);
      ck_assert_str_eq (info->sha256_hex, expect_hex);
      ck_assert_uint_eq (info->size, sizes[i]);
      ck_assert (!info->deduplicated);
      ck_assert (info->media_type != NULL && strchr (info->media_type, '/') != NULL);
      ck_assert (jc_blobstore_has (fx.store, info->sha256));

      /* the name is a keyed hash, not the content hash */
      ck_assert_int_eq (strlen (info->stored_name), 65);
      ck_assert_int_eq (info->stored_name[2], '/');
      ck_assert (strstr (path, expect_hex) == NULL && strstr (path, expect_hex + 2) == NULL);
      ck_assert (g_str_has_suffix (path, info->stored_name));

      chunks = sizes[i] == 0 ? 1 : (sizes[i] + 65535) / 65536;
      ck_assert_uint_eq (file_size (path), HEADER_LEN + chunks * 17 + sizes[i]);

      ck_assert_msg (jc_blobstore_read_to (fx.store, info->sha256, out, NULL, &error), "%s", error ? error->message : "");
      ck_assert (g_output_stream_close (out, NULL, NULL));
      ck_assert_uint_eq (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), sizes[i]);
      if (sizes[i] > 0)
        ck_assert (memcmp (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), data, sizes[i]) == 0);

      ck_assert_msg (jc_blobstore_read_to_path (fx.store, info->sha256, out_path, NULL, &error), "%s", error ? error->message : "");
      back = jc_test_read (out_path, &back_len);
      ck_assert_uint_eq (back_len, sizes[i]);
      ck_assert (sizes[i] == 0 || memcmp (back, data, sizes[i]) == 0);
      ck_assert (jc_blobstore_verify (fx.store, info->sha256, NULL, &error));
      g_unlink (out_path);
    }
  ck_assert_uint_eq (count_temp_files (fx.dir), 0);
}
END_TEST

START_TEST (test_add_file_and_media_type)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *src = g_build_filename (fx.dir, "scan.pdf", NULL);
  g_autoptr(JcBlobInfo) a = NULL;
  g_autoptr(JcBlobInfo) b = NULL;
  g_autoptr(JcBlobInfo) c = NULL;
  g_autoptr(JcBlobInfo) missing = NULL;
  const char *pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";

  patch_file (src, (const guint8 *) pdf, strlen (pdf));
  a = jc_blobstore_add_file (fx.store, src, NULL, NULL, &error);
  ck_assert_msg (a != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (a->media_type, "application/pdf");
  ck_assert_uint_eq (a->size, strlen (pdf));

  b = add_ok (png, sizeof png);
  ck_assert_str_eq (b->media_type, "image/png");

  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (png, 4, NULL);

    c = jc_blobstore_add_stream (fx.store, in, "audio/ogg", NULL, NULL, &error);
    ck_assert_str_eq (c->media_type, "audio/ogg");
  }

  g_unlink (src);
  missing = jc_blobstore_add_file (fx.store, src, NULL, NULL, &error);
  ck_assert_ptr_null (missing);
  ck_assert (g_error_matches (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, src));
  ck_assert_uint_eq (count_temp_files (fx.blobs), 0);
}
END_TEST

START_TEST (test_dedup)
{
  g_autofree guint8 *data = make_data (100000);
  g_autoptr(JcBlobInfo) a = add_ok (data, 100000);
  g_autofree char *path = jc_blobstore_path_for (fx.store, a->sha256);
  g_autofree char *before = jc_test_read (path, NULL);
  g_autoptr(JcBlobInfo) b = add_ok (data, 100000);
  g_autofree char *after = jc_test_read (path, NULL);

  ck_assert (b->deduplicated);
  ck_assert_str_eq (a->stored_name, b->stored_name);
  ck_assert_str_eq (a->sha256_hex, b->sha256_hex);
  ck_assert (memcmp (before, after, file_size (path)) == 0);   /* the existing file was kept */
  ck_assert_uint_eq (count_files (fx.blobs), 1);
}
END_TEST

/* Same content in two stores under different DEKs: different names and bytes. */
START_TEST (test_names_depend_on_key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek2 = jc_secret_new_random (32);
  g_autofree char *dir2 = g_build_filename (fx.dir, "other", NULL);
  g_autoptr(JcBlobstore) store2 = jc_blobstore_new (dir2, dek2, &error);
  g_autofree guint8 *data = make_data (1000);
  g_autoptr(JcBlobInfo) a = add_ok (data, 1000);
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, 1000, NULL);
  g_autoptr(JcBlobInfo) b = jc_blobstore_add_stream (store2, in, NULL, NULL, NULL, &error);

  ck_assert_ptr_nonnull (b);
  ck_assert_str_eq (a->sha256_hex, b->sha256_hex);
  ck_assert_str_ne (a->stored_name, b->stored_name);
  ck_assert (!jc_blobstore_has (store2, (guint8 *) "not-a-stored-hash-of-32-bytes!!!"));
}
END_TEST

START_TEST (test_no_plaintext_in_store)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *src = g_build_filename (fx.dir, "note.txt", NULL);
  g_autofree char *text = g_strdup_printf ("现场检查记录 %s %s 结束\n", MARKER_ASCII, MARKER_ZH);
  const gsize sizes[] = { 10, 65536, 300000 };
  g_autoptr(JcBlobInfo) f = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = make_data (sizes[i]);
      g_autoptr(JcBlobInfo) info = NULL;

      if (sizes[i] == 10)
        memcpy (data, MARKER_ZH, 10 < strlen (MARKER_ZH) ? 10 : strlen (MARKER_ZH));
      info = add_ok (data, sizes[i]);
    }
  patch_file (src, (const guint8 *) text, strlen (text));
  f = jc_blobstore_add_file (fx.store, src, NULL, NULL, NULL);
  ck_assert_ptr_nonnull (f);
  ck_assert_str_eq (f->media_type, "text/plain");

  collect_files (fx.blobs, files);
  ck_assert_uint_eq (files->len, 4);
  for (guint i = 0; i < files->len; i++)
    {
      gsize len = 0;
      g_autofree char *contents = jc_test_read (files->pdata[i], &len);

      ck_assert_msg (!contains_bytes (contents, len, MARKER_ASCII, strlen (MARKER_ASCII)), "marker in %s",
                     (char *) files->pdata[i]);
      ck_assert_msg (!contains_bytes (contents, len, MARKER_ZH, strlen (MARKER_ZH)), "Chinese marker in %s",
                     (char *) files->pdata[i]);
      ck_assert_msg (!contains_bytes (contents, len, "检查", strlen ("检查")), "text in %s",
                     (char *) files->pdata[i]);
      ck_assert (strstr (files->pdata[i], f->sha256_hex) == NULL);
    }
}
END_TEST

/* Which chunk a flipped byte at @off lands in (1-based; the header is
 * authenticated as part of chunk 1). */
static guint
chunk_of (gsize off)
{
  return off < HEADER_LEN ? 1 : (off - HEADER_LEN) / SEALED_CHUNK + 1;
}

static void
assert_read_fails (const guint8 sha256[32], const char *must_contain, const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autofree char *out_path = g_build_filename (fx.dir, "export", "evidence.jpg", NULL);
  g_autofree char *out_dir = g_path_get_dirname (out_path);
  char hex[65];

  sodium_bin2hex (hex, sizeof hex, sha256, 32);
  g_mkdir_with_parents (out_dir, 0700);
  ck_assert_msg (!jc_blobstore_verify (fx.store, sha256, NULL, &error), "%s: verified", what);
  ck_assert_msg (error->domain == JC_BLOBSTORE_ERROR, "%s: %s", what, error->message);
  ck_assert_msg (strncmp (strstr (error->message, "Evidence ") + 9, hex, 12) == 0,
                 "%s: message does not name the blob: %s", what, error->message);
  if (must_contain != NULL)
    ck_assert_msg (strstr (error->message, must_contain) != NULL, "%s: '%s' lacks '%s'", what,
                   error->message, must_contain);

  ck_assert (!jc_blobstore_read_to_path (fx.store, sha256, out_path, NULL, &error2));
  ck_assert_str_eq (error->message, error2->message);
  ck_assert_msg (count_files (out_dir) == 0, "%s: a file was left in %s", what, out_dir);
}

START_TEST (test_flipped_bytes_name_the_chunk)
{
  gsize len = 3 * 65536 + 1000, flen = 0;
  g_autofree guint8 *data = make_data (len);
  g_autoptr(JcBlobInfo) info = add_ok (data, len);
  g_autofree char *path = jc_blobstore_path_for (fx.store, info->sha256);
  g_autofree guint8 *orig = (guint8 *) jc_test_read (path, &flen);
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (gsize off = 0; off < HEADER_LEN; off++)
    g_array_append_val (offsets, off);
  for (gsize off = HEADER_LEN; off < flen; off += 1543)
    g_array_append_val (offsets, off);
  for (guint c = 1; c <= 4; c++)
    {
      gsize start = HEADER_LEN + (c - 1) * SEALED_CHUNK, last = MIN (start + SEALED_CHUNK, flen) - 1;

      g_array_append_val (offsets, start);
      g_array_append_val (offsets, last);
    }

  for (guint i = 0; i < offsets->len; i++)
    {
      gsize off = g_array_index (offsets, gsize, i);
      g_autofree char *expect = NULL;
      g_autofree char *what = g_strdup_printf ("byte %" G_GSIZE_FORMAT, off);

      orig[off] ^= 0x20;
      patch_file (path, orig, flen);
      orig[off] ^= 0x20;
      if (off < 8)
        expect = g_strdup ("not an evidence file");
      else
        expect = g_strdup_printf ("chunk %u failed authentication", chunk_of (off));
      assert_read_fails (info->sha256, expect, what);
    }
  patch_file (path, orig, flen);
  ck_assert (jc_blobstore_verify (fx.store, info->sha256, NULL, NULL));
}
END_TEST

START_TEST (test_truncation_and_chunk_surgery)
{
  gsize len = 3 * 65536 + 1000, flen = 0;
  g_autofree guint8 *data = make_data (len);
  g_autoptr(JcBlobInfo) info = add_ok (data, len);
  g_autofree char *path = jc_blobstore_path_for (fx.store, info->sha256);
  g_autofree guint8 *orig = (guint8 *) jc_test_read (path, &flen);
  g_autofree guint8 *buf = g_malloc (flen + 10);
  const gsize c2 = HEADER_LEN + SEALED_CHUNK, c3 = HEADER_LEN + 2 * SEALED_CHUNK, c4 = HEADER_LEN + 3 * SEALED_CHUNK;
  struct { gsize len; const char *expect; } cuts[] = {
    { 0, "truncated" }, { 20, "truncated" }, { HEADER_LEN - 1, "truncated" },
    { HEADER_LEN, "chunk 1 is missing" }, { HEADER_LEN + 16, "chunk 1 is missing" },
    { HEADER_LEN + 17, "chunk 1 failed" }, { c2 - 1, "chunk 1 failed" },
    { c2, "chunk 2 is missing" }, { c2 + 100, "chunk 2 failed" },
    { c4, "chunk 4 is missing" }, { flen - 1, "chunk 4 failed" },
  };

  ck_assert_uint_eq (flen, c4 + 1000 + 17);
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *what = g_strdup_printf ("cut at %" G_GSIZE_FORMAT, cuts[i].len);

      patch_file (path, orig, cuts[i].len);
      assert_read_fails (info->sha256, cuts[i].expect, what);
    }

  /* chunk 2 removed */
  memcpy (buf, orig, c2);
  memcpy (buf + c2, orig + c3, flen - c3);
  patch_file (path, buf, flen - SEALED_CHUNK);
  assert_read_fails (info->sha256, "chunk 2 failed", "chunk 2 removed");

  /* chunks 2 and 3 swapped */
  memcpy (buf, orig, flen);
  memcpy (buf + c2, orig + c3, SEALED_CHUNK);
  memcpy (buf + c3, orig + c2, SEALED_CHUNK);
  patch_file (path, buf, flen);
  assert_read_fails (info->sha256, "chunk 2 failed", "chunks swapped");

  /* the final chunk removed: chunk 3 is a full one and not FINAL */
  patch_file (path, orig, c4);
  assert_read_fails (info->sha256, "chunk 4 is missing", "last chunk removed");

  /* bytes appended to a short final chunk make it fail; after a full
   * final chunk they are caught as trailing data */
  memcpy (buf, orig, flen);
  memcpy (buf + flen, "appended!!", 10);
  patch_file (path, buf, flen + 10);
  assert_read_fails (info->sha256, "chunk 4 failed", "appended");
  {
    g_autoptr(JcBlobInfo) full = add_ok (data, 65536);
    g_autofree char *full_path = jc_blobstore_path_for (fx.store, full->sha256);
    g_autofree guint8 *full_orig = (guint8 *) jc_test_read (full_path, NULL);

    memcpy (buf, full_orig, HEADER_LEN + SEALED_CHUNK);
    memcpy (buf + HEADER_LEN + SEALED_CHUNK, "x", 1);
    patch_file (full_path, buf, HEADER_LEN + SEALED_CHUNK + 1);
    assert_read_fails (full->sha256, "data after the final chunk 1", "appended after a full final chunk");
  }

  patch_file (path, orig, flen);
  ck_assert (jc_blobstore_verify (fx.store, info->sha256, NULL, NULL));
}
END_TEST

START_TEST (test_swapped_blob_files)
{
  g_autofree guint8 *d1 = make_data (5000);
  g_autofree guint8 *d2 = make_data (6000);
  g_autoptr(JcBlobInfo) a = add_ok (d1, 5000);
  g_autoptr(JcBlobInfo) b = add_ok (d2, 6000);
  g_autofree char *pa = jc_blobstore_path_for (fx.store, a->sha256);
  g_autofree char *pb = jc_blobstore_path_for (fx.store, b->sha256);

  ck_assert_int_eq (g_rename (pb, pa), 0);
  assert_read_fails (a->sha256, "SHA-256", "file of another blob");
  assert_read_fails (b->sha256, "not in the evidence store", "moved away");
}
END_TEST

START_TEST (test_missing_blob)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  guint8 sha[32];

  ck_assert (jc_blob_hash_from_hex ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha, &error));
  ck_assert (!jc_blobstore_has (fx.store, sha));
  ck_assert (!jc_blobstore_read_to (fx.store, sha, out, NULL, &error));
  ck_assert (g_error_matches (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_NOT_FOUND));
  ck_assert_msg (strstr (error->message, "e3b0c44298fc") != NULL, "%s", error->message);
  ck_assert_uint_eq (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), 0);
  assert_read_fails (sha, "not in the evidence store", "missing");

  g_clear_error (&error);
  ck_assert (!jc_blob_hash_from_hex ("e3b0c442", sha, &error));
  ck_assert (g_error_matches (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!jc_blob_hash_from_hex ("zzb0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha, &error));
  ck_assert (g_error_matches (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_INVALID));
}
END_TEST

/* RLIMIT_FSIZE in a child: the write fails with EFBIG like a full disk. */
START_TEST (test_full_disk)
{
  g_autofree guint8 *small = make_data (70000);
  g_autoptr(JcBlobInfo) earlier = add_ok (small, 70000);
  guint files_before = count_files (fx.blobs);
  int status = 0;
  pid_t pid;

  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *big = make_data (3 * 1000 * 1000);
      struct rlimit rl = { 1024 * 1024, 1024 * 1024 };
      JcBlobInfo *info;

      signal (SIGXFSZ, SIG_IGN);
      if (setrlimit (RLIMIT_FSIZE, &rl) != 0)
        _exit (10);
      info = add_bytes (big, 3 * 1000 * 1000, &error);
      if (info != NULL)
        _exit (11);
      if (!g_error_matches (error, JC_BLOBSTORE_ERROR, JC_BLOBSTORE_ERROR_NO_SPACE))
        {
          g_printerr ("unexpected error: %s\n", error->message);
          _exit (12);
        }
      if (strstr (error->message, "Not enough space") == NULL || strstr (error->message, fx.blobs) == NULL)
        {
          g_printerr ("unclear error: %s\n", error->message);
          _exit (13);
        }
      _exit (0);
    }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child status %d", status);

  ck_assert_uint_eq (count_temp_files (fx.blobs), 0);
  ck_assert_uint_eq (count_files (fx.blobs), files_before);
  ck_assert (jc_blobstore_verify (fx.store, earlier->sha256, NULL, NULL));
  {
    g_autoptr(JcBlobInfo) after = add_ok (small + 1, 1000);   /* the store still takes writes */

    ck_assert (jc_blobstore_verify (fx.store, after->sha256, NULL, NULL));
  }
}
END_TEST

/* ---- a stream of pseudo-random bytes that is never in memory at once ---- */

#define JC_TYPE_GEN_STREAM (jc_gen_stream_get_type ())
G_DECLARE_FINAL_TYPE (JcGenStream, jc_gen_stream, JC, GEN_STREAM, GInputStream)

struct _JcGenStream {
  GInputStream parent_instance;
  guint64      left;
  guint64      counter;
};

G_DEFINE_TYPE (JcGenStream, jc_gen_stream, G_TYPE_INPUT_STREAM)

static gssize
jc_gen_stream_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  JcGenStream *self = JC_GEN_STREAM (stream);
  static const guint8 seed[randombytes_SEEDBYTES] = "jiancha-benchmark-seed-000000000";
  gsize n = MIN (count, self->left);
  guint8 s[randombytes_SEEDBYTES];

  memcpy (s, seed, sizeof s);
  memcpy (s, &self->counter, sizeof self->counter);
  randombytes_buf_deterministic (buffer, n, s);
  self->counter++;
  self->left -= n;
  return n;
}

static gboolean
jc_gen_stream_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
jc_gen_stream_class_init (JcGenStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = jc_gen_stream_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = jc_gen_stream_close;
}

static void
jc_gen_stream_init (JcGenStream *self)
{
}

static long
max_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* 200 MB in and out of the store: the peak RSS must not follow the size. */
START_TEST (test_memory_stays_flat)
{
  int status = 0;
  pid_t pid = fork ();

  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcGenStream) in = g_object_new (JC_TYPE_GEN_STREAM, NULL);
      g_autoptr(JcBlobInfo) info = NULL;
      long before, after_write, after_read;

      in->left = 200 * 1000 * 1000;
      before = max_rss_kb ();
      info = jc_blobstore_add_stream (fx.store, G_INPUT_STREAM (in), "video/mp4", NULL, NULL, &error);
      if (info == NULL || info->size != 200 * 1000 * 1000)
        {
          g_printerr ("add: %s\n", error ? error->message : "wrong size");
          _exit (20);
        }
      after_write = max_rss_kb ();
      if (!jc_blobstore_verify (fx.store, info->sha256, NULL, &error))
        {
          g_printerr ("verify: %s\n", error->message);
          _exit (21);
        }
      after_read = max_rss_kb ();
      g_printerr ("peak RSS growth: write %ld KiB, read %ld KiB\n", after_write - before, after_read - before);
      _exit (after_read - before < 16 * 1024 ? 0 : 22);
    }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child status %d (see stderr)", status);
  ck_assert_uint_eq (count_files (fx.blobs), 1);
  ck_assert_uint_eq (count_temp_files (fx.blobs), 0);
}
END_TEST

static Suite *
blobstore_suite (void)
{
  Suite *s = suite_create ("blobstore");
  TCase *tc = tcase_create ("blobstore");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_sha256);
  tcase_add_test (tc, test_round_trip_sizes);
  tcase_add_test (tc, test_add_file_and_media_type);
  tcase_add_test (tc, test_dedup);
  tcase_add_test (tc, test_names_depend_on_key);
  tcase_add_test (tc, test_no_plaintext_in_store);
  tcase_add_test (tc, test_flipped_bytes_name_the_chunk);
  tcase_add_test (tc, test_truncation_and_chunk_surgery);
  tcase_add_test (tc, test_swapped_blob_files);
  tcase_add_test (tc, test_missing_blob);
  tcase_add_test (tc, test_full_disk);
  tcase_add_test (tc, test_memory_stays_flat);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (blobstore_suite ());
}

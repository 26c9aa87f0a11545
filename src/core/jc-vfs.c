/* jc-vfs.c — the page-encrypting SQLite VFS of the vault
 *
 * A shim over the default (unix) VFS, written after SQLite's
 * ext/misc/cksumvfs.c. Only two kinds of file are ever opened through it:
 * the main database and its WAL. Everything else is refused with
 * SQLITE_CANTOPEN: temp databases, temp/statement journals (the connection
 * runs with temp_store=MEMORY, so SQLite keeps those in memory) and the
 * rollback journal. Refusing the rollback journal rather than encrypting it
 * is deliberate: the vault always runs in WAL mode, where SQLite never opens
 * one, and a database is switched to WAL while still empty with
 * journal_mode=OFF first (see jc_vfs_open), so the one transaction that
 * would use it needs none. Anything that would need a journal fails loudly
 * instead of writing page images in the clear.
 *
 * On-disk format (pages are 4096 bytes, the last 40 are reserved):
 *
 *   main db page N   [0, 4056) ciphertext | nonce (24) | tag (16)
 *   main db page 1   [0, 4) "JCv1" | [4, 12) database id | [12, 16) key check
 *                    | [16, 24) SQLite's header bytes 16–23 (page size,
 *                    versions, reserve…) in the clear | [24, 4056) ciphertext
 *                    | nonce | tag
 *   WAL              SQLite's 32-byte header and 24-byte frame headers in the
 *                    clear; each page image sealed like a db page (all of it,
 *                    SQLite's "SQLite format 3" included).
 *
 * Associated data: 'D' or 'W' (file kind) | page number | database id, then
 * for page 1 of the db the 24 clear bytes, for a WAL frame the first 16 bytes
 * of its header (page number, commit size, salts). A page moved to another
 * place, swapped, replayed from another database or another WAL generation
 * fails to open. The key check is 4 bytes of a keyed BLAKE2b of the
 * database id, so a wrong key is told apart from a damaged page 1.
 *
 * SQLite sees plain pages with the 40 reserve bytes always zero: it computes
 * WAL frame checksums over the page as it holds it and checks them again on
 * recovery over what xRead returns, so the two must agree (the reserve is
 * never what is on disk).
 *
 * WAL recovery reads whole frames until one is invalid. A frame whose page
 * image does not authenticate is either the torn tail of a write cut short
 * by a crash (harmless: SQLite must stop there) or an altered frame. It is
 * altered when the next frame continues SQLite's checksum chain from it
 * (SQLite wrote that frame after this one was complete): then the read
 * fails with the page-naming error. Otherwise it is handed to SQLite with its
 * salt inverted and a zero page, which SQLite rejects, ending the log there
 * exactly as it would for a torn frame of a plain database. Likewise a WAL
 * header that fails SQLite's check while frame 1 authenticates and chains
 * from it is reported as altered, instead of SQLite silently dropping the
 * whole log.
 *
 * What page encryption alone cannot detect (the event log's hash chain and
 * HQ's receipts are there for these):
 *  - rollback: an older copy of a page put back at its own place, the WAL
 *    truncated or deleted, or the last frame altered (indistinguishable
 *    from a write torn by a crash): the database opens at an earlier,
 *    authentic state;
 *  - an altered checksum field in a frame header: SQLite ends the log there
 *    (earlier state again, never altered content);
 *  - each WAL frame header keeps SQLite's 64-bit checksum of the plain page
 *    (unkeyed), which lets someone holding the file confirm a guess of a
 *    whole page's content;
 *  - an altered page image in the middle of the log is told from a torn
 *    write by the next frame continuing the chain; a page rewritten in
 *    place within one huge uncommitted transaction and torn by a crash, or
 *    frames persisted out of order by a power cut in the middle of a commit,
 *    could be reported as altered (loudly, never silently).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jc-core.h"
#include "jc-vfs.h"

G_DEFINE_QUARK (jc-vfs-error-quark, jc_vfs_error)

#define PAGE       JC_VFS_PAGE_SIZE
#define RESERVE    JC_VFS_RESERVE
#define NONCE      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG        crypto_aead_xchacha20poly1305_ietf_ABYTES
#define BODY       (PAGE - RESERVE)
#define CLEAR1     24            /* bytes of db page 1 kept in the clear */
#define WAL_HDR    32
#define FRAME_HDR  24
#define FRAME      (FRAME_HDR + PAGE)
#define DBID       8
#define KCV        4
#define AD_MAX     (1 + 4 + DBID + CLEAR1)

G_STATIC_ASSERT (NONCE + TAG == RESERVE);

static const guint8 jc_magic[4] = { 'J', 'C', 'v', '1' };
static const char sqlite_magic[16] = "SQLite format 3";

typedef struct JcFile JcFile;

struct JcFile
{
  sqlite3_file  base;
  const char   *name;        /* SQLite's, valid while the file is open */
  gboolean      is_wal;
  JcFile       *partner;     /* db <-> its WAL (as in cksumvfs) */
  guint8       *key;         /* sodium_malloc: the page key */
  guint8        dbid[DBID];
  guint8        kcv[KCV];
  guint8       *buf;         /* scratch, FRAME bytes: ciphertext or one page */

  /* Random nonces drawn 32 at a time: one getrandom() per write
   * cost more than the encryption on this hardware. */
  guint8        nonces[NONCE * 32];
  guint         nonces_left;
  guint         nonces_fork_gen;

  /* WAL: the frame header SQLite just wrote, for the page image that
   * follows it (walWriteOneFrame writes the two back to back). */
  gboolean      hdr_valid;
  sqlite3_int64 hdr_off;
  guint8        hdr[FRAME_HDR];

  /* db: the last page that failed authentication (db or WAL) */
  gboolean      fail_set;
  gboolean      fail_wal;
  guint32       fail_pgno;
  guint32       fail_frame;
};

/* Bumped in a forked child, so that it never uses nonces drawn before the
 * fork (the same nonce twice under one key would be fatal). */
static volatile guint fork_gen;

static void
after_fork_in_child (void)
{
  fork_gen++;
}

#define SUBFILE(p) ((sqlite3_file *) (((JcFile *) (p)) + 1))
#define ORIGVFS(v) ((sqlite3_vfs *) ((v)->pAppData))

/* ---------------------------------------------------------------------- */
/* Key slots: jc_vfs_open() → xOpen, without the key in any string.         */

static GMutex      slots_lock;
static GHashTable *slots;      /* guint id → guint8[64] (sodium_malloc) */
static guint       next_slot = 1;

static guint
slot_add (guint8 *keys)
{
  guint id;

  g_mutex_lock (&slots_lock);
  if (slots == NULL)
    slots = g_hash_table_new (NULL, NULL);
  id = next_slot++;
  g_hash_table_insert (slots, GUINT_TO_POINTER (id), keys);
  g_mutex_unlock (&slots_lock);
  return id;
}

static void
slot_remove (guint id)
{
  g_mutex_lock (&slots_lock);
  g_hash_table_remove (slots, GUINT_TO_POINTER (id));
  g_mutex_unlock (&slots_lock);
}

/* Copies the page key and computes the key check, under the lock. */
static gboolean
slot_take (const char *id_str, guint8 *key_out, guint8 *kcv_key_out)
{
  guint64 id;
  guint8 *keys;

  if (id_str == NULL || !g_ascii_string_to_unsigned (id_str, 10, 1, G_MAXUINT, &id, NULL))
    return FALSE;
  g_mutex_lock (&slots_lock);
  keys = slots ? g_hash_table_lookup (slots, GUINT_TO_POINTER ((guint) id)) : NULL;
  if (keys != NULL)
    {
      memcpy (key_out, keys, JC_VFS_KEY_BYTES);
      memcpy (kcv_key_out, keys + JC_VFS_KEY_BYTES, JC_VFS_KEY_BYTES);
    }
  g_mutex_unlock (&slots_lock);
  return keys != NULL;
}

static void
derive_keys (const guint8 dek[JC_VFS_KEY_BYTES], guint8 *keys)
{
  crypto_kdf_derive_from_key (keys, JC_VFS_KEY_BYTES, 1, "jcpages_", dek);
  crypto_kdf_derive_from_key (keys + JC_VFS_KEY_BYTES, JC_VFS_KEY_BYTES, 2, "jcpages_", dek);
}

static void
compute_kcv (const guint8 *kcv_key, const guint8 dbid[DBID], guint8 kcv[KCV])
{
  crypto_generichash (kcv, KCV, dbid, DBID, kcv_key, JC_VFS_KEY_BYTES);
}

/* ---------------------------------------------------------------------- */

static inline guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static gsize
build_ad (guint8 ad[AD_MAX], char kind, guint32 pgno, const guint8 dbid[DBID],
          const guint8 *extra, gsize extra_len)
{
  ad[0] = kind;
  put_be32 (ad + 1, pgno);
  memcpy (ad + 5, dbid, DBID);
  if (extra_len > 0)
    memcpy (ad + 5 + DBID, extra, extra_len);
  return 5 + DBID + extra_len;
}

/* The last failure on this thread, for when SQLite fails inside
 * sqlite3_open_v2() and the file (with its own record) is already closed. */
static _Thread_local struct {
  gboolean set;
  gboolean wal;
  guint32  pgno;
  guint32  frame;
} last_failure;

static void
record_failure (JcFile *f, gboolean wal, guint32 pgno, guint32 frame)
{
  JcFile *db = f->is_wal ? f->partner : f;

  sqlite3_log (SQLITE_IOERR_DATA, "jiancha: %s: page %u failed authentication",
               f->name ? f->name : "?", pgno);
  last_failure.set = TRUE;
  last_failure.wal = wal;
  last_failure.pgno = pgno;
  last_failure.frame = frame;
  if (db == NULL)
    return;
  db->fail_set = TRUE;
  db->fail_wal = wal;
  db->fail_pgno = pgno;
  db->fail_frame = frame;
}

/* Seals @src (one plain page) into @out (one disk page). */
static void
seal_page (JcFile *f, guint8 *out, const guint8 *src, char kind, guint32 pgno,
           const guint8 *extra, gsize extra_len, gsize start)
{
  guint8 ad[AD_MAX];
  gsize ad_len = build_ad (ad, kind, pgno, f->dbid, extra, extra_len);

  if (f->nonces_left == 0 || f->nonces_fork_gen != fork_gen)
    {
      randombytes_buf (f->nonces, sizeof f->nonces);
      f->nonces_left = sizeof f->nonces / NONCE;
      f->nonces_fork_gen = fork_gen;
    }
  f->nonces_left--;
  memcpy (out + BODY, f->nonces + f->nonces_left * NONCE, NONCE);
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached (out + start, out + BODY + NONCE, NULL,
                                                      src + start, BODY - start,
                                                      ad, ad_len, NULL, out + BODY, f->key);
}

/* Opens one disk page in place; on failure the page is zeroed. */
static gboolean
open_page (JcFile *f, guint8 *page, char kind, guint32 pgno,
           const guint8 *extra, gsize extra_len, gsize start)
{
  guint8 ad[AD_MAX];
  guint8 nonce[NONCE];
  guint8 tag[TAG];
  gsize ad_len = build_ad (ad, kind, pgno, f->dbid, extra, extra_len);

  memcpy (nonce, page + BODY, NONCE);
  memcpy (tag, page + BODY + NONCE, TAG);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached (page + start, NULL, page + start,
                                                          BODY - start, tag, ad, ad_len,
                                                          nonce, f->key) != 0)
    {
      memset (page, 0, PAGE);
      return FALSE;
    }
  memset (page + BODY, 0, RESERVE);
  return TRUE;
}

/* Maps a failed write to SQLITE_FULL when the disk or the file size limit
 * is the cause: the unix VFS does so for ENOSPC but not for EFBIG. */
static int
map_write_error (sqlite3_file *sub, int rc)
{
  int last = 0;

  if ((rc & 0xff) == SQLITE_IOERR
      && sub->pMethods->xFileControl (sub, SQLITE_FCNTL_LAST_ERRNO, &last) == SQLITE_OK
      && (last == ENOSPC || last == EFBIG))
    return SQLITE_FULL;
  return rc;
}

/* ---------------------------------------------------------------------- */
/* The main database                                                        */

static int
db_open_page (JcFile *f, guint8 *page, guint32 pgno)
{
  if (pgno == 1)
    {
      if (memcmp (page, jc_magic, sizeof jc_magic) != 0
          || !open_page (f, page, 'D', 1, page, CLEAR1, CLEAR1))
        {
          memset (page, 0, PAGE);
          record_failure (f, FALSE, 1, 0);
          return SQLITE_IOERR_DATA;
        }
      memcpy (page, sqlite_magic, 16);
      return SQLITE_OK;
    }
  if (!open_page (f, page, 'D', pgno, NULL, 0, 0))
    {
      record_failure (f, FALSE, pgno, 0);
      return SQLITE_IOERR_DATA;
    }
  return SQLITE_OK;
}

static int
db_read (JcFile *f, guint8 *out, int amt, sqlite3_int64 off)
{
  sqlite3_file *sub = SUBFILE (f);
  guint32 pgno = (guint32) (off / PAGE) + 1;
  sqlite3_int64 page_off = (sqlite3_int64) (pgno - 1) * PAGE;
  gboolean whole = (amt == PAGE && off == page_off);
  guint8 *page = whole ? out : f->buf;
  int rc;

  /* SQLite never reads across a page; partial reads (the 100-byte header,
   * the change counter) are served from the whole page, decrypted. */
  if (off + amt > page_off + PAGE)
    return SQLITE_IOERR_READ;
  rc = sub->pMethods->xRead (sub, page, PAGE, page_off);
  if (rc == SQLITE_IOERR_SHORT_READ)
    {
      sqlite3_int64 size = 0;

      if (sub->pMethods->xFileSize (sub, &size) == SQLITE_OK && size <= page_off)
        {
          memset (out, 0, amt);   /* past the end: zeros, as SQLite expects */
          return SQLITE_IOERR_SHORT_READ;
        }
      memset (page, 0, PAGE);
      record_failure (f, FALSE, pgno, 0);
      rc = SQLITE_IOERR_DATA;    /* a page cut short cannot authenticate */
    }
  else if (rc == SQLITE_OK)
    rc = db_open_page (f, page, pgno);

  if (rc != SQLITE_OK)
    {
      memset (out, 0, amt);
      return rc;
    }
  if (!whole)
    memcpy (out, page + (off - page_off), amt);
  return SQLITE_OK;
}

static int
db_write (JcFile *f, const guint8 *src, int amt, sqlite3_int64 off)
{
  sqlite3_file *sub = SUBFILE (f);
  guint32 pgno;
  guint8 *out = f->buf;

  if (amt != PAGE || off % PAGE != 0)
    {
      sqlite3_log (SQLITE_IOERR_WRITE, "jiancha: refused a %d-byte write at %lld of %s",
                   amt, (long long) off, f->name);
      return SQLITE_IOERR_WRITE;
    }
  pgno = (guint32) (off / PAGE) + 1;
  if (pgno == 1)
    {
      /* The layout is fixed: page size 4096, 40 reserve bytes. A page 1
       * saying otherwise would have no room for the nonce and tag. */
      if (src[16] != (PAGE >> 8) || src[17] != (PAGE & 0xff) || src[20] != RESERVE)
        {
          sqlite3_log (SQLITE_IOERR_WRITE, "jiancha: %s: page size %u / reserve %u refused",
                       f->name, (src[16] << 8) | src[17], src[20]);
          return SQLITE_IOERR_WRITE;
        }
      memcpy (out, jc_magic, 4);
      memcpy (out + 4, f->dbid, DBID);
      memcpy (out + 4 + DBID, f->kcv, KCV);
      memcpy (out + 16, src + 16, 8);
      seal_page (f, out, src, 'D', 1, out, CLEAR1, CLEAR1);
    }
  else
    seal_page (f, out, src, 'D', pgno, NULL, 0, 0);

  return map_write_error (sub, sub->pMethods->xWrite (sub, out, PAGE, off));
}

/* ---------------------------------------------------------------------- */
/* The WAL                                                                  */

/* SQLite's walChecksumBytes(). */
static void
wal_checksum (gboolean native, const guint8 *a, int n, guint32 s[2])
{
  guint32 s1 = s[0], s2 = s[1];

  for (int i = 0; i < n; i += 8)
    {
      guint32 x0, x1;

      memcpy (&x0, a + i, 4);
      memcpy (&x1, a + i + 4, 4);
      if (!native)
        {
          x0 = GUINT32_SWAP_LE_BE (x0);
          x1 = GUINT32_SWAP_LE_BE (x1);
        }
      s1 += x0 + s2;
      s2 += x1 + s1;
    }
  s[0] = s1;
  s[1] = s2;
}

static gboolean
wal_open_frame (JcFile *f, guint8 *frame)
{
  guint32 pgno = get_be32 (frame);

  return pgno != 0 && open_page (f, frame + FRAME_HDR, 'W', pgno, frame, 16, 0);
}

/* Frame @i (whose header is @hdr) failed to authenticate: does frame i+1
 * continue SQLite's checksum chain from it? Then frame i was complete once
 * and has been altered since. */
static gboolean
wal_next_frame_continues (JcFile *f, sqlite3_int64 i, const guint8 hdr[FRAME_HDR])
{
  sqlite3_file *sub = SUBFILE (f);
  guint8 wal_hdr[WAL_HDR];
  g_autofree guint8 *next = g_malloc (FRAME);
  guint32 magic, s[2];
  gboolean native;
  gboolean continues = FALSE;

  if (sub->pMethods->xRead (sub, wal_hdr, WAL_HDR, 0) != SQLITE_OK
      || sub->pMethods->xRead (sub, next, FRAME, WAL_HDR + (i + 1) * FRAME) != SQLITE_OK)
    return FALSE;
  magic = get_be32 (wal_hdr);
  if ((magic & 0xfffffffe) != 0x377f0682)
    return FALSE;
  native = ((magic & 1) == (G_BYTE_ORDER == G_BIG_ENDIAN ? 1 : 0));
  if (memcmp (next + 8, wal_hdr + 16, 8) != 0 || !wal_open_frame (f, next))
    goto out;
  s[0] = get_be32 (hdr + 16);
  s[1] = get_be32 (hdr + 20);
  wal_checksum (native, next, 8, s);
  wal_checksum (native, next + FRAME_HDR, PAGE, s);
  continues = (s[0] == get_be32 (next + 16) && s[1] == get_be32 (next + 20));
out:
  sodium_memzero (next, FRAME);
  return continues;
}

/* SQLite ignores a WAL whose header does not check out, losing every frame
 * in it without a word. That is right for a header torn by a crash, which
 * can only happen before any frame after it was written (the header is
 * synced first). So when the header is invalid but frame 1 authenticates
 * and continues the checksum chain from it (as stored, or as it should
 * be), the header was valid once and has been altered. */
static gboolean
wal_header_altered (JcFile *f, const guint8 hdr[WAL_HDR])
{
  sqlite3_file *sub = SUBFILE (f);
  g_autofree guint8 *frame = NULL;
  guint32 magic = get_be32 (hdr);
  gboolean native = ((magic & 1) == (G_BYTE_ORDER == G_BIG_ENDIAN ? 1 : 0));
  gboolean altered = FALSE;
  guint32 s[2] = { 0, 0 };

  wal_checksum (native, hdr, 24, s);
  if ((magic & 0xfffffffe) == 0x377f0682 && get_be32 (hdr + 4) == 3007000
      && s[0] == get_be32 (hdr + 24) && s[1] == get_be32 (hdr + 28))
    return FALSE;   /* valid */

  frame = g_malloc (FRAME);
  if (sub->pMethods->xRead (sub, frame, FRAME, WAL_HDR) != SQLITE_OK || !wal_open_frame (f, frame))
    goto out;
  for (int order = 0; order < 2 && !altered; order++)
    for (int from = 0; from < 2 && !altered; from++)
      {
        guint32 c[2] = { 0, 0 };

        if (from == 0)
          wal_checksum (order, hdr, 24, c);
        else
          {
            c[0] = get_be32 (hdr + 24);
            c[1] = get_be32 (hdr + 28);
          }
        wal_checksum (order, frame, 8, c);
        wal_checksum (order, frame + FRAME_HDR, PAGE, c);
        altered = (c[0] == get_be32 (frame + 16) && c[1] == get_be32 (frame + 20));
      }
out:
  sodium_memzero (frame, FRAME);
  return altered;
}

static int
wal_read (JcFile *f, guint8 *out, int amt, sqlite3_int64 off)
{
  sqlite3_file *sub = SUBFILE (f);
  sqlite3_int64 i, frame_off, within;
  guint8 *frame = f->buf;
  int rc;

  f->hdr_valid = FALSE;
  if (off == 0 && amt == WAL_HDR)
    {
      rc = sub->pMethods->xRead (sub, out, amt, off);
      if (rc == SQLITE_OK && wal_header_altered (f, out))
        {
          record_failure (f, TRUE, 0, 0);
          memset (out, 0, amt);
          return SQLITE_IOERR_DATA;
        }
      return rc;
    }
  if (off + amt <= WAL_HDR)
    return sub->pMethods->xRead (sub, out, amt, off);
  i = (off - WAL_HDR) / FRAME;
  frame_off = WAL_HDR + i * FRAME;
  within = off - frame_off;
  if (off < WAL_HDR || within + amt > FRAME)
    return SQLITE_IOERR_READ;
  if (within + amt <= FRAME_HDR)
    return sub->pMethods->xRead (sub, out, amt, off);   /* frame header only */

  rc = sub->pMethods->xRead (sub, frame, FRAME, frame_off);
  if (rc == SQLITE_OK && wal_open_frame (f, frame))
    {
      memcpy (out, frame + within, amt);
      return SQLITE_OK;
    }
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
    return rc;

  /* A whole-frame read is WAL recovery: see the comment at the top. */
  if (within == 0 && amt == FRAME && rc == SQLITE_OK
      && !wal_next_frame_continues (f, i, frame))
    {
      memcpy (out, frame, FRAME_HDR);
      for (int k = 8; k < 12; k++)
        out[k] ^= 0xff;
      memset (out + FRAME_HDR, 0, PAGE);
      return SQLITE_OK;
    }
  record_failure (f, TRUE, get_be32 (frame), (guint32) i + 1);
  memset (out, 0, amt);
  return SQLITE_IOERR_DATA;
}

static int
wal_write (JcFile *f, const guint8 *src, int amt, sqlite3_int64 off)
{
  sqlite3_file *sub = SUBFILE (f);
  sqlite3_int64 i, frame_off, within;
  guint8 *out = f->buf;
  const guint8 *hdr;
  int rc;

  if (off + amt <= WAL_HDR)
    {
      f->hdr_valid = FALSE;
      return map_write_error (sub, sub->pMethods->xWrite (sub, src, amt, off));
    }
  i = (off - WAL_HDR) / FRAME;
  frame_off = WAL_HDR + i * FRAME;
  within = off - frame_off;
  if (off < WAL_HDR || within + amt > FRAME)
    goto refuse;

  if (within == 0 && amt == FRAME_HDR)
    {
      rc = map_write_error (sub, sub->pMethods->xWrite (sub, src, amt, off));
      f->hdr_valid = (rc == SQLITE_OK);
      f->hdr_off = frame_off;
      memcpy (f->hdr, src, FRAME_HDR);
      return rc;
    }
  if (within + amt <= FRAME_HDR)
    {
      f->hdr_valid = FALSE;
      return map_write_error (sub, sub->pMethods->xWrite (sub, src, amt, off));
    }

  if (within == 0 && amt == FRAME)
    {
      hdr = src;
      memcpy (out, src, FRAME_HDR);
      src += FRAME_HDR;
      out += FRAME_HDR;
    }
  else if (within == FRAME_HDR && amt == PAGE)
    {
      /* The header written just before, or (a page rewritten in place
       * within one transaction) the one on disk. */
      if (!f->hdr_valid || f->hdr_off != frame_off)
        {
          rc = sub->pMethods->xRead (sub, f->hdr, FRAME_HDR, frame_off);
          if (rc != SQLITE_OK)
            return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_IOERR_WRITE : rc;
        }
      hdr = f->hdr;
    }
  else
    goto refuse;

  f->hdr_valid = FALSE;
  if (get_be32 (hdr) == 0)
    goto refuse;
  seal_page (f, out, src, 'W', get_be32 (hdr), hdr, 16, 0);
  return map_write_error (sub, sub->pMethods->xWrite (sub, f->buf, amt, off));

refuse:
  f->hdr_valid = FALSE;
  sqlite3_log (SQLITE_IOERR_WRITE, "jiancha: refused a %d-byte write at %lld of %s",
               amt, (long long) off, f->name);
  return SQLITE_IOERR_WRITE;
}

/* ---------------------------------------------------------------------- */
/* sqlite3_io_methods                                                       */

static int
jc_close (sqlite3_file *file)
{
  JcFile *f = (JcFile *) file;
  sqlite3_file *sub = SUBFILE (f);
  int rc = sub->pMethods ? sub->pMethods->xClose (sub) : SQLITE_OK;

  if (f->partner != NULL)
    {
      f->partner->partner = NULL;
      f->partner = NULL;
    }
  if (f->key != NULL)
    sodium_free (f->key);   /* wipes it */
  f->key = NULL;
  if (f->buf != NULL)
    {
      sodium_memzero (f->buf, FRAME);
      g_free (f->buf);
      f->buf = NULL;
    }
  sodium_memzero (f->hdr, sizeof f->hdr);
  return rc;
}

static int
jc_read (sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
  JcFile *f = (JcFile *) file;

  return f->is_wal ? wal_read (f, buf, amt, off) : db_read (f, buf, amt, off);
}

static int
jc_write (sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
  JcFile *f = (JcFile *) file;

  return f->is_wal ? wal_write (f, buf, amt, off) : db_write (f, buf, amt, off);
}

static int
jc_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  sqlite3_file *sub = SUBFILE (file);

  ((JcFile *) file)->hdr_valid = FALSE;
  return sub->pMethods->xTruncate (sub, size);
}

static int
jc_sync (sqlite3_file *file, int flags)
{
  sqlite3_file *sub = SUBFILE (file);

  return map_write_error (sub, sub->pMethods->xSync (sub, flags));
}

static int
jc_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xFileSize (sub, size);
}

static int
jc_lock (sqlite3_file *file, int lock)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xLock (sub, lock);
}

static int
jc_unlock (sqlite3_file *file, int lock)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xUnlock (sub, lock);
}

static int
jc_check_reserved_lock (sqlite3_file *file, int *out)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xCheckReservedLock (sub, out);
}

static int
jc_file_control (sqlite3_file *file, int op, void *arg)
{
  sqlite3_file *sub = SUBFILE (file);
  int rc;

  switch (op)
    {
    case SQLITE_FCNTL_MMAP_SIZE:
      /* No memory mapping: pages must pass through xRead to be opened. */
      if (*(sqlite3_int64 *) arg > 0)
        *(sqlite3_int64 *) arg = 0;
      break;

    case SQLITE_FCNTL_PRAGMA:
      {
        char **az = arg;

        if (az[1] != NULL && az[2] != NULL && sqlite3_stricmp (az[1], "page_size") == 0
            && atoi (az[2]) != PAGE)
          {
            az[0] = sqlite3_mprintf ("the page size of a vault is fixed at %d", PAGE);
            return SQLITE_ERROR;
          }
      }
      break;

    default:
      break;
    }

  rc = sub->pMethods->xFileControl (sub, op, arg);
  if (rc == SQLITE_OK && op == SQLITE_FCNTL_VFSNAME)
    *(char **) arg = sqlite3_mprintf ("%s/%z", JC_VFS_NAME, *(char **) arg);
  return rc;
}

static int
jc_sector_size (sqlite3_file *file)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xSectorSize (sub);
}

static int
jc_device_characteristics (sqlite3_file *file)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xDeviceCharacteristics (sub);
}

static int
jc_shm_map (sqlite3_file *file, int pg, int pgsz, int extend, void volatile **pp)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xShmMap (sub, pg, pgsz, extend, pp);
}

static int
jc_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xShmLock (sub, offset, n, flags);
}

static void
jc_shm_barrier (sqlite3_file *file)
{
  sqlite3_file *sub = SUBFILE (file);

  sub->pMethods->xShmBarrier (sub);
}

static int
jc_shm_unmap (sqlite3_file *file, int delete_flag)
{
  sqlite3_file *sub = SUBFILE (file);

  return sub->pMethods->xShmUnmap (sub, delete_flag);
}

/* Memory-mapped pages would bypass decryption: never hand any out. */
static int
jc_fetch (sqlite3_file *file, sqlite3_int64 off, int amt, void **pp)
{
  *pp = NULL;
  return SQLITE_OK;
}

static int
jc_unfetch (sqlite3_file *file, sqlite3_int64 off, void *p)
{
  return SQLITE_OK;
}

static const sqlite3_io_methods jc_io_methods = {
  3,
  jc_close,
  jc_read,
  jc_write,
  jc_truncate,
  jc_sync,
  jc_file_size,
  jc_lock,
  jc_unlock,
  jc_check_reserved_lock,
  jc_file_control,
  jc_sector_size,
  jc_device_characteristics,
  jc_shm_map,
  jc_shm_lock,
  jc_shm_barrier,
  jc_shm_unmap,
  jc_fetch,
  jc_unfetch,
};

/* ---------------------------------------------------------------------- */
/* sqlite3_vfs                                                              */

static int
jc_vfs_xopen (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  sqlite3_vfs *orig = ORIGVFS (vfs);
  JcFile *f = (JcFile *) file;
  sqlite3_file *sub = SUBFILE (file);
  guint8 kcv_key[JC_VFS_KEY_BYTES];
  sqlite3_int64 size = 0;
  int rc;

  memset (f, 0, sizeof *f);
  file->pMethods = NULL;

  /* Only the main database and its WAL; see the comment at the top. */
  if (name == NULL || (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) == 0)
    {
      sqlite3_log (SQLITE_CANTOPEN, "jiancha: refused to open %s (flags 0x%x): "
                   "no temp files or rollback journals in a vault",
                   name ? name : "a temp file", flags);
      return SQLITE_CANTOPEN;
    }

  f->name = name;
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->key = sodium_malloc (JC_VFS_KEY_BYTES);
  f->buf = g_malloc (FRAME);
  if (f->key == NULL)
    {
      g_free (f->buf);
      return SQLITE_NOMEM;
    }

  if (f->is_wal)
    {
      JcFile *db = (JcFile *) sqlite3_database_file_object (name);

      if (db == NULL || db->base.pMethods != &jc_io_methods || db->key == NULL)
        {
          rc = SQLITE_CANTOPEN;
          goto fail;
        }
      memcpy (f->key, db->key, JC_VFS_KEY_BYTES);
      memcpy (f->dbid, db->dbid, DBID);
      f->partner = db;
      db->partner = f;
    }
  else if (!slot_take (sqlite3_uri_parameter (name, "jcslot"), f->key, kcv_key))
    {
      sqlite3_log (SQLITE_CANTOPEN, "jiancha: %s opened without a key", name);
      rc = SQLITE_CANTOPEN;
      goto fail;
    }

  rc = orig->xOpen (orig, name, sub, flags, out_flags);
  if (rc != SQLITE_OK)
    goto fail;

  if (!f->is_wal)
    {
      guint8 head[16];

      rc = sub->pMethods->xFileSize (sub, &size);
      if (rc == SQLITE_OK && size == 0)
        randombytes_buf (f->dbid, DBID);     /* a new database */
      else if (rc == SQLITE_OK)
        {
          rc = sub->pMethods->xRead (sub, head, sizeof head, 0);
          if (rc != SQLITE_OK || memcmp (head, jc_magic, sizeof jc_magic) != 0)
            {
              /* Never write sealed pages into somebody else's file. */
              sub->pMethods->xClose (sub);
              rc = SQLITE_CANTOPEN;
              goto fail;
            }
          memcpy (f->dbid, head + 4, DBID);
        }
      if (rc != SQLITE_OK)
        {
          sub->pMethods->xClose (sub);
          goto fail;
        }
      compute_kcv (kcv_key, f->dbid, f->kcv);
    }
  sodium_memzero (kcv_key, sizeof kcv_key);
  file->pMethods = &jc_io_methods;
  return SQLITE_OK;

fail:
  sodium_memzero (kcv_key, sizeof kcv_key);
  if (f->partner != NULL)
    f->partner->partner = NULL;
  sodium_free (f->key);
  g_free (f->buf);
  memset (f, 0, sizeof *f);
  return rc;
}

static int
jc_vfs_xdelete (sqlite3_vfs *vfs, const char *path, int dir_sync)
{
  return ORIGVFS (vfs)->xDelete (ORIGVFS (vfs), path, dir_sync);
}

static int
jc_vfs_xaccess (sqlite3_vfs *vfs, const char *path, int flags, int *out)
{
  return ORIGVFS (vfs)->xAccess (ORIGVFS (vfs), path, flags, out);
}

static int
jc_vfs_xfull_pathname (sqlite3_vfs *vfs, const char *path, int n, char *out)
{
  return ORIGVFS (vfs)->xFullPathname (ORIGVFS (vfs), path, n, out);
}

static void *
jc_vfs_xdl_open (sqlite3_vfs *vfs, const char *path)
{
  return ORIGVFS (vfs)->xDlOpen (ORIGVFS (vfs), path);
}

static void
jc_vfs_xdl_error (sqlite3_vfs *vfs, int n, char *msg)
{
  ORIGVFS (vfs)->xDlError (ORIGVFS (vfs), n, msg);
}

static void
(*jc_vfs_xdl_sym (sqlite3_vfs *vfs, void *p, const char *sym)) (void)
{
  return ORIGVFS (vfs)->xDlSym (ORIGVFS (vfs), p, sym);
}

static void
jc_vfs_xdl_close (sqlite3_vfs *vfs, void *handle)
{
  ORIGVFS (vfs)->xDlClose (ORIGVFS (vfs), handle);
}

static int
jc_vfs_xrandomness (sqlite3_vfs *vfs, int n, char *out)
{
  return ORIGVFS (vfs)->xRandomness (ORIGVFS (vfs), n, out);
}

static int
jc_vfs_xsleep (sqlite3_vfs *vfs, int us)
{
  return ORIGVFS (vfs)->xSleep (ORIGVFS (vfs), us);
}

static int
jc_vfs_xcurrent_time (sqlite3_vfs *vfs, double *out)
{
  return ORIGVFS (vfs)->xCurrentTime (ORIGVFS (vfs), out);
}

static int
jc_vfs_xget_last_error (sqlite3_vfs *vfs, int n, char *out)
{
  return ORIGVFS (vfs)->xGetLastError (ORIGVFS (vfs), n, out);
}

static int
jc_vfs_xcurrent_time_int64 (sqlite3_vfs *vfs, sqlite3_int64 *out)
{
  sqlite3_vfs *orig = ORIGVFS (vfs);
  double r;
  int rc;

  if (orig->iVersion >= 2 && orig->xCurrentTimeInt64 != NULL)
    return orig->xCurrentTimeInt64 (orig, out);
  rc = orig->xCurrentTime (orig, &r);
  *out = (sqlite3_int64) (r * 86400000.0);
  return rc;
}

static int
jc_vfs_xset_system_call (sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call)
{
  return ORIGVFS (vfs)->xSetSystemCall (ORIGVFS (vfs), name, call);
}

static sqlite3_syscall_ptr
jc_vfs_xget_system_call (sqlite3_vfs *vfs, const char *name)
{
  return ORIGVFS (vfs)->xGetSystemCall (ORIGVFS (vfs), name);
}

static const char *
jc_vfs_xnext_system_call (sqlite3_vfs *vfs, const char *name)
{
  return ORIGVFS (vfs)->xNextSystemCall (ORIGVFS (vfs), name);
}

static sqlite3_vfs jc_vfs = {
  3,
  0,                  /* szOsFile, set when registered */
  1024,
  NULL,
  JC_VFS_NAME,
  NULL,               /* pAppData: the VFS below */
  jc_vfs_xopen,
  jc_vfs_xdelete,
  jc_vfs_xaccess,
  jc_vfs_xfull_pathname,
  jc_vfs_xdl_open,
  jc_vfs_xdl_error,
  jc_vfs_xdl_sym,
  jc_vfs_xdl_close,
  jc_vfs_xrandomness,
  jc_vfs_xsleep,
  jc_vfs_xcurrent_time,
  jc_vfs_xget_last_error,
  jc_vfs_xcurrent_time_int64,
  jc_vfs_xset_system_call,
  jc_vfs_xget_system_call,
  jc_vfs_xnext_system_call,
};

static gpointer
register_once (gpointer data)
{
  sqlite3_vfs *orig;
  int rc;

  if (sodium_init () < 0)
    return GINT_TO_POINTER (SQLITE_ERROR + 1);
  orig = sqlite3_vfs_find (NULL);
  if (orig == NULL || orig->iVersion < 3)
    return GINT_TO_POINTER (SQLITE_ERROR + 1);
  jc_vfs.szOsFile = sizeof (JcFile) + orig->szOsFile;
  jc_vfs.mxPathname = orig->mxPathname;
  jc_vfs.pAppData = orig;
  rc = sqlite3_vfs_register (&jc_vfs, 0);
  if (rc == SQLITE_OK)
    pthread_atfork (NULL, NULL, after_fork_in_child);
  return GINT_TO_POINTER (rc + 1);
}

gboolean
jc_vfs_register (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  int rc = GPOINTER_TO_INT (g_once (&once, register_once, NULL)) - 1;

  if (rc != SQLITE_OK)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_IO,
                   _("The encrypting SQLite VFS could not be registered: %s"),
                   sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Opening a vault database                                                 */

static JcFile *
main_file (sqlite3 *db)
{
  sqlite3_file *fp = NULL;

  if (sqlite3_file_control (db, "main", SQLITE_FCNTL_FILE_POINTER, &fp) != SQLITE_OK
      || fp == NULL || fp->pMethods != &jc_io_methods)
    return NULL;
  return (JcFile *) fp;
}

static void
set_auth_error (GError **error, const char *base, gboolean wal, guint32 pgno, guint32 frame)
{
  if (wal && frame == 0)
    g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH,
                 _("%s-wal: the WAL header failed authentication (altered)"), base);
  else if (wal)
    g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH,
                 _("%s-wal: page %u (WAL frame %u) failed authentication (altered or moved)"),
                 base, pgno, frame);
  else
    g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH,
                 _("%s: page %u failed authentication (altered or moved)"),
                 base, pgno);
}

void
jc_vfs_set_error (sqlite3  *db,
                  int       rc,
                  GError  **error)
{
  const char *path = db ? sqlite3_db_filename (db, "main") : NULL;
  g_autofree char *base = g_path_get_basename (path && *path ? path : "?");
  const char *msg = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  JcFile *f;
  int code;

  if (db != NULL)
    sqlite3_mutex_enter (sqlite3_db_mutex (db));
  f = db ? main_file (db) : NULL;
  /* Only an I/O or corruption failure can come from a page that did not
   * authenticate (integrity_check reports it as text: pass SQLITE_CORRUPT). */
  if (f != NULL && f->fail_set
      && ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CORRUPT
          || (rc & 0xff) == SQLITE_NOTADB))
    {
      f->fail_set = FALSE;
      last_failure.set = FALSE;
      set_auth_error (error, base, f->fail_wal, f->fail_pgno, f->fail_frame);
      sqlite3_mutex_leave (sqlite3_db_mutex (db));
      return;
    }
  if (db != NULL)
    sqlite3_mutex_leave (sqlite3_db_mutex (db));

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_FULL,
                   _("%s: the disk is full (or the file size limit was reached); "
                     "the change was not saved"), base);
      return;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      code = JC_VFS_ERROR_IO;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = JC_VFS_ERROR_CORRUPT;
      break;
    default:
      code = JC_VFS_ERROR_SQLITE;
      break;
    }
  g_set_error (error, JC_VFS_ERROR, code, "%s: %s", base, msg);
}

gboolean
jc_vfs_exec (sqlite3    *db,
             const char *sql,
             GError    **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      jc_vfs_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

static char *
query_text (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else
    jc_vfs_set_error (db, rc == SQLITE_DONE ? SQLITE_ERROR : rc, error);
  sqlite3_finalize (stmt);
  return result;
}

/* Checks the clear header before SQLite sees the file, for clear errors:
 * not a vault, wrong key. Sets @fresh when the database is to be made. */
static gboolean
check_header (const char    *path,
              const char    *base,
              const guint8  *kcv_key,
              gboolean       create,
              gboolean      *fresh,
              GError       **error)
{
  GStatBuf st;
  guint8 head[CLEAR1];
  guint8 kcv[KCV];
  FILE *fp;
  gsize n;

  *fresh = FALSE;
  if (g_stat (path, &st) != 0 || st.st_size == 0)
    {
      if (!create)
        {
          g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_FOUND,
                       _("%s: no vault database here (%s)"), base, path);
          return FALSE;
        }
      *fresh = TRUE;
      return TRUE;
    }
  if (st.st_size < PAGE)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_VAULT,
                   _("%s: %lld bytes is too short for a vault database (damaged?)"),
                   base, (long long) st.st_size);
      return FALSE;
    }
  fp = g_fopen (path, "rb");
  if (fp == NULL)
    {
      int saved = errno;

      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_IO, _("%s: cannot read: %s"),
                   base, g_strerror (saved));
      return FALSE;
    }
  n = fread (head, 1, sizeof head, fp);
  fclose (fp);
  if (n != sizeof head)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_IO, _("%s: cannot read its header"), base);
      return FALSE;
    }
  if (memcmp (head, sqlite_magic, 16) == 0)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_VAULT,
                   _("%s: a plain (unencrypted) SQLite database, not a vault"), base);
      return FALSE;
    }
  if (memcmp (head, jc_magic, sizeof jc_magic) != 0)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_VAULT,
                   _("%s: not a vault database (unknown header)"), base);
      return FALSE;
    }
  if (head[16] != (PAGE >> 8) || head[17] != (PAGE & 0xff) || head[20] != RESERVE)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_VAULT,
                   _("%s: page 1 header gives page size %u and %u reserve bytes, "
                     "a vault has %u and %u"),
                   base, (head[16] << 8) | head[17], head[20], PAGE, RESERVE);
      return FALSE;
    }
  compute_kcv (kcv_key, head + 4, kcv);
  if (sodium_memcmp (kcv, head + 12, KCV) != 0)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_WRONG_KEY,
                   _("%s: wrong key: this data key does not open this vault"), base);
      return FALSE;
    }
  return TRUE;
}

/* Why synchronous=FULL: in WAL mode NORMAL syncs the WAL only at checkpoints,
 * so a transaction acknowledged just before a power cut can be lost (it
 * survives kill -9 either way). The design promises that no acknowledged
 * write is lost, and the cost is one fsync per commit (bench/vault.c
 * measures both). */
static const char *const open_pragmas =
  "PRAGMA cache_size=-8192;"   /* 8 MiB: a page found in the cache needs no decryption */
  "PRAGMA temp_store=MEMORY;"
  "PRAGMA mmap_size=0;"
  "PRAGMA synchronous=FULL;"
  "PRAGMA busy_timeout=5000;";  /* another connection (a worker thread) may be writing */

gboolean
jc_vfs_open (const char   *path,
             const guint8  dek[JC_VFS_KEY_BYTES],
             gboolean      create,
             sqlite3     **out_db,
             GError      **error)
{
  g_autofree char *base = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *page_size = NULL;
  guint8 *keys;
  sqlite3 *db = NULL;
  gboolean fresh = FALSE;
  guint slot;
  int reserve;
  int rc;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (dek != NULL, FALSE);
  g_return_val_if_fail (out_db != NULL, FALSE);

  *out_db = NULL;
  base = g_path_get_basename (path);
  if (!jc_core_init (error) || !jc_vfs_register (error))
    return FALSE;

  keys = sodium_malloc (2 * JC_VFS_KEY_BYTES);
  if (keys == NULL)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_IO,
                   _("%s: no secure memory for the keys"), base);
      return FALSE;
    }
  derive_keys (dek, keys);
  if (!check_header (path, base, keys + JC_VFS_KEY_BYTES, create, &fresh, error))
    {
      sodium_free (keys);
      return FALSE;
    }

  /* The URI carries an opaque slot number, never the key; the slot lives
   * only while SQLite opens the file (it opens the db file right away). */
  escaped = g_uri_escape_string (path, "/", FALSE);
  slot = slot_add (keys);
  uri = g_strdup_printf ("file:%s?jcslot=%u", escaped, slot);
  last_failure.set = FALSE;
  rc = sqlite3_open_v2 (uri, &db,
                        SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)
                        | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX,
                        JC_VFS_NAME);
  slot_remove (slot);
  sodium_free (keys);
  if (rc != SQLITE_OK && last_failure.set)
    {
      /* SQLite reads page 1 while opening. */
      last_failure.set = FALSE;
      set_auth_error (error, base, last_failure.wal, last_failure.pgno, last_failure.frame);
      sqlite3_close (db);
      return FALSE;
    }
  if (rc != SQLITE_OK)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_IO, _("%s: cannot open: %s"),
                   base, db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_extended_result_codes (db, 1);

  if (!jc_vfs_exec (db, open_pragmas, error))
    goto fail;

  if (fresh)
    {
      /* Before the first page is written: the page size, then the 40
       * reserve bytes; then WAL, by way of OFF so that the switch (whose
       * transaction always uses a rollback journal) needs none. */
      reserve = RESERVE;
      if (!jc_vfs_exec (db, "PRAGMA page_size=4096;", error))
        goto fail;
      rc = sqlite3_file_control (db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
      if (rc != SQLITE_OK)
        {
          jc_vfs_set_error (db, rc, error);
          goto fail;
        }
      if (!jc_vfs_exec (db, "PRAGMA journal_mode=OFF;", error))
        goto fail;
    }

  mode = query_text (db, "PRAGMA journal_mode=WAL;", error);
  if (mode == NULL)
    goto fail;
  if (g_ascii_strcasecmp (mode, "wal") != 0)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_IO,
                   _("%s: cannot use WAL mode (journal mode is %s)"), base, mode);
      goto fail;
    }

  /* Reads page 1 and the schema: a damaged page fails here. */
  g_clear_pointer (&mode, g_free);
  mode = query_text (db, "SELECT count(*) FROM sqlite_schema;", error);
  if (mode == NULL)
    goto fail;

  reserve = -1;
  page_size = query_text (db, "PRAGMA page_size;", error);
  if (page_size == NULL)
    goto fail;
  if (sqlite3_file_control (db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve) != SQLITE_OK
      || reserve != RESERVE || g_strcmp0 (page_size, G_STRINGIFY (JC_VFS_PAGE_SIZE)) != 0)
    {
      g_set_error (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_VAULT,
                   _("%s: page size %s with %d reserve bytes; a vault has %d and %d"),
                   base, page_size, reserve, PAGE, RESERVE);
      goto fail;
    }

  *out_db = db;
  return TRUE;

fail:
  sqlite3_close_v2 (db);
  return FALSE;
}

void
jc_vfs_close (sqlite3 *db)
{
  if (db != NULL)
    sqlite3_close_v2 (db);
}

/* jc-vfs.h — the page-encrypting SQLite VFS of the vault
 *
 * Every page of jiancha.db and every page image in jiancha.db-wal is sealed
 * with XChaCha20-Poly1305 (fresh random nonce per write) under a page key
 * derived from the data key; a page that is altered, moved or swapped fails
 * to authenticate and the query fails with JC_VFS_ERROR_AUTH naming the
 * file and the page. See jc-vfs.c for the on-disk format.
 *
 * Usage:
 *   sqlite3 *db;
 *   if (!jc_vfs_open (path, dek, TRUE, &db, error))
 *     return FALSE;
 *   if (!jc_vfs_exec (db, "CREATE TABLE …", error))
 *     …;
 *   // on any other failing sqlite3_* call: jc_vfs_set_error (db, rc, error);
 *   jc_vfs_close (db);
 *
 * The key never appears in a URI, a string or a log: jc_vfs_open() hands it
 * to the VFS through a short-lived process-wide slot (an opaque number in the
 * URI) and each open file keeps its own copy in sodium_malloc() memory
 * (guarded, mlocked), wiped when SQLite closes the file.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define JC_VFS_ERROR (jc_vfs_error_quark ())

/* The name the VFS is registered under (never the default VFS). */
#define JC_VFS_NAME "jiancha"

/* Fixed format: 4096-byte pages, the last 40 bytes of each hold the 24-byte
 * nonce and the 16-byte tag. */
#define JC_VFS_PAGE_SIZE 4096
#define JC_VFS_RESERVE   40
#define JC_VFS_KEY_BYTES 32

typedef enum {
  JC_VFS_ERROR_AUTH,       /* a page failed authentication (altered, moved) */
  JC_VFS_ERROR_WRONG_KEY,  /* the data key is not the one of this database */
  JC_VFS_ERROR_NOT_VAULT,  /* not an encrypted vault database (or damaged header) */
  JC_VFS_ERROR_NOT_FOUND,  /* no database and create was FALSE */
  JC_VFS_ERROR_FULL,       /* disk full or file size limit */
  JC_VFS_ERROR_IO,         /* other I/O error */
  JC_VFS_ERROR_CORRUPT,    /* SQLite found the (authentic) content inconsistent */
  JC_VFS_ERROR_SQLITE,     /* any other SQLite error (SQL, constraint, busy…) */
} JcVfsError;

GQuark   jc_vfs_error_quark (void);

/* Registers the "jiancha" VFS (once, thread-safe). jc_vfs_open() calls it. */
gboolean jc_vfs_register    (GError **error);

/* Opens (or, with @create, creates) the encrypted database at @path with the
 * 32-byte data key @dek, in serialized threading mode (SQLITE_OPEN_FULLMUTEX:
 * a connection may be handed to a GTask thread), and applies the pragmas:
 * page_size=4096 and 40 reserve bytes (at creation), journal_mode=WAL,
 * synchronous=FULL, temp_store=MEMORY, mmap_size=0, cache_size=8 MiB,
 * busy_timeout=5 s. An existing database is never overwritten; without
 * @create a missing one is JC_VFS_ERROR_NOT_FOUND. Reads the schema so that
 * a wrong key (JC_VFS_ERROR_WRONG_KEY) or a damaged page 1
 * (JC_VFS_ERROR_AUTH) fails here, with a clear error. Each call opens its
 * own connection; several connections (threads, processes) may share a
 * database as with plain SQLite in WAL mode. */
gboolean jc_vfs_open        (const char   *path,
                             const guint8  dek[JC_VFS_KEY_BYTES],
                             gboolean      create,
                             sqlite3     **out_db,
                             GError      **error);

/* Closes @db (finalizing nothing: statements must be finalized first, else
 * the close is deferred until they are). The files wipe their keys. */
void     jc_vfs_close       (sqlite3 *db);

/* Runs @sql (no results) and turns a failure into a GError as
 * jc_vfs_set_error() does. */
gboolean jc_vfs_exec        (sqlite3    *db,
                             const char *sql,
                             GError    **error);

/* Turns the failing result @rc of an sqlite3_* call on @db into a GError.
 * When the failure was a page that did not authenticate, the error is
 * JC_VFS_ERROR_AUTH and says which file and page, e.g.
 * "jiancha.db: page 7 failed authentication (altered or moved)". */
void     jc_vfs_set_error   (sqlite3  *db,
                             int       rc,
                             GError  **error);

G_END_DECLS

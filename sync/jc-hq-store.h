/* jc-hq-store.h — headquarters' directory: its keys and its database
 *
 *   HQDIR/            0700
 *     signing.key     Ed25519 seed, 64 hex (0600)
 *     signing.pub     Ed25519 public key, 64 hex
 *     escrow.key      X25519 (crypto_box) secret key, 64 hex (0600): opens
 *                     the recovery slot of every enrolled vault
 *     escrow.pub      its public key, 64 hex
 *     hq.db           SQLite: enrollment codes, devices, every device's events
 *                     and their projections, bundles, rejections, evidence
 *     database        instead of hq.db: the postgresql:// address of HQ's
 *                     database (0600; it may hold a password)
 *     blobs/          evidence as it arrived, encrypted (jc-blob-crypt.h)
 *
 * Shared by jiancha-hq's commands and its server.
 */
#pragma once

#include <glib.h>
#include "jc-db.h"

#include "jc-jc1.h"

G_BEGIN_DECLS

#define JC_HQ_STORE_ERROR (jc_hq_store_error_quark ())

typedef enum {
  JC_HQ_STORE_ERROR_IO,         /* a file or the database could not be used */
  JC_HQ_STORE_ERROR_EXISTS,     /* init: the directory already holds an HQ */
  JC_HQ_STORE_ERROR_NOT_FOUND,  /* no HQ in that directory, or no such device */
  JC_HQ_STORE_ERROR_INVALID,    /* a malformed request: HTTP 400 */
  JC_HQ_STORE_ERROR_CODE,       /* unknown, used or expired code: HTTP 403 */
  JC_HQ_STORE_ERROR_DUPLICATE,  /* the device is already enrolled: HTTP 409 */
  JC_HQ_STORE_ERROR_REVOKED,    /* the device is revoked: HTTP 403 */
} JcHqStoreError;

/* How long a device certificate is valid. */
#define JC_HQ_CERT_VALID_DAYS 365

typedef struct _JcHqStore JcHqStore;

GQuark        jc_hq_store_error_quark      (void);

/* Creates @dir (0700, must not hold an HQ yet) with fresh keys and hq.db,
 * or with @db_url (postgresql://…, an empty database) when not NULL. */
gboolean      jc_hq_store_init             (const char      *dir,
                                            const char      *db_url,
                                            GError         **error);
JcHqStore    *jc_hq_store_open             (const char      *dir,
                                            GError         **error);
/* HQ's database alone, without its keys: what tests and benches look into. */
JcDb         *jc_hq_store_open_database    (const char      *dir,
                                            GError         **error);
void          jc_hq_store_free             (JcHqStore       *store);

const guint8 *jc_hq_store_get_public_key   (JcHqStore       *store);
const guint8 *jc_hq_store_get_escrow_key   (JcHqStore       *store);
const char   *jc_hq_store_get_dir          (JcHqStore       *store);
/* HQ's Ed25519 secret key (64 bytes, locked memory): signs receipts and
 * updates, and (as X25519) opens the bundles sealed to HQ. */
const guint8 *jc_hq_store_get_secret_key   (JcHqStore       *store);
/* A key of HQ's own (32 bytes) that wraps what it keeps secret in hq.db. */
const guint8 *jc_hq_store_get_storage_key  (JcHqStore       *store);
/* The database; whoever uses it holds the store's lock: the server's
 * worker threads and its main loop share one connection. */
JcDb         *jc_hq_store_get_db           (JcHqStore       *store);
void          jc_hq_store_lock             (JcHqStore       *store);
void          jc_hq_store_unlock           (JcHqStore       *store);

/* The key an enrolled device signs with; JC_HQ_STORE_ERROR_NOT_FOUND when
 * HQ never enrolled it, JC_HQ_STORE_ERROR_REVOKED when it is revoked. */
gboolean      jc_hq_store_device_key       (JcHqStore       *store,
                                            const guint8     device_id[16],
                                            guint8           public_key[32],
                                            GError         **error);
/* Revoked devices' ids (hex), oldest first. */
GPtrArray    *jc_hq_store_revoked          (JcHqStore       *store,
                                            GError         **error);
/* HQ's Ed25519 signature of @message (detached, 64 bytes). */
void          jc_hq_store_sign             (JcHqStore       *store,
                                            const guint8    *message,
                                            gsize            len,
                                            guint8           signature[64]);

/* A one-time code "XXXX-XXXX-XXXX" for @inspector, valid @valid_hours
 * (0 = already expired: only useful to tests). Only its hash is stored. */
char         *jc_hq_store_new_code         (JcHqStore       *store,
                                            const char      *inspector,
                                            guint            valid_hours,
                                            GError         **error);

/* Checks and consumes @code, stores the device and signs its certificate. */
gboolean      jc_hq_store_enroll           (JcHqStore       *store,
                                            const guint8     device_id[16],
                                            const guint8     device_pk[32],
                                            const char      *code,
                                            const char      *inspector,
                                            JcJc1Certificate *out,
                                            GError         **error);

gboolean      jc_hq_store_revoke           (JcHqStore       *store,
                                            const char      *device_id_hex,
                                            GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcHqStore, jc_hq_store_free)

G_END_DECLS

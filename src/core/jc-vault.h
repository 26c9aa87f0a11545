/* jc-vault.h — the device's whole state: keys, encrypted database, evidence
 *
 *   VAULT/keys          the wrapped data key (jc-keyfile)
 *   VAULT/jiancha.db    SQLite through the encrypting VFS (jc-vfs), WAL mode
 *   VAULT/blobs/…       evidence, each file encrypted on its own (jc-blobstore)
 *
 * Locked, a vault holds no key in memory. Unlocked, every change goes
 * through jc_vault_record() as a signed event of this device.
 */
#pragma once

#include <gio/gio.h>

#include "jc-blobstore.h"
#include "jc-device.h"
#include "jc-eventlog.h"
#include "jc-jc1.h"
#include "jc-keyfile.h"

G_BEGIN_DECLS

#define JC_VAULT_ERROR (jc_vault_error_quark ())

typedef enum {
  JC_VAULT_ERROR_EXISTS,     /* create: there is already a vault (or files) there */
  JC_VAULT_ERROR_NOT_FOUND,  /* no vault at that path */
  JC_VAULT_ERROR_LOCKED,     /* the operation needs an unlocked vault */
  JC_VAULT_ERROR_DAMAGED,    /* parts missing or inconsistent */
  JC_VAULT_ERROR_INVALID,    /* bad argument: an empty name, a bad key file */
  JC_VAULT_ERROR_ENROLLED,   /* enroll: the vault already has a certificate */
} JcVaultError;

#define JC_TYPE_VAULT (jc_vault_get_type ())
G_DECLARE_FINAL_TYPE (JcVault, jc_vault, JC, VAULT, GObject)

GQuark       jc_vault_error_quark     (void);

JcVault     *jc_vault_new             (const char    *dir);
const char  *jc_vault_get_dir         (JcVault       *self);
/* A vault is there once its keys file is. */
gboolean     jc_vault_exists          (JcVault       *self);

/* Creates the vault in a new directory next to @dir and renames it into
 * place, so a crash never leaves half a vault. @escrow_pk (32 bytes, may be
 * NULL) adds the HQ recovery slot. The vault is unlocked afterwards. */
gboolean     jc_vault_create          (JcVault       *self,
                                       const char    *pin,
                                       const char    *inspector,
                                       const guint8  *escrow_pk,
                                       GError       **error);
gboolean     jc_vault_unlock          (JcVault       *self,
                                       const char    *pin,
                                       GError       **error);
/* HQ's side of a forgotten PIN: unwrap with the escrow key pair, then set
 * @new_pin. The vault is unlocked afterwards. */
gboolean     jc_vault_recover         (JcVault       *self,
                                       const guint8   escrow_pk[32],
                                       const guint8   escrow_sk[32],
                                       const char    *new_pin,
                                       GError       **error);
gboolean     jc_vault_change_pin      (JcVault       *self,
                                       const char    *old_pin,
                                       const char    *new_pin,
                                       GError       **error);
/* Closes the database and wipes every key from memory; emits "locking"
 * first, while the vault is still open. */
void         jc_vault_lock            (JcVault       *self);
gboolean     jc_vault_is_unlocked     (JcVault       *self);

/* The vault's database; a JC_VAULT_ERROR_LOCKED error when it is locked. */
JcDb        *jc_vault_get_db          (JcVault       *self,
                                       GError       **error);

/* Valid while unlocked. */
JcDevice    *jc_vault_get_device      (JcVault       *self);
const char  *jc_vault_get_inspector   (JcVault       *self);
JcEventlog  *jc_vault_get_eventlog    (JcVault       *self);
JcBlobstore *jc_vault_get_blobstore   (JcVault       *self);

/* The database is one connection shared by the threads that use the
 * vault; jc_vault_record() and everything that works on the database from
 * another thread (sync) hold this recursive mutex, so that one thread's
 * transaction never takes in, or rolls back, another thread's writes. */
GRecMutex   *jc_vault_get_db_mutex    (JcVault       *self);

/* Appends a signed event of this device, by the vault's inspector. */
gboolean     jc_vault_record          (JcVault       *self,
                                       const char    *kind,
                                       const char    *body_json,
                                       JcEvent      **out_event,
                                       GError       **error);

/* Enrollment with HQ: verifies @cert for this device against @hq_pk, adds
 * the recovery slot sealed to @escrow_pk to the keys file (needs the
 * @pin: the PIN slot authenticates the recovery slot), pins both HQ keys and
 * the certificate in the vault, records a "device.enroll" event and HQ's
 * time (@hq_time: Unix µs, as event times). Refuses a second enrollment
 * (JC_VAULT_ERROR_ENROLLED). */
gboolean     jc_vault_enroll          (JcVault                *self,
                                       const char             *pin,
                                       const JcJc1Certificate *cert,
                                       const guint8            hq_pk[32],
                                       const guint8            escrow_pk[32],
                                       gint64                  hq_time,
                                       GError                **error);
/* TRUE when enrolled; fills what is not NULL (keys: 32 bytes). */
gboolean     jc_vault_get_enrollment  (JcVault                *self,
                                       JcJc1Certificate       *cert,
                                       guint8                 *hq_pk,
                                       guint8                 *escrow_pk);

/* Stores @path encrypted and records an "evidence.add" event. */
JcBlobInfo  *jc_vault_add_evidence    (JcVault       *self,
                                       const char    *path,
                                       const char    *note,
                                       GCancellable  *cancellable,
                                       GError       **error);
/* The same for what a capture holds in memory, never written anywhere in
 * plaintext: @name (may be NULL) is recorded as the evidence's name. */
JcBlobInfo  *jc_vault_add_evidence_stream (JcVault     *self,
                                       GInputStream  *in,
                                       const char    *media_type,
                                       const char    *name,
                                       const char    *note,
                                       GCancellable  *cancellable,
                                       GError       **error);
gboolean     jc_vault_get_evidence    (JcVault       *self,
                                       const char    *sha256_hex,
                                       const char    *out_path,
                                       GCancellable  *cancellable,
                                       GError       **error);
/* What the "evidence.add" event said of it; each out may be NULL.
 * @out_captured_at: Unix seconds. */
gboolean     jc_vault_describe_evidence (JcVault     *self,
                                       const char    *sha256_hex,
                                       char         **out_name,
                                       char         **out_media_type,
                                       guint64       *out_size,
                                       gint64        *out_captured_at,
                                       GError       **error);
/* The whole plaintext in memory, verified (chunks, end and hash) before
 * it is returned: for showing evidence without a plaintext file. */
GBytes      *jc_vault_read_evidence   (JcVault       *self,
                                       const char    *sha256_hex,
                                       GCancellable  *cancellable,
                                       GError       **error);

/* Checks every page of the database, the whole event chain and every piece
 * of evidence the events name. @report (may be NULL) gets one line per part. */
gboolean     jc_vault_verify          (JcVault       *self,
                                       GString       *report,
                                       GCancellable  *cancellable,
                                       GError       **error);

G_END_DECLS

/* jc-keyfile.h — the vault's `keys` file: the data key wrapped by PIN and HQ escrow */
#pragma once

#include <glib.h>

#include "jc-secret.h"

G_BEGIN_DECLS

#define JC_KEYFILE_ERROR (jc_keyfile_error_quark ())

typedef enum {
  JC_KEYFILE_ERROR_IO,          /* the file could not be read or written */
  JC_KEYFILE_ERROR_EXISTS,      /* create: a keys file is already there */
  JC_KEYFILE_ERROR_CORRUPT,     /* truncated, garbage, failed checksum or MAC */
  JC_KEYFILE_ERROR_UNSUPPORTED, /* a newer format version or unknown algorithm */
  JC_KEYFILE_ERROR_WEAK_PIN,    /* the new PIN breaks the PIN rules */
  JC_KEYFILE_ERROR_WRONG_PIN,   /* "Wrong PIN (attempt N)" */
  JC_KEYFILE_ERROR_LOCKED_OUT,  /* too many wrong PINs: wait, the message says how long */
  JC_KEYFILE_ERROR_NO_RECOVERY, /* no recovery slot, or sealed to another escrow key */
  JC_KEYFILE_ERROR_WRONG_KEY,   /* the escrow secret key or the DEK does not open it */
  JC_KEYFILE_ERROR_KDF,         /* Argon2id could not run (out of memory) */
} JcKeyfileError;

#define JC_KEYFILE_DEK_BYTES    32
#define JC_KEYFILE_DB_ID_BYTES  16
#define JC_KEYFILE_ESCROW_BYTES 32  /* crypto_box public and secret keys */

/* Wrong PINs: the first JC_KEYFILE_FREE_ATTEMPTS cost nothing but Argon2id;
 * from then on unlocking waits BASE·2^(n-FREE) seconds, at most MAX. */
#define JC_KEYFILE_FREE_ATTEMPTS    3
#define JC_KEYFILE_DELAY_BASE_S     5
#define JC_KEYFILE_DELAY_MAX_S      (15 * 60)

#define JC_PIN_MIN_CHARS 6
#define JC_PIN_MAX_BYTES 128

/* Argon2id cost, as recorded in the file. */
typedef struct {
  guint64 opslimit;
  guint64 memlimit;   /* bytes */
} JcKdfLimits;

typedef struct {
  guint       version;
  JcKdfLimits limits;
  guint       failed_attempts;
  gint64      last_failure;     /* unix seconds, 0 when none */
  gint64      locked_until;     /* unix seconds, 0 when unlocking is allowed now */
  gboolean    has_recovery;
  guint8      escrow_pk[JC_KEYFILE_ESCROW_BYTES];
  guint8      db_id[JC_KEYFILE_DB_ID_BYTES];
} JcKeyfileInfo;

/* Seconds since the epoch; tests replace it to test the delays without
 * sleeping.  NULL restores the real clock. */
typedef gint64 (*JcKeyfileClock) (void);

GQuark    jc_keyfile_error_quark            (void);

/* Limits so that one unlock takes about @target_seconds here: memory first
 * (64 MiB .. 256 MiB), then passes; never below the INTERACTIVE limits. */
gboolean  jc_kdf_limits_tune                (double              target_seconds,
                                             JcKdfLimits        *out,
                                             GError            **error);
/* The cheapest limits libsodium allows: only for tests. */
void      jc_kdf_limits_min                 (JcKdfLimits        *out);
/* The limits jc_keyfile_create() uses when given NULL: the minimum ones
 * when JIANCHA_TEST_FAST_KDF=1 is set (tests), otherwise tuned to 0.5 s. */
gboolean  jc_kdf_limits_default             (JcKdfLimits        *out,
                                             GError            **error);

/* 0 (refused) .. 4 (strong); *reason (static, translated) says why. */
int       jc_pin_strength                   (const char         *pin,
                                             const char        **reason);
/* FALSE with JC_KEYFILE_ERROR_WEAK_PIN when jc_pin_strength() is 0. */
gboolean  jc_pin_check                      (const char         *pin,
                                             GError            **error);

/* Makes a fresh random DEK and writes @path (refuses to overwrite one).
 * @escrow_pk may be NULL (no recovery slot); @limits NULL = default. */
gboolean  jc_keyfile_create                 (const char         *path,
                                             const char         *pin,
                                             const guint8       *escrow_pk,
                                             const guint8        db_id[JC_KEYFILE_DB_ID_BYTES],
                                             const JcKdfLimits  *limits,
                                             JcSecret          **dek_out,
                                             GError            **error);
gboolean  jc_keyfile_unlock                 (const char         *path,
                                             const char         *pin,
                                             JcSecret          **dek_out,
                                             GError            **error);
/* Rewraps the same DEK under @new_pin (fresh salt, same limits). */
gboolean  jc_keyfile_change_pin             (const char         *path,
                                             const char         *old_pin,
                                             const char         *new_pin,
                                             GError            **error);
/* Enrollment: seals the DEK to HQ's escrow key, replacing any recovery
 * slot. Needs the PIN: the PIN slot authenticates the recovery slot, so it
 * is rewrapped (fresh salt, attempts reset). Atomic: old or new file. */
gboolean  jc_keyfile_add_recovery_slot      (const char         *path,
                                             const char         *pin,
                                             const guint8        escrow_pk[JC_KEYFILE_ESCROW_BYTES],
                                             GError            **error);
/* HQ side: opens the recovery slot with the escrow key pair. */
gboolean  jc_keyfile_recover                (const char         *path,
                                             const guint8        escrow_pk[JC_KEYFILE_ESCROW_BYTES],
                                             const guint8        escrow_sk[JC_KEYFILE_ESCROW_BYTES],
                                             JcSecret          **dek_out,
                                             GError            **error);
/* After recovery: a new PIN for the recovered @dek, attempts reset. */
gboolean  jc_keyfile_set_pin_after_recovery (const char         *path,
                                             const JcSecret     *dek,
                                             const char         *new_pin,
                                             GError            **error);
/* Reads the plaintext parts (no PIN needed); checks format and checksum. */
gboolean  jc_keyfile_get_info               (const char         *path,
                                             JcKeyfileInfo      *info,
                                             GError            **error);

void      jc_keyfile_set_clock              (JcKeyfileClock      clock);

/* Subkeys of the DEK for the rest of the vault; @context is exactly 8
 * characters ("jcpages_", "jcblobs_", "jcnames_", ...). */
void      jc_keys_derive                    (const JcSecret     *dek,
                                             const char         *context,
                                             guint8              out[32]);
JcSecret *jc_keys_derive_secret             (const JcSecret     *dek,
                                             const char         *context);

G_END_DECLS

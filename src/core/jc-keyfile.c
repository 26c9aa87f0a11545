/* jc-keyfile.c — the vault's `keys` file: the data key wrapped by PIN and HQ escrow
 *
 * One fixed-size binary file (format version 1, little-endian):
 *
 *   0   magic "JCKEYS", u16 version
 *   8   u32 flags (bit 0: recovery slot present), u32 zero
 *   16  database id (16)
 *   32  u32 KDF algorithm (crypto_pwhash_ALG_ARGON2ID13), u32 zero
 *   40  u64 opslimit, u64 memlimit, salt (16)
 *   72  escrow public key (32), recovery slot: crypto_box_seal (DEK ‖ db id) (96)
 *         (both all zeros without a recovery slot)
 *   200 PIN slot: nonce (24), XChaCha20-Poly1305 (DEK) (48), AD = bytes 0..199
 *   272 MAC (32): BLAKE2b keyed with a DEK subkey over bytes 0..271
 *   304 u32 failed attempts, u32 zero, i64 time of the last failure (unix s)
 *   320 checksum (16): unkeyed BLAKE2b over bytes 0..319 (in every
 *         version: the last 16 bytes check all that precedes them)
 *   336 end
 *
 * The PIN slot's AD and the MAC make any change of the first 304 bytes
 * fail to unlock (the MAC also covers what a recovery at HQ sees).  The
 * attempt counter cannot be MACed: it changes after a wrong PIN, when we do
 * not have the DEK.  The checksum catches damage anywhere in the file, but
 * anyone can recompute it: an attacker can reset the counter (or simply
 * keep a copy of the file from before).  The counter and the delay are a
 * speed bump and an audit trail for the honest case; what protects the DEK
 * is Argon2id's cost per guess.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "jc-keyfile.h"

G_DEFINE_QUARK (jc-keyfile-error-quark, jc_keyfile_error)

#define KF_MAGIC        "JCKEYS"
#define KF_MAGIC_LEN    6
#define KF_VERSION      1

#define OFF_VERSION     6
#define OFF_FLAGS       8
#define OFF_ZERO1       12
#define OFF_DB_ID       16
#define OFF_KDF_ALG     32
#define OFF_ZERO2       36
#define OFF_OPSLIMIT    40
#define OFF_MEMLIMIT    48
#define OFF_SALT        56
#define OFF_ESCROW_PK   72
#define OFF_SEALED      104
#define OFF_PIN_NONCE   200
#define OFF_PIN_WRAPPED 224
#define OFF_MAC         272
#define OFF_ATTEMPTS    304
#define OFF_ZERO3       308
#define OFF_LAST_FAIL   312
#define OFF_CHECK       320
#define KF_SIZE         336

#define FLAG_RECOVERY   1u

#define SEALED_LEN      (crypto_box_SEALBYTES + JC_KEYFILE_DEK_BYTES + JC_KEYFILE_DB_ID_BYTES)
#define WRAPPED_LEN     (JC_KEYFILE_DEK_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define CHECK_LEN       16

/* A file may ask for at most this much work: a crafted keys file must not
 * be able to make unlocking hang or eat all memory. */
#define KDF_MAX_OPS     64
#define KDF_MAX_MEM     (G_GUINT64_CONSTANT (1) << 30)
#define KDF_TUNE_MAX_MEM (G_GUINT64_CONSTANT (256) << 20)

G_STATIC_ASSERT (crypto_pwhash_SALTBYTES == OFF_ESCROW_PK - OFF_SALT);
G_STATIC_ASSERT (crypto_box_PUBLICKEYBYTES == JC_KEYFILE_ESCROW_BYTES);
G_STATIC_ASSERT (crypto_box_SECRETKEYBYTES == JC_KEYFILE_ESCROW_BYTES);
G_STATIC_ASSERT (OFF_SEALED + SEALED_LEN == OFF_PIN_NONCE);
G_STATIC_ASSERT (OFF_PIN_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == OFF_PIN_WRAPPED);
G_STATIC_ASSERT (OFF_PIN_WRAPPED + WRAPPED_LEN == OFF_MAC);
G_STATIC_ASSERT (crypto_kdf_KEYBYTES == JC_KEYFILE_DEK_BYTES);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

static JcKeyfileClock keyfile_clock;

static gint64
clock_now (void)
{
  if (keyfile_clock != NULL)
    return keyfile_clock ();
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
jc_keyfile_set_clock (JcKeyfileClock clock)
{
  keyfile_clock = clock;
}

/* ---- little-endian fields ---- */

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint64
get_u64 (const guint8 *p)
{
  return (guint64) get_u32 (p) | (guint64) get_u32 (p + 4) << 32;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

static void
put_u64 (guint8 *p, guint64 v)
{
  put_u32 (p, (guint32) v);
  put_u32 (p + 4, (guint32) (v >> 32));
}

static gboolean
all_zero (const guint8 *p, gsize len)
{
  return sodium_is_zero (p, len) == 1;
}

/* ---- key derivation for the rest of the vault ---- */

void
jc_keys_derive (const JcSecret *dek,
                const char     *context,
                guint8          out[32])
{
  g_return_if_fail (dek != NULL && jc_secret_get_len (dek) == crypto_kdf_KEYBYTES);
  g_return_if_fail (context != NULL && strlen (context) == crypto_kdf_CONTEXTBYTES);

  crypto_kdf_derive_from_key (out, 32, 1, context, jc_secret_peek (dek));
}

JcSecret *
jc_keys_derive_secret (const JcSecret *dek,
                       const char     *context)
{
  JcSecret *key = jc_secret_new (32);

  jc_keys_derive (dek, context, jc_secret_get_data (key));
  return key;
}

/* ---- Argon2id limits ---- */

void
jc_kdf_limits_min (JcKdfLimits *out)
{
  out->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
  out->memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
}

static gboolean
limits_valid (const JcKdfLimits *limits)
{
  return limits->opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
         limits->opslimit <= KDF_MAX_OPS &&
         limits->memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
         limits->memlimit <= KDF_MAX_MEM;
}

static gboolean
pwhash (guint8            *out,
        const char        *pin,
        const guint8      *salt,
        const JcKdfLimits *limits,
        GError           **error)
{
  if (crypto_pwhash (out, 32, pin, strlen (pin), salt,
                     limits->opslimit, (size_t) limits->memlimit,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_KDF,
                   _("Argon2id could not run with %" PRIu64 " MiB of memory"),
                   limits->memlimit >> 20);
      return FALSE;
    }
  return TRUE;
}

static double
time_pwhash (const JcKdfLimits *limits,
             GError           **error)
{
  g_autoptr(JcSecret) key = jc_secret_new (32);
  guint8 salt[crypto_pwhash_SALTBYTES];
  gint64 start;

  randombytes_buf (salt, sizeof salt);
  start = g_get_monotonic_time ();
  if (!pwhash (jc_secret_get_data (key), "tuning-pin", salt, limits, error))
    return -1;
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* Argon2id's time grows with passes × memory.  Measure the INTERACTIVE
 * cost, spend the budget on memory first (what makes GPU guessing costly)
 * up to 256 MiB, then on passes; check once and step back if too slow. */
gboolean
jc_kdf_limits_tune (double       target_seconds,
                    JcKdfLimits *out,
                    GError     **error)
{
  JcKdfLimits base = { crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE };
  JcKdfLimits pick;
  double t = 0, units, base_units, mib;

  /* the faster of two runs: the other processes on the machine only ever
   * make a run slower */
  for (guint i = 0; i < 2; i++)
    {
      double run = time_pwhash (&base, error);

      if (run < 0)
        return FALSE;
      t = i == 0 ? run : MIN (t, run);
    }
  t = MAX (t, 1e-4);

  base_units = (double) base.opslimit * (double) (base.memlimit >> 20);
  units = base_units * target_seconds / t;   /* passes × MiB within budget */
  pick = base;
  if (units > base_units)
    {
      /* whole 16 MiB steps: the recorded limits stay readable */
      mib = MIN ((double) (KDF_TUNE_MAX_MEM >> 20), units / base.opslimit);
      pick.memlimit = MAX (base.memlimit, (((guint64) mib) & ~G_GUINT64_CONSTANT (15)) << 20);
      pick.opslimit = MAX (base.opslimit, (guint64) (units / (double) (pick.memlimit >> 20)));
      pick.opslimit = MIN (pick.opslimit, (guint64) KDF_MAX_OPS);

      t = time_pwhash (&pick, error);
      if (t < 0)
        return FALSE;
      while (t > target_seconds * 1.3 && pick.opslimit > base.opslimit)
        {
          t = t * (pick.opslimit - 1) / pick.opslimit;
          pick.opslimit--;
        }
      if (t < target_seconds * 0.7 && pick.memlimit == KDF_TUNE_MAX_MEM)
        pick.opslimit = MIN ((guint64) KDF_MAX_OPS, (guint64) (pick.opslimit * target_seconds / t));
    }
  *out = pick;
  return TRUE;
}

gboolean
jc_kdf_limits_default (JcKdfLimits *out,
                       GError     **error)
{
  if (g_strcmp0 (g_getenv ("JIANCHA_TEST_FAST_KDF"), "1") == 0)
    {
      jc_kdf_limits_min (out);
      return TRUE;
    }
  return jc_kdf_limits_tune (0.5, out, error);
}

/* ---- PIN rules ---- */

static const char * const common_pins[] = {
  "123123", "112233", "123321", "147258", "159753", "147852", "258369", "159357",
  "123654", "111222", "520520", "5201314", "1314520", "201314", "000000", "101010",
  "qwerty", "qwertyuiop", "asdfgh", "zxcvbn", "password", "abc123", "a123456",
  "123abc", "iloveyou", "woaini", "123456a", "aa123456", "qq123456", "1q2w3e",
  "1q2w3e4r", "qazwsx", "admin123", "666888", "888666", "147369", "741852",
};

/* A PIN is at least JC_PIN_MIN_CHARS characters of any kind (digits are
 * fine: Argon2id and the delay carry the weight) and is refused (0) when it
 * is too short, one repeated character, a straight sequence or one of the
 * PINs everyone tries first. */
int
jc_pin_strength (const char  *pin,
                 const char **reason)
{
  g_autofree gunichar *chars = NULL;
  g_autofree char *lower = NULL;
  gboolean has_digit = FALSE, has_lower = FALSE, has_upper = FALSE, has_other = FALSE, has_wide = FALSE;
  glong n, distinct = 0;
  double alphabet = 0, bits;
  const char *dummy;

  if (reason == NULL)
    reason = &dummy;

  if (pin == NULL || !g_utf8_validate (pin, -1, NULL))
    {
      *reason = _("The PIN is not valid text");
      return 0;
    }
  if (strlen (pin) > JC_PIN_MAX_BYTES)
    {
      *reason = _("The PIN is too long (at most 128 bytes)");
      return 0;
    }
  n = g_utf8_strlen (pin, -1);
  if (n < JC_PIN_MIN_CHARS)
    {
      *reason = _("The PIN must have at least 6 characters");
      return 0;
    }

  chars = g_utf8_to_ucs4_fast (pin, -1, NULL);
  for (glong i = 0; i < n; i++)
    {
      gboolean seen = FALSE;

      for (glong j = 0; j < i && !seen; j++)
        seen = chars[j] == chars[i];
      distinct += !seen;
      if (chars[i] >= '0' && chars[i] <= '9')
        has_digit = TRUE;
      else if (chars[i] >= 'a' && chars[i] <= 'z')
        has_lower = TRUE;
      else if (chars[i] >= 'A' && chars[i] <= 'Z')
        has_upper = TRUE;
      else if (chars[i] < 0x80)
        has_other = TRUE;
      else
        has_wide = TRUE;
    }

  if (distinct == 1)
    {
      *reason = _("The PIN is one character repeated, such as 111111");
      return 0;
    }

  /* 123456, 654321, abcdef, and for digits also wrapping ones like 789012 */
  {
    gboolean up = TRUE, down = TRUE;
    gboolean digits_only = has_digit && !has_lower && !has_upper && !has_other && !has_wide;

    for (glong i = 1; i < n; i++)
      {
        gint64 d = (gint64) chars[i] - (gint64) chars[i - 1];

        if (digits_only)
          d = ((d % 10) + 10) % 10;
        up = up && (d == 1);
        down = down && (d == -1 || (digits_only && d == 9));
      }
    if (up || down)
      {
        *reason = _("The PIN is a sequence, such as 123456 or 654321");
        return 0;
      }
  }

  lower = g_utf8_strdown (pin, -1);
  for (guint i = 0; i < G_N_ELEMENTS (common_pins); i++)
    if (strcmp (lower, common_pins[i]) == 0)
      {
        *reason = _("The PIN is one of the most common PINs");
        return 0;
      }

  for (glong p = 1; p <= n / 2; p++)
    {
      gboolean repeats = TRUE;

      for (glong i = p; i < n && repeats; i++)
        repeats = chars[i] == chars[i - p];
      if (repeats)
        {
          *reason = _("The PIN repeats a short pattern, such as 121212");
          return 1;
        }
    }
  if (distinct <= 2)
    {
      *reason = _("The PIN uses only two different characters");
      return 1;
    }
  /* birthdays: YYYYMMDD */
  if (n == 8 && strspn (pin, "0123456789") == 8)
    {
      int year = (pin[0] - '0') * 1000 + (pin[1] - '0') * 100 + (pin[2] - '0') * 10 + (pin[3] - '0');
      int month = (pin[4] - '0') * 10 + (pin[5] - '0');
      int day = (pin[6] - '0') * 10 + (pin[7] - '0');

      if (year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31)
        {
          *reason = _("The PIN looks like a date, such as a birthday");
          return 1;
        }
    }

  alphabet = (has_digit ? 10 : 0) + (has_lower ? 26 : 0) + (has_upper ? 26 : 0) +
             (has_other ? 33 : 0) + (has_wide ? 3000 : 0);
  bits = n * log2 (alphabet);
  if (bits < 28)
    {
      *reason = _("Fair: a short PIN; the unlock delay protects it, a longer one is safer");
      return 2;
    }
  if (bits < 40)
    {
      *reason = _("Good PIN");
      return 3;
    }
  *reason = _("Strong PIN");
  return 4;
}

gboolean
jc_pin_check (const char *pin,
              GError    **error)
{
  const char *reason = NULL;

  if (jc_pin_strength (pin, &reason) == 0)
    {
      g_set_error_literal (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WEAK_PIN, reason);
      return FALSE;
    }
  return TRUE;
}

/* ---- reading and writing the file ---- */

static void
compute_check (const guint8 *raw, guint8 out[CHECK_LEN])
{
  crypto_generichash (out, CHECK_LEN, raw, OFF_CHECK, NULL, 0);
}

static void
compute_mac (const guint8 *raw, const JcSecret *dek, guint8 out[32])
{
  guint8 key[32];

  jc_keys_derive (dek, "jckeymac", key);
  crypto_generichash (out, 32, raw, OFF_MAC, key, sizeof key);
  sodium_memzero (key, sizeof key);
}

static gboolean
mac_ok (const guint8 *raw, const JcSecret *dek)
{
  guint8 mac[32];

  compute_mac (raw, dek, mac);
  return sodium_memcmp (mac, raw + OFF_MAC, sizeof mac) == 0;
}

static void
get_limits (const guint8 *raw, JcKdfLimits *limits)
{
  limits->opslimit = get_u64 (raw + OFF_OPSLIMIT);
  limits->memlimit = get_u64 (raw + OFF_MEMLIMIT);
}

static gboolean
corrupt (GError **error, const char *path, const char *what)
{
  g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_CORRUPT,
               _("Keys file %s is damaged: %s"), path, what);
  return FALSE;
}

/* Reads and checks everything that can be checked without a key. */
static gboolean
read_keyfile (const char *path,
              guint8      raw[KF_SIZE],
              GError    **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *contents = NULL;
  guint8 check[CHECK_LEN];
  JcKdfLimits limits;
  gboolean intact;
  guint version;
  gsize len = 0;
  guint32 flags;

  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_IO,
                   _("Cannot read keys file %s: %s"), path, local->message);
      return FALSE;
    }
  if (len == 0)
    return corrupt (error, path, _("the file is empty"));
  if (len < KF_MAGIC_LEN + 2 || memcmp (contents, KF_MAGIC, KF_MAGIC_LEN) != 0)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_CORRUPT,
                   _("%s is not a Jiancha keys file (wrong magic)"), path);
      return FALSE;
    }
  /* Every version ends with the checksum of what precedes it, so damage
   * is told apart from a newer format before the version is believed. */
  version = (guint8) contents[OFF_VERSION] | (guint) (guint8) contents[OFF_VERSION + 1] << 8;
  intact = len > KF_MAGIC_LEN + 2 + CHECK_LEN;
  if (intact)
    {
      crypto_generichash (check, CHECK_LEN, (const guint8 *) contents, len - CHECK_LEN, NULL, 0);
      intact = sodium_memcmp (check, contents + len - CHECK_LEN, CHECK_LEN) == 0;
    }
  if (intact && version != KF_VERSION)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_UNSUPPORTED,
                   _("Keys file %s has format version %u; this version of Jiancha reads version %u"),
                   path, version, KF_VERSION);
      return FALSE;
    }
  if (len < KF_SIZE && version == KF_VERSION)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_CORRUPT,
                   _("Keys file %s is damaged: truncated to %zu of %d bytes"),
                   path, len, KF_SIZE);
      return FALSE;
    }
  if (!intact)
    return corrupt (error, path, _("checksum mismatch (a byte was changed)"));
  if (len != KF_SIZE)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_CORRUPT,
                   _("Keys file %s is damaged: %zu bytes instead of %d"),
                   path, len, KF_SIZE);
      return FALSE;
    }
  memcpy (raw, contents, KF_SIZE);

  flags = get_u32 (raw + OFF_FLAGS);
  if ((flags & ~FLAG_RECOVERY) != 0 || get_u32 (raw + OFF_ZERO1) != 0 ||
      get_u32 (raw + OFF_ZERO2) != 0 || get_u32 (raw + OFF_ZERO3) != 0)
    return corrupt (error, path, _("unknown flags"));
  if (get_u32 (raw + OFF_KDF_ALG) != crypto_pwhash_ALG_ARGON2ID13)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_UNSUPPORTED,
                   _("Keys file %s uses an unknown key derivation (%u)"),
                   path, get_u32 (raw + OFF_KDF_ALG));
      return FALSE;
    }
  get_limits (raw, &limits);
  if (!limits_valid (&limits))
    return corrupt (error, path, _("Argon2id limits out of range"));
  if (!(flags & FLAG_RECOVERY) &&
      !(all_zero (raw + OFF_ESCROW_PK, JC_KEYFILE_ESCROW_BYTES) && all_zero (raw + OFF_SEALED, SEALED_LEN)))
    return corrupt (error, path, _("recovery slot present but not flagged"));
  return TRUE;
}

static gboolean
fsync_dir_of (const char *path,
              GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved;

  if (fd < 0 || fsync (fd) != 0)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_IO,
                   _("Cannot sync directory %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Temp file in the same directory, fsync, then rename (or link, when the
 * file must not exist yet) and fsync the directory: after a crash there is
 * either the old or the new file, never half of one. */
static gboolean
write_keyfile (const char   *path,
               guint8        raw[KF_SIZE],
               gboolean      create,
               GError      **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  gsize done = 0;
  int fd, saved;

  compute_check (raw, raw + OFF_CHECK);

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_IO,
                   _("Cannot write keys file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  while (done < KF_SIZE)
    {
      ssize_t n = write (fd, raw + done, KF_SIZE - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = ENOSPC;
          goto fail;
        }
      done += n;
    }
  if (fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (create)
    {
      if (link (tmp, path) != 0)
        {
          saved = errno;
          g_unlink (tmp);
          g_set_error (error, JC_KEYFILE_ERROR, saved == EEXIST ? JC_KEYFILE_ERROR_EXISTS : JC_KEYFILE_ERROR_IO,
                       saved == EEXIST ? _("Keys file %s already exists; not overwriting it")
                                       : _("Cannot create keys file %s: %s"),
                       path, g_strerror (saved));
          return FALSE;
        }
      g_unlink (tmp);
    }
  else if (g_rename (tmp, path) != 0)
    goto fail;
  return fsync_dir_of (path, error);

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_IO,
               _("Cannot write keys file %s: %s"), path, g_strerror (saved ? saved : EIO));
  return FALSE;
}

/* ---- slots ---- */

/* Seals @dek under @pin with a fresh salt and nonce, then re-MACs. */
static gboolean
wrap_pin (guint8          raw[KF_SIZE],
          const JcSecret *dek,
          const char     *pin,
          GError        **error)
{
  g_autoptr(JcSecret) kek = jc_secret_new (32);
  JcKdfLimits limits;

  get_limits (raw, &limits);
  randombytes_buf (raw + OFF_SALT, crypto_pwhash_SALTBYTES);
  if (!pwhash (jc_secret_get_data (kek), pin, raw + OFF_SALT, &limits, error))
    return FALSE;
  randombytes_buf (raw + OFF_PIN_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (raw + OFF_PIN_WRAPPED, NULL,
                                              jc_secret_peek (dek), JC_KEYFILE_DEK_BYTES,
                                              raw, OFF_PIN_NONCE, NULL,
                                              raw + OFF_PIN_NONCE, jc_secret_peek (kek));
  compute_mac (raw, dek, raw + OFF_MAC);
  put_u32 (raw + OFF_ATTEMPTS, 0);
  put_u64 (raw + OFF_LAST_FAIL, 0);
  return TRUE;
}

static guint
delay_for (guint attempts)
{
  guint shift;

  if (attempts < JC_KEYFILE_FREE_ATTEMPTS)
    return 0;
  shift = MIN (attempts - JC_KEYFILE_FREE_ATTEMPTS, 16u);
  return MIN ((guint) JC_KEYFILE_DELAY_BASE_S << shift, (guint) JC_KEYFILE_DELAY_MAX_S);
}

static gint64
locked_until (const guint8 *raw)
{
  guint attempts = get_u32 (raw + OFF_ATTEMPTS);
  gint64 last = (gint64) get_u64 (raw + OFF_LAST_FAIL);

  if (attempts < JC_KEYFILE_FREE_ATTEMPTS)
    return 0;
  return last + delay_for (attempts);
}

static char *
format_wait (gint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second", "%d seconds", (gulong) seconds),
                            (int) seconds);
  return g_strdup_printf (_("%d min %02d s"), (int) (seconds / 60), (int) (seconds % 60));
}

/* Reads, enforces the delay, runs Argon2id and opens the PIN slot.  On
 * success @raw holds the verified file and *dek_out the key. */
static gboolean
unlock_raw (const char *path,
            const char *pin,
            guint8      raw[KF_SIZE],
            JcSecret  **dek_out,
            GError    **error)
{
  g_autoptr(JcSecret) kek = jc_secret_new (32);
  g_autoptr(JcSecret) dek = jc_secret_new (JC_KEYFILE_DEK_BYTES);
  JcKdfLimits limits;
  gint64 now, until;
  guint attempts;

  if (!read_keyfile (path, raw, error))
    return FALSE;

  now = clock_now ();
  attempts = get_u32 (raw + OFF_ATTEMPTS);
  if (attempts >= JC_KEYFILE_FREE_ATTEMPTS && (gint64) get_u64 (raw + OFF_LAST_FAIL) > now)
    {
      /* The clock went backwards: restart the wait from now rather than
       * locking the inspector out until the clock catches up. */
      put_u64 (raw + OFF_LAST_FAIL, (guint64) now);
      if (!write_keyfile (path, raw, FALSE, error))
        return FALSE;
    }
  until = locked_until (raw);
  if (now < until)
    {
      g_autofree char *wait = format_wait (until - now);

      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_LOCKED_OUT,
                   _("Too many wrong PINs (%u); try again in %s"), attempts, wait);
      return FALSE;
    }

  get_limits (raw, &limits);
  if (pin == NULL || !pwhash (jc_secret_get_data (kek), pin, raw + OFF_SALT, &limits, error))
    {
      if (pin == NULL)
        g_set_error_literal (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN, _("No PIN given"));
      return FALSE;
    }

  if (crypto_aead_xchacha20poly1305_ietf_decrypt (jc_secret_get_data (dek), NULL, NULL,
                                                  raw + OFF_PIN_WRAPPED, WRAPPED_LEN,
                                                  raw, OFF_PIN_NONCE,
                                                  raw + OFF_PIN_NONCE, jc_secret_peek (kek)) != 0)
    {
      g_autoptr(GError) write_error = NULL;
      g_autofree char *msg = NULL;
      guint delay;

      attempts = MIN (attempts, G_MAXUINT32 - 1) + 1;
      put_u32 (raw + OFF_ATTEMPTS, attempts);
      put_u64 (raw + OFF_LAST_FAIL, (guint64) now);
      write_keyfile (path, raw, FALSE, &write_error);

      msg = g_strdup_printf (_("Wrong PIN (attempt %u)"), attempts);
      delay = delay_for (attempts);
      if (delay > 0)
        {
          g_autofree char *wait = format_wait (delay);
          g_autofree char *more = g_strdup_printf (_("%s; wait %s before the next try"), msg, wait);

          g_free (msg);
          msg = g_steal_pointer (&more);
        }
      if (write_error != NULL)
        {
          g_autofree char *more = g_strdup_printf ("%s (%s)", msg, write_error->message);

          g_free (msg);
          msg = g_steal_pointer (&more);
        }
      g_set_error_literal (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN, msg);
      return FALSE;
    }

  /* The PIN slot's AD already covers bytes 0..199; the MAC adds the slot
   * itself and proves the recovery slot belongs with this DEK. */
  if (!mac_ok (raw, dek))
    return corrupt (error, path, _("authentication failed (the file was altered)"));

  *dek_out = g_steal_pointer (&dek);
  return TRUE;
}

gboolean
jc_keyfile_create (const char         *path,
                   const char         *pin,
                   const guint8       *escrow_pk,
                   const guint8        db_id[JC_KEYFILE_DB_ID_BYTES],
                   const JcKdfLimits  *limits,
                   JcSecret          **dek_out,
                   GError            **error)
{
  g_autoptr(JcSecret) dek = jc_secret_new_random (JC_KEYFILE_DEK_BYTES);
  guint8 raw[KF_SIZE] = { 0 };
  JcKdfLimits chosen;

  g_return_val_if_fail (path != NULL && db_id != NULL, FALSE);

  if (!jc_pin_check (pin, error))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_EXISTS,
                   _("Keys file %s already exists; not overwriting it"), path);
      return FALSE;
    }
  if (limits != NULL)
    chosen = *limits;
  else if (!jc_kdf_limits_default (&chosen, error))
    return FALSE;
  if (!limits_valid (&chosen))
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_KDF,
                   _("Argon2id limits out of range: %" PRIu64 " passes, %" PRIu64 " bytes"),
                   chosen.opslimit, chosen.memlimit);
      return FALSE;
    }

  memcpy (raw, KF_MAGIC, KF_MAGIC_LEN);
  raw[OFF_VERSION] = KF_VERSION;
  memcpy (raw + OFF_DB_ID, db_id, JC_KEYFILE_DB_ID_BYTES);
  put_u32 (raw + OFF_KDF_ALG, crypto_pwhash_ALG_ARGON2ID13);
  put_u64 (raw + OFF_OPSLIMIT, chosen.opslimit);
  put_u64 (raw + OFF_MEMLIMIT, chosen.memlimit);

  if (escrow_pk != NULL)
    {
      g_autoptr(JcSecret) plain = jc_secret_new (JC_KEYFILE_DEK_BYTES + JC_KEYFILE_DB_ID_BYTES);

      if (all_zero (escrow_pk, JC_KEYFILE_ESCROW_BYTES))
        {
          g_set_error_literal (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY,
                               _("The HQ escrow public key is all zeros"));
          return FALSE;
        }
      memcpy (jc_secret_get_data (plain), jc_secret_peek (dek), JC_KEYFILE_DEK_BYTES);
      memcpy (jc_secret_get_data (plain) + JC_KEYFILE_DEK_BYTES, db_id, JC_KEYFILE_DB_ID_BYTES);
      put_u32 (raw + OFF_FLAGS, FLAG_RECOVERY);
      memcpy (raw + OFF_ESCROW_PK, escrow_pk, JC_KEYFILE_ESCROW_BYTES);
      if (crypto_box_seal (raw + OFF_SEALED, jc_secret_peek (plain), jc_secret_get_len (plain), escrow_pk) != 0)
        {
          g_set_error_literal (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY,
                               _("The HQ escrow public key is not a valid key"));
          return FALSE;
        }
    }

  if (!wrap_pin (raw, dek, pin, error) ||
      !write_keyfile (path, raw, TRUE, error))
    return FALSE;

  if (dek_out != NULL)
    *dek_out = g_steal_pointer (&dek);
  return TRUE;
}

gboolean
jc_keyfile_unlock (const char  *path,
                   const char  *pin,
                   JcSecret   **dek_out,
                   GError     **error)
{
  g_autoptr(JcSecret) dek = NULL;
  guint8 raw[KF_SIZE];

  g_return_val_if_fail (path != NULL && dek_out != NULL, FALSE);

  if (!unlock_raw (path, pin, raw, &dek, error))
    return FALSE;

  if (get_u32 (raw + OFF_ATTEMPTS) != 0)
    {
      g_autoptr(GError) local = NULL;

      /* Not being able to reset the counter must not keep the inspector
       * out of the vault; it will be reset on a later unlock. */
      put_u32 (raw + OFF_ATTEMPTS, 0);
      put_u64 (raw + OFF_LAST_FAIL, 0);
      if (!write_keyfile (path, raw, FALSE, &local))
        g_debug ("%s", local->message);
    }
  *dek_out = g_steal_pointer (&dek);
  return TRUE;
}

gboolean
jc_keyfile_change_pin (const char  *path,
                       const char  *old_pin,
                       const char  *new_pin,
                       GError     **error)
{
  g_autoptr(JcSecret) dek = NULL;
  guint8 raw[KF_SIZE];

  if (!jc_pin_check (new_pin, error) ||
      !unlock_raw (path, old_pin, raw, &dek, error) ||
      !wrap_pin (raw, dek, new_pin, error))
    return FALSE;
  return write_keyfile (path, raw, FALSE, error);
}

/* The PIN slot's AD covers the recovery slot, so adding one rewraps the PIN
 * slot too: that takes the PIN (its KEK), not only the DEK. */
gboolean
jc_keyfile_add_recovery_slot (const char   *path,
                              const char   *pin,
                              const guint8  escrow_pk[JC_KEYFILE_ESCROW_BYTES],
                              GError      **error)
{
  g_autoptr(JcSecret) plain = jc_secret_new (JC_KEYFILE_DEK_BYTES + JC_KEYFILE_DB_ID_BYTES);
  g_autoptr(JcSecret) dek = NULL;
  guint8 raw[KF_SIZE];

  g_return_val_if_fail (path != NULL && escrow_pk != NULL, FALSE);

  if (all_zero (escrow_pk, JC_KEYFILE_ESCROW_BYTES))
    {
      g_set_error_literal (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY,
                           _("The HQ escrow public key is all zeros"));
      return FALSE;
    }
  if (!unlock_raw (path, pin, raw, &dek, error))
    return FALSE;
  memcpy (jc_secret_get_data (plain), jc_secret_peek (dek), JC_KEYFILE_DEK_BYTES);
  memcpy (jc_secret_get_data (plain) + JC_KEYFILE_DEK_BYTES, raw + OFF_DB_ID, JC_KEYFILE_DB_ID_BYTES);
  put_u32 (raw + OFF_FLAGS, FLAG_RECOVERY);
  memcpy (raw + OFF_ESCROW_PK, escrow_pk, JC_KEYFILE_ESCROW_BYTES);
  if (crypto_box_seal (raw + OFF_SEALED, jc_secret_peek (plain), jc_secret_get_len (plain), escrow_pk) != 0)
    {
      g_set_error_literal (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY,
                           _("The HQ escrow public key is not a valid key"));
      return FALSE;
    }
  if (!wrap_pin (raw, dek, pin, error))
    return FALSE;
  return write_keyfile (path, raw, FALSE, error);
}

gboolean
jc_keyfile_recover (const char    *path,
                    const guint8   escrow_pk[JC_KEYFILE_ESCROW_BYTES],
                    const guint8   escrow_sk[JC_KEYFILE_ESCROW_BYTES],
                    JcSecret     **dek_out,
                    GError       **error)
{
  g_autoptr(JcSecret) plain = jc_secret_new (JC_KEYFILE_DEK_BYTES + JC_KEYFILE_DB_ID_BYTES);
  g_autoptr(JcSecret) dek = NULL;
  guint8 raw[KF_SIZE];

  g_return_val_if_fail (escrow_pk != NULL && escrow_sk != NULL && dek_out != NULL, FALSE);

  if (!read_keyfile (path, raw, error))
    return FALSE;
  if (!(get_u32 (raw + OFF_FLAGS) & FLAG_RECOVERY))
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY,
                   _("Keys file %s has no recovery slot"), path);
      return FALSE;
    }
  if (sodium_memcmp (raw + OFF_ESCROW_PK, escrow_pk, JC_KEYFILE_ESCROW_BYTES) != 0)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY,
                   _("Keys file %s is sealed to a different HQ escrow key"), path);
      return FALSE;
    }
  if (crypto_box_seal_open (jc_secret_get_data (plain), raw + OFF_SEALED, SEALED_LEN,
                            escrow_pk, escrow_sk) != 0)
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_KEY,
                   _("The escrow secret key does not open the recovery slot of %s"), path);
      return FALSE;
    }
  if (memcmp (jc_secret_peek (plain) + JC_KEYFILE_DEK_BYTES, raw + OFF_DB_ID, JC_KEYFILE_DB_ID_BYTES) != 0)
    return corrupt (error, path, _("the recovery slot belongs to another database"));

  dek = jc_secret_new_from (jc_secret_peek (plain), JC_KEYFILE_DEK_BYTES);
  if (!mac_ok (raw, dek))
    return corrupt (error, path, _("authentication failed (the file was altered)"));
  *dek_out = g_steal_pointer (&dek);
  return TRUE;
}

gboolean
jc_keyfile_set_pin_after_recovery (const char     *path,
                                   const JcSecret *dek,
                                   const char     *new_pin,
                                   GError        **error)
{
  guint8 raw[KF_SIZE];

  g_return_val_if_fail (dek != NULL && jc_secret_get_len (dek) == JC_KEYFILE_DEK_BYTES, FALSE);

  if (!jc_pin_check (new_pin, error) ||
      !read_keyfile (path, raw, error))
    return FALSE;
  if (!mac_ok (raw, dek))
    {
      g_set_error (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_KEY,
                   _("The data key does not belong to keys file %s"), path);
      return FALSE;
    }
  if (!wrap_pin (raw, dek, new_pin, error))
    return FALSE;
  return write_keyfile (path, raw, FALSE, error);
}

gboolean
jc_keyfile_get_info (const char    *path,
                     JcKeyfileInfo *info,
                     GError       **error)
{
  guint8 raw[KF_SIZE];
  gint64 until;

  g_return_val_if_fail (info != NULL, FALSE);

  if (!read_keyfile (path, raw, error))
    return FALSE;
  memset (info, 0, sizeof *info);
  info->version = KF_VERSION;
  get_limits (raw, &info->limits);
  info->failed_attempts = get_u32 (raw + OFF_ATTEMPTS);
  info->last_failure = (gint64) get_u64 (raw + OFF_LAST_FAIL);
  until = locked_until (raw);
  info->locked_until = until > clock_now () ? until : 0;
  info->has_recovery = (get_u32 (raw + OFF_FLAGS) & FLAG_RECOVERY) != 0;
  memcpy (info->escrow_pk, raw + OFF_ESCROW_PK, JC_KEYFILE_ESCROW_BYTES);
  memcpy (info->db_id, raw + OFF_DB_ID, JC_KEYFILE_DB_ID_BYTES);
  return TRUE;
}

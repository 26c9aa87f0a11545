/* jc-vault-head.c — the last committed event, recorded outside the database
 *
 * Two slots, written alternately, so a write torn by a crash only ever
 * damages the slot being written. A slot:
 *
 *   "JCH1" | counter u64 LE | seq u64 LE | hash[32] | MAC[32]
 *
 * MAC = BLAKE2b-256 keyed with a subkey of the data key. Updates are not
 * fsynced: the database commit before them is, so after a power cut the
 * head can only be older than the database, which is allowed. It can never
 * be newer, and a database that ends before the head lost events.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "jc-vault.h"
#include "jc-vault-head.h"

#define SLOT_BYTES (4 + 8 + 8 + 32 + 32)
#define N_SLOTS 2

struct _JcVaultHead
{
  char    *path;
  int      fd;
  guint8  *key;       /* sodium_malloc'ed */
  guint64  counter;
  guint64  seq;
  guint8   hash[32];
};

static void
put_u64 (guint8 *p, guint64 v)
{
  for (int i = 0; i < 8; i++)
    p[i] = v >> (8 * i);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static void
slot_mac (const guint8 *key, const guint8 *slot, guint8 mac[32])
{
  crypto_generichash (mac, 32, slot, SLOT_BYTES - 32, key, JC_VAULT_HEAD_KEY_BYTES);
}

void
jc_vault_head_free (JcVaultHead *head)
{
  if (head == NULL)
    return;
  if (head->fd >= 0)
    close (head->fd);
  sodium_free (head->key);
  g_free (head->path);
  g_free (head);
}

static gboolean
write_slot (JcVaultHead *head, gboolean durable, GError **error)
{
  guint8 slot[SLOT_BYTES];
  off_t offset = (head->counter % N_SLOTS) * SLOT_BYTES;

  memcpy (slot, "JCH1", 4);
  put_u64 (slot + 4, head->counter);
  put_u64 (slot + 12, head->seq);
  memcpy (slot + 20, head->hash, 32);
  slot_mac (head->key, slot, slot + 52);
  if (pwrite (head->fd, slot, sizeof slot, offset) != (ssize_t) sizeof slot ||
      (durable && fsync (head->fd) != 0))
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("%s: cannot record the newest event: %s"), head->path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

JcVaultHead *
jc_vault_head_open (const char    *path,
                    const guint8   key[JC_VAULT_HEAD_KEY_BYTES],
                    gboolean       create,
                    GError       **error)
{
  g_autoptr(JcVaultHead) head = g_new0 (JcVaultHead, 1);
  guint8 data[SLOT_BYTES * N_SLOTS];
  gboolean found = FALSE;
  ssize_t n;

  head->path = g_strdup (path);
  head->key = sodium_malloc (JC_VAULT_HEAD_KEY_BYTES);
  memcpy (head->key, key, JC_VAULT_HEAD_KEY_BYTES);
  head->fd = open (path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
  if (head->fd < 0)
    {
      int errsv = errno;
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                   _("%s: cannot open the record of the newest event: %s"), path, g_strerror (errsv));
      return NULL;
    }
  if (create)
    {
      /* Both slots valid from the start: seq 0, counters 0 and 1. */
      if (!write_slot (head, FALSE, error))
        return NULL;
      head->counter = 1;
      if (!write_slot (head, TRUE, error))
        return NULL;
      return g_steal_pointer (&head);
    }

  n = pread (head->fd, data, sizeof data, 0);
  if (n != (ssize_t) sizeof data)
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                   _("%s: the record of the newest event is truncated (%zd of %zu bytes)"),
                   path, n < 0 ? (ssize_t) 0 : n, sizeof data);
      return NULL;
    }
  for (int i = 0; i < N_SLOTS; i++)
    {
      const guint8 *slot = data + i * SLOT_BYTES;
      guint8 mac[32];

      slot_mac (head->key, slot, mac);
      if (memcmp (slot, "JCH1", 4) != 0 || sodium_memcmp (mac, slot + 52, 32) != 0 ||
          get_u64 (slot + 4) % N_SLOTS != (guint64) i)
        continue;
      if (!found || get_u64 (slot + 4) > head->counter)
        {
          head->counter = get_u64 (slot + 4);
          head->seq = get_u64 (slot + 12);
          memcpy (head->hash, slot + 20, 32);
          found = TRUE;
        }
    }
  if (!found)
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                   _("%s: the record of the newest event was altered"), path);
      return NULL;
    }
  return g_steal_pointer (&head);
}

guint64
jc_vault_head_get_seq (JcVaultHead *head)
{
  return head->seq;
}

const guint8 *
jc_vault_head_get_hash (JcVaultHead *head)
{
  return head->hash;
}

gboolean
jc_vault_head_update (JcVaultHead   *head,
                      guint64        seq,
                      const guint8   hash[32],
                      gboolean       durable,
                      GError       **error)
{
  head->counter++;
  head->seq = seq;
  memcpy (head->hash, hash, 32);
  return write_slot (head, durable, error);
}

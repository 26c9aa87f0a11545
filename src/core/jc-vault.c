/* jc-vault.c — the device's whole state: keys, encrypted database, evidence */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <unistd.h>

#include "jc-finding.h"
#include "jc-inspection.h"
#include "jc-json.h"
#include "jc-vault.h"
#include "jc-vault-head.h"
#include "jc-vfs.h"

G_DEFINE_QUARK (jc-vault-error-quark, jc_vault_error)

struct _JcVault
{
  GObject      parent_instance;

  char        *dir;
  char        *keys_path;
  char        *db_path;
  char        *blobs_dir;

  /* Set while unlocked. */
  sqlite3     *db;
  JcDb        *jdb;     /* db, for the event log and everything above it */
  JcEventlog  *log;
  JcBlobstore *blobs;
  JcDevice    *device;
  char        *inspector;
  JcVaultHead *head;

  /* One SQLite connection serves every thread: whoever writes holds this,
   * so one thread's transaction never takes in (or rolls back) another's. */
  GRecMutex    db_mutex;
};

G_DEFINE_FINAL_TYPE (JcVault, jc_vault, G_TYPE_OBJECT)

enum { PROP_0, PROP_DIR, PROP_UNLOCKED, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { LOCKING, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char meta_schema[] =
  "CREATE TABLE IF NOT EXISTS vault_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)";

/* The evidence the events name: what `vault check` verifies and the app lists. */
static const char evidence_schema[] =
  "CREATE TABLE IF NOT EXISTS evidence ("
  "  sha256 TEXT PRIMARY KEY,"
  "  size INTEGER NOT NULL,"
  "  media_type TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  note TEXT NOT NULL,"
  "  captured_at INTEGER NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER NOT NULL)";
static const char * const evidence_tables[] = { "evidence", NULL };

static void
jc_vault_finalize (GObject *object)
{
  JcVault *self = JC_VAULT (object);

  jc_vault_lock (self);
  g_rec_mutex_clear (&self->db_mutex);
  g_free (self->dir);
  g_free (self->keys_path);
  g_free (self->db_path);
  g_free (self->blobs_dir);
  G_OBJECT_CLASS (jc_vault_parent_class)->finalize (object);
}

static void
jc_vault_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  JcVault *self = JC_VAULT (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_value_set_string (value, self->dir);
      break;
    case PROP_UNLOCKED:
      g_value_set_boolean (value, jc_vault_is_unlocked (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_dir (JcVault *self, const char *dir)
{
  self->dir = g_strdup (dir);
  self->keys_path = g_build_filename (dir, "keys", NULL);
  self->db_path = g_build_filename (dir, "jiancha.db", NULL);
  self->blobs_dir = g_build_filename (dir, "blobs", NULL);
}

static void
jc_vault_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  JcVault *self = JC_VAULT (object);

  switch (prop_id)
    {
    case PROP_DIR:
      set_dir (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jc_vault_class_init (JcVaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jc_vault_finalize;
  object_class->get_property = jc_vault_get_property;
  object_class->set_property = jc_vault_set_property;

  properties[PROP_DIR] = g_param_spec_string ("dir", NULL, NULL, NULL,
                                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNLOCKED] = g_param_spec_boolean ("unlocked", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted while the vault is still open, just before it locks: the last
   * chance for an editor to record what is typed but not yet saved. */
  signals[LOCKING] = g_signal_new ("locking", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
jc_vault_init (JcVault *self)
{
  g_rec_mutex_init (&self->db_mutex);
}

GRecMutex *
jc_vault_get_db_mutex (JcVault *self)
{
  return &self->db_mutex;
}

JcVault *
jc_vault_new (const char *dir)
{
  g_return_val_if_fail (dir != NULL, NULL);

  return g_object_new (JC_TYPE_VAULT, "dir", dir, NULL);
}

const char *
jc_vault_get_dir (JcVault *self)
{
  return self->dir;
}

gboolean
jc_vault_exists (JcVault *self)
{
  return g_file_test (self->keys_path, G_FILE_TEST_EXISTS);
}

gboolean
jc_vault_is_unlocked (JcVault *self)
{
  return self->db != NULL;
}

static gboolean
require_unlocked (JcVault *self, GError **error)
{
  if (jc_vault_is_unlocked (self))
    return TRUE;
  g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_LOCKED, _("The vault %s is locked"), self->dir);
  return FALSE;
}

JcDb *
jc_vault_get_db (JcVault *self, GError **error)
{
  if (!require_unlocked (self, error))
    return NULL;
  return self->jdb;
}

JcDevice *
jc_vault_get_device (JcVault *self)
{
  return self->device;
}

const char *
jc_vault_get_inspector (JcVault *self)
{
  return self->inspector;
}

JcEventlog *
jc_vault_get_eventlog (JcVault *self)
{
  return self->log;
}

JcBlobstore *
jc_vault_get_blobstore (JcVault *self)
{
  return self->blobs;
}

void
jc_vault_lock (JcVault *self)
{
  gboolean was_unlocked = jc_vault_is_unlocked (self);

  if (was_unlocked)
    g_signal_emit (self, signals[LOCKING], 0);
  g_clear_pointer (&self->blobs, jc_blobstore_free);
  g_clear_pointer (&self->head, jc_vault_head_free);
  g_clear_pointer (&self->log, jc_eventlog_free);
  g_clear_pointer (&self->device, jc_device_free);
  g_clear_pointer (&self->inspector, g_free);
  g_clear_pointer (&self->jdb, jc_db_free);
  if (self->db != NULL)
    {
      jc_vfs_close (self->db);
      self->db = NULL;
    }
  if (was_unlocked)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
}

/* vault_meta: small values the vault itself needs, encrypted with the rest. */

static gboolean
meta_set (sqlite3 *db, const char *key, const void *value, gsize len, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO vault_meta (key, value) VALUES (?, ?)", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 2, value, len, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      jc_vfs_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
meta_get (sqlite3 *db, const char *db_path, const char *key, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  GBytes *value = NULL;
  int rc = sqlite3_prepare_v2 (db, "SELECT value FROM vault_meta WHERE key = ?", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        value = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
    }
  sqlite3_finalize (stmt);
  if (value == NULL)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                     _("%s: the vault record “%s” is missing"), db_path, key);
      else
        jc_vfs_set_error (db, rc, error);
    }
  return value;
}

static gboolean
evidence_apply (JcDb *db, const JcEvent *event, gpointer user_data, GError **error)
{
  JsonObject *body;
  JcDbStmt *stmt = NULL;
  int rc;

  if (g_strcmp0 (jc_event_get_kind (event), "evidence.add") != 0)
    return TRUE;
  body = jc_event_get_body_object (event);
  rc = jc_db_prepare (db,
                      "INSERT INTO evidence (sha256, size, media_type, name, note, captured_at, device_id, seq) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, json_object_get_string_member_with_default (body, "sha256", ""), -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 2, json_object_get_int_member_with_default (body, "size", 0));
      jc_db_bind_text (stmt, 3, json_object_get_string_member_with_default (body, "media_type", ""), -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 4, json_object_get_string_member_with_default (body, "name", ""), -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 5, json_object_get_string_member_with_default (body, "note", ""), -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 6, jc_event_get_wall_time (event) / G_USEC_PER_SEC);
    }
  return jc_eventlog_step_with_origin (db, stmt, event, 7, error);
}

/* Opens the database at @db_path with @dek and reads the device. */
static gboolean
open_with_dek (JcVault        *self,
               const char     *dir,
               const JcSecret *dek,
               gboolean        create,
               GError        **error)
{
  g_autofree char *db_path = g_build_filename (dir, "jiancha.db", NULL);
  g_autofree char *blobs_dir = g_build_filename (dir, "blobs", NULL);
  g_autofree char *head_path = g_build_filename (dir, "head", NULL);
  g_autoptr(GBytes) device_bytes = NULL;
  guint8 head_key[JC_VAULT_HEAD_KEY_BYTES];
  g_autoptr(GBytes) inspector = NULL;
  sqlite3 *db = NULL;

  if (!jc_vfs_open (db_path, jc_secret_peek (dek), create, &db, error))
    return FALSE;
  if (!jc_vfs_exec (db, meta_schema, error))
    goto fail;

  self->db = db;
  self->jdb = jc_db_new_sqlite (db, FALSE);
  self->log = jc_eventlog_new (self->jdb, error);
  if (self->log == NULL ||
      !jc_eventlog_add_projection (self->log, "evidence", "evidence.", evidence_schema, evidence_tables,
                                   evidence_apply, NULL, NULL, error) ||
      !jc_inspection_register_projections (self->log, error) ||
      !jc_finding_register_projections (self->log, error))
    goto fail;

  if (!create)
    {
      device_bytes = meta_get (db, db_path, "device", error);
      inspector = device_bytes ? meta_get (db, db_path, "inspector", error) : NULL;
      if (inspector == NULL)
        goto fail;
      self->device = jc_device_new_from_bytes (device_bytes, error);
      if (self->device == NULL)
        goto fail;
      self->inspector = g_strndup (g_bytes_get_data (inspector, NULL), g_bytes_get_size (inspector));
    }

  jc_keys_derive (dek, "jchead__", head_key);
  self->head = jc_vault_head_open (head_path, head_key, create, error);
  sodium_memzero (head_key, sizeof head_key);
  if (self->head == NULL)
    goto fail;

  self->blobs = jc_blobstore_new (blobs_dir, dek, error);
  if (self->blobs == NULL)
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&self->head, jc_vault_head_free);
  g_clear_pointer (&self->log, jc_eventlog_free);
  g_clear_pointer (&self->device, jc_device_free);
  g_clear_pointer (&self->inspector, g_free);
  g_clear_pointer (&self->jdb, jc_db_free);
  jc_vfs_close (db);
  self->db = NULL;
  return FALSE;
}

/* Writes the new vault into @tmp (keys, database, device, first event). */
static gboolean
populate (JcVault *self, const char *tmp, const char *pin, const char *inspector,
          const guint8 *escrow_pk, GError **error)
{
  g_autofree char *keys_path = g_build_filename (tmp, "keys", NULL);
  g_autoptr(JcSecret) dek = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) device_bytes = NULL;
  g_autofree char *pk_hex = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JcEvent) first = NULL;
  guint8 db_id[JC_KEYFILE_DB_ID_BYTES];
  JcKdfLimits limits;
  gboolean ok;

  randombytes_buf (db_id, sizeof db_id);
  if (!jc_kdf_limits_default (&limits, error) ||
      !jc_keyfile_create (keys_path, pin, escrow_pk, db_id, &limits, &dek, error) ||
      !open_with_dek (self, tmp, dek, TRUE, error))
    return FALSE;

  self->device = jc_device_new_random (error);
  self->inspector = g_strdup (inspector);
  if (self->device == NULL)
    return FALSE;
  device_bytes = jc_device_to_bytes (self->device);
  pk_hex = jc_device_get_public_key_hex (self->device);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "inspector");
  json_builder_add_string_value (builder, inspector);
  json_builder_set_member_name (builder, "device_public_key");
  json_builder_add_string_value (builder, pk_hex);
  json_builder_end_object (builder);
  body = jc_json_builder_to_string (builder);

  ok = jc_eventlog_begin (self->log, error) &&
       meta_set (self->db, "device", g_bytes_get_data (device_bytes, NULL), g_bytes_get_size (device_bytes), error) &&
       meta_set (self->db, "inspector", inspector, strlen (inspector), error) &&
       meta_set (self->db, "db_id", db_id, sizeof db_id, error) &&
       jc_eventlog_append (self->log, self->device, inspector, "vault.create", body, &first, error) &&
       jc_eventlog_commit (self->log, error);
  if (!ok)
    jc_eventlog_rollback (self->log);
  else
    ok = jc_vault_head_update (self->head, jc_event_get_seq (first), jc_event_get_hash (first), TRUE, error);
  jc_vault_lock (self);
  return ok;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fsync_dir (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

gboolean
jc_vault_create (JcVault       *self,
                 const char    *pin,
                 const char    *inspector,
                 const guint8  *escrow_pk,
                 GError       **error)
{
  g_autofree char *parent = g_path_get_dirname (self->dir);
  g_autofree char *base = g_path_get_basename (self->dir);
  g_autofree char *templ = NULL;
  g_autoptr(GDir) existing = NULL;
  g_autoptr(JcSecret) dek = NULL;
  char *tmp;

  g_return_val_if_fail (!jc_vault_is_unlocked (self), FALSE);

  if (inspector == NULL || *inspector == '\0' || !g_utf8_validate (inspector, -1, NULL))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_INVALID, _("The inspector’s name is empty or not valid text"));
      return FALSE;
    }
  if (!jc_pin_check (pin, error))
    return FALSE;
  if (jc_vault_exists (self))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_EXISTS,
                   _("There is already a vault in %s; it is left as it is"), self->dir);
      return FALSE;
    }
  existing = g_dir_open (self->dir, 0, NULL);
  if (existing != NULL && g_dir_read_name (existing) != NULL)
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_EXISTS,
                   _("%s is not empty; a new vault needs an empty or new directory"), self->dir);
      return FALSE;
    }

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot create %s: %s"), parent, g_strerror (errsv));
      return FALSE;
    }
  /* Built beside its final place, then renamed: all or nothing. */
  templ = g_strdup_printf ("%s/.%s.creating-XXXXXX", parent, base);
  tmp = g_mkdtemp_full (templ, 0700);
  if (tmp == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot create a directory in %s: %s"), parent, g_strerror (errsv));
      return FALSE;
    }

  if (!populate (self, tmp, pin, inspector, escrow_pk, error))
    {
      remove_tree (tmp);
      return FALSE;
    }
  if (existing != NULL)
    g_rmdir (self->dir);
  if (g_rename (tmp, self->dir) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot move the new vault into %s: %s"), self->dir, g_strerror (errsv));
      remove_tree (tmp);
      return FALSE;
    }
  fsync_dir (parent);

  return jc_vault_unlock (self, pin, error);
}

static gboolean
check_present (JcVault *self, GError **error)
{
  if (jc_vault_exists (self))
    return TRUE;
  g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_NOT_FOUND,
               _("There is no vault in %s (no keys file)"), self->dir);
  return FALSE;
}

/* The database must hold every event the head file says was committed. */
static gboolean
check_head (JcVault *self, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  guint64 recorded = jc_vault_head_get_seq (self->head);
  guint64 seq = 0;
  gboolean same = FALSE;
  int rc;

  if (!jc_eventlog_get_head (self->log, jc_device_get_id (self->device), &seq, NULL, error))
    return FALSE;
  if (seq < recorded)
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                   _("%s ends at event %" PRIu64 " of this device, but event %" PRIu64
                     " was committed: the database or its WAL was altered or cut short"),
                   self->db_path, seq, recorded);
      return FALSE;
    }
  if (recorded == 0)
    return TRUE;
  rc = sqlite3_prepare_v2 (self->db, "SELECT hash FROM events WHERE device_id = ? AND seq = ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_blob (stmt, 1, jc_device_get_id (self->device), JC_DEVICE_ID_SIZE, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, recorded);
      rc = sqlite3_step (stmt);
      same = rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == 32 &&
             memcmp (sqlite3_column_blob (stmt, 0), jc_vault_head_get_hash (self->head), 32) == 0;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      jc_vfs_set_error (self->db, rc, error);
      return FALSE;
    }
  if (!same)
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                   _("%s: event %" PRIu64 " differs from the one that was committed"),
                   self->db_path, recorded);
      return FALSE;
    }
  return TRUE;
}

static gboolean
finish_unlock (JcVault *self, const JcSecret *dek, GError **error)
{
  g_autoptr(GBytes) db_id = NULL;
  JcKeyfileInfo info;

  if (!open_with_dek (self, self->dir, dek, FALSE, error))
    return FALSE;
  /* The keys file and the database must be of the same vault. */
  db_id = meta_get (self->db, self->db_path, "db_id", error);
  if (db_id == NULL || !jc_keyfile_get_info (self->keys_path, &info, error) || !check_head (self, error))
    {
      jc_vault_lock (self);
      return FALSE;
    }
  if (g_bytes_get_size (db_id) != sizeof info.db_id ||
      memcmp (g_bytes_get_data (db_id, NULL), info.db_id, sizeof info.db_id) != 0)
    {
      jc_vault_lock (self);
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                   _("%s belongs to another vault than %s"), self->keys_path, self->db_path);
      return FALSE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
  return TRUE;
}

gboolean
jc_vault_unlock (JcVault *self, const char *pin, GError **error)
{
  g_autoptr(JcSecret) dek = NULL;

  if (jc_vault_is_unlocked (self))
    return TRUE;
  if (!check_present (self, error) ||
      !jc_keyfile_unlock (self->keys_path, pin, &dek, error))
    return FALSE;
  return finish_unlock (self, dek, error);
}

gboolean
jc_vault_recover (JcVault       *self,
                  const guint8   escrow_pk[32],
                  const guint8   escrow_sk[32],
                  const char    *new_pin,
                  GError       **error)
{
  g_autoptr(JcSecret) dek = NULL;

  g_return_val_if_fail (!jc_vault_is_unlocked (self), FALSE);

  if (!check_present (self, error) ||
      !jc_pin_check (new_pin, error) ||
      !jc_keyfile_recover (self->keys_path, escrow_pk, escrow_sk, &dek, error) ||
      !jc_keyfile_set_pin_after_recovery (self->keys_path, dek, new_pin, error) ||
      !finish_unlock (self, dek, error))
    return FALSE;
  return jc_vault_record (self, "vault.recover", "{}", NULL, error);
}

gboolean
jc_vault_change_pin (JcVault *self, const char *old_pin, const char *new_pin, GError **error)
{
  if (!check_present (self, error) ||
      !jc_keyfile_change_pin (self->keys_path, old_pin, new_pin, error))
    return FALSE;
  /* The audit trail says when; the PIN itself never reaches an event. */
  if (jc_vault_is_unlocked (self))
    return jc_vault_record (self, "vault.change-pin", "{}", NULL, error);
  return TRUE;
}

gboolean
jc_vault_record (JcVault     *self,
                 const char  *kind,
                 const char  *body_json,
                 JcEvent    **out_event,
                 GError     **error)
{
  g_autoptr(JcEvent) event = NULL;
  g_autoptr(GError) head_error = NULL;
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->db_mutex);

  if (!require_unlocked (self, error) ||
      !jc_eventlog_append (self->log, self->device, self->inspector, kind, body_json, &event, error))
    return FALSE;
  /* The event is committed; a head that fails to follow only means the
   * next open checks against an older event, which is still true. */
  if (!jc_vault_head_update (self->head, jc_event_get_seq (event), jc_event_get_hash (event), FALSE, &head_error))
    g_debug ("%s", head_error->message);
  if (out_event != NULL)
    *out_event = g_steal_pointer (&event);
  return TRUE;
}

/* Enrollment lives in vault_meta "enrollment" (the certificate, HQ's
 * signing key, HQ's escrow key: 160 bytes), read by `device show`, and is
 * also recorded as a signed "device.enroll" event so that HQ and the audit
 * trail see when this device got its certificate. Both in one transaction. */
#define ENROLLMENT_LEN (16 + 8 + 8 + 64 + 32 + 32)

gboolean
jc_vault_enroll (JcVault                *self,
                 const char             *pin,
                 const JcJc1Certificate *cert,
                 const guint8            hq_pk[32],
                 const guint8            escrow_pk[32],
                 gint64                  hq_time,
                 GError                **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JcEvent) event = NULL;
  g_autoptr(GError) head_error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *sig_hex = NULL;
  g_autofree char *kid_hex = NULL;
  g_autofree char *hq_hex = NULL;
  g_autofree char *escrow_hex = NULL;
  guint8 blob[ENROLLMENT_LEN];
  gsize i;
  gboolean ok;

  if (!require_unlocked (self, error))
    return FALSE;
  if (jc_vault_get_enrollment (self, NULL, NULL, NULL))
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_ENROLLED,
                   _("The vault in %s is already enrolled with HQ"), self->dir);
      return FALSE;
    }
  if (memcmp (cert->device_id, jc_device_get_id (self->device), 16) != 0)
    {
      g_set_error_literal (error, JC_VAULT_ERROR, JC_VAULT_ERROR_INVALID,
                           _("The certificate is for another device"));
      return FALSE;
    }
  if (!jc_jc1_certificate_verify (cert, jc_device_get_public_key (self->device), hq_pk, error))
    return FALSE;

  /* The recovery slot first: enrolling again after a failure below adds
   * it again, harmlessly. */
  if (!jc_keyfile_add_recovery_slot (self->keys_path, pin, escrow_pk, error))
    return FALSE;

  memcpy (blob, cert->device_id, 16);
  memcpy (blob + 16, cert->hq_kid, 8);
  for (i = 0; i < 8; i++)
    blob[24 + i] = (guint8) (cert->not_after >> (8 * i));
  memcpy (blob + 32, cert->hq_signature, 64);
  memcpy (blob + 96, hq_pk, 32);
  memcpy (blob + 128, escrow_pk, 32);

  sig_hex = jc_device_hex (cert->hq_signature, 64);
  kid_hex = jc_device_hex (cert->hq_kid, 8);
  hq_hex = jc_device_hex (hq_pk, 32);
  escrow_hex = jc_device_hex (escrow_pk, 32);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "hq_kid");
  json_builder_add_string_value (builder, kid_hex);
  json_builder_set_member_name (builder, "not_after");
  json_builder_add_int_value (builder, (gint64) cert->not_after);
  json_builder_set_member_name (builder, "hq_signature");
  json_builder_add_string_value (builder, sig_hex);
  json_builder_set_member_name (builder, "hq_public_key");
  json_builder_add_string_value (builder, hq_hex);
  json_builder_set_member_name (builder, "escrow_public_key");
  json_builder_add_string_value (builder, escrow_hex);
  json_builder_end_object (builder);
  body = jc_json_builder_to_string (builder);

  ok = jc_eventlog_begin (self->log, error) &&
       meta_set (self->db, "enrollment", blob, sizeof blob, error) &&
       jc_eventlog_append (self->log, self->device, self->inspector, "device.enroll", body, &event, error) &&
       jc_eventlog_commit (self->log, error);
  if (!ok)
    {
      jc_eventlog_rollback (self->log);
      return FALSE;
    }
  if (!jc_vault_head_update (self->head, jc_event_get_seq (event), jc_event_get_hash (event), FALSE, &head_error))
    g_debug ("%s", head_error->message);
  return jc_eventlog_set_hq_time (self->log, hq_time, error);
}

gboolean
jc_vault_get_enrollment (JcVault          *self,
                         JcJc1Certificate *cert,
                         guint8           *hq_pk,
                         guint8           *escrow_pk)
{
  g_autoptr(GBytes) value = NULL;
  const guint8 *blob;
  gsize i;

  if (!jc_vault_is_unlocked (self))
    return FALSE;
  value = meta_get (self->db, self->db_path, "enrollment", NULL);
  if (value == NULL || g_bytes_get_size (value) != ENROLLMENT_LEN)
    return FALSE;
  blob = g_bytes_get_data (value, NULL);
  if (cert != NULL)
    {
      memcpy (cert->device_id, blob, 16);
      memcpy (cert->hq_kid, blob + 16, 8);
      cert->not_after = 0;
      for (i = 0; i < 8; i++)
        cert->not_after |= (guint64) blob[24 + i] << (8 * i);
      memcpy (cert->hq_signature, blob + 32, 64);
    }
  if (hq_pk != NULL)
    memcpy (hq_pk, blob + 96, 32);
  if (escrow_pk != NULL)
    memcpy (escrow_pk, blob + 128, 32);
  return TRUE;
}

/* The event that names a stored blob; the blob is stored (and synced)
 * before it, so a crash leaves at worst an unnamed blob, never an event
 * without its file. */
static JcBlobInfo *
record_evidence (JcVault *self, JcBlobInfo *info, const char *name, const char *note, GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *body = NULL;

  if (info == NULL)
    return NULL;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, info->sha256_hex);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, info->size);
  json_builder_set_member_name (builder, "media_type");
  json_builder_add_string_value (builder, info->media_type);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name != NULL && g_utf8_validate (name, -1, NULL) ? name : "");
  json_builder_set_member_name (builder, "note");
  json_builder_add_string_value (builder, note ? note : "");
  json_builder_end_object (builder);
  body = jc_json_builder_to_string (builder);

  if (!jc_vault_record (self, "evidence.add", body, NULL, error))
    {
      jc_blob_info_free (info);
      return NULL;
    }
  return info;
}

JcBlobInfo *
jc_vault_add_evidence (JcVault       *self,
                       const char    *path,
                       const char    *note,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *name = g_path_get_basename (path);

  if (!require_unlocked (self, error))
    return NULL;
  return record_evidence (self, jc_blobstore_add_file (self->blobs, path, NULL, cancellable, error),
                          name, note, error);
}

JcBlobInfo *
jc_vault_add_evidence_stream (JcVault       *self,
                              GInputStream  *in,
                              const char    *media_type,
                              const char    *name,
                              const char    *note,
                              GCancellable  *cancellable,
                              GError       **error)
{
  if (!require_unlocked (self, error))
    return NULL;
  return record_evidence (self, jc_blobstore_add_stream (self->blobs, in, media_type, name, cancellable, error),
                          name, note, error);
}

gboolean
jc_vault_get_evidence (JcVault       *self,
                       const char    *sha256_hex,
                       const char    *out_path,
                       GCancellable  *cancellable,
                       GError       **error)
{
  guint8 sha256[32];

  if (!require_unlocked (self, error) ||
      !jc_blob_hash_from_hex (sha256_hex, sha256, error))
    return FALSE;
  return jc_blobstore_read_to_path (self->blobs, sha256, out_path, cancellable, error);
}

gboolean
jc_vault_describe_evidence (JcVault     *self,
                            const char  *sha256_hex,
                            char       **out_name,
                            char       **out_media_type,
                            guint64     *out_size,
                            gint64      *out_captured_at,
                            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!require_unlocked (self, error))
    return FALSE;
  rc = sqlite3_prepare_v2 (self->db, "SELECT name, media_type, size, captured_at FROM evidence WHERE sha256 = ?",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, sha256_hex, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      if (out_name != NULL)
        *out_name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (out_media_type != NULL)
        *out_media_type = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      if (out_size != NULL)
        *out_size = (guint64) sqlite3_column_int64 (stmt, 2);
      if (out_captured_at != NULL)
        *out_captured_at = sqlite3_column_int64 (stmt, 3);
    }
  else if (rc == SQLITE_DONE || rc == SQLITE_OK)
    g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_NOT_FOUND,
                 _("There is no evidence %s in this vault"), sha256_hex);
  else
    jc_vfs_set_error (self->db, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

GBytes *
jc_vault_read_evidence (JcVault       *self,
                        const char    *sha256_hex,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GOutputStream) out = NULL;
  guint8 sha256[32];

  if (!require_unlocked (self, error) ||
      !jc_blob_hash_from_hex (sha256_hex, sha256, error))
    return NULL;
  out = g_memory_output_stream_new_resizable ();
  /* On failure the prefix already decrypted is dropped with the stream. */
  if (!jc_blobstore_read_to (self->blobs, sha256, out, cancellable, error) ||
      !g_output_stream_close (out, cancellable, error))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static gint64
query_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
verify_pages (JcVault *self, GString *report, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  int rc;

  /* integrity_check reads every page in use: each one is authenticated by
   * the VFS on the way, and SQLite then checks the b-trees themselves. */
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA integrity_check", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") != 0)
        g_string_append_printf (problems, "%s%s", problems->len ? "; " : "", line);
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_DONE)
    {
      jc_vfs_set_error (self->db, rc, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (problems->len > 0)
    {
      g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                   _("%s is inconsistent: %s"), self->db_path, problems->str);
      return FALSE;
    }
  if (report != NULL)
    g_string_append_printf (report, _("database: %" PRId64 " pages authenticated and consistent\n"),
                            query_int (self->db, "PRAGMA page_count"));
  return TRUE;
}

static gboolean
verify_evidence (JcVault *self, GString *report, GCancellable *cancellable, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  guint64 count = 0, bytes = 0;
  int rc = sqlite3_prepare_v2 (self->db, "SELECT sha256, size FROM evidence ORDER BY sha256", -1, &stmt, NULL);

  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint8 sha256[32];

      if (!jc_blob_hash_from_hex ((const char *) sqlite3_column_text (stmt, 0), sha256, error) ||
          !jc_blobstore_verify (self->blobs, sha256, cancellable, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
      count++;
      bytes += sqlite3_column_int64 (stmt, 1);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      jc_vfs_set_error (self->db, rc, error);
      return FALSE;
    }
  if (report != NULL)
    g_string_append_printf (report, _("evidence: %" PRIu64 " files (%" PRIu64 " bytes) decrypted and matched their SHA-256\n"),
                            count, bytes);
  return TRUE;
}

gboolean
jc_vault_verify (JcVault *self, GString *report, GCancellable *cancellable, GError **error)
{
  if (!require_unlocked (self, error) ||
      !verify_pages (self, report, error) ||
      !jc_eventlog_verify (self->log, error) ||
      !check_head (self, error))
    return FALSE;
  if (report != NULL)
    g_string_append_printf (report, _("events: %" PRId64 " events, signatures and hash chain verified\n"),
                            query_int (self->db, "SELECT count(*) FROM events"));
  return verify_evidence (self, report, cancellable, error);
}

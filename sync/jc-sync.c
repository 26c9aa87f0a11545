/* jc-sync.c — the device's side of sync: bundles, receipts, evidence, updates */
#define G_LOG_DOMAIN "jiancha-sync"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <string.h>

#include "jc-blob-crypt.h"
#include "jc-blob-upload.h"
#include "jc-bundle.h"
#include "jc-signed-doc.h"
#include "jc-sync.h"
#include "jc-sync-directory.h"

G_DEFINE_QUARK (jc-sync-error-quark, jc_sync_error)

#define BUNDLE_BUDGET (32 * 1024 * 1024)

static const char sync_schema[] =
  "CREATE TABLE IF NOT EXISTS sync_state ("
  "  name TEXT PRIMARY KEY,"
  "  value);"
  "CREATE TABLE IF NOT EXISTS sync_blobs ("
  "  sha256 TEXT PRIMARY KEY,"
  "  transport_key BLOB NOT NULL,"
  "  complete INTEGER NOT NULL DEFAULT 0);";

static JcDb *
sync_db (JcVault *vault, GError **error)
{
  JcDb *db = jc_vault_get_db (vault, error);

  if (db != NULL && !jc_db_exec_sql (db, sync_schema, error))
    return NULL;
  return db;
}

static gboolean
db_fail (JcDb *db, int rc, GError **error)
{
  jc_db_set_error (db, rc, error);
  return FALSE;
}

static gint64
state_get (JcDb *db, const char *name)
{
  JcDbStmt *stmt = NULL;
  gint64 value = 0;

  if (jc_db_prepare (db, "SELECT value FROM sync_state WHERE name = ?", -1, &stmt, NULL) == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, name, -1, JC_DB_STATIC);
      if (jc_db_step (stmt) == JC_DB_ROW)
        value = jc_db_column_int64 (stmt, 0);
    }
  jc_db_finalize (stmt);
  return value;
}

static char *
state_get_text (JcDb *db, const char *name)
{
  JcDbStmt *stmt = NULL;
  char *value = NULL;

  if (jc_db_prepare (db, "SELECT value FROM sync_state WHERE name = ?", -1, &stmt, NULL) == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, name, -1, JC_DB_STATIC);
      if (jc_db_step (stmt) == JC_DB_ROW && jc_db_column_type (stmt, 0) == JC_DB_TEXT)
        value = g_strdup ((const char *) jc_db_column_text (stmt, 0));
    }
  jc_db_finalize (stmt);
  return value;
}

/* @text NULL: stores @value. */
static gboolean
state_set (JcDb *db, const char *name, gint64 value, const char *text, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc = jc_db_prepare (db, "INSERT OR REPLACE INTO sync_state (name, value) VALUES (?, ?)", -1, &stmt, NULL);

  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, name, -1, JC_DB_STATIC);
      if (text != NULL)
        jc_db_bind_text (stmt, 2, text, -1, JC_DB_STATIC);
      else
        jc_db_bind_int64 (stmt, 2, value);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  return rc == JC_DB_DONE || db_fail (db, rc, error);
}

static gboolean
pinned_hq_key (JcVault *vault, guint8 hq_pk[32], GError **error)
{
  if (!jc_vault_get_enrollment (vault, NULL, hq_pk, NULL))
    {
      g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_NOT_ENROLLED,
                   _("This device is not enrolled with HQ: run “jiancha-cli enroll” first"));
      return FALSE;
    }
  return TRUE;
}

/* Evidence ---------------------------------------------------------------- */

typedef struct {
  char    sha256_hex[65];
  guint8  sha256[32];
  guint64 size;
  char   *media_type;
  guint8  key[32];
} Waiting;

static void
waiting_free (Waiting *w)
{
  sodium_memzero (w->key, sizeof w->key);
  g_free (w->media_type);
  g_free (w);
}

/* This device's evidence that HQ does not hold complete, each with its
 * transport key (made on first use, kept so uploads can resume). */
static GPtrArray *
waiting_blobs (JcVault *vault, JcDb *db, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_free);
  const char *me = jc_device_get_id_hex (jc_vault_get_device (vault));
  JcDbStmt *stmt = NULL;
  int rc;

  rc = jc_db_prepare (db, "SELECT e.sha256 FROM evidence e LEFT JOIN sync_blobs s ON s.sha256 = e.sha256 "
                               "WHERE e.device_id = ? AND s.sha256 IS NULL", -1, &stmt, NULL);
  if (rc != JC_DB_OK)
    return db_fail (db, rc, error), NULL;
  jc_db_bind_text (stmt, 1, me, -1, JC_DB_STATIC);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      JcDbStmt *ins = NULL;
      guint8 key[32];
      int irc;

      randombytes_buf (key, sizeof key);
      irc = jc_db_prepare (db, "INSERT OR IGNORE INTO sync_blobs (sha256, transport_key) VALUES (?, ?)",
                           -1, &ins, NULL);
      if (irc == JC_DB_OK)
        {
          jc_db_bind_text (ins, 1, (const char *) jc_db_column_text (stmt, 0), -1, JC_DB_TRANSIENT);
          jc_db_bind_blob (ins, 2, key, sizeof key, JC_DB_TRANSIENT);
          irc = jc_db_step (ins);
        }
      jc_db_finalize (ins);
      sodium_memzero (key, sizeof key);
      if (irc != JC_DB_DONE)
        {
          jc_db_finalize (stmt);
          return db_fail (db, irc, error), NULL;
        }
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return db_fail (db, rc, error), NULL;

  rc = jc_db_prepare (db, "SELECT e.sha256, e.size, e.media_type, s.transport_key FROM evidence e "
                               "JOIN sync_blobs s ON s.sha256 = e.sha256 "
                               "WHERE e.device_id = ? AND s.complete = 0 ORDER BY e.seq", -1, &stmt, NULL);
  if (rc != JC_DB_OK)
    return db_fail (db, rc, error), NULL;
  jc_db_bind_text (stmt, 1, me, -1, JC_DB_STATIC);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      Waiting *w = g_new0 (Waiting, 1);

      g_strlcpy (w->sha256_hex, (const char *) jc_db_column_text (stmt, 0), sizeof w->sha256_hex);
      w->size = (guint64) jc_db_column_int64 (stmt, 1);
      w->media_type = g_strdup ((const char *) jc_db_column_text (stmt, 2));
      g_ptr_array_add (list, w);
      if (jc_db_column_bytes (stmt, 3) != 32 || !jc_blob_hash_from_hex (w->sha256_hex, w->sha256, error))
        {
          jc_db_finalize (stmt);
          if (error != NULL && *error == NULL)
            g_set_error (error, JC_VAULT_ERROR, JC_VAULT_ERROR_DAMAGED,
                         _("The transport key of evidence %s is damaged"), w->sha256_hex);
          return NULL;
        }
      memcpy (w->key, jc_db_column_blob (stmt, 3), 32);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return db_fail (db, rc, error), NULL;
  return g_steal_pointer (&list);
}

static gboolean
mark_blob_complete (JcDb *db, const char *sha256_hex, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc = jc_db_prepare (db, "UPDATE sync_blobs SET complete = 1 WHERE sha256 = ?", -1, &stmt, NULL);

  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, sha256_hex, -1, JC_DB_STATIC);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  return rc == JC_DB_DONE || db_fail (db, rc, error);
}

/* The waiting evidence, read under the database mutex, which is not held
 * while the evidence itself is read and sent. */
static GPtrArray *
locked_waiting_blobs (JcVault *vault, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);

  return db != NULL ? waiting_blobs (vault, db, error) : NULL;
}

static gboolean
locked_mark_blob_complete (JcVault *vault, const char *sha256_hex, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);

  return db != NULL && mark_blob_complete (db, sha256_hex, error);
}

static gboolean
write_piece (guint64 offset, const guint8 *data, gsize len, gpointer user_data, GError **error)
{
  return g_output_stream_write_all (user_data, data, len, NULL, NULL, error);
}

gboolean
jc_sync_export_evidence (JcVault *vault, const char *dir, guint *out_files, GError **error)
{
  g_autoptr(GPtrArray) waiting = locked_waiting_blobs (vault, error);

  if (waiting == NULL)
    return FALSE;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), _("Cannot create %s: %s"), dir,
                   g_strerror (errsv));
      return FALSE;
    }
  for (guint i = 0; i < waiting->len; i++)
    {
      Waiting *w = waiting->pdata[i];
      g_autofree char *name = g_strconcat (w->sha256_hex, ".jcblob", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileOutputStream) fout = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
      g_autoptr(GOutputStream) up = NULL;

      if (fout == NULL)
        return FALSE;
      up = jc_blob_upload_new (w->key, w->sha256, w->size, 0, JC_SYNC_PIECE_SIZE, write_piece, fout);
      if (!jc_blobstore_read_to (jc_vault_get_blobstore (vault), w->sha256, up, NULL, error) ||
          !g_output_stream_close (up, NULL, error) ||
          !g_output_stream_close (G_OUTPUT_STREAM (fout), NULL, error))
        return FALSE;
    }
  if (out_files != NULL)
    *out_files = waiting->len;
  return TRUE;
}

/* Status and bundles ------------------------------------------------------- */

gboolean
jc_sync_get_status (JcVault *vault, JcSyncStatus *status, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);
  g_autoptr(GPtrArray) blobs = NULL;
  guint8 hash[32];

  memset (status, 0, sizeof *status);
  if (db == NULL ||
      !jc_eventlog_get_head (jc_vault_get_eventlog (vault), jc_device_get_id (jc_vault_get_device (vault)),
                             &status->head_seq, hash, error))
    return FALSE;
  blobs = waiting_blobs (vault, db, error);
  if (blobs == NULL)
    return FALSE;
  status->acked_seq = (guint64) state_get (db, "acked_seq");
  status->events_waiting = status->head_seq > status->acked_seq ? status->head_seq - status->acked_seq : 0;
  status->blobs_waiting = blobs->len;
  for (guint i = 0; i < blobs->len; i++)
    status->blob_bytes_waiting += ((Waiting *) blobs->pdata[i])->size;
  status->last_sync = state_get (db, "last_sync");
  status->last_updates = state_get (db, "last_updates");
  return TRUE;
}

GBytes *
jc_sync_make_bundle (JcVault *vault, guint max_events, guint64 *out_last_seq, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);
  JcDevice *device = jc_vault_get_device (vault);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_bundle_blob_free);
  guint8 hq_pk[32];
  gsize budget = 0;

  if (db == NULL || !pinned_hq_key (vault, hq_pk, error))
    return NULL;
  events = jc_eventlog_get_events_after (jc_vault_get_eventlog (vault), jc_device_get_id (device),
                                         (guint64) state_get (db, "acked_seq"),
                                         max_events == 0 ? JC_SYNC_BUNDLE_EVENTS : max_events, error);
  waiting = events != NULL ? waiting_blobs (vault, db, error) : NULL;
  if (waiting == NULL)
    return NULL;
  for (guint i = 0; i < events->len; i++)
    {
      gsize len;

      jc_event_get_encoded (events->pdata[i], &len);
      budget += len + 68;
      if (budget > BUNDLE_BUDGET && i > 0)
        {
          g_ptr_array_set_size (events, i);
          break;
        }
    }
  if (events->len == 0 && waiting->len == 0)
    return NULL;
  for (guint i = 0; i < waiting->len; i++)
    {
      Waiting *w = waiting->pdata[i];
      JcBundleBlob *blob = g_new0 (JcBundleBlob, 1);

      memcpy (blob->sha256, w->sha256, 32);
      memcpy (blob->key, w->key, 32);
      blob->size = w->size;
      blob->media_type = g_strdup (w->media_type);
      g_ptr_array_add (blobs, blob);
    }
  if (out_last_seq != NULL)
    *out_last_seq = events->len > 0 ? jc_event_get_seq (events->pdata[events->len - 1]) : 0;
  return jc_bundle_seal (device, events, blobs, g_get_real_time () / G_USEC_PER_SEC, hq_pk, error);
}

static gboolean
receipt_fail (GError **error, const char *why)
{
  g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT, _("HQ’s receipt is not valid: %s"), why);
  return FALSE;
}

gboolean
jc_sync_apply_receipt (JcVault     *vault,
                       const char  *envelope,
                       gsize        len,
                       GPtrArray  **out_rejected,
                       GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);
  JcDevice *device = jc_vault_get_device (vault);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  JsonObject *doc;
  JsonNode *node;
  guint8 hq_pk[32], head_hash[32];
  guint64 head = 0, old_acked;
  gint64 acked;
  const char *acked_hash;

  if (db == NULL || !pinned_hq_key (vault, hq_pk, error))
    return FALSE;
  parser = jc_signed_doc_unwrap (envelope, len, hq_pk, "receipt", error);
  if (parser == NULL)
    return FALSE;
  doc = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (doc, "device", NULL),
                 jc_device_get_id_hex (device)) != 0)
    return receipt_fail (error, _("it is for another device"));
  acked = json_object_get_int_member_with_default (doc, "acked_seq", -1);
  acked_hash = json_object_get_string_member_with_default (doc, "acked_hash", "");
  if (!jc_eventlog_get_head (jc_vault_get_eventlog (vault), jc_device_get_id (device), &head, head_hash, error))
    return FALSE;
  if (acked < 0 || (guint64) acked > head)
    return receipt_fail (error, _("it acknowledges events this device never made"));
  if (acked > 0)
    {
      g_autofree char *own_hex = NULL;

      mine = jc_eventlog_get_events_after (jc_vault_get_eventlog (vault), jc_device_get_id (device),
                                           (guint64) acked - 1, 1, error);
      if (mine == NULL)
        return FALSE;
      own_hex = mine->len == 1 ? jc_device_hex (jc_event_get_hash (mine->pdata[0]), 32) : NULL;
      if (g_strcmp0 (own_hex, acked_hash) != 0)
        return receipt_fail (error, _("HQ’s copy of this device’s log differs from the device’s own"));
    }

  if (!jc_db_exec_sql (db, "SAVEPOINT jc_sync_receipt", error))
    return FALSE;
  old_acked = (guint64) state_get (db, "acked_seq");
  if ((guint64) acked > old_acked && !state_set (db, "acked_seq", acked, NULL, error))
    goto fail;
  node = json_object_get_member (doc, "blobs");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *blobs = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (blobs); i++)
        {
          JsonObject *b = json_array_get_object_element (blobs, i);

          if (b != NULL && json_object_get_boolean_member_with_default (b, "complete", FALSE) &&
              !mark_blob_complete (db, json_object_get_string_member_with_default (b, "sha256", ""), error))
            goto fail;
        }
    }
  if (!jc_db_exec_sql (db, "RELEASE jc_sync_receipt", error))
    goto fail;

  if (out_rejected != NULL)
    {
      *out_rejected = g_ptr_array_new_with_free_func (g_free);
      node = json_object_get_member (doc, "rejected");
      for (guint i = 0; node != NULL && JSON_NODE_HOLDS_ARRAY (node) &&
                        i < json_array_get_length (json_node_get_array (node)); i++)
        {
          JsonObject *r = json_array_get_object_element (json_node_get_array (node), i);

          if (r != NULL)
            g_ptr_array_add (*out_rejected,
                             g_strdup_printf (_("event %" PRId64 ": %s"),
                                              json_object_get_int_member_with_default (r, "seq", 0),
                                              json_object_get_string_member_with_default (r, "reason", "?")));
        }
    }
  return TRUE;

fail:
  jc_db_exec_sql (db, "ROLLBACK TO jc_sync_receipt; RELEASE jc_sync_receipt", NULL);
  return FALSE;
}

/* Updates ------------------------------------------------------------------ */

static char *
vault_checklist_dir (JcVault *vault)
{
  return g_build_filename (jc_vault_get_dir (vault), "checklists", NULL);
}

/* The "plans" member: envelope texts, NULL-terminated (none when absent,
 * as from an HQ before plans). */
static GPtrArray *
update_plans (JsonObject *doc, GError **error)
{
  g_autoptr(GPtrArray) plans = g_ptr_array_new ();
  JsonNode *node = json_object_get_member (doc, "plans");

  if (node != NULL && !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
                           _("HQ’s updates have “plans” that are not an array"));
      return NULL;
    }
  for (guint i = 0; node != NULL && i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *plan = json_array_get_element (json_node_get_array (node), i);

      if (!JSON_NODE_HOLDS_VALUE (plan) || json_node_get_value_type (plan) != G_TYPE_STRING)
        {
          g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
                       _("Plan %u of HQ’s updates is not an envelope’s text"), i + 1);
          return NULL;
        }
      g_ptr_array_add (plans, (gpointer) json_node_get_string (plan));
    }
  g_ptr_array_add (plans, NULL);
  return g_steal_pointer (&plans);
}

static gboolean
apply_updates (JcVault     *vault,
               const char  *envelope,
               gsize        len,
               guint       *out_checklists,
               guint       *out_assignments,
               GError     **error)
{
  JcDb *db = sync_db (vault, error);
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *dir = vault_checklist_dir (vault);
  g_autoptr(GString) revoked = g_string_new (NULL);
  g_autoptr(GPtrArray) plans = NULL;
  JsonObject *doc;
  JsonArray *lists, *rev;
  guint8 hq_pk[32];
  gint64 hq_time;
  guint n = 0;

  if (db == NULL || !pinned_hq_key (vault, hq_pk, error))
    return FALSE;
  parser = jc_signed_doc_unwrap (envelope, len, hq_pk, "updates", error);
  if (parser == NULL)
    return FALSE;
  doc = json_node_get_object (json_parser_get_root (parser));
  hq_time = json_object_get_int_member_with_default (doc, "hq_time", 0);
  if (hq_time <= 0)
    {
      g_set_error_literal (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT, _("HQ’s updates carry no time"));
      return FALSE;
    }
  plans = update_plans (doc, error);
  if (plans == NULL || !jc_assignments_check ((const char * const *) plans->pdata, hq_pk, error))
    return FALSE;
  /* Every list checks before any is written: never half an update. */
  lists = json_object_has_member (doc, "checklists") ? json_object_get_array_member (doc, "checklists") : NULL;
  for (guint pass = 0; pass < 2 && lists != NULL; pass++)
    for (guint i = 0; i < json_array_get_length (lists); i++)
      {
        JsonObject *entry = json_array_get_object_element (lists, i);
        const char *name = entry ? json_object_get_string_member_with_default (entry, "name", "") : "";
        const char *sig = entry ? json_object_get_string_member_with_default (entry, "signature", "") : "";
        g_autofree guchar *json = NULL;
        g_autofree char *path = NULL, *sig_path = NULL;
        g_autoptr(GBytes) bytes = NULL, sig_bytes = NULL;
        g_autoptr(JcChecklist) list = NULL;
        gsize json_len = 0;

        if (!g_str_has_suffix (name, ".json") || strchr (name, '/') != NULL || name[0] == '.')
          {
            g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
                         _("HQ’s updates name a checklist file “%s”, which is not a plain .json name"), name);
            return FALSE;
          }
        json = g_base64_decode (entry ? json_object_get_string_member_with_default (entry, "json", "") : "",
                                &json_len);
        bytes = g_bytes_new (json, json_len);
        sig_bytes = g_bytes_new (sig, strlen (sig));
        list = jc_checklist_load_signed_bytes (bytes, sig_bytes, hq_pk, name, error);
        if (list == NULL)
          return FALSE;
        if (pass == 0)
          continue;
        path = g_build_filename (dir, name, NULL);
        sig_path = g_strconcat (path, ".sig", NULL);
        if (g_mkdir_with_parents (dir, 0700) != 0 ||
            !g_file_set_contents (sig_path, sig, -1, error) ||
            !g_file_set_contents (path, (const char *) json, json_len, error))
          {
            if (error != NULL && *error == NULL)
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("Cannot create %s"), dir);
            return FALSE;
          }
        n++;
      }
  rev = json_object_has_member (doc, "revoked") ? json_object_get_array_member (doc, "revoked") : NULL;
  for (guint i = 0; rev != NULL && i < json_array_get_length (rev); i++)
    g_string_append_printf (revoked, "%s%s", i > 0 ? "," : "", json_array_get_string_element (rev, i));
  /* The plans, HQ's time and the state: one transaction. */
  if (!jc_db_exec_sql (db, "SAVEPOINT jc_sync_updates", error))
    return FALSE;
  if (!jc_assignments_save (vault, (const char * const *) plans->pdata, hq_pk, hq_time, out_assignments, error) ||
      !jc_eventlog_set_hq_time (jc_vault_get_eventlog (vault), hq_time * G_USEC_PER_SEC, error) ||
      !state_set (db, "last_updates", hq_time, NULL, error) ||
      !state_set (db, "revoked", 0, revoked->str, error) ||
      (json_object_has_member (doc, "directory") &&
       (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (doc, "directory")) ||
        !jc_sync_directory_apply (vault, json_object_get_object_member (doc, "directory"), error))) ||
      !jc_db_exec_sql (db, "RELEASE jc_sync_updates", error))
    {
      jc_db_exec_sql (db, "ROLLBACK TO jc_sync_updates; RELEASE jc_sync_updates", NULL);
      return FALSE;
    }
  if (out_checklists != NULL)
    *out_checklists = n;
  return TRUE;
}

gboolean
jc_sync_apply_updates (JcVault     *vault,
                       const char  *envelope,
                       gsize        len,
                       guint       *out_checklists,
                       GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  return apply_updates (vault, envelope, len, out_checklists, NULL, error);
}

gboolean
jc_sync_add_checklists (JcVault *vault, JcChecklistRegistry *registry, GError **error)
{
  g_autofree char *dir_path = vault_checklist_dir (vault);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint8 hq_pk[32];
  const char *name;

  if (dir == NULL || !jc_vault_get_enrollment (vault, NULL, hq_pk, NULL))
    return TRUE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (g_str_has_suffix (name, ".json") &&
          !jc_checklist_registry_add_signed_file (registry, path, hq_pk, error))
        return FALSE;
    }
  return TRUE;
}

char *
jc_sync_get_hq_url (JcVault *vault)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, NULL);

  return db != NULL ? state_get_text (db, "hq_url") : NULL;
}

gboolean
jc_sync_set_hq_url (JcVault *vault, const char *hq_url, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);
  g_autofree char *base = g_str_has_suffix (hq_url, "/") ? g_strndup (hq_url, strlen (hq_url) - 1)
                                                         : g_strdup (hq_url);

  return db != NULL && state_set (db, "hq_url", 0, base, error);
}

/* Online ------------------------------------------------------------------- */

typedef struct {
  SoupSession  *session;
  char         *base;
  GCancellable *cancellable;
} Http;

/* One request; returns the body of any answer, with *@status set; NULL
 * (JC_SYNC_ERROR_NETWORK) when no answer came. */
static GBytes *
http (Http *h, const char *method, const char *path, const char *content_type, GBytes *body,
      const char *range, guint *status, GError **error)
{
  g_autofree char *url = g_strconcat (h->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) local = NULL;
  GBytes *reply;

  if (msg == NULL)
    {
      g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_NETWORK, _("Not a valid HQ address: %s"), h->base);
      return NULL;
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  if (range != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Range", range);
  reply = soup_session_send_and_read (h->session, msg, h->cancellable, &local);
  if (reply == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_NETWORK, _("Cannot reach HQ at %s: %s"), url,
                     local->message);
      return NULL;
    }
  *status = soup_message_get_status (msg);
  return reply;
}

static JsonObject *
reply_object (GBytes *reply, JsonParser *parser)
{
  gsize len;
  const char *data = g_bytes_get_data (reply, &len);

  if (!json_parser_load_from_data (parser, data, len, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

static gboolean
refused (GBytes *reply, guint status, const char *what, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj = reply_object (reply, parser);
  const char *reason = obj ? json_object_get_string_member_with_default (obj, "error", NULL) : NULL;

  g_set_error (error, JC_SYNC_ERROR, status >= 500 ? JC_SYNC_ERROR_NETWORK : JC_SYNC_ERROR_REFUSED,
               _("HQ refused %s (HTTP %u): %s"), what, status, reason ? reason : soup_status_get_phrase (status));
  return FALSE;
}

static gboolean
send_bundles (JcVault *vault, Http *h, JcSyncProgressFunc progress, gpointer user_data,
              JcSyncResult *result, GError **error)
{
  gboolean first = TRUE;

  for (;;)
    {
      g_autoptr(GBytes) bundle = NULL;
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GPtrArray) rejected = NULL;
      JcSyncStatus before, after;
      guint64 last_seq = 0;
      guint status = 0;
      gsize len;
      const char *data;

      if (!jc_sync_get_status (vault, &before, error))
        return FALSE;
      /* Manifests alone go once; events go until none waits. */
      if (before.events_waiting == 0 && !(first && before.blobs_waiting > 0))
        return TRUE;
      first = FALSE;
      bundle = jc_sync_make_bundle (vault, 0, &last_seq, error);
      if (bundle == NULL)
        return error == NULL || *error == NULL;
      if (progress != NULL)
        progress ("events", before.acked_seq, before.head_seq, user_data);
      reply = http (h, "POST", "/v1/bundles", "application/vnd.jiancha.bundle", bundle, NULL, &status, error);
      if (reply == NULL)
        return FALSE;
      if (status != SOUP_STATUS_OK)
        return refused (reply, status, _("the bundle"), error);
      data = g_bytes_get_data (reply, &len);
      if (!jc_sync_apply_receipt (vault, data, len, &rejected, error) ||
          !jc_sync_get_status (vault, &after, error))
        return FALSE;
      result->bundles++;
      result->events_sent += last_seq > before.acked_seq ? last_seq - before.acked_seq : 0;
      result->events_added += after.acked_seq - before.acked_seq;
      if (rejected->len > 0 || (before.events_waiting > 0 && after.acked_seq <= before.acked_seq))
        {
          g_autofree char *why = rejected->len > 0 ? g_strjoinv ("; ", (char **) g_ptr_array_steal (rejected, NULL))
                                                   : g_strdup (_("HQ holds them after a gap"));

          g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_REJECTED,
                       _("HQ did not accept events after %" PRIu64 ": %s"), after.acked_seq, why);
          return FALSE;
        }
    }
}

typedef struct {
  Http         *h;
  const char   *hash;
  guint64       total;
  guint64       received;
  gboolean      complete;
  JcSyncResult *result;
  JcSyncProgressFunc progress;
  gpointer      user_data;
} Upload;

static gboolean
read_blob_state (GBytes *reply, Upload *up)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj = reply_object (reply, parser);

  if (obj == NULL || !json_object_has_member (obj, "received"))
    return FALSE;
  up->received = (guint64) json_object_get_int_member (obj, "received");
  up->complete = json_object_get_boolean_member_with_default (obj, "complete", FALSE);
  return TRUE;
}

static gboolean
send_piece (guint64 offset, const guint8 *data, gsize len, gpointer user_data, GError **error)
{
  Upload *up = user_data;
  g_autoptr(GBytes) body = g_bytes_new_static (data, len);
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *range = g_strdup_printf ("bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                                            offset, offset + len - 1, up->total);
  g_autofree char *path = g_strconcat ("/v1/blobs/", up->hash, NULL);
  guint status = 0;

  reply = http (up->h, "PUT", path, "application/octet-stream", body, range, &status, error);
  if (reply == NULL)
    return FALSE;
  if (status != SOUP_STATUS_OK)
    {
      /* HQ says where it stands; the next attempt resumes from there. */
      read_blob_state (reply, up);
      return refused (reply, status, _("a piece of evidence"), error);
    }
  if (!read_blob_state (reply, up))
    {
      g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_REFUSED, _("HQ’s answer to a piece of evidence is not JSON"));
      return FALSE;
    }
  up->result->blob_bytes_sent += len;
  if (up->progress != NULL)
    up->progress ("evidence", up->received, up->total, up->user_data);
  return TRUE;
}

static gboolean
upload_blob (JcVault *vault, Http *h, Waiting *w, Upload *up, GError **error)
{
  g_autofree char *path = g_strconcat ("/v1/blobs/", w->sha256_hex, NULL);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GOutputStream) out = NULL;
  guint status = 0;

  up->hash = w->sha256_hex;
  up->total = jc_blob_crypt_size (w->size);
  reply = http (h, "GET", path, NULL, NULL, NULL, &status, error);
  if (reply == NULL)
    return FALSE;
  if (status != SOUP_STATUS_OK || !read_blob_state (reply, up))
    return refused (reply, status, _("the evidence state"), error);
  if (!up->complete)
    {
      out = jc_blob_upload_new (w->key, w->sha256, w->size, up->received, JC_SYNC_PIECE_SIZE, send_piece, up);
      if (!jc_blobstore_read_to (jc_vault_get_blobstore (vault), w->sha256, out, h->cancellable, error) ||
          !g_output_stream_close (out, h->cancellable, error))
        return FALSE;
      if (!up->complete)
        {
          g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_REFUSED,
                       _("HQ did not confirm evidence %s complete after the last piece"), w->sha256_hex);
          return FALSE;
        }
      up->result->blobs_uploaded++;
    }
  return locked_mark_blob_complete (vault, w->sha256_hex, error);
}

static gboolean
send_blobs (JcVault *vault, Http *h, JcSyncProgressFunc progress, gpointer user_data,
            JcSyncResult *result, GError **error)
{
  g_autoptr(GPtrArray) waiting = locked_waiting_blobs (vault, error);

  if (waiting == NULL)
    return FALSE;
  for (guint i = 0; i < waiting->len; i++)
    {
      Upload up = { h, NULL, 0, 0, FALSE, result, progress, user_data };
      g_autoptr(GError) local = NULL;

      /* HQ moved (another attempt of ours got there first): once more
       * from where it says it stands. */
      if (!upload_blob (vault, h, waiting->pdata[i], &up, &local) &&
          (!g_error_matches (local, JC_SYNC_ERROR, JC_SYNC_ERROR_REFUSED) ||
           (g_clear_error (&local), !upload_blob (vault, h, waiting->pdata[i], &up, &local))))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
fetch_updates (JcVault *vault, Http *h, JcSyncResult *result, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);
  gint64 since = db != NULL ? state_get (db, "last_updates") : 0;
  g_autofree char *directory = db != NULL ? jc_sync_directory_digest (vault) : NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint status = 0, n = 0, mine = 0;
  gsize len;
  const char *data;

  /* not held over the network */
  g_clear_pointer (&locker, g_rec_mutex_locker_free);
  if (db == NULL)
    return FALSE;
  path = g_strdup_printf ("/v1/updates?since=%" PRId64 "&directory=%s", since, directory);
  reply = http (h, "GET", path, NULL, NULL, NULL, &status, error);
  if (reply == NULL)
    return FALSE;
  if (status != SOUP_STATUS_OK)
    return refused (reply, status, _("the updates"), error);
  data = g_bytes_get_data (reply, &len);
  locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  if (!apply_updates (vault, data, len, &n, &mine, error))
    return FALSE;
  result->checklists_received += n;
  result->assignments_received += mine;
  return TRUE;
}

static gboolean
mark_synced (JcVault *vault, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  JcDb *db = sync_db (vault, error);

  return db != NULL && state_set (db, "last_sync", g_get_real_time () / G_USEC_PER_SEC, NULL, error);
}

SoupSession *
jc_sync_new_session (GError **error)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, NULL);
  const char *ca = g_getenv ("JIANCHA_HQ_CA_FILE");

  if (ca != NULL && *ca != '\0')
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GTlsDatabase) db = g_tls_file_database_new (ca, &local);

      if (db == NULL)
        {
          g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_NETWORK,
                       _("Cannot read HQ’s certificate authority %s (JIANCHA_HQ_CA_FILE): %s"), ca, local->message);
          return NULL;
        }
      soup_session_set_tls_database (session, db);
    }
  return g_steal_pointer (&session);
}

gboolean
jc_sync_run (JcVault            *vault,
             const char         *hq_url,
             JcSyncProgressFunc  progress,
             gpointer            user_data,
             GCancellable       *cancellable,
             JcSyncResult       *result,
             GError            **error)
{
  g_autoptr(SoupSession) session = jc_sync_new_session (error);
  JcSyncResult local_result = { 0 };
  guint8 hq_pk[32];
  Http h;
  gboolean ok;

  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);
  if (session == NULL || !pinned_hq_key (vault, hq_pk, error))
    return FALSE;
  h.session = session;
  h.base = g_str_has_suffix (hq_url, "/") ? g_strndup (hq_url, strlen (hq_url) - 1) : g_strdup (hq_url);
  h.cancellable = cancellable;
  ok = jc_sync_set_hq_url (vault, h.base, error) &&
       send_bundles (vault, &h, progress, user_data, result, error) &&
       send_blobs (vault, &h, progress, user_data, result, error) &&
       fetch_updates (vault, &h, result, error) &&
       mark_synced (vault, error);
  g_free (h.base);
  return ok;
}

/* jc-hq-finding-detail.c — one finding as HQ holds it, checked again */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-blobs.h"
#include "jc-hq-finding-detail.h"
#include "jc-hq-sql.h"
#include "jc-hq-web.h"

/* What one event of the finding is, as stored at HQ. */
typedef struct {
  char   *device_hex;
  gint64  seq;
  GBytes *encoded;
  GBytes *signature;
  GBytes *public_key;
} StoredEvent;

typedef struct {
  GHashTable  *text;     /* column → value, for the row's plain fields */
  GPtrArray   *columns;  /* the row's column names, in order */
  GHashTable  *ints;     /* integer columns → gint64 * */
  StoredEvent  seal;
  StoredEvent  confirm;
  char        *record;
  char        *institution_key;
  char        *institution_signature;
} Row;

static void
stored_event_clear (StoredEvent *e)
{
  g_free (e->device_hex);
  g_clear_pointer (&e->encoded, g_bytes_unref);
  g_clear_pointer (&e->signature, g_bytes_unref);
  g_clear_pointer (&e->public_key, g_bytes_unref);
}

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->text, g_hash_table_unref);
  g_clear_pointer (&row->ints, g_hash_table_unref);
  g_clear_pointer (&row->columns, g_ptr_array_unref);
  stored_event_clear (&row->seal);
  stored_event_clear (&row->confirm);
  g_free (row->record);
  g_free (row->institution_key);
  g_free (row->institution_signature);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Row, row_clear)

static const char finding_sql[] =
  "SELECT f.id AS finding, i.institution_code AS institution, i.institution_name AS name, "
  "       i.institution_type AS type, i.form AS form, i.date AS date, i.team AS team, "
  "       f.inspection_id AS inspection, i.checklist AS checklist, "
  "       f.amount_fen AS amount_fen, f.sealed_at AS sealed_at, "
  "       coalesce (c.status, 'unconfirmed') AS status, coalesce (c.name, '') AS representative, "
  "       coalesce (c.title, '') AS representative_title, coalesce (c.reason, '') AS reason, "
  "       coalesce (c.witness, '') AS witness, c.confirmed_at AS confirmed_at, "
  "       coalesce (f.supersedes, '') AS supersedes, coalesce (f.superseded_by, '') AS superseded_by, "
  "       f.sha256 AS record_sha256, f.device_id AS device, f.seq AS seq, "
  "       coalesce ((SELECT inspector FROM devices WHERE device_id = f.device_id), '') AS inspector, "
  "       coalesce ((SELECT county FROM institutions WHERE code = i.institution_code), '') AS county, "
  /* not for the row itself: */
  "       f.record, c.device_id, c.seq, cs.institution_key, cs.institution_signature "
  "FROM findings f LEFT JOIN inspections i ON i.id = f.inspection_id "
  "LEFT JOIN finding_confirmations c ON c.finding_id = f.id "
  "LEFT JOIN finding_countersignatures cs ON cs.finding_id = f.id "
  "WHERE f.id = ?";
#define N_ROW_COLUMNS 24

static gboolean
load_event (JcDb *db, StoredEvent *e, GError **error)
{
  guint8 id[16];
  JcDbStmt *stmt = NULL;

  if (!jc_device_unhex (e->device_hex, id, sizeof id))
    return TRUE;
  if (!jc_hq_sql_prepare (db, "SELECT e.encoded, e.signature, d.public_key FROM events e "
                              "JOIN event_devices d ON d.device_id = e.device_id "
                              "WHERE e.device_id = ? AND e.seq = ?", &stmt, error))
    return FALSE;
  jc_db_bind_blob (stmt, 1, id, sizeof id, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 2, e->seq);
  if (jc_db_step (stmt) == JC_DB_ROW)
    {
      e->encoded = g_bytes_new (jc_db_column_blob (stmt, 0), jc_db_column_bytes (stmt, 0));
      e->signature = g_bytes_new (jc_db_column_blob (stmt, 1), jc_db_column_bytes (stmt, 1));
      e->public_key = g_bytes_new (jc_db_column_blob (stmt, 2), jc_db_column_bytes (stmt, 2));
    }
  jc_db_finalize (stmt);
  return TRUE;
}

static gboolean
load_row (JcHqStore *store, const char *finding_id, Row *row, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  gboolean found = FALSE, ok;

  row->text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  row->ints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  row->columns = g_ptr_array_new_with_free_func (g_free);
  jc_hq_store_lock (store);
  ok = jc_hq_sql_prepare (db, finding_sql, &stmt, error);
  if (ok)
    {
      jc_db_bind_text (stmt, 1, finding_id, -1, JC_DB_STATIC);
      if (jc_db_step (stmt) == JC_DB_ROW)
        {
          found = TRUE;
          for (int i = 0; i < N_ROW_COLUMNS; i++)
            {
              const char *name = jc_db_column_name (stmt, i);

              g_ptr_array_add (row->columns, g_strdup (name));
              if (jc_db_column_type (stmt, i) == JC_DB_INTEGER)
                g_hash_table_insert (row->ints, g_strdup (name), g_memdup2 (&(gint64) { jc_db_column_int64 (stmt, i) },
                                                                            sizeof (gint64)));
              else if (jc_db_column_type (stmt, i) != JC_DB_NULL)
                g_hash_table_insert (row->text, g_strdup (name), g_strdup ((const char *) jc_db_column_text (stmt, i)));
            }
          row->seal.device_hex = g_strdup (g_hash_table_lookup (row->text, "device"));
          row->seal.seq = *(gint64 *) g_hash_table_lookup (row->ints, "seq");
          row->record = g_strdup ((const char *) jc_db_column_text (stmt, 24));
          if (jc_db_column_type (stmt, 25) != JC_DB_NULL)
            {
              row->confirm.device_hex = g_strdup ((const char *) jc_db_column_text (stmt, 25));
              row->confirm.seq = jc_db_column_int64 (stmt, 26);
            }
          if (jc_db_column_type (stmt, 27) != JC_DB_NULL)
            {
              row->institution_key = g_strdup ((const char *) jc_db_column_text (stmt, 27));
              row->institution_signature = g_strdup ((const char *) jc_db_column_text (stmt, 28));
            }
        }
      jc_db_finalize (stmt);
    }
  ok = ok && (!found || (load_event (db, &row->seal, error) && load_event (db, &row->confirm, error)));
  jc_hq_store_unlock (store);
  if (ok && !found)
    {
      g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_NOT_FOUND, _("HQ holds no finding %s"), finding_id);
      return FALSE;
    }
  return ok;
}

static void
add_check (JsonBuilder *b, const char *name, gboolean ok, const char *detail)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  jc_json_builder_add_string (b, "detail", detail);
  json_builder_end_object (b);
}

/* Verifies @e with its device's key; *@event gets it decoded. */
static gboolean
check_event (const StoredEvent *e, JcEvent **event, char **detail)
{
  g_autoptr(GError) error = NULL;
  JcEvent *decoded;
  gsize sig_len = 0, key_len = 0;
  const guint8 *sig, *key;

  *event = NULL;
  if (e->encoded == NULL)
    {
      *detail = g_strdup_printf (_("HQ holds no event %s/%" PRId64), e->device_hex, e->seq);
      return FALSE;
    }
  sig = g_bytes_get_data (e->signature, &sig_len);
  key = g_bytes_get_data (e->public_key, &key_len);
  decoded = jc_event_decode (g_bytes_get_data (e->encoded, NULL), g_bytes_get_size (e->encoded), &error);
  if (decoded == NULL || key_len != 32 || !jc_event_set_signature (decoded, sig, sig_len, &error) ||
      !jc_event_verify (decoded, key, &error))
    {
      *detail = g_strdup_printf (_("event %s/%" PRId64 ": %s"), e->device_hex, e->seq,
                                 error ? error->message : _("the device key is malformed"));
      g_clear_pointer (&decoded, jc_event_unref);
      return FALSE;
    }
  *event = decoded;
  *detail = g_strdup_printf (_("Ed25519 signature of event %s/%" PRId64 " verifies with the device’s key"),
                             e->device_hex, e->seq);
  return TRUE;
}

/* The seal event must carry the very record and digest of the row. */
static gboolean
seal_carries (JcEvent *event, const char *record, const char *sha256)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *body;

  if (!json_parser_load_from_data (parser, jc_event_get_body (event), -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  body = json_node_get_object (json_parser_get_root (parser));
  return g_strcmp0 (json_object_get_string_member_with_default (body, "record", NULL), record) == 0 &&
         g_strcmp0 (json_object_get_string_member_with_default (body, "sha256", NULL), sha256) == 0;
}

static void
add_checks (JsonBuilder *b, Row *row, const guint8 digest[32], gboolean record_ok)
{
  const char *sha = g_hash_table_lookup (row->text, "record_sha256");
  g_autoptr(JcEvent) seal = NULL, confirm = NULL;
  g_autofree char *seal_detail = NULL, *confirm_detail = NULL;
  gboolean seal_ok;

  json_builder_set_member_name (b, "checks");
  json_builder_begin_object (b);
  add_check (b, "record", record_ok,
             record_ok ? _("The record’s SHA-256 is the digest sealed in the finding (JC1 claim 9)")
                       : _("The record’s SHA-256 differs from the digest sealed in the finding"));
  seal_ok = check_event (&row->seal, &seal, &seal_detail);
  if (seal_ok && !seal_carries (seal, row->record, sha))
    {
      g_free (seal_detail);
      seal_detail = g_strdup (_("The seal event verifies but carries another record"));
      seal_ok = FALSE;
    }
  add_check (b, "seal", seal_ok, seal_detail);
  if (row->confirm.device_hex != NULL)
    {
      gboolean confirm_ok = check_event (&row->confirm, &confirm, &confirm_detail);

      add_check (b, "confirmation", confirm_ok, confirm_detail);
    }
  if (row->institution_key != NULL)
    {
      guint8 key[32], sig[64];
      gboolean ok = jc_device_unhex (row->institution_key, key, sizeof key) &&
                    jc_device_unhex (row->institution_signature, sig, sizeof sig) &&
                    crypto_sign_verify_detached (sig, digest, 32, key) == 0;

      add_check (b, "institution", ok,
                 ok ? _("The institution’s Ed25519 signature over claim 9 verifies")
                    : _("The institution’s signature over claim 9 does not verify"));
    }
  json_builder_end_object (b);
}

static void
add_row (JsonBuilder *b, Row *row)
{
  for (guint i = 0; i < row->columns->len; i++)
    {
      const char *name = g_ptr_array_index (row->columns, i);
      gint64 *n = g_hash_table_lookup (row->ints, name);
      const char *text = g_hash_table_lookup (row->text, name);

      json_builder_set_member_name (b, name);
      if (n != NULL)
        json_builder_add_int_value (b, *n);
      else if (text != NULL)
        json_builder_add_string_value (b, text);
      else
        json_builder_add_null_value (b);
    }
}

/* json-glib 1.6 has no json_object_get_array_member_with_default(). */
static JsonArray *
array_member (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static void
add_items (JsonBuilder *b, JsonObject *record)
{
  JsonArray *items = array_member (record, "items");

  jc_json_builder_add_string (b, "facts", json_object_get_string_member_with_default (record, "facts", ""));
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (item == NULL)
        continue;
      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "code", json_object_get_string_member_with_default (item, "code", ""));
      jc_json_builder_add_string (b, "basis", json_object_get_string_member_with_default (item, "basis", ""));
      json_builder_set_member_name (b, "amount_fen");
      if (json_object_has_member (item, "amount_fen"))
        json_builder_add_int_value (b, json_object_get_int_member (item, "amount_fen"));
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_evidence_one (JsonBuilder *b, JcHqStore *store, const char *hash, const char *role)
{
  g_autoptr(GError) error = NULL;
  JcHqBlobState state = { 0 };
  gboolean known = jc_hq_blobs_state (store, hash, &state, &error);

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "sha256", hash);
  jc_json_builder_add_string (b, "role", role);
  json_builder_set_member_name (b, "announced");
  json_builder_add_boolean_value (b, known);
  jc_json_builder_add_int (b, "size", (gint64) state.size);
  jc_json_builder_add_int (b, "received", (gint64) state.received);
  jc_json_builder_add_int (b, "total", (gint64) state.total);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, known && state.complete);
  json_builder_end_object (b);
}

static void
add_evidence (JsonBuilder *b, JcHqStore *store, JsonObject *record)
{
  JsonArray *evidence = array_member (record, "evidence");
  const char *strokes = json_object_get_string_member_with_default (record, "signature_strokes", NULL);

  json_builder_set_member_name (b, "evidence");
  json_builder_begin_array (b);
  for (guint i = 0; evidence != NULL && i < json_array_get_length (evidence); i++)
    {
      const char *hash = json_array_get_string_element (evidence, i);

      if (hash != NULL)
        add_evidence_one (b, store, hash, "evidence");
    }
  if (strokes != NULL)
    add_evidence_one (b, store, strokes, "signature");
  json_builder_end_array (b);
}

char *
jc_hq_finding_detail_json (JcHqStore *store, const char *finding_id, GError **error)
{
  g_auto(Row) row = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonObject) empty = json_object_new ();
  JsonObject *record = empty;
  guint8 digest[32];
  char hex[65];

  if (!load_row (store, finding_id, &row, error))
    return NULL;
  jc_sha256 (digest, (const guint8 *) row.record, strlen (row.record));
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  if (json_parser_load_from_data (parser, row.record, -1, NULL) && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    record = json_node_get_object (json_parser_get_root (parser));

  json_builder_begin_object (b);
  add_row (b, &row);
  add_items (b, record);
  add_evidence (b, store, record);
  add_checks (b, &row, digest, g_ascii_strcasecmp (hex, g_hash_table_lookup (row.text, "record_sha256") ?: "") == 0);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

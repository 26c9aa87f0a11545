/* jc-finding.c — findings sealed as events, confirmed, amended, and as JC1 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "jc-ack.h"
#include "jc-amount.h"
#include "jc-finding.h"
#include "jc-inspection.h"
#include "jc-jc1-private.h"
#include "jc-json.h"
#include "jc-json-strict.h"
#include "jc-sha256.h"
#include "jc-vfs.h"

G_DEFINE_QUARK (jc-finding-error-quark, jc_finding_error)

#define RECORD_VERSION 1

static const char finding_schema[] =
  "CREATE TABLE IF NOT EXISTS findings ("
  "  id TEXT PRIMARY KEY,"
  "  inspection_id TEXT NOT NULL,"
  "  record TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  sealed_at INTEGER NOT NULL,"
  "  amount_fen INTEGER NOT NULL,"
  "  supersedes TEXT,"
  "  superseded_by TEXT,"
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER NOT NULL);"
  /* a seal looks up the finding that supersedes it, and an inspection its
   * findings: without these each scanned every finding HQ holds */
  "CREATE INDEX IF NOT EXISTS findings_supersedes ON findings (supersedes) WHERE supersedes IS NOT NULL;"
  "CREATE INDEX IF NOT EXISTS findings_inspection ON findings (inspection_id, sealed_at);"
  "CREATE TABLE IF NOT EXISTS finding_items ("
  "  finding_id TEXT NOT NULL,"
  "  code TEXT NOT NULL,"
  "  PRIMARY KEY (finding_id, code)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS finding_confirmations ("
  "  finding_id TEXT PRIMARY KEY,"
  "  status TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  title TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  witness TEXT NOT NULL,"
  "  signature_strokes TEXT,"
  "  confirmed_at INTEGER NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER NOT NULL) WITHOUT ROWID;"
  /* Way 2: the institution's key and signature over the record's SHA-256,
   * for the confirmation row of the same finding. */
  "CREATE TABLE IF NOT EXISTS finding_countersignatures ("
  "  finding_id TEXT PRIMARY KEY,"
  "  institution_key TEXT NOT NULL,"
  "  institution_signature TEXT NOT NULL) WITHOUT ROWID;";
static const char * const finding_tables[] = { "findings", "finding_items", "finding_confirmations",
                                               "finding_countersignatures", NULL };

static const char * const status_names[] = { "confirmed", "disputed", "refused" };

const char *
jc_finding_status_to_string (JcJc1Status status)
{
  return (guint) status < G_N_ELEMENTS (status_names) ? status_names[status] : NULL;
}

gboolean
jc_finding_status_from_string (const char *name, JcJc1Status *out_status)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (name, status_names[i]) == 0)
      {
        *out_status = (JcJc1Status) i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
hex_is_valid (const char *hex, gsize n_bytes)
{
  if (hex == NULL || strlen (hex) != n_bytes * 2)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static char *
sha256_hex (const char *text, guint8 out[32])
{
  char hex[65];

  jc_sha256 (out, (const guint8 *) text, strlen (text));
  sodium_bin2hex (hex, sizeof hex, out, 32);
  return g_strdup (hex);
}

static gboolean
set_db_error (JcDb *db, GError **error)
{
  g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_DATABASE,
               _("Findings database: %s"), jc_db_errmsg (db));
  return FALSE;
}

static void
add_strv (JsonBuilder *b, const char *member, const char * const *values)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

/* The elements of the array member @name, or NULL when it is not one. */
static JcJsonMembers *
record_array (const JcJsonMembers *record, const char *name)
{
  const JcJsonMember *m = jc_json_members_lookup (record, name);

  if (m == NULL || m->type != JC_JSON_MEMBER_OTHER || m->raw[0] != '[')
    return NULL;
  return jc_json_members_new (m->raw, m->raw_len);
}

/* An array of strings, or NULL when the member is not one. */
static GStrv
record_strv (const JcJsonMembers *record, const char *name)
{
  g_autoptr(JcJsonMembers) elements = record_array (record, name);
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();

  if (elements == NULL)
    return NULL;
  for (guint i = 0; i < jc_json_members_get_n (elements); i++)
    {
      const JcJsonMember *e = jc_json_members_get (elements, i);

      if (e->type != JC_JSON_MEMBER_STRING)
        return NULL;
      g_strv_builder_add (sb, e->string);
    }
  return g_strv_builder_end (sb);
}

/* The record -------------------------------------------------------------- */

void
jc_finding_free (JcFinding *f)
{
  if (f == NULL)
    return;
  g_free (f->id);
  g_free (f->inspection_id);
  g_free (f->institution_code);
  g_free (f->checklist);
  g_strfreev (f->items);
  g_strfreev (f->basis);
  g_free (f->facts);
  g_strfreev (f->evidence);
  g_free (f->signature_strokes);
  g_free (f->record);
  g_free (f->supersedes);
  g_free (f->superseded_by);
  g_free (f->confirm_name);
  g_free (f->confirm_title);
  g_free (f->confirm_reason);
  g_free (f->confirm_witness);
  g_free (f->confirm_strokes);
  g_free (f);
}

/* Parses a canonical record; @problem names the first bad member. It is
 * read through the index of its members, not a tree. */
static JcFinding *
finding_from_record (const char *record, const char **problem)
{
  g_autoptr(JcFinding) f = g_new0 (JcFinding, 1);
  g_autoptr(GStrvBuilder) items = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) basis = g_strv_builder_new ();
  g_autoptr(JcJsonMembers) members = NULL;
  g_autoptr(JcJsonMembers) item_list = NULL;
  g_autofree char *not_strict = NULL;
  gsize len = strlen (record);
  gint64 amount, sealed_at, version;

  /* strict, like the event body that carries it: it is sealed as text */
  *problem = "record";
  if (!jc_json_strict_check (record, len, NULL, NULL, &not_strict))
    return NULL;
  members = jc_json_members_new (record, len);
#define REQUIRE(cond, name) G_STMT_START { if (!(cond)) { *problem = name; return NULL; } } G_STMT_END
  REQUIRE (jc_json_members_get_int (members, "version", &version) && version == RECORD_VERSION, "version");
  f->id = g_strdup (jc_json_members_get_string (members, "id"));
  REQUIRE (hex_is_valid (f->id, JC_FINDING_ID_SIZE), "id");
  f->inspection_id = g_strdup (jc_json_members_get_string (members, "inspection"));
  REQUIRE (hex_is_valid (f->inspection_id, JC_INSPECTION_ID_SIZE), "inspection");
  f->institution_code = g_strdup (jc_json_members_get_string (members, "institution_code"));
  REQUIRE (f->institution_code != NULL, "institution_code");
  f->checklist = g_strdup (jc_json_members_get_string (members, "checklist"));
  REQUIRE (f->checklist != NULL, "checklist");
  f->facts = g_strdup (jc_json_members_get_string (members, "facts"));
  REQUIRE (f->facts != NULL, "facts");
  REQUIRE (jc_json_members_get_int (members, "amount_fen", &amount) && amount >= 0 &&
           (guint64) amount <= JC_AMOUNT_MAX_FEN, "amount_fen");
  f->amount_fen = (guint64) amount;
  REQUIRE (jc_json_members_get_int (members, "sealed_at", &sealed_at) && sealed_at >= 0, "sealed_at");
  f->sealed_at = sealed_at;
  f->evidence = record_strv (members, "evidence");
  REQUIRE (f->evidence != NULL, "evidence");
  if (jc_json_members_lookup (members, "supersedes") != NULL)
    {
      f->supersedes = g_strdup (jc_json_members_get_string (members, "supersedes"));
      REQUIRE (hex_is_valid (f->supersedes, JC_FINDING_ID_SIZE), "supersedes");
    }
  if (jc_json_members_lookup (members, "signature_strokes") != NULL)
    {
      f->signature_strokes = g_strdup (jc_json_members_get_string (members, "signature_strokes"));
      REQUIRE (hex_is_valid (f->signature_strokes, 32), "signature_strokes");
    }
  item_list = record_array (members, "items");
  REQUIRE (item_list != NULL && jc_json_members_get_n (item_list) > 0, "items");
  for (guint i = 0; i < jc_json_members_get_n (item_list); i++)
    {
      const JcJsonMember *e = jc_json_members_get (item_list, i);
      g_autoptr(JcJsonMembers) item = NULL;
      const char *code, *why;

      if (e->type == JC_JSON_MEMBER_OTHER && e->raw[0] == '{')
        item = jc_json_members_new (e->raw, e->raw_len);
      code = jc_json_members_get_string (item, "code");
      why = jc_json_members_get_string (item, "basis");
      REQUIRE (code != NULL && why != NULL, "items");
      g_strv_builder_add (items, code);
      g_strv_builder_add (basis, why);
    }
#undef REQUIRE
  f->items = g_strv_builder_end (items);
  f->basis = g_strv_builder_end (basis);
  f->record = g_strdup (record);
  jc_sha256 (f->record_sha256, (const guint8 *) record, len);
  *problem = NULL;
  return g_steal_pointer (&f);
}

/* Projections ------------------------------------------------------------- */

static gboolean
refuse (const JcEvent *event, const char *field, GError **error)
{
  g_autofree char *seq = g_strdup_printf ("%" PRIu64, jc_event_get_seq (event));

  g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION,
               _("Event %s of device %s (%s): the field “%s” is missing or invalid"),
               seq, jc_event_get_device_id_hex (event), jc_event_get_kind (event), field);
  return FALSE;
}

static gboolean
exec_bound (JcDb *db, const char *sql, const char * const *texts, guint n, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc = jc_db_prepare (db, sql, -1, &stmt, NULL);

  for (guint i = 0; rc == JC_DB_OK && i < n; i++)
    if (texts[i] != NULL)
      jc_db_bind_text (stmt, (int) i + 1, texts[i], -1, JC_DB_TRANSIENT);
  if (rc == JC_DB_OK)
    rc = jc_db_step (stmt);
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      jc_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_seal (JcDb *db, const JcEvent *event, GError **error)
{
  const char *record = jc_event_get_body_string (event, "record");
  const char *sha = jc_event_get_body_string (event, "sha256");
  g_autoptr(JcFinding) f = NULL;
  g_autofree char *computed = NULL;
  const char *problem = NULL;
  guint8 digest[32];
  JcDbStmt *stmt = NULL;
  int rc;

  if (record == NULL || (f = finding_from_record (record, &problem)) == NULL)
    return refuse (event, problem ? problem : "record", error);
  computed = sha256_hex (record, digest);
  if (g_strcmp0 (sha, computed) != 0)
    return refuse (event, "sha256", error);
  if (g_str_equal (jc_event_get_kind (event), "finding.amend") != (f->supersedes != NULL))
    return refuse (event, "supersedes", error);

  rc = jc_db_prepare (db,
                      "INSERT INTO findings (id, inspection_id, record, sha256, sealed_at, amount_fen, "
                      "supersedes, superseded_by, device_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, "
                      "(SELECT id FROM findings WHERE supersedes = ?1), ?, ?) ON CONFLICT DO NOTHING", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, f->id, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 2, f->inspection_id, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 3, record, -1, JC_DB_STATIC);  /* the event's: it outlives the step */
      jc_db_bind_text (stmt, 4, computed, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 5, f->sealed_at);
      jc_db_bind_int64 (stmt, 6, (gint64) f->amount_fen);
      if (f->supersedes != NULL)
        jc_db_bind_text (stmt, 7, f->supersedes, -1, JC_DB_TRANSIENT);
    }
  if (!jc_eventlog_step_with_origin (db, stmt, event, 8, error))
    return FALSE;
  for (guint i = 0; f->items[i] != NULL; i++)
    {
      const char *args[] = { f->id, f->items[i] };

      if (!exec_bound (db, "INSERT INTO finding_items (finding_id, code) VALUES (?, ?) ON CONFLICT DO NOTHING", args, 2, error))
        return FALSE;
    }
  /* Events may arrive in any order (sync): the old finding may come later,
   * and then the INSERT above marks it. */
  if (f->supersedes != NULL)
    {
      const char *args[] = { f->id, f->supersedes };

      if (!exec_bound (db, "UPDATE findings SET superseded_by = ? WHERE id = ?", args, 2, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_confirm (JcDb *db, const JcEvent *event, GError **error)
{
  static const char * const optional[] = { "title", "reason", "witness" };
  const char *id = jc_event_get_body_string (event, "finding");
  const char *status = jc_event_get_body_string (event, "status");
  const char *name = jc_event_get_body_string (event, "name");
  const char *strokes = jc_event_get_body_string (event, "signature_strokes");
  const char *ikey = jc_event_get_body_string (event, "institution_key");
  const char *isig = jc_event_get_body_string (event, "institution_signature");
  const char *values[G_N_ELEMENTS (optional)];
  JcJc1Status st;
  JcDbStmt *stmt = NULL;
  int rc;

  if (!hex_is_valid (id, JC_FINDING_ID_SIZE))
    return refuse (event, "finding", error);
  if (!jc_finding_status_from_string (status, &st))
    return refuse (event, "status", error);
  if (name == NULL)
    return refuse (event, "name", error);
  if (jc_event_has_body_member (event, "signature_strokes") && !hex_is_valid (strokes, 32))
    return refuse (event, "signature_strokes", error);
  if (jc_event_has_body_member (event, "institution_key") && !hex_is_valid (ikey, 32))
    return refuse (event, "institution_key", error);
  if ((ikey != NULL) != jc_event_has_body_member (event, "institution_signature") ||
      (ikey != NULL && !hex_is_valid (isig, 64)))
    return refuse (event, "institution_signature", error);
  for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
    {
      values[i] = jc_event_has_body_member (event, optional[i]) ? jc_event_get_body_string (event, optional[i]) : "";
      if (values[i] == NULL)
        return refuse (event, optional[i], error);
    }

  /* The first answer stands; a later one from another device is in the log. */
  rc = jc_db_prepare (db,
                      "INSERT INTO finding_confirmations (finding_id, status, name, title, reason, "
                      "witness, signature_strokes, confirmed_at, device_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT DO NOTHING",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, id, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 2, status, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 3, name, -1, JC_DB_TRANSIENT);
      for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
        jc_db_bind_text (stmt, (int) i + 4, values[i], -1, JC_DB_TRANSIENT);
      if (strokes != NULL)
        jc_db_bind_text (stmt, 7, strokes, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 8, jc_event_get_wall_time (event));
    }
  if (!jc_eventlog_step_with_origin (db, stmt, event, 9, error))
    return FALSE;
  /* Only with the answer that stands. */
  if (ikey != NULL && jc_db_changes (db) > 0)
    {
      const char *args[] = { id, ikey, isig };

      return exec_bound (db, "INSERT INTO finding_countersignatures (finding_id, institution_key, "
                             "institution_signature) VALUES (?1, ?2, ?3) ON CONFLICT (finding_id) DO UPDATE "
                             "SET institution_key = ?2, institution_signature = ?3", args, 3, error);
    }
  return TRUE;
}

static gboolean
finding_apply (JcDb *db, const JcEvent *event, gpointer user_data, GError **error)
{
  const char *kind = jc_event_get_kind (event);

  if (g_str_equal (kind, "finding.seal") || g_str_equal (kind, "finding.amend"))
    return apply_seal (db, event, error);
  if (g_str_equal (kind, "finding.confirm"))
    return apply_confirm (db, event, error);
  return TRUE;  /* a kind of a later version: the log keeps it */
}

gboolean
jc_finding_register_projections (JcEventlog *log,
                                 GError    **error)
{
  return jc_eventlog_add_projection (log, "findings", "finding.", finding_schema, finding_tables,
                                     finding_apply, NULL, NULL, error);
}

/* Read -------------------------------------------------------------------- */

static gboolean
fill_confirmation (JcDb *db, JcFinding *f, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc = jc_db_prepare (db, "SELECT status, name, title, reason, witness, signature_strokes "
                                   "FROM finding_confirmations WHERE finding_id = ?", -1, &stmt, NULL);

  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, f->id, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
    }
  if (rc == JC_DB_ROW &&
      jc_finding_status_from_string ((const char *) jc_db_column_text (stmt, 0), &f->confirm_status))
    {
      f->confirmed = TRUE;
      f->confirm_name = g_strdup ((const char *) jc_db_column_text (stmt, 1));
      f->confirm_title = g_strdup ((const char *) jc_db_column_text (stmt, 2));
      f->confirm_reason = g_strdup ((const char *) jc_db_column_text (stmt, 3));
      f->confirm_witness = g_strdup ((const char *) jc_db_column_text (stmt, 4));
      f->confirm_strokes = g_strdup ((const char *) jc_db_column_text (stmt, 5));
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return set_db_error (db, error);
  if (!f->confirmed)
    return TRUE;

  stmt = NULL;
  rc = jc_db_prepare (db, "SELECT institution_key, institution_signature FROM finding_countersignatures "
                               "WHERE finding_id = ?", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, f->id, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
    }
  if (rc == JC_DB_ROW)
    {
      const char *k = (const char *) jc_db_column_text (stmt, 0);
      const char *g = (const char *) jc_db_column_text (stmt, 1);

      f->confirm_countersigned =
        sodium_hex2bin (f->confirm_institution_key, 32, k, strlen (k), NULL, NULL, NULL) == 0 &&
        sodium_hex2bin (f->confirm_institution_signature, 64, g, strlen (g), NULL, NULL, NULL) == 0;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return set_db_error (db, error);
  return TRUE;
}

static JcFinding *
finding_from_row (JcDb *db, JcDbStmt *stmt, GError **error)
{
  const char *record = (const char *) jc_db_column_text (stmt, 0);
  const char *problem = NULL;
  g_autoptr(JcFinding) f = finding_from_record (record, &problem);

  if (f == NULL)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_DATABASE,
                   _("Findings database: a stored record has a bad field “%s”"), problem);
      return NULL;
    }
  f->superseded_by = g_strdup ((const char *) jc_db_column_text (stmt, 1));
  if (!fill_confirmation (db, f, error))
    return NULL;
  return g_steal_pointer (&f);
}

JcFinding *
jc_finding_get (JcVault    *vault,
                const char *finding_id,
                GError    **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  JcDbStmt *stmt = NULL;
  JcFinding *f = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  if (!hex_is_valid (finding_id, JC_FINDING_ID_SIZE))
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND,
                   _("“%s” is not a finding id (32 lowercase hex digits)"), finding_id ? finding_id : "");
      return NULL;
    }
  rc = jc_db_prepare (db, "SELECT record, superseded_by FROM findings WHERE id = ?", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, finding_id, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
    }
  if (rc == JC_DB_ROW)
    f = finding_from_row (db, stmt, error);
  else if (rc == JC_DB_DONE)
    g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND,
                 _("There is no finding %s in this vault"), finding_id);
  else
    set_db_error (db, error);
  jc_db_finalize (stmt);
  return f;
}

GPtrArray *
jc_finding_list (JcVault    *vault,
                 const char *inspection_id,
                 GError    **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_finding_free);
  JcDbStmt *stmt = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  rc = jc_db_prepare (db, "SELECT record, superseded_by FROM findings WHERE inspection_id = ? "
                               "ORDER BY sealed_at, rowid", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    jc_db_bind_text (stmt, 1, inspection_id ? inspection_id : "", -1, JC_DB_TRANSIENT);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      JcFinding *f = finding_from_row (db, stmt, error);

      if (f == NULL)
        {
          jc_db_finalize (stmt);
          return NULL;
        }
      g_ptr_array_add (list, f);
      rc = JC_DB_OK;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      set_db_error (db, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

/* Write ------------------------------------------------------------------- */

/* Item code → the id of the live (not superseded) finding holding it,
 * leaving out @except (the finding an amendment replaces). */
static GHashTable *
taken_items (JcDb *db, const char *inspection_id, const char *except, GError **error)
{
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JcDbStmt *stmt = NULL;
  int rc = jc_db_prepare (db, "SELECT fi.code, f.id FROM finding_items fi JOIN findings f ON f.id = fi.finding_id "
                                   "WHERE f.inspection_id = ? AND f.superseded_by IS NULL AND f.id IS NOT ?",
                          -1, &stmt, NULL);

  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, inspection_id, -1, JC_DB_TRANSIENT);
      if (except != NULL)
        jc_db_bind_text (stmt, 2, except, -1, JC_DB_TRANSIENT);
    }
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      g_hash_table_insert (taken, g_strdup ((const char *) jc_db_column_text (stmt, 0)),
                           g_strdup ((const char *) jc_db_column_text (stmt, 1)));
      rc = JC_DB_OK;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      set_db_error (db, error);
      return NULL;
    }
  return g_steal_pointer (&taken);
}

static char *
strip_dup (const char *s)
{
  return s != NULL ? g_strstrip (g_strdup (s)) : NULL;
}

/* Checks @c before anything is recorded. */
static gboolean
check_confirmation (JcDb *db, const JcFindingConfirmation *c, GError **error)
{
  g_autofree char *name = strip_dup (c->name);
  g_autofree char *reason = strip_dup (c->reason);
  g_autofree char *witness = strip_dup (c->witness);
  const char *texts[] = { c->name, c->title, c->reason, c->witness };
  JcDbStmt *stmt = NULL;
  int rc;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i] != NULL && !g_utf8_validate (texts[i], -1, NULL))
      {
        g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID,
                     _("The confirmation has text that is not valid UTF-8"));
        return FALSE;
      }
  switch (c->status)
    {
    case JC_JC1_STATUS_CONFIRMED:
    case JC_JC1_STATUS_DISPUTED:
      if (name == NULL || *name == '\0')
        {
          g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID,
                       _("The institution’s representative’s name is empty"));
          return FALSE;
        }
      if (c->status == JC_JC1_STATUS_DISPUTED && (reason == NULL || *reason == '\0'))
        {
          g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID,
                       _("A dispute needs a reason"));
          return FALSE;
        }
      break;
    case JC_JC1_STATUS_REFUSED:
      if (witness == NULL || *witness == '\0')
        {
          g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID,
                       _("A refusal to sign needs a witness’s name"));
          return FALSE;
        }
      break;
    default:
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID,
                   _("The confirmation status is not one of confirmed, disputed, refused"));
      return FALSE;
    }
  if ((c->institution_key != NULL) != (c->institution_signature != NULL) ||
      (c->institution_key != NULL) != (c->acknowledgment != NULL))
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID,
                   _("The institution’s key, its signature and its acknowledgment go together"));
      return FALSE;
    }
  if (c->signature_strokes == NULL)
    return TRUE;
  rc = hex_is_valid (c->signature_strokes, 32)
       ? jc_db_prepare (db, "SELECT 1 FROM evidence WHERE sha256 = ?", -1, &stmt, NULL) : JC_DB_OK;
  if (stmt != NULL)
    {
      jc_db_bind_text (stmt, 1, c->signature_strokes, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  if (rc == JC_DB_ROW)
    return TRUE;
  if (rc == JC_DB_DONE || rc == JC_DB_OK)
    g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND,
                 _("The signature strokes %s are not evidence in this vault (add the file first)"),
                 c->signature_strokes);
  else
    set_db_error (db, error);
  return FALSE;
}

static gboolean
record_confirmation (JcVault *vault, const char *finding_id, const JcFindingConfirmation *c, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *name = strip_dup (c->name);
  g_autofree char *title = strip_dup (c->title);
  g_autofree char *reason = strip_dup (c->reason);
  g_autofree char *witness = strip_dup (c->witness);
  g_autofree char *body = NULL;

  json_builder_begin_object (b);
  if (c->acknowledgment != NULL)
    jc_json_builder_add_string (b, "acknowledgment", c->acknowledgment);
  jc_json_builder_add_string (b, "finding", finding_id);
  if (c->institution_key != NULL)
    {
      char key_hex[65], sig_hex[129];

      sodium_bin2hex (key_hex, sizeof key_hex, c->institution_key, 32);
      sodium_bin2hex (sig_hex, sizeof sig_hex, c->institution_signature, 64);
      jc_json_builder_add_string (b, "institution_key", key_hex);
      jc_json_builder_add_string (b, "institution_signature", sig_hex);
    }
  jc_json_builder_add_string (b, "name", name ? name : "");
  if (reason != NULL && *reason != '\0')
    jc_json_builder_add_string (b, "reason", reason);
  if (c->signature_strokes != NULL)
    jc_json_builder_add_string (b, "signature_strokes", c->signature_strokes);
  jc_json_builder_add_string (b, "status", jc_finding_status_to_string (c->status));
  if (title != NULL && *title != '\0')
    jc_json_builder_add_string (b, "title", title);
  if (witness != NULL && *witness != '\0')
    jc_json_builder_add_string (b, "witness", witness);
  json_builder_end_object (b);
  body = jc_json_builder_to_string (b);
  return jc_vault_record (vault, "finding.confirm", body, NULL, error);
}

/* Seals a finding of @inspection_id (a new one, or an amendment of
 * @supersedes) after checking every item; returns its id. */
static char *
seal (JcVault             *vault,
      JcChecklistRegistry *registry,
      const char          *inspection_id,
      const char * const  *codes,
      const char          *facts,
      gboolean             has_amount,
      guint64              amount_fen,
      const char          *supersedes,
      const char          *strokes,
      GError             **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GHashTable) taken = NULL;
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) evidence = g_ptr_array_new ();
  g_autoptr(GHashTable) seen_evidence = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *record = NULL, *sha = NULL, *body = NULL;
  guint64 sum = 0;
  guint8 raw[JC_FINDING_ID_SIZE], digest[32];
  char id[JC_FINDING_ID_SIZE * 2 + 1];

  if (db == NULL || (in = jc_inspection_get (vault, registry, inspection_id, error)) == NULL ||
      (results = jc_inspection_get_results (vault, registry, inspection_id, NULL, 0, error)) == NULL ||
      (taken = taken_items (db, inspection_id, supersedes, error)) == NULL)
    return NULL;

  if (codes != NULL)
    {
      for (guint i = 0; codes[i] != NULL; i++)
        {
          JcItemResult *r = NULL;
          const char *holder;

          for (guint k = 0; k < results->len && r == NULL; k++)
            if (g_str_equal (((JcItemResult *) results->pdata[k])->item->code, codes[i]))
              r = results->pdata[k];
          if (r == NULL)
            {
              g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_FOUND,
                           _("Checklist %s of inspection %s has no item “%s”"), in->checklist, in->id, codes[i]);
              return NULL;
            }
          if (r->status != JC_ITEM_STATUS_VIOLATION)
            {
              g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NOT_VIOLATION,
                           _("Item %s of inspection %s is not marked a violation (it is “%s”)"),
                           codes[i], in->id, jc_item_status_get_label (r->status));
              return NULL;
            }
          if ((holder = g_hash_table_lookup (taken, codes[i])) != NULL)
            {
              g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY,
                           _("Item %s is already in finding %s (amend that finding instead)"), codes[i], holder);
              return NULL;
            }
          g_hash_table_add (wanted, (gpointer) codes[i]);
        }
    }
  /* Checklist order whatever order the codes were given in. */
  for (guint k = 0; k < results->len; k++)
    {
      JcItemResult *r = results->pdata[k];

      if (codes != NULL ? g_hash_table_contains (wanted, r->item->code)
                        : (r->status == JC_ITEM_STATUS_VIOLATION && !g_hash_table_contains (taken, r->item->code)))
        g_ptr_array_add (chosen, r);
    }
  if (chosen->len == 0)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_NO_VIOLATIONS,
                   _("Inspection %s has no violation that is not already in a finding"), in->id);
      return NULL;
    }

  for (guint k = 0; k < chosen->len; k++)
    {
      JcItemResult *r = chosen->pdata[k];

      sum += r->has_amount ? r->amount_fen : 0;
      if (*r->note != '\0')
        g_string_append_printf (notes, "%s%s", notes->len ? "\n" : "", r->note);
      for (guint e = 0; r->evidence[e] != NULL; e++)
        if (g_hash_table_add (seen_evidence, r->evidence[e]))
          g_ptr_array_add (evidence, r->evidence[e]);
    }
  g_ptr_array_add (evidence, NULL);
  if (!has_amount)
    amount_fen = sum;
  if (amount_fen > JC_AMOUNT_MAX_FEN)
    {
      g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_OVERFLOW,
                   _("The finding’s amount is too large (at most %s yuan)"), "9999999999999.99");
      return NULL;
    }
  if (facts == NULL)
    facts = notes->str;
  if (!g_utf8_validate (facts, -1, NULL))
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID, _("The facts are not valid UTF-8 text"));
      return NULL;
    }

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (id, sizeof id, raw, sizeof raw);

  /* The canonical record: members in byte order, see jc-finding.h. */
  json_builder_begin_object (b);
  jc_json_builder_add_int (b, "amount_fen", (gint64) amount_fen);
  jc_json_builder_add_string (b, "checklist", in->checklist);
  add_strv (b, "evidence", (const char * const *) evidence->pdata);
  jc_json_builder_add_string (b, "facts", facts);
  jc_json_builder_add_string (b, "id", id);
  jc_json_builder_add_string (b, "inspection", in->id);
  jc_json_builder_add_string (b, "institution_code", in->institution_code);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint k = 0; k < chosen->len; k++)
    {
      JcItemResult *r = chosen->pdata[k];

      json_builder_begin_object (b);
      if (r->has_amount)
        jc_json_builder_add_int (b, "amount_fen", (gint64) r->amount_fen);
      jc_json_builder_add_string (b, "basis", r->item->text);
      jc_json_builder_add_string (b, "code", r->item->code);
      add_strv (b, "evidence", (const char * const *) r->evidence);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  jc_json_builder_add_int (b, "sealed_at", g_get_real_time () / G_USEC_PER_SEC);
  if (strokes != NULL)
    jc_json_builder_add_string (b, "signature_strokes", strokes);
  if (supersedes != NULL)
    jc_json_builder_add_string (b, "supersedes", supersedes);
  jc_json_builder_add_int (b, "version", RECORD_VERSION);
  json_builder_end_object (b);
  record = jc_json_builder_to_string (b);
  sha = sha256_hex (record, digest);

  g_clear_object (&b);
  b = json_builder_new ();
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "record", record);
  jc_json_builder_add_string (b, "sha256", sha);
  json_builder_end_object (b);
  body = jc_json_builder_to_string (b);
  if (!jc_vault_record (vault, supersedes ? "finding.amend" : "finding.seal", body, NULL, error))
    return NULL;
  return g_strdup (id);
}

char *
jc_finding_seal (JcVault                     *vault,
                 JcChecklistRegistry         *registry,
                 const JcFindingSpec         *spec,
                 const JcFindingConfirmation *confirmation,
                 GError                     **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autofree char *id = NULL;

  if (db == NULL || (confirmation != NULL && !check_confirmation (db, confirmation, error)))
    return NULL;
  id = seal (vault, registry, spec->inspection_id, spec->items, spec->facts, spec->has_amount, spec->amount_fen,
             NULL, confirmation ? confirmation->signature_strokes : NULL, error);
  if (id == NULL || (confirmation != NULL && !record_confirmation (vault, id, confirmation, error)))
    return NULL;
  return g_steal_pointer (&id);
}

gboolean
jc_finding_confirm (JcVault                     *vault,
                    const char                  *finding_id,
                    const JcFindingConfirmation *confirmation,
                    GError                     **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autoptr(JcFinding) f = NULL;

  if (db == NULL || (f = jc_finding_get (vault, finding_id, error)) == NULL)
    return FALSE;
  if (f->superseded_by != NULL)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY,
                   _("Finding %s is superseded by %s: confirm that one"), f->id, f->superseded_by);
      return FALSE;
    }
  if (f->confirmed)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY,
                   _("Finding %s already has the institution’s answer (%s)"), f->id,
                   jc_finding_status_to_string (f->confirm_status));
      return FALSE;
    }
  if (!check_confirmation (db, confirmation, error))
    return FALSE;
  if (confirmation->institution_signature != NULL &&
      crypto_sign_verify_detached (confirmation->institution_signature, f->record_sha256, 32,
                                   confirmation->institution_key) != 0)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_INVALID,
                   _("The institution’s signature does not verify over the record of finding %s"), f->id);
      return FALSE;
    }
  return record_confirmation (vault, f->id, confirmation, error);
}

char *
jc_finding_acknowledge (JcVault     *vault,
                        const char  *finding_code,
                        JcJc1Status  status,
                        const char  *name,
                        const char  *title,
                        const char  *reason,
                        GError     **error)
{
  g_autoptr(JcJc1Claims) claims = jc_finding_verify_code (vault, finding_code, NULL, error);
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *ack = NULL, *body = NULL, *fid = NULL;

  if (claims == NULL ||
      (ack = jc_ack_make (claims, status, name, title, reason,
                          jc_device_get_secret_key (jc_vault_get_device (vault)), error)) == NULL)
    return NULL;
  fid = jc_jc1_hex (claims->finding_id, JC_FINDING_ID_SIZE);
  b = json_builder_new ();
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "acknowledgment", ack);
  jc_json_builder_add_string (b, "finding", fid);
  jc_json_builder_add_string (b, "finding_code", finding_code);
  json_builder_end_object (b);
  body = jc_json_builder_to_string (b);
  if (!jc_vault_record (vault, "finding.acknowledge", body, NULL, error))
    return NULL;
  return g_steal_pointer (&ack);
}

gboolean
jc_finding_record_ack (JcVault     *vault,
                       const char  *finding_id,
                       const char  *ack_text,
                       char       **out_finding_id,
                       GError     **error)
{
  g_autoptr(JcAck) ack = jc_ack_decode_verify (ack_text, error);
  g_autoptr(JcFinding) f = NULL;
  g_autofree char *ack_finding = NULL;
  guint8 raw_id[JC_FINDING_ID_SIZE];
  JcFindingConfirmation c = { 0 };

  if (ack == NULL)
    return FALSE;
  ack_finding = jc_jc1_hex (ack->finding_id, JC_FINDING_ID_SIZE);
  if (finding_id == NULL)
    finding_id = ack_finding;
  if ((f = jc_finding_get (vault, finding_id, error)) == NULL)
    return FALSE;
  sodium_hex2bin (raw_id, sizeof raw_id, f->id, strlen (f->id), NULL, NULL, NULL);
  if (!jc_ack_check_matches (ack, raw_id, f->record_sha256, error))
    return FALSE;
  if (g_strcmp0 (ack->institution_code, f->institution_code) != 0)
    {
      g_set_error (error, JC_ACK_ERROR, JC_ACK_ERROR_MISMATCH,
                   _("This acknowledgment names institution %s, but finding %s is of institution %s"),
                   ack->institution_code, f->id, f->institution_code);
      return FALSE;
    }
  c.status = ack->status;
  c.name = ack->name;
  c.title = ack->title;
  c.reason = ack->reason;
  c.institution_key = ack->institution_key;
  c.institution_signature = ack->institution_signature;
  c.acknowledgment = ack_text;
  if (!jc_finding_confirm (vault, f->id, &c, error))
    return FALSE;
  if (out_finding_id != NULL)
    *out_finding_id = g_strdup (f->id);
  return TRUE;
}

char *
jc_finding_amend (JcVault             *vault,
                  JcChecklistRegistry *registry,
                  const char          *finding_id,
                  const char * const  *items,
                  const char          *facts,
                  GError             **error)
{
  g_autoptr(JcFinding) old = jc_finding_get (vault, finding_id, error);

  if (old == NULL)
    return NULL;
  if (old->superseded_by != NULL)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_ALREADY,
                   _("Finding %s is already superseded by %s: amend that one"), old->id, old->superseded_by);
      return NULL;
    }
  return seal (vault, registry, old->inspection_id, items ? items : (const char * const *) old->items,
               facts ? facts : old->facts, FALSE, 0, old->id, NULL, error);
}

/* JC1 --------------------------------------------------------------------- */

JcJc1Claims *
jc_finding_to_claims (JcVault         *vault,
                      const JcFinding *f,
                      GError         **error)
{
  g_autoptr(JcJc1Claims) claims = jc_jc1_claims_new ();
  JcDevice *device;

  if (jc_vault_get_db (vault, error) == NULL)
    return NULL;
  device = jc_vault_get_device (vault);
  if (sodium_hex2bin (claims->finding_id, sizeof claims->finding_id, f->id, strlen (f->id),
                      NULL, NULL, NULL) != 0 ||
      sodium_hex2bin (claims->inspection_id, sizeof claims->inspection_id, f->inspection_id,
                      strlen (f->inspection_id), NULL, NULL, NULL) != 0)
    {
      g_set_error (error, JC_FINDING_ERROR, JC_FINDING_ERROR_DATABASE,
                   _("Finding %s: a stored id is not hex"), f->id);
      return NULL;
    }
  claims->institution_code = g_strdup (f->institution_code);
  claims->checklist = g_strdup (f->checklist);
  g_strfreev (claims->item_codes);
  claims->item_codes = g_strdupv (f->items);
  claims->amount_fen = f->amount_fen;
  claims->sealed_at = (guint64) f->sealed_at;
  memcpy (claims->record_sha256, f->record_sha256, 32);
  memcpy (claims->signer_key, jc_device_get_public_key (device), 32);
  if (f->confirmed)
    {
      claims->has_confirmation = TRUE;
      claims->confirmation.status = f->confirm_status;
      claims->confirmation.name = g_strdup (f->confirm_name && *f->confirm_name ? f->confirm_name
                                                                               : f->confirm_witness);
      if (f->confirm_countersigned)
        {
          claims->confirmation.has_institution_key = TRUE;
          claims->confirmation.has_institution_signature = TRUE;
          memcpy (claims->confirmation.institution_key, f->confirm_institution_key, 32);
          memcpy (claims->confirmation.institution_signature, f->confirm_institution_signature, 64);
        }
    }
  return g_steal_pointer (&claims);
}

gboolean
jc_finding_to_jc1 (JcVault    *vault,
                   const char *finding_id,
                   char      **out_text,
                   GError    **error)
{
  g_autoptr(JcFinding) f = jc_finding_get (vault, finding_id, error);
  g_autoptr(JcJc1Claims) claims = NULL;

  if (f == NULL || (claims = jc_finding_to_claims (vault, f, error)) == NULL)
    return FALSE;
  return jc_jc1_encode (claims, jc_device_get_secret_key (jc_vault_get_device (vault)), out_text, error);
}

char *
jc_finding_describe_claims (const JcJc1Claims   *c,
                            JcChecklistRegistry *registry)
{
  GString *s = g_string_new (NULL);
  JcChecklist *list = NULL;
  g_autofree char *amount = jc_amount_format_yuan (c->amount_fen);
  g_autofree char *sealed = jc_jc1_format_local_time (c->sealed_at);
  g_autofree char *fid = jc_jc1_hex (c->finding_id, JC_FINDING_ID_SIZE);
  g_autofree char *signer = jc_jc1_hex (c->signer_key, 8);
  guint n = c->item_codes ? g_strv_length (c->item_codes) : 0;

  if (registry == NULL)
    registry = jc_inspection_get_default_registry (NULL);
  if (registry != NULL)
    list = jc_checklist_registry_lookup (registry, c->checklist, NULL);

  g_string_append_printf (s, _("Institution: %s\n"), c->institution_code);
  if (list != NULL)
    g_string_append_printf (s, _("Checklist: %s (%s)\n"), jc_checklist_get_title (list), c->checklist);
  else
    g_string_append_printf (s, _("Checklist: %s (not among the lists this device knows)\n"), c->checklist);
  g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%u item:\n", "%u items:\n", n), n);
  for (guint i = 0; i < n; i++)
    {
      const JcChecklistItem *item = list ? jc_checklist_lookup (list, c->item_codes[i]) : NULL;

      if (item != NULL)
        g_string_append_printf (s, "  %s %s\n", c->item_codes[i], item->text);
      else
        g_string_append_printf (s, _("  %s (not in this checklist)\n"), c->item_codes[i]);
    }
  g_string_append_printf (s, _("Amount involved: %s yuan\n"), amount);
  g_string_append_printf (s, _("Sealed at: %s\n"), sealed);
  g_string_append_printf (s, _("Finding: %s\n"), fid);
  if (c->has_certificate)
    {
      g_autofree char *dev = jc_jc1_hex (c->certificate.device_id, 16);

      g_string_append_printf (s, _("Signed by: device %s (key %s…), enrolled with HQ\n"), dev, signer);
    }
  else
    g_string_append_printf (s, _("Signed by: key %s… (device not enrolled with HQ)\n"), signer);
  if (c->has_confirmation)
    {
      g_string_append_printf (s, _("Answer: %s by %s"), jc_jc1_status_to_string (c->confirmation.status),
                              c->confirmation.name);
      if (c->confirmation.has_institution_signature)
        g_string_append (s, _(", countersigned with the institution’s key"));
      g_string_append_c (s, '\n');
    }
  else
    g_string_append (s, _("Answer: none yet\n"));
  return g_string_free (s, FALSE);
}

JcJc1Claims *
jc_finding_verify_code (JcVault     *vault,
                        const char  *text,
                        gboolean    *out_hq_checked,
                        GError     **error)
{
  guint8 hq_pk[32];
  gboolean pinned = vault != NULL && jc_vault_get_enrollment (vault, NULL, hq_pk, NULL);
  JcJc1Claims *claims = NULL;

  if (!jc_jc1_decode_verify (text, pinned ? hq_pk : NULL, &claims, error))
    return NULL;
  if (out_hq_checked != NULL)
    *out_hq_checked = pinned;
  return claims;
}

char *
jc_finding_describe_code (JcVault             *vault,
                          JcChecklistRegistry *registry,
                          const char          *text,
                          GError             **error)
{
  g_autoptr(JcJc1Claims) claims = NULL;
  g_autofree char *words = NULL;
  gboolean hq_checked = FALSE;

  if (g_str_has_prefix (text, JC_ACK_PREFIX))
    {
      g_autoptr(JcAck) ack = jc_ack_decode_verify (text, error);

      if (ack == NULL)
        return NULL;
      words = jc_ack_describe (ack);
      return g_strdup_printf ("%s\n%s", _("Valid: an acknowledgment signed by the institution’s key"), words);
    }
  if ((claims = jc_finding_verify_code (vault, text, &hq_checked, error)) == NULL)
    return NULL;
  words = jc_finding_describe_claims (claims, registry);
  return g_strdup_printf ("%s\n%s",
                          hq_checked ? _("Valid: the inspector’s signature and HQ certificate verify")
                                     : _("Valid: the inspector’s signature verifies (no HQ key on this device: "
                                         "the certificate is not checked)"),
                          words);
}

/* jc-inspection.c — an on-site inspection and its item results, as events */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "jc-amount.h"
#include "jc-inspection.h"
#include "jc-json.h"
#include "jc-vfs.h"

G_DEFINE_QUARK (jc-inspection-error-quark, jc_inspection_error)

/* One row per inspection; one per item ever set (the latest wins); one
 * per evidence link. Keys are the ASCII ids of the events. */
static const char inspection_schema[] =
  "CREATE TABLE IF NOT EXISTS inspections ("
  "  id TEXT PRIMARY KEY,"
  "  institution_code TEXT NOT NULL,"
  "  institution_name TEXT NOT NULL,"
  "  institution_type TEXT NOT NULL,"
  "  institution_level INTEGER NOT NULL,"
  "  form TEXT NOT NULL,"
  "  team TEXT NOT NULL,"
  "  date TEXT NOT NULL,"
  "  checklist TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS item_results ("
  "  inspection_id TEXT NOT NULL,"
  "  code TEXT NOT NULL,"
  "  status TEXT NOT NULL,"
  "  note TEXT NOT NULL,"
  "  amount_fen INTEGER,"
  "  cases INTEGER,"
  "  updated_at INTEGER NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER NOT NULL,"
  "  PRIMARY KEY (inspection_id, code)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS item_evidence ("
  "  inspection_id TEXT NOT NULL,"
  "  code TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  added_at INTEGER NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  seq INTEGER NOT NULL,"
  "  PRIMARY KEY (inspection_id, code, sha256)) WITHOUT ROWID;";
static const char * const inspection_tables[] = { "inspections", "item_results", "item_evidence", NULL };

static const char * const form_names[] = { "daily", "special", "cross", "flight", "self" };
static const char * const status_names[] = { "unchecked", "compliant", "violation", "na" };

const char *
jc_inspection_form_to_string (JcInspectionForm form)
{
  return (guint) form < G_N_ELEMENTS (form_names) ? form_names[form] : NULL;
}

/* The index of @name in @names: the stable ASCII ids stored in events. */
static gboolean
name_index (const char * const *names, guint n_names, const char *name, guint *out_index)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *out_index = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
jc_inspection_form_from_string (const char *name, JcInspectionForm *out_form)
{
  guint i;

  if (!name_index (form_names, G_N_ELEMENTS (form_names), name, &i))
    return FALSE;
  *out_form = (JcInspectionForm) i;
  return TRUE;
}

const char *
jc_inspection_form_get_label (JcInspectionForm form)
{
  switch (form)
    {
    case JC_INSPECTION_FORM_DAILY:   return _("Routine inspection");
    case JC_INSPECTION_FORM_SPECIAL: return _("Special inspection");
    case JC_INSPECTION_FORM_CROSS:   return _("Cross inspection");
    case JC_INSPECTION_FORM_FLIGHT:  return _("Unannounced (flight) inspection");
    case JC_INSPECTION_FORM_SELF:    return _("Self-inspection and correction");
    default:                         return "";
    }
}

const char *
jc_item_status_to_string (JcItemStatus status)
{
  return (guint) status < G_N_ELEMENTS (status_names) ? status_names[status] : NULL;
}

gboolean
jc_item_status_from_string (const char *name, JcItemStatus *out_status)
{
  guint i;

  if (!name_index (status_names, G_N_ELEMENTS (status_names), name, &i))
    return FALSE;
  *out_status = (JcItemStatus) i;
  return TRUE;
}

const char *
jc_item_status_get_label (JcItemStatus status)
{
  switch (status)
    {
    case JC_ITEM_STATUS_UNCHECKED: return C_("item status", "Not checked");
    case JC_ITEM_STATUS_COMPLIANT: return C_("item status", "Compliant");
    case JC_ITEM_STATUS_VIOLATION: return C_("item status", "Violation");
    case JC_ITEM_STATUS_NA:        return C_("item status", "Not applicable");
    default:                       return "";
    }
}

const char *
jc_institution_kind_get_label (JcInstitutionKind kind)
{
  switch (kind)
    {
    case JC_INSTITUTION_HOSPITAL:       return C_("institution type", "Designated hospital");
    case JC_INSTITUTION_PHARMACY:       return C_("institution type", "Designated retail pharmacy");
    case JC_INSTITUTION_AGENCY:         return C_("institution type", "Insurance agency");
    case JC_INSTITUTION_ADMINISTRATION: return C_("institution type", "Insurance administration");
    default:                            return "";
    }
}

const char *
jc_inspection_default_checklist (JcInstitutionKind kind,
                                 JcInspectionForm  form)
{
  switch (kind)
    {
    case JC_INSTITUTION_HOSPITAL:
      return form == JC_INSPECTION_FORM_SELF ? "self-institution-2021" : "hospital-2021";
    case JC_INSTITUTION_PHARMACY:
      return form == JC_INSPECTION_FORM_SELF ? "self-institution-2021" : "pharmacy-2021";
    case JC_INSTITUTION_AGENCY:
      return "self-agency-2021";
    case JC_INSTITUTION_ADMINISTRATION:
      return "self-admin-2021";
    default:
      return NULL;
    }
}

gboolean
jc_institution_code_is_valid (const char *code)
{
  gsize len;

  if (code == NULL)
    return FALSE;
  len = strlen (code);
  if (len == 0 || len > JC_INSTITUTION_CODE_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (code[i]) && code[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
id_is_valid (const char *id)
{
  if (id == NULL || strlen (id) != JC_INSPECTION_ID_SIZE * 2)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static gboolean
sha256_hex_is_valid (const char *hex)
{
  if (hex == NULL || strlen (hex) != 64)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static gboolean
set_db_error (JcDb *db, GError **error)
{
  g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_DATABASE,
               _("Inspection database: %s"), jc_db_errmsg (db));
  return FALSE;
}

/* Projections ----------------------------------------------------------- */

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
apply_create (JcDb *db, const JcEvent *event, GError **error)
{
  static const char * const fields[] = { "id", "institution_code", "institution_name", "institution_type",
                                         "form", "date", "checklist" };
  const char *values[G_N_ELEMENTS (fields)];
  JsonNode *team = json_object_get_member (jc_event_get_body_object (event), "team");
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *team_json = NULL;
  JcDbStmt *stmt = NULL;
  gint64 level;
  int rc;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if ((values[i] = jc_event_get_body_string (event, fields[i])) == NULL)
      return refuse (event, fields[i], error);
  if (!jc_event_get_body_int (event, "institution_level", &level))
    return refuse (event, "institution_level", error);
  if (team == NULL || !JSON_NODE_HOLDS_ARRAY (team))
    return refuse (event, "team", error);
  json_generator_set_root (gen, team);
  team_json = json_generator_to_data (gen, NULL);

  rc = jc_db_prepare (db,
                      "INSERT INTO inspections (id, institution_code, institution_name, institution_type, "
                      "form, date, checklist, institution_level, team, created_at, device_id, seq) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        jc_db_bind_text (stmt, (int) i + 1, values[i], -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 8, level);
      jc_db_bind_text (stmt, 9, team_json, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 10, jc_event_get_wall_time (event));
    }
  return jc_eventlog_step_with_origin (db, stmt, event, 11, error);
}

static gboolean
apply_item_set (JcDb *db, const JcEvent *event, GError **error)
{
  const char *id = jc_event_get_body_string (event, "inspection");
  const char *code = jc_event_get_body_string (event, "code");
  const char *status = jc_event_get_body_string (event, "status");
  const char *note = jc_event_get_body_string (event, "note");
  JcItemStatus st;
  gint64 amount = -1, cases = -1;
  JcDbStmt *stmt = NULL;
  int rc;

  if (id == NULL)
    return refuse (event, "inspection", error);
  if (code == NULL)
    return refuse (event, "code", error);
  if (status == NULL || !jc_item_status_from_string (status, &st))
    return refuse (event, "status", error);
  if (note == NULL)
    return refuse (event, "note", error);
  if (jc_event_has_body_member (event, "amount_fen") &&
      (!jc_event_get_body_int (event, "amount_fen", &amount) || amount < 0 || (guint64) amount > JC_AMOUNT_MAX_FEN))
    return refuse (event, "amount_fen", error);
  if (jc_event_has_body_member (event, "cases") && (!jc_event_get_body_int (event, "cases", &cases) || cases < 0))
    return refuse (event, "cases", error);

  /* The latest wins whatever order the events arrive in (sync): on one
   * device its seq (a clock set back must not undo a change), across
   * devices the wall time, then the device id as a tie-break. */
  rc = jc_db_prepare (db,
                      "INSERT INTO item_results (inspection_id, code, status, note, amount_fen, cases, "
                      "updated_at, device_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (inspection_id, code) DO UPDATE SET status = excluded.status, "
                      "note = excluded.note, amount_fen = excluded.amount_fen, cases = excluded.cases, "
                      "updated_at = excluded.updated_at, device_id = excluded.device_id, seq = excluded.seq "
                      "WHERE CASE WHEN excluded.device_id = item_results.device_id "
                      "THEN excluded.seq > item_results.seq "
                      "ELSE (excluded.updated_at, excluded.device_id) > (item_results.updated_at, item_results.device_id) END",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      /* static: the event's strings outlive the step */
      jc_db_bind_text (stmt, 1, id, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 2, code, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 3, status, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 4, note, -1, JC_DB_STATIC);
      if (amount >= 0)
        jc_db_bind_int64 (stmt, 5, amount);
      if (cases >= 0)
        jc_db_bind_int64 (stmt, 6, cases);
      jc_db_bind_int64 (stmt, 7, jc_event_get_wall_time (event));
    }
  return jc_eventlog_step_with_origin (db, stmt, event, 8, error);
}

/* A link made (@unlink FALSE) or taken back: for an unlink the row goes,
 * while the blob, its "evidence.add" and both events stay in the log. */
static gboolean
apply_item_evidence (JcDb *db, const JcEvent *event, gboolean unlink, GError **error)
{
  const char *id = jc_event_get_body_string (event, "inspection");
  const char *code = jc_event_get_body_string (event, "code");
  const char *sha = jc_event_get_body_string (event, "sha256");
  JcDbStmt *stmt = NULL;
  int rc;

  if (id == NULL)
    return refuse (event, "inspection", error);
  if (code == NULL)
    return refuse (event, "code", error);
  if (!sha256_hex_is_valid (sha))
    return refuse (event, "sha256", error);
  rc = jc_db_prepare (db, unlink
                      ? "DELETE FROM item_evidence WHERE inspection_id = ? AND code = ? AND sha256 = ?"
                      : "INSERT INTO item_evidence (inspection_id, code, sha256, added_at, device_id, seq) "
                             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, id, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 2, code, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 3, sha, -1, JC_DB_STATIC);
    }
  if (!unlink)
    {
      if (rc == JC_DB_OK)
        jc_db_bind_int64 (stmt, 4, jc_event_get_wall_time (event));
      return jc_eventlog_step_with_origin (db, stmt, event, 5, error);
    }
  if (rc == JC_DB_OK)
    rc = jc_db_step (stmt);
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      set_db_error (db, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
inspection_apply (JcDb *db, const JcEvent *event, gpointer user_data, GError **error)
{
  const char *kind = jc_event_get_kind (event);

  if (g_str_equal (kind, "inspection.create"))
    return apply_create (db, event, error);
  if (g_str_equal (kind, "inspection.item.set"))
    return apply_item_set (db, event, error);
  if (g_str_equal (kind, "inspection.item.evidence"))
    return apply_item_evidence (db, event, FALSE, error);
  if (g_str_equal (kind, "inspection.item.evidence.unlink"))
    return apply_item_evidence (db, event, TRUE, error);
  return TRUE;  /* a kind of a later version: the log keeps it */
}

gboolean
jc_inspection_register_projections (JcEventlog *log,
                                    GError    **error)
{
  return jc_eventlog_add_projection (log, "inspections", "inspection.", inspection_schema, inspection_tables,
                                     inspection_apply, NULL, NULL, error);
}

/* Registry ---------------------------------------------------------------- */

JcChecklistRegistry *
jc_inspection_get_default_registry (GError **error)
{
  static JcChecklistRegistry *registry;
  static GMutex lock;
  JcChecklistRegistry *result;

  g_mutex_lock (&lock);
  if (registry == NULL)
    registry = jc_checklist_registry_new_bundled (error);
  result = registry;
  g_mutex_unlock (&lock);
  return result;
}

static JcChecklistRegistry *
registry_or_default (JcChecklistRegistry *registry, GError **error)
{
  return registry != NULL ? registry : jc_inspection_get_default_registry (error);
}

/* Create ------------------------------------------------------------------ */

static gboolean
date_is_valid (const char *date)
{
  g_autoptr(GDate) d = NULL;
  guint y, m, dd;

  if (date == NULL || strlen (date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (date[i]))
      return FALSE;
  y = (guint) g_ascii_strtoull (date, NULL, 10);
  m = (guint) g_ascii_strtoull (date + 5, NULL, 10);
  dd = (guint) g_ascii_strtoull (date + 8, NULL, 10);
  return y >= 2000 && g_date_valid_dmy ((GDateDay) dd, (GDateMonth) m, (GDateYear) y);
}

char *
jc_inspection_create (JcVault                *vault,
                      JcChecklistRegistry    *registry,
                      const JcInspectionSpec *spec,
                      GError                **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *today = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *type_name = jc_institution_kind_to_string (spec->institution_type);
  const char *checklist_key = spec->checklist;
  const char *date = spec->date;
  g_autofree char *inst_name = spec->institution_name ? g_strstrip (g_strdup (spec->institution_name)) : NULL;
  JcChecklist *checklist;
  guint8 raw[JC_INSPECTION_ID_SIZE];
  char id[JC_INSPECTION_ID_SIZE * 2 + 1];

  registry = registry_or_default (registry, error);
  if (registry == NULL || jc_vault_get_db (vault, error) == NULL)
    return NULL;

  if (!jc_institution_code_is_valid (spec->institution_code))
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("Institution code “%s”: use 1 to %d ASCII letters, digits or “-”"),
                   spec->institution_code ? spec->institution_code : "", JC_INSTITUTION_CODE_MAX);
      return NULL;
    }
  if (inst_name == NULL || *inst_name == '\0' || !g_utf8_validate (inst_name, -1, NULL))
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("Institution %s: the name is empty"), spec->institution_code);
      return NULL;
    }
  if (type_name == NULL)
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("Institution %s: the type is not one of hospital, pharmacy, agency, administration"),
                   spec->institution_code);
      return NULL;
    }
  if (spec->institution_type == JC_INSTITUTION_HOSPITAL ? spec->level > 3 : spec->level != 0)
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   spec->institution_type == JC_INSTITUTION_HOSPITAL
                   ? _("Institution %s: hospital level %u is not 1, 2 or 3")
                   : _("Institution %s: level %u is given, but only hospitals have a level"),
                   spec->institution_code, spec->level);
      return NULL;
    }
  if (jc_inspection_form_to_string (spec->form) == NULL)
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("The inspection form is not one of daily, special, cross, flight, self"));
      return NULL;
    }
  for (guint i = 0; spec->team != NULL && spec->team[i] != NULL; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (spec->team[i]));

      if (*name == '\0' || !g_utf8_validate (name, -1, NULL))
        {
          g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                       _("Team member %u: the name is empty"), i + 1);
          return NULL;
        }
    }
  if (date == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      date = today = g_date_time_format (now, "%Y-%m-%d");
    }
  if (!date_is_valid (date))
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("The date “%s” is not a date written YYYY-MM-DD"), date);
      return NULL;
    }

  if (checklist_key == NULL)
    checklist_key = jc_inspection_default_checklist (spec->institution_type, spec->form);
  checklist = jc_checklist_registry_lookup (registry, checklist_key, &local_error);
  if (checklist == NULL)
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_CHECKLIST,
                   _("Checklist “%s”: %s"), checklist_key, local_error->message);
      return NULL;
    }
  if (!jc_checklist_applies_to (checklist, spec->institution_type))
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_CHECKLIST,
                   _("Checklist “%s” does not apply to a %s (institution %s); the default for it is “%s”"),
                   jc_checklist_get_key (checklist), type_name, spec->institution_code,
                   jc_inspection_default_checklist (spec->institution_type, spec->form));
      return NULL;
    }

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (id, sizeof id, raw, sizeof raw);

  /* Members in sorted order: the canonical body. */
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "checklist", jc_checklist_get_key (checklist));
  jc_json_builder_add_string (b, "date", date);
  jc_json_builder_add_string (b, "form", jc_inspection_form_to_string (spec->form));
  jc_json_builder_add_string (b, "id", id);
  jc_json_builder_add_string (b, "institution_code", spec->institution_code);
  jc_json_builder_add_int (b, "institution_level", spec->level);
  jc_json_builder_add_string (b, "institution_name", inst_name);
  jc_json_builder_add_string (b, "institution_type", type_name);
  json_builder_set_member_name (b, "team");
  json_builder_begin_array (b);
  for (guint i = 0; spec->team != NULL && spec->team[i] != NULL; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (spec->team[i]));

      json_builder_add_string_value (b, name);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  body = jc_json_builder_to_string (b);

  if (!jc_vault_record (vault, "inspection.create", body, NULL, error))
    return NULL;
  return g_strdup (id);
}

/* Read --------------------------------------------------------------------- */

void
jc_inspection_free (JcInspection *inspection)
{
  if (inspection == NULL)
    return;
  g_free (inspection->id);
  g_free (inspection->institution_code);
  g_free (inspection->institution_name);
  g_strfreev (inspection->team);
  g_free (inspection->date);
  g_free (inspection->checklist);
  g_free (inspection);
}

void
jc_item_result_free (JcItemResult *result)
{
  if (result == NULL)
    return;
  g_free (result->note);
  g_strfreev (result->evidence);
  g_free (result);
}

static GStrv
team_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) team = g_strv_builder_new ();
  JsonNode *root;

  if (json_parser_load_from_data (parser, json, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (team, json_node_get_string (node));
        }
    }
  return g_strv_builder_end (team);
}

#define INSPECTION_COLUMNS \
  "id, institution_code, institution_name, institution_type, institution_level, form, team, date, " \
  "checklist, created_at"

static JcInspection *
inspection_from_row (JcDbStmt *stmt)
{
  JcInspection *in = g_new0 (JcInspection, 1);

  in->id = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  in->institution_code = g_strdup ((const char *) jc_db_column_text (stmt, 1));
  in->institution_name = g_strdup ((const char *) jc_db_column_text (stmt, 2));
  in->institution_type = jc_institution_kind_from_string ((const char *) jc_db_column_text (stmt, 3));
  in->level = (guint) jc_db_column_int (stmt, 4);
  if (!jc_inspection_form_from_string ((const char *) jc_db_column_text (stmt, 5), &in->form))
    in->form = JC_INSPECTION_FORM_DAILY;
  in->team = team_from_json ((const char *) jc_db_column_text (stmt, 6));
  in->date = g_strdup ((const char *) jc_db_column_text (stmt, 7));
  in->checklist = g_strdup ((const char *) jc_db_column_text (stmt, 8));
  in->created_at = jc_db_column_int64 (stmt, 9);
  return in;
}

JcChecklist *
jc_inspection_get_checklist (JcInspection        *inspection,
                             JcChecklistRegistry *registry,
                             GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  JcChecklist *checklist;

  registry = registry_or_default (registry, error);
  if (registry == NULL)
    return NULL;
  checklist = jc_checklist_registry_lookup (registry, inspection->checklist, &local_error);
  if (checklist == NULL)
    g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_CHECKLIST,
                 _("Inspection %s was made with checklist “%s”, which this device does not have: %s"),
                 inspection->id, inspection->checklist, local_error->message);
  return checklist;
}

/* checked / violations / amount, counting only codes of the list. */
static gboolean
fill_progress (JcDb *db, JcInspection *in, JcChecklistRegistry *registry, GError **error)
{
  JcChecklist *checklist = jc_inspection_get_checklist (in, registry, error);
  JcDbStmt *stmt = NULL;
  int rc;

  if (checklist == NULL)
    return FALSE;
  in->n_items = jc_checklist_get_n_items (checklist);
  rc = jc_db_prepare (db, "SELECT code, status, amount_fen FROM item_results WHERE inspection_id = ?",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    jc_db_bind_text (stmt, 1, in->id, -1, JC_DB_TRANSIENT);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      const char *status = (const char *) jc_db_column_text (stmt, 1);

      rc = JC_DB_OK;
      if (jc_checklist_lookup (checklist, (const char *) jc_db_column_text (stmt, 0)) == NULL)
        continue;
      if (g_strcmp0 (status, "unchecked") != 0)
        in->n_checked++;
      if (g_strcmp0 (status, "violation") == 0)
        {
          in->n_violations++;
          in->amount_fen += (guint64) jc_db_column_int64 (stmt, 2);
        }
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return set_db_error (db, error);
  return TRUE;
}

static JcInspection *
get_inspection (JcDb *db, const char *id, GError **error)
{
  JcDbStmt *stmt = NULL;
  JcInspection *in = NULL;
  int rc;

  if (!id_is_valid (id))
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND,
                   _("“%s” is not an inspection id (32 lowercase hex digits)"), id ? id : "");
      return NULL;
    }
  rc = jc_db_prepare (db, "SELECT " INSPECTION_COLUMNS " FROM inspections WHERE id = ?", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, id, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
      if (rc == JC_DB_ROW)
        in = inspection_from_row (stmt);
    }
  jc_db_finalize (stmt);
  if (rc == JC_DB_DONE)
    g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND,
                 _("There is no inspection %s in this vault"), id);
  else if (rc != JC_DB_ROW)
    set_db_error (db, error);
  return in;
}

JcInspection *
jc_inspection_get (JcVault             *vault,
                   JcChecklistRegistry *registry,
                   const char          *id,
                   GError             **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autoptr(JcInspection) in = NULL;

  if (db == NULL)
    return NULL;
  in = get_inspection (db, id, error);
  if (in == NULL || !fill_progress (db, in, registry, error))
    return NULL;
  return g_steal_pointer (&in);
}

GPtrArray *
jc_inspection_list (JcVault             *vault,
                    JcChecklistRegistry *registry,
                    GError             **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_inspection_free);
  JcDbStmt *stmt = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  rc = jc_db_prepare (db, "SELECT " INSPECTION_COLUMNS " FROM inspections ORDER BY date DESC, created_at DESC, id",
                      -1, &stmt, NULL);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      g_ptr_array_add (list, inspection_from_row (stmt));
      rc = JC_DB_OK;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      set_db_error (db, error);
      return NULL;
    }
  for (guint i = 0; i < list->len; i++)
    if (!fill_progress (db, list->pdata[i], registry, error))
      return NULL;
  return g_steal_pointer (&list);
}

static gboolean
matches (const JcItemResult *r, const char *folded_query)
{
  const char *fields[] = { r->item->code, r->item->text, r->item->group->behaviour, r->note };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *folded = NULL;

      if (fields[i] == NULL)
        continue;
      folded = g_utf8_casefold (fields[i], -1);
      if (strstr (folded, folded_query) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* All results of @in, in checklist order (unset items as unchecked). */
static GPtrArray *
read_results (JcDb *db, JcInspection *in, JcChecklist *checklist, GError **error)
{
  guint n = jc_checklist_get_n_items (checklist);
  g_autoptr(GPtrArray) results = g_ptr_array_new_full (n, (GDestroyNotify) jc_item_result_free);
  g_autoptr(GHashTable) by_code = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) evidence = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                          (GDestroyNotify) g_ptr_array_unref);
  JcDbStmt *stmt = NULL;
  int rc;

  for (guint i = 0; i < n; i++)
    {
      JcItemResult *r = g_new0 (JcItemResult, 1);

      r->item = jc_checklist_get_item (checklist, i);
      r->status = JC_ITEM_STATUS_UNCHECKED;
      r->note = g_strdup ("");
      r->cases = -1;
      g_ptr_array_add (results, r);
      g_hash_table_insert (by_code, (gpointer) r->item->code, r);
    }

  rc = jc_db_prepare (db, "SELECT code, status, note, amount_fen, cases, updated_at FROM item_results "
                               "WHERE inspection_id = ?", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    jc_db_bind_text (stmt, 1, in->id, -1, JC_DB_TRANSIENT);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      JcItemResult *r = g_hash_table_lookup (by_code, jc_db_column_text (stmt, 0));

      rc = JC_DB_OK;
      if (r == NULL)
        continue;
      if (!jc_item_status_from_string ((const char *) jc_db_column_text (stmt, 1), &r->status))
        r->status = JC_ITEM_STATUS_UNCHECKED;
      g_free (r->note);
      r->note = g_strdup ((const char *) jc_db_column_text (stmt, 2));
      r->has_amount = jc_db_column_type (stmt, 3) != JC_DB_NULL;
      r->amount_fen = (guint64) jc_db_column_int64 (stmt, 3);
      r->cases = jc_db_column_type (stmt, 4) != JC_DB_NULL ? jc_db_column_int64 (stmt, 4) : -1;
      r->updated_at = jc_db_column_int64 (stmt, 5);
    }
  jc_db_finalize (stmt);
  stmt = NULL;
  if (rc != JC_DB_DONE)
    {
      set_db_error (db, error);
      return NULL;
    }

  rc = jc_db_prepare (db, "SELECT code, sha256 FROM item_evidence WHERE inspection_id = ? "
                               "ORDER BY added_at, device_id, seq", -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    jc_db_bind_text (stmt, 1, in->id, -1, JC_DB_TRANSIENT);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      JcItemResult *r = g_hash_table_lookup (by_code, jc_db_column_text (stmt, 0));
      GPtrArray *list;

      rc = JC_DB_OK;
      if (r == NULL)
        continue;
      list = g_hash_table_lookup (evidence, r);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (evidence, r, list);
        }
      g_ptr_array_add (list, g_strdup ((const char *) jc_db_column_text (stmt, 1)));
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      set_db_error (db, error);
      return NULL;
    }

  for (guint i = 0; i < results->len; i++)
    {
      JcItemResult *r = results->pdata[i];
      GPtrArray *list = g_hash_table_lookup (evidence, r);

      if (list != NULL)
        {
          g_ptr_array_add (list, NULL);
          r->evidence = g_strdupv ((char **) list->pdata);
        }
      else
        r->evidence = g_new0 (char *, 1);
    }
  return g_steal_pointer (&results);
}

GPtrArray *
jc_inspection_get_results (JcVault             *vault,
                           JcChecklistRegistry *registry,
                           const char          *id,
                           const char          *query,
                           guint                status_mask,
                           GError             **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *folded = NULL;
  JcChecklist *checklist;

  if (db == NULL || (in = get_inspection (db, id, error)) == NULL ||
      (checklist = jc_inspection_get_checklist (in, registry, error)) == NULL ||
      (results = read_results (db, in, checklist, error)) == NULL)
    return NULL;
  if ((query == NULL || *query == '\0') && status_mask == 0)
    return g_steal_pointer (&results);

  folded = query && *query ? g_utf8_casefold (query, -1) : NULL;
  for (guint i = results->len; i-- > 0;)
    {
      JcItemResult *r = results->pdata[i];

      if ((status_mask != 0 && !(status_mask & JC_ITEM_STATUS_MASK (r->status))) ||
          (folded != NULL && !matches (r, folded)))
        g_ptr_array_remove_index (results, i);
    }
  return g_steal_pointer (&results);
}

char *
jc_inspection_next_unchecked (JcVault             *vault,
                              JcChecklistRegistry *registry,
                              const char          *id,
                              const char          *after_code,
                              GError             **error)
{
  g_autoptr(GPtrArray) results = jc_inspection_get_results (vault, registry, id, NULL, 0, error);
  guint start = 0;

  if (results == NULL)
    return NULL;
  for (guint i = 0; after_code != NULL && i < results->len; i++)
    if (g_str_equal (((JcItemResult *) results->pdata[i])->item->code, after_code))
      start = i + 1;
  for (guint k = 0; k < results->len; k++)
    {
      JcItemResult *r = results->pdata[(start + k) % results->len];

      if (r->status == JC_ITEM_STATUS_UNCHECKED)
        return g_strdup (r->item->code);
    }
  return NULL;
}

/* Write ------------------------------------------------------------------- */

/* The inspection and the item, or an error naming which is missing. */
static JcItemResult *
find_item (JcVault *vault, JcChecklistRegistry *registry, const char *id, const char *code, GError **error)
{
  JcDb *db = jc_vault_get_db (vault, error);
  g_autoptr(JcInspection) in = NULL;
  g_autoptr(GPtrArray) results = NULL;
  JcChecklist *checklist;

  if (db == NULL || (in = get_inspection (db, id, error)) == NULL ||
      (checklist = jc_inspection_get_checklist (in, registry, error)) == NULL)
    return NULL;
  if (code == NULL || jc_checklist_lookup (checklist, code) == NULL)
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND,
                   _("Checklist %s of inspection %s has no item “%s”"),
                   jc_checklist_get_key (checklist), id, code ? code : "");
      return NULL;
    }
  results = read_results (db, in, checklist, error);
  if (results == NULL)
    return NULL;
  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (((JcItemResult *) results->pdata[i])->item->code, code))
      return g_ptr_array_steal_index (results, i);
  g_assert_not_reached ();
  return NULL;
}

gboolean
jc_inspection_set_item (JcVault             *vault,
                        JcChecklistRegistry *registry,
                        const char          *id,
                        const char          *code,
                        const JcItemUpdate  *update,
                        GError             **error)
{
  g_autoptr(JcItemResult) r = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;

  if (update->set_status && jc_item_status_to_string (update->status) == NULL)
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("Item %s: the status is not one of compliant, violation, na, unchecked"), code);
      return FALSE;
    }
  if (update->set_note && (update->note == NULL || !g_utf8_validate (update->note, -1, NULL)))
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("Item %s: the note is not valid UTF-8 text"), code);
      return FALSE;
    }
  if (update->set_amount && !update->clear_amount && update->amount_fen > JC_AMOUNT_MAX_FEN)
    {
      g_set_error (error, JC_AMOUNT_ERROR, JC_AMOUNT_ERROR_OVERFLOW,
                   _("Item %s: the amount is too large (at most %s yuan)"), code, "9999999999999.99");
      return FALSE;
    }
  if (update->set_cases && update->cases < -1)
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_INVALID,
                   _("Item %s: the number of cases sampled is negative"), code);
      return FALSE;
    }

  r = find_item (vault, registry, id, code, error);
  if (r == NULL)
    return FALSE;
  if (update->set_status)
    r->status = update->status;
  if (update->set_note)
    {
      g_free (r->note);
      r->note = g_strdup (update->note);
    }
  if (update->set_amount)
    {
      r->has_amount = !update->clear_amount;
      r->amount_fen = update->clear_amount ? 0 : update->amount_fen;
    }
  if (update->set_cases)
    r->cases = update->cases;

  /* The whole state of the item, members sorted: the latest event alone
   * says what the item is. */
  json_builder_begin_object (b);
  if (r->has_amount)
    jc_json_builder_add_int (b, "amount_fen", (gint64) r->amount_fen);
  if (r->cases >= 0)
    jc_json_builder_add_int (b, "cases", r->cases);
  jc_json_builder_add_string (b, "code", code);
  jc_json_builder_add_string (b, "inspection", id);
  jc_json_builder_add_string (b, "note", r->note);
  jc_json_builder_add_string (b, "status", jc_item_status_to_string (r->status));
  json_builder_end_object (b);
  body = jc_json_builder_to_string (b);
  return jc_vault_record (vault, "inspection.item.set", body, NULL, error);
}

/* The body of a link and of an unlink: which evidence on which item. */
static gboolean
record_evidence_event (JcVault *vault, const char *kind, const char *id, const char *code,
                       const char *sha256_hex, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "code", code);
  jc_json_builder_add_string (b, "inspection", id);
  jc_json_builder_add_string (b, "sha256", sha256_hex);
  json_builder_end_object (b);
  body = jc_json_builder_to_string (b);
  return jc_vault_record (vault, kind, body, NULL, error);
}

gboolean
jc_inspection_link_evidence (JcVault             *vault,
                             JcChecklistRegistry *registry,
                             const char          *id,
                             const char          *code,
                             const char          *sha256_hex,
                             GError             **error)
{
  g_autoptr(JcItemResult) r = NULL;
  JcDb *db;
  JcDbStmt *stmt = NULL;
  int rc;

  r = find_item (vault, registry, id, code, error);
  if (r == NULL)
    return FALSE;
  if (g_strv_contains ((const char * const *) r->evidence, sha256_hex ? sha256_hex : ""))
    return TRUE;
  db = jc_vault_get_db (vault, error);
  rc = sha256_hex_is_valid (sha256_hex)
       ? jc_db_prepare (db, "SELECT 1 FROM evidence WHERE sha256 = ?", -1, &stmt, NULL) : JC_DB_OK;
  if (stmt != NULL)
    {
      jc_db_bind_text (stmt, 1, sha256_hex, -1, JC_DB_TRANSIENT);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW)
    {
      if (rc == JC_DB_DONE || rc == JC_DB_OK)
        g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND,
                     _("Item %s: there is no evidence %s in this vault (add the file first)"),
                     code, sha256_hex ? sha256_hex : "");
      else
        set_db_error (db, error);
      return FALSE;
    }

  return record_evidence_event (vault, "inspection.item.evidence", id, code, sha256_hex, error);
}

gboolean
jc_inspection_unlink_evidence (JcVault             *vault,
                               JcChecklistRegistry *registry,
                               const char          *id,
                               const char          *code,
                               const char          *sha256_hex,
                               GError             **error)
{
  g_autoptr(JcItemResult) r = NULL;

  r = find_item (vault, registry, id, code, error);
  if (r == NULL)
    return FALSE;
  if (!g_strv_contains ((const char * const *) r->evidence, sha256_hex ? sha256_hex : ""))
    {
      g_set_error (error, JC_INSPECTION_ERROR, JC_INSPECTION_ERROR_NOT_FOUND,
                   _("Item %s: evidence %s is not linked to it"), code, sha256_hex ? sha256_hex : "");
      return FALSE;
    }
  return record_evidence_event (vault, "inspection.item.evidence.unlink", id, code, sha256_hex, error);
}

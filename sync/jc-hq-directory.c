/* jc-hq-directory.c — HQ's two lists the plans are drawn from */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "jc-amount.h"
#include "jc-csv.h"
#include "jc-hq-directory.h"
#include "jc-hq-sql.h"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS institutions ("
  "  code TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  type TEXT NOT NULL CHECK (type IN ('hospital', 'pharmacy', 'agency')),"
  "  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),"
  "  county TEXT NOT NULL,"
  "  fund_payment_fen INTEGER NOT NULL CHECK (fund_payment_fen >= 0));"
  "CREATE TABLE IF NOT EXISTS inspectors ("
  "  name TEXT PRIMARY KEY,"
  "  county TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('enforcement', 'expert')));";

static const char * const directory_columns[] = { "code", "name", "type", "level", "county", "fund_payment", NULL };
static const char * const roster_columns[] = { "name", "county", "role", NULL };

static const char * const role_names[] = { "enforcement", "expert" };

const char *
jc_hq_inspector_role_to_string (JcHqInspectorRole role)
{
  return role_names[role];
}

static void
institution_free (gpointer data)
{
  JcHqInstitution *inst = data;

  g_free (inst->code);
  g_free (inst->name);
  g_free (inst->county);
  g_free (inst);
}

static void
inspector_free (gpointer data)
{
  JcHqInspector *insp = data;

  g_free (insp->name);
  g_free (insp->county);
  g_free (insp);
}

gboolean
jc_hq_directory_ensure (JcHqStore *store, GError **error)
{
  return jc_hq_sql_exec (jc_hq_store_get_db (store), schema, error);
}

/* A name, code or county: not empty, one line, no control characters. */
static gboolean
check_text (const JcCsvTable *table, guint line, const char *column, const char *value, GError **error)
{
  if (*value == '\0')
    {
      jc_csv_set_error (error, table, line, column, _("empty; every line needs a %s"), column);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        jc_csv_set_error (error, table, line, column,
                          _("“%s” holds a line break or another control character"), value);
        return FALSE;
      }
  return TRUE;
}

/* Refuses the second line with the same key in column @column. */
static gboolean
check_unique (GHashTable *seen, const JcCsvTable *table, guint line, const char *column,
              const char *value, GError **error)
{
  gpointer first = g_hash_table_lookup (seen, value);

  if (first != NULL)
    {
      jc_csv_set_error (error, table, line, column, _("“%s” is already on line %u"), value,
                        GPOINTER_TO_UINT (first));
      return FALSE;
    }
  g_hash_table_insert (seen, (gpointer) value, GUINT_TO_POINTER (line));
  return TRUE;
}

static gboolean
parse_type (const JcCsvTable *table, guint line, const char *value, JcInstitutionKind *out, GError **error)
{
  /* The checklists' kinds, but the administration is not inspected here. */
  *out = jc_institution_kind_from_string (value);
  if (*out == JC_INSTITUTION_HOSPITAL || *out == JC_INSTITUTION_PHARMACY || *out == JC_INSTITUTION_AGENCY)
    return TRUE;
  jc_csv_set_error (error, table, line, "type", _("expected hospital, pharmacy or agency, got “%s”"), value);
  return FALSE;
}

static gboolean
parse_level (const JcCsvTable *table, guint line, const char *value, JcInstitutionKind type,
             guint *out, GError **error)
{
  if (type != JC_INSTITUTION_HOSPITAL)
    {
      if (*value == '\0')
        {
          *out = 0;
          return TRUE;
        }
      jc_csv_set_error (error, table, line, "level",
                        type == JC_INSTITUTION_PHARMACY ? _("a pharmacy has no level: leave it empty, got “%s”")
                                                        : _("an agency has no level: leave it empty, got “%s”"),
                        value);
      return FALSE;
    }
  if (strlen (value) == 1 && value[0] >= '1' && value[0] <= '3')
    {
      *out = (guint) (value[0] - '0');
      return TRUE;
    }
  jc_csv_set_error (error, table, line, "level", _("expected 1, 2 or 3 for a hospital, got “%s”"), value);
  return FALSE;
}

static gpointer
parse_institution (const JcCsvTable *table, const JcCsvRow *row, GHashTable *codes, GError **error)
{
  g_autoptr(GError) amount_error = NULL;
  JcHqInstitution inst = { 0 };
  char **f = row->fields;

  if (!check_text (table, row->line, "code", f[0], error) ||
      !check_unique (codes, table, row->line, "code", f[0], error) ||
      !check_text (table, row->line, "name", f[1], error) ||
      !parse_type (table, row->line, f[2], &inst.type, error) ||
      !parse_level (table, row->line, f[3], inst.type, &inst.level, error) ||
      !check_text (table, row->line, "county", f[4], error))
    return NULL;
  if (!jc_amount_parse_yuan (f[5], &inst.fund_fen, &amount_error))
    {
      jc_csv_set_error (error, table, row->line, "fund_payment", "%s", amount_error->message);
      return NULL;
    }
  inst.code = g_strdup (f[0]);
  inst.name = g_strdup (f[1]);
  inst.county = g_strdup (f[4]);
  return g_memdup2 (&inst, sizeof inst);
}

static gpointer
parse_inspector (const JcCsvTable *table, const JcCsvRow *row, GHashTable *names, GError **error)
{
  /* The Chinese words too: the roster is typed by HQ's staff. */
  static const char * const role_words[] = { "执法人员", "专业人员" };
  JcHqInspector insp = { 0 };
  char **f = row->fields;
  guint r;

  if (!check_text (table, row->line, "name", f[0], error) ||
      !check_unique (names, table, row->line, "name", f[0], error) ||
      !check_text (table, row->line, "county", f[1], error))
    return NULL;
  for (r = 0; r < G_N_ELEMENTS (role_names); r++)
    if (g_str_equal (f[2], role_names[r]) || g_str_equal (f[2], role_words[r]))
      break;
  if (r == G_N_ELEMENTS (role_names))
    {
      jc_csv_set_error (error, table, row->line, "role",
                        _("expected enforcement (执法人员) or expert (专业人员), got “%s”"), f[2]);
      return NULL;
    }
  insp.name = g_strdup (f[0]);
  insp.county = g_strdup (f[1]);
  insp.role = r;
  return g_memdup2 (&insp, sizeof insp);
}

typedef gpointer (*ParseFunc) (const JcCsvTable *table, const JcCsvRow *row, GHashTable *keys, GError **error);
typedef void (*BindFunc) (JcDbStmt *stmt, gconstpointer item);

/* What differs between the two imports. */
typedef struct {
  const char * const *columns;
  ParseFunc           parse;
  GDestroyNotify      free;
  const char         *delete_sql;
  const char         *insert_sql;
  BindFunc            bind;
} ImportKind;

static void
bind_institution (JcDbStmt *stmt, gconstpointer item)
{
  const JcHqInstitution *inst = item;

  jc_db_bind_text (stmt, 1, inst->code, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 2, inst->name, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 3, jc_institution_kind_to_string (inst->type), -1, JC_DB_STATIC);
  jc_db_bind_int (stmt, 4, (int) inst->level);
  jc_db_bind_text (stmt, 5, inst->county, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 6, (gint64) inst->fund_fen);
}

static void
bind_inspector (JcDbStmt *stmt, gconstpointer item)
{
  const JcHqInspector *insp = item;

  jc_db_bind_text (stmt, 1, insp->name, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 2, insp->county, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 3, role_names[insp->role], -1, JC_DB_STATIC);
}

static const ImportKind directory_kind = {
  directory_columns, parse_institution, institution_free,
  "DELETE FROM institutions",
  "INSERT INTO institutions (code, name, type, level, county, fund_payment_fen) VALUES (?, ?, ?, ?, ?, ?)",
  bind_institution,
};

static const ImportKind roster_kind = {
  roster_columns, parse_inspector, inspector_free,
  "DELETE FROM inspectors",
  "INSERT INTO inspectors (name, county, role) VALUES (?, ?, ?)",
  bind_inspector,
};

static gboolean
store_items (JcDb *db, const ImportKind *kind, GPtrArray *items, GError **error)
{
  JcDbStmt *stmt = NULL;

  if (!jc_hq_sql_exec (db, kind->delete_sql, error) ||
      !jc_hq_sql_prepare (db, kind->insert_sql, &stmt, error))
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      kind->bind (stmt, items->pdata[i]);
      if (jc_db_step (stmt) != JC_DB_DONE)
        {
          jc_hq_sql_error (db, kind->insert_sql, error);
          jc_db_finalize (stmt);
          return FALSE;
        }
      jc_db_reset (stmt);
    }
  jc_db_finalize (stmt);
  return TRUE;
}

static gboolean
import (JcHqStore *store, const ImportKind *kind, const char *path, guint *n_imported, GError **error)
{
  g_autoptr(JcCsvTable) table = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (kind->free);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  JcDb *db = jc_hq_store_get_db (store);

  if (!jc_hq_directory_ensure (store, error))
    return FALSE;
  table = jc_csv_read_table (path, kind->columns, error);
  if (table == NULL)
    return FALSE;
  /* Every line is checked before anything is written. */
  for (guint i = 0; i < table->rows->len; i++)
    {
      gpointer item = kind->parse (table, table->rows->pdata[i], keys, error);

      if (item == NULL)
        return FALSE;
      g_ptr_array_add (items, item);
    }
  if (!jc_hq_sql_exec (db, "BEGIN IMMEDIATE", error) ||
      !jc_hq_sql_finish (db, store_items (db, kind, items, error), error))
    return FALSE;
  if (n_imported != NULL)
    *n_imported = items->len;
  return TRUE;
}

gboolean
jc_hq_directory_import (JcHqStore *store, const char *path, guint *n_imported, GError **error)
{
  return import (store, &directory_kind, path, n_imported, error);
}

gboolean
jc_hq_roster_import (JcHqStore *store, const char *path, guint *n_imported, GError **error)
{
  return import (store, &roster_kind, path, n_imported, error);
}

static JcHqInspectorRole
role_from_string (const char *name)
{
  return g_strcmp0 (name, role_names[JC_HQ_INSPECTOR_EXPERT]) == 0 ? JC_HQ_INSPECTOR_EXPERT
                                                                  : JC_HQ_INSPECTOR_ENFORCEMENT;
}

static gpointer
read_institution (JcDbStmt *stmt)
{
  JcHqInstitution *inst = g_new0 (JcHqInstitution, 1);

  inst->code = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  inst->name = g_strdup ((const char *) jc_db_column_text (stmt, 1));
  inst->type = jc_institution_kind_from_string ((const char *) jc_db_column_text (stmt, 2));
  inst->level = (guint) jc_db_column_int (stmt, 3);
  inst->county = g_strdup ((const char *) jc_db_column_text (stmt, 4));
  inst->fund_fen = (guint64) jc_db_column_int64 (stmt, 5);
  return inst;
}

static gpointer
read_inspector (JcDbStmt *stmt)
{
  JcHqInspector *insp = g_new0 (JcHqInspector, 1);

  insp->name = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  insp->county = g_strdup ((const char *) jc_db_column_text (stmt, 1));
  insp->role = role_from_string ((const char *) jc_db_column_text (stmt, 2));
  return insp;
}

/* Every row of @sql as an item made by @read. */
static GPtrArray *
load (JcHqStore *store, const char *sql, gpointer (*read) (JcDbStmt *stmt), GDestroyNotify free_item,
      const char *what, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_item);
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  int rc;

  if (!jc_hq_directory_ensure (store, error) || !jc_hq_sql_prepare (db, sql, &stmt, error))
    return NULL;
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    g_ptr_array_add (list, read (stmt));
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      jc_hq_sql_error (db, what, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

GPtrArray *
jc_hq_directory_load (JcHqStore *store, GError **error)
{
  return load (store, "SELECT code, name, type, level, county, fund_payment_fen FROM institutions ORDER BY code",
               read_institution, institution_free, _("reading the institution directory"), error);
}

GPtrArray *
jc_hq_roster_load (JcHqStore *store, GError **error)
{
  return load (store, "SELECT name, county, role FROM inspectors ORDER BY name",
               read_inspector, inspector_free, _("reading the inspector roster"), error);
}

/* Each field followed by a NUL byte, which no field holds. */
static void
digest_field (GChecksum *sum, const char *text)
{
  g_checksum_update (sum, (const guchar *) text, (gssize) strlen (text) + 1);
}

char *
jc_hq_directory_digest (GPtrArray *institutions)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < institutions->len; i++)
    {
      const JcHqInstitution *inst = institutions->pdata[i];
      char number[24];

      digest_field (sum, inst->code);
      digest_field (sum, inst->name);
      digest_field (sum, jc_institution_kind_to_string (inst->type));
      g_snprintf (number, sizeof number, "%u", inst->level);
      digest_field (sum, number);
      digest_field (sum, inst->county);
      g_snprintf (number, sizeof number, "%" PRIu64, inst->fund_fen);
      digest_field (sum, number);
    }
  return g_strdup (g_checksum_get_string (sum));
}

char *
jc_hq_roster_digest (GPtrArray *inspectors)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < inspectors->len; i++)
    {
      const JcHqInspector *insp = inspectors->pdata[i];

      digest_field (sum, insp->name);
      digest_field (sum, insp->county);
      digest_field (sum, role_names[insp->role]);
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* jc-checklist.c — loading and validating an official checklist
 *
 * The validator is the schema: every field is checked for presence, type
 * and value, unknown fields are refused (a misspelt "txt" must not pass
 * silently), and codes are checked against the numbering they encode. Every
 * error names the file, the line and column, and the field, found by
 * jc-json-scan.c since json-glib keeps no positions.
 *
 * The format (strict RFC 8259 JSON, UTF-8, at most 2 MiB, nesting ≤ 64):
 *
 *   { "id":          "hospital-2021"      [a-z0-9]+(-[a-z0-9]+)*, ≤ 64 bytes
 *     "version":     1                    integer ≥ 1
 *     "title":       "…"                  one line, not empty
 *     "applies_to":  ["hospital", …]      hospital|pharmacy|agency|administration, no repeats
 *     "source":      "…"                  the document and table
 *     "source_note": ["…", …]             every editorial change (may be [])
 *     "code_prefix": "h21"                [a-z]+[0-9]{2}
 *     "sections": [ {
 *         "code": "h21.2",                code_prefix "." number
 *         "number": 2,                    its position, from 1
 *         "category": "一般违规问题",
 *         "numbering": "per_group",       "continuous": item numbers run on across
 *                                         groups, code = section.number;
 *                                         "per_group": they restart in each group,
 *                                         code = section.group.number
 *         "groups": [ {
 *             "number": 3,                its position in the section, from 1
 *             "behaviour": "违规诊疗",     may be "" (tables without that column)
 *             "items": [ {
 *                 "code": "h21.2.3.8",     [a-z]+[0-9]{2}(\.[0-9]+)+, unique, as above
 *                 "number": 8,            the source's number, 1–9999, increasing
 *                 "text": "…",            not empty, no surrounding white space
 *                 "note": "",             optional
 *                 "record": ["status", …] status (required) note amount cases evidence
 *     } ] } ] } ] }
 *
 * Strings are one line except text, note, source and source_note, which may
 * hold line breaks; no other control characters anywhere.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "jc-checklist.h"
#include "jc-json-scan.h"

G_DEFINE_QUARK (jc-checklist-error-quark, jc_checklist_error)

/* Small enough that codes stay short in a QR code. */
#define MAX_NUMBER 9999
#define MAX_PATH   16

struct _JcChecklist {
  GStringChunk       *strings;
  const char         *id;
  guint               version;
  const char         *key;
  const char         *title;
  const char         *source;
  const char        **source_notes;   /* NULL-terminated, strings in @strings */
  const char         *code_prefix;
  JcInstitutionKind   applies_to;
  char                sha256[65];
  JcChecklistSection *sections;
  guint               n_sections;
  JcChecklistGroup   *groups;
  guint               n_groups;
  JcChecklistItem    *items;
  guint               n_items;
  GHashTable         *by_code;        /* code → JcChecklistItem* */
};

static const struct {
  const char        *name;
  JcInstitutionKind  kind;
} kinds[] = {
  { "hospital", JC_INSTITUTION_HOSPITAL },
  { "pharmacy", JC_INSTITUTION_PHARMACY },
  { "agency", JC_INSTITUTION_AGENCY },
  { "administration", JC_INSTITUTION_ADMINISTRATION },
};

static const struct {
  const char        *name;
  JcChecklistRecord  record;
} records[] = {
  { "status", JC_RECORD_STATUS },
  { "note", JC_RECORD_NOTE },
  { "amount", JC_RECORD_AMOUNT },
  { "cases", JC_RECORD_CASES },
  { "evidence", JC_RECORD_EVIDENCE },
};

JcInstitutionKind
jc_institution_kind_from_string (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i].name, name))
      return kinds[i].kind;
  return 0;
}

const char *
jc_institution_kind_to_string (JcInstitutionKind kind)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].kind == kind)
      return kinds[i].name;
  return NULL;
}

JcChecklistRecord
jc_checklist_record_from_string (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (records); i++)
    if (g_str_equal (records[i].name, name))
      return records[i].record;
  return 0;
}

const char *
jc_checklist_record_to_string (JcChecklistRecord record)
{
  for (gsize i = 0; i < G_N_ELEMENTS (records); i++)
    if (records[i].record == record)
      return records[i].name;
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Validation context                                                     */

typedef struct {
  const char  *name;       /* file name for messages */
  const char  *data;       /* the JSON text (after any BOM) */
  gsize        len;
  JcJsonStep   path[MAX_PATH];
  guint        n_path;
  GError     **error;
} Ctx;

static void
push (Ctx *c, const char *name, guint index)
{
  g_assert (c->n_path < MAX_PATH);
  c->path[c->n_path].name = name;
  c->path[c->n_path].index = index;
  c->n_path++;
}

static void
pop (Ctx *c)
{
  c->n_path--;
}

static char *
where (Ctx *c, const JcJsonStep *path, guint n_path)
{
  JcJsonPos pos = { 0, 0 };
  g_autofree char *field = jc_json_path_format (path, n_path);

  if (!jc_json_scan_locate (c->data, c->len, path, n_path, &pos))
    pos.line = pos.column = 0;
  if (field[0] == '\0')
    return g_strdup_printf ("%s:%u:%u", c->name, pos.line, pos.column);
  return g_strdup_printf ("%s:%u:%u: %s", c->name, pos.line, pos.column, field);
}

/* Fails at the current path: "FILE:LINE:COL: PATH: message". */
G_GNUC_PRINTF (2, 3)
static gboolean
schema_fail (Ctx *c, const char *format, ...)
{
  g_autofree char *msg = NULL;
  g_autofree char *at = where (c, c->path, c->n_path);
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (c->error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SCHEMA, "%s: %s", at, msg);
  return FALSE;
}

static const char *
node_type_name (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("an array");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return _("a string");
        case G_TYPE_INT64:
          return _("an integer");
        case G_TYPE_DOUBLE:
          return _("a number with a fraction or exponent");
        case G_TYPE_BOOLEAN:
          return _("a boolean");
        default:
          return _("a value");
        }
    }
}

static gboolean
check_fields (Ctx *c, JsonObject *obj, const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *m = l->data;

      if (!g_strv_contains (allowed, m))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);
          gboolean ok;

          push (c, m, 0);
          ok = schema_fail (c, _("unknown field “%s” (allowed here: %s)"), m, list);
          pop (c);
          return ok;
        }
    }
  return TRUE;
}

static JsonNode *
member (Ctx *c, JsonObject *obj, const char *field, gboolean required)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (node == NULL && required)
    schema_fail (c, _("missing required field “%s”"), field);
  return node;
}

typedef enum {
  TEXT_SINGLE_LINE = 1 << 0,  /* no control characters at all */
  TEXT_ALLOW_EMPTY = 1 << 1,
} TextFlags;

/* Checks a string value at the current path. */
static gboolean
check_text (Ctx *c, const char *s, TextFlags flags)
{
  gunichar first, last;

  if (s[0] == '\0')
    return (flags & TEXT_ALLOW_EMPTY) ? TRUE : schema_fail (c, _("must not be empty"));
  for (const char *p = s; *p != '\0'; p++)
    {
      guchar ch = (guchar) *p;

      if ((ch < 0x20 || ch == 0x7f) && (ch != '\n' || (flags & TEXT_SINGLE_LINE)))
        return schema_fail (c, _("contains a control character (U+%04X)"), ch);
    }
  first = g_utf8_get_char (s);
  last = g_utf8_get_char (g_utf8_prev_char (s + strlen (s)));
  if (g_unichar_isspace (first) || g_unichar_isspace (last))
    return schema_fail (c, _("has leading or trailing white space"));
  return TRUE;
}

static gboolean
get_string (Ctx *c, JsonObject *obj, const char *field, gboolean required,
            TextFlags flags, const char **out)
{
  JsonNode *node = member (c, obj, field, required);
  gboolean ok = TRUE;

  *out = NULL;
  if (node == NULL)
    return !required;
  push (c, field, 0);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    ok = schema_fail (c, _("must be a string, not %s"), node_type_name (node));
  else if (check_text (c, json_node_get_string (node), flags))
    *out = json_node_get_string (node);
  else
    ok = FALSE;
  pop (c);
  return ok;
}

static gboolean
get_int (Ctx *c, JsonObject *obj, const char *field, gint64 min, gint64 max, gint64 *out)
{
  JsonNode *node = member (c, obj, field, TRUE);
  gboolean ok = TRUE;

  if (node == NULL)
    return FALSE;
  push (c, field, 0);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    ok = schema_fail (c, _("must be an integer, not %s"), node_type_name (node));
  else if ((*out = json_node_get_int (node)) < min || *out > max)
    ok = schema_fail (c, _("must be between %" PRId64 " and %" PRId64 ", not %" PRId64),
                      min, max, *out);
  pop (c);
  return ok;
}

static gboolean
get_array (Ctx *c, JsonObject *obj, const char *field, gboolean allow_empty, JsonArray **out)
{
  JsonNode *node = member (c, obj, field, TRUE);
  gboolean ok = TRUE;

  if (node == NULL)
    return FALSE;
  push (c, field, 0);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    ok = schema_fail (c, _("must be an array, not %s"), node_type_name (node));
  else if (!allow_empty && json_array_get_length (json_node_get_array (node)) == 0)
    ok = schema_fail (c, _("must not be empty"));
  else
    *out = json_node_get_array (node);
  pop (c);
  return ok;
}

/* Element @i of an array (at the current path) that must be an object. */
static JsonObject *
get_element_object (Ctx *c, JsonArray *array, guint i)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      schema_fail (c, _("must be an object, not %s"), node_type_name (node));
      return NULL;
    }
  return json_node_get_object (node);
}

/* Element @i (the current path) that must be a string from a fixed set. */
static gboolean
get_element_string (Ctx *c, JsonArray *array, guint i, TextFlags flags, const char **out)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return schema_fail (c, _("must be a string, not %s"), node_type_name (node));
  *out = json_node_get_string (node);
  return check_text (c, *out, flags);
}

/* ^[a-z0-9]+(-[a-z0-9]+)*$ */
static gboolean
is_valid_id (const char *s)
{
  gsize n = strlen (s);

  if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!(g_ascii_islower (s[i]) || g_ascii_isdigit (s[i]) || s[i] == '-') ||
        (s[i] == '-' && s[i + 1] == '-'))
      return FALSE;
  return TRUE;
}

/* ^[a-z]+[0-9]{2}$, returning the end of the match for code checks. */
static const char *
match_prefix (const char *s)
{
  const char *p = s;

  while (g_ascii_islower (*p))
    p++;
  if (p == s || !g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
    return NULL;
  return p + 2;
}

/* ^[a-z]+[0-9]{2}(\.[0-9]+)+$ */
static gboolean
is_valid_code (const char *s)
{
  const char *p = match_prefix (s);

  if (p == NULL || *p != '.')
    return FALSE;
  while (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0' && strlen (s) <= 32;
}

/* ---------------------------------------------------------------------- */
/* Building                                                               */

typedef struct {
  Ctx          c;
  JcChecklist *cl;
  GArray      *sections;     /* JcChecklistSection */
  GArray      *groups;       /* JcChecklistGroup; .items holds the first index */
  GArray      *items;        /* JcChecklistItem; .group holds the group index */
  GHashTable  *first_seen;   /* code → packed (section, group, item) path */
} Build;

static guint64
pack (guint s, guint g, guint i)
{
  return ((guint64) s << 42) | ((guint64) g << 21) | i;
}

static gboolean
fail_duplicate (Build *b, const char *code, guint64 first)
{
  JcJsonStep path[] = {
    { "sections", 0 }, { NULL, (guint) (first >> 42) },
    { "groups", 0 }, { NULL, (guint) ((first >> 21) & 0x1fffff) },
    { "items", 0 }, { NULL, (guint) (first & 0x1fffff) },
    { "code", 0 },
  };
  JcJsonPos pos = { 0, 0 };

  jc_json_scan_locate (b->c.data, b->c.len, path, G_N_ELEMENTS (path), &pos);
  return schema_fail (&b->c, _("duplicate code “%s” (first used at line %u)"), code, pos.line);
}

static const char *
intern (Build *b, const char *s)
{
  return g_string_chunk_insert (b->cl->strings, s);
}

/* @si, @gi, @ii: positions in the JSON (for messages); @group_index: the
 * group's index in the whole list. */
static gboolean
build_item (Build *b, JsonObject *obj, guint si, guint gi, guint ii, guint group_index,
            const char *section_code, gboolean per_group, guint group_number,
            gint64 *previous)
{
  static const char * const fields[] = { "code", "number", "text", "note", "record", NULL };
  Ctx *c = &b->c;
  JcChecklistItem item = { 0 };
  const char *code, *text, *note;
  JsonArray *record;
  gint64 number;
  gpointer first;
  g_autofree char *expected = NULL;

  if (!check_fields (c, obj, fields) ||
      !get_string (c, obj, "code", TRUE, TEXT_SINGLE_LINE, &code) ||
      !get_int (c, obj, "number", 1, MAX_NUMBER, &number) ||
      !get_string (c, obj, "text", TRUE, 0, &text) ||
      !get_string (c, obj, "note", FALSE, TEXT_ALLOW_EMPTY, &note) ||
      !get_array (c, obj, "record", FALSE, &record))
    return FALSE;

  push (c, "number", 0);
  if (number <= *previous)
    return schema_fail (c, _("item numbers must increase: %" PRId64 " follows %" PRId64),
                        number, *previous);
  pop (c);
  *previous = number;

  push (c, "code", 0);
  if (!is_valid_code (code))
    return schema_fail (c, _("“%s” is not an item code (like “h21.1.3”: letters, two digits, then .numbers)"), code);
  if (g_hash_table_lookup_extended (b->first_seen, code, NULL, &first))
    return fail_duplicate (b, code, *(guint64 *) first);
  if (per_group)
    expected = g_strdup_printf ("%s.%u.%u", section_code, group_number, (guint) number);
  else
    expected = g_strdup_printf ("%s.%u", section_code, (guint) number);
  if (!g_str_equal (code, expected))
    return schema_fail (c, per_group
                        ? _("code “%s” does not match its section, group and number: expected “%s”")
                        : _("code “%s” does not match its section and number: expected “%s”"),
                        code, expected);
  pop (c);

  {
    guint64 *packed = g_new (guint64, 1);

    *packed = pack (si, gi, ii);
    g_hash_table_insert (b->first_seen, (char *) intern (b, code), packed);
  }

  push (c, "record", 0);
  for (guint i = 0; i < json_array_get_length (record); i++)
    {
      const char *name;
      JcChecklistRecord r;

      push (c, NULL, i);
      if (!get_element_string (c, record, i, TEXT_SINGLE_LINE, &name))
        return FALSE;
      r = jc_checklist_record_from_string (name);
      if (r == 0)
        return schema_fail (c, _("“%s” is not something an inspector records (status, note, amount, cases, evidence)"), name);
      if (item.record & r)
        return schema_fail (c, _("“%s” is listed twice"), name);
      item.record |= r;
      pop (c);
    }
  if (!(item.record & JC_RECORD_STATUS))
    return schema_fail (c, _("must include “status”"));
  pop (c);

  item.code = intern (b, code);
  item.number = (guint) number;
  item.text = intern (b, text);
  item.note = intern (b, note != NULL ? note : "");
  item.index = b->items->len;
  item.group = GUINT_TO_POINTER (group_index);
  g_array_append_val (b->items, item);
  return TRUE;
}

static gboolean
build_group (Build *b, JsonObject *obj, guint si, guint gi, const char *section_code,
             gboolean per_group, gint64 *previous)
{
  static const char * const fields[] = { "number", "behaviour", "items", NULL };
  Ctx *c = &b->c;
  JcChecklistGroup group = { 0 };
  const char *behaviour;
  JsonArray *items;
  gint64 number;
  gint64 in_group = 0;

  if (!check_fields (c, obj, fields) ||
      !get_int (c, obj, "number", 1, MAX_NUMBER, &number) ||
      !get_string (c, obj, "behaviour", TRUE, TEXT_SINGLE_LINE | TEXT_ALLOW_EMPTY, &behaviour) ||
      !get_array (c, obj, "items", FALSE, &items))
    return FALSE;
  if (number != gi + 1)
    {
      push (c, "number", 0);
      return schema_fail (c, _("group number %" PRId64 " is not its position %u in the section"),
                          number, gi + 1);
    }

  group.number = (guint) number;
  group.behaviour = intern (b, behaviour);
  group.items = GUINT_TO_POINTER (b->items->len);
  group.section = GUINT_TO_POINTER (si);

  push (c, "items", 0);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item;

      push (c, NULL, i);
      if ((item = get_element_object (c, items, i)) == NULL ||
          !build_item (b, item, si, gi, i, b->groups->len, section_code, per_group, group.number,
                       per_group ? &in_group : previous))
        return FALSE;
      pop (c);
    }
  pop (c);
  group.n_items = json_array_get_length (items);
  g_array_append_val (b->groups, group);
  return TRUE;
}

static gboolean
build_section (Build *b, JsonObject *obj, guint si)
{
  static const char * const fields[] = { "code", "number", "category", "numbering", "groups", NULL };
  Ctx *c = &b->c;
  JcChecklistSection section = { 0 };
  const char *code, *category, *numbering;
  JsonArray *groups;
  gint64 number, previous = 0;
  g_autofree char *expected = NULL;
  guint first_group = b->groups->len;
  guint first_item = b->items->len;

  if (!check_fields (c, obj, fields) ||
      !get_string (c, obj, "code", TRUE, TEXT_SINGLE_LINE, &code) ||
      !get_int (c, obj, "number", 1, MAX_NUMBER, &number) ||
      !get_string (c, obj, "category", TRUE, TEXT_SINGLE_LINE, &category) ||
      !get_string (c, obj, "numbering", TRUE, TEXT_SINGLE_LINE, &numbering) ||
      !get_array (c, obj, "groups", FALSE, &groups))
    return FALSE;

  if (number != si + 1)
    {
      push (c, "number", 0);
      return schema_fail (c, _("section number %" PRId64 " is not its position %u in the list"),
                          number, si + 1);
    }
  expected = g_strdup_printf ("%s.%u", b->cl->code_prefix, (guint) number);
  if (!g_str_equal (code, expected))
    {
      push (c, "code", 0);
      return schema_fail (c, _("section code “%s” does not match code_prefix and number: expected “%s”"),
                          code, expected);
    }
  if (g_str_equal (numbering, "per_group"))
    section.per_group = TRUE;
  else if (!g_str_equal (numbering, "continuous"))
    {
      push (c, "numbering", 0);
      return schema_fail (c, _("must be “continuous” (item numbers run on across groups) or “per_group” (they restart in each group), not “%s”"),
                          numbering);
    }

  section.code = intern (b, code);
  section.number = (guint) number;
  section.category = intern (b, category);

  push (c, "groups", 0);
  for (guint i = 0; i < json_array_get_length (groups); i++)
    {
      JsonObject *group;

      push (c, NULL, i);
      if ((group = get_element_object (c, groups, i)) == NULL ||
          !build_group (b, group, si, i, section.code, section.per_group, &previous))
        return FALSE;
      pop (c);
    }
  pop (c);

  section.groups = GUINT_TO_POINTER (first_group);
  section.n_groups = b->groups->len - first_group;
  section.n_items = b->items->len - first_item;
  g_array_append_val (b->sections, section);
  return TRUE;
}

static gboolean
build_checklist (Build *b, JsonNode *root)
{
  static const char * const fields[] = {
    "id", "version", "title", "applies_to", "source", "source_note", "code_prefix", "sections", NULL
  };
  Ctx *c = &b->c;
  JcChecklist *cl = b->cl;
  JsonObject *obj;
  JsonArray *applies, *notes, *sections;
  const char *id, *title, *source, *prefix;
  gint64 version;
  GPtrArray *note_list;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return schema_fail (c, _("a checklist must be a JSON object, not %s"), node_type_name (root));
  obj = json_node_get_object (root);
  if (!check_fields (c, obj, fields) ||
      !get_string (c, obj, "id", TRUE, TEXT_SINGLE_LINE, &id) ||
      !get_int (c, obj, "version", 1, G_MAXINT32, &version) ||
      !get_string (c, obj, "title", TRUE, TEXT_SINGLE_LINE, &title) ||
      !get_array (c, obj, "applies_to", FALSE, &applies) ||
      !get_string (c, obj, "source", TRUE, 0, &source) ||
      !get_array (c, obj, "source_note", TRUE, &notes) ||
      !get_string (c, obj, "code_prefix", TRUE, TEXT_SINGLE_LINE, &prefix) ||
      !get_array (c, obj, "sections", FALSE, &sections))
    return FALSE;

  if (!is_valid_id (id))
    {
      push (c, "id", 0);
      return schema_fail (c, _("“%s” is not a checklist id (lowercase letters, digits and single hyphens, like “hospital-2021”)"), id);
    }
  {
    const char *end = match_prefix (prefix);

    if (end == NULL || *end != '\0')
      {
        push (c, "code_prefix", 0);
        return schema_fail (c, _("“%s” is not a code prefix (lowercase letters and two digits, like “h21”)"), prefix);
      }
  }

  cl->id = intern (b, id);
  cl->version = (guint) version;
  {
    g_autofree char *key = g_strdup_printf ("%s@%u", id, cl->version);

    cl->key = intern (b, key);
  }
  cl->title = intern (b, title);
  cl->source = intern (b, source);
  cl->code_prefix = intern (b, prefix);

  push (c, "applies_to", 0);
  for (guint i = 0; i < json_array_get_length (applies); i++)
    {
      const char *name;
      JcInstitutionKind kind;

      push (c, NULL, i);
      if (!get_element_string (c, applies, i, TEXT_SINGLE_LINE, &name))
        return FALSE;
      kind = jc_institution_kind_from_string (name);
      if (kind == 0)
        return schema_fail (c, _("“%s” is not an institution type (hospital, pharmacy, agency, administration)"), name);
      if (cl->applies_to & kind)
        return schema_fail (c, _("“%s” is listed twice"), name);
      cl->applies_to |= kind;
      pop (c);
    }
  pop (c);

  note_list = g_ptr_array_new ();
  push (c, "source_note", 0);
  for (guint i = 0; i < json_array_get_length (notes); i++)
    {
      const char *note;

      push (c, NULL, i);
      if (!get_element_string (c, notes, i, 0, &note))
        {
          g_ptr_array_free (note_list, TRUE);
          return FALSE;
        }
      g_ptr_array_add (note_list, (char *) intern (b, note));
      pop (c);
    }
  pop (c);
  g_ptr_array_add (note_list, NULL);
  cl->source_notes = (const char **) g_ptr_array_free (note_list, FALSE);

  push (c, "sections", 0);
  for (guint i = 0; i < json_array_get_length (sections); i++)
    {
      JsonObject *section;

      push (c, NULL, i);
      if ((section = get_element_object (c, sections, i)) == NULL || !build_section (b, section, i))
        return FALSE;
      pop (c);
    }
  pop (c);
  return TRUE;
}

/* Turns the indices the builders stored into pointers, once the arrays
 * will no longer move. */
static void
finish (Build *b)
{
  JcChecklist *cl = b->cl;

  cl->n_sections = b->sections->len;
  cl->sections = (JcChecklistSection *) g_array_free (g_steal_pointer (&b->sections), FALSE);
  cl->n_groups = b->groups->len;
  cl->groups = (JcChecklistGroup *) g_array_free (g_steal_pointer (&b->groups), FALSE);
  cl->n_items = b->items->len;
  cl->items = (JcChecklistItem *) g_array_free (g_steal_pointer (&b->items), FALSE);

  for (guint i = 0; i < cl->n_sections; i++)
    cl->sections[i].groups = cl->groups + GPOINTER_TO_UINT (cl->sections[i].groups);
  for (guint i = 0; i < cl->n_groups; i++)
    {
      cl->groups[i].items = cl->items + GPOINTER_TO_UINT (cl->groups[i].items);
      cl->groups[i].section = cl->sections + GPOINTER_TO_UINT (cl->groups[i].section);
    }
  cl->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < cl->n_items; i++)
    {
      cl->items[i].group = cl->groups + GPOINTER_TO_UINT (cl->items[i].group);
      g_hash_table_insert (cl->by_code, (char *) cl->items[i].code, &cl->items[i]);
    }
}

static void
checklist_clear (gpointer data)
{
  JcChecklist *cl = data;

  g_clear_pointer (&cl->by_code, g_hash_table_unref);
  g_free (cl->sections);
  g_free (cl->groups);
  g_free (cl->items);
  g_free (cl->source_notes);
  g_string_chunk_free (cl->strings);
}

static gboolean
check_size (gsize size, const char *name, GError **error)
{
  if (size <= JC_CHECKLIST_MAX_SIZE)
    return TRUE;
  g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_TOO_LARGE,
               _("%s: %zu bytes is over the %d MiB limit for a checklist; refused without reading it"),
               name, size, JC_CHECKLIST_MAX_SIZE / (1024 * 1024));
  return FALSE;
}

JcChecklist *
jc_checklist_load_bytes (GBytes *bytes, const char *name, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autofree char *scan_message = NULL;
  g_autofree char *sha = NULL;
  JcJsonPos pos;
  const char *data;
  gsize len;
  Build b = { 0 };
  gboolean ok;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL)
    name = "<checklist>";
  data = g_bytes_get_data (bytes, &len);
  if (data == NULL)
    data = "";
  if (!check_size (len, name, error))
    return NULL;

  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  /* Editors on some systems start UTF-8 files with a byte-order mark. */
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      data += 3;
      len -= 3;
    }

  /* Strict syntax first: json-glib is more lenient than RFC 8259 and its
   * messages do not say which field was being read. */
  if (!jc_json_scan_check (data, len, &pos, &scan_message))
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SYNTAX,
                   _("%s:%u:%u: %s"), name, pos.line, pos.column, scan_message);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error))
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SYNTAX,
                   _("%s: invalid JSON: %s"), name, json_error->message);
      return NULL;
    }

  b.c.name = name;
  b.c.data = data;
  b.c.len = len;
  b.c.error = error;
  b.cl = g_atomic_rc_box_new0 (JcChecklist);
  b.cl->strings = g_string_chunk_new (4096);
  memcpy (b.cl->sha256, sha, 64);
  b.sections = g_array_new (FALSE, TRUE, sizeof (JcChecklistSection));
  b.groups = g_array_new (FALSE, TRUE, sizeof (JcChecklistGroup));
  b.items = g_array_new (FALSE, TRUE, sizeof (JcChecklistItem));
  b.first_seen = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  ok = build_checklist (&b, json_parser_get_root (parser));
  g_hash_table_unref (b.first_seen);
  if (!ok)
    {
      g_array_free (b.sections, TRUE);
      g_array_free (b.groups, TRUE);
      g_array_free (b.items, TRUE);
      g_atomic_rc_box_release_full (b.cl, checklist_clear);
      return NULL;
    }
  finish (&b);
  return b.cl;
}

static GBytes *
read_limited (const char *path, GError **error)
{
  GStatBuf st;
  char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_IO,
                   _("%s: cannot read: %s"), path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_IO,
                   _("%s: not a regular file"), path);
      return NULL;
    }
  if (!check_size ((gsize) st.st_size, path, error))
    return NULL;
  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_IO,
                   _("%s: cannot read: %s"), path, local->message);
      return NULL;
    }
  /* It may have grown since the stat. */
  if (!check_size (len, path, error))
    {
      g_free (contents);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

JcChecklist *
jc_checklist_load_file (const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if ((bytes = read_limited (path, error)) == NULL)
    return NULL;
  return jc_checklist_load_bytes (bytes, path, error);
}

static gboolean
decode_signature (GBytes *signature, guint8 sig[crypto_sign_BYTES])
{
  gsize len;
  const char *data = g_bytes_get_data (signature, &len);
  g_autofree char *text = NULL;
  size_t bin_len = 0;
  const char *hex_end = NULL;

  if (len == crypto_sign_BYTES)
    {
      memcpy (sig, data, crypto_sign_BYTES);
      return TRUE;
    }
  if (len > 1024)
    return FALSE;
  text = g_strstrip (g_strndup (data != NULL ? data : "", len));
  if (strlen (text) != 2 * crypto_sign_BYTES)
    return FALSE;
  return sodium_hex2bin (sig, crypto_sign_BYTES, text, strlen (text), NULL, &bin_len, &hex_end) == 0 &&
         bin_len == crypto_sign_BYTES && *hex_end == '\0';
}

static char *
key_id (const guint8 *public_key)
{
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  char hex[17];

  g_checksum_update (sum, public_key, crypto_sign_PUBLICKEYBYTES);
  g_checksum_get_digest (sum, digest, &digest_len);
  sodium_bin2hex (hex, sizeof hex, digest, 8);
  return g_strdup (hex);
}

JcChecklist *
jc_checklist_load_signed_bytes (GBytes       *bytes,
                                GBytes       *signature,
                                const guint8 *hq_public_key,
                                const char   *name,
                                GError      **error)
{
  guint8 sig[crypto_sign_BYTES];
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (hq_public_key != NULL, NULL);

  if (name == NULL)
    name = "<checklist>";
  data = g_bytes_get_data (bytes, &len);
  if (!check_size (len, name, error))
    return NULL;
  if (signature == NULL)
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SIGNATURE,
                   _("%s: not signed: a checklist that is not built into Jiancha must come with HQ's signature"),
                   name);
      return NULL;
    }
  if (!decode_signature (signature, sig))
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SIGNATURE,
                   _("%s: the signature is not an Ed25519 signature (expected 64 bytes, or 128 hex digits)"),
                   name);
      return NULL;
    }
  if (sodium_init () < 0 ||
      crypto_sign_verify_detached (sig, data != NULL ? data : (const guint8 *) "", len, hq_public_key) != 0)
    {
      g_autofree char *kid = key_id (hq_public_key);

      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SIGNATURE,
                   _("%s: bad signature: the list was changed after signing, or not signed by HQ key %s"),
                   name, kid);
      return NULL;
    }
  return jc_checklist_load_bytes (bytes, name, error);
}

JcChecklist *
jc_checklist_load_signed_file (const char *path, const guint8 *hq_public_key, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *sig_path = NULL;
  char *sig_data = NULL;
  gsize sig_len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if ((bytes = read_limited (path, error)) == NULL)
    return NULL;
  sig_path = g_strconcat (path, ".sig", NULL);
  if (!g_file_test (sig_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SIGNATURE,
                   _("%s: not signed (no %s): a checklist that is not built into Jiancha must come with HQ's signature"),
                   path, sig_path);
      return NULL;
    }
  if (!g_file_get_contents (sig_path, &sig_data, &sig_len, NULL))
    {
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SIGNATURE,
                   _("%s: cannot read the signature %s"), path, sig_path);
      return NULL;
    }
  signature = g_bytes_new_take (sig_data, sig_len);
  return jc_checklist_load_signed_bytes (bytes, signature, hq_public_key, path, error);
}

/* ---------------------------------------------------------------------- */
/* Accessors                                                              */

JcChecklist *
jc_checklist_ref (JcChecklist *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
jc_checklist_unref (JcChecklist *self)
{
  g_atomic_rc_box_release_full (self, checklist_clear);
}

const char *
jc_checklist_get_id (JcChecklist *self)
{
  return self->id;
}

guint
jc_checklist_get_version (JcChecklist *self)
{
  return self->version;
}

const char *
jc_checklist_get_key (JcChecklist *self)
{
  return self->key;
}

const char *
jc_checklist_get_title (JcChecklist *self)
{
  return self->title;
}

const char *
jc_checklist_get_source (JcChecklist *self)
{
  return self->source;
}

const char * const *
jc_checklist_get_source_notes (JcChecklist *self)
{
  return self->source_notes;
}

const char *
jc_checklist_get_code_prefix (JcChecklist *self)
{
  return self->code_prefix;
}

JcInstitutionKind
jc_checklist_get_applies_to (JcChecklist *self)
{
  return self->applies_to;
}

gboolean
jc_checklist_applies_to (JcChecklist *self, JcInstitutionKind kind)
{
  return (self->applies_to & kind) != 0;
}

const char *
jc_checklist_get_sha256 (JcChecklist *self)
{
  return self->sha256;
}

guint
jc_checklist_get_n_sections (JcChecklist *self)
{
  return self->n_sections;
}

const JcChecklistSection *
jc_checklist_get_section (JcChecklist *self, guint i)
{
  g_return_val_if_fail (i < self->n_sections, NULL);
  return &self->sections[i];
}

guint
jc_checklist_get_n_items (JcChecklist *self)
{
  return self->n_items;
}

const JcChecklistItem *
jc_checklist_get_item (JcChecklist *self, guint i)
{
  g_return_val_if_fail (i < self->n_items, NULL);
  return &self->items[i];
}

const JcChecklistItem *
jc_checklist_lookup (JcChecklist *self, const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);
  return g_hash_table_lookup (self->by_code, code);
}

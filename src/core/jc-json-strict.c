/* jc-json-strict.c — strict JSON (RFC 8259) for what is signed
 *
 * json-glib is lenient: it takes comments, single quotes and duplicate
 * members (the last wins), turns 1e400 into "inf.0" and cuts strings at
 * \u0000. A signed body must mean one thing to every reader, so it is
 * checked against the RFC first, with those cases refused, and nesting
 * bounded (json-glib's parser recurses). The same pass builds the tree
 * json-glib's parser would (where a check passes @out); a body with a
 * number that is not a 64-bit integer is left to json-glib's parser
 * (@c->defer), so its reading of floats stays the one reading. A check
 * that builds nothing allocates nothing per member either: HQ checks every
 * event of a bundle and reads few of the bodies.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "jc-json-strict.h"

struct _JcJsonMembers
{
  char         *arena;    /* the decoded names and strings, each ending in NUL */
  guint         n;
  JcJsonMember  members[];
};

#define JSON_MAX_DEPTH 64
/* members of one object compared pairwise; more go through a hash table */
#define JSON_LINEAR_NAMES 32

typedef struct {
  gsize offset;  /* in JsonCheck.names */
  gsize len;
} JsonName;

typedef struct {
  const char *p;
  const char *start;
  const char *end;
  const char *problem;
  GString    *text;      /* the decoded string, when building */
  gboolean    defer;     /* a number json-glib must read */
  /* the decoded member names of the objects being read, innermost last,
   * for the duplicate check (building or not) */
  GString    *names;
  GArray     *spans;     /* JsonName */
} JsonCheck;

static gboolean json_check_value (JsonCheck *c, guint depth, JsonNode **out);

static gboolean
json_fail (JsonCheck  *c,
           const char *problem)
{
  c->problem = problem;
  return FALSE;
}

static void
json_skip_ws (JsonCheck *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

/* The value of the 4 hex digits at @p (of a \u escape), or -1. */
int
jc_json_hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* A string; its decoded text is appended to @out when not NULL. */
static gboolean
json_check_string (JsonCheck *c,
                   GString   *out)
{
  c->p++;  /* the opening quote */
  while (c->p < c->end && *c->p != '"')
    {
      guchar ch = *c->p;

      if (ch < 0x20)
        return json_fail (c, N_("a control character in a string"));
      if (ch != '\\')
        {
          /* the plain run up to the next quote, escape or control, at once */
          const char *run = c->p;

          while (c->p < c->end && (guchar) *c->p >= 0x20 && *c->p != '"' && *c->p != '\\')
            c->p++;
          if (out != NULL)
            g_string_append_len (out, run, c->p - run);
          continue;
        }
      if (c->end - c->p < 2)
        return json_fail (c, N_("an unfinished escape"));
      switch (c->p[1])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          if (out != NULL)
            {
              static const char escape[] = "\"\\/bfnrt", meaning[] = "\"\\/\b\f\n\r\t";

              g_string_append_c (out, meaning[strchr (escape, c->p[1]) - escape]);
            }
          c->p += 2;
          break;
        case 'u':
          {
            int u, lo;

            if (c->end - c->p < 6 || (u = jc_json_hex4 (c->p + 2)) < 0)
              return json_fail (c, N_("a bad \\u escape"));
            if (u == 0)
              return json_fail (c, N_("\\u0000 in a string"));
            c->p += 6;
            if (u >= 0xdc00 && u <= 0xdfff)
              return json_fail (c, N_("a lone surrogate escape"));
            if (u >= 0xd800 && u <= 0xdbff)
              {
                if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' ||
                    (lo = jc_json_hex4 (c->p + 2)) < 0xdc00 || lo > 0xdfff)
                  return json_fail (c, N_("a lone surrogate escape"));
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                c->p += 6;
              }
            if (out != NULL)
              g_string_append_unichar (out, u);
          }
          break;
        default:
          return json_fail (c, N_("an unknown escape"));
        }
    }
  if (c->p >= c->end)
    return json_fail (c, N_("an unterminated string"));
  c->p++;
  return TRUE;
}

/* A number; *@out is its value when it is an integer whose every reading
 * agrees, otherwise c->defer is set. */
static gboolean
json_check_number (JsonCheck *c,
                   gint64    *out)
{
  const char *begin = c->p;
  gboolean integer = TRUE;
  char buf[64];
  double v;

  if (*c->p == '-')
    c->p++;
  if (c->p < c->end && *c->p == '0')
    c->p++;
  else if (c->p < c->end && *c->p >= '1' && *c->p <= '9')
    while (c->p < c->end && g_ascii_isdigit (*c->p))
      c->p++;
  else
    return json_fail (c, N_("a bad number"));
  if (c->p < c->end && *c->p == '.')
    {
      integer = FALSE;
      c->p++;
      if (c->p >= c->end || !g_ascii_isdigit (*c->p))
        return json_fail (c, N_("a bad number"));
      while (c->p < c->end && g_ascii_isdigit (*c->p))
        c->p++;
    }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
    {
      integer = FALSE;
      c->p++;
      if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
        c->p++;
      if (c->p >= c->end || !g_ascii_isdigit (*c->p))
        return json_fail (c, N_("a bad number"));
      while (c->p < c->end && g_ascii_isdigit (*c->p))
        c->p++;
    }
  if ((gsize) (c->p - begin) >= sizeof buf)
    return json_fail (c, N_("a number longer than 63 characters"));
  memcpy (buf, begin, c->p - begin);
  buf[c->p - begin] = '\0';
  v = g_ascii_strtod (buf, NULL);
  if (isinf (v) || isnan (v))
    return json_fail (c, N_("a number out of range"));
  /* 15 digits: no reading of the integer can differ from json-glib's */
  if (!integer || c->p - begin > 15 + (*begin == '-'))
    c->defer = TRUE;
  else
    *out = g_ascii_strtoll (buf, NULL, 10);
  return TRUE;
}

static gboolean
json_check_literal (JsonCheck  *c,
                    const char *word,
                    JsonNode  **out)
{
  gsize n = strlen (word);

  if ((gsize) (c->end - c->p) < n || memcmp (c->p, word, n) != 0)
    return json_fail (c, N_("an unexpected character"));
  c->p += n;
  if (out != NULL)
    *out = word[0] == 'n' ? json_node_init_null (json_node_alloc ())
                          : json_node_init_boolean (json_node_alloc (), word[0] == 't');
  return TRUE;
}

/* Reads a member name; FALSE if it is not a string or is a duplicate. It
 * joins the names of the object whose names start at @first (@many: its
 * hash table, once it has more names than are worth comparing one by
 * one); when building, its text is in c->text too. The check never asks
 * the tree: a member json-glib must read is not in it. */
static gboolean
json_check_name (JsonCheck   *c,
                 guint        first,
                 GHashTable **many)
{
  JsonName name;

  json_skip_ws (c);
  if (c->p >= c->end || *c->p != '"')
    return json_fail (c, N_("a member name that is not a string"));
  name.offset = c->names->len;
  if (!json_check_string (c, c->names))
    return FALSE;
  name.len = c->names->len - name.offset;
  if (c->text != NULL)
    g_string_append_len (g_string_truncate (c->text, 0), c->names->str + name.offset, name.len);
  if (*many == NULL && c->spans->len - first == JSON_LINEAR_NAMES)
    {
      *many = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = first; i < c->spans->len; i++)
        {
          JsonName *n = &g_array_index (c->spans, JsonName, i);

          g_hash_table_add (*many, g_strndup (c->names->str + n->offset, n->len));
        }
    }
  if (*many != NULL)
    {
      if (!g_hash_table_add (*many, g_strndup (c->names->str + name.offset, name.len)))
        return json_fail (c, N_("a duplicate member name"));
      g_string_truncate (c->names, name.offset);
      return TRUE;
    }
  for (guint i = first; i < c->spans->len; i++)
    {
      JsonName *n = &g_array_index (c->spans, JsonName, i);

      if (n->len == name.len && memcmp (c->names->str + n->offset, c->names->str + name.offset, name.len) == 0)
        return json_fail (c, N_("a duplicate member name"));
    }
  g_array_append_val (c->spans, name);
  return TRUE;
}

static gboolean
json_check_object (JsonCheck *c,
                   guint      depth,
                   JsonNode **out)
{
  g_autoptr(GHashTable) many = NULL;
  g_autoptr(JsonObject) object = NULL;
  guint first = c->spans->len;
  gsize names_len = c->names->len;
  gboolean ok = FALSE;

  if (out != NULL)
    object = json_object_new ();
  c->p++;
  json_skip_ws (c);
  if (c->p < c->end && *c->p == '}')
    {
      c->p++;
      goto done;
    }
  for (;;)
    {
      g_autofree char *name = NULL;
      JsonNode *member = NULL;

      if (!json_check_name (c, first, &many))
        goto out;
      json_skip_ws (c);
      if (c->p >= c->end || *c->p != ':')
        {
          json_fail (c, N_("a missing ':'"));
          goto out;
        }
      c->p++;
      /* the value overwrites c->text: the member is added under a copy */
      if (object != NULL)
        name = g_strndup (c->text->str, c->text->len);
      if (!json_check_value (c, depth + 1, object != NULL && !c->defer ? &member : NULL))
        goto out;
      if (member != NULL)
        json_object_set_member (object, name, member);
      json_skip_ws (c);
      if (c->p < c->end && *c->p == ',')
        {
          c->p++;
          continue;
        }
      if (c->p < c->end && *c->p == '}')
        {
          c->p++;
          goto done;
        }
      json_fail (c, N_("a missing ',' or '}'"));
      goto out;
    }
done:
  if (out != NULL)
    *out = json_node_init_object (json_node_alloc (), object);
  ok = TRUE;
out:
  /* this object's names are done with */
  g_array_set_size (c->spans, first);
  g_string_truncate (c->names, names_len);
  return ok;
}

static gboolean
json_check_array (JsonCheck *c,
                  guint      depth,
                  JsonNode **out)
{
  g_autoptr(JsonArray) array = out != NULL ? json_array_new () : NULL;

  c->p++;
  json_skip_ws (c);
  if (c->p < c->end && *c->p == ']')
    {
      c->p++;
      goto done;
    }
  for (;;)
    {
      JsonNode *element = NULL;

      if (!json_check_value (c, depth + 1, out != NULL && !c->defer ? &element : NULL))
        return FALSE;
      if (element != NULL)
        json_array_add_element (array, element);
      json_skip_ws (c);
      if (c->p < c->end && *c->p == ',')
        {
          c->p++;
          continue;
        }
      if (c->p < c->end && *c->p == ']')
        {
          c->p++;
          goto done;
        }
      return json_fail (c, N_("a missing ',' or ']'"));
    }
done:
  if (out != NULL)
    *out = json_node_init_array (json_node_alloc (), array);
  return TRUE;
}

static gboolean
json_check_value (JsonCheck *c,
                  guint      depth,
                  JsonNode **out)
{
  if (depth > JSON_MAX_DEPTH)
    return json_fail (c, N_("nesting deeper than 64 levels"));
  json_skip_ws (c);
  if (c->p >= c->end)
    return json_fail (c, N_("a missing value"));
  switch (*c->p)
    {
    case '{': return json_check_object (c, depth, out);
    case '[': return json_check_array (c, depth, out);
    case '"':
      if (out != NULL)
        g_string_truncate (c->text, 0);
      if (!json_check_string (c, out != NULL ? c->text : NULL))
        return FALSE;
      if (out != NULL)
        *out = json_node_init_string (json_node_alloc (), c->text->str);
      return TRUE;
    case 't': return json_check_literal (c, "true", out);
    case 'f': return json_check_literal (c, "false", out);
    case 'n': return json_check_literal (c, "null", out);
    default:
      if (*c->p == '-' || g_ascii_isdigit (*c->p))
        {
          gint64 v;

          if (!json_check_number (c, &v))
            return FALSE;
          if (out != NULL && !c->defer)
            *out = json_node_init_int (json_node_alloc (), v);
          return TRUE;
        }
      return json_fail (c, N_("an unexpected character"));
    }
}

/* Checks that @text is one strict JSON object; otherwise @out_problem says
 * what is wrong (to follow "the body"). With @out_node, builds its tree too,
 * unless a number leaves that to json-glib (*@out_node stays NULL). With
 * @out_defer, says whether one does. */
gboolean
jc_json_strict_check (const char  *text,
                      gsize        len,
                      JsonNode   **out_node,
                      gboolean    *out_defer,
                      char       **out_problem)
{
  g_autoptr(GString) buf = out_node != NULL ? g_string_sized_new (64) : NULL;
  g_autoptr(GString) names = g_string_sized_new (128);
  g_autoptr(GArray) spans = g_array_sized_new (FALSE, FALSE, sizeof (JsonName), 16);
  g_autoptr(JsonNode) node = NULL;
  JsonCheck check = { text, text, text + len, NULL, buf, FALSE, names, spans };

  if (!g_utf8_validate_len (text, len, NULL))
    {
      *out_problem = g_strdup (_("is not valid UTF-8"));
      return FALSE;
    }
  json_skip_ws (&check);
  if (check.p >= check.end || *check.p != '{')
    {
      *out_problem = g_strdup (_("is not a JSON object"));
      return FALSE;
    }
  if (json_check_value (&check, 0, out_node != NULL ? &node : NULL))
    {
      json_skip_ws (&check);
      if (check.p != check.end)
        json_fail (&check, N_("text after the object"));
    }
  if (check.problem != NULL)
    {
      *out_problem = g_strdup_printf (_("is not strict JSON: %s at byte %zu"),
                                      _(check.problem), (gsize) (check.p - check.start));
      return FALSE;
    }
  if (out_node != NULL && !check.defer)
    {
      json_node_seal (node);
      *out_node = g_steal_pointer (&node);
    }
  if (out_defer != NULL)
    *out_defer = check.defer;
  return TRUE;
}

/* Parses @text as one strict JSON object into @out_node. */
gboolean
jc_json_strict_parse (const char  *text,
                      gsize        len,
                      JsonNode   **out_node,
                      char       **out_problem)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;

  if (!jc_json_strict_check (text, len, out_node, NULL, out_problem))
    return FALSE;
  if (*out_node != NULL)
    return TRUE;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, len, &error))
    {
      *out_problem = g_strdup_printf (_("is not valid JSON: %s"), error->message);
      return FALSE;
    }
  *out_node = json_parser_steal_root (parser);
  return TRUE;
}

/* Past one object or array of a checked body: its brackets counted,
 * strings skipped whole. */
static const char *
skip_checked (const char *p)
{
  int depth = 0;

  do
    {
      if (*p == '"')
        for (p++; *p != '"'; p++)
          p += *p == '\\';
      else if (*p == '{' || *p == '[')
        depth++;
      else if (*p == '}' || *p == ']')
        depth--;
      p++;
    }
  while (depth > 0);
  return p;
}

/* Reads the members of the checked @text into @index, which has room for
 * them, and their names and strings into @arena (@len + 1 long: nothing
 * decodes longer than its quoted source). */
static guint
read_members (const char    *text,
              gsize          len,
              JcJsonMembers *index,
              GString       *arena)
{
  JsonCheck c = { text, text, text + len, NULL, NULL, FALSE, NULL, NULL };
  gboolean array;
  guint n = 0;

  json_skip_ws (&c);
  array = *c.p == '[';
  c.p++;  /* the '{' or '[' */
  for (;;)
    {
      JcJsonMember *m = &index->members[n];

      json_skip_ws (&c);
      if (*c.p == '}' || *c.p == ']')
        return n;
      m->name = GSIZE_TO_POINTER (arena->len);
      if (!array)
        {
          json_check_string (&c, arena);
          json_skip_ws (&c);
          c.p++;  /* the ':' */
          json_skip_ws (&c);
        }
      g_string_append_c (arena, '\0');  /* an element's name is "" */
      m->raw = c.p;
      if (*c.p == '"')
        {
          m->type = JC_JSON_MEMBER_STRING;
          m->string = GSIZE_TO_POINTER (arena->len);
          json_check_string (&c, arena);
          g_string_append_c (arena, '\0');
        }
      else if (*c.p == '-' || g_ascii_isdigit (*c.p))
        {
          gint64 v = 0;

          c.defer = FALSE;
          json_check_number (&c, &v);
          m->type = c.defer ? JC_JSON_MEMBER_DEFERRED : JC_JSON_MEMBER_INT;
          m->integer = v;
        }
      else
        {
          if (*c.p == '{' || *c.p == '[')
            c.p = skip_checked (c.p);
          else
            c.p += *c.p == 'f' ? 5 : 4;  /* false, true, null */
          m->type = JC_JSON_MEMBER_OTHER;
        }
      m->raw_len = c.p - m->raw;
      n++;
      json_skip_ws (&c);
      c.p += *c.p == ',';
    }
}

/* The members of @text, an object that passed jc_json_strict_check() or
 * one of its objects or arrays (a member's raw text); of an array, its
 * elements, in order, each named "". */
JcJsonMembers *
jc_json_members_new (const char *text,
                     gsize       len)
{
  GString *arena = g_string_sized_new (len + 1);
  const char *open = text + strspn (text, " \t\n\r");
  /* room for every member, read in one pass: a member takes 5 bytes at
   * least ("":0,), an element 2 (0,) */
  gsize room = (len + 1) / (*open == '[' ? 2 : 5) + 1;
  JcJsonMembers *index = g_malloc (sizeof (JcJsonMembers) + room * sizeof (JcJsonMember));
  guint n;

  n = read_members (text, len, index, arena);
  index = g_realloc (index, sizeof (JcJsonMembers) + n * sizeof (JcJsonMember));
  index->n = n;
  /* the arena is complete, so its offsets become pointers */
  for (guint i = 0; i < n; i++)
    {
      JcJsonMember *m = &index->members[i];

      m->name = arena->str + GPOINTER_TO_SIZE (m->name);
      if (m->type == JC_JSON_MEMBER_STRING)
        m->string = arena->str + GPOINTER_TO_SIZE (m->string);
    }
  index->arena = g_string_free (arena, FALSE);
  return index;
}

const JcJsonMember *
jc_json_members_lookup (const JcJsonMembers *members,
                        const char          *name)
{
  for (guint i = 0; i < members->n; i++)
    if (strcmp (members->members[i].name, name) == 0)
      return &members->members[i];
  return NULL;
}

/* The member @name when it is a string, else NULL (@members may be NULL:
 * nothing is found there). */
const char *
jc_json_members_get_string (const JcJsonMembers *members,
                            const char          *name)
{
  const JcJsonMember *m = members != NULL ? jc_json_members_lookup (members, name) : NULL;

  return m != NULL && m->type == JC_JSON_MEMBER_STRING ? m->string : NULL;
}

/* Sets *@out to the member @name when it is an integer as json-glib reads
 * it (G_TYPE_INT64), else returns FALSE. A number the index leaves to
 * json-glib (a float, or more than 15 digits) is read by json-glib from
 * the member's own text, which it reads as it would inside the object. */
gboolean
jc_json_members_get_int (const JcJsonMembers *members,
                         const char          *name,
                         gint64              *out)
{
  const JcJsonMember *m = jc_json_members_lookup (members, name);
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *node;

  if (m != NULL && m->type == JC_JSON_MEMBER_INT)
    {
      *out = m->integer;
      return TRUE;
    }
  if (m == NULL || m->type != JC_JSON_MEMBER_DEFERRED)
    return FALSE;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, m->raw, m->raw_len, NULL))
    return FALSE;
  node = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

guint
jc_json_members_get_n (const JcJsonMembers *members)
{
  return members->n;
}

const JcJsonMember *
jc_json_members_get (const JcJsonMembers *members,
                     guint                i)
{
  g_return_val_if_fail (i < members->n, NULL);
  return &members->members[i];
}

void
jc_json_members_free (JcJsonMembers *members)
{
  if (members == NULL)
    return;
  g_free (members->arena);
  g_free (members);
}


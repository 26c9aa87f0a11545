/* jc-json-scan.c — a strict JSON scanner that knows where things are */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-json-scan.h"
#include "jc-json-strict.h"

typedef struct {
  const char *start;
  const char *p;
  const char *end;
  guint       line;
  const char *line_start;

  /* The path being read, for messages (check mode only). */
  JcJsonStep  steps[JC_JSON_SCAN_MAX_DEPTH + 1];
  char       *names[JC_JSON_SCAN_MAX_DEPTH + 1];
  guint       n_steps;
  gboolean    checking;

  /* Locate mode: stop at the value whose path is @target. */
  const JcJsonStep *target;
  guint             n_target;
  gboolean          found;

  JcJsonPos   pos;
  char       *message;
} Scan;

static JcJsonPos
pos_at (Scan *s, const char *at)
{
  JcJsonPos pos;

  /* Strings never span lines in strict JSON, so @at is on the current line. */
  pos.line = s->line;
  pos.column = (guint) g_utf8_strlen (s->line_start, at - s->line_start) + 1;
  return pos;
}

char *
jc_json_path_format (const JcJsonStep *path, guint n_steps)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < n_steps; i++)
    {
      if (path[i].name != NULL)
        {
          if (str->len > 0)
            g_string_append_c (str, '.');
          g_string_append (str, path[i].name);
        }
      else
        g_string_append_printf (str, "[%u]", path[i].index);
    }
  return g_string_free (str, FALSE);
}

G_GNUC_PRINTF (3, 4)
static gboolean
fail (Scan *s, const char *at, const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *path = NULL;
  va_list args;

  if (!s->checking || s->message != NULL)
    return FALSE;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (s->n_steps <= 12)
    path = jc_json_path_format (s->steps, s->n_steps);
  else
    {
      /* Deep nesting: the start and the end of the path say enough. */
      g_autofree char *head = jc_json_path_format (s->steps, 6);
      g_autofree char *tail = jc_json_path_format (s->steps + s->n_steps - 3, 3);

      path = g_strdup_printf ("%s…%s", head, tail);
    }
  s->pos = pos_at (s, at);
  s->message = path[0] != '\0' ? g_strdup_printf ("%s: %s", path, what) : g_steal_pointer (&what);
  return FALSE;
}

static gboolean
at_end (Scan *s)
{
  return s->p >= s->end;
}

static void
skip_ws (Scan *s)
{
  while (s->p < s->end)
    {
      char c = *s->p;

      if (c == '\n')
        {
          s->line++;
          s->line_start = s->p + 1;
        }
      else if (c != ' ' && c != '\t' && c != '\r')
        return;
      s->p++;
    }
}

static gboolean
fail_unexpected (Scan *s, const char *expected)
{
  if (at_end (s))
    return fail (s, s->p, _("unexpected end of input (expected %s)"), expected);
  if ((guchar) *s->p < 0x80 && g_ascii_isprint (*s->p))
    return fail (s, s->p, _("unexpected “%c” (expected %s)"), *s->p, expected);
  return fail (s, s->p, _("unexpected character (expected %s)"), expected);
}

/* Reads a string at s->p (on its opening quote); appends its decoded value
 * to @out when @out is not NULL. */
static gboolean
scan_string (Scan *s, GString *out)
{
  const char *open = s->p;

  s->p++;
  for (;;)
    {
      guchar c;

      if (at_end (s))
        return fail (s, open, _("unterminated string"));
      c = (guchar) *s->p;
      if (c == '"')
        {
          s->p++;
          return TRUE;
        }
      if (c < 0x20)
        return fail (s, s->p, _("line break or control character inside a string"));
      if (c == '\\')
        {
          const char *esc = s->p;
          char e;

          if (s->end - s->p < 2)
            return fail (s, open, _("unterminated string"));
          e = s->p[1];
          s->p += 2;
          switch (e)
            {
            case '"': case '\\': case '/':
              if (out) g_string_append_c (out, e);
              break;
            case 'b': if (out) g_string_append_c (out, '\b'); break;
            case 'f': if (out) g_string_append_c (out, '\f'); break;
            case 'n': if (out) g_string_append_c (out, '\n'); break;
            case 'r': if (out) g_string_append_c (out, '\r'); break;
            case 't': if (out) g_string_append_c (out, '\t'); break;
            case 'u':
              {
                int u;
                gunichar ch;

                if (s->end - s->p < 4 || (u = jc_json_hex4 (s->p)) < 0)
                  return fail (s, esc, _("invalid \\u escape"));
                s->p += 4;
                if (u == 0)
                  return fail (s, esc, _("\\u0000 is not allowed"));
                if (u >= 0xDC00 && u <= 0xDFFF)
                  return fail (s, esc, _("invalid \\u escape: lone low surrogate"));
                if (u >= 0xD800 && u <= 0xDBFF)
                  {
                    int lo;

                    if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
                        (lo = jc_json_hex4 (s->p + 2)) < 0xDC00 || lo > 0xDFFF)
                      return fail (s, esc, _("invalid \\u escape: unpaired high surrogate"));
                    s->p += 6;
                    ch = 0x10000 + (((gunichar) u - 0xD800) << 10) + ((gunichar) lo - 0xDC00);
                  }
                else
                  ch = (gunichar) u;
                if (out)
                  g_string_append_unichar (out, ch);
              }
              break;
            default:
              return fail (s, esc, _("invalid escape “\\%c”"), g_ascii_isprint (e) ? e : '?');
            }
          continue;
        }
      {
        /* The whole input was UTF-8 checked before scanning. */
        const char *next = g_utf8_next_char (s->p);

        if (out)
          g_string_append_len (out, s->p, next - s->p);
        s->p = next;
      }
    }
}

static gboolean
scan_number (Scan *s)
{
  const char *begin = s->p;

  if (*s->p == '-')
    s->p++;
  if (at_end (s) || !g_ascii_isdigit (*s->p))
    return fail (s, begin, _("invalid number"));
  if (*s->p == '0')
    s->p++;
  else
    while (!at_end (s) && g_ascii_isdigit (*s->p))
      s->p++;
  /* RFC 8259 lets a parser limit the range: json-glib would silently
   * turn a longer integer into a wrong one. */
  if (s->p - begin > 15 + (*begin == '-'))
    return fail (s, begin, _("number with too many digits (at most 15)"));
  if (!at_end (s) && *s->p == '.')
    {
      s->p++;
      if (at_end (s) || !g_ascii_isdigit (*s->p))
        return fail (s, begin, _("invalid number"));
      while (!at_end (s) && g_ascii_isdigit (*s->p))
        s->p++;
    }
  if (!at_end (s) && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (!at_end (s) && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (at_end (s) || !g_ascii_isdigit (*s->p))
        return fail (s, begin, _("invalid number"));
      while (!at_end (s) && g_ascii_isdigit (*s->p))
        s->p++;
    }
  if (!at_end (s) && (g_ascii_isalnum (*s->p) || *s->p == '.'))
    return fail (s, begin, _("invalid number"));
  return TRUE;
}

static gboolean
scan_literal (Scan *s, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0 ||
      ((gsize) (s->end - s->p) > n && g_ascii_isalnum (s->p[n])))
    return fail (s, s->p, _("invalid literal (expected a string, number, object, array, true, false or null)"));
  s->p += n;
  return TRUE;
}

static gboolean scan_value (Scan *s, guint depth, int level);

static void
push_step (Scan *s, char *name, guint index)
{
  s->names[s->n_steps] = name;
  s->steps[s->n_steps].name = name;
  s->steps[s->n_steps].index = index;
  s->n_steps++;
}

static void
pop_step (Scan *s)
{
  s->n_steps--;
  g_clear_pointer (&s->names[s->n_steps], g_free);
}

/* @level: how many steps of the locate target the path so far matches, or
 * -1 once it has left the target's path. */
static int
child_level (Scan *s, int level, const char *name, guint index)
{
  const JcJsonStep *step;

  if (level < 0 || (guint) level >= s->n_target)
    return -1;
  step = &s->target[level];
  if (name != NULL ? (step->name != NULL && g_str_equal (step->name, name))
                   : (step->name == NULL && step->index == index))
    return level + 1;
  return -1;
}

static gboolean
scan_object (Scan *s, guint depth, int level)
{
  g_autoptr(GHashTable) seen = NULL;

  s->p++;
  skip_ws (s);
  if (!at_end (s) && *s->p == '}')
    {
      s->p++;
      return TRUE;
    }
  if (s->checking)
    seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (;;)
    {
      g_autoptr(GString) key = g_string_new (NULL);
      const char *key_at = s->p;
      char *name;
      gboolean ok;

      if (at_end (s) || *s->p != '"')
        return fail_unexpected (s, _("a member name in double quotes"));
      if (!scan_string (s, key))
        return FALSE;
      if (seen != NULL)
        {
          if (g_hash_table_contains (seen, key->str))
            return fail (s, key_at, _("duplicate member “%s”"), key->str);
          g_hash_table_add (seen, g_strdup (key->str));
        }
      skip_ws (s);
      if (at_end (s) || *s->p != ':')
        return fail_unexpected (s, _("“:” after a member name"));
      s->p++;
      skip_ws (s);
      name = g_string_free (g_steal_pointer (&key), FALSE);
      push_step (s, name, 0);
      ok = scan_value (s, depth + 1, child_level (s, level, name, 0));
      if (!ok)
        return FALSE;
      skip_ws (s);
      if (!at_end (s) && *s->p == ',')
        {
          s->p++;
          skip_ws (s);
          pop_step (s);
          continue;
        }
      if (!at_end (s) && *s->p == '}')
        {
          s->p++;
          pop_step (s);
          return TRUE;
        }
      /* Keep the member on the path: "after items[3].text" says more. */
      return fail_unexpected (s, _("“,” or “}”"));
    }
}

static gboolean
scan_array (Scan *s, guint depth, int level)
{
  guint index = 0;

  s->p++;
  skip_ws (s);
  if (!at_end (s) && *s->p == ']')
    {
      s->p++;
      return TRUE;
    }
  for (;;)
    {
      push_step (s, NULL, index);
      if (!scan_value (s, depth + 1, child_level (s, level, NULL, index)))
        return FALSE;
      skip_ws (s);
      if (!at_end (s) && *s->p == ',')
        {
          s->p++;
          skip_ws (s);
          pop_step (s);
          index++;
          continue;
        }
      if (!at_end (s) && *s->p == ']')
        {
          s->p++;
          pop_step (s);
          return TRUE;
        }
      return fail_unexpected (s, _("“,” or “]”"));
    }
}

static gboolean
scan_value (Scan *s, guint depth, int level)
{
  if (level >= 0 && (guint) level == s->n_target)
    {
      s->found = TRUE;
      s->pos = pos_at (s, s->p);
      return FALSE;   /* stop scanning */
    }
  if (depth > JC_JSON_SCAN_MAX_DEPTH)
    return fail (s, s->p, _("nested more than %d levels deep"), JC_JSON_SCAN_MAX_DEPTH);
  if (at_end (s))
    return fail (s, s->p, _("unexpected end of input (expected a value)"));
  switch (*s->p)
    {
    case '{':
      return scan_object (s, depth, level);
    case '[':
      return scan_array (s, depth, level);
    case '"':
      return scan_string (s, NULL);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      if (*s->p == '-' || g_ascii_isdigit (*s->p))
        return scan_number (s);
      return fail_unexpected (s, _("a value"));
    }
}

static void
scan_init (Scan *s, const char *data, gsize len)
{
  memset (s, 0, sizeof *s);
  s->start = s->p = s->line_start = data;
  s->end = data + len;
  s->line = 1;
}

static void
scan_clear (Scan *s)
{
  while (s->n_steps > 0)
    pop_step (s);
}

gboolean
jc_json_scan_check (const char *data, gsize len, JcJsonPos *pos, char **message)
{
  Scan s;
  const char *bad;
  gboolean cut_char = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  scan_init (&s, data, len);
  s.checking = TRUE;

  if (!g_utf8_validate_len (data, len, &bad))
    {
      /* A file cut short often ends inside a character: read what comes
       * before it, so the message says which field was cut. */
      if (g_utf8_get_char_validated (bad, data + len - bad) == (gunichar) -2)
        {
          cut_char = TRUE;
          s.end = bad;
        }
      else
        {
          /* Count lines up to the bad byte so the message points at it. */
          for (const char *q = data; q < bad; q++)
            if (*q == '\n')
              {
                s.line++;
                s.line_start = q + 1;
              }
          fail (&s, bad, *bad == '\0' ? _("NUL byte in input") : _("invalid UTF-8"));
          goto out;
        }
    }

  skip_ws (&s);
  if (at_end (&s))
    {
      fail (&s, s.p, _("empty input (expected a JSON value)"));
      goto out;
    }
  if (!scan_value (&s, 1, -1))
    goto out;
  skip_ws (&s);
  if (!at_end (&s))
    fail (&s, s.p, _("unexpected data after the end of the JSON value"));
  else if (cut_char)
    fail (&s, s.p, _("input ends inside a UTF-8 character"));

out:
  scan_clear (&s);
  if (s.message == NULL)
    return TRUE;
  if (pos != NULL)
    *pos = s.pos;
  if (message != NULL)
    *message = g_steal_pointer (&s.message);
  g_free (s.message);
  return FALSE;
}

gboolean
jc_json_scan_locate (const char       *data,
                     gsize             len,
                     const JcJsonStep *path,
                     guint             n_steps,
                     JcJsonPos        *pos)
{
  Scan s;

  scan_init (&s, data, len);
  s.target = path;
  s.n_target = n_steps;
  skip_ws (&s);
  scan_value (&s, 1, 0);
  scan_clear (&s);
  if (s.found && pos != NULL)
    *pos = s.pos;
  return s.found;
}

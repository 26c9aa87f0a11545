/* jc-csv.c — CSV files as Excel writes them (RFC 4180) */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-csv.h"

G_DEFINE_QUARK (jc-csv-error-quark, jc_csv_error)

static void
row_free (gpointer data)
{
  JcCsvRow *row = data;

  g_strfreev (row->fields);
  g_free (row);
}

static JcCsvRow *
row_new (guint line, GPtrArray *fields)
{
  JcCsvRow *row = g_new0 (JcCsvRow, 1);

  row->line = line;
  g_ptr_array_add (fields, NULL);
  row->fields = (char **) g_ptr_array_free (fields, FALSE);
  return row;
}

static void
syntax_error (GError **error, const char *name, guint line, guint column, const char *message)
{
  g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_SYNTAX, _("%s:%u: column %u: %s"), name, line, column, message);
}

/* Checks that the record starting at @start (line @line) is UTF-8, so the
 * message names the line rather than the file. */
static gboolean
check_utf8 (const char *name, const char *start, const char *end, guint line, GError **error)
{
  const char *bad = NULL;

  if (g_utf8_validate (start, end - start, &bad))
    return TRUE;
  if (bad != NULL && *bad == '\0' && bad < end)
    {
      g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_SYNTAX,
                   _("%s:%u: a NUL byte: this is not a text file"), name, line);
      return FALSE;
    }
  g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_SYNTAX,
               _("%s:%u: not UTF-8 text; in Excel save as “CSV UTF-8 (逗号分隔)”"), name, line);
  return FALSE;
}

GPtrArray *
jc_csv_parse (const char *name, const char *text, gsize len, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (row_free);
  const char *p = text, *end = text + len;
  guint line = 1;

  if (len >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  while (p < end)
    {
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
      const char *record = p;
      guint record_line = line;
      gboolean at_eol = FALSE;

      while (!at_eol)
        {
          g_autoptr(GString) field = g_string_new (NULL);
          guint column = fields->len + 1;

          if (p < end && *p == '"')
            {
              guint quote_line = line;

              for (p++;; p++)
                {
                  if (p == end)
                    {
                      g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_SYNTAX,
                                   _("%s:%u: column %u: the quoted field that starts here never ends"),
                                   name, quote_line, column);
                      return NULL;
                    }
                  if (*p == '"' && p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      p++;
                    }
                  else if (*p == '"')
                    {
                      p++;
                      break;
                    }
                  else
                    {
                      if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] != '\n')))
                        line++;
                      g_string_append_c (field, *p);
                    }
                }
              if (p < end && *p != ',' && *p != '\n' && *p != '\r')
                {
                  syntax_error (error, name, line, column,
                                _("text after the closing quote; double a quote inside a quoted field (\"\")"));
                  return NULL;
                }
            }
          else
            {
              for (; p < end && *p != ',' && *p != '\n' && *p != '\r'; p++)
                {
                  if (*p == '"')
                    {
                      syntax_error (error, name, line, column,
                                    _("a quote inside a field that is not quoted; "
                                      "put the field in quotes and double the quote"));
                      return NULL;
                    }
                  g_string_append_c (field, *p);
                }
            }
          g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));

          if (p < end && *p == ',')
            p++;
          else
            {
              at_eol = TRUE;
              if (p < end && *p == '\r')
                p++;
              if (p < end && *p == '\n')
                p++;
              line++;
            }
        }
      if (!check_utf8 (name, record, p, record_line, error))
        return NULL;
      g_ptr_array_add (rows, row_new (record_line, g_steal_pointer (&fields)));
    }
  return g_steal_pointer (&rows);
}

void
jc_csv_table_free (JcCsvTable *table)
{
  if (table == NULL)
    return;
  g_free (table->name);
  g_clear_pointer (&table->rows, g_ptr_array_unref);
  g_free (table);
}

void
jc_csv_set_error (GError           **error,
                  const JcCsvTable  *table,
                  guint              line,
                  const char        *column,
                  const char        *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_INVALID, _("%s:%u: column %s: %s"),
               table->name, line, column, message);
}

/* The index of each of @columns in @header (the file's first record). */
static gboolean
map_header (const char          *name,
            const JcCsvRow      *header,
            const char * const  *columns,
            guint               *map,
            GError             **error)
{
  g_autofree char *expected = g_strjoinv (",", (char **) columns);
  guint n = g_strv_length ((char **) columns);
  guint n_header = g_strv_length (header->fields);

  for (guint c = 0; c < n; c++)
    map[c] = G_MAXUINT;
  for (guint h = 0; h < n_header; h++)
    {
      g_autofree char *title = g_strstrip (g_strdup (header->fields[h]));
      guint c;

      for (c = 0; c < n && !g_str_equal (columns[c], title); c++)
        ;
      if (c == n || map[c] != G_MAXUINT)
        {
          g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_HEADER,
                       c == n ? _("%s:%u: column %u: unknown column “%s”; the header must be “%s”")
                              : _("%s:%u: column %u: column “%s” named twice; the header must be “%s”"),
                       name, header->line, h + 1, title, expected);
          return FALSE;
        }
      map[c] = h;
    }
  for (guint c = 0; c < n; c++)
    if (map[c] == G_MAXUINT)
      {
        g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_HEADER,
                     _("%s:%u: column %s: missing from the header; the header must be “%s”"),
                     name, header->line, columns[c], expected);
        return FALSE;
      }
  return TRUE;
}

static gboolean
all_empty (char **fields)
{
  for (; *fields != NULL; fields++)
    if (**fields != '\0')
      return FALSE;
  return TRUE;
}

/* @row's fields in the order of @map, trimmed; NULL with @error when the
 * row does not have one field per column. */
static JcCsvRow *
pick_fields (const char          *name,
             const JcCsvRow      *row,
             const char * const  *columns,
             const guint         *map,
             GError             **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  guint n = g_strv_length ((char **) columns);
  guint n_row = g_strv_length (row->fields);

  if (n_row != n)
    {
      /* Name the first column that is missing, or the first one too many. */
      guint c;

      for (c = 0; c < n && map[c] < n_row; c++)
        ;
      if (n_row < n)
        g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_SHAPE,
                     _("%s:%u: column %s: missing: the line has %u columns, the header %u"),
                     name, row->line, columns[c < n ? c : 0], n_row, n);
      else
        g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_SHAPE,
                     _("%s:%u: column %u: one too many: the line has %u columns, the header %u "
                       "(a comma inside a value needs quotes)"),
                     name, row->line, n + 1, n_row, n);
      return NULL;
    }
  for (guint c = 0; c < n; c++)
    g_ptr_array_add (fields, g_strstrip (g_strdup (row->fields[map[c]])));
  return row_new (row->line, g_steal_pointer (&fields));
}

JcCsvTable *
jc_csv_read_table (const char *path, const char * const *columns, GError **error)
{
  g_autoptr(JcCsvTable) table = g_new0 (JcCsvTable, 1);
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *text = NULL;
  g_autofree guint *map = g_new (guint, g_strv_length ((char **) columns));
  g_autofree char *expected = g_strjoinv (",", (char **) columns);
  gsize len = 0;

  table->name = g_strdup (path);
  table->rows = g_ptr_array_new_with_free_func (row_free);
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_IO, _("Cannot read %s: %s"), path, local->message);
      return NULL;
    }
  records = jc_csv_parse (path, text, len, error);
  if (records == NULL)
    return NULL;
  if (records->len == 0 || all_empty (((JcCsvRow *) records->pdata[0])->fields))
    {
      g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_EMPTY,
                   _("%s:1: the file is empty; its first line must be the header “%s”"), path, expected);
      return NULL;
    }
  if (!map_header (path, records->pdata[0], columns, map, error))
    return NULL;
  for (guint i = 1; i < records->len; i++)
    {
      const JcCsvRow *record = records->pdata[i];
      JcCsvRow *row;

      if (all_empty (record->fields))
        continue;
      row = pick_fields (path, record, columns, map, error);
      if (row == NULL)
        return NULL;
      g_ptr_array_add (table->rows, row);
    }
  if (table->rows->len == 0)
    {
      g_set_error (error, JC_CSV_ERROR, JC_CSV_ERROR_EMPTY,
                   _("%s:%u: nothing after the header line"), path,
                   ((JcCsvRow *) records->pdata[records->len - 1])->line + 1);
      return NULL;
    }
  return g_steal_pointer (&table);
}

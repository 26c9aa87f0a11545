/* jc-hq-table.c — rows of JSON objects written as text, CSV or JSON */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <string.h>

#include "jc-hq-table.h"

char *
jc_hq_table_cell (JsonObject *row, const char *column)
{
  JsonNode *node = json_object_get_member (row, column);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      GString *s = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_string_append_printf (s, "%s%s", i > 0 ? "; " : "",
                                json_node_get_string (json_array_get_element (array, i)) ?: "");
      return g_string_free (s, FALSE);
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "yes" : "no");
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%.1f", json_node_get_double (node));
    default:
      return g_strdup (json_node_get_string (node) ?: "");
    }
}

void
jc_hq_table_csv_field (GString *out, const char *value, gboolean last)
{
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, value);
  g_string_append (out, last ? "\r\n" : ",");
}

char *
jc_hq_table_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  return g_strconcat (text, "\n", NULL);
}

void
jc_hq_table_write (JsonArray *rows, const char * const *columns, JcHqFormat format, GString *out)
{
  guint n = g_strv_length ((char **) columns);

  if (format == JC_HQ_FORMAT_JSON)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *text = NULL;

      json_node_set_array (node, rows);
      text = jc_hq_table_json (node);
      g_string_append (out, text);
      return;
    }
  if (format == JC_HQ_FORMAT_CSV)
    {
      g_string_append (out, "\xEF\xBB\xBF");
      for (guint i = 0; i < n; i++)
        jc_hq_table_csv_field (out, columns[i], i == n - 1);
    }
  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      JsonObject *row = json_array_get_object_element (rows, r);

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *cell = jc_hq_table_cell (row, columns[i]);

          if (format == JC_HQ_FORMAT_CSV)
            jc_hq_table_csv_field (out, cell, i == n - 1);
          else
            g_string_append_printf (out, "%s%s: %s\n", i == 0 ? "" : "  ", columns[i], cell);
        }
      if (format == JC_HQ_FORMAT_TEXT)
        g_string_append_c (out, '\n');
    }
}

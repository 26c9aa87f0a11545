/* jc-hq-report-xlsx.c — the report as an Excel workbook (libxlsxwriter) */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <xlsxwriter.h>

#include "jc-hq-report.h"

/* Amounts go in as numbers of yuan (fen / 100, exact to the cent in a
 * double up to 2^53 fen) with the format 0.00, so Excel can sum them. */
static void
write_row (lxw_worksheet *ws, lxw_row_t r, JsonObject *row, lxw_format *money, lxw_format *bold)
{
  const char * const *columns = jc_hq_report_columns;

  for (lxw_col_t c = 0; columns[c] != NULL; c++)
    {
      const char *name = columns[c];

      if (g_str_equal (name, "group"))
        worksheet_write_string (ws, r, c, json_object_get_string_member (row, "label"), bold);
      else if (g_str_equal (name, "amount") || g_str_equal (name, "recovered"))
        {
          g_autofree char *fen = g_strconcat (name, "_fen", NULL);

          worksheet_write_number (ws, r, c, (double) json_object_get_int_member (row, fen) / 100.0, money);
        }
      else if (g_str_equal (name, "rate"))
        worksheet_write_number (ws, r, c, json_object_get_double_member (row, name), NULL);
      else
        worksheet_write_number (ws, r, c, (double) json_object_get_int_member (row, name), NULL);
    }
}

static gboolean write_workbook (JsonObject *report, const char *path, GError **error);

/* libxlsxwriter prints the numbers with the C library: with LC_NUMERIC "C"
 * (the messages stay translated), so that a decimal comma never reaches
 * the file. */
gboolean
jc_hq_report_write_xlsx (JsonObject *report, const char *path, GError **error)
{
  locale_t base = duplocale (uselocale ((locale_t) 0));
  locale_t c = base != (locale_t) 0 ? newlocale (LC_NUMERIC_MASK, "C", base) : (locale_t) 0;
  locale_t old = c != (locale_t) 0 ? uselocale (c) : (locale_t) 0;
  gboolean ok = write_workbook (report, path, error);

  if (c != (locale_t) 0)
    {
      uselocale (old);
      freelocale (c);
    }
  return ok;
}

static gboolean
write_workbook (JsonObject *report, const char *path, GError **error)
{
  lxw_workbook *wb = workbook_new (path);
  lxw_worksheet *ws;
  lxw_format *bold, *money;
  JsonArray *groups = json_object_get_array_member (report, "groups");
  g_autofree char *title = NULL;
  lxw_error status;
  lxw_row_t r = 0;

  if (wb == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: cannot create the workbook"), path);
      return FALSE;
    }
  ws = workbook_add_worksheet (wb, _("Ledger report"));
  bold = workbook_add_format (wb);
  format_set_bold (bold);
  money = workbook_add_format (wb);
  format_set_num_format (money, "0.00");
  title = g_strdup_printf (_("Problem ledger %s, as of %s"),
                           jc_hq_report_by_label (json_object_get_string_member (report, "by")),
                           json_object_get_string_member (report, "today"));
  worksheet_write_string (ws, r++, 0, title, bold);
  for (lxw_col_t c = 0; jc_hq_report_columns[c] != NULL; c++)
    worksheet_write_string (ws, r, c, jc_hq_report_heading (jc_hq_report_columns[c]), bold);
  r++;
  for (guint i = 0; i < json_array_get_length (groups); i++)
    write_row (ws, r++, json_array_get_object_element (groups, i), money, NULL);
  write_row (ws, r, json_object_get_object_member (report, "total"), money, bold);
  worksheet_set_column (ws, 0, 0, 24, NULL);
  worksheet_set_column (ws, 1, 7, 14, NULL);
  status = workbook_close (wb);
  if (status != LXW_NO_ERROR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: cannot write the workbook: %s"), path,
                   lxw_strerror (status));
      return FALSE;
    }
  return TRUE;
}

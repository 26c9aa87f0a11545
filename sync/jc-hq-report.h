/* jc-hq-report.h — the ledger summed up for reporting upward
 *
 * Per county (the directory's; “unknown” when HQ does not know the
 * institution), institution type, checklist item or inspection form: the
 * number of ledger entries (findings that are problems), the amounts
 * involved and recovered (fen, exact), how many are rectified (rectified or
 * verified), the rectification rate (that share, in percent), how many are
 * handed over and how many overdue. By item, an entry counts under each of
 * its items with its whole amount (a finding's amount is not split), so
 * the item rows may add up to more than the total; the total row counts
 * each entry once.
 *
 * Written as text, CSV (UTF-8 with a BOM), JSON, XLSX (libxlsxwriter:
 * jc-hq-report-xlsx.c) or an A4 PDF summary (Cairo: jc-hq-report-pdf.c).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-hq-store.h"

G_BEGIN_DECLS

typedef enum {
  JC_HQ_REPORT_COUNTY,
  JC_HQ_REPORT_TYPE,
  JC_HQ_REPORT_ITEM,
  JC_HQ_REPORT_FORM,
} JcHqReportBy;

typedef enum {
  JC_HQ_REPORT_TEXT,
  JC_HQ_REPORT_CSV,
  JC_HQ_REPORT_JSON,
  JC_HQ_REPORT_XLSX,
  JC_HQ_REPORT_PDF,
} JcHqReportFormat;

/* "county", "type", "item", "form"; "text", "csv", "json", "xlsx", "pdf". */
gboolean    jc_hq_report_by_from_string     (const char        *name,
                                             JcHqReportBy      *by,
                                             GError           **error);
gboolean    jc_hq_report_format_from_string (const char        *name,
                                             JcHqReportFormat  *format,
                                             GError           **error);
const char *jc_hq_report_by_to_string       (JcHqReportBy       by);

/* The report as a JSON object (what the web dashboard gets):
 *   {"by": "county", "today": "YYYY-MM-DD", "generated_at": UNIX-SECONDS,
 *    "groups": [{"group", "label" (the translated type or form, else the
 *                group), "findings", "amount_fen", "amount", "recovered_fen",
 *                "recovered", "rectified", "rate", "handed_over", "overdue"}…],
 *    "total": {the same members, "group": "total"}}
 * groups in byte order of "group". @today NULL: today (China time). */
JsonObject *jc_hq_report_build              (JcHqStore         *store,
                                             JcHqReportBy       by,
                                             const char        *today,
                                             GError           **error);
/* jc_hq_report_build() as JSON text, a newline at the end. */
char       *jc_hq_report_json               (JcHqStore         *store,
                                             JcHqReportBy       by,
                                             GError           **error);

/* The report in @format: text, CSV and JSON appended to @out; XLSX and PDF
 * written to @path (required for them). */
gboolean    jc_hq_report_write              (JcHqStore         *store,
                                             JcHqReportBy       by,
                                             JcHqReportFormat   format,
                                             const char        *path,
                                             GString           *out,
                                             GError           **error);

/* The columns of a group row, in order, and their translated headings. */
extern const char * const jc_hq_report_columns[];
const char *jc_hq_report_heading            (const char        *column);
/* "county" → the translated "by county", and so on, for titles. */
const char *jc_hq_report_by_label           (const char        *by);

/* jc-hq-report-xlsx.c and jc-hq-report-pdf.c. */
gboolean    jc_hq_report_write_xlsx         (JsonObject        *report,
                                             const char        *path,
                                             GError           **error);
gboolean    jc_hq_report_write_pdf          (JsonObject        *report,
                                             const char        *path,
                                             GError           **error);

G_END_DECLS

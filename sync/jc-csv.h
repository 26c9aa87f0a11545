/* jc-csv.h — CSV files as Excel writes them (RFC 4180)
 *
 * Fields separated by commas; a field in double quotes may hold commas,
 * line breaks and doubled quotes (""); lines end with CRLF, LF or CR; a
 * UTF-8 byte order mark at the start is dropped. The text must be UTF-8.
 * Every error names the file and the line (and the column where there is
 * one): "dir.csv:17: column level: …".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_CSV_ERROR (jc_csv_error_quark ())

typedef enum {
  JC_CSV_ERROR_IO,       /* the file could not be read */
  JC_CSV_ERROR_SYNTAX,   /* quotes, encoding, NUL bytes */
  JC_CSV_ERROR_HEADER,   /* missing, unknown or repeated column names */
  JC_CSV_ERROR_SHAPE,    /* a line with too few or too many columns */
  JC_CSV_ERROR_EMPTY,    /* no header, or no line after it */
  JC_CSV_ERROR_INVALID,  /* a value refused by the importer (jc_csv_set_error) */
} JcCsvError;

typedef struct {
  guint   line;     /* the line where the record starts, 1-based */
  char  **fields;   /* in the order of the columns asked for; trimmed */
} JcCsvRow;

typedef struct {
  char      *name;  /* the file as the user named it, for the messages */
  GPtrArray *rows;  /* JcCsvRow *, the header excluded */
} JcCsvTable;

GQuark      jc_csv_error_quark (void);

/* Every record of @text (@len bytes) with its line, as arrays of fields,
 * header included: GPtrArray of JcCsvRow * whose fields are in file order. */
GPtrArray  *jc_csv_parse       (const char          *name,
                                const char          *text,
                                gsize                len,
                                GError             **error);

/* Reads @path, whose first line must name exactly @columns (in any order,
 * each once). Rows come back with their fields in the order of @columns,
 * without surrounding spaces; lines whose fields are all empty are
 * skipped (Excel writes them for formatted empty rows). At least one row. */
JcCsvTable *jc_csv_read_table  (const char          *path,
                                const char * const  *columns,
                                GError             **error);
void        jc_csv_table_free  (JcCsvTable          *table);

/* Sets @error to "@table's name:@line: column @column: MESSAGE". */
void        jc_csv_set_error   (GError             **error,
                                const JcCsvTable    *table,
                                guint                line,
                                const char          *column,
                                const char          *format,
                                ...) G_GNUC_PRINTF (5, 6);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCsvTable, jc_csv_table_free)

G_END_DECLS

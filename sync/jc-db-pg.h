/* jc-db-pg.h — jc-db.h's PostgreSQL backend (libpq), for a province's HQ */
#pragma once

#include "jc-db.h"

G_BEGIN_DECLS

/* Connects to @url (postgresql://…, libpq's connection URI). The database
 * must exist; HQ creates its tables in it. */
JcDb *jc_db_pg_open       (const char *url,
                           GError    **error);

/* @sql in PostgreSQL's spelling (see jc-db.h); *@n_params is the number of
 * parameters it takes. Exposed for the tests. */
char *jc_db_pg_translate  (const char *sql,
                           int        *n_params);

G_END_DECLS

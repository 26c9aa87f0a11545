/* jc-hq-web.h — the dashboard's JSON API: one route table, auth in one place
 *
 * Every /api/… request goes through jc_hq_web_handle(): the route names the
 * least role it needs, and before any handler runs the table has checked
 * the session cookie (401 without a live one; only POST /api/login is
 * public), the role (403), and for a POST the session's CSRF token in the
 * X-CSRF-Token header and a JSON body (403, 400). Handlers run in a worker
 * thread and return JSON text; every request, refused ones too, leaves a
 * row in the audit (jc-hq-audit.h).
 *
 * Other modules add their pages' data with jc_hq_web_add_route():
 *
 *   jc_hq_web_add_route (web, "GET", "/api/ledger", JC_HQ_ROLE_ANALYST,
 *                        ledger_list, ledger);
 *
 * A pattern segment "*" (the last one, or one before a fixed tail) matches
 * one path segment, handed to the handler as request->arg ("/api/findings/"
 * "*" → the finding id; "/api/objections/" "*" "/decision" → the
 * objection's id).
 *
 * A download (a report as CSV, XLSX or PDF) goes through the same table,
 * with jc_hq_web_add_download(): the same session, role and audit; the
 * handler returns the file instead of JSON, sent as an attachment. Its
 * errors are JSON like every other.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "jc-hq-sessions.h"
#include "jc-hq-store.h"
#include "jc-hq-users.h"

G_BEGIN_DECLS

#define JC_HQ_WEB_ERROR (jc_hq_web_error_quark ())

/* What a handler's error answers, as HTTP. */
typedef enum {
  JC_HQ_WEB_ERROR_INVALID,    /* 400 */
  JC_HQ_WEB_ERROR_FORBIDDEN,  /* 403 */
  JC_HQ_WEB_ERROR_NOT_FOUND,  /* 404 */
  JC_HQ_WEB_ERROR_CONFLICT,   /* 409 */
} JcHqWebError;

typedef struct {
  JcHqStore         *store;
  const JcHqSession *session;  /* who asks: user, role, CSRF token */
  const char        *arg;      /* the segment a trailing "*" matched, else NULL */
  GHashTable        *query;    /* the URL's query, may be NULL */
  JsonObject        *body;     /* a POST's JSON object; NULL for GET */
  char              *target;   /* the handler may name what it touched, for the audit */
} JcHqWebRequest;

/* Runs in a worker thread; returns the JSON reply (HTTP 200) or NULL with
 * @error (JC_HQ_WEB_ERROR → its status; JC_HQ_USERS_ERROR_INVALID and
 * _EXISTS → 400 and 409; anything else → 500). */
typedef char *(*JcHqWebHandler) (JcHqWebRequest  *request,
                                 gpointer         user_data,
                                 GError         **error);

/* A file to download: @filename is what the browser saves it as (UTF-8,
 * Chinese for the users), @ascii_filename the fallback for a client that
 * knows no RFC 6266 filename*. */
typedef struct {
  GBytes *bytes;
  char   *content_type;
  char   *filename;
  char   *ascii_filename;
} JcHqWebDownload;

/* Like JcHqWebHandler, for a download: the file (HTTP 200) or NULL with
 * @error. */
typedef JcHqWebDownload *(*JcHqWebDownloadHandler) (JcHqWebRequest  *request,
                                                    gpointer         user_data,
                                                    GError         **error);

typedef struct _JcHqWeb JcHqWeb;

GQuark    jc_hq_web_error_quark         (void);

/* Creates the user, session and audit tables when missing. */
JcHqWeb  *jc_hq_web_new                 (JcHqStore      *store,
                                         GError        **error);
void      jc_hq_web_free                (JcHqWeb        *web);

void      jc_hq_web_set_session_lifetime (JcHqWeb       *web,
                                          gint64         seconds);

/* @method is "GET" or "POST"; @min_role at least JC_HQ_ROLE_ANALYST. */
void      jc_hq_web_add_route           (JcHqWeb        *web,
                                         const char     *method,
                                         const char     *pattern,
                                         JcHqRole        min_role,
                                         JcHqWebHandler  handler,
                                         gpointer        user_data);

/* A GET that answers a file (jc_hq_web_download_new()), not JSON. */
void      jc_hq_web_add_download        (JcHqWeb                *web,
                                         const char             *pattern,
                                         JcHqRole                min_role,
                                         JcHqWebDownloadHandler  handler,
                                         gpointer                user_data);

/* Takes @bytes. */
JcHqWebDownload *jc_hq_web_download_new (GBytes             *bytes,
                                         const char         *content_type,
                                         const char         *filename,
                                         const char         *ascii_filename);
void      jc_hq_web_download_free       (JcHqWebDownload    *download);
/* The Content-Disposition of an attachment named @filename, with
 * @ascii_filename for clients that know only filename="…". */
char     *jc_hq_web_content_disposition (const char         *filename,
                                         const char         *ascii_filename);

/* The soup handler's work for every path under /api. */
void      jc_hq_web_handle              (JcHqWeb            *web,
                                         SoupServerMessage  *msg,
                                         const char         *path,
                                         GHashTable         *query);

/* Sends the dashboard's file for @path ("/" is index.html) from the
 * compiled-in resources; FALSE when there is none (nothing sent). */
gboolean  jc_hq_web_serve_file          (SoupServerMessage  *msg,
                                         const char         *path);

/* The URL query's @name, NULL when absent or empty. */
const char *jc_hq_web_query             (JcHqWebRequest     *request,
                                         const char         *name);

/* A JSON object {"error": @message}. */
char     *jc_hq_web_error_json          (const char         *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcHqWeb, jc_hq_web_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcHqWebDownload, jc_hq_web_download_free)

G_END_DECLS

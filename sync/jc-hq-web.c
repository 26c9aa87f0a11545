/* jc-hq-web.c — the dashboard's JSON API: one route table, auth in one place */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-audit.h"
#include "jc-hq-directory.h"
#include "jc-hq-web.h"

#define COOKIE_NAME "jc_session"
#define CSRF_HEADER "X-CSRF-Token"
/* libsoup 3.2 has no name for RFC 6585's status. */
#define STATUS_TOO_MANY_REQUESTS 429

G_DEFINE_QUARK (jc-hq-web-error-quark, jc_hq_web_error)

typedef enum {
  ROUTE_JSON,
  ROUTE_LOGIN,    /* public: makes the session and its cookie */
  ROUTE_LOGOUT,   /* ends the session, clears the cookie */
  ROUTE_DOWNLOAD, /* a file, sent as an attachment */
} RouteKind;

typedef struct {
  char           *method;
  char           *pattern;  /* up to the "*" when it has one */
  char           *suffix;   /* what follows the "*" ("" or "/decision") */
  gboolean        has_arg;
  JcHqRole        min_role;
  RouteKind       kind;
  JcHqWebHandler  handler;
  JcHqWebDownloadHandler download;
  gpointer        user_data;
} Route;

struct _JcHqWeb
{
  JcHqStore *store;
  GPtrArray *routes;
  gint64     session_lifetime;
};

static void
route_free (Route *route)
{
  g_free (route->method);
  g_free (route->pattern);
  g_free (route->suffix);
  g_free (route);
}

const char *
jc_hq_web_query (JcHqWebRequest *request, const char *name)
{
  const char *value = request->query ? g_hash_table_lookup (request->query, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

char *
jc_hq_web_error_json (const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "error", message);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

static Route *
add_route (JcHqWeb *web, const char *method, const char *pattern, JcHqRole min_role, RouteKind kind,
           JcHqWebHandler handler, gpointer user_data)
{
  Route *route = g_new0 (Route, 1);
  const char *star = strstr (pattern, "/*");

  route->method = g_strdup (method);
  route->has_arg = star != NULL && (star[2] == '\0' || star[2] == '/');
  route->pattern = route->has_arg ? g_strndup (pattern, (gsize) (star + 1 - pattern)) : g_strdup (pattern);
  route->suffix = g_strdup (route->has_arg ? star + 2 : "");
  route->min_role = min_role;
  route->kind = kind;
  route->handler = handler;
  route->user_data = user_data;
  g_ptr_array_add (web->routes, route);
  return route;
}

void
jc_hq_web_add_route (JcHqWeb *web, const char *method, const char *pattern, JcHqRole min_role,
                     JcHqWebHandler handler, gpointer user_data)
{
  g_return_if_fail (g_str_equal (method, "GET") || g_str_equal (method, "POST"));
  g_return_if_fail (g_str_has_prefix (pattern, "/api/"));
  g_return_if_fail (min_role >= JC_HQ_ROLE_ANALYST && min_role <= JC_HQ_ROLE_ADMIN);
  g_return_if_fail (handler != NULL);
  add_route (web, method, pattern, min_role, ROUTE_JSON, handler, user_data);
}

void
jc_hq_web_add_download (JcHqWeb *web, const char *pattern, JcHqRole min_role, JcHqWebDownloadHandler handler,
                        gpointer user_data)
{
  g_return_if_fail (g_str_has_prefix (pattern, "/api/"));
  g_return_if_fail (min_role >= JC_HQ_ROLE_ANALYST && min_role <= JC_HQ_ROLE_ADMIN);
  g_return_if_fail (handler != NULL);
  add_route (web, "GET", pattern, min_role, ROUTE_DOWNLOAD, NULL, user_data)->download = handler;
}

JcHqWebDownload *
jc_hq_web_download_new (GBytes *bytes, const char *content_type, const char *filename, const char *ascii_filename)
{
  JcHqWebDownload *download = g_new0 (JcHqWebDownload, 1);

  download->bytes = bytes;
  download->content_type = g_strdup (content_type);
  download->filename = g_strdup (filename);
  download->ascii_filename = g_strdup (ascii_filename);
  return download;
}

void
jc_hq_web_download_free (JcHqWebDownload *download)
{
  if (download == NULL)
    return;
  g_clear_pointer (&download->bytes, g_bytes_unref);
  g_free (download->content_type);
  g_free (download->filename);
  g_free (download->ascii_filename);
  g_free (download);
}

/* RFC 6266: filename="…" in printable ASCII without quotes or backslashes,
 * then the real name as filename*=UTF-8''percent-encoded (RFC 8187). */
char *
jc_hq_web_content_disposition (const char *filename, const char *ascii_filename)
{
  g_autofree char *plain = g_strdup (ascii_filename);
  g_autofree char *encoded = g_uri_escape_string (filename, NULL, FALSE);

  for (char *p = plain; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e || *p == '"' || *p == '\\')
      *p = '_';
  return g_strdup_printf ("attachment; filename=\"%s\"; filename*=UTF-8''%s", plain, encoded);
}

void
jc_hq_web_set_session_lifetime (JcHqWeb *web, gint64 seconds)
{
  g_return_if_fail (seconds > 0);
  web->session_lifetime = seconds;
}

/* GET /api/session: who is signed in, and the CSRF token the page sends. */
static char *
session_info (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "user", request->session->user);
  jc_json_builder_add_string (b, "role", jc_hq_role_to_string (request->session->role));
  jc_json_builder_add_string (b, "csrf", request->session->csrf);
  jc_json_builder_add_int (b, "expires", request->session->expires);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

JcHqWeb *
jc_hq_web_new (JcHqStore *store, GError **error)
{
  g_autoptr(JcHqWeb) web = g_new0 (JcHqWeb, 1);
  g_autoptr(GPtrArray) directory = NULL;

  web->store = store;
  web->routes = g_ptr_array_new_with_free_func ((GDestroyNotify) route_free);
  web->session_lifetime = JC_HQ_SESSION_DEFAULT_MINUTES * 60;
  if (!jc_hq_users_prepare (store, error))
    return NULL;
  /* The county charts join the directory: its table must be there. */
  jc_hq_store_lock (store);
  directory = jc_hq_directory_load (store, error);
  jc_hq_store_unlock (store);
  if (directory == NULL)
    return NULL;
  add_route (web, "POST", "/api/login", JC_HQ_ROLE_NONE, ROUTE_LOGIN, NULL, NULL);
  add_route (web, "POST", "/api/logout", JC_HQ_ROLE_ANALYST, ROUTE_LOGOUT, NULL, NULL);
  add_route (web, "GET", "/api/session", JC_HQ_ROLE_ANALYST, ROUTE_JSON, session_info, NULL);
  return g_steal_pointer (&web);
}

void
jc_hq_web_free (JcHqWeb *web)
{
  if (web == NULL)
    return;
  g_ptr_array_unref (web->routes);
  g_free (web);
}

/* The route of @method @path; *@other_method when only another method
 * has one. A fixed pattern comes before a "*" that also matches
 * ("/api/ledger/export" before "/api/ledger/" "*"), whatever the order
 * the routes were added in. */
static const Route *
find_route (JcHqWeb *web, const char *method, const char *path, char **arg, gboolean *other_method)
{
  gsize path_len = strlen (path);

  *other_method = FALSE;
  for (guint i = 0; i < 2 * web->routes->len; i++)
    {
      const Route *route = g_ptr_array_index (web->routes, i % web->routes->len);
      gsize start = strlen (route->pattern), end = path_len - strlen (route->suffix);
      gboolean match;

      if (route->has_arg != (i >= web->routes->len))
        continue;
      if (route->has_arg)
        match = g_str_has_prefix (path, route->pattern) && g_str_has_suffix (path, route->suffix) &&
                end > start && memchr (path + start, '/', end - start) == NULL;
      else
        match = g_str_equal (path, route->pattern);
      if (!match)
        continue;
      if (!g_str_equal (route->method, method))
        {
          *other_method = TRUE;
          continue;
        }
      *arg = route->has_arg ? g_strndup (path + start, end - start) : NULL;
      return route;
    }
  return NULL;
}

/* One request's way through the worker thread. */
typedef struct {
  JcHqWeb           *web;
  SoupServerMessage *msg;
  char              *method;
  char              *path;
  char              *remote;
  char              *token;        /* from the cookie, may be NULL */
  char              *csrf;         /* from the header, may be NULL */
  gboolean           json_body;    /* Content-Type: application/json */
  gboolean           secure;       /* over TLS: the cookie gets Secure */
  GHashTable        *query;
  GBytes            *body;
  guint              status;
  char              *reply;
  JcHqWebDownload   *download;     /* instead of the reply, when status is 200 */
  char              *set_cookie;
} WebJob;

static void
web_job_free (WebJob *job)
{
  g_object_unref (job->msg);
  g_free (job->method);
  g_free (job->path);
  g_free (job->remote);
  g_free (job->token);
  g_free (job->csrf);
  g_clear_pointer (&job->query, g_hash_table_unref);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_free (job->reply);
  jc_hq_web_download_free (job->download);
  g_free (job->set_cookie);
  g_free (job);
}

static void
fail (WebJob *job, guint status, const char *message)
{
  job->status = status;
  g_free (job->reply);
  job->reply = jc_hq_web_error_json (message);
}

static guint
status_of (const GError *error)
{
  if (error->domain == JC_HQ_WEB_ERROR)
    switch (error->code)
      {
      case JC_HQ_WEB_ERROR_INVALID: return SOUP_STATUS_BAD_REQUEST;
      case JC_HQ_WEB_ERROR_FORBIDDEN: return SOUP_STATUS_FORBIDDEN;
      case JC_HQ_WEB_ERROR_NOT_FOUND: return SOUP_STATUS_NOT_FOUND;
      case JC_HQ_WEB_ERROR_CONFLICT: return SOUP_STATUS_CONFLICT;
      default: break;
      }
  if (g_error_matches (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_INVALID))
    return SOUP_STATUS_BAD_REQUEST;
  if (g_error_matches (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_EXISTS))
    return SOUP_STATUS_CONFLICT;
  if (g_error_matches (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_NOT_FOUND))
    return SOUP_STATUS_NOT_FOUND;
  return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

static char *
session_cookie (WebJob *job, const char *token, gint64 max_age)
{
  return g_strdup_printf (COOKIE_NAME "=%s; Max-Age=%" G_GINT64_FORMAT "; HttpOnly; SameSite=Strict; Path=/%s",
                          token, max_age, job->secure ? "; Secure" : "");
}

static JsonObject *
parse_body (WebJob *job, JsonParser *parser)
{
  gsize len = 0;
  const char *data = job->body ? g_bytes_get_data (job->body, &len) : NULL;

  /* A form another site posts cannot send JSON without asking first. */
  if (!job->json_body)
    {
      fail (job, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, _("Send the request body as application/json"));
      return NULL;
    }
  if (data == NULL || len == 0 || !json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fail (job, SOUP_STATUS_BAD_REQUEST, _("The request body is not a JSON object"));
      return NULL;
    }
  return json_node_get_object (json_parser_get_root (parser));
}

static const char *
member_string (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static void
audit (WebJob *job, const char *user, const char *action, const char *target)
{
  g_autoptr(GError) error = NULL;

  if (!jc_hq_audit_add (job->web->store, user, action, target, job->remote, job->status, &error))
    {
      /* An action the audit cannot record is not done. */
      g_warning ("audit: %s", error->message);
      fail (job, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
    }
}

static void
do_login (WebJob *job)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JcHqSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  JsonObject *body = parse_body (job, parser);
  const char *name, *password;
  JcHqRole role = JC_HQ_ROLE_NONE;

  if (body == NULL)
    {
      audit (job, "-", "login-failed", "");
      return;
    }
  name = member_string (body, "name");
  password = member_string (body, "password");
  if (name == NULL || password == NULL)
    {
      fail (job, SOUP_STATUS_BAD_REQUEST, _("Send {\"name\": …, \"password\": …}"));
      audit (job, "-", "login-failed", "");
      return;
    }
  if (jc_hq_audit_login_throttled (job->web->store, name, job->remote, &error))
    {
      if (error != NULL)
        fail (job, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      else
        fail (job, STATUS_TOO_MANY_REQUESTS,
              _("Too many failed sign-ins: wait 15 minutes before trying again"));
      audit (job, name, "login-refused", "");
      return;
    }
  if (!jc_hq_user_check_password (job->web->store, name, password, &role, &error))
    {
      fail (job, g_error_matches (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_DENIED)
                 ? SOUP_STATUS_UNAUTHORIZED : SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      audit (job, name, "login-failed", "");
      return;
    }
  token = jc_hq_session_create (job->web->store, name, role, job->web->session_lifetime, &session, &error);
  if (token == NULL)
    {
      fail (job, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      return;
    }
  job->status = SOUP_STATUS_OK;
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "user", session->user);
  jc_json_builder_add_string (b, "role", jc_hq_role_to_string (role));
  jc_json_builder_add_string (b, "csrf", session->csrf);
  jc_json_builder_add_int (b, "expires", session->expires);
  json_builder_end_object (b);
  job->reply = jc_json_builder_to_string (b);
  job->set_cookie = session_cookie (job, token, job->web->session_lifetime);
  audit (job, name, "login", "");
}

/* What the audit row says the request was about. */
static char *
default_target (WebJob *job, const char *arg)
{
  g_autoptr(GString) s = g_string_new (arg);

  if (job->query != NULL)
    {
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (job->query), (GCompareFunc) strcmp);

      for (GList *l = keys; l != NULL; l = l->next)
        g_string_append_printf (s, "%s%s=%s", s->len ? "&" : "", (char *) l->data,
                                (char *) g_hash_table_lookup (job->query, l->data));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
csrf_matches (const char *expected, const char *sent)
{
  return sent != NULL && strlen (sent) == strlen (expected) &&
         sodium_memcmp (sent, expected, strlen (expected)) == 0;
}

static void
run_route (WebJob *job)
{
  g_autofree char *action = g_strdup_printf ("%s %s", job->method, job->path);
  g_autoptr(JcHqSession) session = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JcHqWebRequest request = { 0 };
  const Route *route;
  g_autofree char *arg = NULL;
  gboolean other_method = FALSE;
  g_autofree char *target = NULL;

  route = find_route (job->web, job->method, job->path, &arg, &other_method);
  if (route != NULL && route->kind == ROUTE_LOGIN)
    {
      do_login (job);
      return;
    }
  target = default_target (job, arg);
  session = jc_hq_session_lookup (job->web->store, job->token, &error);
  if (session == NULL)
    {
      fail (job, g_error_matches (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_DENIED)
                 ? SOUP_STATUS_UNAUTHORIZED : SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      audit (job, "-", action, target);
      return;
    }
  if (route == NULL)
    {
      if (other_method)
        fail (job, SOUP_STATUS_METHOD_NOT_ALLOWED, _("This address does not take that method"));
      else
        fail (job, SOUP_STATUS_NOT_FOUND, _("No such page of the dashboard’s API"));
      audit (job, session->user, action, target);
      return;
    }
  if (session->role < route->min_role)
    {
      g_autofree char *why = g_strdup_printf (_("This needs the role %s; %s has the role %s"),
                                              jc_hq_role_to_string (route->min_role), session->user,
                                              jc_hq_role_to_string (session->role));

      fail (job, SOUP_STATUS_FORBIDDEN, why);
      audit (job, session->user, action, target);
      return;
    }
  if (g_str_equal (job->method, "POST"))
    {
      if (!csrf_matches (session->csrf, job->csrf))
        {
          fail (job, SOUP_STATUS_FORBIDDEN, _("The CSRF token is missing or wrong: reload the page"));
          audit (job, session->user, action, target);
          return;
        }
      if (route->kind == ROUTE_JSON && (request.body = parse_body (job, parser)) == NULL)
        {
          audit (job, session->user, action, target);
          return;
        }
    }
  if (route->kind == ROUTE_LOGOUT)
    {
      if (!jc_hq_session_end (job->web->store, job->token, &error))
        fail (job, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      else
        {
          job->status = SOUP_STATUS_OK;
          job->reply = g_strdup ("{\"signed_out\":true}");
          job->set_cookie = session_cookie (job, "", 0);
        }
      audit (job, session->user, "logout", "");
      return;
    }

  request.store = job->web->store;
  request.session = session;
  request.arg = arg;
  request.query = job->query;
  if (route->kind == ROUTE_DOWNLOAD)
    {
      job->download = route->download (&request, route->user_data, &error);
      if (job->download != NULL)
        job->status = SOUP_STATUS_OK;
      else
        fail (job, status_of (error), error->message);
    }
  else if ((job->reply = route->handler (&request, route->user_data, &error)) != NULL)
    job->status = SOUP_STATUS_OK;
  else
    fail (job, status_of (error), error->message);
  audit (job, session->user, action, request.target ? request.target : target);
  g_free (request.target);
}

static void
web_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  run_route (task_data);
  g_task_return_boolean (task, TRUE);
}

static void
web_job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WebJob *job = g_task_get_task_data (G_TASK (result));
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (job->msg);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ts = g_date_time_format_iso8601 (now);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  if (job->set_cookie != NULL)
    soup_message_headers_append (headers, "Set-Cookie", job->set_cookie);
  soup_server_message_set_status (job->msg, job->status, NULL);
  if (job->download != NULL && job->status == SOUP_STATUS_OK)
    {
      g_autofree char *disposition = jc_hq_web_content_disposition (job->download->filename,
                                                                    job->download->ascii_filename);
      gsize len = 0;
      gconstpointer data = g_bytes_get_data (job->download->bytes, &len);

      soup_message_headers_replace (headers, "Content-Disposition", disposition);
      soup_server_message_set_response (job->msg, job->download->content_type, SOUP_MEMORY_COPY, data, len);
    }
  else
    soup_server_message_set_response (job->msg, "application/json", SOUP_MEMORY_COPY,
                                      job->reply, strlen (job->reply));
  g_printerr ("time=%s method=%s path=%s status=%u remote=%s\n", ts, job->method, job->path, job->status,
              job->remote);
  soup_server_message_unpause (job->msg);
}

static char *
cookie_token (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Cookie");
  GHashTable *cookies;
  char *token;

  if (header == NULL)
    return NULL;
  cookies = soup_header_parse_semi_param_list (header);
  token = g_strdup (g_hash_table_lookup (cookies, COOKIE_NAME));
  soup_header_free_param_list (cookies);
  return token;
}

void
jc_hq_web_handle (JcHqWeb *web, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GTask) task = NULL;
  WebJob *job = g_new0 (WebJob, 1);

  job->web = web;
  job->msg = g_object_ref (msg);
  job->method = g_strdup (soup_server_message_get_method (msg));
  job->path = g_strdup (path);
  job->remote = g_strdup (soup_server_message_get_remote_host (msg) ?: "-");
  job->token = cookie_token (msg);
  job->csrf = g_strdup (soup_message_headers_get_one (headers, CSRF_HEADER));
  job->json_body = g_strcmp0 (content_type, "application/json") == 0;
  job->secure = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0;
  job->query = query != NULL ? g_hash_table_ref (query) : NULL;
  job->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  task = g_task_new (NULL, NULL, web_job_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) web_job_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, web_thread);
}

/* jc-hq-server.c — headquarters' HTTP server (libsoup 3)
 *
 * One SoupServer on the main loop; handlers that do real work run it in a
 * GTask so a slow merge never stalls /v1/health.
 */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "jc-bundle.h"
#include "jc-core.h"
#include "jc-hq-blobs.h"
#include "jc-hq-enroll.h"
#include "jc-hq-merge.h"
#include "jc-hq-server.h"
#include "jc-hq-store.h"
#include "jc-hq-updates.h"
#include "jc-hq-web.h"
#include "jc-hq-web-api.h"

/* A piece of an evidence upload; clients send 4 MiB. */
#define BLOB_PIECE_MAX  (8 * 1024 * 1024)

G_DEFINE_QUARK (jc-hq-error-quark, jc_hq_error)

struct _JcHqServer
{
  GObject     parent_instance;

  SoupServer *soup;
  char       *dir;
  JcHqStore  *store;        /* NULL until `jiancha-hq init` made the HQ */
  JcHqMerge  *merge;
  JcHqWeb    *web;          /* the dashboard's API; NULL with the store */
  gint64      started_at;   /* monotonic µs */
  guint       in_flight;
  gboolean    stopping;
  gboolean    tls;
  guint       port;
};

G_DEFINE_FINAL_TYPE (JcHqServer, jc_hq_server, G_TYPE_OBJECT)

enum { STOPPED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
jc_hq_server_finalize (GObject *object)
{
  JcHqServer *self = JC_HQ_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->web, jc_hq_web_free);
  g_clear_pointer (&self->merge, jc_hq_merge_free);
  g_clear_pointer (&self->store, jc_hq_store_free);
  g_free (self->dir);
  G_OBJECT_CLASS (jc_hq_server_parent_class)->finalize (object);
}

static void
jc_hq_server_class_init (JcHqServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jc_hq_server_finalize;
  signals[STOPPED] = g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
jc_hq_server_init (JcHqServer *self)
{
  self->started_at = g_get_monotonic_time ();
}

/* One line per request on stderr, key=value, so logs can be grepped and
 * parsed without a log library. */
static void
log_request (SoupServerMessage *msg, guint status)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ts = g_date_time_format_iso8601 (now);

  g_printerr ("time=%s method=%s path=%s status=%u remote=%s\n",
              ts, soup_server_message_get_method (msg), g_uri_get_path (uri), status,
              soup_server_message_get_remote_host (msg) ?: "-");
}

static void
reply_json (SoupServerMessage *msg, guint status, const char *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
  log_request (msg, status);
}

static char *
error_json (const char *reason)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "error", reason);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

/* JSON built by json-glib: a translated (Chinese) reason stays valid UTF-8
 * JSON, which g_strescape()'s octal escapes would not. */
static void
reply_error (SoupServerMessage *msg, guint status, const char *reason)
{
  g_autofree char *body = error_json (reason);

  reply_json (msg, status, body);
}

static void
handle_health (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  JcHqServer *self = user_data;
  gint64 uptime = (g_get_monotonic_time () - self->started_at) / G_USEC_PER_SEC;
  g_autofree char *body = NULL;

  if (!g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use GET");
      return;
    }
  body = g_strdup_printf ("{\"status\":\"ok\",\"version\":\"%s\",\"uptime_seconds\":%" PRId64 "}",
                          jc_version_string (), uptime);
  reply_json (msg, SOUP_STATUS_OK, body);
}


static void request_done (SoupServer *server, SoupServerMessage *msg, JcHqServer *self);
static void request_gone (SoupServerMessage *msg, JcHqServer *self);

static void
refuse_and_close (JcHqServer *self, SoupServerMessage *msg, guint status, const char *reason)
{
  g_autofree char *body = error_json (reason);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
                                           "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                                           status, soup_status_get_phrase (status), strlen (body));
  g_autoptr(GIOStream) io = NULL;
  GOutputStream *out;

  log_request (msg, status);
  io = soup_server_message_steal_connection (msg);
  out = g_io_stream_get_output_stream (io);
  /* A few hundred bytes to a socket buffer: they do not block. */
  if (g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL))
    g_output_stream_write_all (out, body, strlen (body), NULL, NULL, NULL);
  g_io_stream_close (io, NULL, NULL);
  /* A stolen connection never reports its request finished. */
  request_done (self->soup, msg, self);
}

/* Bodies are read whole before a handler runs: refuse what is too large,
 * or of unknown length, as soon as the headers are in. */
static void
early_limit (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  JcHqServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  goffset limit = g_str_has_prefix (path, "/v1/bundles") ? JC_BUNDLE_MAX_SIZE
                : g_str_has_prefix (path, "/v1/blobs") ? BLOB_PIECE_MAX
                : JC_HQ_ENROLL_MAX_REQUEST;
  goffset length;

  if (!g_str_equal (method, "POST") && !g_str_equal (method, "PUT"))
    return;
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      refuse_and_close (self, msg, SOUP_STATUS_LENGTH_REQUIRED, "send a Content-Length");
      return;
    }
  length = soup_message_headers_get_content_length (headers);
  if (length > limit)
    {
      g_autofree char *why = g_strdup_printf ("request body of %" G_GOFFSET_FORMAT " bytes is over the limit of %"
                                              G_GOFFSET_FORMAT, length, limit);

      /* Without "Expect: 100-continue" libsoup would read (and drop) the
       * whole body before answering: answer now and hang up instead. */
      refuse_and_close (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, why);
    }
}

static gboolean
require_store (JcHqServer *self, SoupServerMessage *msg, const char *method)
{
  if (!g_str_equal (soup_server_message_get_method (msg), method))
    {
      g_autofree char *why = g_strdup_printf ("use %s", method);

      reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, why);
      return FALSE;
    }
  if (self->store == NULL)
    {
      reply_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "HQ is not initialized (run jiancha-hq init)");
      return FALSE;
    }
  return TRUE;
}

/* POST /v1/enroll {device_id, public_key, code, inspector} → the device's
 * certificate and HQ's keys (jc-hq-enroll.h). Fast (one Ed25519
 * signature, one small transaction), so it runs right here on the main loop. */
static void
handle_enroll (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  JcHqServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  guint status = SOUP_STATUS_OK;

  if (!require_store (self, msg, "POST"))
    return;
  reply = jc_hq_enroll_request (self->store, body->data, body->length, &status, &error);
  if (reply == NULL)
    reply_error (msg, status, error->message);
  else
    reply_json (msg, SOUP_STATUS_OK, reply);
}

/* Work that touches the database or verifies signatures runs in a thread;
 * the message waits paused, and is answered back on the main loop. */
typedef struct {
  JcHqServer        *self;
  SoupServerMessage *msg;
  GBytes            *body;
  char              *hash;
  guint64            offset;
  guint              status;
  char              *reply;
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->self);
  g_object_unref (job->msg);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_free (job->hash);
  g_free (job->reply);
  g_free (job);
}

static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  reply_json (job->msg, job->status, job->reply);
  soup_server_message_unpause (job->msg);
}

static void
run_job (JcHqServer *self, SoupServerMessage *msg, Job *job, GTaskThreadFunc func)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, job_done, NULL);

  job->self = g_object_ref (self);
  job->msg = g_object_ref (msg);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, func);
}

static void
bundle_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = g_strdup_printf ("http %s", soup_server_message_get_remote_host (job->msg) ?: "-");

  job->reply = jc_hq_merge_bundle (job->self->merge, job->body, from, &error);
  if (job->reply != NULL)
    job->status = SOUP_STATUS_OK;
  else
    {
      job->status = g_error_matches (error, JC_HQ_MERGE_ERROR, JC_HQ_MERGE_ERROR_FORBIDDEN) ? SOUP_STATUS_FORBIDDEN
                  : g_error_matches (error, JC_HQ_MERGE_ERROR, JC_HQ_MERGE_ERROR_REJECTED) ? SOUP_STATUS_BAD_REQUEST
                  : SOUP_STATUS_INTERNAL_SERVER_ERROR;
      job->reply = jc_hq_web_error_json (error->message);
    }
  g_task_return_boolean (task, TRUE);
}

/* POST /v1/bundles: a sealed JCB1 bundle → HQ's signed receipt. */
static void
handle_bundles (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  JcHqServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Job *job;

  if (!require_store (self, msg, "POST"))
    return;
  if (body->length == 0)
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "the body is empty: send a JCB1 bundle");
      return;
    }
  job = g_new0 (Job, 1);
  job->body = soup_message_body_flatten (body);
  run_job (self, msg, job, bundle_thread);
}

static char *
blob_state_json (const char *hash, const JcHqBlobState *state)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "sha256", hash);
  jc_json_builder_add_int (b, "size", (gint64) state->size);
  jc_json_builder_add_int (b, "total", (gint64) state->total);
  jc_json_builder_add_int (b, "received", (gint64) state->received);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, state->complete);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

static guint
blob_status (const GError *error)
{
  if (error->domain != JC_HQ_BLOBS_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  switch (error->code)
    {
    case JC_HQ_BLOBS_ERROR_NOT_FOUND: return SOUP_STATUS_NOT_FOUND;
    case JC_HQ_BLOBS_ERROR_OFFSET: return SOUP_STATUS_CONFLICT;
    case JC_HQ_BLOBS_ERROR_INVALID: return SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE;
    case JC_HQ_BLOBS_ERROR_CORRUPT: return SOUP_STATUS_UNPROCESSABLE_ENTITY;
    default: return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

/* The answer to any blob request tells where the upload stands, errors
 * included, so the client always knows where to resume. */
static void
blob_reply (Job *job, gboolean ok, const GError *error)
{
  JcHqBlobState state;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (ok || !jc_hq_blobs_state (job->self->store, job->hash, &state, NULL))
    {
      if (ok)
        jc_hq_blobs_state (job->self->store, job->hash, &state, NULL);
      job->status = ok ? SOUP_STATUS_OK : blob_status (error);
      job->reply = ok ? blob_state_json (job->hash, &state) : jc_hq_web_error_json (error->message);
      return;
    }
  job->status = blob_status (error);
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "error", error->message);
  jc_json_builder_add_int (b, "received", (gint64) state.received);
  jc_json_builder_add_int (b, "total", (gint64) state.total);
  json_builder_end_object (b);
  job->reply = jc_json_builder_to_string (b);
}

static void
blob_put_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  JcHqBlobState state;
  gsize len;
  const guint8 *data = g_bytes_get_data (job->body, &len);
  gboolean ok = jc_hq_blobs_append (job->self->store, job->hash, job->offset, data, len, &state, &error);

  blob_reply (job, ok, error);
  g_task_return_boolean (task, TRUE);
}

static void
blob_get_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  JcHqBlobState state;

  blob_reply (job, jc_hq_blobs_state (job->self->store, job->hash, &state, &error), error);
  g_task_return_boolean (task, TRUE);
}

/* GET /v1/blobs/SHA256: where its upload stands. PUT /v1/blobs/SHA256 with
 * Content-Range: bytes START-END/TOTAL: the next piece of its ciphertext. */
static void
handle_blobs (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  JcHqServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *hash = path + strlen ("/v1/blobs/");
  goffset start = 0, end = 0, total = 0;
  Job *job;

  if (!require_store (self, msg, g_str_equal (method, "PUT") ? "PUT" : "GET"))
    return;
  if (!g_str_has_prefix (path, "/v1/blobs/") || strlen (hash) != 64)
    {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, "expected /v1/blobs/SHA256 (64 hexadecimal digits)");
      return;
    }
  if (g_str_equal (method, "PUT") &&
      (!soup_message_headers_get_content_range (headers, &start, &end, &total) ||
       start < 0 || body->length == 0 || end - start + 1 != body->length))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "send Content-Range: bytes START-END/TOTAL matching the body");
      return;
    }
  job = g_new0 (Job, 1);
  job->hash = g_strdup (hash);
  if (g_str_equal (method, "GET"))
    {
      run_job (self, msg, job, blob_get_thread);
      return;
    }
  job->offset = (guint64) start;
  job->body = soup_message_body_flatten (body);
  run_job (self, msg, job, blob_put_thread);
}

static void
updates_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;

  job->reply = jc_hq_updates_build (job->self->store, (gint64) job->offset, job->hash, &error);
  job->status = job->reply != NULL ? SOUP_STATUS_OK : SOUP_STATUS_INTERNAL_SERVER_ERROR;
  if (job->reply == NULL)
    job->reply = jc_hq_web_error_json (error->message);
  g_task_return_boolean (task, TRUE);
}

/* GET /v1/updates?since=UNIX-SECONDS[&directory=SHA256]: HQ's signed news
 * for devices; the directory only when the device's copy differs. */
static void
handle_updates (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  JcHqServer *self = user_data;
  const char *since = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  const char *directory = query != NULL ? g_hash_table_lookup (query, "directory") : NULL;
  guint64 value = 0;
  Job *job;

  if (!require_store (self, msg, "GET"))
    return;
  if (since != NULL && !g_ascii_string_to_unsigned (since, 10, 0, G_MAXINT64, &value, NULL))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "since must be Unix seconds");
      return;
    }
  if (directory != NULL && strlen (directory) != 64 && *directory != '\0')
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "directory must be the SHA-256 of the device's directory");
      return;
    }
  job = g_new0 (Job, 1);
  job->offset = value;
  job->hash = g_strdup (directory);
  run_job (self, msg, job, updates_thread);
}

/* /api/…: the dashboard's JSON, through its route table (jc-hq-web.h). */
static void
handle_api (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  JcHqServer *self = user_data;

  if (self->web == NULL)
    {
      reply_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "HQ is not initialized (run jiancha-hq init)");
      return;
    }
  jc_hq_web_handle (self->web, msg, path, query);
}

/* Anything else: one of the dashboard's files, or 404. */
static void
handle_default (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  if (jc_hq_web_serve_file (msg, path))
    {
      log_request (msg, SOUP_STATUS_OK);
      return;
    }
  reply_error (msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
}

static void
request_started (SoupServer *server, SoupServerMessage *msg, JcHqServer *self)
{
  self->in_flight++;
  /* Counted until it finishes, is aborted, or its connection goes away
   * (a failed TLS handshake reports nothing else): whichever comes first. */
  g_object_set_data (G_OBJECT (msg), "jc-in-flight", GINT_TO_POINTER (1));
  g_signal_connect_object (msg, "disconnected", G_CALLBACK (request_gone), self, 0);
}

static gboolean
emit_stopped (gpointer data)
{
  JcHqServer *self = data;

  g_signal_emit (self, signals[STOPPED], 0);
  return G_SOURCE_REMOVE;
}

static void
request_gone (SoupServerMessage *msg, JcHqServer *self)
{
  if (g_object_get_data (G_OBJECT (msg), "jc-in-flight") == NULL)
    return;
  g_object_set_data (G_OBJECT (msg), "jc-in-flight", NULL);
  g_return_if_fail (self->in_flight > 0);
  self->in_flight--;
  if (self->stopping && self->in_flight == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT, emit_stopped, g_object_ref (self), g_object_unref);
}

static void
request_done (SoupServer *server, SoupServerMessage *msg, JcHqServer *self)
{
  request_gone (msg, self);
}

JcHqServer *
jc_hq_server_new (const char *dir, GError **error)
{
  g_autoptr(JcHqServer) self = g_object_new (JC_TYPE_HQ_SERVER, NULL);
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, JC_HQ_ERROR, JC_HQ_ERROR_DIR,
                   _("Cannot create the HQ directory %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }
  self->dir = g_strdup (dir);
  self->store = jc_hq_store_open (dir, &local_error);
  if (self->store == NULL && !g_error_matches (local_error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (self->store != NULL)
    {
      self->merge = jc_hq_merge_new (self->store, error);
      if (self->merge == NULL)
        return NULL;
      self->web = jc_hq_web_new (self->store, error);
      if (self->web == NULL)
        return NULL;
      jc_hq_web_api_register (self->web);
      jc_hq_web_admin_register (self->web);
      jc_hq_web_ledger_register (self->web);
    }
  self->soup = soup_server_new ("server-header", "jiancha-hq/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->soup, "/v1/health", handle_health, self, NULL);
  soup_server_add_early_handler (self->soup, "/v1/enroll", early_limit, self, NULL);
  soup_server_add_handler (self->soup, "/v1/enroll", handle_enroll, self, NULL);
  soup_server_add_early_handler (self->soup, "/v1/bundles", early_limit, self, NULL);
  soup_server_add_handler (self->soup, "/v1/bundles", handle_bundles, self, NULL);
  soup_server_add_early_handler (self->soup, "/v1/blobs", early_limit, self, NULL);
  soup_server_add_handler (self->soup, "/v1/blobs", handle_blobs, self, NULL);
  soup_server_add_handler (self->soup, "/v1/updates", handle_updates, self, NULL);
  soup_server_add_early_handler (self->soup, "/api", early_limit, self, NULL);
  soup_server_add_handler (self->soup, "/api", handle_api, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_default, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_done), self);
  return g_steal_pointer (&self);
}

gboolean
jc_hq_server_set_tls (JcHqServer *self, const char *cert_path, const char *key_path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (cert_path, key_path, &local_error);

  if (cert == NULL)
    {
      g_set_error (error, JC_HQ_ERROR, JC_HQ_ERROR_TLS, _("Cannot use the TLS certificate %s with key %s: %s"),
                   cert_path, key_path, local_error->message);
      return FALSE;
    }
  g_object_set (self->soup, "tls-certificate", cert, NULL);
  self->tls = TRUE;
  return TRUE;
}

gboolean
jc_hq_server_is_tls (JcHqServer *self)
{
  return self->tls;
}

/* ADDRESS is HOST:PORT, with IPv6 hosts in brackets: [::1]:8470. */
gboolean
jc_hq_server_listen (JcHqServer *self, const char *address, GError **error)
{
  g_autoptr(GSocketConnectable) conn = NULL;
  g_autoptr(GSocketAddressEnumerator) en = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GError) local_error = NULL;
  GSList *uris;

  conn = g_network_address_parse (address, 8470, &local_error);
  if (conn == NULL)
    {
      g_set_error (error, JC_HQ_ERROR, JC_HQ_ERROR_LISTEN,
                   _("Bad listen address “%s”: %s (expected HOST:PORT, e.g. 127.0.0.1:8470)"),
                   address, local_error->message);
      return FALSE;
    }
  en = g_socket_connectable_enumerate (conn);
  addr = g_socket_address_enumerator_next (en, NULL, &local_error);
  if (addr == NULL)
    {
      g_set_error (error, JC_HQ_ERROR, JC_HQ_ERROR_LISTEN, _("Cannot resolve “%s”: %s"),
                   address, local_error ? local_error->message : _("no address"));
      return FALSE;
    }
  if (!soup_server_listen (self->soup, addr, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &local_error))
    {
      g_set_error (error, JC_HQ_ERROR, JC_HQ_ERROR_LISTEN, _("Cannot listen on %s: %s"),
                   address, local_error->message);
      return FALSE;
    }
  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

JcHqWeb *
jc_hq_server_get_web (JcHqServer *self)
{
  return self->web;
}

void
jc_hq_server_set_session_lifetime (JcHqServer *self, gint64 seconds)
{
  if (self->web != NULL)
    jc_hq_web_set_session_lifetime (self->web, seconds);
}

guint
jc_hq_server_get_port (JcHqServer *self)
{
  return self->port;
}

void
jc_hq_server_shutdown (JcHqServer *self)
{
  if (self->stopping)
    return;
  self->stopping = TRUE;
  /* Closing the listeners refuses new connections; requests already read
   * still get their answers before "stopped". */
  soup_server_disconnect (self->soup);
  if (self->in_flight == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT, emit_stopped, g_object_ref (self), g_object_unref);
}

/* jc-hq-web-files.c — the dashboard's own files, compiled into jiancha-hq
 *
 * web/ is built into a GResource, so the server installed or in the build
 * tree serves the same files and needs no --web-dir. Nothing is fetched
 * from anywhere else: the Content-Security-Policy says so to the browser.
 */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <string.h>

#include "jc-hq-web.h"
#include "jc-hq-web-resources.h"

#define RESOURCE_PREFIX "/cn/jiancha/hq/web"

static const struct {
  const char *suffix;
  const char *type;
} types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".svg", "image/svg+xml" },
};

gboolean
jc_hq_web_serve_file (SoupServerMessage *msg, const char *path)
{
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *name = NULL;
  g_autoptr(GBytes) data = NULL;
  const char *type = NULL;

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
    return FALSE;
  if (strstr (path, "..") != NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (types) && type == NULL; i++)
    if (g_str_has_suffix (g_str_equal (path, "/") ? "/index.html" : path, types[i].suffix))
      type = types[i].type;
  if (type == NULL)
    return FALSE;
  name = g_strconcat (RESOURCE_PREFIX, g_str_equal (path, "/") ? "/index.html" : path, NULL);
  data = g_resource_lookup_data (jc_hq_web_get_resource (), name, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (data == NULL)
    return FALSE;
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                                "form-action 'self'; base-uri 'none'");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, g_bytes_get_data (data, NULL),
                                    g_bytes_get_size (data));
  return TRUE;
}

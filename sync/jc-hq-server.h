/* jc-hq-server.h — headquarters' HTTP server */
#pragma once

#include <gio/gio.h>

#include "jc-hq-web.h"

G_BEGIN_DECLS

#define JC_HQ_ERROR (jc_hq_error_quark ())

typedef enum {
  JC_HQ_ERROR_LISTEN,
  JC_HQ_ERROR_DIR,
  JC_HQ_ERROR_TLS,
} JcHqError;

GQuark jc_hq_error_quark (void);

#define JC_TYPE_HQ_SERVER (jc_hq_server_get_type ())
G_DECLARE_FINAL_TYPE (JcHqServer, jc_hq_server, JC, HQ_SERVER, GObject)

JcHqServer *jc_hq_server_new          (const char  *dir,
                                       GError     **error);
/* Serves HTTPS with the PEM certificate and key at these paths (call it
 * before listening). The bundles are sealed and signed end to end anyway;
 * TLS keeps the rest (evidence state, updates, metadata) private too. */
gboolean    jc_hq_server_set_tls      (JcHqServer  *self,
                                       const char  *cert_path,
                                       const char  *key_path,
                                       GError     **error);
gboolean    jc_hq_server_is_tls       (JcHqServer  *self);
gboolean    jc_hq_server_listen       (JcHqServer  *self,
                                       const char  *address,
                                       GError     **error);
/* The dashboard's route table, for modules that add their pages' data
 * (jc_hq_web_add_route()); NULL when the directory holds no HQ yet. */
JcHqWeb    *jc_hq_server_get_web      (JcHqServer  *self);
/* How long a dashboard session lasts. */
void        jc_hq_server_set_session_lifetime (JcHqServer *self,
                                               gint64      seconds);
/* The port actually bound: useful with port 0 in tests. */
guint       jc_hq_server_get_port     (JcHqServer  *self);
/* Stops accepting, lets requests in flight finish, then emits "stopped". */
void        jc_hq_server_shutdown     (JcHqServer  *self);

G_END_DECLS

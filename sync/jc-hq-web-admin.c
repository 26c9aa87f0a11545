/* jc-hq-web-admin.c — the dashboard's admin pages: staff accounts, audit */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-core.h"
#include "jc-hq-audit.h"
#include "jc-hq-web-api.h"

#define AUDIT_ROWS 200

static char *
users_list (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  g_autoptr(GPtrArray) users = jc_hq_user_list (request->store, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (users == NULL)
    return NULL;
  json_builder_begin_array (b);
  for (guint i = 0; i < users->len; i++)
    {
      const JcHqUser *user = g_ptr_array_index (users, i);

      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "name", user->name);
      jc_json_builder_add_string (b, "role", jc_hq_role_to_string (user->role));
      jc_json_builder_add_int (b, "created", user->created);
      json_builder_set_member_name (b, "disabled_at");
      if (user->disabled_at != 0)
        json_builder_add_int_value (b, user->disabled_at);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return jc_json_builder_to_string (b);
}

static const char *
body_string (JcHqWebRequest *request, const char *name, GError **error)
{
  const char *value = json_object_get_string_member_with_default (request->body, name, NULL);

  if (value == NULL)
    g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID, _("The request needs the string “%s”"), name);
  return value;
}

static char *
users_add (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  const char *name, *role_name, *password;
  JcHqRole role;

  if ((name = body_string (request, "name", error)) == NULL ||
      (role_name = body_string (request, "role", error)) == NULL ||
      (password = body_string (request, "password", error)) == NULL)
    return NULL;
  request->target = g_strdup_printf ("%s role=%s", name, role_name);
  if (!jc_hq_role_from_string (role_name, &role, error) ||
      !jc_hq_user_add (request->store, name, role, password, error))
    return NULL;
  return users_list (request, user_data, error);
}

static char *
users_disable (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  const char *name = body_string (request, "name", error);

  if (name == NULL)
    return NULL;
  request->target = g_strdup (name);
  if (g_strcmp0 (name, request->session->user) == 0)
    {
      g_set_error_literal (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_CONFLICT,
                           _("You cannot disable your own account"));
      return NULL;
    }
  if (!jc_hq_user_disable (request->store, name, error))
    return NULL;
  return users_list (request, user_data, error);
}

static char *
audit_recent (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  return jc_hq_audit_recent_json (request->store, AUDIT_ROWS, error);
}

void
jc_hq_web_admin_register (JcHqWeb *web)
{
  jc_hq_web_add_route (web, "GET", "/api/users", JC_HQ_ROLE_ADMIN, users_list, NULL);
  jc_hq_web_add_route (web, "POST", "/api/users", JC_HQ_ROLE_ADMIN, users_add, NULL);
  jc_hq_web_add_route (web, "POST", "/api/users/disable", JC_HQ_ROLE_ADMIN, users_disable, NULL);
  jc_hq_web_add_route (web, "GET", "/api/audit", JC_HQ_ROLE_ADMIN, audit_recent, NULL);
}

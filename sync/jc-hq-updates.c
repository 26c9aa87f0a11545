/* jc-hq-updates.c — GET /v1/updates: what HQ tells its devices */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-plan.h"
#include "jc-hq-directory.h"
#include "jc-hq-updates.h"
#include "jc-signed-doc.h"

static char *
checklist_dir (JcHqStore *store)
{
  return g_build_filename (jc_hq_store_get_dir (store), "checklists", NULL);
}

static gboolean
add_checklists (JcHqStore *store, JsonBuilder *b, gint64 since, GError **error)
{
  g_autofree char *dir_path = checklist_dir (store);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  json_builder_set_member_name (b, "checklists");
  json_builder_begin_array (b);
  dir = g_dir_open (dir_path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      g_autofree char *sig_path = g_strconcat (path, ".sig", NULL);
      g_autofree char *json = NULL, *sig = NULL, *b64 = NULL;
      gsize json_len = 0;
      GStatBuf st;

      if (g_stat (path, &st) != 0 || (gint64) st.st_mtime < since)
        continue;
      if (!g_file_get_contents (path, &json, &json_len, error) ||
          !g_file_get_contents (sig_path, &sig, NULL, error))
        return FALSE;
      b64 = g_base64_encode ((const guchar *) json, json_len);
      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "name", names->pdata[i]);
      jc_json_builder_add_string (b, "json", b64);
      jc_json_builder_add_string (b, "signature", g_strstrip (sig));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return TRUE;
}

/* The directory without the fund payments, which stay at HQ. */
static void
add_directory (JsonBuilder *b, GPtrArray *institutions, const char *digest)
{
  json_builder_set_member_name (b, "directory");
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "sha256", digest);
  json_builder_set_member_name (b, "institutions");
  json_builder_begin_array (b);
  for (guint i = 0; i < institutions->len; i++)
    {
      JcHqInstitution *in = institutions->pdata[i];

      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "code", in->code);
      jc_json_builder_add_string (b, "name", in->name);
      jc_json_builder_add_string (b, "type", jc_institution_kind_to_string (in->type));
      jc_json_builder_add_int (b, "level", in->level);
      jc_json_builder_add_string (b, "county", in->county);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

char *
jc_hq_updates_build (JcHqStore *store, gint64 since, const char *directory, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) revoked = NULL;
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GPtrArray) institutions = NULL;
  g_autofree char *digest = NULL;

  jc_hq_store_lock (store);
  revoked = jc_hq_store_revoked (store, error);
  if (revoked != NULL)
    plans = jc_hq_plan_envelopes_since (store, since, error);
  if (plans != NULL && jc_hq_directory_ensure (store, error))
    institutions = jc_hq_directory_load (store, error);
  jc_hq_store_unlock (store);
  if (revoked == NULL || plans == NULL || institutions == NULL)
    return NULL;
  digest = jc_hq_directory_digest (institutions);

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "type", "updates");
  jc_json_builder_add_int (b, "version", 1);
  jc_json_builder_add_int (b, "hq_time", g_get_real_time () / G_USEC_PER_SEC);
  jc_json_builder_add_int (b, "since", since);
  json_builder_set_member_name (b, "revoked");
  json_builder_begin_array (b);
  for (guint i = 0; i < revoked->len; i++)
    json_builder_add_string_value (b, revoked->pdata[i]);
  json_builder_end_array (b);
  if (!add_checklists (store, b, since, error))
    return NULL;
  /* Each plan as its own signed envelope, verbatim: devices check HQ's
   * signature over the plan itself, not only over this document. */
  json_builder_set_member_name (b, "plans");
  json_builder_begin_array (b);
  for (guint i = 0; i < plans->len; i++)
    json_builder_add_string_value (b, plans->pdata[i]);
  json_builder_end_array (b);
  if (institutions->len > 0 && g_strcmp0 (directory, digest) != 0)
    add_directory (b, institutions, digest);
  json_builder_end_object (b);
  return jc_signed_doc_wrap (jc_hq_store_get_secret_key (store), jc_hq_store_get_public_key (store), b);
}

char *
jc_hq_checklist_issue (JcHqStore *store, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JcChecklist) list = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *dir = checklist_dir (store);
  g_autofree char *base = NULL, *out = NULL, *sig_out = NULL, *sig_hex = NULL;
  guint8 sig[64];
  gsize len;
  const guint8 *data;

  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return NULL;
  list = jc_checklist_load_bytes (bytes, path, error);
  if (list == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  crypto_sign_detached (sig, NULL, data, len, jc_hq_store_get_secret_key (store));
  sig_hex = jc_device_hex (sig, sizeof sig);
  base = g_strdup_printf ("%s@%u", jc_checklist_get_id (list), jc_checklist_get_version (list));
  out = g_strdup_printf ("%s/%s.json", dir, base);
  sig_out = g_strconcat (out, ".sig", NULL);
  if (g_file_test (out, G_FILE_TEST_EXISTS))
    {
      g_autofree char *old = NULL;
      gsize old_len = 0;

      if (g_file_get_contents (out, &old, &old_len, NULL) && old_len == len && memcmp (old, data, len) == 0)
        return g_steal_pointer (&base);
      g_set_error (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_CONFLICT,
                   _("HQ already issued %s with other contents: a version never changes, give it a new version"),
                   base);
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "%s: %s", dir, g_strerror (errsv));
      return NULL;
    }
  /* The signature first: a list without its .sig is never served. */
  if (!g_file_set_contents (sig_out, sig_hex, -1, error) ||
      !g_file_set_contents (out, (const char *) data, len, error))
    return NULL;
  return g_steal_pointer (&base);
}

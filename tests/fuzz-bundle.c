/* fuzz-bundle.c — fuzz target for HQ's reading of a JCB1 bundle
 *
 * A bundle is read by HQ before it trusts anything in it, so both layers get
 * the fuzzer's bytes. The first input byte picks what the rest is:
 *   bit 0 clear: the body, signed and sealed here with fixed test keys, so
 *                the fuzzer reaches the body's parser (events, manifests);
 *   bit 0 set:   the whole sealed bundle as it would arrive over HTTP.
 * Built with libFuzzer by build-aux/fuzz.sh, and as a replay program over
 * tests/fuzz/bundle/ in the normal test suite (tests/fuzz-main.c).
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-bundle.h"
#include "jc-core.h"
#include "jc-json-strict.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static guint8 hq_pk[32], hq_sk[64];
static JcDevice *device;

static gboolean
device_key (const guint8 device_id[16], guint8 public_key[32], gpointer user_data, GError **error)
{
  if (memcmp (device_id, jc_device_get_id (device), 16) != 0)
    {
      g_set_error_literal (error, JC_BUNDLE_ERROR, JC_BUNDLE_ERROR_UNKNOWN_DEVICE, "unknown device");
      return FALSE;
    }
  memcpy (public_key, jc_device_get_public_key (device), 32);
  return TRUE;
}

/* The elements of the array member @name, read from its raw text, say
 * what json-glib's array says. */
static void
check_elements (const JcEvent *event, const char *name, JsonArray *array)
{
  g_autoptr(JcJsonMembers) body = jc_json_members_new (jc_event_get_body (event), strlen (jc_event_get_body (event)));
  const JcJsonMember *m = jc_json_members_lookup (body, name);
  g_autoptr(JcJsonMembers) elements = jc_json_members_new (m->raw, m->raw_len);

  g_assert (m->type == JC_JSON_MEMBER_OTHER && m->raw[0] == '[' && m->raw[m->raw_len - 1] == ']');
  g_assert (jc_json_members_get_n (elements) == json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const JcJsonMember *e = jc_json_members_get (elements, i);
      gboolean is_string = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;

      g_assert ((e->type == JC_JSON_MEMBER_STRING) == is_string);
      g_assert (!is_string || strcmp (e->string, json_node_get_string (node)) == 0);
      g_assert ((e->type == JC_JSON_MEMBER_OTHER && e->raw[0] == '{') == JSON_NODE_HOLDS_OBJECT (node));
    }
}

/* The members read without a tree say what json-glib's tree says; the
 * index trusts that the body passed the strict check, so it is read here
 * on whatever bodies got through it. */
static void
check_members (const JcEvent *event)
{
  g_autoptr(GList) names = NULL;
  JsonObject *tree;

  g_assert (!jc_event_has_body_member (event, "\x01 not a member name"));
  tree = jc_event_get_body_object (event);
  names = json_object_get_members (tree);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (tree, l->data);
      gboolean is_value = JSON_NODE_HOLDS_VALUE (node);
      const char *str = jc_event_get_body_string (event, l->data);
      gint64 v = 0;
      gboolean has_int = jc_event_get_body_int (event, l->data, &v);

      g_assert (jc_event_has_body_member (event, l->data));
      if (is_value && json_node_get_value_type (node) == G_TYPE_STRING)
        g_assert (str != NULL && strcmp (str, json_node_get_string (node)) == 0);
      else
        g_assert (str == NULL);
      g_assert (has_int == (is_value && json_node_get_value_type (node) == G_TYPE_INT64));
      g_assert (!has_int || v == json_node_get_int (node));
      if (JSON_NODE_HOLDS_ARRAY (node))
        check_elements (event, l->data, json_node_get_array (node));
    }
}

/* The decoder takes only the canonical encoding: the event made anew from
 * the fields it read is encoded in the very bytes it read. */
static void
check_canonical (const JcEvent *event)
{
  g_autoptr(JcEvent) again = NULL;
  g_autoptr(GError) error = NULL;
  gsize len, again_len;
  const guint8 *bytes = jc_event_get_encoded (event, &len), *again_bytes;

  again = jc_event_new (jc_event_get_device_id (event), jc_event_get_seq (event), jc_event_get_prev_hash (event),
                        jc_event_get_wall_time (event), jc_event_get_monotonic_time (event),
                        jc_event_get_hq_time (event), jc_event_get_inspector (event), jc_event_get_kind (event),
                        jc_event_get_body (event), &error);
  g_assert_no_error (error);
  again_bytes = jc_event_get_encoded (again, &again_len);
  g_assert (again_len == len && memcmp (again_bytes, bytes, len) == 0);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static gboolean ready;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(JcBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;
  char device_hex[33];

  if (!ready)
    {
      guint8 seed[32], id[16];

      jc_core_init (NULL);
      memset (seed, 7, sizeof seed);
      crypto_sign_seed_keypair (hq_pk, hq_sk, seed);
      memset (seed, 9, sizeof seed);
      memset (id, 3, sizeof id);
      device = jc_device_new_from_seed (id, seed, NULL);
      ready = TRUE;
    }
  if (size == 0 || size > JC_BUNDLE_MAX_SIZE)
    return 0;
  if ((data[0] & 1) == 0)
    sealed = jc_bundle_seal_body (device, data + 1, size - 1, hq_pk, NULL);
  else
    sealed = g_bytes_new (data + 1, size - 1);
  if (sealed == NULL)
    return 0;
  bundle = jc_bundle_open (sealed, hq_pk, hq_sk, device_key, NULL, device_hex, &error);
  /* Either a bundle whose every event is this device's, or a reason. */
  if (bundle != NULL)
    {
      for (guint i = 0; i < bundle->events->len; i++)
        {
          g_assert (memcmp (jc_event_get_device_id (bundle->events->pdata[i]), jc_device_get_id (device), 16) == 0);
          check_members (bundle->events->pdata[i]);
          check_canonical (bundle->events->pdata[i]);
        }
    }
  else
    g_assert (error != NULL && error->message != NULL);
  return 0;
}

/* jc-json.c — the few json-glib helpers every event body needs */
#include "config.h"

#include "jc-device.h"
#include "jc-json.h"

gboolean
jc_json_get_hex (JsonObject *obj, const char *member, guint8 *out, gsize len)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING &&
         jc_device_unhex (json_node_get_string (node), out, len);
}

char *
jc_json_builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

void
jc_json_builder_add_string (JsonBuilder *builder, const char *member, const char *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

void
jc_json_builder_add_int (JsonBuilder *builder, const char *member, gint64 value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

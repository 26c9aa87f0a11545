/* jc-json.h — the few json-glib helpers every event body needs */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The built value as compact JSON text, members in the order they were added. */
char *jc_json_builder_to_string  (JsonBuilder *builder);
void  jc_json_builder_add_string (JsonBuilder *builder,
                                  const char  *member,
                                  const char  *value);
void  jc_json_builder_add_int    (JsonBuilder *builder,
                                  const char  *member,
                                  gint64       value);

/* A string member of @obj (may be NULL) holding exactly @len bytes in hex. */
gboolean jc_json_get_hex         (JsonObject  *obj,
                                  const char  *member,
                                  guint8      *out,
                                  gsize        len);

G_END_DECLS

/* jc-json-strict.h — strict JSON (RFC 8259) for what is signed
 *
 * Event bodies and finding records are read by HQ, the app and anyone who
 * verifies a finding: they must mean one thing to every reader, so they
 * are checked against the RFC before json-glib (which is lenient) sees
 * them, and their trees are built by the same pass.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean jc_json_strict_check (const char  *text,
                               gsize        len,
                               JsonNode   **out_node,
                               gboolean    *out_defer,
                               char       **out_problem);
gboolean jc_json_strict_parse (const char  *text,
                               gsize        len,
                               JsonNode   **out_node,
                               char       **out_problem);

int      jc_json_hex4         (const char  *p);

/* The top-level members of a checked object, without a tree: what a
 * projection reads is a few strings and integers of a body, and
 * json-glib's tree of it costs tens of allocations to build and to free. */
typedef enum {
  JC_JSON_MEMBER_STRING,
  JC_JSON_MEMBER_INT,
  JC_JSON_MEMBER_OTHER,     /* an object, an array, a boolean or null */
  JC_JSON_MEMBER_DEFERRED,  /* a number json-glib must read */
} JcJsonMemberType;

typedef struct {
  const char       *name;
  const char       *string;   /* JC_JSON_MEMBER_STRING */
  gint64            integer;  /* JC_JSON_MEMBER_INT */
  JcJsonMemberType  type;
  const char       *raw;      /* the value's own text, in the text indexed */
  gsize             raw_len;
} JcJsonMember;

typedef struct _JcJsonMembers JcJsonMembers;

JcJsonMembers      *jc_json_members_new    (const char          *text,
                                            gsize                len);
const JcJsonMember *jc_json_members_lookup (const JcJsonMembers *members,
                                            const char          *name);
void                jc_json_members_free   (JcJsonMembers       *members);

const char         *jc_json_members_get_string (const JcJsonMembers *members,
                                                const char          *name);
gboolean            jc_json_members_get_int    (const JcJsonMembers *members,
                                                const char          *name,
                                                gint64              *out);
guint               jc_json_members_get_n  (const JcJsonMembers *members);
const JcJsonMember *jc_json_members_get    (const JcJsonMembers *members,
                                            guint                i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcJsonMembers, jc_json_members_free)

G_END_DECLS

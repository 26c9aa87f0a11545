/* jc-event.h — one signed event: its canonical encoding, hash and signature */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "jc-device.h"

G_BEGIN_DECLS

/* The first field of every encoded event; a new layout gets a new tag. */
#define JC_EVENT_FORMAT     "JCE1"
#define JC_EVENT_N_FIELDS   10
#define JC_EVENT_HASH_SIZE  32
/* An event is a record, not evidence: photos go to the blob store. */
#define JC_EVENT_MAX_SIZE   (1024 * 1024)
#define JC_EVENT_KIND_MAX   64
#define JC_EVENT_INSPECTOR_MAX 256

#define JC_EVENT_ERROR (jc_event_error_quark ())

typedef enum {
  JC_EVENT_ERROR_MALFORMED,    /* bytes that are not a well-formed JCE1 event */
  JC_EVENT_ERROR_UNSUPPORTED,  /* a well-formed event of another format version */
  JC_EVENT_ERROR_INVALID,      /* a producer asked for an event that cannot exist */
  JC_EVENT_ERROR_SIGNATURE,    /* the signature does not verify */
} JcEventError;

#define JC_TYPE_EVENT (jc_event_get_type ())

typedef struct _JcEvent JcEvent;

GType         jc_event_get_type           (void) G_GNUC_CONST;
GQuark        jc_event_error_quark        (void);

JcEvent      *jc_event_new                (const guint8  *device_id,
                                           guint64        seq,
                                           const guint8  *prev_hash,
                                           gint64         wall_time,
                                           gint64         monotonic_time,
                                           gint64         hq_time,
                                           const char    *inspector,
                                           const char    *kind,
                                           const char    *body_json,
                                           GError       **error);
JcEvent      *jc_event_decode             (const guint8  *data,
                                           gsize          len,
                                           GError       **error);
JcEvent      *jc_event_ref                (JcEvent       *event);
void          jc_event_unref              (JcEvent       *event);

gboolean      jc_event_sign               (JcEvent        *event,
                                           const JcDevice *device,
                                           GError        **error);
gboolean      jc_event_set_signature      (JcEvent       *event,
                                           const guint8  *signature,
                                           gsize          len,
                                           GError       **error);
gboolean      jc_event_verify             (JcEvent       *event,
                                           const guint8  *public_key,
                                           GError       **error);
gboolean      jc_event_is_verified_with   (const JcEvent *event,
                                           const guint8  *public_key);

const guint8 *jc_event_get_device_id      (const JcEvent *event);
const char   *jc_event_get_device_id_hex  (const JcEvent *event);
guint64       jc_event_get_seq            (const JcEvent *event);
const guint8 *jc_event_get_prev_hash      (const JcEvent *event);
gint64        jc_event_get_wall_time      (const JcEvent *event);
gint64        jc_event_get_monotonic_time (const JcEvent *event);
gint64        jc_event_get_hq_time        (const JcEvent *event);
const char   *jc_event_get_inspector      (const JcEvent *event);
const char   *jc_event_get_kind           (const JcEvent *event);
const char   *jc_event_get_body           (const JcEvent *event);
JsonObject   *jc_event_get_body_object    (const JcEvent *event);
gboolean      jc_event_has_body_member    (const JcEvent *event,
                                           const char    *name);
const char   *jc_event_get_body_string    (const JcEvent *event,
                                           const char    *name);
gboolean      jc_event_get_body_int       (const JcEvent *event,
                                           const char    *name,
                                           gint64        *out);
const guint8 *jc_event_get_encoded        (const JcEvent *event,
                                           gsize         *len);
const guint8 *jc_event_get_hash           (const JcEvent *event);
const guint8 *jc_event_get_signature      (const JcEvent *event);

gboolean      jc_event_kind_is_valid      (const char    *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcEvent, jc_event_unref)

G_END_DECLS

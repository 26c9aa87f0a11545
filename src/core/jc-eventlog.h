/* jc-eventlog.h — the append-only, signed, hash-chained event log in SQLite */
#pragma once

#include <glib.h>
#include "jc-db.h"

#include "jc-device.h"
#include "jc-event.h"

G_BEGIN_DECLS

#define JC_EVENTLOG_ERROR (jc_eventlog_error_quark ())

typedef enum {
  JC_EVENTLOG_ERROR_DATABASE,      /* SQLite said no (busy, full disk, I/O) */
  JC_EVENTLOG_ERROR_GAP,           /* a foreign event after a hole: hold it, fetch the rest */
  JC_EVENTLOG_ERROR_CONFLICT,      /* another event already holds this (device, seq) */
  JC_EVENTLOG_ERROR_CHAIN,         /* prev_hash, order or contiguity is wrong */
  JC_EVENTLOG_ERROR_SIGNATURE,     /* a stored event whose signature does not verify */
  JC_EVENTLOG_ERROR_KEY_MISMATCH,  /* the device is known with another public key */
  JC_EVENTLOG_ERROR_CORRUPT,       /* a stored row that disagrees with its own encoding */
  JC_EVENTLOG_ERROR_PROJECTION,    /* a projection refused an event */
} JcEventlogError;

typedef struct _JcEventlog JcEventlog;

/* "Everything of @device_id after @seq": a per-device position in the log. */
typedef struct {
  guint8  device_id[JC_DEVICE_ID_SIZE];
  guint64 seq;
} JcEventlogCursor;

/* Projections run inside the transaction that stores the event; returning
 * FALSE (with @error set) rolls the event back. */
typedef gboolean (*JcProjectionFunc) (JcDb        *db,
                                      const JcEvent  *event,
                                      gpointer        user_data,
                                      GError        **error);

/* Return FALSE to stop; set @error to make the iteration fail. */
typedef gboolean (*JcEventlogFunc)   (const JcEvent  *event,
                                      gpointer        user_data,
                                      GError        **error);

GQuark      jc_eventlog_error_quark         (void);

/* With the "audit" projection (one summary line per event, what `log show`
 * prints). */
JcEventlog *jc_eventlog_new                 (JcDb                *db,
                                             GError                **error);
/* Without it: for HQ, whose record is the events table itself and which
 * would only pay for the summaries. */
JcEventlog *jc_eventlog_new_bare            (JcDb                *db,
                                             GError                **error);
void        jc_eventlog_free                (JcEventlog             *log);
JcDb    *jc_eventlog_get_db              (JcEventlog             *log);

gint64      jc_eventlog_get_hq_time         (JcEventlog             *log);
gboolean    jc_eventlog_set_hq_time         (JcEventlog             *log,
                                             gint64                  hq_time,
                                             GError                **error);

gboolean    jc_eventlog_append              (JcEventlog             *log,
                                             const JcDevice         *device,
                                             const char             *inspector,
                                             const char             *kind,
                                             const char             *body_json,
                                             JcEvent               **out_event,
                                             GError                **error);
gboolean    jc_eventlog_begin               (JcEventlog             *log,
                                             GError                **error);
gboolean    jc_eventlog_commit              (JcEventlog             *log,
                                             GError                **error);
void        jc_eventlog_rollback            (JcEventlog             *log);

gboolean    jc_eventlog_insert_foreign      (JcEventlog             *log,
                                             const guint8           *encoded,
                                             gsize                   encoded_len,
                                             const guint8           *signature,
                                             gsize                   signature_len,
                                             const guint8           *public_key,
                                             gboolean               *out_added,
                                             GError                **error);

gboolean    jc_eventlog_insert_event        (JcEventlog             *log,
                                             JcEvent                *event,
                                             const guint8           *public_key,
                                             gboolean               *out_added,
                                             GError                **error);

void        jc_eventlog_begin_run           (JcEventlog             *log,
                                             gboolean                undo_each);
void        jc_eventlog_end_run             (JcEventlog             *log);

gboolean    jc_eventlog_verify              (JcEventlog             *log,
                                             GError                **error);

gboolean    jc_eventlog_get_device_key      (JcEventlog             *log,
                                             const guint8           *device_id,
                                             guint8                 *out_public_key,
                                             GError                **error);
gboolean    jc_eventlog_get_head            (JcEventlog             *log,
                                             const guint8           *device_id,
                                             guint64                *out_seq,
                                             guint8                 *out_hash,
                                             GError                **error);
GArray     *jc_eventlog_get_heads           (JcEventlog             *log,
                                             GError                **error);
GPtrArray  *jc_eventlog_get_events_after    (JcEventlog             *log,
                                             const guint8           *device_id,
                                             guint64                 after_seq,
                                             guint                   limit,
                                             GError                **error);
gboolean    jc_eventlog_foreach             (JcEventlog             *log,
                                             const JcEventlogCursor *since,
                                             gsize                   n_since,
                                             JcEventlogFunc          func,
                                             gpointer                user_data,
                                             GError                **error);

gboolean    jc_eventlog_add_projection      (JcEventlog             *log,
                                             const char             *name,
                                             const char             *kind_prefix,
                                             const char             *schema_sql,
                                             const char * const     *tables,
                                             JcProjectionFunc        func,
                                             gpointer                user_data,
                                             GDestroyNotify          user_data_free,
                                             GError                **error);
/* For projections: binds where @event comes from — its device id (hex) and
 * seq — to parameters @first and @first + 1 of @stmt (NULL when preparing it
 * failed), steps it once and finalizes it. */
gboolean    jc_eventlog_step_with_origin    (JcDb                *db,
                                             JcDbStmt           *stmt,
                                             const JcEvent          *event,
                                             int                     first,
                                             GError                **error);
gboolean    jc_eventlog_rebuild_projections (JcEventlog             *log,
                                             GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcEventlog, jc_eventlog_free)

G_END_DECLS

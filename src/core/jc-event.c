/* jc-event.c — one signed event: its canonical encoding, hash and signature
 *
 * The encoding is a definite CBOR array of ten fields, every item in its
 * shortest form (RFC 8949 §4.2.1 "core deterministic encoding"):
 *
 *   ["JCE1", device_id: bstr(16), seq: uint (>= 1), prev_hash: bstr(32),
 *    wall_time: int, monotonic_time: int, hq_time: int,
 *    inspector: tstr, kind: tstr, body: tstr (a JSON object)]
 *
 * The hash (SHA-256) and the Ed25519 signature both cover exactly these
 * bytes. Decoding accepts one encoding per event and nothing else: it
 * re-encodes what it read and insists on the same bytes, so a hash names an
 * event, not one of its spellings.
 */
#include "config.h"

#include <inttypes.h>

#include <cbor.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <stdarg.h>
#include <string.h>

#include "jc-event.h"
#include "jc-json-strict.h"
#include "jc-sha256.h"

struct _JcEvent
{
  gatomicrefcount ref_count;

  guint8    device_id[JC_DEVICE_ID_SIZE];
  char      device_id_hex[JC_DEVICE_ID_HEX_SIZE + 1];
  guint64   seq;
  guint8    prev_hash[JC_EVENT_HASH_SIZE];
  gint64    wall_time;
  gint64    monotonic_time;
  gint64    hq_time;
  char     *inspector;
  char     *kind;
  char     *body;
  gsize     body_len;
  /* decoded: inspector, kind, body and the encoding in one allocation
   * (HQ decodes every event of a bundle); NULL: each its own */
  char     *block;
  JsonNode *body_node;     /* both built when first read */
  JcJsonMembers *body_index;

  guint8   *encoded;
  gsize     encoded_len;
  guint8    hash[JC_EVENT_HASH_SIZE];
  gboolean  has_signature;
  guint8    signature[JC_DEVICE_SIGNATURE_SIZE];
  /* the key the signature last verified against: lets a caller verify in
   * worker threads and store serially without verifying twice */
  gboolean  verified;
  guint8    verified_key[JC_DEVICE_PUBLIC_KEY_SIZE];
};

G_DEFINE_QUARK (jc-event-error-quark, jc_event_error)
G_DEFINE_BOXED_TYPE (JcEvent, jc_event, jc_event_ref, jc_event_unref)

G_STATIC_ASSERT (JC_EVENT_HASH_SIZE == JC_SHA256_SIZE);

static const guint8 zero_hash[JC_EVENT_HASH_SIZE];

static JcEvent *
event_alloc (void)
{
  JcEvent *event = g_new0 (JcEvent, 1);

  g_atomic_ref_count_init (&event->ref_count);
  return event;
}

JcEvent *
jc_event_ref (JcEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);
  g_atomic_ref_count_inc (&event->ref_count);
  return event;
}

void
jc_event_unref (JcEvent *event)
{
  g_return_if_fail (event != NULL);
  if (!g_atomic_ref_count_dec (&event->ref_count))
    return;
  if (event->block != NULL)
    g_free (event->block);
  else
    {
      g_free (event->inspector);
      g_free (event->kind);
      g_free (event->body);
      g_free (event->encoded);
    }
  if (event->body_node != NULL)
    json_node_unref (event->body_node);
  g_clear_pointer (&event->body_index, jc_json_members_free);
  g_free (event);
}

/* Encoding ---------------------------------------------------------------- */

static void
put_head (GByteArray *out,
          size_t      (*encode) (size_t, unsigned char *, size_t),
          gsize        len)
{
  guint8 buf[9];
  gsize n = encode (len, buf, sizeof buf);

  g_byte_array_append (out, buf, n);
}

static void
put_uint (GByteArray *out,
          guint64     value)
{
  guint8 buf[9];
  gsize n = cbor_encode_uint (value, buf, sizeof buf);

  g_byte_array_append (out, buf, n);
}

static void
put_int (GByteArray *out,
         gint64      value)
{
  guint8 buf[9];
  gsize n;

  if (value >= 0)
    n = cbor_encode_uint ((guint64) value, buf, sizeof buf);
  else
    n = cbor_encode_negint ((guint64) (-(value + 1)), buf, sizeof buf);  /* CBOR: -1 - n */
  g_byte_array_append (out, buf, n);
}

static void
put_bytes (GByteArray   *out,
           const guint8 *data,
           gsize         len)
{
  put_head (out, cbor_encode_bytestring_start, len);
  g_byte_array_append (out, data, len);
}

static void
put_text (GByteArray *out,
          const char *text,
          gsize       len)
{
  put_head (out, cbor_encode_string_start, len);
  g_byte_array_append (out, (const guint8 *) text, len);
}

/* The one place the layout is written; decoding accepts only what it
 * writes (tests/fuzz-bundle.c checks that it does). */
static GByteArray *
encode_fields (const JcEvent *event)
{
  GByteArray *out = g_byte_array_sized_new (128 + event->body_len);

  put_head (out, cbor_encode_array_start, JC_EVENT_N_FIELDS);
  put_text (out, JC_EVENT_FORMAT, strlen (JC_EVENT_FORMAT));
  put_bytes (out, event->device_id, JC_DEVICE_ID_SIZE);
  put_uint (out, event->seq);
  put_bytes (out, event->prev_hash, JC_EVENT_HASH_SIZE);
  put_int (out, event->wall_time);
  put_int (out, event->monotonic_time);
  put_int (out, event->hq_time);
  put_text (out, event->inspector, strlen (event->inspector));
  put_text (out, event->kind, strlen (event->kind));
  put_text (out, event->body, event->body_len);
  return out;
}

static void
set_device_id (JcEvent      *event,
               const guint8 *device_id)
{
  memcpy (event->device_id, device_id, JC_DEVICE_ID_SIZE);
  sodium_bin2hex (event->device_id_hex, sizeof event->device_id_hex,
                  event->device_id, JC_DEVICE_ID_SIZE);
}

static gboolean
kind_is_valid (const char *kind,
               gsize       len)
{
  if (len == 0 || len > JC_EVENT_KIND_MAX || !g_ascii_islower (kind[0]) || kind[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = kind[i];

      if (!(g_ascii_islower (c) || g_ascii_isdigit (c) || c == '.' || c == '_' || c == '-'))
        return FALSE;
      if (c == '.' && i + 1 < len && kind[i + 1] == '.')
        return FALSE;
    }
  return TRUE;
}

gboolean
jc_event_kind_is_valid (const char *kind)
{
  return kind != NULL && kind_is_valid (kind, strlen (kind));
}

static gboolean
inspector_is_valid (const char *inspector,
                    gsize       len)
{
  /* g_utf8_validate_len() also refuses an embedded NUL */
  return len <= JC_EVENT_INSPECTOR_MAX && g_utf8_validate_len (inspector, len, NULL);
}

static void
finish_encoding (JcEvent *event)
{
  GByteArray *out = encode_fields (event);

  event->encoded_len = out->len;
  event->encoded = g_byte_array_free (out, FALSE);
  jc_sha256 (event->hash, event->encoded, event->encoded_len);
}

/* A new, unsigned event. @body_json is re-generated by json-glib (compact,
 * members in the producer's order), so one content has one text. */
JcEvent *
jc_event_new (const guint8  *device_id,
              guint64        seq,
              const guint8  *prev_hash,
              gint64         wall_time,
              gint64         monotonic_time,
              gint64         hq_time,
              const char    *inspector,
              const char    *kind,
              const char    *body_json,
              GError       **error)
{
  g_autoptr(JcEvent) event = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *problem = NULL;

  g_return_val_if_fail (device_id != NULL, NULL);
  g_return_val_if_fail (inspector != NULL && kind != NULL && body_json != NULL, NULL);

  event = event_alloc ();
  set_device_id (event, device_id);

  if (seq == 0 || seq > G_MAXINT64)
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event of device %s: sequence number %" PRIu64 " is out of range"),
                   event->device_id_hex, seq);
      return NULL;
    }
  event->seq = seq;
  if (seq == 1 && prev_hash != NULL && sodium_memcmp (prev_hash, zero_hash, JC_EVENT_HASH_SIZE) != 0)
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event 1 of device %s: the first event of a chain has no previous hash"),
                   event->device_id_hex);
      return NULL;
    }
  if (seq > 1 && prev_hash == NULL)
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event %" PRIu64 " of device %s: the previous hash is missing"),
                   seq, event->device_id_hex);
      return NULL;
    }
  if (prev_hash != NULL)
    memcpy (event->prev_hash, prev_hash, JC_EVENT_HASH_SIZE);

  event->wall_time = wall_time;
  event->monotonic_time = monotonic_time;
  event->hq_time = hq_time;

  if (!inspector_is_valid (inspector, strlen (inspector)))
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event %" PRIu64 " of device %s: the inspector name is not valid UTF-8 "
                     "of at most %d bytes"),
                   seq, event->device_id_hex, JC_EVENT_INSPECTOR_MAX);
      return NULL;
    }
  event->inspector = g_strdup (inspector);

  if (!jc_event_kind_is_valid (kind))
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event %" PRIu64 " of device %s: kind '%s' is not a short lowercase "
                     "ASCII name like 'inspection.create'"),
                   seq, event->device_id_hex, kind);
      return NULL;
    }
  event->kind = g_strdup (kind);

  if (!jc_json_strict_parse (body_json, strlen (body_json), &event->body_node, &problem))
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event %" PRIu64 " of device %s (%s): the body %s"),
                   seq, event->device_id_hex, kind, problem);
      return NULL;
    }
  generator = json_generator_new ();
  json_generator_set_root (generator, event->body_node);
  event->body = json_generator_to_data (generator, &event->body_len);
  /* what json-glib wrote must pass the reader's check too */
  g_clear_pointer (&problem, g_free);
  if (!jc_json_strict_check (event->body, event->body_len, NULL, NULL, &problem))
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event %" PRIu64 " of device %s (%s): the generated body %s"),
                   seq, event->device_id_hex, kind, problem);
      return NULL;
    }

  finish_encoding (event);
  if (event->encoded_len > JC_EVENT_MAX_SIZE)
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event %" PRIu64 " of device %s (%s): %zu bytes is more than the "
                     "limit of %d; store large data as evidence"),
                   seq, event->device_id_hex, kind, event->encoded_len, JC_EVENT_MAX_SIZE);
      return NULL;
    }
  return g_steal_pointer (&event);
}

/* Decoding ---------------------------------------------------------------- */

typedef enum {
  ITEM_NONE,
  ITEM_UINT,
  ITEM_NEGINT,
  ITEM_BYTES,
  ITEM_TEXT,
  ITEM_ARRAY,
  ITEM_OTHER,
} ItemType;

typedef struct {
  ItemType      type;
  guint64       value;   /* uint, negint (CBOR's n for -1 - n), array size */
  const guint8 *data;
  gsize         len;
  const char   *other;   /* what an ITEM_OTHER was */
} Item;

static void cb_uint8 (void *c, uint8_t v) { Item *i = c; i->type = ITEM_UINT; i->value = v; }
static void cb_uint16 (void *c, uint16_t v) { Item *i = c; i->type = ITEM_UINT; i->value = v; }
static void cb_uint32 (void *c, uint32_t v) { Item *i = c; i->type = ITEM_UINT; i->value = v; }
static void cb_uint64 (void *c, uint64_t v) { Item *i = c; i->type = ITEM_UINT; i->value = v; }
static void cb_negint8 (void *c, uint8_t v) { Item *i = c; i->type = ITEM_NEGINT; i->value = v; }
static void cb_negint16 (void *c, uint16_t v) { Item *i = c; i->type = ITEM_NEGINT; i->value = v; }
static void cb_negint32 (void *c, uint32_t v) { Item *i = c; i->type = ITEM_NEGINT; i->value = v; }
static void cb_negint64 (void *c, uint64_t v) { Item *i = c; i->type = ITEM_NEGINT; i->value = v; }

static void
cb_bytes (void *c, cbor_data d, size_t n)
{
  Item *i = c;

  i->type = ITEM_BYTES;
  i->data = d;
  i->len = n;
}

static void
cb_text (void *c, cbor_data d, size_t n)
{
  Item *i = c;

  i->type = ITEM_TEXT;
  i->data = d;
  i->len = n;
}

static void
cb_array (void *c, size_t n)
{
  Item *i = c;

  i->type = ITEM_ARRAY;
  i->value = n;
}

#define OTHER_CB(name, what) \
  static void name (void *c) { Item *i = c; i->type = ITEM_OTHER; i->other = what; }
OTHER_CB (cb_indef_bytes, N_("an indefinite-length byte string"))
OTHER_CB (cb_indef_text, N_("an indefinite-length text string"))
OTHER_CB (cb_indef_array, N_("an indefinite-length array"))
OTHER_CB (cb_indef_map, N_("an indefinite-length map"))
OTHER_CB (cb_undefined, N_("undefined"))
OTHER_CB (cb_null, N_("null"))
OTHER_CB (cb_break, N_("a break code"))
#undef OTHER_CB

static void cb_map (void *c, size_t n) { Item *i = c; i->type = ITEM_OTHER; i->other = N_("a map"); }
static void cb_tag (void *c, uint64_t v) { Item *i = c; i->type = ITEM_OTHER; i->other = N_("a tag"); }
static void cb_float (void *c, float v) { Item *i = c; i->type = ITEM_OTHER; i->other = N_("a float"); }
static void cb_double (void *c, double v) { Item *i = c; i->type = ITEM_OTHER; i->other = N_("a float"); }
static void cb_bool (void *c, bool v) { Item *i = c; i->type = ITEM_OTHER; i->other = N_("a boolean"); }

/* The streaming decoder hands over one item at a time and never nests, so a
 * hostile input cannot make it recurse or allocate. (libcbor 0.8's header
 * comments swap "definite" and "indefinite" for strings; the fields are
 * right.) */
static const struct cbor_callbacks item_callbacks = {
  .uint8 = cb_uint8, .uint16 = cb_uint16, .uint32 = cb_uint32, .uint64 = cb_uint64,
  .negint8 = cb_negint8, .negint16 = cb_negint16, .negint32 = cb_negint32,
  .negint64 = cb_negint64,
  .byte_string = cb_bytes, .byte_string_start = cb_indef_bytes,
  .string = cb_text, .string_start = cb_indef_text,
  .array_start = cb_array, .indef_array_start = cb_indef_array,
  .map_start = cb_map, .indef_map_start = cb_indef_map,
  .tag = cb_tag,
  .float2 = cb_float, .float4 = cb_float, .float8 = cb_double,
  .undefined = cb_undefined, .null = cb_null, .boolean = cb_bool,
  .indef_break = cb_break,
};

static const char *
item_describe (const Item *item)
{
  switch (item->type)
    {
    case ITEM_UINT: return _("an unsigned integer");
    case ITEM_NEGINT: return _("a negative integer");
    case ITEM_BYTES: return _("a byte string");
    case ITEM_TEXT: return _("text");
    case ITEM_ARRAY: return _("an array");
    case ITEM_OTHER: return _(item->other);
    case ITEM_NONE:
    default: return _("nothing");
    }
}

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         offset;
  JcEvent      *event;
  gboolean      have_id;   /* device id and seq known: name them in errors */
  gboolean      longer;    /* a head was not in its shortest form */
} Decoder;

static gboolean decode_fail (Decoder    *dec,
                             GError    **error,
                             int         code,
                             const char *format,
                             ...) G_GNUC_PRINTF (4, 5);

static gboolean
decode_fail (Decoder    *dec,
             GError    **error,
             int         code,
             const char *format,
             ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (dec->have_id)
    g_set_error (error, JC_EVENT_ERROR, code, _("Event %" PRIu64 " of device %s: %s"),
                 dec->event->seq, dec->event->device_id_hex, what);
  else
    g_set_error (error, JC_EVENT_ERROR, code, _("Event encoding: %s"), what);
  return FALSE;
}

/* The bytes of the shortest CBOR head holding @value. */
static gsize
head_size (guint64 value)
{
  return value < 24 ? 1 : value <= G_MAXUINT8 ? 2 : value <= G_MAXUINT16 ? 3 : value <= G_MAXUINT32 ? 5 : 9;
}

static gboolean
read_item (Decoder    *dec,
           const char *field,
           Item       *item,
           GError    **error)
{
  struct cbor_decoder_result r;

  memset (item, 0, sizeof *item);
  if (dec->offset >= dec->len)
    return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED,
                        _("truncated after %zu bytes: field '%s' is missing"), dec->len, field);
  r = cbor_stream_decode (dec->data + dec->offset, dec->len - dec->offset, &item_callbacks, item);
  switch (r.status)
    {
    case CBOR_DECODER_FINISHED:
      /* the head's own length, against the shortest that holds its value
       * (the other types are refused by every field) */
      if ((item->type == ITEM_UINT || item->type == ITEM_NEGINT || item->type == ITEM_ARRAY) &&
          r.read != head_size (item->value))
        dec->longer = TRUE;
      else if ((item->type == ITEM_BYTES || item->type == ITEM_TEXT) && r.read - item->len != head_size (item->len))
        dec->longer = TRUE;
      dec->offset += r.read;
      return TRUE;
    case CBOR_DECODER_NEDATA:
      return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED,
                          _("truncated after %zu bytes, inside field '%s'"), dec->len, field);
    case CBOR_DECODER_ERROR:
    default:
      return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED,
                          _("field '%s' is not well-formed CBOR (byte %zu)"), field, dec->offset);
    }
}

static gboolean
read_typed (Decoder    *dec,
            const char *field,
            ItemType    type,
            Item       *item,
            GError    **error)
{
  static const char *names[] = {
    [ITEM_UINT] = N_("an unsigned integer"), [ITEM_BYTES] = N_("a byte string"), [ITEM_TEXT] = N_("text"),
  };

  if (!read_item (dec, field, item, error))
    return FALSE;
  if (item->type != type)
    return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED, _("field '%s' is %s, not %s"),
                        field, item_describe (item), _(names[type]));
  return TRUE;
}

static gboolean
read_bytes (Decoder    *dec,
            const char *field,
            guint8     *out,
            gsize       size,
            GError    **error)
{
  Item item;

  if (!read_typed (dec, field, ITEM_BYTES, &item, error))
    return FALSE;
  if (item.len != size)
    return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED, _("field '%s' has %zu bytes, not %zu"),
                        field, item.len, size);
  memcpy (out, item.data, size);
  return TRUE;
}

static gboolean
read_int64 (Decoder    *dec,
            const char *field,
            gint64     *out,
            GError    **error)
{
  Item item;

  if (!read_item (dec, field, &item, error))
    return FALSE;
  if ((item.type != ITEM_UINT && item.type != ITEM_NEGINT))
    return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED, _("field '%s' is %s, not an integer"),
                        field, item_describe (&item));
  if (item.value > G_MAXINT64)
    return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED,
                        _("field '%s' does not fit in 64 signed bits"), field);
  *out = item.type == ITEM_UINT ? (gint64) item.value : -1 - (gint64) item.value;
  return TRUE;
}

/* Reads a text field, checked as UTF-8 (without a NUL); it stays in the
 * input. */
static gboolean
read_text (Decoder     *dec,
           const char  *field,
           const char **out,
           gsize       *out_len,
           GError     **error)
{
  Item item;

  if (!read_typed (dec, field, ITEM_TEXT, &item, error))
    return FALSE;
  if (!g_utf8_validate_len ((const char *) item.data, item.len, NULL))
    return decode_fail (dec, error, JC_EVENT_ERROR_MALFORMED,
                        _("field '%s' is not valid UTF-8 text"), field);
  *out = (const char *) item.data;
  *out_len = item.len;
  return TRUE;
}

/* @len bytes of @text at *@p, with a NUL after them; *@p moves past. */
static char *
put_string (char       **p,
            const char  *text,
            gsize        len)
{
  char *s = *p;

  memcpy (s, text, len);
  s[len] = '\0';
  *p += len + 1;
  return s;
}

/* Decodes and validates one encoded event. The result carries no signature
 * (see jc_event_set_signature()). */
JcEvent *
jc_event_decode (const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  g_autoptr(JcEvent) event = event_alloc ();
  g_autofree char *problem = NULL;
  const char *format, *inspector, *kind, *body;
  gsize format_len, inspector_len, kind_len, body_len;
  gboolean defer = FALSE;
  Decoder dec = { data, len, 0, event, FALSE, FALSE };
  Item item;
  char *p;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len == 0)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED, _("empty"));
      return NULL;
    }
  if (len > JC_EVENT_MAX_SIZE)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED, _("%zu bytes is more than the limit of %d"),
                   len, JC_EVENT_MAX_SIZE);
      return NULL;
    }

  if (!read_item (&dec, "event", &item, error))
    return NULL;
  if (item.type != ITEM_ARRAY)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED, _("is %s, not an array"),
                   item_describe (&item));
      return NULL;
    }

  /* The format tag first: a later version may change the array length. */
  if (!read_text (&dec, "format", &format, &format_len, error))
    return NULL;
  if (format_len != strlen (JC_EVENT_FORMAT) || memcmp (format, JC_EVENT_FORMAT, format_len) != 0)
    {
      g_autofree char *named = g_strndup (format, format_len);

      decode_fail (&dec, error, JC_EVENT_ERROR_UNSUPPORTED,
                   _("format '%s' is not supported (this version reads %s)"), named, JC_EVENT_FORMAT);
      return NULL;
    }
  if (item.value != JC_EVENT_N_FIELDS)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED, _("has %" PRIu64 " fields, not %d"),
                   item.value, JC_EVENT_N_FIELDS);
      return NULL;
    }

  if (!read_bytes (&dec, "device_id", event->device_id, JC_DEVICE_ID_SIZE, error))
    return NULL;
  set_device_id (event, event->device_id);

  if (!read_typed (&dec, "seq", ITEM_UINT, &item, error))
    return NULL;
  if (item.value == 0 || item.value > G_MAXINT64)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED,
                   _("field 'seq' of device %s is %" PRIu64 ", out of range"),
                   event->device_id_hex, item.value);
      return NULL;
    }
  event->seq = item.value;
  dec.have_id = TRUE;

  if (!read_bytes (&dec, "prev_hash", event->prev_hash, JC_EVENT_HASH_SIZE, error))
    return NULL;
  if (event->seq == 1 && sodium_memcmp (event->prev_hash, zero_hash, JC_EVENT_HASH_SIZE) != 0)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED,
                   _("field 'prev_hash' of the first event is not zero"));
      return NULL;
    }

  if (!read_int64 (&dec, "wall_time", &event->wall_time, error) ||
      !read_int64 (&dec, "monotonic_time", &event->monotonic_time, error) ||
      !read_int64 (&dec, "hq_time", &event->hq_time, error))
    return NULL;

  if (!read_text (&dec, "inspector", &inspector, &inspector_len, error))
    return NULL;
  if (inspector_len > JC_EVENT_INSPECTOR_MAX)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED,
                   _("field 'inspector' is longer than %d bytes"), JC_EVENT_INSPECTOR_MAX);
      return NULL;
    }

  if (!read_text (&dec, "kind", &kind, &kind_len, error))
    return NULL;
  if (!kind_is_valid (kind, kind_len))
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED,
                   _("field 'kind' is not a valid kind name"));
      return NULL;
    }

  /* the body's UTF-8 is checked with its JSON, below */
  if (!read_typed (&dec, "body", ITEM_TEXT, &item, error))
    return NULL;
  body = (const char *) item.data;
  body_len = item.len;

  if (dec.offset != len)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED, _("%zu trailing bytes after the event"),
                   len - dec.offset);
      return NULL;
    }

  /* The tree is built when the body is first read: HQ stores most events
   * without reading their bodies. A number json-glib must read is read
   * now, so that what it refuses is refused here. */
  if (!jc_json_strict_check (body, body_len, NULL, &defer, &problem) ||
      (defer && !jc_json_strict_parse (body, body_len, &event->body_node, &problem)))
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED, _("field 'body' %s"), problem);
      return NULL;
    }

  /* Every field is right; now the spelling: integers and lengths in their
   * shortest form (definite lengths only, as every field's type asks).
   * Then encode_fields() would give these very bytes. */
  if (dec.longer)
    {
      decode_fail (&dec, error, JC_EVENT_ERROR_MALFORMED,
                   _("not in canonical form (an integer or a length is not in its shortest encoding)"));
      return NULL;
    }

  p = event->block = g_malloc (inspector_len + kind_len + body_len + 3 + len);
  event->inspector = put_string (&p, inspector, inspector_len);
  event->kind = put_string (&p, kind, kind_len);
  event->body = put_string (&p, body, body_len);
  event->body_len = body_len;
  event->encoded = memcpy (p, data, len);
  event->encoded_len = len;
  jc_sha256 (event->hash, event->encoded, event->encoded_len);
  return g_steal_pointer (&event);
}

/* Signatures -------------------------------------------------------------- */

gboolean
jc_event_sign (JcEvent         *event,
               const JcDevice  *device,
               GError         **error)
{
  g_return_val_if_fail (event != NULL && device != NULL, FALSE);

  if (memcmp (jc_device_get_id (device), event->device_id, JC_DEVICE_ID_SIZE) != 0)
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID,
                   _("Event %" PRIu64 " of device %s cannot be signed by device %s"),
                   event->seq, event->device_id_hex, jc_device_get_id_hex (device));
      return FALSE;
    }
  jc_device_sign (device, event->encoded, event->encoded_len, event->signature);
  event->has_signature = TRUE;
  event->verified = FALSE;
  return TRUE;
}

gboolean
jc_event_set_signature (JcEvent       *event,
                        const guint8  *signature,
                        gsize          len,
                        GError       **error)
{
  g_return_val_if_fail (event != NULL && (signature != NULL || len == 0), FALSE);

  if (len != JC_DEVICE_SIGNATURE_SIZE)
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_SIGNATURE,
                   _("Event %" PRIu64 " of device %s: the signature has %zu bytes, not %d"),
                   event->seq, event->device_id_hex, len, JC_DEVICE_SIGNATURE_SIZE);
      return FALSE;
    }
  memcpy (event->signature, signature, JC_DEVICE_SIGNATURE_SIZE);
  event->has_signature = TRUE;
  event->verified = FALSE;
  return TRUE;
}

/* TRUE when the signature has been verified against @public_key already. */
gboolean
jc_event_is_verified_with (const JcEvent *event,
                           const guint8  *public_key)
{
  g_return_val_if_fail (event != NULL && public_key != NULL, FALSE);

  return event->has_signature && event->verified &&
         sodium_memcmp (event->verified_key, public_key, JC_DEVICE_PUBLIC_KEY_SIZE) == 0;
}

/* Checks the event's signature against @public_key (32 bytes) and
 * remembers the key it verified against. */
gboolean
jc_event_verify (JcEvent        *event,
                 const guint8   *public_key,
                 GError        **error)
{
  g_return_val_if_fail (event != NULL && public_key != NULL, FALSE);

  if (!event->has_signature)
    {
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_SIGNATURE,
                   _("Event %" PRIu64 " of device %s is not signed"),
                   event->seq, event->device_id_hex);
      return FALSE;
    }
  if (crypto_sign_verify_detached (event->signature, event->encoded, event->encoded_len,
                                   public_key) != 0)
    {
      event->verified = FALSE;
      g_set_error (error, JC_EVENT_ERROR, JC_EVENT_ERROR_SIGNATURE,
                   _("Event %" PRIu64 " of device %s: the signature does not verify "
                     "(the event was altered or signed by another key)"),
                   event->seq, event->device_id_hex);
      return FALSE;
    }
  memcpy (event->verified_key, public_key, JC_DEVICE_PUBLIC_KEY_SIZE);
  event->verified = TRUE;
  return TRUE;
}

/* Accessors --------------------------------------------------------------- */

const guint8 *
jc_event_get_device_id (const JcEvent *event)
{
  return event->device_id;
}

const char *
jc_event_get_device_id_hex (const JcEvent *event)
{
  return event->device_id_hex;
}

guint64
jc_event_get_seq (const JcEvent *event)
{
  return event->seq;
}

const guint8 *
jc_event_get_prev_hash (const JcEvent *event)
{
  return event->prev_hash;
}

gint64
jc_event_get_wall_time (const JcEvent *event)
{
  return event->wall_time;
}

gint64
jc_event_get_monotonic_time (const JcEvent *event)
{
  return event->monotonic_time;
}

gint64
jc_event_get_hq_time (const JcEvent *event)
{
  return event->hq_time;
}

const char *
jc_event_get_inspector (const JcEvent *event)
{
  return event->inspector;
}

const char *
jc_event_get_kind (const JcEvent *event)
{
  return event->kind;
}

/* The body as encoded: compact JSON text. */
const char *
jc_event_get_body (const JcEvent *event)
{
  return event->body;
}

/* The body, parsed once, when first asked for (projections read it); owned
 * by the event. Threads may ask at once: one tree is kept. */
JsonObject *
jc_event_get_body_object (const JcEvent *event)
{
  JcEvent *self = (JcEvent *) event;  /* the tree is a cache */
  JsonNode *node = g_atomic_pointer_get (&self->body_node);

  if (node == NULL)
    {
      g_autofree char *problem = NULL;
      JsonNode *built = NULL;

      /* the body passed this check when the event was made or decoded */
      if (!jc_json_strict_parse (event->body, event->body_len, &built, &problem))
        g_error ("event %" PRIu64 " of device %s: its checked body %s", event->seq, event->device_id_hex, problem);
      if (!g_atomic_pointer_compare_and_exchange (&self->body_node, NULL, built))
        json_node_unref (built);
      node = g_atomic_pointer_get (&self->body_node);
    }
  return json_node_get_object (node);
}

/* The index of the body's top-level members, built when first asked for. */
static const JcJsonMembers *
body_index (const JcEvent *event)
{
  JcEvent *self = (JcEvent *) event;  /* the index is a cache, like the tree */
  JcJsonMembers *index = g_atomic_pointer_get (&self->body_index);

  if (index == NULL)
    {
      JcJsonMembers *built = jc_json_members_new (event->body, event->body_len);

      if (!g_atomic_pointer_compare_and_exchange (&self->body_index, NULL, built))
        jc_json_members_free (built);
      index = g_atomic_pointer_get (&self->body_index);
    }
  return index;
}

/* Whether the body has a top-level member @name. */
gboolean
jc_event_has_body_member (const JcEvent *event,
                          const char    *name)
{
  return jc_json_members_lookup (body_index (event), name) != NULL;
}

/* The top-level member @name of the body when it is a string, else NULL;
 * owned by the event. Like the JsonObject's, without building it. */
const char *
jc_event_get_body_string (const JcEvent *event,
                          const char    *name)
{
  return jc_json_members_get_string (body_index (event), name);
}

/* Sets *@out to the top-level member @name of the body when it is an
 * integer (json-glib's G_TYPE_INT64 reading), else returns FALSE. */
gboolean
jc_event_get_body_int (const JcEvent *event,
                       const char    *name,
                       gint64        *out)
{
  return jc_json_members_get_int (body_index (event), name, out);
}

const guint8 *
jc_event_get_encoded (const JcEvent *event,
                      gsize         *len)
{
  if (len != NULL)
    *len = event->encoded_len;
  return event->encoded;
}

/* SHA-256 of the encoding: what the next event's prev_hash holds. */
const guint8 *
jc_event_get_hash (const JcEvent *event)
{
  return event->hash;
}

/* The 64-byte signature, or NULL when the event is not signed. */
const guint8 *
jc_event_get_signature (const JcEvent *event)
{
  return event->has_signature ? event->signature : NULL;
}

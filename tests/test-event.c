/* test-event.c — the device identity and one event: encoding, decoding, signatures */
#include "config.h"

#include <cbor.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

/* A fixed event: its bytes, hash and signature are the format. If one of
 * the GOLDEN_* values has to change, the format changed: that needs a new
 * JC_EVENT_FORMAT tag, not a new golden value. */
#define GOLDEN_BODY "{\"item\":\"3.2\",\"status\":\"fail\",\"amount\":1200,\"note\":\"多收费\"}"
#define GOLDEN_ENCODING \
  "8a644a43453150000102030405060708090a0b0c0d0e0f19012c582011111111111111111111111111111111" \
  "111111111111111111111111111111111b00060a24181e40001a00bc614e1b00060a241785a98066e5bca0e4" \
  "b889686974656d2e736574783f7b226974656d223a22332e32222c22737461747573223a226661696c222c22" \
  "616d6f756e74223a313230302c226e6f7465223a22e5a49ae694b6e8b4b9227d"
#define GOLDEN_HASH "c2a82e32fa80ae6e19cf43058a6b13432e9829f33c268e102169876fa2562df3"
#define GOLDEN_SIGNATURE \
  "97d533231c28bad02dd81473124eeeaef521a7a6fa15db65e36b5b55dcaa30d8" \
  "2a8b80e83766162dea1a16b61ea66008b414a6441ba16dbad83b791781ac8d01"

static const guint8 golden_id[JC_DEVICE_ID_SIZE] = {
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

static JcEvent *
golden_event (void)
{
  g_autoptr(GError) error = NULL;
  guint8 prev[JC_EVENT_HASH_SIZE];
  JcEvent *event;

  memset (prev, 0x11, sizeof prev);
  event = jc_event_new (golden_id, 300, prev,
                        G_GINT64_CONSTANT (1700000000000000), 12345678,
                        G_GINT64_CONSTANT (1699999990000000),
                        "张三", "item.set",
                        "{ \"item\": \"3.2\", \"status\" : \"fail\", \"amount\": 1200, \"note\": \"多收费\" }",
                        &error);
  ck_assert_msg (event != NULL, "jc_event_new: %s", error ? error->message : "?");
  return event;
}

static JcDevice *
golden_device (void)
{
  g_autoptr(GError) error = NULL;
  guint8 seed[JC_DEVICE_SEED_SIZE];
  JcDevice *device;

  memset (seed, 0x42, sizeof seed);
  device = jc_device_new_from_seed (golden_id, seed, &error);
  ck_assert_msg (device != NULL, "%s", error ? error->message : "?");
  return device;
}

static char *
to_hex (const guint8 *data,
        gsize         len)
{
  return jc_device_hex (data, len);
}

/* Device identity --------------------------------------------------------- */

START_TEST (test_device_random_identity)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcDevice) a = jc_device_new_random (&error);
  g_autoptr(JcDevice) b = jc_device_new_random (&error);
  g_autofree char *pk_hex = NULL;
  guint8 sig[JC_DEVICE_SIGNATURE_SIZE];

  ck_assert_ptr_nonnull (a);
  ck_assert_ptr_nonnull (b);
  ck_assert_uint_eq (strlen (jc_device_get_id_hex (a)), 32);
  ck_assert (g_regex_match_simple ("^[0-9a-f]{32}$", jc_device_get_id_hex (a), 0, 0));
  ck_assert_str_ne (jc_device_get_id_hex (a), jc_device_get_id_hex (b));
  ck_assert (memcmp (jc_device_get_public_key (a), jc_device_get_public_key (b), 32) != 0);
  pk_hex = jc_device_get_public_key_hex (a);
  ck_assert (g_regex_match_simple ("^[0-9a-f]{64}$", pk_hex, 0, 0));

  jc_device_sign (a, (const guint8 *) "hello", 5, sig);
  ck_assert_int_eq (crypto_sign_verify_detached (sig, (const guint8 *) "hello", 5,
                                                 jc_device_get_public_key (a)), 0);
  ck_assert_int_ne (crypto_sign_verify_detached (sig, (const guint8 *) "hello", 5,
                                                 jc_device_get_public_key (b)), 0);
}
END_TEST

START_TEST (test_device_serialise_round_trip)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcDevice) a = jc_device_new_random (&error);
  g_autoptr(GBytes) bytes = jc_device_to_bytes (a);
  g_autoptr(JcDevice) b = jc_device_new_from_bytes (bytes, &error);
  guint8 sig_a[64], sig_b[64];

  ck_assert_uint_eq (g_bytes_get_size (bytes), JC_DEVICE_SERIALIZED_SIZE);
  ck_assert_msg (b != NULL, "%s", error ? error->message : "?");
  ck_assert_str_eq (jc_device_get_id_hex (a), jc_device_get_id_hex (b));
  ck_assert_mem_eq (jc_device_get_public_key (a), jc_device_get_public_key (b), 32);
  /* Ed25519 is deterministic: the same key signs the same bytes alike */
  jc_device_sign (a, (const guint8 *) "x", 1, sig_a);
  jc_device_sign (b, (const guint8 *) "x", 1, sig_b);
  ck_assert_mem_eq (sig_a, sig_b, 64);
}
END_TEST

START_TEST (test_device_from_bad_bytes)
{
  g_autoptr(JcDevice) a = golden_device ();
  g_autoptr(GBytes) good = jc_device_to_bytes (a);
  gsize len;
  const guint8 *data = g_bytes_get_data (good, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) shorter = g_bytes_new (data, len - 1);

    ck_assert_ptr_null (jc_device_new_from_bytes (shorter, &error));
    ck_assert (g_error_matches (error, JC_DEVICE_ERROR, JC_DEVICE_ERROR_INVALID));
    ck_assert_ptr_nonnull (strstr (error->message, "115 bytes"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bad = NULL;

    copy[0] = 'X';
    bad = g_bytes_new (copy, len);
    ck_assert_ptr_null (jc_device_new_from_bytes (bad, &error));
    ck_assert_ptr_nonnull (strstr (error->message, "magic"));
    copy[0] = data[0];
  }
  /* a damaged public key or secret key is refused, not used */
  for (gsize i = 4 + JC_DEVICE_ID_SIZE; i < len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bad = NULL;

      copy[i] ^= 0x01;
      bad = g_bytes_new (copy, len);
      ck_assert_msg (jc_device_new_from_bytes (bad, &error) == NULL, "byte %zu flipped accepted", i);
      ck_assert (g_error_matches (error, JC_DEVICE_ERROR, JC_DEVICE_ERROR_INVALID));
      ck_assert_ptr_nonnull (strstr (error->message, "inconsistent"));
      copy[i] ^= 0x01;
    }
}
END_TEST

/* Encoding ---------------------------------------------------------------- */

START_TEST (test_round_trip)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) event = golden_event ();
  g_autoptr(JcEvent) back = NULL;
  const guint8 *bytes;
  const guint8 *bytes2;
  gsize len, len2;
  guint8 prev[32];

  memset (prev, 0x11, sizeof prev);
  bytes = jc_event_get_encoded (event, &len);
  back = jc_event_decode (bytes, len, &error);
  ck_assert_msg (back != NULL, "decode: %s", error ? error->message : "?");

  ck_assert_mem_eq (jc_event_get_device_id (back), golden_id, 16);
  ck_assert_str_eq (jc_event_get_device_id_hex (back), "000102030405060708090a0b0c0d0e0f");
  ck_assert_uint_eq (jc_event_get_seq (back), 300);
  ck_assert_mem_eq (jc_event_get_prev_hash (back), prev, 32);
  ck_assert_int_eq (jc_event_get_wall_time (back), G_GINT64_CONSTANT (1700000000000000));
  ck_assert_int_eq (jc_event_get_monotonic_time (back), 12345678);
  ck_assert_int_eq (jc_event_get_hq_time (back), G_GINT64_CONSTANT (1699999990000000));
  ck_assert_str_eq (jc_event_get_inspector (back), "张三");
  ck_assert_str_eq (jc_event_get_kind (back), "item.set");
  ck_assert_str_eq (jc_event_get_body (back), GOLDEN_BODY);
  ck_assert_str_eq (json_object_get_string_member (jc_event_get_body_object (back), "note"), "多收费");
  ck_assert_int_eq (json_object_get_int_member (jc_event_get_body_object (back), "amount"), 1200);
  ck_assert_mem_eq (jc_event_get_hash (back), jc_event_get_hash (event), 32);
  bytes2 = jc_event_get_encoded (back, &len2);
  ck_assert_uint_eq (len, len2);
  ck_assert_mem_eq (bytes, bytes2, len);
  ck_assert_ptr_null (jc_event_get_signature (back));
}
END_TEST

START_TEST (test_round_trip_extremes)
{
  static const gint64 times[] = { 0, 1, -1, 23, 24, -24, -25, 255, 256, 65535, 65536,
                                  G_MAXINT32, (gint64) G_MAXUINT32 + 1, G_MAXINT64, G_MININT64 };
  static const guint64 seqs[] = { 1, 23, 24, 255, 256, 65536, G_MAXUINT32, (guint64) G_MAXINT64 };
  guint8 prev[32];

  memset (prev, 0xee, sizeof prev);
  for (gsize t = 0; t < G_N_ELEMENTS (times); t++)
    for (gsize s = 0; s < G_N_ELEMENTS (seqs); s++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(JcEvent) event = NULL;
        g_autoptr(JcEvent) back = NULL;
        const guint8 *bytes;
        gsize len;

        event = jc_event_new (golden_id, seqs[s], seqs[s] == 1 ? NULL : prev, times[t], -times[t] / 2,
                              times[t], "", "a", "{}", &error);
        ck_assert_msg (event != NULL, "%s", error ? error->message : "?");
        bytes = jc_event_get_encoded (event, &len);
        back = jc_event_decode (bytes, len, &error);
        ck_assert_msg (back != NULL, "time %" G_GINT64_FORMAT " seq %" G_GUINT64_FORMAT ": %s",
                       times[t], seqs[s], error ? error->message : "?");
        ck_assert_int_eq (jc_event_get_wall_time (back), times[t]);
        ck_assert_int_eq (jc_event_get_monotonic_time (back), -times[t] / 2);
        ck_assert_uint_eq (jc_event_get_seq (back), seqs[s]);
      }
}
END_TEST

START_TEST (test_encoding_is_stable)
{
  g_autoptr(JcEvent) a = golden_event ();
  g_autoptr(JcEvent) b = golden_event ();
  g_autoptr(JcDevice) device = golden_device ();
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded_hex = NULL;
  g_autofree char *hash_hex = NULL;
  g_autofree char *sig_hex = NULL;
  const guint8 *bytes_a, *bytes_b;
  gsize len_a, len_b;

  bytes_a = jc_event_get_encoded (a, &len_a);
  bytes_b = jc_event_get_encoded (b, &len_b);
  ck_assert_uint_eq (len_a, len_b);
  ck_assert_mem_eq (bytes_a, bytes_b, len_a);

  ck_assert (jc_event_sign (a, device, &error));
  encoded_hex = to_hex (bytes_a, len_a);
  hash_hex = to_hex (jc_event_get_hash (a), 32);
  sig_hex = to_hex (jc_event_get_signature (a), 64);
  ck_assert_msg (strcmp (encoded_hex, GOLDEN_ENCODING) == 0, "encoding drifted: %s", encoded_hex);
  ck_assert_msg (strcmp (hash_hex, GOLDEN_HASH) == 0, "hash drifted: %s", hash_hex);
  ck_assert_msg (strcmp (sig_hex, GOLDEN_SIGNATURE) == 0, "signature drifted: %s", sig_hex);
  ck_assert (jc_event_verify (a, jc_device_get_public_key (device), &error));
}
END_TEST

START_TEST (test_body_is_normalised)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) event = NULL;

  /* producer order kept, whitespace gone */
  event = jc_event_new (golden_id, 1, NULL, 1, 2, 0, "李四", "inspection.create",
                        "{ \"z\" : 1,\n \"a\" : [1, 2, {\"y\": null, \"b\": true}], \"m\": \"\\u00e9\" }",
                        &error);
  ck_assert_msg (event != NULL, "%s", error ? error->message : "?");
  ck_assert_str_eq (jc_event_get_body (event), "{\"z\":1,\"a\":[1,2,{\"y\":null,\"b\":true}],\"m\":\"é\"}");
}
END_TEST

START_TEST (test_new_refuses_bad_input)
{
  static const struct {
    guint64 seq;
    gboolean zero_prev;
    const char *inspector;
    const char *kind;
    const char *body;
    const char *expect;
  } cases[] = {
    { 0, TRUE, "a", "item.set", "{}", "out of range" },
    { 1, FALSE, "a", "item.set", "{}", "first event" },
    { 2, TRUE, "a", "Item.Set", "{}", "kind 'Item.Set'" },
    { 2, TRUE, "a", "item set", "{}", "kind" },
    { 2, TRUE, "a", "", "{}", "kind" },
    { 2, TRUE, "a", "item..set", "{}", "kind" },
    { 2, TRUE, "a", "item.", "{}", "kind" },
    { 2, TRUE, "a", "item.set", "[1, 2]", "not a JSON object" },
    { 2, TRUE, "a", "item.set", "\"text\"", "not a JSON object" },
    { 2, TRUE, "a", "item.set", "{\"a\": }", "not strict JSON: an unexpected character at byte 6" },
    { 2, TRUE, "a", "item.set", "var x = {};", "not a JSON object" },
    { 2, TRUE, "a", "item.set", "{\"a\":1e400}", "a number out of range" },
    { 2, TRUE, "a", "item.set", "{\"a\":\"x\\u0000y\"}", "\\u0000" },
    { 2, TRUE, "a", "item.set", "{\"a\":\"\xff\"}", "UTF-8" },
    { 2, TRUE, "\xc3", "item.set", "{}", "inspector" },
  };
  guint8 prev[32];

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcEvent) event = NULL;

      memset (prev, cases[i].zero_prev ? 0 : 0x33, sizeof prev);
      event = jc_event_new (golden_id, cases[i].seq, prev, 1, 1, 0, cases[i].inspector,
                            cases[i].kind, cases[i].body, &error);
      ck_assert_msg (event == NULL, "case %zu accepted", i);
      ck_assert_msg (g_error_matches (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID), "case %zu", i);
      ck_assert_msg (strstr (error->message, cases[i].expect) != NULL,
                     "case %zu: '%s' does not mention '%s'", i, error->message, cases[i].expect);
    }
}
END_TEST

/* Malformed encodings ----------------------------------------------------- */

static void
assert_malformed (const guint8 *data,
                  gsize         len,
                  int           code,
                  const char   *expect1,
                  const char   *expect2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) event = jc_event_decode (data, len, &error);

  ck_assert_msg (event == NULL, "accepted, expected '%s'", expect1);
  ck_assert_msg (g_error_matches (error, JC_EVENT_ERROR, code), "wrong error: %s", error->message);
  ck_assert_msg (strstr (error->message, expect1) != NULL, "'%s' does not say '%s'",
                 error->message, expect1);
  ck_assert_msg (expect2 == NULL || strstr (error->message, expect2) != NULL,
                 "'%s' does not say '%s'", error->message, expect2);
}

START_TEST (test_truncated_at_every_length)
{
  g_autoptr(JcEvent) event = golden_event ();
  gsize len;
  const guint8 *bytes = jc_event_get_encoded (event, &len);

  assert_malformed (bytes, 0, JC_EVENT_ERROR_MALFORMED, "empty", NULL);
  for (gsize n = 1; n < len; n++)
    assert_malformed (bytes, n, JC_EVENT_ERROR_MALFORMED, "truncated", NULL);
}
END_TEST

START_TEST (test_trailing_bytes)
{
  g_autoptr(JcEvent) event = golden_event ();
  gsize len;
  const guint8 *bytes = jc_event_get_encoded (event, &len);
  g_autofree guint8 *longer = g_malloc (len + 3);

  memcpy (longer, bytes, len);
  longer[len] = 0x00;
  assert_malformed (longer, len + 1, JC_EVENT_ERROR_MALFORMED, "1 trailing bytes",
                    "Event 300 of device 000102030405060708090a0b0c0d0e0f");
  memcpy (longer + len, "\x8a\x00\x00", 3);
  assert_malformed (longer, len + 3, JC_EVENT_ERROR_MALFORMED, "3 trailing bytes", NULL);
}
END_TEST

/* A hand-built event: each field given as raw CBOR, so a test can put any
 * item anywhere. */
typedef struct {
  GByteArray *fields[12];
  guint       n;
} Fields;

static GByteArray *
item_uint (guint64 v)
{
  GByteArray *a = g_byte_array_new ();
  guint8 buf[9];

  g_byte_array_append (a, buf, cbor_encode_uint (v, buf, sizeof buf));
  return a;
}

static GByteArray *
item_bytes (const guint8 *data, gsize len)
{
  GByteArray *a = g_byte_array_new ();
  guint8 buf[9];

  g_byte_array_append (a, buf, cbor_encode_bytestring_start (len, buf, sizeof buf));
  g_byte_array_append (a, data, len);
  return a;
}

static GByteArray *
item_text (const char *s)
{
  GByteArray *a = g_byte_array_new ();
  guint8 buf[9];

  g_byte_array_append (a, buf, cbor_encode_string_start (strlen (s), buf, sizeof buf));
  g_byte_array_append (a, (const guint8 *) s, strlen (s));
  return a;
}

static GByteArray *
item_raw (const char *raw, gsize len)
{
  GByteArray *a = g_byte_array_new ();

  g_byte_array_append (a, (const guint8 *) raw, len);
  return a;
}

static void
fields_init (Fields *f)
{
  guint8 prev[32];

  memset (prev, 0x11, sizeof prev);
  memset (f, 0, sizeof *f);
  f->fields[f->n++] = item_text ("JCE1");
  f->fields[f->n++] = item_bytes (golden_id, 16);
  f->fields[f->n++] = item_uint (17);
  f->fields[f->n++] = item_bytes (prev, 32);
  f->fields[f->n++] = item_uint (1000);
  f->fields[f->n++] = item_uint (2000);
  f->fields[f->n++] = item_uint (0);
  f->fields[f->n++] = item_text ("王五");
  f->fields[f->n++] = item_text ("finding.seal");
  f->fields[f->n++] = item_text ("{\"finding\":\"f-1\"}");
}

static void
fields_set (Fields *f, guint i, GByteArray *item)
{
  g_byte_array_unref (f->fields[i]);
  f->fields[i] = item;
}

static GByteArray *
fields_encode (Fields *f, gsize n_declared)
{
  GByteArray *out = g_byte_array_new ();
  guint8 buf[9];

  g_byte_array_append (out, buf, cbor_encode_array_start (n_declared, buf, sizeof buf));
  for (guint i = 0; i < f->n; i++)
    g_byte_array_append (out, f->fields[i]->data, f->fields[i]->len);
  return out;
}

static void
fields_clear (Fields *f)
{
  for (guint i = 0; i < f->n; i++)
    g_byte_array_unref (f->fields[i]);
}

/* json-glib alone would take all of these, and some it would change. */
START_TEST (test_body_must_be_strict_json)
{
  static const struct {
    const char *body;
    const char *expect;
  } bad[] = {
    { "{\"a\":1 /* c */}", "a missing ',' or '}' at byte 7" },
    { "{'a':1}", "a member name that is not a string at byte 1" },
    { "{\"a\":1,\"a\":2}", "a duplicate member name at byte 10" },
    { "{\"a\":1,\"\\u0061\":2}", "a duplicate member name" },
    { "{\"a\\n\":1,\"a\\u000a\":2}", "a duplicate member name" },
    { "{\"a\":1,}", "a member name that is not a string" },
    { "{\"a\":[1,]}", "an unexpected character" },
    { "{\"a\":01}", "a missing ',' or '}'" },
    { "{\"a\":1.}", "a bad number" },
    { "{\"a\":-}", "a bad number" },
    { "{\"a\":1e400}", "a number out of range" },
    { "{\"a\":\"\\u0000\"}", "\\u0000 in a string" },
    { "{\"a\":\"\\ud800\"}", "a lone surrogate" },
    { "{\"a\":\"\\udc00\"}", "a lone surrogate" },
    { "{\"a\":\"\\x41\"}", "an unknown escape" },
    { "{\"a\":\"tab\there\"}", "a control character" },
    { "{\"a\":\"open}", "an unterminated string" },
    { "{\"a\":tru}", "an unexpected character" },
    { "{\"a\":1} {}", "text after the object" },
    { "{\"a\" 1}", "a missing ':'" },
    /* a duplicate inside an inner object, and after one */
    { "{\"b\":{\"x\":1,\"a\":2,\"a\":3}}", "a duplicate member name" },
    { "{\"a\":{\"x\":1,\"y\":2},\"b\":3,\"a\":4}", "a duplicate member name" },
    /* beside a number json-glib reads */
    { "{\"a\":1.5,\"a\":2}", "a duplicate member name" },
  };
  static const char *good[] = {
    "{}",
    " {\"a\" : [ 1 , -0.5e-3 , 2E+2, true, false, null, {}, [] ] } ",
    "{\"emoji\":\"\\ud83d\\ude00\",\"esc\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"zh\":\"检查\"}",
    "{\"a\":{\"a\":{\"a\":1}}}",
    "{\"a\":{\"x\":1},\"b\":{\"x\":2},\"x\":[{\"x\":3},{\"x\":4}]}",
  };
  GString *deep = g_string_new ("{\"a\":");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GByteArray) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JcEvent) event = NULL;
      Fields f;

      /* a producer cannot make it */
      event = jc_event_new (golden_id, 1, NULL, 1, 1, 0, "a", "item.set", bad[i].body, &error);
      ck_assert_msg (event == NULL, "new accepted %s", bad[i].body);
      ck_assert_msg (strstr (error->message, bad[i].expect) != NULL, "%s: '%s' does not say '%s'",
                     bad[i].body, error->message, bad[i].expect);
      /* and a reader does not take it */
      fields_init (&f);
      fields_set (&f, 9, item_text (bad[i].body));
      bytes = fields_encode (&f, f.n);
      assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED, bad[i].expect, "field 'body'");
      fields_clear (&f);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcEvent) event = jc_event_new (golden_id, 1, NULL, 1, 1, 0, "a", "item.set", good[i], &error);
      g_autoptr(JcEvent) back = NULL;
      const guint8 *bytes;
      gsize len;

      ck_assert_msg (event != NULL, "%s: %s", good[i], error ? error->message : "?");
      bytes = jc_event_get_encoded (event, &len);
      back = jc_event_decode (bytes, len, &error);
      ck_assert_msg (back != NULL, "%s: %s", good[i], error ? error->message : "?");
    }

  /* nesting is bounded before json-glib (which recurses) sees it */
  for (int i = 0; i < 100; i++)
    g_string_append (deep, "[");
  for (int i = 0; i < 100; i++)
    g_string_append (deep, "]");
  g_string_append (deep, "}");
  {
    g_autoptr(GError) error = NULL;

    ck_assert_ptr_null (jc_event_new (golden_id, 1, NULL, 1, 1, 0, "a", "item.set", deep->str, &error));
    ck_assert_ptr_nonnull (strstr (error->message, "nesting deeper than 64 levels"));
  }
  g_string_free (deep, TRUE);
}
END_TEST

/* A decoded body of @n members m0 … m(n-1), with member @dup (if < n)
 * named as member 3; decoding it must fail exactly when there is a dup. */
static void
assert_members (guint n, guint dup)
{
  g_autoptr(GString) body = g_string_new ("{");
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) event = NULL;
  Fields f;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (body, "%s\"m%u\":%u", i > 0 ? "," : "", i == dup ? 3 : i, i);
  g_string_append (body, "}");
  fields_init (&f);
  fields_set (&f, 9, item_text (body->str));
  bytes = fields_encode (&f, f.n);
  event = jc_event_decode (bytes->data, bytes->len, &error);
  if (dup < n)
    {
      ck_assert_msg (event == NULL, "%u members, member %u a duplicate: accepted", n, dup);
      ck_assert_ptr_nonnull (strstr (error->message, "a duplicate member name"));
    }
  else
    {
      ck_assert_msg (event != NULL, "%u members: %s", n, error ? error->message : "?");
      ck_assert_uint_eq (json_object_get_size (jc_event_get_body_object (event)), n);
      ck_assert_int_eq (json_object_get_int_member_with_default (jc_event_get_body_object (event), "m30", -1), 30);
    }
  fields_clear (&f);
}

/* Objects of up to 32 members are compared pair by pair, bigger ones
 * through a table: a duplicate is found on both sides of that line. */
START_TEST (test_body_many_members)
{
  static const guint sizes[] = { 31, 32, 33, 40, 200 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      assert_members (sizes[i], G_MAXUINT);
      assert_members (sizes[i], sizes[i] - 1);
    }
  assert_members (40, 31);
  assert_members (40, 32);
}
END_TEST

typedef struct {
  JcEvent    *event;
  JsonObject *seen;
  const char *seen_string;
} BodyReader;

static gpointer
read_body (gpointer data)
{
  BodyReader *r = data;

  r->seen = jc_event_get_body_object (r->event);
  r->seen_string = jc_event_get_body_string (r->event, "zh");
  return NULL;
}

/* The body's top-level members read without the tree say what json-glib's
 * tree says, member by member: escapes, numbers json-glib must read, and
 * nested values whose strings hold brackets and quotes. */
START_TEST (test_body_members_read_flat)
{
  static const char * const bodies[] = {
    " { \"s\" : \"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\\n\" , \"n\":-42 , \"big\":12345678901234567,"
    " \"f\":1.5, \"e\":1e3, \"z\":-0, \"t\":true, \"no\":false, \"x\":null,"
    " \"o\":{\"k\":\"}{][\\\"\",\"a\":[1,{\"b\":\"]\"}]}, \"arr\":[\"{\",[\"]\"],{}], \"zh\":\"检查\","
    " \"\":\"空名\", \"empty\":\"\", \"last\":0 } ",
    "{}",
    "{\"only\":{\"deep\":[[[[\"x\"]]]]}}",
  };
  static const char * const absent[] = { "absent", "k", "b", "S", "nn" };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GByteArray) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JcEvent) event = NULL;
      g_autoptr(GList) names = NULL;
      JsonObject *tree;
      gint64 v;
      Fields f;

      fields_init (&f);
      fields_set (&f, 9, item_text (bodies[i]));
      bytes = fields_encode (&f, f.n);
      fields_clear (&f);
      event = jc_event_decode (bytes->data, bytes->len, &error);
      ck_assert_msg (event != NULL, "%s: %s", bodies[i], error ? error->message : "?");
      /* read flat first: the fallback for json-glib's numbers builds the tree itself */
      for (gsize a = 0; a < G_N_ELEMENTS (absent); a++)
        {
          ck_assert (!jc_event_has_body_member (event, absent[a]));
          ck_assert_ptr_null (jc_event_get_body_string (event, absent[a]));
          ck_assert (!jc_event_get_body_int (event, absent[a], &v));
        }
      tree = jc_event_get_body_object (event);
      names = json_object_get_members (tree);
      ck_assert_uint_eq (g_list_length (names), i == 0 ? 15 : i == 1 ? 0 : 1);
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (tree, l->data);
          gboolean is_value = JSON_NODE_HOLDS_VALUE (node);
          const char *str = jc_event_get_body_string (event, l->data);
          gboolean has_int = jc_event_get_body_int (event, l->data, &v);

          ck_assert_msg (jc_event_has_body_member (event, l->data), "%s", (char *) l->data);
          if (is_value && json_node_get_value_type (node) == G_TYPE_STRING)
            ck_assert_str_eq (str, json_node_get_string (node));
          else
            ck_assert_msg (str == NULL, "“%s” read as a string", (char *) l->data);
          ck_assert_msg (has_int == (is_value && json_node_get_value_type (node) == G_TYPE_INT64),
                         "“%s” read as an integer: %d", (char *) l->data, has_int);
          if (has_int)
            ck_assert_int_eq (v, json_node_get_int (node));
        }
    }
}
END_TEST

/* Decoding checks the body; its tree and its index of members are each
 * built when first read, once, even when several threads read at once. */
START_TEST (test_body_read_lazily)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) made = jc_event_new (golden_id, 1, NULL, 1, 1, 0, "a", "item.set",
                                          "{\"zh\":\"检查\",\"n\":7,\"f\":0.25,\"in\":{\"a\":[true,null]}}", &error);
  const guint8 *bytes;
  gsize len;
  BodyReader readers[4];
  GThread *threads[4];

  ck_assert_ptr_nonnull (made);
  bytes = jc_event_get_encoded (made, &len);
  for (int round = 0; round < 50; round++)
    {
      g_autoptr(JcEvent) event = jc_event_decode (bytes, len, &error);
      JsonObject *body;

      ck_assert_ptr_nonnull (event);
      for (int t = 0; t < 4; t++)
        {
          readers[t] = (BodyReader) { event, NULL, NULL };
          threads[t] = g_thread_new ("body", read_body, &readers[t]);
        }
      for (int t = 0; t < 4; t++)
        g_thread_join (threads[t]);
      body = jc_event_get_body_object (event);
      for (int t = 0; t < 4; t++)
        {
          ck_assert_ptr_eq (readers[t].seen, body);
          /* one index kept too */
          ck_assert_ptr_eq (readers[t].seen_string, jc_event_get_body_string (event, "zh"));
        }
      ck_assert_str_eq (jc_event_get_body_string (event, "zh"), "检查");
      ck_assert_str_eq (json_object_get_string_member (body, "zh"), "检查");
      ck_assert_int_eq (json_object_get_int_member (body, "n"), 7);
      ck_assert (json_object_get_double_member (body, "f") == 0.25);
      ck_assert (json_array_get_boolean_element (json_object_get_array_member (
                   json_object_get_object_member (body, "in"), "a"), 0));
    }
}
END_TEST

START_TEST (test_hand_built_is_valid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(JcEvent) event = NULL;
  Fields f;

  fields_init (&f);
  bytes = fields_encode (&f, f.n);
  event = jc_event_decode (bytes->data, bytes->len, &error);
  ck_assert_msg (event != NULL, "%s", error ? error->message : "?");
  ck_assert_str_eq (jc_event_get_kind (event), "finding.seal");
  ck_assert_uint_eq (jc_event_get_seq (event), 17);
  fields_clear (&f);
}
END_TEST

START_TEST (test_wrong_types)
{
  static const struct {
    guint field;
    const char *raw;
    gsize raw_len;
    const char *expect;
  } cases[] = {
    { 0, "\x44JCE1", 5, "field 'format' is a byte string, not text" },
    { 1, "\x70" "0123456789abcdef", 17, "field 'device_id' is text, not a byte string" },
    { 1, "\x4f" "0123456789abcde", 16, "field 'device_id' has 15 bytes, not 16" },
    { 2, "\x20", 1, "field 'seq' is a negative integer, not an unsigned integer" },
    { 2, "\x00", 1, "field 'seq' of device 000102030405060708090a0b0c0d0e0f is 0" },
    { 2, "\xf9\x3c\x00", 3, "field 'seq' is a float, not an unsigned integer" },
    { 3, "\x01", 1, "Event 17 of device 000102030405060708090a0b0c0d0e0f: field 'prev_hash' is an unsigned integer" },
    { 4, "\x61" "1", 2, "field 'wall_time' is text, not an integer" },
    { 5, "\xf6", 1, "field 'monotonic_time' is null, not an integer" },
    { 6, "\x3b\x80\x00\x00\x00\x00\x00\x00\x00", 9, "field 'hq_time' does not fit in 64 signed bits" },
    { 6, "\xc1\x00", 2, "field 'hq_time' is a tag" },
    { 7, "\x41" "a", 2, "field 'inspector' is a byte string, not text" },
    { 7, "\x62\xc3\x28", 3, "field 'inspector' is not valid UTF-8" },
    { 7, "\x63" "a\0b", 4, "field 'inspector' is not valid UTF-8" },
    { 8, "\x07", 1, "Event 17 of device 000102030405060708090a0b0c0d0e0f: field 'kind' is an unsigned integer, not text" },
    { 8, "\x68" "BAD KIND", 9, "field 'kind' is not a valid kind name" },
    { 8, "\x7f\x61" "a\xff", 4, "field 'kind' is an indefinite-length text string" },
    { 8, "\x80", 1, "field 'kind' is an array, not text" },
    { 8, "\xa0", 1, "field 'kind' is a map, not text" },
    { 9, "\x63[1]", 4, "field 'body' is not a JSON object" },
    { 9, "\x61{", 2, "field 'body' is not strict JSON: a member name that is not a string at byte 1" },
    { 9, "\xf5", 1, "field 'body' is a boolean, not text" },
    /* the body's UTF-8 is checked with its JSON */
    { 9, "\x69{\"a\":\"\xc3\x28\"}", 10, "field 'body' is not valid UTF-8" },
    { 9, "\x69{\"a\":\"\0b\"}", 10, "field 'body' is not valid UTF-8" },
    { 9, "\x67{\"a\":\xff}", 8, "field 'body' is not valid UTF-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) bytes = NULL;
      Fields f;

      fields_init (&f);
      fields_set (&f, cases[i].field, item_raw (cases[i].raw, cases[i].raw_len));
      bytes = fields_encode (&f, f.n);
      assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED, cases[i].expect, NULL);
      fields_clear (&f);
    }
}
END_TEST

START_TEST (test_wrong_shape)
{
  Fields f;

  /* 9 fields: the body missing */
  {
    g_autoptr(GByteArray) bytes = NULL;

    fields_init (&f);
    g_byte_array_unref (f.fields[--f.n]);
    bytes = fields_encode (&f, f.n);
    assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED, "has 9 fields, not 10", NULL);
    fields_clear (&f);
  }
  /* 11 fields */
  {
    g_autoptr(GByteArray) bytes = NULL;

    fields_init (&f);
    f.fields[f.n++] = item_uint (5);
    bytes = fields_encode (&f, f.n);
    assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED, "has 11 fields, not 10", NULL);
    fields_clear (&f);
  }
  /* declared 11 but holding 10 */
  {
    g_autoptr(GByteArray) bytes = NULL;

    fields_init (&f);
    bytes = fields_encode (&f, 11);
    assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED, "has 11 fields", NULL);
    fields_clear (&f);
  }
  /* not an array at all */
  assert_malformed ((const guint8 *) "\xa1\x01\x02", 3, JC_EVENT_ERROR_MALFORMED, "is a map, not an array", NULL);
  assert_malformed ((const guint8 *) "\x9f\xff", 2, JC_EVENT_ERROR_MALFORMED, "indefinite-length array", NULL);
  assert_malformed ((const guint8 *) "\xff", 1, JC_EVENT_ERROR_MALFORMED, "is a break code, not an array", NULL);
  assert_malformed ((const guint8 *) "\x1c", 1, JC_EVENT_ERROR_MALFORMED, "not well-formed CBOR", NULL);
  /* another format version */
  {
    g_autoptr(GByteArray) bytes = NULL;

    fields_init (&f);
    fields_set (&f, 0, item_text ("JCE2"));
    bytes = fields_encode (&f, f.n);
    assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_UNSUPPORTED, "format 'JCE2' is not supported", NULL);
    fields_clear (&f);
  }
}
END_TEST

START_TEST (test_not_canonical)
{
  static const struct {
    guint field;
    const char *raw;
    gsize raw_len;
  } cases[] = {
    { 2, "\x18\x11", 2 },                                /* 17 in one extra byte */
    { 2, "\x19\x00\x11", 3 },                            /* 17 in two */
    { 4, "\x1b\x00\x00\x00\x00\x00\x00\x03\xe8", 9 },    /* 1000 in eight */
    { 8, "\x78\x0c" "finding.seal", 14 },                /* a length in a longer form */
    { 4, "\x38\x05", 2 },                                /* -6 in one extra byte */
    { 1, "\x58\x10\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 18 },  /* a byte string's length */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) bytes = NULL;
      Fields f;

      fields_init (&f);
      fields_set (&f, cases[i].field, item_raw (cases[i].raw, cases[i].raw_len));
      bytes = fields_encode (&f, f.n);
      assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED, "canonical",
                        "Event 17 of device 000102030405060708090a0b0c0d0e0f");
      fields_clear (&f);
    }
  /* the array of the fields, its length in one extra byte */
  {
    g_autoptr(GByteArray) bytes = NULL;
    Fields f;

    fields_init (&f);
    bytes = fields_encode (&f, f.n);
    ck_assert_uint_eq (bytes->data[0], 0x8a);
    bytes->data[0] = 0x0a;
    g_byte_array_prepend (bytes, (const guint8 *) "\x98", 1);
    assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED, "canonical",
                      "Event 17 of device 000102030405060708090a0b0c0d0e0f");
    fields_clear (&f);
  }
}
END_TEST

START_TEST (test_first_event_has_zero_prev_hash)
{
  g_autoptr(GByteArray) bytes = NULL;
  Fields f;

  fields_init (&f);
  fields_set (&f, 2, item_uint (1));
  bytes = fields_encode (&f, f.n);
  assert_malformed (bytes->data, bytes->len, JC_EVENT_ERROR_MALFORMED,
                    "Event 1 of device 000102030405060708090a0b0c0d0e0f: field 'prev_hash' of the first event is not zero",
                    NULL);
  fields_clear (&f);
}
END_TEST

/* Signatures -------------------------------------------------------------- */

START_TEST (test_signature_fails_after_any_bit_flip)
{
  g_autoptr(JcDevice) device = golden_device ();
  g_autoptr(JcEvent) event = golden_event ();
  g_autoptr(GError) error = NULL;
  const guint8 *pk = jc_device_get_public_key (device);
  const guint8 *bytes;
  g_autofree guint8 *copy = NULL;
  guint8 sig[64];
  gsize len;
  guint n_decoded = 0;

  ck_assert (jc_event_sign (event, device, &error));
  ck_assert (jc_event_verify (event, pk, &error));
  bytes = jc_event_get_encoded (event, &len);
  copy = g_memdup2 (bytes, len);
  memcpy (sig, jc_event_get_signature (event), 64);

  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autoptr(JcEvent) flipped = NULL;
      g_autoptr(GError) local_error = NULL;

      copy[bit / 8] ^= 1 << (bit % 8);
      ck_assert_msg (crypto_sign_verify_detached (sig, copy, len, pk) != 0, "bit %zu", bit);
      flipped = jc_event_decode (copy, len, &local_error);
      if (flipped != NULL)
        {
          n_decoded++;
          ck_assert (jc_event_set_signature (flipped, sig, 64, NULL));
          ck_assert_msg (!jc_event_verify (flipped, pk, &local_error), "bit %zu verified", bit);
          ck_assert (g_error_matches (local_error, JC_EVENT_ERROR, JC_EVENT_ERROR_SIGNATURE));
        }
      else
        ck_assert_ptr_nonnull (local_error);
      copy[bit / 8] ^= 1 << (bit % 8);
    }
  /* many flips (in text and hashes) still decode: the signature is what stops them */
  ck_assert_uint_gt (n_decoded, len);

  for (gsize bit = 0; bit < 64 * 8; bit++)
    {
      g_autoptr(GError) local_error = NULL;
      guint8 bad[64];

      memcpy (bad, sig, 64);
      bad[bit / 8] ^= 1 << (bit % 8);
      ck_assert (jc_event_set_signature (event, bad, 64, NULL));
      ck_assert_msg (!jc_event_verify (event, pk, &local_error), "signature bit %zu", bit);
      ck_assert_ptr_nonnull (strstr (local_error->message, "Event 300 of device 000102030405060708090a0b0c0d0e0f"));
    }
}
END_TEST

START_TEST (test_signature_other_key_and_device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcDevice) device = golden_device ();
  g_autoptr(JcDevice) other = jc_device_new_random (&error);
  g_autoptr(JcEvent) event = golden_event ();

  /* a device signs only its own events */
  ck_assert (!jc_event_sign (event, other, &error));
  ck_assert (g_error_matches (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID));
  g_clear_error (&error);

  ck_assert (!jc_event_verify (event, jc_device_get_public_key (device), &error));
  ck_assert_ptr_nonnull (strstr (error->message, "not signed"));
  g_clear_error (&error);

  ck_assert (jc_event_sign (event, device, &error));
  ck_assert (!jc_event_verify (event, jc_device_get_public_key (other), &error));
  ck_assert (g_error_matches (error, JC_EVENT_ERROR, JC_EVENT_ERROR_SIGNATURE));
  g_clear_error (&error);

  ck_assert (!jc_event_set_signature (event, (const guint8 *) "short", 5, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "5 bytes"));
}
END_TEST

START_TEST (test_verified_flag)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcDevice) device = golden_device ();
  g_autoptr(JcDevice) other = jc_device_new_random (&error);
  g_autoptr(JcEvent) event = golden_event ();
  const guint8 *pk = jc_device_get_public_key (device);
  guint8 sig[64];

  ck_assert (!jc_event_is_verified_with (event, pk));
  ck_assert (jc_event_sign (event, device, &error));
  ck_assert (!jc_event_is_verified_with (event, pk));
  ck_assert (jc_event_verify (event, pk, &error));
  ck_assert (jc_event_is_verified_with (event, pk));
  ck_assert (!jc_event_is_verified_with (event, jc_device_get_public_key (other)));

  /* a new signature forgets the old verification */
  memcpy (sig, jc_event_get_signature (event), 64);
  sig[0] ^= 1;
  ck_assert (jc_event_set_signature (event, sig, 64, &error));
  ck_assert (!jc_event_is_verified_with (event, pk));
  ck_assert (!jc_event_verify (event, pk, NULL));
  ck_assert (!jc_event_is_verified_with (event, pk));
}
END_TEST

static Suite *
event_suite (void)
{
  Suite *s = suite_create ("event");
  TCase *tc = tcase_create ("device");

  tcase_add_test (tc, test_device_random_identity);
  tcase_add_test (tc, test_device_serialise_round_trip);
  tcase_add_test (tc, test_device_from_bad_bytes);
  suite_add_tcase (s, tc);

  tc = tcase_create ("encoding");
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_round_trip_extremes);
  tcase_add_test (tc, test_encoding_is_stable);
  tcase_add_test (tc, test_body_is_normalised);
  tcase_add_test (tc, test_new_refuses_bad_input);
  suite_add_tcase (s, tc);

  tc = tcase_create ("malformed");
  tcase_add_test (tc, test_truncated_at_every_length);
  tcase_add_test (tc, test_trailing_bytes);
  tcase_add_test (tc, test_hand_built_is_valid);
  tcase_add_test (tc, test_wrong_types);
  tcase_add_test (tc, test_wrong_shape);
  tcase_add_test (tc, test_not_canonical);
  tcase_add_test (tc, test_first_event_has_zero_prev_hash);
  tcase_add_test (tc, test_body_must_be_strict_json);
  tcase_add_test (tc, test_body_many_members);
  tcase_add_test (tc, test_body_members_read_flat);
  tcase_add_test (tc, test_body_read_lazily);
  suite_add_tcase (s, tc);

  tc = tcase_create ("signature");
  tcase_add_test (tc, test_signature_fails_after_any_bit_flip);
  tcase_add_test (tc, test_signature_other_key_and_device);
  tcase_add_test (tc, test_verified_flag);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  if (!jc_core_init (NULL))
    return 1;
  return jc_test_run (event_suite ());
}

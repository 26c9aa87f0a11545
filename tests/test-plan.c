/* test-plan.c — HQ's planning: the directory and roster imports, the random
 * draw (双随机一公开) and its signature
 *
 * The commands run in the real jiancha-hq binary on a real HQ directory;
 * the random numbers and the device-side verification are also called
 * directly.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <sodium.h>
#include "jc-db.h"
#include <string.h>

#include "jc-core.h"
#include "jc-csv.h"
#include "jc-hq-plan.h"
#include "jc-hq-store.h"
#include "jc-plan-draw.h"
#include "jc-test.h"

#define N_COUNTIES 10

static char *root;
static char *hqdir;

static void
setup (void)
{
  ck_assert (jc_core_init (NULL));
  root = jc_test_tmpdir ("plan");
  hqdir = g_build_filename (root, "hq", NULL);
}

static void
teardown (void)
{
  jc_test_rmtree (root);
  g_clear_pointer (&root, g_free);
  g_clear_pointer (&hqdir, g_free);
}

/* jiancha-hq ARGS… on HQ directory @dir, in English; returns the exit
 * status. The planning commands get --dir after their verb, as issue 8
 * writes them (`jiancha-hq plan draw --dir HQDIR --seed N`), the others
 * before the command. */
static int
hq_inv (const char *dir, char **out, char **err, const char *first, va_list ap)
{
  static const char * const env[] = { "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "LANGUAGE=", NULL };
  static const char * const planning[] = { "directory", "roster", "plan", NULL };
  g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;

  if (!g_strv_contains (planning, first))
    return jc_test_hqv (dir, env, out, err, first, ap);
  g_ptr_array_add (argv, exe);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    {
      g_ptr_array_add (argv, (char *) arg);
      if (argv->len == 3)
        {
          g_ptr_array_add (argv, (char *) "--dir");
          g_ptr_array_add (argv, (char *) dir);
        }
    }
  g_ptr_array_add (argv, NULL);
  return jc_test_spawn ((const char * const *) argv->pdata, env, out, err);
}

/* In the test's own HQ directory; returns the exit status. */
static int
hq (char **out, char **err, const char *first, ...)
{
  va_list ap;
  int status;

  va_start (ap, first);
  status = hq_inv (hqdir, out, err, first, ap);
  va_end (ap);
  return status;
}

/* In @dir, and it must succeed. */
static void
hq_ok (const char *dir, char **out, const char *first, ...)
{
  g_autofree char *err = NULL;
  va_list ap;
  int status;

  va_start (ap, first);
  status = hq_inv (dir, out, &err, first, ap);
  va_end (ap);
  ck_assert_msg (status == 0, "jiancha-hq %s: %s", first, err);
}

static char *
write_file (const char *name, const char *text, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (root, name, NULL);

  ck_assert_msg (g_file_set_contents (path, text, len, &error), "%s", error ? error->message : "");
  return path;
}

/* The first column of the first row of @sql (with @arg bound, if any)
 * over HQ's database, as text. */
static char *
db_text (const char *sql, const char *arg)
{
  JcDb *db;
  JcDbStmt *stmt = NULL;
  char *value;

  db = jc_test_hq_db (hqdir);
  ck_assert_msg (jc_db_prepare (db, sql, -1, &stmt, NULL) == JC_DB_OK, "%s", jc_db_errmsg (db));
  if (arg != NULL)
    jc_db_bind_text (stmt, 1, arg, -1, JC_DB_STATIC);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_ROW);
  value = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  jc_db_finalize (stmt);
  jc_db_free (db);
  return value;
}

static gint64
db_int (const char *sql, const char *arg)
{
  g_autofree char *text = db_text (sql, arg);

  return g_ascii_strtoll (text, NULL, 10);
}

static void
init_hq (const char *dir)
{
  hq_ok (dir, NULL, "init", NULL);
}

/* ---------------------------------------------------------------------- */
/* A generated province: 1 000 institutions in 10 counties                */

typedef struct {
  guint   counties[N_COUNTIES];         /* institutions per county */
  guint   strata[N_COUNTIES][5];        /* level 1, 2, 3, pharmacy, agency */
  GPtrArray *top_pharmacies[N_COUNTIES];  /* the 30 codes expected */
} Province;

static const char *
county_name (guint c)
{
  static const char * const names[N_COUNTIES] = {
    "离石区", "汾阳市", "孝义市", "文水县", "交城县", "兴县", "临县", "柳林县", "石楼县", "岚县",
  };
  return names[c];
}

typedef struct {
  char    code[16];
  guint64 fen;
} Pharmacy;

static int
by_fund_then_code (gconstpointer a, gconstpointer b)
{
  const Pharmacy *x = a, *y = b;

  if (x->fen != y->fen)
    return x->fen > y->fen ? -1 : 1;
  return strcmp (x->code, y->code);
}

/* The first county is large (400 institutions, 344 pharmacies) so that 10 %
 * of its pharmacies is more than the top 30; the others hold 66 or 67. */
static char *
make_province (Province *p)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20210127);
  GString *csv = g_string_new ("code,name,type,level,county,fund_payment\r\n");
  guint serial = 0;

  memset (p, 0, sizeof *p);
  for (guint c = 0; c < N_COUNTIES; c++)
    {
      g_autoptr(GArray) pharmacies = g_array_new (FALSE, FALSE, sizeof (Pharmacy));
      guint n = c == 0 ? 400 : (c < 7 ? 67 : 66);

      p->counties[c] = n;
      p->top_pharmacies[c] = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n; i++)
        {
          guint stratum = c == 0 ? (i < 330 ? 3 : i % 5) : (guint) g_rand_int_range (rand, 0, 5);
          guint64 fen = (guint64) g_rand_int_range (rand, 0, 2000000) * 100 + (guint64) g_rand_int_range (rand, 0, 100);
          char code[16];

          /* Ties in fund payment are broken by code: make a few. */
          if (i % 17 == 0)
            fen = 150000000;
          g_snprintf (code, sizeof code, "%c%05u", "HHHPA"[stratum], serial++);
          p->strata[c][stratum]++;
          g_string_append_printf (csv, "%s,\"%s %u, %s\",%s,%s,%s,%" G_GUINT64_FORMAT ".%02u\r\n", code,
                                  county_name (c), i, stratum == 3 ? "药店" : "医院",
                                  stratum < 3 ? "hospital" : stratum == 3 ? "pharmacy" : "agency",
                                  stratum == 0 ? "1" : stratum == 1 ? "2" : stratum == 2 ? "3" : "",
                                  county_name (c), fen / 100, (guint) (fen % 100));
          if (stratum == 3)
            {
              Pharmacy ph = { .fen = fen };

              g_strlcpy (ph.code, code, sizeof ph.code);
              g_array_append_val (pharmacies, ph);
            }
        }
      g_array_sort (pharmacies, by_fund_then_code);
      for (guint i = 0; i < MIN (pharmacies->len, 30); i++)
        g_ptr_array_add (p->top_pharmacies[c], g_strdup (g_array_index (pharmacies, Pharmacy, i).code));
    }
  return g_string_free (csv, FALSE);
}

static void
province_clear (Province *p)
{
  for (guint c = 0; c < N_COUNTIES; c++)
    g_clear_pointer (&p->top_pharmacies[c], g_ptr_array_unref);
}

/* Four law-enforcement inspectors and two experts per county. */
static char *
make_roster (void)
{
  GString *csv = g_string_new ("name,county,role\n");

  for (guint c = 0; c < N_COUNTIES; c++)
    for (guint i = 0; i < 6; i++)
      g_string_append_printf (csv, "检查员%u-%u,%s,%s\n", c, i, county_name (c), i < 4 ? "enforcement" : "expert");
  return g_string_free (csv, FALSE);
}

static void
import_province (const char *dir, Province *p)
{
  g_autofree char *dir_csv = make_province (p);
  g_autofree char *roster_csv = make_roster ();
  g_autofree char *dir_path = write_file ("province.csv", dir_csv, -1);
  g_autofree char *roster_path = write_file ("roster.csv", roster_csv, -1);
  g_autofree char *out = NULL;

  hq_ok (dir, &out, "directory", "import", dir_path, NULL);
  ck_assert_msg (strstr (out, "Imported 1000 institutions") != NULL, "%s", out);
  g_clear_pointer (&out, g_free);
  hq_ok (dir, &out, "roster", "import", roster_path, NULL);
  ck_assert_msg (strstr (out, "Imported 60 inspectors") != NULL, "%s", out);
}

static char *
draw_json (const char *dir, const char *seed)
{
  char *out = NULL;

  hq_ok (dir, &out, "plan", "draw", "--seed", seed, "--format", "json", NULL);
  return out;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, text, -1, &error), "not JSON: %s\n%s",
                 error ? error->message : "", text);
  ck_assert (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static guint
county_index (const char *name)
{
  for (guint c = 0; c < N_COUNTIES; c++)
    if (g_str_equal (county_name (c), name))
      return c;
  ck_abort_msg ("unknown county %s", name);
  return 0;
}

static guint
stratum_of (JsonObject *a)
{
  const char *type = json_object_get_string_member (a, "type");

  if (g_str_equal (type, "hospital"))
    return (guint) json_object_get_int_member (a, "level") - 1;
  return g_str_equal (type, "pharmacy") ? 3 : 4;
}

static guint
expected_drawn (guint stratum, guint n)
{
  static const guint rates[] = { 10, 30, 50 };

  if (stratum < 3)
    return (n * rates[stratum] + 99) / 100;
  if (stratum == 3)
    return MAX (MIN (n, 30), (n + 9) / 10);
  return n;
}

/* ---------------------------------------------------------------------- */

START_TEST (test_rng_is_chacha20)
{
  /* The keystream of ChaCha20 with an all-zero key and nonce starts with
   * 76 b8 e0 ad a0 f1 3d 90 (the well-known first test vector): seed 0. */
  JcPlanRng rng;
  guint64 counts[3] = { 0 };

  jc_plan_rng_init (&rng, 0);
  ck_assert_uint_eq (jc_plan_rng_next (&rng), G_GUINT64_CONSTANT (0x903df1a0ade0b876));
  /* Seed 1 is key 01 00 … 00: another stream. */
  jc_plan_rng_init (&rng, 1);
  ck_assert_uint_ne (jc_plan_rng_next (&rng), G_GUINT64_CONSTANT (0x903df1a0ade0b876));
  /* Past the first 64-byte block the stream goes on (block counter 1). */
  for (guint i = 0; i < 3000; i++)
    {
      guint64 x = jc_plan_rng_uniform (&rng, 3);

      ck_assert_uint_lt (x, 3);
      counts[x]++;
    }
  for (guint i = 0; i < 3; i++)
    ck_assert_msg (counts[i] > 850 && counts[i] < 1150, "uniform(3) gave %u %" G_GUINT64_FORMAT " times", i, counts[i]);
  ck_assert_uint_eq (jc_plan_rng_uniform (&rng, 1), 0);
}
END_TEST

START_TEST (test_draw_reproducible)
{
  g_autofree char *other = g_build_filename (root, "hq-other", NULL);
  g_autofree char *first = NULL, *again = NULL, *different = NULL, *elsewhere = NULL;
  Province p;

  init_hq (hqdir);
  import_province (hqdir, &p);
  province_clear (&p);
  first = draw_json (hqdir, "20211001");
  again = draw_json (hqdir, "20211001");
  different = draw_json (hqdir, "20211002");
  ck_assert_str_eq (first, again);
  ck_assert_str_ne (first, different);

  /* With --dir before the command too, and by its id. */
  {
    g_autoptr(JsonObject) doc = parse_object (first);
    g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "sync", "jiancha-hq", NULL);
    g_autofree char *shown = NULL, *err = NULL;
    const char *argv[] = { exe, "--dir", hqdir, "plan", "show", json_object_get_string_member (doc, "plan_id"),
                           "--format", "json", NULL };

    ck_assert_msg (jc_test_spawn (argv, NULL, &shown, &err) == 0, "plan show: %s", err);
    ck_assert_str_eq (shown, first);
  }

  /* Anyone with the same lists re-runs it: another HQ, other keys. */
  init_hq (other);
  import_province (other, &p);
  province_clear (&p);
  elsewhere = draw_json (other, "20211001");
  ck_assert_str_eq (first, elsewhere);

  /* The same draw twice is one plan; the other seed is a second. */
  ck_assert_int_eq (db_int ("SELECT count(*) FROM plans", NULL), 2);
  ck_assert_int_eq (db_int ("SELECT count(DISTINCT seed) FROM plans", NULL), 2);
}
END_TEST

START_TEST (test_draw_rates)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) doc = NULL;
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *assignments, *counts;
  guint drawn[N_COUNTIES][5] = { { 0 } };
  Province p;

  init_hq (hqdir);
  import_province (hqdir, &p);
  json = draw_json (hqdir, "7");
  doc = parse_object (json);
  ck_assert_int_eq (json_object_get_int_member (doc, "seed"), 7);
  assignments = json_object_get_array_member (doc, "assignments");
  for (guint i = 0; i < json_array_get_length (assignments); i++)
    {
      JsonObject *a = json_array_get_object_element (assignments, i);
      const char *code = json_object_get_string_member (a, "code");

      ck_assert_msg (g_hash_table_add (codes, (gpointer) code), "%s assigned twice", code);
      drawn[county_index (json_object_get_string_member (a, "county"))][stratum_of (a)]++;
    }
  for (guint c = 0; c < N_COUNTIES; c++)
    {
      for (guint s = 0; s < 5; s++)
        ck_assert_msg (drawn[c][s] == expected_drawn (s, p.strata[c][s]),
                       "%s, stratum %u: %u drawn of %u, expected %u", county_name (c), s, drawn[c][s],
                       p.strata[c][s], expected_drawn (s, p.strata[c][s]));
      /* The top 30 pharmacies by fund payment are always in. */
      for (guint i = 0; i < p.top_pharmacies[c]->len; i++)
        ck_assert_msg (g_hash_table_contains (codes, p.top_pharmacies[c]->pdata[i]),
                       "%s: top pharmacy %s missing", county_name (c), (char *) p.top_pharmacies[c]->pdata[i]);
    }
  /* The stored plan holds the same assignments and teams. */
  ck_assert_int_eq (db_int ("SELECT count(*) FROM plan_assignments WHERE plan_id = ?",
                            json_object_get_string_member (doc, "plan_id")), json_array_get_length (assignments));
  ck_assert_int_eq (db_int ("SELECT count(*) FROM plan_team WHERE plan_id = ?",
                            json_object_get_string_member (doc, "plan_id")), 2 * json_array_get_length (assignments));

  /* The large county: 344 pharmacies → 35 (10 % rounded up, more than the
   * top 30). */
  ck_assert_uint_eq (p.strata[0][3], 344);
  ck_assert_uint_eq (drawn[0][3], 35);

  /* The published counts say the same. */
  counts = json_object_get_array_member (doc, "counts");
  for (guint i = 0; i < json_array_get_length (counts); i++)
    {
      JsonObject *count = json_array_get_object_element (counts, i);
      guint c = county_index (json_object_get_string_member (count, "county"));
      guint s = stratum_of (count);

      ck_assert_int_eq (json_object_get_int_member (count, "total"), p.strata[c][s]);
      ck_assert_int_eq (json_object_get_int_member (count, "drawn"), drawn[c][s]);
    }
  province_clear (&p);
}
END_TEST

/* Every team: the size asked for, distinct people, none from the
 * institution's county, the first two law-enforcement staff. */
static void
check_teams (const char *json, guint team_size)
{
  g_autoptr(JsonObject) doc = parse_object (json);
  JsonArray *assignments = json_object_get_array_member (doc, "assignments");
  g_autoptr(GHashTable) load = g_hash_table_new (g_str_hash, g_str_equal);
  guint most = 0, least = G_MAXUINT;
  GHashTableIter iter;
  gpointer value;

  ck_assert_uint_gt (json_array_get_length (assignments), 300);
  for (guint i = 0; i < json_array_get_length (assignments); i++)
    {
      JsonObject *a = json_array_get_object_element (assignments, i);
      JsonArray *team = json_object_get_array_member (a, "team");
      const char *county = json_object_get_string_member (a, "county");

      ck_assert_uint_eq (json_array_get_length (team), team_size);
      ck_assert_uint_ge (json_array_get_length (team), 2);
      for (guint t = 0; t < json_array_get_length (team); t++)
        {
          const char *name = json_array_get_string_element (team, t);
          guint c, seat;

          /* Names are 检查员C-I: county C, I < 4 for enforcement. */
          ck_assert_int_eq (sscanf (name, "检查员%u-%u", &c, &seat), 2);
          ck_assert_msg (!g_str_equal (county_name (c), county),
                         "%s of %s inspects %s in their own county", name, county_name (c),
                         json_object_get_string_member (a, "code"));
          if (t < 2)
            ck_assert_msg (seat < 4, "%s (an expert) holds law-enforcement seat %u", name, t);
          for (guint u = 0; u < t; u++)
            ck_assert_str_ne (name, json_array_get_string_element (team, u));
          g_hash_table_insert (load, (gpointer) name,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (load, name)) + 1));
        }
    }
  /* The work is spread: every enforcement inspector is used. */
  g_hash_table_iter_init (&iter, load);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      most = MAX (most, GPOINTER_TO_UINT (value));
      least = MIN (least, GPOINTER_TO_UINT (value));
    }
  ck_assert_uint_ge (g_hash_table_size (load), team_size > 2 ? 60 : 40);
  ck_assert_uint_gt (least, 0);
}

START_TEST (test_draw_teams)
{
  g_autofree char *two = NULL, *three = NULL;
  Province p;

  init_hq (hqdir);
  import_province (hqdir, &p);
  province_clear (&p);
  two = draw_json (hqdir, "11");
  check_teams (two, 2);
  hq_ok (hqdir, &three, "plan", "draw", "--seed", "11", "--team-size", "3", "--format", "json", NULL);
  check_teams (three, 3);
}
END_TEST

/* replay_plan.py, written from the specification alone, draws the same
 * plan from the same CSV files and seed, and checks the signature. */
static int
replay (const char *plan_path, const char *envelope_path, const char *key_hex, char **err)
{
  g_autofree char *script = g_build_filename (JC_SOURCE_DIR, "tests", "replay_plan.py", NULL);
  g_autofree char *dir_csv = g_build_filename (root, "province.csv", NULL);
  g_autofree char *roster_csv = g_build_filename (root, "roster.csv", NULL);
  g_autofree char *out = NULL;
  const char *argv[] = { "/usr/bin/python3", script, "--directory", dir_csv, "--roster", roster_csv,
                         /* without an envelope the list ends here */
                         "--plan", plan_path, envelope_path ? "--envelope" : NULL, envelope_path,
                         "--hq-key", key_hex, NULL };

  return jc_test_spawn (argv, NULL, &out, err);
}

START_TEST (test_draw_replayed)
{
  g_autofree char *json = NULL, *envelope = NULL, *key = NULL, *err = NULL;
  g_autofree char *plan_path = NULL, *envelope_path = NULL, *forged_path = NULL;
  g_auto(GStrv) key_lines = NULL;
  g_autoptr(GString) forged = NULL;
  Province p;

  init_hq (hqdir);
  import_province (hqdir, &p);
  province_clear (&p);
  hq_ok (hqdir, &json, "plan", "draw", "--seed", "4294967297", "--team-size", "3", "--max-load", "25",
         "--format", "json", NULL);
  hq_ok (hqdir, &envelope, "plan", "show", "--format", "signed", NULL);
  hq_ok (hqdir, &key, "key", NULL);
  key_lines = g_strsplit (key, "\n", 2);
  plan_path = write_file ("plan.json", json, -1);
  envelope_path = write_file ("envelope.json", envelope, -1);
  ck_assert_msg (replay (plan_path, envelope_path, key_lines[0], &err) == 0, "replay_plan.py: %s", err);

  /* A team changed after the draw does not replay. */
  forged = g_string_new (json);
  ck_assert_uint_gt (g_string_replace (forged, "\"检查员1-0\"", "\"检查员1-9\"", 1), 0);
  forged_path = write_file ("forged.json", forged->str, -1);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (replay (forged_path, NULL, key_lines[0], &err), 1);
  ck_assert_msg (strstr (err, "error: assignment") != NULL, "%s", err);
}
END_TEST

START_TEST (test_draw_cannot_staff)
{
  g_autofree char *dir_path = write_file ("d.csv", "code,name,type,level,county,fund_payment\n"
                                                   "H1,甲医院,hospital,3,甲县,100\n"
                                                   "H2,乙医院,hospital,3,乙县,100\n", -1);
  /* Only one law-enforcement inspector outside 甲县, and an expert. */
  g_autofree char *roster_path = write_file ("r.csv", "name,county,role\n"
                                                      "张伟,甲县,enforcement\n"
                                                      "李娜,甲县,enforcement\n"
                                                      "王强,乙县,enforcement\n"
                                                      "刘洋,乙县,expert\n", -1);
  g_autofree char *out = NULL, *err = NULL;

  init_hq (hqdir);
  hq_ok (hqdir, NULL, "directory", "import", dir_path, NULL);
  hq_ok (hqdir, NULL, "roster", "import", roster_path, NULL);
  ck_assert_int_eq (hq (&out, &err, "plan", "draw", "--seed", "1", NULL), 1);
  ck_assert_msg (strstr (err, "cannot staff the plan: H1 (甲医院) needs 2 law-enforcement inspectors") != NULL &&
                 strstr (err, "the roster has 1") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (hq (&out, &err, "plan", "show", NULL), 1);
  ck_assert_msg (strstr (err, "No plan at HQ yet") != NULL, "%s", err);

  /* A team of one is refused, whatever the roster. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (hq (&out, &err, "plan", "draw", "--seed", "1", "--team-size", "1", NULL), 1);
  ck_assert_msg (strstr (err, "at least 2 law-enforcement inspectors") != NULL, "%s", err);

  /* The load limit: one assignment each staffs both; a third seat cannot
   * be filled from the two outside each county. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&roster_path, g_free);
  roster_path = write_file ("r.csv", "name,county,role\n张伟,甲县,enforcement\n李娜,甲县,enforcement\n"
                                     "王强,乙县,enforcement\n赵敏,乙县,enforcement\n", -1);
  hq_ok (hqdir, NULL, "roster", "import", roster_path, NULL);
  hq_ok (hqdir, NULL, "plan", "draw", "--seed", "1", "--max-load", "1", NULL);
  ck_assert_int_eq (hq (&out, &err, "plan", "draw", "--seed", "1", "--team-size", "3", NULL), 1);
  ck_assert_msg (strstr (err, "needs a team of 3 inspectors") != NULL, "%s", err);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* CSV as Excel writes it                                                 */

static const char good_directory[] =
  "\xEF\xBB\xBF" "code,name,type,level,county,fund_payment\r\n"
  "H1,\"第一人民医院, 东院\",hospital,3,离石区,1234.5\r\n"
  "H2,\"\"\"仁和\"\"医院\",hospital, 1 ,汾阳市,\"10\"\r\n"
  ",,,,,\r\n"
  "P1,康宁大药房,pharmacy,,离石区,0.07\r\n"
  "A1,离石区医保中心,agency,,离石区,0";

START_TEST (test_csv_excel)
{
  g_autofree char *path = write_file ("dir.csv", good_directory, -1);
  g_autofree char *name1 = NULL, *name2 = NULL, *out = NULL;
  /* Another order of the columns, LF endings, no BOM, a last line without
   * its newline, and the Chinese role words. */
  g_autofree char *roster = write_file ("roster.csv", "role,county,name\n执法人员,离石区,张伟\n"
                                                      "专业人员,汾阳市,\"李, 娜\"\nenforcement,汾阳市,王强", -1);

  init_hq (hqdir);
  hq_ok (hqdir, &out, "directory", "import", path, NULL);
  ck_assert_msg (strstr (out, "Imported 4 institutions") != NULL, "%s", out);
  name1 = db_text ("SELECT name FROM institutions WHERE code = ?", "H1");
  name2 = db_text ("SELECT name FROM institutions WHERE code = ?", "H2");
  ck_assert_str_eq (name1, "第一人民医院, 东院");
  ck_assert_str_eq (name2, "\"仁和\"医院");
  /* Exact fen, from the core's yuan parser. */
  ck_assert_int_eq (db_int ("SELECT fund_payment_fen FROM institutions WHERE code = ?", "H1"), 123450);
  ck_assert_int_eq (db_int ("SELECT fund_payment_fen FROM institutions WHERE code = ?", "P1"), 7);
  ck_assert_int_eq (db_int ("SELECT level FROM institutions WHERE code = ?", "H2"), 1);

  g_clear_pointer (&out, g_free);
  hq_ok (hqdir, &out, "roster", "import", roster, NULL);
  ck_assert_msg (strstr (out, "Imported 3 inspectors") != NULL, "%s", out);
  ck_assert_int_eq (db_int ("SELECT count(*) FROM inspectors WHERE role = 'enforcement'", NULL), 2);
  ck_assert_int_eq (db_int ("SELECT count(*) FROM inspectors WHERE name = ? AND role = 'expert'", "李, 娜"), 1);
}
END_TEST

/* The reader itself: records that span lines keep the line they start
 * on, and a lone CR ends a line as old Mac Excel writes it. */
START_TEST (test_csv_records)
{
  static const char text[] = "\xEF\xBB\xBF" "a,b\r\n\"x\r\ny\",z\rq,\"\"\"\"\n,\n\"\",\"\",end";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = jc_csv_parse ("t.csv", text, sizeof text - 1, &error);
  const JcCsvRow *row;

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (rows->len, 5);
  row = rows->pdata[0];
  ck_assert_uint_eq (row->line, 1);
  ck_assert_str_eq (row->fields[0], "a");
  row = rows->pdata[1];
  ck_assert_uint_eq (row->line, 2);
  ck_assert_str_eq (row->fields[0], "x\r\ny");
  ck_assert_str_eq (row->fields[1], "z");
  row = rows->pdata[2];
  ck_assert_uint_eq (row->line, 4);
  ck_assert_str_eq (row->fields[0], "q");
  ck_assert_str_eq (row->fields[1], "\"");
  row = rows->pdata[3];
  ck_assert_uint_eq (row->line, 5);
  ck_assert_uint_eq (g_strv_length (row->fields), 2);
  row = rows->pdata[4];
  ck_assert_uint_eq (row->line, 6);
  ck_assert_uint_eq (g_strv_length (row->fields), 3);
  ck_assert_str_eq (row->fields[0], "");
  ck_assert_str_eq (row->fields[2], "end");
}
END_TEST

typedef struct {
  const char *text;
  const char *message;   /* what stderr must hold */
} BadCsv;

static const BadCsv bad_directories[] = {
  { "code,name,type,level,county,fund_payment\nH1,甲,hospital,3,离石区,1\nH2,乙,hospital,3,离石区\n",
    "dir.csv:3: column fund_payment: missing: the line has 5 columns, the header 6" },
  { "code,name,type,level,county,fund_payment\nH1,甲,hospital,3,离石区,1\nH2,乙,hospital,3,离石区,1,234.00\n",
    "dir.csv:3: column 7: one too many" },
  { "code,name,type,level,county,fund_payment\nH1,甲,clinic,3,离石区,1\n",
    "dir.csv:2: column type: expected hospital, pharmacy or agency, got “clinic”" },
  { "code,name,type,level,county,fund_payment\nH1,甲,hospital,3,离石区,1\nH2,乙,hospital,四,离石区,1\n",
    "dir.csv:3: column level: expected 1, 2 or 3 for a hospital, got “四”" },
  { "code,name,type,level,county,fund_payment\nP1,甲,pharmacy,2,离石区,1\n",
    "dir.csv:2: column level: a pharmacy has no level: leave it empty, got “2”" },
  { "code,name,type,level,county,fund_payment\nH1,甲,hospital,3,离石区,12.345\n",
    "dir.csv:2: column fund_payment: The amount “12.345” has more than 2 decimals" },
  { "code,name,type,level,county,fund_payment\nH1,甲,hospital,3,离石区,\"1,234.00\"\n",
    "dir.csv:2: column fund_payment: The amount “1,234.00” is not a number of yuan" },
  { "code,name,type,level,county,fund_payment\nH1,甲,hospital,3,离石区,-5\n",
    "dir.csv:2: column fund_payment: The amount “-5” is negative" },
  { "code,name,type,level,county,fund_payment\r\nH1,甲,hospital,3,离石区,1\r\nH2,乙,hospital,1,离石区,1\r\n"
    "H1,丙,hospital,2,离石区,1\r\n",
    "dir.csv:4: column code: “H1” is already on line 2" },
  { "", "dir.csv:1: the file is empty" },
  { "\xEF\xBB\xBF", "dir.csv:1: the file is empty" },
  { "code,name,type,level,county,fund_payment\r\n", "dir.csv:2: nothing after the header line" },
  { "code,name,kind,level,county,fund_payment\n", "dir.csv:1: column 3: unknown column “kind”" },
  { "code,name,type,level,fund_payment\nH1,甲,hospital,3,1\n", "dir.csv:1: column county: missing from the header" },
  { "code,name,type,level,county,fund_payment\nH1,\"甲,hospital,3,离石区,1\nH2,乙,hospital,3,离石区,1\n",
    "dir.csv:2: column 2: the quoted field that starts here never ends" },
  { "code,name,type,level,county,fund_payment\nH1,\"甲\"x,hospital,3,离石区,1\n",
    "dir.csv:2: column 2: text after the closing quote" },
  { "code,name,type,level,county,fund_payment\nH1,甲\"乙,hospital,3,离石区,1\n",
    "dir.csv:2: column 2: a quote inside a field that is not quoted" },
  /* GBK, as Excel's plain “CSV” saves on a Chinese Windows: 检查 */
  { "code,name,type,level,county,fund_payment\nH1,\xBC\xEC\xB2\xE9,hospital,3,x,1\n",
    "dir.csv:2: not UTF-8 text" },
  { "code,name,type,level,county,fund_payment\nH1,,hospital,3,离石区,1\n",
    "dir.csv:2: column name: empty" },
  { "code,name,type,level,county,fund_payment\nH1,\"甲\n乙\",hospital,3,离石区,1\n",
    "dir.csv:2: column name: “甲\n乙” holds a line break" },
};

START_TEST (test_csv_malformed_directory)
{
  const BadCsv *bad = &bad_directories[_i];
  g_autofree char *good = write_file ("good.csv", good_directory, -1);
  g_autofree char *path = NULL;
  g_autofree char *out = NULL, *err = NULL;

  init_hq (hqdir);
  hq_ok (hqdir, NULL, "directory", "import", good, NULL);
  path = write_file ("dir.csv", bad->text, -1);
  ck_assert_int_eq (hq (&out, &err, "directory", "import", path, NULL), 1);
  ck_assert_msg (strstr (err, bad->message) != NULL, "case %d: expected “%s” in:\n%s", _i, bad->message, err);
  /* Nothing of the bad file was imported: the good directory is intact. */
  ck_assert_int_eq (db_int ("SELECT count(*) FROM institutions", NULL), 4);
  ck_assert_int_eq (db_int ("SELECT count(*) FROM institutions WHERE code = 'H1' AND fund_payment_fen = 123450", NULL), 1);
}
END_TEST

static const BadCsv bad_rosters[] = {
  { "name,county,role\n张伟,离石区,enforcement\n李娜,汾阳市,boss\n",
    "r.csv:3: column role: expected enforcement (执法人员) or expert (专业人员), got “boss”" },
  { "name,county,role\n张伟,离石区,enforcement\n张伟,汾阳市,expert\n", "r.csv:3: column name: “张伟” is already on line 2" },
  { "name,county,role\n张伟,,enforcement\n", "r.csv:2: column county: empty" },
  { "name,county\n张伟,离石区\n", "r.csv:1: column role: missing from the header" },
  { "", "r.csv:1: the file is empty" },
};

START_TEST (test_csv_malformed_roster)
{
  const BadCsv *bad = &bad_rosters[_i];
  g_autofree char *good = write_file ("good.csv", "name,county,role\n王强,离石区,enforcement\n", -1);
  g_autofree char *path = NULL;
  g_autofree char *out = NULL, *err = NULL;

  init_hq (hqdir);
  hq_ok (hqdir, NULL, "roster", "import", good, NULL);
  path = write_file ("r.csv", bad->text, -1);
  ck_assert_int_eq (hq (&out, &err, "roster", "import", path, NULL), 1);
  ck_assert_msg (strstr (err, bad->message) != NULL, "case %d: expected “%s” in:\n%s", _i, bad->message, err);
  ck_assert_int_eq (db_int ("SELECT count(*) FROM inspectors", NULL), 1);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* The signature devices verify                                           */

static void
hq_key (guint8 pk[32])
{
  g_autofree char *out = NULL;
  gsize len = 0;

  hq_ok (hqdir, &out, "key", NULL);
  ck_assert_int_eq (sodium_hex2bin (pk, 32, out, 64, NULL, &len, NULL), 0);
  ck_assert_uint_eq (len, 32);
}

/* @envelope with its document (or signature) changed in one byte. */
static char *
tamper (const char *envelope, const char *member, gsize at)
{
  g_autoptr(JsonObject) outer = parse_object (envelope);
  g_autofree char *text = g_strdup (json_object_get_string_member (outer, member));
  g_autoptr(JsonBuilder) b = json_builder_new ();

  ck_assert_uint_lt (at, strlen (text));
  text[at] = text[at] == '1' ? '2' : '1';
  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "document", g_str_equal (member, "document")
                                               ? text : json_object_get_string_member (outer, "document"));
  jc_json_builder_add_string (b, "signature", g_str_equal (member, "signature")
                                                ? text : json_object_get_string_member (outer, "signature"));
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

START_TEST (test_plan_signature)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) doc = NULL;
  g_autoptr(JsonObject) outer = NULL;
  g_autoptr(JcHqStore) store = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *json = NULL, *envelope = NULL, *served = NULL, *text = NULL, *bad = NULL;
  guint8 pk[32], other_pk[32], other_sk[64], sig[64];
  gsize len = 0;
  Province p;

  init_hq (hqdir);
  import_province (hqdir, &p);
  province_clear (&p);
  json = draw_json (hqdir, "99");
  hq_ok (hqdir, &envelope, "plan", "show", "--format", "signed", NULL);
  hq_key (pk);

  doc = jc_assignments_verify (envelope, pk, &text, &error);
  ck_assert_msg (doc != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (json_object_get_int_member (doc, "seed"), 99);
  g_strchomp (json);
  ck_assert_str_eq (text, json);

  /* The signature is plain Ed25519 over "JC-PLAN1\0" + the document. */
  outer = parse_object (envelope);
  ck_assert_int_eq (sodium_hex2bin (sig, 64, json_object_get_string_member (outer, "signature"), 128,
                                    NULL, &len, NULL), 0);
  message = jc_assignments_message (text);
  ck_assert_uint_eq (g_bytes_get_size (message), strlen (text) + 9);
  ck_assert_int_eq (crypto_sign_verify_detached (sig, g_bytes_get_data (message, NULL),
                                                 g_bytes_get_size (message), pk), 0);

  /* One byte changed anywhere fails: in the document, in the signature. */
  for (gsize at = 0; at < strlen (text); at += strlen (text) / 7)
    {
      g_autoptr(JsonObject) none = NULL;
      gsize pos = at;

      /* An ASCII byte, so the envelope stays UTF-8 and JSON. */
      while ((guchar) text[pos] >= 0x80)
        pos++;
      g_clear_pointer (&bad, g_free);
      g_clear_error (&error);
      bad = tamper (envelope, "document", pos);
      none = jc_assignments_verify (bad, pk, NULL, &error);
      ck_assert_msg (none == NULL, "byte %zu changed, still verifies", pos);
      ck_assert (g_error_matches (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_SIGNATURE));
    }
  g_clear_pointer (&bad, g_free);
  g_clear_error (&error);
  bad = tamper (envelope, "signature", 5);
  ck_assert_ptr_null (jc_assignments_verify (bad, pk, NULL, &error));
  ck_assert (g_error_matches (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_SIGNATURE));

  /* Another key does not verify it. */
  g_clear_error (&error);
  crypto_sign_keypair (other_pk, other_sk);
  ck_assert_ptr_null (jc_assignments_verify (envelope, other_pk, NULL, &error));
  ck_assert (g_error_matches (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_SIGNATURE));

  /* What the down-sync serves is that envelope. */
  g_clear_error (&error);
  store = jc_hq_store_open (hqdir, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  served = jc_hq_plan_get_assignments_json (store, NULL, &error);
  ck_assert_msg (served != NULL, "%s", error ? error->message : "");
  g_strchomp (envelope);
  ck_assert_str_eq (served, envelope);
}
END_TEST

static Suite *
plan_suite (void)
{
  Suite *s = suite_create ("plan");
  TCase *draw = tcase_create ("draw");
  TCase *csv = tcase_create ("csv");
  TCase *sign = tcase_create ("signature");

  tcase_add_checked_fixture (draw, setup, teardown);
  tcase_set_timeout (draw, 120);
  tcase_add_test (draw, test_rng_is_chacha20);
  tcase_add_test (draw, test_draw_reproducible);
  tcase_add_test (draw, test_draw_rates);
  tcase_add_test (draw, test_draw_teams);
  tcase_add_test (draw, test_draw_replayed);
  tcase_add_test (draw, test_draw_cannot_staff);
  suite_add_tcase (s, draw);

  tcase_add_checked_fixture (csv, setup, teardown);
  tcase_add_test (csv, test_csv_records);
  tcase_add_test (csv, test_csv_excel);
  tcase_add_loop_test (csv, test_csv_malformed_directory, 0, G_N_ELEMENTS (bad_directories));
  tcase_add_loop_test (csv, test_csv_malformed_roster, 0, G_N_ELEMENTS (bad_rosters));
  suite_add_tcase (s, csv);

  tcase_add_checked_fixture (sign, setup, teardown);
  tcase_add_test (sign, test_plan_signature);
  suite_add_tcase (s, sign);
  return s;
}

int
main (void)
{
  return jc_test_run (plan_suite ());
}

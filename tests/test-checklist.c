/* test-checklist.c — the official checklists, their loader and `jiancha-cli checklist`
 *
 * The bundled lists are checked against the source document itself
 * (checklists/sources/004_…txt, a byte-exact copy of seed 004, pinned by
 * its SHA-256): item counts recounted from the tables, every item's text
 * found verbatim next to its own number, codes unique and following the
 * numbering of the source.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

#define SEED_FILE   "004_71cb4d8314c7b460.txt"
#define SEED_SHA256 "fba3a0b4846f24b975b71882712bc044d5abc1e98e0a1a462ad839fef683efd1"

/* What the tables of seed 004 hold, counted by hand from the source. */
static const struct {
  const char        *id;
  const char        *heading;   /* the "## …" heading of its table */
  const char        *category;  /* self-inspection lists: the part's heading */
  guint              n_items;
  const char        *layout;    /* items per group, sections split by '/' */
  JcInstitutionKind  applies_to;
} expected[] = {
  { "hospital-2021", "2021年定点医疗机构现场检查清单", NULL, 28, "1,1,1,1/5,5,9,5", JC_INSTITUTION_HOSPITAL },
  { "pharmacy-2021", "2021年定点零售药店现场检查清单", NULL, 19, "1,1,1,1,1/5,4,5", JC_INSTITUTION_PHARMACY },
  { "self-admin-2021", "自查自纠对照清单", "医保行政部门", 12, "12", JC_INSTITUTION_ADMINISTRATION },
  { "self-agency-2021", "自查自纠对照清单", "医保经办机构", 12, "12", JC_INSTITUTION_AGENCY },
  { "self-institution-2021", "自查自纠对照清单", "定点医药机构", 19, "19",
    JC_INSTITUTION_HOSPITAL | JC_INSTITUTION_PHARMACY },
};

/* A small valid list whose line and column numbers the error tests use. */
static const char template_json[] =
  "{\n"
  "  \"id\": \"test-list\",\n"
  "  \"version\": 1,\n"
  "  \"title\": \"测试清单\",\n"
  "  \"applies_to\": [\"hospital\"],\n"
  "  \"source\": \"测试来源\",\n"
  "  \"source_note\": [],\n"
  "  \"code_prefix\": \"t21\",\n"
  "  \"sections\": [\n"
  "    {\n"
  "      \"code\": \"t21.1\",\n"
  "      \"number\": 1,\n"
  "      \"category\": \"欺诈骗保问题\",\n"
  "      \"numbering\": \"continuous\",\n"
  "      \"groups\": [\n"
  "        {\n"
  "          \"number\": 1,\n"
  "          \"behaviour\": \"虚假结算\",\n"
  "          \"items\": [\n"
  "            { \"code\": \"t21.1.1\", \"number\": 1, \"text\": \"第一条；\", \"note\": \"\", \"record\": [\"status\", \"note\"] },\n"
  "            { \"code\": \"t21.1.2\", \"number\": 2, \"text\": \"第二条。\", \"record\": [\"status\"] }\n"
  "          ]\n"
  "        }\n"
  "      ]\n"
  "    },\n"
  "    {\n"
  "      \"code\": \"t21.2\",\n"
  "      \"number\": 2,\n"
  "      \"category\": \"一般违规问题\",\n"
  "      \"numbering\": \"per_group\",\n"
  "      \"groups\": [\n"
  "        { \"number\": 1, \"behaviour\": \"违规收费\", \"items\": [\n"
  "          { \"code\": \"t21.2.1.1\", \"number\": 1, \"text\": \"重复收费\", \"record\": [\"status\", \"amount\"] } ] },\n"
  "        { \"number\": 2, \"behaviour\": \"其他\", \"items\": [\n"
  "          { \"code\": \"t21.2.2.1\", \"number\": 1, \"text\": \"其他违规行为。\", \"record\": [\"status\"] } ] }\n"
  "      ]\n"
  "    }\n"
  "  ]\n"
  "}\n";

static const char *
source_dir (void)
{
  const char *dir = g_getenv ("JIANCHA_SOURCE_DIR");

  return dir != NULL ? dir : JC_SOURCE_DIR;
}

static const char *
build_dir (void)
{
  const char *dir = g_getenv ("JIANCHA_BUILD_DIR");

  return dir != NULL ? dir : JC_BUILD_DIR;
}

static JcChecklistRegistry *
bundled (void)
{
  g_autoptr(GError) error = NULL;
  JcChecklistRegistry *registry = jc_checklist_registry_new_bundled (&error);

  ck_assert_msg (registry != NULL, "bundled lists: %s", error ? error->message : "?");
  return registry;
}

static JcChecklist *
lookup (JcChecklistRegistry *registry, const char *key)
{
  g_autoptr(GError) error = NULL;
  JcChecklist *cl = jc_checklist_registry_lookup (registry, key, &error);

  ck_assert_msg (cl != NULL, "%s: %s", key, error ? error->message : "?");
  return cl;
}

/* The source text with its HTML markup (<p>, </p>) removed, as the
 * checklists' source_note says was done. */
static char *
seed_stripped (void)
{
  g_autofree char *path = g_build_filename (source_dir (), "checklists", "sources", SEED_FILE, NULL);
  gsize len;
  g_autofree char *raw = jc_test_read (path, &len);
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) raw, len);
  g_autoptr(GRegex) tags = g_regex_new ("<[^>]*>", 0, 0, NULL);

  ck_assert_msg (g_str_equal (sha, SEED_SHA256), "%s is not the original seed 004 (SHA-256 %s)", path, sha);
  return g_regex_replace_literal (tags, raw, -1, 0, "", 0, NULL);
}

/* The text of one table: from its "## heading" line to the next "## ". */
static char *
seed_region (const char *seed, const char *heading)
{
  g_autofree char *marker = g_strdup_printf ("\n## %s\n", heading);
  const char *start = strstr (seed, marker);
  const char *end;

  ck_assert_msg (start != NULL, "no table “%s” in the seed", heading);
  start += strlen (marker);
  end = strstr (start, "\n## ");
  return end != NULL ? g_strndup (start, end - start) : g_strdup (start);
}

static char *
remove_white_space (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));
  return g_string_free (out, FALSE);
}

static gboolean
note_mentions (JcChecklist *cl, const char *text)
{
  const char * const *notes = jc_checklist_get_source_notes (cl);

  for (guint i = 0; notes[i] != NULL; i++)
    if (strstr (notes[i], text) != NULL)
      return TRUE;
  return FALSE;
}

static char *
layout_of (JcChecklist *cl)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < jc_checklist_get_n_sections (cl); i++)
    {
      const JcChecklistSection *section = jc_checklist_get_section (cl, i);

      if (i > 0)
        g_string_append_c (s, '/');
      for (guint g = 0; g < section->n_groups; g++)
        g_string_append_printf (s, g > 0 ? ",%u" : "%u", section->groups[g].n_items);
    }
  return g_string_free (s, FALSE);
}

/* ---------------------------------------------------------------------- */
/* The bundled lists                                                      */

START_TEST (test_bundled_lists_have_source_counts)
{
  g_autoptr(JcChecklistRegistry) registry = bundled ();
  g_autoptr(GPtrArray) all = jc_checklist_registry_list (registry);
  guint total = 0;

  ck_assert_uint_eq (all->len, G_N_ELEMENTS (expected));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *key = g_strdup_printf ("%s@1", expected[i].id);
      JcChecklist *cl = lookup (registry, key);
      g_autofree char *layout = layout_of (cl);
      guint sum = 0;

      ck_assert_str_eq (jc_checklist_get_key (cl), key);
      ck_assert_uint_eq (jc_checklist_get_version (cl), 1);
      ck_assert_msg (jc_checklist_get_n_items (cl) == expected[i].n_items, "%s: %u items, the source has %u",
                     key, jc_checklist_get_n_items (cl), expected[i].n_items);
      ck_assert_msg (g_str_equal (layout, expected[i].layout), "%s: layout %s, expected %s",
                     key, layout, expected[i].layout);
      ck_assert_int_eq (jc_checklist_get_applies_to (cl), expected[i].applies_to);
      for (guint s = 0; s < jc_checklist_get_n_sections (cl); s++)
        sum += jc_checklist_get_section (cl, s)->n_items;
      ck_assert_uint_eq (sum, expected[i].n_items);
      ck_assert_ptr_nonnull (jc_checklist_get_source_notes (cl)[0]);
      ck_assert_ptr_nonnull (strstr (jc_checklist_get_source (cl), "吕医保发〔2021〕36号"));
      total += jc_checklist_get_n_items (cl);
    }
  ck_assert_uint_eq (total, 12 + 12 + 19 + 28 + 19);
}
END_TEST

/* Counts the tables' items straight from the seed, without the JSON. */
START_TEST (test_counts_recounted_from_seed)
{
  g_autoptr(JcChecklistRegistry) registry = bundled ();
  g_autofree char *seed = seed_stripped ();
  g_autofree char *self = seed_region (seed, "自查自纠对照清单");
  g_auto(GStrv) lines = g_strsplit (self, "\n", -1);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GRegex) numbered = g_regex_new ("(?:^|[\\t ])[0-9]+\\. ", G_REGEX_MULTILINE, 0, NULL);
  g_autofree char *part = NULL;

  /* Self-inspection: "N<TAB>text" rows under a heading; a part split by a
   * page break repeats its heading and numbers on. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 n;
      g_auto(GStrv) cells = g_strsplit (lines[i], "\t", 2);

      if (lines[i][0] == '\0')
        continue;
      if (cells[1] != NULL && g_ascii_string_to_unsigned (cells[0], 10, 1, 99, &n, NULL))
        {
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, part)) + 1;

          ck_assert_ptr_nonnull (part);
          ck_assert_msg (n == count, "%s: item %" G_GUINT64_FORMAT " where %u was due", part, n, count);
          g_hash_table_insert (counts, g_strdup (part), GUINT_TO_POINTER (count));
        }
      else
        {
          g_free (part);
          part = remove_white_space (lines[i]);
        }
    }
  ck_assert_uint_eq (g_hash_table_size (counts), 3);
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *key = g_strdup_printf ("%s@1", expected[i].id);
      JcChecklist *cl = lookup (registry, key);
      guint n;

      if (expected[i].category != NULL)
        n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, expected[i].category));
      else
        {
          /* On-site tables: every "N. " that starts an item in a cell. */
          g_autofree char *region = seed_region (seed, expected[i].heading);
          g_autoptr(GMatchInfo) match = NULL;

          n = 0;
          g_regex_match (numbered, region, 0, &match);
          while (g_match_info_matches (match))
            {
              n++;
              g_match_info_next (match, NULL);
            }
        }
      ck_assert_msg (n == expected[i].n_items, "%s: the seed has %u items, expected %u", key, n, expected[i].n_items);
      ck_assert_uint_eq (jc_checklist_get_n_items (cl), n);
    }
}
END_TEST

/* "N. text" (on-site) or "N<TAB>text" (self-inspection) must be in the
 * table's own text, ending where the source's cell or item ends. */
static gboolean
found_verbatim (const char *region, const char *needle)
{
  for (const char *p = strstr (region, needle); p != NULL; p = strstr (p + 1, needle))
    {
      const char *after = p + strlen (needle);

      /* Starts an item: at a cell, line or item boundary, so "1. x" is
       * not found inside "11. x". */
      if (p > region && p[-1] != '\t' && p[-1] != '\n' && p[-1] != ' ')
        continue;
      if (*after == '\0' || *after == '\t' || *after == '\n')
        return TRUE;
      if (*after == ' ')
        {
          while (*after == ' ')
            after++;
          if (g_ascii_isdigit (*after))
            return TRUE;
        }
    }
  return FALSE;
}

START_TEST (test_texts_verbatim_in_seed)
{
  g_autoptr(JcChecklistRegistry) registry = bundled ();
  g_autofree char *seed = seed_stripped ();

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *key = g_strdup_printf ("%s@1", expected[i].id);
      JcChecklist *cl = lookup (registry, key);
      g_autofree char *region = seed_region (seed, expected[i].heading);
      g_autofree char *region_nows = remove_white_space (region);
      gboolean self = expected[i].category != NULL;

      if (self)
        {
          ck_assert_ptr_nonnull (strstr (jc_checklist_get_title (cl), expected[i].heading));
          ck_assert_ptr_nonnull (strstr (jc_checklist_get_title (cl), expected[i].category));
        }
      else
        ck_assert_str_eq (jc_checklist_get_title (cl), expected[i].heading);

      for (guint s = 0; s < jc_checklist_get_n_sections (cl); s++)
        {
          const JcChecklistSection *section = jc_checklist_get_section (cl, s);

          if (self)
            ck_assert_str_eq (section->category, expected[i].category);
          else
            ck_assert_msg (strstr (region, section->category) != NULL, "%s: category %s not in the source",
                           key, section->category);
          for (guint g = 0; g < section->n_groups; g++)
            {
              const char *behaviour = section->groups[g].behaviour;
              g_autofree char *behaviour_nows = remove_white_space (behaviour);

              if (self)
                ck_assert_str_eq (behaviour, "");
              /* Exact, or differing only by white space and then documented. */
              else if (strstr (region, behaviour) == NULL)
                ck_assert_msg (strstr (region_nows, behaviour_nows) != NULL && note_mentions (cl, behaviour),
                               "%s: behaviour “%s” is neither in the source nor a documented edit", key, behaviour);
            }
        }
      for (guint j = 0; j < jc_checklist_get_n_items (cl); j++)
        {
          const JcChecklistItem *item = jc_checklist_get_item (cl, j);
          g_autofree char *needle = self ? g_strdup_printf ("%u\t%s", item->number, item->text)
                                         : g_strdup_printf ("%u. %s", item->number, item->text);

          ck_assert_msg (found_verbatim (region, needle), "%s %s: “%s” is not verbatim in table “%s”",
                         key, item->code, item->text, expected[i].heading);
          ck_assert_str_eq (item->note, "");
        }
    }
}
END_TEST

START_TEST (test_codes_unique_and_follow_numbering)
{
  g_autoptr(JcChecklistRegistry) registry = bundled ();
  g_autoptr(GRegex) scheme = g_regex_new ("^[a-z]+[0-9]{2}(\\.[0-9]+)+$", 0, 0, NULL);
  g_autoptr(GHashTable) all_codes = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *key = g_strdup_printf ("%s@1", expected[i].id);
      JcChecklist *cl = lookup (registry, key);
      const char *prefix = jc_checklist_get_code_prefix (cl);

      for (guint s = 0; s < jc_checklist_get_n_sections (cl); s++)
        {
          const JcChecklistSection *section = jc_checklist_get_section (cl, s);
          guint next = 1;

          for (guint g = 0; g < section->n_groups; g++)
            {
              const JcChecklistGroup *group = &section->groups[g];

              if (section->per_group)
                next = 1;
              for (guint j = 0; j < group->n_items; j++)
                {
                  const JcChecklistItem *item = &group->items[j];
                  g_autofree char *want = section->per_group
                    ? g_strdup_printf ("%s.%u.%u.%u", prefix, s + 1, g + 1, next)
                    : g_strdup_printf ("%s.%u.%u", prefix, s + 1, next);

                  /* The source numbers without gaps: so do the lists. */
                  ck_assert_uint_eq (item->number, next);
                  ck_assert_str_eq (item->code, want);
                  ck_assert (g_regex_match (scheme, item->code, 0, NULL));
                  ck_assert_msg (!g_hash_table_contains (all_codes, item->code), "code %s twice", item->code);
                  g_hash_table_add (all_codes, (char *) item->code);
                  ck_assert_ptr_eq (jc_checklist_lookup (cl, item->code), item);
                  ck_assert_ptr_eq (item->group, group);
                  ck_assert_ptr_eq (group->section, section);
                  next++;
                }
            }
        }
    }
  ck_assert_uint_eq (g_hash_table_size (all_codes), 90);
}
END_TEST

/* Codes travel in QR codes and sealed records: their meaning must never
 * move. A change here is a new list version, not an edit. */
START_TEST (test_codes_are_stable)
{
  static const struct {
    const char *list, *code, *text_start;
  } pinned[] = {
    { "hospital-2021", "h21.1.1", "诱导、协助他人冒名或者虚假就医, 提供虚假材料" },
    { "hospital-2021", "h21.1.3", "虚构医药服务项目或者虚记项目收费;" },
    { "hospital-2021", "h21.2.1.1", "未建立医疗保障基金使用内部管理制度" },
    { "hospital-2021", "h21.2.2.4", "串换项目收费: 不执行原药品" },
    { "hospital-2021", "h21.2.3.8", "超范围诊疗：指未取得卫键部门批准的诊疗项目" },
    { "hospital-2021", "h21.2.4.5", "其他违规行为。" },
    { "pharmacy-2021", "p21.1.4", "留存、盗刷社保卡；" },
    { "pharmacy-2021", "p21.2.2.4", "处方管理不规范，超大量处方、处方药未凭处方销售等。" },
    { "pharmacy-2021", "p21.2.3.3", "执业医师不在岗；" },
    { "self-admin-2021", "sa21.1.12", "工作人员是否存在滥用职权、玩忽职守、徇私舞弊的行为？" },
    { "self-agency-2021", "sg21.1.1", "是否建立了业务、财务、安全和风险管理等制度？" },
    { "self-institution-2021", "si21.1.15", "是否存在为参保人员利用其享受医疗保障待遇的机会转卖药品" },
    { "self-institution-2021", "si21.1.19", "是否定期对基金使用情况进行分析，并撰写分析报告报医保部门？" },
  };
  g_autoptr(JcChecklistRegistry) registry = bundled ();

  for (gsize i = 0; i < G_N_ELEMENTS (pinned); i++)
    {
      JcChecklist *cl = lookup (registry, pinned[i].list);
      const JcChecklistItem *item = jc_checklist_lookup (cl, pinned[i].code);

      ck_assert_msg (item != NULL, "%s has no %s", pinned[i].list, pinned[i].code);
      ck_assert_msg (g_str_has_prefix (item->text, pinned[i].text_start), "%s is now “%s”",
                     pinned[i].code, item->text);
    }
  {
    const JcChecklistSection *s = jc_checklist_get_section (lookup (registry, "hospital-2021"), 1);

    ck_assert_str_eq (s->category, "一般违规问题");
    ck_assert_str_eq (s->groups[0].behaviour, "医保内部管理制度不健全, 管理规范");
    ck_assert_str_eq (s->groups[2].behaviour, "违规诊疗");
    ck_assert_str_eq (s->groups[3].behaviour, "其他");
  }
}
END_TEST

/* The resource built into the binary is exactly checklists/ of the tree. */
START_TEST (test_bundled_bytes_match_source_tree)
{
  g_autofree char *dir_path = g_build_filename (source_dir (), "checklists", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_auto(GStrv) bundled_files = jc_checklist_bundled_files ();
  const char *name;
  guint n_json = 0;

  ck_assert_ptr_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      n_json++;
      path = g_build_filename (dir_path, name, NULL);
      contents = jc_test_read (path, &len);
      bytes = jc_checklist_bundled_bytes (name, &error);
      ck_assert_msg (bytes != NULL, "%s is not built in: add it to src/core/jc-checklists.gresource.xml", name);
      ck_assert_msg (g_bytes_get_size (bytes) == len && memcmp (g_bytes_get_data (bytes, NULL), contents, len) == 0,
                     "the built-in %s differs from %s", name, path);
    }
  ck_assert_uint_eq (n_json, g_strv_length (bundled_files));
  ck_assert_uint_eq (n_json, 5);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Malformed input                                                        */

static char *
replace_once (const char *s, const char *old, const char *replacement)
{
  const char *at = strstr (s, old);

  ck_assert_msg (at != NULL, "test bug: “%s” not in the template", old);
  return g_strdup_printf ("%.*s%s%s", (int) (at - s), s, replacement, at + strlen (old));
}

static void
assert_fails (const char *json, gsize len, int code, const char *expect)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcChecklist) cl = jc_checklist_load_bytes (bytes, "t.json", &error);

  ck_assert_msg (cl == NULL, "loaded, expected: %s", expect);
  ck_assert_msg (g_error_matches (error, JC_CHECKLIST_ERROR, code), "error %s (code %d), expected code %d",
                 error ? error->message : "none", error ? error->code : -1, code);
  ck_assert_msg (strstr (error->message, expect) != NULL, "error “%s”\nexpected “%s”", error->message, expect);
}

static void
assert_mutation_fails (const char *old, const char *replacement, int code, const char *expect)
{
  g_autofree char *json = replace_once (template_json, old, replacement);

  assert_fails (json, strlen (json), code, expect);
}

START_TEST (test_template_is_valid)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (template_json, strlen (template_json));
  g_autoptr(GError) error = NULL;
  g_autoptr(JcChecklist) cl = jc_checklist_load_bytes (bytes, "t.json", &error);
  const JcChecklistItem *item;

  ck_assert_msg (cl != NULL, "%s", error ? error->message : "?");
  ck_assert_str_eq (jc_checklist_get_key (cl), "test-list@1");
  ck_assert_uint_eq (jc_checklist_get_n_items (cl), 4);
  ck_assert_ptr_null (jc_checklist_get_source_notes (cl)[0]);
  item = jc_checklist_lookup (cl, "t21.2.2.1");
  ck_assert_str_eq (item->text, "其他违规行为。");
  ck_assert_str_eq (item->group->behaviour, "其他");
  ck_assert_str_eq (item->group->section->category, "一般违规问题");
  ck_assert_int_eq (jc_checklist_lookup (cl, "t21.1.1")->record, JC_RECORD_STATUS | JC_RECORD_NOTE);
  ck_assert_str_eq (jc_checklist_lookup (cl, "t21.1.2")->note, "");
  ck_assert_ptr_null (jc_checklist_lookup (cl, "t21.1.3"));
  ck_assert_ptr_null (jc_checklist_lookup (cl, "t21.2.1"));
}
END_TEST

START_TEST (test_truncated_json_names_line_and_field)
{
  gsize len = strlen (template_json);
  g_autoptr(GRegex) located = g_regex_new ("^t\\.json:[0-9]+:[0-9]+: ", 0, 0, NULL);
  const char *cut;

  /* Every truncation fails, and says where. The last byte is a newline
   * whose loss leaves valid JSON; all shorter prefixes must fail. */
  for (gsize n = 0; n + 1 < len; n++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (template_json, n);
      g_autoptr(GError) error = NULL;
      g_autoptr(JcChecklist) cl = jc_checklist_load_bytes (bytes, "t.json", &error);

      ck_assert_msg (cl == NULL, "a prefix of %" G_GSIZE_FORMAT " bytes loaded", n);
      ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SYNTAX));
      ck_assert_msg (g_regex_match (located, error->message, 0, NULL), "no position in “%s”", error->message);
    }

  cut = strstr (template_json, "第二条");
  assert_fails (template_json, cut - template_json, JC_CHECKLIST_ERROR_SYNTAX,
                "t.json:21:55: sections[0].groups[0].items[1].text: unterminated string");
  cut = strstr (template_json, "{ \"number\": 2");
  assert_fails (template_json, cut - template_json, JC_CHECKLIST_ERROR_SYNTAX,
                "t.json:34:9: sections[1].groups[1]: unexpected end of input (expected a value)");
  assert_fails (template_json, 0, JC_CHECKLIST_ERROR_SYNTAX, "t.json:1:1: empty input");
}
END_TEST

START_TEST (test_truncated_real_list)
{
  g_autofree char *path = g_build_filename (source_dir (), "checklists", "hospital-2021.json", NULL);
  gsize len;
  g_autofree char *json = jc_test_read (path, &len);
  static const double fractions[] = { 0.1, 0.33, 0.5, 0.77, 0.9, 0.999 };

  for (gsize i = 0; i < G_N_ELEMENTS (fractions); i++)
    assert_fails (json, (gsize) (len * fractions[i]), JC_CHECKLIST_ERROR_SYNTAX, "t.json:");
  /* Half-way through the file the reader is inside the sections. */
  assert_fails (json, len / 2, JC_CHECKLIST_ERROR_SYNTAX, ": sections[1]");
}
END_TEST

START_TEST (test_wrong_types)
{
  assert_mutation_fails ("\"version\": 1", "\"version\": \"1\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:3:14: version: must be an integer, not a string");
  assert_mutation_fails ("\"version\": 1", "\"version\": 1.0", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:3:14: version: must be an integer, not a number with a fraction or exponent");
  assert_mutation_fails ("\"note\": \"\"", "\"note\": 5", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:20:71: sections[0].groups[0].items[0].note: must be a string, not an integer");
  assert_mutation_fails ("\"number\": 2, \"text\"", "\"number\": null, \"text\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:21:44: sections[0].groups[0].items[1].number: must be an integer, not null");
  assert_mutation_fails ("\"applies_to\": [\"hospital\"]", "\"applies_to\": \"hospital\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:5:17: applies_to: must be an array, not a string");
  assert_mutation_fails ("\"record\": [\"status\"] }\n", "\"record\": [true] }\n", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:21:74: sections[0].groups[0].items[1].record[0]: must be a string, not a boolean");
  assert_mutation_fails ("{\n  \"id\"", "[{\n  \"id\"", JC_CHECKLIST_ERROR_SYNTAX, "t.json:");
  assert_fails ("[]", 2, JC_CHECKLIST_ERROR_SCHEMA, "t.json:1:1: a checklist must be a JSON object, not an array");
}
END_TEST

START_TEST (test_missing_and_unknown_fields)
{
  assert_mutation_fails ("\"text\": \"第二条。\", ", "", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:21:13: sections[0].groups[0].items[1]: missing required field “text”");
  assert_mutation_fails ("  \"version\": 1,\n", "", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:1:1: missing required field “version”");
  assert_mutation_fails ("\"behaviour\": \"虚假结算\",", "\"behavior\": \"虚假结算\",", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:18:23: sections[0].groups[0].behavior: unknown field “behavior”");
  assert_mutation_fails ("\"text\": \"第二条。\"", "\"text\": \"\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:21:55: sections[0].groups[0].items[1].text: must not be empty");
  assert_mutation_fails ("\"text\": \"第二条。\"", "\"text\": \" 第二条。\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "items[1].text: has leading or trailing white space");
  assert_mutation_fails ("\"sections\": [", "\"sections\": [], \"x\": [", JC_CHECKLIST_ERROR_SCHEMA,
                         "unknown field “x”");
  assert_mutation_fails ("\"title\": \"测试清单\"", "\"title\": \"测试\\n清单\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:4:12: title: contains a control character (U+000A)");
}
END_TEST

START_TEST (test_bad_values)
{
  assert_mutation_fails ("\"code\": \"t21.1.2\"", "\"code\": \"t21.1.1\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:21:23: sections[0].groups[0].items[1].code: duplicate code “t21.1.1” (first used at line 20)");
  assert_mutation_fails ("\"code\": \"t21.2.2.1\"", "\"code\": \"t21.2.1.1\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:35:21: sections[1].groups[1].items[0].code: duplicate code “t21.2.1.1” (first used at line 33)");
  assert_mutation_fails ("\"code\": \"t21.2.2.1\"", "\"code\": \"t21.2.2.2\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:35:21: sections[1].groups[1].items[0].code: code “t21.2.2.2” does not match its section, group and number: expected “t21.2.2.1”");
  assert_mutation_fails ("\"code\": \"t21.1.2\"", "\"code\": \"T21.1.2\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "items[1].code: “T21.1.2” is not an item code");
  assert_mutation_fails ("\"number\": 2, \"text\"", "\"number\": 1, \"text\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:21:44: sections[0].groups[0].items[1].number: item numbers must increase: 1 follows 1");
  assert_mutation_fails ("\"code\": \"t21.2\"", "\"code\": \"t21.3\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:27:15: sections[1].code: section code “t21.3” does not match code_prefix and number: expected “t21.2”");
  assert_mutation_fails ("\"continuous\"", "\"sequential\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:14:20: sections[0].numbering: must be “continuous”");
  assert_mutation_fails ("[\"hospital\"]", "[\"hospital\", \"clinic\"]", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:5:30: applies_to[1]: “clinic” is not an institution type");
  assert_mutation_fails ("[\"hospital\"]", "[\"hospital\", \"hospital\"]", JC_CHECKLIST_ERROR_SCHEMA,
                         "applies_to[1]: “hospital” is listed twice");
  assert_mutation_fails ("\"record\": [\"status\"] }\n", "\"record\": [\"note\"] }\n", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:21:73: sections[0].groups[0].items[1].record: must include “status”");
  assert_mutation_fails ("\"record\": [\"status\"] }\n", "\"record\": [\"status\", \"photo\"] }\n", JC_CHECKLIST_ERROR_SCHEMA,
                         "items[1].record[1]: “photo” is not something an inspector records");
  assert_mutation_fails ("\"version\": 1", "\"version\": 0", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:3:14: version: must be between 1 and 2147483647, not 0");
  assert_mutation_fails ("\"test-list\"", "\"Test List\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:2:9: id: “Test List” is not a checklist id");
  assert_mutation_fails ("\"code_prefix\": \"t21\"", "\"code_prefix\": \"t2021\"", JC_CHECKLIST_ERROR_SCHEMA,
                         "code_prefix: “t2021” is not a code prefix");
  assert_mutation_fails ("{ \"number\": 2, \"behaviour\": \"其他\"", "{ \"number\": 3, \"behaviour\": \"其他\"",
                         JC_CHECKLIST_ERROR_SCHEMA, "t.json:34:21: sections[1].groups[1].number: group number 3 is not its position 2");
  assert_mutation_fails ("\"items\": [\n          { \"code\": \"t21.2.2.1\", \"number\": 1, \"text\": \"其他违规行为。\", \"record\": [\"status\"] } ]",
                         "\"items\": []", JC_CHECKLIST_ERROR_SCHEMA,
                         "t.json:34:52: sections[1].groups[1].items: must not be empty");
}
END_TEST

START_TEST (test_syntax_errors)
{
  assert_mutation_fails ("\"id\": \"test-list\",", "\"id\": \"test-list\", \"id\": \"x\",", JC_CHECKLIST_ERROR_SYNTAX,
                         "t.json:2:22: duplicate member “id”");
  assert_mutation_fails ("[\"status\"] }\n", "[\"status\",] }\n", JC_CHECKLIST_ERROR_SYNTAX,
                         "t.json:21:83: sections[0].groups[0].items[1].record[1]: unexpected “]” (expected a value)");
  assert_mutation_fails ("  \"version\": 1,\n", "  // a comment\n  \"version\": 1,\n", JC_CHECKLIST_ERROR_SYNTAX,
                         "t.json:3:3: unexpected “/” (expected a member name in double quotes)");
  assert_mutation_fails ("\"title\": \"测试清单\"", "\"title\": '测试清单'", JC_CHECKLIST_ERROR_SYNTAX,
                         "t.json:4:12: title: unexpected “'” (expected a value)");
  assert_mutation_fails ("\"测试来源\"", "\"测试\\x来源\"", JC_CHECKLIST_ERROR_SYNTAX,
                         "t.json:6:16: source: invalid escape “\\x”");
  assert_mutation_fails ("\"测试来源\"", "\"\\u0000\"", JC_CHECKLIST_ERROR_SYNTAX, "source: \\u0000 is not allowed");
  assert_mutation_fails ("\"测试来源\"", "\"\\ud800x\"", JC_CHECKLIST_ERROR_SYNTAX, "unpaired high surrogate");
  assert_mutation_fails ("\"version\": 1", "\"version\": 01", JC_CHECKLIST_ERROR_SYNTAX,
                         "t.json:3:14: version: invalid number");
  assert_mutation_fails ("\"number\": 2, \"text\"", "\"number\": 99999999999999999999999, \"text\"",
                         JC_CHECKLIST_ERROR_SYNTAX, "t.json:21:44: sections[0].groups[0].items[1].number: number with too many digits");
  assert_mutation_fails ("\n}\n", "\n} {}\n", JC_CHECKLIST_ERROR_SYNTAX,
                         "t.json:39:3: unexpected data after the end of the JSON value");
  {
    /* Invalid UTF-8 in line 4: the error points at it. */
    g_autofree char *json = replace_once (template_json, "测试清单", "测试\xff清单");

    assert_fails (json, strlen (json), JC_CHECKLIST_ERROR_SYNTAX, "t.json:4:15: invalid UTF-8");
  }
  {
    g_autoptr(GString) deep = g_string_new (NULL);

    for (int i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    assert_fails (deep->str, deep->len, JC_CHECKLIST_ERROR_SYNTAX, "t.json:1:65: ");
    assert_fails (deep->str, deep->len, JC_CHECKLIST_ERROR_SYNTAX,
                  "t.json:1:65: [0][0][0][0][0][0]…[0][0][0]: nested more than 64 levels deep");
  }
  {
    /* A byte-order mark is tolerated; positions still refer to the file. */
    g_autofree char *json = g_strconcat ("\xEF\xBB\xBF", template_json, NULL);
    g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
    g_autoptr(GError) error = NULL;
    g_autoptr(JcChecklist) cl = jc_checklist_load_bytes (bytes, "t.json", &error);

    ck_assert_msg (cl != NULL, "%s", error ? error->message : "?");
  }
}
END_TEST

START_TEST (test_garbage_refused_by_size)
{
  gsize size = 10 * 1024 * 1024;
  g_autofree char *garbage = g_malloc (size);
  g_autofree char *dir = jc_test_tmpdir ("checklist-garbage");
  g_autofree char *path = g_build_filename (dir, "garbage.json", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcChecklist) cl = NULL;
  guint32 x = 2463534242u;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      garbage[i] = (char) x;
    }
  bytes = g_bytes_new_static (garbage, size);
  assert_fails (garbage, size, JC_CHECKLIST_ERROR_TOO_LARGE, "t.json: 10485760 bytes is over the 2 MiB limit");
  cl = jc_checklist_load_signed_bytes (bytes, bytes, (const guint8 *) garbage, "g.json", &error);
  ck_assert_ptr_null (cl);
  ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_TOO_LARGE));
  g_clear_error (&error);

  ck_assert (g_file_set_contents (path, garbage, size, NULL));
  cl = jc_checklist_load_file (path, &error);
  ck_assert_ptr_null (cl);
  ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_TOO_LARGE));
  ck_assert (g_str_has_prefix (error->message, path));
  g_clear_error (&error);

  /* Just under the limit, garbage is read and then refused as JSON. */
  assert_fails (garbage, JC_CHECKLIST_MAX_SIZE, JC_CHECKLIST_ERROR_SYNTAX, "t.json:");
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_missing_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcChecklist) cl = jc_checklist_load_file ("/nonexistent/list.json", &error);

  ck_assert_ptr_null (cl);
  ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_IO));
  ck_assert (g_str_has_prefix (error->message, "/nonexistent/list.json: "));
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Signed lists from HQ                                                   */

typedef struct {
  guint8 pk[crypto_sign_PUBLICKEYBYTES];
  guint8 sk[crypto_sign_SECRETKEYBYTES];
} KeyPair;

static void
make_keys (KeyPair *keys)
{
  ck_assert (jc_core_init (NULL));
  crypto_sign_keypair (keys->pk, keys->sk);
}

static void
write_signed (const char *path, const char *json, const KeyPair *keys, gboolean hex)
{
  guint8 sig[crypto_sign_BYTES];
  g_autofree char *sig_path = g_strconcat (path, ".sig", NULL);

  crypto_sign_detached (sig, NULL, (const guint8 *) json, strlen (json), keys->sk);
  ck_assert (g_file_set_contents (path, json, -1, NULL));
  if (hex)
    {
      char text[2 * crypto_sign_BYTES + 2];

      sodium_bin2hex (text, sizeof text, sig, sizeof sig);
      strcat (text, "\n");
      ck_assert (g_file_set_contents (sig_path, text, -1, NULL));
    }
  else
    ck_assert (g_file_set_contents (sig_path, (const char *) sig, sizeof sig, NULL));
}

static void
assert_signature_error (const char *path, const guint8 *pk, const char *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcChecklist) cl = jc_checklist_load_signed_file (path, pk, &error);

  ck_assert_ptr_null (cl);
  ck_assert_msg (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SIGNATURE),
                 "%s", error ? error->message : "no error");
  ck_assert (g_str_has_prefix (error->message, path));
  ck_assert_msg (strstr (error->message, expect) != NULL, "“%s” lacks “%s”", error->message, expect);
}

START_TEST (test_signed_lists)
{
  g_autofree char *dir = jc_test_tmpdir ("checklist-signed");
  g_autofree char *path = g_build_filename (dir, "list.json", NULL);
  g_autofree char *sig_path = g_strconcat (path, ".sig", NULL);
  KeyPair hq, other;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcChecklist) cl = NULL;

  make_keys (&hq);
  make_keys (&other);

  /* Raw and hex signatures both verify. */
  write_signed (path, template_json, &hq, FALSE);
  cl = jc_checklist_load_signed_file (path, hq.pk, &error);
  ck_assert_msg (cl != NULL, "%s", error ? error->message : "?");
  g_clear_pointer (&cl, jc_checklist_unref);
  write_signed (path, template_json, &hq, TRUE);
  cl = jc_checklist_load_signed_file (path, hq.pk, &error);
  ck_assert_msg (cl != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (jc_checklist_get_n_items (cl), 4);
  g_clear_pointer (&cl, jc_checklist_unref);

  /* Another key's signature. */
  assert_signature_error (path, other.pk, "bad signature");

  /* One byte changed after signing. */
  {
    g_autofree char *tampered = g_strdup (template_json);

    /* Not even valid UTF-8 any more: refused before it is parsed. */
    *strstr (tampered, "第二条") ^= 0x01;
    ck_assert (g_file_set_contents (path, tampered, -1, NULL));
    assert_signature_error (path, hq.pk, "changed after signing");
    /* A change that keeps it valid JSON, and a valid list. */
    g_free (tampered);
    tampered = replace_once (template_json, "\"第二条。\"", "\"第三条。\"");
    ck_assert (g_file_set_contents (path, tampered, -1, NULL));
    assert_signature_error (path, hq.pk, "bad signature");
  }

  /* No signature at all. */
  g_unlink (sig_path);
  assert_signature_error (path, hq.pk, "not signed");

  /* A signature file that is not one. */
  ck_assert (g_file_set_contents (sig_path, "not a signature\n", -1, NULL));
  assert_signature_error (path, hq.pk, "not an Ed25519 signature");
  ck_assert (g_file_set_contents (sig_path, "", 0, NULL));
  assert_signature_error (path, hq.pk, "not an Ed25519 signature");

  /* A correctly signed but invalid list: signed is not enough. */
  {
    g_autofree char *bad = replace_once (template_json, "\"version\": 1", "\"version\": \"1\"");

    write_signed (path, bad, &hq, TRUE);
    cl = jc_checklist_load_signed_file (path, hq.pk, &error);
    ck_assert_ptr_null (cl);
    ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SCHEMA));
    ck_assert (g_str_has_prefix (error->message, path));
    ck_assert_ptr_nonnull (strstr (error->message, ":3:14: version: must be an integer"));
  }
  jc_test_rmtree (dir);
}
END_TEST

/* HQ issues version 2; an inspection started on version 1 still finds it. */
START_TEST (test_registry_versions)
{
  g_autoptr(JcChecklistRegistry) registry = bundled ();
  g_autofree char *dir = jc_test_tmpdir ("checklist-registry");
  g_autofree char *v2_path = g_build_filename (dir, "hospital-2021-v2.json", NULL);
  g_autofree char *v1_path = g_build_filename (dir, "hospital-2021-v1-forged.json", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "unsigned.json", NULL);
  g_autofree char *original = NULL;
  g_autofree char *v2 = NULL;
  g_autofree char *forged = NULL;
  g_autoptr(GPtrArray) before = jc_checklist_registry_list (registry);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) for_pharmacy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hospital_path = g_build_filename (source_dir (), "checklists", "hospital-2021.json", NULL);
  gsize len;
  KeyPair hq;
  JcChecklist *cl;

  make_keys (&hq);
  original = jc_test_read (hospital_path, &len);
  {
    g_autofree char *bumped = replace_once (original, "\"version\": 1,", "\"version\": 2,");

    v2 = replace_once (bumped, "超范围诊疗：", "超范围诊疗（修订）：");
  }
  write_signed (v2_path, v2, &hq, TRUE);
  forged = replace_once (original, "其他违规行为。", "其他违规行为！");
  write_signed (v1_path, forged, &hq, TRUE);
  ck_assert (g_file_set_contents (bad_path, template_json, -1, NULL));

  /* Unsigned: refused, registry unchanged. */
  ck_assert (!jc_checklist_registry_add_signed_file (registry, bad_path, hq.pk, &error));
  ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_SIGNATURE));
  g_clear_error (&error);
  ck_assert_ptr_null (jc_checklist_registry_lookup (registry, "test-list", NULL));

  ck_assert_msg (jc_checklist_registry_add_signed_file (registry, v2_path, hq.pk, &error),
                 "%s", error ? error->message : "?");
  cl = lookup (registry, "hospital-2021");
  ck_assert_uint_eq (jc_checklist_get_version (cl), 2);
  ck_assert (g_str_has_prefix (jc_checklist_lookup (cl, "h21.2.3.8")->text, "超范围诊疗（修订）："));
  cl = lookup (registry, "hospital-2021@1");
  ck_assert_uint_eq (jc_checklist_get_version (cl), 1);
  ck_assert (g_str_has_prefix (jc_checklist_lookup (cl, "h21.2.3.8")->text, "超范围诊疗：指"));
  ck_assert_ptr_null (jc_checklist_registry_lookup (registry, "hospital-2021@3", &error));
  ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_NOT_FOUND));
  g_clear_error (&error);
  ck_assert_ptr_null (jc_checklist_registry_lookup (registry, "hospital-2021@x", NULL));

  /* The same id@version with other content, even signed: a conflict. */
  ck_assert (!jc_checklist_registry_add_signed_file (registry, v1_path, hq.pk, &error));
  ck_assert (g_error_matches (error, JC_CHECKLIST_ERROR, JC_CHECKLIST_ERROR_CONFLICT));
  g_clear_error (&error);
  ck_assert_str_eq (jc_checklist_lookup (lookup (registry, "hospital-2021@1"), "h21.2.4.5")->text, "其他违规行为。");
  /* Adding the same bytes again changes nothing. */
  ck_assert (jc_checklist_registry_add_signed_file (registry, v2_path, hq.pk, NULL));

  after = jc_checklist_registry_list (registry);
  ck_assert_uint_eq (after->len, before->len + 1);
  ck_assert_str_eq (jc_checklist_get_key (after->pdata[0]), "hospital-2021@1");
  ck_assert_str_eq (jc_checklist_get_key (after->pdata[1]), "hospital-2021@2");

  for_pharmacy = jc_checklist_registry_list_for (registry, JC_INSTITUTION_PHARMACY);
  ck_assert_uint_eq (for_pharmacy->len, 2);
  ck_assert_str_eq (jc_checklist_get_key (for_pharmacy->pdata[0]), "pharmacy-2021@1");
  ck_assert_str_eq (jc_checklist_get_key (for_pharmacy->pdata[1]), "self-institution-2021@1");
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_checklist_outlives_registry)
{
  JcChecklistRegistry *registry = bundled ();
  JcChecklist *cl = jc_checklist_ref (lookup (registry, "pharmacy-2021@1"));

  jc_checklist_registry_unref (registry);
  ck_assert_str_eq (jc_checklist_lookup (cl, "p21.1.4")->text, "留存、盗刷社保卡；");
  ck_assert_uint_eq (strlen (jc_checklist_get_sha256 (cl)), 64);
  jc_checklist_unref (cl);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* jiancha-cli checklist                                                  */

static int
run_cli (const char * const *args, char **out, char **err)
{
  g_autofree char *cli = g_build_filename (build_dir (), "src", "cli", "jiancha-cli", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return jc_test_spawn ((const char * const *) argv->pdata,
                        (const char *[]) { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LANGUAGE=", "COLUMNS=80", NULL },
                        out, err);
}

static guint
display_width (const char *line)
{
  guint w = 0;

  for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p))
    w += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return w;
}

START_TEST (test_cli_list)
{
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;

  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "list", NULL }, &out, &err), 0);
  lines = g_strsplit (out, "\n", -1);
  ck_assert_uint_eq (g_strv_length (lines), 1 + 5 + 1);
  ck_assert (g_str_has_prefix (lines[1], "hospital-2021@1 "));
  ck_assert_ptr_nonnull (strstr (lines[1], " 28 "));
  ck_assert_ptr_nonnull (strstr (lines[1], "2021年定点医疗机构现场检查清单"));
  ck_assert (g_str_has_prefix (lines[5], "self-institution-2021@1 "));
  ck_assert_ptr_nonnull (strstr (lines[5], " 19 "));
  ck_assert_ptr_nonnull (strstr (lines[5], "hospital,pharmacy"));
}
END_TEST

START_TEST (test_cli_show)
{
  g_autoptr(JcChecklistRegistry) registry = bundled ();

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *flat = NULL;
      g_auto(GStrv) lines = NULL;
      JcChecklist *cl = lookup (registry, expected[i].id);

      ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "show", expected[i].id, NULL }, &out, &err), 0);
      ck_assert (g_str_has_prefix (out, jc_checklist_get_title (cl)));
      lines = g_strsplit (out, "\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        ck_assert_msg (display_width (lines[j]) <= 80, "line wider than 80 columns: %s", lines[j]);
      /* Every code, and every text (wrapping aside), is there. */
      flat = remove_white_space (out);
      for (guint j = 0; j < jc_checklist_get_n_items (cl); j++)
        {
          const JcChecklistItem *item = jc_checklist_get_item (cl, j);
          g_autofree char *code = g_strdup_printf ("  %s  ", item->code);
          g_autofree char *text = remove_white_space (item->text);

          ck_assert_msg (strstr (out, code) != NULL, "%s not shown", item->code);
          ck_assert_msg (strstr (flat, text) != NULL, "%s text not shown", item->code);
        }
    }
  {
    g_autofree char *out = NULL, *err = NULL;

    ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "show", "hospital-2021@1", NULL }, &out, &err), 0);
    ck_assert_ptr_nonnull (strstr (out, "\nh21.2  一般违规问题\n  医保内部管理制度不健全, 管理规范\n    h21.2.1.1  未建立医疗保障基金使用内部管理制度\n"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "show", "nosuch-2021", NULL }, &out, &err), 1);
    ck_assert_ptr_nonnull (strstr (err, "No checklist “nosuch-2021”"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "show", NULL }, &out, &err), 2);
  }
}
END_TEST

START_TEST (test_cli_validate)
{
  g_autofree char *dir = jc_test_tmpdir ("checklist-cli");
  g_autofree char *good = g_build_filename (source_dir (), "checklists", "pharmacy-2021.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);
  g_autofree char *signed_path = g_build_filename (dir, "signed.json", NULL);
  g_autofree char *bad_json = replace_once (template_json, "\"text\": \"第二条。\", ", "");
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *expect = NULL;
  char key_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
  KeyPair hq, other;

  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "validate", good, NULL }, &out, &err), 0);
  expect = g_strdup_printf ("%s: valid: pharmacy-2021@1, 2 sections, 8 groups, 19 items, SHA-256 ", good);
  ck_assert_msg (g_str_has_prefix (out, expect), "%s", out);
  ck_assert_uint_eq (strchr (out, '\n') - out + 1, strlen (out));   /* one line */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  ck_assert (g_file_set_contents (bad, bad_json, -1, NULL));
  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "validate", bad, NULL }, &out, &err), 1);
  g_free (expect);
  expect = g_strdup_printf ("%s:21:13: sections[0].groups[0].items[1]: missing required field “text”", bad);
  ck_assert_msg (strstr (err, expect) != NULL, "%s", err);
  ck_assert_str_eq (out, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  make_keys (&hq);
  make_keys (&other);
  write_signed (signed_path, template_json, &hq, TRUE);
  sodium_bin2hex (key_hex, sizeof key_hex, hq.pk, sizeof hq.pk);
  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "validate", signed_path, "--hq-key", key_hex, NULL },
                             &out, &err), 0);
  ck_assert_ptr_nonnull (strstr (out, "test-list@1"));
  ck_assert_ptr_nonnull (strstr (out, "signature verified"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  sodium_bin2hex (key_hex, sizeof key_hex, other.pk, sizeof other.pk);
  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "validate", signed_path, "--hq-key", key_hex, NULL },
                             &out, &err), 1);
  ck_assert_ptr_nonnull (strstr (err, "bad signature"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "validate", signed_path, "--hq-key", "abc", NULL },
                             &out, &err), 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "validate", NULL }, &out, &err), 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", NULL }, &out, &err), 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_cli ((const char *[]) { "checklist", "frobnicate", NULL }, &out, &err), 2);
  jc_test_rmtree (dir);
}
END_TEST

static Suite *
checklist_suite (void)
{
  Suite *s = suite_create ("checklist");
  TCase *tc;

  tc = tcase_create ("bundled");
  tcase_add_test (tc, test_bundled_lists_have_source_counts);
  tcase_add_test (tc, test_counts_recounted_from_seed);
  tcase_add_test (tc, test_texts_verbatim_in_seed);
  tcase_add_test (tc, test_codes_unique_and_follow_numbering);
  tcase_add_test (tc, test_codes_are_stable);
  tcase_add_test (tc, test_bundled_bytes_match_source_tree);
  suite_add_tcase (s, tc);

  tc = tcase_create ("malformed");
  tcase_add_test (tc, test_template_is_valid);
  tcase_add_test (tc, test_truncated_json_names_line_and_field);
  tcase_add_test (tc, test_truncated_real_list);
  tcase_add_test (tc, test_wrong_types);
  tcase_add_test (tc, test_missing_and_unknown_fields);
  tcase_add_test (tc, test_bad_values);
  tcase_add_test (tc, test_syntax_errors);
  tcase_add_test (tc, test_garbage_refused_by_size);
  tcase_add_test (tc, test_missing_file);
  suite_add_tcase (s, tc);

  tc = tcase_create ("signed");
  tcase_add_test (tc, test_signed_lists);
  tcase_add_test (tc, test_registry_versions);
  tcase_add_test (tc, test_checklist_outlives_registry);
  suite_add_tcase (s, tc);

  tc = tcase_create ("cli");
  tcase_add_test (tc, test_cli_list);
  tcase_add_test (tc, test_cli_show);
  tcase_add_test (tc, test_cli_validate);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (checklist_suite ());
}

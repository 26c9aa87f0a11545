/* jc-cli-checklist.c — `jiancha-cli checklist`: the official lists
 *
 *   checklist list                      every known list: id@version, items, applies to, title
 *   checklist show ID[@VERSION]         the whole list, wrapped for the terminal
 *   checklist validate FILE [--hq-key HEX]
 *                                       exit 0 and a one-line summary if FILE is a valid
 *                                       list (signed by that HQ key, if given: FILE.sig),
 *                                       1 and "FILE:LINE:COL: field: problem" if not
 */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "jc-cli.h"
#include "jc-core.h"

gboolean jc_cli_cmd_checklist (JcCli *cli, int argc, char **argv, GError **error);

static char *
applies_to_string (JcChecklist *cl)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  for (guint bit = 1; bit <= JC_INSTITUTION_ADMINISTRATION; bit <<= 1)
    if (jc_checklist_applies_to (cl, bit))
      g_strv_builder_add (names, jc_institution_kind_to_string (bit));
  strv = g_strv_builder_end (names);
  return g_strjoinv (",", strv);
}

static guint
count_groups (JcChecklist *cl)
{
  guint n = 0;

  for (guint i = 0; i < jc_checklist_get_n_sections (cl); i++)
    n += jc_checklist_get_section (cl, i)->n_groups;
  return n;
}

/* ---------------------------------------------------------------------- */
/* Wrapping text that is mostly Chinese                                   */

static guint
char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

/* Punctuation that must not start a line. */
static gboolean
is_closing (gunichar c)
{
  if (c < 0x80)
    return c != 0 && strchr (",.;:!?)]", (int) c) != NULL;
  return g_utf8_strchr ("，。；：？！、）》」』”’…", -1, c) != NULL;
}

static gboolean
is_opening (gunichar c)
{
  return c == '(' || (c >= 0x80 && g_utf8_strchr ("（《「『“‘", -1, c) != NULL);
}

/* May a line break come between @prev and @c? Between two CJK characters,
 * after a space, never before closing or after opening punctuation, never
 * inside a run of Latin letters and digits ("2021", "h21"). */
static gboolean
can_break (gunichar prev, gunichar c)
{
  if (prev == 0 || is_closing (c) || is_opening (prev))
    return FALSE;
  if (prev == ' ')
    return c != ' ';
  return g_unichar_iswide (c) || g_unichar_iswide (prev);
}

static guint
terminal_width (void)
{
  const char *columns = g_getenv ("COLUMNS");
  guint64 n;
  struct winsize ws;

  if (columns != NULL && g_ascii_string_to_unsigned (columns, 10, 20, 1000, &n, NULL))
    return (guint) n;
  if (isatty (STDOUT_FILENO) && ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
    return ws.ws_col;
  return 80;
}

/* Appends @text to @out: the first line after @lead (whose display width is
 * @indent), the rest indented by @indent, none wider than @width. */
static void
append_wrapped (GString *out, const char *lead, guint indent, const char *text, guint width)
{
  guint avail = width > indent + 20 ? width - indent : 20;
  const char *line = text;
  const char *brk = NULL;      /* last place the line may end */
  guint w = 0, w_at_brk = 0;
  gunichar prev = 0;

  g_string_append (out, lead);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint cw = char_width (c);

      if (p != line && can_break (prev, c))
        {
          brk = p;
          w_at_brk = w;
        }
      /* Closing punctuation takes the character before it to the next
       * line; it hangs past the width only when there is no other way. */
      if (w + cw > avail && p != line && ((brk != NULL && brk > line) || !is_closing (c)))
        {
          const char *end = brk != NULL && brk > line ? brk : p;
          const char *trim = end;

          while (trim > line && trim[-1] == ' ')
            trim--;
          g_string_append_len (out, line, trim - line);
          g_string_append_c (out, '\n');
          for (guint i = 0; i < indent; i++)
            g_string_append_c (out, ' ');
          w = end == p ? 0 : w - w_at_brk;
          line = end;
          while (*line == ' ')
            {
              line++;
              w = w > 0 ? w - 1 : 0;
            }
          brk = NULL;
        }
      w += cw;
      prev = c;
    }
  g_string_append (out, line);
  g_string_append_c (out, '\n');
}

/* ---------------------------------------------------------------------- */

static gboolean
cmd_list (gpointer ctx, int argc, char **argv, GError **error)
{
  g_autoptr(JcChecklistRegistry) registry = NULL;
  g_autoptr(GPtrArray) lists = NULL;

  if (!jc_cli_parse_options (&argc, &argv, NULL, _("List the known checklists"), NULL, error) ||
      !jc_cli_expect_args (argc, 1, "checklist list", error))
    return FALSE;
  if ((registry = jc_checklist_registry_new_bundled (error)) == NULL)
    return FALSE;
  lists = jc_checklist_registry_list (registry);
  g_print ("%-26s %5s  %-18s %s\n", _("LIST"), _("ITEMS"), _("APPLIES TO"), _("TITLE"));
  for (guint i = 0; i < lists->len; i++)
    {
      JcChecklist *cl = lists->pdata[i];
      g_autofree char *applies = applies_to_string (cl);

      g_print ("%-26s %5u  %-18s %s\n", jc_checklist_get_key (cl), jc_checklist_get_n_items (cl),
               applies, jc_checklist_get_title (cl));
    }
  return TRUE;
}

static gboolean
cmd_show (gpointer ctx, int argc, char **argv, GError **error)
{
  g_autoptr(JcChecklistRegistry) registry = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *applies = NULL;
  g_autofree char *header = NULL;
  const char * const *notes;
  JcChecklist *cl;
  guint width = terminal_width ();
  guint code_width = 0;

  if (!jc_cli_parse_options (&argc, &argv, _("ID[@VERSION]"), _("Show a whole checklist"), NULL, error) ||
      !jc_cli_expect_args (argc, 2, "checklist show ID[@VERSION]", error))
    return FALSE;
  if ((registry = jc_checklist_registry_new_bundled (error)) == NULL ||
      (cl = jc_checklist_registry_lookup (registry, argv[1], error)) == NULL)
    return FALSE;

  for (guint i = 0; i < jc_checklist_get_n_items (cl); i++)
    code_width = MAX (code_width, strlen (jc_checklist_get_item (cl, i)->code));

  applies = applies_to_string (cl);
  g_string_append_printf (out, "%s\n", jc_checklist_get_title (cl));
  g_string_append_printf (out, _("%s · %u items · applies to: %s\n"),
                          jc_checklist_get_key (cl), jc_checklist_get_n_items (cl), applies);
  header = g_strdup_printf ("%s ", _("Source:"));
  append_wrapped (out, header, (guint) g_utf8_strlen (header, -1), jc_checklist_get_source (cl), width);

  for (guint s = 0; s < jc_checklist_get_n_sections (cl); s++)
    {
      const JcChecklistSection *section = jc_checklist_get_section (cl, s);

      g_string_append_printf (out, "\n%s  %s\n", section->code, section->category);
      for (guint g = 0; g < section->n_groups; g++)
        {
          const JcChecklistGroup *group = &section->groups[g];
          gboolean titled = group->behaviour[0] != '\0';
          guint indent = titled ? 4 : 2;

          if (titled)
            append_wrapped (out, "  ", 2, group->behaviour, width);
          for (guint i = 0; i < group->n_items; i++)
            {
              const JcChecklistItem *item = &group->items[i];
              g_autofree char *lead = g_strdup_printf ("%*s%-*s  ", indent, "", (int) code_width, item->code);

              append_wrapped (out, lead, indent + code_width + 2, item->text, width);
              if (item->note[0] != '\0')
                {
                  g_autofree char *note_lead = g_strdup_printf ("%*s%s ", indent + (int) code_width + 2, "", _("Note:"));

                  append_wrapped (out, note_lead, (guint) g_utf8_strlen (note_lead, -1), item->note, width);
                }
            }
        }
    }

  notes = jc_checklist_get_source_notes (cl);
  if (notes[0] != NULL)
    {
      g_string_append_printf (out, "\n%s\n", _("Editorial notes (changes from the source):"));
      for (guint i = 0; notes[i] != NULL; i++)
        append_wrapped (out, "- ", 2, notes[i], width);
    }
  g_print ("%s", out->str);
  return TRUE;
}

static gboolean
cmd_validate (gpointer ctx, int argc, char **argv, GError **error)
{
  g_autofree char *hq_key_hex = NULL;
  g_autoptr(JcChecklist) cl = NULL;
  guint8 hq_key[crypto_sign_PUBLICKEYBYTES];
  GOptionEntry entries[] = {
    { "hq-key", 0, 0, G_OPTION_ARG_STRING, &hq_key_hex,
      N_("Also require FILE.sig, an Ed25519 signature by this HQ public key (64 hex digits)"), N_("HEX") },
    { NULL }
  };

  if (!jc_cli_parse_options (&argc, &argv, _("FILE"), _("Check a checklist file"), entries, error) ||
      !jc_cli_expect_args (argc, 2, "checklist validate FILE [--hq-key HEX]", error))
    return FALSE;

  if (hq_key_hex != NULL)
    {
      size_t len = 0;
      const char *end = NULL;

      if (strlen (hq_key_hex) != 2 * sizeof hq_key ||
          sodium_hex2bin (hq_key, sizeof hq_key, hq_key_hex, strlen (hq_key_hex), NULL, &len, &end) != 0 ||
          len != sizeof hq_key || *end != '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--hq-key must be an Ed25519 public key as 64 hex digits"));
          return FALSE;
        }
      cl = jc_checklist_load_signed_file (argv[1], hq_key, error);
    }
  else
    cl = jc_checklist_load_file (argv[1], error);
  if (cl == NULL)
    return FALSE;

  g_print (_("%s: valid: %s, %u sections, %u groups, %u items, SHA-256 %s, %s\n"),
           argv[1], jc_checklist_get_key (cl), jc_checklist_get_n_sections (cl), count_groups (cl),
           jc_checklist_get_n_items (cl), jc_checklist_get_sha256 (cl),
           hq_key_hex != NULL ? _("signature verified") : _("signature not checked"));
  return TRUE;
}

gboolean
jc_cli_cmd_checklist (JcCli *cli, int argc, char **argv, GError **error)
{
  static const JcCommand verbs[] = {
    { "list", N_("List the known checklists"), cmd_list },
    { "show", N_("Show a whole checklist: show ID[@VERSION]"), cmd_show },
    { "validate", N_("Check a checklist file: validate FILE [--hq-key HEX]"), cmd_validate },
    { NULL, NULL, NULL },
  };

  return jc_command_dispatch_verb (verbs, cli, argc, argv, error);
}

/* jc-item-object.c — one checklist item and its result, as a list model item
 *
 * The rows of the checklist bind to these properties, so an edit updates
 * one object and one row redraws: nothing else is rebuilt.
 */
#define G_LOG_DOMAIN "jiancha-item"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-item-object.h"

struct _JcItemObject
{
  GObject       parent_instance;

  JcItemResult *result;
  char         *header;
};

G_DEFINE_FINAL_TYPE (JcItemObject, jc_item_object, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CODE,
  PROP_TEXT,
  PROP_HEADER,
  PROP_HAS_HEADER,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_STATUS_ICON,
  PROP_STATUS_CLASSES,
  PROP_SUMMARY,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

char *
jc_format_yuan_display (guint64 fen)
{
  g_autofree char *plain = jc_amount_format_yuan (fen);
  const char *dot = strchr (plain, '.');
  gsize int_len = dot != NULL ? (gsize) (dot - plain) : strlen (plain);
  GString *out = g_string_new ("¥");

  for (gsize i = 0; i < int_len; i++)
    {
      if (i > 0 && (int_len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, plain[i]);
    }
  if (dot != NULL)
    g_string_append (out, dot);
  return g_string_free (out, FALSE);
}

char *
jc_format_progress (const JcInspection *in)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%u/%u", in->n_checked, in->n_items);
  if (in->n_violations > 0 || in->amount_fen > 0)
    {
      g_autofree char *yuan = jc_format_yuan_display (in->amount_fen);

      g_string_append (s, " · ");
      g_string_append_printf (s, ngettext ("%u violation", "%u violations", in->n_violations), in->n_violations);
      g_string_append_printf (s, " · %s", yuan);
    }
  return g_string_free (s, FALSE);
}

static const char *
status_icon (JcItemStatus status)
{
  switch (status)
    {
    case JC_ITEM_STATUS_COMPLIANT:
      return "emblem-ok-symbolic";
    case JC_ITEM_STATUS_VIOLATION:
      return "dialog-warning-symbolic";
    case JC_ITEM_STATUS_NA:
      return "action-unavailable-symbolic";
    case JC_ITEM_STATUS_UNCHECKED:
    default:
      return "radio-symbolic";
    }
}

char *
jc_item_object_dup_summary (JcItemObject *self)
{
  const JcItemResult *r = self->result;
  GString *s = g_string_new (jc_item_status_get_label (r->status));
  guint n_evidence = r->evidence != NULL ? g_strv_length (r->evidence) : 0;

  if (r->has_amount)
    {
      g_autofree char *yuan = jc_format_yuan_display (r->amount_fen);
      g_string_append_printf (s, " · %s", yuan);
    }
  if (r->cases >= 0)
    {
      g_string_append (s, " · ");
      g_string_append_printf (s, ngettext ("%u case sampled", "%u cases sampled", (gulong) r->cases),
                              (guint) r->cases);
    }
  if (n_evidence > 0)
    {
      g_string_append (s, " · ");
      g_string_append_printf (s, ngettext ("%u file", "%u files", n_evidence), n_evidence);
    }
  if (r->note != NULL && *r->note != '\0')
    {
      g_autofree char *line = g_strdup (r->note);

      g_strdelimit (line, "\n", ' ');
      g_string_append_printf (s, " · %s", line);
    }
  return g_string_free (s, FALSE);
}

static void
jc_item_object_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  JcItemObject *self = JC_ITEM_OBJECT (object);
  const JcItemResult *r = self->result;

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, r->item->code);
      break;
    case PROP_TEXT:
      g_value_set_string (value, r->item->text);
      break;
    case PROP_HEADER:
      g_value_set_string (value, self->header);
      break;
    case PROP_HAS_HEADER:
      g_value_set_boolean (value, self->header != NULL);
      break;
    case PROP_STATUS:
      g_value_set_int (value, r->status);
      break;
    case PROP_STATUS_LABEL:
      g_value_set_string (value, jc_item_status_get_label (r->status));
      break;
    case PROP_STATUS_ICON:
      g_value_set_string (value, status_icon (r->status));
      break;
    case PROP_STATUS_CLASSES:
      {
        /* For the row's status icon: coloured by status. */
        const char *classes[] = { "status-icon", jc_item_status_to_string (r->status), NULL };

        g_value_set_boxed (value, classes);
      }
      break;
    case PROP_SUMMARY:
      g_value_take_string (value, jc_item_object_dup_summary (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jc_item_object_finalize (GObject *object)
{
  JcItemObject *self = JC_ITEM_OBJECT (object);

  g_clear_pointer (&self->result, jc_item_result_free);
  g_clear_pointer (&self->header, g_free);
  G_OBJECT_CLASS (jc_item_object_parent_class)->finalize (object);
}

static void
jc_item_object_class_init (JcItemObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = jc_item_object_get_property;
  object_class->finalize = jc_item_object_finalize;

  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, flags);
  properties[PROP_HEADER] = g_param_spec_string ("header", NULL, NULL, NULL, flags);
  properties[PROP_HAS_HEADER] = g_param_spec_boolean ("has-header", NULL, NULL, FALSE, flags);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, JC_ITEM_STATUS_NA, 0, flags);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, NULL, flags);
  properties[PROP_STATUS_ICON] = g_param_spec_string ("status-icon", NULL, NULL, NULL, flags);
  properties[PROP_STATUS_CLASSES] = g_param_spec_boxed ("status-classes", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jc_item_object_init (JcItemObject *self)
{
}

JcItemObject *
jc_item_object_new (JcItemResult *result, const char *header)
{
  JcItemObject *self = g_object_new (JC_TYPE_ITEM_OBJECT, NULL);

  self->result = result;
  self->header = g_strdup (header);
  return self;
}

const JcItemResult *
jc_item_object_get_result (JcItemObject *self)
{
  g_return_val_if_fail (JC_IS_ITEM_OBJECT (self), NULL);

  return self->result;
}

const char *
jc_item_object_get_code (JcItemObject *self)
{
  g_return_val_if_fail (JC_IS_ITEM_OBJECT (self), NULL);

  return self->result->item->code;
}

void
jc_item_object_apply (JcItemObject *self, const JcItemUpdate *update)
{
  JcItemResult *r;

  g_return_if_fail (JC_IS_ITEM_OBJECT (self));

  r = self->result;
  if (update->set_status && r->status != update->status)
    {
      r->status = update->status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LABEL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_ICON]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_CLASSES]);
    }
  if (update->set_note)
    {
      g_free (r->note);
      r->note = g_strdup (update->note);
    }
  if (update->set_amount)
    {
      r->has_amount = !update->clear_amount;
      r->amount_fen = update->clear_amount ? 0 : update->amount_fen;
    }
  if (update->set_cases)
    r->cases = update->cases;
  r->updated_at = g_get_real_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

void
jc_item_object_add_evidence (JcItemObject *self, const char *sha256_hex)
{
  GStrvBuilder *b;

  g_return_if_fail (JC_IS_ITEM_OBJECT (self));

  if (self->result->evidence != NULL && g_strv_contains ((const char * const *) self->result->evidence, sha256_hex))
    return;
  b = g_strv_builder_new ();
  if (self->result->evidence != NULL)
    g_strv_builder_addv (b, (const char **) self->result->evidence);
  g_strv_builder_add (b, sha256_hex);
  g_strfreev (self->result->evidence);
  self->result->evidence = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

void
jc_item_object_remove_evidence (JcItemObject *self, const char *sha256_hex)
{
  GStrvBuilder *b;

  g_return_if_fail (JC_IS_ITEM_OBJECT (self));

  if (self->result->evidence == NULL || !g_strv_contains ((const char * const *) self->result->evidence, sha256_hex))
    return;
  b = g_strv_builder_new ();
  for (guint i = 0; self->result->evidence[i] != NULL; i++)
    if (!g_str_equal (self->result->evidence[i], sha256_hex))
      g_strv_builder_add (b, self->result->evidence[i]);
  g_strfreev (self->result->evidence);
  self->result->evidence = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

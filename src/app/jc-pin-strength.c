/* jc-pin-strength.c — live feedback on a new PIN typed twice
 *
 * The rules are the core's (jc_pin_strength), so the app never accepts a
 * PIN that jc_vault_create() would refuse, and says why in the same words.
 */
#define G_LOG_DOMAIN "jiancha-pin-strength"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-core.h"
#include "jc-pin-strength.h"

struct _JcPinStrength
{
  GtkWidget    parent_instance;

  GtkLevelBar *level;
  GtkLabel    *reason_label;
  GtkLabel    *mismatch_label;
};

/* jc_pin_strength is taken by the core's function, hence the _widget_. */
G_DEFINE_FINAL_TYPE (JcPinStrength, jc_pin_strength_widget, GTK_TYPE_WIDGET)

gboolean
jc_pin_strength_widget_update (JcPinStrength *self, const char *pin, const char *again)
{
  const char *reason = NULL;
  int strength;
  gboolean differ, typing;

  g_return_val_if_fail (JC_IS_PIN_STRENGTH (self), FALSE);

  pin = pin != NULL ? pin : "";
  again = again != NULL ? again : "";
  strength = jc_pin_strength (pin, &reason);

  gtk_level_bar_set_value (self->level, *pin != '\0' ? strength : 0);
  gtk_label_set_label (self->reason_label, reason);
  gtk_widget_remove_css_class (GTK_WIDGET (self->reason_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->reason_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->reason_label), "dim-label");
  if (*pin == '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "dim-label");
  else if (strength == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "error");
  else if (strength == 1)
    gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "warning");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "dim-label");

  /* No complaint while the second PIN is still being typed correctly. */
  differ = strcmp (pin, again) != 0;
  typing = strlen (again) < strlen (pin) && g_str_has_prefix (pin, again);
  gtk_widget_set_visible (GTK_WIDGET (self->mismatch_label), *again != '\0' && differ && !typing);

  return strength > 0 && !differ;
}

static void
jc_pin_strength_widget_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), JC_TYPE_PIN_STRENGTH);
  G_OBJECT_CLASS (jc_pin_strength_widget_parent_class)->dispose (object);
}

static void
jc_pin_strength_widget_class_init (JcPinStrengthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jc_pin_strength_widget_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiancha/Jiancha/ui/jc-pin-strength.ui");
  gtk_widget_class_bind_template_child (widget_class, JcPinStrength, level);
  gtk_widget_class_bind_template_child (widget_class, JcPinStrength, reason_label);
  gtk_widget_class_bind_template_child (widget_class, JcPinStrength, mismatch_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pinstrength");
}

static void
jc_pin_strength_widget_init (JcPinStrength *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 6);
  jc_pin_strength_widget_update (self, "", "");
}

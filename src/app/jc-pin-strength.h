/* jc-pin-strength.h — live feedback on a new PIN typed twice */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JC_TYPE_PIN_STRENGTH (jc_pin_strength_widget_get_type ())
G_DECLARE_FINAL_TYPE (JcPinStrength, jc_pin_strength_widget, JC, PIN_STRENGTH, GtkWidget)

/* Shows how strong @pin is and whether @again matches it; TRUE when the
 * pair is acceptable as a new PIN. */
gboolean jc_pin_strength_widget_update (JcPinStrength *self,
                                        const char    *pin,
                                        const char    *again);

G_END_DECLS

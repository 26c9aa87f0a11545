/* jc-finding-view.h — seal a finding, have it confirmed on this device, show its QR */
#pragma once

#include <adwaita.h>

#include "jc-core.h"
#include "jc-qr-view.h"
#include "jc-signature-pad.h"

G_BEGIN_DECLS

#define JC_TYPE_FINDING_VIEW (jc_finding_view_get_type ())
G_DECLARE_FINAL_TYPE (JcFindingView, jc_finding_view, JC, FINDING_VIEW, AdwBin)

/* How many violations of the inspection are in no (current) finding yet. */
gboolean    jc_finding_view_count_open     (JcVault       *vault,
                                            const char    *inspection_id,
                                            guint         *out_count,
                                            GError       **error);
/* The "seal" page: every open violation, checked; FALSE when there is none. */
gboolean    jc_finding_view_start_seal     (JcFindingView *self,
                                            JcVault       *vault,
                                            const char    *inspection_id,
                                            GError       **error);
/* The confirmation page when the finding has no answer yet, else its QR. */
gboolean    jc_finding_view_show_finding   (JcFindingView *self,
                                            JcVault       *vault,
                                            const char    *finding_id,
                                            GError       **error);
/* The QR page, whatever the finding's state. */
gboolean    jc_finding_view_show_qr        (JcFindingView *self,
                                            JcVault       *vault,
                                            const char    *finding_id,
                                            GError       **error);
const char *jc_finding_view_get_finding_id (JcFindingView *self);
/* "seal", "confirm" or "qr". */
const char *jc_finding_view_get_shown      (JcFindingView *self);
/* The JC1 text the QR page draws; NULL elsewhere. */
const char *jc_finding_view_get_qr_text    (JcFindingView *self);
/* The QR page's code and its "Save QR Image…". */
JcQrView   *jc_finding_view_get_qr_view    (JcFindingView *self);

G_END_DECLS

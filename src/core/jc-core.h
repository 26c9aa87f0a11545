/* jc-core.h — the one header programs and tests include for libjiancha-core.
 *
 * The core knows nothing of GTK: the app, the CLI, the HQ server and the
 * tests all link it, so every rule of the product lives here exactly once.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

#include "jc-ack.h"
#include "jc-amount.h"
#include "jc-assignments.h"
#include "jc-base45.h"
#include "jc-blobstore.h"
#include "jc-checklist.h"
#include "jc-checklist-registry.h"
#include "jc-command.h"
#include "jc-db.h"
#include "jc-device.h"
#include "jc-event.h"
#include "jc-eventlog.h"
#include "jc-finding.h"
#include "jc-inspection.h"
#include "jc-jc1.h"
#include "jc-json.h"
#include "jc-keyfile.h"
#include "jc-qr.h"
#include "jc-secret.h"
#include "jc-sha256.h"
#include "jc-sheet.h"
#include "jc-strokes.h"
#include "jc-vault.h"
#include "jc-version.h"
#include "jc-vfs.h"

G_BEGIN_DECLS

#define JC_CORE_ERROR (jc_core_error_quark ())

typedef enum {
  JC_CORE_ERROR_CRYPTO_INIT,
} JcCoreError;

GQuark   jc_core_error_quark (void);
gboolean jc_core_init        (GError **error);
void     jc_core_init_i18n   (void);
guint    jc_core_get_n_cores (void);

G_END_DECLS

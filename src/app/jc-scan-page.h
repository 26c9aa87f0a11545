/* jc-scan-page.h — the place 扫描核验: verify any JC1-family code from an
 * image; answer a finding as the institution; record an acknowledgment */
#pragma once

#include <adwaita.h>

#include "jc-core.h"
#include "jc-qr-view.h"

G_BEGIN_DECLS

#define JC_TYPE_SCAN_PAGE (jc_scan_page_get_type ())
G_DECLARE_FINAL_TYPE (JcScanPage, jc_scan_page, JC, SCAN_PAGE, AdwBin)

/* The page follows the vault: what was scanned goes when it locks. */
void        jc_scan_page_set_vault   (JcScanPage *self,
                                      JcVault    *vault);
/* What "Open QR Image…" does once a file is chosen: reads the image (PNG,
 * JPEG, … a photo or a screenshot) off the main thread, finds the code
 * with zbar and verifies it. */
void        jc_scan_page_open_file   (JcScanPage *self,
                                      GFile      *file);
/* "empty", "scanning", "valid" or "invalid". */
const char *jc_scan_page_get_state   (JcScanPage *self);
/* The verdict and the code in words, or the reason it is not valid. */
const char *jc_scan_page_get_result  (JcScanPage *self);

G_END_DECLS

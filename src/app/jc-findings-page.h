/* jc-findings-page.h — the place Findings: every finding, one's QR */
#pragma once

#include <adwaita.h>

#include "jc-core.h"
#include "jc-finding-view.h"

G_BEGIN_DECLS

#define JC_TYPE_FINDINGS_PAGE (jc_findings_page_get_type ())
G_DECLARE_FINAL_TYPE (JcFindingsPage, jc_findings_page, JC, FINDINGS_PAGE, AdwBin)

/* The page follows the vault: filled when it unlocks, emptied when it locks. */
void           jc_findings_page_set_vault       (JcFindingsPage *self,
                                                 JcVault        *vault);
/* Reads every inspection's findings again (also done each time it is shown). */
void           jc_findings_page_reload          (JcFindingsPage *self);
/* Shows the QR page of @finding_id; FALSE when it cannot be read. */
gboolean       jc_findings_page_open_finding    (JcFindingsPage *self,
                                                 const char     *finding_id);
JcFindingView *jc_findings_page_get_view        (JcFindingsPage *self);
/* FALSE while a finding is open: it shows its own Back. */
gboolean       jc_findings_page_get_at_top      (JcFindingsPage *self);
/* "empty", "list" or "finding". */
const char    *jc_findings_page_get_shown       (JcFindingsPage *self);

G_END_DECLS

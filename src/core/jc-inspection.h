/* jc-inspection.h — an on-site inspection and its item results
 *
 * Everything is an event of the vault ("inspection.create",
 * "inspection.item.set", "inspection.item.evidence",
 * "inspection.item.evidence.unlink"); the tables
 * inspections, item_results and item_evidence are projections of them.
 * The latest item.set of an item wins (on one device by seq, across
 * devices by wall time); every earlier one stays in the log.
 */
#pragma once

#include <glib.h>

#include "jc-checklist.h"
#include "jc-checklist-registry.h"
#include "jc-eventlog.h"
#include "jc-vault.h"

G_BEGIN_DECLS

#define JC_INSPECTION_ERROR (jc_inspection_error_quark ())

typedef enum {
  JC_INSPECTION_ERROR_INVALID,    /* a bad field: code, name, level, date, form, status */
  JC_INSPECTION_ERROR_CHECKLIST,  /* no such checklist, or not for this institution type */
  JC_INSPECTION_ERROR_NOT_FOUND,  /* no such inspection, item or evidence */
  JC_INSPECTION_ERROR_DATABASE,
} JcInspectionError;

/* Inspection ids: 16 random bytes, as in JC1 claim 3. */
#define JC_INSPECTION_ID_SIZE 16
#define JC_INSTITUTION_CODE_MAX 32

/* Stable ASCII ids in events: "daily", "special", "cross", "flight", "self". */
typedef enum {
  JC_INSPECTION_FORM_DAILY,    /* 日常检查 */
  JC_INSPECTION_FORM_SPECIAL,  /* 专项检查 */
  JC_INSPECTION_FORM_CROSS,    /* 交叉检查 */
  JC_INSPECTION_FORM_FLIGHT,   /* 飞行检查 */
  JC_INSPECTION_FORM_SELF,     /* 自查自纠 */
} JcInspectionForm;

/* "unchecked", "compliant", "violation", "na". */
typedef enum {
  JC_ITEM_STATUS_UNCHECKED,
  JC_ITEM_STATUS_COMPLIANT,
  JC_ITEM_STATUS_VIOLATION,
  JC_ITEM_STATUS_NA,
} JcItemStatus;

#define JC_ITEM_STATUS_MASK(status) (1u << (status))

/* What jc_inspection_create() is given. */
typedef struct {
  const char         *institution_code;  /* ASCII letters, digits, '-'; 1–32 */
  const char         *institution_name;
  JcInstitutionKind   institution_type;
  guint               level;             /* hospitals: 1, 2, 3 or 0 (unknown); others 0 */
  JcInspectionForm    form;
  const char * const *team;              /* NULL-terminated, may be NULL */
  const char         *date;              /* "YYYY-MM-DD"; NULL: today */
  const char         *checklist;         /* "id" or "id@version"; NULL: the default for the type */
} JcInspectionSpec;

typedef struct {
  char              *id;                 /* 32 hex digits */
  char              *institution_code;
  char              *institution_name;
  JcInstitutionKind  institution_type;
  guint              level;
  JcInspectionForm   form;
  GStrv              team;
  char              *date;
  char              *checklist;          /* "id@version" */
  gint64             created_at;         /* µs since the epoch */
  /* progress, over the items of the checklist */
  guint              n_items;
  guint              n_checked;          /* any status but unchecked */
  guint              n_violations;
  guint64            amount_fen;         /* sum over the violations */
} JcInspection;

typedef struct {
  const JcChecklistItem *item;           /* borrowed from the checklist */
  JcItemStatus           status;
  char                  *note;
  gboolean               has_amount;
  guint64                amount_fen;
  gint64                 cases;          /* -1: not recorded */
  GStrv                  evidence;       /* SHA-256 hex, in the order linked */
  gint64                 updated_at;     /* µs; 0 when never set */
} JcItemResult;

/* An item.set: fields not marked set keep their current value. */
typedef struct {
  gboolean     set_status;
  JcItemStatus status;
  gboolean     set_note;
  const char  *note;
  gboolean     set_amount;
  gboolean     clear_amount;             /* with set_amount: no amount */
  guint64      amount_fen;
  gboolean     set_cases;
  gint64       cases;                    /* -1 clears */
} JcItemUpdate;

GQuark            jc_inspection_error_quark (void);

/* Called when a vault opens: the projections of the inspection events. */
gboolean          jc_inspection_register_projections (JcEventlog *log,
                                                      GError    **error);

const char       *jc_inspection_form_to_string   (JcInspectionForm  form);
gboolean          jc_inspection_form_from_string (const char       *name,
                                                  JcInspectionForm *out_form);
/* 日常检查… through gettext. */
const char       *jc_inspection_form_get_label   (JcInspectionForm  form);
const char       *jc_item_status_to_string       (JcItemStatus      status);
gboolean          jc_item_status_from_string     (const char       *name,
                                                  JcItemStatus     *out_status);
const char       *jc_item_status_get_label       (JcItemStatus      status);
const char       *jc_institution_kind_get_label  (JcInstitutionKind kind);
/* The list an institution type is inspected with when none is named. */
const char       *jc_inspection_default_checklist (JcInstitutionKind kind,
                                                   JcInspectionForm  form);
gboolean          jc_institution_code_is_valid   (const char       *code);

/* The built-in lists, loaded once per process. */
JcChecklistRegistry *jc_inspection_get_default_registry (GError **error);

/* Returns the new inspection's id. @registry NULL: the built-in lists. */
char             *jc_inspection_create           (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  const JcInspectionSpec *spec,
                                                  GError                **error);
JcInspection     *jc_inspection_get              (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  const char             *id,
                                                  GError                **error);
/* Every inspection, newest first, with its progress. */
GPtrArray        *jc_inspection_list             (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  GError                **error);
void              jc_inspection_free             (JcInspection           *inspection);
/* The inspection's list, exactly the version it started with (borrowed). */
JcChecklist      *jc_inspection_get_checklist    (JcInspection           *inspection,
                                                  JcChecklistRegistry    *registry,
                                                  GError                **error);

/* Item results in checklist order. @query (NULL or "": all) matches the
 * code, the text, the behaviour and the note, case-insensitively;
 * @status_mask (0: all) is JC_ITEM_STATUS_MASK()s or'ed. */
GPtrArray        *jc_inspection_get_results      (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  const char             *id,
                                                  const char             *query,
                                                  guint                   status_mask,
                                                  GError                **error);
void              jc_item_result_free            (JcItemResult           *result);

gboolean          jc_inspection_set_item         (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  const char             *id,
                                                  const char             *code,
                                                  const JcItemUpdate     *update,
                                                  GError                **error);
/* Links a piece of the vault's evidence (jc_vault_add_evidence()) to an item. */
gboolean          jc_inspection_link_evidence    (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  const char             *id,
                                                  const char             *code,
                                                  const char             *sha256_hex,
                                                  GError                **error);
/* Takes a piece of evidence off an item with an event of its own; the
 * evidence stays in the vault and the log keeps both events. */
gboolean          jc_inspection_unlink_evidence  (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  const char             *id,
                                                  const char             *code,
                                                  const char             *sha256_hex,
                                                  GError                **error);
/* The first unchecked item after @after_code (NULL: from the start),
 * wrapping around; NULL without an error when every item is checked. */
char             *jc_inspection_next_unchecked   (JcVault                *vault,
                                                  JcChecklistRegistry    *registry,
                                                  const char             *id,
                                                  const char             *after_code,
                                                  GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcInspection, jc_inspection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcItemResult, jc_item_result_free)

G_END_DECLS

/* jc-checklist.h — an official inspection checklist, loaded and validated
 *
 * A checklist is data (the JSON files in checklists/, see DESIGN.md "Checklists"):
 * sections (分类) → groups (违规行为) → items (具体内容), each item with a
 * short stable code such as "h21.1.3" that travels in every JC1 QR code.
 * A JcChecklist is immutable and reference counted: once loaded, an
 * inspection can hold on to the exact version it started with.
 *
 * Loading never half-loads: it returns a complete, validated checklist or
 * NULL and an error whose message reads "FILE:LINE:COLUMN: FIELD: what".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_CHECKLIST_ERROR (jc_checklist_error_quark ())

typedef enum {
  JC_CHECKLIST_ERROR_IO,         /* the file could not be read */
  JC_CHECKLIST_ERROR_TOO_LARGE,  /* over JC_CHECKLIST_MAX_SIZE: refused unread */
  JC_CHECKLIST_ERROR_SYNTAX,     /* not strict JSON */
  JC_CHECKLIST_ERROR_SCHEMA,     /* JSON, but not a valid checklist */
  JC_CHECKLIST_ERROR_SIGNATURE,  /* an external list unsigned or badly signed */
  JC_CHECKLIST_ERROR_NOT_FOUND,  /* no such list in a registry */
  JC_CHECKLIST_ERROR_CONFLICT,   /* same id@version, different content */
} JcChecklistError;

/* Real lists are tens of KiB; anything this big is refused before parsing. */
#define JC_CHECKLIST_MAX_SIZE (2 * 1024 * 1024)

/* Institution types a list applies to ("applies_to"). */
typedef enum {
  JC_INSTITUTION_HOSPITAL       = 1 << 0,  /* "hospital" */
  JC_INSTITUTION_PHARMACY       = 1 << 1,  /* "pharmacy" */
  JC_INSTITUTION_AGENCY         = 1 << 2,  /* "agency": 医保经办机构 */
  JC_INSTITUTION_ADMINISTRATION = 1 << 3,  /* "administration": 医保行政部门 */
} JcInstitutionKind;

/* What an inspector can record for an item ("record"). */
typedef enum {
  JC_RECORD_STATUS   = 1 << 0,  /* compliant / violation / not applicable / not checked */
  JC_RECORD_NOTE     = 1 << 1,
  JC_RECORD_AMOUNT   = 1 << 2,  /* amount involved */
  JC_RECORD_CASES    = 1 << 3,  /* number of cases / records sampled */
  JC_RECORD_EVIDENCE = 1 << 4,
} JcChecklistRecord;

typedef struct _JcChecklist        JcChecklist;
typedef struct _JcChecklistSection JcChecklistSection;
typedef struct _JcChecklistGroup   JcChecklistGroup;
typedef struct _JcChecklistItem    JcChecklistItem;

/* All read-only, owned by the JcChecklist, valid as long as it is. */
struct _JcChecklistItem {
  const char              *code;     /* "h21.2.3.8" */
  guint                    number;   /* the source's own number */
  const char              *text;     /* 具体内容, word for word */
  const char              *note;     /* 备注, "" if none */
  JcChecklistRecord        record;
  guint                    index;    /* position in jc_checklist_get_item() order */
  const JcChecklistGroup  *group;
};

struct _JcChecklistGroup {
  guint                      number;     /* 1-based position in its section */
  const char                *behaviour;  /* 违规行为, "" when the table has none */
  const JcChecklistItem     *items;
  guint                      n_items;
  const JcChecklistSection  *section;
};

struct _JcChecklistSection {
  const char             *code;       /* "h21.2" */
  guint                   number;
  const char             *category;   /* 分类: 欺诈骗保问题, 一般违规问题… */
  gboolean                per_group;  /* item numbers restart in each group */
  const JcChecklistGroup *groups;
  guint                   n_groups;
  guint                   n_items;
};

GQuark       jc_checklist_error_quark        (void);

JcChecklist *jc_checklist_load_bytes         (GBytes       *bytes,
                                              const char   *name_for_errors,
                                              GError      **error);
JcChecklist *jc_checklist_load_file          (const char   *path,
                                              GError      **error);

/* HQ-issued lists: @signature is the detached Ed25519 signature over the
 * exact bytes of the file — 64 raw bytes, or 128 hex digits (surrounding
 * whitespace allowed). It is checked with @hq_public_key (32 bytes) before
 * the JSON is even parsed. */
JcChecklist *jc_checklist_load_signed_bytes  (GBytes       *bytes,
                                              GBytes       *signature,
                                              const guint8 *hq_public_key,
                                              const char   *name_for_errors,
                                              GError      **error);
/* Reads PATH and its signature PATH.sig. */
JcChecklist *jc_checklist_load_signed_file   (const char   *path,
                                              const guint8 *hq_public_key,
                                              GError      **error);

JcChecklist *jc_checklist_ref                (JcChecklist  *self);
void         jc_checklist_unref              (JcChecklist  *self);

const char  *jc_checklist_get_id             (JcChecklist  *self);
guint        jc_checklist_get_version        (JcChecklist  *self);
/* "hospital-2021@1": what an inspection and a JC1 code record. */
const char  *jc_checklist_get_key            (JcChecklist  *self);
const char  *jc_checklist_get_title          (JcChecklist  *self);
const char  *jc_checklist_get_source         (JcChecklist  *self);
/* NULL-terminated; every editorial change made to the source text. */
const char * const *jc_checklist_get_source_notes (JcChecklist *self);
const char  *jc_checklist_get_code_prefix    (JcChecklist  *self);
JcInstitutionKind jc_checklist_get_applies_to (JcChecklist *self);
gboolean     jc_checklist_applies_to         (JcChecklist  *self,
                                              JcInstitutionKind kind);
/* Lowercase hex SHA-256 of the bytes the list was loaded from. */
const char  *jc_checklist_get_sha256         (JcChecklist  *self);

guint                     jc_checklist_get_n_sections (JcChecklist *self);
const JcChecklistSection *jc_checklist_get_section    (JcChecklist *self,
                                                       guint        i);
guint                     jc_checklist_get_n_items    (JcChecklist *self);
/* Items in document order, across all sections and groups. */
const JcChecklistItem    *jc_checklist_get_item       (JcChecklist *self,
                                                       guint        i);
const JcChecklistItem    *jc_checklist_lookup         (JcChecklist *self,
                                                       const char  *code);

/* "hospital" ↔ JC_INSTITUTION_HOSPITAL, …; 0 / NULL when unknown. */
JcInstitutionKind jc_institution_kind_from_string (const char        *name);
const char       *jc_institution_kind_to_string   (JcInstitutionKind  kind);
/* "status" ↔ JC_RECORD_STATUS, …; 0 / NULL when unknown. */
JcChecklistRecord jc_checklist_record_from_string (const char        *name);
const char       *jc_checklist_record_to_string   (JcChecklistRecord  record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcChecklist, jc_checklist_unref)

G_END_DECLS

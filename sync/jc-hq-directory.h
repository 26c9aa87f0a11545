/* jc-hq-directory.h — HQ's two lists the plans are drawn from
 *
 * The institution directory (检查对象名录库) and the inspector roster
 * (执法检查人员名录库) of 双随机一公开 (seed 001 §三(一) “建立随机抽查检查对象
 * 名录库和执法检查人员名录库”; seed 004 §(四)2), kept in hq.db and imported
 * from CSV files:
 *
 *   directory: code,name,type,level,county,fund_payment
 *              type hospital|pharmacy|agency; level 1, 2 or 3 for a hospital,
 *              empty otherwise; fund_payment in yuan (last year's fund
 *              payment, exact to the fen)
 *   roster:    name,county,role
 *              role enforcement (执法人员) or expert (专业人员)
 *
 * An import replaces the whole list, in one transaction, and only when
 * every line is valid: a bad line imports nothing.
 */
#pragma once

#include <glib.h>

#include "jc-core.h"
#include "jc-hq-store.h"

G_BEGIN_DECLS

typedef struct {
  char              *code;
  char              *name;
  JcInstitutionKind  type;      /* hospital, pharmacy or agency */
  guint              level;     /* 1–3 for a hospital, 0 otherwise */
  char              *county;
  guint64            fund_fen;  /* last year's fund payment, in fen */
} JcHqInstitution;

typedef enum {
  JC_HQ_INSPECTOR_ENFORCEMENT,     /* 医保行政执法人员 */
  JC_HQ_INSPECTOR_EXPERT,          /* 医疗、医药、财务、数据… 专业人员 */
} JcHqInspectorRole;

typedef struct {
  char            *name;        /* unique in the roster: teams name them */
  char            *county;
  JcHqInspectorRole  role;
} JcHqInspector;

/* "enforcement", "expert". */
const char *jc_hq_inspector_role_to_string (JcHqInspectorRole role);

/* Creates the two tables when missing (for queries that join them). */
gboolean   jc_hq_directory_ensure  (JcHqStore   *store,
                                    GError     **error);

/* Imports @path into @store; *n_imported (may be NULL) gets the count. */
gboolean   jc_hq_directory_import  (JcHqStore   *store,
                                    const char  *path,
                                    guint       *n_imported,
                                    GError     **error);
gboolean   jc_hq_roster_import     (JcHqStore   *store,
                                    const char  *path,
                                    guint       *n_imported,
                                    GError     **error);

/* The lists, JcHqInstitution * by code and JcHqInspector * by name (byte
 * order), and SHA-256 digests of them (hex) that a published plan names so
 * that anyone re-running its draw can check they hold the same lists: in
 * that order, each field of each record followed by a NUL byte, the
 * directory's as code, name, type, level (0 when none), county, fund
 * payment in fen (numbers in decimal), the roster's as name, county, role
 * (enforcement or expert). */
GPtrArray *jc_hq_directory_load    (JcHqStore   *store,
                                    GError     **error);
GPtrArray *jc_hq_roster_load       (JcHqStore   *store,
                                    GError     **error);
char      *jc_hq_directory_digest  (GPtrArray   *institutions);
char      *jc_hq_roster_digest     (GPtrArray   *inspectors);

G_END_DECLS

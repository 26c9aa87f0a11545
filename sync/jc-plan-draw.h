/* jc-plan-draw.h — the random draw of a cross-inspection plan (双随机一公开)
 *
 * “双随机”: the institutions to inspect and the inspectors who inspect them
 * are both drawn at random; “一公开”: the seed is published with the plan, so
 * anyone holding the same directory and roster can re-run the draw and get
 * the same plan. Everything below is the specification of that re-run.
 *
 * The random numbers. The key is the seed as 8 bytes little-endian followed
 * by 24 zero bytes; the nonce is 8 zero bytes; the stream is the keystream of
 * the original ChaCha20 (20 rounds, 64-bit nonce: libsodium's
 * crypto_stream_chacha20) from block 0, read 8 bytes at a time as unsigned
 * little-endian integers x. uniform(n) takes the next x, rejects it while
 * x >= 2^64 − (2^64 mod n), and returns x mod n. pick(k, L) is a partial
 * Fisher–Yates shuffle of the list L (n items): for i = 0 … k−1, swap L[i]
 * with L[i + uniform(n − i)]; L[0 … k−1] are picked.
 *
 * The institutions, county by county (counties in byte order of their UTF-8
 * names), in the strata hospital level 1, 2, 3, pharmacy, agency, each
 * stratum's list in byte order of the codes; k is always rounded up:
 *   hospitals of level 1, 2, 3:  pick(⌈10 %⌉), pick(⌈30 %⌉), pick(⌈50 %⌉)
 *                                (seed 004 §(三)1, 第二次抽查复查: “对一、二、三级
 *                                医药机构的抽查复查率分别达到10%、30%、50%以上”);
 *   agencies:                    all of them (seed 004, the same sentence:
 *                                “对经办机构的抽查复查率达到100%”), no draw;
 *   pharmacies:                  the 30 with the largest fund payment (ties by
 *                                code), no draw (seed 001 §二(一) “以各区县上一年度
 *                                基金支付排名前30位的定点医疗机构为重点”, per
 *                                county; seed 004 the same for 定点医药机构), then
 *                                pick(⌈10 %⌉ − 30) of the others when 10 % is
 *                                more than 30 (seed 001 and 004 “抽查比例不低于10%”).
 *
 * The teams, assignment by assignment, assignments ordered by county then
 * code (byte order): seat by seat, the candidates are the inspectors of
 * another county than the institution's (交叉检查: seed 003 §(十三), “交叉互
 * 检”), not yet on this team, under --max-load assignments when one is
 * set, and for the first two seats law-enforcement staff (执法人员) only:
 * 《医疗保障基金使用监督管理条例》(the regulation seed 001 §一 enforces) art.
 * 27 has an inspection made by no fewer than 2 law-enforcement officers;
 * seats after the second may be any role (seed 003 §(十三)2: teams of 执法
 * 人员 and 熟悉医保、医疗、医药、财务、数据信息 professionals). Of the candidates
 * those with the fewest assignments so far, in byte order of their names,
 * are L, and the seat goes to L[uniform(|L|)], which spreads the work evenly.
 */
#pragma once

#include <glib.h>

#include "jc-hq-directory.h"

G_BEGIN_DECLS

#define JC_PLAN_DRAW_ERROR (jc_plan_draw_error_quark ())

typedef enum {
  JC_PLAN_DRAW_ERROR_INVALID,  /* a team size under 2, an empty directory */
  JC_PLAN_DRAW_ERROR_STAFF,    /* the roster cannot staff the plan */
} JcPlanDrawError;

/* Why an institution is in the plan. */
typedef enum {
  JC_PLAN_REASON_RATE,   /* drawn at its stratum's rate */
  JC_PLAN_REASON_TOP,    /* among its county's top 30 pharmacies by fund payment */
  JC_PLAN_REASON_ALL,    /* agencies: every one */
} JcPlanReason;

#define JC_PLAN_MIN_TEAM 2
#define JC_PLAN_TOP_PHARMACIES 30

typedef struct {
  guint8  key[32];
  guint64 block;
  guint8  stream[64];
  guint   used;
} JcPlanRng;

typedef struct {
  const JcHqInstitution *institution;  /* borrowed from the directory */
  JcPlanReason         reason;
  GPtrArray           *team;         /* const JcHqInspector *, borrowed */
} JcPlanAssignment;

typedef struct {
  const char        *county;         /* borrowed */
  JcInstitutionKind  type;
  guint              level;          /* hospitals only */
  guint              total;          /* in the directory */
  guint              drawn;          /* in the plan */
} JcPlanCount;

typedef struct {
  guint64    seed;
  guint      team_size;
  guint      max_load;     /* 0: none */
  GPtrArray *assignments;  /* JcPlanAssignment *, by county then code */
  GArray    *counts;       /* JcPlanCount, by county then stratum */
} JcPlanDraw;

GQuark      jc_plan_draw_error_quark (void);

void        jc_plan_rng_init         (JcPlanRng  *rng,
                                      guint64     seed);
guint64     jc_plan_rng_next         (JcPlanRng  *rng);
guint64     jc_plan_rng_uniform      (JcPlanRng  *rng,
                                      guint64     n);

/* Draws from @institutions (JcHqInstitution *) and @inspectors (JcHqInspector
 * *), which must outlive the result. */
JcPlanDraw *jc_plan_draw             (GPtrArray  *institutions,
                                      GPtrArray  *inspectors,
                                      guint64     seed,
                                      guint       team_size,
                                      guint       max_load,
                                      GError    **error);
void        jc_plan_draw_free        (JcPlanDraw *draw);

const char *jc_plan_reason_to_string (JcPlanReason reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcPlanDraw, jc_plan_draw_free)

G_END_DECLS

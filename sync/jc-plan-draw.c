/* jc-plan-draw.c — the random draw of a cross-inspection plan (双随机一公开)
 *
 * The specification is in jc-plan-draw.h: keep the two in step, since a
 * published plan is re-run from it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "jc-plan-draw.h"

G_DEFINE_QUARK (jc-plan-draw-error-quark, jc_plan_draw_error)

/* Percent of each hospital level drawn (seed 004 §(三)1), and of pharmacies
 * at least (seeds 001 §二(一) and 004 §(三)1: “抽查比例不低于10%”). */
static const guint hospital_rate[3] = { 10, 30, 50 };
#define PHARMACY_RATE 10

enum { STRATUM_PHARMACY = 3, STRATUM_AGENCY = 4, N_STRATA = 5 };

static const char * const reason_names[] = { "rate", "top30", "all" };

const char *
jc_plan_reason_to_string (JcPlanReason reason)
{
  return reason_names[reason];
}

void
jc_plan_rng_init (JcPlanRng *rng, guint64 seed)
{
  memset (rng, 0, sizeof *rng);
  for (guint i = 0; i < 8; i++)
    rng->key[i] = (guint8) (seed >> (8 * i));
  rng->used = sizeof rng->stream;
}

guint64
jc_plan_rng_next (JcPlanRng *rng)
{
  static const guint8 nonce[crypto_stream_chacha20_NONCEBYTES] = { 0 };
  static const guint8 zeros[64] = { 0 };
  guint64 x = 0;

  if (rng->used == sizeof rng->stream)
    {
      crypto_stream_chacha20_xor_ic (rng->stream, zeros, sizeof zeros, nonce, rng->block++, rng->key);
      rng->used = 0;
    }
  for (guint i = 0; i < 8; i++)
    x |= (guint64) rng->stream[rng->used + i] << (8 * i);
  rng->used += 8;
  return x;
}

guint64
jc_plan_rng_uniform (JcPlanRng *rng, guint64 n)
{
  guint64 limit, x;

  g_return_val_if_fail (n > 0, 0);
  /* 2^64 mod n, computed without 2^64; x below the limit is unbiased. */
  limit = G_MAXUINT64 - (-n % n) + 1;
  if (limit == 0)  /* n divides 2^64: every x is fine */
    return jc_plan_rng_next (rng) % n;
  do
    x = jc_plan_rng_next (rng);
  while (x >= limit);
  return x % n;
}

/* Partial Fisher–Yates: the first @k items of @list are the picked ones. */
static void
pick (JcPlanRng *rng, GPtrArray *list, guint k)
{
  for (guint i = 0; i < k && i < list->len; i++)
    {
      guint j = i + (guint) jc_plan_rng_uniform (rng, list->len - i);
      gpointer tmp = list->pdata[i];

      list->pdata[i] = list->pdata[j];
      list->pdata[j] = tmp;
    }
}

static guint
ceil_percent (guint n, guint percent)
{
  return (n * percent + 99) / 100;
}

/* A copy that borrows the items: g_ptr_array_copy() would keep the free
 * function and free them with the copy. */
static GPtrArray *
borrow (GPtrArray *items)
{
  GPtrArray *copy = g_ptr_array_sized_new (items->len);

  g_ptr_array_extend (copy, items, NULL, NULL);
  return copy;
}

static int
by_county_then_code (gconstpointer a, gconstpointer b)
{
  const JcHqInstitution *x = *(JcHqInstitution * const *) a, *y = *(JcHqInstitution * const *) b;
  int c = strcmp (x->county, y->county);

  return c != 0 ? c : strcmp (x->code, y->code);
}

static int
by_code (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(JcHqInstitution * const *) a)->code, (*(JcHqInstitution * const *) b)->code);
}

static int
by_fund_payment (gconstpointer a, gconstpointer b)
{
  const JcHqInstitution *x = *(JcHqInstitution * const *) a, *y = *(JcHqInstitution * const *) b;

  if (x->fund_fen != y->fund_fen)
    return x->fund_fen > y->fund_fen ? -1 : 1;
  return strcmp (x->code, y->code);
}

static int
by_name (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(JcHqInspector * const *) a)->name, (*(JcHqInspector * const *) b)->name);
}

static int
assignment_order (gconstpointer a, gconstpointer b)
{
  const JcPlanAssignment *x = *(JcPlanAssignment * const *) a, *y = *(JcPlanAssignment * const *) b;

  return by_county_then_code (&x->institution, &y->institution);
}

static guint
stratum_of (const JcHqInstitution *inst)
{
  switch (inst->type)
    {
    case JC_INSTITUTION_HOSPITAL:
      return inst->level - 1;
    case JC_INSTITUTION_PHARMACY:
      return STRATUM_PHARMACY;
    default:
      return STRATUM_AGENCY;
    }
}

static void
assignment_free (gpointer data)
{
  JcPlanAssignment *a = data;

  g_ptr_array_unref (a->team);
  g_free (a);
}

static void
add_assignment (JcPlanDraw *draw, const JcHqInstitution *inst, JcPlanReason reason)
{
  JcPlanAssignment *a = g_new0 (JcPlanAssignment, 1);

  a->institution = inst;
  a->reason = reason;
  a->team = g_ptr_array_new ();
  g_ptr_array_add (draw->assignments, a);
}

/* Draws one stratum of one county (@list in code order; reordered). */
static guint
draw_stratum (JcPlanDraw *draw, JcPlanRng *rng, guint stratum, GPtrArray *list)
{
  guint k, top = 0;

  if (stratum == STRATUM_AGENCY)
    {
      for (guint i = 0; i < list->len; i++)
        add_assignment (draw, list->pdata[i], JC_PLAN_REASON_ALL);
      return list->len;
    }
  if (stratum == STRATUM_PHARMACY)
    {
      g_ptr_array_sort (list, by_fund_payment);
      top = MIN (list->len, JC_PLAN_TOP_PHARMACIES);
      for (guint i = 0; i < top; i++)
        add_assignment (draw, list->pdata[i], JC_PLAN_REASON_TOP);
      g_ptr_array_remove_range (list, 0, top);
      g_ptr_array_sort (list, by_code);
      k = ceil_percent (list->len + top, PHARMACY_RATE);
      k = k > top ? k - top : 0;
    }
  else
    k = ceil_percent (list->len, hospital_rate[stratum]);
  pick (rng, list, k);
  for (guint i = 0; i < k; i++)
    add_assignment (draw, list->pdata[i], JC_PLAN_REASON_RATE);
  return top + k;
}

static void
draw_county (JcPlanDraw *draw, JcPlanRng *rng, GPtrArray *county)
{
  GPtrArray *strata[N_STRATA];

  for (guint s = 0; s < N_STRATA; s++)
    strata[s] = g_ptr_array_new ();
  for (guint i = 0; i < county->len; i++)
    g_ptr_array_add (strata[stratum_of (county->pdata[i])], county->pdata[i]);
  for (guint s = 0; s < N_STRATA; s++)
    {
      JcPlanCount count = { 0 };

      if (strata[s]->len == 0)
        continue;
      count.county = ((const JcHqInstitution *) county->pdata[0])->county;
      count.type = ((const JcHqInstitution *) strata[s]->pdata[0])->type;
      count.level = s < STRATUM_PHARMACY ? s + 1 : 0;
      count.total = strata[s]->len;
      count.drawn = draw_stratum (draw, rng, s, strata[s]);
      g_array_append_val (draw->counts, count);
    }
  for (guint s = 0; s < N_STRATA; s++)
    g_ptr_array_unref (strata[s]);
}

static void
draw_institutions (JcPlanDraw *draw, JcPlanRng *rng, GPtrArray *institutions)
{
  g_autoptr(GPtrArray) sorted = borrow (institutions);
  g_autoptr(GPtrArray) county = g_ptr_array_new ();

  g_ptr_array_sort (sorted, by_county_then_code);
  for (guint i = 0; i < sorted->len; i++)
    {
      const JcHqInstitution *inst = sorted->pdata[i];

      if (county->len > 0 && strcmp (((const JcHqInstitution *) county->pdata[0])->county, inst->county) != 0)
        {
          draw_county (draw, rng, county);
          g_ptr_array_set_size (county, 0);
        }
      g_ptr_array_add (county, (gpointer) inst);
    }
  if (county->len > 0)
    draw_county (draw, rng, county);
  g_ptr_array_sort (draw->assignments, assignment_order);
}

/* Says why no one could take seat @seat of @a's team. */
static void
staff_error (GError **error, const JcPlanDraw *draw, GPtrArray *roster, const JcPlanAssignment *a, guint seat)
{
  const JcHqInstitution *inst = a->institution;
  gboolean enforcement = seat < JC_PLAN_MIN_TEAM;
  guint needed = enforcement ? JC_PLAN_MIN_TEAM : draw->team_size;
  guint outside = 0;

  for (guint i = 0; i < roster->len; i++)
    {
      const JcHqInspector *insp = roster->pdata[i];

      if (strcmp (insp->county, inst->county) != 0 && (!enforcement || insp->role == JC_HQ_INSPECTOR_ENFORCEMENT))
        outside++;
    }
  if (outside < needed)
    g_set_error (error, JC_PLAN_DRAW_ERROR, JC_PLAN_DRAW_ERROR_STAFF,
                 enforcement
                   ? _("The roster cannot staff the plan: %s (%s) needs %u law-enforcement inspectors (执法人员) "
                       "from another county than %s, and the roster has %u")
                   : _("The roster cannot staff the plan: %s (%s) needs a team of %u inspectors "
                       "from another county than %s, and the roster has %u"),
                 inst->code, inst->name, needed, inst->county, outside);
  else
    g_set_error (error, JC_PLAN_DRAW_ERROR, JC_PLAN_DRAW_ERROR_STAFF,
                 _("The roster cannot staff the plan: every inspector who may inspect %s (%s, county %s) "
                   "already has %u assignments (--max-load); raise it or add inspectors to the roster"),
                 inst->code, inst->name, inst->county, draw->max_load);
}

static gboolean
draw_teams (JcPlanDraw *draw, JcPlanRng *rng, GPtrArray *inspectors, GError **error)
{
  g_autoptr(GPtrArray) roster = borrow (inspectors);
  g_autoptr(GPtrArray) fewest = g_ptr_array_new ();
  g_autofree guint *load = NULL;
  g_autofree guint *slot = NULL;

  g_ptr_array_sort (roster, by_name);
  load = g_new0 (guint, roster->len + 1);
  slot = g_new0 (guint, roster->len + 1);
  for (guint n = 0; n < draw->assignments->len; n++)
    {
      JcPlanAssignment *a = draw->assignments->pdata[n];

      for (guint seat = 0; seat < draw->team_size; seat++)
        {
          guint least = G_MAXUINT, chosen;

          g_ptr_array_set_size (fewest, 0);
          for (guint i = 0; i < roster->len; i++)
            {
              const JcHqInspector *insp = roster->pdata[i];

              if (strcmp (insp->county, a->institution->county) == 0 ||
                  (seat < JC_PLAN_MIN_TEAM && insp->role != JC_HQ_INSPECTOR_ENFORCEMENT) ||
                  (draw->max_load > 0 && load[i] >= draw->max_load) ||
                  g_ptr_array_find (a->team, insp, NULL) ||
                  load[i] > least)
                continue;
              if (load[i] < least)
                {
                  least = load[i];
                  g_ptr_array_set_size (fewest, 0);
                }
              slot[fewest->len] = i;
              g_ptr_array_add (fewest, (gpointer) insp);
            }
          if (fewest->len == 0)
            {
              staff_error (error, draw, roster, a, seat);
              return FALSE;
            }
          chosen = (guint) jc_plan_rng_uniform (rng, fewest->len);
          g_ptr_array_add (a->team, fewest->pdata[chosen]);
          load[slot[chosen]]++;
        }
    }
  return TRUE;
}

JcPlanDraw *
jc_plan_draw (GPtrArray  *institutions,
              GPtrArray  *inspectors,
              guint64     seed,
              guint       team_size,
              guint       max_load,
              GError    **error)
{
  g_autoptr(JcPlanDraw) draw = g_new0 (JcPlanDraw, 1);
  JcPlanRng rng;

  if (team_size < JC_PLAN_MIN_TEAM)
    {
      g_set_error (error, JC_PLAN_DRAW_ERROR, JC_PLAN_DRAW_ERROR_INVALID,
                   _("A team has at least %u law-enforcement inspectors (医疗保障基金使用监督管理条例, art. 27); "
                     "got a team size of %u"), JC_PLAN_MIN_TEAM, team_size);
      return NULL;
    }
  if (institutions->len == 0)
    {
      g_set_error_literal (error, JC_PLAN_DRAW_ERROR, JC_PLAN_DRAW_ERROR_INVALID,
                           _("The institution directory is empty; import it with “jiancha-hq directory import”"));
      return NULL;
    }
  draw->seed = seed;
  draw->team_size = team_size;
  draw->max_load = max_load;
  draw->assignments = g_ptr_array_new_with_free_func (assignment_free);
  draw->counts = g_array_new (FALSE, TRUE, sizeof (JcPlanCount));
  jc_plan_rng_init (&rng, seed);
  draw_institutions (draw, &rng, institutions);
  if (!draw_teams (draw, &rng, inspectors, error))
    return NULL;
  return g_steal_pointer (&draw);
}

void
jc_plan_draw_free (JcPlanDraw *draw)
{
  if (draw == NULL)
    return;
  g_clear_pointer (&draw->assignments, g_ptr_array_unref);
  g_clear_pointer (&draw->counts, g_array_unref);
  g_free (draw);
}

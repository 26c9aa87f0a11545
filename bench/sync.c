/* sync.c — bench-sync: what HQ's merge and a whole sync cost over their floor
 *
 * 1. Merge rate. 10 000 signed events of one enrolled device in one sealed
 *    bundle, merged by jc_hq_merge_bundle() into a fresh hq.db (open the
 *    seal, check the bundle signature, verify every event, chain, store,
 *    project, receipt, with hq.db as the server opens it: synchronous=FULL;
 *    and the checkpoint that copies the merge from the WAL into hq.db),
 *    pinned to one core, where the merging thread verifies each event
 *    itself, and on every core, where one verifying thread per core
 *    works ahead of the merging thread, which stores each event once its
 *    signature has verified. Baseline: libsodium's raw Ed25519 verify of
 *    the same events' bytes on one core, timed just before each merge.
 *    Wall time, since the point of the threads is wall time; each figure
 *    is the median of 7 such pairs.
 * 2. A whole sync over loopback: `jiancha-cli sync` of a vault with
 *    10 000 events and 200 MB of evidence to a real `jiancha-hq serve`,
 *    against the floor of moving the same bytes to the same server with
 *    curl (the same number of 4 MiB requests, each read whole by the server
 *    and refused without being stored). Peak RSS of the sync process
 *    with 20 MB and with 200 MB of evidence shows memory stays flat. Run
 *    first, while the bench is small: a child's peak RSS includes its
 *    parent's at the fork. JC_BENCH_MERGE_ONLY=1 runs part 1 alone.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "jc-bench.h"
#include "jc-blob-crypt.h"
#include "jc-bundle.h"
#include "jc-core.h"
#include "jc-hq-merge.h"
#include "jc-hq-store.h"

#define N_EVENTS   10000
#define PIN        "583921"

static double
wall (void)
{
  return g_get_monotonic_time () / 1e6;
}

static GPtrArray *
make_events (JcDevice *device)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_event_unref);
  guint8 prev[32] = { 0 };

  for (guint i = 0; i < N_EVENTS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *body = g_strdup_printf ("{\"code\":\"p21.1.%u\",\"inspection\":\"%032x\",\"note\":"
                                               "\"医保卡结算日用品，现场核查第 %u 条记录\",\"status\":\"violation\"}",
                                               i % 19, i / 50, i);
      JcEvent *event = jc_event_new (jc_device_get_id (device), i + 1, prev, g_get_real_time (),
                                     g_get_monotonic_time (), 0, "张伟", "test.note", body, &error);

      if (event == NULL || !jc_event_sign (event, device, &error))
        g_error ("event: %s", error->message);
      memcpy (prev, jc_event_get_hash (event), 32);
      g_ptr_array_add (events, event);
    }
  return events;
}

/* libsodium's own verify of the events' bytes, one after the other: the
 * floor HQ's merge is measured against. Events per second. */
static double
raw_verify_rate (GPtrArray *events, const guint8 *pk)
{
  double t = wall ();

  for (guint i = 0; i < events->len; i++)
    {
      gsize len;
      const guint8 *msg = jc_event_get_encoded (events->pdata[i], &len);

      if (crypto_sign_verify_detached (jc_event_get_signature (events->pdata[i]), msg, len, pk) != 0)
        g_error ("raw verify failed");
    }
  return events->len / (wall () - t);
}

/* What a device sends after inspecting hospitals: a vault's own events as
 * the app records them, inspection after inspection of the hospital list
 * (each item's result, note, amount and evidence link; a sealed and
 * confirmed finding for each violation), until there are @n. Returns the
 * events; @vault (unlocked, its device the signer) is made in @dir. */
static GPtrArray *
make_field_events (const char *dir, guint n, JcVault **out_vault)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *vault_dir = g_build_filename (dir, "field-vault", NULL);
  g_autofree char *photo = g_build_filename (dir, "photo.jpg", NULL);
  g_autoptr(JcVault) vault = jc_vault_new (vault_dir);
  g_autoptr(JcBlobInfo) info = NULL;
  JcInspectionSpec spec = {
    .institution_code = "H-001", .institution_name = "市第一人民医院",
    .institution_type = JC_INSTITUTION_HOSPITAL, .level = 3, .form = JC_INSPECTION_FORM_CROSS,
    .date = "2026-11-24", .checklist = "hospital-2021",
  };
  JcFindingConfirmation confirm = {
    .status = JC_JC1_STATUS_CONFIRMED, .name = "王主任", .title = "医务科科长",
  };
  JcChecklist *checklist;
  JcEventlog *log;
  GPtrArray *events;
  guint n_items;

  if (!jc_vault_create (vault, PIN, "张伟", NULL, &error) ||
      !g_file_set_contents (photo, "a photo of a receipt", -1, &error) ||
      (info = jc_vault_add_evidence (vault, photo, NULL, NULL, &error)) == NULL)
    g_error ("field vault: %s", error->message);
  checklist = jc_checklist_registry_lookup (jc_inspection_get_default_registry (&error), "hospital-2021", &error);
  if (checklist == NULL)
    g_error ("%s", error->message);
  n_items = jc_checklist_get_n_items (checklist);
  log = jc_vault_get_eventlog (vault);
  for (;;)
    {
      g_autofree char *id = jc_inspection_create (vault, NULL, &spec, &error);
      g_autoptr(GArray) heads = NULL;

      if (id == NULL)
        g_error ("%s", error->message);
      for (guint i = 0; i < n_items; i++)
        {
          const char *code = jc_checklist_get_item (checklist, i)->code;
          gboolean violation = i % 7 == 3;
          JcItemUpdate update = {
            .set_status = TRUE, .status = violation ? JC_ITEM_STATUS_VIOLATION : JC_ITEM_STATUS_COMPLIANT,
            .set_note = TRUE, .note = "抽查病历30份，发现重复收费、串换项目，涉及金额见附件。",
            .set_amount = violation, .amount_fen = 123456 + i,
          };

          if (!jc_inspection_set_item (vault, NULL, id, code, &update, &error) ||
              !jc_inspection_link_evidence (vault, NULL, id, code, info->sha256_hex, &error))
            g_error ("%s", error->message);
          if (violation)
            {
              const char * const items[] = { code, NULL };
              JcFindingSpec finding = { .inspection_id = id, .items = items };
              g_autofree char *finding_id = jc_finding_seal (vault, NULL, &finding, &confirm, &error);

              if (finding_id == NULL)
                g_error ("seal: %s", error->message);
            }
        }
      heads = jc_eventlog_get_heads (log, &error);
      if (heads == NULL)
        g_error ("%s", error->message);
      if (g_array_index (heads, JcEventlogCursor, 0).seq >= n)
        break;
    }
  events = jc_eventlog_get_events_after (log, jc_device_get_id (jc_vault_get_device (vault)), 0, n, &error);
  if (events == NULL)
    g_error ("%s", error->message);
  *out_vault = g_steal_pointer (&vault);
  return events;
}

/* A fresh HQ with @device enrolled. */
static JcHqStore *
fresh_hq (const char *dir, const char *db_url, JcDevice *device)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  JcHqStore *store;
  JcJc1Certificate cert;

  jc_bench_rmtree (dir);
  if (!jc_hq_store_init (dir, db_url, &error) || (store = jc_hq_store_open (dir, &error)) == NULL)
    g_error ("HQ: %s", error->message);
  code = jc_hq_store_new_code (store, "张伟", 1, &error);
  if (code == NULL ||
      !jc_hq_store_enroll (store, jc_device_get_id (device), jc_device_get_public_key (device), code, "张伟",
                           &cert, &error))
    g_error ("enroll: %s", error->message);
  return store;
}

static double run (const char * const *argv, const char * const *env, glong *maxrss_kib);

#define MERGE_PASSES 7

typedef struct {
  double rate;     /* events/s, the median pass */
  double ratio;    /* of the raw verify rate: the median pass */
  double lo, hi;   /* the lowest and highest ratio */
} MergeRate;

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Each pass times libsodium's raw verify of @events and then a merge of
 * their @bundle into a copy of @pristine (HQ's keys, the device enrolled,
 * no events: the bundle was sealed to those keys), and keeps the ratio of
 * the two rates. The machine is shared and its speed drifts; two runs
 * back to back share the drift, so the ratios are steadier than either
 * rate. On PostgreSQL, @pristine_db is the database copied for each pass. */
static MergeRate
merge_rate (const char *pristine, const char *pristine_db, const char *dir, GBytes *bundle, guint threads,
            GPtrArray *events, const guint8 *pk)
{
  const char *cp[] = { "/bin/cp", "-a", pristine, dir, NULL };
  double rates[MERGE_PASSES], ratios[MERGE_PASSES];
  MergeRate r;

  for (guint pass = 0; pass < MERGE_PASSES; pass++)
    {
      g_autoptr(JcHqStore) store = NULL;
      g_autoptr(JcHqMerge) merge = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *receipt = NULL;
      double t, raw;

      jc_bench_rmtree (dir);
      run (cp, NULL, NULL);
      if (pristine_db != NULL)
        {
          g_autofree char *url = jc_bench_pg_database ("bench_sync_pass", pristine_db);
          g_autofree char *url_path = g_build_filename (dir, "database", NULL);

          if (!g_file_set_contents (url_path, url, -1, &error))
            g_error ("%s", error->message);
        }
      store = jc_hq_store_open (dir, &error);
      if (store == NULL)
        g_error ("HQ: %s", error->message);
      merge = jc_hq_merge_new (store, &error);
      if (merge == NULL)
        g_error ("merge: %s", error->message);
      jc_hq_merge_set_threads (merge, threads);
      raw = raw_verify_rate (events, pk);
      t = wall ();
      receipt = jc_hq_merge_bundle (merge, bundle, "bench", &error);
      if (receipt == NULL)
        g_error ("merge: %s", error->message);
      /* until the merge is in hq.db itself: SQLite checkpoints when the WAL
       * has 1000 pages, which a merge may or may not reach */
      if (jc_db_get_dialect (jc_hq_store_get_db (store)) == JC_DB_DIALECT_SQLITE &&
          jc_db_exec (jc_hq_store_get_db (store), "PRAGMA wal_checkpoint (PASSIVE)") != JC_DB_OK)
        g_error ("checkpoint: %s", jc_db_errmsg (jc_hq_store_get_db (store)));
      rates[pass] = events->len / (wall () - t);
      ratios[pass] = rates[pass] / raw;
    }
  qsort (rates, MERGE_PASSES, sizeof (double), cmp_double);
  qsort (ratios, MERGE_PASSES, sizeof (double), cmp_double);
  r.rate = rates[MERGE_PASSES / 2];
  r.ratio = ratios[MERGE_PASSES / 2];
  r.lo = ratios[0];
  r.hi = ratios[MERGE_PASSES - 1];
  return r;
}

/* Runs the calling thread, and the threads it starts, on one core only
 * (@one) or on every core it had. */
static void
pin_to_one_core (gboolean one)
{
  static cpu_set_t all;
  static gboolean saved;
  cpu_set_t set;

  if (!saved)
    {
      if (sched_getaffinity (0, sizeof all, &all) != 0)
        g_error ("sched_getaffinity: %s", g_strerror (errno));
      saved = TRUE;
    }
  CPU_ZERO (&set);
  CPU_SET (sched_getcpu (), &set);
  if (sched_setaffinity (0, sizeof set, one ? &set : &all) != 0)
    g_error ("sched_setaffinity: %s", g_strerror (errno));
}

static void
print_merge (const char *what, MergeRate r, const char *target)
{
  printf ("%s: %.0f events/s → %.2f of raw verify on one core (median of %d passes, each against its own "
          "baseline; %.2f–%.2f)%s\n", what, r.rate, r.ratio, MERGE_PASSES, r.lo, r.hi, target);
}

/* @events sealed to a fresh HQ in @dir (@db_url: its database), with the
 * device enrolled: the pristine copy each merge pass starts from. */
static GBytes *
sealed_to_fresh_hq (const char *dir, const char *db_url, JcDevice *device, GPtrArray *events)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcHqStore) store = fresh_hq (dir, db_url, device);
  GBytes *bundle = jc_bundle_seal (device, events, NULL, 1, jc_hq_store_get_public_key (store), &error);

  if (bundle == NULL)
    g_error ("seal: %s", error->message);
  return bundle;
}

/* @what pinned to one core, where HQ's merge sees one core and verifies
 * each event itself, and then on every core. */
static void
merge_pinned_and_all (const char *what, const char *pristine, const char *hqdir, GBytes *bundle,
                      GPtrArray *events, const guint8 *pk, const char *target)
{
  guint cores = jc_core_get_n_cores ();
  g_autofree char *pinned = g_strdup_printf ("%s, pinned to one core", what);
  MergeRate r;

  pin_to_one_core (TRUE);
  r = merge_rate (pristine, NULL, hqdir, bundle, 1, events, pk);
  pin_to_one_core (FALSE);
  print_merge (pinned, r, target);
  if (cores > 1)
    {
      g_autofree char *all = g_strdup_printf ("%s on %u cores (%u verifying threads, the merging thread storing)",
                                              what, cores, cores);

      r = merge_rate (pristine, NULL, hqdir, bundle, cores, events, pk);
      print_merge (all, r, "");
    }
}

/* Runs @argv; returns wall seconds, and the child's peak RSS in KiB. */
static double
run (const char * const *argv, const char * const *env, glong *maxrss_kib)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  struct rusage ru;
  double t = wall ();
  int status;
  GPid pid;

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (env[i], "=", 2);

      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  if (!g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (wait4 (pid, &status, 0, &ru) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s %s failed (status %d)", argv[0], argv[1], status);
  if (maxrss_kib != NULL)
    *maxrss_kib = ru.ru_maxrss;
  return wall () - t;
}

static char *
bin (const char *sub, const char *name)
{
  return g_build_filename (JC_BUILD_DIR, sub, name, NULL);
}

static void
whole_sync (const char *parent, guint64 blob_bytes)
{
  g_autofree char *name = g_strdup_printf ("whole-%" G_GUINT64_FORMAT, blob_bytes);
  g_autofree char *root = g_build_filename (parent, name, NULL);
  g_autofree char *hq_exe = bin ("sync", "jiancha-hq"), *cli_exe = bin ("src/cli", "jiancha-cli");
  g_autofree char *hqdir = g_build_filename (root, "hq", NULL);
  g_autofree char *vault_dir = g_build_filename (root, "vault", NULL);
  g_autofree char *blob = g_build_filename (root, "evidence.bin", NULL);
  g_autofree char *piece = g_build_filename (root, "piece.bin", NULL);
  g_autofree char *code = NULL, *out = NULL, *line = NULL, *url = NULL, *at = NULL;
  g_autofree guint8 *chunk = g_malloc (1024 * 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) server_out = NULL;
  const char * const env[] = { "JIANCHA_PIN=" PIN, "JIANCHA_NEW_PIN=" PIN, "JIANCHA_TEST_FAST_KDF=1", NULL };
  guint64 wire = jc_blob_crypt_size (blob_bytes);
  guint n_pieces = (guint) ((wire + 4 * 1024 * 1024 - 1) / (4 * 1024 * 1024));
  double t_sync, t_curl = 0;
  glong rss_sync = 0;
  guint port = 0;
  FILE *f;

  /* HQ, a vault enrolled with it, 10 000 events and the evidence */
  g_mkdir_with_parents (root, 0700);
  {
    const char *init[] = { hq_exe, "--dir", hqdir, "init", NULL };
    const char *vinit[] = { cli_exe, "--vault", vault_dir, "vault", "init", "--inspector", "张伟", NULL };

    run (init, NULL, NULL);
    run (vinit, env, NULL);
  }
  if (!g_spawn_sync (NULL, (char *[]) { hq_exe, "--dir", hqdir, "enroll-code", "--inspector", "张伟", NULL },
                     NULL, 0, NULL, NULL, &out, NULL, NULL, &error))
    g_error ("enroll-code: %s", error->message);
  g_strstrip (out);
  code = g_strdup (strrchr (out, '\n') ? strrchr (out, '\n') + 1 : out);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, hq_exe,
                             "--dir", hqdir, "serve", "--listen", "127.0.0.1:0", NULL);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (server_out, NULL, NULL, &error);
  if (line == NULL || sscanf (line, "jiancha-hq: listening on port %u", &port) != 1)
    g_error ("no jiancha-hq start line");
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  {
    const char *enroll[] = { cli_exe, "--vault", vault_dir, "enroll", "--hq", url, "--code", code, NULL };

    run (enroll, env, NULL);
  }
  f = fopen (blob, "wb");
  for (guint i = 0; i < blob_bytes / (1024 * 1024); i++)
    {
      randombytes_buf (chunk, 1024 * 1024);
      fwrite (chunk, 1, 1024 * 1024, f);
    }
  fwrite (chunk, 1, blob_bytes % (1024 * 1024), f);
  fclose (f);
  {
    g_autoptr(JcVault) vault = jc_vault_new (vault_dir);
    g_autoptr(JcBlobInfo) info = NULL;

    if (!jc_vault_unlock (vault, PIN, &error) || !jc_eventlog_begin (jc_vault_get_eventlog (vault), &error))
      g_error ("vault: %s", error->message);
    for (guint i = 0; i < N_EVENTS; i++)
      {
        g_autofree char *body = g_strdup_printf ("{\"n\":%u,\"note\":\"现场核查第 %u 条记录\"}", i, i);

        if (!jc_vault_record (vault, "test.note", body, NULL, &error))
          g_error ("record: %s", error->message);
      }
    if (!jc_eventlog_commit (jc_vault_get_eventlog (vault), &error) ||
        (info = jc_vault_add_evidence (vault, blob, NULL, NULL, &error)) == NULL)
      g_error ("vault: %s", error->message);
  }

  /* the floor: the same bytes, in the same number of requests, with curl */
  f = fopen (piece, "wb");
  for (guint i = 0; i < 4; i++)
    {
      randombytes_buf (chunk, 1024 * 1024);
      fwrite (chunk, 1, 1024 * 1024, f);
    }
  fclose (f);
  at = g_strdup_printf ("%s/v1/blobs/%064d", url, 0);
  for (guint i = 0; i < n_pieces; i++)
    {
      g_autofree char *range = g_strdup_printf ("Content-Range: bytes %u-%u/%" G_GUINT64_FORMAT,
                                                i * 4 * 1024 * 1024, (i + 1) * 4 * 1024 * 1024 - 1, wire);
      g_autofree char *data = g_strconcat ("@", piece, NULL);
      const char *curl[] = { "curl", "-s", "-o", "/dev/null", "-X", "PUT", "-H", range, "--data-binary", data, at,
                             NULL };

      t_curl += run (curl, NULL, NULL);
    }

  {
    const char *sync[] = { cli_exe, "--vault", vault_dir, "sync", NULL };

    t_sync = run (sync, env, &rss_sync);
  }
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);

  printf ("whole sync over loopback: %d events + %" G_GUINT64_FORMAT " MB of evidence in %.2f s; curl moving the same %"
          G_GUINT64_FORMAT " bytes in %u requests: %.2f s → %.2f× the floor\n",
          N_EVENTS, blob_bytes / 1000000, t_sync, wire, n_pieces, t_curl, t_sync / t_curl);
  printf ("peak RSS of the syncing process: %.1f MiB for %" G_GUINT64_FORMAT " MB of evidence\n",
          rss_sync / 1024.0, blob_bytes / 1000000);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcDevice) device = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autofree char *root = g_build_filename (JC_BUILD_DIR, "tmp", "bench-sync", NULL);
  g_autofree char *hqdir = g_build_filename (root, "merge-hq", NULL);
  g_autofree char *pristine = g_build_filename (root, "pristine-hq", NULL);
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (!jc_core_init (&error))
    g_error ("%s", error->message);
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  jc_bench_rmtree (root);
  g_mkdir_with_parents (root, 0700);
  if (g_getenv ("JC_BENCH_MERGE_ONLY") == NULL)
    {
      /* First, while this process is small: a child's peak RSS counts its
       * parent's at the fork (the kernel keeps the larger at exec). */
      glong self_kib;

      whole_sync (root, 20 * 1000 * 1000);
      whole_sync (root, 200 * 1000 * 1000);
      self_kib = (glong) jc_bench_rss_kib ("VmHWM:");
      printf ("(peak RSS of this bench process until then: %.1f MiB, under the figures above)\n", self_kib / 1024.0);
    }
  device = jc_device_new_random (&error);
  events = make_events (device);
  bundle = sealed_to_fresh_hq (pristine, NULL, device, events);
  printf ("baseline: raw Ed25519 verify (libsodium), one core: %.0f events/s\n",
          raw_verify_rate (events, jc_device_get_public_key (device)));
  merge_pinned_and_all ("HQ merge", pristine, hqdir, bundle, events, jc_device_get_public_key (device),
                        " (target ≥ 0.80)");
  {
    /* the same, with what inspections really record: the projections
     * of HQ (inspections, item results, findings) do their work too */
    g_autoptr(JcVault) vault = NULL;
    g_autoptr(GPtrArray) field = make_field_events (root, N_EVENTS, &vault);
    g_autofree char *field_pristine = g_build_filename (root, "pristine-hq-field", NULL);
    g_autoptr(GBytes) field_bundle = sealed_to_fresh_hq (field_pristine, NULL, jc_vault_get_device (vault), field);
    g_autofree char *what = g_strdup_printf ("HQ merge of %u events of inspections (hospital-2021: item results, "
                                             "evidence links, sealed and confirmed findings)", field->len);

    merge_pinned_and_all (what, field_pristine, hqdir, field_bundle, field,
                          jc_device_get_public_key (jc_vault_get_device (vault)), " (target ≥ 0.80)");
  }
  {
    /* the same merge into PostgreSQL, under tests/with-postgresql */
    g_autofree char *pg_url = jc_bench_pg_database ("bench_sync_pristine", NULL);
    g_autofree char *pg_pristine = g_build_filename (root, "pristine-hq-pg", NULL);

    if (pg_url == NULL)
      printf ("HQ merge on PostgreSQL: skipped (run under tests/with-postgresql)\n");
    else
      {
        g_autoptr(GBytes) pg_bundle = sealed_to_fresh_hq (pg_pristine, pg_url, device, events);
        MergeRate r = merge_rate (pg_pristine, "bench_sync_pristine", hqdir, pg_bundle, jc_core_get_n_cores (),
                                  events, jc_device_get_public_key (device));

        print_merge ("HQ merge on PostgreSQL 15 (Unix socket, fsync off)", r, "");
      }
  }
  jc_bench_rmtree (root);
  return 0;
}

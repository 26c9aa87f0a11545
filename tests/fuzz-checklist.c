/* fuzz-checklist.c — fuzz target for the checklist loader
 *
 * libFuzzer entry point: build-aux/fuzz.sh builds it with clang
 * -fsanitize=fuzzer,address,undefined and runs it for a bounded time.
 * In the normal suite it is linked with tests/fuzz-main.c instead, which
 * replays the samples of tests/fuzz/checklist/ (malformed lists, and two
 * valid ones for the fuzzer to start from) with all their truncations and
 * a fixed set of mutations.
 *
 * The invariant checked: every input gives either a complete checklist
 * whose every item can be found by its code, or NULL and an error that
 * names the input — never a crash, a half-loaded list or a silent NULL.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jc-checklist.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcChecklist) cl = jc_checklist_load_bytes (bytes, "fuzz.json", &error);

  if (cl == NULL)
    {
      if (error == NULL || error->domain != JC_CHECKLIST_ERROR ||
          !g_str_has_prefix (error->message, "fuzz.json"))
        abort ();
      return 0;
    }
  if (error != NULL || jc_checklist_get_n_items (cl) == 0)
    abort ();
  for (guint i = 0; i < jc_checklist_get_n_items (cl); i++)
    {
      const JcChecklistItem *item = jc_checklist_get_item (cl, i);

      if (jc_checklist_lookup (cl, item->code) != item || item->text[0] == '\0' ||
          item->group->section->code == NULL || item->index != i)
        abort ();
    }
  return 0;
}

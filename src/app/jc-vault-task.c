/* jc-vault-task.c — the vault's slow operations, off the main thread */
#define G_LOG_DOMAIN "jiancha-vault-task"

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-vault-task.h"

typedef enum {
  TASK_CREATE,
  TASK_UNLOCK,
  TASK_CHANGE_PIN,
} TaskKind;

typedef struct {
  TaskKind  kind;
  char     *pin;
  char     *other;      /* the inspector's name, or the new PIN */
} TaskData;

/* How many tasks run on a vault, kept on the vault itself. */
static GQuark
busy_quark (void)
{
  return g_quark_from_static_string ("jc-vault-task-busy");
}

static void
wipe_free (char *s)
{
  if (s != NULL)
    {
      sodium_memzero (s, strlen (s));
      g_free (s);
    }
}

static void
task_data_free (TaskData *data)
{
  wipe_free (data->pin);
  wipe_free (data->other);
  g_free (data);
}

static void
add_busy (JcVault *vault, int delta)
{
  guint n = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (vault), busy_quark ()));

  g_object_set_qdata (G_OBJECT (vault), busy_quark (), GUINT_TO_POINTER (n + delta));
}

void
jc_vault_task_hold (JcVault *vault)
{
  g_return_if_fail (JC_IS_VAULT (vault));

  add_busy (vault, +1);
}

void
jc_vault_task_release (JcVault *vault)
{
  g_return_if_fail (JC_IS_VAULT (vault));
  g_return_if_fail (jc_vault_task_is_busy (vault));

  add_busy (vault, -1);
}

gboolean
jc_vault_task_is_busy (JcVault *vault)
{
  return g_object_get_qdata (G_OBJECT (vault), busy_quark ()) != NULL;
}

static void
run_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JcVault *vault = source;
  TaskData *data = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (data->kind)
    {
    case TASK_CREATE:
      ok = jc_vault_create (vault, data->pin, data->other, NULL, &error);
      break;
    case TASK_UNLOCK:
      ok = jc_vault_unlock (vault, data->pin, &error);
      break;
    case TASK_CHANGE_PIN:
      ok = jc_vault_change_pin (vault, data->pin, data->other, &error);
      break;
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_thread_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  GError *error = NULL;

  add_busy (JC_VAULT (source), -1);
  /* "unlocked" changed in the worker; the UI hears of it only now, on
   * the main thread, where GTK may be touched. */
  g_object_thaw_notify (source);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

static void
start (JcVault *vault, TaskData *data, gpointer source_tag,
       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *outer = g_task_new (vault, cancellable, callback, user_data);
  g_autoptr(GTask) inner = g_task_new (vault, NULL, on_thread_done, outer);

  g_task_set_source_tag (outer, source_tag);
  g_task_set_task_data (inner, data, (GDestroyNotify) task_data_free);
  add_busy (vault, +1);
  g_object_freeze_notify (G_OBJECT (vault));
  g_task_run_in_thread (inner, run_in_thread);
}

void
jc_vault_task_create_async (JcVault *vault, const char *pin, const char *inspector,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  TaskData *data = g_new0 (TaskData, 1);

  data->kind = TASK_CREATE;
  data->pin = g_strdup (pin);
  data->other = g_strdup (inspector);
  start (vault, data, jc_vault_task_create_async, cancellable, callback, user_data);
}

void
jc_vault_task_unlock_async (JcVault *vault, const char *pin,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  TaskData *data = g_new0 (TaskData, 1);

  data->kind = TASK_UNLOCK;
  data->pin = g_strdup (pin);
  start (vault, data, jc_vault_task_unlock_async, cancellable, callback, user_data);
}

void
jc_vault_task_change_pin_async (JcVault *vault, const char *old_pin, const char *new_pin,
                                GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  TaskData *data = g_new0 (TaskData, 1);

  data->kind = TASK_CHANGE_PIN;
  data->pin = g_strdup (old_pin);
  data->other = g_strdup (new_pin);
  start (vault, data, jc_vault_task_change_pin_async, cancellable, callback, user_data);
}

gboolean
jc_vault_task_finish (JcVault *vault, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vault), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

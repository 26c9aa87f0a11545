/* main.c — jiancha, the inspector's app */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-application.h"
#include "jc-core.h"

int
main (int argc, char *argv[])
{
  g_autoptr(JcApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  jc_core_init_i18n ();
  if (!jc_core_init (&error))
    {
      g_printerr ("jiancha: %s\n", error->message);
      return 1;
    }

  jc_application_register_resources ();
  app = jc_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

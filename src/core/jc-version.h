/* jc-version.h — version and build information */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *jc_version_string (void);
char       *jc_build_info     (void);

G_END_DECLS

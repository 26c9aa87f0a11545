/* jc-secret.h — a buffer for key material in locked, guarded memory */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Keys (the data key, keys derived from it) live in sodium_malloc() memory:
 * mlock()ed so they never reach swap, guard pages around them, and wiped
 * when freed.  Everything that holds a key holds a JcSecret. */
typedef struct _JcSecret JcSecret;

JcSecret     *jc_secret_new        (gsize           len);
JcSecret     *jc_secret_new_random (gsize           len);
JcSecret     *jc_secret_new_from   (const guint8   *data,
                                    gsize           len);
JcSecret     *jc_secret_dup        (const JcSecret *secret);
void          jc_secret_free       (JcSecret       *secret);

guint8       *jc_secret_get_data   (JcSecret       *secret);
const guint8 *jc_secret_peek       (const JcSecret *secret);
gsize         jc_secret_get_len    (const JcSecret *secret);
gboolean      jc_secret_equal      (const JcSecret *a,
                                    const JcSecret *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcSecret, jc_secret_free)

G_END_DECLS

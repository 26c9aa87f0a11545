/* jc-device.h — the device identity: a random id and an Ed25519 key pair */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JC_DEVICE_ID_SIZE         16
#define JC_DEVICE_ID_HEX_SIZE     (JC_DEVICE_ID_SIZE * 2)
#define JC_DEVICE_PUBLIC_KEY_SIZE 32
#define JC_DEVICE_SEED_SIZE       32
#define JC_DEVICE_SIGNATURE_SIZE  64
/* "JCD1" + id + public key + secret key: what the vault stores encrypted */
#define JC_DEVICE_SERIALIZED_SIZE (4 + JC_DEVICE_ID_SIZE + JC_DEVICE_PUBLIC_KEY_SIZE + 64)

#define JC_DEVICE_ERROR (jc_device_error_quark ())

typedef enum {
  JC_DEVICE_ERROR_INVALID,
  JC_DEVICE_ERROR_NO_MEMORY,
} JcDeviceError;

typedef struct _JcDevice JcDevice;

GQuark        jc_device_error_quark        (void);

JcDevice     *jc_device_new_random         (GError       **error);
JcDevice     *jc_device_new_from_seed      (const guint8  *device_id,
                                            const guint8  *seed,
                                            GError       **error);
JcDevice     *jc_device_new_from_bytes     (GBytes        *bytes,
                                            GError       **error);
GBytes       *jc_device_to_bytes           (const JcDevice *device);
void          jc_device_free               (JcDevice      *device);

const guint8 *jc_device_get_id             (const JcDevice *device);
const char   *jc_device_get_id_hex         (const JcDevice *device);
const guint8 *jc_device_get_public_key     (const JcDevice *device);
char         *jc_device_get_public_key_hex (const JcDevice *device);
/* The 64-byte Ed25519 secret key (libsodium layout), for signers such as
 * jc_jc1_encode() that need it whole; never copy it out of locked memory. */
const guint8 *jc_device_get_secret_key     (const JcDevice *device);
void          jc_device_sign               (const JcDevice *device,
                                            const guint8   *data,
                                            gsize           len,
                                            guint8         *signature);

/* Lowercase hex of @len bytes; used for ids and keys in messages. */
char         *jc_device_hex                (const guint8  *data,
                                            gsize          len);
/* The other way: TRUE when @hex is exactly 2 × @len hexadecimal digits
 * (either case), decoded into @out. */
gboolean      jc_device_unhex              (const char    *hex,
                                            guint8        *out,
                                            gsize          len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcDevice, jc_device_free)

G_END_DECLS

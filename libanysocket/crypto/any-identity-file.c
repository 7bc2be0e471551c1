/* any-identity-file.c: a socket's long-term key pair on disk
 *
 * A GKeyFile with the base64 private key (the public key follows from
 * it). Every copy of the secret is wiped once written or read.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "any-error.h"
#include "crypto/any-identity-file.h"
#include "crypto/any-crypto.h"

#define IDENTITY_GROUP "AnySocket Identity"

gboolean
any_identity_file_save (AnyNoiseKeypair  *keypair,
                        const char       *path,
                        GError          **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  guint8 private_key[ANY_NOISE_KEY_LEN];
  g_autofree char *encoded = NULL;
  g_autofree char *data = NULL;
  gsize len;
  gboolean ok;

  any_noise_keypair_get_private (keypair, private_key);
  encoded = g_base64_encode (private_key, sizeof private_key);
  any_crypto_wipe (private_key, sizeof private_key);

  g_key_file_set_integer (file, IDENTITY_GROUP, "version", 1);
  g_key_file_set_string (file, IDENTITY_GROUP, "private-key", encoded);
  data = g_key_file_to_data (file, &len, NULL);
  ok = g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  any_crypto_wipe (encoded, strlen (encoded));
  any_crypto_wipe (data, len);
  return ok;
}

AnyNoiseKeypair *
any_identity_file_load (const char  *path,
                        GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *encoded = NULL;
  g_autofree guint8 *private_key = NULL;
  AnyNoiseKeypair *keypair;
  gsize len = 0;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot read identity %s: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  /* As ssh does with its keys. */
  if ((st.st_mode & 0077) != 0)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("Identity %s is accessible by others (mode %03o); it must be 0600"),
                   path, (unsigned) (st.st_mode & 0777));
      return NULL;
    }
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    return NULL;
  encoded = g_key_file_get_string (file, IDENTITY_GROUP, "private-key", NULL);
  if (encoded != NULL)
    private_key = g_base64_decode (encoded, &len);
  if (private_key == NULL || len != ANY_NOISE_KEY_LEN)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("Identity %s holds no valid private key"), path);
      if (private_key != NULL)
        any_crypto_wipe (private_key, len);
      return NULL;
    }

  keypair = any_noise_keypair_new_from_private (private_key);
  any_crypto_wipe (private_key, len);
  any_crypto_wipe (encoded, strlen (encoded));
  return keypair;
}

/* any-identity-file.h: a socket's long-term key pair on disk
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "crypto/any-noise.h"

G_BEGIN_DECLS

/* Writes @keypair's private key to @path, a key file replaced atomically,
 * mode 0600. */
gboolean         any_identity_file_save (AnyNoiseKeypair  *keypair,
                                         const char       *path,
                                         GError          **error);
/* The key pair in @path; NULL with @error if the file is missing, holds
 * no valid key, or is accessible by others than its owner. */
AnyNoiseKeypair *any_identity_file_load (const char       *path,
                                         GError          **error);

G_END_DECLS

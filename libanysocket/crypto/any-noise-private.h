/* any-noise-private.h: what any-noise.c (HandshakeState) and
 * any-noise-cipher.c (CipherState, SymmetricState) share
 *
 * The handshake holds its SymmetricState, and that its CipherState, by
 * value, so both structs are here. Only the .c files of crypto/ include
 * this header: nettle's types do not leave crypto/.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <nettle/chacha-poly1305.h>

#include "crypto/any-noise.h"

G_BEGIN_DECLS

struct _AnyNoiseCipher {
  guint8 k[ANY_NOISE_KEY_LEN];
  gboolean has_key;
  guint64 n;
  struct chacha_poly1305_ctx ctx;
};

typedef struct {
  AnyNoiseCipher cs;
  guint8 ck[ANY_NOISE_HASH_LEN];
  guint8 h[ANY_NOISE_HASH_LEN];
} AnyNoiseSymmetricState;

void     _any_noise_symmetric_initialize       (AnyNoiseSymmetricState  *ss,
                                                const char              *protocol_name);
void     _any_noise_symmetric_mix_hash         (AnyNoiseSymmetricState  *ss,
                                                const guint8            *data,
                                                gsize                    len);
gboolean _any_noise_symmetric_mix_key          (AnyNoiseSymmetricState  *ss,
                                                const guint8            *ikm,
                                                gsize                    ikm_len,
                                                GError                 **error);
gboolean _any_noise_symmetric_encrypt_and_hash (AnyNoiseSymmetricState  *ss,
                                                const guint8            *plaintext,
                                                gsize                    len,
                                                GByteArray              *out,
                                                GError                 **error);
gboolean _any_noise_symmetric_decrypt_and_hash (AnyNoiseSymmetricState  *ss,
                                                const guint8            *ciphertext,
                                                gsize                    len,
                                                GByteArray              *out,
                                                GError                 **error);
/* Wipes the cipher key and the chaining key (h stays readable). */
void     _any_noise_symmetric_clear            (AnyNoiseSymmetricState  *ss);

/* HKDF (chaining_key, ikm, 2) (4.3): two 32-byte outputs into @out. */
void     _any_noise_hkdf2                      (const guint8             ck[ANY_NOISE_HASH_LEN],
                                                const guint8            *ikm,
                                                gsize                    ikm_len,
                                                guint8                   out[2 * ANY_NOISE_HASH_LEN]);

G_END_DECLS

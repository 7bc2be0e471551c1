/* any-noise-cipher.h: Noise's CipherState and SymmetricState, for
 * Noise_XX_25519_ChaChaPoly_SHA256 (see any-noise.h)
 *
 * Outside crypto/, include any-noise.h, which includes this header. The
 * CipherState is what carries E2E messages once the handshake is split;
 * the SymmetricState (the _any_noise_symmetric_* functions) is the
 * handshake's, used by any-noise.c only. Neither exposes nettle's types:
 * both structs are defined in any-noise-cipher.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "crypto/any-crypto.h"

G_BEGIN_DECLS

#define ANY_NOISE_KEY_LEN         32  /* X25519 keys, cipher keys */
#define ANY_NOISE_HASH_LEN        32
#define ANY_NOISE_TAG_LEN         16
#define ANY_NOISE_MAX_NONCE       G_MAXUINT64  /* reserved by the spec: never used to encrypt */

/* --- CipherState ------------------------------------------------------- */

/* The cipher functions of Noise section 12 that we speak. */
typedef enum {
  ANY_NOISE_CIPHER_CHACHAPOLY,  /* ChaCha20-Poly1305, nonce 0^32 || LE64 (n) */
  ANY_NOISE_CIPHER_AESGCM,      /* AES-256-GCM, nonce 0^32 || BE64 (n) */
} AnyNoiseCipherSuite;

typedef struct _AnyNoiseCipher AnyNoiseCipher;

/* A CipherState with key @key and nonce 0 (it does not fail: @error is
 * kept for a backend that could). */
AnyNoiseCipher  *any_noise_cipher_new               (const guint8     key[ANY_NOISE_KEY_LEN],
                                                     GError         **error);
/* The same with the cipher function @suite. */
AnyNoiseCipher  *any_noise_cipher_new_full          (AnyNoiseCipherSuite suite,
                                                     const guint8     key[ANY_NOISE_KEY_LEN],
                                                     GError         **error);
void             any_noise_cipher_free              (AnyNoiseCipher  *cipher);
AnyNoiseCipherSuite any_noise_cipher_get_suite      (const AnyNoiseCipher *cipher);

/* EncryptWithAd: appends ciphertext || tag (@len + 16 bytes) to @out and
 * increments the nonce. Fails with %ANY_CRYPTO_ERROR_STATE when the nonce
 * has reached 2^64 - 1. */
gboolean         any_noise_cipher_encrypt_with_ad   (AnyNoiseCipher  *cipher,
                                                     const guint8    *ad,
                                                     gsize            ad_len,
                                                     const guint8    *plaintext,
                                                     gsize            len,
                                                     GByteArray      *out,
                                                     GError         **error);
/* The same into @out, @len + 16 bytes of the caller's (not overlapping
 * @ad or @plaintext). */
gboolean         any_noise_cipher_encrypt_to        (AnyNoiseCipher  *cipher,
                                                     const guint8    *ad,
                                                     gsize            ad_len,
                                                     const guint8    *plaintext,
                                                     gsize            len,
                                                     guint8          *out,
                                                     GError         **error);
/* DecryptWithAd: appends the plaintext (@len - 16 bytes) to @out and
 * increments the nonce. On failure (%ANY_CRYPTO_ERROR_DECRYPT, or _STATE
 * for an exhausted nonce) @out is left as it was, and the nonce too. */
gboolean         any_noise_cipher_decrypt_with_ad   (AnyNoiseCipher  *cipher,
                                                     const guint8    *ad,
                                                     gsize            ad_len,
                                                     const guint8    *ciphertext,
                                                     gsize            len,
                                                     GByteArray      *out,
                                                     GError         **error);
/* Rekey(): k = first 32 bytes of ENCRYPT (k, 2^64 - 1, "", 32 zeros).
 * The nonce is not changed. */
gboolean         any_noise_cipher_rekey             (AnyNoiseCipher  *cipher,
                                                     GError         **error);
guint64          any_noise_cipher_get_nonce         (const AnyNoiseCipher *cipher);
/* SetNonce(), as in the spec (for tests and explicit-nonce framings). */
void             any_noise_cipher_set_nonce         (AnyNoiseCipher  *cipher,
                                                     guint64          nonce);

/* One-shot AEAD of @suite with an explicit key and nonce: ChaCha20-
 * Poly1305 (RFC 8439) or AES-256-GCM (SP 800-38D, 128-bit tag), through
 * the same code as every CipherState's messages: the known-answer tests
 * use these to test what production runs. @key is 32 bytes. Seal writes
 * @len + 16 bytes (ciphertext then tag). Open reads @len >= 16 bytes and
 * writes @len - 16; on failure nothing usable is left in @out (it is
 * wiped). @nonce_len must be 12 (else %ANY_CRYPTO_ERROR_INVALID_INPUT). */
gboolean         any_noise_aead_seal                (AnyNoiseCipherSuite suite,
                                                     const guint8    *key,
                                                     const guint8    *nonce,
                                                     gsize            nonce_len,
                                                     const guint8    *ad,
                                                     gsize            ad_len,
                                                     const guint8    *plaintext,
                                                     gsize            len,
                                                     guint8          *out,
                                                     GError         **error);
gboolean         any_noise_aead_open                (AnyNoiseCipherSuite suite,
                                                     const guint8    *key,
                                                     const guint8    *nonce,
                                                     gsize            nonce_len,
                                                     const guint8    *ad,
                                                     gsize            ad_len,
                                                     const guint8    *ciphertext,
                                                     gsize            len,
                                                     guint8          *out,
                                                     GError         **error);
#define any_noise_chachapoly_seal(...) any_noise_aead_seal (ANY_NOISE_CIPHER_CHACHAPOLY, __VA_ARGS__)
#define any_noise_chachapoly_open(...) any_noise_aead_open (ANY_NOISE_CIPHER_CHACHAPOLY, __VA_ARGS__)

/* --- SymmetricState (for the handshake in any-noise.c) ------------------ */

typedef struct _AnyNoiseSymmetricState AnyNoiseSymmetricState;

/* InitializeSymmetric (protocol_name), @suite being its cipher. */
AnyNoiseSymmetricState *_any_noise_symmetric_new     (AnyNoiseCipherSuite           suite,
                                                      const char                   *protocol_name);
/* Wipes all of it, h too. */
void          _any_noise_symmetric_free             (AnyNoiseSymmetricState       *ss);
void          _any_noise_symmetric_mix_hash         (AnyNoiseSymmetricState       *ss,
                                                     const guint8                 *data,
                                                     gsize                         len);
gboolean      _any_noise_symmetric_mix_key          (AnyNoiseSymmetricState       *ss,
                                                     const guint8                 *ikm,
                                                     gsize                         ikm_len,
                                                     GError                      **error);
/* TRUE once a key was mixed in: from then on payloads are encrypted. */
gboolean      _any_noise_symmetric_has_key          (const AnyNoiseSymmetricState *ss);
gboolean      _any_noise_symmetric_encrypt_and_hash (AnyNoiseSymmetricState       *ss,
                                                     const guint8                 *plaintext,
                                                     gsize                         len,
                                                     GByteArray                   *out,
                                                     GError                      **error);
gboolean      _any_noise_symmetric_decrypt_and_hash (AnyNoiseSymmetricState       *ss,
                                                     const guint8                 *ciphertext,
                                                     gsize                         len,
                                                     GByteArray                   *out,
                                                     GError                      **error);
/* The handshake hash h (32 bytes, borrowed). */
const guint8 *_any_noise_symmetric_get_hash         (const AnyNoiseSymmetricState *ss);
/* Split (): @out_c1 for the initiator's messages, @out_c2 for the
 * responder's. Clears the state, as _any_noise_symmetric_clear() does. */
gboolean      _any_noise_symmetric_split            (AnyNoiseSymmetricState       *ss,
                                                     AnyNoiseCipher              **out_c1,
                                                     AnyNoiseCipher              **out_c2,
                                                     GError                      **error);
/* Wipes the cipher key and the chaining key; h stays readable. */
void          _any_noise_symmetric_clear            (AnyNoiseSymmetricState       *ss);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyNoiseCipher, any_noise_cipher_free)

G_END_DECLS

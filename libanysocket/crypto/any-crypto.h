/* any-crypto.h: primitives shared by the compat and the native E2EE modes
 *
 * Private to libanysocket. Pure functions over bytes: no I/O, no GObject,
 * no state. GnuTLS and nettle stay inside the .c files of libanysocket/crypto; nothing
 * in this header exposes their types.
 *
 * Conventions:
 * - Lengths are in bytes. Output buffers are sized by the caller as
 *   documented at each function.
 * - Functions that can be fed hostile input take a GError in the
 *   %ANY_CRYPTO_ERROR domain; the others can only fail on a programming
 *   error (g_return_if_fail) or when the system has no randomness (abort).
 * - Secrets are wiped with any_crypto_wipe() before their memory is freed.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ANY_CRYPTO_ERROR:
 *
 * Error domain of the crypto layer. The protocol engine maps these to
 * %ANY_SOCKET_ERROR_PROTOCOL (bad data from the peer) or
 * %ANY_SOCKET_ERROR_FAILED.
 */
#define ANY_CRYPTO_ERROR (any_crypto_error_quark ())

typedef enum {
  ANY_CRYPTO_ERROR_FAILED,         /* the crypto backend failed */
  ANY_CRYPTO_ERROR_INVALID_KEY,    /* a key is malformed, off the curve, or gives a weak (all-zero) secret */
  ANY_CRYPTO_ERROR_INVALID_INPUT,  /* malformed input: bad hex or base64, bad length */
  ANY_CRYPTO_ERROR_DECRYPT,        /* authentication tag or padding check failed */
  ANY_CRYPTO_ERROR_STATE,          /* wrong call for the state (handshake order, nonce exhausted) */
} AnyCryptoError;

GQuark   any_crypto_error_quark (void);

#define ANY_CRYPTO_SHA256_LEN 32
#define ANY_CRYPTO_SHA512_LEN 64
#define ANY_CRYPTO_X25519_LEN 32
#define ANY_CRYPTO_AES_BLOCK  16
#define ANY_CRYPTO_CHACHAPOLY_KEY_LEN   32
#define ANY_CRYPTO_CHACHAPOLY_NONCE_LEN 12
#define ANY_CRYPTO_CHACHAPOLY_TAG_LEN   16

/* Randomness from the system CSPRNG (gnutls_rnd). @for_key selects the
 * level meant for long-term keys. Aborts if no randomness is available. */
void     any_crypto_random      (void          *buf,
                                 gsize          len,
                                 gboolean       for_key);

/* Overwrites @buf with zeros in a way the compiler cannot drop. */
void     any_crypto_wipe        (void          *buf,
                                 gsize          len);

/* Constant-time comparison of two buffers of @len bytes. */
gboolean any_crypto_equal       (const void    *a,
                                 const void    *b,
                                 gsize          len);

/* Appends 2 * @len lowercase hex characters to @out. */
void     any_crypto_hex_append  (GString       *out,
                                 const guint8  *data,
                                 gsize          len);

/* Writes 2 * @len lowercase hex characters (no NUL) to @out. */
void     any_crypto_hex_encode  (const guint8  *data,
                                 gsize          len,
                                 char          *out);

/* Strict hex decoding: @hex_len must be even, every character in
 * [0-9a-fA-F] (no spaces, no prefix). Writes @hex_len / 2 bytes to @out.
 * Returns FALSE (leaving @out partially written) on bad input. */
gboolean any_crypto_hex_decode  (const char    *hex,
                                 gsize          hex_len,
                                 guint8        *out);

void     any_crypto_sha256      (const void    *data,
                                 gsize          len,
                                 guint8         out[ANY_CRYPTO_SHA256_LEN]);
void     any_crypto_sha512      (const void    *data,
                                 gsize          len,
                                 guint8         out[ANY_CRYPTO_SHA512_LEN]);
void     any_crypto_hmac_sha256 (const guint8  *key,
                                 gsize          key_len,
                                 const void    *data,
                                 gsize          len,
                                 guint8         out[ANY_CRYPTO_SHA256_LEN]);

/* PBKDF2 (RFC 8018) with HMAC-SHA256; @iterations >= 1, @out_len >= 1. */
void     any_crypto_pbkdf2_hmac_sha256 (const void   *password,
                                        gsize         password_len,
                                        const void   *salt,
                                        gsize         salt_len,
                                        guint         iterations,
                                        guint8       *out,
                                        gsize         out_len);

/* HKDF (RFC 5869) with HMAC-SHA256. An empty salt means HashLen zeros.
 * Fails (returns FALSE, writes nothing) when @out_len > 255 * 32. */
gboolean any_crypto_hkdf_sha256 (const guint8  *salt,
                                 gsize          salt_len,
                                 const guint8  *ikm,
                                 gsize          ikm_len,
                                 const guint8  *info,
                                 gsize          info_len,
                                 guint8        *out,
                                 gsize          out_len);

/* AES-CBC with PKCS#7 padding. @key_len is 16, 24 or 32.
 * Encrypt writes in_len + 16 - in_len % 16 bytes to @out (may equal @in
 * only if @out has room for them). */
gsize    any_crypto_aes_cbc_pkcs7_encrypt (const guint8  *key,
                                           gsize          key_len,
                                           const guint8   iv[ANY_CRYPTO_AES_BLOCK],
                                           const guint8  *in,
                                           gsize          in_len,
                                           guint8        *out);
/* Decrypt needs @in_len to be a non-zero multiple of 16 and valid padding;
 * @out receives up to @in_len bytes (may equal @in); *@out_len the length
 * without padding. On failure @out is wiped. */
gboolean any_crypto_aes_cbc_pkcs7_decrypt (const guint8  *key,
                                           gsize          key_len,
                                           const guint8   iv[ANY_CRYPTO_AES_BLOCK],
                                           const guint8  *in,
                                           gsize          in_len,
                                           guint8        *out,
                                           gsize         *out_len,
                                           GError       **error);

/* X25519 (RFC 7748): the scalar is clamped, the u-coordinate's top bit is
 * ignored. any_crypto_x25519() rejects an all-zero result (low-order or
 * small-subgroup peer key) with %ANY_CRYPTO_ERROR_INVALID_KEY. */
void     any_crypto_x25519_base (const guint8   priv[ANY_CRYPTO_X25519_LEN],
                                 guint8         pub[ANY_CRYPTO_X25519_LEN]);
gboolean any_crypto_x25519      (const guint8   priv[ANY_CRYPTO_X25519_LEN],
                                 const guint8   pub[ANY_CRYPTO_X25519_LEN],
                                 guint8         shared[ANY_CRYPTO_X25519_LEN],
                                 GError       **error);

G_END_DECLS

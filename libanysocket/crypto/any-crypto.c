/* any-crypto.c: primitives shared by the compat and the native E2EE modes
 *
 * Hashes, HMAC, PBKDF2, HKDF, AES-CBC and X25519 come from nettle (no
 * allocation, no handle); randomness from GnuTLS. ChaCha20-Poly1305 is
 * any-noise-cipher.c's, the one the native E2EE seals with.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/curve25519.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/pbkdf2.h>
#include <nettle/sha2.h>

#include "crypto/any-crypto.h"

G_DEFINE_QUARK (any-crypto-error-quark, any_crypto_error)

void
any_crypto_random (void     *buf,
                   gsize     len,
                   gboolean  for_key)
{
  if (len == 0)
    return;
  if (gnutls_rnd (for_key ? GNUTLS_RND_KEY : GNUTLS_RND_RANDOM, buf, len) != 0)
    g_error ("gnutls_rnd failed: no randomness available");
}

void
any_crypto_wipe (void  *buf,
                 gsize  len)
{
  if (buf != NULL && len > 0)
    gnutls_memset (buf, 0, len);
}

gboolean
any_crypto_equal (const void *a,
                  const void *b,
                  gsize       len)
{
  return memeql_sec (a, b, len) != 0;
}

static const char hex_digits[] = "0123456789abcdef";

void
any_crypto_hex_encode (const guint8 *data,
                       gsize         len,
                       char         *out)
{
  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = hex_digits[data[i] >> 4];
      out[2 * i + 1] = hex_digits[data[i] & 0x0f];
    }
}

void
any_crypto_hex_append (GString      *out,
                       const guint8 *data,
                       gsize         len)
{
  gsize old = out->len;

  g_string_set_size (out, old + 2 * len);
  any_crypto_hex_encode (data, len, out->str + old);
}

static inline int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

gboolean
any_crypto_hex_decode (const char *hex,
                       gsize       hex_len,
                       guint8     *out)
{
  if (hex_len % 2 != 0)
    return FALSE;
  for (gsize i = 0; i < hex_len / 2; i++)
    {
      int hi = hex_value ((guchar) hex[2 * i]);
      int lo = hex_value ((guchar) hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) ((hi << 4) | lo);
    }
  return TRUE;
}

void
any_crypto_sha256 (const void *data,
                   gsize       len,
                   guint8      out[ANY_CRYPTO_SHA256_LEN])
{
  struct sha256_ctx ctx;

  sha256_init (&ctx);
  sha256_update (&ctx, len, data);
  sha256_digest (&ctx, SHA256_DIGEST_SIZE, out);
}

void
any_crypto_sha512 (const void *data,
                   gsize       len,
                   guint8      out[ANY_CRYPTO_SHA512_LEN])
{
  struct sha512_ctx ctx;

  sha512_init (&ctx);
  sha512_update (&ctx, len, data);
  sha512_digest (&ctx, SHA512_DIGEST_SIZE, out);
}

void
any_crypto_hmac_sha256 (const guint8 *key,
                        gsize         key_len,
                        const void   *data,
                        gsize         len,
                        guint8        out[ANY_CRYPTO_SHA256_LEN])
{
  struct hmac_sha256_ctx ctx;

  hmac_sha256_set_key (&ctx, key_len, key);
  hmac_sha256_update (&ctx, len, data);
  hmac_sha256_digest (&ctx, SHA256_DIGEST_SIZE, out);
  any_crypto_wipe (&ctx, sizeof ctx);
}

void
any_crypto_pbkdf2_hmac_sha256 (const void *password,
                               gsize       password_len,
                               const void *salt,
                               gsize       salt_len,
                               guint       iterations,
                               guint8     *out,
                               gsize       out_len)
{
  g_return_if_fail (iterations >= 1);
  g_return_if_fail (out_len >= 1);

  pbkdf2_hmac_sha256 (password_len, password, iterations,
                      salt_len, salt, out_len, out);
}

gboolean
any_crypto_hkdf_sha256 (const guint8 *salt,
                        gsize         salt_len,
                        const guint8 *ikm,
                        gsize         ikm_len,
                        const guint8 *info,
                        gsize         info_len,
                        guint8       *out,
                        gsize         out_len)
{
  static const guint8 zeros[SHA256_DIGEST_SIZE] = { 0 };
  struct hmac_sha256_ctx ctx;
  guint8 prk[SHA256_DIGEST_SIZE];

  if (out_len > 255 * SHA256_DIGEST_SIZE)
    return FALSE;

  if (salt_len == 0)
    {
      salt = zeros;
      salt_len = sizeof zeros;
    }

  hmac_sha256_set_key (&ctx, salt_len, salt);
  hkdf_extract (&ctx, (nettle_hash_update_func *) hmac_sha256_update,
                (nettle_hash_digest_func *) hmac_sha256_digest,
                SHA256_DIGEST_SIZE, ikm_len, ikm, prk);
  hmac_sha256_set_key (&ctx, sizeof prk, prk);
  hkdf_expand (&ctx, (nettle_hash_update_func *) hmac_sha256_update,
               (nettle_hash_digest_func *) hmac_sha256_digest,
               SHA256_DIGEST_SIZE, info_len, info, out_len, out);

  any_crypto_wipe (&ctx, sizeof ctx);
  any_crypto_wipe (prk, sizeof prk);
  return TRUE;
}

/* --- AES-CBC ----------------------------------------------------------- */

typedef union {
  struct aes128_ctx a128;
  struct aes192_ctx a192;
  struct aes256_ctx a256;
} AesCtx;

static nettle_cipher_func *
aes_setup (AesCtx       *ctx,
           const guint8 *key,
           gsize         key_len,
           gboolean      encrypt)
{
  switch (key_len)
    {
    case 16:
      if (encrypt)
        aes128_set_encrypt_key (&ctx->a128, key);
      else
        aes128_set_decrypt_key (&ctx->a128, key);
      return encrypt ? (nettle_cipher_func *) aes128_encrypt
                     : (nettle_cipher_func *) aes128_decrypt;
    case 24:
      if (encrypt)
        aes192_set_encrypt_key (&ctx->a192, key);
      else
        aes192_set_decrypt_key (&ctx->a192, key);
      return encrypt ? (nettle_cipher_func *) aes192_encrypt
                     : (nettle_cipher_func *) aes192_decrypt;
    case 32:
      if (encrypt)
        aes256_set_encrypt_key (&ctx->a256, key);
      else
        aes256_set_decrypt_key (&ctx->a256, key);
      return encrypt ? (nettle_cipher_func *) aes256_encrypt
                     : (nettle_cipher_func *) aes256_decrypt;
    default:
      return NULL;
    }
}

gsize
any_crypto_aes_cbc_pkcs7_encrypt (const guint8 *key,
                                  gsize         key_len,
                                  const guint8  iv[ANY_CRYPTO_AES_BLOCK],
                                  const guint8 *in,
                                  gsize         in_len,
                                  guint8       *out)
{
  AesCtx ctx;
  nettle_cipher_func *f;
  guint8 chain[AES_BLOCK_SIZE];
  gsize full = in_len - in_len % AES_BLOCK_SIZE;
  guint8 pad = (guint8) (AES_BLOCK_SIZE - in_len % AES_BLOCK_SIZE);
  guint8 last[AES_BLOCK_SIZE];

  f = aes_setup (&ctx, key, key_len, TRUE);
  g_return_val_if_fail (f != NULL, 0);

  /* The last block first: @in may alias @out. */
  memcpy (last, in + full, in_len - full);
  memset (last + (in_len - full), pad, pad);

  memcpy (chain, iv, AES_BLOCK_SIZE);
  if (full > 0)
    cbc_encrypt (&ctx, f, AES_BLOCK_SIZE, chain, full, out, in);
  cbc_encrypt (&ctx, f, AES_BLOCK_SIZE, chain, AES_BLOCK_SIZE, out + full, last);

  any_crypto_wipe (&ctx, sizeof ctx);
  any_crypto_wipe (last, sizeof last);
  return full + AES_BLOCK_SIZE;
}

gboolean
any_crypto_aes_cbc_pkcs7_decrypt (const guint8  *key,
                                  gsize          key_len,
                                  const guint8   iv[ANY_CRYPTO_AES_BLOCK],
                                  const guint8  *in,
                                  gsize          in_len,
                                  guint8        *out,
                                  gsize         *out_len,
                                  GError       **error)
{
  AesCtx ctx;
  nettle_cipher_func *f;
  guint8 chain[AES_BLOCK_SIZE];
  guint pad, bad;

  if (in_len == 0 || in_len % AES_BLOCK_SIZE != 0)
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                   "AES-CBC ciphertext length %" G_GSIZE_FORMAT " is not a positive multiple of 16",
                   in_len);
      return FALSE;
    }

  f = aes_setup (&ctx, key, key_len, FALSE);
  g_return_val_if_fail (f != NULL, FALSE);

  memcpy (chain, iv, AES_BLOCK_SIZE);
  cbc_decrypt (&ctx, f, AES_BLOCK_SIZE, chain, in_len, out, in);
  any_crypto_wipe (&ctx, sizeof ctx);

  /* PKCS#7: 1..16 bytes, all equal to their count. Checked without
   * branching on the secret bytes. */
  pad = out[in_len - 1];
  bad = ((pad - 1u) >> 8) | ((16u - pad) >> 8);  /* pad == 0 or pad > 16 */
  for (guint i = 1; i <= AES_BLOCK_SIZE; i++)
    {
      guint in_pad = (guint) ((i - pad - 1u) >> 8) & 1u;  /* i <= pad */
      bad |= in_pad & (guint) (out[in_len - i] != pad);
    }

  if (bad != 0)
    {
      any_crypto_wipe (out, in_len);
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT,
                           "AES-CBC padding is invalid");
      return FALSE;
    }

  *out_len = in_len - pad;
  return TRUE;
}

/* --- X25519 ------------------------------------------------------------ */

void
any_crypto_x25519_base (const guint8 priv[ANY_CRYPTO_X25519_LEN],
                        guint8       pub[ANY_CRYPTO_X25519_LEN])
{
  curve25519_mul_g (pub, priv);
}

gboolean
any_crypto_x25519 (const guint8   priv[ANY_CRYPTO_X25519_LEN],
                   const guint8   pub[ANY_CRYPTO_X25519_LEN],
                   guint8         shared[ANY_CRYPTO_X25519_LEN],
                   GError       **error)
{
  guint8 acc = 0;

  curve25519_mul (shared, priv, pub);
  for (guint i = 0; i < ANY_CRYPTO_X25519_LEN; i++)
    acc |= shared[i];

  if (acc == 0)
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY,
                           "X25519 public key gives an all-zero shared secret");
      return FALSE;
    }
  return TRUE;
}

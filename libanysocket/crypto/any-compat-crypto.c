/* any-compat-crypto.c: compat E2EE (PROTOCOL.md 6), byte for byte what
 * npm anysocket 0.4.x computes with node's crypto module
 *
 * GnuTLS 3.7.9 has no public ECDH, so secp521r1 comes from nettle's
 * ecc_point_mul (hogweed + gmp).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <nettle/hmac.h>
#include <nettle/pbkdf2.h>

#include "crypto/any-compat-crypto.h"

#define COORD_LEN 66  /* ceil (521 / 8) */

struct _AnyCompatKeypair {
  struct ecc_scalar priv;
  guint8 pub[ANY_COMPAT_PUBLIC_KEY_LEN];
  char pub_base64[ANY_COMPAT_PUBLIC_BASE64_LEN + 1];
};

struct _AnyCompatSession {
  char secret[ANY_COMPAT_SECRET_HEX_LEN + 1];
  char session[ANY_COMPAT_SESSION_HEX_LEN + 1];
  /* HMAC-SHA256 keyed with the secret: the ipad/opad states that every
   * chunk's PBKDF2 would otherwise recompute (the 128-byte key is longer
   * than a block, so that is three SHA-256 compressions). It depends on
   * the secret only, so it changes no output. */
  struct hmac_sha256_ctx keyed;
};

/* Overwrite the limbs of an mpz that held a secret, then free it. */
static void
mpz_wipe_clear (mpz_t z)
{
  size_t n = mpz_size (z);

  if (n > 0)
    any_crypto_wipe (mpz_limbs_modify (z, (mp_size_t) n), n * sizeof (mp_limb_t));
  mpz_clear (z);
}

static void
random_key_bytes (void    *ctx,
                  size_t   len,
                  uint8_t *dst)
{
  any_crypto_random (dst, len, TRUE);
}

static void
keypair_free_scalar (AnyCompatKeypair *keypair)
{
  const struct ecc_curve *curve = nettle_get_secp_521r1 ();

  any_crypto_wipe (keypair->priv.p, (gsize) ecc_size (curve) * sizeof (mp_limb_t));
  ecc_scalar_clear (&keypair->priv);
}

/* Computes the public point and its encodings from keypair->priv. */
static void
keypair_finish (AnyCompatKeypair *keypair)
{
  const struct ecc_curve *curve = nettle_get_secp_521r1 ();
  struct ecc_point pub;
  mpz_t x, y;

  ecc_point_init (&pub, curve);
  ecc_point_mul_g (&pub, &keypair->priv);
  mpz_init (x);
  mpz_init (y);
  ecc_point_get (&pub, x, y);

  keypair->pub[0] = 0x04;
  nettle_mpz_get_str_256 (COORD_LEN, keypair->pub + 1, x);
  nettle_mpz_get_str_256 (COORD_LEN, keypair->pub + 1 + COORD_LEN, y);

  {
    g_autofree char *b64 = g_base64_encode (keypair->pub, sizeof keypair->pub);
    g_assert (strlen (b64) == ANY_COMPAT_PUBLIC_BASE64_LEN);
    memcpy (keypair->pub_base64, b64, ANY_COMPAT_PUBLIC_BASE64_LEN + 1);
  }

  mpz_clear (x);
  mpz_clear (y);
  ecc_point_clear (&pub);
}

AnyCompatKeypair *
any_compat_keypair_new (void)
{
  AnyCompatKeypair *keypair = g_new0 (AnyCompatKeypair, 1);

  ecc_scalar_init (&keypair->priv, nettle_get_secp_521r1 ());
  ecc_scalar_random (&keypair->priv, NULL, random_key_bytes);
  keypair_finish (keypair);
  return keypair;
}

AnyCompatKeypair *
any_compat_keypair_new_from_private (const guint8  *priv,
                                     gsize          len,
                                     GError       **error)
{
  AnyCompatKeypair *keypair;
  mpz_t z;
  int ok;

  g_return_val_if_fail (priv != NULL || len == 0, NULL);

  if (len == 0 || len > ANY_COMPAT_PRIVATE_KEY_LEN)
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY,
                   "secp521r1 private key of %" G_GSIZE_FORMAT " bytes", len);
      return NULL;
    }

  keypair = g_new0 (AnyCompatKeypair, 1);
  ecc_scalar_init (&keypair->priv, nettle_get_secp_521r1 ());
  mpz_init (z);
  nettle_mpz_set_str_256_u (z, len, priv);
  ok = ecc_scalar_set (&keypair->priv, z);
  mpz_wipe_clear (z);

  if (!ok)
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY,
                           "secp521r1 private key out of range");
      keypair_free_scalar (keypair);
      g_free (keypair);
      return NULL;
    }

  keypair_finish (keypair);
  return keypair;
}

void
any_compat_keypair_free (AnyCompatKeypair *keypair)
{
  if (keypair == NULL)
    return;
  keypair_free_scalar (keypair);
  any_crypto_wipe (keypair, sizeof *keypair);
  g_free (keypair);
}

const char *
any_compat_keypair_get_public_base64 (const AnyCompatKeypair *keypair)
{
  g_return_val_if_fail (keypair != NULL, NULL);
  return keypair->pub_base64;
}

const guint8 *
any_compat_keypair_get_public (const AnyCompatKeypair *keypair)
{
  g_return_val_if_fail (keypair != NULL, NULL);
  return keypair->pub;
}

gboolean
any_compat_keypair_compute_shared (const AnyCompatKeypair  *keypair,
                                   const guint8            *peer_point,
                                   gsize                    peer_point_len,
                                   guint8                   shared[ANY_COMPAT_SHARED_LEN],
                                   GError                 **error)
{
  const struct ecc_curve *curve = nettle_get_secp_521r1 ();
  struct ecc_point peer, result;
  mpz_t x, y;
  gboolean ok = FALSE;

  g_return_val_if_fail (keypair != NULL, FALSE);
  g_return_val_if_fail (peer_point != NULL || peer_point_len == 0, FALSE);

  /* Only the uncompressed form: that is all node's ecdh.getPublicKey()
   * produces. This also refuses the point at infinity (the single byte
   * 0x00) and compressed points. */
  if (peer_point_len != ANY_COMPAT_PUBLIC_KEY_LEN || peer_point[0] != 0x04)
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY,
                   "secp521r1 public key is not an uncompressed point (%" G_GSIZE_FORMAT " bytes)",
                   peer_point_len);
      return FALSE;
    }

  mpz_init (x);
  mpz_init (y);
  nettle_mpz_set_str_256_u (x, COORD_LEN, peer_point + 1);
  nettle_mpz_set_str_256_u (y, COORD_LEN, peer_point + 1 + COORD_LEN);

  ecc_point_init (&peer, curve);
  ecc_point_init (&result, curve);

  /* ecc_point_set checks 0 <= x, y < p and y^2 = x^3 - 3x + b: this is
   * what stops invalid-curve attacks. secp521r1 has cofactor 1, so every
   * point on the curve (other than infinity, which has no affine
   * coordinates) generates the whole group. */
  if (!ecc_point_set (&peer, x, y))
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY,
                           "secp521r1 public key is not on the curve");
      goto out;
    }

  ecc_point_mul (&result, &keypair->priv, &peer);
  ecc_point_get (&result, x, y);

  /* Cannot happen for 1 <= priv < n and a point of order n; refuse
   * rather than hand out a predictable secret if it ever did. */
  if (mpz_sgn (x) == 0 && mpz_sgn (y) == 0)
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY,
                           "secp521r1 shared point is the point at infinity");
      goto out;
    }

  /* node (OpenSSL) pads the x-coordinate to the field size. */
  nettle_mpz_get_str_256 (ANY_COMPAT_SHARED_LEN, shared, x);
  ok = TRUE;

out:
  mpz_wipe_clear (x);
  mpz_wipe_clear (y);
  ecc_point_clear (&peer);
  any_crypto_wipe (result.p, 2 * (gsize) ecc_size (curve) * sizeof (mp_limb_t));
  ecc_point_clear (&result);
  return ok;
}

char *
any_compat_nonce_new (void)
{
  guint8 bytes[ANY_COMPAT_NONCE_HEX_LEN / 2];
  char *nonce = g_malloc (ANY_COMPAT_NONCE_HEX_LEN + 1);

  any_crypto_random (bytes, sizeof bytes, FALSE);
  any_crypto_hex_encode (bytes, sizeof bytes, nonce);
  nonce[ANY_COMPAT_NONCE_HEX_LEN] = '\0';
  return nonce;
}

gboolean
any_compat_nonce_is_valid (const char *nonce)
{
  gsize i;

  if (nonce == NULL)
    return FALSE;
  for (i = 0; nonce[i] != '\0'; i++)
    if (!g_ascii_isxdigit (nonce[i]) || i >= ANY_COMPAT_NONCE_HEX_LEN)
      return FALSE;
  return i == ANY_COMPAT_NONCE_HEX_LEN;
}

/* Strict standard base64 of a 133-byte point: exactly 180 characters,
 * "==" padded, and canonical (re-encoding gives the same text). */
static gboolean
decode_public_base64 (const char *b64,
                      guint8      out[ANY_COMPAT_PUBLIC_KEY_LEN])
{
  guint8 buf[ANY_COMPAT_PUBLIC_BASE64_LEN / 4 * 3 + 3];  /* g_base64_decode_step's bound */
  char check[(ANY_COMPAT_PUBLIC_KEY_LEN / 3 + 1) * 4 + 4];  /* g_base64_encode_step's bound */
  gint state = 0, save = 0;
  gsize n, m;

  if (strnlen (b64, ANY_COMPAT_PUBLIC_BASE64_LEN + 1) != ANY_COMPAT_PUBLIC_BASE64_LEN)
    return FALSE;
  for (gsize i = 0; i < ANY_COMPAT_PUBLIC_BASE64_LEN; i++)
    if (!g_ascii_isalnum (b64[i]) && b64[i] != '+' && b64[i] != '/' && b64[i] != '=')
      return FALSE;

  n = g_base64_decode_step (b64, ANY_COMPAT_PUBLIC_BASE64_LEN, buf, &state, (guint *) &save);
  if (n != ANY_COMPAT_PUBLIC_KEY_LEN)
    return FALSE;

  state = 0;
  save = 0;
  m = g_base64_encode_step (buf, n, FALSE, check, &state, &save);
  m += g_base64_encode_close (FALSE, check + m, &state, &save);
  if (m != ANY_COMPAT_PUBLIC_BASE64_LEN || memcmp (check, b64, m) != 0)
    return FALSE;

  memcpy (out, buf, ANY_COMPAT_PUBLIC_KEY_LEN);
  return TRUE;
}

static AnyCompatSession *
session_new (const char *secret_hex,
             const char *session_hex)
{
  AnyCompatSession *session = g_new0 (AnyCompatSession, 1);

  memcpy (session->secret, secret_hex, ANY_COMPAT_SECRET_HEX_LEN);
  memcpy (session->session, session_hex, ANY_COMPAT_SESSION_HEX_LEN);
  hmac_sha256_set_key (&session->keyed, ANY_COMPAT_SECRET_HEX_LEN,
                       (const guint8 *) session->secret);
  return session;
}

gboolean
any_compat_derive (const AnyCompatKeypair  *keypair,
                   const char              *peer_public_base64,
                   const char              *nonce_concat,
                   const char              *initiator_id,
                   AnyCompatSession       **out_session,
                   GError                 **error)
{
  guint8 point[ANY_COMPAT_PUBLIC_KEY_LEN];
  guint8 shared[ANY_COMPAT_SHARED_LEN];
  guint8 session_key[32];
  char secret_hex[ANY_COMPAT_SECRET_HEX_LEN];
  char session_hex[ANY_COMPAT_SESSION_HEX_LEN];
  g_autofree char *salt = NULL;

  g_return_val_if_fail (keypair != NULL, FALSE);
  g_return_val_if_fail (peer_public_base64 != NULL, FALSE);
  g_return_val_if_fail (nonce_concat != NULL, FALSE);
  g_return_val_if_fail (initiator_id != NULL, FALSE);
  g_return_val_if_fail (out_session != NULL && *out_session == NULL, FALSE);

  if (!decode_public_base64 (peer_public_base64, point))
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY,
                           "the peer's E2E key is not the base64 of a 133-byte point");
      return FALSE;
    }
  if (!any_compat_keypair_compute_shared (keypair, point, sizeof point, shared, error))
    return FALSE;

  /* secret = hex (shared).substr (0, 128): the first 64 bytes. */
  any_crypto_hex_encode (shared, ANY_COMPAT_SECRET_HEX_LEN / 2, secret_hex);

  salt = g_strconcat (initiator_id, "_0", NULL);
  any_crypto_pbkdf2_hmac_sha256 (nonce_concat, strlen (nonce_concat),
                                 salt, strlen (salt), 1,
                                 session_key, sizeof session_key);
  any_crypto_hex_encode (session_key, sizeof session_key, session_hex);

  *out_session = session_new (secret_hex, session_hex);

  any_crypto_wipe (shared, sizeof shared);
  any_crypto_wipe (secret_hex, sizeof secret_hex);
  any_crypto_wipe (session_key, sizeof session_key);
  any_crypto_wipe (session_hex, sizeof session_hex);
  return TRUE;
}

static gboolean
is_hex_string (const char *s,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return s[len] == '\0';
}

AnyCompatSession *
any_compat_session_new_from_strings (const char *secret_hex,
                                     const char *session_hex)
{
  g_return_val_if_fail (secret_hex != NULL && session_hex != NULL, NULL);

  if (strnlen (secret_hex, ANY_COMPAT_SECRET_HEX_LEN + 1) != ANY_COMPAT_SECRET_HEX_LEN
      || !is_hex_string (secret_hex, ANY_COMPAT_SECRET_HEX_LEN)
      || strnlen (session_hex, ANY_COMPAT_SESSION_HEX_LEN + 1) != ANY_COMPAT_SESSION_HEX_LEN
      || !is_hex_string (session_hex, ANY_COMPAT_SESSION_HEX_LEN))
    return NULL;
  return session_new (secret_hex, session_hex);
}

void
any_compat_session_free (AnyCompatSession *session)
{
  if (session == NULL)
    return;
  any_crypto_wipe (session, sizeof *session);
  g_free (session);
}

const char *
any_compat_session_get_secret (const AnyCompatSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->secret;
}

const char *
any_compat_session_get_session (const AnyCompatSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->session;
}

void
any_compat_session_chunk_key (const AnyCompatSession *session,
                              gint32                  seq,
                              guint8                  key[32])
{
  /* session + "_" + decimal (|seq|); |INT32_MIN| = 2147483648 (10 digits),
   * as JavaScript's Math.abs gives it. */
  char salt[ANY_COMPAT_SESSION_HEX_LEN + 1 + 10 + 1];
  struct hmac_sha256_ctx ctx;
  gint64 abs_seq = ABS ((gint64) seq);
  int n;

  memcpy (salt, session->session, ANY_COMPAT_SESSION_HEX_LEN);
  salt[ANY_COMPAT_SESSION_HEX_LEN] = '_';
  n = g_snprintf (salt + ANY_COMPAT_SESSION_HEX_LEN + 1,
                  sizeof salt - ANY_COMPAT_SESSION_HEX_LEN - 1,
                  "%" G_GINT64_FORMAT, abs_seq);

  ctx = session->keyed;
  pbkdf2 (&ctx, (nettle_hash_update_func *) hmac_sha256_update,
          (nettle_hash_digest_func *) hmac_sha256_digest,
          SHA256_DIGEST_SIZE, 1,
          ANY_COMPAT_SESSION_HEX_LEN + 1 + (gsize) n, (const guint8 *) salt,
          32, key);
  any_crypto_wipe (&ctx, sizeof ctx);
}

void
any_compat_encrypt_with_iv (const AnyCompatSession *session,
                            gint32                  seq,
                            const guint8            iv[ANY_COMPAT_IV_LEN],
                            const guint8           *plaintext,
                            gsize                   len,
                            GString                *out_hex_body)
{
  guint8 key[32];
  gsize ct_len = len + ANY_CRYPTO_AES_BLOCK - len % ANY_CRYPTO_AES_BLOCK;
  gsize old;
  char *base;
  guint8 *raw;

  g_return_if_fail (session != NULL);
  g_return_if_fail (plaintext != NULL || len == 0);
  g_return_if_fail (out_hex_body != NULL);

  any_compat_session_chunk_key (session, seq, key);

  /* Grow the output once: hex (iv), then room for hex (ciphertext). The
   * raw ciphertext goes into the back half of that room and is expanded
   * to hex from the front; byte i is read before positions 2i and 2i + 1
   * are written, and those never reach an unread byte. */
  old = out_hex_body->len;
  g_string_set_size (out_hex_body, old + 2 * ANY_COMPAT_IV_LEN + 2 * ct_len);
  base = out_hex_body->str + old;
  any_crypto_hex_encode (iv, ANY_COMPAT_IV_LEN, base);
  base += 2 * ANY_COMPAT_IV_LEN;
  raw = (guint8 *) base + ct_len;

  if (len == 0)
    plaintext = (const guint8 *) "";
  any_crypto_aes_cbc_pkcs7_encrypt (key, sizeof key, iv, plaintext, len, raw);
  any_crypto_hex_encode (raw, ct_len, base);

  any_crypto_wipe (key, sizeof key);
}

void
any_compat_encrypt (const AnyCompatSession *session,
                    gint32                  seq,
                    const guint8           *plaintext,
                    gsize                   len,
                    GString                *out_hex_body)
{
  guint8 iv[ANY_COMPAT_IV_LEN];

  any_crypto_random (iv, sizeof iv, FALSE);
  any_compat_encrypt_with_iv (session, seq, iv, plaintext, len, out_hex_body);
}

gboolean
any_compat_decrypt (const AnyCompatSession  *session,
                    gint32                   seq,
                    const char              *hex_body,
                    gsize                    len,
                    GString                 *out_plain,
                    GError                 **error)
{
  guint8 key[32];
  guint8 iv[ANY_COMPAT_IV_LEN];
  gsize ct_len, old, plain_len = 0;
  guint8 *buf;
  gboolean ok;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (hex_body != NULL || len == 0, FALSE);
  g_return_val_if_fail (out_plain != NULL, FALSE);

  if (len < 2 * (ANY_COMPAT_IV_LEN + ANY_CRYPTO_AES_BLOCK)
      || (len - 2 * ANY_COMPAT_IV_LEN) % (2 * ANY_CRYPTO_AES_BLOCK) != 0)
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                   "encrypted chunk body of %" G_GSIZE_FORMAT " characters is not hex (iv) + hex (AES blocks)",
                   len);
      return FALSE;
    }
  if (!any_crypto_hex_decode (hex_body, 2 * ANY_COMPAT_IV_LEN, iv))
    goto bad_hex;

  ct_len = (len - 2 * ANY_COMPAT_IV_LEN) / 2;
  old = out_plain->len;
  g_string_set_size (out_plain, old + ct_len);
  buf = (guint8 *) out_plain->str + old;

  if (!any_crypto_hex_decode (hex_body + 2 * ANY_COMPAT_IV_LEN, 2 * ct_len, buf))
    {
      g_string_truncate (out_plain, old);
      goto bad_hex;
    }

  any_compat_session_chunk_key (session, seq, key);
  ok = any_crypto_aes_cbc_pkcs7_decrypt (key, sizeof key, iv, buf, ct_len,
                                         buf, &plain_len, error);
  any_crypto_wipe (key, sizeof key);
  if (!ok)
    {
      g_string_truncate (out_plain, old);
      return FALSE;
    }

  /* The padding bytes past the new end are not secret. */
  g_string_truncate (out_plain, old + plain_len);
  return TRUE;

bad_hex:
  g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                       "encrypted chunk body is not hex");
  return FALSE;
}

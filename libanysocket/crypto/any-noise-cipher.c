/* any-noise-cipher.c: Noise's CipherState (5.1) and SymmetricState (5.2)
 *
 * Two cipher functions (Noise section 12): ChaChaPoly and AESGCM, both
 * nettle's, called directly: the key is set once per cipher, and a chunk
 * costs a nonce, the AD, the data and the tag, where GnuTLS's AEAD
 * wrapper added about 1k instructions of its own to every call. The
 * HandshakeState that drives the SymmetricState is in any-noise.c.
 *
 * Why AESGCM (issue 17): nettle's fat build uses AES-NI and PCLMULQDQ
 * where the CPU has them ("libnettle: using aes instructions", "using
 * pclmulqdq instructions" with NETTLE_FAT_VERBOSE=1). Measured with a
 * 20-line program over 1 MiB buffers (seal = set nonce, 6 bytes of AD,
 * encrypt, tag), nettle 3.8.1, the 2-core VM of this project, shared and
 * loaded: AES-256-GCM 610 MB/s sealing and 685 MB/s opening,
 * ChaCha20-Poly1305 95 MB/s in the same run (230-320 MB/s when the
 * machine was quieter), memcpy 86 GB/s. AESGCM is chosen when both
 * peers list it (protocol/any-e2e.c); ChaChaPoly stays for CPUs without
 * AES instructions and for older peers.
 *
 * Big AESGCM chunks go through GnuTLS instead (issue 17, a 10 MiB binary
 * message at 1 GB/s): a profile of the sender put 24% of its CPU in
 * nettle's GHASH and 10% in its AES, and GnuTLS's x86-64 AES-GCM (AES and
 * GHASH stitched in one pass) seals 2.3-2.7 times faster. Measured with
 * /tmp/gcmsmall.c (seal = nonce, 6 bytes of AD, data, tag; one core of
 * this VM, loaded, 2026-12-07), ns per seal, nettle 3.8.1 / GnuTLS 3.7.9:
 * 40 bytes 85-99 / 128-151, 200 bytes 128-161 / 151-192, 512 bytes
 * 266-270 / 174-232, 4 KiB 1944-1959 / 866-940, 1 MiB 487-500 k / 203-206 k
 * (opening with GnuTLS: the same). The wrapper's fixed cost (about 50 ns)
 * makes it slower below about 300 bytes: chunks from GNUTLS_FROM bytes
 * on take GnuTLS, smaller ones (every request of a chat or an RPC) stay on
 * nettle. Both compute the same AEAD; each chunk is sealed and opened
 * whole by one of them.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <nettle/sha2.h>
#include <nettle/chacha-poly1305.h>
#include <nettle/gcm.h>
#include <nettle/nettle-meta.h>
#include <nettle/memops.h>
#include <gnutls/crypto.h>

#include "crypto/any-noise-cipher.h"

#define HASHLEN ANY_NOISE_HASH_LEN
#define TAGLEN  ANY_NOISE_TAG_LEN
#define NONCE_LEN 12

/* AESGCM chunks from this size on are sealed and opened by GnuTLS (see
 * the top of the file). */
#define GNUTLS_FROM 512

/* --- CipherState (5.1) -------------------------------------------------- */

struct _AnyNoiseCipher {
  guint8 k[ANY_NOISE_KEY_LEN];
  gboolean has_key;
  guint64 n;
  AnyNoiseCipherSuite suite;
  union {
    struct chacha_poly1305_ctx chachapoly;
    struct gcm_aes256_ctx aesgcm;
  } ctx;
  /* AESGCM: GnuTLS's handle of the same key, made at the first big chunk. */
  gnutls_aead_cipher_hd_t big;
};

/* nettle's descriptions of the two AEADs, indexed by AnyNoiseCipherSuite:
 * one code path for both, through their function pointers. */
static const struct nettle_aead * const aeads[] = {
  [ANY_NOISE_CIPHER_CHACHAPOLY] = &nettle_chacha_poly1305,
  [ANY_NOISE_CIPHER_AESGCM] = &nettle_gcm_aes256,
};

static void
cipher_clear (AnyNoiseCipher *cs)
{
  if (cs->big != NULL)
    gnutls_aead_cipher_deinit (cs->big);
  any_crypto_wipe (cs, sizeof *cs);
}

/* GnuTLS's handle for a chunk of @len bytes, or NULL: nettle's turn. */
static gnutls_aead_cipher_hd_t
big_cipher (AnyNoiseCipher *cs,
            gsize           len)
{
  gnutls_datum_t key = { cs->k, ANY_NOISE_KEY_LEN };

  if (cs->suite != ANY_NOISE_CIPHER_AESGCM || len < GNUTLS_FROM)
    return NULL;
  if (cs->big == NULL && gnutls_aead_cipher_init (&cs->big, GNUTLS_CIPHER_AES_256_GCM, &key) < 0)
    cs->big = NULL;   /* refused (a FIPS policy...): nettle does it all */
  return cs->big;
}

/* InitializeKey (key): also used for an embedded CipherState. */
static gboolean
cipher_initialize_key (AnyNoiseCipher  *cs,
                       const guint8     key[ANY_NOISE_KEY_LEN],
                       GError         **error)
{
  AnyNoiseCipherSuite suite = cs->suite;

  cipher_clear (cs);
  cs->suite = suite;
  memcpy (cs->k, key, ANY_NOISE_KEY_LEN);
  aeads[suite]->set_encrypt_key (&cs->ctx, cs->k);
  cs->has_key = TRUE;
  cs->n = 0;
  return TRUE;
}

/* The nonce of counter @n: 32 bits of zeros, then the 64-bit counter,
 * little-endian for ChaChaPoly (12.3), big-endian for AESGCM (12.4). */
static void
cipher_nonce (AnyNoiseCipherSuite suite,
              guint64             n,
              guint8              out[NONCE_LEN])
{
  memset (out, 0, 4);
  for (guint i = 0; i < 8; i++)
    out[suite == ANY_NOISE_CIPHER_AESGCM ? 11 - i : 4 + i] = (guint8) (n >> (8 * i));
}

/* The one place that seals and the one that opens, for a cipher whose
 * key is set: every CipherState goes through them, and so does the
 * one-shot any_noise_aead_seal() / _open() that the Wycheproof vectors
 * test (tests/crypto). Seal writes ciphertext || tag (@len + 16 bytes). */
static void
aead_seal (AnyNoiseCipher *cs,
           const guint8    nonce[NONCE_LEN],
           const guint8   *ad,
           gsize           ad_len,
           const guint8   *plaintext,
           gsize           len,
           guint8         *out)
{
  const struct nettle_aead *aead = aeads[cs->suite];
  gnutls_aead_cipher_hd_t big = big_cipher (cs, len);

  if (big != NULL)
    {
      size_t out_len = len + TAGLEN;

      if (gnutls_aead_cipher_encrypt (big, nonce, NONCE_LEN, ad, ad_len, TAGLEN, plaintext, len, out, &out_len) == 0 &&
          out_len == len + TAGLEN)
        return;
      g_error ("GnuTLS AES-GCM failed to seal %" G_GSIZE_FORMAT " bytes", len);
    }
  aead->set_nonce (&cs->ctx, nonce);
  aead->update (&cs->ctx, ad_len, ad);
  aead->encrypt (&cs->ctx, len, out, plaintext);
  aead->digest (&cs->ctx, TAGLEN, out + len);
}

/* Opens @plain_len bytes of ciphertext followed by their tag into @out.
 * nettle writes the plaintext before the tag can be checked: on a bad
 * tag it is wiped and FALSE returned, never to be used. */
static gboolean
aead_open (AnyNoiseCipher *cs,
           const guint8    nonce[NONCE_LEN],
           const guint8   *ad,
           gsize           ad_len,
           const guint8   *ciphertext,
           gsize           plain_len,
           guint8         *out)
{
  const struct nettle_aead *aead = aeads[cs->suite];
  gnutls_aead_cipher_hd_t big = big_cipher (cs, plain_len);
  guint8 tag[TAGLEN];

  if (big != NULL)
    {
      size_t out_len = plain_len;

      if (gnutls_aead_cipher_decrypt (big, nonce, NONCE_LEN, ad, ad_len, TAGLEN, ciphertext, plain_len + TAGLEN,
                                      out, &out_len) == 0 && out_len == plain_len)
        return TRUE;
      any_crypto_wipe (out, plain_len);
      return FALSE;
    }
  aead->set_nonce (&cs->ctx, nonce);
  aead->update (&cs->ctx, ad_len, ad);
  aead->decrypt (&cs->ctx, plain_len, out, ciphertext);
  aead->digest (&cs->ctx, TAGLEN, tag);
  if (!memeql_sec (tag, ciphertext + plain_len, TAGLEN))
    {
      if (plain_len > 0)
        any_crypto_wipe (out, plain_len);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_nonce_len (gsize    nonce_len,
                 GError **error)
{
  if (nonce_len != NONCE_LEN)
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                   "AEAD nonce must be 12 bytes, not %" G_GSIZE_FORMAT, nonce_len);
      return FALSE;
    }
  return TRUE;
}

gboolean
any_noise_aead_seal (AnyNoiseCipherSuite   suite,
                     const guint8         *key,
                     const guint8         *nonce,
                     gsize                 nonce_len,
                     const guint8         *ad,
                     gsize                 ad_len,
                     const guint8         *plaintext,
                     gsize                 len,
                     guint8               *out,
                     GError              **error)
{
  AnyNoiseCipher cs = { .suite = suite };

  if (!check_nonce_len (nonce_len, error))
    return FALSE;
  cipher_initialize_key (&cs, key, NULL);
  aead_seal (&cs, nonce, ad, ad_len, plaintext, len, out);
  cipher_clear (&cs);
  return TRUE;
}

gboolean
any_noise_aead_open (AnyNoiseCipherSuite   suite,
                     const guint8         *key,
                     const guint8         *nonce,
                     gsize                 nonce_len,
                     const guint8         *ad,
                     gsize                 ad_len,
                     const guint8         *ciphertext,
                     gsize                 len,
                     guint8               *out,
                     GError              **error)
{
  AnyNoiseCipher cs = { .suite = suite };
  gboolean ok;

  if (nonce_len == NONCE_LEN && len < TAGLEN)
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT,
                   "%s ciphertext shorter than its tag", aeads[suite]->name);
      return FALSE;
    }
  if (!check_nonce_len (nonce_len, error))
    return FALSE;
  cipher_initialize_key (&cs, key, NULL);
  ok = aead_open (&cs, nonce, ad, ad_len, ciphertext, len - TAGLEN, out);
  cipher_clear (&cs);
  if (!ok)
    g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT,
                 "%s authentication failed", aeads[suite]->name);
  return ok;
}

/* ENCRYPT (k, n, ad, plaintext) into @out (@len + 16 bytes). */
static void
cipher_raw_encrypt (AnyNoiseCipher  *cs,
                    guint64          n,
                    const guint8    *ad,
                    gsize            ad_len,
                    const guint8    *plaintext,
                    gsize            len,
                    guint8          *out)
{
  guint8 nonce[NONCE_LEN];

  cipher_nonce (cs->suite, n, nonce);
  aead_seal (cs, nonce, ad, ad_len, plaintext, len, out);
}

static gboolean
check_nonce (const AnyNoiseCipher  *cs,
             GError               **error)
{
  if (cs->n == ANY_NOISE_MAX_NONCE)
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_STATE,
                           "Noise cipher nonce exhausted (2^64 - 1 is reserved)");
      return FALSE;
    }
  return TRUE;
}

/* EncryptWithAd into @out (@len + 16 bytes), which must not overlap @ad
 * or @plaintext: the caller's own buffer, with no copy. */
gboolean
any_noise_cipher_encrypt_to (AnyNoiseCipher  *cs,
                             const guint8    *ad,
                             gsize            ad_len,
                             const guint8    *plaintext,
                             gsize            len,
                             guint8          *out,
                             GError         **error)
{
  g_return_val_if_fail (cs != NULL && cs->has_key, FALSE);

  if (!check_nonce (cs, error))
    return FALSE;
  cipher_raw_encrypt (cs, cs->n, ad, ad_len, plaintext, len, out);
  cs->n++;
  return TRUE;
}

static gboolean
cipher_encrypt_with_ad (AnyNoiseCipher  *cs,
                        const guint8    *ad,
                        gsize            ad_len,
                        const guint8    *plaintext,
                        gsize            len,
                        GByteArray      *out,
                        GError         **error)
{
  guint old = out->len;

  if (!cs->has_key)
    {
      g_byte_array_append (out, plaintext, (guint) len);
      return TRUE;
    }
  if (!check_nonce (cs, error))
    return FALSE;
  if (len > G_MAXUINT - TAGLEN - old)
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                           "Noise message too long");
      return FALSE;
    }

  g_byte_array_set_size (out, old + (guint) len + TAGLEN);
  cipher_raw_encrypt (cs, cs->n, ad, ad_len, plaintext, len, out->data + old);
  cs->n++;
  return TRUE;
}

static gboolean
cipher_decrypt_with_ad (AnyNoiseCipher  *cs,
                        const guint8    *ad,
                        gsize            ad_len,
                        const guint8    *ciphertext,
                        gsize            len,
                        GByteArray      *out,
                        GError         **error)
{
  guint8 nonce[NONCE_LEN];
  guint8 dummy[1];
  guint old = out->len;
  size_t plain_len;
  guint8 *dst;

  if (!cs->has_key)
    {
      g_byte_array_append (out, ciphertext, (guint) len);
      return TRUE;
    }
  if (!check_nonce (cs, error))
    return FALSE;
  if (len < TAGLEN)
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT,
                           "Noise ciphertext shorter than its tag");
      return FALSE;
    }
  if (len - TAGLEN > G_MAXUINT - old)
    {
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                           "Noise message too long");
      return FALSE;
    }

  plain_len = len - TAGLEN;
  g_byte_array_set_size (out, old + (guint) plain_len);
  /* An empty plaintext goes to @dummy: an empty array may have no data
   * at all. */
  dst = plain_len > 0 ? out->data + old : dummy;

  cipher_nonce (cs->suite, cs->n, nonce);
  if (!aead_open (cs, nonce, ad, ad_len, ciphertext, plain_len, dst))
    {
      /* aead_open() wiped what it wrote */
      g_byte_array_set_size (out, old);
      g_set_error_literal (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT,
                           "Noise message authentication failed");
      return FALSE;
    }
  cs->n++;
  return TRUE;
}

AnyNoiseCipher *
any_noise_cipher_new (const guint8   key[ANY_NOISE_KEY_LEN],
                      GError       **error)
{
  return any_noise_cipher_new_full (ANY_NOISE_CIPHER_CHACHAPOLY, key, error);
}

AnyNoiseCipher *
any_noise_cipher_new_full (AnyNoiseCipherSuite   suite,
                           const guint8          key[ANY_NOISE_KEY_LEN],
                           GError              **error)
{
  AnyNoiseCipher *cipher;

  g_return_val_if_fail (key != NULL, NULL);

  cipher = g_new0 (AnyNoiseCipher, 1);
  cipher->suite = suite;
  if (!cipher_initialize_key (cipher, key, error))
    {
      g_free (cipher);
      return NULL;
    }
  return cipher;
}

void
any_noise_cipher_free (AnyNoiseCipher *cipher)
{
  if (cipher == NULL)
    return;
  cipher_clear (cipher);
  g_free (cipher);
}

gboolean
any_noise_cipher_encrypt_with_ad (AnyNoiseCipher  *cipher,
                                  const guint8    *ad,
                                  gsize            ad_len,
                                  const guint8    *plaintext,
                                  gsize            len,
                                  GByteArray      *out,
                                  GError         **error)
{
  g_return_val_if_fail (cipher != NULL && cipher->has_key, FALSE);
  g_return_val_if_fail (ad != NULL || ad_len == 0, FALSE);
  g_return_val_if_fail (plaintext != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return cipher_encrypt_with_ad (cipher, ad, ad_len, plaintext, len, out, error);
}

gboolean
any_noise_cipher_decrypt_with_ad (AnyNoiseCipher  *cipher,
                                  const guint8    *ad,
                                  gsize            ad_len,
                                  const guint8    *ciphertext,
                                  gsize            len,
                                  GByteArray      *out,
                                  GError         **error)
{
  g_return_val_if_fail (cipher != NULL && cipher->has_key, FALSE);
  g_return_val_if_fail (ad != NULL || ad_len == 0, FALSE);
  g_return_val_if_fail (ciphertext != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return cipher_decrypt_with_ad (cipher, ad, ad_len, ciphertext, len, out, error);
}

/* REKEY (k) (5.1 and 12.3 default): ENCRYPT (k, maxnonce, zerolen, zeros). */
gboolean
any_noise_cipher_rekey (AnyNoiseCipher  *cipher,
                        GError         **error)
{
  static const guint8 zeros[ANY_NOISE_KEY_LEN] = { 0 };
  guint8 block[ANY_NOISE_KEY_LEN + TAGLEN];
  guint64 n;
  gboolean ok;

  g_return_val_if_fail (cipher != NULL && cipher->has_key, FALSE);

  cipher_raw_encrypt (cipher, ANY_NOISE_MAX_NONCE, NULL, 0, zeros, sizeof zeros, block);

  n = cipher->n;
  ok = cipher_initialize_key (cipher, block, error);
  cipher->n = n;
  any_crypto_wipe (block, sizeof block);
  return ok;
}

AnyNoiseCipherSuite
any_noise_cipher_get_suite (const AnyNoiseCipher *cipher)
{
  g_return_val_if_fail (cipher != NULL, ANY_NOISE_CIPHER_CHACHAPOLY);
  return cipher->suite;
}

guint64
any_noise_cipher_get_nonce (const AnyNoiseCipher *cipher)
{
  g_return_val_if_fail (cipher != NULL, 0);
  return cipher->n;
}

void
any_noise_cipher_set_nonce (AnyNoiseCipher *cipher,
                            guint64         nonce)
{
  g_return_if_fail (cipher != NULL);
  cipher->n = nonce;
}

/* --- SymmetricState (5.2) ----------------------------------------------- */

struct _AnyNoiseSymmetricState {
  AnyNoiseCipher cs;
  guint8 ck[HASHLEN];
  guint8 h[HASHLEN];
};

/* InitializeSymmetric (protocol_name) */
AnyNoiseSymmetricState *
_any_noise_symmetric_new (AnyNoiseCipherSuite  suite,
                          const char          *protocol_name)
{
  AnyNoiseSymmetricState *ss = g_new0 (AnyNoiseSymmetricState, 1);
  gsize len = strlen (protocol_name);

  ss->cs.suite = suite;
  if (len <= HASHLEN)
    memcpy (ss->h, protocol_name, len);  /* zero-padded */
  else
    any_crypto_sha256 (protocol_name, len, ss->h);
  memcpy (ss->ck, ss->h, HASHLEN);
  return ss;
}

void
_any_noise_symmetric_free (AnyNoiseSymmetricState *ss)
{
  if (ss == NULL)
    return;
  cipher_clear (&ss->cs);
  any_crypto_wipe (ss, sizeof *ss);
  g_free (ss);
}

gboolean
_any_noise_symmetric_has_key (const AnyNoiseSymmetricState *ss)
{
  return ss->cs.has_key;
}

const guint8 *
_any_noise_symmetric_get_hash (const AnyNoiseSymmetricState *ss)
{
  return ss->h;
}

void
_any_noise_symmetric_mix_hash (AnyNoiseSymmetricState *ss,
                               const guint8           *data,
                               gsize                   len)
{
  struct sha256_ctx ctx;

  sha256_init (&ctx);
  sha256_update (&ctx, HASHLEN, ss->h);
  sha256_update (&ctx, len, data);
  sha256_digest (&ctx, HASHLEN, ss->h);
}

/* HKDF (chaining_key, ikm, 2) (4.3) is RFC 5869 with salt = ck and an
 * empty info. */
static void
noise_hkdf2 (const guint8  ck[HASHLEN],
             const guint8 *ikm,
             gsize         ikm_len,
             guint8        out[2 * HASHLEN])
{
  gboolean ok = any_crypto_hkdf_sha256 (ck, HASHLEN, ikm, ikm_len, NULL, 0, out, 2 * HASHLEN);

  g_assert (ok);
}

gboolean
_any_noise_symmetric_mix_key (AnyNoiseSymmetricState  *ss,
                              const guint8            *ikm,
                              gsize                    ikm_len,
                              GError                 **error)
{
  guint8 out[2 * HASHLEN];
  gboolean ok;

  noise_hkdf2 (ss->ck, ikm, ikm_len, out);
  memcpy (ss->ck, out, HASHLEN);
  ok = cipher_initialize_key (&ss->cs, out + HASHLEN, error);  /* HASHLEN == 32: no truncation */
  any_crypto_wipe (out, sizeof out);
  return ok;
}

gboolean
_any_noise_symmetric_encrypt_and_hash (AnyNoiseSymmetricState  *ss,
                                       const guint8            *plaintext,
                                       gsize                    len,
                                       GByteArray              *out,
                                       GError                 **error)
{
  guint old = out->len;

  if (!cipher_encrypt_with_ad (&ss->cs, ss->h, HASHLEN, plaintext, len, out, error))
    return FALSE;
  _any_noise_symmetric_mix_hash (ss, out->data + old, out->len - old);
  return TRUE;
}

gboolean
_any_noise_symmetric_decrypt_and_hash (AnyNoiseSymmetricState  *ss,
                                       const guint8            *ciphertext,
                                       gsize                    len,
                                       GByteArray              *out,
                                       GError                 **error)
{
  if (!cipher_decrypt_with_ad (&ss->cs, ss->h, HASHLEN, ciphertext, len, out, error))
    return FALSE;
  _any_noise_symmetric_mix_hash (ss, ciphertext, len);
  return TRUE;
}

void
_any_noise_symmetric_clear (AnyNoiseSymmetricState *ss)
{
  cipher_clear (&ss->cs);
  any_crypto_wipe (ss->ck, sizeof ss->ck);
}

/* Split () (5.2): the two CipherStates of the transport phase, for the
 * initiator's and for the responder's messages; wipes the chaining key
 * (h stays readable, for channel binding). */
gboolean
_any_noise_symmetric_split (AnyNoiseSymmetricState  *ss,
                            AnyNoiseCipher         **out_c1,
                            AnyNoiseCipher         **out_c2,
                            GError                 **error)
{
  guint8 keys[2 * HASHLEN];
  g_autoptr(AnyNoiseCipher) c1 = NULL;
  g_autoptr(AnyNoiseCipher) c2 = NULL;

  noise_hkdf2 (ss->ck, NULL, 0, keys);
  c1 = any_noise_cipher_new_full (ss->cs.suite, keys, error);
  if (c1 != NULL)
    c2 = any_noise_cipher_new_full (ss->cs.suite, keys + HASHLEN, error);
  any_crypto_wipe (keys, sizeof keys);
  _any_noise_symmetric_clear (ss);
  if (c2 == NULL)
    return FALSE;
  *out_c1 = g_steal_pointer (&c1);
  *out_c2 = g_steal_pointer (&c2);
  return TRUE;
}

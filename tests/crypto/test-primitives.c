/* test-primitives.c: known answers for the crypto layer's primitives
 *
 * Wycheproof vectors (tests/crypto/vectors/wycheproof): PBKDF2-HMAC-SHA256,
 * HKDF-SHA256, AES-CBC-PKCS#5, X25519, ChaCha20-Poly1305 and AES-256-GCM
 * (through the Noise CipherState's own seal and open, the code native
 * E2EE runs); plus
 * the strict hex codec. Every vector of each file runs; "valid" must pass, "invalid"
 * must be rejected; what "acceptable" means here is said at each test.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <nettle/gcm.h>

#include "crypto/any-crypto.h"
#include "crypto/any-noise.h"
#include "vectors.h"

typedef struct {
  guint valid;
  guint invalid;
  guint acceptable;
} Counts;

static void
count (Counts       *counts,
       VectorResult  r)
{
  if (r == VECTOR_VALID)
    counts->valid++;
  else if (r == VECTOR_INVALID)
    counts->invalid++;
  else
    counts->acceptable++;
}

static void
check_total (JsonNode     *root,
             const Counts *counts,
             const char   *what)
{
  gint64 n = json_object_get_int_member (json_node_get_object (root), "numberOfTests");

  g_test_message ("%s: %u valid, %u invalid, %u acceptable vectors (of %" G_GINT64_FORMAT ")",
                  what, counts->valid, counts->invalid, counts->acceptable, n);
  g_assert_cmpint (counts->valid + counts->invalid + counts->acceptable, ==, n);
}

/* --- hex ------------------------------------------------------------- */

static void
test_hex (void)
{
  guint8 out[8];
  g_autoptr(GString) s = g_string_new ("x");
  static const guint8 bytes[] = { 0x00, 0x7f, 0x80, 0xff, 0xab };

  any_crypto_hex_append (s, bytes, sizeof bytes);
  g_assert_cmpstr (s->str, ==, "x007f80ffab");

  g_assert_true (any_crypto_hex_decode ("007F80ffAb", 10, out));
  g_assert_cmpmem (out, 5, bytes, sizeof bytes);
  g_assert_true (any_crypto_hex_decode ("", 0, out));

  g_assert_false (any_crypto_hex_decode ("0", 1, out));        /* odd */
  g_assert_false (any_crypto_hex_decode ("0g", 2, out));       /* not hex */
  g_assert_false (any_crypto_hex_decode (" 0", 2, out));
  g_assert_false (any_crypto_hex_decode ("0x00", 4, out));
  g_assert_false (any_crypto_hex_decode ("00\0" "0", 4, out)); /* NUL inside */

  g_assert_true (any_crypto_equal ("abc", "abc", 3));
  g_assert_false (any_crypto_equal ("abc", "abd", 3));
}

/* --- PBKDF2-HMAC-SHA256 ---------------------------------------------- */

static void
pbkdf2_one (JsonObject   *group,
            JsonObject   *test,
            VectorResult  result,
            gpointer      user_data)
{
  gsize pw_len, salt_len, dk_len;
  g_autofree guint8 *pw = vectors_member_hex (test, "password", &pw_len);
  g_autofree guint8 *salt = vectors_member_hex (test, "salt", &salt_len);
  g_autofree guint8 *dk = vectors_member_hex (test, "dk", &dk_len);
  guint iterations = (guint) json_object_get_int_member (test, "iterationCount");
  gsize want = (gsize) json_object_get_int_member (test, "dkLen");
  g_autofree guint8 *out = g_malloc (want);

  count (user_data, result);
  g_assert_cmpint (result, ==, VECTOR_VALID);  /* the file has only valid ones */

  any_crypto_pbkdf2_hmac_sha256 (pw, pw_len, salt, salt_len, iterations, out, want);
  g_assert_cmpmem (out, want, dk, dk_len);
}

static void
test_pbkdf2 (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/pbkdf2_hmacsha256_test.json");
  Counts counts = { 0 };

  vectors_foreach_wycheproof (root, pbkdf2_one, &counts);
  check_total (root, &counts, "pbkdf2_hmacsha256");
}

/* --- HKDF-SHA256 ----------------------------------------------------- */

static void
hkdf_one (JsonObject   *group,
          JsonObject   *test,
          VectorResult  result,
          gpointer      user_data)
{
  gsize ikm_len, salt_len, info_len, okm_len;
  g_autofree guint8 *ikm = vectors_member_hex (test, "ikm", &ikm_len);
  g_autofree guint8 *salt = vectors_member_hex (test, "salt", &salt_len);
  g_autofree guint8 *info = vectors_member_hex (test, "info", &info_len);
  g_autofree guint8 *okm = vectors_member_hex (test, "okm", &okm_len);
  gsize size = (gsize) json_object_get_int_member (test, "size");
  g_autofree guint8 *out = g_malloc0 (size + 1);
  gboolean ok;

  count (user_data, result);
  ok = any_crypto_hkdf_sha256 (salt, salt_len, ikm, ikm_len, info, info_len, out, size);
  if (result == VECTOR_VALID)
    {
      g_assert_true (ok);
      g_assert_cmpmem (out, size, okm, okm_len);
    }
  else
    {
      /* The invalid ones ask for more than 255 * HashLen bytes. */
      g_assert_false (ok);
    }
}

static void
test_hkdf (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/hkdf_sha256_test.json");
  Counts counts = { 0 };

  vectors_foreach_wycheproof (root, hkdf_one, &counts);
  check_total (root, &counts, "hkdf_sha256");
}

/* --- AES-CBC-PKCS#5 -------------------------------------------------- */

typedef struct {
  Counts counts;
  guint by_key_size[33];
} AesCounts;

static void
aes_one (JsonObject   *group,
         JsonObject   *test,
         VectorResult  result,
         gpointer      user_data)
{
  AesCounts *c = user_data;
  gsize key_len, iv_len, msg_len, ct_len, out_len = 0;
  g_autofree guint8 *key = vectors_member_hex (test, "key", &key_len);
  g_autofree guint8 *iv = vectors_member_hex (test, "iv", &iv_len);
  g_autofree guint8 *msg = vectors_member_hex (test, "msg", &msg_len);
  g_autofree guint8 *ct = vectors_member_hex (test, "ct", &ct_len);
  g_autofree guint8 *out = g_malloc (MAX (msg_len, ct_len) + 16);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  count (&c->counts, result);
  g_assert_cmpuint (iv_len, ==, 16);
  g_assert_true (key_len == 16 || key_len == 24 || key_len == 32);
  c->by_key_size[key_len]++;

  if (result == VECTOR_VALID)
    {
      gsize n = any_crypto_aes_cbc_pkcs7_encrypt (key, key_len, iv, msg, msg_len, out);
      g_assert_cmpmem (out, n, ct, ct_len);

      ok = any_crypto_aes_cbc_pkcs7_decrypt (key, key_len, iv, ct, ct_len, out, &out_len, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpmem (out, out_len, msg, msg_len);

      /* In place, as the compat layer uses it. */
      memcpy (out, ct, ct_len);
      ok = any_crypto_aes_cbc_pkcs7_decrypt (key, key_len, iv, out, ct_len, out, &out_len, NULL);
      g_assert_true (ok);
      g_assert_cmpmem (out, out_len, msg, msg_len);
    }
  else
    {
      /* Bad padding (or no padding at all): must be refused. */
      g_assert_cmpint (result, ==, VECTOR_INVALID);
      ok = any_crypto_aes_cbc_pkcs7_decrypt (key, key_len, iv, ct, ct_len, out, &out_len, &error);
      g_assert_false (ok);
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT)
                     || g_error_matches (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT));
    }
}

static void
test_aes_cbc (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/aes_cbc_pkcs5_test.json");
  AesCounts c = { { 0 } };

  vectors_foreach_wycheproof (root, aes_one, &c);
  check_total (root, &c.counts, "aes_cbc_pkcs5");
  g_test_message ("aes_cbc_pkcs5 by key size: 128: %u, 192: %u, 256: %u",
                  c.by_key_size[16], c.by_key_size[24], c.by_key_size[32]);
  g_assert_cmpuint (c.by_key_size[32], >, 0);
}

static void
test_aes_cbc_edges (void)
{
  guint8 key[32] = { 1 }, iv[16] = { 2 }, buf[64] = { 0 }, out[64];
  gsize n, out_len;
  g_autoptr(GError) error = NULL;

  /* Zero length and non-block lengths are refused before decrypting. */
  g_assert_false (any_crypto_aes_cbc_pkcs7_decrypt (key, 32, iv, buf, 0, out, &out_len, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (any_crypto_aes_cbc_pkcs7_decrypt (key, 32, iv, buf, 17, out, &out_len, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Every padding length 1..16 round-trips; 0 and 17 are refused. */
  for (gsize len = 0; len <= 32; len++)
    {
      memset (buf, 'a', len);
      n = any_crypto_aes_cbc_pkcs7_encrypt (key, 32, iv, buf, len, out);
      g_assert_cmpuint (n, ==, len + 16 - len % 16);
      g_assert_true (any_crypto_aes_cbc_pkcs7_decrypt (key, 32, iv, out, n, out, &out_len, NULL));
      g_assert_cmpuint (out_len, ==, len);
      g_assert_cmpmem (out, out_len, buf, len);
    }

  /* A single block whose plaintext ends in 0x00 or 0x11: bad padding.
   * Plaintext block = D(C) ^ IV, so flipping the IV sets the last byte. */
  memset (buf, 16, 16);
  n = any_crypto_aes_cbc_pkcs7_encrypt (key, 32, iv, buf, 0, out);
  g_assert_cmpuint (n, ==, 16);
  for (guint bad = 0; bad < 256; bad++)
    {
      guint8 iv2[16];
      guint8 plain[16];
      gboolean ok;

      memcpy (iv2, iv, 16);
      iv2[15] ^= (guint8) (16 ^ bad);  /* last plaintext byte becomes @bad */
      ok = any_crypto_aes_cbc_pkcs7_decrypt (key, 32, iv2, out, 16, plain, &out_len, NULL);
      if (bad == 1)
        g_assert_true (ok);             /* 0x10 * 15 then 0x01: valid, 15 bytes */
      else if (bad == 16)
        g_assert_true (ok);             /* unchanged */
      else
        g_assert_false (ok);
    }
}

/* --- X25519 ---------------------------------------------------------- */

typedef struct {
  Counts counts;
  guint zero_rejected;
} X25519Counts;

static void
x25519_one (JsonObject   *group,
            JsonObject   *test,
            VectorResult  result,
            gpointer      user_data)
{
  X25519Counts *c = user_data;
  gsize pub_len, priv_len, shared_len;
  g_autofree guint8 *pub = vectors_member_hex (test, "public", &pub_len);
  g_autofree guint8 *priv = vectors_member_hex (test, "private", &priv_len);
  g_autofree guint8 *shared = vectors_member_hex (test, "shared", &shared_len);
  static const guint8 zeros[32] = { 0 };
  guint8 out[32];
  g_autoptr(GError) error = NULL;
  gboolean ok;

  count (&c->counts, result);
  g_assert_cmpuint (pub_len, ==, 32);
  g_assert_cmpuint (priv_len, ==, 32);
  g_assert_cmpuint (shared_len, ==, 32);

  ok = any_crypto_x25519 (priv, pub, out, &error);

  if (memcmp (shared, zeros, 32) == 0)
    {
      /* Low-order peer keys (flag ZeroSharedSecret, "acceptable" in
       * Wycheproof): we must refuse them, as Noise and RFC 7748 6.1
       * allow. */
      g_assert_true (vectors_has_flag (test, "ZeroSharedSecret"));
      g_assert_false (ok);
      g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
      c->zero_rejected++;
      return;
    }

  /* Valid, and the other "acceptable" ones (public keys on the twist,
   * non-canonical u >= p, high bit set): RFC 7748 says compute anyway,
   * masking the top bit and reducing mod p; so we must give the vector's
   * shared value. No vector in this file is "invalid". */
  g_assert_cmpint (result, !=, VECTOR_INVALID);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpmem (out, 32, shared, 32);
}

static void
test_x25519 (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/x25519_test.json");
  X25519Counts c = { { 0 } };
  /* RFC 7748 6.1 */
  g_autofree guint8 *a_priv = NULL, *a_pub = NULL, *b_priv = NULL, *b_pub = NULL, *k = NULL;
  guint8 out[32], shared[32];
  gsize n;

  vectors_foreach_wycheproof (root, x25519_one, &c);
  check_total (root, &c.counts, "x25519");
  g_test_message ("x25519: %u all-zero shared secrets rejected", c.zero_rejected);
  g_assert_cmpuint (c.zero_rejected, >, 0);

  a_priv = vectors_hex ("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", &n);
  a_pub = vectors_hex ("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", &n);
  b_priv = vectors_hex ("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", &n);
  b_pub = vectors_hex ("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", &n);
  k = vectors_hex ("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", &n);
  any_crypto_x25519_base (a_priv, out);
  g_assert_cmpmem (out, 32, a_pub, 32);
  any_crypto_x25519_base (b_priv, out);
  g_assert_cmpmem (out, 32, b_pub, 32);
  g_assert_true (any_crypto_x25519 (a_priv, b_pub, shared, NULL));
  g_assert_cmpmem (shared, 32, k, 32);
  g_assert_true (any_crypto_x25519 (b_priv, a_pub, shared, NULL));
  g_assert_cmpmem (shared, 32, k, 32);
}

/* --- ChaCha20-Poly1305 ----------------------------------------------- */

typedef struct {
  AnyNoiseCipherSuite suite;
  Counts counts;
  guint valid_checked;
  guint forged_rejected;
  guint bad_nonce_rejected;
  guint skipped_key_size;
} ChachaCounts;

static void
chacha_one (JsonObject   *group,
            JsonObject   *test,
            VectorResult  result,
            gpointer      user_data)
{
  ChachaCounts *c = user_data;
  gsize key_len, iv_len, aad_len, msg_len, ct_len, tag_len;
  g_autofree guint8 *key = vectors_member_hex (test, "key", &key_len);
  g_autofree guint8 *iv = vectors_member_hex (test, "iv", &iv_len);
  g_autofree guint8 *aad = vectors_member_hex (test, "aad", &aad_len);
  g_autofree guint8 *msg = vectors_member_hex (test, "msg", &msg_len);
  g_autofree guint8 *ct = vectors_member_hex (test, "ct", &ct_len);
  g_autofree guint8 *tag = vectors_member_hex (test, "tag", &tag_len);
  g_autofree guint8 *sealed = g_malloc (ct_len + tag_len + 1);
  g_autofree guint8 *out = g_malloc (MAX (msg_len, ct_len) + 16 + 1);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  count (&c->counts, result);
  /* AES-GCM vectors with 128- and 192-bit keys: Noise uses AES-256 only. */
  if (key_len != 32 && c->suite == ANY_NOISE_CIPHER_AESGCM)
    {
      c->skipped_key_size++;
      return;
    }
  g_assert_cmpuint (key_len, ==, 32);
  memcpy (sealed, ct, ct_len);
  memcpy (sealed + ct_len, tag, tag_len);

  if (iv_len != 12)
    {
      /* a nonce size Noise never makes, refused whatever the verdict */
      ok = any_noise_aead_open (c->suite, key, iv, iv_len, aad, aad_len, sealed, ct_len + tag_len, out, &error);
      g_assert_false (ok);
      g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT);
      c->bad_nonce_rejected++;
    }
  else if (result == VECTOR_VALID)
    {
      g_assert_cmpuint (tag_len, ==, 16);
      ok = any_noise_aead_seal (c->suite, key, iv, iv_len, aad, aad_len, msg, msg_len, out, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpmem (out, msg_len + 16, sealed, ct_len + tag_len);

      ok = any_noise_aead_open (c->suite, key, iv, iv_len, aad, aad_len, sealed, ct_len + tag_len, out, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpmem (out, msg_len, msg, msg_len);
      c->valid_checked++;
    }
  else
    {
      g_assert_cmpint (result, ==, VECTOR_INVALID);
      ok = any_noise_aead_open (c->suite, key, iv, iv_len, aad, aad_len, sealed, ct_len + tag_len, out, &error);
      g_assert_false (ok);
      g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT);
      c->forged_rejected++;
      /* Nothing unauthenticated left behind (nettle writes it first). */
      for (gsize i = 0; i + 16 <= ct_len + tag_len && i < ct_len; i++)
        g_assert_cmpuint (out[i], ==, 0);
    }
}

static void
test_chacha20_poly1305 (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/chacha20_poly1305_test.json");
  ChachaCounts c = { ANY_NOISE_CIPHER_CHACHAPOLY };

  vectors_foreach_wycheproof (root, chacha_one, &c);
  check_total (root, &c.counts, "chacha20_poly1305");
  g_test_message ("chacha20_poly1305: %u forged tags rejected, %u bad nonce sizes rejected",
                  c.forged_rejected, c.bad_nonce_rejected);
  g_assert_cmpuint (c.forged_rejected, >, 0);
}

/* --- AES-256-GCM (Noise_XX_25519_AESGCM_SHA256, issue 17) -------------- */

/* The same runner over Wycheproof's aes_gcm_test.json: 256-bit keys with
 * 96-bit nonces seal to the expected bytes and open, forged tags fail;
 * other nonce sizes are refused; 128- and 192-bit keys are skipped. */
static void
test_aes_256_gcm (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/aes_gcm_test.json");
  ChachaCounts c = { ANY_NOISE_CIPHER_AESGCM };

  vectors_foreach_wycheproof (root, chacha_one, &c);
  check_total (root, &c.counts, "aes_gcm");
  g_test_message ("aes_gcm: %u valid sealed and opened, %u forged tags rejected, %u bad nonce sizes "
                  "refused, %u with 128/192-bit keys skipped",
                  c.valid_checked, c.forged_rejected, c.bad_nonce_rejected, c.skipped_key_size);
  g_assert_cmpuint (c.valid_checked, >=, 30);
  g_assert_cmpuint (c.forged_rejected, >=, 10);
  g_assert_cmpuint (c.bad_nonce_rejected, >=, 10);
}

/* Chunks from 512 bytes on are sealed and opened by GnuTLS's AES-GCM,
 * smaller ones by nettle's (crypto/any-noise-cipher.c): on both sides of
 * that size, at an odd address and at 1 MiB, the library's result is
 * nettle's own gcm_aes256, and a flipped tag bit is refused with nothing
 * left in the output. */
static void
test_aes_256_gcm_sizes (void)
{
  static const gsize sizes[] = { 0, 1, 511, 512, 513, 4096, 65536 + 5, 1024 * 1024 + 7 };
  guint8 key[32], nonce[12], ad[6] = { 0xa5, 1, 0, 0, 0, 9 };

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) (i * 7 + 1);
  for (guint i = 0; i < sizeof nonce; i++)
    nonce[i] = (guint8) (i < 4 ? 0 : 11 * i);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint offset = 0; offset < 2; offset++)
      {
        gsize len = sizes[s];
        g_autofree guint8 *buffer = g_malloc (len + 3);
        guint8 *plain = buffer + (offset ? 3 : 0);   /* an odd address too */
        g_autofree guint8 *expected = g_malloc (len + 16);
        g_autofree guint8 *sealed = g_malloc (len + 16);
        g_autofree guint8 *opened = g_malloc (len + 1);
        g_autoptr(GError) error = NULL;
        struct gcm_aes256_ctx ctx;

        for (gsize i = 0; i < len; i++)
          plain[i] = (guint8) (i * 31 + s);
        gcm_aes256_set_key (&ctx, key);
        gcm_aes256_set_iv (&ctx, sizeof nonce, nonce);
        gcm_aes256_update (&ctx, sizeof ad, ad);
        gcm_aes256_encrypt (&ctx, len, expected, plain);
        gcm_aes256_digest (&ctx, 16, expected + len);

        g_assert_true (any_noise_aead_seal (ANY_NOISE_CIPHER_AESGCM, key, nonce, sizeof nonce, ad, sizeof ad,
                                            plain, len, sealed, &error));
        g_assert_no_error (error);
        g_assert_cmpmem (sealed, len + 16, expected, len + 16);

        g_assert_true (any_noise_aead_open (ANY_NOISE_CIPHER_AESGCM, key, nonce, sizeof nonce, ad, sizeof ad,
                                            expected, len + 16, opened, &error));
        g_assert_no_error (error);
        g_assert_cmpmem (opened, len, plain, len);

        expected[len + 15] ^= 0x40;
        memset (opened, 0xee, len + 1);
        g_assert_false (any_noise_aead_open (ANY_NOISE_CIPHER_AESGCM, key, nonce, sizeof nonce, ad, sizeof ad,
                                             expected, len + 16, opened, &error));
        g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT);
        for (gsize i = 0; i < len; i++)
          g_assert_cmpuint (opened[i], ==, 0);   /* wiped: nothing unauthenticated left */
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crypto/hex", test_hex);
  g_test_add_func ("/crypto/pbkdf2-hmac-sha256/wycheproof", test_pbkdf2);
  g_test_add_func ("/crypto/hkdf-sha256/wycheproof", test_hkdf);
  g_test_add_func ("/crypto/aes-cbc-pkcs7/wycheproof", test_aes_cbc);
  g_test_add_func ("/crypto/aes-cbc-pkcs7/edges", test_aes_cbc_edges);
  g_test_add_func ("/crypto/x25519/wycheproof", test_x25519);
  g_test_add_func ("/crypto/chacha20-poly1305/wycheproof", test_chacha20_poly1305);
  g_test_add_func ("/crypto/aes-256-gcm/wycheproof", test_aes_256_gcm);
  g_test_add_func ("/crypto/aes-256-gcm/sizes", test_aes_256_gcm_sizes);

  return g_test_run ();
}

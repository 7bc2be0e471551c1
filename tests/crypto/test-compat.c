/* test-compat.c: compat E2EE (PROTOCOL.md 6) against node and Wycheproof
 *
 * - a known answer generated once with node's crypto module the way npm
 *   anysocket 0.4.29 computes it (compat-vector.js; hard-coded below);
 * - Wycheproof ECDH secp521r1 (uncompressed points): valid shared secrets
 *   (including ones with leading zero bytes) and refused invalid points;
 * - round trips between two random key pairs, and strict decoding.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "crypto/any-compat-crypto.h"
#include "vectors.h"

/* --- the node known answer (node tests/crypto/compat-vector.js) ------ */

static const char node_priv_a[] =
  "576d718a277d51fe5770b3da6bd756dc9f4ddd3da6de094fb458d4649b310c9dd859e4647827a53162aaa6dcd56e18213e479a03054bab6c0de3ceca279bfeff";
static const char node_priv_b[] =
  "2e849c5dabb71203bafbb1e04b2095a46918c6f19600ca500446945c357579291b8eeaa7e874dcb43d2cce8de7273b56077b34e4761263e1acebaceca93f82cf";
static const char node_pub_a[] =
  "BADp89Elu1JLttPy/h8/UvEVxPYecuMHdrdfuXxXokCwQs5+JPvq9ojG+N5sd3oaR/CXP6iYxpIXZl/tU2kPqT7XMwCnhKugNKs2pT9UE2f6MAaKSDWffkMf7Zbn68H1qpyaaVdqcvCePjGaKCxdM92aNuGfoget3E7eZKj17jys934znQ==";
static const char node_pub_b[] =
  "BAEO9+8TKMb07rYs9wvzJ56FcFeHRxM0+7wX0SsY0/tm23L+yEUPl8mXLktB7FKKQWPCyxRyGnKz0O9Oa7BMiLre6wGRDF9XzH2E142GO5VwvnXgK3qlgfMMTLtd7b/iebsCNjLzQjNeipYdNBFsbKeGi4suvJCiacUNR3ZgY94cGvIyHg==";
static const char node_nonce_a[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char node_nonce_b[] = "f0e0d0c0b0a090807060504030201000ffeeddccbbaa99887766554433221100";
static const char node_id_a[] = "8d2c7e1b5f3a4c6e9b0d1f2a3b4c5d6e";
static const char node_shared[] =
  "00004dd384ee8326a6ec5a153f284f7343d961b5b314e0dbf18b9c86901cc26f203e5584854180ec29735f6d34504d2844f9c8334839a291143bbf2242e15e3d624a";
static const char node_secret[] =
  "00004dd384ee8326a6ec5a153f284f7343d961b5b314e0dbf18b9c86901cc26f203e5584854180ec29735f6d34504d2844f9c8334839a291143bbf2242e15e3d";
static const char node_session[] = "a0e9ba2c4105e50fc57a890b963e0f71227d81ad1779f22eba2d802adcc6804f";

static const struct {
  gint32 seq;
  const char *iv;
  const char *plaintext_hex;
  const char *key;
  const char *body;
} node_chunks[] = {
  { 1, "00112233445566778899aabbccddeeff",
    "7b2274797065223a312c2278223a2268c3a96c6c6f20e29c93227d",
    "304c6a0250fe769c6146024ca940a93471c0f0d653b7c8ebada9a722ca557d33",
    "00112233445566778899aabbccddeeff4c72d7c073eb9a363b6c10b094babcdd6f1772d3f3204cecba5a68fcd08ff678" },
  { -5, "ffeeddccbbaa99887766554433221100",
    "",
    "582eb443ccba2624a4ea4c778f00423f7c5206aff688e07c9484584335174235",
    "ffeeddccbbaa99887766554433221100acb2151e14e33ea333f363cefbca5fa8" },
  { 2147483647, "0f0e0d0c0b0a09080706050403020100",
    "30313233343536373839616263646566",
    "9b7294bad0123e968cb6d86f3e985f20450d6ceed985da55a203083938809216",
    "0f0e0d0c0b0a09080706050403020100d7fd9116eb56ddbfc4391fd7e9e0657e307d493af6a542cb385d83615d4ce136" },
  { G_MININT32, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
    "7b2261223a5b312c322c335d2c2262223a6e756c6c7d",
    "a918a45dd00a229631fc11f25d1e115f9f0dd7621414af1ad29fdf54c9676688",
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafc74df56d8bc451648af0f62f2ecf76e720d1ecd5c3608571d91157dc3f66d124" },
};

static AnyCompatKeypair *
keypair_from_hex (const char *hex)
{
  gsize len;
  g_autofree guint8 *priv = vectors_hex (hex, &len);
  g_autoptr(GError) error = NULL;
  AnyCompatKeypair *keypair = any_compat_keypair_new_from_private (priv, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (keypair);
  return keypair;
}

static void
test_node_vector (void)
{
  g_autoptr(AnyCompatKeypair) a = keypair_from_hex (node_priv_a);
  g_autoptr(AnyCompatKeypair) b = keypair_from_hex (node_priv_b);
  g_autoptr(AnyCompatSession) sa = NULL;
  g_autoptr(AnyCompatSession) sb = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nonce = g_strconcat (node_nonce_a, node_nonce_b, NULL);
  g_autofree char *shared_hex = NULL;
  guint8 shared[ANY_COMPAT_SHARED_LEN];

  g_assert_cmpstr (any_compat_keypair_get_public_base64 (a), ==, node_pub_a);
  g_assert_cmpstr (any_compat_keypair_get_public_base64 (b), ==, node_pub_b);

  /* The raw shared x starts with two zero bytes: padding to 66 matters. */
  g_assert_true (any_compat_keypair_compute_shared (a, any_compat_keypair_get_public (b),
                                                    ANY_COMPAT_PUBLIC_KEY_LEN, shared, &error));
  g_assert_no_error (error);
  shared_hex = vectors_to_hex (shared, sizeof shared);
  g_assert_cmpstr (shared_hex, ==, node_shared);

  /* Initiator A (salt: its own id) and responder B (salt: the peer's id). */
  g_assert_true (any_compat_derive (a, node_pub_b, nonce, node_id_a, &sa, &error));
  g_assert_no_error (error);
  g_assert_true (any_compat_derive (b, node_pub_a, nonce, node_id_a, &sb, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (any_compat_session_get_secret (sa), ==, node_secret);
  g_assert_cmpstr (any_compat_session_get_session (sa), ==, node_session);
  g_assert_cmpstr (any_compat_session_get_secret (sb), ==, node_secret);
  g_assert_cmpstr (any_compat_session_get_session (sb), ==, node_session);

  for (guint i = 0; i < G_N_ELEMENTS (node_chunks); i++)
    {
      gsize iv_len, plain_len;
      g_autofree guint8 *iv = vectors_hex (node_chunks[i].iv, &iv_len);
      g_autofree guint8 *plain = vectors_hex (node_chunks[i].plaintext_hex, &plain_len);
      g_autoptr(GString) body = g_string_new ("");
      g_autoptr(GString) back = g_string_new ("");
      g_autofree char *key_hex = NULL;
      guint8 key[32];

      any_compat_session_chunk_key (sa, node_chunks[i].seq, key);
      key_hex = vectors_to_hex (key, sizeof key);
      g_assert_cmpstr (key_hex, ==, node_chunks[i].key);

      any_compat_encrypt_with_iv (sa, node_chunks[i].seq, iv, plain, plain_len, body);
      g_assert_cmpstr (body->str, ==, node_chunks[i].body);

      g_assert_true (any_compat_decrypt (sb, node_chunks[i].seq, node_chunks[i].body,
                                         strlen (node_chunks[i].body), back, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (back->str, back->len, plain, plain_len);
    }
  g_test_message ("node compat vector: 1 key exchange, %u chunks", (guint) G_N_ELEMENTS (node_chunks));
}

/* --- Wycheproof ECDH secp521r1 --------------------------------------- */

typedef struct {
  guint valid, invalid, acceptable;
  guint leading_zero;
  guint short_private;
} EcdhCounts;

static void
ecdh_one (JsonObject   *group,
          JsonObject   *test,
          VectorResult  result,
          gpointer      user_data)
{
  EcdhCounts *c = user_data;
  gsize pub_len, priv_len, shared_len;
  g_autofree guint8 *pub = vectors_member_hex (test, "public", &pub_len);
  g_autofree guint8 *priv = vectors_member_hex (test, "private", &priv_len);
  g_autofree guint8 *shared = vectors_member_hex (test, "shared", &shared_len);
  g_autoptr(AnyCompatKeypair) keypair = NULL;
  g_autoptr(GError) error = NULL;
  guint8 out[ANY_COMPAT_SHARED_LEN];
  gboolean ok;

  /* Wycheproof writes the private key as a two's complement integer:
   * a leading 00 byte may make it 67 bytes; strip those. */
  {
    gsize skip = 0;
    while (priv_len - skip > ANY_COMPAT_PRIVATE_KEY_LEN && priv[skip] == 0)
      skip++;
    memmove (priv, priv + skip, priv_len - skip);
    priv_len -= skip;
  }
  if (priv_len < ANY_COMPAT_PRIVATE_KEY_LEN)
    c->short_private++;

  keypair = any_compat_keypair_new_from_private (priv, priv_len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (keypair);

  ok = any_compat_keypair_compute_shared (keypair, pub, pub_len, out, &error);

  switch (result)
    {
    case VECTOR_VALID:
      c->valid++;
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (shared_len, ==, ANY_COMPAT_SHARED_LEN);
      g_assert_cmpmem (out, sizeof out, shared, shared_len);
      if (shared[0] == 0 && shared[1] == 0)
        c->leading_zero++;
      break;
    case VECTOR_INVALID:
      /* Points off the curve (invalid-curve attack), an empty encoding,
       * compressed points on the twist: all refused. */
      c->invalid++;
      g_assert_false (ok);
      g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
      break;
    case VECTOR_ACCEPTABLE:
      /* The only one is a valid compressed point: node only sends
       * uncompressed points, so we refuse compressed ones (documented). */
      c->acceptable++;
      g_assert_true (vectors_has_flag (test, "CompressedPublic"));
      g_assert_false (ok);
      g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
      break;
    }
}

static void
test_ecdh_wycheproof (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/ecdh_secp521r1_ecpoint_test.json");
  EcdhCounts c = { 0 };
  gint64 n = json_object_get_int_member (json_node_get_object (root), "numberOfTests");

  vectors_foreach_wycheproof (root, ecdh_one, &c);
  g_test_message ("ecdh_secp521r1_ecpoint: %u valid (%u with a 0x0000 prefix, %u short private keys), "
                  "%u invalid rejected, %u acceptable (compressed) rejected, of %" G_GINT64_FORMAT,
                  c.valid, c.leading_zero, c.short_private, c.invalid, c.acceptable, n);
  g_assert_cmpint (c.valid + c.invalid + c.acceptable, ==, n);
  g_assert_cmpuint (c.leading_zero, >, 0);
}

/* --- keys ------------------------------------------------------------ */

static void
test_keypair (void)
{
  g_autoptr(AnyCompatKeypair) a = any_compat_keypair_new ();
  g_autoptr(AnyCompatKeypair) b = any_compat_keypair_new ();
  g_autoptr(GError) error = NULL;
  const char *pub = any_compat_keypair_get_public_base64 (a);
  /* n of secp521r1 */
  g_autofree guint8 *order = NULL;
  guint8 priv[67] = { 0 };
  gsize len;

  g_assert_cmpuint (strlen (pub), ==, ANY_COMPAT_PUBLIC_BASE64_LEN);
  g_assert_true (g_str_has_suffix (pub, "=="));
  g_assert_cmpuint (any_compat_keypair_get_public (a)[0], ==, 0x04);
  g_assert_cmpstr (pub, !=, any_compat_keypair_get_public_base64 (b));

  /* 0, n, n + 1 and 67-byte scalars are refused; 1 and n - 1 accepted. */
  g_assert_null (any_compat_keypair_new_from_private (priv, 66, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
  g_clear_error (&error);
  g_assert_null (any_compat_keypair_new_from_private (priv, 0, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
  g_clear_error (&error);
  priv[66] = 1;
  g_assert_null (any_compat_keypair_new_from_private (priv, 67, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
  g_clear_error (&error);
  {
    g_autoptr(AnyCompatKeypair) one = any_compat_keypair_new_from_private (priv + 66, 1, &error);
    g_assert_no_error (error);
    /* 1 * G is the generator: x starts 00c6858e06b70404e9cd9e3ecb6623 */
    g_assert_cmpmem (any_compat_keypair_get_public (one) + 1, 15,
                     "\x00\xc6\x85\x8e\x06\xb7\x04\x04\xe9\xcd\x9e\x3e\xcb\x66\x23", 15);
  }

  order = vectors_hex ("01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409", &len);
  g_assert_cmpuint (len, ==, 66);
  g_assert_null (any_compat_keypair_new_from_private (order, len, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
  g_clear_error (&error);
  order[65]--;
  {
    g_autoptr(AnyCompatKeypair) last = any_compat_keypair_new_from_private (order, len, &error);
    g_assert_no_error (error);
    g_assert_nonnull (last);
  }
}

static void
test_nonce (void)
{
  g_autofree char *n1 = any_compat_nonce_new ();
  g_autofree char *n2 = any_compat_nonce_new ();

  g_assert_true (any_compat_nonce_is_valid (n1));
  g_assert_cmpstr (n1, !=, n2);
  for (const char *p = n1; *p; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));

  g_assert_false (any_compat_nonce_is_valid (NULL));
  g_assert_false (any_compat_nonce_is_valid (""));
  g_assert_false (any_compat_nonce_is_valid ("00"));
  g_assert_false (any_compat_nonce_is_valid ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fff"));
  g_assert_false (any_compat_nonce_is_valid ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g"));
}

/* --- derive: the peer's key ------------------------------------------ */

static void
expect_bad_key (const AnyCompatKeypair *keypair,
                const char             *b64)
{
  g_autoptr(AnyCompatSession) session = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (any_compat_derive (keypair, b64, "n", "id", &session, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
  g_assert_null (session);
}

static void
test_bad_peer_keys (void)
{
  g_autoptr(AnyCompatKeypair) a = keypair_from_hex (node_priv_a);
  g_autofree char *s = NULL;
  guint8 point[ANY_COMPAT_PUBLIC_KEY_LEN];
  gsize len;

  expect_bad_key (a, "");
  expect_bad_key (a, "AA==");                            /* infinity (0x00) */
  expect_bad_key (a, "not base64 at all");
  /* Without padding, with whitespace, URL-safe alphabet, non-canonical. */
  s = g_strndup (node_pub_b, ANY_COMPAT_PUBLIC_BASE64_LEN - 2);
  expect_bad_key (a, s);
  g_clear_pointer (&s, g_free);
  s = g_strconcat (node_pub_b, "\n", NULL);
  expect_bad_key (a, s);
  g_clear_pointer (&s, g_free);
  s = g_strdup (node_pub_b);
  g_strdelimit (s, "+", '-');
  g_strdelimit (s, "/", '_');
  expect_bad_key (a, s);
  g_clear_pointer (&s, g_free);
  s = g_strdup (node_pub_b);
  /* "...HA==" would decode to the same bytes as "...Hg==" (low bits set) */
  g_assert_cmpint (s[ANY_COMPAT_PUBLIC_BASE64_LEN - 3], ==, 'g');
  s[ANY_COMPAT_PUBLIC_BASE64_LEN - 3] = 'h';
  expect_bad_key (a, s);
  g_clear_pointer (&s, g_free);

  /* Off the curve: flip one bit of y. */
  {
    g_autofree guint8 *raw = g_base64_decode (node_pub_b, &len);
    g_assert_cmpuint (len, ==, sizeof point);
    memcpy (point, raw, sizeof point);
  }
  point[100] ^= 1;
  s = g_base64_encode (point, sizeof point);
  expect_bad_key (a, s);
  g_clear_pointer (&s, g_free);
  point[100] ^= 1;

  /* Wrong prefix (0x02, 0x03: compressed forms; 0x06 hybrid). */
  for (guint i = 0; i < 3; i++)
    {
      static const guint8 prefixes[] = { 0x02, 0x03, 0x06 };
      point[0] = prefixes[i];
      s = g_base64_encode (point, sizeof point);
      expect_bad_key (a, s);
      g_clear_pointer (&s, g_free);
    }
  point[0] = 0x04;

  /* x = p (out of range) */
  memset (point + 1, 0xff, 66);
  point[1] = 0x01;
  s = g_base64_encode (point, sizeof point);
  expect_bad_key (a, s);
  g_clear_pointer (&s, g_free);

  /* (0, 0): not on the curve; stands for infinity in some encodings */
  memset (point + 1, 0, 132);
  s = g_base64_encode (point, sizeof point);
  expect_bad_key (a, s);
  g_clear_pointer (&s, g_free);

  /* Compute-shared directly with wrong lengths. */
  {
    guint8 out[ANY_COMPAT_SHARED_LEN];
    g_autoptr(GError) error = NULL;

    g_assert_false (any_compat_keypair_compute_shared (a, point, 0, out, &error));
    g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
    g_clear_error (&error);
    g_assert_false (any_compat_keypair_compute_shared (a, point, 67, out, &error));
    g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_KEY);
  }
}

/* --- round trips and strict decryption ------------------------------- */

static void
make_pair (AnyCompatSession **out_a,
           AnyCompatSession **out_b)
{
  g_autoptr(AnyCompatKeypair) a = any_compat_keypair_new ();
  g_autoptr(AnyCompatKeypair) b = any_compat_keypair_new ();
  g_autofree char *na = any_compat_nonce_new ();
  g_autofree char *nb = any_compat_nonce_new ();
  g_autofree char *nonce = g_strconcat (na, nb, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (any_compat_derive (a, any_compat_keypair_get_public_base64 (b), nonce,
                                    "0123456789abcdef0123456789abcdef", out_a, &error));
  g_assert_no_error (error);
  g_assert_true (any_compat_derive (b, any_compat_keypair_get_public_base64 (a), nonce,
                                    "0123456789abcdef0123456789abcdef", out_b, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (any_compat_session_get_secret (*out_a), ==, any_compat_session_get_secret (*out_b));
  g_assert_cmpstr (any_compat_session_get_session (*out_a), ==, any_compat_session_get_session (*out_b));
}

static void
test_round_trip (void)
{
  g_autoptr(AnyCompatSession) a = NULL;
  g_autoptr(AnyCompatSession) b = NULL;
  static const gsize sizes[] = { 0, 1, 15, 16, 17, 31, 32, 33, 1000, 100000 };
  static const gint32 seqs[] = { 1, 2, -2, 1000, G_MAXINT32, -G_MAXINT32, G_MININT32 };
  guint runs = 0;

  make_pair (&a, &b);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (seqs); j++)
      {
        g_autofree guint8 *plain = g_malloc (sizes[i] + 1);
        g_autoptr(GString) body = g_string_new ("prefix:");
        g_autoptr(GString) body2 = g_string_new ("");
        g_autoptr(GString) back = g_string_new ("keep");
        g_autoptr(GError) error = NULL;
        gsize ct_len = sizes[i] + 16 - sizes[i] % 16;

        for (gsize k = 0; k < sizes[i]; k++)
          plain[k] = (guint8) (k * 7 + i);

        any_compat_encrypt (a, seqs[j], plain, sizes[i], body);
        g_assert_cmpuint (body->len, ==, 7 + 32 + 2 * ct_len);
        g_assert_true (g_str_has_prefix (body->str, "prefix:"));
        for (gsize k = 7; k < body->len; k++)
          g_assert_true (g_ascii_isdigit (body->str[k]) || (body->str[k] >= 'a' && body->str[k] <= 'f'));

        /* A fresh IV each time. */
        any_compat_encrypt (a, seqs[j], plain, sizes[i], body2);
        g_assert_cmpint (memcmp (body->str + 7, body2->str, 32), !=, 0);

        g_assert_true (any_compat_decrypt (b, seqs[j], body->str + 7, body->len - 7, back, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (back->len, ==, 4 + sizes[i]);
        g_assert_cmpmem (back->str, 4, "keep", 4);
        g_assert_cmpmem (back->str + 4, back->len - 4, plain, sizes[i]);

        /* -seq and seq share a key (|seq|). */
        g_string_truncate (back, 0);
        g_assert_true (any_compat_decrypt (b, seqs[j] == G_MININT32 ? G_MININT32 : -seqs[j],
                                           body->str + 7, body->len - 7, back, &error));
        g_assert_no_error (error);
        g_assert_cmpmem (back->str, back->len, plain, sizes[i]);

        /* Another seq gives another key: padding fails, or garbage. */
        g_string_assign (back, "keep");
        if (any_compat_decrypt (b, seqs[j] == 1 ? 2 : 1, body->str + 7, body->len - 7, back, &error))
          g_assert_true (back->len != 4 + sizes[i] || memcmp (back->str + 4, plain, sizes[i]) != 0 || sizes[i] == 0);
        else
          {
            g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT);
            g_assert_cmpstr (back->str, ==, "keep");
          }
        runs++;
      }
  g_test_message ("compat round trips: %u", runs);
}

static void
expect_decrypt_error (const AnyCompatSession *session,
                      const char             *body,
                      gsize                   len,
                      gint                    code)
{
  g_autoptr(GString) out = g_string_new ("keep");
  g_autoptr(GError) error = NULL;

  g_assert_false (any_compat_decrypt (session, 1, body, len, out, &error));
  g_assert_error (error, ANY_CRYPTO_ERROR, code);
  g_assert_cmpstr (out->str, ==, "keep");
  g_assert_cmpuint (out->len, ==, 4);
}

static void
test_strict_decrypt (void)
{
  g_autoptr(AnyCompatSession) session = any_compat_session_new_from_strings (node_secret, node_session);
  const char *good = node_chunks[0].body;  /* seq 1 */
  gsize good_len = strlen (good);
  g_autoptr(GString) upper = g_string_new (good);
  g_autoptr(GString) out = g_string_new ("");
  g_autofree char *s = NULL;

  g_assert_nonnull (session);

  /* Upper-case hex is what node would also accept. */
  for (gsize i = 0; i < upper->len; i++)
    upper->str[i] = g_ascii_toupper (upper->str[i]);
  g_assert_true (any_compat_decrypt (session, 1, upper->str, upper->len, out, NULL));
  g_assert_cmpuint (out->len, ==, 27);

  /* Lengths: empty, IV only, odd, not whole blocks, one short. */
  expect_decrypt_error (session, "", 0, ANY_CRYPTO_ERROR_INVALID_INPUT);
  expect_decrypt_error (session, good, 32, ANY_CRYPTO_ERROR_INVALID_INPUT);
  expect_decrypt_error (session, good, 33, ANY_CRYPTO_ERROR_INVALID_INPUT);
  expect_decrypt_error (session, good, good_len - 1, ANY_CRYPTO_ERROR_INVALID_INPUT);
  expect_decrypt_error (session, good, good_len - 2, ANY_CRYPTO_ERROR_INVALID_INPUT);
  expect_decrypt_error (session, good, good_len - 16, ANY_CRYPTO_ERROR_INVALID_INPUT);

  /* Non-hex anywhere: in the IV, in the ciphertext, a NUL. */
  s = g_strdup (good);
  s[3] = 'x';
  expect_decrypt_error (session, s, good_len, ANY_CRYPTO_ERROR_INVALID_INPUT);
  g_clear_pointer (&s, g_free);
  s = g_strdup (good);
  s[good_len - 1] = 'G';
  expect_decrypt_error (session, s, good_len, ANY_CRYPTO_ERROR_INVALID_INPUT);
  s[good_len - 1] = '\0';
  expect_decrypt_error (session, s, good_len, ANY_CRYPTO_ERROR_INVALID_INPUT);
  g_clear_pointer (&s, g_free);
  s = g_strdup (good);
  s[40] = ' ';
  expect_decrypt_error (session, s, good_len, ANY_CRYPTO_ERROR_INVALID_INPUT);
  g_clear_pointer (&s, g_free);

  /* Bad padding: body of chunk 2 (seq 2147483647, 16-byte plaintext) is
   * IV || C1 || C2 where C2 is the full padding block; flipping the last
   * byte of C1 sets the last plaintext byte to 0x10 ^ 0x01 = 0x11. */
  {
    g_autoptr(AnyCompatSession) s2 = any_compat_session_new_from_strings (node_secret, node_session);
    g_autoptr(GString) o = g_string_new ("keep");
    g_autoptr(GError) error = NULL;
    g_autofree char *body = g_strdup (node_chunks[2].body);
    gsize blen = strlen (body);

    {
      static const char digits[] = "0123456789abcdef";
      int v = g_ascii_xdigit_value (body[blen - 33]);
      body[blen - 33] = digits[v ^ 1];
    }
    g_assert_false (any_compat_decrypt (s2, 2147483647, body, blen, o, &error));
    g_assert_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_DECRYPT);
    g_assert_cmpstr (o->str, ==, "keep");
  }

  /* Sessions from malformed strings are refused. */
  g_assert_null (any_compat_session_new_from_strings ("00", node_session));
  g_assert_null (any_compat_session_new_from_strings (node_secret, "zz"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crypto/compat/node-vector", test_node_vector);
  g_test_add_func ("/crypto/compat/ecdh-secp521r1/wycheproof", test_ecdh_wycheproof);
  g_test_add_func ("/crypto/compat/keypair", test_keypair);
  g_test_add_func ("/crypto/compat/nonce", test_nonce);
  g_test_add_func ("/crypto/compat/bad-peer-keys", test_bad_peer_keys);
  g_test_add_func ("/crypto/compat/round-trip", test_round_trip);
  g_test_add_func ("/crypto/compat/strict-decrypt", test_strict_decrypt);

  return g_test_run ();
}

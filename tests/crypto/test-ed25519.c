/* test-ed25519.c: the mesh's signing keys (crypto/any-ed25519.c) against
 * RFC 8032 (section 7.1, tests 1 to 3: keys and signatures) and Wycheproof's
 * ed25519_test.json (every verification case), and the derivation of a
 * mesh identity from an X25519 key (stable, and distinct per key).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "crypto/any-ed25519.h"
#include "vectors.h"

static const struct {
  const char *secret, *public, *msg, *sig;
} rfc8032[] = {
  { "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "",
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
  { "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "72",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
  { "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    "af82",
    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

static void
test_rfc8032 (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rfc8032); i++)
    {
      gsize len, msg_len;
      g_autofree guint8 *secret = vectors_hex (rfc8032[i].secret, &len);
      g_autofree guint8 *msg = vectors_hex (rfc8032[i].msg, &msg_len);
      g_autofree guint8 *want = vectors_hex (rfc8032[i].sig, &len);
      g_autofree char *pub_hex = NULL;
      g_autofree char *sig_hex = NULL;
      AnyEd25519Key key;
      guint8 sig[ANY_ED25519_SIGNATURE_LEN];

      any_ed25519_key_from_seed (&key, secret);
      pub_hex = vectors_to_hex (key.pub, sizeof key.pub);
      g_assert_cmpstr (pub_hex, ==, rfc8032[i].public);
      any_ed25519_sign (&key, msg, msg_len, sig);
      sig_hex = vectors_to_hex (sig, sizeof sig);
      g_assert_cmpstr (sig_hex, ==, rfc8032[i].sig);
      g_assert_true (any_ed25519_verify (key.pub, msg, msg_len, want));
      sig[0] ^= 1;
      g_assert_false (any_ed25519_verify (key.pub, msg, msg_len, sig));
    }
}

static void
check_wycheproof (JsonObject *group, JsonObject *test, VectorResult result, gpointer user_data)
{
  guint *count = user_data;
  JsonObject *pk = json_object_get_object_member (group, "publicKey");
  gsize pub_len, msg_len, sig_len;
  g_autofree guint8 *pub = vectors_member_hex (pk, "pk", &pub_len);
  g_autofree guint8 *msg = vectors_member_hex (test, "msg", &msg_len);
  g_autofree guint8 *sig = vectors_member_hex (test, "sig", &sig_len);
  gboolean ok;

  g_assert_cmpuint (pub_len, ==, ANY_ED25519_KEY_LEN);
  ok = sig_len == ANY_ED25519_SIGNATURE_LEN && any_ed25519_verify (pub, msg, msg_len, sig);
  if (result == VECTOR_VALID)
    g_assert_true (ok);
  else if (result == VECTOR_INVALID && ok)
    g_error ("Wycheproof ed25519 tcId %" G_GINT64_FORMAT " accepted",
             json_object_get_int_member (test, "tcId"));
  (*count)++;
}

static void
test_wycheproof (void)
{
  g_autoptr(JsonNode) root = vectors_load ("wycheproof/ed25519_test.json");
  guint count = 0;

  vectors_foreach_wycheproof (root, check_wycheproof, &count);
  g_assert_cmpuint (count, ==, 151);
}

/* The mesh key derived from an X25519 identity: the same every time for
 * one key, another for another; node id and fingerprint follow it. */
static void
test_derivation (void)
{
  guint8 x1[32], x2[32];
  AnyEd25519Key a, b, c;
  guint8 id_a[ANY_MESH_NODE_ID_LEN], id_c[ANY_MESH_NODE_ID_LEN], parsed[ANY_MESH_NODE_ID_LEN];
  g_autofree char *hex = NULL;
  g_autofree char *fp_a = NULL;
  g_autofree char *fp_c = NULL;

  memset (x1, 0x11, sizeof x1);
  memset (x2, 0x22, sizeof x2);
  any_ed25519_key_from_x25519 (&a, x1);
  any_ed25519_key_from_x25519 (&b, x1);
  any_ed25519_key_from_x25519 (&c, x2);
  g_assert_cmpmem (a.pub, 32, b.pub, 32);
  g_assert_true (memcmp (a.pub, c.pub, 32) != 0);
  any_ed25519_node_id (a.pub, id_a);
  any_ed25519_node_id (c.pub, id_c);
  g_assert_true (memcmp (id_a, id_c, sizeof id_a) != 0);
  hex = any_ed25519_node_id_hex (id_a);
  g_assert_cmpuint (strlen (hex), ==, 32);
  g_assert_true (any_ed25519_node_id_parse (hex, parsed));
  g_assert_cmpmem (parsed, sizeof parsed, id_a, sizeof id_a);
  g_assert_false (any_ed25519_node_id_parse ("xyz", parsed));
  fp_a = any_ed25519_fingerprint (a.pub);
  fp_c = any_ed25519_fingerprint (c.pub);
  g_assert_cmpuint (strlen (fp_a), ==, 71);
  g_assert_cmpstr (fp_a, !=, fp_c);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ed25519/rfc8032", test_rfc8032);
  g_test_add_func ("/ed25519/wycheproof", test_wycheproof);
  g_test_add_func ("/ed25519/derivation", test_derivation);
  return g_test_run ();
}

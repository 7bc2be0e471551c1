/* any-ed25519.c: the mesh's signing keys (see any-ed25519.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <nettle/eddsa.h>
#include <nettle/sha2.h>

#include "crypto/any-crypto.h"
#include "crypto/any-ed25519.h"
#include "crypto/any-noise.h"

#define SEED_INFO         "AnyMesh-ed25519-seed-v1"
#define NODE_ID_LABEL     "AnyMesh-node-id-v1"
#define FINGERPRINT_LABEL "AnyMesh-fingerprint-v1"

G_STATIC_ASSERT (ANY_ED25519_KEY_LEN == ED25519_KEY_SIZE);
G_STATIC_ASSERT (ANY_ED25519_SIGNATURE_LEN == ED25519_SIGNATURE_SIZE);

void
any_ed25519_key_from_seed (AnyEd25519Key *key,
                           const guint8   seed[ANY_ED25519_KEY_LEN])
{
  memcpy (key->seed, seed, ANY_ED25519_KEY_LEN);
  ed25519_sha512_public_key (key->pub, key->seed);
}

void
any_ed25519_key_from_x25519 (AnyEd25519Key *key,
                             const guint8   x25519_private[32])
{
  guint8 seed[ANY_ED25519_KEY_LEN];

  any_crypto_hkdf_sha256 (NULL, 0, x25519_private, 32,
                          (const guint8 *) SEED_INFO, strlen (SEED_INFO),
                          seed, sizeof seed);
  any_ed25519_key_from_seed (key, seed);
  any_crypto_wipe (seed, sizeof seed);
}

void
any_ed25519_key_wipe (AnyEd25519Key *key)
{
  any_crypto_wipe (key, sizeof *key);
}

void
any_ed25519_sign (const AnyEd25519Key *key,
                  const guint8        *msg,
                  gsize                len,
                  guint8               sig[ANY_ED25519_SIGNATURE_LEN])
{
  ed25519_sha512_sign (key->pub, key->seed, len, msg, sig);
}

gboolean
any_ed25519_verify (const guint8  pub[ANY_ED25519_KEY_LEN],
                    const guint8 *msg,
                    gsize         len,
                    const guint8  sig[ANY_ED25519_SIGNATURE_LEN])
{
  return ed25519_sha512_verify (pub, len, msg, sig) != 0;
}

void
any_ed25519_node_id (const guint8 pub[ANY_ED25519_KEY_LEN],
                     guint8       id[ANY_MESH_NODE_ID_LEN])
{
  struct sha256_ctx ctx;
  guint8 digest[SHA256_DIGEST_SIZE];

  sha256_init (&ctx);
  sha256_update (&ctx, strlen (NODE_ID_LABEL), (const guint8 *) NODE_ID_LABEL);
  sha256_update (&ctx, ANY_ED25519_KEY_LEN, pub);
  sha256_digest (&ctx, sizeof digest, digest);
  memcpy (id, digest, ANY_MESH_NODE_ID_LEN);
}

char *
any_ed25519_node_id_hex (const guint8 id[ANY_MESH_NODE_ID_LEN])
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (2 * ANY_MESH_NODE_ID_LEN + 1);

  for (guint i = 0; i < ANY_MESH_NODE_ID_LEN; i++)
    {
      out[2 * i] = digits[id[i] >> 4];
      out[2 * i + 1] = digits[id[i] & 15];
    }
  out[2 * ANY_MESH_NODE_ID_LEN] = '\0';
  return out;
}

gboolean
any_ed25519_node_id_parse (const char *hex,
                           guint8      id[ANY_MESH_NODE_ID_LEN])
{
  if (hex == NULL || strlen (hex) != 2 * ANY_MESH_NODE_ID_LEN)
    return FALSE;
  return any_crypto_hex_decode (hex, 2 * ANY_MESH_NODE_ID_LEN, id);
}

char *
any_ed25519_fingerprint (const guint8 pub[ANY_ED25519_KEY_LEN])
{
  return any_noise_fingerprint_labelled (FINGERPRINT_LABEL, pub);
}

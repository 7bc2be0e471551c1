/* any-ed25519.h: the mesh's signing keys (Ed25519, RFC 8032, over nettle)
 *
 * A mesh node signs with an Ed25519 key derived from the socket's X25519
 * identity, so the identity file is the only secret on disk:
 *
 *   seed = HKDF-SHA256 (salt = "", ikm = X25519 private key (32 raw bytes),
 *                       info = "AnyMesh-ed25519-seed-v1", 32 bytes)
 *
 * The node id is the first 16 bytes of SHA-256 ("AnyMesh-node-id-v1" ||
 * Ed25519 public key), written as 32 lowercase hex digits; the node
 * fingerprint is any_noise_fingerprint_labelled ("AnyMesh-fingerprint-v1",
 * Ed25519 public key). Pure functions, no I/O.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ANY_ED25519_KEY_LEN       32
#define ANY_ED25519_SIGNATURE_LEN 64
#define ANY_MESH_NODE_ID_LEN      16  /* raw bytes; 32 hex digits */

typedef struct {
  guint8 seed[ANY_ED25519_KEY_LEN];  /* RFC 8032's "private key" */
  guint8 pub[ANY_ED25519_KEY_LEN];
} AnyEd25519Key;

/* From a 32-byte RFC 8032 private key (the seed). */
void     any_ed25519_key_from_seed      (AnyEd25519Key *key,
                                         const guint8   seed[ANY_ED25519_KEY_LEN]);
/* Derived from an X25519 private key as described above. */
void     any_ed25519_key_from_x25519    (AnyEd25519Key *key,
                                         const guint8   x25519_private[32]);
void     any_ed25519_key_wipe           (AnyEd25519Key *key);

void     any_ed25519_sign               (const AnyEd25519Key *key,
                                         const guint8  *msg,
                                         gsize          len,
                                         guint8         sig[ANY_ED25519_SIGNATURE_LEN]);
/* FALSE for a bad signature or a public key that is not a valid point. */
gboolean any_ed25519_verify             (const guint8   pub[ANY_ED25519_KEY_LEN],
                                         const guint8  *msg,
                                         gsize          len,
                                         const guint8   sig[ANY_ED25519_SIGNATURE_LEN]);

void     any_ed25519_node_id            (const guint8   pub[ANY_ED25519_KEY_LEN],
                                         guint8         id[ANY_MESH_NODE_ID_LEN]);
/* 32 lowercase hex digits, newly allocated. */
char    *any_ed25519_node_id_hex        (const guint8   id[ANY_MESH_NODE_ID_LEN]);
/* Parses 32 hex digits; FALSE on anything else. */
gboolean any_ed25519_node_id_parse      (const char    *hex,
                                         guint8         id[ANY_MESH_NODE_ID_LEN]);
char    *any_ed25519_fingerprint        (const guint8   pub[ANY_ED25519_KEY_LEN]);

G_END_DECLS

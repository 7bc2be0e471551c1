/* any-types.h: forward declarations shared by the public headers
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _AnySocket AnySocket;
typedef struct _AnyPeer   AnyPeer;
typedef struct _AnyPacket AnyPacket;

/**
 * AnyE2eMode:
 * @ANY_E2E_MODE_NONE: the link is not end-to-end encrypted
 * @ANY_E2E_MODE_COMPAT: the JavaScript peer's scheme (secp521r1 ECDH,
 *   AES-256-CBC): protects against a passive eavesdropper only; the keys
 *   are not authenticated and chunks can be modified or replayed
 * @ANY_E2E_MODE_NATIVE: Noise_XX_25519_ChaChaPoly_SHA256 between two
 *   libanysocket peers: authenticated static keys (compare fingerprints),
 *   tampering, replay, reordering and reflection are detected
 *
 * How a link is end-to-end encrypted.
 */
typedef enum {
  ANY_E2E_MODE_NONE,
  ANY_E2E_MODE_COMPAT,
  ANY_E2E_MODE_NATIVE,
} AnyE2eMode;

/**
 * AnyE2ePolicy:
 * @ANY_E2E_POLICY_ALLOW_COMPAT: use native E2E when the peer can, compat
 *   with a peer that cannot (a JavaScript peer)
 * @ANY_E2E_POLICY_REQUIRE_NATIVE: refuse compat, both to start it and to
 *   answer it; for deployments where every peer is libanysocket
 *
 * Which E2E modes a socket accepts.
 */
typedef enum {
  ANY_E2E_POLICY_ALLOW_COMPAT,
  ANY_E2E_POLICY_REQUIRE_NATIVE,
} AnyE2ePolicy;

G_END_DECLS

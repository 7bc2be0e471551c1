/* any-socket-identity.c: AnySocket's identity (the native E2E key pair, its
 * fingerprint) and the keys it pins
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-socket.h"
#include "api/any-socket-private.h"
#include "crypto/any-identity-file.h"
#include "crypto/any-noise.h"

/* Identity */

/**
 * any_socket_generate_identity:
 * @self: an [class@AnySocket.Socket]
 *
 * Replaces the socket's identity (the long-term X25519 key pair that
 * native E2E proves) with a fresh random one. A new socket already has
 * one; load a saved one with [method@AnySocket.Socket.load_identity] to keep the same
 * fingerprint across runs. Links made before keep the old key.
 */
void
any_socket_generate_identity (AnySocket *self)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  g_clear_pointer (&self->identity, any_noise_keypair_unref);
  self->identity = any_noise_keypair_new ();
}

/**
 * any_socket_save_identity:
 * @self: an [class@AnySocket.Socket]
 * @path: (type filename): where to write it
 * @error: return location for a `GError`
 *
 * Writes the identity's private key to @path (a key file, replaced
 * atomically) readable by its owner only (mode 0600).
 *
 * Returns: TRUE on success
 */
gboolean
any_socket_save_identity (AnySocket   *self,
                          const char  *path,
                          GError     **error)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return any_identity_file_save (self->identity, path, error);
}

/**
 * any_socket_load_identity:
 * @self: an [class@AnySocket.Socket]
 * @path: (type filename): a file written by [method@AnySocket.Socket.save_identity]
 * @error: return location for a `GError`
 *
 * Makes the key pair in @path the socket's identity. A file that others
 * than its owner can read or write is refused, as ssh does.
 *
 * Returns: TRUE on success; on failure the identity is unchanged
 */
gboolean
any_socket_load_identity (AnySocket   *self,
                          const char  *path,
                          GError     **error)
{
  AnyNoiseKeypair *loaded;

  g_return_val_if_fail (ANY_IS_SOCKET (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  loaded = any_identity_file_load (path, error);
  if (loaded == NULL)
    return FALSE;
  g_clear_pointer (&self->identity, any_noise_keypair_unref);
  self->identity = loaded;
  return TRUE;
}

/**
 * any_socket_dup_fingerprint:
 * @self: an [class@AnySocket.Socket]
 *
 * The fingerprint of the socket's identity, for people to compare out of
 * band with what the other side's [method@AnySocket.Peer.dup_remote_fingerprint]
 * shows: 60 decimal digits in 12 groups of 5, separated by spaces (as
 * Signal's safety numbers). They are the first 60 bytes of
 * SHA-512("AnySocket-fingerprint-v1" || public key), read as 12 big-endian
 * 5-byte numbers, each taken modulo 100000.
 *
 * Returns: (transfer full): the fingerprint
 */
char *
any_socket_dup_fingerprint (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);

  return any_noise_fingerprint (any_noise_keypair_get_public (self->identity));
}

/**
 * any_socket_pin_fingerprint:
 * @self: an [class@AnySocket.Socket]
 * @peer_id: a peer id
 * @fingerprint: (nullable): the fingerprint that peer must present, or
 *   NULL to forget it
 *
 * Pins a peer's key (trust on first use: pin what
 * [method@AnySocket.Peer.dup_remote_fingerprint] showed the first time). A native E2E
 * handshake in which that id presents another key is refused, and the
 * link closes with a reason naming the peer and both fingerprints.
 *
 * A pinned id is accepted only with that key, whatever
 * [property@AnySocket.Socket:e2e-policy] says. A direct link that claims it must offer
 * native E2E in its AUTH packet; it switches to native E2E at once and
 * is connected ([signal@AnySocket.Socket::connected], the end of
 * [method@AnySocket.Socket.connect_async], the replacement of a proxied link to the
 * same id) only once the switch proved the pinned key. Until then it may
 * send nothing but the switch. Compat E2E is refused on any link to it,
 * proxied or direct. A proxied link to it ([method@AnySocket.Socket.proxy_async])
 * is connected at once, as every proxied peer, and starts the native
 * switch at once when this side asked for it; anything it sends in the
 * clear before the switch proved the key (but the capability probe, a
 * synced-time request) closes it: a hub could write anything under that
 * id. A link refused for any of these reasons closes with
 * a reason naming the peer and "is pinned to a native key", and is
 * reported by [signal@AnySocket.Socket::untrusted]. Pins apply to links authenticated
 * after the call.
 */
void
any_socket_pin_fingerprint (AnySocket  *self,
                            const char *peer_id,
                            const char *fingerprint)
{
  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (peer_id != NULL);

  if (fingerprint == NULL)
    g_hash_table_remove (self->pins, peer_id);
  else
    g_hash_table_replace (self->pins, g_strdup (peer_id), g_strdup (fingerprint));
}

/**
 * any_socket_get_pinned_fingerprint:
 * @self: an [class@AnySocket.Socket]
 * @peer_id: a peer id
 *
 * Gets what [method@AnySocket.Socket.pin_fingerprint] pinned for a peer.
 *
 * Returns: (nullable): the fingerprint pinned for @peer_id
 */
const char *
any_socket_get_pinned_fingerprint (AnySocket  *self,
                                   const char *peer_id)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);
  g_return_val_if_fail (peer_id != NULL, NULL);

  return g_hash_table_lookup (self->pins, peer_id);
}

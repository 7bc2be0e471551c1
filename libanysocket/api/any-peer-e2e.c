/* any-peer-e2e.c: AnyPeer's end-to-end encryption and verification (pinned
 * keys, fingerprints) and the capability probe of a proxied peer
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-enum-types.h"
#include "any-packet.h"
#include "api/any-peer-private.h"
#include "api/any-packet-private.h"
#include "codec/any-id.h"
#include "protocol/any-internal-msg.h"
#include "protocol/any-requests.h"
#include "protocol/any-trust.h"
#include "crypto/any-noise.h"

/* Before the engine connects (or starts, for a proxied peer). */
void
_any_peer_require_pinned_key (AnyPeer  *self,
                              gboolean  prove_first)
{
  self->pinned = TRUE;
  if (self->engine != NULL)
    any_engine_require_pinned_key (self->engine, prove_first);
}

/* A link (direct, or proxied once its probe told) whose both sides
 * advertised the mesh capability. */
gboolean
_any_peer_has_mesh (AnyPeer *self)
{
  return self->engine != NULL && any_engine_get_peer_mesh (self->engine);
}

/* After a probe either way: the mesh hears of a link that now speaks it. */
static void
take_mesh_caps (AnyPeer    *self,
                JsonObject *holder)
{
  if (self->engine == NULL)
    return;
  any_engine_take_peer_mesh (self->engine, holder);
  if (self->socket != NULL && self->host->mesh_ready != NULL && _any_peer_has_mesh (self))
    self->host->mesh_ready (self->socket, self);
}

gboolean
_any_peer_is_pinned (AnyPeer *self)
{
  return self->pinned;
}

/* The id a pinned link claimed and never proved, or NULL: a direct link
 * that never connected, or a proxied one (connected at once) whose
 * native switch did not prove the key. */
const char *
_any_peer_get_unproven_id (AnyPeer *self)
{
  if (!self->pinned || self->engine == NULL)
    return NULL;
  if (!self->was_connected ||
      (self->via != NULL && any_engine_get_e2e_mode (self->engine) != ANY_E2E_MODE_NATIVE))
    return any_engine_get_peer_id (self->engine);
  return NULL;
}

/* The proxy probe (see api/any-socket-proxy.c): a proxied peer sent no
 * AUTH, so the side that switches to E2E first asks what the other can
 * do with a SYNCED_TIME request that carries its own capabilities. */

static void
set_remote_caps (AnyPeer    *self,
                 JsonObject *holder)
{
  if (self->engine != NULL)
    any_engine_set_peer_caps (self->engine, holder);
}

static void
on_probe_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AnyPeer *peer = ANY_PEER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (peer, result, &error);
  JsonNode *msg = reply != NULL ? any_packet_get_msg (reply) : NULL;

  /* No answer, or no capabilities in it: a plain JavaScript peer. */
  if (msg == NULL || !JSON_NODE_HOLDS_OBJECT (msg))
    {
      g_debug ("No capabilities from proxied peer %s: %s", any_peer_get_id (peer),
               error != NULL ? error->message : "not an object");
      set_remote_caps (peer, NULL);
      return;
    }
  set_remote_caps (peer, json_node_get_object (msg));
  take_mesh_caps (peer, json_node_get_object (msg));
}

/* Our capabilities into @object; an empty "caps" still says "I am
 * libanysocket, without native E2E". */
static void
add_probe_caps (AnyPeer    *self,
                JsonObject *object)
{
  if (self->engine != NULL)
    any_engine_add_local_caps (self->engine, object);
  if (!json_object_has_member (object, "caps"))
    json_object_set_object_member (object, "caps", json_object_new ());
}

/* Asks a proxied peer what it can do (its caps); also before binary
 * messages through a hub (any-peer-send.c). */
void
_any_peer_send_probe (AnyPeer *self)
{
  g_autoptr(JsonNode) probe = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = any_internal_new_synced_time ();

  add_probe_caps (self, object);
  json_node_take_object (probe, object);
  _any_peer_request (self, ANY_PACKET_TYPE_INTERNAL, probe, 0, NULL, _any_peer_send_probe,
                     on_probe_reply, NULL);
}

void
_any_peer_take_probe (AnyPeer    *self,
                      JsonObject *request,
                      JsonObject *answer)
{
  add_probe_caps (self, answer);
  if (self->via != NULL)
    set_remote_caps (self, request);
  take_mesh_caps (self, request);
}

/* A mesh over a socket whose link this is (AnyMesh adopting the links
 * made before it, or a proxied peer): our caps list the mesh from now on,
 * and a probe tells the peer ours and asks for its. Both sides hear
 * host->mesh_ready once both spoke. */
void
_any_peer_offer_mesh (AnyPeer *self)
{
  if (self->engine == NULL || any_engine_get_state (self->engine) != ANY_ENGINE_STATE_CONNECTED)
    return;
  any_engine_set_local_mesh (self->engine);
  if (any_engine_get_peer_caps_pending (self->engine))
    {
      if (self->probe_sent)
        return;
      self->probe_sent = TRUE;
    }
  _any_peer_send_probe (self);
}

/**
 * any_peer_e2e:
 * @self: an [class@AnySocket.Peer]
 *
 * Switches the link to end-to-end encryption (the seed's `peer.e2e()`):
 * native (Noise XX) when the peer advertised it in its AUTH packet, compat
 * (the JavaScript peer's scheme) otherwise, unless [property@AnySocket.Socket:e2e-policy]
 * requires native. Messages sent meanwhile wait and go out encrypted, in
 * order. [signal@AnySocket.Peer::e2e] is emitted when done; a failure (a refused key, a
 * timeout, a policy refusal) disconnects the peer with a reason, reported
 * through [signal@AnySocket.Peer::disconnected]. Does nothing if the link is already
 * encrypted or switching.
 */
void
any_peer_e2e (AnyPeer *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ANY_IS_PEER (self));

  if (self->engine == NULL || any_engine_get_e2e_mode (self->engine) != ANY_E2E_MODE_NONE)
    return;
  /* A proxied peer sent no AUTH: ask what it can do first (the probe
   * goes out before the switch holds everything back). */
  if (any_engine_get_peer_caps_pending (self->engine) && !self->probe_sent)
    {
      self->probe_sent = TRUE;
      _any_peer_send_probe (self);
    }
  if (!any_engine_start_e2e (self->engine, &error) &&
      !g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT))
    {
      g_autofree char *reason = g_strdup_printf ("E2E switch failed: %s", error->message);

      any_peer_disconnect (self, reason);
    }
}

/* Bytes of a binary message not sealed yet (any-engine-bytes.c), tests. */
gsize
_any_peer_get_bytes_unsealed (AnyPeer *self)
{
  return self->engine != NULL ? any_engine_get_bytes_unsealed (self->engine) : 0;
}

/* The cipher of native E2E, "AESGCM" or "ChaChaPoly"; NULL otherwise. */
const char *
_any_peer_get_e2e_cipher (AnyPeer *self)
{
  return self->engine != NULL ? any_engine_get_e2e_cipher (self->engine) : NULL;
}

/**
 * any_peer_get_e2e_mode:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets how the link is end-to-end encrypted ([property@AnySocket.Peer:e2e-mode]).
 *
 * Returns: how the link is end-to-end encrypted
 */
AnyE2eMode
any_peer_get_e2e_mode (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), ANY_E2E_MODE_NONE);

  return self->engine != NULL ? any_engine_get_e2e_mode (self->engine) : ANY_E2E_MODE_NONE;
}

/**
 * any_peer_dup_remote_fingerprint:
 * @self: an [class@AnySocket.Peer]
 *
 * The fingerprint of the static key the peer proved it holds in a native
 * E2E handshake, in the form of [method@AnySocket.Socket.dup_fingerprint]: compare it
 * out of band with what the other side's [method@AnySocket.Socket.dup_fingerprint]
 * shows.
 *
 * Returns: (transfer full) (nullable): the fingerprint, or NULL unless
 *   the link is natively encrypted
 */
char *
any_peer_dup_remote_fingerprint (AnyPeer *self)
{
  const guint8 *remote_static;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  remote_static = self->engine != NULL ? any_engine_get_remote_static (self->engine) : NULL;
  return remote_static != NULL ? any_noise_fingerprint (remote_static) : NULL;
}

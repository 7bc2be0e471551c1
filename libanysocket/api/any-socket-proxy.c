/* any-socket-proxy.c: proxying (PROTOCOL.md 8) as the socket sees it
 *
 * The client side (peers reached through a hub), and what the socket
 * gives its own hub (any-hub.c): FORWARD frames to relay, and the host
 * the hub asks about peers and the application's say.
 *
 * A proxied peer is an ordinary AnyPeer whose transport wraps frames in
 * FORWARD frames to the hub. It is made when our PROXY request is
 * accepted, or when a hub tells us (INTERNAL NETWORK `connected`) that a
 * peer proxied to us. It starts connected: no AUTH crosses the hub.
 *
 * Without AUTH neither side knows what the other can do. The side that
 * switches to E2E first sends a probe: a SYNCED_TIME request carrying its
 * capabilities (the JavaScript peer answers it and ignores the extra key;
 * a libanysocket peer learns ours from it and answers with its own). The
 * switch waits for the answer, so two libanysocket peers use native E2E
 * through any hub. (The probe is the peer's own business: any-peer.c.)
 *
 * Nothing is sent unasked on a new proxied link: a JavaScript peer handles
 * FORWARD frames at once but its INTERNAL packets a little later (in
 * promises), so a frame that follows the hub's NETWORK `connected` too
 * closely finds no peer there, and it then drops its link to the hub
 * ("Invalid forward packet! Client doesn't exist!").
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-packet.h"
#include "any-peer.h"
#include "any-socket.h"
#include "api/any-hub.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "codec/any-id.h"
#include "codec/any-json.h"
#include "protocol/any-internal-msg.h"
#include "transport/any-proxy-transport.h"

/* Hub messages */

/* A hub could announce peers without end: each costs memory and a
 * heartbeat, so one hub gets at most this many. */
#define MAX_PROXIED_PER_HUB 1024

static guint
count_proxied_via (AnySocket *socket,
                   AnyPeer   *hub)
{
  g_autoptr(GList) peers = any_socket_get_peers (socket);
  guint count = 0;

  for (GList *l = peers; l != NULL; l = l->next)
    if (any_peer_get_via (l->data) == hub)
      count++;
  return count;
}

void
_any_proxy_send_unproxy (AnyPeer    *via,
                         const char *peer_id)
{
  g_autoptr(JsonNode) msg = any_internal_build (ANY_INTERNAL_PROXY, "unproxy", peer_id);

  if (any_peer_is_connected (via))
    _any_peer_send_packet (via, ANY_PACKET_TYPE_INTERNAL, 0, msg, NULL);
}

static gboolean
via_send_frame (GObject  *via,
                GBytes   *frame,
                GError  **error)
{
  return _any_peer_send_frame (ANY_PEER (via), frame, error);
}

static gboolean
via_send_binary_frame (GObject  *via,
                       GBytes   *frame,
                       GError  **error)
{
  return _any_peer_send_binary_frame (ANY_PEER (via), frame, error);
}

static void
via_unproxy (GObject    *via,
             const char *remote_id)
{
  _any_proxy_send_unproxy (ANY_PEER (via), remote_id);
}

static const AnyProxyTransportCallbacks via_callbacks = {
  .send_frame = via_send_frame,
  .unproxy = via_unproxy,
  .send_binary_frame = via_send_binary_frame,
};

/* The transport of a peer reached through @via. */
AnyTransport *
_any_proxy_transport_new (AnyPeer    *via,
                          const char *local_id,
                          const char *remote_id)
{
  AnyTransport *transport = any_proxy_transport_new (&via_callbacks, G_OBJECT (via), local_id, remote_id);

  /* Binary messages go through a hub that relays binary FORWARD frames
   * (a libanysocket hub: "binfwd" in its AUTH); through a JavaScript hub
   * they fail with NOT_SUPPORTED, as the link has no binary kind. */
  any_proxy_transport_set_binary (ANY_PROXY_TRANSPORT (transport), _any_peer_takes_binary_forward (via));
  return transport;
}

/* INTERNAL NETWORK from a hub: a peer proxied to us, or one left. Anything
 * we cannot use is ignored (the JavaScript peer would drop the hub). */
void
_any_proxy_handle_network (AnyPeer    *hub,
                           JsonObject *msg)
{
  AnySocket *socket = any_peer_get_socket (hub);
  const char *action, *id;
  AnyPeer *known;

  if (msg == NULL || socket == NULL || any_peer_is_proxy (hub))
    return;
  action = any_json_get_string_member (msg, "action");
  id = any_json_get_string_member (msg, "id");
  if (action == NULL || id == NULL || !any_id_is_valid (id))
    {
      g_debug ("Ignored NETWORK %s from %s: invalid", action != NULL ? action : "(no action)", any_peer_get_id (hub));
      return;
    }
  known = any_socket_get_peer (socket, id);

  if (g_str_equal (action, "connected"))
    {
      if (g_str_equal (id, any_socket_get_id (socket)))
        return;
      if (known != NULL)
        {
          /* A peer asks a hub for a link to us only when it has none: the
           * link we still have is on its way out (its close is in flight,
           * racing the news). Saying no at once lets the requester learn
           * it now, and ask again, rather than at its E2E or reply
           * timeout on a link that leads nowhere. */
          if (any_peer_get_via (known) != hub)
            _any_proxy_send_unproxy (hub, id);
          return;
        }
      if (count_proxied_via (socket, hub) >= MAX_PROXIED_PER_HUB)
        {
          g_debug ("Ignored NETWORK connected from %s: %u proxied peers already",
                   any_peer_get_id (hub), MAX_PROXIED_PER_HUB);
          return;
        }
      g_object_unref (_any_socket_add_proxied_peer (socket, hub, id));
    }
  else if (g_str_equal (action, "disconnected"))
    {
      if (known != NULL && any_peer_get_via (known) == hub)
        _any_peer_close_proxied (known, "Proxy Connection Closed");
    }
}

/* What the socket hands to this half */

/* Peers reached through @hub go with it. A hub with no proxied peer of
 * its own (the usual one) skips the walk: with it, each of 10,000 peers
 * leaving walked the 10,000 (a listing of all of them per departure). */
void
_any_proxy_close_via (AnySocket  *self,
                      AnyPeer    *hub,
                      const char *reason)
{
  g_autoptr(GList) peers = NULL;
  g_autofree char *why = NULL;

  if (self->n_proxied == 0)
    return;
  peers = any_socket_get_peers (self);
  why = g_strdup_printf ("Proxy Connection Closed: hub %s disconnected (%s)", any_peer_get_id (hub), reason);
  for (GList *l = peers; l != NULL; l = l->next)
    if (any_peer_get_via (l->data) == hub)
      {
        g_autoptr(AnyPeer) peer = g_object_ref (l->data);

        _any_peer_close_proxied (peer, why);
      }
}

/* A FORWARD frame from the direct peer @from: for one of our proxied
 * peers, or for @hub to relay. */
void
_any_proxy_forward (AnySocket        *self,
                    AnyHub           *hub,
                    AnyPeer          *from,
                    const guint8     *frame,
                    gsize             len,
                    const AnyForward *forward)
{
  char to_id[ANY_ID_LENGTH + 1], from_id[ANY_ID_LENGTH + 1];
  g_autofree char *reason = NULL;
  AnyPeer *source;

  any_id_from_bytes (forward->to, to_id);
  any_id_from_bytes (forward->from, from_id);

  if (g_str_equal (to_id, any_socket_get_id (self)))
    {
      /* Relayed to us: only by the hub that peer is reached through. */
      source = any_socket_get_peer (self, from_id);
      /* Or the one a direct link replaced, still draining. */
      if (source == NULL || any_peer_get_via (source) != from)
        source = _any_links_get_retiring (_any_socket_get_links (self), from_id);
      if (source != NULL && any_peer_get_via (source) == from)
        _any_peer_deliver_forwarded (source, forward->inner, forward->inner_len, !forward->binary);
      else
        g_debug ("Dropped FORWARD from %s via %s: no such proxied peer", from_id,
                 any_peer_get_id (from));
      return;
    }

  /* To relay: the source must be the sender itself. */
  if (g_strcmp0 (from_id, any_peer_get_id (from)) != 0)
    reason = g_strdup_printf ("Invalid FORWARD: source %s is not the sender %s", from_id,
                              any_peer_get_id (from));
  else
    _any_hub_relay (hub, from, frame, len, forward->binary, to_id, &reason);
  if (reason != NULL)
    any_peer_disconnect (from, reason);
}

/* The hub's host (any-hub.h): what the hub may ask of the socket. */

static gboolean
hub_allow_proxy (gpointer    host,
                 AnyPeer    *from,
                 const char *target_id)
{
  gboolean allowed = FALSE;

  g_signal_emit_by_name (host, "proxy-request", from, target_id, &allowed);
  return allowed;
}

static AnyPeer *
hub_lookup_peer (gpointer    host,
                 const char *id)
{
  return any_socket_get_peer (host, id);
}

static const char *
hub_local_id (gpointer host)
{
  return any_socket_get_id (host);
}

static guint64
hub_max_send_buffer (gpointer host)
{
  return any_socket_get_max_send_buffer (host);
}

static const AnyHubHost hub_host = {
  .allow_proxy = hub_allow_proxy,
  .lookup_peer = hub_lookup_peer,
  .local_id = hub_local_id,
  .max_send_buffer = hub_max_send_buffer,
};

AnyHub *
_any_proxy_hub_new (AnySocket *socket)
{
  return _any_hub_new (&hub_host, socket);
}

/* any_socket_proxy_async() */

static void
on_proxy_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AnyPeer *through = ANY_PEER (source);
  AnySocket *self = g_task_get_source_object (task);
  const char *peer_id = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (through, result, &error);
  JsonNode *msg;
  JsonObject *object;
  AnyPeer *peer;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  msg = any_packet_get_msg (reply);
  object = JSON_NODE_HOLDS_OBJECT (msg) ? json_node_get_object (msg) : NULL;
  if (object == NULL || !json_object_get_boolean_member_with_default (object, "ok", FALSE))
    {
      const char *why = object != NULL ?
                        any_json_get_string_member (object, "error") : NULL;

      g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROXY_REFUSED,
                               _("Peer %s refused to proxy %s%s%s"), any_peer_get_id (through),
                               peer_id, why != NULL ? ": " : "", why != NULL ? why : "");
      return;
    }

  /* Both ends may have asked at once: the hub's NETWORK message then
   * made the peer already. */
  peer = any_socket_get_peer (self, peer_id);
  if (peer != NULL && any_peer_get_via (peer) != through)
    {
      g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DUPLICATE_ID,
                               _("Peer %s is already connected"), peer_id);
      return;
    }
  peer = peer != NULL ? g_object_ref (peer) : _any_socket_add_proxied_peer (self, through, peer_id);
  if (g_task_return_error_if_cancelled (task))
    {
      any_peer_disconnect (peer, "Proxy cancelled");
      g_object_unref (peer);
      return;
    }
  /* A pinned id proves its key before anything else crosses the hub
   * (any-trust.h): what the owner sends meanwhile waits for the switch.
   * Only the side that asked starts it: the other end learnt of the link
   * first (the hub's NETWORK message went before our answer), so it is
   * ready for what we send. */
  if (_any_peer_is_pinned (peer))
    any_peer_e2e (peer);
  g_task_return_pointer (task, peer, g_object_unref);
}

/**
 * any_socket_proxy_async:
 * @self: an [class@AnySocket.Socket]
 * @peer_id: the id of a peer connected to @through
 * @through: a peer of @self, connected directly, that relays (the hub)
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called when done
 * @user_data: data for @callback
 *
 * Reaches @peer_id through the hub @through (peer-to-peer through a
 * proxy, PROTOCOL.md 8): the hub is asked to link the two, and the result
 * is an ordinary [class@AnySocket.Peer] with [property@AnySocket.Peer:is-proxy] set, whose frames travel
 * through the hub. It can be switched to E2E ([method@AnySocket.Peer.e2e]); the hub
 * then sees only ciphertext.
 *
 * The hub decides: a libanysocket hub emits [signal@AnySocket.Socket::proxy-request],
 * whose default refuses; a JavaScript hub asks its `canProxy()`, which
 * refuses by default and then closes the link to us. A refusal fails with
 * `ANY_SOCKET_ERROR_PROXY_REFUSED`. The other side gets the peer through
 * [signal@AnySocket.Socket::connected], as we do.
 */
void
any_socket_proxy_async (AnySocket           *self,
                        const char          *peer_id,
                        AnyPeer             *through,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) request = NULL;

  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (peer_id != NULL);
  g_return_if_fail (ANY_IS_PEER (through));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, any_socket_proxy_async);
  g_task_set_task_data (task, g_strdup (peer_id), g_free);

  if (any_peer_get_socket (through) != self || !any_peer_is_connected (through))
    g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                             _("Cannot proxy through a peer that is not connected to this socket"));
  else if (any_peer_is_proxy (through))
    g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                             _("Cannot proxy through a proxied peer"));
  else if (!any_id_is_valid (peer_id))
    g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                             _("Cannot proxy '%s': ids must be 32 lowercase hex characters"), peer_id);
  else if (g_str_equal (peer_id, any_socket_get_id (self)) ||
           g_strcmp0 (peer_id, any_peer_get_id (through)) == 0)
    g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                             _("Cannot proxy loopback"));
  else if (any_socket_get_peer (self, peer_id) != NULL)
    g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DUPLICATE_ID,
                             _("Peer %s is already connected"), peer_id);
  else
    {
      request = any_internal_build (ANY_INTERNAL_PROXY, "proxy", peer_id);
      _any_peer_request (through, ANY_PACKET_TYPE_INTERNAL, request, 0, cancellable,
                         any_socket_proxy_async, on_proxy_reply, g_steal_pointer (&task));
    }
}

/**
 * any_socket_proxy_finish:
 * @self: an [class@AnySocket.Socket]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * Finishes [method@AnySocket.Socket.proxy_async].
 *
 * Returns: (transfer full): the proxied peer
 */
AnyPeer *
any_socket_proxy_finish (AnySocket     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* any-socket.c: AnySocket, one endpoint that listens and connects (the class,
 * its signals, listening and connecting; what its peers report is in
 * any-socket-host.c, its identity in any-socket-identity.c, its
 * properties in any-socket-properties.c)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-enum-types.h"
#include "any-packet.h"
#include "any-peer.h"
#include "any-rpc-call.h"
#include "any-socket.h"
#include "api/any-fanout.h"
#include "api/any-hub.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "api/any-socket-http.h"
#include "api/any-socket-tls.h"
#include "codec/any-id.h"
#include "transport/any-ws-dial.h"
#include "crypto/any-noise.h"

#include <string.h>

/**
 * AnySocket:
 *
 * One AnySocket endpoint, with one id ([property@AnySocket.Socket:id]) for all its links.
 * It can listen on several `ws://` URIs and connect to several peers at
 * once: client and server are the same object, as in the JavaScript
 * `anysocket` package, whose wire protocol (0.4.x) it speaks.
 *
 * Messages are JSON (`JsonNode`). Any message can be a request that gets a
 * reply ([method@AnySocket.Peer.request_async], [method@AnySocket.Packet.reply]). A heartbeat
 * measures each link's lag ([property@AnySocket.Peer:lag]) and drops a peer that stops
 * answering (`Missed Heartbeats`). Large messages are split into chunks
 * of 1,048,576 characters and joined again.
 *
 * Threading: an AnySocket, its peers and packets belong to the
 * thread-default `GMainContext` of the thread that called [ctor@AnySocket.Socket.new].
 * Signals are emitted and async callbacks run there; use the objects from
 * that thread only.
 */

G_DEFINE_FINAL_TYPE (AnySocket, any_socket, G_TYPE_OBJECT)

guint _any_socket_signals[SOCKET_N_SIGNALS];

static void
unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

/* Listening */

/**
 * any_socket_listen_async:
 * @self: an [class@AnySocket.Socket]
 * @uri: where to listen, `ws://HOST:PORT`, `wss://HOST:PORT`,
 *   `tcp://HOST:PORT` or `unix:///PATH`; port 0 picks a free port,
 *   HOST `0.0.0.0` or `[::]` listens on all interfaces
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called when listening
 * @user_data: data for @callback
 *
 * Starts accepting WebSocket connections on @uri (any path). A socket can
 * listen on several URIs; accepted peers appear through
 * [signal@AnySocket.Socket::connected] once they have authenticated.
 * `wss://` needs [property@AnySocket.Socket:tls-certificate]; `tcp://` and
 * `unix://` carry the protocol without WebSocket, between libanysocket
 * peers (a unix socket is made with mode 0600 and removed on stop;
 * 0 is returned for it).
 */
void
any_socket_listen_async (AnySocket           *self,
                         const char          *uri,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, any_socket_listen_async);
  any_ws_dial_listen (self->dial, uri, task);
}

/**
 * any_socket_listen_finish:
 * @self: an [class@AnySocket.Socket]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * Finishes [method@AnySocket.Socket.listen_async].
 *
 * Returns: the port listened on (useful with port 0), or 0 on error (and
 *   for `unix://`: check @error)
 */
guint
any_socket_listen_finish (AnySocket     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  gssize port;

  g_return_val_if_fail (ANY_IS_SOCKET (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  port = g_task_propagate_int (G_TASK (result), error);
  return port > 0 ? (guint) port : 0;
}

/* Connecting */

/**
 * any_socket_connect_async:
 * @self: an [class@AnySocket.Socket]
 * @uri: the peer, `ws://HOST:PORT`, `wss://HOST:PORT` (TLS), or a
 *   libanysocket peer's `tcp://HOST:PORT` or `unix:///PATH`
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called once connected
 * @user_data: data for @callback
 *
 * Connects to a peer and runs the AUTH exchange. [signal@AnySocket.Socket::connected] is
 * emitted first, then @callback runs. A refused AUTH, a duplicated id or
 * no AUTH answer within [property@AnySocket.Socket:auth-timeout] fail with
 * `ANY_SOCKET_ERROR_AUTH_FAILED`.
 *
 * A peer already reached through a hub stays that proxied peer until it
 * kept the direct link too; it then takes over (a libanysocket peer) or
 * the connect fails with `ANY_SOCKET_ERROR_DUPLICATE_ID` and the proxied
 * peer stays (the JavaScript peer refuses a second link).
 *
 * A `ws://` peer (without [property@AnySocket.Socket:permessage-deflate]) is reached by
 * libanysocket itself: a `GSocketClient`, which follows GIO's proxy
 * settings, and the WebSocket upgrade, which must be answered within
 * [property@AnySocket.Socket:auth-timeout] (`G_IO_ERROR_TIMED_OUT`) and correctly
 * (`SOUP_WEBSOCKET_ERROR`). Its writes then leave in batches, as those of
 * accepted connections do. `wss://` and permessage-deflate go through a
 * `SoupSession` (trusting [property@AnySocket.Socket:tls-database]).
 * `tcp://` and `unix://` must say their hello within
 * [property@AnySocket.Socket:auth-timeout] too.
 */
void
any_socket_connect_async (AnySocket           *self,
                          const char          *uri,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (uri != NULL);

  _any_socket_connect_uri (self, uri, NULL, cancellable, callback, user_data);
}

void
_any_socket_connect_uri (AnySocket           *self,
                         const char          *uri,
                         const char * const  *headers,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, any_socket_connect_async);
  any_ws_dial_connect (self->dial, uri, headers, task);
}

/**
 * any_socket_connect_finish:
 * @self: an [class@AnySocket.Socket]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * Finishes [method@AnySocket.Socket.connect_async].
 *
 * Returns: (transfer full): the connected peer
 */
AnyPeer *
any_socket_connect_finish (AnySocket     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * any_socket_stop:
 * @self: an [class@AnySocket.Socket]
 *
 * Stops listening and disconnects every peer (each emits
 * [signal@AnySocket.Peer::disconnected] and [signal@AnySocket.Socket::disconnected] with the reason
 * `Socket stopped`). Pending connects fail. The socket can listen and
 * connect again afterwards.
 */
void
any_socket_stop (AnySocket *self)
{
  g_autoptr(GList) unauthenticated = NULL;
  g_autoptr(GList) peers = NULL;

  g_return_if_fail (ANY_IS_SOCKET (self));

  g_object_ref (self);
  _any_reconnects_stop (self->reconnects);
  any_ws_dial_stop (self->dial);
  _any_links_stop (self->links);

  unauthenticated = g_hash_table_get_keys (self->unauthenticated);
  for (GList *l = unauthenticated; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = unauthenticated; l != NULL; l = l->next)
    {
      any_peer_disconnect (l->data, "Socket stopped");
      g_object_unref (l->data);
    }

  peers = any_socket_get_peers (self);
  for (GList *l = peers; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = peers; l != NULL; l = l->next)
    {
      any_peer_disconnect (l->data, "Socket stopped");
      g_object_unref (l->data);
    }
  g_object_unref (self);
}

/**
 * any_socket_broadcast:
 * @self: an [class@AnySocket.Socket]
 * @msg: the message, any JSON value
 *
 * Sends @msg to every connected peer (the seed's `AnySocket.send()`).
 * A peer that cannot take it (for example one that is disconnecting) is
 * skipped.
 */
void
any_socket_broadcast (AnySocket *self,
                      JsonNode  *msg)
{
  g_autoptr(GPtrArray) peers = NULL;
  GHashTableIter iter;
  gpointer peer;

  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (msg != NULL);

  /* A copy, referenced: a peer that fails may leave the table meanwhile.
   * Written once for all of them (any-fanout.c). */
  peers = g_ptr_array_new_full (g_hash_table_size (self->peers), g_object_unref);
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &peer))
    g_ptr_array_add (peers, g_object_ref (peer));
  _any_fanout_send ((AnyPeer **) peers->pdata, peers->len, ANY_PACKET_TYPE_LINK, msg);
}

/**
 * any_socket_get_peers:
 * @self: an [class@AnySocket.Socket]
 *
 * Lists the connected peers.
 *
 * Returns: (transfer container) (element-type AnyPeer): the connected
 *   peers
 */
GList *
any_socket_get_peers (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);

  return g_hash_table_get_values (self->peers);
}

/**
 * any_socket_get_peer:
 * @self: an [class@AnySocket.Socket]
 * @id: a peer id
 *
 * Looks up a connected peer by its id.
 *
 * Returns: (transfer none) (nullable): the connected peer with this id
 */
AnyPeer *
any_socket_get_peer (AnySocket  *self,
                     const char *id)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->peers, id);
}

/* Properties */

/**
 * any_socket_new:
 *
 * Creates a socket; it neither listens nor connects until asked to.
 *
 * Returns: (transfer full): a new socket with a fresh random id
 */
AnySocket *
any_socket_new (void)
{
  return g_object_new (ANY_TYPE_SOCKET, NULL);
}

/**
 * any_socket_get_id:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets the id the socket presents to its peers ([property@AnySocket.Socket:id]).
 *
 * Returns: the socket's id: 32 lowercase hex characters (a UUIDv4 without
 *   dashes)
 */
const char *
any_socket_get_id (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);

  return self->id;
}

/* GObject */

static void
any_socket_dispose (GObject *object)
{
  AnySocket *self = ANY_SOCKET (object);
  GHashTableIter iter;
  gpointer peer;

  if (self->peers != NULL)
    any_socket_stop (self);

  /* Peers the application still holds outlive the socket, unattached. */
  if (self->peers != NULL)
    {
      g_hash_table_iter_init (&iter, self->peers);
      while (g_hash_table_iter_next (&iter, NULL, &peer))
        _any_peer_detach (peer);
      g_clear_pointer (&self->peers, g_hash_table_unref);
    }
  if (self->unauthenticated != NULL)
    {
      g_hash_table_iter_init (&iter, self->unauthenticated);
      while (g_hash_table_iter_next (&iter, &peer, NULL))
        _any_peer_detach (peer);
      g_clear_pointer (&self->unauthenticated, g_hash_table_unref);
    }
  any_ws_dial_clear (self->dial);

  G_OBJECT_CLASS (any_socket_parent_class)->dispose (object);
}

static void
any_socket_finalize (GObject *object)
{
  AnySocket *self = ANY_SOCKET (object);

  g_clear_pointer (&self->auth_data, json_node_unref);
  g_clear_pointer (&self->identity, any_noise_keypair_unref);
  g_clear_pointer (&self->pins, g_hash_table_unref);
  g_clear_pointer (&self->hub, _any_hub_free);
  g_clear_pointer (&self->links, _any_links_free);
  g_clear_pointer (&self->reconnects, g_ptr_array_unref);
  g_clear_pointer (&self->dial, any_ws_dial_free);
  g_clear_pointer (&self->http, _any_socket_http_free);
  g_clear_pointer (&self->tls, _any_socket_tls_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->id);

  G_OBJECT_CLASS (any_socket_parent_class)->finalize (object);
}

/* Any handler returning FALSE refuses; later handlers do not run. */
static gboolean
authenticate_accumulator (GSignalInvocationHint *hint,
                          GValue                *return_accu,
                          const GValue          *handler_return,
                          gpointer               data)
{
  gboolean accepted = g_value_get_boolean (handler_return);

  g_value_set_boolean (return_accu, accepted);
  return accepted;
}

static gboolean
any_socket_real_authenticate (AnySocket  *self,
                              const char *peer_id,
                              JsonNode   *auth)
{
  return TRUE;
}

static gboolean
any_socket_real_authenticate_peer (AnySocket  *self,
                                   AnyPeer    *peer,
                                   const char *peer_id,
                                   JsonNode   *auth)
{
  return TRUE;
}

static gboolean
any_socket_real_verify_peer (AnySocket  *self,
                             AnyPeer    *peer,
                             const char *fingerprint)
{
  return TRUE;
}

/* The library's own messages (the GErrors it gives the application)
 * are in the "anysocket" domain, read with dgettext() (_() of
 * <glib/gi18n-lib.h>), whatever the application's textdomain(). Messages
 * sent to a peer (disconnect reasons) stay in English: a peer may match
 * on them. The domain is bound where the library is installed, or to
 * $ANYSOCKET_LOCALEDIR (a build tree), unless the application bound it
 * first: anychat shares the domain and points it at its own tree. */
static void
bind_text_domain (void)
{
  const char *dir = g_getenv ("ANYSOCKET_LOCALEDIR");
  /* what gettext answers for a domain nobody bound */
  g_autofree char *unbound = g_strdup (bindtextdomain ("anysocket-never-bound", NULL));

  if (dir == NULL && g_strcmp0 (bindtextdomain (GETTEXT_PACKAGE, NULL), unbound) != 0)
    return;
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

static void
any_socket_class_init (AnySocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  bind_text_domain ();

  any_ws_dial_quiet_libsoup_debug ();

  object_class->dispose = any_socket_dispose;
  object_class->finalize = any_socket_finalize;
  _any_socket_properties_class_init (object_class);


  /**
   * AnySocket::connected:
   * @self: the socket
   * @peer: the new peer
   *
   * A link finished its AUTH exchange: @peer can send and receive.
   */
  _any_socket_signals[SOCKET_SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_PEER);

  /**
   * AnySocket::message:
   * @self: the socket
   * @packet: the message
   *
   * A message (not a reply) arrived from any peer, after
   * [signal@AnySocket.Peer::message].
   */
  _any_socket_signals[SOCKET_SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_PACKET);

  /**
   * AnySocket::heartbeat:
   * @self: the socket
   * @peer: the peer
   *
   * A heartbeat round trip with @peer completed ([property@AnySocket.Peer:lag]).
   */
  _any_socket_signals[SOCKET_SIGNAL_HEARTBEAT] =
    g_signal_new ("heartbeat", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_PEER);

  /**
   * AnySocket::disconnected:
   * @self: the socket
   * @peer: the peer
   * @reason: why
   *
   * A connected peer is gone, after [signal@AnySocket.Peer::disconnected].
   */
  _any_socket_signals[SOCKET_SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ANY_TYPE_PEER, G_TYPE_STRING);

  /**
   * AnySocket::e2e:
   * @self: the socket
   * @peer: the peer
   *
   * The link to @peer is now end-to-end encrypted.
   */
  _any_socket_signals[SOCKET_SIGNAL_E2E] =
    g_signal_new ("e2e", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_PEER);

  /**
   * AnySocket::rpc:
   * @self: the socket
   * @call: the incoming call
   *
   * A peer called a method (the JavaScript `peer.rpc.hello.user(...)`,
   * which a JavaScript peer serves with `setRPC()`). The detail is the
   * method path joined with dots: connect to `rpc::hello.user` for that
   * method only, or to `rpc` for every method.
   *
   * A handler that takes the call returns TRUE and completes it exactly
   * once, right away or later (keeping a reference meanwhile), with
   * [method@AnySocket.RpcCall.return_value], [method@AnySocket.RpcCall.return_bytes] or
   * [method@AnySocket.RpcCall.return_error]. A call dropped without an answer is
   * answered with the error `RPC handler returned no result` (500). When
   * no handler returns TRUE the caller gets `Method not found!` (404), as
   * from a JavaScript peer.
   *
   * Returns: TRUE if the handler took the call
   */
  _any_socket_signals[SOCKET_SIGNAL_RPC] =
    g_signal_new ("rpc", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, ANY_TYPE_RPC_CALL);

  /**
   * AnySocket::authenticate:
   * @self: the socket
   * @peer_id: the id the other side claims
   * @auth: (nullable): the `auth` member of its AUTH packet, NULL when
   *   it sent none
   *
   * Decides whether a new link is accepted (the JavaScript `onAuth()`).
   * Runs on both sides: a server checks its clients, a client its server.
   * Any handler returning FALSE refuses the link, which is closed with
   * `Invalid Auth Packet!`. With no handler every peer is accepted.
   *
   * Returns: TRUE to accept
   */
  _any_socket_signals[SOCKET_SIGNAL_AUTHENTICATE] =
    g_signal_new_class_handler ("authenticate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                G_CALLBACK (any_socket_real_authenticate),
                                authenticate_accumulator, NULL, NULL,
                                G_TYPE_BOOLEAN, 2, G_TYPE_STRING, JSON_TYPE_NODE);

  /**
   * AnySocket::authenticate-peer:
   * @self: the socket
   * @peer: the new peer, not connected yet
   * @peer_id: the id it claims
   * @auth: (nullable): the `auth` member of its AUTH packet, NULL when
   *   it sent none
   *
   * [signal@AnySocket.Socket::authenticate] with the peer: emitted just
   * before it, with the same meaning, for handlers that look at more
   * than the AUTH packet. On a server, @peer holds what the WebSocket
   * upgrade request said: its headers and cookies
   * ([method@AnySocket.Peer.get_request_header],
   * [method@AnySocket.Peer.get_request_cookie],
   * [method@AnySocket.Peer.get_request_path]) and
   * [method@AnySocket.Peer.get_remote_address]. A peer we connected to has no
   * request: those return NULL.
   *
   * Any handler returning FALSE refuses the link, which is closed with
   * `Invalid Auth Packet!`; then neither the later handlers nor
   * [signal@AnySocket.Socket::authenticate] run. @peer cannot send yet
   * (it is connected once accepted, [signal@AnySocket.Socket::connected]),
   * and [method@AnySocket.Peer.get_id] is NULL until then: the id is
   * @peer_id.
   *
   * Returns: TRUE to accept
   *
   * Since: 0.2
   */
  _any_socket_signals[SOCKET_SIGNAL_AUTHENTICATE_PEER] =
    g_signal_new_class_handler ("authenticate-peer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                G_CALLBACK (any_socket_real_authenticate_peer),
                                authenticate_accumulator, NULL, NULL,
                                G_TYPE_BOOLEAN, 3, ANY_TYPE_PEER, G_TYPE_STRING, JSON_TYPE_NODE);

  /**
   * AnySocket::verify-peer:
   * @self: the socket
   * @peer: the peer
   * @fingerprint: the fingerprint of the static key @peer proved it holds
   *
   * A native E2E handshake authenticated @peer's key. Any handler
   * returning FALSE refuses it: the link closes with a reason naming the
   * peer and the fingerprint. Runs after the pinned fingerprints
   * ([method@AnySocket.Socket.pin_fingerprint]) are checked. With no handler every key
   * is accepted (and [property@AnySocket.Peer:e2e-mode] is native, unverified). On the link
   * of a pinned id this runs before [signal@AnySocket.Socket::connected]: that link is
   * connected only once its key passed.
   *
   * Returns: TRUE to accept the key
   */
  _any_socket_signals[SOCKET_SIGNAL_VERIFY_PEER] =
    g_signal_new_class_handler ("verify-peer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                G_CALLBACK (any_socket_real_verify_peer),
                                authenticate_accumulator, NULL, NULL,
                                G_TYPE_BOOLEAN, 2, ANY_TYPE_PEER, G_TYPE_STRING);

  /**
   * AnySocket::proxy-request:
   * @self: the socket
   * @from: the direct peer that asks
   * @target_id: the id of the direct peer it wants to reach through us
   *
   * @from asked us, as a hub, to link it with @target_id
   * ([method@AnySocket.Socket.proxy_async] on its side; the JavaScript `proxy()`).
   * Only asked when the request is possible: both are connected
   * directly, neither is proxied, and they are distinct. The first
   * handler returning TRUE allows it; with no handler (the default,
   * as in the JavaScript peer) it is refused and @from gets
   * `{"ok": false}`.
   *
   * Once linked, the two exchange FORWARD frames through us; we relay
   * them without reading them (after an E2E switch we could not), only
   * between linked peers and only with the sender's own id as source,
   * and tell one when the other leaves.
   *
   * Returns: TRUE to allow
   */
  _any_socket_signals[SOCKET_SIGNAL_PROXY_REQUEST] =
    g_signal_new ("proxy-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, ANY_TYPE_PEER, G_TYPE_STRING);

  /**
   * AnySocket::untrusted:
   * @self: the socket
   * @peer_id: the id the link claimed
   * @reason: why it was closed (English, as on the wire)
   *
   * A link claimed an id whose native key is pinned
   * ([method@AnySocket.Socket.pin_fingerprint]) and was closed before it
   * proved that key: it offered no native E2E (a plain peer, or a relay
   * that stripped the capabilities to play compat E2E in the middle),
   * sent something in the clear before the switch, presented another
   * key, or did not finish the switch within
   * [property@AnySocket.Socket:e2e-timeout]. A direct link was never
   * reported as connected, and a proxied link to the same id stays; a
   * proxied link (connected at once, as all are) is disconnected right
   * after this signal. Tell the user: someone may be impersonating that
   * peer.
   *
   * Since: 0.2
   */
  _any_socket_signals[SOCKET_SIGNAL_UNTRUSTED] =
    g_signal_new ("untrusted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  _any_socket_reconnect_class_init (object_class);
}

static void
any_socket_init (AnySocket *self)
{
  self->id = any_id_new ();
  self->context = g_main_context_ref_thread_default ();
  self->reply_timeout = SOCKET_DEFAULT_REPLY_TIMEOUT;
  self->heartbeat_interval = SOCKET_DEFAULT_HEARTBEAT_INTERVAL;
  self->auth_timeout = SOCKET_DEFAULT_AUTH_TIMEOUT;
  self->max_message_size = SOCKET_DEFAULT_MAX_MESSAGE_SIZE;
  self->max_send_buffer = SOCKET_DEFAULT_MAX_SEND_BUFFER;
  self->max_connections = SOCKET_DEFAULT_MAX_CONNECTIONS;
  self->tcp_keepalive = SOCKET_DEFAULT_TCP_KEEPALIVE;
  self->max_partial_messages = SOCKET_DEFAULT_MAX_PARTIAL_MESSAGES;
  self->e2e_timeout = SOCKET_DEFAULT_E2E_TIMEOUT;
  self->e2e_policy = ANY_E2E_POLICY_ALLOW_COMPAT;
  self->identity = any_noise_keypair_new ();
  self->pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->unauthenticated = g_hash_table_new_full (NULL, NULL, g_object_unref, unref_nullable);
  self->hub = _any_proxy_hub_new (self);
  self->links = _any_links_new (self);
  self->reconnects = g_ptr_array_new ();
  self->dial = any_ws_dial_new (&_any_socket_dial_host, self);
  self->http = _any_socket_http_new ();
  self->tls = _any_socket_tls_new ();
}

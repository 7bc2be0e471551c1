/* any-socket.c: AnySocket, one endpoint that listens and connects
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
#include "api/any-internal.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "api/any-socket-http.h"
#include "api/any-socket-tls.h"
#include "codec/any-id.h"
#include "crypto/any-identity-file.h"
#include "protocol/any-trust.h"
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
struct _AnySocket
{
  GObject       parent_instance;

  char         *id;
  GMainContext *context;

  guint         reply_timeout;
  guint         heartbeat_interval;
  guint         auth_timeout;
  guint64       max_message_size;
  guint64       max_send_buffer;
  guint         max_partial_messages;
  JsonNode     *auth_data;
  gboolean      permessage_deflate;
  guint         e2e_timeout;
  AnyE2ePolicy  e2e_policy;
  guint         max_connections;
  guint         tcp_keepalive;   /* idle seconds, 0: off */

  AnyNoiseKeypair *identity;     /* the static key of native E2E */
  const AnySocketMeshHost *mesh_host; /* set by an AnyMesh over this socket */
  gpointer      mesh;
  GHashTable   *pins;            /* peer id -> fingerprint */

  AnyWsDial    *dial;            /* listening and connecting */

  GHashTable   *peers;           /* id -> AnyPeer, authenticated or proxied */
  GHashTable   *unauthenticated; /* AnyPeer -> GTask of connect_async or NULL */
  AnyHub       *hub;             /* peers that proxy through us */
  AnyLinks     *links;           /* direct links taking over proxied ones */
  AnySocketHttp *http;           /* subprotocols, plain HTTP (any-socket-http.c) */
  GPtrArray    *reconnects;      /* connects that dial again (any-socket-reconnect.c) */
  AnySocketTls *tls;             /* wss:// (any-socket-tls.c) */
};

G_DEFINE_FINAL_TYPE (AnySocket, any_socket, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_REPLY_TIMEOUT,
  PROP_HEARTBEAT_INTERVAL,
  PROP_AUTH_TIMEOUT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_PARTIAL_MESSAGES,
  PROP_MAX_SEND_BUFFER,
  PROP_AUTH_DATA,
  PROP_PERMESSAGE_DEFLATE,
  PROP_E2E_TIMEOUT,
  PROP_E2E_POLICY,
  PROP_MAX_CONNECTIONS,
  PROP_TCP_KEEPALIVE,
  N_PROPS
};

enum {
  SIGNAL_CONNECTED,
  SIGNAL_MESSAGE,
  SIGNAL_HEARTBEAT,
  SIGNAL_DISCONNECTED,
  SIGNAL_E2E,
  SIGNAL_RPC,
  SIGNAL_AUTHENTICATE,
  SIGNAL_AUTHENTICATE_PEER,
  SIGNAL_VERIFY_PEER,
  SIGNAL_PROXY_REQUEST,
  SIGNAL_UNTRUSTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

#define DEFAULT_REPLY_TIMEOUT        30000
#define DEFAULT_HEARTBEAT_INTERVAL    5000
#define DEFAULT_AUTH_TIMEOUT          5000
#define DEFAULT_MAX_MESSAGE_SIZE     (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define DEFAULT_MAX_SEND_BUFFER      (G_GUINT64_CONSTANT (256) * 1024 * 1024)
#define DEFAULT_MAX_PARTIAL_MESSAGES    16
#define DEFAULT_E2E_TIMEOUT           5000
#define DEFAULT_MAX_CONNECTIONS      10000
#define DEFAULT_TCP_KEEPALIVE        30

/* Peers */

/* What peers and INTERNAL requests report to us (defined below, with
 * their callbacks). */
static const AnyPeerHost peer_host;
static const AnyInternalHost internal_host;

static AnyEngineConfig
engine_config (AnySocket *self)
{
  AnyEngineConfig config = {
    .local_id = self->id,
    .auth_data = self->auth_data,
    .heartbeat_interval_ms = self->heartbeat_interval,
    .auth_timeout_ms = self->auth_timeout,
    .max_message_size = MIN (self->max_message_size, G_MAXSIZE),
    .max_send_buffer = MIN (self->max_send_buffer, G_MAXSIZE),
    .max_partials = self->max_partial_messages,
    .identity = self->identity,
    .e2e_policy = self->e2e_policy,
    .e2e_timeout_ms = self->e2e_timeout,
    .mesh = self->mesh_host != NULL,
  };

  return config;
}

static void
start_peer (AnySocket    *self,
            AnyTransport *transport,
            AnyEngineRole role,
            GTask        *connect_task)
{
  g_autoptr(AnyPeer) peer = _any_peer_new (&peer_host, self, transport, role);
  AnyEngineConfig config = engine_config (self);

  g_hash_table_insert (self->unauthenticated, g_object_ref (peer),
                       connect_task ? g_object_ref (connect_task) : NULL);
  any_transport_set_tcp_keepalive (transport, self->tcp_keepalive);
  _any_peer_start (peer, &config);
}

/* A fixed id, before any link, so that a fuzz input can address us. */
void
_any_socket_set_id_for_testing (AnySocket  *self,
                                const char *id)
{
  g_return_if_fail (any_id_is_valid (id));
  g_return_if_fail (g_hash_table_size (self->peers) == 0);

  g_free (self->id);
  self->id = g_strdup (id);
}

/* Without its identity a socket offers no native E2E, as the JavaScript
 * peer: compat between two libanysocket peers (tests). */
void
_any_socket_drop_identity_for_testing (AnySocket *self)
{
  g_clear_pointer (&self->identity, any_noise_keypair_unref);
}

/* A link over any transport, as if accepted by a listener (or, below,
 * connected to): for tests and fuzzing, which feed the whole stack frames
 * without a socket. */
void
_any_socket_accept_transport (AnySocket    *self,
                              AnyTransport *transport)
{
  start_peer (self, transport, ANY_ENGINE_ROLE_SERVER, NULL);
}

/* Finished with any_socket_connect_finish(). */
void
_any_socket_connect_transport (AnySocket           *self,
                               AnyTransport        *transport,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, any_socket_connect_async);
  start_peer (self, transport, ANY_ENGINE_ROLE_CLIENT, task);
}

/* The dialler's host (any-ws-dial.h) */

static void
dial_link (gpointer      host,
           AnyTransport *transport,
           GTask        *connect_task)
{
  start_peer (host, transport, connect_task != NULL ? ANY_ENGINE_ROLE_CLIENT : ANY_ENGINE_ROLE_SERVER,
              connect_task);
}

static void
dial_config (gpointer         host,
             AnyWsDialConfig *config)
{
  AnySocket *self = host;

  config->permessage_deflate = self->permessage_deflate;
  config->upgrade_timeout_ms = self->auth_timeout;
  config->connect_timeout_ms = self->auth_timeout > 0 ? self->auth_timeout : DEFAULT_AUTH_TIMEOUT;
  config->max_connections = self->max_connections;
  config->ws_protocols = _any_socket_http_get_protocols (self->http);
  config->tls_certificate = _any_socket_tls_get_certificate (self->tls);
  config->tls_database = _any_socket_tls_get_database (self->tls);
}

static const AnyWsDialHost dial_host = {
  .link = dial_link,
  .config = dial_config,
  .http = _any_socket_http_dispatch,
};

static gboolean
peer_authenticate (gpointer     host,
                   AnyPeer     *peer,
                   const char  *peer_id,
                   JsonObject  *auth_packet,
                   char       **reason)
{
  AnySocket *self = host;
  gboolean accepted = TRUE;
  AnyPeer *known = g_hash_table_lookup (self->peers, peer_id);

  /* A peer we reach through a hub may connect directly: the direct link
   * wins once connected (peer_connected()). Any other second
   * link from a known id is refused. */
  if ((known != NULL && !any_peer_is_proxy (known)) || g_str_equal (peer_id, self->id) ||
      _any_links_is_pending (self->links, peer_id))
    {
      *reason = g_strdup ("Duplicated AnySocket ID found!");
      return FALSE;
    }

  /* With the peer first (its upgrade request's headers and cookies),
   * then without, as before 0.2. */
  g_signal_emit (self, signals[SIGNAL_AUTHENTICATE_PEER], 0, peer, peer_id,
                 json_object_get_member (auth_packet, "auth"), &accepted);
  if (accepted)
    g_signal_emit (self, signals[SIGNAL_AUTHENTICATE], 0, peer_id,
                   json_object_get_member (auth_packet, "auth"), &accepted);
  if (!accepted)
    {
      *reason = g_strdup ("Invalid Auth Packet!");
      return FALSE;
    }

  /* Looked at after the handlers: one may have pinned the key (anychat
   * does, from the stable id in "auth"). Such a link is connected, and
   * replaces a proxied one, only once it proved the key (any-trust.h). */
  if (g_hash_table_contains (self->pins, peer_id))
    _any_peer_require_pinned_key (peer, TRUE);
  return TRUE;
}

/* A direct link is connected (a pinned one after proving its key): a
 * direct one keeps the id (two links of the same key raced through their
 * switches); a proxied one stays until the other side has accepted the
 * direct link too (any-socket-links.c), which then takes over. */
static gboolean
take_over_id (AnySocket *self,
              AnyPeer   *peer)
{
  AnyPeer *known = g_hash_table_lookup (self->peers, any_peer_get_id (peer));
  gboolean pending = _any_links_is_pending (self->links, any_peer_get_id (peer));
  gpointer key, value;

  if (known == NULL && !pending)
    return TRUE;
  if (known == NULL || !any_peer_is_proxy (known) || pending)
    {
      any_peer_disconnect (peer, "Duplicated AnySocket ID found!");
      return FALSE;
    }
  if (g_hash_table_steal_extended (self->unauthenticated, peer, &key, &value))
    {
      g_autoptr(AnyPeer) stolen = key;
      g_autoptr(GTask) task = value;

      _any_links_hold (self->links, stolen, known, task);
    }
  return FALSE;
}

/* A peer is connected: the application hears of it, and a connect_async()
 * that made it completes. */
void
_any_socket_announce_peer (AnySocket *self,
                           AnyPeer   *peer,
                           GTask     *task)
{
  g_hash_table_insert (self->peers, g_strdup (any_peer_get_id (peer)), g_object_ref (peer));

  g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, peer);

  if (task != NULL)
    {
      if (g_task_return_error_if_cancelled (task))
        any_peer_disconnect (peer, "Connect cancelled");
      else
        g_task_return_pointer (task, g_object_ref (peer), g_object_unref);
    }
}

/* A proxied peer leaves the table (a direct link replaced it) while its
 * link still drains: the application hears it is gone. */
void
_any_socket_retire_peer (AnySocket  *self,
                         AnyPeer    *peer,
                         const char *reason)
{
  g_autoptr(AnyPeer) stolen = g_object_ref (peer);

  if (g_hash_table_lookup (self->peers, any_peer_get_id (peer)) != peer)
    return;
  g_hash_table_remove (self->peers, any_peer_get_id (peer));
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, stolen, reason);
}

AnyHub *
_any_socket_get_hub (AnySocket *self)
{
  return self->hub;
}

AnyLinks *
_any_socket_get_links (AnySocket *self)
{
  return self->links;
}

GPtrArray *
_any_socket_get_reconnects (AnySocket *self)
{
  return self->reconnects;
}

static void
peer_connected (gpointer  host,
                AnyPeer  *peer)
{
  AnySocket *self = host;
  g_autoptr(GTask) task = NULL;
  g_autoptr(AnyPeer) held = NULL;
  gpointer key, value;

  if (any_peer_is_proxy (peer))
    held = g_object_ref (peer);
  else if (!g_hash_table_contains (self->unauthenticated, peer))
    return;
  else if (!take_over_id (self, peer))
    return;
  else if (g_hash_table_steal_extended (self->unauthenticated, peer, &key, &value))
    {
      held = key;
      task = value;
    }
  else
    return;
  _any_socket_announce_peer (self, peer, task);
}

static void
peer_message (gpointer   host,
              AnyPacket *packet)
{
  AnySocket *self = host;

  _any_links_seen (self->links, any_packet_get_peer (packet));
  g_signal_emit (host, signals[SIGNAL_MESSAGE], 0, packet);
}

static gboolean
peer_mesh (gpointer  host,
           AnyPeer  *peer,
           JsonNode *data)
{
  AnySocket *self = host;

  if (self->mesh_host != NULL)
    return self->mesh_host->packet (self->mesh, peer, data);
  /* The mesh is gone but the link still speaks it: drop its packets. */
  return JSON_NODE_HOLDS_OBJECT (data) && json_object_has_member (json_node_get_object (data), "anymesh");
}

static void
peer_mesh_ready (gpointer  host,
                 AnyPeer  *peer)
{
  AnySocket *self = host;

  if (self->mesh_host != NULL)
    self->mesh_host->ready (self->mesh, peer);
}

/* The mesh over this socket (api/any-mesh.c): links made from now on
 * advertise the mesh capability, and their mesh packets go to @host
 * (the mesh offers itself to the links already up: any-mesh-links.c). */
void
_any_socket_set_mesh (AnySocket               *self,
                      const AnySocketMeshHost *host,
                      gpointer                 mesh)
{
  self->mesh_host = host;
  self->mesh = mesh;
}

AnyNoiseKeypair *
_any_socket_get_identity (AnySocket *self)
{
  return self->identity;
}

static void
peer_heartbeat (gpointer  host,
                AnyPeer  *peer)
{
  g_signal_emit (host, signals[SIGNAL_HEARTBEAT], 0, peer);
}

/* RPC details are looked up, never made: methods come from the remote
 * peer, and quarks are never freed. A method no handler was connected to
 * by name has no quark, and reaches the handlers without a detail only. */
static gboolean
internal_has_rpc_handler (gpointer    host,
                          const char *method)
{
  return g_signal_has_handler_pending (host, signals[SIGNAL_RPC], g_quark_try_string (method), FALSE);
}

static gboolean
internal_rpc (gpointer    host,
              AnyRpcCall *call)
{
  gboolean handled = FALSE;

  g_signal_emit (host, signals[SIGNAL_RPC], g_quark_try_string (any_rpc_call_get_method (call)),
                 call, &handled);
  return handled;
}

static void
peer_disconnected (gpointer    host,
                   AnyPeer    *peer,
                   const char *reason)
{
  AnySocket *self = host;
  gpointer key, value;
  const char *id = any_peer_get_id (peer);

  if (g_hash_table_steal_extended (self->unauthenticated, peer, &key, &value))
    {
      G_GNUC_UNUSED g_autoptr(AnyPeer) stolen = key;   /* dropped at the end of the block */
      g_autoptr(GTask) task = value;

      if (_any_peer_get_unproven_id (stolen) != NULL)
        g_signal_emit (self, signals[SIGNAL_UNTRUSTED], 0, _any_peer_get_unproven_id (stolen), reason);
      if (task != NULL)
        g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED,
                                 _("Connection closed before AUTH completed: %s"), reason);
      return;
    }

  if (id != NULL && g_hash_table_lookup (self->peers, id) == peer)
    {
      g_autoptr(AnyPeer) stolen = g_object_ref (peer);

      g_hash_table_remove (self->peers, id);
      if (!any_peer_is_proxy (peer))
        {
          _any_hub_peer_gone (self->hub, id);
          _any_proxy_close_via (self, peer, reason);
        }
      /* A proxied link starts connected: one to a pinned id that was
       * refused before it proved the key is untrusted too. */
      else if (_any_peer_get_unproven_id (peer) != NULL && any_trust_is_refusal (reason))
        g_signal_emit (self, signals[SIGNAL_UNTRUSTED], 0, id, reason);
      g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, stolen, reason);
    }
  _any_links_peer_gone (self->links, peer, reason);
}

static guint
peer_reply_timeout (gpointer host)
{
  return ((AnySocket *) host)->reply_timeout;
}

/* A pinned fingerprint wins; then any verify-peer handler may refuse. */
static gboolean
peer_verify (gpointer      host,
             AnyPeer      *peer,
             const char   *id,
             const guint8 *remote_static,
             char        **reason)
{
  AnySocket *self = host;
  g_autofree char *fingerprint = any_noise_fingerprint (remote_static);
  const char *pinned = g_hash_table_lookup (self->pins, id);
  gboolean accepted = TRUE;

  if (pinned != NULL && !g_str_equal (pinned, fingerprint))
    {
      *reason = any_trust_changed_reason (id, pinned, fingerprint);
      return FALSE;
    }
  g_signal_emit (self, signals[SIGNAL_VERIFY_PEER], 0, peer, fingerprint, &accepted);
  if (!accepted)
    {
      *reason = g_strdup_printf ("E2E: the key of peer %s was refused (fingerprint %s)", id, fingerprint);
      return FALSE;
    }
  return TRUE;
}

static void
peer_e2e (gpointer  host,
          AnyPeer  *peer)
{
  g_signal_emit (host, signals[SIGNAL_E2E], 0, peer);
}

/* Proxying */

/* Returns a new reference (the peer table holds another). */
AnyPeer *
_any_socket_add_proxied_peer (AnySocket  *self,
                              AnyPeer    *via,
                              const char *peer_id)
{
  g_autoptr(AnyTransport) transport = _any_proxy_transport_new (via, self->id, peer_id);
  AnyPeer *peer = _any_peer_new (&peer_host, self, transport, ANY_ENGINE_ROLE_SERVER);
  AnyEngineConfig config = engine_config (self);

  /* Never compat with a pinned id. A proxied peer starts connected: its
   * owner calls any_peer_e2e(), the native switch then checks the pin. */
  if (g_hash_table_contains (self->pins, peer_id))
    _any_peer_require_pinned_key (peer, FALSE);

  /* Connected at once: the peer table and `connected` follow from it. */
  _any_peer_start_proxied (peer, via, &config, peer_id);
  return peer;
}

static void
internal_proxy (gpointer    host,
                AnyPeer    *from,
                gint32      seq,
                JsonObject *request)
{
  AnySocket *self = host;

  _any_hub_handle_proxy (self->hub, from, seq, request);
}

static void
peer_forward (gpointer          host,
              AnyPeer          *from,
              const guint8     *frame,
              gsize             len,
              const AnyForward *forward)
{
  AnySocket *self = host;

  _any_proxy_forward (self, self->hub, from, frame, len, forward);
}

static void
peer_internal (gpointer  host,
               AnyPeer  *peer,
               gint32    seq,
               JsonNode *data)
{
  AnySocket *self = host;
  gboolean links = _any_links_internal (self->links, peer, data);

  _any_internal_handle (&internal_host, host, peer, seq, data);
  if (links)
    _any_links_answered (self->links, peer);
}

static void
internal_network (gpointer    host,
                  AnyPeer    *hub,
                  JsonObject *msg)
{
  _any_proxy_handle_network (hub, msg);
}

static const AnyInternalHost internal_host = {
  .has_rpc_handler = internal_has_rpc_handler,
  .rpc = internal_rpc,
  .proxy = internal_proxy,
  .network = internal_network,
};

static const AnyPeerHost peer_host = {
  .authenticate = peer_authenticate,
  .connected = peer_connected,
  .message = peer_message,
  .heartbeat = peer_heartbeat,
  .internal = peer_internal,
  .forward = peer_forward,
  .verify_peer = peer_verify,
  .e2e = peer_e2e,
  .disconnected = peer_disconnected,
  .reply_timeout = peer_reply_timeout,
  .mesh = peer_mesh,
  .mesh_ready = peer_mesh_ready,
};

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

#define DEFINE_UINT_PROPERTY(name, field, PROP, type)                 \
  type                                                                \
  any_socket_get_##name (AnySocket *self)                             \
  {                                                                   \
    g_return_val_if_fail (ANY_IS_SOCKET (self), 0);                   \
    return self->field;                                               \
  }                                                                   \
  void                                                                \
  any_socket_set_##name (AnySocket *self, type value)                 \
  {                                                                   \
    g_return_if_fail (ANY_IS_SOCKET (self));                          \
    if (self->field == value)                                         \
      return;                                                         \
    self->field = value;                                              \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);     \
  }

/**
 * any_socket_get_reply_timeout:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:reply-timeout].
 *
 * Returns: the [property@AnySocket.Socket:reply-timeout] in milliseconds
 */
/**
 * any_socket_set_reply_timeout:
 * @self: an [class@AnySocket.Socket]
 * @timeout_ms: milliseconds
 *
 * Sets [property@AnySocket.Socket:reply-timeout].
 */
DEFINE_UINT_PROPERTY (reply_timeout, reply_timeout, PROP_REPLY_TIMEOUT, guint)

/**
 * any_socket_get_auth_timeout:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:auth-timeout].
 *
 * Returns: the [property@AnySocket.Socket:auth-timeout] in milliseconds
 */
/**
 * any_socket_set_auth_timeout:
 * @self: an [class@AnySocket.Socket]
 * @timeout_ms: milliseconds
 *
 * Sets [property@AnySocket.Socket:auth-timeout], for links made after the call.
 */
DEFINE_UINT_PROPERTY (auth_timeout, auth_timeout, PROP_AUTH_TIMEOUT, guint)

/**
 * any_socket_get_max_message_size:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-message-size].
 *
 * Returns: the [property@AnySocket.Socket:max-message-size] in bytes
 */
/**
 * any_socket_set_max_message_size:
 * @self: an [class@AnySocket.Socket]
 * @max_bytes: bytes
 *
 * Sets [property@AnySocket.Socket:max-message-size], for links made after the call.
 */
DEFINE_UINT_PROPERTY (max_message_size, max_message_size, PROP_MAX_MESSAGE_SIZE, guint64)

/**
 * any_socket_get_max_partial_messages:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-partial-messages].
 *
 * Returns: the [property@AnySocket.Socket:max-partial-messages]
 */
/**
 * any_socket_set_max_partial_messages:
 * @self: an [class@AnySocket.Socket]
 * @max_partials: a count
 *
 * Sets [property@AnySocket.Socket:max-partial-messages], for links made after the call.
 */
DEFINE_UINT_PROPERTY (max_partial_messages, max_partial_messages, PROP_MAX_PARTIAL_MESSAGES, guint)

/**
 * any_socket_get_max_send_buffer:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-send-buffer].
 *
 * Returns: the [property@AnySocket.Socket:max-send-buffer] in bytes (0: no limit)
 */
/**
 * any_socket_set_max_send_buffer:
 * @self: an [class@AnySocket.Socket]
 * @max_bytes: bytes, or 0 for no limit
 *
 * Sets [property@AnySocket.Socket:max-send-buffer], for links made after the call.
 */
DEFINE_UINT_PROPERTY (max_send_buffer, max_send_buffer, PROP_MAX_SEND_BUFFER, guint64)

/**
 * any_socket_get_e2e_timeout:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:e2e-timeout].
 *
 * Returns: the [property@AnySocket.Socket:e2e-timeout] in milliseconds
 */
/**
 * any_socket_set_e2e_timeout:
 * @self: an [class@AnySocket.Socket]
 * @timeout_ms: milliseconds
 *
 * Sets [property@AnySocket.Socket:e2e-timeout], for links made after the call.
 */
DEFINE_UINT_PROPERTY (e2e_timeout, e2e_timeout, PROP_E2E_TIMEOUT, guint)

/**
 * any_socket_get_max_connections:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-connections].
 *
 * Returns: the most accepted connections open at once (0: no limit)
 *
 * Since: 0.2
 */
guint
any_socket_get_max_connections (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), 0);

  return self->max_connections;
}

/**
 * any_socket_set_max_connections:
 * @self: an [class@AnySocket.Socket]
 * @max_connections: a count, or 0 for no limit
 *
 * Sets [property@AnySocket.Socket:max-connections]; it applies at once
 * to the URIs listened on, and open connections over a lowered limit
 * stay open.
 *
 * Since: 0.2
 */
void
any_socket_set_max_connections (AnySocket *self,
                                guint      max_connections)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->max_connections == max_connections)
    return;
  self->max_connections = max_connections;
  any_ws_dial_set_max_connections (self->dial, max_connections);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONNECTIONS]);
}

/**
 * any_socket_get_tcp_keepalive:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:tcp-keepalive].
 *
 * Returns: the idle seconds before TCP keepalive probes (0: off)
 *
 * Since: 0.2
 */
/**
 * any_socket_set_tcp_keepalive:
 * @self: an [class@AnySocket.Socket]
 * @idle_s: seconds, or 0 for no TCP keepalive
 *
 * Sets [property@AnySocket.Socket:tcp-keepalive], for links made after the call.
 *
 * Since: 0.2
 */
DEFINE_UINT_PROPERTY (tcp_keepalive, tcp_keepalive, PROP_TCP_KEEPALIVE, guint)

/**
 * any_socket_get_e2e_policy:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:e2e-policy].
 *
 * Returns: the [property@AnySocket.Socket:e2e-policy]
 */
AnyE2ePolicy
any_socket_get_e2e_policy (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), ANY_E2E_POLICY_ALLOW_COMPAT);

  return self->e2e_policy;
}

/**
 * any_socket_set_e2e_policy:
 * @self: an [class@AnySocket.Socket]
 * @policy: an [enum@AnySocket.E2ePolicy]
 *
 * Sets [property@AnySocket.Socket:e2e-policy], for links made after the call.
 */
void
any_socket_set_e2e_policy (AnySocket    *self,
                           AnyE2ePolicy  policy)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->e2e_policy == policy)
    return;
  self->e2e_policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_E2E_POLICY]);
}

/**
 * any_socket_get_heartbeat_interval:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:heartbeat-interval].
 *
 * Returns: the [property@AnySocket.Socket:heartbeat-interval] in milliseconds
 */
guint
any_socket_get_heartbeat_interval (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), 0);

  return self->heartbeat_interval;
}

/**
 * any_socket_set_heartbeat_interval:
 * @self: an [class@AnySocket.Socket]
 * @interval_ms: milliseconds, 0 to send no heartbeats
 *
 * Sets [property@AnySocket.Socket:heartbeat-interval]; connected peers follow at once.
 */
void
any_socket_set_heartbeat_interval (AnySocket *self,
                                   guint      interval_ms)
{
  GHashTableIter iter;
  gpointer peer;

  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->heartbeat_interval == interval_ms)
    return;
  self->heartbeat_interval = interval_ms;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &peer))
    _any_peer_set_heartbeat_interval (peer, interval_ms);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEARTBEAT_INTERVAL]);
}

/**
 * any_socket_get_auth_data:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:auth-data].
 *
 * Returns: (transfer none) (nullable): the [property@AnySocket.Socket:auth-data]
 */
JsonNode *
any_socket_get_auth_data (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);

  return self->auth_data;
}

/**
 * any_socket_set_auth_data:
 * @self: an [class@AnySocket.Socket]
 * @auth_data: (nullable): what to send as the AUTH packet's `auth`
 *
 * Sets [property@AnySocket.Socket:auth-data], for links made after the call.
 */
void
any_socket_set_auth_data (AnySocket *self,
                          JsonNode  *auth_data)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->auth_data == auth_data)
    return;
  g_clear_pointer (&self->auth_data, json_node_unref);
  if (auth_data != NULL)
    self->auth_data = json_node_copy (auth_data);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_DATA]);
}

/**
 * any_socket_get_permessage_deflate:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:permessage-deflate].
 *
 * Returns: whether WebSocket compression is offered and accepted
 */
gboolean
any_socket_get_permessage_deflate (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), FALSE);

  return self->permessage_deflate;
}

/**
 * any_socket_set_permessage_deflate:
 * @self: an [class@AnySocket.Socket]
 * @enabled: whether to offer and accept permessage-deflate
 *
 * Sets [property@AnySocket.Socket:permessage-deflate]. Takes effect for servers and client
 * sessions created after the call (before the first listen or connect, or
 * after [method@AnySocket.Socket.stop]).
 */
void
any_socket_set_permessage_deflate (AnySocket *self,
                                   gboolean   enabled)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  enabled = !!enabled;
  if (self->permessage_deflate == enabled)
    return;
  self->permessage_deflate = enabled;
  any_ws_dial_reset_session (self->dial);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERMESSAGE_DEFLATE]);
}

AnySocketHttp *
_any_socket_get_http (AnySocket *self)
{
  return self->http;
}

AnySocketTls *
_any_socket_get_tls (AnySocket *self)
{
  return self->tls;
}

AnyWsDial *
_any_socket_get_dial (AnySocket *self)
{
  return self->dial;
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

static void
any_socket_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  AnySocket *self = ANY_SOCKET (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_REPLY_TIMEOUT:
      g_value_set_uint (value, self->reply_timeout);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, self->heartbeat_interval);
      break;
    case PROP_AUTH_TIMEOUT:
      g_value_set_uint (value, self->auth_timeout);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->max_message_size);
      break;
    case PROP_MAX_PARTIAL_MESSAGES:
      g_value_set_uint (value, self->max_partial_messages);
      break;
    case PROP_MAX_SEND_BUFFER:
      g_value_set_uint64 (value, self->max_send_buffer);
      break;
    case PROP_AUTH_DATA:
      g_value_set_boxed (value, self->auth_data);
      break;
    case PROP_PERMESSAGE_DEFLATE:
      g_value_set_boolean (value, self->permessage_deflate);
      break;
    case PROP_E2E_TIMEOUT:
      g_value_set_uint (value, self->e2e_timeout);
      break;
    case PROP_E2E_POLICY:
      g_value_set_enum (value, self->e2e_policy);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_TCP_KEEPALIVE:
      g_value_set_uint (value, self->tcp_keepalive);
      break;
    default:
      if (!_any_socket_http_get_property (self, prop_id, value) &&
          !_any_socket_tls_get_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_socket_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  AnySocket *self = ANY_SOCKET (object);

  switch (prop_id)
    {
    case PROP_REPLY_TIMEOUT:
      any_socket_set_reply_timeout (self, g_value_get_uint (value));
      break;
    case PROP_HEARTBEAT_INTERVAL:
      any_socket_set_heartbeat_interval (self, g_value_get_uint (value));
      break;
    case PROP_AUTH_TIMEOUT:
      any_socket_set_auth_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      any_socket_set_max_message_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_PARTIAL_MESSAGES:
      any_socket_set_max_partial_messages (self, g_value_get_uint (value));
      break;
    case PROP_MAX_SEND_BUFFER:
      any_socket_set_max_send_buffer (self, g_value_get_uint64 (value));
      break;
    case PROP_AUTH_DATA:
      any_socket_set_auth_data (self, g_value_get_boxed (value));
      break;
    case PROP_PERMESSAGE_DEFLATE:
      any_socket_set_permessage_deflate (self, g_value_get_boolean (value));
      break;
    case PROP_E2E_TIMEOUT:
      any_socket_set_e2e_timeout (self, g_value_get_uint (value));
      break;
    case PROP_E2E_POLICY:
      any_socket_set_e2e_policy (self, g_value_get_enum (value));
      break;
    case PROP_MAX_CONNECTIONS:
      any_socket_set_max_connections (self, g_value_get_uint (value));
      break;
    case PROP_TCP_KEEPALIVE:
      any_socket_set_tcp_keepalive (self, g_value_get_uint (value));
      break;
    default:
      if (!_any_socket_http_set_property (self, prop_id, value) &&
          !_any_socket_tls_set_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
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
  object_class->get_property = any_socket_get_property;
  object_class->set_property = any_socket_set_property;

  /**
   * AnySocket:id:
   *
   * The id this socket presents to every peer: 32 lowercase hex
   * characters, a random UUIDv4 without dashes (PROTOCOL.md 4).
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:reply-timeout:
   *
   * Milliseconds to wait for a reply to [method@AnySocket.Peer.request_async] when it
   * is given no timeout of its own. Default 30000, as the JavaScript peer.
   */
  properties[PROP_REPLY_TIMEOUT] =
    g_param_spec_uint ("reply-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_REPLY_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:heartbeat-interval:
   *
   * Milliseconds between heartbeat checks. At each check a ping is sent
   * if anything arrived since the last one; two checks in a row with
   * nothing received close the link (`Missed Heartbeats`). 0 disables
   * the heartbeat. Default 5000.
   */
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_HEARTBEAT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:auth-timeout:
   *
   * Milliseconds a new link may take to finish the AUTH exchange, on
   * both sides (`auth timed out`). Default 5000. It also bounds, for
   * the URIs listened on after it is set, how long an accepted
   * connection may take to send its WebSocket upgrade request.
   */
  properties[PROP_AUTH_TIMEOUT] =
    g_param_spec_uint ("auth-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_AUTH_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-message-size:
   *
   * The largest message, in bytes of JSON text, that is sent or
   * accepted. A peer that sends a bigger one (even spread over many
   * chunks) is disconnected; sending one fails with
   * `ANY_SOCKET_ERROR_MESSAGE_TOO_BIG`. It also bounds the bytes held in
   * all unfinished messages of a link. Default 64 MiB.
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 64, G_MAXUINT64, DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-partial-messages:
   *
   * How many messages a peer may have half-sent (chunks received, last
   * chunk not yet) at once before it is disconnected. Default 16.
   */
  properties[PROP_MAX_PARTIAL_MESSAGES] =
    g_param_spec_uint ("max-partial-messages", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_PARTIAL_MESSAGES,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-send-buffer:
   *
   * How many bytes sent to one peer may wait in this process, not yet
   * taken by the kernel, before the peer is disconnected with a reason
   * starting "Send buffer full". A peer that stops reading (but keeps
   * its connection open, and may keep sending to look alive) would
   * otherwise make the queue grow without end. 0: no limit. Default
   * 256 MiB, and never less than three times [property@AnySocket.Socket:max-message-size]
   * (one message must fit, hex-encoded by compat E2E). Measured on Linux
   * from the TCP socket's counters; elsewhere, or with permessage-deflate,
   * there is no limit. Each waiting frame counts with what it costs in
   * memory besides its bytes (about 160), so that a flood of tiny frames
   * is bounded in memory too. The same bound applies to what a hub holds
   * for a proxied peer that has not confirmed its link yet.
   *
   * On connections this socket accepted, answers to a peer's own requests
   * do not wait here without end: once about a thousand frames wait for
   * the peer, its connection is not read until they drain, and a peer
   * that never reads misses its heartbeats.
   */
  properties[PROP_MAX_SEND_BUFFER] =
    g_param_spec_uint64 ("max-send-buffer", NULL, NULL, 0, G_MAXUINT64, DEFAULT_MAX_SEND_BUFFER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:auth-data:
   *
   * Any JSON value, sent as the `auth` member of our AUTH packet for the
   * other side's [signal@AnySocket.Socket::authenticate] (the JavaScript `authPacket()`).
   */
  properties[PROP_AUTH_DATA] =
    g_param_spec_boxed ("auth-data", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:permessage-deflate:
   *
   * Whether WebSocket compression is offered (client) and accepted
   * (server). Off by default: it costs ~90 KiB of memory per idle
   * connection and 10-20% of throughput.
   */
  properties[PROP_PERMESSAGE_DEFLATE] =
    g_param_spec_boolean ("permessage-deflate", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:e2e-timeout:
   *
   * Milliseconds an E2E switch may take (`e2e timed out`). Default 5000,
   * as the JavaScript peer.
   */
  properties[PROP_E2E_TIMEOUT] =
    g_param_spec_uint ("e2e-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_E2E_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:e2e-policy:
   *
   * Which E2E modes this socket starts and answers: by default native
   * with peers that advertise it and compat with the others (JavaScript
   * peers); `ANY_E2E_POLICY_REQUIRE_NATIVE` refuses compat.
   */
  properties[PROP_E2E_POLICY] =
    g_param_spec_enum ("e2e-policy", NULL, NULL, ANY_TYPE_E2E_POLICY, ANY_E2E_POLICY_ALLOW_COMPAT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-connections:
   *
   * How many accepted connections may be open at once, counted from
   * accept to close whatever they are (before the WebSocket upgrade,
   * before AUTH, peers, closing), over every URI listened on; outgoing
   * connections do not count. A connection over the limit is accepted
   * and closed at once, without an answer (an HTTP 503 would mean
   * keeping it until its request is read), and the connections already
   * open are untouched. 0: no limit. Default 10000.
   *
   * Independently of this limit, when the process runs out of file
   * descriptors, accepting pauses for 250 ms at a time (a warning is
   * logged once a minute at most) and resumes by itself.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:tcp-keepalive:
   *
   * TCP keepalive on the connections of links this socket accepts and
   * makes (`SO_KEEPALIVE`): after this many seconds without a segment
   * either way the kernel probes, then every third of it, and drops the
   * connection after 3 unanswered probes, so a vanished peer (or a
   * forgotten NAT mapping) is found within about twice this time even
   * with [property@AnySocket.Socket:heartbeat-interval] at 0 on both
   * sides. While heartbeats flow a link is never idle that long, so it
   * costs nothing then. 0: off. Default 30, the idle time upstream's
   * newer releases use when their `tcpKeepAlive` option is on. For links
   * made after the change; where the system lacks the options, only
   * `SO_KEEPALIVE` is set.
   *
   * Since: 0.2
   */
  properties[PROP_TCP_KEEPALIVE] =
    g_param_spec_uint ("tcp-keepalive", NULL, NULL, 0, G_MAXUINT, DEFAULT_TCP_KEEPALIVE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
  _any_socket_http_class_init (object_class, N_PROPS);
  /* ws-protocols is N_PROPS. */
  _any_socket_tls_class_init (object_class, N_PROPS + 1);

  /**
   * AnySocket::connected:
   * @self: the socket
   * @peer: the new peer
   *
   * A link finished its AUTH exchange: @peer can send and receive.
   */
  signals[SIGNAL_CONNECTED] =
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
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_PACKET);

  /**
   * AnySocket::heartbeat:
   * @self: the socket
   * @peer: the peer
   *
   * A heartbeat round trip with @peer completed ([property@AnySocket.Peer:lag]).
   */
  signals[SIGNAL_HEARTBEAT] =
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
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ANY_TYPE_PEER, G_TYPE_STRING);

  /**
   * AnySocket::e2e:
   * @self: the socket
   * @peer: the peer
   *
   * The link to @peer is now end-to-end encrypted.
   */
  signals[SIGNAL_E2E] =
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
  signals[SIGNAL_RPC] =
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
  signals[SIGNAL_AUTHENTICATE] =
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
  signals[SIGNAL_AUTHENTICATE_PEER] =
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
  signals[SIGNAL_VERIFY_PEER] =
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
  signals[SIGNAL_PROXY_REQUEST] =
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
  signals[SIGNAL_UNTRUSTED] =
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
  self->reply_timeout = DEFAULT_REPLY_TIMEOUT;
  self->heartbeat_interval = DEFAULT_HEARTBEAT_INTERVAL;
  self->auth_timeout = DEFAULT_AUTH_TIMEOUT;
  self->max_message_size = DEFAULT_MAX_MESSAGE_SIZE;
  self->max_send_buffer = DEFAULT_MAX_SEND_BUFFER;
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->tcp_keepalive = DEFAULT_TCP_KEEPALIVE;
  self->max_partial_messages = DEFAULT_MAX_PARTIAL_MESSAGES;
  self->e2e_timeout = DEFAULT_E2E_TIMEOUT;
  self->e2e_policy = ANY_E2E_POLICY_ALLOW_COMPAT;
  self->identity = any_noise_keypair_new ();
  self->pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->unauthenticated = g_hash_table_new_full (NULL, NULL, g_object_unref, unref_nullable);
  self->hub = _any_proxy_hub_new (self);
  self->links = _any_links_new (self);
  self->reconnects = g_ptr_array_new ();
  self->dial = any_ws_dial_new (&dial_host, self);
  self->http = _any_socket_http_new ();
  self->tls = _any_socket_tls_new ();
}

/* any-peer.c: AnyPeer, the other end of one link (the class, its
 * properties and what its engine reports; what it sends is in
 * any-peer-send.c, its E2E and verification in any-peer-e2e.c)
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

/**
 * AnyPeer:
 *
 * The other end of one link: a remote [class@AnySocket.Socket], reached directly or
 * through a hub ([property@AnySocket.Peer:is-proxy], [method@AnySocket.Socket.proxy_async]).
 *
 * Peers are created by [class@AnySocket.Socket] when a connection is accepted or made;
 * the application sees them once the AUTH exchange is over
 * ([signal@AnySocket.Socket::connected]). A peer stays valid after it disconnects, but
 * sending to it fails with `ANY_SOCKET_ERROR_DISCONNECTED`.
 *
 * Like everything in libanysocket, a peer belongs to the thread-default
 * `GMainContext` of the thread that created its [class@AnySocket.Socket]; its signals
 * are emitted there and it must only be used from that thread.
 */
G_DEFINE_FINAL_TYPE (AnyPeer, any_peer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CONNECTION_ID,
  PROP_LAG,
  PROP_REMOTE_ADDRESS,
  PROP_E2E_MODE,
  PROP_IS_PROXY,
  PROP_VIA,
  N_PROPS
};

enum {
  SIGNAL_MESSAGE,
  SIGNAL_HEARTBEAT,
  SIGNAL_DISCONNECTED,
  SIGNAL_E2E,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Engine callbacks */

static gboolean
engine_authenticate (gpointer     user_data,
                     const char  *peer_id,
                     JsonObject  *auth_packet,
                     char       **reason)
{
  AnyPeer *self = user_data;

  if (self->socket == NULL)
    {
      *reason = g_strdup ("Socket stopped");
      return FALSE;
    }
  return self->host->authenticate (self->socket, self, peer_id, auth_packet, reason);
}

static void
engine_connected (gpointer user_data)
{
  AnyPeer *self = user_data;

  g_free (self->id);
  self->id = g_strdup (any_engine_get_peer_id (self->engine));
  self->was_connected = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);

  if (self->socket != NULL)
    self->host->connected (self->socket, self);
}

/* A proxied link to an id with a pinned key (any-trust.h): the hub
 * relays whatever it likes under that id, so nothing that comes in the
 * clear counts, before or instead of the native switch that proves the
 * key. Only a SYNCED_TIME request and the answers to ours may: the
 * probe, which brings the capabilities the switch needs and no
 * application data. TRUE if the packet was refused (and the link
 * closed). */
static gboolean
refuse_unproven (AnyPeer       *self,
                 AnyPacketType  type,
                 gint32         seq,
                 JsonNode      *data)
{
  g_autofree char *reason = NULL;

  if (!self->pinned || self->via == NULL ||
      any_engine_get_e2e_mode (self->engine) == ANY_E2E_MODE_NATIVE)
    return FALSE;
  if (type == ANY_PACKET_TYPE_INTERNAL &&
      (seq < 0 || any_internal_type_of (data) == ANY_INTERNAL_SYNCED_TIME))
    return FALSE;
  reason = any_trust_plain_reason (any_engine_get_peer_id (self->engine), type);
  any_peer_disconnect (self, reason);
  return TRUE;
}

static void
engine_packet (gpointer       user_data,
               AnyPacketType  type,
               gint32         seq,
               JsonNode      *data)
{
  AnyPeer *self = user_data;
  g_autoptr(AnyPacket) packet = NULL;

  if (refuse_unproven (self, type, seq, data))
    {
      json_node_unref (data);
      return;
    }

  if (seq < 0)
    {
      /* -G_MININT32 does not exist: no request has that seq. */
      g_autoptr(GTask) task = seq != G_MININT32 ? any_requests_take (self->requests, -seq) : NULL;

      if (task == NULL)
        {
          /* Late (after its timeout) or never asked for: dropped, as the
           * JavaScript peer does. */
          g_debug ("Dropped reply %d from %s", seq, self->id);
          json_node_unref (data);
          return;
        }
      g_task_return_pointer (task, _any_packet_new (self, type, seq, data), g_object_unref);
      return;
    }

  if (type == ANY_PACKET_TYPE_INTERNAL)
    {
      if (self->socket != NULL)
        self->host->internal (self->socket, self, seq, data);
      json_node_unref (data);
      return;
    }

  if (type == ANY_PACKET_TYPE_LINK && self->socket != NULL && self->host->mesh != NULL
      && any_engine_get_peer_mesh (self->engine) && self->host->mesh (self->socket, self, data))
    {
      json_node_unref (data);
      return;
    }

  packet = _any_packet_new (self, type, seq, data);
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, packet);
  if (self->socket != NULL && any_engine_get_state (self->engine) == ANY_ENGINE_STATE_CONNECTED)
    self->host->message (self->socket, packet);
}

/* A binary message (any-engine-bytes.c): as engine_packet() does JSON. */
static void
engine_packet_bytes (gpointer  user_data,
                     gint32    seq,
                     GBytes   *bytes)
{
  AnyPeer *self = user_data;
  g_autoptr(AnyPacket) packet = _any_packet_new_bytes (self, seq, bytes);

  if (seq < 0)
    {
      g_autoptr(GTask) task = any_requests_take (self->requests, -seq);

      if (task == NULL)
        g_debug ("Dropped binary reply %d from %s", seq, self->id);
      else
        g_task_return_pointer (task, g_steal_pointer (&packet), g_object_unref);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, packet);
  if (self->socket != NULL && any_engine_get_state (self->engine) == ANY_ENGINE_STATE_CONNECTED)
    self->host->message (self->socket, packet);
}

static void
engine_heartbeat (gpointer user_data,
                  int      lag_ms)
{
  AnyPeer *self = user_data;

  if (self->lag != lag_ms)
    {
      self->lag = lag_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAG]);
    }
  g_signal_emit (self, signals[SIGNAL_HEARTBEAT], 0);
  if (self->socket != NULL)
    self->host->heartbeat (self->socket, self);
}

static void
engine_forward (gpointer          user_data,
                const guint8     *frame,
                gsize             len,
                const AnyForward *forward)
{
  AnyPeer *self = user_data;

  /* One hub per path: the JavaScript peer cannot proxy via a proxy
   * either, and nesting would let frames loop. */
  if (self->via != NULL)
    any_peer_disconnect (self, "Invalid Packet! FORWARD inside a proxied link");
  else if (self->socket != NULL)
    self->host->forward (self->socket, self, frame, len, forward);
}

static gboolean
engine_verify_peer (gpointer      user_data,
                    const guint8 *remote_static,
                    char        **reason)
{
  AnyPeer *self = user_data;

  if (self->socket == NULL)
    {
      *reason = g_strdup ("Socket stopped");
      return FALSE;
    }
  return self->host->verify_peer (self->socket, self, any_engine_get_peer_id (self->engine),
                                 remote_static, reason);
}

static void
engine_e2e (gpointer user_data)
{
  AnyPeer *self = g_object_ref (user_data);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_E2E_MODE]);
  g_signal_emit (self, signals[SIGNAL_E2E], 0);
  if (self->socket != NULL && any_peer_is_connected (self))
    self->host->e2e (self->socket, self);
  g_object_unref (self);
}

static void
engine_closed (gpointer    user_data,
               const char *reason)
{
  AnyPeer *self = g_object_ref (user_data);

  any_requests_fail_all (self->requests, reason);
  /* The application never saw a peer that did not finish AUTH. */
  if (self->was_connected)
    g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason);
  if (self->socket != NULL)
    self->host->disconnected (self->socket, self, reason);
  g_object_unref (self);
}

static const AnyEngineCallbacks engine_callbacks = {
  .authenticate = engine_authenticate,
  .connected = engine_connected,
  .packet = engine_packet,
  .packet_bytes = engine_packet_bytes,
  .heartbeat = engine_heartbeat,
  .forward = engine_forward,
  .verify_peer = engine_verify_peer,
  .e2e = engine_e2e,
  .closed = engine_closed,
};

/* GObject */

static void
any_peer_dispose (GObject *object)
{
  AnyPeer *self = ANY_PEER (object);

  g_clear_pointer (&self->engine, any_engine_free);
  g_clear_object (&self->transport);
  g_clear_object (&self->via);
  any_requests_clear (self->requests);

  G_OBJECT_CLASS (any_peer_parent_class)->dispose (object);
}

static void
any_peer_finalize (GObject *object)
{
  AnyPeer *self = ANY_PEER (object);

  if (self->socket != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->socket), (gpointer *) &self->socket);

  g_clear_pointer (&self->requests, any_requests_free);
  g_free (self->id);
  g_free (self->connection_id);

  G_OBJECT_CLASS (any_peer_parent_class)->finalize (object);
}

static void
any_peer_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AnyPeer *self = ANY_PEER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_CONNECTION_ID:
      g_value_set_string (value, self->connection_id);
      break;
    case PROP_LAG:
      g_value_set_int (value, self->lag);
      break;
    case PROP_REMOTE_ADDRESS:
      g_value_set_string (value, any_peer_get_remote_address (self));
      break;
    case PROP_E2E_MODE:
      g_value_set_enum (value, any_peer_get_e2e_mode (self));
      break;
    case PROP_IS_PROXY:
      g_value_set_boolean (value, self->via != NULL);
      break;
    case PROP_VIA:
      g_value_set_object (value, self->via);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_peer_class_init (AnyPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = any_peer_dispose;
  object_class->finalize = any_peer_finalize;
  object_class->get_property = any_peer_get_property;

  /**
   * AnyPeer:id:
   *
   * The peer's id (the remote [property@AnySocket.Socket:id]), known once the AUTH
   * exchange is over.
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeer:connection-id:
   *
   * A random id of this connection (32 hex characters), distinct from
   * the peer's id: a peer that reconnects keeps its id and gets a new
   * connection id.
   */
  properties[PROP_CONNECTION_ID] =
    g_param_spec_string ("connection-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeer:lag:
   *
   * The round trip of the last heartbeat ping/pong in milliseconds, or
   * -1 before the first one completed. Notified when it changes; the
   * [signal@AnySocket.Peer::heartbeat] signal tells each completed round trip.
   */
  properties[PROP_LAG] =
    g_param_spec_int ("lag", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeer:remote-address:
   *
   * The remote end of the connection as `IP:PORT` (`[IPv6]:PORT`), or
   * NULL when not known.
   */
  properties[PROP_REMOTE_ADDRESS] =
    g_param_spec_string ("remote-address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeer:e2e-mode:
   *
   * How the link is end-to-end encrypted: `ANY_E2E_MODE_NONE` until a
   * switch ([method@AnySocket.Peer.e2e], from either side) completes. Notified then,
   * right before [signal@AnySocket.Peer::e2e].
   */
  properties[PROP_E2E_MODE] =
    g_param_spec_enum ("e2e-mode", NULL, NULL, ANY_TYPE_E2E_MODE, ANY_E2E_MODE_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeer:is-proxy:
   *
   * Whether the peer is reached through a hub ([method@AnySocket.Socket.proxy_async],
   * or a hub told us the peer proxied to us) rather than directly.
   */
  properties[PROP_IS_PROXY] =
    g_param_spec_boolean ("is-proxy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeer:via:
   *
   * The hub a proxied peer is reached through, NULL for a direct peer.
   * A proxied peer disconnects when its hub does.
   */
  properties[PROP_VIA] =
    g_param_spec_object ("via", NULL, NULL, ANY_TYPE_PEER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AnyPeer::message:
   * @self: the peer
   * @packet: the received message
   *
   * A message (not a reply) arrived from this peer. Answer it with
   * [method@AnySocket.Packet.reply]. Emitted before [signal@AnySocket.Socket::message].
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_PACKET);

  /**
   * AnyPeer::heartbeat:
   * @self: the peer
   *
   * A heartbeat ping/pong completed; [property@AnySocket.Peer:lag] holds its round trip.
   */
  signals[SIGNAL_HEARTBEAT] =
    g_signal_new ("heartbeat", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * AnyPeer::disconnected:
   * @self: the peer
   * @reason: why, for example `Missed Heartbeats` or
   *   `Remote Connection Closed`
   *
   * The link is closed, by either side. Pending requests have failed with
   * `ANY_SOCKET_ERROR_DISCONNECTED`. Emitted once, before
   * [signal@AnySocket.Socket::disconnected].
   */
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * AnyPeer::e2e:
   * @self: the peer
   *
   * The link is now end-to-end encrypted ([property@AnySocket.Peer:e2e-mode] tells how).
   * Emitted before [signal@AnySocket.Socket::e2e].
   */
  signals[SIGNAL_E2E] =
    g_signal_new ("e2e", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
any_peer_init (AnyPeer *self)
{
  self->lag = -1;
  self->connection_id = any_id_new ();
  self->requests = any_requests_new ();
}

/* Private API */

AnyPeer *
_any_peer_new (const AnyPeerHost *host,
               AnySocket         *socket,
               AnyTransport      *transport,
               AnyEngineRole      role)
{
  AnyPeer *self = g_object_new (ANY_TYPE_PEER, NULL);

  /* An application may keep a peer after its socket is gone: the weak
   * pointer then reads NULL. */
  self->host = host;
  self->socket = socket;
  g_object_add_weak_pointer (G_OBJECT (socket), (gpointer *) &self->socket);
  self->transport = g_object_ref (transport);
  self->engine = any_engine_new (role, transport, &engine_callbacks, self);
  return self;
}

void
_any_peer_start (AnyPeer               *self,
                 const AnyEngineConfig *config)
{
  any_engine_start (self->engine, config);
}

/* The socket is going away: the peer outlives it, unattached. */
void
_any_peer_detach (AnyPeer *self)
{
  if (self->socket != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->socket), (gpointer *) &self->socket);
  self->socket = NULL;
}

void
_any_peer_set_heartbeat_interval (AnyPeer *self,
                                  guint    interval_ms)
{
  if (self->engine != NULL)
    any_engine_set_heartbeat_interval (self->engine, interval_ms);
}

/* Public API */

/**
 * any_peer_get_id:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the id the peer presented in its AUTH packet ([property@AnySocket.Peer:id]).
 * During the native E2E switch that a link to an id with a pinned key
 * makes before it is connected ([method@AnySocket.Socket.pin_fingerprint]), as
 * [signal@AnySocket.Socket::verify-peer] sees it, this is the id the link claims.
 *
 * Returns: (nullable): the peer's id, 32 lowercase hex characters for a
 *   libanysocket or JavaScript peer
 */
const char *
any_peer_get_id (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  if (self->id == NULL && self->pinned && self->engine != NULL)
    return any_engine_get_peer_id (self->engine);
  return self->id;
}

/**
 * any_peer_get_connection_id:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the id of this connection ([property@AnySocket.Peer:connection-id]).
 *
 * Returns: the id of this connection
 */
const char *
any_peer_get_connection_id (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  return self->connection_id;
}

/**
 * any_peer_get_lag:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the last measured heartbeat round trip ([property@AnySocket.Peer:lag]).
 *
 * Returns: the last heartbeat round trip in milliseconds, -1 before the
 *   first
 */
int
any_peer_get_lag (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), -1);

  return self->lag;
}

/**
 * any_peer_get_remote_address:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the address of the other end of the link.
 *
 * Returns: (nullable): the remote address as `IP:PORT`
 */
const char *
any_peer_get_remote_address (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  return self->transport ? any_transport_get_remote_address (self->transport) : NULL;
}

/* What the upgrade request of an accepted link said: NULL for a link we
 * made or one through a hub (api/any-peer-request.c). */
AnyUpgradeRequest *
_any_peer_get_upgrade_request (AnyPeer *self)
{
  return self->transport != NULL ? any_transport_get_upgrade_request (self->transport) : NULL;
}

/**
 * any_peer_is_proxy:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets whether the peer is reached through a hub ([property@AnySocket.Peer:is-proxy]).
 *
 * Returns: TRUE if the peer is reached through a hub
 */
gboolean
any_peer_is_proxy (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);

  return self->via != NULL;
}

/**
 * any_peer_get_via:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the hub a proxied peer is reached through ([property@AnySocket.Peer:via]).
 *
 * Returns: (transfer none) (nullable): the hub a proxied peer is reached
 *   through, NULL for a direct peer
 */
AnyPeer *
any_peer_get_via (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  return self->via;
}

/**
 * any_peer_get_socket:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the socket this link belongs to.
 *
 * Returns: (transfer none) (nullable): the socket the peer belongs to,
 *   NULL once that socket is finalized
 */
AnySocket *
any_peer_get_socket (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  return self->socket;
}

/**
 * any_peer_is_connected:
 * @self: an [class@AnySocket.Peer]
 *
 * Tells whether the link is up.
 *
 * Returns: TRUE while the link is up and authenticated
 */
gboolean
any_peer_is_connected (AnyPeer *self)
{
  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);

  return self->engine != NULL && !self->retired &&
         any_engine_get_state (self->engine) == ANY_ENGINE_STATE_CONNECTED;
}

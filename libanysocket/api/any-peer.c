/* any-peer.c: AnyPeer, the other end of one link
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
struct _AnyPeer
{
  GObject       parent_instance;

  const AnyPeerHost *host;
  AnySocket    *socket;          /* weak pointer: the socket owns us; the
                                  * host's data, NULL once it is gone */
  AnyPeer      *via;             /* the hub of a proxied peer, else NULL */
  AnyTransport *transport;
  AnyEngine    *engine;

  char         *id;
  char         *connection_id;
  int           lag;
  gboolean      was_connected;
  gboolean      probe_sent;
  gboolean      pinned;          /* its id's key is pinned (any-trust.h) */
  gboolean      retired;         /* replaced by a direct link, draining
                                  * (api/any-socket-links.c) */
  gboolean      closed_here;     /* any_peer_disconnect() was called: no
                                  * reconnecting (any-socket-reconnect.c) */

  AnyRequests  *requests;        /* waiting for their replies */
};

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

gint32
_any_peer_send_packet (AnyPeer        *self,
                       AnyPacketType   type,
                       gint32          reply_to,
                       JsonNode       *msg,
                       GError        **error)
{
  /* A retired peer only answers what the other side still sends. */
  if (self->engine == NULL || G_UNLIKELY (self->retired && reply_to == 0))
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return 0;
    }
  return any_engine_send (self->engine, type, reply_to, msg, error);
}

/* A binary message (any-peer-bytes.c, any_packet_reply_bytes()). */
gint32
_any_peer_send_bytes (AnyPeer  *self,
                      gint32    reply_to,
                      GBytes   *bytes,
                      GError  **error)
{
  if (self->engine == NULL || G_UNLIKELY (self->retired && reply_to == 0))
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return 0;
    }
  return any_engine_send_bytes (self->engine, reply_to, bytes, error);
}

/* A packet shared with other peers (api/any-fanout.c): its seq here, 0
 * when this peer must be sent its own (as _any_peer_send_packet()). */
gint32
_any_peer_peek_shared_seq (AnyPeer       *self,
                           AnyPacketType  type)
{
  if (self->engine == NULL || self->retired)
    return 0;
  return any_engine_peek_shared_seq (self->engine, type);
}

gboolean
_any_peer_send_shared (AnyPeer        *self,
                       AnyPacketType   type,
                       gint32          seq,
                       AnySharedFrame *frame,
                       gsize           body_len)
{
  if (self->engine == NULL || self->retired)
    return FALSE;
  return any_engine_send_shared (self->engine, type, seq, frame, body_len);
}

/* A proxied peer replaced by a direct link: the application was told it
 * is gone; it still answers and delivers what the other side sent before
 * it switched too, and sends nothing new. */
void
_any_peer_retire (AnyPeer *self)
{
  self->retired = TRUE;
}

/* See any_engine_set_holding(). */
void
_any_peer_set_holding (AnyPeer  *self,
                       gboolean  holding)
{
  if (self->engine != NULL)
    any_engine_set_holding (self->engine, holding);
}

void
_any_peer_reply_internal (AnyPeer  *self,
                          gint32    seq,
                          JsonNode *msg)
{
  g_autoptr(GError) error = NULL;

  /* Seq 0 is no request: a reply to it could not say what it answers. */
  if (seq <= 0)
    return;
  if (_any_peer_send_packet (self, ANY_PACKET_TYPE_INTERNAL, seq, msg, &error) == 0)
    g_debug ("Could not answer INTERNAL packet %d: %s", seq, error->message);
}

/* A proxied peer: its transport goes through @via, it starts connected
 * with the id the hub named. */
void
_any_peer_start_proxied (AnyPeer               *self,
                         AnyPeer               *via,
                         const AnyEngineConfig *config,
                         const char            *peer_id)
{
  self->via = g_object_ref (via);
  any_engine_start_connected (self->engine, config, peer_id);
}

gboolean
_any_peer_send_frame (AnyPeer  *self,
                      GBytes   *frame,
                      GError  **error)
{
  if (self->engine == NULL)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return FALSE;
    }
  return any_engine_send_frame (self->engine, frame, error);
}

void
_any_peer_deliver_forwarded (AnyPeer      *self,
                             const guint8 *inner,
                             gsize         inner_len)
{
  if (self->transport != NULL)
    any_transport_deliver_frame (self->transport, inner, inner_len, TRUE);
}

/* The hub's side ended the link: nothing to tell the hub. */
void
_any_peer_close_proxied (AnyPeer    *self,
                         const char *reason)
{
  if (self->transport != NULL)
    any_transport_deliver_closed (self->transport, reason);
}

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

static void
send_probe (AnyPeer *self)
{
  g_autoptr(JsonNode) probe = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = any_internal_new_synced_time ();

  add_probe_caps (self, object);
  json_node_take_object (probe, object);
  _any_peer_request (self, ANY_PACKET_TYPE_INTERNAL, probe, 0, NULL, send_probe,
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
  send_probe (self);
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

/**
 * any_peer_send:
 * @self: an [class@AnySocket.Peer]
 * @msg: the message, any JSON value
 * @error: return location for a `GError`
 *
 * Sends @msg as a LINK packet, split into chunks when it is large. The
 * seed's `peer.send(message)`.
 *
 * Returns: TRUE if the message was queued for sending; FALSE with
 *   `ANY_SOCKET_ERROR_DISCONNECTED` or `ANY_SOCKET_ERROR_MESSAGE_TOO_BIG`
 */
gboolean
any_peer_send (AnyPeer   *self,
               JsonNode  *msg,
               GError   **error)
{
  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _any_peer_send_packet (self, ANY_PACKET_TYPE_LINK, 0, msg, error) != 0;
}

/**
 * any_peer_request_async:
 * @self: an [class@AnySocket.Peer]
 * @msg: the request, any JSON value
 * @timeout_ms: how long to wait for the reply, 0 for
 *   [property@AnySocket.Socket:reply-timeout]
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with the reply
 * @user_data: data for @callback
 *
 * Sends @msg and waits for the peer to answer it with
 * [method@AnySocket.Packet.reply] (or the JavaScript `packet.reply()`).
 *
 * Without a reply in time the request fails with
 * `ANY_SOCKET_ERROR_TIMEOUT` and the peer stays connected. (The JavaScript
 * peer instead disconnects the whole peer on a missed reply.) If the peer
 * disconnects first it fails with `ANY_SOCKET_ERROR_DISCONNECTED`.
 * Cancelling frees the request's slot; a reply that arrives later is
 * dropped.
 */
void
any_peer_request_async (AnyPeer             *self,
                        JsonNode            *msg,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (ANY_IS_PEER (self));
  g_return_if_fail (msg != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _any_peer_request (self, ANY_PACKET_TYPE_LINK, msg, timeout_ms, cancellable,
                     any_peer_request_async, callback, user_data);
}

/* A request of either packet type (INTERNAL for RPC, synced time and
 * proxying); the reply completes a GTask tagged @source_tag whose result
 * is the reply AnyPacket. */
void
_any_peer_request (AnyPeer             *self,
                   AnyPacketType        type,
                   JsonNode            *msg,
                   guint                timeout_ms,
                   GCancellable        *cancellable,
                   gpointer             source_tag,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint32 seq;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (g_task_return_error_if_cancelled (task))
    return;

  seq = _any_peer_send_packet (self, type, 0, msg, &error);
  _any_peer_wait_reply (self, seq, g_steal_pointer (&task), error, timeout_ms, cancellable);
}

/* After sending a request (@seq, or 0 and @error): @task gets its reply. */
void
_any_peer_wait_reply (AnyPeer      *self,
                      gint32        seq,
                      GTask        *task,
                      GError       *error,
                      guint         timeout_ms,
                      GCancellable *cancellable)
{
  if (seq == 0)
    {
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
      return;
    }
  if (timeout_ms == 0)
    timeout_ms = self->socket ? self->host->reply_timeout (self->socket) : 30000;
  any_requests_add (self->requests, seq, task, timeout_ms, cancellable);
}

/**
 * any_peer_request_finish:
 * @self: an [class@AnySocket.Peer]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * Finishes [method@AnySocket.Peer.request_async].
 *
 * Returns: (transfer full): the reply ([method@AnySocket.Packet.is_reply] is TRUE)
 */
AnyPacket *
any_peer_request_finish (AnyPeer       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * any_peer_disconnect: (skip)
 * @self: an [class@AnySocket.Peer]
 * @reason: (nullable): why, sent to the other side in the WebSocket close
 *   frame and given to [signal@AnySocket.Peer::disconnected]
 *
 * Closes the link. [signal@AnySocket.Peer::disconnected] is emitted before this returns.
 * Does nothing if the peer is already disconnected.
 *
 * This is the seed's name, kept for C. Bindings do not see it (skip):
 * as a method it would hide `GObject.Object.disconnect (handler_id)` in
 * Python and GJS. They call [method@AnySocket.Peer.close], which does the
 * same.
 */
void
any_peer_disconnect (AnyPeer    *self,
                     const char *reason)
{
  g_return_if_fail (ANY_IS_PEER (self));

  self->closed_here = TRUE;
  if (self->engine != NULL)
    any_engine_close (self->engine, reason ? reason : "Disconnected");
}

gboolean
_any_peer_was_closed_here (AnyPeer *self)
{
  return self->closed_here;
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
      send_probe (self);
    }
  if (!any_engine_start_e2e (self->engine, &error) &&
      !g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT))
    {
      g_autofree char *reason = g_strdup_printf ("E2E switch failed: %s", error->message);

      any_peer_disconnect (self, reason);
    }
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

/**
 * any_peer_close:
 * @self: an [class@AnySocket.Peer]
 * @reason: (nullable): why, sent to the other side in the WebSocket close
 *   frame and given to [signal@AnySocket.Peer::disconnected]
 *
 * Closes the link, as `any_peer_disconnect()` does from C.
 * [signal@AnySocket.Peer::disconnected] is emitted before this returns. Does nothing if
 * the peer is already disconnected.
 *
 * This is the name bindings see: a `disconnect` method would hide
 * `GObject.Object.disconnect (handler_id)` in Python and GJS (libsoup's
 * `soup_websocket_connection_close()` and GDBus's
 * `g_dbus_connection_close()` avoid the name for the same reason).
 *
 * Since: 0.2
 */
void
any_peer_close (AnyPeer    *self,
                const char *reason)
{
  any_peer_disconnect (self, reason);
}

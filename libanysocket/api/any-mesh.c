/* any-mesh.c: AnyMesh, authenticated multi-hop routing and signed
 * publish/subscribe over an AnySocket's links
 *
 * The class: its properties, signals, neighbours, nodes and topics (its
 * public getters and setters are in any-mesh-accessors.c).
 * Messages and requests to one node are in any-mesh-request.c; the
 * routing and relaying in mesh/any-mesh-core.c, the end-to-end sessions
 * in mesh/any-mesh-e2e.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "any-error.h"
#include "api/any-mesh-private.h"

/**
 * AnyMesh:
 *
 * A mesh over the links of an [class@AnySocket.Socket]: any node of the
 * connected mesh can reach any other over any number of hops, publish
 * signed messages on topics, and send messages and requests to one node,
 * end-to-end encrypted between the two ends.
 *
 * Every node has a signing key (Ed25519) derived from its socket's
 * identity, and is named by a node id derived from that key
 * ([method@AnySocket.Mesh.get_node_id]), stable across runs that keep the
 * identity ([method@AnySocket.Socket.save_identity]). Nodes announce
 * themselves at [property@AnySocket.Mesh:announce-interval] in signed,
 * sequence-numbered announcements that expire after
 * [property@AnySocket.Mesh:route-lifetime]: a route to a node is only
 * believed with the node's own signature, and a node that disappears is
 * dropped (with [signal@AnySocket.Mesh::node-removed]) within that
 * lifetime.
 *
 * [method@AnySocket.Mesh.publish] signs a message with the author's key;
 * every node relays it to at most [property@AnySocket.Mesh:fanout]
 * neighbours and offers its id to the others, which fetch it if they
 * missed it, so each subscriber of a connected mesh gets it exactly once,
 * through [signal@AnySocket.Mesh::message] with its authenticated author.
 * A message whose signature fails is dropped and counted
 * ([method@AnySocket.Mesh.dup_stats]).
 *
 * The mesh uses the links of its socket whose other side speaks the mesh:
 * those whose AUTH capabilities said so, and (after a probe that tells
 * the other side ours) the links made before the mesh was created and
 * the peers proxied through a hub. A JavaScript peer stays an ordinary
 * peer. The wire is described in the protocol document of the library.
 *
 * Since: 0.2
 */

G_DEFINE_FINAL_TYPE (AnyMesh, any_mesh, G_TYPE_OBJECT)

#define DEFAULT_ANNOUNCE_INTERVAL  2000
#define DEFAULT_GOSSIP_INTERVAL     200
#define DEFAULT_FANOUT                4
#define DEFAULT_MAX_HOPS             16
#define DEFAULT_MAX_ROUTES         1024
#define DEFAULT_ANNOUNCES_PER_S       4
#define DEFAULT_DEDUP_SIZE         8192
#define DEFAULT_DEDUP_AGE        120000
#define DEFAULT_HISTORY            5000
#define DEFAULT_MAX_MESSAGE_SIZE  65536
#define DEFAULT_PUBLISH_RATE        100
#define DEFAULT_NEIGHBOUR_RATE     2000
#define DEFAULT_REQUEST_TIMEOUT   10000
#define DEFAULT_ROUTE_WAIT         3000
#define DEFAULT_LAG_INTERVAL       5000

enum {
  PROP_0,
  PROP_SOCKET,
  PROP_NODE_ID,
  PROP_FINGERPRINT,
  PROP_ANNOUNCE_INTERVAL,
  PROP_ROUTE_LIFETIME,
  PROP_GOSSIP_INTERVAL,
  PROP_FANOUT,
  PROP_MAX_HOPS,
  PROP_MAX_ROUTES,
  PROP_MAX_ANNOUNCES_PER_SECOND,
  PROP_DEDUP_SIZE,
  PROP_DEDUP_AGE,
  PROP_HISTORY,
  PROP_PUBLISH_RATE,
  PROP_NEIGHBOUR_RATE,
  PROP_REQUEST_TIMEOUT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_ROUTE_WAIT,
  PROP_LAG_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MESSAGE,
  SIGNAL_NODE_ADDED,
  SIGNAL_NODE_REMOVED,
  SIGNAL_NODE_MESSAGE,
  SIGNAL_REQUEST,
  SIGNAL_NODE_REFUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The guint properties and where each lives. */
static guint *
uint_field (AnyMesh *self, guint prop_id)
{
  switch (prop_id)
    {
    case PROP_ANNOUNCE_INTERVAL: return &self->limits.announce_interval_ms;
    case PROP_ROUTE_LIFETIME: return &self->limits.route_lifetime_ms;
    case PROP_GOSSIP_INTERVAL: return &self->limits.gossip_interval_ms;
    case PROP_FANOUT: return &self->limits.fanout;
    case PROP_MAX_HOPS: return &self->limits.max_hops;
    case PROP_MAX_ROUTES: return &self->limits.max_routes;
    case PROP_MAX_ANNOUNCES_PER_SECOND: return &self->limits.max_announces_per_second;
    case PROP_DEDUP_SIZE: return &self->limits.dedup_size;
    case PROP_DEDUP_AGE: return &self->limits.dedup_age_ms;
    case PROP_HISTORY: return &self->limits.history_ms;
    case PROP_PUBLISH_RATE: return &self->limits.publish_rate;
    case PROP_NEIGHBOUR_RATE: return &self->limits.neighbour_rate;
    case PROP_REQUEST_TIMEOUT: return &self->request_timeout;
    case PROP_ROUTE_WAIT: return &self->route_wait;
    case PROP_LAG_INTERVAL: return &self->lag_interval;
    default: return NULL;
    }
}


/* --- construction ---------------------------------------------------------- */

static void
any_mesh_constructed (GObject *object)
{
  AnyMesh *self = ANY_MESH (object);
  AnyNoiseKeypair *identity;
  guint8 priv[ANY_NOISE_KEY_LEN];
  guint8 raw_id[ANY_MESH_NODE_ID_LEN];
  AnyMeshLimits limits;

  G_OBJECT_CLASS (any_mesh_parent_class)->constructed (object);
  g_assert (self->socket != NULL);

  identity = _any_socket_get_identity (self->socket);
  any_noise_keypair_get_private (identity, priv);
  any_ed25519_key_from_x25519 (&self->key, priv);
  memset (priv, 0, sizeof priv);
  any_ed25519_node_id (self->key.pub, raw_id);
  self->node_id = any_ed25519_node_id_hex (raw_id);
  self->fingerprint = any_ed25519_fingerprint (self->key.pub);

  limits = self->limits;
  if (limits.route_lifetime_ms == 0)
    limits.route_lifetime_ms = 3 * limits.announce_interval_ms;
  self->core = any_mesh_core_new (&self->key, any_noise_keypair_get_public (identity),
                                  &limits, &_any_mesh_core_callbacks, self);
  self->e2e = any_mesh_e2e_new (self->core, identity, &_any_mesh_e2e_callbacks, self);

  _any_socket_set_mesh (self->socket, &_any_mesh_socket_host, self);
  self->connected_id = g_signal_connect (self->socket, "connected", G_CALLBACK (_any_mesh_on_connected), self);
  self->disconnected_id = g_signal_connect (self->socket, "disconnected",
                                            G_CALLBACK (_any_mesh_on_disconnected), self);
  _any_mesh_restart_tick (self);
  _any_mesh_adopt_links (self);
}

/**
 * any_mesh_new:
 * @socket: the [class@AnySocket.Socket] whose links the mesh uses
 *
 * Creates the mesh node of @socket. Its signing key is derived from the
 * socket's identity as it is now (load or generate the identity first).
 * Links made from now on advertise the mesh, and the links already up
 * are offered it; a socket has at most one mesh at a time.
 *
 * Returns: (transfer full): a new [class@AnySocket.Mesh]
 * Since: 0.2
 */
AnyMesh *
any_mesh_new (AnySocket *socket)
{
  g_return_val_if_fail (ANY_IS_SOCKET (socket), NULL);
  return g_object_new (ANY_TYPE_MESH, "socket", socket, NULL);
}

static void
any_mesh_dispose (GObject *object)
{
  AnyMesh *self = ANY_MESH (object);

  if (self->tick != NULL && self->core != NULL)
    any_mesh_core_withdraw (self->core);   /* once: the tick goes below */
  if (self->tick != NULL)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  if (self->socket != NULL)
    {
      g_clear_signal_handler (&self->connected_id, self->socket);
      g_clear_signal_handler (&self->disconnected_id, self->socket);
      _any_socket_set_mesh (self->socket, NULL, NULL);
      g_clear_object (&self->socket);
    }
  _any_mesh_expire_waiting (self, 0, TRUE);
  if (self->requests != NULL)
    _any_mesh_fail_requests (self, NULL, _("The mesh was destroyed"));
  G_OBJECT_CLASS (any_mesh_parent_class)->dispose (object);
}

static void
any_mesh_finalize (GObject *object)
{
  AnyMesh *self = ANY_MESH (object);

  g_clear_pointer (&self->delivering, g_bytes_unref);
  g_clear_pointer (&self->e2e, any_mesh_e2e_free);
  g_clear_pointer (&self->core, any_mesh_core_free);
  g_hash_table_unref (self->nodes);
  g_hash_table_unref (self->subscriptions);
  g_hash_table_unref (self->requests);
  g_hash_table_unref (self->pins);
  g_hash_table_unref (self->refused);
  g_hash_table_unref (self->tracked);
  any_ed25519_key_wipe (&self->key);
  g_free (self->node_id);
  g_free (self->fingerprint);
  G_OBJECT_CLASS (any_mesh_parent_class)->finalize (object);
}

void
_any_mesh_emit_node (AnyMesh     *self,
                     gboolean     added,
                     AnyMeshNode *node)
{
  g_signal_emit (self, signals[added ? SIGNAL_NODE_ADDED : SIGNAL_NODE_REMOVED], 0, node);
}

void
_any_mesh_emit_message (AnyMesh    *self,
                        const char *topic,
                        const char *author,
                        const char *fingerprint,
                        JsonNode   *msg)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE], g_quark_from_string (topic),
                 topic, author, fingerprint, msg);
}

void
_any_mesh_emit_refused (AnyMesh    *self,
                        const char *node_id,
                        const char *fingerprint,
                        const char *reason)
{
  g_signal_emit (self, signals[SIGNAL_NODE_REFUSED], 0, node_id, fingerprint, reason);
}

void
_any_mesh_emit_node_message (AnyMesh     *self,
                             AnyMeshNode *node,
                             JsonNode    *msg)
{
  g_signal_emit (self, signals[SIGNAL_NODE_MESSAGE], 0, node, msg);
}

JsonNode *
_any_mesh_emit_request (AnyMesh     *self,
                        AnyMeshNode *node,
                        JsonNode    *msg)
{
  JsonNode *reply = NULL;

  g_signal_emit (self, signals[SIGNAL_REQUEST], 0, node, msg, &reply);
  return reply;
}

/* --- GObject ------------------------------------------------------------------ */

static void
any_mesh_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AnyMesh *self = ANY_MESH (object);
  guint *field = uint_field (self, prop_id);

  if (field != NULL)
    {
      g_value_set_uint (value, *field);
      return;
    }
  switch (prop_id)
    {
    case PROP_SOCKET:
      g_value_set_object (value, self->socket);
      break;
    case PROP_NODE_ID:
      g_value_set_string (value, self->node_id);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->limits.max_message_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_mesh_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  AnyMesh *self = ANY_MESH (object);
  guint *field = uint_field (self, prop_id);

  if (field != NULL)
    {
      if (*field == g_value_get_uint (value))
        return;
      *field = g_value_get_uint (value);
    }
  else if (prop_id == PROP_SOCKET)
    {
      self->socket = g_value_dup_object (value);
      return;
    }
  else if (prop_id == PROP_MAX_MESSAGE_SIZE)
    {
      if (self->limits.max_message_size == g_value_get_uint64 (value))
        return;
      self->limits.max_message_size = g_value_get_uint64 (value);
    }
  else
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (self->core != NULL)
    {
      _any_mesh_apply_limits (self);
      if (prop_id == PROP_GOSSIP_INTERVAL)
        _any_mesh_restart_tick (self);
    }
  g_object_notify_by_pspec (object, pspec);
}

static GParamSpec *
uint_spec (const char *name, guint min, guint max, guint def)
{
  return g_param_spec_uint (name, NULL, NULL, min, max, def,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS
                            | G_PARAM_EXPLICIT_NOTIFY);
}

/* The first handler that returns a reply answers a request. */
static gboolean
first_reply (GSignalInvocationHint *hint,
             GValue                *return_accu,
             const GValue          *handler_return,
             gpointer               data)
{
  g_value_copy (handler_return, return_accu);
  return g_value_get_boxed (handler_return) == NULL;
}

static void
any_mesh_class_init (AnyMeshClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = any_mesh_constructed;
  object_class->dispose = any_mesh_dispose;
  object_class->finalize = any_mesh_finalize;
  object_class->get_property = any_mesh_get_property;
  object_class->set_property = any_mesh_set_property;

  /**
   * AnyMesh:socket:
   *
   * The socket whose links the mesh uses.
   *
   * Since: 0.2
   */
  properties[PROP_SOCKET] =
    g_param_spec_object ("socket", NULL, NULL, ANY_TYPE_SOCKET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * AnyMesh:node-id:
   *
   * This node's id ([method@AnySocket.Mesh.get_node_id]).
   *
   * Since: 0.2
   */
  properties[PROP_NODE_ID] =
    g_param_spec_string ("node-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * AnyMesh:fingerprint:
   *
   * This node's fingerprint ([method@AnySocket.Mesh.get_fingerprint]).
   *
   * Since: 0.2
   */
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * AnyMesh:announce-interval:
   *
   * How often (ms) this node announces itself to the mesh.
   *
   * Since: 0.2
   */
  properties[PROP_ANNOUNCE_INTERVAL] = uint_spec ("announce-interval", 50, G_MAXINT, DEFAULT_ANNOUNCE_INTERVAL);
  /**
   * AnyMesh:route-lifetime:
   *
   * How long (ms) others keep a route to this node after its last
   * announcement; 0 (the default) means three
   * [property@AnySocket.Mesh:announce-interval]. A node that disappears is
   * dropped by the others within this time. Routes to other nodes live as
   * long as those nodes said, at most 10 minutes.
   *
   * Since: 0.2
   */
  properties[PROP_ROUTE_LIFETIME] = uint_spec ("route-lifetime", 0, G_MAXINT, 0);
  /**
   * AnyMesh:gossip-interval:
   *
   * How often (ms) the mesh offers the ids of the messages it relayed to
   * the neighbours it did not push them to, expires routes and caches, and
   * checks whether an announcement is due.
   *
   * Since: 0.2
   */
  properties[PROP_GOSSIP_INTERVAL] = uint_spec ("gossip-interval", 10, 60000, DEFAULT_GOSSIP_INTERVAL);
  /**
   * AnyMesh:fanout:
   *
   * How many neighbours a new publication is pushed to (gossipsub's D);
   * the others are offered its id.
   *
   * Since: 0.2
   */
  properties[PROP_FANOUT] = uint_spec ("fanout", 1, 64, DEFAULT_FANOUT);
  /**
   * AnyMesh:max-hops:
   *
   * The hop limit of this node's publications and end-to-end packets, and
   * the most hops it accepts or relays for anything.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_HOPS] = uint_spec ("max-hops", 1, 255, DEFAULT_MAX_HOPS);
  /**
   * AnyMesh:max-routes:
   *
   * The most nodes in the routing table (including those recently gone,
   * kept to refuse replays of their announcements); announcements of new
   * nodes beyond are dropped and counted as `table-full`.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_ROUTES] = uint_spec ("max-routes", 1, G_MAXINT, DEFAULT_MAX_ROUTES);
  /**
   * AnyMesh:max-announces-per-second:
   *
   * The most new announcements accepted per node per second (bursts of
   * twice as many); the excess is dropped and counted as `rate-limited`.
   * 0: no limit.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_ANNOUNCES_PER_SECOND] = uint_spec ("max-announces-per-second", 0, 1000,
                                                         DEFAULT_ANNOUNCES_PER_S);
  /**
   * AnyMesh:dedup-size:
   *
   * The most message ids remembered to deliver and relay each message
   * once (and the most messages kept for neighbours that ask for them).
   *
   * Since: 0.2
   */
  properties[PROP_DEDUP_SIZE] = uint_spec ("dedup-size", 16, G_MAXINT, DEFAULT_DEDUP_SIZE);
  /**
   * AnyMesh:dedup-age:
   *
   * How long (ms) a message id is remembered.
   *
   * Since: 0.2
   */
  properties[PROP_DEDUP_AGE] = uint_spec ("dedup-age", 1000, G_MAXINT, DEFAULT_DEDUP_AGE);
  /**
   * AnyMesh:history:
   *
   * How long (ms) a relayed message is kept for neighbours that missed it
   * and ask for it.
   *
   * Since: 0.2
   */
  properties[PROP_HISTORY] = uint_spec ("history", 0, G_MAXINT, DEFAULT_HISTORY);
  /**
   * AnyMesh:publish-rate:
   *
   * The most publications per second relayed for one author (bursts of
   * twice as many); the excess is dropped and counted as `rate-limited`,
   * so a flooding node does not starve the others. 0: no limit.
   *
   * Since: 0.2
   */
  properties[PROP_PUBLISH_RATE] = uint_spec ("publish-rate", 0, G_MAXINT, DEFAULT_PUBLISH_RATE);
  /**
   * AnyMesh:neighbour-rate:
   *
   * The most mesh packets per second taken from one neighbour (bursts of
   * twice as many); the excess is dropped and counted as `rate-limited`.
   * 0: no limit.
   *
   * Since: 0.2
   */
  properties[PROP_NEIGHBOUR_RATE] = uint_spec ("neighbour-rate", 0, G_MAXINT, DEFAULT_NEIGHBOUR_RATE);
  /**
   * AnyMesh:request-timeout:
   *
   * How long (ms) [method@AnySocket.Mesh.request_async] waits when its
   * caller says 0, and how long an end-to-end handshake may take.
   *
   * Since: 0.2
   */
  properties[PROP_REQUEST_TIMEOUT] = uint_spec ("request-timeout", 1, G_MAXINT, DEFAULT_REQUEST_TIMEOUT);
  /**
   * AnyMesh:max-message-size:
   *
   * The largest mesh packet, in bytes, sent or accepted (a publication
   * with its topic and signature, an end-to-end message with its header);
   * a bigger one is refused or dropped and counted as `oversized`.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 256, 16 * 1024 * 1024, DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS
                         | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * AnyMesh:route-wait:
   *
   * How long (ms) a message or request to a node without a route (not
   * announced yet, or its route being re-learned after a link went down)
   * waits for one before it fails; 0: it fails at once.
   *
   * Since: 0.2
   */
  properties[PROP_ROUTE_WAIT] = uint_spec ("route-wait", 0, G_MAXINT, DEFAULT_ROUTE_WAIT);
  /**
   * AnyMesh:lag-interval:
   *
   * How often (ms) the mesh pings, end to end, each node whose lag is
   * tracked ([method@AnySocket.Mesh.track_lag]) to keep its
   * [property@AnySocket.MeshNode:lag] current.
   *
   * Since: 0.2
   */
  properties[PROP_LAG_INTERVAL] = uint_spec ("lag-interval", 100, G_MAXINT, DEFAULT_LAG_INTERVAL);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AnyMesh::message:
   * @self: the mesh
   * @topic: the topic
   * @author_id: the author's node id, authenticated by its signature
   * @author_fingerprint: the fingerprint of the author's key
   * @msg: the message
   *
   * A message published on a subscribed topic arrived, once per message.
   * Its author signed it: @author_id and @author_fingerprint cannot be
   * claimed by another node. The detail is the topic
   * (`message::chat` for the topic `chat`).
   *
   * Since: 0.2
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * AnyMesh::node-added:
   * @self: the mesh
   * @node: the node
   *
   * A node became reachable.
   *
   * Since: 0.2
   */
  signals[SIGNAL_NODE_ADDED] =
    g_signal_new ("node-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_MESH_NODE);
  /**
   * AnyMesh::node-removed:
   * @self: the mesh
   * @node: the node
   *
   * A node is not reachable any more: no announcement of it arrived for
   * its route lifetime. Its pending requests failed.
   *
   * Since: 0.2
   */
  signals[SIGNAL_NODE_REMOVED] =
    g_signal_new ("node-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ANY_TYPE_MESH_NODE);
  /**
   * AnyMesh::node-message:
   * @self: the mesh
   * @node: the node that sent it
   * @msg: the message
   *
   * A message from [method@AnySocket.Mesh.send] arrived, end-to-end
   * authenticated: @node sent it.
   *
   * Since: 0.2
   */
  signals[SIGNAL_NODE_MESSAGE] =
    g_signal_new ("node-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ANY_TYPE_MESH_NODE,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * AnyMesh::request:
   * @self: the mesh
   * @node: the node that asks
   * @msg: the request
   *
   * A request from [method@AnySocket.Mesh.request_async] arrived,
   * end-to-end authenticated. The first handler that returns a reply
   * answers it; if none does, the requester gets an error.
   *
   * Returns: (transfer full) (nullable): the reply, or %NULL
   *
   * Since: 0.2
   */
  signals[SIGNAL_REQUEST] =
    g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, first_reply, NULL, NULL, JSON_TYPE_NODE, 2,
                  ANY_TYPE_MESH_NODE, JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * AnyMesh::node-refused:
   * @mesh: the mesh
   * @node_id: the node id the announcement named
   * @fingerprint: the fingerprint of the key that signed it
   * @reason: why it was refused, in English
   *
   * An announcement of a node whose key is pinned
   * ([method@AnySocket.Mesh.pin_node]) was signed by another key: the
   * node is not reachable through it. Emitted once per node and key.
   *
   * Since: 0.2
   */
  signals[SIGNAL_NODE_REFUSED] =
    g_signal_new ("node-refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
any_mesh_init (AnyMesh *self)
{
  self->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->requests = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tracked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->waiting);
}

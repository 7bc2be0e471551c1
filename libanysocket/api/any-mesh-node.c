/* any-mesh-node.c: AnyMeshNode, a node of the mesh that can be reached
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-mesh-node-private.h"
#include "crypto/any-ed25519.h"

/**
 * AnyMeshNode:
 *
 * A node of an [class@AnySocket.Mesh] that this one can reach, over any
 * number of hops: its node id and fingerprint (both derived from its
 * signing key, so they cannot be claimed by another node), how far it
 * is, through which direct peer, the end-to-end round trip, and whether
 * an end-to-end handshake proved its keys.
 *
 * The mesh keeps one object per node while it is reachable and emits
 * [signal@AnySocket.Mesh::node-removed] when it is gone; keep a reference
 * to use it longer ([method@AnySocket.MeshNode.is_reachable] then says
 * %FALSE).
 *
 * Since: 0.2
 */
struct _AnyMeshNode
{
  GObject  parent_instance;
  char    *id;
  char    *fingerprint;
  guint    hops;
  AnyPeer *next_hop;      /* weak: the socket owns its peers */
  int      lag;
  gboolean verified;
  gboolean reachable;
  gboolean pinned;
};

G_DEFINE_FINAL_TYPE (AnyMeshNode, any_mesh_node, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_FINGERPRINT,
  PROP_HOPS,
  PROP_NEXT_HOP,
  PROP_LAG,
  PROP_VERIFIED,
  PROP_REACHABLE,
  PROP_PINNED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

AnyMeshNode *
_any_mesh_node_new (const char   *id,
                    const guint8 *sign_pub)
{
  AnyMeshNode *self = g_object_new (ANY_TYPE_MESH_NODE, NULL);

  self->id = g_strdup (id);
  self->fingerprint = any_ed25519_fingerprint (sign_pub);
  self->lag = -1;
  self->reachable = TRUE;
  return self;
}

void
_any_mesh_node_set_route (AnyMeshNode *self,
                          guint        hops,
                          AnyPeer     *next_hop)
{
  if (self->hops != hops)
    {
      self->hops = hops;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOPS]);
    }
  if (self->next_hop != next_hop)
    {
      g_clear_weak_pointer (&self->next_hop);
      g_set_weak_pointer (&self->next_hop, next_hop);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_HOP]);
    }
}

void
_any_mesh_node_set_lag (AnyMeshNode *self,
                        int          lag_ms)
{
  if (self->lag == lag_ms)
    return;
  self->lag = lag_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAG]);
}

void
_any_mesh_node_set_verified (AnyMeshNode *self,
                             gboolean     verified)
{
  if (self->verified == verified)
    return;
  self->verified = verified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFIED]);
}

void
_any_mesh_node_set_pinned (AnyMeshNode *self,
                           gboolean     pinned)
{
  if (self->pinned == pinned)
    return;
  self->pinned = pinned;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

/**
 * any_mesh_node_get_pinned:
 * @self: an [class@AnySocket.MeshNode]
 *
 * Whether the application pinned this node's key
 * ([method@AnySocket.Mesh.pin_node]) and the node was reached with it.
 *
 * Returns: %TRUE if the node's key is pinned
 * Since: 0.2
 */
gboolean
any_mesh_node_get_pinned (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), FALSE);
  return self->pinned;
}

void
_any_mesh_node_set_reachable (AnyMeshNode *self,
                              gboolean     reachable)
{
  if (self->reachable == reachable)
    return;
  self->reachable = reachable;
  if (!reachable)
    _any_mesh_node_set_route (self, 0, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REACHABLE]);
}

/**
 * any_mesh_node_get_id:
 * @self: an [class@AnySocket.MeshNode]
 *
 * The node id: 32 lowercase hex digits, derived from the node's public
 * signing key (the same on every run that keeps the socket's identity,
 * see [method@AnySocket.Socket.save_identity]).
 *
 * Returns: the node id
 * Since: 0.2
 */
const char *
any_mesh_node_get_id (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), NULL);
  return self->id;
}

/**
 * any_mesh_node_get_fingerprint:
 * @self: an [class@AnySocket.MeshNode]
 *
 * The fingerprint of the node's signing key, for people to compare out of
 * band: 60 digits in 12 groups of 5, like
 * [method@AnySocket.Socket.dup_fingerprint] but over the mesh key (see
 * [method@AnySocket.Mesh.get_fingerprint] for the local one).
 *
 * Returns: the fingerprint
 * Since: 0.2
 */
const char *
any_mesh_node_get_fingerprint (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), NULL);
  return self->fingerprint;
}

/**
 * any_mesh_node_get_hops:
 * @self: an [class@AnySocket.MeshNode]
 *
 * How many links away the node is (1 for a direct peer; 0 once it is
 * unreachable).
 *
 * Returns: the hop count
 * Since: 0.2
 */
guint
any_mesh_node_get_hops (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), 0);
  return self->hops;
}

/**
 * any_mesh_node_get_next_hop:
 * @self: an [class@AnySocket.MeshNode]
 *
 * The direct peer that traffic to the node goes through, or %NULL while
 * the route is being re-learned after that peer left.
 *
 * Returns: (transfer none) (nullable): the next hop
 * Since: 0.2
 */
AnyPeer *
any_mesh_node_get_next_hop (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), NULL);
  return self->next_hop;
}

/**
 * any_mesh_node_get_lag:
 * @self: an [class@AnySocket.MeshNode]
 *
 * The last measured end-to-end round trip to the node in milliseconds
 * (the handshake, then every request), or -1 before one.
 *
 * Returns: the lag in ms, or -1
 * Since: 0.2
 */
int
any_mesh_node_get_lag (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), -1);
  return self->lag;
}

/**
 * any_mesh_node_get_verified:
 * @self: an [class@AnySocket.MeshNode]
 *
 * Whether an end-to-end Noise handshake with the node completed, proving
 * that it holds the X25519 key its signed announcement names (which its
 * signing key vouches for).
 *
 * Returns: %TRUE once proven
 * Since: 0.2
 */
gboolean
any_mesh_node_get_verified (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), FALSE);
  return self->verified;
}

/**
 * any_mesh_node_is_reachable:
 * @self: an [class@AnySocket.MeshNode]
 *
 * Whether the mesh still has a route to the node.
 *
 * Returns: %TRUE while reachable
 * Since: 0.2
 */
gboolean
any_mesh_node_is_reachable (AnyMeshNode *self)
{
  g_return_val_if_fail (ANY_IS_MESH_NODE (self), FALSE);
  return self->reachable;
}

static void
any_mesh_node_finalize (GObject *object)
{
  AnyMeshNode *self = ANY_MESH_NODE (object);

  g_clear_weak_pointer (&self->next_hop);
  g_free (self->id);
  g_free (self->fingerprint);
  G_OBJECT_CLASS (any_mesh_node_parent_class)->finalize (object);
}

static void
any_mesh_node_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AnyMeshNode *self = ANY_MESH_NODE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_HOPS:
      g_value_set_uint (value, self->hops);
      break;
    case PROP_NEXT_HOP:
      g_value_set_object (value, self->next_hop);
      break;
    case PROP_LAG:
      g_value_set_int (value, self->lag);
      break;
    case PROP_VERIFIED:
      g_value_set_boolean (value, self->verified);
      break;
    case PROP_PINNED:
      g_value_set_boolean (value, self->pinned);
      break;
    case PROP_REACHABLE:
      g_value_set_boolean (value, self->reachable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_mesh_node_class_init (AnyMeshNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = any_mesh_node_finalize;
  object_class->get_property = any_mesh_node_get_property;

  /**
   * AnyMeshNode:id:
   *
   * The node id ([method@AnySocket.MeshNode.get_id]).
   *
   * Since: 0.2
   */
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  /**
   * AnyMeshNode:fingerprint:
   *
   * The fingerprint of the node's signing key
   * ([method@AnySocket.MeshNode.get_fingerprint]).
   *
   * Since: 0.2
   */
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  /**
   * AnyMeshNode:hops:
   *
   * Links to the node ([method@AnySocket.MeshNode.get_hops]).
   *
   * Since: 0.2
   */
  properties[PROP_HOPS] = g_param_spec_uint ("hops", NULL, NULL, 0, 255, 0, flags);
  /**
   * AnyMeshNode:next-hop:
   *
   * The direct peer towards the node ([method@AnySocket.MeshNode.get_next_hop]).
   *
   * Since: 0.2
   */
  properties[PROP_NEXT_HOP] = g_param_spec_object ("next-hop", NULL, NULL, ANY_TYPE_PEER, flags);
  /**
   * AnyMeshNode:lag:
   *
   * The end-to-end round trip in ms, or -1 ([method@AnySocket.MeshNode.get_lag]).
   *
   * Since: 0.2
   */
  properties[PROP_LAG] = g_param_spec_int ("lag", NULL, NULL, -1, G_MAXINT, -1, flags);
  /**
   * AnyMeshNode:verified:
   *
   * Whether an end-to-end handshake proved the node's keys
   * ([method@AnySocket.MeshNode.get_verified]).
   *
   * Since: 0.2
   */
  properties[PROP_VERIFIED] = g_param_spec_boolean ("verified", NULL, NULL, FALSE, flags);
  /**
   * AnyMeshNode:pinned:
   *
   * Whether the node's key is pinned by the application
   * ([method@AnySocket.MeshNode.get_pinned]).
   *
   * Since: 0.2
   */
  properties[PROP_PINNED] = g_param_spec_boolean ("pinned", NULL, NULL, FALSE, flags);
  /**
   * AnyMeshNode:reachable:
   *
   * Whether the mesh has a route to the node
   * ([method@AnySocket.MeshNode.is_reachable]).
   *
   * Since: 0.2
   */
  properties[PROP_REACHABLE] = g_param_spec_boolean ("reachable", NULL, NULL, TRUE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
any_mesh_node_init (AnyMeshNode *self)
{
}

/* any-mesh-accessors.c: AnyMesh's public getters and setters (the class,
 * its properties and signals are in any-mesh.c)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-mesh-private.h"

/**
 * any_mesh_get_socket:
 * @self: an [class@AnySocket.Mesh]
 *
 * The socket whose links the mesh uses.
 *
 * Returns: (transfer none): the socket
 * Since: 0.2
 */
AnySocket *
any_mesh_get_socket (AnyMesh *self)
{
  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  return self->socket;
}

/**
 * any_mesh_get_node_id:
 * @self: an [class@AnySocket.Mesh]
 *
 * This node's id: 32 lowercase hex digits derived from its public signing
 * key, as other nodes see it in [method@AnySocket.MeshNode.get_id].
 *
 * Returns: the node id
 * Since: 0.2
 */
const char *
any_mesh_get_node_id (AnyMesh *self)
{
  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  return self->node_id;
}

/**
 * any_mesh_get_fingerprint:
 * @self: an [class@AnySocket.Mesh]
 *
 * The fingerprint of this node's signing key, as other nodes see it in
 * [method@AnySocket.MeshNode.get_fingerprint] and in
 * [signal@AnySocket.Mesh::message].
 *
 * Returns: the fingerprint
 * Since: 0.2
 */
const char *
any_mesh_get_fingerprint (AnyMesh *self)
{
  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  return self->fingerprint;
}

/**
 * any_mesh_get_nodes:
 * @self: an [class@AnySocket.Mesh]
 *
 * The nodes this one can reach now (not itself).
 *
 * Returns: (transfer container) (element-type AnySocket.MeshNode): the nodes
 * Since: 0.2
 */
GList *
any_mesh_get_nodes (AnyMesh *self)
{
  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  return g_hash_table_get_values (self->nodes);
}

/**
 * any_mesh_get_node:
 * @self: an [class@AnySocket.Mesh]
 * @node_id: a node id
 *
 * The node with id @node_id, if this one can reach it.
 *
 * Returns: (transfer none) (nullable): the node, or %NULL
 * Since: 0.2
 */
AnyMeshNode *
any_mesh_get_node (AnyMesh    *self,
                   const char *node_id)
{
  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  g_return_val_if_fail (node_id != NULL, NULL);
  return g_hash_table_lookup (self->nodes, node_id);
}

/**
 * any_mesh_get_announce_interval:
 * @self: an [class@AnySocket.Mesh]
 *
 * Gets [property@AnySocket.Mesh:announce-interval].
 *
 * Returns: the interval in ms
 * Since: 0.2
 */
guint
any_mesh_get_announce_interval (AnyMesh *self)
{
  g_return_val_if_fail (ANY_IS_MESH (self), 0);
  return self->limits.announce_interval_ms;
}

/**
 * any_mesh_set_announce_interval:
 * @self: an [class@AnySocket.Mesh]
 * @interval_ms: the interval in ms
 *
 * Sets [property@AnySocket.Mesh:announce-interval].
 *
 * Since: 0.2
 */
void
any_mesh_set_announce_interval (AnyMesh *self,
                                guint    interval_ms)
{
  g_return_if_fail (ANY_IS_MESH (self));
  g_object_set (self, "announce-interval", interval_ms, NULL);
}

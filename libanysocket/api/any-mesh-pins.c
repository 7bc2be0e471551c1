/* any-mesh-pins.c: AnyMesh's pinned node keys: an application that
 * verified a node's fingerprint pins it, and the mesh then refuses an
 * announcement of that node id signed by any other key (reported through
 * AnyMesh::node-refused); AnyMeshNode:pinned says which nodes are pinned.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "api/any-mesh-private.h"

gboolean
_any_mesh_is_pinned (AnyMesh    *self,
                     const char *node_id,
                     const char *fingerprint)
{
  const char *pinned = g_hash_table_lookup (self->pins, node_id);

  return pinned != NULL && g_ascii_strcasecmp (pinned, fingerprint) == 0;
}

/* AnyMeshCoreCallbacks.accept: a pinned node id takes only its key. */
gboolean
_any_mesh_accept_key (AnyMesh      *self,
                      const guint8 *raw_id,
                      const guint8 *sign_pub)
{
  g_autofree char *id = NULL;
  g_autofree char *fingerprint = NULL;
  const char *refused;

  if (g_hash_table_size (self->pins) == 0)
    return TRUE;
  id = any_ed25519_node_id_hex (raw_id);
  if (!g_hash_table_contains (self->pins, id))
    return TRUE;
  fingerprint = any_ed25519_fingerprint (sign_pub);
  if (_any_mesh_is_pinned (self, id, fingerprint))
    return TRUE;
  /* Once per node and key: the node announces every interval. */
  refused = g_hash_table_lookup (self->refused, id);
  if (g_strcmp0 (refused, fingerprint) != 0)
    {
      g_hash_table_replace (self->refused, g_strdup (id), g_strdup (fingerprint));
      _any_mesh_emit_refused (self, id, fingerprint,
                              "the announcement is signed by another key than the one pinned for the node");
    }
  return FALSE;
}

/**
 * any_mesh_pin_node:
 * @self: an [class@AnySocket.Mesh]
 * @node_id: a node id
 * @fingerprint: (nullable): the fingerprint of the node's signing key, as
 *   [method@AnySocket.MeshNode.get_fingerprint] shows it (compared without
 *   regard to case), or %NULL to unpin
 *
 * Pins the key of the node @node_id, as
 * [method@AnySocket.Socket.pin_fingerprint] does for links: from now on
 * an announcement of @node_id signed by another key is refused (the node
 * is not reachable through it, and [signal@AnySocket.Mesh::node-refused]
 * says why), and the node, reached with this key, is
 * [property@AnySocket.MeshNode:pinned]. A node reachable now with another
 * key is dropped at once. Node ids derive from the signing key, so a
 * refusal means the pinned fingerprint is not the one of the node that
 * owns the id.
 *
 * Since: 0.2
 */
void
any_mesh_pin_node (AnyMesh    *self,
                   const char *node_id,
                   const char *fingerprint)
{
  AnyMeshNode *node;
  guint8 raw_id[ANY_MESH_NODE_ID_LEN];

  g_return_if_fail (ANY_IS_MESH (self));
  g_return_if_fail (node_id != NULL);

  g_hash_table_remove (self->refused, node_id);
  if (fingerprint == NULL)
    g_hash_table_remove (self->pins, node_id);
  else
    g_hash_table_replace (self->pins, g_strdup (node_id), g_strdup (fingerprint));
  node = g_hash_table_lookup (self->nodes, node_id);
  if (node == NULL)
    return;
  if (fingerprint != NULL && !_any_mesh_is_pinned (self, node_id, any_mesh_node_get_fingerprint (node)))
    {
      g_autofree char *refused = g_strdup (any_mesh_node_get_fingerprint (node));

      g_hash_table_replace (self->refused, g_strdup (node_id), g_strdup (refused));
      if (any_ed25519_node_id_parse (node_id, raw_id))
        any_mesh_core_drop_node (self->core, raw_id, _any_mesh_now_ms ());
      _any_mesh_emit_refused (self, node_id, refused,
                              "the node's key is not the one pinned for it");
      return;
    }
  _any_mesh_node_set_pinned (node, fingerprint != NULL);
}

/**
 * any_mesh_get_pinned_node:
 * @self: an [class@AnySocket.Mesh]
 * @node_id: a node id
 *
 * The fingerprint pinned for @node_id with [method@AnySocket.Mesh.pin_node].
 *
 * Returns: (nullable): the fingerprint, or %NULL when none is pinned
 * Since: 0.2
 */
const char *
any_mesh_get_pinned_node (AnyMesh    *self,
                          const char *node_id)
{
  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  g_return_val_if_fail (node_id != NULL, NULL);
  return g_hash_table_lookup (self->pins, node_id);
}

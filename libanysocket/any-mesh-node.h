/* any-mesh-node.h: AnyMeshNode, a node of the mesh that can be reached
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <glib-object.h>
#include "any-version.h"
#include "any-types.h"
#include "any-peer.h"

G_BEGIN_DECLS

#define ANY_TYPE_MESH_NODE (any_mesh_node_get_type ())
ANY_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (AnyMeshNode, any_mesh_node, ANY, MESH_NODE, GObject)

ANY_AVAILABLE_IN_0_2
const char *any_mesh_node_get_id          (AnyMeshNode *self);
ANY_AVAILABLE_IN_0_2
const char *any_mesh_node_get_fingerprint (AnyMeshNode *self);
ANY_AVAILABLE_IN_0_2
guint       any_mesh_node_get_hops        (AnyMeshNode *self);
ANY_AVAILABLE_IN_0_2
AnyPeer    *any_mesh_node_get_next_hop    (AnyMeshNode *self);
ANY_AVAILABLE_IN_0_2
int         any_mesh_node_get_lag         (AnyMeshNode *self);
ANY_AVAILABLE_IN_0_2
gboolean    any_mesh_node_get_verified    (AnyMeshNode *self);
ANY_AVAILABLE_IN_0_2
gboolean    any_mesh_node_get_pinned      (AnyMeshNode *self);
ANY_AVAILABLE_IN_0_2
gboolean    any_mesh_node_is_reachable    (AnyMeshNode *self);

G_END_DECLS

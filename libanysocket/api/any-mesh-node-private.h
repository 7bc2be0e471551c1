/* any-mesh-node-private.h: AnyMeshNode's private API (for any-mesh.c)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-mesh-node.h"

G_BEGIN_DECLS

AnyMeshNode *_any_mesh_node_new          (const char  *id,
                                          const guint8 *sign_pub);
/* Each notifies only what changed. */
void         _any_mesh_node_set_route    (AnyMeshNode *self,
                                          guint        hops,
                                          AnyPeer     *next_hop);
void         _any_mesh_node_set_lag      (AnyMeshNode *self,
                                          int          lag_ms);
void         _any_mesh_node_set_verified (AnyMeshNode *self,
                                          gboolean     verified);
void         _any_mesh_node_set_pinned   (AnyMeshNode *self,
                                          gboolean     pinned);
void         _any_mesh_node_set_reachable (AnyMeshNode *self,
                                          gboolean     reachable);

G_END_DECLS

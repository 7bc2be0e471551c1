/* any-mesh-core.h: one node's mesh: routes and publish/subscribe
 *
 * The layer between the protocol of one link (below) and the AnyMesh
 * GObject (above, api/any-mesh.c). It keeps the routing table (signed,
 * sequence-numbered, expiring announcements flooded to the neighbours),
 * the publish/subscribe relay (message-id dedup with a time-bounded
 * cache, eager push to at most D neighbours, IHAVE/IWANT repair for the
 * others) and the limits against hostile neighbours. It does no I/O:
 * neighbours are opaque pointers it is handed, bytes go out through the
 * callback table, time comes in as an argument (any_mesh_core_tick()).
 * The end-to-end sessions are in any-mesh-e2e.c, on top of this routing.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "mesh/any-mesh-types.h"

G_BEGIN_DECLS

AnyMeshCore *any_mesh_core_new            (const AnyEd25519Key *key,
                                           const guint8         dh_pub[32],
                                           const AnyMeshLimits *limits,
                                           const AnyMeshCoreCallbacks *callbacks,
                                           gpointer             user_data);
void         any_mesh_core_free           (AnyMeshCore         *self);
void         any_mesh_core_set_limits     (AnyMeshCore         *self,
                                           const AnyMeshLimits *limits);
const guint8 *any_mesh_core_get_id        (AnyMeshCore         *self);

void         any_mesh_core_add_neighbour  (AnyMeshCore         *self,
                                           gpointer             neighbour,
                                           gint64               now_ms);
void         any_mesh_core_remove_neighbour (AnyMeshCore       *self,
                                           gpointer             neighbour,
                                           gint64               now_ms);
void         any_mesh_core_receive        (AnyMeshCore         *self,
                                           gpointer             neighbour,
                                           const guint8        *data,
                                           gsize                len,
                                           gint64               now_ms);
/* A packet that is over max_message_size before it was even decoded:
 * counted as oversized. */
void         any_mesh_core_count_oversized (AnyMeshCore        *self);
/* Announces when due, expires routes and caches, sends IHAVE batches.
 * Call it at least every gossip_interval_ms. */
void         any_mesh_core_tick           (AnyMeshCore         *self,
                                           gint64               now_ms);

/* Tells the neighbours this node leaves (a signed withdraw). */
void         any_mesh_core_withdraw       (AnyMeshCore         *self);

/* Signs and sends a publication; FALSE if it is over the size limit. */
gboolean     any_mesh_core_publish        (AnyMeshCore         *self,
                                           const char          *topic,
                                           const guint8        *payload,
                                           gsize                len,
                                           gint64               now_ms);
/* Sends a DATA packet towards @dst; FALSE without a route. */
gboolean     any_mesh_core_send_data      (AnyMeshCore         *self,
                                           const guint8        *dst,
                                           AnyMeshDataKind      kind,
                                           guint64              session,
                                           const guint8        *body,
                                           gsize                len);

/* Drops the route to @id now (its owner refused its key); a newer
 * announcement goes through AnyMeshCoreCallbacks.accept again. */
void         any_mesh_core_drop_node      (AnyMeshCore         *self,
                                           const guint8        *id,
                                           gint64               now_ms);
/* Signs @len bytes with the node's key (the e2e layer's RESET). */
void         any_mesh_core_sign           (AnyMeshCore         *self,
                                           const guint8        *data,
                                           gsize                len,
                                           guint8               sig[ANY_ED25519_SIGNATURE_LEN]);

const AnyMeshRoute *any_mesh_core_lookup  (AnyMeshCore         *self,
                                           const guint8        *id);
/* The reachable routes (borrowed), in no order. */
GPtrArray   *any_mesh_core_dup_routes     (AnyMeshCore         *self);
const AnyMeshStats *any_mesh_core_get_stats (AnyMeshCore       *self);
/* What the caches hold now: message ids remembered, messages kept for
 * IWANT, routing table entries (tombstones included). */
void         any_mesh_core_get_sizes      (AnyMeshCore         *self,
                                           guint               *seen,
                                           guint               *history,
                                           guint               *routes);

/* Tests: a relay that tampers with (or drops) what it forwards
 * (AnyMeshRelayHook, any-mesh-types.h). */
void         any_mesh_core_set_relay_hook (AnyMeshCore         *self,
                                           AnyMeshRelayHook     hook,
                                           gpointer             user_data);

G_END_DECLS

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

#include "crypto/any-ed25519.h"
#include "mesh/any-mesh-wire.h"

G_BEGIN_DECLS

typedef struct _AnyMeshCore AnyMeshCore;

/* What the core knows of a node it can reach (borrowed, valid until the
 * next call into the core). */
typedef struct {
  guint8    id[ANY_MESH_NODE_ID_LEN];
  guint8    sign_pub[ANY_ED25519_KEY_LEN];
  guint8    dh_pub[32];
  guint     hops;          /* 1 for a neighbour */
  gpointer  next_hop;      /* a neighbour, or NULL while it is re-learned */
  gint64    expires_ms;
} AnyMeshRoute;

typedef struct {
  /* Sends one mesh packet to @neighbour. */
  void (*send)          (gpointer      user_data,
                         gpointer      neighbour,
                         const guint8 *data,
                         gsize         len);
  /* A node became reachable, changed (hops, next hop) or is gone. */
  void (*route_added)   (gpointer            user_data,
                         const AnyMeshRoute *route);
  void (*route_changed) (gpointer            user_data,
                         const AnyMeshRoute *route);
  void (*route_removed) (gpointer            user_data,
                         const guint8       *id);
  /* A new, verified publication (never one of ours). */
  void (*message)       (gpointer      user_data,
                         const AnyMeshPublish *pub);
  /* A DATA packet addressed to us (the header is checked, the body not). */
  void (*data)          (gpointer      user_data,
                         const AnyMeshData *data);
} AnyMeshCoreCallbacks;

/* The limits and intervals: the GObject's properties. */
typedef struct {
  guint   announce_interval_ms;    /* own announcements */
  guint   route_lifetime_ms;       /* announced lifetime (3 intervals) */
  guint   gossip_interval_ms;      /* IHAVE batches */
  guint   fanout;                  /* D: eager pushes per publication */
  guint   max_hops;                /* hop limit of publications and routes */
  guint   max_routes;              /* routing table entries */
  guint   max_announces_per_second;/* new seqs accepted per origin */
  guint   dedup_size;              /* message ids remembered */
  guint   dedup_age_ms;
  guint   history_ms;              /* how long a message is served to IWANT */
  gsize   max_message_size;        /* PUBLISH / DATA packet bytes */
  guint   publish_rate;            /* per author, per second (burst: 2x) */
  guint   neighbour_rate;          /* packets per neighbour per second (burst: 2x) */
} AnyMeshLimits;

/* Counters of what was dropped (any_mesh_core_get_stats()). */
typedef struct {
  guint64 bad_signature;           /* publications whose signature failed */
  guint64 forged_announce;         /* announcements whose signature failed */
  guint64 replayed_announce;       /* older seq than one already seen */
  guint64 rate_limited;            /* over a per-origin, author or neighbour rate */
  guint64 table_full;              /* new nodes refused: max_routes */
  guint64 oversized;               /* over max_message_size */
  guint64 malformed;
  guint64 duplicates;              /* publications seen before (normal) */
  guint64 packets_sent;
  guint64 bytes_sent;
} AnyMeshStats;

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
/* Announces when due, expires routes and caches, sends IHAVE batches.
 * Call it at least every gossip_interval_ms. */
void         any_mesh_core_tick           (AnyMeshCore         *self,
                                           gint64               now_ms);

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

/* Tests: a relay that tampers with (or drops: return FALSE) the DATA
 * packets it forwards. */
typedef gboolean (*AnyMeshRelayHook) (gpointer user_data,
                                      guint8  *packet,
                                      gsize    len);
void         any_mesh_core_set_relay_hook (AnyMeshCore         *self,
                                           AnyMeshRelayHook     hook,
                                           gpointer             user_data);

G_END_DECLS

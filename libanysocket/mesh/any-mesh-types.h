/* any-mesh-types.h: what the mesh core shares with its owner and its
 * own files: the callback table, the limits, the counters
 * (any-mesh-core.h has the functions, any-mesh-core-private.h the state)
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
  /* A node's new announcement, signature checked: FALSE refuses it
   * (counted as `refused-announce`, not relayed). */
  gboolean (*accept)    (gpointer      user_data,
                         const guint8 *id,
                         const guint8 *sign_pub);
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
  guint64 refused_announce;        /* refused by the owner (a pinned key) */
  guint64 unknown_refresh;         /* REFRESH of a node whose keys we lack */
  guint64 oversized;               /* over max_message_size */
  guint64 malformed;
  guint64 duplicates;              /* publications seen before (normal) */
  guint64 packets_sent;
  guint64 bytes_sent;
} AnyMeshStats;

/* Tests: a relay that tampers with (or drops: return FALSE) the DATA
 * packets it forwards. */
typedef gboolean (*AnyMeshRelayHook) (gpointer user_data,
                                      guint8  *packet,
                                      gsize    len);

G_END_DECLS

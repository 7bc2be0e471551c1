/* any-mesh-core-private.h: the state of one node's mesh, shared by
 * any-mesh-core.c (routes, neighbours, DATA, ticks) and any-mesh-pubsub.c
 * (publish/subscribe: dedup, relay, IHAVE/IWANT)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "mesh/any-mesh-types.h"

G_BEGIN_DECLS

#define MAX_ROUTE_LIFETIME_MS (10 * 60 * 1000)
#define WANT_RETRY_MS         1000
#define OWN_ANNOUNCE_GAP_MS   500
/* Own announcements: a full ANNOUNCE every FULL_EVERY-th, REFRESH between
 * (a node that forgot our keys learns them again within that many). */
#define FULL_EVERY            8

typedef struct {
  double tokens;
  gint64 last_ms;
} Bucket;

typedef struct {
  gpointer    peer;
  Bucket      bucket;
  GByteArray *ihave;     /* message ids to offer at the next gossip tick */
} Neighbour;

typedef struct {
  AnyMeshRoute route;
  guint64      seq;
  guint32      lifetime_ms;
  guint8       sig[ANY_ED25519_SIGNATURE_LEN];
  gboolean     reachable;
  Bucket       announces;          /* max_announces_per_second, bursts of 2x */
  gint64       forget_ms;          /* a tombstone keeps its seq until then */
  /* The announcement of this seq waits for the next tick to be relayed,
   * and not to the neighbours that sent it to us meanwhile (they have it). */
  guint8       relay[ANY_MESH_ANNOUNCE_LEN];
  GPtrArray   *relay_had;          /* Neighbour; NULL: nothing to relay */
  gboolean     relay_compact;      /* relayed as it came: REFRESH or ANNOUNCE */
} Node;

typedef struct {
  guint8  id[ANY_MESH_MSG_ID_LEN];
  gint64  time_ms;
  GBytes *packet;                  /* while in the history window */
} Seen;

typedef struct {
  Bucket bucket;
  gint64 used_ms;
} Author;

struct _AnyMeshCore {
  AnyEd25519Key key;
  guint8        id[ANY_MESH_NODE_ID_LEN];
  guint8        dh_pub[32];
  AnyMeshLimits limits;
  const AnyMeshCoreCallbacks *callbacks;
  gpointer      user_data;
  AnyMeshStats  stats;

  GPtrArray    *neighbours;        /* Neighbour */
  GHashTable   *nodes;             /* id -> Node */
  GHashTable   *seen;              /* message id -> Seen (owned by seen_order) */
  GQueue        seen_order;        /* oldest first */
  GQueue        history;           /* the Seen that hold a packet, oldest first */
  GHashTable   *wanted;            /* message id (owned) -> time asked */
  GHashTable   *authors;           /* node id (owned) -> Author */
  GPtrArray    *relays;            /* Node with an announcement to relay */

  guint64       own_seq;
  guint64       publish_seq;
  gint64        next_announce_ms;
  gint64        last_announce_ms;
  guint         announces;         /* own; every FULL_EVERY-th is full */
  gboolean      full_next;         /* a new neighbour: the next one is full */
  guint8        own_full[ANY_MESH_ANNOUNCE_LEN];  /* our last ANNOUNCE */
  gboolean      has_own;
  AnyMeshRelayHook relay_hook;
  gpointer      relay_hook_data;
};

gboolean   any_mesh_bucket_take      (Bucket       *b,
                                      guint         rate,
                                      gint64        now_ms);
void       any_mesh_core_send_to     (AnyMeshCore  *self,
                                      Neighbour    *n,
                                      const guint8 *data,
                                      gsize         len);
/* any-mesh-pubsub.c */
void       any_mesh_seen_free        (Seen         *s);
void       any_mesh_expire_seen      (AnyMeshCore  *self,
                                      gint64        now_ms);
void       any_mesh_flush_ihave      (AnyMeshCore  *self,
                                      Neighbour    *n);
void       any_mesh_handle_publish   (AnyMeshCore  *self,
                                      Neighbour    *from,
                                      const guint8 *data,
                                      gsize         len,
                                      gint64        now_ms);
void       any_mesh_handle_ihave     (AnyMeshCore  *self,
                                      Neighbour    *from,
                                      const guint8 *data,
                                      gsize         len,
                                      gint64        now_ms);
void       any_mesh_handle_iwant     (AnyMeshCore  *self,
                                      Neighbour    *from,
                                      const guint8 *data,
                                      gsize         len);

G_END_DECLS

/* mesh-harness.h: meshes of in-process sockets linked over 127.0.0.1
 *
 * Each node is an AnySocket listening on an ephemeral loopback port with
 * an AnyMesh over it (fast intervals: announcements every 300 ms, routes
 * living 900 ms), subscribed to the topic "t" and counting what arrives.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

#include "loopback.h"
#include "memory-mark.h"

G_BEGIN_DECLS

/* Slower under valgrind, where every node's signatures cost 30 times more. */
#define MESH_ANNOUNCE_MS (running_slow () ? 1500 : 300)
#define MESH_GOSSIP_MS   (running_slow () ? 250 : 50)
#define MESH_LIFETIME_MS (3 * MESH_ANNOUNCE_MS)

typedef struct _Net Net;

typedef struct {
  Net        *net;
  guint       index;
  AnySocket  *socket;
  AnyMesh    *mesh;
  char       *node_id;
  guint       port;
  gboolean    dead;
  GHashTable *got;            /* "author/n" -> count */
  guint       received;       /* messages on "t" */
  guint       duplicates;     /* the same (author, n) twice */
  guint       wrong_author;   /* author differs from the "from" it claims */
  guint       node_messages;  /* AnyMesh::node-message */
  JsonNode   *last_node_message;
} MeshNode;

struct _Net {
  GPtrArray  *nodes;          /* MeshNode */
};

Net      *net_new            (guint      n);
void      net_free           (Net       *net);
MeshNode *net_node           (Net       *net,
                              guint      i);
/* @a connects to @b; returns the AnyPeer @a got (owned by its socket). */
AnyPeer  *net_link           (Net       *net,
                              guint      a,
                              guint      b);
void      net_chain          (Net       *net);
void      net_ring           (Net       *net);
void      net_star           (Net       *net);
/* A connected random graph where every node has 3 or 4 links. */
void      net_random         (Net       *net,
                              guint32    seed);
/* How many live nodes @node reaches. */
guint     net_reach          (MeshNode  *node);
/* Every live node reaches every other live one. */
gboolean  net_full           (Net       *net);
gboolean  net_wait_full      (Net       *net,
                              guint      ms);
void      net_kill           (Net       *net,
                              guint      i);
/* Kills node @i and starts it again with the same identity (so the same
 * node id), listening anew; link it again with net_link(). */
void      net_restart        (Net       *net,
                              guint      i);
/* Publishes {"n": n, "from": index} on "t" from node @i. */
void      net_publish        (Net       *net,
                              guint      i,
                              int        n);
guint     net_total_received (Net       *net);
guint     net_total_duplicates (Net     *net);
guint64   mesh_stat          (AnyMesh   *mesh,
                              const char *name);
/* The AnyPeer of @a's link to @b (NULL if none). */
AnyPeer  *net_peer_between   (Net       *net,
                              guint      a,
                              guint      b);

/* A request {"ask": 42} from @from to @to, waited for (bounded); the
 * harness's nodes answer {"echo": ..., "by": their node id}. */
JsonNode *mesh_request       (MeshNode  *from,
                              MeshNode  *to,
                              guint      timeout_ms,
                              GError   **error);

G_END_DECLS

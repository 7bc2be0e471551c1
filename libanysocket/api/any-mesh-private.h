/* any-mesh-private.h: AnyMesh's private API and state (any-mesh.c, the
 * class; any-mesh-request.c, messages and requests to one node)
 *
 * The mesh reports to nobody above it: it is the top. It hears its
 * socket through AnySocketMeshHost (api/any-socket-private.h) and the
 * socket's connected/disconnected signals, and the lower layers through
 * AnyMeshCoreCallbacks and AnyMeshE2eCallbacks (mesh/).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-mesh.h"
#include "api/any-mesh-node-private.h"
#include "mesh/any-mesh-core.h"
#include "mesh/any-mesh-e2e.h"
#include "api/any-socket-private.h"

G_BEGIN_DECLS

struct _AnyMesh
{
  GObject        parent_instance;
  AnySocket     *socket;
  AnyEd25519Key  key;
  char          *node_id;
  char          *fingerprint;
  AnyMeshLimits  limits;
  guint          request_timeout;
  guint          route_wait;     /* ms a send waits for a route */
  guint          lag_interval;   /* ms between pings of a tracked node */
  GQueue         waiting;        /* Waiting (any-mesh-request.c), oldest first */
  GHashTable    *pins;           /* node id -> pinned fingerprint */
  GHashTable    *refused;        /* node id -> fingerprint last refused */
  GHashTable    *tracked;        /* node ids whose lag is pinged */
  gint64         next_ping_ms;
  AnyMeshCore   *core;
  AnyMeshE2e    *e2e;
  GHashTable    *nodes;          /* id (hex) -> AnyMeshNode, reachable ones */
  GHashTable    *subscriptions;  /* topic -> count */
  GHashTable    *requests;       /* request number -> GTask */
  guint32        next_request;
  guint64        bad_json;       /* payloads that were not JSON */
  GSource       *tick;
  gulong         connected_id;
  gulong         disconnected_id;
  GBytes        *delivering;     /* during ::message: its signed packet (any-mesh-signed.c) */
};

gint64   _any_mesh_now_ms         (void);
/* any-mesh-links.c: what the mesh hears from below */
extern const AnySocketMeshHost    _any_mesh_socket_host;
extern const AnyMeshCoreCallbacks _any_mesh_core_callbacks;
extern const AnyMeshE2eCallbacks  _any_mesh_e2e_callbacks;
void     _any_mesh_on_connected   (AnySocket    *socket,
                                   AnyPeer      *peer,
                                   AnyMesh      *self);
void     _any_mesh_on_disconnected (AnySocket   *socket,
                                   AnyPeer      *peer,
                                   const char   *reason,
                                   AnyMesh      *self);
void     _any_mesh_adopt_links    (AnyMesh      *self);
void     _any_mesh_restart_tick   (AnyMesh      *self);
void     _any_mesh_apply_limits   (AnyMesh      *self);
/* any-mesh.c: its signals */
void     _any_mesh_emit_node      (AnyMesh      *self,
                                   gboolean      added,
                                   AnyMeshNode  *node);
void     _any_mesh_emit_message   (AnyMesh      *self,
                                   const char   *topic,
                                   const char   *author,
                                   const char   *fingerprint,
                                   JsonNode     *msg);
/* any-mesh-signed.c */
void     _any_mesh_set_delivering (AnyMesh              *self,
                                   const AnyMeshPublish *pub);
/* Tests: the core under the mesh. */
AnyMeshCore *_any_mesh_get_core   (AnyMesh      *self);
/* any-mesh-request.c */
void     _any_mesh_deliver        (gpointer      user_data,
                                   const guint8 *src,
                                   const guint8 *plain,
                                   gsize         len);
void     _any_mesh_verified       (gpointer      user_data,
                                   const guint8 *id,
                                   int           rtt_ms);
void     _any_mesh_fail_requests  (AnyMesh      *self,
                                   const char   *node_id,
                                   const char   *reason);
/* Messages that wait for a route: sent when it comes (@node_id), failed
 * after route-wait (tick), all failed at dispose (NULL reason: tick). */
void     _any_mesh_flush_waiting  (AnyMesh      *self,
                                   const char   *node_id);
void     _any_mesh_expire_waiting (AnyMesh      *self,
                                   gint64        now_ms,
                                   gboolean      all);
/* any-mesh-pins.c */
gboolean _any_mesh_accept_key     (AnyMesh      *self,
                                   const guint8 *raw_id,
                                   const guint8 *sign_pub);
gboolean _any_mesh_is_pinned      (AnyMesh      *self,
                                   const char   *node_id,
                                   const char   *fingerprint);
void     _any_mesh_emit_refused   (AnyMesh      *self,
                                   const char   *node_id,
                                   const char   *fingerprint,
                                   const char   *reason);
/* any-mesh-lag.c: pings the tracked nodes when due; answers a ping. */
void     _any_mesh_ping_tick      (AnyMesh      *self,
                                   gint64        now_ms);
void     _any_mesh_take_ping      (AnyMesh      *self,
                                   AnyMeshNode  *node,
                                   JsonObject   *object,
                                   gboolean      is_echo);
/* any-mesh-request.c: seals @object to @node_id (no waiting). */
gboolean _any_mesh_seal_now       (AnyMesh      *self,
                                   const char   *node_id,
                                   JsonObject   *object);
/* Signals emitted by any-mesh-request.c (any-mesh.c owns the ids). */
void     _any_mesh_emit_node_message (AnyMesh     *self,
                                      AnyMeshNode *node,
                                      JsonNode    *msg);
JsonNode *_any_mesh_emit_request  (AnyMesh      *self,
                                   AnyMeshNode  *node,
                                   JsonNode     *msg);

G_END_DECLS

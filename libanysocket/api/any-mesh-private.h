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
/* Signals emitted by any-mesh-request.c (any-mesh.c owns the ids). */
void     _any_mesh_emit_node_message (AnyMesh     *self,
                                      AnyMeshNode *node,
                                      JsonNode    *msg);
JsonNode *_any_mesh_emit_request  (AnyMesh      *self,
                                   AnyMeshNode  *node,
                                   JsonNode     *msg);

G_END_DECLS

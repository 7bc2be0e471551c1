/* any-mesh.h: AnyMesh, authenticated multi-hop routing and signed
 * publish/subscribe over an AnySocket's links
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "any-version.h"
#include "any-types.h"
#include "any-socket.h"
#include "any-mesh-node.h"

G_BEGIN_DECLS

#define ANY_TYPE_MESH (any_mesh_get_type ())
ANY_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (AnyMesh, any_mesh, ANY, MESH, GObject)

ANY_AVAILABLE_IN_0_2
AnyMesh     *any_mesh_new              (AnySocket    *socket);
ANY_AVAILABLE_IN_0_2
AnySocket   *any_mesh_get_socket       (AnyMesh      *self);
ANY_AVAILABLE_IN_0_2
const char  *any_mesh_get_node_id      (AnyMesh      *self);
ANY_AVAILABLE_IN_0_2
const char  *any_mesh_get_fingerprint  (AnyMesh      *self);

ANY_AVAILABLE_IN_0_2
void         any_mesh_subscribe        (AnyMesh      *self,
                                        const char   *topic);
ANY_AVAILABLE_IN_0_2
void         any_mesh_unsubscribe      (AnyMesh      *self,
                                        const char   *topic);
ANY_AVAILABLE_IN_0_2
GBytes      *any_mesh_dup_message_signed (AnyMesh    *self);
ANY_AVAILABLE_IN_0_2
JsonNode    *any_mesh_verify_signed    (GBytes       *signed_msg,
                                        char        **topic,
                                        char        **author_id,
                                        char        **author_fingerprint,
                                        GError      **error);
ANY_AVAILABLE_IN_0_2
gboolean     any_mesh_publish          (AnyMesh      *self,
                                        const char   *topic,
                                        JsonNode     *msg,
                                        GError      **error);

ANY_AVAILABLE_IN_0_2
GList       *any_mesh_get_nodes        (AnyMesh      *self);
ANY_AVAILABLE_IN_0_2
AnyMeshNode *any_mesh_get_node         (AnyMesh      *self,
                                        const char   *node_id);

ANY_AVAILABLE_IN_0_2
gboolean     any_mesh_send             (AnyMesh      *self,
                                        const char   *node_id,
                                        JsonNode     *msg,
                                        GError      **error);
ANY_AVAILABLE_IN_0_2
void         any_mesh_send_async       (AnyMesh      *self,
                                        const char   *node_id,
                                        JsonNode     *msg,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer      user_data);
ANY_AVAILABLE_IN_0_2
gboolean     any_mesh_send_finish      (AnyMesh      *self,
                                        GAsyncResult *result,
                                        GError      **error);
ANY_AVAILABLE_IN_0_2
void         any_mesh_request_async    (AnyMesh      *self,
                                        const char   *node_id,
                                        JsonNode     *msg,
                                        guint         timeout_ms,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer      user_data);
ANY_AVAILABLE_IN_0_2
JsonNode    *any_mesh_request_finish   (AnyMesh      *self,
                                        GAsyncResult *result,
                                        GError      **error);

ANY_AVAILABLE_IN_0_2
GVariant    *any_mesh_dup_stats        (AnyMesh      *self);

ANY_AVAILABLE_IN_0_2
void         any_mesh_pin_node         (AnyMesh      *self,
                                        const char   *node_id,
                                        const char   *fingerprint);
ANY_AVAILABLE_IN_0_2
const char  *any_mesh_get_pinned_node  (AnyMesh      *self,
                                        const char   *node_id);
ANY_AVAILABLE_IN_0_2
void         any_mesh_track_lag        (AnyMesh      *self,
                                        const char   *node_id,
                                        gboolean      track);

ANY_AVAILABLE_IN_0_2
guint        any_mesh_get_announce_interval (AnyMesh *self);
ANY_AVAILABLE_IN_0_2
void         any_mesh_set_announce_interval (AnyMesh *self,
                                             guint    interval_ms);

G_END_DECLS

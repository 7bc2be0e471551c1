/* any-peer.h: AnyPeer, the other end of one link
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

G_BEGIN_DECLS

#define ANY_TYPE_PEER (any_peer_get_type ())
ANY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (AnyPeer, any_peer, ANY, PEER, GObject)

ANY_AVAILABLE_IN_ALL
const char *any_peer_get_id             (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
const char *any_peer_get_connection_id  (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
int         any_peer_get_lag            (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
const char *any_peer_get_remote_address (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
AnySocket  *any_peer_get_socket         (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
gboolean    any_peer_is_connected       (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
gboolean    any_peer_is_proxy           (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
AnyPeer    *any_peer_get_via            (AnyPeer             *self);

ANY_AVAILABLE_IN_ALL
gboolean    any_peer_send               (AnyPeer             *self,
                                         JsonNode            *msg,
                                         GError             **error);
ANY_AVAILABLE_IN_ALL
void        any_peer_request_async      (AnyPeer             *self,
                                         JsonNode            *msg,
                                         guint                timeout_ms,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
ANY_AVAILABLE_IN_ALL
AnyPacket  *any_peer_request_finish     (AnyPeer             *self,
                                         GAsyncResult        *result,
                                         GError             **error);
ANY_AVAILABLE_IN_0_2
gboolean    any_peer_send_bytes         (AnyPeer             *self,
                                         GBytes              *bytes,
                                         GError             **error);
ANY_AVAILABLE_IN_0_2
void        any_peer_send_bytes_request_async (AnyPeer       *self,
                                         GBytes              *bytes,
                                         guint                timeout_ms,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
ANY_AVAILABLE_IN_0_2
AnyPacket  *any_peer_send_bytes_request_finish (AnyPeer      *self,
                                         GAsyncResult        *result,
                                         GError             **error);
ANY_AVAILABLE_IN_ALL
void        any_peer_disconnect         (AnyPeer             *self,
                                         const char          *reason);
ANY_AVAILABLE_IN_0_2
void        any_peer_close              (AnyPeer             *self,
                                         const char          *reason);

/* api/any-socket-links.c */
ANY_AVAILABLE_IN_0_2
GList      *any_peer_get_links          (AnyPeer             *self);

ANY_AVAILABLE_IN_ALL
void        any_peer_e2e                (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
AnyE2eMode  any_peer_get_e2e_mode       (AnyPeer             *self);
ANY_AVAILABLE_IN_ALL
char       *any_peer_dup_remote_fingerprint (AnyPeer         *self);

ANY_AVAILABLE_IN_ALL
void        any_peer_get_synced_time_async  (AnyPeer             *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
ANY_AVAILABLE_IN_ALL
gboolean    any_peer_get_synced_time_finish (AnyPeer             *self,
                                             GAsyncResult        *result,
                                             gint64              *rtt_ms,
                                             double              *offset_ms,
                                             GError             **error);

ANY_AVAILABLE_IN_0_2
const char *any_peer_get_request_path   (AnyPeer             *self);
ANY_AVAILABLE_IN_0_2
const char *any_peer_get_request_query  (AnyPeer             *self);
ANY_AVAILABLE_IN_0_2
const char *any_peer_get_request_header (AnyPeer             *self,
                                         const char          *name);
ANY_AVAILABLE_IN_0_2
char      **any_peer_dup_request_header_names (AnyPeer       *self);
ANY_AVAILABLE_IN_0_2
const char *any_peer_get_request_cookie (AnyPeer             *self,
                                         const char          *name);

G_END_DECLS

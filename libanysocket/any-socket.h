/* any-socket.h: AnySocket, one endpoint that listens and connects
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
#include "any-connect-options.h"

G_BEGIN_DECLS

#define ANY_TYPE_SOCKET (any_socket_get_type ())
ANY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (AnySocket, any_socket, ANY, SOCKET, GObject)

ANY_AVAILABLE_IN_ALL
AnySocket  *any_socket_new                    (void);
ANY_AVAILABLE_IN_ALL
const char *any_socket_get_id                 (AnySocket           *self);

ANY_AVAILABLE_IN_ALL
void        any_socket_listen_async           (AnySocket           *self,
                                               const char          *uri,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
ANY_AVAILABLE_IN_ALL
guint       any_socket_listen_finish          (AnySocket           *self,
                                               GAsyncResult        *result,
                                               GError             **error);
ANY_AVAILABLE_IN_ALL
void        any_socket_connect_async          (AnySocket           *self,
                                               const char          *uri,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
ANY_AVAILABLE_IN_0_2
void        any_socket_connect_with_options_async (AnySocket       *self,
                                               const char          *uri,
                                               AnyConnectOptions   *options,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
ANY_AVAILABLE_IN_ALL
AnyPeer    *any_socket_connect_finish         (AnySocket           *self,
                                               GAsyncResult        *result,
                                               GError             **error);
ANY_AVAILABLE_IN_ALL
void        any_socket_stop                   (AnySocket           *self);

ANY_AVAILABLE_IN_ALL
void        any_socket_proxy_async            (AnySocket           *self,
                                               const char          *peer_id,
                                               AnyPeer             *through,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
ANY_AVAILABLE_IN_ALL
AnyPeer    *any_socket_proxy_finish           (AnySocket           *self,
                                               GAsyncResult        *result,
                                               GError             **error);

ANY_AVAILABLE_IN_ALL
void        any_socket_broadcast              (AnySocket           *self,
                                               JsonNode            *msg);
ANY_AVAILABLE_IN_ALL
GList      *any_socket_get_peers              (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
AnyPeer    *any_socket_get_peer               (AnySocket           *self,
                                               const char          *id);

/* any-socket-links.c, any-socket-broadcast.c */
ANY_AVAILABLE_IN_0_2
gboolean    any_socket_has_peer               (AnySocket           *self,
                                               const char          *id);
ANY_AVAILABLE_IN_0_2
gboolean    any_socket_has_direct_peer        (AnySocket           *self,
                                               const char          *id);
ANY_AVAILABLE_IN_0_2
void        any_socket_broadcast_request_async (AnySocket          *self,
                                               JsonNode            *msg,
                                               guint                timeout_ms,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
ANY_AVAILABLE_IN_0_2
GListModel *any_socket_broadcast_request_finish (AnySocket         *self,
                                               GAsyncResult        *result,
                                               GError             **error);

ANY_AVAILABLE_IN_ALL
guint       any_socket_get_reply_timeout      (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_reply_timeout      (AnySocket           *self,
                                               guint                timeout_ms);
ANY_AVAILABLE_IN_ALL
guint       any_socket_get_heartbeat_interval (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_heartbeat_interval (AnySocket           *self,
                                               guint                interval_ms);
ANY_AVAILABLE_IN_ALL
guint       any_socket_get_auth_timeout       (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_auth_timeout       (AnySocket           *self,
                                               guint                timeout_ms);
ANY_AVAILABLE_IN_ALL
guint64     any_socket_get_max_message_size   (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_max_message_size   (AnySocket           *self,
                                               guint64              max_bytes);
ANY_AVAILABLE_IN_ALL
guint       any_socket_get_max_partial_messages (AnySocket         *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_max_partial_messages (AnySocket         *self,
                                                 guint              max_partials);
ANY_AVAILABLE_IN_ALL
guint64     any_socket_get_max_send_buffer    (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_max_send_buffer    (AnySocket           *self,
                                               guint64              max_bytes);
ANY_AVAILABLE_IN_0_2
guint       any_socket_get_max_connections    (AnySocket           *self);
ANY_AVAILABLE_IN_0_2
void        any_socket_set_max_connections    (AnySocket           *self,
                                               guint                max_connections);
ANY_AVAILABLE_IN_0_2
guint       any_socket_get_tcp_keepalive      (AnySocket           *self);
ANY_AVAILABLE_IN_0_2
void        any_socket_set_tcp_keepalive      (AnySocket           *self,
                                               guint                idle_s);
ANY_AVAILABLE_IN_0_2
const char * const *any_socket_get_ws_protocols (AnySocket         *self);
ANY_AVAILABLE_IN_0_2
void        any_socket_set_ws_protocols       (AnySocket           *self,
                                               const char * const  *protocols);
ANY_AVAILABLE_IN_0_2
GTlsCertificate *any_socket_get_tls_certificate (AnySocket       *self);
ANY_AVAILABLE_IN_0_2
void        any_socket_set_tls_certificate    (AnySocket           *self,
                                               GTlsCertificate     *certificate);
ANY_AVAILABLE_IN_0_2
GTlsDatabase *any_socket_get_tls_database     (AnySocket           *self);
ANY_AVAILABLE_IN_0_2
void        any_socket_set_tls_database       (AnySocket           *self,
                                               GTlsDatabase        *database);
ANY_AVAILABLE_IN_0_2
void        any_socket_serve_folder           (AnySocket           *self,
                                               const char          *url_prefix,
                                               const char          *directory);
ANY_AVAILABLE_IN_ALL
JsonNode   *any_socket_get_auth_data          (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_auth_data          (AnySocket           *self,
                                               JsonNode            *auth_data);
ANY_AVAILABLE_IN_ALL
guint       any_socket_get_e2e_timeout        (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_e2e_timeout        (AnySocket           *self,
                                               guint                timeout_ms);
ANY_AVAILABLE_IN_ALL
AnyE2ePolicy any_socket_get_e2e_policy        (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_e2e_policy         (AnySocket           *self,
                                               AnyE2ePolicy         policy);

ANY_AVAILABLE_IN_ALL
void        any_socket_generate_identity      (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
gboolean    any_socket_load_identity          (AnySocket           *self,
                                               const char          *path,
                                               GError             **error);
ANY_AVAILABLE_IN_ALL
gboolean    any_socket_save_identity          (AnySocket           *self,
                                               const char          *path,
                                               GError             **error);
ANY_AVAILABLE_IN_ALL
char       *any_socket_dup_fingerprint        (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_pin_fingerprint        (AnySocket           *self,
                                               const char          *peer_id,
                                               const char          *fingerprint);
ANY_AVAILABLE_IN_ALL
const char *any_socket_get_pinned_fingerprint (AnySocket           *self,
                                               const char          *peer_id);

ANY_AVAILABLE_IN_ALL
gboolean    any_socket_get_permessage_deflate (AnySocket           *self);
ANY_AVAILABLE_IN_ALL
void        any_socket_set_permessage_deflate (AnySocket           *self,
                                               gboolean             enabled);

G_END_DECLS

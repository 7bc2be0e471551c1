/* any-private.h: how AnySocket, AnyPeer and AnyPacket talk to each other
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "anysocket.h"
#include "codec/any-codec.h"
#include "protocol/any-engine.h"
#include "transport/any-transport.h"

G_BEGIN_DECLS

/* AnyPacket */
AnyPacket *_any_packet_new          (AnyPeer        *peer,
                                     AnyPacketType   type,
                                     gint32          seq,
                                     JsonNode       *msg);

/* AnyPeer */
AnyPeer   *_any_peer_new            (AnySocket      *socket,
                                     AnyTransport   *transport,
                                     AnyEngineRole   role);
void       _any_peer_start          (AnyPeer        *self,
                                     const AnyEngineConfig *config);
void       _any_peer_detach         (AnyPeer        *self);
void       _any_peer_set_heartbeat_interval (AnyPeer *self,
                                     guint           interval_ms);
void       _any_peer_request        (AnyPeer        *self,
                                     AnyPacketType   type,
                                     JsonNode       *msg,
                                     guint           timeout_ms,
                                     GCancellable   *cancellable,
                                     gpointer        source_tag,
                                     GAsyncReadyCallback callback,
                                     gpointer        user_data);
gint32     _any_peer_send_packet    (AnyPeer        *self,
                                     AnyPacketType   type,
                                     gint32          reply_to,
                                     JsonNode       *msg,
                                     GError        **error);

gboolean   _any_peer_send_frame     (AnyPeer        *self,
                                     GBytes         *frame,
                                     GError        **error);
void       _any_peer_start_proxied  (AnyPeer        *self,
                                     AnyPeer        *via,
                                     const AnyEngineConfig *config,
                                     const char     *peer_id);
void       _any_peer_deliver_forwarded (AnyPeer     *self,
                                     const guint8   *inner,
                                     gsize           inner_len);
void       _any_peer_close_proxied  (AnyPeer        *self,
                                     const char     *reason);
void       _any_peer_set_remote_caps (AnyPeer       *self,
                                     JsonObject     *holder);
void       _any_peer_require_pinned_key (AnyPeer    *self,
                                     gboolean        prove_first);
const char *_any_peer_get_unproven_id (AnyPeer      *self);
gboolean    _any_peer_is_pinned       (AnyPeer      *self);
void       _any_peer_add_local_caps (AnyPeer        *self,
                                     JsonObject     *object);

/* Proxying, client side (any-proxy.c) */
void       _any_proxy_send_probe    (AnyPeer        *peer);
void       _any_proxy_take_probe    (AnyPeer        *peer,
                                     JsonObject     *request,
                                     JsonObject     *answer);
void       _any_proxy_send_unproxy  (AnyPeer        *via,
                                     const char     *peer_id);
void       _any_proxy_handle_network (AnyPeer       *hub,
                                     JsonObject     *msg);
AnyTransport *_any_proxy_transport_new (AnyPeer     *via,
                                     const char     *local_id,
                                     const char     *remote_id);

/* AnySocket: what a peer reports to the socket that owns it. */
gboolean   _any_socket_authenticate_peer (AnySocket  *self,
                                          AnyPeer    *peer,
                                          const char *peer_id,
                                          JsonObject *auth_packet,
                                          char      **reason);
void       _any_socket_peer_connected    (AnySocket  *self,
                                          AnyPeer    *peer);
void       _any_socket_peer_message      (AnySocket  *self,
                                          AnyPacket  *packet);
void       _any_socket_peer_heartbeat    (AnySocket  *self,
                                          AnyPeer    *peer);
gboolean   _any_socket_has_rpc_handler   (AnySocket  *self,
                                          const char *method);
gboolean   _any_socket_peer_rpc          (AnySocket  *self,
                                          AnyRpcCall *call);
void       _any_socket_peer_disconnected (AnySocket  *self,
                                          AnyPeer    *peer,
                                          const char *reason);
guint      _any_socket_get_reply_timeout (AnySocket  *self);
gboolean   _any_socket_verify_peer       (AnySocket  *self,
                                          AnyPeer    *peer,
                                          const char *peer_id,
                                          const guint8 *remote_static,
                                          char      **reason);
void       _any_socket_peer_e2e          (AnySocket  *self,
                                          AnyPeer    *peer);
AnyPeer   *_any_socket_add_proxied_peer  (AnySocket  *self,
                                          AnyPeer    *via,
                                          const char *peer_id);
void       _any_socket_handle_proxy      (AnyPeer    *from,
                                          gint32      seq,
                                          JsonObject *request);
void       _any_socket_set_id_for_testing (AnySocket *self,
                                          const char *id);
void       _any_socket_accept_transport  (AnySocket  *self,
                                          AnyTransport *transport);
void       _any_socket_connect_transport (AnySocket  *self,
                                          AnyTransport *transport,
                                          GAsyncReadyCallback callback,
                                          gpointer    user_data);
void       _any_socket_forward           (AnySocket  *self,
                                          AnyPeer    *from,
                                          const guint8 *frame,
                                          gsize       len,
                                          const AnyForward *forward);

G_END_DECLS

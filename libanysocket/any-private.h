/* any-private.h: how AnySocket, AnyPeer and AnyPacket talk to each other
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "anysocket.h"
#include "any-codec.h"
#include "any-engine.h"
#include "any-transport.h"

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
                                          const guint8 *remote_static,
                                          char      **reason);
void       _any_socket_peer_e2e          (AnySocket  *self,
                                          AnyPeer    *peer);

G_END_DECLS

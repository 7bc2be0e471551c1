/* any-socket-private.h: AnySocket's private API (tests, fuzzing, and its
 * proxying half, any-socket-proxy.c)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-socket.h"
#include "api/any-hub.h"
#include "codec/any-codec.h"
#include "transport/any-transport.h"

G_BEGIN_DECLS

/* Tests and fuzzing */
void       _any_socket_set_id_for_testing (AnySocket *self,
                                          const char *id);
void       _any_socket_accept_transport  (AnySocket  *self,
                                          AnyTransport *transport);
void       _any_socket_connect_transport (AnySocket  *self,
                                          AnyTransport *transport,
                                          GAsyncReadyCallback callback,
                                          gpointer    user_data);

/* Connecting, with extra headers for the upgrade request (NAME, VALUE...,
 * NULL-terminated; NULL for none): any-connect-options.c */
void       _any_socket_connect_uri       (AnySocket  *self,
                                          const char *uri,
                                          const char * const *headers,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer    user_data);

/* Proxying: any-socket.c for any-socket-proxy.c */
AnyPeer   *_any_socket_add_proxied_peer  (AnySocket  *self,
                                          AnyPeer    *via,
                                          const char *peer_id);

/* Proxying: any-socket-proxy.c for any-socket.c */
void       _any_proxy_send_unproxy  (AnyPeer        *via,
                                     const char     *peer_id);
void       _any_proxy_handle_network (AnyPeer       *hub,
                                     JsonObject     *msg);
AnyTransport *_any_proxy_transport_new (AnyPeer     *via,
                                     const char     *local_id,
                                     const char     *remote_id);
void       _any_proxy_close_via     (AnySocket      *self,
                                     AnyPeer        *hub,
                                     const char     *reason);
void       _any_proxy_forward       (AnySocket      *self,
                                     AnyHub         *hub,
                                     AnyPeer        *from,
                                     const guint8   *frame,
                                     gsize           len,
                                     const AnyForward *forward);
AnyHub    *_any_proxy_hub_new       (AnySocket      *socket);

G_END_DECLS

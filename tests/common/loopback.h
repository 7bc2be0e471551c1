/* loopback.h: two libanysocket endpoints over real loopback sockets,
 * the helpers of the tests that need them
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

/* WAIT_MS, WAIT_UNTIL(), wait_for(), iterate_for(), drain() */
#include "wait.h"
/* json_checked(), msg_string()... */
#include "json-msg.h"

G_BEGIN_DECLS

/* The outcome of any_socket_listen_async() / any_socket_connect_async(). */
typedef struct {
  gboolean  done;
  guint     port;
  AnyPeer  *peer;
  GError   *error;
} AsyncResult;

void       on_listened    (GObject       *source,
                           GAsyncResult  *result,
                           gpointer       user_data);
void       on_connected   (GObject       *source,
                           GAsyncResult  *result,
                           gpointer       user_data);
guint      listen_local   (AnySocket     *socket);
AnyPeer   *connect_local  (AnySocket     *socket,
                           guint          port,
                           GError       **error);
/* any_socket_proxy_async() and wait: the peer, or NULL with @error. */
AnyPeer   *proxy_local    (AnySocket     *socket,
                           const char    *peer_id,
                           AnyPeer       *through,
                           GError       **error);
/* A request and its reply (or the time-out's error after @timeout_ms),
 * or NULL with @error. */
AnyPacket *request_local  (AnyPeer       *peer,
                           JsonNode      *msg,
                           guint          timeout_ms,
                           GError       **error);
/* An AnySocket::proxy-request handler for a hub that relays for
 * everyone (a hub refuses by default). */
gboolean   allow_every_proxy (AnySocket  *socket,
                              AnyPeer    *from,
                              const char *target_id,
                              gpointer    user_data);
/* An AnySocket::rpc handler that returns the sum of its two integer
 * params; @user_data: NULL, or a gboolean set to whether the caller is
 * a proxied peer. */
gboolean   rpc_add_numbers (AnySocket  *socket,
                            AnyRpcCall *call,
                            gpointer    user_data);
/* A callback of any_peer_call_async() that must succeed: the answer
 * into *(JsonNode **) @user_data. */
void       call_answered  (GObject       *source,
                           GAsyncResult  *result,
                           gpointer       user_data);
/* any_peer_send() that must succeed. */
void       send_local     (AnyPeer       *peer,
                           JsonNode      *msg);
/* A GAsyncReadyCallback that keeps @result in *(GAsyncResult **)
 * @user_data, for a _finish() once a wait saw it there. */
void       store_result   (GObject       *source,
                           GAsyncResult  *result,
                           gpointer       user_data);

G_END_DECLS

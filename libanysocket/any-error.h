/* any-error.h: the ANY_SOCKET_ERROR and ANY_RPC_ERROR domains
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <glib.h>
#include "any-version.h"

G_BEGIN_DECLS

/**
 * ANY_SOCKET_ERROR:
 *
 * The error domain of libanysocket. Errors in it carry an [enum@AnySocket.SocketError]
 * code. Cancellation is reported as `G_IO_ERROR_CANCELLED`, as in GIO.
 */
#define ANY_SOCKET_ERROR (any_socket_error_quark ())

/**
 * AnySocketError:
 * @ANY_SOCKET_ERROR_FAILED: a failure with no more specific code
 * @ANY_SOCKET_ERROR_INVALID_URI: the URI is not `ws://HOST:PORT`, `wss://HOST:PORT`, `tcp://HOST:PORT` or `unix:///PATH`
 * @ANY_SOCKET_ERROR_TIMEOUT: no reply (or no AUTH) arrived in time
 * @ANY_SOCKET_ERROR_DISCONNECTED: the peer is (or got) disconnected
 * @ANY_SOCKET_ERROR_AUTH_FAILED: the other side refused the AUTH exchange, or we refused it
 * @ANY_SOCKET_ERROR_PROTOCOL: the other side broke the protocol
 * @ANY_SOCKET_ERROR_MESSAGE_TOO_BIG: a message is larger than [property@AnySocket.Socket:max-message-size]
 * @ANY_SOCKET_ERROR_INVALID_ARGUMENT: the call makes no sense in this state (for example replying to a reply)
 * @ANY_SOCKET_ERROR_NOT_SUPPORTED: the feature is not available (for example `wss://` listening without [property@AnySocket.Socket:tls-certificate])
 * @ANY_SOCKET_ERROR_STOPPED: [method@AnySocket.Socket.stop] was called while the operation was pending
 * @ANY_SOCKET_ERROR_DUPLICATE_ID: a peer with the same id is already connected
 * @ANY_SOCKET_ERROR_PROXY_REFUSED: the hub refused to proxy ([method@AnySocket.Socket.proxy_async])
 *
 * Error codes of the `ANY_SOCKET_ERROR` domain.
 */
typedef enum {
  ANY_SOCKET_ERROR_FAILED,
  ANY_SOCKET_ERROR_INVALID_URI,
  ANY_SOCKET_ERROR_TIMEOUT,
  ANY_SOCKET_ERROR_DISCONNECTED,
  ANY_SOCKET_ERROR_AUTH_FAILED,
  ANY_SOCKET_ERROR_PROTOCOL,
  ANY_SOCKET_ERROR_MESSAGE_TOO_BIG,
  ANY_SOCKET_ERROR_INVALID_ARGUMENT,
  ANY_SOCKET_ERROR_NOT_SUPPORTED,
  ANY_SOCKET_ERROR_STOPPED,
  ANY_SOCKET_ERROR_DUPLICATE_ID,
  ANY_SOCKET_ERROR_PROXY_REFUSED,
} AnySocketError;

ANY_AVAILABLE_IN_ALL
GQuark any_socket_error_quark (void);

/**
 * ANY_RPC_ERROR:
 *
 * The error domain of failed RPC calls ([method@AnySocket.Peer.call_finish],
 * [method@AnySocket.Peer.invoke_finish]). Its codes are the ones the remote peer sent,
 * as [enum@AnySocket.RpcError]. A call that got no answer keeps the `ANY_SOCKET_ERROR`
 * codes of requests (`ANY_SOCKET_ERROR_TIMEOUT`,
 * `ANY_SOCKET_ERROR_DISCONNECTED`).
 */
#define ANY_RPC_ERROR (any_rpc_error_quark ())

/**
 * AnyRpcError:
 * @ANY_RPC_ERROR_INVALID_REPLY: the reply is not an RPC reply (not an
 *   object, or a binary result that is not valid base64)
 * @ANY_RPC_ERROR_NOT_FOUND: the peer has no such method (its code 404)
 * @ANY_RPC_ERROR_FAILED: the method failed (code 500, or any code other
 *   than 404)
 *
 * Error codes of the `ANY_RPC_ERROR` domain: the HTTP-like codes of the
 * JavaScript peer's RPC error replies.
 */
typedef enum {
  ANY_RPC_ERROR_INVALID_REPLY = 1,
  ANY_RPC_ERROR_NOT_FOUND     = 404,
  ANY_RPC_ERROR_FAILED        = 500,
} AnyRpcError;

ANY_AVAILABLE_IN_ALL
GQuark any_rpc_error_quark (void);

G_END_DECLS

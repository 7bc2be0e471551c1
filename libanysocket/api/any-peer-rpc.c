/* any-peer-rpc.c: calling a peer's methods (PROTOCOL.md 7)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-packet.h"
#include "any-peer.h"
#include "any-rpc-call.h"
#include "api/any-peer-private.h"
#include "api/any-rpc-call-private.h"
#include "protocol/any-internal-msg.h"
#include "protocol/any-rpc-wire.h"

static void
on_invoke_reply (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = g_task_propagate_pointer (G_TASK (result), &error);
  JsonNode *value = NULL;
  GBytes *bytes = NULL;

  if (reply == NULL ||
      !_any_rpc_parse_reply (any_packet_get_msg (reply), &value, &bytes, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _any_rpc_call_set_result (g_task_get_task_data (task), value, bytes);
  g_task_return_boolean (task, TRUE);
}

/* Both _async functions: a task tagged @source_tag whose data is @call. */
static void
invoke (AnyPeer             *self,
        AnyRpcCall          *call,
        guint                timeout_ms,
        GCancellable        *cancellable,
        gpointer             source_tag,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_object_ref (call), g_object_unref);

  request = _any_rpc_call_start (call, self, &error);
  if (request == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _any_peer_request (self, ANY_PACKET_TYPE_INTERNAL, request, timeout_ms, cancellable,
                     source_tag, on_invoke_reply, g_steal_pointer (&task));
}

/**
 * any_peer_invoke_async:
 * @self: an [class@AnySocket.Peer]
 * @call: a call made with [ctor@AnySocket.RpcCall.new], not sent yet
 * @timeout_ms: how long to wait for the answer, 0 for
 *   [property@AnySocket.Socket:reply-timeout]
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with the answer
 * @user_data: data for @callback
 *
 * Calls a method of the peer (the JavaScript `peer.rpc.a.b(...)`): the
 * method of @call with its params, binary ones included. Once
 * [method@AnySocket.Peer.invoke_finish] reports success, [method@AnySocket.RpcCall.get_result] and
 * [method@AnySocket.RpcCall.get_result_bytes] tell the result. A call is sent once.
 */
void
any_peer_invoke_async (AnyPeer             *self,
                       AnyRpcCall          *call,
                       guint                timeout_ms,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (ANY_IS_PEER (self));
  g_return_if_fail (ANY_IS_RPC_CALL (call));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  invoke (self, call, timeout_ms, cancellable, any_peer_invoke_async, callback, user_data);
}

/**
 * any_peer_invoke_finish:
 * @self: an [class@AnySocket.Peer]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * An error answer is an `ANY_RPC_ERROR` whose code is the peer's
 * (`ANY_RPC_ERROR_NOT_FOUND`, `ANY_RPC_ERROR_FAILED`) and whose message is
 * the peer's, details included (`Method not found! (method: 'a,b')`). No
 * answer in time is `ANY_SOCKET_ERROR_TIMEOUT`, a peer that went away
 * `ANY_SOCKET_ERROR_DISCONNECTED`, a method name with an empty part
 * `ANY_SOCKET_ERROR_INVALID_ARGUMENT`.
 *
 * Returns: TRUE if the method answered with a result
 */
gboolean
any_peer_invoke_finish (AnyPeer       *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == any_peer_invoke_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * any_peer_call_async:
 * @self: an [class@AnySocket.Peer]
 * @method: the method path, names joined with dots (`"hello.user"` for
 *   the JavaScript `setRPC({hello: {user: ...}})`)
 * @params: (nullable): the params; NULL for none. Not copied: leave it
 *   unchanged until @callback runs
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with the answer
 * @user_data: data for @callback
 *
 * Calls a method of the peer with JSON params, waiting for the answer
 * for [property@AnySocket.Socket:reply-timeout] at most. For binary params or results use
 * [ctor@AnySocket.RpcCall.new] and [method@AnySocket.Peer.invoke_async].
 */
void
any_peer_call_async (AnyPeer             *self,
                     const char          *method,
                     JsonArray           *params,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(AnyRpcCall) call = NULL;

  g_return_if_fail (ANY_IS_PEER (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call = any_rpc_call_new (method);
  if (params != NULL)
    _any_rpc_call_set_params (call, params);
  invoke (self, call, 0, cancellable, any_peer_call_async, callback, user_data);
}

/**
 * any_peer_call_finish:
 * @self: an [class@AnySocket.Peer]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * The errors are those of [method@AnySocket.Peer.invoke_finish]. A binary result (a
 * JavaScript `Buffer`) is returned as the base64 string it travelled as:
 * use [method@AnySocket.Peer.invoke_async] and [method@AnySocket.RpcCall.get_result_bytes] to get
 * its bytes.
 *
 * Returns: (transfer full): the result (a null node when the method
 *   returned nothing), or NULL with @error set
 */
JsonNode *
any_peer_call_finish (AnyPeer       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  JsonNode *value;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == any_peer_call_async, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  value = any_rpc_call_get_result (g_task_get_task_data (G_TASK (result)));
  return json_node_ref (value);
}

/**
 * any_peer_notify_call:
 * @self: an [class@AnySocket.Peer]
 * @call: a call made with [ctor@AnySocket.RpcCall.new], not sent yet
 * @error: return location for a `GError`
 *
 * Calls a method of the peer without waiting for an answer: an INTERNAL
 * RPC_NOTIFY, which the peer answers with nothing, even when the method
 * fails or does not exist. Binary params travel as with
 * [method@AnySocket.Peer.invoke_async]. A libanysocket peer runs its
 * [signal@AnySocket.Socket::rpc] handlers for it (with
 * [method@AnySocket.RpcCall.get_wants_reply] FALSE); the JavaScript peer
 * 0.4.29 only logs it.
 *
 * Returns: TRUE if the notification was queued for sending; FALSE with
 *   @error (`ANY_SOCKET_ERROR_DISCONNECTED`,
 *   `ANY_SOCKET_ERROR_INVALID_ARGUMENT` for a call sent already or a
 *   method name with an empty part)
 *
 * Since: 0.2
 */
gboolean
any_peer_notify_call (AnyPeer     *self,
                      AnyRpcCall  *call,
                      GError     **error)
{
  g_autoptr(JsonNode) request = NULL;

  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);
  g_return_val_if_fail (ANY_IS_RPC_CALL (call), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  request = _any_rpc_call_start (call, self, error);
  if (request == NULL)
    return FALSE;
  json_object_set_int_member (json_node_get_object (request), "type", ANY_INTERNAL_RPC_NOTIFY);
  return _any_peer_send_packet (self, ANY_PACKET_TYPE_INTERNAL, 0, request, error) != 0;
}

/**
 * any_peer_notify:
 * @self: an [class@AnySocket.Peer]
 * @method: the method path, names joined with dots
 * @params: (nullable): the params; NULL for none
 * @error: return location for a `GError`
 *
 * Calls a method of the peer with JSON params and no answer expected
 * (RPC_NOTIFY; see [method@AnySocket.Peer.notify_call]).
 *
 * Returns: TRUE if the notification was queued for sending
 *
 * Since: 0.2
 */
gboolean
any_peer_notify (AnyPeer     *self,
                 const char  *method,
                 JsonArray   *params,
                 GError     **error)
{
  g_autoptr(AnyRpcCall) call = NULL;

  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  call = any_rpc_call_new (method);
  if (params != NULL)
    _any_rpc_call_set_params (call, params);
  return any_peer_notify_call (self, call, error);
}

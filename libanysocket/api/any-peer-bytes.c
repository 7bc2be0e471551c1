/* any-peer-bytes.c: binary messages and requests (issue 17)
 *
 * Between libanysocket peers they travel as WebSocket binary frames
 * (protocol/any-engine-bytes.c), with no base64; the JavaScript package
 * has no binary message, so sending bytes to one fails with a clear
 * error instead of inventing a JSON form its applications would not
 * recognise (its only binary convention is RPC's "bin", which
 * any_peer_call_async() speaks).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-error.h"
#include "any-packet.h"
#include "api/any-peer-private.h"

/**
 * any_peer_send_bytes:
 * @self: an [class@AnySocket.Peer]
 * @bytes: the message
 * @error: return location for a `GError`
 *
 * Sends @bytes as a binary message: the other side gets an
 * [class@AnySocket.Packet] whose [method@AnySocket.Packet.get_bytes]
 * holds them, through [signal@AnySocket.Socket::message] and
 * [signal@AnySocket.Peer::message] as for JSON. They travel as WebSocket
 * binary frames, as they are (sealed under E2E), cut into 1 MiB frames.
 *
 * Only a libanysocket peer that advertised binary messages in its AUTH
 * takes them, over a direct link. With a JavaScript `anysocket` peer
 * (which has no binary message: only its RPC parameters and results
 * carry bytes, as base64, see [method@AnySocket.Peer.call_async]) or a
 * peer reached through a hub, this fails with
 * `ANY_SOCKET_ERROR_NOT_SUPPORTED`.
 *
 * Returns: TRUE if the message was queued for sending; FALSE with
 *   `ANY_SOCKET_ERROR_NOT_SUPPORTED`, `ANY_SOCKET_ERROR_DISCONNECTED` or
 *   `ANY_SOCKET_ERROR_MESSAGE_TOO_BIG`
 *
 * Since: 0.2
 */
gboolean
any_peer_send_bytes (AnyPeer  *self,
                     GBytes   *bytes,
                     GError  **error)
{
  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _any_peer_send_bytes (self, 0, bytes, error) != 0;
}

/**
 * any_peer_send_bytes_request_async:
 * @self: an [class@AnySocket.Peer]
 * @bytes: the request's body
 * @timeout_ms: how long to wait for the reply, 0 for
 *   [property@AnySocket.Socket:reply-timeout]
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with the reply
 * @user_data: data for @callback
 *
 * Sends @bytes as a binary message ([method@AnySocket.Peer.send_bytes])
 * and waits for its reply, JSON ([method@AnySocket.Packet.reply]) or
 * binary ([method@AnySocket.Packet.reply_bytes]), as
 * [method@AnySocket.Peer.request_async] does.
 *
 * Since: 0.2
 */
void
any_peer_send_bytes_request_async (AnyPeer             *self,
                                   GBytes              *bytes,
                                   guint                timeout_ms,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint32 seq;

  g_return_if_fail (ANY_IS_PEER (self));
  g_return_if_fail (bytes != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, any_peer_send_bytes_request_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  seq = _any_peer_send_bytes (self, 0, bytes, &error);
  _any_peer_wait_reply (self, seq, g_steal_pointer (&task), error, timeout_ms, cancellable);
}

/**
 * any_peer_send_bytes_request_finish:
 * @self: an [class@AnySocket.Peer]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * Finishes [method@AnySocket.Peer.send_bytes_request_async].
 *
 * Returns: (transfer full): the reply, JSON or binary
 *   ([method@AnySocket.Packet.get_bytes])
 *
 * Since: 0.2
 */
AnyPacket *
any_peer_send_bytes_request_finish (AnyPeer       *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* any-socket-broadcast.c: a request to every peer, with every answer
 *
 * The JavaScript `broadcast(msg, true)` resolves with the replies (and
 * never settles with no peer at all: its promise is settled inside the
 * loop over the peers). Ours completes with one AnyPeerReply per peer,
 * each request with its own time-out, at once when there is no peer.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-packet.h"
#include "any-peer.h"
#include "any-socket.h"
#include "api/any-peer-reply-private.h"

typedef struct {
  GPtrArray *replies;            /* AnyPeerReply, in the order of the peers */
  guint      waiting;
} Broadcast;

static void
broadcast_free (Broadcast *broadcast)
{
  g_ptr_array_unref (broadcast->replies);
  g_free (broadcast);
}

typedef struct {
  GTask *task;
  guint  index;
} Slot;

/* One request done (or the sending loop): the last completes the task. */
static void
finish_one (GTask *task)
{
  Broadcast *broadcast = g_task_get_task_data (task);

  GListStore *store;

  if (--broadcast->waiting > 0 || g_task_return_error_if_cancelled (task))
    return;
  store = g_list_store_new (ANY_TYPE_PEER_REPLY);
  g_list_store_splice (store, 0, 0, broadcast->replies->pdata, broadcast->replies->len);
  g_task_return_pointer (task, store, g_object_unref);
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Slot *slot = user_data;
  g_autoptr(GTask) task = slot->task;
  Broadcast *broadcast = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(AnyPacket) packet = any_peer_request_finish (ANY_PEER (source), result, &error);

  g_ptr_array_index (broadcast->replies, slot->index) =
    _any_peer_reply_new (ANY_PEER (source), packet, error);
  g_free (slot);
  finish_one (task);
}

/**
 * any_socket_broadcast_request_async:
 * @self: an [class@AnySocket.Socket]
 * @msg: the request, any JSON value
 * @timeout_ms: how long to wait for each reply, 0 for
 *   [property@AnySocket.Socket:reply-timeout]
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with every reply
 * @user_data: data for @callback
 *
 * Sends @msg as a request to every connected peer, direct or proxied (the
 * JavaScript `socket.broadcast(msg, true)`), and completes once each has
 * answered or failed: a time-out or a disconnect fails that peer's
 * request only, as [method@AnySocket.Peer.request_async] does. With no
 * peer it completes at once with no reply (the JavaScript promise never
 * settles then).
 *
 * Since: 0.2
 */
void
any_socket_broadcast_request_async (AnySocket           *self,
                                    JsonNode            *msg,
                                    guint                timeout_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GList) peers = NULL;
  Broadcast *broadcast;
  guint index = 0;

  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (msg != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, any_socket_broadcast_request_async);
  peers = any_socket_get_peers (self);
  broadcast = g_new0 (Broadcast, 1);
  broadcast->replies = g_ptr_array_new_full (g_list_length (peers), g_object_unref);
  g_ptr_array_set_size (broadcast->replies, g_list_length (peers));
  g_task_set_task_data (task, broadcast, (GDestroyNotify) broadcast_free);

  /* Counted first, with the loop itself: a request may complete before
   * the next is sent; with no peer the loop completes the task. */
  broadcast->waiting = g_list_length (peers) + 1;
  for (GList *l = peers; l != NULL; l = l->next)
    {
      Slot *slot = g_new0 (Slot, 1);

      slot->task = g_object_ref (task);
      slot->index = index++;
      any_peer_request_async (l->data, msg, timeout_ms, cancellable, on_reply, slot);
    }
  finish_one (task);
}

/**
 * any_socket_broadcast_request_finish:
 * @self: an [class@AnySocket.Socket]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * Fails only when cancelled (`G_IO_ERROR_CANCELLED`); each peer's own
 * error is in its [class@AnySocket.PeerReply].
 *
 * Returns: (transfer full): a list of [class@AnySocket.PeerReply], one
 *   per peer the request went to (empty with no peer), or NULL with
 *   @error set
 *
 * Since: 0.2
 */
GListModel *
any_socket_broadcast_request_finish (AnySocket     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == any_socket_broadcast_request_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* any-synced-time.c: NTP-style clock comparison with a peer (PROTOCOL.md 7)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-packet.h"
#include "any-peer.h"
#include "api/any-peer-private.h"
#include "protocol/any-internal-msg.h"

typedef struct {
  gint64 rtt_ms;
  double offset_ms;
} SyncedTime;

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
on_synced_time_reply (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = g_task_propagate_pointer (G_TASK (result), &error);
  JsonNode *msg;
  JsonObject *object;
  JsonNode *o, *t;
  SyncedTime *synced;
  gint64 t1, t2, t4 = now_ms ();

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  msg = any_packet_get_msg (reply);
  object = JSON_NODE_HOLDS_OBJECT (msg) ? json_node_get_object (msg) : NULL;
  o = object ? json_object_get_member (object, "o") : NULL;
  t = object ? json_object_get_member (object, "t") : NULL;
  if (o == NULL || t == NULL || !JSON_NODE_HOLDS_VALUE (o) || !JSON_NODE_HOLDS_VALUE (t) ||
      json_node_get_value_type (t) == G_TYPE_STRING || json_node_get_value_type (o) == G_TYPE_STRING)
    {
      g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                               _("Invalid SYNCED_TIME reply"));
      return;
    }
  t1 = (gint64) json_node_get_double (o);
  t2 = (gint64) json_node_get_double (t);

  /* The JavaScript formula: the peer's receive and transmit times are
   * the same instant (T2 = T3). */
  synced = g_new0 (SyncedTime, 1);
  synced->rtt_ms = t4 - t1;
  synced->offset_ms = ((double) (t2 - t1) - (double) (t4 - t2)) / 2.0;
  g_task_return_pointer (task, synced, g_free);
}

/**
 * any_peer_get_synced_time_async:
 * @self: an [class@AnySocket.Peer]
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Compares clocks with the peer (the JavaScript `peer.getSyncedTime()`):
 * sends our time, the peer answers with its own.
 */
void
any_peer_get_synced_time_async (AnyPeer             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonNode) request = json_node_new (JSON_NODE_OBJECT);
  GTask *task;

  g_return_if_fail (ANY_IS_PEER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, any_peer_get_synced_time_async);

  json_node_take_object (request, any_internal_new_synced_time ());

  _any_peer_request (self, ANY_PACKET_TYPE_INTERNAL, request, 0, cancellable,
                     any_peer_get_synced_time_async, on_synced_time_reply, task);
}

/**
 * any_peer_get_synced_time_finish:
 * @self: an [class@AnySocket.Peer]
 * @result: the `GAsyncResult`
 * @rtt_ms: (out) (optional): the round trip in milliseconds
 * @offset_ms: (out) (optional): the peer's clock minus ours, in
 *   milliseconds (the JavaScript formula, NTP with the peer's receive and
 *   transmit times taken as one)
 * @error: return location for a `GError`
 *
 * Finishes [method@AnySocket.Peer.get_synced_time_async].
 *
 * Returns: TRUE on success
 */
gboolean
any_peer_get_synced_time_finish (AnyPeer       *self,
                                 GAsyncResult  *result,
                                 gint64        *rtt_ms,
                                 double        *offset_ms,
                                 GError       **error)
{
  g_autofree SyncedTime *synced = NULL;

  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  synced = g_task_propagate_pointer (G_TASK (result), error);
  if (synced == NULL)
    return FALSE;
  if (rtt_ms != NULL)
    *rtt_ms = synced->rtt_ms;
  if (offset_ms != NULL)
    *offset_ms = synced->offset_ms;
  return TRUE;
}

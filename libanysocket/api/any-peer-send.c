/* any-peer-send.c: what AnyPeer sends: messages, requests and their replies,
 * proxied frames, and closing the link
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-enum-types.h"
#include "any-packet.h"
#include "api/any-peer-private.h"
#include "api/any-packet-private.h"
#include "codec/any-id.h"
#include "protocol/any-internal-msg.h"
#include "protocol/any-requests.h"
#include "protocol/any-trust.h"
#include "crypto/any-noise.h"

gint32
_any_peer_send_packet (AnyPeer        *self,
                       AnyPacketType   type,
                       gint32          reply_to,
                       JsonNode       *msg,
                       GError        **error)
{
  /* A retired peer only answers what the other side still sends. */
  if (self->engine == NULL || G_UNLIKELY (self->retired && reply_to == 0))
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return 0;
    }
  return any_engine_send (self->engine, type, reply_to, msg, error);
}

/* A binary message (any-peer-bytes.c, any_packet_reply_bytes()). */
gint32
_any_peer_send_bytes (AnyPeer  *self,
                      gint32    reply_to,
                      GBytes   *bytes,
                      GError  **error)
{
  if (self->engine == NULL || G_UNLIKELY (self->retired && reply_to == 0))
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return 0;
    }
  /* Through a hub, whether the peer takes bytes is in its probe's caps:
   * ask first (the engine holds the bytes until the answer). */
  if (self->via != NULL && any_engine_get_peer_caps_pending (self->engine) && !self->probe_sent &&
      _any_peer_takes_binary_forward (self->via))
    {
      self->probe_sent = TRUE;
      _any_peer_send_probe (self);
    }
  return any_engine_send_bytes (self->engine, reply_to, bytes, error);
}

/* A packet shared with other peers (api/any-fanout.c): its seq here, 0
 * when this peer must be sent its own (as _any_peer_send_packet()). */
gint32
_any_peer_peek_shared_seq (AnyPeer       *self,
                           AnyPacketType  type)
{
  if (self->engine == NULL || self->retired)
    return 0;
  return any_engine_peek_shared_seq (self->engine, type);
}

gboolean
_any_peer_send_shared (AnyPeer        *self,
                       AnyPacketType   type,
                       gint32          seq,
                       AnySharedFrame *frame,
                       gsize           body_len)
{
  if (self->engine == NULL || self->retired)
    return FALSE;
  return any_engine_send_shared (self->engine, type, seq, frame, body_len);
}

/* A proxied peer replaced by a direct link: the application was told it
 * is gone; it still answers and delivers what the other side sent before
 * it switched too, and sends nothing new. */
void
_any_peer_retire (AnyPeer *self)
{
  self->retired = TRUE;
}

/* See any_engine_set_holding(). */
void
_any_peer_set_holding (AnyPeer  *self,
                       gboolean  holding)
{
  if (self->engine != NULL)
    any_engine_set_holding (self->engine, holding);
}

void
_any_peer_reply_internal (AnyPeer  *self,
                          gint32    seq,
                          JsonNode *msg)
{
  g_autoptr(GError) error = NULL;

  /* Seq 0 is no request: a reply to it could not say what it answers. */
  if (seq <= 0)
    return;
  if (_any_peer_send_packet (self, ANY_PACKET_TYPE_INTERNAL, seq, msg, &error) == 0)
    g_debug ("Could not answer INTERNAL packet %d: %s", seq, error->message);
}

/* A proxied peer: its transport goes through @via, it starts connected
 * with the id the hub named. */
void
_any_peer_start_proxied (AnyPeer               *self,
                         AnyPeer               *via,
                         const AnyEngineConfig *config,
                         const char            *peer_id)
{
  self->via = g_object_ref (via);
  any_engine_start_connected (self->engine, config, peer_id);
}

static gboolean
send_frame (AnyPeer   *self,
            GBytes    *frame,
            gboolean   binary,
            GError   **error)
{
  if (self->engine == NULL)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return FALSE;
    }
  return any_engine_send_frame_full (self->engine, frame, binary, error);
}

gboolean
_any_peer_send_frame (AnyPeer  *self,
                      GBytes   *frame,
                      GError  **error)
{
  return send_frame (self, frame, FALSE, error);
}

void
_any_peer_deliver_forwarded (AnyPeer      *self,
                             const guint8 *inner,
                             gsize         inner_len,
                             gboolean      is_text)
{
  if (self->transport != NULL)
    any_transport_deliver_frame (self->transport, inner, inner_len, is_text);
}

/* A binary FORWARD frame, to a peer that takes them. */
gboolean
_any_peer_send_binary_frame (AnyPeer  *self,
                             GBytes   *frame,
                             GError  **error)
{
  return send_frame (self, frame, TRUE, error);
}

gboolean
_any_peer_takes_binary_forward (AnyPeer *self)
{
  return self->engine != NULL && any_engine_takes_binary_forward (self->engine);
}

/* The hub's side ended the link: nothing to tell the hub. */
void
_any_peer_close_proxied (AnyPeer    *self,
                         const char *reason)
{
  if (self->transport != NULL)
    any_transport_deliver_closed (self->transport, reason);
}

/**
 * any_peer_send:
 * @self: an [class@AnySocket.Peer]
 * @msg: the message, any JSON value
 * @error: return location for a `GError`
 *
 * Sends @msg as a LINK packet, split into chunks when it is large. The
 * seed's `peer.send(message)`.
 *
 * Returns: TRUE if the message was queued for sending; FALSE with
 *   `ANY_SOCKET_ERROR_DISCONNECTED` or `ANY_SOCKET_ERROR_MESSAGE_TOO_BIG`
 */
gboolean
any_peer_send (AnyPeer   *self,
               JsonNode  *msg,
               GError   **error)
{
  g_return_val_if_fail (ANY_IS_PEER (self), FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _any_peer_send_packet (self, ANY_PACKET_TYPE_LINK, 0, msg, error) != 0;
}

/**
 * any_peer_request_async:
 * @self: an [class@AnySocket.Peer]
 * @msg: the request, any JSON value
 * @timeout_ms: how long to wait for the reply, 0 for
 *   [property@AnySocket.Socket:reply-timeout]
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with the reply
 * @user_data: data for @callback
 *
 * Sends @msg and waits for the peer to answer it with
 * [method@AnySocket.Packet.reply] (or the JavaScript `packet.reply()`).
 *
 * Without a reply in time the request fails with
 * `ANY_SOCKET_ERROR_TIMEOUT` and the peer stays connected. (The JavaScript
 * peer instead disconnects the whole peer on a missed reply.) If the peer
 * disconnects first it fails with `ANY_SOCKET_ERROR_DISCONNECTED`.
 * Cancelling frees the request's slot; a reply that arrives later is
 * dropped.
 */
void
any_peer_request_async (AnyPeer             *self,
                        JsonNode            *msg,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (ANY_IS_PEER (self));
  g_return_if_fail (msg != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _any_peer_request (self, ANY_PACKET_TYPE_LINK, msg, timeout_ms, cancellable,
                     any_peer_request_async, callback, user_data);
}

/* A request of either packet type (INTERNAL for RPC, synced time and
 * proxying); the reply completes a GTask tagged @source_tag whose result
 * is the reply AnyPacket. */
void
_any_peer_request (AnyPeer             *self,
                   AnyPacketType        type,
                   JsonNode            *msg,
                   guint                timeout_ms,
                   GCancellable        *cancellable,
                   gpointer             source_tag,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint32 seq;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (g_task_return_error_if_cancelled (task))
    return;

  seq = _any_peer_send_packet (self, type, 0, msg, &error);
  _any_peer_wait_reply (self, seq, g_steal_pointer (&task), error, timeout_ms, cancellable);
}

/* After sending a request (@seq, or 0 and @error): @task gets its reply. */
void
_any_peer_wait_reply (AnyPeer      *self,
                      gint32        seq,
                      GTask        *task,
                      GError       *error,
                      guint         timeout_ms,
                      GCancellable *cancellable)
{
  if (seq == 0)
    {
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
      return;
    }
  if (timeout_ms == 0)
    timeout_ms = self->socket ? self->host->reply_timeout (self->socket) : 30000;
  any_requests_add (self->requests, seq, task, timeout_ms, cancellable);
}

/**
 * any_peer_request_finish:
 * @self: an [class@AnySocket.Peer]
 * @result: the `GAsyncResult`
 * @error: return location for a `GError`
 *
 * Finishes [method@AnySocket.Peer.request_async].
 *
 * Returns: (transfer full): the reply ([method@AnySocket.Packet.is_reply] is TRUE)
 */
AnyPacket *
any_peer_request_finish (AnyPeer       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (ANY_IS_PEER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * any_peer_disconnect: (skip)
 * @self: an [class@AnySocket.Peer]
 * @reason: (nullable): why, sent to the other side in the WebSocket close
 *   frame and given to [signal@AnySocket.Peer::disconnected]
 *
 * Closes the link. [signal@AnySocket.Peer::disconnected] is emitted before this returns.
 * Does nothing if the peer is already disconnected.
 *
 * This is the seed's name, kept for C. Bindings do not see it (skip):
 * as a method it would hide `GObject.Object.disconnect (handler_id)` in
 * Python and GJS. They call [method@AnySocket.Peer.close], which does the
 * same.
 */
void
any_peer_disconnect (AnyPeer    *self,
                     const char *reason)
{
  g_return_if_fail (ANY_IS_PEER (self));

  self->closed_here = TRUE;
  if (self->engine != NULL)
    any_engine_close (self->engine, reason ? reason : "Disconnected");
}

gboolean
_any_peer_was_closed_here (AnyPeer *self)
{
  return self->closed_here;
}

/**
 * any_peer_close:
 * @self: an [class@AnySocket.Peer]
 * @reason: (nullable): why, sent to the other side in the WebSocket close
 *   frame and given to [signal@AnySocket.Peer::disconnected]
 *
 * Closes the link, as `any_peer_disconnect()` does from C.
 * [signal@AnySocket.Peer::disconnected] is emitted before this returns. Does nothing if
 * the peer is already disconnected.
 *
 * This is the name bindings see: a `disconnect` method would hide
 * `GObject.Object.disconnect (handler_id)` in Python and GJS (libsoup's
 * `soup_websocket_connection_close()` and GDBus's
 * `g_dbus_connection_close()` avoid the name for the same reason).
 *
 * Since: 0.2
 */
void
any_peer_close (AnyPeer    *self,
                const char *reason)
{
  any_peer_disconnect (self, reason);
}

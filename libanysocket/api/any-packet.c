/* any-packet.c: AnyPacket, one received message
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-packet.h"
#include "any-peer.h"
#include "api/any-packet-private.h"
#include "api/any-peer-private.h"

/**
 * AnyPacket:
 *
 * A message received from an [class@AnySocket.Peer]: its payload ([property@AnySocket.Packet:msg]), the
 * peer it came from and the seq that a reply refers to.
 *
 * A packet is given to [signal@AnySocket.Socket::message] and [signal@AnySocket.Peer::message], and is
 * the result of [method@AnySocket.Peer.request_finish] (then it is a reply and cannot
 * itself be replied to).
 */
struct _AnyPacket
{
  GObject        parent_instance;
  AnyPeer       *peer;
  JsonNode      *msg;
  GBytes        *bytes;   /* a binary message: then msg is a JSON null */
  gint32         seq;
  AnyPacketType  type;
};

G_DEFINE_FINAL_TYPE (AnyPacket, any_packet, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SEQ,
  PROP_PEER,
  PROP_MSG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
any_packet_finalize (GObject *object)
{
  AnyPacket *self = ANY_PACKET (object);

  g_clear_object (&self->peer);
  g_clear_pointer (&self->msg, json_node_unref);
  g_clear_pointer (&self->bytes, g_bytes_unref);

  G_OBJECT_CLASS (any_packet_parent_class)->finalize (object);
}

static void
any_packet_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  AnyPacket *self = ANY_PACKET (object);

  switch (prop_id)
    {
    case PROP_SEQ:
      g_value_set_int (value, self->seq);
      break;
    case PROP_PEER:
      g_value_set_object (value, self->peer);
      break;
    case PROP_MSG:
      g_value_set_boxed (value, self->msg);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_packet_class_init (AnyPacketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = any_packet_finalize;
  object_class->get_property = any_packet_get_property;

  /**
   * AnyPacket:seq:
   *
   * The packet's seq: positive for a message (reply with
   * [method@AnySocket.Packet.reply]), negative for a reply (the negated seq of the
   * request it answers).
   */
  properties[PROP_SEQ] =
    g_param_spec_int ("seq", NULL, NULL, G_MININT32, G_MAXINT32, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPacket:peer:
   *
   * The peer that sent the packet.
   */
  properties[PROP_PEER] =
    g_param_spec_object ("peer", NULL, NULL, ANY_TYPE_PEER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPacket:msg:
   *
   * The message: any JSON value.
   */
  properties[PROP_MSG] =
    g_param_spec_boxed ("msg", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
any_packet_init (AnyPacket *self)
{
}

/* Takes @msg. */
AnyPacket *
_any_packet_new (AnyPeer       *peer,
                 AnyPacketType  type,
                 gint32         seq,
                 JsonNode      *msg)
{
  AnyPacket *self = g_object_new (ANY_TYPE_PACKET, NULL);

  self->peer = g_object_ref (peer);
  self->type = type;
  self->seq = seq;
  self->msg = msg;
  return self;
}

/* A binary message: @bytes referenced. */
AnyPacket *
_any_packet_new_bytes (AnyPeer *peer,
                       gint32   seq,
                       GBytes  *bytes)
{
  AnyPacket *self = _any_packet_new (peer, ANY_PACKET_TYPE_LINK, seq, json_node_new (JSON_NODE_NULL));

  self->bytes = g_bytes_ref (bytes);
  return self;
}

/**
 * any_packet_get_bytes:
 * @self: an [class@AnySocket.Packet]
 *
 * Gets the body of a binary message ([method@AnySocket.Peer.send_bytes],
 * [method@AnySocket.Peer.send_bytes_request_async],
 * [method@AnySocket.Packet.reply_bytes]). Its
 * [method@AnySocket.Packet.get_msg] is then a JSON `null`. A JSON
 * message has no bytes.
 *
 * Returns: (transfer none) (nullable): the bytes, or NULL for a JSON message
 *
 * Since: 0.2
 */
GBytes *
any_packet_get_bytes (AnyPacket *self)
{
  g_return_val_if_fail (ANY_IS_PACKET (self), NULL);

  return self->bytes;
}

/**
 * any_packet_get_seq:
 * @self: an [class@AnySocket.Packet]
 *
 * Gets the packet's sequence number ([property@AnySocket.Packet:seq]).
 *
 * Returns: the packet's seq, negative for a reply
 */
int
any_packet_get_seq (AnyPacket *self)
{
  g_return_val_if_fail (ANY_IS_PACKET (self), 0);

  return self->seq;
}

/**
 * any_packet_get_peer:
 * @self: an [class@AnySocket.Packet]
 *
 * Gets the peer that sent the packet ([property@AnySocket.Packet:peer]).
 *
 * Returns: (transfer none): the peer that sent the packet
 */
AnyPeer *
any_packet_get_peer (AnyPacket *self)
{
  g_return_val_if_fail (ANY_IS_PACKET (self), NULL);

  return self->peer;
}

/**
 * any_packet_get_msg:
 * @self: an [class@AnySocket.Packet]
 *
 * Gets the JSON payload of the packet ([property@AnySocket.Packet:msg]).
 *
 * Returns: (transfer none): the message
 */
JsonNode *
any_packet_get_msg (AnyPacket *self)
{
  g_return_val_if_fail (ANY_IS_PACKET (self), NULL);

  return self->msg;
}

/**
 * any_packet_is_reply:
 * @self: an [class@AnySocket.Packet]
 *
 * Tells whether the packet answers a request of ours.
 *
 * Returns: TRUE if the packet answers one of our requests
 */
gboolean
any_packet_is_reply (AnyPacket *self)
{
  g_return_val_if_fail (ANY_IS_PACKET (self), FALSE);

  return self->seq < 0;
}

/**
 * any_packet_reply:
 * @self: an [class@AnySocket.Packet]
 * @msg: the reply, any JSON value
 * @error: return location for a `GError`
 *
 * Answers the packet: the reply completes the sender's
 * [method@AnySocket.Peer.request_async] (or the JavaScript peer's
 * `send(msg, true)`). A reply cannot itself be replied to: that fails with
 * `ANY_SOCKET_ERROR_INVALID_ARGUMENT` (the JavaScript peer ignores it
 * silently).
 *
 * Returns: TRUE if the reply was queued for sending
 */
gboolean
any_packet_reply (AnyPacket  *self,
                  JsonNode   *msg,
                  GError    **error)
{
  g_return_val_if_fail (ANY_IS_PACKET (self), FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->seq <= 0)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                           _("Cannot reply to a reply"));
      return FALSE;
    }
  return _any_peer_send_packet (self->peer, self->type, self->seq, msg, error) != 0;
}

/**
 * any_packet_reply_bytes:
 * @self: an [class@AnySocket.Packet]
 * @bytes: the reply's body
 * @error: return location for a `GError`
 *
 * Replies to a message (JSON or binary) with a binary message, as
 * [method@AnySocket.Packet.reply] does with JSON. Only a libanysocket
 * peer takes binary messages: with another one (a JavaScript peer) this
 * fails with `ANY_SOCKET_ERROR_NOT_SUPPORTED`, see
 * [method@AnySocket.Peer.send_bytes].
 *
 * Returns: TRUE if the reply was queued for sending
 *
 * Since: 0.2
 */
gboolean
any_packet_reply_bytes (AnyPacket  *self,
                        GBytes     *bytes,
                        GError    **error)
{
  g_return_val_if_fail (ANY_IS_PACKET (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->seq <= 0 || self->type != ANY_PACKET_TYPE_LINK)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                           _("Cannot reply to a reply"));
      return FALSE;
    }
  return _any_peer_send_bytes (self->peer, self->seq, bytes, error) != 0;
}

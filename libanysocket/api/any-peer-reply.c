/* any-peer-reply.c: AnyPeerReply, one peer's outcome of a broadcast request
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-peer-reply-private.h"

/**
 * AnyPeerReply:
 *
 * What one peer answered to [method@AnySocket.Socket.broadcast_request_async]:
 * its reply packet, or the error its request ended with (a time-out, a
 * disconnect). Exactly one of [method@AnySocket.PeerReply.get_packet] and
 * [method@AnySocket.PeerReply.get_error] is set.
 *
 * Since: 0.2
 */
struct _AnyPeerReply
{
  GObject    parent_instance;
  AnyPeer   *peer;
  char      *peer_id;
  AnyPacket *packet;
  GError    *error;
};

G_DEFINE_FINAL_TYPE (AnyPeerReply, any_peer_reply, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PEER,
  PROP_PEER_ID,
  PROP_PACKET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

AnyPeerReply *
_any_peer_reply_new (AnyPeer   *peer,
                     AnyPacket *packet,
                     GError    *error)
{
  AnyPeerReply *self = g_object_new (ANY_TYPE_PEER_REPLY, NULL);

  self->peer = g_object_ref (peer);
  self->peer_id = g_strdup (any_peer_get_id (peer));
  self->packet = packet != NULL ? g_object_ref (packet) : NULL;
  self->error = error;
  return self;
}

static void
any_peer_reply_finalize (GObject *object)
{
  AnyPeerReply *self = ANY_PEER_REPLY (object);

  g_clear_object (&self->peer);
  g_clear_object (&self->packet);
  g_clear_error (&self->error);
  g_free (self->peer_id);

  G_OBJECT_CLASS (any_peer_reply_parent_class)->finalize (object);
}

static void
any_peer_reply_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AnyPeerReply *self = ANY_PEER_REPLY (object);

  switch (prop_id)
    {
    case PROP_PEER:
      g_value_set_object (value, self->peer);
      break;
    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;
    case PROP_PACKET:
      g_value_set_object (value, self->packet);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_peer_reply_class_init (AnyPeerReplyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = any_peer_reply_finalize;
  object_class->get_property = any_peer_reply_get_property;

  /**
   * AnyPeerReply:peer:
   *
   * The peer the request went to.
   *
   * Since: 0.2
   */
  properties[PROP_PEER] =
    g_param_spec_object ("peer", NULL, NULL, ANY_TYPE_PEER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeerReply:peer-id:
   *
   * The id of [property@AnySocket.PeerReply:peer].
   *
   * Since: 0.2
   */
  properties[PROP_PEER_ID] =
    g_param_spec_string ("peer-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyPeerReply:packet:
   *
   * The peer's reply, or NULL if its request failed.
   *
   * Since: 0.2
   */
  properties[PROP_PACKET] =
    g_param_spec_object ("packet", NULL, NULL, ANY_TYPE_PACKET,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
any_peer_reply_init (AnyPeerReply *self)
{
}

/**
 * any_peer_reply_get_peer:
 * @self: an [class@AnySocket.PeerReply]
 *
 * The peer the request went to, which may have disconnected since.
 *
 * Returns: (transfer none): the peer the request went to
 *
 * Since: 0.2
 */
AnyPeer *
any_peer_reply_get_peer (AnyPeerReply *self)
{
  g_return_val_if_fail (ANY_IS_PEER_REPLY (self), NULL);

  return self->peer;
}

/**
 * any_peer_reply_get_peer_id:
 * @self: an [class@AnySocket.PeerReply]
 *
 * The id of the peer the request went to.
 *
 * Returns: the id of the peer the request went to
 *
 * Since: 0.2
 */
const char *
any_peer_reply_get_peer_id (AnyPeerReply *self)
{
  g_return_val_if_fail (ANY_IS_PEER_REPLY (self), NULL);

  return self->peer_id;
}

/**
 * any_peer_reply_get_packet:
 * @self: an [class@AnySocket.PeerReply]
 *
 * The peer's reply: [method@AnySocket.Packet.get_msg] gives its message.
 *
 * Returns: (transfer none) (nullable): the peer's reply; NULL when
 *   [method@AnySocket.PeerReply.get_error] says why there is none
 *
 * Since: 0.2
 */
AnyPacket *
any_peer_reply_get_packet (AnyPeerReply *self)
{
  g_return_val_if_fail (ANY_IS_PEER_REPLY (self), NULL);

  return self->packet;
}

/**
 * any_peer_reply_get_error:
 * @self: an [class@AnySocket.PeerReply]
 *
 * The errors are those of [method@AnySocket.Peer.request_finish]:
 * `ANY_SOCKET_ERROR_TIMEOUT`, `ANY_SOCKET_ERROR_DISCONNECTED`...
 *
 * Returns: (transfer none) (nullable): why the request got no reply, or
 *   NULL when it got one
 *
 * Since: 0.2
 */
const GError *
any_peer_reply_get_error (AnyPeerReply *self)
{
  g_return_val_if_fail (ANY_IS_PEER_REPLY (self), NULL);

  return self->error;
}

/* any-transport.c: base class of the transports
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-transport.h"
#include "transport/any-upgrade-request.h"

typedef struct
{
  AnyTransportFrameFunc  frame_func;
  AnyTransportClosedFunc closed_func;
  gpointer               user_data;
  gboolean               closed;
  AnyUpgradeRequest     *request;  /* an accepted WebSocket's, else NULL */
} AnyTransportPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (AnyTransport, any_transport, G_TYPE_OBJECT)

static void
any_transport_finalize (GObject *object)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (ANY_TRANSPORT (object));

  g_clear_pointer (&priv->request, any_upgrade_request_unref);
  G_OBJECT_CLASS (any_transport_parent_class)->finalize (object);
}

static void
any_transport_class_init (AnyTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = any_transport_finalize;
}

static void
any_transport_init (AnyTransport *self)
{
}

void
any_transport_set_receiver (AnyTransport           *self,
                            AnyTransportFrameFunc   frame_func,
                            AnyTransportClosedFunc  closed_func,
                            gpointer                user_data)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  priv->frame_func = frame_func;
  priv->closed_func = closed_func;
  priv->user_data = user_data;
}

void
any_transport_send (AnyTransport *self,
                    GBytes       *frame)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  if (priv->closed)
    return;
  ANY_TRANSPORT_GET_CLASS (self)->send (self, frame);
}

void
any_transport_send_lane (AnyTransport     *self,
                         GBytes           *frame,
                         AnyTransportLane  lane)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);
  AnyTransportClass *klass = ANY_TRANSPORT_GET_CLASS (self);

  if (priv->closed)
    return;
  if (klass->send_lane != NULL)
    klass->send_lane (self, frame, lane);
  else
    klass->send (self, frame);
}

gboolean
any_transport_can_send_binary (AnyTransport *self)
{
  AnyTransportClass *klass = ANY_TRANSPORT_GET_CLASS (self);

  if (klass->send_binary == NULL)
    return FALSE;
  return klass->can_send_binary == NULL || klass->can_send_binary (self);
}

void
any_transport_send_binary (AnyTransport     *self,
                           GBytes           *frame,
                           AnyTransportLane  lane)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  g_return_if_fail (any_transport_can_send_binary (self));
  if (!priv->closed)
    ANY_TRANSPORT_GET_CLASS (self)->send_binary (self, frame, lane);
}

void
any_transport_send_shared (AnyTransport     *self,
                           AnySharedFrame   *frame,
                           AnyTransportLane  lane)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);
  AnyTransportClass *klass = ANY_TRANSPORT_GET_CLASS (self);

  if (priv->closed)
    return;
  if (klass->send_shared != NULL)
    klass->send_shared (self, frame, lane);
  else
    any_transport_send_lane (self, any_shared_frame_get_payload (frame), lane);
}

/* Closing locally does not call the closed callback: the caller knows. */
void
any_transport_close (AnyTransport *self,
                     const char   *reason)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  if (priv->closed)
    return;
  priv->closed = TRUE;
  priv->frame_func = NULL;
  priv->closed_func = NULL;
  ANY_TRANSPORT_GET_CLASS (self)->close (self, reason);
}

void
any_transport_set_max_frame_size (AnyTransport *self,
                                  gsize         max_bytes)
{
  AnyTransportClass *klass = ANY_TRANSPORT_GET_CLASS (self);

  if (klass->set_max_frame_size != NULL)
    klass->set_max_frame_size (self, max_bytes);
}

void
any_transport_set_max_send_buffer (AnyTransport *self,
                                   gsize         max_bytes)
{
  AnyTransportClass *klass = ANY_TRANSPORT_GET_CLASS (self);

  if (klass->set_max_send_buffer != NULL)
    klass->set_max_send_buffer (self, max_bytes);
}

void
any_transport_set_tcp_keepalive (AnyTransport *self,
                                 guint         idle_s)
{
  AnyTransportClass *klass = ANY_TRANSPORT_GET_CLASS (self);

  if (klass->set_tcp_keepalive != NULL)
    klass->set_tcp_keepalive (self, idle_s);
}

const char *
any_transport_get_remote_address (AnyTransport *self)
{
  AnyTransportClass *klass = ANY_TRANSPORT_GET_CLASS (self);

  return klass->get_remote_address != NULL ? klass->get_remote_address (self) : NULL;
}

gboolean
any_transport_is_closed (AnyTransport *self)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  return priv->closed;
}

void
any_transport_deliver_frame (AnyTransport *self,
                             const guint8 *data,
                             gsize         len,
                             gboolean      is_text)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  if (!priv->closed && priv->frame_func != NULL)
    priv->frame_func (priv->user_data, data, len, is_text);
}

void
any_transport_deliver_closed (AnyTransport *self,
                              const char   *reason)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);
  AnyTransportClosedFunc closed_func = priv->closed_func;

  if (priv->closed)
    return;
  priv->closed = TRUE;
  priv->frame_func = NULL;
  priv->closed_func = NULL;
  if (closed_func != NULL)
    closed_func (priv->user_data, reason);
}

void
any_transport_set_upgrade_request (AnyTransport      *self,
                                   AnyUpgradeRequest *request)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  g_clear_pointer (&priv->request, any_upgrade_request_unref);
  priv->request = request != NULL ? any_upgrade_request_ref (request) : NULL;
}

AnyUpgradeRequest *
any_transport_get_upgrade_request (AnyTransport *self)
{
  AnyTransportPrivate *priv = any_transport_get_instance_private (self);

  return priv->request;
}

char *
any_transport_format_address (GSocketAddress *address)
{
  GInetSocketAddress *inet;
  g_autofree char *ip = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  inet = G_INET_SOCKET_ADDRESS (address);
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  if (g_inet_address_get_family (g_inet_socket_address_get_address (inet)) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip, g_inet_socket_address_get_port (inet));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (inet));
}

/* any-proxy-transport.c: a transport through a hub (PROTOCOL.md 8)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-proxy-transport.h"
#include "codec/any-codec.h"

struct _AnyProxyTransport
{
  AnyTransport  parent_instance;
  const AnyProxyTransportCallbacks *callbacks;
  GObject      *via;             /* the link to the hub */
  char         *remote_id;
  guint8        to[16];
  guint8        from[16];
  gboolean      binary;
};

G_DEFINE_FINAL_TYPE (AnyProxyTransport, any_proxy_transport, ANY_TYPE_TRANSPORT)

static void
send_forward (AnyProxyTransport *self,
              GBytes            *frame,
              gboolean           binary)
{
  g_autoptr(GError) error = NULL;
  gsize inner_len;
  const guint8 *inner = g_bytes_get_data (frame, &inner_len);
  GString *forward = g_string_sized_new (ANY_FORWARD_HEADER_MAX + inner_len);
  g_autoptr(GBytes) bytes = NULL;
  gboolean sent;

  any_forward_encode (forward, self->to, self->from, inner, inner_len);
  bytes = g_string_free_to_bytes (forward);
  sent = binary ? self->callbacks->send_binary_frame (self->via, bytes, &error)
                : self->callbacks->send_frame (self->via, bytes, &error);
  /* The hub's link going down closes this one too (the socket sees to
   * it); until then a failed send only means it is going. */
  if (!sent)
    g_debug ("Frame to proxied peer %s not sent: %s", self->remote_id, error->message);
}

static void
any_proxy_transport_send (AnyTransport *transport,
                          GBytes       *frame)
{
  send_forward (ANY_PROXY_TRANSPORT (transport), frame, FALSE);
}

/* The same FORWARD header before a binary frame, sent as a binary frame
 * (docs/protocol.md, "Binary messages through a hub"). */
static void
any_proxy_transport_send_binary (AnyTransport     *transport,
                                 GBytes           *frame,
                                 AnyTransportLane  lane)
{
  send_forward (ANY_PROXY_TRANSPORT (transport), frame, TRUE);
}

static gboolean
any_proxy_transport_can_send_binary (AnyTransport *transport)
{
  return ANY_PROXY_TRANSPORT (transport)->binary;
}

void
any_proxy_transport_set_binary (AnyProxyTransport *self,
                                gboolean           binary)
{
  self->binary = binary;
}

/* Closed from this side: the hub should stop relaying to us and tell the
 * other side, as the JavaScript peer's unproxy does. */
static void
any_proxy_transport_close (AnyTransport *transport,
                           const char   *reason)
{
  AnyProxyTransport *self = ANY_PROXY_TRANSPORT (transport);

  self->callbacks->unproxy (self->via, self->remote_id);
}

static void
any_proxy_transport_finalize (GObject *object)
{
  AnyProxyTransport *self = ANY_PROXY_TRANSPORT (object);

  g_clear_object (&self->via);
  g_free (self->remote_id);

  G_OBJECT_CLASS (any_proxy_transport_parent_class)->finalize (object);
}

static void
any_proxy_transport_class_init (AnyProxyTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AnyTransportClass *transport_class = ANY_TRANSPORT_CLASS (klass);

  object_class->finalize = any_proxy_transport_finalize;
  transport_class->send = any_proxy_transport_send;
  transport_class->close = any_proxy_transport_close;
  transport_class->send_binary = any_proxy_transport_send_binary;
  transport_class->can_send_binary = any_proxy_transport_can_send_binary;
}

static void
any_proxy_transport_init (AnyProxyTransport *self)
{
}

AnyTransport *
any_proxy_transport_new (const AnyProxyTransportCallbacks *callbacks,
                         GObject                          *via,
                         const char                       *local_id,
                         const char                       *remote_id)
{
  AnyProxyTransport *self = g_object_new (ANY_TYPE_PROXY_TRANSPORT, NULL);
  gboolean valid;

  self->callbacks = callbacks;
  self->via = g_object_ref (via);
  self->remote_id = g_strdup (remote_id);
  valid = any_id_to_bytes (remote_id, self->to) && any_id_to_bytes (local_id, self->from);
  g_warn_if_fail (valid);
  return ANY_TRANSPORT (self);
}

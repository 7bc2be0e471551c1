/* fake-transport.c: a transport that records what the engine sends
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "fake-transport.h"

struct _FakeTransport
{
  AnyTransport  parent_instance;
  GPtrArray    *sent;
  AnyTransportLane last_lane;
  char         *close_reason;
  gboolean      closed;
};

G_DEFINE_FINAL_TYPE (FakeTransport, fake_transport, ANY_TYPE_TRANSPORT)

static void
fake_send (AnyTransport *transport,
           GBytes       *frame)
{
  g_ptr_array_add (FAKE_TRANSPORT (transport)->sent, g_bytes_ref (frame));
  FAKE_TRANSPORT (transport)->last_lane = ANY_TRANSPORT_LANE_ORDERED;
}

static void
fake_send_lane (AnyTransport     *transport,
                GBytes           *frame,
                AnyTransportLane  lane)
{
  fake_send (transport, frame);
  FAKE_TRANSPORT (transport)->last_lane = lane;
}

static void
fake_close (AnyTransport *transport,
            const char   *reason)
{
  FakeTransport *self = FAKE_TRANSPORT (transport);

  self->closed = TRUE;
  g_free (self->close_reason);
  self->close_reason = g_strdup (reason);
}

static void
fake_transport_finalize (GObject *object)
{
  FakeTransport *self = FAKE_TRANSPORT (object);

  g_ptr_array_unref (self->sent);
  g_free (self->close_reason);
  G_OBJECT_CLASS (fake_transport_parent_class)->finalize (object);
}

static void
fake_transport_class_init (FakeTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_transport_finalize;
  ANY_TRANSPORT_CLASS (klass)->send = fake_send;
  ANY_TRANSPORT_CLASS (klass)->send_lane = fake_send_lane;
  ANY_TRANSPORT_CLASS (klass)->close = fake_close;
}

static void
fake_transport_init (FakeTransport *self)
{
  self->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

FakeTransport *
fake_transport_new (void)
{
  return g_object_new (FAKE_TYPE_TRANSPORT, NULL);
}

/* The lane of the last frame sent. */
AnyTransportLane
fake_transport_get_last_lane (FakeTransport *self)
{
  return self->last_lane;
}

GPtrArray *
fake_transport_get_sent (FakeTransport *self)
{
  return self->sent;
}

/* The oldest frame not popped yet, or NULL; the caller owns it. */
GBytes *
fake_transport_pop_sent (FakeTransport *self)
{
  if (self->sent->len == 0)
    return NULL;
  return g_ptr_array_steal_index (self->sent, 0);
}

const char *
fake_transport_get_close_reason (FakeTransport *self)
{
  return self->close_reason;
}

gboolean
fake_transport_was_closed (FakeTransport *self)
{
  return self->closed;
}

void
fake_transport_receive (FakeTransport *self,
                        const void    *data,
                        gsize          len)
{
  any_transport_deliver_frame (ANY_TRANSPORT (self), data, len, TRUE);
}

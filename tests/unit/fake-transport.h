/* fake-transport.h: a transport that records what the engine sends
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "transport/any-transport.h"

G_BEGIN_DECLS

#define FAKE_TYPE_TRANSPORT (fake_transport_get_type ())
G_DECLARE_FINAL_TYPE (FakeTransport, fake_transport, FAKE, TRANSPORT, AnyTransport)

FakeTransport *fake_transport_new          (void);
GPtrArray     *fake_transport_get_sent     (FakeTransport *self);
GBytes        *fake_transport_pop_sent     (FakeTransport *self);
AnyTransportLane fake_transport_get_last_lane (FakeTransport *self);
const char    *fake_transport_get_close_reason (FakeTransport *self);
gboolean       fake_transport_was_closed   (FakeTransport *self);
void           fake_transport_receive      (FakeTransport *self,
                                            const void    *data,
                                            gsize          len);

G_END_DECLS

/* any-proxy-transport.h: a transport through a hub (PROTOCOL.md 8)
 *
 * A proxied peer's frames travel inside FORWARD frames on the link to the
 * hub. Sending wraps each frame in a FORWARD header; the socket hands
 * received inner frames to any_transport_deliver_frame().
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-types.h"
#include "transport/any-transport.h"

G_BEGIN_DECLS

#define ANY_TYPE_PROXY_TRANSPORT (any_proxy_transport_get_type ())
G_DECLARE_FINAL_TYPE (AnyProxyTransport, any_proxy_transport, ANY, PROXY_TRANSPORT, AnyTransport)

/* @local_id and @remote_id must be valid ids (any_id_is_valid()). */
AnyTransport *any_proxy_transport_new     (AnyPeer           *via,
                                           const char        *local_id,
                                           const char        *remote_id);
AnyPeer      *any_proxy_transport_get_via (AnyProxyTransport *self);

G_END_DECLS

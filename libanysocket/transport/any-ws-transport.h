/* any-ws-transport.h: a transport over one libsoup WebSocket connection
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>
#include "transport/any-transport.h"

G_BEGIN_DECLS

#define ANY_TYPE_WS_TRANSPORT (any_ws_transport_get_type ())
G_DECLARE_FINAL_TYPE (AnyWsTransport, any_ws_transport, ANY, WS_TRANSPORT, AnyTransport)

AnyTransport *any_ws_transport_new (SoupWebsocketConnection *connection,
                                    GSocketAddress          *remote_address);

G_END_DECLS

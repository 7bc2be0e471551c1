/* any-ws-link.h: a transport that frames WebSockets itself, on the raw
 * socket of a ws:// connection
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include "transport/any-transport.h"

G_BEGIN_DECLS

#define ANY_TYPE_WS_LINK (any_ws_link_get_type ())
G_DECLARE_FINAL_TYPE (AnyWsLink, any_ws_link, ANY, WS_LINK, AnyTransport)

/* Takes over @stream (a TCP connection, or a stream over one, whose
 * upgrade is done: nothing else reads or writes it any more) on the
 * thread-default main context. @pending: bytes read from it past the
 * upgrade, the first of the WebSocket. @server: the accepting side. */
AnyTransport *any_ws_link_new (GIOStream      *stream,
                               gboolean        server,
                               const guint8   *pending,
                               gsize           pending_len,
                               GSocketAddress *remote_address);

/* The same link framed as RFC 6455 frames without masking either way
 * (the stream transport, any-stream-dial.c, after its hello): the kind
 * of a frame is its opcode. @remote_address: what to say (copied). */
AnyTransport *any_ws_link_new_unmasked (GIOStream  *stream,
                                        gboolean    server,
                                        const char *remote_address);

/* How long a closing link waits for the peer's close frame or the end of
 * its stream before it closes the socket. */
#define ANY_WS_LINK_CLOSE_TIMEOUT_MS 1000

G_END_DECLS

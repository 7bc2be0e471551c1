/* tcp-pair.h: both ends of one loopback TCP connection, for the tests of
 * what sits on a socket (the coalescing stream, the WebSocket transport)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Connects to a listener on 127.0.0.1 (a port the kernel picks) and
 * accepts: @ours is the accepted end, @peer the connecting one. */
void tcp_pair (GSocketConnection **ours,
               GSocketConnection **peer);

G_END_DECLS

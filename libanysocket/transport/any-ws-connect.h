/* any-ws-connect.h: the connecting side of the WebSocket transport, over
 * an AnyWsLink
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "transport/any-transport.h"

G_BEGIN_DECLS

/* Whether any_ws_connect_async() can reach @uri: plain ws:// only; TLS
 * and extensions are left to a SoupSession. */
gboolean                 any_ws_connect_handles (GUri                 *uri);

/* Opens a TCP connection to @uri (through a proxy if GIO's resolver names
 * one), upgrades it to a WebSocket with no extension, offering
 * @protocols (if any; an answer with one not offered fails),
 * and gives a client AnyWsLink on its socket.
 * @headers (NAME, VALUE..., NULL-terminated; may be NULL) are added to
 * the upgrade request; a User-Agent among them replaces ours. Fails after @timeout_ms (0: never) without an upgrade, or when either
 * cancellable is cancelled (@also_cancellable: the AnySocket's, for
 * any_socket_stop()). */
void                     any_ws_connect_async   (GUri                 *uri,
                                                 const char * const   *protocols,
                                                 const char * const   *headers,
                                                 guint                 timeout_ms,
                                                 GCancellable         *cancellable,
                                                 GCancellable         *also_cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
AnyTransport            *any_ws_connect_finish  (GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS

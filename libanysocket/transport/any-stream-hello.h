/* any-stream-hello.h: the hello that opens a tcp:// or unix:// link
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include "transport/any-transport.h"

G_BEGIN_DECLS

/* What each side writes first: 7 bytes of magic and a version byte
 * (libanysocket/docs/protocol.md, "Stream transports"). */
#define ANY_STREAM_MAGIC "ANYSOCK"
#define ANY_STREAM_MAGIC_LEN 7
#define ANY_STREAM_VERSION 1
#define ANY_STREAM_HELLO_LEN (ANY_STREAM_MAGIC_LEN + 1)

/* Writes our hello on @connection (a new tcp or unix connection), reads
 * the peer's and checks it, then gives the link (an AnyWsLink framing
 * unmasked RFC 6455 frames, any-ws-link.h) that owns @connection.
 * @remote_address: what the link says of its peer. Fails when the peer's
 * hello is not ours (at its first 8 bytes), when it ends its stream
 * first, or after @timeout_ms (0: never), or when @cancellable is
 * cancelled; @connection is then closed. */
void          any_stream_hello_async  (GSocketConnection   *connection,
                                       gboolean             server,
                                       const char          *remote_address,
                                       guint                timeout_ms,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
AnyTransport *any_stream_hello_finish (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS

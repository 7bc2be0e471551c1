/* any-stream-dial.h: tcp:// and unix:// links: listening and connecting
 *
 * The AnySocket protocol over a plain stream, without HTTP or WebSocket:
 * after the hello (any-stream-hello.h), unmasked RFC 6455 frames
 * (libanysocket/docs/protocol.md, "Stream transports").
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include "transport/any-transport.h"

G_BEGIN_DECLS

typedef struct _AnyStreamServer AnyStreamServer;

/* Called for each accepted link whose hello was good; ref @transport to
 * keep it. */
typedef void (*AnyStreamAcceptFunc) (AnyTransport *transport,
                                     gpointer      user_data);

/* Whether @uri is tcp:// or unix://. */
gboolean         any_stream_handles         (GUri                 *uri);

AnyStreamServer *any_stream_server_new      (AnyStreamAcceptFunc   func,
                                             gpointer              user_data);
/* Listens on @address (TCP): returns the bound port, or 0 on error. */
guint16          any_stream_server_listen_inet (AnyStreamServer   *self,
                                             GInetSocketAddress   *address,
                                             GError              **error);
/* Listens on the unix socket @path, created with mode 0600. A socket
 * file no one listens on is replaced; anything else there (a file, a
 * directory, a live socket) is an error. */
gboolean         any_stream_server_listen_unix (AnyStreamServer   *self,
                                             const char           *path,
                                             GError              **error);
/* How long an accepted connection may take to send its hello (0: 5 s). */
void             any_stream_server_set_hello_timeout (AnyStreamServer *self,
                                             guint                 timeout_ms);
void             any_stream_server_set_max_connections (AnyStreamServer *self,
                                             guint                 max_connections);
/* Stops listening, removes the unix socket files it made, and drops the
 * hellos in flight; accepted links are left alone. */
void             any_stream_server_free     (AnyStreamServer      *self);

/* Connects to @uri (tcp://HOST:PORT or unix:///path) and exchanges the
 * hello; fails after @timeout_ms (0: never) or when either cancellable
 * is cancelled. */
void             any_stream_connect_async   (GUri                 *uri,
                                             guint                 timeout_ms,
                                             GCancellable         *cancellable,
                                             GCancellable         *also_cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
AnyTransport    *any_stream_connect_finish  (GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS

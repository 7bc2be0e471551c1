/* any-io-stream.h: finding what is under a stack of GIOStreams
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The stream right under @stream (transfer full), or NULL: what the
 * "base-iostream" property of libsoup's SoupIOStream (and of the
 * coalescing stream) or the "base-io-stream" of a GTlsConnection holds. */
GIOStream *any_io_stream_dup_base    (GIOStream *stream);
/* The TCP socket under @stream (transfer none, held by the streams),
 * or NULL. */
GSocket   *any_io_stream_find_socket (GIOStream *stream);

G_END_DECLS

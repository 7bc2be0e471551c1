/* any-coalescing-stream.h: a GIOStream that sends a read batch's writes
 * in one go
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "transport/any-ws-flow.h"

G_BEGIN_DECLS

#define ANY_TYPE_COALESCING_STREAM (any_coalescing_stream_get_type ())
G_DECLARE_FINAL_TYPE (AnyCoalescingStream, any_coalescing_stream, ANY, COALESCING_STREAM, GIOStream)

/* @base's input and output streams must be pollable. The new stream
 * passes everything through until any_coalescing_stream_start(). */
GIOStream           *any_coalescing_stream_new   (GIOStream           *base);
void                 any_coalescing_stream_start (AnyCoalescingStream *self);
/* The connection's flow control (any-ws-flow.c), owned by the stream. */
AnyWsFlow           *any_coalescing_stream_get_flow (AnyCoalescingStream *self);
/* Before any_coalescing_stream_start(): bytes read from the base already
 * (behind an HTTP answer) that the reader must get first. */
void                 any_coalescing_stream_unread (AnyCoalescingStream *self,
                                                   const guint8        *data,
                                                   gsize                len);
/* The AnyCoalescingStream under @stream, or NULL. */
AnyCoalescingStream *any_coalescing_stream_find  (GIOStream           *stream);

G_END_DECLS

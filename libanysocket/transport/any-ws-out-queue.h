/* any-ws-out-queue.h: the frames a WebSocket link has not written yet
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <sys/uio.h>

#include "transport/any-transport.h"
#include "transport/any-ws-writer.h"

G_BEGIN_DECLS

typedef struct _AnyWsOutFrame AnyWsOutFrame;

/* Plain data, embedded by its user; zeroed is empty. */
typedef struct {
  AnyWsOutFrame *frames;    /* waiting: frames[head..tail) */
  guint          head;
  guint          tail;
  guint          cap;
  gsize          bytes;     /* not written yet, headers included */
  guint          barriers;
} AnyWsOutQueue;

/* Queues a final frame of @opcode: @bytes (referenced, if not NULL) or a
 * copy of @data, masked with the next of @masks (a client's) or not
 * (NULL); placed as @lane says (any-transport.h). */
void     any_ws_out_queue_push            (AnyWsOutQueue    *self,
                                           guint8            opcode,
                                           GBytes           *bytes,
                                           const guint8     *data,
                                           gsize             len,
                                           AnyTransportLane  lane,
                                           AnyWsMasks       *masks);
/* Queues @wire, a whole frame (header and payload) to send as it is,
 * referenced: the same bytes may wait in many queues. */
void     any_ws_out_queue_push_wire       (AnyWsOutQueue    *self,
                                           GBytes           *wire,
                                           AnyTransportLane  lane);
guint    any_ws_out_queue_length          (AnyWsOutQueue    *self);
/* Bytes waiting, and each frame at its memory cost besides. */
guint64  any_ws_out_queue_cost            (AnyWsOutQueue    *self);
/* Drops every frame not started (one half written must end, or the
 * stream would be cut inside a frame). */
void     any_ws_out_queue_drop_unstarted  (AnyWsOutQueue    *self);
void     any_ws_out_queue_clear           (AnyWsOutQueue    *self);
/* Fills at most @max iovecs with what waits, from the first byte not
 * written; returns how many, their bytes in @total. */
guint    any_ws_out_queue_fill            (AnyWsOutQueue    *self,
                                           struct iovec     *iov,
                                           guint             max,
                                           gsize            *total);
/* @n bytes were written. */
void     any_ws_out_queue_consume         (AnyWsOutQueue    *self,
                                           gsize             n);

G_END_DECLS

/* any-ws-flow.c: the flow control of one WebSocket connection, applied by
 * the coalescing stream under it
 *
 * The coalescing stream (any-coalescing-stream.c) sees every byte libsoup
 * reads and writes on a connection; this is what it does with them
 * besides coalescing, in three parts:
 *
 * - Whole messages are bounded (any-ws-frame-guard.c): libsoup bounds
 *   each frame only. Over the limit the connection fails (the transport
 *   closes it with 1009 and a reason) and nothing more of it reaches
 *   libsoup; what the peer still sends is read and dropped, so that it
 *   can read our close and its own close can reach us.
 *
 * - A turn is bounded: libsoup reads until the socket would block, then
 *   handles all it read. A peer that sends faster than we handle never
 *   lets the socket run dry, and the whole main loop served it alone
 *   (measured: one turn read 25.8 MB of LINK requests and lasted 5.9 s).
 *   After READ_BUDGET bytes the reader is told "would block": it handles
 *   what it has and waits on its source, which is ready again at once,
 *   after the other connections' turns.
 *
 * - Backpressure: libsoup queues every frame we send without a bound,
 *   ~160 bytes of memory for a 10-byte pong. The transport counts the
 *   frames it hands to libsoup (and the guard those libsoup answers on its
 *   own: pongs to pings, a close), the output counts the frames libsoup
 *   wrote (it writes each frame's rest in one call, so a call taken whole
 *   ends a frame). While more than MAX_WAITING_FRAMES wait, the stream
 *   reads nothing from that peer: a peer that does not take its answers
 *   gets no more, and misses its heartbeats. Only on the accepting side:
 *   if both sides paused, a client that sends a burst while the server's
 *   answers pile up would stop reading them, and each would wait for the
 *   other until the heartbeat ended the link. The connecting side always
 *   reads, so the accepting side always drains.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-ws-flow.h"

#include "transport/any-ws-frame-guard.h"

/* Bytes a connection may hand to libsoup in one turn: 4 recv(2)s of the
 * coalescing stream, ~3,000 small requests. */
#define READ_BUDGET (64 * 1024)

/* Frames waiting in libsoup's queue that stop reading, and that let it
 * go on once the queue is back down. */
#define MAX_WAITING_FRAMES 1024
#define RESUME_WAITING_FRAMES (MAX_WAITING_FRAMES / 2)

/* Until the transport says: libsoup's default frame limit. */
#define DEFAULT_MAX_MESSAGE (128 * 1024)

struct _AnyWsFlow
{
  AnyWsFrameGuard    guard;
  gboolean           started;
  gboolean           failed;
  gsize              turn_bytes;     /* handed to the reader this turn */
  guint64            queued;         /* frames for libsoup to write */
  guint64            written;        /* frames it wrote */
  gboolean           backpressure;   /* may pause (the accepting side) */
  gboolean           paused;
  GCancellable      *resume;         /* the paused reader waits for it */
  AnyWsFlowFailFunc  fail_func;
  gpointer           fail_data;
};

AnyWsFlow *
any_ws_flow_new (void)
{
  AnyWsFlow *self = g_new0 (AnyWsFlow, 1);

  any_ws_frame_guard_init (&self->guard, DEFAULT_MAX_MESSAGE);
  return self;
}

void
any_ws_flow_free (AnyWsFlow *self)
{
  g_clear_object (&self->resume);
  g_free (self);
}

void
any_ws_flow_start (AnyWsFlow *self)
{
  self->started = TRUE;
}

gboolean
any_ws_flow_is_failed (AnyWsFlow *self)
{
  return self->failed;
}

void
any_ws_flow_set_fail_func (AnyWsFlow         *self,
                           AnyWsFlowFailFunc  func,
                           gpointer           user_data)
{
  self->fail_func = func;
  self->fail_data = user_data;
}

void
any_ws_flow_set_max_message (AnyWsFlow *self,
                             guint64    max_bytes)
{
  self->guard.max_message = max_bytes;
}

void
any_ws_flow_set_backpressure (AnyWsFlow *self,
                              gboolean   backpressure)
{
  self->backpressure = backpressure;
}

guint64
any_ws_flow_waiting_frames (AnyWsFlow *self)
{
  /* libsoup's own frames not counted as queued (a close it sends on an
   * error) only make this smaller. */
  return self->queued > self->written ? self->queued - self->written : 0;
}

void
any_ws_flow_queued (AnyWsFlow *self)
{
  self->queued++;
}

gboolean
any_ws_flow_may_read (AnyWsFlow *self)
{
  if (!self->started)
    return TRUE;
  if (self->backpressure && !self->paused && any_ws_flow_waiting_frames (self) > MAX_WAITING_FRAMES)
    {
      g_debug ("%" G_GUINT64_FORMAT " frames wait for a peer that does not read: reading it paused",
               any_ws_flow_waiting_frames (self));
      self->paused = TRUE;
    }
  return !self->paused && self->turn_bytes < READ_BUDGET;
}

gboolean
any_ws_flow_received (AnyWsFlow    *self,
                      const guint8 *data,
                      gsize         len)
{
  guint64 answer_bytes;
  g_autofree char *reason = NULL;

  if (!self->started)
    return TRUE;
  self->turn_bytes += len;
  if (any_ws_frame_guard_feed (&self->guard, data, len) == ANY_WS_FRAME_GUARD_OK)
    {
      self->queued += any_ws_frame_guard_take_answers (&self->guard, &answer_bytes);
      return TRUE;
    }

  self->failed = TRUE;
  reason = g_strdup_printf ("Message too big: WebSocket message over %" G_GUINT64_FORMAT " bytes",
                            self->guard.max_message);
  g_debug ("%s", reason);
  if (self->fail_func != NULL)
    self->fail_func (self->fail_data, 1009, reason);
  return FALSE;
}

void
any_ws_flow_wrote (AnyWsFlow *self,
                   gsize      count,
                   gssize     written)
{
  if (!self->started || written != (gssize) count)
    return;
  self->written++;
  if (self->paused && any_ws_flow_waiting_frames (self) <= RESUME_WAITING_FRAMES)
    {
      self->paused = FALSE;
      if (self->resume != NULL)
        g_cancellable_cancel (self->resume);
      g_clear_object (&self->resume);
    }
}

void
any_ws_flow_turn_over (AnyWsFlow *self)
{
  self->turn_bytes = 0;
}

/* What a reader told "would block" waits on (transfer full), or NULL for
 * the socket: only while paused (a failed connection is still read). */
GSource *
any_ws_flow_wait_source (AnyWsFlow *self)
{
  GSource *source;

  if (!self->paused || self->failed)
    return NULL;
  /* Cancelled when the queue is back down: a source that fires then,
   * one per pause, not per message. */
  if (self->resume == NULL)
    self->resume = g_cancellable_new ();
  source = g_cancellable_source_new (self->resume);
  g_source_set_static_name (source, "[anysocket] reading paused, peer not reading");
  return source;
}

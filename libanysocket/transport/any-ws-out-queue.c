/* any-ws-out-queue.c: the frames a WebSocket link has not written yet
 *
 * Each frame is its header (kept here) and a reference to its payload:
 * a server's frames are not copied; a client's payload is copied once,
 * masked. A shared frame (a broadcast, any-shared-frame.h) is one
 * reference to header and payload together, the same bytes in every
 * peer's queue; each queue counts them in full (its send buffer's limit
 * is per peer, whoever else holds the bytes). The frames are in an array (no allocation per frame once it has
 * grown); an URGENT frame is put before every frame not started but the
 * URGENT ones before it, unless a BARRIER waits, then last. The array is freed when it empties, if it had
 * grown past its first size, so that an idle link keeps little.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-ws-out-queue.h"
#include "transport/any-frame-pool.h"

#include <string.h>

struct _AnyWsOutFrame
{
  guint8  header[ANY_WS_MAX_HEADER];
  guint8  header_len;
  guint8  barrier;
  guint8  urgent;
  GBytes *payload;     /* NULL: none */
  gsize   done;        /* bytes of header and payload written */
};

/* What a waiting frame costs besides its bytes: its slot and a GBytes. */
#define FRAME_COST (sizeof (AnyWsOutFrame) + 48)
#define FIRST_SIZE 8

guint
any_ws_out_queue_length (AnyWsOutQueue *self)
{
  return self->tail - self->head;
}

guint64
any_ws_out_queue_cost (AnyWsOutQueue *self)
{
  return self->bytes + (guint64) any_ws_out_queue_length (self) * FRAME_COST;
}

static gsize
frame_size (const AnyWsOutFrame *frame)
{
  return frame->header_len + (frame->payload != NULL ? g_bytes_get_size (frame->payload) : 0);
}

static void
frame_clear (AnyWsOutFrame *frame)
{
  g_clear_pointer (&frame->payload, g_bytes_unref);
}

/* A free slot at @pos (head <= pos <= tail), frames after it moved up. */
static AnyWsOutFrame *
open_slot (AnyWsOutQueue *self,
           guint          pos)
{
  if (self->tail == self->cap)
    {
      if (self->head > 0)
        {
          memmove (self->frames, self->frames + self->head, any_ws_out_queue_length (self) * sizeof (AnyWsOutFrame));
          pos -= self->head;
          self->tail -= self->head;
          self->head = 0;
        }
      else
        {
          self->cap = MAX (self->cap * 2, FIRST_SIZE);
          self->frames = g_renew (AnyWsOutFrame, self->frames, self->cap);
        }
    }
  memmove (self->frames + pos + 1, self->frames + pos, (self->tail - pos) * sizeof (AnyWsOutFrame));
  self->tail++;
  return &self->frames[pos];
}

/* A new frame's slot, placed as @lane says, with no bytes yet. */
static AnyWsOutFrame *
push_slot (AnyWsOutQueue    *self,
           AnyTransportLane  lane)
{
  AnyWsOutFrame *frame;
  guint pos = self->tail;

  /* Ahead of the frames not started, behind the URGENT ones before it
   * (pongs go in the order of their pings). */
  if (lane == ANY_TRANSPORT_LANE_URGENT && self->barriers == 0)
    {
      pos = self->head + (self->head < self->tail && self->frames[self->head].done > 0 ? 1 : 0);
      while (pos < self->tail && self->frames[pos].urgent)
        pos++;
    }
  frame = open_slot (self, pos);
  frame->done = 0;
  frame->barrier = lane == ANY_TRANSPORT_LANE_BARRIER;
  frame->urgent = lane == ANY_TRANSPORT_LANE_URGENT;
  frame->header_len = 0;
  frame->payload = NULL;
  return frame;
}

static void
pushed (AnyWsOutQueue *self,
        AnyWsOutFrame *frame)
{
  self->bytes += frame_size (frame);
  self->barriers += frame->barrier;
}

void
any_ws_out_queue_push (AnyWsOutQueue    *self,
                       guint8            opcode,
                       GBytes           *bytes,
                       const guint8     *data,
                       gsize             len,
                       AnyTransportLane  lane,
                       AnyWsMasks       *masks)
{
  guint8 mask[4];
  AnyWsOutFrame *frame = push_slot (self, lane);

  if (masks != NULL)
    {
      any_ws_masks_next (masks, mask);
      frame->header_len = any_ws_write_header (frame->header, opcode, len, mask);
      if (len >= ANY_FRAME_POOL_FROM)
        {
          /* A big frame's copy goes to a recycled buffer (any-frame-pool.c). */
          GString *masked = any_frame_pool_take (len);

          g_string_set_size (masked, len);
          any_ws_mask_copy ((guint8 *) masked->str, data, len, mask);
          frame->payload = any_frame_pool_to_bytes (masked, 0);
        }
      else if (len > 0)
        {
          guint8 *masked = g_malloc (len);

          any_ws_mask_copy (masked, data, len, mask);
          frame->payload = g_bytes_new_take (masked, len);
        }
    }
  else
    {
      frame->header_len = any_ws_write_header (frame->header, opcode, len, NULL);
      if (len > 0)
        frame->payload = bytes != NULL ? g_bytes_ref (bytes) : g_bytes_new (data, len);
    }
  pushed (self, frame);
}

void
any_ws_out_queue_push_wire (AnyWsOutQueue    *self,
                            GBytes           *wire,
                            AnyTransportLane  lane)
{
  AnyWsOutFrame *frame = push_slot (self, lane);

  frame->payload = g_bytes_ref (wire);
  pushed (self, frame);
}

void
any_ws_out_queue_drop_unstarted (AnyWsOutQueue *self)
{
  guint keep = self->head < self->tail && self->frames[self->head].done > 0 ? 1 : 0;

  for (guint i = self->head + keep; i < self->tail; i++)
    {
      self->bytes -= frame_size (&self->frames[i]) - self->frames[i].done;
      frame_clear (&self->frames[i]);
    }
  self->tail = self->head + keep;
  self->barriers = 0;
}

void
any_ws_out_queue_clear (AnyWsOutQueue *self)
{
  for (guint i = self->head; i < self->tail; i++)
    frame_clear (&self->frames[i]);
  g_clear_pointer (&self->frames, g_free);
  memset (self, 0, sizeof *self);
}

guint
any_ws_out_queue_fill (AnyWsOutQueue *self,
                       struct iovec  *iov,
                       guint          max,
                       gsize         *total)
{
  guint n = 0;

  *total = 0;
  for (guint i = self->head; i < self->tail && n + 2 <= max; i++)
    {
      AnyWsOutFrame *frame = &self->frames[i];
      gsize skip = frame->done;

      if (skip < frame->header_len)
        {
          iov[n].iov_base = frame->header + skip;
          iov[n].iov_len = frame->header_len - skip;
          *total += iov[n++].iov_len;
          skip = 0;
        }
      else
        skip -= frame->header_len;
      if (frame->payload != NULL)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (frame->payload, &size);

          iov[n].iov_base = (void *) (data + skip);
          iov[n].iov_len = size - skip;
          *total += iov[n++].iov_len;
        }
    }
  return n;
}

void
any_ws_out_queue_consume (AnyWsOutQueue *self,
                          gsize          n)
{
  self->bytes -= n;
  while (n > 0)
    {
      AnyWsOutFrame *frame = &self->frames[self->head];
      gsize left = frame_size (frame) - frame->done;

      if (n < left)
        {
          frame->done += n;
          return;
        }
      n -= left;
      self->barriers -= frame->barrier;
      frame_clear (frame);
      self->head++;
    }
  if (self->head == self->tail)
    {
      self->head = self->tail = 0;
      if (self->cap > FIRST_SIZE)
        {
          g_clear_pointer (&self->frames, g_free);
          self->cap = 0;
        }
    }
}

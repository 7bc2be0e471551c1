/* any-ws-frame-guard.c: follows RFC 6455 frame headers in a byte stream
 * to bound whole messages, not frames
 *
 * libsoup 3.2 limits each frame (max-incoming-payload-size) but joins the
 * fragments of a message without a limit: a peer that starts a message
 * and never ends it (FIN=0, then continuations) makes it buffer forever.
 * This tracker sees the bytes before libsoup does (the coalescing stream
 * feeds it what it reads from the socket), adds up the payload of the
 * data message being received across its fragments, and says when it
 * goes over the limit, as soon as the header of the frame that would take
 * it there arrives, before that frame's payload is buffered anywhere.
 *
 * It only reads headers and skips payloads (masked or not, the length is
 * in the clear), so its cost is per frame, not per byte. Validation stays
 * with the WebSocket implementation: a frame it would refuse (bad
 * opcode, fragmented control frame) passes here unjudged, except its
 * length. It is independent of libsoup, for the framing of our own that
 * will replace it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-ws-frame-guard.h"

#include <string.h>

#define OPCODE_CLOSE 0x8
#define OPCODE_PING  0x9

void
any_ws_frame_guard_init (AnyWsFrameGuard *self,
                         guint64          max_message)
{
  memset (self, 0, sizeof *self);
  self->max_message = max_message;
}

/* How long the header starting with @header[0..1] is. */
static guint
header_size (const guint8 *header)
{
  guint size = 2 + ((header[1] & 0x80) ? 4 : 0);

  switch (header[1] & 0x7f)
    {
    case 126:
      return size + 2;
    case 127:
      return size + 8;
    default:
      return size;
    }
}

static guint64
header_payload_len (const guint8 *header)
{
  guint64 len = header[1] & 0x7f;

  if (len == 126)
    return ((guint64) header[2] << 8) | header[3];
  if (len == 127)
    {
      len = 0;
      for (guint i = 2; i < 10; i++)
        len = (len << 8) | header[i];
    }
  return len;
}

/* A whole header is in self->header: account for its frame. */
static AnyWsFrameGuardResult
frame_started (AnyWsFrameGuard *self)
{
  const guint8 *header = self->header;
  gboolean fin = (header[0] & 0x80) != 0;
  guint8 opcode = header[0] & 0x0f;
  guint64 len = header_payload_len (header);

  self->header_len = 0;
  self->payload_left = len;
  if (opcode & 0x8)
    {
      /* Control frames may come between fragments; they are not part of
       * the message. Their payload is at most 125 bytes (libsoup refuses
       * more). */
      if (opcode == OPCODE_PING || opcode == OPCODE_CLOSE)
        {
          self->answers++;
          self->answer_bytes += MIN (len, 125);
        }
      return ANY_WS_FRAME_GUARD_OK;
    }
  if (len > self->max_message || self->message_bytes > self->max_message - len)
    return ANY_WS_FRAME_GUARD_TOO_BIG;
  self->message_bytes = fin ? 0 : self->message_bytes + len;
  return ANY_WS_FRAME_GUARD_OK;
}

AnyWsFrameGuardResult
any_ws_frame_guard_feed (AnyWsFrameGuard *self,
                         const guint8    *data,
                         gsize            len)
{
  while (len > 0)
    {
      gsize n;

      if (self->payload_left > 0)
        {
          n = MIN (self->payload_left, len);
          self->payload_left -= n;
          data += n;
          len -= n;
          continue;
        }

      /* In a header: take what it still needs, up to its size once its
       * first two bytes say what that is. */
      n = MIN (len, (self->header_len < 2 ? 2 : header_size (self->header)) - self->header_len);
      memcpy (self->header + self->header_len, data, n);
      self->header_len += n;
      data += n;
      len -= n;
      if (self->header_len >= 2 && self->header_len == header_size (self->header) &&
          frame_started (self) != ANY_WS_FRAME_GUARD_OK)
        return ANY_WS_FRAME_GUARD_TOO_BIG;
    }
  return ANY_WS_FRAME_GUARD_OK;
}

guint
any_ws_frame_guard_take_answers (AnyWsFrameGuard *self,
                                 guint64         *payload_bytes)
{
  guint answers = self->answers;

  *payload_bytes = self->answer_bytes;
  self->answers = 0;
  self->answer_bytes = 0;
  return answers;
}

/* any-ws-parser.c: an incremental RFC 6455 frame parser
 *
 * Bytes go in as they come from the socket, in any pieces (down to one
 * byte at a time); events come out: a whole message, a ping, a pong, a
 * close, or an error with the close code to answer it with. Everything
 * the RFC makes an endpoint refuse is refused here, at the first byte
 * that shows it:
 *
 * - RSV1-3 set (no extension is negotiated on this path), a reserved
 *   opcode, a continuation with no message open or a new message while
 *   one is: 1002;
 * - an unmasked frame from a client, a masked one from a server: 1002;
 * - a length not in its shortest form (126 for less than 126, 127 for
 *   less than 65536) or with the top bit set: 1002;
 * - a control frame fragmented or over 125 bytes: 1002; a close frame
 *   with a 1-byte payload or a code outside 1000-1003, 1007-1011,
 *   3000-4999: 1002; its reason not UTF-8: 1007;
 * - a data message over max_message, counted over all its fragments, as
 *   soon as the header of the frame that would take it there is read
 *   (before its payload is buffered): 1009;
 * - text that is not UTF-8, checked as the payload arrives, across
 *   fragments: 1007 at the first wrong byte, not at the end of the
 *   message.
 *
 * Payloads are unmasked in place in the caller's buffer. A message in one
 * frame whose payload is all in that buffer is given in place, without a
 * copy; others are assembled in a buffer that is freed with the message
 * (an idle connection holds none).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-ws-parser.h"
#include "transport/any-ws-writer.h"

#include <string.h>

/* --- UTF-8 --------------------------------------------------------------- */

void
any_utf8_state_init (AnyUtf8State *state)
{
  state->need = 0;
  state->lower = 0x80;
  state->upper = 0xbf;
}

static inline gboolean
utf8_lead (AnyUtf8State *state,
           guint8        b)
{
  state->lower = 0x80;
  state->upper = 0xbf;
  if (b >= 0xc2 && b <= 0xdf)
    state->need = 1;
  else if (b >= 0xe0 && b <= 0xef)
    {
      state->need = 2;
      if (b == 0xe0)
        state->lower = 0xa0;      /* overlong */
      else if (b == 0xed)
        state->upper = 0x9f;      /* surrogates */
    }
  else if (b >= 0xf0 && b <= 0xf4)
    {
      state->need = 3;
      if (b == 0xf0)
        state->lower = 0x90;      /* overlong */
      else if (b == 0xf4)
        state->upper = 0x8f;      /* over U+10FFFF */
    }
  else
    return FALSE;
  return TRUE;
}

gboolean
any_utf8_state_feed (AnyUtf8State *state,
                     const guint8 *data,
                     gsize         len)
{
  gsize i = 0;

  while (i < len)
    {
      guint8 b = data[i];

      if (state->need > 0)
        {
          if (b < state->lower || b > state->upper)
            return FALSE;
          state->need--;
          state->lower = 0x80;
          state->upper = 0xbf;
          i++;
          continue;
        }
      /* ASCII runs, 8 bytes at a time */
      while (i + 8 <= len)
        {
          guint64 word;

          memcpy (&word, data + i, 8);
          if (word & G_GUINT64_CONSTANT (0x8080808080808080))
            break;
          i += 8;
        }
      if (i == len)
        break;
      b = data[i++];
      if (b >= 0x80 && !utf8_lead (state, b))
        return FALSE;
    }
  return TRUE;
}

gboolean
any_utf8_state_whole (AnyUtf8State *state)
{
  return state->need == 0;
}

/* --- frames -------------------------------------------------------------- */

void
any_ws_parser_init (AnyWsParser *self,
                    gboolean     expect_masked,
                    guint64      max_message)
{
  memset (self, 0, sizeof *self);
  self->expect_masked = expect_masked;
  self->max_message = max_message;
  any_utf8_state_init (&self->utf8);
}

void
any_ws_parser_clear (AnyWsParser *self)
{
  g_clear_pointer (&self->message, g_byte_array_unref);
}

static AnyWsParseResult
fail (AnyWsParser *self,
      gushort      code,
      const char  *reason)
{
  self->error_code = code;
  self->error_reason = reason;
  g_clear_pointer (&self->message, g_byte_array_unref);
  return ANY_WS_PARSE_ERROR;
}

static guint
header_size (const guint8 *header)
{
  guint size = 2 + ((header[1] & 0x80) ? 4 : 0);
  guint len = header[1] & 0x7f;

  return size + (len == 126 ? 2 : len == 127 ? 8 : 0);
}

static gboolean
valid_close_code (gushort code)
{
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
         (code >= 3000 && code <= 4999);
}

/* A whole header is in self->header: check it and start its payload. */
static AnyWsParseResult
start_frame (AnyWsParser *self)
{
  const guint8 *h = self->header;
  guint len7 = h[1] & 0x7f;
  guint64 len = len7;
  guint at = 2;

  self->fin = (h[0] & 0x80) != 0;
  self->opcode = h[0] & 0x0f;
  self->masked = (h[1] & 0x80) != 0;
  if (h[0] & 0x70)
    return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket frame with reserved bits set");
  if (len7 == 126)
    {
      len = ((guint64) h[2] << 8) | h[3];
      at = 4;
      if (len < 126)
        return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket frame length not minimal");
    }
  else if (len7 == 127)
    {
      len = 0;
      for (guint i = 2; i < 10; i++)
        len = (len << 8) | h[i];
      at = 10;
      if (len >> 63)
        return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket frame length over 2^63");
      if (len <= G_MAXUINT16)
        return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket frame length not minimal");
    }
  if (self->masked != self->expect_masked)
    return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR,
                 self->masked ? "Invalid Packet! Masked WebSocket frame from a server"
                              : "Invalid Packet! Unmasked WebSocket frame from a client");
  if (self->masked)
    memcpy (self->mask, h + at, 4);
  self->mask_pos = 0;

  switch (self->opcode)
    {
    case ANY_WS_OPCODE_CLOSE:
    case ANY_WS_OPCODE_PING:
    case ANY_WS_OPCODE_PONG:
      if (!self->fin)
        return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! Fragmented WebSocket control frame");
      if (len > ANY_WS_MAX_CONTROL)
        return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket control frame over 125 bytes");
      self->control_len = 0;
      break;
    case ANY_WS_OPCODE_CONTINUATION:
      if (self->message_opcode == 0)
        return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket continuation without a message");
      break;
    case ANY_WS_OPCODE_TEXT:
    case ANY_WS_OPCODE_BINARY:
      if (self->message_opcode != 0)
        return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket message inside a fragmented one");
      self->message_opcode = self->opcode;
      self->message_len = 0;
      break;
    default:
      return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! Reserved WebSocket opcode");
    }
  if (!(self->opcode & 0x8))
    {
      if (len > self->max_message - self->message_len)
        return fail (self, ANY_WS_CLOSE_TOO_BIG, "Message too big: WebSocket message over the size limit");
      self->message_len += len;
    }
  self->frame_left = len;
  self->in_payload = TRUE;
  return ANY_WS_PARSE_MORE;
}

static void
unmask (AnyWsParser *self,
        guint8      *data,
        gsize        len)
{
  guint8 rotated[4];

  if (!self->masked || len == 0)
    return;
  /* The mask from where the last piece of this payload stopped. */
  for (guint k = 0; k < 4; k++)
    rotated[k] = self->mask[(self->mask_pos + k) & 3];
  any_ws_mask_copy (data, data, len, rotated);
  self->mask_pos = (self->mask_pos + len) & 3;
}

/* The payload of a control frame is all in self->control. */
static AnyWsParseResult
end_control (AnyWsParser *self)
{
  self->data = self->control;
  self->len = self->control_len;
  if (self->opcode == ANY_WS_OPCODE_PING)
    return ANY_WS_PARSE_PING;
  if (self->opcode == ANY_WS_OPCODE_PONG)
    return ANY_WS_PARSE_PONG;

  self->close_reason[0] = '\0';
  if (self->control_len == 0)
    {
      self->close_code = ANY_WS_CLOSE_NO_STATUS;
      return ANY_WS_PARSE_CLOSE;
    }
  if (self->control_len == 1)
    return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! WebSocket close frame of 1 byte");
  self->close_code = (self->control[0] << 8) | self->control[1];
  if (!valid_close_code (self->close_code))
    return fail (self, ANY_WS_CLOSE_PROTOCOL_ERROR, "Invalid Packet! Invalid WebSocket close code");
  {
    AnyUtf8State utf8;

    any_utf8_state_init (&utf8);
    if (!any_utf8_state_feed (&utf8, self->control + 2, self->control_len - 2) ||
        !any_utf8_state_whole (&utf8))
      return fail (self, ANY_WS_CLOSE_BAD_DATA, "Invalid Packet! WebSocket close reason is not valid UTF-8");
  }
  memcpy (self->close_reason, self->control + 2, self->control_len - 2);
  self->close_reason[self->control_len - 2] = '\0';
  return ANY_WS_PARSE_CLOSE;
}

AnyWsParseResult
any_ws_parser_feed (AnyWsParser *self,
                    guint8      *data,
                    gsize        len,
                    gsize       *taken)
{
  gsize pos = 0;
  AnyWsParseResult result = ANY_WS_PARSE_MORE;

  *taken = 0;
  if (self->error_code != 0)
    return ANY_WS_PARSE_ERROR;
  /* The message given last time is handled. */
  if (self->message_opcode == 0 && self->message != NULL)
    g_clear_pointer (&self->message, g_byte_array_unref);
  self->data = NULL;
  self->len = 0;

  while (result == ANY_WS_PARSE_MORE)
    {
      if (!self->in_payload)
        {
          guint want;
          gsize n;

          if (pos == len)
            break;
          want = self->header_len < 2 ? 2 : header_size (self->header);
          n = MIN (len - pos, want - self->header_len);
          memcpy (self->header + self->header_len, data + pos, n);
          self->header_len += n;
          pos += n;
          if (self->header_len < 2 || self->header_len < header_size (self->header))
            continue;
          self->header_len = 0;
          result = start_frame (self);
          if (result != ANY_WS_PARSE_MORE)
            break;
        }
      else
        {
          gsize n = (gsize) MIN ((guint64) (len - pos), self->frame_left);
          guint8 *chunk = data + pos;

          if (n == 0 && self->frame_left > 0)
            break;
          unmask (self, chunk, n);
          pos += n;
          self->frame_left -= n;
          if (self->opcode & 0x8)
            {
              memcpy (self->control + self->control_len, chunk, n);
              self->control_len += n;
            }
          else
            {
              if (self->message_opcode == ANY_WS_OPCODE_TEXT && !any_utf8_state_feed (&self->utf8, chunk, n))
                {
                  result = fail (self, ANY_WS_CLOSE_BAD_DATA, "Invalid Packet! Text frame is not valid UTF-8");
                  break;
                }
              /* Whole in one frame, all here: given in place. */
              if (self->fin && self->message == NULL && self->frame_left == 0 && n == self->message_len)
                {
                  self->data = chunk;
                  self->len = n;
                }
              else if (n > 0)
                {
                  if (self->message == NULL)
                    self->message = g_byte_array_sized_new (MIN (self->message_len, 64 * 1024));
                  g_byte_array_append (self->message, chunk, n);
                }
            }
          if (self->frame_left > 0)
            continue;

          /* The frame ended. */
          self->in_payload = FALSE;
          if (self->opcode & 0x8)
            {
              result = end_control (self);
              break;
            }
          if (!self->fin)
            continue;
          if (self->message_opcode == ANY_WS_OPCODE_TEXT && !any_utf8_state_whole (&self->utf8))
            {
              result = fail (self, ANY_WS_CLOSE_BAD_DATA, "Invalid Packet! Text frame is not valid UTF-8");
              break;
            }
          if (self->message != NULL)
            {
              self->data = self->message->data;
              self->len = self->message->len;
            }
          else if (self->data == NULL)
            self->data = (const guint8 *) "";   /* empty */
          self->is_text = self->message_opcode == ANY_WS_OPCODE_TEXT;
          self->message_opcode = 0;
          self->message_len = 0;
          any_utf8_state_init (&self->utf8);
          result = ANY_WS_PARSE_MESSAGE;
        }
    }
  *taken = pos;
  return result;
}

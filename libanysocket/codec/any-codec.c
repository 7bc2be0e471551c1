/* any-codec.c: chunk and FORWARD frame encoding (PROTOCOL.md 2 and 8)
 *
 * The JavaScript peer writes header bytes as code points U+0000..U+00FF of
 * a JavaScript string, which the WebSocket layer sends as UTF-8. A byte
 * below 0x80 is therefore one byte on the wire and a byte from 0x80 up is
 * two (0xC2 or 0xC3, then a continuation byte).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "any-error.h"
#include "codec/any-codec.h"

const char *
any_packet_type_to_string (AnyPacketType type)
{
  switch (type)
    {
    case ANY_PACKET_TYPE_AUTH:      return "AUTH";
    case ANY_PACKET_TYPE_INTERNAL:  return "INTERNAL";
    case ANY_PACKET_TYPE_LINK:      return "LINK";
    case ANY_PACKET_TYPE_SWITCH:    return "SWITCH";
    case ANY_PACKET_TYPE_HEARTBEAT: return "HEARTBEAT";
    case ANY_PACKET_TYPE_FORWARD:   return "FORWARD";
    default:                        return "UNKNOWN";
    }
}

static inline gsize
put_byte_code_point (guint8 *out, guint8 byte)
{
  if (byte < 0x80)
    {
      out[0] = byte;
      return 1;
    }
  out[0] = 0xC0 | (byte >> 6);
  out[1] = 0x80 | (byte & 0x3F);
  return 2;
}

/* Reads one code point in U+0000..U+00FF; returns the bytes used, 0 if the
 * input does not hold one. */
static inline gsize
get_byte_code_point (const guint8 *in, gsize len, guint8 *byte)
{
  if (len >= 1 && in[0] < 0x80)
    {
      *byte = in[0];
      return 1;
    }
  if (len >= 2 && (in[0] == 0xC2 || in[0] == 0xC3) && (in[1] & 0xC0) == 0x80)
    {
      *byte = (guint8) (((in[0] & 0x03) << 6) | (in[1] & 0x3F));
      return 2;
    }
  return 0;
}

gsize
any_chunk_header_encode (guint8         out[ANY_CHUNK_HEADER_MAX],
                         gboolean       last,
                         AnyPacketType  type,
                         gint32         seq)
{
  guint32 useq = (guint32) seq;
  gsize n = 0;

  out[n++] = last ? ANY_CHUNK_LAST : ANY_CHUNK_PARTIAL;
  out[n++] = (guint8) ('0' + type);
  n += put_byte_code_point (out + n, (useq >> 24) & 0xFF);
  n += put_byte_code_point (out + n, (useq >> 16) & 0xFF);
  n += put_byte_code_point (out + n, (useq >> 8) & 0xFF);
  n += put_byte_code_point (out + n, useq & 0xFF);
  return n;
}

void
any_chunk_encode (GString       *out,
                  gboolean       last,
                  AnyPacketType  type,
                  gint32         seq,
                  const char    *body,
                  gsize          body_len)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize n = any_chunk_header_encode (header, last, type, seq);

  g_string_append_len (out, (const char *) header, n);
  g_string_append_len (out, body, body_len);
}

gboolean
any_chunk_decode (const guint8  *frame,
                  gsize          len,
                  AnyChunk      *chunk,
                  GError       **error)
{
  guint32 seq = 0;
  gsize pos = 2;

  if (len < 6)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "Truncated chunk header (%" G_GSIZE_FORMAT " bytes)", len);
      return FALSE;
    }
  if (frame[0] != ANY_CHUNK_LAST && frame[0] != ANY_CHUNK_PARTIAL)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "Invalid chunk flag 0x%02x", frame[0]);
      return FALSE;
    }
  if (frame[1] < '0' + ANY_PACKET_TYPE_AUTH || frame[1] > '0' + ANY_PACKET_TYPE_HEARTBEAT)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "Unknown packet type 0x%02x", frame[1]);
      return FALSE;
    }

  for (guint i = 0; i < 4; i++)
    {
      guint8 byte;
      gsize used = get_byte_code_point (frame + pos, len - pos, &byte);

      if (used == 0)
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                       "Invalid or truncated seq in chunk header");
          return FALSE;
        }
      seq = (seq << 8) | byte;
      pos += used;
    }

  chunk->last = frame[0] == ANY_CHUNK_LAST;
  chunk->type = (AnyPacketType) (frame[1] - '0');
  chunk->seq = (gint32) seq;
  chunk->body = frame + pos;
  chunk->body_len = len - pos;
  return TRUE;
}

/* Length in bytes of the longest prefix of @text (valid UTF-8) that holds at
 * most @max_units UTF-16 code units, never cutting a character in two (the
 * JavaScript peer may cut a surrogate pair, which its WebSocket layer then
 * turns into two U+FFFD; we do not). */
gsize
any_chunk_slice_length (const char *text,
                        gsize       len,
                        gsize       max_units)
{
  const guint8 *p = (const guint8 *) text;
  gsize pos = 0, units = 0;

  /* Every UTF-8 byte is at most one UTF-16 unit. */
  if (len <= max_units)
    return len;

  /* ASCII is one unit a byte: skip it a word at a time (most JSON is). */
  while (pos + sizeof (guint64) <= max_units)
    {
      guint64 word;

      memcpy (&word, p + pos, sizeof word);
      if ((word & G_GUINT64_CONSTANT (0x8080808080808080)) != 0)
        break;
      pos += sizeof word;
    }
  units = pos;

  while (pos < len)
    {
      guint8 c = p[pos];
      gsize bytes, cost;

      if (c < 0x80)       { bytes = 1; cost = 1; }
      else if (c < 0xE0)  { bytes = 2; cost = 1; }
      else if (c < 0xF0)  { bytes = 3; cost = 1; }
      else                { bytes = 4; cost = 2; }

      if (units + cost > max_units || pos + bytes > len)
        break;
      units += cost;
      pos += bytes;
    }

  /* A limit below one character still makes progress. */
  if (pos == 0 && len > 0)
    {
      pos = 1;
      while (pos < len && (p[pos] & 0xC0) == 0x80)
        pos++;
    }
  return pos;
}

/* The frames of one packet, in order; each is a GBytes. */
GPtrArray *
any_chunk_split (AnyPacketType  type,
                 gint32         seq,
                 const char    *text,
                 gsize          len,
                 gsize          max_units)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize pos = 0;

  do
    {
      gsize slice = any_chunk_slice_length (text + pos, len - pos, max_units);
      gboolean last = pos + slice >= len;
      GString *frame = g_string_sized_new (slice + ANY_CHUNK_HEADER_MAX);

      any_chunk_encode (frame, last, type, seq, text + pos, slice);
      g_ptr_array_add (frames, g_string_free_to_bytes (frame));
      pos += slice;
    }
  while (pos < len);

  return frames;
}

gboolean
any_frame_is_forward (const guint8 *frame,
                      gsize         len)
{
  return len > 0 && frame[0] == ANY_FRAME_FORWARD;
}

void
any_forward_encode (GString      *out,
                    const guint8  to[16],
                    const guint8  from[16],
                    const guint8 *inner,
                    gsize         inner_len)
{
  guint8 header[ANY_FORWARD_HEADER_MAX];
  gsize n = 0;

  header[n++] = ANY_FRAME_FORWARD;
  for (guint i = 0; i < 16; i++)
    n += put_byte_code_point (header + n, to[i]);
  for (guint i = 0; i < 16; i++)
    n += put_byte_code_point (header + n, from[i]);
  g_string_append_len (out, (const char *) header, n);
  g_string_append_len (out, (const char *) inner, inner_len);
}

gboolean
any_forward_decode (const guint8  *frame,
                    gsize          len,
                    AnyForward    *forward,
                    GError       **error)
{
  gsize pos = 1;

  if (!any_frame_is_forward (frame, len))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "Not a FORWARD frame");
      return FALSE;
    }
  for (guint i = 0; i < 32; i++)
    {
      guint8 *dest = i < 16 ? &forward->to[i] : &forward->from[i - 16];
      gsize used = get_byte_code_point (frame + pos, len - pos, dest);

      if (used == 0)
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                       "Invalid or truncated FORWARD header");
          return FALSE;
        }
      pos += used;
    }
  forward->inner = frame + pos;
  forward->inner_len = len - pos;
  forward->binary = FALSE;
  return TRUE;
}

gboolean
any_id_to_bytes (const char *id,
                 guint8      out[16])
{
  for (guint i = 0; i < 16; i++)
    {
      int hi, lo;

      if (id[2 * i] == '\0' || id[2 * i + 1] == '\0')
        return FALSE;
      hi = g_ascii_xdigit_value (id[2 * i]);
      lo = g_ascii_xdigit_value (id[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) ((hi << 4) | lo);
    }
  return id[32] == '\0';
}

void
any_id_from_bytes (const guint8 bytes[16],
                   char         out[33])
{
  static const char hex[] = "0123456789abcdef";

  for (guint i = 0; i < 16; i++)
    {
      out[2 * i] = hex[bytes[i] >> 4];
      out[2 * i + 1] = hex[bytes[i] & 0x0f];
    }
  out[32] = '\0';
}

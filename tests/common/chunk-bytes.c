/* chunk-bytes.c: AnySocket chunks written and read byte by byte
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "chunk-bytes.h"
#include "json-msg.h"

void
append_byte_code_point (GByteArray *out,
                        guint8      byte)
{
  if (byte < 0x80)
    {
      g_byte_array_append (out, &byte, 1);
    }
  else
    {
      guint8 two[2] = { 0xC0 | (byte >> 6), 0x80 | (byte & 0x3F) };

      g_byte_array_append (out, two, 2);
    }
}

GBytes *
chunk_new (char        flag,
           char        type,
           gint32      seq,
           const char *body,
           gsize       body_len)
{
  GByteArray *out = g_byte_array_sized_new (body_len + 10);
  guint32 useq = (guint32) seq;
  guint8 head[2] = { (guint8) flag, (guint8) type };

  g_byte_array_append (out, head, 2);
  for (int shift = 24; shift >= 0; shift -= 8)
    append_byte_code_point (out, (useq >> shift) & 0xFF);
  if (body_len > 0)
    g_byte_array_append (out, (const guint8 *) body, body_len);
  return g_byte_array_free_to_bytes (out);
}

RawFrame *
raw_frame_decode (SoupWebsocketDataType  type,
                  GBytes                *message)
{
  RawFrame *frame = g_new0 (RawFrame, 1);
  gsize len, pos = 2;
  const guint8 *data = g_bytes_get_data (message, &len);
  guint32 seq = 0;

  frame->binary = type != SOUP_WEBSOCKET_DATA_TEXT;
  frame->valid = len >= 6;
  if (len >= 2)
    {
      frame->flag = (char) data[0];
      frame->type = (char) data[1];
    }
  for (guint i = 0; i < 4 && frame->valid; i++)
    {
      if (pos < len && data[pos] < 0x80)
        {
          seq = (seq << 8) | data[pos];
          pos += 1;
        }
      else if (pos + 1 < len && (data[pos] == 0xC2 || data[pos] == 0xC3))
        {
          seq = (seq << 8) | (((data[pos] & 0x03) << 6) | (data[pos + 1] & 0x3F));
          pos += 2;
        }
      else
        {
          frame->valid = FALSE;
        }
    }
  frame->seq = (gint32) seq;
  if (!frame->valid)
    pos = MIN (len, 2);
  frame->body_len = len - pos;
  frame->body = g_malloc (frame->body_len + 1);
  memcpy (frame->body, data + pos, frame->body_len);
  frame->body[frame->body_len] = '\0';
  return frame;
}

void
raw_frame_free (gpointer data)
{
  RawFrame *frame = data;

  g_free (frame->body);
  g_free (frame);
}

JsonObject *
frame_object (RawFrame  *frame,
              JsonNode **holder)
{
  *holder = frame ? json_or_null (frame->body) : NULL;
  return *holder != NULL && JSON_NODE_HOLDS_OBJECT (*holder) ? json_node_get_object (*holder) : NULL;
}

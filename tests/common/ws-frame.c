/* ws-frame.c: hand-made RFC 6455 frames for tests
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ws-frame.h"

void
ws_frame_append (GByteArray   *out,
                 guint8        first,
                 gboolean      masked,
                 const guint8 *payload,
                 gsize         len)
{
  guint8 head[14] = { first, masked ? 0x80 : 0 };
  guint head_len = 2;

  if (len < 126)
    {
      head[1] |= len;
    }
  else if (len <= G_MAXUINT16)
    {
      head[1] |= 126;
      head[2] = len >> 8;
      head[3] = len & 0xff;
      head_len = 4;
    }
  else
    {
      head[1] |= 127;
      for (guint i = 0; i < 8; i++)
        head[2 + i] = ((guint64) len >> (56 - 8 * i)) & 0xff;
      head_len = 10;
    }
  g_byte_array_append (out, head, head_len + (masked ? 4 : 0));
  if (payload != NULL)
    {
      g_byte_array_append (out, payload, len);
    }
  else
    {
      gsize at = out->len;

      g_byte_array_set_size (out, at + len);
      memset (out->data + at, 0, len);
    }
}

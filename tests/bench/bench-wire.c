/* bench-wire.c: the frames the hand-written load generators send
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "bench-wire.h"

gint32
bench_wire_next_seq (gint32 *seq)
{
  *seq = *seq == G_MAXINT32 ? 1 : *seq + 1;
  return *seq;
}

gsize
bench_wire_packet (guint8         out[BENCH_WIRE_PACKET_MAX],
                   AnyPacketType  type,
                   gint32         seq,
                   const char    *json,
                   gsize          json_len)
{
  gsize n;

  g_assert (json_len <= BENCH_WIRE_PACKET_MAX - ANY_CHUNK_HEADER_MAX);
  n = any_chunk_header_encode (out, TRUE, type, seq);
  memcpy (out + n, json, json_len);
  return n + json_len;
}

void
bench_wire_new_id (guint8 id[16])
{
  for (int i = 0; i < 16; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (id + i, &r, 4);
    }
  id[6] = (id[6] & 0x0f) | 0x40;   /* a UUIDv4, as PROTOCOL.md 4 asks */
  id[8] = (id[8] & 0x3f) | 0x80;
}

gsize
bench_wire_auth_json_for (const guint8 id[16],
                          char         out[64])
{
  char hex[33];

  any_id_from_bytes (id, hex);
  return (gsize) g_snprintf (out, 64, "{\"id\":\"%s\"}", hex);
}

gsize
bench_wire_auth_json (char out[64])
{
  guint8 id[16];

  bench_wire_new_id (id);
  return bench_wire_auth_json_for (id, out);
}

void
bench_ws_upgrade_request (char  *out,
                          gsize  size,
                          int    port)
{
  g_snprintf (out, size,
              "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", port);
}

gsize
bench_ws_head (guint8        out[14],
               guint8        opcode,
               gsize         len,
               const guint8  key[4])
{
  gsize n = 2;

  out[0] = 0x80 | opcode;
  if (len < 126)
    out[1] = 0x80 | (guint8) len;
  else
    {
      g_assert (len <= 0xffff);
      out[1] = 0x80 | 126;
      out[2] = (guint8) (len >> 8);
      out[3] = (guint8) len;
      n = 4;
    }
  memcpy (out + n, key, 4);
  return n + 4;
}

void
bench_ws_mask (guint8       *data,
               gsize         len,
               const guint8  key[4],
               gsize         offset)
{
  for (gsize i = 0; i < len; i++)
    data[i] ^= key[(offset + i) & 3];
}

void
bench_ws_frame (GByteArray   *out,
                guint8        opcode,
                const guint8 *payload,
                gsize         len,
                const guint8  key[4])
{
  guint8 head[14];
  guint start;

  g_byte_array_append (out, head, (guint) bench_ws_head (head, opcode, len, key));
  start = out->len;
  g_byte_array_append (out, payload, (guint) len);
  bench_ws_mask (out->data + start, len, key, 0);
}

gboolean
bench_ws_parse_head (const guint8 *buf,
                     gsize         len,
                     guint8       *first,
                     gsize        *head,
                     guint64      *payload_len)
{
  guint64 plen;

  if (len < 2)
    return FALSE;
  plen = buf[1] & 0x7f;
  *head = 2;
  if (plen == 126)
    {
      if (len < 4)
        return FALSE;
      plen = ((guint64) buf[2] << 8) | buf[3];
      *head = 4;
    }
  else if (plen == 127)
    {
      if (len < 10)
        return FALSE;
      plen = 0;
      for (int i = 0; i < 8; i++)
        plen = (plen << 8) | buf[2 + i];
      *head = 10;
    }
  *first = buf[0];
  *payload_len = plen;
  return TRUE;
}

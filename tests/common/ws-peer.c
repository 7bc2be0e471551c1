/* ws-peer.c: one end of an upgraded WebSocket connection, played by hand
 *
 * SPDX-License-Identifier: MIT
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <libsoup/soup.h>

#include "ws-peer.h"
#include "ws-frame.h"
#include "chunk-bytes.h"
#include "wait.h"

/* Not RFC 6455's zero: a peer that forgets to unmask reads garbage. */
static const guint8 mask_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

static gboolean ws_peer_write_now (WsPeer       *peer,
                                   const guint8 *data,
                                   gsize         len,
                                   gsize         chop);

static void
ws_frame_free (gpointer data)
{
  WsFrame *frame = data;

  g_bytes_unref (frame->payload);
  g_free (frame);
}

void
ws_peer_frame (WsPeer      *peer,
               GByteArray  *out,
               guint8       first,
               const void  *payload,
               gsize        len)
{
  guint8 *data;

  ws_frame_append (out, first, peer->masking, payload, len);
  if (!peer->masking)
    return;
  data = out->data + out->len - len;
  memcpy (data - 4, mask_key, 4);
  for (gsize i = 0; i < len; i++)
    data[i] ^= mask_key[i % 4];
}

/* Answers an AnySocket HEARTBEAT ping ("15" SEQ "1") with a pong. */
static void
answer_heartbeat (WsPeer *peer,
                  GBytes *payload)
{
  RawFrame *chunk = raw_frame_decode (SOUP_WEBSOCKET_DATA_TEXT, payload);

  if (chunk->valid && chunk->type == T_HEARTBEAT && chunk->seq > 0 && g_str_equal (chunk->body, "1"))
    {
      g_autoptr(GBytes) pong = chunk_new (LAST, T_HEARTBEAT, peer->pong_seq++, "2", 1);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      gsize len;
      const guint8 *data = g_bytes_get_data (pong, &len);

      ws_peer_frame (peer, out, WS_FIN | WS_OP_TEXT, data, len);
      g_byte_array_append (peer->held, out->data, out->len);
      if (!peer->hold && !peer->writing)
        ws_peer_hold (peer, FALSE);
    }
  raw_frame_free (chunk);
}

/* Joins the fragments of a data message. */
static void
take_message_part (WsPeer  *peer,
                   WsFrame *frame)
{
  WsFrame *whole;

  if (WS_FRAME_OPCODE (frame) != WS_OP_CONTINUATION || peer->message == NULL)
    {
      g_clear_pointer (&peer->message, g_byte_array_unref);
      peer->message = g_byte_array_new ();
      peer->message_first = frame->first;
    }
  g_byte_array_append (peer->message, g_bytes_get_data (frame->payload, NULL),
                       g_bytes_get_size (frame->payload));
  if (!(frame->first & WS_FIN))
    return;
  whole = g_new0 (WsFrame, 1);
  whole->first = peer->message_first | WS_FIN;
  whole->masked = frame->masked;
  whole->payload = g_byte_array_free_to_bytes (g_steal_pointer (&peer->message));
  g_ptr_array_add (peer->messages, whole);
  if (WS_FRAME_OPCODE (whole) == WS_OP_TEXT && peer->answer_heartbeats)
    answer_heartbeat (peer, whole->payload);
}

static void
take_frames (WsPeer *peer)
{
  gsize pos = 0;

  while (peer->in->len - pos >= 2)
    {
      const guint8 *head = peer->in->data + pos;
      gboolean masked = (head[1] & 0x80) != 0;
      guint64 len = head[1] & 0x7f;
      gsize at = 2;
      WsFrame *frame;
      guint8 *payload;

      if (len == 126)
        at = 4;
      else if (len == 127)
        at = 10;
      if (masked)
        at += 4;
      if (peer->in->len - pos < at)
        break;
      if (len == 126)
        len = (head[2] << 8) | head[3];
      else if (len == 127)
        {
          len = 0;
          for (guint i = 0; i < 8; i++)
            len = (len << 8) | head[2 + i];
        }
      if (peer->in->len - pos - at < len)
        break;

      payload = g_memdup2 (head + at, len);
      if (masked)
        for (gsize i = 0; i < len; i++)
          payload[i] ^= head[at - 4 + i % 4];
      frame = g_new0 (WsFrame, 1);
      frame->first = head[0];
      frame->masked = masked;
      frame->payload = g_bytes_new_take (payload, len);
      g_ptr_array_add (peer->frames, frame);
      pos += at + len;

      if (WS_FRAME_OPCODE (frame) == WS_OP_CLOSE && !peer->close_received)
        {
          peer->close_received = TRUE;
          peer->close_received_at = g_get_monotonic_time ();
          peer->close_payload_len = len;
          peer->close_code = len >= 2 ? (payload[0] << 8) | payload[1] : SOUP_WEBSOCKET_CLOSE_NO_STATUS;
          peer->close_reason = len > 2 ? g_strndup ((const char *) payload + 2, len - 2) : g_strdup ("");
        }
      else if (WS_FRAME_OPCODE (frame) < WS_OP_CLOSE)
        {
          take_message_part (peer, frame);
        }
    }
  g_byte_array_remove_range (peer->in, 0, pos);
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  WsPeer *peer = user_data;
  guint8 buffer[16384];

  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (n <= 0)
        {
          peer->eof = TRUE;
          peer->eof_at = g_get_monotonic_time ();
          take_frames (peer);
          peer->source = NULL;
          return G_SOURCE_REMOVE;
        }
      g_byte_array_append (peer->in, buffer, n);
    }
  take_frames (peer);
  return G_SOURCE_CONTINUE;
}

WsPeer *
ws_peer_new (GSocketConnection *connection,
             gboolean           masking,
             GBytes            *already_read)
{
  WsPeer *peer = g_new0 (WsPeer, 1);

  peer->connection = connection;
  peer->socket = g_socket_connection_get_socket (connection);
  peer->masking = masking;
  peer->in = g_byte_array_new ();
  peer->frames = g_ptr_array_new_with_free_func (ws_frame_free);
  peer->messages = g_ptr_array_new_with_free_func (ws_frame_free);
  peer->pong_seq = 1000000;
  peer->held = g_byte_array_new ();
  g_socket_set_blocking (peer->socket, FALSE);
  g_socket_set_option (peer->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  if (already_read != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (already_read, &len);

      g_byte_array_append (peer->in, data, len);
      take_frames (peer);
    }
  peer->source = g_socket_create_source (peer->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (peer->source, (GSourceFunc) (void (*) (void)) on_readable, peer, NULL);
  g_source_attach (peer->source, NULL);
  g_source_unref (peer->source);
  return peer;
}

void
ws_peer_free (WsPeer *peer)
{
  if (peer->source != NULL)
    g_source_destroy (peer->source);
  g_io_stream_close (G_IO_STREAM (peer->connection), NULL, NULL);
  g_object_unref (peer->connection);
  g_byte_array_unref (peer->in);
  g_ptr_array_unref (peer->frames);
  g_ptr_array_unref (peer->messages);
  g_byte_array_unref (peer->held);
  g_clear_pointer (&peer->message, g_byte_array_unref);
  g_free (peer->close_reason);
  g_free (peer);
}

void
ws_peer_hold (WsPeer   *peer,
              gboolean  hold)
{
  peer->hold = hold;
  if (!hold && peer->held->len > 0)
    {
      g_autoptr(GByteArray) held = g_steal_pointer (&peer->held);

      peer->held = g_byte_array_new ();
      ws_peer_write (peer, held->data, held->len, 0);
    }
}

gboolean
ws_peer_write (WsPeer       *peer,
               const guint8 *data,
               gsize         len,
               gsize         chop)
{
  gboolean ok = ws_peer_write_now (peer, data, len, chop);

  if (!peer->hold && !peer->writing)
    ws_peer_hold (peer, FALSE);
  return ok;
}

/* What ws_peer_write () writes, heartbeat answers held meanwhile. */
static gboolean
ws_peer_write_now (WsPeer       *peer,
                   const guint8 *data,
                   gsize         len,
                   gsize         chop)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  gsize total = len;
  gboolean was_writing = peer->writing;

  peer->writing = TRUE;

  while (len > 0 && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      gsize want = chop > 0 ? MIN (chop, len) : len;
      gssize n = g_socket_send (peer->socket, (const char *) data, want, NULL, &error);

      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return FALSE;
      if (n > 0)
        {
          data += n;
          len -= n;
        }
      /* Octet-wise chops of a small message are read one by one; those of
       * a large one go out as separate segments without waiting. */
      if (n <= 0 || (chop > 0 && chop < 256 && total <= 4096))
        run_ready ();
    }
  peer->writing = was_writing;
  return len == 0;
}

gboolean
ws_peer_send (WsPeer     *peer,
              guint8      first,
              const void *payload,
              gsize       len,
              gsize       chop)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  ws_peer_frame (peer, out, first, payload, len);
  return ws_peer_write (peer, out->data, out->len, chop);
}

gboolean
ws_peer_send_close (WsPeer     *peer,
                    guint       code,
                    const char *reason,
                    gssize      reason_len)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  if (code != 0)
    {
      guint8 be[2] = { code >> 8, code & 0xff };

      g_byte_array_append (payload, be, 2);
    }
  if (reason != NULL)
    g_byte_array_append (payload, (const guint8 *) reason, reason_len < 0 ? strlen (reason) : (gsize) reason_len);
  return ws_peer_send (peer, WS_FIN | WS_OP_CLOSE, payload->data, payload->len, 0);
}

WsFrame *
ws_peer_find (WsPeer *peer,
              guint8  opcode,
              guint   from)
{
  for (guint i = from; i < peer->frames->len; i++)
    {
      WsFrame *frame = g_ptr_array_index (peer->frames, i);

      if (WS_FRAME_OPCODE (frame) == opcode)
        return frame;
    }
  return NULL;
}

guint
ws_peer_count (WsPeer *peer,
               guint8  opcode)
{
  guint n = 0;

  for (guint i = 0; i < peer->frames->len; i++)
    if (WS_FRAME_OPCODE ((WsFrame *) g_ptr_array_index (peer->frames, i)) == opcode)
      n++;
  return n;
}

gboolean
ws_peer_wait_closed (WsPeer *peer,
                     guint   ms)
{
  return WAIT_FOR (peer->close_received || peer->eof, ms);
}

WsFrame *
ws_peer_wait_frame (WsPeer *peer,
                    guint8  opcode,
                    guint   from,
                    guint   ms)
{
  WAIT_FOR (ws_peer_find (peer, opcode, from) != NULL || peer->eof, ms);
  return ws_peer_find (peer, opcode, from);
}

char *
ws_accept_key (const char *key)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

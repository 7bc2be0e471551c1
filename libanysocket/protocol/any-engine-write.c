/* any-engine-write.c: how the engine writes a packet's JSON text as
 * frames: its lane, chunks, sealing under E2E (binary frames under native
 * E2E with a peer that takes them, any-engine-bytes.c), and when a packet
 * waits instead
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "protocol/any-engine.h"
#include "protocol/any-engine-private.h"
#include "transport/any-frame-pool.h"

/* The transport's lane of a packet (any-transport.h). A HEARTBEAT goes
 * ahead of the chunks of a big message still waiting to be written, so a
 * pong is not late by the time megabytes take: its own seq, and a compat
 * chunk's key depends on its seq only; not under native E2E, whose nonces
 * count frames in order. AUTH and SWITCH change how what follows them is
 * read: a HEARTBEAT never overtakes them. */
AnyTransportLane
any_engine_packet_lane (AnyEngine     *self,
                        AnyPacketType  type)
{
  if (type == ANY_PACKET_TYPE_HEARTBEAT)
    return any_engine_is_encrypting (self) && any_e2e_get_mode (self->e2e) != ANY_E2E_MODE_COMPAT ?
           ANY_TRANSPORT_LANE_ORDERED : ANY_TRANSPORT_LANE_URGENT;
  if (type == ANY_PACKET_TYPE_AUTH || type == ANY_PACKET_TYPE_SWITCH)
    return ANY_TRANSPORT_LANE_BARRIER;
  return ANY_TRANSPORT_LANE_ORDERED;
}

/* Writes one packet's JSON text as frames, each chunk encrypted when the
 * link is (SWITCH packets never are: they set encryption up). */
void
any_engine_write_text (AnyEngine     *self,
                       AnyPacketType  type,
                       gint32         seq,
                       const char    *text,
                       gsize          len)
{
  AnyTransportLane lane = any_engine_packet_lane (self, type);
  gsize pos = 0;
  gboolean raw;

  if (!any_engine_is_encrypting (self) || type == ANY_PACKET_TYPE_SWITCH)
    {
      g_autoptr(GPtrArray) frames = any_chunk_split (type, seq, text, len, ANY_CHUNK_MAX_UNITS);

      for (guint i = 0; i < frames->len; i++)
        any_transport_send_lane (self->transport, g_ptr_array_index (frames, i), lane);
      return;
    }

  /* Native ciphertext between peers that take binary frames goes as it
   * is in one, not as base64 text (any-engine-bytes.c). */
  raw = any_engine_sends_binary_chunks (self);
  do
    {
      gsize slice = any_chunk_slice_length (text + pos, len - pos, ANY_CHUNK_MAX_UNITS);
      guint8 header[ANY_CHUNK_HEADER_MAX];
      gsize header_len = any_chunk_header_encode (header, pos + slice >= len, type, seq);
      gsize pad = 0;
      GString *frame = raw ? any_e2e_frame_new_aligned (text + pos, slice, header_len, &pad)
                           : g_string_sized_new (header_len + slice * 2 + 64);
      GBytes *bytes;

      g_string_append_len (frame, (const char *) header, header_len);
      any_e2e_seal_full (self->e2e, frame, header_len, seq, text + pos, slice, raw);
      bytes = any_frame_pool_to_bytes (frame, pad);
      if (raw)
        any_transport_send_binary (self->transport, bytes, lane);
      else
        any_transport_send_lane (self->transport, bytes, lane);
      g_bytes_unref (bytes);
      pos += slice;
    }
  while (pos < len);
}

/* Before AUTH completes, LINK and INTERNAL wait; during an E2E switch
 * everything but SWITCH waits, so nothing crosses the switch in the
 * wrong form; while a binary message is sealed frame by frame
 * (any-engine-bytes.c), LINK and INTERNAL (replies too) wait behind it,
 * so messages still arrive in the order they were sent. */
gboolean
any_engine_should_hold (AnyEngine     *self,
                        AnyPacketType  type,
                        gint32         reply_to)
{
  return (self->state != ANY_ENGINE_STATE_CONNECTED && any_engine_is_held_type (type)) ||
         ((self->e2e_start_pending || (self->e2e != NULL && any_e2e_is_switching (self->e2e))) &&
          type != ANY_PACKET_TYPE_SWITCH) ||
         (self->holding && any_engine_is_held_type (type) && reply_to == 0) ||
         ((self->bin_out != NULL || self->bin_wait_caps) && any_engine_is_held_type (type));
}

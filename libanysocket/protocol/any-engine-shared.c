/* any-engine-shared.c: one packet sent alike on many links (a broadcast)
 *
 * Its text is serialised once (api/any-fanout.c) and every engine that
 * can send it as it is queues the same bytes: a link that is connected,
 * holds nothing back and is not end-to-end encrypted. The chunk header
 * carries a seq, and every link's seqs must stay unique (a reply names
 * its request by seq; the JavaScript peer reassembles chunks by seq): the
 * packet takes the highest next seq of those links, and each of them
 * skips to it. Seqs only ever need to be unique and non-zero, not
 * consecutive (PROTOCOL.md 3). The others (encrypted, held back) send it
 * with any_engine_send() as before.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "protocol/any-engine.h"
#include "protocol/any-engine-private.h"
#include "codec/any-codec.h"
#include "codec/any-json.h"

gint32
any_engine_peek_shared_seq (AnyEngine     *self,
                            AnyPacketType  type)
{
  if (self->state != ANY_ENGINE_STATE_CONNECTED || self->proving || any_engine_should_hold (self, type, 0) ||
      any_engine_is_encrypting (self))
    return 0;
  /* PROTOCOL.md 3: after 2,147,483,647 the counter wraps to 1. */
  return self->seq >= G_MAXINT32 ? 1 : self->seq + 1;
}

AnySharedFrame *
any_engine_encode_shared (AnyPacketType   type,
                          gint32          seq,
                          JsonNode       *data,
                          gsize          *body_len)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize header_len = any_chunk_header_encode (header, TRUE, type, seq);
  GString *text = g_string_sized_new (256);
  g_autoptr(GBytes) bytes = NULL;

  g_string_append_len (text, (const char *) header, header_len);
  any_json_write (text, data);
  *body_len = text->len - header_len;
  /* A UTF-8 byte is at most one UTF-16 unit: this fits one chunk. */
  if (*body_len > ANY_CHUNK_MAX_UNITS)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  bytes = g_string_free_to_bytes (text);
  return any_shared_frame_new (bytes);
}

gboolean
any_engine_send_shared (AnyEngine      *self,
                        AnyPacketType   type,
                        gint32          seq,
                        AnySharedFrame *frame,
                        gsize           body_len)
{
  gint32 next = any_engine_peek_shared_seq (self, type);

  /* @seq was chosen with this link's next seq, or after it (any state
   * change since makes it send its own copy); a counter that wraps to 1
   * next may skip to any seq. */
  if (next == 0 || body_len > self->max_message_size || (seq < next && next != 1))
    return FALSE;
  self->seq = seq;
  any_transport_send_shared (self->transport, frame, any_engine_packet_lane (self, type));
  return TRUE;
}

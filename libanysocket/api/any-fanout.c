/* any-fanout.c: one packet to many peers, serialised once
 *
 * A broadcast used to write its JSON once per peer, into a new buffer
 * each (issue 14: 8.8 µs of hub CPU per delivery at 1,000 peers, most of
 * it the kernel's). Here the packet is written once, chunk header
 * included, with a seq every sharing link can use (any-engine-shared.c),
 * and that one GBytes is queued to each such peer's transport; our own
 * WebSocket link on the accepting side queues the whole WebSocket frame,
 * also built once (transport/any-shared-frame.h). Who cannot share (an
 * end-to-end encrypted link needs its own ciphertext; a link that holds
 * packets back, or a message too big for one chunk) takes the per-peer
 * path. Every peer's own queue and limits are unchanged: each counts the
 * shared bytes in full against its max-send-buffer.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-fanout.h"
#include "api/any-peer-private.h"

void
_any_fanout_send (AnyPeer       **peers,
                  guint           n_peers,
                  AnyPacketType   type,
                  JsonNode       *msg)
{
  g_autoptr(AnySharedFrame) frame = NULL;
  gsize body_len = 0;
  gint32 seq = 0;

  for (guint i = 0; i < n_peers; i++)
    seq = MAX (seq, _any_peer_peek_shared_seq (peers[i], type));
  if (seq != 0)
    frame = any_engine_encode_shared (type, seq, msg, &body_len);

  for (guint i = 0; i < n_peers; i++)
    {
      g_autoptr(GError) error = NULL;

      if (frame != NULL && _any_peer_send_shared (peers[i], type, seq, frame, body_len))
        continue;
      if (_any_peer_send_packet (peers[i], type, 0, msg, &error) == 0)
        g_debug ("Broadcast skipped %s: %s", any_peer_get_id (peers[i]), error->message);
    }
}

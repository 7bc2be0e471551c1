/* fuzz-noise.c: the session after native E2E is up, fed hostile chunks
 * that pass (or fail) authentication
 *
 * Without a live Noise peer a fuzzer cannot seal its input, so it never
 * gets past the handshake (fuzz-socket.c stops at SWITCH). Here peer A
 * is a real Noise peer: the harness runs the initiator's side of
 * Noise_XX with a fixed identity (the library's own AnyE2e, as another
 * libanysocket would) against the socket under test, and then seals the
 * input. The input is cut into pieces at each 0xFF byte; each piece is a
 * plaintext chunk (PROTOCOL.md 2: flag, type, seq, body) that A encrypts
 * with the session's next nonce, its header as associated data, so it
 * reaches what the socket does with decrypted packets: LINK, INTERNAL
 * and RPC, SWITCH again, HEARTBEAT, replies, reassembly. A piece that
 * starts with one of these letters is a hostile relay's work instead:
 *
 *   R  the previous sealed frame again (a replay)
 *   T  the rest sealed, then one byte of it changed (a tamper; the next
 *      byte of the piece says which)
 *   P  the rest sent in the clear, as a plain peer would
 *
 * and any other piece that is not a chunk goes as it is. Everything must
 * end in a reply, an ignored packet or a clean disconnect: no crash, no
 * critical, no leak; B, another native-E2E-capable peer, stays linked.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "protocol/any-e2e.h"
#include "crypto/any-noise.h"
#include "fuzz.h"
#include "fuzz-link.h"

/* A's fixed identity (any 32 bytes make an X25519 private key). */
static const guint8 identity_a[ANY_NOISE_KEY_LEN] = {
  0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
  0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
};

typedef struct {
  FakeTransport *transport;
  AnyE2e        *e2e;
  gint32         seq;
  GString       *frame;     /* the last sealed frame, for 'R' */
} PeerA;

static void
send_chunk (PeerA         *a,
            AnyPacketType  type,
            JsonNode      *data)
{
  g_autofree char *text = json_to_string (data, FALSE);
  g_autoptr(GString) frame = g_string_new (NULL);

  any_chunk_encode (frame, TRUE, type, ++a->seq, text, strlen (text));
  fake_transport_receive (a->transport, frame->str, frame->len);
}

/* The next SWITCH packet the socket sent to A (its handshake answer). */
static JsonNode *
next_switch (PeerA *a)
{
  GBytes *sent;

  while ((sent = fake_transport_pop_sent (a->transport)) != NULL)
    {
      g_autoptr(GBytes) frame = sent;
      gsize len;
      const guint8 *data = g_bytes_get_data (frame, &len);
      AnyChunk chunk;

      if (any_chunk_decode (data, len, &chunk, NULL) && chunk.type == ANY_PACKET_TYPE_SWITCH)
        {
          g_autofree char *text = g_strndup ((const char *) chunk.body, chunk.body_len);

          return json_from_string (text, NULL);
        }
    }
  return NULL;
}

/* Noise XX, A initiating: -> e, <- e ee s es, -> s se. */
static void
handshake (PeerA *a)
{
  g_autoptr(AnyNoiseKeypair) identity = any_noise_keypair_new_from_private (identity_a);
  AnyE2eConfig config = {
    .local_id = FUZZ_ID_A,
    .peer_id = FUZZ_ID_US,
    .identity = identity,
    .local_caps = ANY_E2E_CAP_NATIVE,
    .peer_caps = ANY_E2E_CAPS_LOCAL,   /* as the socket under test lists them */
    .policy = ANY_E2E_POLICY_REQUIRE_NATIVE,
  };
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) last = NULL;
  gboolean done = FALSE;

  a->e2e = any_e2e_new (&config);
  first = any_e2e_start (a->e2e, NULL);
  g_assert_nonnull (first);
  send_chunk (a, ANY_PACKET_TYPE_SWITCH, first);
  fuzz_link_pump ();
  answer = next_switch (a);
  g_assert_nonnull (answer);
  g_assert_true (any_e2e_receive_switch (a->e2e, answer, &last, &done, NULL));
  g_assert_true (done && last != NULL);
  send_chunk (a, ANY_PACKET_TYPE_SWITCH, last);
  fuzz_link_pump ();
}

/* Seals @piece (a plaintext chunk) into a->frame; FALSE if it is none. */
static gboolean
seal (PeerA        *a,
      const guint8 *piece,
      gsize         len)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize header_len;
  AnyChunk chunk;

  if (!any_chunk_decode (piece, len, &chunk, NULL))
    return FALSE;
  header_len = any_chunk_header_encode (header, chunk.last, chunk.type, chunk.seq);
  g_string_truncate (a->frame, 0);
  g_string_append_len (a->frame, (const char *) header, header_len);
  any_e2e_seal (a->e2e, a->frame, header_len, chunk.seq, (const char *) chunk.body, chunk.body_len);
  return TRUE;
}

static void
send_piece (PeerA        *a,
            const guint8 *piece,
            gsize         len)
{
  char op = len > 0 ? piece[0] : 0;

  if (op == 'R')
    fake_transport_receive (a->transport, a->frame->str, a->frame->len);
  else if (op == 'T' && len > 2 && seal (a, piece + 2, len - 2))
    {
      a->frame->str[piece[1] % a->frame->len] ^= 0x01;
      fake_transport_receive (a->transport, a->frame->str, a->frame->len);
    }
  else if (op == 'P')
    fake_transport_receive (a->transport, piece + 1, len - 1);
  else if (seal (a, piece, len))
    fake_transport_receive (a->transport, a->frame->str, a->frame->len);
  else
    fake_transport_receive (a->transport, piece, len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(AnySocket) socket = NULL;
  g_autoptr(FakeTransport) b = NULL;
  PeerA a = { NULL, NULL, 1, NULL };
  const guint8 *start = data, *end = data + size;
  AnyPeer *peer_a;
  guint frames = 0;

  fuzz_link_init ();
  socket = fuzz_link_socket_new ();
  b = fuzz_link_accept (socket, FUZZ_ID_B, TRUE);
  a.transport = fuzz_link_accept (socket, FUZZ_ID_A, TRUE);
  a.frame = g_string_new (NULL);
  handshake (&a);
  peer_a = any_socket_get_peer (socket, FUZZ_ID_A);
  /* the input starts where it should: on a native session */
  g_assert_true (peer_a != NULL && any_peer_get_e2e_mode (peer_a) == ANY_E2E_MODE_NATIVE);

  while (start <= end && frames++ < FUZZ_MAX_FRAMES)
    {
      const guint8 *cut = memchr (start, FUZZ_CUT, end - start);
      gsize len = (cut != NULL ? cut : end) - start;

      send_piece (&a, start, len);
      fuzz_link_pump ();
      if (cut == NULL)
        break;
      start = cut + 1;
    }

  if (g_getenv ("FUZZ_VERBOSE") != NULL)
    fuzz_link_report (a.transport, "A");
  g_assert_true (any_socket_get_peer (socket, FUZZ_ID_B) != NULL &&
                 any_peer_is_connected (any_socket_get_peer (socket, FUZZ_ID_B)));
  any_socket_stop (socket);
  fuzz_link_pump ();
  g_assert_true (fake_transport_was_closed (b));
  g_assert_null (any_socket_get_peers (socket));
  any_e2e_free (a.e2e);
  g_string_free (a.frame, TRUE);
  g_object_unref (a.transport);
  return 0;
}

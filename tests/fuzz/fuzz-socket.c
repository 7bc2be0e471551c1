/* fuzz-socket.c: the whole stack behind a transport, fed hostile frames
 *
 * An AnySocket with an RPC handler and a permissive hub has two links on
 * fake transports: B, well behaved, and A, whose frames come from the
 * input, cut at each 0xFF byte (never part of UTF-8). Unless A's first
 * frame is an AUTH chunk, A is authenticated first (as a libanysocket
 * peer, so native E2E messages are taken too) and the input is what it
 * sends after. An input starting with 'C' makes A a server we connect to
 * instead: the rest is all it sends, its AUTH answer included, and the
 * connect must complete (a peer or an error) by the end. Everything must
 * end in a reply, an ignored frame or a clean disconnect: no crash, no
 * critical, no warning, no leak; B must stay connected whatever A sends.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "fuzz-link.h"

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  guint *completions = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);

  g_assert_true ((peer != NULL) != (error != NULL));
  (*completions)++;
}

static gboolean
starts_with_auth (const uint8_t *data,
                  size_t         size)
{
  return size >= 2 && data[0] == ANY_CHUNK_LAST && data[1] == '0' + ANY_PACKET_TYPE_AUTH;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(AnySocket) socket = NULL;
  g_autoptr(FakeTransport) a = NULL;
  g_autoptr(FakeTransport) b = NULL;
  const guint8 *start = data, *end = data + size;
  gboolean client = size > 0 && data[0] == 'C';
  guint frames = 0, completions = 0;

  fuzz_link_init ();
  socket = fuzz_link_socket_new ();

  b = fuzz_link_accept (socket, FUZZ_ID_B, TRUE);
  g_assert_nonnull (any_socket_get_peer (socket, FUZZ_ID_B));
  if (client)
    {
      a = fake_transport_new ();
      _any_socket_connect_transport (socket, ANY_TRANSPORT (a), on_connected, &completions);
      start++;
    }
  else
    a = fuzz_link_accept (socket, FUZZ_ID_A, !starts_with_auth (data, size));

  while (start <= end && frames++ < FUZZ_MAX_FRAMES)
    {
      const guint8 *cut = memchr (start, FUZZ_CUT, end - start);
      gsize len = (cut != NULL ? cut : end) - start;

      fake_transport_receive (a, start, len);
      fuzz_link_pump ();
      if (cut == NULL)
        break;
      start = cut + 1;
    }

  if (g_getenv ("FUZZ_VERBOSE") != NULL)
    fuzz_link_report (a, "A");
  /* nothing A sends can take B's link down */
  g_assert_true (any_socket_get_peer (socket, FUZZ_ID_B) != NULL &&
                 any_peer_is_connected (any_socket_get_peer (socket, FUZZ_ID_B)));
  any_socket_stop (socket);
  fuzz_link_pump ();
  if (client)
    g_assert_cmpuint (completions, ==, 1);
  g_assert_true (fake_transport_was_closed (b));
  g_assert_null (any_socket_get_peers (socket));
  return 0;
}

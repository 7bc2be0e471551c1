/* e2e-pipeline.c: a big binary message under native E2E is sealed frame
 * by frame as the link drains, not whole before its first frame leaves
 * (issue 17, protocol/any-engine-bytes.c)
 *
 * When any_peer_send_bytes() returns, one frame (1 MiB) is sealed and the
 * rest waits; what the application sends after it (a JSON message, more
 * bytes) waits behind it and arrives after it, in order; a link dropped
 * in the middle of the sealing frees what was left (valgrind).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "e2e.h"
#include "api/any-peer-private.h"

#define FRAME_BYTES (1024 * 1024)
#define BIG         (8 * FRAME_BYTES + 5)  /* 8388613 */
#define SMALL       (64 * 1024)

/* What the server received, in order: "bytes:LEN" or "json". */
static void
on_any_message (AnySocket *socket,
                AnyPacket *packet,
                gpointer   user_data)
{
  GPtrArray *order = user_data;
  GBytes *bytes = any_packet_get_bytes (packet);

  if (bytes != NULL)
    g_ptr_array_add (order, g_strdup_printf ("bytes:%" G_GSIZE_FORMAT, g_bytes_get_size (bytes)));
  else
    g_ptr_array_add (order, g_strdup ("json"));
}

static GBytes *
pattern (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + (i >> 16));
  return g_bytes_new_take (data, len);
}

static void
test_seal_as_drains (void)
{
  Pair *pair = pair_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) big = pattern (BIG);
  g_autoptr(GBytes) small = pattern (SMALL);
  g_autoptr(GError) error = NULL;

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  g_signal_connect (pair->server.socket, "message", G_CALLBACK (on_any_message), order);

  g_assert_true (any_peer_send_bytes (pair->client.peer, big, &error));
  g_assert_no_error (error);
  /* only the first frame sealed so far */
  g_assert_cmpuint (_any_peer_get_bytes_unsealed (pair->client.peer), ==, BIG - FRAME_BYTES);
  /* these wait behind it */
  send_numbered (&pair->client, 0);
  g_assert_true (any_peer_send_bytes (pair->client.peer, small, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (_any_peer_get_bytes_unsealed (pair->client.peer), ==, BIG - FRAME_BYTES);

  WAIT_UNTIL (order->len == 3 || pair->server.peer_reason != NULL);
  g_assert_null (pair->server.peer_reason);
  g_assert_cmpstr (order->pdata[0], ==, "bytes:8388613");
  g_assert_cmpstr (order->pdata[1], ==, "json");
  g_assert_cmpstr (order->pdata[2], ==, "bytes:65536");
  g_assert_cmpuint (_any_peer_get_bytes_unsealed (pair->client.peer), ==, 0);
  check_numbered (&pair->server, "client", 1);
  /* and the link goes on, both ways */
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  g_signal_handlers_disconnect_by_data (pair->server.socket, order);
  pair_free (pair);
}

/* The sender drops the link while frames are still to be sealed: nothing
 * more is sealed or sent, what was left is freed, the other end sees the
 * link go and never gets a partial message. */
static void
test_disconnect_while_sealing (void)
{
  Pair *pair = pair_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) big = pattern (BIG);

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  g_signal_connect (pair->server.socket, "message", G_CALLBACK (on_any_message), order);

  g_assert_true (any_peer_send_bytes (pair->client.peer, big, NULL));
  g_assert_cmpuint (_any_peer_get_bytes_unsealed (pair->client.peer), >, 0);
  any_peer_disconnect (pair->client.peer, "bye");
  g_assert_cmpuint (_any_peer_get_bytes_unsealed (pair->client.peer), ==, 0);
  WAIT_UNTIL (pair->server.peer_reason != NULL);
  iterate_for (QUIET_MS);
  g_assert_cmpuint (order->len, ==, 0);
  g_signal_handlers_disconnect_by_data (pair->server.socket, order);
  pair_free (pair);
}

void
e2e_add_pipeline_cases (void)
{
  g_test_add_func ("/e2e/pipeline/seal-as-drains", test_seal_as_drains);
  g_test_add_func ("/e2e/pipeline/disconnect-while-sealing", test_disconnect_while_sealing);
}

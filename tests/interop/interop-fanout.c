/* interop-fanout.c: a broadcast serialised once (api/any-fanout.c), to
 * JavaScript peers: the shared frame carries one seq for every peer, each
 * link's counter skipping to it, and the npm peer takes that as it takes
 * any seq; our requests to it afterwards still get their replies.
 *
 * SPDX-License-Identifier: MIT
 */
#include "interop.h"

#define N_BROADCASTS 20

/* Two JavaScript clients whose links to us are at different seqs (three
 * messages to the first only): every broadcast reaches both, in order, at
 * seqs that only grow, the same seq on both links; then a request to each
 * gets its echo. */
static void
test_fanout_to_js (gconstpointer data)
{
  CSide *c = c_side_new (5000, NULL, NULL);
  JsPeer *js[2];
  AnyPeer *to_js[2];
  gint64 seqs[2][N_BROADCASTS];

  c_side_listen (c);
  for (guint j = 0; j < 2; j++)
    {
      js[j] = js_spawn_full ("client", c->port, NULL, FALSE);
      js_expect_connected (js[j], any_socket_get_id (c->socket), FALSE);
    }
  g_assert_true (WAIT_FOR (count_peers (c) == 2, 5000));
  for (guint j = 0; j < 2; j++)
    {
      to_js[j] = any_socket_get_peer (c->socket, js[j]->id);
      g_assert_nonnull (to_js[j]);
    }

  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(JsonNode) msg = json_checked ("{\"first\": true}");

      send_local (to_js[0], msg);
    }
  for (guint j = 0; j < 3; j++)
    json_node_unref (js_expect (js[0], "message", 5000));

  for (gint i = 0; i < N_BROADCASTS; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"b\": %d}", i);
      g_autoptr(JsonNode) msg = json_checked (text);

      any_socket_broadcast (c->socket, msg);
    }
  for (guint j = 0; j < 2; j++)
    for (gint i = 0; i < N_BROADCASTS; i++)
      {
        g_autoptr(JsonNode) event = js_expect (js[j], "message", 5000);
        JsonObject *object = json_node_get_object (event);

        g_assert_cmpint (msg_int (json_object_get_member (object, "msg"), "b"), ==, i);
        seqs[j][i] = json_object_get_int_member (object, "seq");
        g_assert_cmpint (seqs[j][i], >, i > 0 ? seqs[j][i - 1] : 3);
      }
  for (gint i = 0; i < N_BROADCASTS; i++)
    g_assert_cmpint (seqs[0][i], ==, seqs[1][i]);
  note ("broadcast seqs %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " on both links", seqs[0][0],
        seqs[0][N_BROADCASTS - 1]);

  for (guint j = 0; j < 2; j++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) req = json_checked ("{\"op\":\"echo\",\"data\":\"after\",\"i\":7}");
      g_autoptr(AnyPacket) reply = request_local (to_js[j], req, 5000, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (msg_string (any_packet_get_msg (reply), "echo"), ==, "after");
      g_assert_cmpint (msg_int (any_packet_get_msg (reply), "i"), ==, 7);
    }

  for (guint j = 0; j < 2; j++)
    js_free (js[j]);
  c_side_free (c);
}

void
interop_add_fanout_cases (void)
{
  add_one ("fanout/broadcast-to-js", test_fanout_to_js);
}

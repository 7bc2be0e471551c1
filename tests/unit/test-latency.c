/* test-latency.c: the first messages of a link are not held back by
 * Nagle's algorithm (issue 12), between libanysocket endpoints over real
 * loopback sockets
 *
 * A small write behind one the other side has not acknowledged yet waits,
 * under Nagle, for that acknowledgement, which a receiver delays by up to
 * 40 ms (Linux's TCP_DELACK_MIN): the AUTH answer followed by a message
 * sent from a `connected` handler is exactly that. Every TCP socket of the
 * library sets TCP_NODELAY; these cases measure, on fresh links, the first
 * message after AUTH in both directions (from the `connected` handlers),
 * the first request and its reply in both directions, and the first
 * synced time and request between two peers through a hub, and want the
 * median of ROUNDS links under LIMIT_US (the stall is 40 ms or more).
 *
 * The server (or hub) runs in a thread of its own, with its own main
 * context: in one main loop, its answers and the other side's
 * acknowledgements would always come in the same order, which hides the
 * stall. One-way times are measured with g_get_monotonic_time(): one
 * process, one clock. What both threads read is under `lock`.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loopback.h"
#include "timings.h"

#define ROUNDS   5
#define LIMIT_US (20 * 1000)

static GMutex lock;

typedef struct {
  AnySocket *socket;
  GPtrArray *connected;     /* AnyPeer */
  GArray    *one_way_us;    /* gint64: "stamp" messages received */
  GArray    *rtt_us;        /* gint64: requests sent from "connected" */
  gboolean   stamp_on_connect;
  gboolean   request_on_connect;
} End;

static JsonNode *
int_object (const char *member,
            gint64      value)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (object, member, value);
  json_node_set_object (node, object);
  return node;
}

static void
timed_request (AnyPeer *peer,
               GArray  *into)
{
  g_autoptr(JsonNode) msg = int_object ("req", 1);

  request_timed (peer, msg, into, &lock);
}

static void
on_end_connected (AnySocket *socket,
                  AnyPeer   *peer,
                  gpointer   user_data)
{
  End *end = user_data;

  g_mutex_lock (&lock);
  g_ptr_array_add (end->connected, g_object_ref (peer));
  g_mutex_unlock (&lock);
  if (end->stamp_on_connect)
    {
      g_autoptr(JsonNode) msg = int_object ("stamp", g_get_monotonic_time ());

      send_local (peer, msg);
    }
  if (end->request_on_connect)
    timed_request (peer, end->rtt_us);
}

/* "stamp": a one-way time; "req": answered with {"echo": …}. */
static void
on_end_message (AnySocket *socket,
                AnyPacket *packet,
                gpointer   user_data)
{
  End *end = user_data;
  JsonNode *msg = any_packet_get_msg (packet);
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (msg))
    return;
  object = json_node_get_object (msg);
  if (json_object_has_member (object, "stamp"))
    {
      gint64 one_way = g_get_monotonic_time () - json_object_get_int_member (object, "stamp");

      g_mutex_lock (&lock);
      g_array_append_val (end->one_way_us, one_way);
      g_mutex_unlock (&lock);
    }
  if (json_object_has_member (object, "req"))
    {
      g_autoptr(JsonNode) reply = int_object ("echo", json_object_get_int_member (object, "req"));

      g_assert_true (any_packet_reply (packet, reply, NULL));
    }
}

static void
end_init (End *end)
{
  end->socket = any_socket_new ();
  end->connected = g_ptr_array_new_with_free_func (g_object_unref);
  end->one_way_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  end->rtt_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (end->socket, "connected", G_CALLBACK (on_end_connected), end);
  g_signal_connect (end->socket, "message", G_CALLBACK (on_end_message), end);
  g_signal_connect (end->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
}

static void
end_clear (End *end)
{
  any_socket_stop (end->socket);
  drain ();
  g_signal_handlers_disconnect_by_data (end->socket, end);
  g_clear_object (&end->socket);
  g_ptr_array_unref (end->connected);
  g_array_unref (end->one_way_us);
  g_array_unref (end->rtt_us);
}

/* Medians over the limit so far: asserted at the end of a case, after
 * every number was printed. */
static guint slow;

static void
report_median (GArray     *values_us,
               const char *what)
{
  if (!median_under (values_us, ROUNDS, LIMIT_US, what))
    slow++;
}

static guint
locked_len (GArray *array)
{
  guint len;

  g_mutex_lock (&lock);
  len = array->len;
  g_mutex_unlock (&lock);
  return len;
}

/* An End listening in a thread of its own. */
typedef struct {
  End           end;
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  gint          port;     /* atomic: 0 until listening */
  gboolean      stamp, request;
} Server;

static void
on_server_listened (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Server *server = user_data;
  g_autoptr(GError) error = NULL;
  guint port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);

  g_assert_no_error (error);
  g_atomic_int_set (&server->port, (gint) port);
}

static gboolean
quit_server (gpointer user_data)
{
  Server *server = user_data;

  any_socket_stop (server->end.socket);
  g_main_loop_quit (server->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
server_main (gpointer user_data)
{
  Server *server = user_data;

  g_main_context_push_thread_default (server->context);
  end_init (&server->end);
  server->end.stamp_on_connect = server->stamp;
  server->end.request_on_connect = server->request;
  any_socket_listen_async (server->end.socket, "ws://127.0.0.1:0", NULL, on_server_listened, server);
  g_main_loop_run (server->loop);
  /* Lets the closes go out. */
  for (guint i = 0; i < 100 && g_main_context_iteration (server->context, FALSE); i++)
    ;
  g_signal_handlers_disconnect_by_data (server->end.socket, &server->end);
  g_clear_object (&server->end.socket);
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static guint
server_start (Server   *server,
              gboolean  stamp,
              gboolean  request)
{
  server->stamp = stamp;
  server->request = request;
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("latency-server", server_main, server);
  g_assert_true (WAIT_FOR (g_atomic_int_get (&server->port) != 0, 5000));
  return (guint) g_atomic_int_get (&server->port);
}

static void
server_stop (Server *server)
{
  g_main_context_invoke (server->context, quit_server, server);
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_ptr_array_unref (server->end.connected);
}

/* A fresh link per round: the first message each way, sent from the
 * `connected` handlers (server and client). */
static void
run_direct (gboolean stamp,
            gboolean request)
{
  Server server = { 0 };
  g_autoptr(GArray) server_rtt = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) client_rtt = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) to_server = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) to_client = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint port;

  port = server_start (&server, stamp, request);

  for (guint round = 0; round < ROUNDS; round++)
    {
      End client = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;
      guint want = round + 1;

      end_init (&client);
      client.stamp_on_connect = stamp;
      client.request_on_connect = request;
      peer = connect_local (client.socket, port, &error);
      g_assert_no_error (error);
      if (stamp)
        {
          WAIT_UNTIL (locked_len (server.end.one_way_us) == want && locked_len (client.one_way_us) == 1);
          g_assert_cmpuint (locked_len (server.end.one_way_us), ==, want);
          g_assert_cmpuint (locked_len (client.one_way_us), ==, 1);
          g_array_append_val (to_client, g_array_index (client.one_way_us, gint64, 0));
        }
      if (request)
        {
          WAIT_UNTIL (locked_len (server.end.rtt_us) == want && locked_len (client.rtt_us) == 1);
          g_assert_cmpuint (locked_len (server.end.rtt_us), ==, want);
          g_assert_cmpuint (locked_len (client.rtt_us), ==, 1);
          g_array_append_val (client_rtt, g_array_index (client.rtt_us, gint64, 0));
        }
      any_peer_disconnect (peer, "next round");
      end_clear (&client);
    }

  server_stop (&server);
  if (stamp)
    {
      report_median (server.end.one_way_us, "client -> server, first message");
      report_median (to_client, "server -> client, first message");
    }
  if (request)
    {
      report_median (server.end.rtt_us, "server's first request");
      report_median (client_rtt, "client's first request");
    }
  g_assert_cmpuint (slow, ==, 0);
  g_array_unref (server.end.one_way_us);
  g_array_unref (server.end.rtt_us);
}

static void
test_first_message (void)
{
  run_direct (TRUE, FALSE);
}

static void
test_first_request (void)
{
  run_direct (FALSE, TRUE);
}

typedef struct {
  gboolean done;
  gint64   rtt_ms;
  GError  *error;
} SyncedTime;

static void
on_synced_time (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncedTime *t = user_data;
  double offset;

  any_peer_get_synced_time_finish (ANY_PEER (source), result, &t->rtt_ms, &offset, &t->error);
  t->done = TRUE;
}

/* A hub; per round fresh A and B connect to it, A proxies to B and asks
 * it the synced time (its first message there), B sends A a request (its
 * first there). With @session, A and B connect through libsoup's
 * SoupSession (permessage-deflate), as wss:// does. */
static void
run_through_hub (gboolean session)
{
  Server hub = { 0 };
  g_autoptr(GArray) synced_rtt = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) request_rtt = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint port;

  port = server_start (&hub, FALSE, FALSE);

  for (guint round = 0; round < ROUNDS; round++)
    {
      End a = { 0 }, b = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) a_hub = NULL;
      g_autoptr(AnyPeer) b_hub = NULL;
      g_autoptr(AnyPeer) a_b = NULL;
      SyncedTime t = { 0 };
      gint64 rtt_us;

      end_init (&a);
      end_init (&b);
      any_socket_set_permessage_deflate (a.socket, session);
      any_socket_set_permessage_deflate (b.socket, session);
      a_hub = connect_local (a.socket, port, &error);
      g_assert_no_error (error);
      b_hub = connect_local (b.socket, port, &error);
      g_assert_no_error (error);
      a_b = proxy_local (a.socket, any_socket_get_id (b.socket), a_hub, &error);
      g_assert_no_error (error);
      WAIT_UNTIL (b.connected->len == 2);
      g_assert_cmpuint (b.connected->len, ==, 2);

      any_peer_get_synced_time_async (a_b, NULL, on_synced_time, &t);
      g_assert_true (wait_for (&t.done, 5000));
      g_assert_no_error (t.error);
      rtt_us = t.rtt_ms * 1000;
      g_array_append_val (synced_rtt, rtt_us);

      timed_request (g_ptr_array_index (b.connected, 1), b.rtt_us);
      WAIT_UNTIL (b.rtt_us->len == 1);
      g_assert_cmpuint (b.rtt_us->len, ==, 1);
      g_array_append_val (request_rtt, g_array_index (b.rtt_us, gint64, 0));

      end_clear (&a);
      end_clear (&b);
    }

  server_stop (&hub);
  report_median (synced_rtt, "A's first synced time of B through the hub (rtt)");
  report_median (request_rtt, "B's first request to A through the hub");
  g_assert_cmpuint (slow, ==, 0);
  g_array_unref (hub.end.one_way_us);
  g_array_unref (hub.end.rtt_us);
}

static void
test_through_hub (void)
{
  run_through_hub (FALSE);
}

static void
test_through_hub_session (void)
{
  run_through_hub (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/latency/first-message", test_first_message);
  g_test_add_func ("/latency/first-request", test_first_request);
  g_test_add_func ("/latency/through-hub", test_through_hub);
  g_test_add_func ("/latency/through-hub/session", test_through_hub_session);

  return g_test_run ();
}

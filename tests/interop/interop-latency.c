/* interop-latency.c: the first messages of a link against the JavaScript
 * peer are not held back by Nagle's algorithm (issue 12)
 *
 * Without TCP_NODELAY, a small write behind one the other side has not
 * acknowledged yet waits for that acknowledgement, which the receiver
 * delays by up to 40 ms: a message sent from a `connected` handler right
 * behind the AUTH answer reached a JavaScript client 40-44 ms late. Each
 * round opens a fresh link; both sides send, from their `connected`
 * handler, a message stamped with CLOCK_MONOTONIC (g_get_monotonic_time()
 * and node's process.hrtime() read the same clock, in one machine) and
 * one echo request. Through a libanysocket hub, a JavaScript client
 * proxies to a libanysocket client and asks it the synced time (its rtt)
 * and an echo; the libanysocket client sends its first request back. The
 * median of the rounds must stay under LATENCY_LIMIT_US (the stall is
 * 40 ms or more).
 *
 * SPDX-License-Identifier: MIT
 */
#include "interop.h"
#include "timings.h"

#define LATENCY_ROUNDS   5
#define LATENCY_LIMIT_US (20 * 1000)

static const char * const latency_js_args[] = { "--latency", NULL };

typedef struct {
  GArray  *one_way_us;   /* gint64: "stamp" messages received */
  GArray  *rtt_us;       /* gint64: our requests from "connected" */
  gboolean on_connect;   /* stamp and request from "connected" */
} Probe;

static JsonNode *
stamp_message (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (object, "stamp", g_get_monotonic_time ());
  json_node_set_object (node, object);
  return node;
}

static void
timed_request (Probe   *probe,
               AnyPeer *peer)
{
  g_autoptr(JsonNode) echo = json_checked ("{\"op\":\"echo\",\"data\":\"latency\",\"i\":0}");

  request_timed (peer, echo, probe->rtt_us, NULL);
}

static void
on_probe_connected (AnySocket *socket,
                    AnyPeer   *peer,
                    Probe     *probe)
{
  g_autoptr(JsonNode) stamp = NULL;

  if (!probe->on_connect)
    return;
  stamp = stamp_message ();
  send_local (peer, stamp);
  timed_request (probe, peer);
}

static void
on_probe_message (AnySocket *socket,
                  AnyPacket *packet,
                  Probe     *probe)
{
  JsonNode *msg = any_packet_get_msg (packet);
  gint64 one_way;

  if (!JSON_NODE_HOLDS_OBJECT (msg) || !json_object_has_member (json_node_get_object (msg), "stamp"))
    return;
  one_way = g_get_monotonic_time () - json_object_get_int_member (json_node_get_object (msg), "stamp");
  g_array_append_val (probe->one_way_us, one_way);
}

static void
probe_attach (Probe     *probe,
              AnySocket *socket,
              gboolean   on_connect)
{
  probe->on_connect = on_connect;
  if (probe->one_way_us == NULL)
    {
      probe->one_way_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      probe->rtt_us = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  g_signal_connect (socket, "connected", G_CALLBACK (on_probe_connected), probe);
  g_signal_connect (socket, "message", G_CALLBACK (on_probe_message), probe);
}

static void
probe_clear (Probe *probe)
{
  g_clear_pointer (&probe->one_way_us, g_array_unref);
  g_clear_pointer (&probe->rtt_us, g_array_unref);
}

/* Medians over the limit so far: asserted at the end of a case, after
 * every number was printed. */
static guint slow;

static void
report_median (GArray     *values_us,
               const char *what)
{
  if (!median_under (values_us, LATENCY_ROUNDS, LATENCY_LIMIT_US, what))
    slow++;
}

/* Takes the JavaScript side's "latency" event of @kind, if it came. */
static JsonNode *
js_take_latency (JsPeer     *js,
                 const char *kind)
{
  for (GList *l = js->events.head; l != NULL; l = l->next)
    if (g_strcmp0 (msg_string (l->data, "event"), "latency") == 0 &&
        g_strcmp0 (msg_string (l->data, "kind"), kind) == 0)
      {
        JsonNode *node = l->data;

        g_queue_delete_link (&js->events, l);
        return node;
      }
  return NULL;
}

/* Waits for it: its microseconds. */
static gint64
js_latency (JsPeer     *js,
            const char *kind)
{
  g_autoptr(JsonNode) event = NULL;

  WAIT_FOR ((event = js_take_latency (js, kind)) != NULL || js->eof, 5000);
  if (event == NULL)
    g_error ("%s: no latency event of kind %s within 5 s", js->name, kind);
  return msg_required_int (event, "us");
}

/* A fresh link per round, both sides stamping and requesting from their
 * `connected` handler. */
static void
test_latency_first (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Probe probe = { 0 };
  g_autoptr(GArray) js_one_way = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) js_rtt = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint round = 0; round < LATENCY_ROUNDS; round++)
    {
      CSide *c = c_side_new (5000, NULL, NULL);
      Link *link;
      gint64 us;

      probe_attach (&probe, c->socket, TRUE);
      link = link_open_with (dir, c, latency_js_args, FALSE);
      us = js_latency (link->js, "message");
      g_array_append_val (js_one_way, us);
      us = js_latency (link->js, "request");
      g_array_append_val (js_rtt, us);
      g_assert_true (WAIT_FOR (probe.one_way_us->len == round + 1 && probe.rtt_us->len == round + 1, 5000));
      g_signal_handlers_disconnect_by_data (c->socket, &probe);
      link_close (link);
    }

  report_median (js_one_way, dir == DIR_C_SERVER ? "C server -> JS client, first message"
                                                      : "C client -> JS server, first message");
  report_median (probe.one_way_us, dir == DIR_C_SERVER ? "JS client -> C server, first message"
                                                            : "JS server -> C client, first message");
  report_median (js_rtt, dir == DIR_C_SERVER ? "JS client's first request" : "JS server's first request");
  report_median (probe.rtt_us, dir == DIR_C_SERVER ? "C server's first request" : "C client's first request");
  g_assert_cmpuint (slow, ==, 0);
  probe_clear (&probe);
}

/* Our hub; per round a JavaScript client J and a libanysocket client B
 * connect to it, J proxies to B and asks it the synced time first, then
 * an echo; B's first request to J goes back through the hub. */
static void
test_latency_through_c_hub (gconstpointer data)
{
  CSide *hub = c_side_new (5000, NULL, NULL);
  const char *hub_id = any_socket_get_id (hub->socket);
  g_autoptr(GArray) synced_rtt = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) js_request = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) c_request = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_signal_connect (hub->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  c_side_listen (hub);

  for (guint round = 0; round < LATENCY_ROUNDS; round++)
    {
      CSide *b = c_side_new (5000, NULL, NULL);
      Probe probe = { 0 };
      JsPeer *j = js_spawn_full ("client", hub->port, NULL, FALSE);
      g_autoptr(AnyPeer) b_hub = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) proxied = NULL, synced = NULL, done = NULL;
      g_autofree char *command = NULL;
      gint64 value;

      probe_attach (&probe, b->socket, FALSE);
      json_node_unref (js_expect (j, "connected", 5000));
      b_hub = connect_local (b->socket, hub->port, &error);
      g_assert_no_error (error);

      command = g_strdup_printf ("{\"cmd\":\"proxy\",\"id\":\"%s\",\"through\":\"%s\"}",
                                 any_socket_get_id (b->socket), hub_id);
      js_command_text (j, command);
      proxied = js_expect (j, "proxied", 5000);
      json_node_unref (js_expect (j, "connected", 5000));
      g_free (command);
      command = g_strdup_printf ("{\"cmd\":\"synced_time\",\"peer\":\"%s\"}", any_socket_get_id (b->socket));
      js_command_text (j, command);
      synced = js_expect (j, "synced_time", 5000);
      value = msg_required_int (synced, "rtt") * 1000;
      g_array_append_val (synced_rtt, value);
      g_free (command);
      command = g_strdup_printf ("{\"cmd\":\"requests\",\"count\":1,\"peer\":\"%s\"}", any_socket_get_id (b->socket));
      js_command_text (j, command);
      done = js_expect (j, "requests_done", 5000);
      g_assert_cmpint (msg_required_int (done, "ok"), ==, 1);
      value = msg_required_int (done, "ms") * 1000;
      g_array_append_val (js_request, value);

      g_assert_true (WAIT_FOR (b->connected->len == 2, 5000));
      timed_request (&probe, g_ptr_array_index (b->connected, 1));
      g_assert_true (WAIT_FOR (probe.rtt_us->len == 1, 5000));
      g_array_append_val (c_request, g_array_index (probe.rtt_us, gint64, 0));

      g_signal_handlers_disconnect_by_data (b->socket, &probe);
      probe_clear (&probe);
      js_free (j);
      c_side_free (b);
    }

  report_median (synced_rtt, "JS client's first synced time of a C client through a C hub (rtt)");
  report_median (js_request, "JS client's first request to a C client through a C hub");
  report_median (c_request, "C client's first request to a JS client through a C hub");
  g_assert_cmpuint (slow, ==, 0);
  c_side_free (hub);
}

void
interop_add_latency_cases (void)
{
  add_both ("latency/first-message-and-request", test_latency_first);
  add_one ("latency/through-c-hub", test_latency_through_c_hub);
}

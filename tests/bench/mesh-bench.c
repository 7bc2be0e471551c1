/* mesh-bench.c: figures of the mesh (AnyMesh), not a test
 *
 *   mesh-bench [N]   (N nodes, default 100)
 *
 * 1. N in-process sockets over 127.0.0.1 in a random graph of degree 3-4
 *    (tests/mesh/mesh-harness.c), default intervals: the time from the
 *    first link until every node reaches every other (cold start); then
 *    the bytes of mesh packets each idle node sends per second (its
 *    announcements and the relaying of the others'), measured over 10 s.
 * 2. With announcements slowed (so that only publications count): mesh
 *    packets sent on the wire per publication (amplification; pushes to D
 *    neighbours plus IHAVE/IWANT), over 50 publications.
 * 3. A chain of 6 nodes (5 hops), rate limits off: the latency of a
 *    publication to the far end, divided by 5, over 100 one at a time
 *    (median); the throughput of 5000 publications back to back.
 * 4. End-to-end request/reply 3 hops away (chain of 4) against an AnyPeer
 *    request on a direct link: the median of 300 sequential round trips.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>

#include "mesh-harness.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

static guint64
total_stat (Net *net, const char *name)
{
  guint64 total = 0;

  for (guint i = 0; i < net->nodes->len; i++)
    total += mesh_stat (net_node (net, i)->mesh, name);
  return total;
}

static void
set_all (Net *net, const char *first_property, ...)
{
  for (guint i = 0; i < net->nodes->len; i++)
    {
      va_list args;

      va_start (args, first_property);
      g_object_set_valist (G_OBJECT (net_node (net, i)->mesh), first_property, args);
      va_end (args);
    }
}

static void
bench_random (guint n)
{
  Net *net = net_new (n);
  gint64 start;
  guint64 bytes0, packets0, packets1;
  double seconds;

  set_all (net, "announce-interval", 2000, "gossip-interval", 200, "publish-rate", 0, NULL);
  start = g_get_monotonic_time ();
  net_random (net, 4);
  if (!net_wait_full (net, 120000))
    g_error ("the mesh of %u did not converge in 120 s", n);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_print ("| cold start, %u nodes (random, degree 3-4), links made and every route known | %.2f s |\n",
           n, seconds);

  bytes0 = total_stat (net, "bytes-sent");
  packets0 = total_stat (net, "packets-sent");
  iterate_for (10000);
  g_print ("| idle: mesh bytes sent per node per second (announcement interval 2 s) | %.0f B/s (%.1f packets/s) |\n",
           (total_stat (net, "bytes-sent") - bytes0) / 10.0 / n,
           (total_stat (net, "packets-sent") - packets0) / 10.0 / n);

  /* Slow announcements: one round with a long lifetime, then quiet. */
  set_all (net, "announce-interval", 60000, NULL);
  iterate_for (3000);
  if (!net_full (net))
    g_error ("routes lost while slowing the announcements");
  packets0 = total_stat (net, "packets-sent");
  for (int k = 0; k < 50; k++)
    {
      guint before = net_total_received (net);

      net_publish (net, (k * 13) % n, k);
      if (!WAIT_FOR (net_total_received (net) >= before + n - 1, 10000))
        g_error ("publication %d did not reach everyone", k);
    }
  iterate_for (1000);
  packets1 = total_stat (net, "packets-sent");
  g_print ("| mesh packets on the wire per publication, %u nodes (D = 4, with IHAVE/IWANT) | %.1f (%.2f per node) |\n",
           n, (packets1 - packets0) / 50.0, (packets1 - packets0) / 50.0 / n);
  g_print ("| duplicates delivered | %u |\n", net_total_duplicates (net));
  net_free (net);
}

static void
bench_chain (void)
{
  Net *net = net_new (6);
  double lat[100];
  guint before;
  gint64 start;

  set_all (net, "publish-rate", 0, "neighbour-rate", 0, NULL);
  net_chain (net);
  if (!net_wait_full (net, 30000))
    g_error ("the chain did not converge");
  for (guint k = 0; k < G_N_ELEMENTS (lat); k++)
    {
      before = net_node (net, 5)->received;
      start = g_get_monotonic_time ();
      net_publish (net, 0, k);
      if (!WAIT_FOR (net_node (net, 5)->received > before, 5000))
        g_error ("publication lost on the chain");
      lat[k] = (g_get_monotonic_time () - start) / 1000.0;
    }
  g_print ("| publication latency per hop (5-hop chain, median of 100) | %.3f ms |\n",
           median (lat, G_N_ELEMENTS (lat)) / 5);

  before = net_node (net, 5)->received;
  start = g_get_monotonic_time ();
  for (int k = 0; k < 5000; k++)
    net_publish (net, 0, 1000 + k);
  if (!WAIT_FOR (net_node (net, 5)->received >= before + 5000, 120000))
    g_error ("throughput: %u of 5000 arrived", net_node (net, 5)->received - before);
  g_print ("| publication throughput along the 5-hop chain (5000 back to back) | %.0f msg/s |\n",
           5000 / ((g_get_monotonic_time () - start) / 1e6));
  net_free (net);
}

static void
on_echo (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  any_packet_reply (packet, any_packet_get_msg (packet), NULL);
}

static void
bench_request (void)
{
  Net *net = net_new (4);
  double e2e[300], direct[300];
  g_autoptr(JsonNode) msg = json_from_string ("{\"ask\": 42}", NULL);
  AnyPeer *peer;

  net_chain (net);
  if (!net_wait_full (net, 30000))
    g_error ("the chain did not converge");
  g_clear_pointer (&msg, json_node_unref);
  /* The first one sets the session up. */
  json_node_unref (mesh_request (net_node (net, 0), net_node (net, 3), 5000, NULL));
  for (guint k = 0; k < G_N_ELEMENTS (e2e); k++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) reply = mesh_request (net_node (net, 0), net_node (net, 3), 5000, &error);

      if (reply == NULL)
        g_error ("request: %s", error->message);
      e2e[k] = (g_get_monotonic_time () - start) / 1000.0;
    }
  peer = net_peer_between (net, 0, 1);
  g_signal_connect (net_node (net, 1)->socket, "message", G_CALLBACK (on_echo), NULL);
  for (guint k = 0; k < G_N_ELEMENTS (direct); k++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) ask = json_from_string ("{\"ask\": 42}", NULL);
      g_autoptr(AnyPacket) reply = request_local (peer, ask, 5000, &error);

      if (reply == NULL)
        g_error ("direct request: %s", error->message);
      direct[k] = (g_get_monotonic_time () - start) / 1000.0;
    }
  g_print ("| request/reply round trip: E2E 3 hops away vs AnyPeer on a direct link (median of 300) | %.3f ms vs %.3f ms |\n",
           median (e2e, G_N_ELEMENTS (e2e)), median (direct, G_N_ELEMENTS (direct)));
  net_free (net);
}

int
main (int argc, char *argv[])
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 100;

  g_print ("| mesh figure | value |\n| --- | --- |\n");
  bench_chain ();
  bench_request ();
  bench_random (n);
  return 0;
}

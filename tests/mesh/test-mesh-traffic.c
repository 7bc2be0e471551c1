/* test-mesh-traffic.c: the mesh's idle traffic and departures (issue 15,
 * follow-up point 4): an announcement crosses each link about once (not
 * once per direction), and a node that leaves cleanly is dropped by all
 * at once (its signed withdraw), long before its routes would expire.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "mesh-harness.h"

#define CONVERGE_MS 20000

static guint64
total (Net *net, const char *name)
{
  guint64 sum = 0;

  for (guint i = 0; i < net->nodes->len; i++)
    if (!net_node (net, i)->dead)
      sum += mesh_stat (net_node (net, i)->mesh, name);
  return sum;
}

/* Flooding sends each announcement (143 bytes) over every link but the
 * one it came by, at every node: about 2E - N + 1 copies per origin (E
 * links). Held to the next tick, not sent back to the neighbours that
 * already gave it, and mostly as a 95-byte key-less REFRESH, it costs
 * well under 70% of those bytes. */
static void
test_idle_copies (void)
{
  guint n = 16;
  Net *net = net_new (n);
  guint links = 0;
  guint64 packets0, bytes0, rounds;
  double per_origin, bytes_per_origin, flood;

  net_random (net, 7);
  for (guint i = 0; i < n; i++)
    {
      GList *peers = any_socket_get_peers (net_node (net, i)->socket);

      links += g_list_length (peers);
      g_list_free (peers);
    }
  links /= 2;
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  iterate_for (2 * MESH_ANNOUNCE_MS);
  packets0 = total (net, "packets-sent");
  bytes0 = total (net, "bytes-sent");
  iterate_for (10 * MESH_ANNOUNCE_MS);
  rounds = 10;
  per_origin = (double) (total (net, "packets-sent") - packets0) / rounds / n;
  bytes_per_origin = (double) (total (net, "bytes-sent") - bytes0) / rounds / n;
  flood = 2.0 * links - n + 1;
  g_test_message ("%u nodes, %u links: %.1f copies, %.0f bytes per announcement (flooding: %.0f, %.0f)",
                  n, links, per_origin, bytes_per_origin, flood, flood * 143);
  g_assert_cmpfloat (per_origin, <, 0.9 * flood);
  g_assert_cmpfloat (bytes_per_origin, <, 0.7 * flood * 143);
  g_assert_true (net_full (net));
  net_free (net);
}

/* Chain 0-1-2-3, routes living 9 s: node 3 leaving (its mesh dropped)
 * is known everywhere within a second. */
static void
test_withdraw (void)
{
  Net *net = net_new (4);
  gint64 left;

  for (guint i = 0; i < 4; i++)
    g_object_set (net_node (net, i)->mesh, "announce-interval", 3000, NULL);
  net_chain (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  left = g_get_monotonic_time ();
  g_clear_object (&net_node (net, 3)->mesh);
  g_assert_true (WAIT_FOR (any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 3)->node_id) == NULL
                           && any_mesh_get_node (net_node (net, 1)->mesh, net_node (net, 3)->node_id) == NULL,
                           5000));
  g_test_message ("node 3 dropped %" G_GINT64_FORMAT " ms after it left (route lifetime 9000 ms)",
                  (g_get_monotonic_time () - left) / 1000);
  g_assert_cmpint ((g_get_monotonic_time () - left) / 1000, <, 1500);
  /* A replay of an older announcement does not bring it back. */
  iterate_for (1000);
  g_assert_null (any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 3)->node_id));
  g_assert_cmpuint (net_reach (net_node (net, 0)), ==, 2);
  net_node (net, 3)->dead = TRUE;
  any_socket_stop (net_node (net, 3)->socket);
  g_clear_object (&net_node (net, 3)->socket);
  net_free (net);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mesh-traffic/idle-copies", test_idle_copies);
  g_test_add_func ("/mesh-traffic/withdraw", test_withdraw);
  return g_test_run ();
}

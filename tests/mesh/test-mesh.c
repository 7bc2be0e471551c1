/* test-mesh.c: AnyMesh over real loopback links: reachability in chains,
 * rings, stars and random graphs; publish reaching every subscriber
 * exactly once with its authenticated author; a node or link killed
 * (converging, no ghost after the bound); a partition and its healing;
 * end-to-end messages and requests many hops away.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "mesh-harness.h"
#include "api/any-mesh-private.h"

/* Generous for a loaded machine; the bound under test is separate. */
#define CONVERGE_MS 20000

static void
check_publish_once (Net *net, guint publishers, int per_publisher)
{
  guint n = net->nodes->len;
  guint expected = publishers * per_publisher * (n - 1);

  for (int k = 0; k < per_publisher; k++)
    for (guint p = 0; p < publishers; p++)
      net_publish (net, (p * 7) % n, k);
  g_assert_true (WAIT_FOR (net_total_received (net) >= expected, CONVERGE_MS));
  iterate_for (3 * MESH_ANNOUNCE_MS);
  g_assert_cmpuint (net_total_received (net), ==, expected);
  g_assert_cmpuint (net_total_duplicates (net), ==, 0);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (mesh_stat (net_node (net, i)->mesh, "bad-signature"), ==, 0);
}

static void
test_chain (void)
{
  Net *net = net_new (10);

  net_chain (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  g_assert_cmpuint (any_mesh_node_get_hops (any_mesh_get_node (net_node (net, 0)->mesh,
                                                               net_node (net, 9)->node_id)), ==, 9);
  check_publish_once (net, 2, 5);
  net_free (net);
}

static void
test_ring (void)
{
  Net *net = net_new (12);

  net_ring (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  /* The shorter way round, once an announcement went round after the
   * ring closed (everyone was reachable by the chain before). */
  g_assert_true (WAIT_FOR (any_mesh_node_get_hops (any_mesh_get_node (net_node (net, 0)->mesh,
                                                                      net_node (net, 9)->node_id)) == 3,
                           3 * MESH_ANNOUNCE_MS + 2000));
  check_publish_once (net, 3, 5);
  net_free (net);
}

static void
test_star (void)
{
  Net *net = net_new (12);

  net_star (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  check_publish_once (net, 3, 5);
  net_free (net);
}

static void
test_random (void)
{
  /* 30 nodes; 12 under valgrind, where connecting 30 takes too long. */
  Net *net = net_new (running_slow () ? 12 : 30);

  net_random (net, 15);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  check_publish_once (net, 4, 5);
  net_free (net);
}

/* Kill the middle of a chain: both halves drop the other side within
 * the route lifetime (plus announcement and tick slack), and nothing
 * comes back. */
static void
test_kill_node (void)
{
  Net *net = net_new (7);
  gint64 killed;

  net_chain (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  killed = g_get_monotonic_time ();
  net_kill (net, 3);
  g_assert_true (WAIT_FOR (net_reach (net_node (net, 0)) == 2 && net_reach (net_node (net, 6)) == 2
                           && net_full (net) == FALSE, CONVERGE_MS));
  /* Converged: each side only has its own half, and no ghost of the dead. */
  g_assert_true (WAIT_FOR (({
    gboolean ok = TRUE;
    for (guint i = 0; i < 7; i++)
      if (i != 3)
        {
          GList *all = any_mesh_get_nodes (net_node (net, i)->mesh);
          ok = ok && g_list_length (all) == 2;
          g_list_free (all);
        }
    ok; }), CONVERGE_MS));
  g_test_message ("halves converged %" G_GINT64_FORMAT " ms after the kill (route lifetime %d ms)",
                  (g_get_monotonic_time () - killed) / 1000, MESH_LIFETIME_MS);
  g_assert_cmpint ((g_get_monotonic_time () - killed) / 1000, <, MESH_LIFETIME_MS + 2 * MESH_ANNOUNCE_MS + 1500);
  g_assert_null (any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 3)->node_id));
  iterate_for (3 * MESH_LIFETIME_MS);
  for (guint i = 0; i < 7; i++)
    if (i != 3)
      {
        GList *all = any_mesh_get_nodes (net_node (net, i)->mesh);

        g_assert_cmpuint (g_list_length (all), ==, 2);
        g_list_free (all);
      }
  net_free (net);
}

/* A ring that loses one link still reaches everyone (the other way
 * round); two links cut it in two; one link back heals it. */
static void
test_partition_heal (void)
{
  Net *net = net_new (10);
  AnyMeshNode *far;

  net_ring (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  any_peer_disconnect (net_peer_between (net, 0, 1), "cut");
  iterate_for (2 * MESH_LIFETIME_MS);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  far = any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 1)->node_id);
  g_assert_nonnull (far);
  g_assert_cmpuint (any_mesh_node_get_hops (far), ==, 9);

  any_peer_disconnect (net_peer_between (net, 5, 6), "cut");
  /* {1..5} and {6..9, 0} */
  g_assert_true (WAIT_FOR (net_reach (net_node (net, 0)) == 4 && net_reach (net_node (net, 1)) == 4,
                           CONVERGE_MS));
  iterate_for (MESH_LIFETIME_MS);
  g_assert_cmpuint (net_reach (net_node (net, 0)), ==, 4);
  g_assert_null (any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 3)->node_id));

  net_link (net, 0, 1);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  check_publish_once (net, 2, 3);
  net_free (net);
}

typedef struct {
  gboolean  done;
  GError   *error;
} CancelResult;

static gboolean
drop_all (gpointer user_data, guint8 *packet, gsize len)
{
  return FALSE;
}

static void
on_cancelled_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CancelResult *c = user_data;
  g_autoptr(JsonNode) reply = any_mesh_request_finish (ANY_MESH (source), result, &c->error);

  g_assert_null (reply);
  c->done = TRUE;
}

/* Messages and requests from one end of a chain to the other, sealed end
 * to end; the relays forward only ciphertext. */
static void
test_e2e_chain (void)
{
  Net *net = net_new (6);
  g_autoptr(JsonNode) msg = json_from_string ("{\"secret\": \"hello dan\"}", NULL);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  AnyMeshNode *end;

  net_chain (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  g_assert_true (any_mesh_send (net_node (net, 0)->mesh, net_node (net, 5)->node_id, msg, &error));
  g_assert_no_error (error);
  g_assert_true (WAIT_FOR (net_node (net, 5)->node_messages == 1, CONVERGE_MS));
  g_assert_true (json_node_equal (net_node (net, 5)->last_node_message, msg));
  for (guint i = 1; i < 5; i++)
    g_assert_cmpuint (net_node (net, i)->node_messages, ==, 0);

  reply = mesh_request (net_node (net, 0), net_node (net, 5), 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "by"), ==,
                   net_node (net, 5)->node_id);
  end = any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 5)->node_id);
  g_assert_true (any_mesh_node_get_verified (end));
  g_assert_cmpint (any_mesh_node_get_lag (end), >=, 0);
  g_assert_cmpuint (any_mesh_node_get_hops (end), ==, 5);
  g_assert_true (any_mesh_node_get_verified (any_mesh_get_node (net_node (net, 5)->mesh,
                                                                net_node (net, 0)->node_id)));

  /* A request whose reply does not come (node 1 drops what it relays)
   * ends as soon as it is cancelled, not at its 5 s timeout. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    CancelResult c = { 0 };

    any_mesh_core_set_relay_hook (_any_mesh_get_core (net_node (net, 1)->mesh), drop_all, NULL);
    any_mesh_request_async (net_node (net, 0)->mesh, net_node (net, 5)->node_id, msg, 5000,
                            cancellable, on_cancelled_reply, &c);
    iterate_for (100);
    g_cancellable_cancel (cancellable);
    g_assert_true (wait_for (&c.done, 2000));
    g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&c.error);
    any_mesh_core_set_relay_hook (_any_mesh_get_core (net_node (net, 1)->mesh), NULL, NULL);
  }

  /* The far end goes away: a request fails cleanly (no route, or the
   * route going away, or the timeout), never hangs. */
  net_kill (net, 5);
  g_clear_pointer (&reply, json_node_unref);
  reply = mesh_request (net_node (net, 0), net_node (net, 5), 2 * MESH_LIFETIME_MS + 2000, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  g_test_message ("request to a dead node: %s", error->message);
  net_free (net);
}

/* The far end restarts with the same identity: same node id, a new
 * session. The first message after the restart still arrives (its RESET,
 * signed by the end, makes the sender send it again over a new
 * handshake), once. */
static void
test_e2e_restart (void)
{
  Net *net = net_new (3);
  g_autoptr(JsonNode) first = json_from_string ("{\"n\": 1}", NULL);
  g_autoptr(JsonNode) second = json_from_string ("{\"n\": 2}", NULL);
  g_autoptr(GError) error = NULL;

  net_chain (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  g_assert_true (any_mesh_send (net_node (net, 0)->mesh, net_node (net, 2)->node_id, first, &error));
  g_assert_true (WAIT_FOR (net_node (net, 2)->node_messages == 1, CONVERGE_MS));

  net_restart (net, 2);
  net_node (net, 2)->node_messages = 0;
  net_link (net, 1, 2);
  /* Reachable again under its node id (the route never expired, or came back). */
  g_assert_true (WAIT_FOR (any_mesh_get_node (net_node (net, 2)->mesh, net_node (net, 0)->node_id) != NULL
                           && any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 2)->node_id) != NULL
                           && any_mesh_get_node (net_node (net, 1)->mesh, net_node (net, 2)->node_id) != NULL
                           && any_mesh_node_get_next_hop (any_mesh_get_node (net_node (net, 1)->mesh,
                                                                             net_node (net, 2)->node_id)) != NULL,
                           CONVERGE_MS));
  g_assert_true (any_mesh_send (net_node (net, 0)->mesh, net_node (net, 2)->node_id, second, &error));
  g_assert_no_error (error);
  g_assert_true (WAIT_FOR (net_node (net, 2)->node_messages == 1, CONVERGE_MS));
  g_assert_true (json_node_equal (net_node (net, 2)->last_node_message, second));
  iterate_for (500);
  g_assert_cmpuint (net_node (net, 2)->node_messages, ==, 1);
  g_assert_cmpuint (mesh_stat (net_node (net, 0)->mesh, "e2e-failed"), ==, 0);
  net_free (net);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mesh/chain", test_chain);
  g_test_add_func ("/mesh/ring", test_ring);
  g_test_add_func ("/mesh/star", test_star);
  g_test_add_func ("/mesh/random", test_random);
  g_test_add_func ("/mesh/kill-node", test_kill_node);
  g_test_add_func ("/mesh/partition-heal", test_partition_heal);
  g_test_add_func ("/mesh/e2e-chain", test_e2e_chain);
  g_test_add_func ("/mesh/e2e-restart", test_e2e_restart);
  return g_test_run ();
}

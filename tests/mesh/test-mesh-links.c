/* test-mesh-links.c: which links a mesh uses: those made before the mesh
 * was created (adopted through a probe), and peers proxied through a hub
 * that does not run a mesh itself (issue 15, follow-up point 1).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "mesh-harness.h"

#define CONVERGE_MS 15000

typedef struct {
  AnySocket *socket;
  AnyMesh   *mesh;
  guint      port;
  guint      app_messages;     /* LINK messages that reached the application */
} Plain;

static void
count_message (AnySocket *socket,
               AnyPacket *packet,
               Plain     *p)
{
  p->app_messages++;
}

static void
plain_start (Plain *p)
{
  p->socket = any_socket_new ();
  g_signal_connect (p->socket, "message", G_CALLBACK (count_message), p);
  p->port = listen_local (p->socket);
}

static void
plain_mesh (Plain *p)
{
  p->mesh = any_mesh_new (p->socket);
  g_object_set (p->mesh, "announce-interval", MESH_ANNOUNCE_MS, "gossip-interval", MESH_GOSSIP_MS, NULL);
}

static void
plain_link (Plain *a, Plain *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = connect_local (a->socket, b->port, &error);

  g_assert_no_error (error);
}

static void
plain_stop (Plain *p)
{
  g_signal_handlers_disconnect_by_data (p->socket, p);
  g_clear_object (&p->mesh);
  any_socket_stop (p->socket);
  g_clear_object (&p->socket);
}

static guint
hops_to (Plain *from, Plain *to)
{
  AnyMeshNode *node = any_mesh_get_node (from->mesh, any_mesh_get_node_id (to->mesh));

  return node != NULL ? any_mesh_node_get_hops (node) : 0;
}

/* A chain A-B-C linked first; the meshes come later, A's before it links
 * (its AUTH says "mesh"), B's and C's after: every link is adopted, and no
 * mesh packet ever reaches an application as a LINK message. */
static void
test_late_mesh (void)
{
  Plain a = { 0 }, b = { 0 }, c = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) hi = json_from_string ("{\"plain\": 1}", NULL);

  plain_start (&a);
  plain_start (&b);
  plain_start (&c);
  plain_mesh (&a);
  plain_link (&a, &b);
  plain_link (&b, &c);
  iterate_for (200);
  plain_mesh (&b);
  /* B knows A before C's mesh asks B: B's answer must go before the
   * routes B then sends C, or C's application would get them. */
  g_assert_true (WAIT_FOR (hops_to (&b, &a) == 1, CONVERGE_MS));
  plain_mesh (&c);

  g_assert_true (WAIT_FOR (hops_to (&a, &c) == 2 && hops_to (&c, &a) == 2, CONVERGE_MS));
  g_assert_cmpuint (hops_to (&a, &b), ==, 1);
  g_assert_cmpuint (hops_to (&b, &c), ==, 1);
  /* Links still carry the application's messages. */
  g_assert_true (any_peer_send (any_socket_get_peer (c.socket, any_socket_get_id (b.socket)), hi, &error));
  g_assert_no_error (error);
  g_assert_true (WAIT_FOR (b.app_messages == 1, 5000));
  iterate_for (3 * MESH_ANNOUNCE_MS);
  g_assert_cmpuint (a.app_messages, ==, 0);
  g_assert_cmpuint (b.app_messages, ==, 1);
  g_assert_cmpuint (c.app_messages, ==, 0);

  plain_stop (&a);
  plain_stop (&b);
  plain_stop (&c);
  iterate_for (50);
}

/* A and C reach each other only through hub H, which runs no mesh: the
 * proxied link becomes a mesh neighbour once its probe told the caps,
 * and an end-to-end request crosses it. */
static void
test_proxied_neighbour (void)
{
  Plain a = { 0 }, c = { 0 }, hub = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) proxied = NULL;
  AnyMeshNode *node;

  plain_start (&hub);
  g_signal_connect (hub.socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  plain_start (&a);
  plain_start (&c);
  plain_mesh (&a);
  plain_mesh (&c);
  plain_link (&a, &hub);
  plain_link (&c, &hub);
  iterate_for (200);
  g_assert_null (any_mesh_get_node (a.mesh, any_mesh_get_node_id (c.mesh)));

  proxied = proxy_local (a.socket, any_socket_get_id (c.socket),
                         any_socket_get_peer (a.socket, any_socket_get_id (hub.socket)), &error);
  g_assert_no_error (error);
  g_assert_nonnull (proxied);
  g_assert_true (WAIT_FOR (hops_to (&a, &c) == 1 && hops_to (&c, &a) == 1, CONVERGE_MS));
  node = any_mesh_get_node (a.mesh, any_mesh_get_node_id (c.mesh));
  g_assert_true (any_mesh_node_get_next_hop (node) == proxied);
  g_assert_cmpuint (a.app_messages + c.app_messages + hub.app_messages, ==, 0);

  plain_stop (&a);
  plain_stop (&c);
  plain_stop (&hub);
  iterate_for (50);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mesh-links/late-mesh", test_late_mesh);
  g_test_add_func ("/mesh-links/proxied-neighbour", test_proxied_neighbour);
  return g_test_run ();
}

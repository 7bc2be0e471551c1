/* interop-mesh.c: a JavaScript 0.4.29 peer on a mesh node
 *
 * The C side has an AnyMesh and a second C mesh node linked to it, so
 * announcements and publications flow while the JavaScript peer is
 * connected. The JavaScript peer advertised no mesh capability: it must
 * never get a mesh packet, keep its link, and exchange messages as before.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "interop.h"

static void
test_js_keeps_link (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  CSide *c = c_side_new (0, NULL, NULL);
  g_autoptr(AnyMesh) mesh = any_mesh_new (c->socket);
  g_autoptr(AnySocket) other = any_socket_new ();
  g_autoptr(AnyMesh) other_mesh = any_mesh_new (other);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) link_to_other = NULL;
  guint other_port;
  Link *link;
  JsonNode *event;
  guint js_messages = 0;

  g_object_set (mesh, "announce-interval", 200, "gossip-interval", 50, NULL);
  g_object_set (other_mesh, "announce-interval", 200, "gossip-interval", 50, NULL);
  link = link_open_with (dir, c, NULL, FALSE);
  other_port = listen_local (other);
  g_clear_object (&link_to_other);
  link_to_other = connect_local (c->socket, other_port, &error);
  g_assert_no_error (error);
  g_assert_true (WAIT_FOR (any_mesh_get_node (mesh, any_mesh_get_node_id (other_mesh)) != NULL, 10000));
  /* The JavaScript peer is a peer, not a mesh node. */
  g_assert_cmpuint (g_list_length (any_mesh_get_nodes (mesh)), ==, 1);

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"n\": %d}", i);
      g_autoptr(JsonNode) msg = json_from_string (text, NULL);

      g_assert_true (any_mesh_publish (mesh, "t", msg, NULL));
      g_assert_true (any_mesh_publish (other_mesh, "t", msg, NULL));
    }
  iterate_for (1500);   /* several announcement intervals */

  assert_link_works (link);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  while ((event = js_take (link->js, "message")) != NULL)
    {
      g_autofree char *text = json_to_string (event, FALSE);

      js_messages++;
      g_assert_null (strstr (text, "anymesh"));
      json_node_unref (event);
    }
  g_assert_null (js_take (link->js, "disconnected"));
  note ("%s: the JavaScript peer kept its link beside the mesh (%u plain messages, none from the mesh)",
        dir_name (dir), js_messages);
  g_clear_object (&mesh);
  any_socket_stop (other);
  link_close (link);
}

void
interop_add_mesh_cases (void)
{
  add_both ("mesh/js-peer-keeps-link", test_js_keeps_link);
}

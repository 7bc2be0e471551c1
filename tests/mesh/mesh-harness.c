/* mesh-harness.c: meshes of in-process sockets linked over 127.0.0.1
 * (see mesh-harness.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "mesh-harness.h"

static void
on_message (AnyMesh    *mesh,
            const char *topic,
            const char *author,
            const char *fingerprint,
            JsonNode   *msg,
            MeshNode   *node)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (msg) ? json_node_get_object (msg) : NULL;
  gint64 from = o ? json_object_get_int_member_with_default (o, "from", -1) : -1;
  gint64 n = o ? json_object_get_int_member_with_default (o, "n", -1) : -1;
  g_autofree char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, author, n);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (node->got, key));

  node->received++;
  if (count > 0)
    node->duplicates++;
  g_hash_table_replace (node->got, g_steal_pointer (&key), GUINT_TO_POINTER (count + 1));
  if (from < 0 || from >= node->net->nodes->len
      || g_strcmp0 (net_node (node->net, from)->node_id, author) != 0
      || g_strcmp0 (any_mesh_get_fingerprint (net_node (node->net, from)->mesh), fingerprint) != 0)
    node->wrong_author++;
}

static void
on_node_message (AnyMesh     *mesh,
                 AnyMeshNode *from,
                 JsonNode    *msg,
                 MeshNode    *node)
{
  node->node_messages++;
  g_clear_pointer (&node->last_node_message, json_node_unref);
  node->last_node_message = json_node_copy (msg);
}

static JsonNode *
on_request (AnyMesh     *mesh,
            AnyMeshNode *from,
            JsonNode    *msg,
            MeshNode    *node)
{
  JsonNode *reply = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();

  json_object_set_member (o, "echo", json_node_copy (msg));
  json_object_set_string_member (o, "by", node->node_id);
  json_node_take_object (reply, o);
  return reply;
}

static void
node_start (MeshNode *node, const char *identity)
{
  g_autoptr(GError) error = NULL;

  node->socket = any_socket_new ();
  if (identity != NULL)
    {
      g_assert_true (any_socket_load_identity (node->socket, identity, &error));
      g_assert_no_error (error);
    }
  node->mesh = any_mesh_new (node->socket);
  g_object_set (node->mesh,
                "announce-interval", MESH_ANNOUNCE_MS,
                "gossip-interval", MESH_GOSSIP_MS,
                "request-timeout", 3000,
                NULL);
  if (node->node_id == NULL)
    node->node_id = g_strdup (any_mesh_get_node_id (node->mesh));
  any_mesh_subscribe (node->mesh, "t");
  g_signal_connect (node->mesh, "message::t", G_CALLBACK (on_message), node);
  g_signal_connect (node->mesh, "node-message", G_CALLBACK (on_node_message), node);
  g_signal_connect (node->mesh, "request", G_CALLBACK (on_request), node);
  node->port = listen_local (node->socket);
}

Net *
net_new (guint n)
{
  Net *net = g_new0 (Net, 1);

  net->nodes = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    {
      MeshNode *node = g_new0 (MeshNode, 1);

      node->net = net;
      node->index = i;
      node->got = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      node_start (node, NULL);
      g_ptr_array_add (net->nodes, node);
    }
  return net;
}

void
net_restart (Net   *net,
             guint  i)
{
  MeshNode *node = net_node (net, i);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "mesh-test-identity-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  int fd = g_mkstemp (path);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (any_socket_save_identity (node->socket, path, &error));
  g_assert_no_error (error);
  net_kill (net, i);
  node->dead = FALSE;
  node_start (node, path);
  g_unlink (path);
  g_assert_cmpstr (any_mesh_get_node_id (node->mesh), ==, node->node_id);
}

MeshNode *
net_node (Net *net, guint i)
{
  return g_ptr_array_index (net->nodes, i);
}

void
net_kill (Net   *net,
          guint  i)
{
  MeshNode *node = net_node (net, i);

  if (node->dead)
    return;
  node->dead = TRUE;
  g_signal_handlers_disconnect_by_data (node->mesh, node);
  g_clear_object (&node->mesh);
  any_socket_stop (node->socket);
  g_clear_object (&node->socket);
}

void
net_free (Net *net)
{
  for (guint i = 0; i < net->nodes->len; i++)
    {
      MeshNode *node = net_node (net, i);

      net_kill (net, i);
      g_hash_table_unref (node->got);
      g_clear_pointer (&node->last_node_message, json_node_unref);
      g_free (node->node_id);
      g_free (node);
    }
  g_ptr_array_unref (net->nodes);
  g_free (net);
  iterate_for (50);
}

AnyPeer *
net_link (Net   *net,
          guint  a,
          guint  b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = connect_local (net_node (net, a)->socket, net_node (net, b)->port, &error);

  g_assert_no_error (error);
  return peer;   /* the socket keeps it */
}

AnyPeer *
net_peer_between (Net   *net,
                  guint  a,
                  guint  b)
{
  return any_socket_get_peer (net_node (net, a)->socket, any_socket_get_id (net_node (net, b)->socket));
}

void
net_chain (Net *net)
{
  for (guint i = 0; i + 1 < net->nodes->len; i++)
    net_link (net, i, i + 1);
}

void
net_ring (Net *net)
{
  net_chain (net);
  net_link (net, net->nodes->len - 1, 0);
}

void
net_star (Net *net)
{
  for (guint i = 1; i < net->nodes->len; i++)
    net_link (net, i, 0);
}

void
net_random (Net *net, guint32 seed)
{
  guint n = net->nodes->len;
  g_autofree guint *degree = g_new0 (guint, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GHashTable) edges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* A ring makes it connected with degree 2, then chords up to 3-4. */
  net_ring (net);
  for (guint i = 0; i < n; i++)
    {
      degree[i] = 2;
      g_hash_table_add (edges, g_strdup_printf ("%u-%u", MIN (i, (i + 1) % n), MAX (i, (i + 1) % n)));
    }
  for (guint tries = 0; tries < 50 * n; tries++)
    {
      guint a = g_rand_int_range (rand, 0, n);
      guint b = g_rand_int_range (rand, 0, n);
      g_autofree char *key = g_strdup_printf ("%u-%u", MIN (a, b), MAX (a, b));
      guint target = 3 + (a % 2);

      if (a == b || degree[a] >= target || degree[b] >= 4 || g_hash_table_contains (edges, key))
        continue;
      g_hash_table_add (edges, g_steal_pointer (&key));
      degree[a]++;
      degree[b]++;
      net_link (net, a, b);
    }
}

guint
net_reach (MeshNode *node)
{
  GList *nodes = any_mesh_get_nodes (node->mesh);
  guint count = 0;

  for (GList *l = nodes; l != NULL; l = l->next)
    for (guint i = 0; i < node->net->nodes->len; i++)
      {
        MeshNode *other = net_node (node->net, i);

        if (!other->dead && g_strcmp0 (other->node_id, any_mesh_node_get_id (l->data)) == 0)
          count++;
      }
  g_list_free (nodes);
  return count;
}

gboolean
net_full (Net *net)
{
  guint live = 0;

  for (guint i = 0; i < net->nodes->len; i++)
    live += !net_node (net, i)->dead;
  for (guint i = 0; i < net->nodes->len; i++)
    {
      MeshNode *node = net_node (net, i);
      GList *all;
      guint total;

      if (node->dead)
        continue;
      all = any_mesh_get_nodes (node->mesh);
      total = g_list_length (all);
      g_list_free (all);
      if (net_reach (node) != live - 1 || total != live - 1)
        return FALSE;
    }
  return TRUE;
}

gboolean
net_wait_full (Net *net, guint ms)
{
  return WAIT_FOR (net_full (net), ms);
}

void
net_publish (Net *net, guint i, int n)
{
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_int_member (o, "n", n);
  json_object_set_int_member (o, "from", i);
  json_node_take_object (msg, o);
  g_assert_true (any_mesh_publish (net_node (net, i)->mesh, "t", msg, &error));
  g_assert_no_error (error);
}

guint
net_total_received (Net *net)
{
  guint total = 0;

  for (guint i = 0; i < net->nodes->len; i++)
    total += net_node (net, i)->received;
  return total;
}

guint
net_total_duplicates (Net *net)
{
  guint total = 0;

  for (guint i = 0; i < net->nodes->len; i++)
    total += net_node (net, i)->duplicates + net_node (net, i)->wrong_author;
  return total;
}

guint64
mesh_stat (AnyMesh *mesh, const char *name)
{
  g_autoptr(GVariant) stats = any_mesh_dup_stats (mesh);
  guint64 value = 0;

  g_assert_true (g_variant_lookup (stats, name, "t", &value));
  return value;
}

typedef struct {
  gboolean  done;
  JsonNode *reply;
  GError   *error;
} RequestResult;

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RequestResult *r = user_data;

  r->reply = any_mesh_request_finish (ANY_MESH (source), result, &r->error);
  r->done = TRUE;
}

JsonNode *
mesh_request (MeshNode *from, MeshNode *to, guint timeout_ms, GError **error)
{
  RequestResult r = { 0 };
  g_autoptr(JsonNode) msg = json_from_string ("{\"ask\": 42}", NULL);

  any_mesh_request_async (from->mesh, to->node_id, msg, timeout_ms, NULL, on_reply, &r);
  g_assert_true (wait_for (&r.done, timeout_ms + 5000));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.reply;
}

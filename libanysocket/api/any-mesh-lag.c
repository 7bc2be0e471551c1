/* any-mesh-lag.c: keeping AnyMeshNode:lag current: every lag-interval
 * the mesh pings, end to end, the nodes the application tracks
 * (any_mesh_track_lag()), so the cost is bounded by what it asked for.
 *
 * The ping is a sealed {"t":"p","s":T}, T the sender's monotonic clock in
 * ms; the node answers {"t":"o","s":T} at once, and the round trip is
 * the lag. Only the node itself can answer (the channel is end to end),
 * and a T it did not get back is ignored.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-mesh-private.h"

#define MAX_LAG_MS (10 * 60 * 1000)

static void
ping (AnyMesh *self, const char *node_id, gint64 now_ms)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "t", "p");
  json_object_set_int_member (object, "s", now_ms);
  _any_mesh_seal_now (self, node_id, object);
}

void
_any_mesh_ping_tick (AnyMesh *self,
                     gint64   now_ms)
{
  GHashTableIter iter;
  const char *node_id;

  if (now_ms < self->next_ping_ms)
    return;
  self->next_ping_ms = now_ms + self->lag_interval;
  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, (gpointer *) &node_id, NULL))
    if (g_hash_table_contains (self->nodes, node_id))
      ping (self, node_id, now_ms);
}

void
_any_mesh_take_ping (AnyMesh     *self,
                     AnyMeshNode *node,
                     JsonObject  *object,
                     gboolean     is_echo)
{
  JsonNode *member = json_object_get_member (object, "s");
  gint64 sent, now_ms = _any_mesh_now_ms ();
  g_autoptr(JsonObject) echo = NULL;

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64)
    {
      self->bad_json++;
      return;
    }
  sent = json_node_get_int (member);
  if (is_echo)
    {
      if (sent <= now_ms && now_ms - sent <= MAX_LAG_MS)
        _any_mesh_node_set_lag (node, (int) (now_ms - sent));
      return;
    }
  echo = json_object_new ();
  json_object_set_string_member (echo, "t", "o");
  json_object_set_int_member (echo, "s", sent);
  _any_mesh_seal_now (self, any_mesh_node_get_id (node), echo);
}

/**
 * any_mesh_track_lag:
 * @self: an [class@AnySocket.Mesh]
 * @node_id: a node id
 * @track: whether to keep its lag current
 *
 * Tracks (or stops tracking) the end-to-end round trip to the node
 * @node_id. While it is reachable, the mesh pings it every
 * [property@AnySocket.Mesh:lag-interval] and updates its
 * [property@AnySocket.MeshNode:lag], which notifies when it changes.
 * Only tracked nodes are pinged, so the traffic is what the application
 * asked for (an untracked node's lag changes only with its requests).
 *
 * Since: 0.2
 */
void
any_mesh_track_lag (AnyMesh    *self,
                    const char *node_id,
                    gboolean    track)
{
  g_return_if_fail (ANY_IS_MESH (self));
  g_return_if_fail (node_id != NULL);

  if (!track)
    {
      g_hash_table_remove (self->tracked, node_id);
      return;
    }
  if (g_hash_table_add (self->tracked, g_strdup (node_id)) && g_hash_table_contains (self->nodes, node_id))
    ping (self, node_id, _any_mesh_now_ms ());
}

/* any-mesh-core.c: one node's mesh: neighbours, routes, DATA and the
 * ticks; publish/subscribe is in any-mesh-pubsub.c (see any-mesh-core.h;
 * the wire is in docs/protocol.md, "The mesh")
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "mesh/any-mesh-core.h"
#include "mesh/any-mesh-core-private.h"

void
any_mesh_core_set_relay_hook (AnyMeshCore     *self,
                              AnyMeshRelayHook hook,
                              gpointer         user_data)
{
  self->relay_hook = hook;
  self->relay_hook_data = user_data;
}

gboolean
any_mesh_bucket_take (Bucket *b, guint rate, gint64 now_ms)
{
  if (rate == 0)
    return TRUE;
  if (b->last_ms == 0)
    b->tokens = 2.0 * rate;
  else if (now_ms > b->last_ms)
    b->tokens = MIN (2.0 * rate, b->tokens + (now_ms - b->last_ms) * (double) rate / 1000.0);
  b->last_ms = now_ms;
  if (b->tokens < 1.0)
    return FALSE;
  b->tokens -= 1.0;
  return TRUE;
}

static void
node_free (gpointer data)
{
  Node *node = data;

  g_clear_pointer (&node->relay_had, g_ptr_array_unref);
  g_free (node);
}

static void
neighbour_free (gpointer data)
{
  Neighbour *n = data;

  g_byte_array_unref (n->ihave);
  g_free (n);
}

AnyMeshCore *
any_mesh_core_new (const AnyEd25519Key        *key,
                   const guint8                dh_pub[32],
                   const AnyMeshLimits        *limits,
                   const AnyMeshCoreCallbacks *callbacks,
                   gpointer                    user_data)
{
  AnyMeshCore *self = g_new0 (AnyMeshCore, 1);

  self->key = *key;
  any_ed25519_node_id (key->pub, self->id);
  memcpy (self->dh_pub, dh_pub, 32);
  self->limits = *limits;
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->neighbours = g_ptr_array_new_with_free_func (neighbour_free);
  self->nodes = g_hash_table_new_full (any_mesh_id_hash, any_mesh_node_id_equal, NULL, node_free);
  self->relays = g_ptr_array_new ();
  self->seen = g_hash_table_new (any_mesh_id_hash, any_mesh_msg_id_equal);
  g_queue_init (&self->seen_order);
  g_queue_init (&self->history);
  self->wanted = g_hash_table_new_full (any_mesh_id_hash, any_mesh_msg_id_equal, g_free, g_free);
  self->authors = g_hash_table_new_full (any_mesh_id_hash, any_mesh_node_id_equal, g_free, g_free);
  /* Sequence numbers start at the wall clock (microseconds), so a node
   * that restarts is not taken for a replay of its former self. */
  self->own_seq = g_get_real_time ();
  self->publish_seq = g_get_real_time ();
  return self;
}

void
any_mesh_core_free (AnyMeshCore *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->neighbours);
  g_ptr_array_unref (self->relays);
  g_hash_table_unref (self->nodes);
  g_hash_table_unref (self->seen);
  g_queue_clear_full (&self->seen_order, (GDestroyNotify) any_mesh_seen_free);
  g_queue_clear (&self->history);
  g_hash_table_unref (self->wanted);
  g_hash_table_unref (self->authors);
  any_ed25519_key_wipe (&self->key);
  g_free (self);
}

void
any_mesh_core_set_limits (AnyMeshCore         *self,
                          const AnyMeshLimits *limits)
{
  if (limits->announce_interval_ms < self->limits.announce_interval_ms)
    self->next_announce_ms = 0;
  self->limits = *limits;
}

const guint8 *
any_mesh_core_get_id (AnyMeshCore *self)
{
  return self->id;
}

void
any_mesh_core_get_sizes (AnyMeshCore *self,
                         guint       *seen,
                         guint       *history,
                         guint       *routes)
{
  *seen = g_hash_table_size (self->seen);
  *history = g_queue_get_length (&self->history);
  *routes = g_hash_table_size (self->nodes);
}

const AnyMeshStats *
any_mesh_core_get_stats (AnyMeshCore *self)
{
  return &self->stats;
}

static Neighbour *
find_neighbour (AnyMeshCore *self, gpointer peer)
{
  for (guint i = 0; i < self->neighbours->len; i++)
    {
      Neighbour *n = g_ptr_array_index (self->neighbours, i);

      if (n->peer == peer)
        return n;
    }
  return NULL;
}

void
any_mesh_core_send_to (AnyMeshCore *self, Neighbour *n, const guint8 *data, gsize len)
{
  self->stats.packets_sent++;
  self->stats.bytes_sent += len;
  self->callbacks->send (self->user_data, n->peer, data, len);
}

/* --- routes --------------------------------------------------------------- */

static void
announce_own (AnyMeshCore *self, gint64 now_ms)
{
  AnyMeshAnnounce ann = { 0 };
  guint8 bytes[ANY_MESH_ANNOUNCE_LEN];

  self->own_seq = MAX (self->own_seq + 1, (guint64) g_get_real_time ());
  ann.hops = 0;
  memcpy (ann.dh_pub, self->dh_pub, 32);
  ann.seq = self->own_seq;
  ann.lifetime_ms = self->limits.route_lifetime_ms;
  any_mesh_announce_sign (&ann, &self->key);
  any_mesh_announce_write (&ann, bytes);
  memcpy (self->own_full, bytes, sizeof bytes);
  self->has_own = TRUE;
  if (self->full_next || self->announces++ % FULL_EVERY == 0)
    for (guint i = 0; i < self->neighbours->len; i++)
      any_mesh_core_send_to (self, g_ptr_array_index (self->neighbours, i), bytes, sizeof bytes);
  else
    {
      guint8 compact[ANY_MESH_REFRESH_LEN];

      any_mesh_refresh_from_announce (bytes, compact);
      for (guint i = 0; i < self->neighbours->len; i++)
        any_mesh_core_send_to (self, g_ptr_array_index (self->neighbours, i), compact, sizeof compact);
    }
  self->full_next = FALSE;
  self->last_announce_ms = now_ms;
  self->next_announce_ms = now_ms + self->limits.announce_interval_ms;
}

/* Makes room for a new node: forgets the tombstone that expires first. */
static gboolean
make_room (AnyMeshCore *self)
{
  GHashTableIter iter;
  Node *node, *oldest = NULL;

  if (g_hash_table_size (self->nodes) < self->limits.max_routes)
    return TRUE;
  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &node))
    if (!node->reachable && (oldest == NULL || node->forget_ms < oldest->forget_ms))
      oldest = node;
  if (oldest == NULL)
    return FALSE;
  g_ptr_array_remove_fast (self->relays, oldest);
  g_hash_table_remove (self->nodes, oldest->route.id);
  return TRUE;
}

static void
handle_announce (AnyMeshCore  *self,
                 Neighbour    *from,
                 const guint8 *data,
                 gsize         len,
                 gboolean      compact,
                 gint64        now_ms)
{
  AnyMeshAnnounce ann;
  guint8 id[ANY_MESH_NODE_ID_LEN];
  Node *node;
  gboolean added;

  if (len != ANY_MESH_ANNOUNCE_LEN)
    {
      self->stats.malformed++;
      return;
    }
  any_ed25519_node_id (data + 3, id);
  if (memcmp (id, self->id, sizeof id) == 0)
    return;
  node = g_hash_table_lookup (self->nodes, id);
  if (node != NULL)
    {
      guint64 seq = 0;

      for (int i = 0; i < 8; i++)
        seq = (seq << 8) | data[67 + i];
      if (seq < node->seq)
        {
          self->stats.replayed_announce++;
          return;
        }
      if (seq == node->seq)
        {
          /* The same announcement again, by another path: a shorter one
           * (or the first since our next hop went away) takes over. The
           * signature was checked when this seq was first seen; a copy
           * with other signature bytes is a forgery. */
          if (memcmp (data + 79, node->sig, ANY_ED25519_SIGNATURE_LEN) != 0)
            {
              self->stats.forged_announce++;
              return;
            }
          if (node->relay_had != NULL)
            {
              g_ptr_array_add (node->relay_had, from);
              node->relay[2] = MIN (node->relay[2], (guint) data[2] + 1);
            }
          if (node->reachable && data[2] < self->limits.max_hops
              && (node->route.next_hop == NULL || (guint) data[2] + 1 < node->route.hops))
            {
              node->route.next_hop = from->peer;
              node->route.hops = data[2] + 1;
              self->callbacks->route_changed (self->user_data, &node->route);
            }
          return;
        }
    }
  if (!any_mesh_announce_read (data, len, &ann))
    {
      self->stats.forged_announce++;
      return;
    }
  if (ann.hops >= self->limits.max_hops)
    return;
  if (self->callbacks->accept != NULL && !self->callbacks->accept (self->user_data, id, ann.sign_pub))
    {
      self->stats.refused_announce++;
      return;
    }
  /* A token bucket (not a minimum spacing): an announcement that comes
   * late by a long path must not make the next one, by a short path, look
   * too early. */
  if (node != NULL && !any_mesh_bucket_take (&node->announces, self->limits.max_announces_per_second, now_ms))
    {
      self->stats.rate_limited++;
      return;
    }
  added = node == NULL || !node->reachable;
  if (node == NULL)
    {
      if (!make_room (self))
        {
          self->stats.table_full++;
          return;
        }
      node = g_new0 (Node, 1);
      memcpy (node->route.id, id, sizeof id);
      g_hash_table_insert (self->nodes, node->route.id, node);
    }
  memcpy (node->route.sign_pub, ann.sign_pub, 32);
  memcpy (node->route.dh_pub, ann.dh_pub, 32);
  memcpy (node->sig, ann.sig, sizeof ann.sig);
  node->seq = ann.seq;
  node->lifetime_ms = ann.lifetime_ms;

  /* Relayed at the next tick, with the fewest hops seen by then, to the
   * neighbours that did not send it to us meanwhile. */
  memcpy (node->relay, data, sizeof node->relay);
  node->relay[2] = MIN ((guint) data[2] + 1, 255);
  if (node->relay_had == NULL)
    {
      node->relay_had = g_ptr_array_new ();
      g_ptr_array_add (self->relays, node);
    }
  g_ptr_array_set_size (node->relay_had, 0);
  g_ptr_array_add (node->relay_had, from);
  node->relay_compact = compact;

  if (ann.lifetime_ms == 0)
    {
      /* A withdraw: the node left; its tombstone keeps the seq. */
      if (node->reachable)
        {
          node->reachable = FALSE;
          node->route.next_hop = NULL;
          node->forget_ms = now_ms + MAX_ROUTE_LIFETIME_MS;
          self->callbacks->route_removed (self->user_data, node->route.id);
        }
      else if (added && node->forget_ms == 0)
        node->forget_ms = now_ms + MAX_ROUTE_LIFETIME_MS;
      return;
    }
  node->reachable = TRUE;
  if (added || node->route.next_hop == NULL || (guint) ann.hops + 1 <= node->route.hops)
    {
      node->route.next_hop = from->peer;
      node->route.hops = ann.hops + 1;
    }
  node->route.expires_ms = now_ms + MIN (ann.lifetime_ms, MAX_ROUTE_LIFETIME_MS);
  if (added)
    self->callbacks->route_added (self->user_data, &node->route);
  else
    self->callbacks->route_changed (self->user_data, &node->route);
}

/* A REFRESH: the ANNOUNCE rebuilt with the keys we keep for its node. */
static void
handle_refresh (AnyMeshCore  *self,
                Neighbour    *from,
                const guint8 *data,
                gsize         len,
                gint64        now_ms)
{
  guint8 full[ANY_MESH_ANNOUNCE_LEN];
  Node *node;

  if (len != ANY_MESH_REFRESH_LEN)
    {
      self->stats.malformed++;
      return;
    }
  if (memcmp (any_mesh_refresh_node_id (data), self->id, ANY_MESH_NODE_ID_LEN) == 0)
    return;
  node = g_hash_table_lookup (self->nodes, any_mesh_refresh_node_id (data));
  if (node == NULL)
    {
      self->stats.unknown_refresh++;   /* its next full ANNOUNCE will do */
      return;
    }
  any_mesh_refresh_expand (data, node->route.sign_pub, node->route.dh_pub, full);
  handle_announce (self, from, full, sizeof full, TRUE, now_ms);
}

static void
expire_routes (AnyMeshCore *self, gint64 now_ms)
{
  GHashTableIter iter;
  Node *node;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &node))
    {
      if (node->reachable && node->route.expires_ms <= now_ms)
        {
          node->reachable = FALSE;
          node->route.next_hop = NULL;
          node->forget_ms = now_ms + 10 * (gint64) MAX (node->lifetime_ms, 1000);
          g_ptr_array_add (gone, g_memdup2 (node->route.id, ANY_MESH_NODE_ID_LEN));
        }
      else if (!node->reachable && node->forget_ms <= now_ms)
        {
          g_ptr_array_remove_fast (self->relays, node);
          g_hash_table_iter_remove (&iter);
        }
    }
  for (guint i = 0; i < gone->len; i++)
    self->callbacks->route_removed (self->user_data, g_ptr_array_index (gone, i));
}

void
any_mesh_core_drop_node (AnyMeshCore  *self,
                         const guint8 *id,
                         gint64        now_ms)
{
  Node *node = g_hash_table_lookup (self->nodes, id);
  guint8 copy[ANY_MESH_NODE_ID_LEN];

  if (node == NULL || !node->reachable)
    return;
  node->reachable = FALSE;
  node->route.next_hop = NULL;
  node->forget_ms = now_ms + 10 * (gint64) MAX (node->lifetime_ms, 1000);
  memcpy (copy, id, sizeof copy);
  self->callbacks->route_removed (self->user_data, copy);
}

void
any_mesh_core_sign (AnyMeshCore  *self,
                    const guint8 *data,
                    gsize         len,
                    guint8        sig[ANY_ED25519_SIGNATURE_LEN])
{
  any_ed25519_sign (&self->key, data, len, sig);
}

const AnyMeshRoute *
any_mesh_core_lookup (AnyMeshCore  *self,
                      const guint8 *id)
{
  Node *node = g_hash_table_lookup (self->nodes, id);

  return node != NULL && node->reachable ? &node->route : NULL;
}

GPtrArray *
any_mesh_core_dup_routes (AnyMeshCore *self)
{
  GPtrArray *out = g_ptr_array_new ();
  GHashTableIter iter;
  Node *node;

  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &node))
    if (node->reachable)
      g_ptr_array_add (out, &node->route);
  return out;
}

/* --- neighbours ----------------------------------------------------------- */

/* A new neighbour gets the last full ANNOUNCE of every node we reach (it
 * may know none of their keys), each signed by its node. */
static void
send_table (AnyMeshCore *self, Neighbour *n)
{
  GHashTableIter iter;
  Node *node;
  AnyMeshAnnounce ann;
  guint8 bytes[ANY_MESH_ANNOUNCE_LEN];

  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &node))
    {
      if (!node->reachable || node->route.hops >= self->limits.max_hops)
        continue;
      ann.hops = node->route.hops;
      memcpy (ann.sign_pub, node->route.sign_pub, 32);
      memcpy (ann.dh_pub, node->route.dh_pub, 32);
      ann.seq = node->seq;
      ann.lifetime_ms = node->lifetime_ms;
      memcpy (ann.sig, node->sig, sizeof ann.sig);
      any_mesh_announce_write (&ann, bytes);
      any_mesh_core_send_to (self, n, bytes, sizeof bytes);
    }
}

void
any_mesh_core_add_neighbour (AnyMeshCore *self,
                             gpointer     peer,
                             gint64       now_ms)
{
  Neighbour *n;

  if (find_neighbour (self, peer) != NULL)
    return;
  n = g_new0 (Neighbour, 1);
  n->peer = peer;
  n->ihave = g_byte_array_new ();
  g_ptr_array_add (self->neighbours, n);
  /* Our last ANNOUNCE first: it knows us before anything we send it
   * (an end-to-end HELLO needs our keys), then the table. */
  if (self->has_own)
    any_mesh_core_send_to (self, n, self->own_full, sizeof self->own_full);
  else
    announce_own (self, now_ms);
  send_table (self, n);
  self->full_next = TRUE;
  /* Tell the newcomer (and so the rest) about us soon; the others'
   * announcements reach it at their next interval. */
  self->next_announce_ms = MIN (self->next_announce_ms,
                                MAX (now_ms, self->last_announce_ms + OWN_ANNOUNCE_GAP_MS));
}

void
any_mesh_core_remove_neighbour (AnyMeshCore *self,
                                gpointer     peer,
                                gint64       now_ms)
{
  Neighbour *n = find_neighbour (self, peer);
  GHashTableIter iter;
  Node *node;

  if (n == NULL)
    return;
  for (guint r = 0; r < self->relays->len; r++)
    g_ptr_array_remove_fast (((Node *) g_ptr_array_index (self->relays, r))->relay_had, n);
  g_ptr_array_remove_fast (self->neighbours, n);
  /* Its routes wait for another path (the next announcement) or expire. */
  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &node))
    if (node->reachable && node->route.next_hop == peer)
      {
        node->route.next_hop = NULL;
        self->callbacks->route_changed (self->user_data, &node->route);
      }
}

/* --- publish / subscribe -------------------------------------------------- */

/* --- DATA ------------------------------------------------------------------ */

gboolean
any_mesh_core_send_data (AnyMeshCore     *self,
                         const guint8    *dst,
                         AnyMeshDataKind  kind,
                         guint64          session,
                         const guint8    *body,
                         gsize            len)
{
  const AnyMeshRoute *route = any_mesh_core_lookup (self, dst);
  g_autoptr(GByteArray) out = NULL;
  Neighbour *n;

  if (route == NULL || route->next_hop == NULL
      || (n = find_neighbour (self, route->next_hop)) == NULL)
    return FALSE;
  out = g_byte_array_sized_new (ANY_MESH_DATA_HEADER_LEN + len);
  any_mesh_data_write (out, self->limits.max_hops, dst, self->id, kind, session, body, len);
  if (out->len > self->limits.max_message_size)
    return FALSE;
  any_mesh_core_send_to (self, n, out->data, out->len);
  return TRUE;
}

static void
handle_data (AnyMeshCore  *self,
             const guint8 *data,
             gsize         len)
{
  AnyMeshData d;
  const AnyMeshRoute *route;
  Neighbour *n;
  guint8 *copy;

  if (len > self->limits.max_message_size)
    {
      self->stats.oversized++;
      return;
    }
  if (!any_mesh_data_read (data, len, &d))
    {
      self->stats.malformed++;
      return;
    }
  if (memcmp (d.dst, self->id, ANY_MESH_NODE_ID_LEN) == 0)
    {
      self->callbacks->data (self->user_data, &d);
      return;
    }
  route = any_mesh_core_lookup (self, d.dst);
  if (d.hop_limit <= 1 || route == NULL || route->next_hop == NULL
      || (n = find_neighbour (self, route->next_hop)) == NULL)
    return;
  copy = g_memdup2 (data, len);
  copy[2] = MIN (d.hop_limit, self->limits.max_hops) - 1;
  if (self->relay_hook == NULL || self->relay_hook (self->relay_hook_data, copy, len))
    any_mesh_core_send_to (self, n, copy, len);
  g_free (copy);
}

/* --- in and out ------------------------------------------------------------ */

void
any_mesh_core_receive (AnyMeshCore  *self,
                       gpointer      peer,
                       const guint8 *data,
                       gsize         len,
                       gint64        now_ms)
{
  Neighbour *n = find_neighbour (self, peer);

  if (n == NULL)
    return;
  if (!any_mesh_bucket_take (&n->bucket, self->limits.neighbour_rate, now_ms))
    {
      self->stats.rate_limited++;
      return;
    }
  switch (any_mesh_packet_type (data, len))
    {
    case ANY_MESH_PACKET_ANNOUNCE:
      handle_announce (self, n, data, len, FALSE, now_ms);
      break;
    case ANY_MESH_PACKET_REFRESH:
      handle_refresh (self, n, data, len, now_ms);
      break;
    case ANY_MESH_PACKET_PUBLISH:
      any_mesh_handle_publish (self, n, data, len, now_ms);
      break;
    case ANY_MESH_PACKET_IHAVE:
      any_mesh_handle_ihave (self, n, data, len, now_ms);
      break;
    case ANY_MESH_PACKET_IWANT:
      any_mesh_handle_iwant (self, n, data, len);
      break;
    case ANY_MESH_PACKET_DATA:
      handle_data (self, data, len);
      break;
    default:
      self->stats.malformed++;
      break;
    }
}

void
any_mesh_core_count_oversized (AnyMeshCore *self)
{
  self->stats.oversized++;
}

static void
flush_relays (AnyMeshCore *self)
{
  guint8 compact[ANY_MESH_REFRESH_LEN];

  for (guint r = 0; r < self->relays->len; r++)
    {
      Node *node = g_ptr_array_index (self->relays, r);

      if (node->relay_compact)
        any_mesh_refresh_from_announce (node->relay, compact);
      for (guint i = 0; i < self->neighbours->len; i++)
        {
          Neighbour *n = g_ptr_array_index (self->neighbours, i);

          if (g_ptr_array_find (node->relay_had, n, NULL))
            continue;
          if (node->relay_compact)
            any_mesh_core_send_to (self, n, compact, sizeof compact);
          else
            any_mesh_core_send_to (self, n, node->relay, sizeof node->relay);
        }
      g_clear_pointer (&node->relay_had, g_ptr_array_unref);
    }
  g_ptr_array_set_size (self->relays, 0);
}

/* Leaving: a signed announcement with lifetime 0, so the others drop this
 * node now rather than when its last one expires. */
void
any_mesh_core_withdraw (AnyMeshCore *self)
{
  AnyMeshAnnounce ann = { 0 };
  guint8 bytes[ANY_MESH_ANNOUNCE_LEN];

  self->own_seq = MAX (self->own_seq + 1, (guint64) g_get_real_time ());
  memcpy (ann.dh_pub, self->dh_pub, 32);
  ann.seq = self->own_seq;
  ann.lifetime_ms = 0;
  any_mesh_announce_sign (&ann, &self->key);
  any_mesh_announce_write (&ann, bytes);
  for (guint i = 0; i < self->neighbours->len; i++)
    any_mesh_core_send_to (self, g_ptr_array_index (self->neighbours, i), bytes, sizeof bytes);
}

void
any_mesh_core_tick (AnyMeshCore *self,
                    gint64       now_ms)
{
  GHashTableIter iter;
  gpointer key, value;

  flush_relays (self);
  if (now_ms >= self->next_announce_ms)
    announce_own (self, now_ms);
  expire_routes (self, now_ms);
  any_mesh_expire_seen (self, now_ms);
  for (guint i = 0; i < self->neighbours->len; i++)
    {
      Neighbour *n = g_ptr_array_index (self->neighbours, i);

      if (n->ihave->len > 0)
        any_mesh_flush_ihave (self, n);
    }
  g_hash_table_iter_init (&iter, self->wanted);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(gint64 *) value + WANT_RETRY_MS <= now_ms)
      g_hash_table_iter_remove (&iter);
  g_hash_table_iter_init (&iter, self->authors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((Author *) value)->used_ms + 10000 <= now_ms)
      g_hash_table_iter_remove (&iter);
}

/* any-mesh-pubsub.c: publish/subscribe in one node's mesh: the
 * time-bounded dedup cache, the relay (eager push to D neighbours, ids
 * offered to the others) and IHAVE/IWANT repair (see any-mesh-core.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "mesh/any-mesh-core.h"
#include "mesh/any-mesh-core-private.h"

void
any_mesh_seen_free (Seen *s)
{
  g_clear_pointer (&s->packet, g_bytes_unref);
  g_free (s);
}

static gboolean
seen_has (AnyMeshCore *self, const guint8 *id)
{
  return g_hash_table_contains (self->seen, id);
}

static void
seen_add (AnyMeshCore *self, const guint8 *id, GBytes *packet, gint64 now_ms)
{
  Seen *s = g_new0 (Seen, 1);

  memcpy (s->id, id, ANY_MESH_MSG_ID_LEN);
  s->time_ms = now_ms;
  g_hash_table_insert (self->seen, s->id, s);
  g_queue_push_tail (&self->seen_order, s);
  if (packet != NULL)
    {
      s->packet = g_bytes_ref (packet);
      g_queue_push_tail (&self->history, s);
    }
  g_hash_table_remove (self->wanted, id);
  any_mesh_expire_seen (self, now_ms);   /* dedup-size holds at every insertion */
}

void
any_mesh_expire_seen (AnyMeshCore *self, gint64 now_ms)
{
  Seen *s;

  while ((s = g_queue_peek_head (&self->history)) != NULL
         && (s->time_ms + self->limits.history_ms <= now_ms
             || g_queue_get_length (&self->history) > self->limits.dedup_size))
    {
      g_queue_pop_head (&self->history);
      g_clear_pointer (&s->packet, g_bytes_unref);
    }
  while ((s = g_queue_peek_head (&self->seen_order)) != NULL
         && (s->time_ms + self->limits.dedup_age_ms <= now_ms
             || g_queue_get_length (&self->seen_order) > self->limits.dedup_size))
    {
      g_queue_pop_head (&self->seen_order);
      if (s->packet != NULL)
        g_queue_remove (&self->history, s);
      g_hash_table_remove (self->seen, s->id);
      any_mesh_seen_free (s);
    }
}

void
any_mesh_flush_ihave (AnyMeshCore *self, Neighbour *n)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint count = n->ihave->len / ANY_MESH_MSG_ID_LEN;

  for (guint done = 0; done < count; done += ANY_MESH_MAX_IDS)
    {
      g_byte_array_set_size (out, 0);
      any_mesh_ids_write (out, ANY_MESH_PACKET_IHAVE, n->ihave->data + done * ANY_MESH_MSG_ID_LEN,
                          MIN (count - done, ANY_MESH_MAX_IDS));
      any_mesh_core_send_to (self, n, out->data, out->len);
    }
  g_byte_array_set_size (n->ihave, 0);
}

/* Pushes @packet (hop limit already lowered) to D random neighbours but
 * @except, and offers its id to the others at the next gossip tick. */
static void
relay_publish (AnyMeshCore  *self,
               Neighbour    *except,
               const guint8 *id,
               GBytes       *packet)
{
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (packet, &len);

  for (guint i = 0; i < self->neighbours->len; i++)
    if (g_ptr_array_index (self->neighbours, i) != except)
      g_ptr_array_add (order, g_ptr_array_index (self->neighbours, i));
  for (guint i = order->len; i > 1; i--)
    {
      guint j = g_random_int_range (0, i);
      gpointer t = order->pdata[i - 1];

      order->pdata[i - 1] = order->pdata[j];
      order->pdata[j] = t;
    }
  for (guint i = 0; i < order->len; i++)
    {
      Neighbour *n = g_ptr_array_index (order, i);

      if (i < self->limits.fanout)
        any_mesh_core_send_to (self, n, data, len);
      else
        {
          g_byte_array_append (n->ihave, id, ANY_MESH_MSG_ID_LEN);
          if (n->ihave->len >= ANY_MESH_MAX_IDS * ANY_MESH_MSG_ID_LEN)
            any_mesh_flush_ihave (self, n);
        }
    }
}

gboolean
any_mesh_core_publish (AnyMeshCore  *self,
                       const char   *topic,
                       const guint8 *payload,
                       gsize         len,
                       gint64        now_ms)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) packet = NULL;
  AnyMeshPublish pub;
  guint8 id[ANY_MESH_MSG_ID_LEN];

  if (topic[0] == '\0' || strlen (topic) > ANY_MESH_MAX_TOPIC_LEN)
    return FALSE;
  any_mesh_publish_write (out, &self->key, self->limits.max_hops, ++self->publish_seq,
                          topic, payload, len);
  if (out->len > self->limits.max_message_size)
    return FALSE;
  any_mesh_publish_read (out->data, out->len, &pub);
  any_mesh_publish_id (&pub, id);
  packet = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  seen_add (self, id, packet, now_ms);
  if (self->limits.max_hops > 1)
    relay_publish (self, NULL, id, packet);
  return TRUE;
}

void
any_mesh_handle_publish (AnyMeshCore  *self,
                Neighbour    *from,
                const guint8 *data,
                gsize         len,
                gint64        now_ms)
{
  AnyMeshPublish pub;
  guint8 id[ANY_MESH_MSG_ID_LEN];
  Author *author;
  guint8 hops;

  if (len > self->limits.max_message_size)
    {
      self->stats.oversized++;
      return;
    }
  if (!any_mesh_publish_read (data, len, &pub))
    {
      self->stats.malformed++;
      return;
    }
  any_mesh_publish_id (&pub, id);
  if (seen_has (self, id) || memcmp (id, self->id, ANY_MESH_NODE_ID_LEN) == 0)
    {
      self->stats.duplicates++;
      return;
    }
  if (!any_mesh_publish_verify (data, len))
    {
      self->stats.bad_signature++;
      return;
    }
  author = g_hash_table_lookup (self->authors, id);
  if (author == NULL)
    {
      if (g_hash_table_size (self->authors) >= self->limits.max_routes)
        g_hash_table_remove_all (self->authors);
      author = g_new0 (Author, 1);
      g_hash_table_insert (self->authors, g_memdup2 (id, ANY_MESH_NODE_ID_LEN), author);
    }
  author->used_ms = now_ms;
  if (!any_mesh_bucket_take (&author->bucket, self->limits.publish_rate, now_ms))
    {
      self->stats.rate_limited++;
      seen_add (self, id, NULL, now_ms);
      return;
    }
  hops = MIN (pub.hop_limit, self->limits.max_hops);
  if (hops > 1)
    {
      GByteArray *copy = g_byte_array_sized_new (len);
      g_autoptr(GBytes) packet = NULL;

      g_byte_array_append (copy, data, len);
      copy->data[2] = hops - 1;
      packet = g_byte_array_free_to_bytes (copy);
      seen_add (self, id, packet, now_ms);
      relay_publish (self, from, id, packet);
    }
  else
    seen_add (self, id, NULL, now_ms);
  self->callbacks->message (self->user_data, &pub);
}

void
any_mesh_handle_ihave (AnyMeshCore  *self,
              Neighbour    *from,
              const guint8 *data,
              gsize         len,
              gint64        now_ms)
{
  const guint8 *ids;
  guint count;
  g_autoptr(GByteArray) want = g_byte_array_new ();
  guint n_want = 0;

  if (!any_mesh_ids_read (data, len, &ids, &count))
    {
      self->stats.malformed++;
      return;
    }
  for (guint i = 0; i < count; i++)
    {
      const guint8 *id = ids + i * ANY_MESH_MSG_ID_LEN;
      gint64 *asked;

      if (seen_has (self, id))
        continue;
      asked = g_hash_table_lookup (self->wanted, id);
      if (asked != NULL && *asked + WANT_RETRY_MS > now_ms)
        continue;
      if (asked == NULL)
        {
          if (g_hash_table_size (self->wanted) >= self->limits.dedup_size)
            continue;
          asked = g_new (gint64, 1);
          g_hash_table_insert (self->wanted, g_memdup2 (id, ANY_MESH_MSG_ID_LEN), asked);
        }
      *asked = now_ms;
      g_byte_array_append (want, id, ANY_MESH_MSG_ID_LEN);
      n_want++;
    }
  if (n_want > 0)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();

      any_mesh_ids_write (out, ANY_MESH_PACKET_IWANT, want->data, n_want);
      any_mesh_core_send_to (self, from, out->data, out->len);
    }
}

void
any_mesh_handle_iwant (AnyMeshCore  *self,
              Neighbour    *from,
              const guint8 *data,
              gsize         len)
{
  const guint8 *ids;
  guint count;

  if (!any_mesh_ids_read (data, len, &ids, &count))
    {
      self->stats.malformed++;
      return;
    }
  for (guint i = 0; i < count; i++)
    {
      Seen *s = g_hash_table_lookup (self->seen, ids + i * ANY_MESH_MSG_ID_LEN);
      gsize plen;
      const guint8 *p;

      if (s == NULL || s->packet == NULL)
        continue;
      p = g_bytes_get_data (s->packet, &plen);
      any_mesh_core_send_to (self, from, p, plen);
    }
}

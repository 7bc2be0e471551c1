/* any-hub.c: relaying between peers that proxy through us (PROTOCOL.md 8)
 *
 * Stricter than the JavaScript hub on purpose: it relays only between
 * peers that were linked by a PROXY request this hub accepted, and only
 * frames whose source id is the peer that sent them, so no peer can write
 * to a peer that did not agree to it or speak in another's name.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "any-packet.h"
#include "api/any-fanout.h"
#include "api/any-hub.h"
#include "api/any-peer-private.h"
#include "codec/any-id.h"
#include "protocol/any-internal-msg.h"
#include "codec/any-json.h"

/* How long the target has to confirm a new link, and how much the
 * requester may send meanwhile (see confirm_link()): per pair, the
 * socket's max-send-buffer (as if the frames were in the target's send
 * queue already); all pairs together, MAX_UNCONFIRMED_BYTES. Counted with
 * what each held frame costs besides its bytes (GBytes, list link,
 * allocator headers): a flood of tiny frames costs more than its bytes. */
#define CONFIRM_TIMEOUT_MS 5000
#define MAX_UNCONFIRMED_BYTES ((gsize) 64 * 1024 * 1024)
#define UNCONFIRMED_FRAME_COST 96

/* Pairs unlinked this recently may still have frames on the way: those
 * are dropped, not taken as a violation. Bounded, oldest forgotten. */
#define MAX_RECENTLY_UNLINKED 1024

struct _AnyHub
{
  const AnyHubHost *host;
  gpointer    host_data;         /* the socket, which owns us */
  gboolean    freed;             /* _any_hub_free() was called: pending
                                  * confirmations find nothing to do */
  GHashTable *links;             /* id -> set of linked ids */
  GHashTable *recently_unlinked; /* "from>to" */
  GQueue      unlinked_order;    /* of the keys above, oldest first */
  GHashTable *unconfirmed;       /* "from>to" -> Unconfirmed */
  gsize       unconfirmed_bytes; /* of all of them */
};

/* Frames from a requester to a target that has not confirmed yet. */
typedef struct {
  AnyHub *hub;
  GQueue  frames;                /* GBytes */
  gsize   bytes;
} Unconfirmed;

static void
unconfirmed_free (gpointer data)
{
  Unconfirmed *unconfirmed = data;

  unconfirmed->hub->unconfirmed_bytes -= unconfirmed->bytes;
  g_queue_clear_full (&unconfirmed->frames, (GDestroyNotify) g_bytes_unref);
  g_free (unconfirmed);
}

static char *
pair_key (const char *from,
          const char *to)
{
  return g_strconcat (from, ">", to, NULL);
}

/* Reference counted (g_rc_box) because a link's confirmation may come
 * back after the socket freed its hub. */
AnyHub *
_any_hub_new (const AnyHubHost *host,
              gpointer          host_data)
{
  AnyHub *self = g_rc_box_new0 (AnyHub);

  self->host = host;
  self->host_data = host_data;
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_hash_table_unref);
  self->recently_unlinked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->unlinked_order);
  self->unconfirmed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unconfirmed_free);
  return self;
}

static void
hub_clear (AnyHub *self)
{
  g_hash_table_unref (self->links);
  g_hash_table_unref (self->unconfirmed);
  g_queue_clear (&self->unlinked_order);
  g_hash_table_unref (self->recently_unlinked);
}

void
_any_hub_free (AnyHub *self)
{
  if (self == NULL)
    return;
  self->freed = TRUE;
  hub_clear (self);
  g_rc_box_release (self);
}

static GHashTable *
links_of (AnyHub     *self,
          const char *id,
          gboolean    create)
{
  GHashTable *set = g_hash_table_lookup (self->links, id);

  if (set == NULL && create)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->links, g_strdup (id), set);
    }
  return set;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
_any_hub_dup_links (AnyHub     *self,
                    const char *id)
{
  GHashTable *set = links_of (self, id, FALSE);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer linked;

  if (set != NULL)
    {
      g_hash_table_iter_init (&iter, set);
      while (g_hash_table_iter_next (&iter, &linked, NULL))
        g_ptr_array_add (ids, g_strdup (linked));
    }
  g_ptr_array_sort (ids, compare_ids);
  return ids;
}

gboolean
_any_hub_is_linked (AnyHub     *self,
                    const char *a,
                    const char *b)
{
  GHashTable *set = links_of (self, a, FALSE);

  return set != NULL && g_hash_table_contains (set, b);
}

static void
remember_unlinked (AnyHub     *self,
                   const char *from,
                   const char *to)
{
  char *key = pair_key (from, to);

  g_hash_table_remove (self->unconfirmed, key);
  if (g_hash_table_contains (self->recently_unlinked, key))
    {
      g_free (key);
      return;
    }
  g_hash_table_add (self->recently_unlinked, key);
  g_queue_push_tail (&self->unlinked_order, key);
  if (self->unlinked_order.length > MAX_RECENTLY_UNLINKED)
    g_hash_table_remove (self->recently_unlinked, g_queue_pop_head (&self->unlinked_order));
}

static void
link_pair (AnyHub     *self,
           const char *a,
           const char *b)
{
  g_hash_table_add (links_of (self, a, TRUE), g_strdup (b));
  g_hash_table_add (links_of (self, b, TRUE), g_strdup (a));
}

static void
unlink_one_way (AnyHub     *self,
                const char *from,
                const char *to)
{
  GHashTable *set = links_of (self, from, FALSE);

  if (set != NULL && g_hash_table_remove (set, to))
    remember_unlinked (self, from, to);
  if (set != NULL && g_hash_table_size (set) == 0)
    g_hash_table_remove (self->links, from);
}

static void
unlink_pair (AnyHub     *self,
             const char *a,
             const char *b)
{
  unlink_one_way (self, a, b);
  unlink_one_way (self, b, a);
}

static void
send_network (AnyPeer    *to,
              const char *action,
              const char *about)
{
  g_autoptr(JsonNode) msg = any_internal_build (ANY_INTERNAL_NETWORK, action, about);
  g_autoptr(GError) error = NULL;

  if (_any_peer_send_packet (to, ANY_PACKET_TYPE_INTERNAL, 0, msg, &error) == 0)
    g_debug ("Could not tell %s that %s %s: %s", any_peer_get_id (to), about, action, error->message);
}

static void
reply_proxy (AnyPeer    *to,
             gint32      seq,
             const char *refusal)
{
  g_autoptr(JsonNode) msg = any_internal_proxy_answer (refusal);

  if (seq > 0)
    _any_peer_send_packet (to, ANY_PACKET_TYPE_INTERNAL, seq, msg, NULL);
}

typedef struct {
  AnyHub  *hub;                  /* a reference */
  AnyPeer *from;
  gint32   seq;
  char    *target_id;
} PendingLink;

static void
pending_link_free (PendingLink *pending)
{
  g_rc_box_release (pending->hub);
  g_object_unref (pending->from);
  g_free (pending->target_id);
  g_free (pending);
}

static void
on_link_confirmed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PendingLink *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) answer = any_peer_request_finish (ANY_PEER (source), result, &error);
  AnyHub *self = !pending->hub->freed ? pending->hub : NULL;
  const char *from_id = any_peer_get_id (pending->from);
  g_autofree char *key = pair_key (from_id, pending->target_id);
  Unconfirmed *unconfirmed;
  GBytes *frame;

  /* Unlinked meanwhile (either left, or unproxy): nothing waits. */
  if (self == NULL || (unconfirmed = g_hash_table_lookup (self->unconfirmed, key)) == NULL)
    {
      pending_link_free (pending);
      return;
    }
  if (answer == NULL)
    {
      g_debug ("Peer %s did not confirm the link with %s: %s", pending->target_id, from_id,
               error->message);
      unlink_pair (self, from_id, pending->target_id);
      send_network (pending->from, "disconnected", pending->target_id);
      pending_link_free (pending);
      return;
    }
  while ((frame = g_queue_pop_head (&unconfirmed->frames)) != NULL)
    {
      _any_peer_send_frame (ANY_PEER (source), frame, NULL);
      g_bytes_unref (frame);
    }
  g_hash_table_remove (self->unconfirmed, key);
  pending_link_free (pending);
}

/* Tells the target and the requester; what the requester sends waits here
 * until the target has answered a request sent right after the news: it
 * has then made its proxied peer, so nothing can arrive before it. (A
 * JavaScript target handles INTERNAL packets in order but after the
 * FORWARD frames that arrive with them, see any-socket-proxy.c.) The target may
 * send at once: the requester hears of the link first, from us. */
static void
confirm_link (AnyHub  *self,
              AnyPeer *from,
              gint32   seq,
              AnyPeer *target)
{
  g_autoptr(JsonNode) ping = json_node_new (JSON_NODE_OBJECT);
  PendingLink *pending = g_new0 (PendingLink, 1);
  Unconfirmed *unconfirmed;

  pending->hub = g_rc_box_acquire (self);
  pending->from = g_object_ref (from);
  pending->seq = seq;
  pending->target_id = g_strdup (any_peer_get_id (target));
  unconfirmed = g_new0 (Unconfirmed, 1);
  unconfirmed->hub = self;
  g_hash_table_insert (self->unconfirmed, pair_key (any_peer_get_id (from), pending->target_id),
                       unconfirmed);
  send_network (target, "connected", any_peer_get_id (from));
  reply_proxy (from, seq, NULL);
  json_node_take_object (ping, any_internal_new_synced_time ());
  _any_peer_request (target, ANY_PACKET_TYPE_INTERNAL, ping, CONFIRM_TIMEOUT_MS, NULL,
                     confirm_link, on_link_confirmed, pending);
}

/* Why @from may not be linked to @target_id, or NULL when it may. */
static char *
check_proxy_request (AnyHub     *self,
                     AnyPeer    *from,
                     const char *target_id)
{
  const char *from_id = any_peer_get_id (from);
  AnyPeer *target;

  if (any_peer_is_proxy (from))
    return g_strdup ("Cannot proxy through a proxied link");
  if (target_id == NULL || !any_id_is_valid (target_id) || !any_id_is_valid (from_id))
    return g_strdup ("Cannot proxy: ids must be 32 lowercase hex characters");
  if (g_str_equal (target_id, from_id) || g_str_equal (target_id, self->host->local_id (self->host_data)))
    return g_strdup ("Cannot proxy loopback!");
  target = self->host->lookup_peer (self->host_data, target_id);
  if (target == NULL || !any_peer_is_connected (target))
    return g_strdup_printf ("Cannot proxy: peer %s is not connected here", target_id);
  if (any_peer_is_proxy (target))
    return g_strdup_printf ("Cannot proxy: peer %s is itself proxied", target_id);
  return NULL;
}

void
_any_hub_handle_proxy (AnyHub     *self,
                       AnyPeer    *from,
                       gint32      seq,
                       JsonObject *request)
{
  const char *action = any_json_get_string_member (request, "action");
  const char *target_id = any_json_get_string_member (request, "id");
  const char *from_id = any_peer_get_id (from);
  g_autofree char *refusal = NULL;

  if (g_strcmp0 (action, "unproxy") == 0)
    {
      AnyPeer *target = target_id != NULL ? self->host->lookup_peer (self->host_data, target_id) : NULL;

      if (target_id == NULL || !_any_hub_is_linked (self, from_id, target_id))
        return;
      unlink_pair (self, from_id, target_id);
      if (target != NULL && !any_peer_is_proxy (target))
        send_network (target, "disconnected", from_id);
      return;
    }
  if (g_strcmp0 (action, "proxy") != 0)
    {
      reply_proxy (from, seq, "Unknown PROXY action");
      return;
    }

  refusal = check_proxy_request (self, from, target_id);
  if (refusal == NULL && _any_hub_is_linked (self, from_id, target_id))
    {
      reply_proxy (from, seq, NULL);
      return;
    }
  if (refusal == NULL && !self->host->allow_proxy (self->host_data, from, target_id))
    refusal = g_strdup ("Proxy refused by the hub");
  if (refusal != NULL)
    {
      g_debug ("Refused to proxy %s to %s: %s", from_id, target_id ? target_id : "(none)", refusal);
      reply_proxy (from, seq, refusal);
      return;
    }

  link_pair (self, from_id, target_id);
  confirm_link (self, from, seq, self->host->lookup_peer (self->host_data, target_id));
}

/* A binary FORWARD frame (docs/protocol.md, "Binary messages through a
 * hub"): an end sends one only after the other end's probe said "bin",
 * which it says only when its own link to us takes them, and only once
 * the link is confirmed; anything else breaks the rules. */
static gboolean
relay_binary (AnyHub        *self,
              AnyPeer       *from,
              const guint8  *frame,
              gsize          len,
              AnyPeer       *to,
              char         **reason)
{
  g_autofree char *key = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (g_hash_table_size (self->unconfirmed) > 0)
    {
      key = pair_key (any_peer_get_id (from), any_peer_get_id (to));
      if (g_hash_table_contains (self->unconfirmed, key))
        {
          *reason = g_strdup_printf ("Invalid FORWARD: binary frame for %s before it confirmed the link",
                                     any_peer_get_id (to));
          return FALSE;
        }
    }
  if (!_any_peer_takes_binary_forward (to))
    {
      *reason = g_strdup_printf ("Invalid FORWARD: binary frame for %s, which does not take them",
                                 any_peer_get_id (to));
      return FALSE;
    }
  bytes = g_bytes_new (frame, len);
  _any_peer_send_binary_frame (to, bytes, NULL);
  return TRUE;
}

gboolean
_any_hub_relay (AnyHub        *self,
                AnyPeer       *from,
                const guint8  *frame,
                gsize          len,
                gboolean       binary,
                const char    *to_id,
                char         **reason)
{
  const char *from_id = any_peer_get_id (from);
  g_autofree char *key = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Unconfirmed *unconfirmed = NULL;
  AnyPeer *to;

  if (!_any_hub_is_linked (self, from_id, to_id))
    {
      key = pair_key (from_id, to_id);
      if (g_hash_table_contains (self->recently_unlinked, key))
        {
          g_debug ("Dropped FORWARD from %s to %s: no longer linked", from_id, to_id);
          return TRUE;
        }
      *reason = g_strdup_printf ("Invalid FORWARD: peer %s is not linked to %s through this hub",
                                 from_id, to_id);
      return FALSE;
    }

  to = self->host->lookup_peer (self->host_data, to_id);
  if (to == NULL)
    return TRUE;
  if (binary)
    return relay_binary (self, from, frame, len, to, reason);
  /* Relayed as it came: the inner chunk may be ciphertext we cannot read. */
  bytes = g_bytes_new (frame, len);
  /* Per frame: no key to build while no link waits for its target. */
  if (g_hash_table_size (self->unconfirmed) > 0)
    {
      key = pair_key (from_id, to_id);
      unconfirmed = g_hash_table_lookup (self->unconfirmed, key);
    }
  if (unconfirmed != NULL)
    {
      guint64 max_pair = self->host->max_send_buffer (self->host_data);
      gsize cost = len + UNCONFIRMED_FRAME_COST;

      if (self->unconfirmed_bytes + cost > MAX_UNCONFIRMED_BYTES ||
          (max_pair > 0 && unconfirmed->bytes + cost > max_pair))
        {
          *reason = g_strdup_printf ("Invalid FORWARD: too much data for %s before it confirmed the link",
                                     to_id);
          return FALSE;
        }
      unconfirmed->bytes += cost;
      self->unconfirmed_bytes += cost;
      g_queue_push_tail (&unconfirmed->frames, g_steal_pointer (&bytes));
      return TRUE;
    }
  _any_peer_send_frame (to, bytes, NULL);
  return TRUE;
}

/* Every peer linked to @id hears that it left: one message, written once
 * for all of them (any-fanout.c). */
void
_any_hub_peer_gone (AnyHub     *self,
                    const char *id)
{
  GHashTable *set = links_of (self, id, FALSE);
  g_autoptr(GList) linked = NULL;
  g_autoptr(GPtrArray) told = NULL;
  g_autoptr(JsonNode) msg = NULL;

  if (set == NULL)
    return;
  linked = g_hash_table_get_keys (set);
  told = g_ptr_array_new_with_free_func (g_object_unref);
  for (GList *l = linked; l != NULL; l = l->next)
    {
      g_autofree char *other = g_strdup (l->data);
      AnyPeer *peer = self->host->lookup_peer (self->host_data, other);

      unlink_pair (self, id, other);
      if (peer != NULL && !any_peer_is_proxy (peer))
        g_ptr_array_add (told, g_object_ref (peer));
    }
  if (told->len == 0)
    return;
  msg = any_internal_build (ANY_INTERNAL_NETWORK, "disconnected", id);
  _any_fanout_send ((AnyPeer **) told->pdata, told->len, ANY_PACKET_TYPE_INTERNAL, msg);
}

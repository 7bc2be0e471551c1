/* any-socket-links.c: a direct link to a peer we reach through a hub
 *
 * Two peers linked through a hub may also connect directly. The
 * JavaScript peer refuses that second link once it is authenticated
 * ("Duplicated AnySocket ID found!", after sending its own AUTH) and
 * keeps the proxied one. So a direct link that completes AUTH for an id
 * we reach through a hub is first *pending*: not in the peer table, the
 * proxied peer still the peer, connect_async() not finished. We send a
 * probe over it (a SYNCED_TIME request with "links", which every peer
 * answers; ours adds "links" when it too is taking over from a proxied
 * peer, and will fence as below). The link is *accepted*
 * when the other side shows it kept it: the probe's answer, its own
 * probe, any LINK or INTERNAL request on it, or its fence (below). If it
 * closes first, the proxied peer stays and connect_async() fails with
 * the other side's reason.
 *
 * Accepted, the direct link takes over (lower latency than through the
 * hub). Between two libanysocket peers (the probe's answer said
 * "links"), each side does this without losing or reordering a message:
 *
 * 1. it sends a *fence* on the proxied link (a SYNCED_TIME request with
 *    "fence"), the last packet it sends there; the proxied peer is
 *    retired (the application hears it left, "Replaced by a direct
 *    link", and cannot send on it) and the direct one announced; what
 *    the application sends on the direct link is held back;
 * 2. the fence's answer proves the other side handled everything we sent
 *    through the hub: the direct link's held packets flow;
 * 3. once our fence was answered and the other side's fence came in
 *    (nothing more will come through the hub), the proxied link closes.
 *
 * Messages still arriving on the retired proxied link are delivered
 * (their packet's peer is that proxied peer). With a peer that does not
 * answer "links" (the JavaScript one, or an older libanysocket), the
 * proxied peer is replaced at once, as before.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-packet.h"
#include "any-peer.h"
#include "any-socket.h"
#include "any-source.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "codec/any-json.h"
#include "protocol/any-internal-msg.h"

#define REPLACED_REASON "Replaced by a direct link"

struct _AnyLinks
{
  AnySocket  *socket;            /* owns us */
  GHashTable *takeovers;         /* peer id -> Takeover */
};

/* One id whose direct link is pending or taking over. Reference counted:
 * the requests it sent may complete after it is gone (@dead). */
typedef struct {
  AnyLinks *links;
  char     *id;
  AnyPeer  *direct;
  AnyPeer  *proxied;
  GTask    *task;                /* connect_async() of the direct link */
  gboolean  dead;
  gboolean  switched;            /* the direct link is the peer */
  gboolean  fence_answered;      /* our fence came back */
  gboolean  remote_fenced;       /* the other side's fence came in */
  GSource  *fence_wait;          /* ... or it waits no longer */
} Takeover;

static void
takeover_clear (Takeover *takeover)
{
  any_clear_source (&takeover->fence_wait);
  g_free (takeover->id);
  g_clear_object (&takeover->direct);
  g_clear_object (&takeover->proxied);
  g_clear_object (&takeover->task);
}

static Takeover *
takeover_ref (Takeover *takeover)
{
  return g_rc_box_acquire (takeover);
}

static void
takeover_unref (Takeover *takeover)
{
  g_rc_box_release_full (takeover, (GDestroyNotify) takeover_clear);
}

static void
takeover_drop (gpointer data)
{
  Takeover *takeover = data;

  takeover->dead = TRUE;
  any_clear_source (&takeover->fence_wait);
  takeover_unref (takeover);
}

AnyLinks *
_any_links_new (AnySocket *socket)
{
  AnyLinks *self = g_new0 (AnyLinks, 1);

  self->socket = socket;
  self->takeovers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, takeover_drop);
  return self;
}

void
_any_links_free (AnyLinks *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->takeovers);
  g_free (self);
}

/* Ends the takeover of @takeover's id (its key is its own id). */
static void
takeover_end (Takeover *takeover)
{
  if (!takeover->dead)
    g_hash_table_remove (takeover->links->takeovers, takeover->id);
}

void
_any_links_stop (AnyLinks *self)
{
  g_autoptr(GList) takeovers = g_hash_table_get_values (self->takeovers);

  for (GList *l = takeovers; l != NULL; l = l->next)
    takeover_ref (l->data);
  for (GList *l = takeovers; l != NULL; l = l->next)
    {
      Takeover *takeover = l->data;

      if (!takeover->switched)
        any_peer_disconnect (takeover->direct, "Socket stopped");
      any_peer_disconnect (takeover->proxied, "Socket stopped");
      takeover_unref (takeover);
    }
}

gboolean
_any_links_is_pending (AnyLinks   *self,
                       const char *id)
{
  Takeover *takeover = g_hash_table_lookup (self->takeovers, id);

  return takeover != NULL && !takeover->switched;
}

static JsonNode *
new_marked_synced_time (const char *mark)
{
  JsonObject *object = any_internal_new_synced_time ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (object, mark, 1);
  json_node_take_object (node, object);
  return node;
}

static void
maybe_close_proxied (Takeover *takeover)
{
  g_autoptr(AnyPeer) proxied = NULL;

  if (!takeover->switched || !takeover->fence_answered || !takeover->remote_fenced)
    return;
  proxied = g_object_ref (takeover->proxied);
  takeover_end (takeover);
  any_peer_disconnect (proxied, REPLACED_REASON);
}

static gboolean
on_fence_wait (gpointer user_data)
{
  Takeover *takeover = user_data;

  g_clear_pointer (&takeover->fence_wait, g_source_unref);
  g_debug ("No fence from %s: the proxied link closes all the same", takeover->id);
  takeover->remote_fenced = TRUE;
  maybe_close_proxied (takeover);
  return G_SOURCE_REMOVE;
}

static void
release_direct (Takeover *takeover)
{
  guint timeout = any_socket_get_reply_timeout (takeover->links->socket);

  takeover->fence_answered = TRUE;
  _any_peer_set_holding (takeover->direct, FALSE);
  /* A peer that kept the direct link but never fences (one that claims
   * the id of the peer behind the hub) must not keep the proxied link
   * half open. */
  if (!takeover->remote_fenced && takeover->fence_wait == NULL && !takeover->dead)
    {
      takeover->fence_wait = g_timeout_source_new (timeout > 0 ? timeout : 30000);
      g_source_set_callback (takeover->fence_wait, on_fence_wait, takeover_ref (takeover),
                             (GDestroyNotify) takeover_unref);
      g_source_attach (takeover->fence_wait, g_main_context_get_thread_default ());
    }
}

static void
on_fence_answer (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Takeover *takeover = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) answer = any_peer_request_finish (ANY_PEER (source), result, &error);

  if (!takeover->dead)
    {
      /* Without an answer nothing more will come through the hub. */
      if (answer == NULL)
        {
          g_debug ("The fence to %s got no answer: %s", takeover->id, error->message);
          takeover->remote_fenced = TRUE;
        }
      release_direct (takeover);
      maybe_close_proxied (takeover);
    }
  takeover_unref (takeover);
}

/* The other side kept the direct link: it becomes the peer. @fencing:
 * the other side drains the proxied link as we do (module comment). */
static void
accept_direct (Takeover *takeover,
               gboolean  fencing)
{
  AnySocket *socket = takeover->links->socket;
  g_autoptr(GTask) task = g_steal_pointer (&takeover->task);
  g_autoptr(AnyPeer) proxied = g_object_ref (takeover->proxied);
  g_autoptr(AnyPeer) direct = g_object_ref (takeover->direct);
  gboolean proxied_up = any_peer_get_socket (proxied) == socket &&
                        any_socket_get_peer (socket, takeover->id) == proxied &&
                        any_peer_is_connected (proxied);

  if (takeover->switched)
    return;
  takeover->switched = TRUE;

  if (!proxied_up || !fencing)
    {
      /* Nothing to drain, or nobody to drain it with. */
      takeover_end (takeover);
      _any_socket_retire_peer (socket, proxied, REPLACED_REASON);
      any_peer_disconnect (proxied, REPLACED_REASON);
      _any_socket_announce_peer (socket, direct, task);
      return;
    }

  {
    g_autoptr(JsonNode) fence = new_marked_synced_time ("fence");

    _any_peer_request (proxied, ANY_PACKET_TYPE_INTERNAL, fence, 0, NULL, accept_direct,
                       on_fence_answer, takeover_ref (takeover));
  }
  _any_peer_retire (proxied);
  _any_peer_set_holding (direct, TRUE);
  _any_socket_retire_peer (socket, proxied, REPLACED_REASON);
  _any_socket_announce_peer (socket, direct, task);
}

static void
on_probe_answer (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Takeover *takeover = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) answer = any_peer_request_finish (ANY_PEER (source), result, &error);

  if (!takeover->dead && !takeover->switched)
    {
      JsonNode *msg = answer != NULL ? any_packet_get_msg (answer) : NULL;

      if (answer == NULL)
        any_peer_disconnect (takeover->direct, "Direct link not confirmed");
      else
        accept_direct (takeover, JSON_NODE_HOLDS_OBJECT (msg) &&
                                 json_object_has_member (json_node_get_object (msg), "links"));
    }
  takeover_unref (takeover);
}

void
_any_links_hold (AnyLinks *self,
                 AnyPeer  *direct,
                 AnyPeer  *proxied,
                 GTask    *task)
{
  Takeover *takeover = g_rc_box_new0 (Takeover);
  g_autoptr(JsonNode) probe = new_marked_synced_time ("links");

  takeover->links = self;
  takeover->id = g_strdup (any_peer_get_id (direct));
  takeover->direct = g_object_ref (direct);
  takeover->proxied = g_object_ref (proxied);
  takeover->task = task != NULL ? g_object_ref (task) : NULL;
  g_hash_table_insert (self->takeovers, takeover->id, takeover);

  _any_peer_request (direct, ANY_PACKET_TYPE_INTERNAL, probe, 0, NULL, _any_links_hold,
                     on_probe_answer, takeover_ref (takeover));
}

static Takeover *
pending_for_direct (AnyLinks *self,
                    AnyPeer  *peer)
{
  Takeover *takeover;

  if (g_hash_table_size (self->takeovers) == 0 || any_peer_get_id (peer) == NULL)
    return NULL;
  takeover = g_hash_table_lookup (self->takeovers, any_peer_get_id (peer));
  return takeover != NULL && takeover->direct == peer && !takeover->switched ? takeover : NULL;
}

/* A LINK packet, or an INTERNAL request, on a pending direct link: its
 * sender kept the link. Only a peer that does not fence sends one before
 * its probe or its answer. */
void
_any_links_seen (AnyLinks *self,
                 AnyPeer  *peer)
{
  Takeover *takeover = pending_for_direct (self, peer);

  if (takeover != NULL)
    accept_direct (takeover, FALSE);
}

/* An INTERNAL request from @peer, before it is answered: TRUE to be told
 * when it was (_any_links_answered()). */
gboolean
_any_links_internal (AnyLinks *self,
                     AnyPeer  *peer,
                     JsonNode *data)
{
  Takeover *takeover;
  JsonObject *request;

  if (g_hash_table_size (self->takeovers) == 0 || any_peer_get_id (peer) == NULL)
    return FALSE;
  takeover = g_hash_table_lookup (self->takeovers, any_peer_get_id (peer));
  if (takeover == NULL)
    return FALSE;
  request = JSON_NODE_HOLDS_OBJECT (data) ? json_node_get_object (data) : NULL;
  if (any_internal_type_of (data) != ANY_INTERNAL_SYNCED_TIME)
    request = NULL;

  if (peer == takeover->direct && !takeover->switched)
    {
      /* Its probe: it waits for our answer to take over, as we do. */
      accept_direct (takeover, request != NULL && json_object_has_member (request, "links"));
      return FALSE;
    }
  if (peer == takeover->proxied && request != NULL && json_object_has_member (request, "fence"))
    {
      /* The last thing it sends through the hub: it switched. */
      takeover->remote_fenced = TRUE;
      accept_direct (takeover, TRUE);
      return TRUE;
    }
  return FALSE;
}

/* The fence of _any_links_internal() was answered: the proxied link may
 * close now, after the answer. */
void
_any_links_answered (AnyLinks *self,
                     AnyPeer  *peer)
{
  Takeover *takeover = g_hash_table_lookup (self->takeovers, any_peer_get_id (peer));

  if (takeover != NULL && takeover->proxied == peer)
    maybe_close_proxied (takeover);
}

/* A hub left: the proxied peers draining through it go too (the socket
 * closes those in its table itself). */
static void
close_retiring_via (AnyLinks   *self,
                    AnyPeer    *hub,
                    const char *reason)
{
  g_autoptr(GList) takeovers = g_hash_table_get_values (self->takeovers);
  g_autoptr(GPtrArray) closing = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = takeovers; l != NULL; l = l->next)
    {
      Takeover *takeover = l->data;

      if (takeover->switched && any_peer_get_via (takeover->proxied) == hub)
        g_ptr_array_add (closing, g_object_ref (takeover->proxied));
    }
  for (guint i = 0; i < closing->len; i++)
    _any_peer_close_proxied (g_ptr_array_index (closing, i), reason);
}

gboolean
_any_links_will_fence (AnyLinks *self,
                       AnyPeer  *direct)
{
  Takeover *takeover;

  if (g_hash_table_size (self->takeovers) == 0 || any_peer_get_id (direct) == NULL)
    return FALSE;
  takeover = g_hash_table_lookup (self->takeovers, any_peer_get_id (direct));
  return takeover != NULL && takeover->direct == direct;
}

AnyPeer *
_any_links_get_retiring (AnyLinks   *self,
                         const char *id)
{
  Takeover *takeover;

  if (g_hash_table_size (self->takeovers) == 0)
    return NULL;
  takeover = g_hash_table_lookup (self->takeovers, id);
  return takeover != NULL && takeover->switched ? takeover->proxied : NULL;
}

void
_any_links_peer_gone (AnyLinks   *self,
                      AnyPeer    *peer,
                      const char *reason)
{
  AnySocket *socket = self->socket;
  Takeover *takeover;

  if (g_hash_table_size (self->takeovers) == 0 || any_peer_get_id (peer) == NULL)
    return;
  if (!any_peer_is_proxy (peer))
    close_retiring_via (self, peer, reason);
  takeover = g_hash_table_lookup (self->takeovers, any_peer_get_id (peer));
  if (takeover == NULL)
    return;

  if (peer == takeover->direct && !takeover->switched)
    {
      /* Refused (or lost) before it was accepted: the proxied peer stays. */
      g_autoptr(GTask) task = g_steal_pointer (&takeover->task);

      takeover_end (takeover);
      if (task != NULL)
        g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DUPLICATE_ID,
                                 _("Duplicated AnySocket ID found! Peer %s closed the direct link (%s); "
                                   "the link through the hub stays"),
                                 any_peer_get_id (peer), reason);
    }
  else if (peer == takeover->proxied && !takeover->switched)
    {
      /* The hub went first: nothing to drain, the direct link is it. */
      g_autoptr(GTask) task = g_steal_pointer (&takeover->task);
      g_autoptr(AnyPeer) direct = g_object_ref (takeover->direct);

      takeover_end (takeover);
      _any_socket_announce_peer (socket, direct, task);
    }
  else if (peer == takeover->proxied)
    {
      release_direct (takeover);
      takeover_end (takeover);
    }
  else if (peer == takeover->direct)
    {
      g_autoptr(AnyPeer) proxied = g_object_ref (takeover->proxied);

      takeover_end (takeover);
      any_peer_disconnect (proxied, reason);
    }
}

/* Public API */

/**
 * any_socket_has_peer:
 * @self: an [class@AnySocket.Socket]
 * @id: a peer id
 *
 * Whether a peer with @id is connected, directly or through a hub (the
 * JavaScript `hasPeer()`). A direct link still waiting to take over from
 * a proxied one does not count: the proxied peer does.
 *
 * Returns: TRUE if [method@AnySocket.Socket.get_peer] finds @id
 *
 * Since: 0.2
 */
gboolean
any_socket_has_peer (AnySocket  *self,
                     const char *id)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return any_socket_get_peer (self, id) != NULL;
}

/**
 * any_socket_has_direct_peer:
 * @self: an [class@AnySocket.Socket]
 * @id: a peer id
 *
 * Whether a peer with @id is connected over a link of its own, not
 * through a hub (the JavaScript `hasDirectPeer()`).
 *
 * Returns: TRUE if @id is a connected peer and not a proxied one
 *
 * Since: 0.2
 */
gboolean
any_socket_has_direct_peer (AnySocket  *self,
                            const char *id)
{
  AnyPeer *peer;

  g_return_val_if_fail (ANY_IS_SOCKET (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  peer = any_socket_get_peer (self, id);
  return peer != NULL && !any_peer_is_proxy (peer);
}

/**
 * any_peer_get_links:
 * @self: an [class@AnySocket.Peer]
 *
 * The peers this socket, as a hub, links to @self: those that asked it
 * to proxy to @self or that @self asked for (the JavaScript
 * `peer.getLinks()`). Empty for a socket that relays for nobody, and for
 * a proxied peer.
 *
 * Returns: (transfer container) (element-type AnyPeer): the linked peers
 *
 * Since: 0.2
 */
GList *
any_peer_get_links (AnyPeer *self)
{
  AnySocket *socket;
  g_autoptr(GPtrArray) ids = NULL;
  GList *links = NULL;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  socket = any_peer_get_socket (self);
  if (socket == NULL || any_peer_get_id (self) == NULL || any_peer_is_proxy (self))
    return NULL;
  ids = _any_hub_dup_links (_any_socket_get_hub (socket), any_peer_get_id (self));
  for (guint i = ids->len; i > 0; i--)
    {
      AnyPeer *linked = any_socket_get_peer (socket, g_ptr_array_index (ids, i - 1));

      if (linked != NULL)
        links = g_list_prepend (links, linked);
    }
  return links;
}

/* chat-mesh-direct.c: messages to one peer, with receipts
 *
 * A private message is a request; its reply, a receipt, marks it
 * delivered. It goes on the peer's link when there is one (direct, or
 * proxied from earlier). Otherwise we ask a hub, one of our direct
 * peers that announced the target as its own direct peer, to link us
 * (any_socket_proxy_async()), switch the new link to E2E, and send:
 * the hub relays only ciphertext. Messages typed meanwhile wait in an
 * outbox.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

#define RECEIPT_TIMEOUT_MS 30000
#define MAX_PROXY_ATTEMPTS 3
#define PROXY_RETRY_MS     500

typedef struct {
  ChatMesh *mesh;
  char     *peer_id;
  char     *mid;
} Pending;

static gboolean start_proxy    (ChatMesh    *mesh,
                                ChatPeer    *peer,
                                ChatMessage *msg);
static void     schedule_proxy (ChatMesh    *mesh,
                                ChatPeer    *peer);

static void
pending_free (Pending *pending)
{
  g_free (pending->peer_id);
  g_free (pending->mid);
  g_free (pending);
}

static void
set_delivery (ChatMesh    *mesh,
              const char  *peer_id,
              const char  *mid,
              ChatDelivery delivery)
{
  ChatWindow *window = chat_model_find_window (mesh->model, peer_id);
  ChatLine *line = window != NULL ? chat_window_find_line (window, mid) : NULL;

  if (line == NULL)
    return;
  line->delivery = delivery;
  chat_model_changed (mesh->model);
}

void
chat_mesh_private_done (ChatMesh   *mesh,
                        const char *peer_id,
                        const char *mid,
                        gboolean    delivered,
                        const char *why)
{
  set_delivery (mesh, peer_id, mid, delivered ? CHAT_DELIVERY_DELIVERED : CHAT_DELIVERY_FAILED);
  if (!delivered)
    chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Private message not delivered: %s"), why);
}

static void
on_receipt (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);
  g_autoptr(ChatMessage) receipt = NULL;

  if (reply != NULL)
    receipt = chat_message_decode (any_packet_get_msg (reply), NULL);
  if (!pending->mesh->stopping)
    chat_mesh_private_done (pending->mesh, pending->peer_id, pending->mid,
                            receipt != NULL && receipt->kind == CHAT_KIND_RECEIPT &&
                            g_str_equal (receipt->mid, pending->mid),
                            error != NULL ? error->message : _("bad receipt"));
  pending->mesh->in_flight--;
  pending_free (pending);
}

static void
send_now (ChatMesh    *mesh,
          AnyPeer     *link,
          ChatMessage *msg)
{
  g_autoptr(JsonNode) node = chat_message_encode (msg);
  Pending *pending = g_new0 (Pending, 1);

  pending->mesh = mesh;
  mesh->in_flight++;
  /* never in the clear: a proxied link the other side opened may not
   * have switched yet (a no-op when it has, or is switching) */
  any_peer_e2e (link);
  pending->peer_id = g_strdup (any_peer_get_id (link));
  pending->mid = g_strdup (msg->mid);
  any_peer_request_async (link, node, RECEIPT_TIMEOUT_MS, NULL, on_receipt, pending);
}

static void
fail_outbox (ChatMesh     *mesh,
             const char   *peer_id,
             const GError *error)
{
  GPtrArray *waiting = g_hash_table_lookup (mesh->outbox, peer_id);

  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      ChatMessage *msg = g_ptr_array_index (waiting, i);

      set_delivery (mesh, peer_id, msg->mid, CHAT_DELIVERY_FAILED);
    }
  if (error != NULL && waiting != NULL && waiting->len > 0)
    chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Private message not delivered: %s"), error->message);
  g_hash_table_remove (mesh->outbox, peer_id);
}

void
chat_mesh_outbox_drop (ChatMesh   *mesh,
                       const char *peer_id)
{
  fail_outbox (mesh, peer_id, NULL);
}

typedef struct {
  ChatMesh *mesh;
  char     *peer_id;
} Proxying;

static void
on_proxied (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Proxying *proxying = user_data;
  ChatMesh *mesh = proxying->mesh;
  g_autofree char *peer_id = proxying->peer_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) link = any_socket_proxy_finish (ANY_SOCKET (source), result, &error);
  g_autoptr(GPtrArray) waiting = NULL;
  g_autofree char *key = NULL;
  ChatPeer *peer = chat_model_get_peer (mesh->model, peer_id);

  g_free (proxying);
  mesh->in_flight--;
  if (link == NULL || peer == NULL)
    {
      if (mesh->stopping)
        return;
      fail_outbox (mesh, peer_id, error);
      /* the hub may not know the target yet, or we still had a direct
       * link with it a moment ago: try again a few times */
      if (peer != NULL && peer->link == NULL && peer->proxy_attempts < MAX_PROXY_ATTEMPTS)
        schedule_proxy (mesh, peer);
      return;
    }
  g_hash_table_steal_extended (mesh->outbox, peer_id, (gpointer *) &key, (gpointer *) &waiting);
  if (peer->link == NULL)
    g_set_object (&peer->link, link);
  any_peer_e2e (link);   /* the hub sees only ciphertext from here on */
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    send_now (mesh, link, g_ptr_array_index (waiting, i));
  chat_model_changed (mesh->model);
}

/* Takes @msg (nullable: just link). FALSE when there is no hub to ask. */
static gboolean
start_proxy (ChatMesh    *mesh,
             ChatPeer    *peer,
             ChatMessage *msg)
{
  ChatPeer *hub = chat_model_get_peer (mesh->model, peer->hub);
  GPtrArray *waiting = g_hash_table_lookup (mesh->outbox, peer->id);
  Proxying *proxying;

  if (waiting != NULL)   /* a proxy is on its way */
    {
      if (msg != NULL)
        g_ptr_array_add (waiting, msg);
      return TRUE;
    }
  if (hub == NULL || !chat_peer_is_direct (hub))
    {
      g_clear_pointer (&msg, chat_message_free);
      return FALSE;
    }
  waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_message_free);
  if (msg != NULL)
    g_ptr_array_add (waiting, msg);
  g_hash_table_insert (mesh->outbox, g_strdup (peer->id), waiting);
  if (peer->uid != NULL)
    {
      g_autofree char *fingerprint = chat_known_peers_fingerprint (mesh->known, peer->uid);

      if (fingerprint != NULL)
        any_socket_pin_fingerprint (mesh->socket, peer->id, fingerprint);
    }
  proxying = g_new0 (Proxying, 1);
  proxying->mesh = mesh;
  mesh->in_flight++;
  proxying->peer_id = g_strdup (peer->id);
  any_socket_proxy_async (mesh->socket, peer->id, hub->link, NULL, on_proxied, proxying);
  return TRUE;
}

void
chat_mesh_link_via_hub (ChatMesh *mesh,
                        ChatPeer *peer)
{
  start_proxy (mesh, peer, NULL);
}

typedef struct {
  ChatMesh *mesh;
  char     *peer_id;
} Retry;

static gboolean
on_proxy_retry (gpointer user_data)
{
  Retry *retry = user_data;
  ChatPeer *peer = chat_model_get_peer (retry->mesh->model, retry->peer_id);

  if (peer != NULL && peer->link == NULL && !retry->mesh->stopping)
    start_proxy (retry->mesh, peer, NULL);
  return G_SOURCE_REMOVE;
}

static void
retry_free (gpointer data)
{
  Retry *retry = data;

  g_free (retry->peer_id);
  g_free (retry);
}

static void
schedule_proxy (ChatMesh *mesh,
                ChatPeer *peer)
{
  Retry *retry = g_new0 (Retry, 1);

  retry->mesh = mesh;
  retry->peer_id = g_strdup (peer->id);
  peer->proxy_attempts++;
  g_timeout_add_full (G_PRIORITY_DEFAULT, PROXY_RETRY_MS * peer->proxy_attempts,
                      on_proxy_retry, retry, retry_free);
}

/* A link through the hub dropped while the peer and its hub are still
 * there: refused by a peer whose direct link with us was still closing,
 * or a switch that timed out. Asked again a few times; the count starts
 * over once a link has switched to E2E (chat-mesh.c). */
void
chat_mesh_relink_later (ChatMesh *mesh,
                        ChatPeer *peer)
{
  if (peer->proxy_attempts < MAX_PROXY_ATTEMPTS)
    schedule_proxy (mesh, peer);
}

guint
chat_mesh_drop_proxied_links (ChatMesh *mesh)
{
  GHashTableIter iter;
  gpointer value;
  guint dropped = 0;

  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (peer->link != NULL && any_peer_is_proxy (peer->link))
        {
          any_peer_disconnect (peer->link, "replaced by a direct link");
          dropped++;
        }
    }
  return dropped;
}

void
chat_mesh_send_private (ChatMesh   *mesh,
                        ChatPeer   *peer,
                        const char *text,
                        gboolean    action)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_PRIVATE);
  ChatWindow *window = chat_model_open_window (mesh->model, peer);
  ChatLine *line;

  msg->mid = chat_message_new_mid ();
  msg->nick = g_strdup (mesh->model->own_nick);
  msg->text = g_strdup (text);
  msg->action = action;
  msg->ts = chat_mesh_now_ms ();
  line = chat_window_add_said (mesh->model, window, msg->ts, CHAT_LINE_OWN, NULL, mesh->model->own_nick, text,
                               action);
  line->mid = g_strdup (msg->mid);
  line->delivery = CHAT_DELIVERY_PENDING;
  if (window->node_id == NULL)
    window->node_id = g_strdup (peer->node_id);

  if (peer->link != NULL && any_peer_is_connected (peer->link))
    send_now (mesh, peer->link, msg);
  else if (chat_mesh_send_to_node (mesh, peer, msg))
    return;   /* end to end over the mesh, any number of hops */
  else if (!start_proxy (mesh, peer, g_steal_pointer (&msg)))
    {
      line->delivery = CHAT_DELIVERY_FAILED;
      chat_model_notice (mesh->model, CHAT_LINE_ERROR,
                         _("No route to %s: not linked, and no direct peer of ours is linked to it"),
                         peer->nick);
    }
}

/* an ignored peer gets its receipt all the same: it is not told */
void
chat_mesh_show_private (ChatMesh    *mesh,
                        ChatPeer    *peer,
                        ChatMessage *msg)
{
  g_autofree char *label = chat_model_peer_label (mesh->model, peer);
  ChatWindow *window;

  if (chat_model_is_ignored (mesh->model, peer->nick, peer->uid))
    return;
  window = chat_model_open_window (mesh->model, peer);
  if (window->node_id == NULL)
    window->node_id = g_strdup (peer->node_id);
  chat_window_add_said (mesh->model, window, chat_mesh_now_ms (), CHAT_LINE_MESSAGE, peer->id, label, msg->text,
                        msg->action);
}

void
chat_mesh_receive_private (ChatMesh    *mesh,
                           AnyPacket   *packet,
                           ChatMessage *msg)
{
  ChatPeer *peer = chat_model_ensure_peer (mesh->model, any_peer_get_id (any_packet_get_peer (packet)));
  g_autoptr(ChatMessage) receipt = chat_message_new (CHAT_KIND_RECEIPT);
  g_autoptr(JsonNode) node = NULL;

  chat_mesh_show_private (mesh, peer, msg);
  receipt->mid = g_strdup (msg->mid);
  node = chat_message_encode (receipt);
  any_packet_reply (packet, node, NULL);
}

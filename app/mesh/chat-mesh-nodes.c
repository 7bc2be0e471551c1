/* chat-mesh-nodes.c: the chat over the library's mesh (AnyMesh)
 *
 * Every anychat is a node of an AnyMesh over its socket's links. The
 * room and each named room are mesh topics ("anychat/room",
 * "anychat/room/#name"); presence (nick, away, rooms, topics, leaving)
 * goes on the topic "anychat". Publications are signed by their
 * authors, so a room line shows the node that signed it, never a claim
 * in the message. A private message is an end-to-end request to a node
 * any number of hops away, whose reply is the receipt. Nodes say hello
 * to each other end to end when they first see each other (a request
 * and its reply), then ping each other for the end-to-end lag.
 *
 * The peer list holds a ChatPeer per reachable node: a direct peer gets
 * its node bound (hops 1, through its own link), any other node is a
 * ChatPeer whose id is its node id. Both are synchronised with the
 * mesh's table every second and on its node-added/removed signals, so a
 * node that left or was cut off is dropped within the route lifetime.
 *
 * A direct peer that is not anychat (a JavaScript bot) speaks the old
 * JSON on its link (chat-mesh-room.c): we show its room lines as its
 * link's and publish them for it, marked relayed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

#define TOPIC_PRESENCE   "anychat"
#define TOPIC_ROOM       "anychat/room"
#define ANNOUNCE_MS      1000
#define SYNC_MS          1000
#define PRIVATE_TIMEOUT  30000
#define HOLD_MS          2000
#define HELLO_TIMEOUT    3000
#define HANDSHAKE_MS     2000   /* an end-to-end handshake not done by then is dropped */
#define GREET_AFTER      2      /* syncs: the other end learns our route meanwhile */
#define PING_TICKS       5
#define MAX_EARLY        256

char *
chat_mesh_room_topic (const char *room)
{
  return room != NULL ? g_strconcat (TOPIC_ROOM "/", room, NULL) : g_strdup (TOPIC_ROOM);
}

static gboolean
is_remote (ChatPeer *peer)
{
  return peer->node_id != NULL && g_str_equal (peer->id, peer->node_id);
}

/* The ChatPeer of a node: a direct peer whose node it is, or one keyed
 * by the node id. NULL for an id the mesh does not list (not reachable,
 * or said it left) unless @create; a publication's author not in the
 * table yet comes with its @fingerprint. */
ChatPeer *
chat_mesh_node_peer (ChatMesh   *mesh,
                     const char *node_id,
                     const char *fingerprint,
                     gboolean    create)
{
  GHashTableIter iter;
  gpointer value;
  AnyMeshNode *node = any_mesh_get_node (mesh->any, node_id);
  AnyPeer *next = node != NULL ? any_mesh_node_get_next_hop (node) : NULL;
  ChatPeer *direct = NULL;
  ChatPeer *peer = NULL;

  /* our neighbour: its route goes through its own link */
  if (node != NULL && next != NULL && any_mesh_node_get_hops (node) == 1)
    direct = chat_model_get_peer (mesh->model, any_peer_get_id (next));
  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (peer == NULL && g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (((ChatPeer *) value)->node_id, node_id) == 0)
      peer = value;
  if (peer != NULL && peer != direct && direct != NULL && direct->node_id == NULL && is_remote (peer))
    {
      /* heard before its route: it is the neighbour's node */
      chat_model_remove_peer (mesh->model, node_id);
      peer = NULL;
    }
  if (peer != NULL)
    return peer;
  if (!create || g_hash_table_contains (mesh->departed, node_id) || (node == NULL && fingerprint == NULL))
    return NULL;
  if (direct != NULL && direct->node_id == NULL)
    peer = direct;
  else
    {
      peer = chat_model_ensure_peer (mesh->model, node_id);
      g_free (peer->nick);
      peer->nick = g_strndup (node_id, 8);
    }
  peer->node_id = g_strdup (node_id);
  peer->node_fingerprint = g_strdup (node != NULL ? any_mesh_node_get_fingerprint (node) : fingerprint);
  return peer;
}

/* A peer not verified, saying the nick of a verified identity, is
 * shown as someone else (chat-model-labels.c). */
void
chat_mesh_check_nick (ChatMesh *mesh,
                      ChatPeer *peer)
{
  peer->nick_clash = !peer->verified && peer->nick != NULL &&
                     chat_known_peers_nick_is_other (mesh->known, peer->nick, peer->uid, peer->node_id);
}


static JsonNode *
own_hello (ChatMesh *mesh)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_HELLO);

  msg->nick = g_strdup (mesh->model->own_nick);
  msg->uid = g_strdup (mesh->uid);
  chat_mesh_hello_add_state (mesh, msg);
  return chat_message_encode (msg);
}

static void on_node_hello (ChatMesh    *mesh,
                           AnyMeshNode *node,
                           JsonNode    *json);

typedef struct {
  ChatMesh *mesh;
  char     *node_id;
  gboolean  ping;
} Asked;

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Asked *asked = user_data;
  ChatMesh *mesh = asked->mesh;
  g_autoptr(JsonNode) reply = any_mesh_request_finish (ANY_MESH (source), result, NULL);
  ChatPeer *peer = chat_mesh_node_peer (mesh, asked->node_id, NULL, FALSE);
  AnyMeshNode *node = any_mesh_get_node (mesh->any, asked->node_id);

  mesh->in_flight--;
  if (peer != NULL)
    peer->asking = FALSE;
  if (reply != NULL && node != NULL && !mesh->stopping && !asked->ping)
    on_node_hello (mesh, node, reply);
  else if (peer != NULL && node != NULL && !mesh->stopping)
    peer->lag = any_mesh_node_get_lag (node);
  g_free (asked->node_id);
  g_free (asked);
}

/* A hello is a request whose reply is the other's hello: the lower node
 * id asks, so that the two ends never start their end-to-end session at
 * once. A ping measures the end-to-end lag. */
static void
ask (ChatMesh   *mesh,
     ChatPeer   *peer,
     gboolean    ping)
{
  g_autoptr(JsonNode) json = NULL;
  Asked *asked;

  if (ping)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "chat", "ping");
      json = json_node_init_object (json_node_alloc (), object);
    }
  else
    json = own_hello (mesh);
  asked = g_new0 (Asked, 1);
  asked->mesh = mesh;
  asked->node_id = g_strdup (peer->node_id);
  asked->ping = ping;
  peer->asking = TRUE;
  mesh->in_flight++;
  any_mesh_request_async (mesh->any, peer->node_id, json, HELLO_TIMEOUT, NULL, on_answer, asked);
}

static void
update_peer (ChatMesh    *mesh,
             ChatPeer    *peer,
             AnyMeshNode *node)
{
  ChatWindow *window = chat_model_find_window (mesh->model, peer->id);

  /* its window waits for this node when it is gone (chat-mesh-outbox.c) */
  if (window != NULL && window->node_id == NULL)
    window->node_id = g_strdup (peer->node_id);
  peer->hops = any_mesh_node_get_hops (node);
  peer->node_proven = any_mesh_node_get_verified (node);
  if (is_remote (peer))
    {
      AnyPeer *next = any_mesh_node_get_next_hop (node);

      g_free (peer->hub);
      peer->hub = next != NULL ? g_strdup (any_peer_get_id (next)) : NULL;
      peer->lag = any_mesh_node_get_lag (node);
      peer->verified = peer->node_proven && chat_known_peers_is_verified (mesh->known, peer->node_id);
    }
  chat_mesh_check_nick (mesh, peer);
}

/* In our table, with a next hop whose peer we know. */
static gboolean
route_known (ChatMesh   *mesh,
             const char *node_id)
{
  AnyMeshNode *node = any_mesh_get_node (mesh->any, node_id);
  AnyPeer *next = node != NULL ? any_mesh_node_get_next_hop (node) : NULL;

  return next != NULL && chat_model_get_peer (mesh->model, any_peer_get_id (next)) != NULL;
}

/* The mesh's table into the peer list. */
static void
sync_nodes (ChatMesh *mesh)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GList *nodes = any_mesh_get_nodes (mesh->any);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (peer->node_id != NULL && any_mesh_get_node (mesh->any, peer->node_id) == NULL)
        g_ptr_array_add (gone, g_strdup (peer->id));
    }
  /* a node that said it leaves and whose route is gone since will be
   * a new arrival when it comes back (its hello may be ours to ask) */
  g_hash_table_iter_init (&iter, mesh->departed);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    if (any_mesh_get_node (mesh->any, value) == NULL)
      g_hash_table_iter_remove (&iter);
  for (guint i = 0; i < gone->len; i++)
    {
      ChatPeer *peer = chat_model_get_peer (mesh->model, g_ptr_array_index (gone, i));

      g_hash_table_remove (mesh->departed, peer->node_id);
      if (!is_remote (peer))
        {
          g_clear_pointer (&peer->node_id, g_free);
          peer->hops = 0;
          continue;
        }
      if (peer->said_hello)
        chat_model_event (mesh->model, _("%s left (unreachable)"), peer->nick);
      chat_mesh_remove_peer (mesh, peer->id);
    }
  for (GList *l = nodes; l != NULL; l = l->next)
    {
      const char *id = any_mesh_node_get_id (l->data);
      ChatPeer *peer;

      if (!route_known (mesh, id))
        continue;   /* its route is being re-learned */
      peer = chat_mesh_node_peer (mesh, id, NULL, TRUE);
      if (peer == NULL)
        continue;
      update_peer (mesh, peer, l->data);
      /* a node we just met: hello, end to end; then pings for the lag */
      peer->greet_ticks++;
      if (peer->asking)
        continue;
      if (!peer->said_hello && peer->greet_ticks >= GREET_AFTER &&
          g_strcmp0 (any_mesh_get_node_id (mesh->any), id) < 0)
        ask (mesh, peer, FALSE);
      else if (peer->said_hello && is_remote (peer) && peer->greet_ticks % PING_TICKS == 0)
        ask (mesh, peer, TRUE);
    }
  g_list_free (nodes);
  chat_model_changed (mesh->model);
}

static void release_early (ChatMesh *mesh);

static gboolean
on_sync (gpointer user_data)
{
  ChatMesh *mesh = user_data;

  chat_mesh_sync_rooms (mesh);
  sync_nodes (mesh);
  release_early (mesh);
  chat_mesh_outbox_flush (mesh);
  chat_mesh_history_ask (mesh);
  return G_SOURCE_CONTINUE;
}

static void
on_node_changed (AnyMesh     *any,
                 AnyMeshNode *node,
                 ChatMesh    *mesh)
{
  if (mesh->stopping)
    return;
  sync_nodes (mesh);
  release_early (mesh);
}

/* The rooms we are in are the room topics we subscribe to. */
void
chat_mesh_sync_rooms (ChatMesh *mesh)
{
  g_autoptr(GPtrArray) stale = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < mesh->model->windows->len; i++)
    {
      ChatWindow *window = g_ptr_array_index (mesh->model->windows, i);
      char *topic;

      if (i != 0 && window->room == NULL)
        continue;
      topic = chat_mesh_room_topic (window->room);
      if (g_hash_table_contains (mesh->topics, topic))
        g_free (topic);
      else
        {
          any_mesh_subscribe (mesh->any, topic);
          g_hash_table_add (mesh->topics, topic);
        }
    }
  g_hash_table_iter_init (&iter, mesh->topics);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *room = g_str_has_prefix (key, TOPIC_ROOM "/") ? (char *) key + strlen (TOPIC_ROOM "/") : NULL;

      if (room != NULL && chat_model_find_room (mesh->model, room) == NULL)
        g_ptr_array_add (stale, key);
    }
  for (guint i = 0; i < stale->len; i++)
    {
      any_mesh_unsubscribe (mesh->any, g_ptr_array_index (stale, i));
      g_hash_table_remove (mesh->topics, g_ptr_array_index (stale, i));
    }
}

/* Room messages, presence and topics to the whole mesh, signed, and in
 * the old JSON to the direct peers that are not anychat (bots). */
void
chat_mesh_flood (ChatMesh          *mesh,
                 const ChatMessage *msg,
                 const char        *except_id)
{
  g_autoptr(JsonNode) node = chat_message_encode (msg);
  g_autofree char *topic = NULL;
  g_autoptr(GError) error = NULL;

  if (msg->kind == CHAT_KIND_ROOM)
    {
      chat_mesh_sync_rooms (mesh);
      topic = chat_mesh_room_topic (msg->room);
    }
  if (!any_mesh_publish (mesh->any, topic != NULL ? topic : TOPIC_PRESENCE, node, &error))
    chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Not sent to the mesh: %s"), error->message);
  chat_mesh_send_to_bots (mesh, msg, except_id);
}

void
chat_mesh_send_to_bots (ChatMesh          *mesh,
                        const ChatMessage *msg,
                        const char        *except_id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (chat_peer_is_direct (peer) && !g_hash_table_contains (mesh->auths, peer->id) &&
          g_strcmp0 (peer->id, except_id) != 0)
        chat_mesh_send_to_link (mesh, peer->link, msg);
    }
}

/* A publication whose author's route is not in our table yet (its
 * first words can outrun its announcement): held until the route comes,
 * so that a neighbour's line shows under its name; after HOLD_MS it is
 * shown anyway, under its key. */
typedef struct {
  char     *topic;
  char     *author;
  char     *fingerprint;
  JsonNode *node;
  GBytes   *signed_msg;
  gint64    until;
} Early;

static void
early_free (gpointer data)
{
  Early *early = data;

  g_free (early->topic);
  g_free (early->author);
  g_free (early->fingerprint);
  json_node_unref (early->node);
  g_clear_pointer (&early->signed_msg, g_bytes_unref);
  g_free (early);
}

static void on_mesh_message (AnyMesh    *any,
                             const char *topic,
                             const char *author,
                             const char *fingerprint,
                             JsonNode   *node,
                             ChatMesh   *mesh);

static void
release_early (ChatMesh *mesh)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func (early_free);
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < mesh->early->len;)
    {
      Early *early = g_ptr_array_index (mesh->early, i);

      if (route_known (mesh, early->author) || now >= early->until)
        g_ptr_array_add (ready, g_ptr_array_steal_index (mesh->early, i));
      else
        i++;
    }
  for (guint i = 0; i < ready->len; i++)
    {
      Early *early = g_ptr_array_index (ready, i);

      mesh->releasing++;   /* shown now, its route known or not */
      mesh->releasing_signed = early->signed_msg;
      on_mesh_message (mesh->any, early->topic, early->author, early->fingerprint, early->node, mesh);
      mesh->releasing_signed = NULL;
      mesh->releasing--;
    }
}

static gboolean
hold_early (ChatMesh   *mesh,
            const char *topic,
            const char *author,
            const char *fingerprint,
            JsonNode   *node)
{
  Early *early;

  if (route_known (mesh, author) || mesh->early->len >= MAX_EARLY)
    return FALSE;
  early = g_new0 (Early, 1);
  early->topic = g_strdup (topic);
  early->author = g_strdup (author);
  early->fingerprint = g_strdup (fingerprint);
  early->node = json_node_copy (node);
  early->signed_msg = any_mesh_dup_message_signed (mesh->any);
  early->until = g_get_monotonic_time () + HOLD_MS * 1000;
  g_ptr_array_add (mesh->early, early);
  return TRUE;
}

static void
on_mesh_message (AnyMesh    *any,
                 const char *topic,
                 const char *author,
                 const char *fingerprint,
                 JsonNode   *node,
                 ChatMesh   *mesh)
{
  g_autoptr(ChatMessage) msg = NULL;
  g_autofree char *expected = NULL;
  ChatPeer *peer;

  if (mesh->stopping || (mesh->releasing == 0 && hold_early (mesh, topic, author, fingerprint, node)))
    return;
  msg = chat_message_decode (node, NULL);
  /* a node that said it leaves and speaks again came back (a restart
   * keeps its key) */
  if (msg != NULL && !(msg->kind == CHAT_KIND_PRESENCE && msg->presence == CHAT_PRESENCE_LEAVE))
    g_hash_table_remove (mesh->departed, author);
  peer = chat_mesh_node_peer (mesh, author, fingerprint, TRUE);
  if (msg == NULL || peer == NULL)
    return;
  /* the author is the node that signed: nothing in the message says
   * otherwise */
  g_free (msg->from);
  msg->from = g_strdup (peer->id);
  /* its signed words name it until its hello does */
  if (!peer->said_hello && !msg->relayed && msg->nick != NULL && msg->kind != CHAT_KIND_HELLO)
    {
      g_autofree char *nick = chat_nick_sanitize (msg->nick);

      if (*nick != '\0')
        chat_mesh_peer_set_nick (mesh, peer, nick);
    }
  if (msg->kind == CHAT_KIND_ROOM)
    {
      expected = chat_mesh_room_topic (msg->room);
      if (!g_str_equal (topic, expected) || !chat_mesh_within_author_limit (mesh, peer, msg) ||
          (msg->mid != NULL && !chat_seen_add (mesh->seen, msg->mid)))
        return;
      chat_mesh_show_room (mesh, peer, msg);
      if (mesh->releasing_signed != NULL)
        chat_mesh_history_keep (mesh, topic, mesh->releasing_signed);
      else
        {
          g_autoptr(GBytes) signed_msg = any_mesh_dup_message_signed (mesh->any);

          chat_mesh_history_keep (mesh, topic, signed_msg);
        }
      chat_mesh_send_to_bots (mesh, msg, NULL);
      return;
    }
  if (!g_str_equal (topic, TOPIC_PRESENCE))
    return;
  if (msg->kind == CHAT_KIND_TOPIC)
    chat_mesh_receive_topic (mesh, msg, chat_mesh_sane_time (msg->ts));
  else if (msg->kind == CHAT_KIND_PRESENCE)
    {
      if (msg->presence == CHAT_PRESENCE_LEAVE)
        g_hash_table_add (mesh->departed, g_strdup (author));
      chat_mesh_receive_presence (mesh, msg);
    }
  chat_model_changed (mesh->model);
}

static void
on_node_hello (ChatMesh    *mesh,
               AnyMeshNode *node,
               JsonNode    *json)
{
  g_autoptr(ChatMessage) msg = chat_message_decode (json, NULL);
  const char *id = any_mesh_node_get_id (node);
  ChatPeer *peer;

  if (msg == NULL || msg->kind != CHAT_KIND_HELLO || mesh->stopping)
    return;
  g_hash_table_remove (mesh->departed, id);
  peer = chat_mesh_node_peer (mesh, id, NULL, TRUE);
  if (peer == NULL)
    return;
  update_peer (mesh, peer, node);
  chat_mesh_receive_hello (mesh, peer, msg, any_mesh_node_get_hops (node));
}

static JsonNode *
on_request (AnyMesh     *any,
            AnyMeshNode *node,
            JsonNode    *json,
            ChatMesh    *mesh)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (json) ? json_node_get_object (json) : NULL;
  g_autoptr(ChatMessage) msg = NULL;
  g_autoptr(ChatMessage) receipt = chat_message_new (CHAT_KIND_RECEIPT);
  ChatPeer *peer;

  if (mesh->stopping)
    return NULL;
  if (object != NULL && g_strcmp0 (chat_json_string_member (object, "chat"), "ping") == 0)
    {
      g_autoptr(JsonObject) pong = json_object_new ();

      json_object_set_string_member (pong, "chat", "pong");
      return json_node_init_object (json_node_alloc (), pong);
    }
  if (object != NULL && g_strcmp0 (chat_json_string_member (object, "chat"), "history") == 0)
    return chat_mesh_history_answer (mesh, object);
  msg = chat_message_decode (json, NULL);
  if (msg != NULL && msg->kind == CHAT_KIND_HELLO)
    {
      on_node_hello (mesh, node, json);
      return own_hello (mesh);
    }
  if (msg == NULL || msg->kind != CHAT_KIND_PRIVATE || msg->mid == NULL)
    return NULL;
  peer = chat_mesh_node_peer (mesh, any_mesh_node_get_id (node), NULL, TRUE);
  if (peer == NULL)
    return NULL;
  chat_mesh_show_private (mesh, peer, msg);
  receipt->mid = g_strdup (msg->mid);
  return chat_message_encode (receipt);
}

typedef struct {
  ChatMesh *mesh;
  char     *peer_id;
  char     *mid;
} Sent;

static void
on_receipt (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Sent *sent = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = any_mesh_request_finish (ANY_MESH (source), result, &error);
  g_autoptr(ChatMessage) receipt = reply != NULL ? chat_message_decode (reply, NULL) : NULL;
  gboolean ok = receipt != NULL && receipt->kind == CHAT_KIND_RECEIPT && g_strcmp0 (receipt->mid, sent->mid) == 0;

  sent->mesh->in_flight--;
  chat_mesh_outbox_done (sent->mesh, sent->mid, ok);
  if (!sent->mesh->stopping)
    chat_mesh_private_done (sent->mesh, sent->peer_id, sent->mid, ok,
                            error != NULL ? error->message : _("bad receipt"));
  g_free (sent->peer_id);
  g_free (sent->mid);
  g_free (sent);
}

/* A private message to @peer's node, end to end; FALSE when it has no
 * node we can reach. */
gboolean
chat_mesh_send_to_node (ChatMesh    *mesh,
                        ChatPeer    *peer,
                        ChatMessage *msg)
{
  g_autoptr(JsonNode) node = NULL;
  Sent *sent;

  if (peer->node_id == NULL || any_mesh_get_node (mesh->any, peer->node_id) == NULL)
    return FALSE;
  node = chat_message_encode (msg);
  sent = g_new0 (Sent, 1);
  sent->mesh = mesh;
  sent->peer_id = g_strdup (peer->id);
  sent->mid = g_strdup (msg->mid);
  mesh->in_flight++;
  any_mesh_request_async (mesh->any, peer->node_id, node, PRIVATE_TIMEOUT, NULL, on_receipt, sent);
  return TRUE;
}

void
chat_mesh_nodes_init (ChatMesh *mesh)
{
  mesh->any = any_mesh_new (mesh->socket);
  g_object_set (mesh->any, "announce-interval", ANNOUNCE_MS, "request-timeout", HANDSHAKE_MS, NULL);
  mesh->topics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  mesh->departed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  mesh->early = g_ptr_array_new_with_free_func (early_free);
  chat_mesh_history_init (mesh);
  any_mesh_subscribe (mesh->any, TOPIC_PRESENCE);
  chat_mesh_sync_rooms (mesh);
  g_signal_connect (mesh->any, "message", G_CALLBACK (on_mesh_message), mesh);
  g_signal_connect (mesh->any, "request", G_CALLBACK (on_request), mesh);
  g_signal_connect (mesh->any, "node-added", G_CALLBACK (on_node_changed), mesh);
  g_signal_connect (mesh->any, "node-removed", G_CALLBACK (on_node_changed), mesh);
  mesh->sync_source = g_timeout_add (SYNC_MS, on_sync, mesh);
}

void
chat_mesh_nodes_free (ChatMesh *mesh)
{
  g_clear_handle_id (&mesh->sync_source, g_source_remove);
  if (mesh->any != NULL)
    g_signal_handlers_disconnect_by_data (mesh->any, mesh);
  g_clear_object (&mesh->any);
  g_clear_pointer (&mesh->topics, g_hash_table_unref);
  g_clear_pointer (&mesh->departed, g_hash_table_unref);
  g_clear_pointer (&mesh->early, g_ptr_array_unref);
  chat_mesh_history_free (mesh);
}

/* The node's fingerprint of a peer without a native link of its own. */
char *
chat_mesh_dup_node_fingerprint (ChatMesh *mesh,
                                ChatPeer *peer)
{
  return peer->node_proven ? g_strdup (peer->node_fingerprint) : NULL;
}

char *
chat_mesh_dup_own_node_fingerprint (ChatMesh *mesh)
{
  return g_strdup (any_mesh_get_fingerprint (mesh->any));
}

/* chat-mesh-room.c: the room: who is there, and what is said
 *
 * Room messages and presence are flooded to every direct peer but the
 * one they came from, dropped when seen before or when their ttl runs
 * out, so any connected mesh (a chain, a loop) hears each message once.
 * Hellos and presence tell who is reachable through which direct peer
 * (its hub), which private messages use. The README's "anychat" section
 * is the protocol's reference.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "mesh/chat-mesh.h"
#include "chat-text.h"
#include "mesh/chat-mesh-private.h"

#define MAX_KNOWN_PEERS 1024

/* Flood limits (token buckets, chat-rate.c). A person types a few lines
 * a second at most, and a paste of up to AUTHOR_BURST lines still goes
 * through at once. A direct peer relays for everyone behind it, so its
 * link gets ten authors' worth. Measured before these limits: one peer
 * sent 180,000 room messages in 5 s, all shown, relayed and logged. */
#define AUTHOR_PER_SECOND 5
#define AUTHOR_BURST      20
#define LINK_PER_SECOND   (10 * AUTHOR_PER_SECOND)
#define LINK_BURST        (10 * AUTHOR_BURST)

/* To every direct peer except @except_id: the flooding of the room. */
void
chat_mesh_flood (ChatMesh          *mesh,
                 const ChatMessage *msg,
                 const char        *except_id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (chat_peer_is_direct (peer) && g_strcmp0 (peer->id, except_id) != 0)
        chat_mesh_send_to_link (mesh, peer->link, msg);
    }
}

void
chat_mesh_flood_presence (ChatMesh    *mesh,
                          ChatPresence presence,
                          const char  *about_id,
                          const char  *nick,
                          const char  *old,
                          const char  *uid,
                          const char  *reason,
                          const char  *except_id)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_PRESENCE);

  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (about_id);
  msg->nick = g_strdup (nick);
  msg->old = g_strdup (old);
  msg->uid = g_strdup (uid);
  msg->text = reason != NULL ? chat_text_sanitize (reason, CHAT_MAX_REASON_BYTES) : NULL;
  msg->presence = presence;
  if (presence == CHAT_PRESENCE_JOIN)
    msg->hub = g_strdup (mesh->model->own_id);
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  chat_mesh_flood (mesh, msg, except_id);
}

void
chat_mesh_send_hello (ChatMesh *mesh,
                      ChatPeer *to)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_HELLO);
  GHashTableIter iter;
  gpointer value;

  msg->nick = g_strdup (mesh->model->own_nick);
  msg->uid = g_strdup (mesh->uid);
  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (peer == to || !peer->said_hello)
        continue;
      chat_message_add_peer (msg, peer->id, peer->nick,
                             chat_peer_is_direct (peer) ? mesh->model->own_id : peer->hub,
                             peer->uid);
      chat_message_last_peer (msg)->away = g_strdup (peer->away);
      chat_message_last_peer (msg)->rooms = g_strdupv (peer->rooms);
    }
  chat_mesh_hello_add_state (mesh, msg);
  chat_mesh_send_to_link (mesh, to->link, msg);
}

static void
learn_peer (ChatMesh     *mesh,
            const char   *id,
            const char   *nick,
            const char   *hub,
            const char   *uid,
            ChatPeerInfo *info)
{
  ChatPeer *peer;
  gboolean is_new;

  if (g_strcmp0 (id, mesh->model->own_id) == 0)
    return;
  peer = chat_model_get_peer (mesh->model, id);
  if (peer != NULL && chat_peer_is_direct (peer))
    return;
  is_new = peer == NULL;
  /* announcements are cheap to forge: the list stays bounded */
  if (is_new && g_hash_table_size (mesh->model->peers) >= MAX_KNOWN_PEERS)
    return;
  peer = chat_model_ensure_peer (mesh->model, id);
  chat_mesh_peer_set_nick (mesh, peer, nick);
  chat_mesh_peer_set_uid (mesh, peer, uid);
  /* keep a hub that is still our direct peer */
  if (hub != NULL && !chat_model_is_direct (mesh->model, peer->hub))
    {
      g_free (peer->hub);
      peer->hub = g_strdup (hub);
    }
  peer->said_hello = TRUE;
  if (info != NULL)
    chat_mesh_peer_set_state (mesh, peer, info->away, info->rooms);
  /* a link through the hub gives lag and E2E for this peer too; the
   * lower id asks, so that two peers do not ask for each other at once */
  if (peer->link == NULL && g_strcmp0 (mesh->model->own_id, peer->id) < 0)
    chat_mesh_link_via_hub (mesh, peer);
  if (is_new)
    {
      ChatPeer *via = chat_model_get_peer (mesh->model, peer->hub);

      chat_model_event (mesh->model, _("%s joined (via %s)"), peer->nick, via != NULL ? via->nick : "?");
    }
}

static void
receive_hello (ChatMesh    *mesh,
               ChatPeer    *sender,
               ChatMessage *msg)
{
  gboolean first = !sender->said_hello;
  g_autofree char *old = g_strdup (sender->nick);

  chat_mesh_peer_set_uid (mesh, sender, msg->uid);
  chat_mesh_peer_set_nick (mesh, sender, msg->nick);
  sender->said_hello = TRUE;
  for (guint i = 0; msg->peers != NULL && i < msg->peers->len; i++)
    {
      ChatPeerInfo *info = g_ptr_array_index (msg->peers, i);

      learn_peer (mesh, info->id, info->nick, info->hub != NULL ? info->hub : sender->id, info->uid, info);
    }
  chat_mesh_hello_learn_state (mesh, sender, msg);
  if (first)
    {
      chat_model_event (mesh->model, _("%s joined (direct)"), sender->nick);
      chat_mesh_flood_presence (mesh, CHAT_PRESENCE_JOIN, sender->id, sender->nick, NULL, sender->uid, NULL,
                                sender->id);
    }
  else if (!g_str_equal (old, sender->nick))
    chat_model_event (mesh->model, _("%s is now known as %s"), old, sender->nick);
  chat_model_changed (mesh->model);
}

static void
receive_presence (ChatMesh    *mesh,
                  ChatMessage *msg)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, msg->from);

  if (g_strcmp0 (msg->from, mesh->model->own_id) == 0)
    return;
  switch (msg->presence)
    {
    case CHAT_PRESENCE_JOIN:
      learn_peer (mesh, msg->from, msg->nick, msg->hub, msg->uid, NULL);
      break;
    case CHAT_PRESENCE_AWAY:
    case CHAT_PRESENCE_BACK:
    case CHAT_PRESENCE_ROOMS:
      if (peer != NULL)
        chat_mesh_receive_status (mesh, peer, msg);
      break;
    case CHAT_PRESENCE_LEAVE:
      if (peer != NULL && peer->link == NULL)
        {
          if (msg->text != NULL)
            chat_model_event (mesh->model, _("%s left (%s)"), peer->nick, msg->text);
          else
            chat_model_event (mesh->model, _("%s left"), peer->nick);
          chat_mesh_remove_peer (mesh, msg->from);
        }
      /* it left one peer, not the mesh: in a loop the others learn
       * from us that it is still here */
      else if (peer != NULL && chat_peer_is_direct (peer))
        chat_mesh_flood_presence (mesh, CHAT_PRESENCE_JOIN, peer->id, peer->nick, NULL, peer->uid, NULL, NULL);
      break;
    case CHAT_PRESENCE_NICK:
      if (peer != NULL)
        {
          g_autofree char *old = g_strdup (peer->nick);

          chat_mesh_peer_set_nick (mesh, peer, msg->nick);
          chat_model_event (mesh->model, _("%s is now known as %s"), old, peer->nick);
        }
      break;
    }
  chat_model_changed (mesh->model);
}

/* A timestamp from elsewhere, unless it is far off from ours. */
gint64
chat_mesh_sane_time (gint64 ts)
{
  gint64 now = chat_mesh_now_ms ();

  return ts > now - 86400000 && ts < now + 86400000 ? ts : now;
}

/* Shown in the window of its room, if we are in it, unless its author
 * is ignored; relayed either way (the caller floods it on). */
static void
receive_room (ChatMesh    *mesh,
              ChatMessage *msg)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, msg->from);
  ChatWindow *window = chat_model_find_room (mesh->model, msg->room);

  if (g_strcmp0 (msg->from, mesh->model->own_id) == 0)
    return;
  if (peer != NULL && !peer->said_hello)
    chat_mesh_peer_set_nick (mesh, peer, msg->nick);   /* a bot that sent no hello */
  if (window == NULL || chat_model_is_ignored (mesh->model, msg->nick, peer != NULL ? peer->uid : NULL))
    return;
  chat_window_add_said (mesh->model, window, chat_mesh_sane_time (msg->ts), CHAT_LINE_MESSAGE,
                        msg->from, msg->nick, msg->text, msg->action);
}

/* A room message or presence from @sender within the flood limits: the
 * excess is neither shown, logged nor relayed (every peer would relay it
 * to every other), and the user is told once per flood. Checked after
 * the mid, so that a message heard twice in a loop counts once. */
static gboolean
within_flood_limits (ChatMesh    *mesh,
                     ChatPeer    *sender,
                     ChatMessage *msg)
{
  gint64 now = g_get_monotonic_time ();
  ChatRateVerdict link = chat_rate_take (mesh->link_rate, sender->id, 1, now);
  ChatRateVerdict author = CHAT_RATE_OK;

  if (link == CHAT_RATE_OK && msg->kind != CHAT_KIND_PRESENCE)
    author = chat_rate_take (mesh->author_rate, msg->from, 1, now);
  if (link == CHAT_RATE_DROP_FIRST)
    chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                       _("%s sends more than %d room messages a second: dropping the excess"),
                       sender->nick, LINK_PER_SECOND);
  else if (author == CHAT_RATE_DROP_FIRST)
    chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                       _("%s says more than %d things a second in the room: dropping the excess"),
                       msg->nick, AUTHOR_PER_SECOND);
  return link == CHAT_RATE_OK && author == CHAT_RATE_OK;
}

void
chat_mesh_room_limits_init (ChatMesh *mesh)
{
  mesh->author_rate = chat_rate_new (AUTHOR_PER_SECOND, AUTHOR_BURST, MAX_KNOWN_PEERS);
  mesh->link_rate = chat_rate_new (LINK_PER_SECOND, LINK_BURST, MAX_KNOWN_PEERS);
}

void
chat_mesh_on_message (AnySocket *socket,
                      AnyPacket *packet,
                      ChatMesh  *mesh)
{
  AnyPeer *link = any_packet_get_peer (packet);
  ChatPeer *sender = chat_model_get_peer (mesh->model, any_peer_get_id (link));
  g_autoptr(ChatMessage) msg = NULL;
  g_autoptr(GError) error = NULL;

  if (sender == NULL || !chat_message_is_chat (any_packet_get_msg (packet)))
    return;   /* not for the chat: someone else's protocol */
  msg = chat_message_decode (any_packet_get_msg (packet), &error);
  if (msg == NULL)
    {
      chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Ignored a bad chat message from %s: %s"),
                         sender->nick, error->message);
      return;
    }
  switch (msg->kind)
    {
    case CHAT_KIND_HELLO:
      if (!any_peer_is_proxy (link))
        receive_hello (mesh, sender, msg);
      break;
    case CHAT_KIND_ROOM:
    case CHAT_KIND_TOPIC:
    case CHAT_KIND_PRESENCE:
      if (any_peer_is_proxy (link) || !chat_seen_add (mesh->seen, msg->mid) ||
          !within_flood_limits (mesh, sender, msg))
        break;
      if (msg->kind == CHAT_KIND_ROOM)
        receive_room (mesh, msg);
      else if (msg->kind == CHAT_KIND_TOPIC)
        chat_mesh_receive_topic (mesh, msg, chat_mesh_sane_time (msg->ts));
      else
        receive_presence (mesh, msg);
      if (chat_message_hop (msg))
        chat_mesh_flood (mesh, msg, sender->id);
      break;
    case CHAT_KIND_PRIVATE:
      chat_mesh_receive_private (mesh, packet, msg);
      break;
    case CHAT_KIND_RECEIPT:
      break;   /* receipts come as replies, not here */
    }
}

/* To the room @room (NULL: the default room, whose messages carry no
 * "room", as those of older peers and bots), /me when @action. */
void
chat_mesh_say (ChatMesh   *mesh,
               const char *room,
               const char *text,
               gboolean    action)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_ROOM);
  ChatWindow *window = room != NULL ? chat_model_open_room (mesh->model, room) : chat_model_get_room (mesh->model);

  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (mesh->model->own_id);
  msg->nick = g_strdup (mesh->model->own_nick);
  msg->text = g_strdup (text);
  msg->room = g_strdup (room);
  msg->action = action;
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  chat_mesh_flood (mesh, msg, NULL);
  chat_window_add_said (mesh->model, window, msg->ts, CHAT_LINE_OWN, NULL, mesh->model->own_nick, text, action);
}

void
chat_mesh_set_nick (ChatMesh   *mesh,
                    const char *nick)
{
  g_autofree char *old = g_steal_pointer (&mesh->model->own_nick);

  mesh->model->own_nick = g_strdup (nick);
  chat_mesh_update_auth_data (mesh);
  chat_mesh_flood_presence (mesh, CHAT_PRESENCE_NICK, mesh->model->own_id, nick, old, NULL, NULL, NULL);
  chat_model_event (mesh->model, _("You are now known as %s"), nick);
}

/* chat-mesh-room.c: the room: who is there, and what is said
 *
 * Room messages, presence and topics travel as signed publications of
 * the library's mesh (chat-mesh-nodes.c), shown as their signing node's.
 * A direct link still carries a hello (nick, state) and, with a direct
 * peer that is not anychat (a bot), the old JSON: its room lines are
 * shown as its link's and published for it, marked relayed. The
 * README's "anychat" section is the protocol's reference.
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
 * through at once; per signing node, or per bot's link. The mesh limits
 * what a neighbour relays (AnyMesh:neighbour-rate, publish-rate).
 * Measured before these limits: one peer sent 180,000 room messages in
 * 5 s, all shown, relayed and logged. */
#define AUTHOR_PER_SECOND 5
#define AUTHOR_BURST      20

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
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  chat_mesh_flood (mesh, msg, except_id);
}

void
chat_mesh_send_hello (ChatMesh *mesh,
                      ChatPeer *to)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_HELLO);

  msg->nick = g_strdup (mesh->model->own_nick);
  msg->uid = g_strdup (mesh->uid);
  chat_mesh_hello_add_state (mesh, msg);
  chat_mesh_send_to_link (mesh, to->link, msg);
}

/* A hello on a direct link (@hops 0) or from a node of the mesh, end
 * to end: who it is. A list of peers (older anychat) is not believed. */
void
chat_mesh_receive_hello (ChatMesh    *mesh,
                         ChatPeer    *sender,
                         ChatMessage *msg,
                         guint        hops)
{
  gboolean first = !sender->said_hello;
  g_autofree char *old = g_strdup (sender->nick);

  chat_mesh_peer_set_uid (mesh, sender, msg->uid);
  chat_mesh_peer_set_nick (mesh, sender, msg->nick);
  sender->said_hello = TRUE;
  chat_mesh_hello_learn_state (mesh, sender, msg);
  if (first && hops <= 1)
    chat_model_event (mesh->model, _("%s joined (direct)"), sender->nick);
  else if (first)
    chat_model_event (mesh->model, _("%s joined (%u hops away)"), sender->nick, hops);
  else if (!g_str_equal (old, sender->nick))
    chat_model_event (mesh->model, _("%s is now known as %s"), old, sender->nick);
  chat_model_changed (mesh->model);
}

void
chat_mesh_receive_presence (ChatMesh    *mesh,
                            ChatMessage *msg)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, msg->from);

  if (g_strcmp0 (msg->from, mesh->model->own_id) == 0)
    return;
  switch (msg->presence)
    {
    case CHAT_PRESENCE_JOIN:
      break;   /* the mesh says who is reachable */
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
 * is ignored. @peer is its author: the node that signed it, or the
 * direct link a bot said it on. Its nick is only a label (disambiguated
 * when shared); a line a node relayed for its bot names both. */
void
chat_mesh_show_room (ChatMesh    *mesh,
                     ChatPeer    *peer,
                     ChatMessage *msg)
{
  ChatWindow *window = chat_model_find_room (mesh->model, msg->room);
  g_autofree char *label = NULL;
  g_autofree char *nick = chat_nick_sanitize (msg->nick != NULL ? msg->nick : "");

  if (!peer->said_hello && !msg->relayed && *nick != '\0')
    chat_mesh_peer_set_nick (mesh, peer, nick);   /* a bot that sent no hello, a node not met yet */
  chat_mesh_check_nick (mesh, peer);
  label = chat_model_peer_label (mesh->model, peer);
  if (msg->relayed)
    {
      g_autofree char *via = g_steal_pointer (&label);

      label = g_strdup_printf (_("%s (via %s)"), *nick != '\0' ? nick : "?", via);
    }
  if (window == NULL || chat_model_is_ignored (mesh->model, peer->nick, peer->uid))
    return;
  chat_window_add_said (mesh->model, window, chat_mesh_sane_time (msg->ts), CHAT_LINE_MESSAGE,
                        peer->id, label, msg->text, msg->action);
}

/* Room messages per author: the excess is neither shown nor logged,
 * and the user is told once per flood. */
gboolean
chat_mesh_within_author_limit (ChatMesh    *mesh,
                               ChatPeer    *author,
                               ChatMessage *msg)
{
  ChatRateVerdict verdict = chat_rate_take (mesh->author_rate, author->id, 1, g_get_monotonic_time ());

  if (verdict == CHAT_RATE_DROP_FIRST)
    chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                       _("%s says more than %d things a second in the room: dropping the excess"),
                       author->nick, AUTHOR_PER_SECOND);
  return verdict == CHAT_RATE_OK;
}

void
chat_mesh_room_limits_init (ChatMesh *mesh)
{
  mesh->author_rate = chat_rate_new (AUTHOR_PER_SECOND, AUTHOR_BURST, MAX_KNOWN_PEERS);
}

/* A room line a bot said on its link to us: shown as its link's (the
 * link proves who said it, "from" does not), published for it on the
 * mesh, marked relayed, and passed to our other bots. */
static void
relay_for_bot (ChatMesh    *mesh,
               ChatPeer    *bot,
               ChatMessage *msg)
{
  g_autoptr(ChatMessage) relayed = chat_message_new (CHAT_KIND_ROOM);

  if (!chat_mesh_within_author_limit (mesh, bot, msg))
    return;
  g_free (msg->from);
  msg->from = g_strdup (bot->id);
  chat_mesh_show_room (mesh, bot, msg);
  relayed->mid = chat_message_new_mid ();
  relayed->from = g_strdup (mesh->model->own_id);
  relayed->nick = g_strdup (bot->nick);
  relayed->text = g_strdup (msg->text);
  relayed->room = g_strdup (msg->room);
  relayed->action = msg->action;
  relayed->relayed = TRUE;
  relayed->ts = chat_mesh_now_ms ();
  chat_mesh_flood (mesh, relayed, bot->id);
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
        chat_mesh_receive_hello (mesh, sender, msg, 0);
      break;
    case CHAT_KIND_ROOM:
      /* anychat says it on the mesh, signed: the old JSON from it would
       * be a claim nobody signed (an older anychat, or a spoof) */
      if (!any_peer_is_proxy (link) && !g_hash_table_contains (mesh->auths, sender->id) &&
          chat_seen_add (mesh->seen, msg->mid))
        relay_for_bot (mesh, sender, msg);
      break;
    case CHAT_KIND_TOPIC:
    case CHAT_KIND_PRESENCE:
      break;   /* on the mesh, signed (chat-mesh-nodes.c) */
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

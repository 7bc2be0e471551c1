/* chat-mesh-rooms.c: named rooms, topics, away
 *
 * Room messages of every room are flooded through every peer (the mesh
 * is the transport); a peer shows those of the rooms it is in, whose
 * name is the message's "room" member (none: the default room). Which
 * rooms a peer is in, and whether it is away, travels as presence
 * ("rooms", "away", "back") and in hellos, with the topics a peer
 * knows, so that a newcomer learns them from its neighbour.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

static void
flood_own_rooms (ChatMesh *mesh)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_PRESENCE);

  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (mesh->model->own_id);
  msg->nick = g_strdup (mesh->model->own_nick);
  msg->presence = CHAT_PRESENCE_ROOMS;
  msg->rooms = chat_model_dup_own_rooms (mesh->model);
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  chat_mesh_flood (mesh, msg, NULL);
}

/* @room: normalized. The room's window becomes the active one. */
void
chat_mesh_join (ChatMesh   *mesh,
                const char *room)
{
  gboolean is_new = chat_model_find_room (mesh->model, room) == NULL;
  ChatWindow *window = chat_model_open_room (mesh->model, room);
  ChatTopic *topic = chat_model_get_topic (mesh->model, room);

  chat_mesh_sync_rooms (mesh);   /* its topic, now */
  chat_model_set_active (mesh->model, chat_model_window_index (mesh->model, window));
  if (!is_new)
    return;
  chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT, _("You joined %s"), room);
  if (topic != NULL && *topic->text != '\0')
    chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT, _("Topic: %s (set by %s)"), topic->text,
                            topic->nick);
  flood_own_rooms (mesh);
}

void
chat_mesh_part (ChatMesh   *mesh,
                ChatWindow *window)
{
  if (window->room == NULL)
    return;
  chat_model_close_window (mesh->model, chat_model_window_index (mesh->model, window));
  chat_mesh_sync_rooms (mesh);
  flood_own_rooms (mesh);
}

static void
announce_topic (ChatMesh   *mesh,
                const char *room,
                const char *nick,
                const char *text)
{
  ChatWindow *window = chat_model_find_room (mesh->model, room);

  if (window == NULL)
    return;
  if (*text == '\0')
    chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT, _("%s cleared the topic"), nick);
  else
    chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT, _("%s set the topic: %s"), nick, text);
}

/* @room NULL: the default room. An empty @text clears the topic. */
void
chat_mesh_set_topic (ChatMesh   *mesh,
                     const char *room,
                     const char *text)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_TOPIC);

  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (mesh->model->own_id);
  msg->nick = g_strdup (mesh->model->own_nick);
  msg->room = g_strdup (room);
  msg->text = g_strdup (text);
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  chat_mesh_flood (mesh, msg, NULL);
  if (chat_model_set_topic (mesh->model, room, msg->nick, text, msg->ts))
    announce_topic (mesh, room, msg->nick, text);
}

void
chat_mesh_receive_topic (ChatMesh    *mesh,
                         ChatMessage *msg,
                         gint64       ts)
{
  if (chat_model_set_topic (mesh->model, msg->room, msg->nick, msg->text, ts))
    announce_topic (mesh, msg->room, msg->nick, msg->text);
}

/* @text NULL: back. */
void
chat_mesh_set_away (ChatMesh   *mesh,
                    const char *text)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_PRESENCE);

  g_free (mesh->model->own_away);
  mesh->model->own_away = g_strdup (text);
  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (mesh->model->own_id);
  msg->nick = g_strdup (mesh->model->own_nick);
  msg->presence = text != NULL ? CHAT_PRESENCE_AWAY : CHAT_PRESENCE_BACK;
  msg->text = text != NULL && *text != '\0' ? g_strdup (text) : NULL;
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  chat_mesh_flood (mesh, msg, NULL);
  chat_model_changed (mesh->model);
}

/* Joins and parts of the rooms we are in, said in their windows. */
static void
set_rooms (ChatMesh *mesh,
           ChatPeer *peer,
           GStrv     rooms)
{
  for (guint i = 1; i < mesh->model->windows->len; i++)
    {
      ChatWindow *window = g_ptr_array_index (mesh->model->windows, i);
      gboolean was, is;

      if (window->room == NULL)
        continue;
      was = chat_peer_in_room (peer, window->room);
      is = rooms != NULL && g_strv_contains ((const char * const *) rooms, window->room);
      if (is && !was)
        chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT, _("%s joined %s"), peer->nick, window->room);
      else if (was && !is)
        chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT, _("%s left %s"), peer->nick, window->room);
    }
  g_strfreev (peer->rooms);
  peer->rooms = g_strdupv (rooms);
}

/* A peer that left the mesh left its rooms too: said in those we are in. */
void
chat_mesh_remove_peer (ChatMesh   *mesh,
                       const char *id)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, id);

  if (peer != NULL)
    set_rooms (mesh, peer, NULL);
  chat_model_remove_peer (mesh->model, id);
}

void
chat_mesh_peer_set_state (ChatMesh   *mesh,
                          ChatPeer   *peer,
                          const char *away,
                          GStrv       rooms)
{
  g_free (peer->away);
  peer->away = g_strdup (away);
  set_rooms (mesh, peer, rooms);
}

void
chat_mesh_receive_status (ChatMesh    *mesh,
                          ChatPeer    *peer,
                          ChatMessage *msg)
{
  switch (msg->presence)
    {
    case CHAT_PRESENCE_AWAY:
      g_free (peer->away);
      peer->away = g_strdup (msg->text != NULL ? msg->text : "");
      break;
    case CHAT_PRESENCE_BACK:
      g_clear_pointer (&peer->away, g_free);
      break;
    case CHAT_PRESENCE_ROOMS:
      set_rooms (mesh, peer, msg->rooms);
      break;
    default:
      break;
    }
}

void
chat_mesh_hello_add_state (ChatMesh    *mesh,
                           ChatMessage *msg)
{
  GHashTableIter iter;
  gpointer key, value;

  msg->away = g_strdup (mesh->model->own_away);
  msg->rooms = chat_model_dup_own_rooms (mesh->model);
  g_hash_table_iter_init (&iter, mesh->model->topics);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ChatTopic *topic = value;

      if (msg->topics != NULL && msg->topics->len > CHAT_MAX_ROOMS)
        break;
      chat_message_add_topic (msg, *(char *) key != '\0' ? key : NULL, topic->nick, topic->text, topic->ts);
    }
}

void
chat_mesh_hello_learn_state (ChatMesh    *mesh,
                             ChatPeer    *sender,
                             ChatMessage *msg)
{
  chat_mesh_peer_set_state (mesh, sender, msg->away, msg->rooms);
  for (guint i = 0; msg->topics != NULL && i < msg->topics->len; i++)
    {
      ChatTopicInfo *info = g_ptr_array_index (msg->topics, i);

      chat_model_set_topic (mesh->model, info->room, info->nick, info->text, chat_mesh_sane_time (info->ts));
    }
}

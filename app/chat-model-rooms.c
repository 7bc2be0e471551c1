/* chat-model-rooms.c: named rooms, topics, what is hidden, /search
 *
 * The default room is window 0 and has no name on the wire; a named
 * room ("#dev") is a window of its own while we are in it. Topics are
 * kept for every room the mesh talks about (a newcomer learns them
 * from its neighbour's hello), the newest one winning.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chat-model.h"
#include "chat-text.h"

#define MAX_TOPICS 256

void
chat_topic_free (ChatTopic *topic)
{
  g_free (topic->nick);
  g_free (topic->text);
  g_free (topic);
}

/* @room NULL: the default room. */
ChatWindow *
chat_model_find_room (ChatModel  *model,
                      const char *room)
{
  if (room == NULL)
    return chat_model_get_room (model);
  for (guint i = 1; i < model->windows->len; i++)
    {
      ChatWindow *window = g_ptr_array_index (model->windows, i);

      if (g_strcmp0 (window->room, room) == 0)
        return window;
    }
  return NULL;
}

/* The window of the named room @room ("#name", normalized), opened if
 * needed; its log is room-NAME.log. */
ChatWindow *
chat_model_open_room (ChatModel  *model,
                      const char *room)
{
  ChatWindow *window = chat_model_find_room (model, room);
  g_autofree char *log_key = NULL;

  if (window != NULL)
    return window;
  log_key = g_strconcat ("room-", room + 1, NULL);
  window = chat_window_new (NULL, room, log_key);
  window->room = g_strdup (room);
  g_ptr_array_add (model->windows, window);
  if (model->window_opened != NULL)
    model->window_opened (model, window, model->window_opened_data);
  chat_model_changed (model);
  return window;
}

guint
chat_model_window_index (ChatModel  *model,
                         ChatWindow *window)
{
  guint index = 0;

  g_ptr_array_find (model->windows, window, &index);
  return index;
}

/* The named rooms we are in, in window order. */
GStrv
chat_model_dup_own_rooms (ChatModel *model)
{
  g_autoptr(GStrvBuilder) rooms = g_strv_builder_new ();

  for (guint i = 1; i < model->windows->len; i++)
    {
      ChatWindow *window = g_ptr_array_index (model->windows, i);

      if (window->room != NULL)
        g_strv_builder_add (rooms, window->room);
    }
  return g_strv_builder_end (rooms);
}

/* Everyone is in the default room (@room NULL). */
gboolean
chat_peer_in_room (ChatPeer   *peer,
                   const char *room)
{
  return room == NULL || (peer->rooms != NULL && g_strv_contains ((const char * const *) peer->rooms, room));
}

/* The peers in @room, and us when we are (its window is open). */
guint
chat_model_room_members (ChatModel  *model,
                         const char *room)
{
  GHashTableIter iter;
  gpointer value;
  guint members = chat_model_find_room (model, room) != NULL ? 1 : 0;

  g_hash_table_iter_init (&iter, model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (chat_peer_in_room (value, room))
      members++;
  return members;
}

/* TRUE when @text is newer than the topic we knew (and is now the
 * topic). An empty @text clears it. */
gboolean
chat_model_set_topic (ChatModel  *model,
                      const char *room,
                      const char *nick,
                      const char *text,
                      gint64      ts)
{
  ChatTopic *old = chat_model_get_topic (model, room);
  ChatTopic *topic;

  if (old != NULL && old->ts >= ts)
    return FALSE;
  /* topics of rooms nobody is in are cheap to forge: bounded */
  if (old == NULL && g_hash_table_size (model->topics) >= MAX_TOPICS)
    return FALSE;
  topic = g_new0 (ChatTopic, 1);
  topic->nick = g_strdup (nick);
  topic->text = g_strdup (text);
  topic->ts = ts;
  g_hash_table_replace (model->topics, g_strdup (room != NULL ? room : ""), topic);
  chat_model_changed (model);
  return TRUE;
}

ChatTopic *
chat_model_get_topic (ChatModel  *model,
                      const char *room)
{
  return g_hash_table_lookup (model->topics, room != NULL ? room : "");
}

/* /ignore keeps nicks and stable identities: a peer is hidden when
 * either is in the list (a renamed anychat peer stays hidden). */
gboolean
chat_model_is_ignored (ChatModel  *model,
                       const char *nick,
                       const char *uid)
{
  for (guint i = 0; i < model->ignored->len; i++)
    {
      const char *entry = g_ptr_array_index (model->ignored, i);

      if ((nick != NULL && g_ascii_strcasecmp (entry, nick) == 0) || g_strcmp0 (entry, uid) == 0)
        return TRUE;
    }
  return FALSE;
}

/* /clear: the window's lines go from the screen (not from the log). */
void
chat_window_clear (ChatModel  *model,
                   ChatWindow *window)
{
  g_ptr_array_set_size (window->lines, 0);
  window->scroll = 0;
  window->found = 0;
  chat_model_changed (model);
}

/* /search: the line above the one found last (@newer: below it; a new
 * @text: from the bottom up) that holds @text in any case, in its text
 * or its nick. FALSE when there is none further that way: the next
 * search starts again from the bottom. */
gboolean
chat_window_search (ChatWindow *window,
                    const char *text,
                    gboolean    newer)
{
  guint i;

  if (window->search == NULL || !g_str_equal (window->search, text))
    {
      g_free (window->search);
      window->search = g_strdup (text);
      window->found = 0;
    }
  if (newer && window->found == 0)
    return FALSE;
  i = window->found > 0 ? window->found - 1 : window->lines->len;
  while (newer ? ++i < window->lines->len : i-- > 0)
    {
      ChatLine *line = g_ptr_array_index (window->lines, i);

      if (line->kind != CHAT_LINE_INFO && line->kind != CHAT_LINE_ERROR &&
          (chat_text_contains (line->text, text) || (line->nick != NULL && chat_text_contains (line->nick, text))))
        {
          window->found = i + 1;
          window->jump = TRUE;
          return TRUE;
        }
    }
  window->found = 0;
  window->scroll = 0;
  return FALSE;
}

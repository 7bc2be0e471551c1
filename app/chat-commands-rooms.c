/* chat-commands-rooms.c: /join, /part, /rooms, /topic
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat-commands-private.h"
#include "chat-protocol.h"

static void
save_rooms (ChatApp *app)
{
  g_auto(GStrv) rooms = chat_model_dup_own_rooms (app->model);
  g_autoptr(GError) error = NULL;

  if (!chat_config_save_list (app->config, "rooms", rooms, &error))
    chat_model_notice (app->model, CHAT_LINE_ERROR, _("Your rooms are not saved: %s"), error->message);
}

static char *
room_name (const char *name,
           GError    **error)
{
  char *room = chat_room_normalize (name);

  if (room == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("A room is “#” and at most %d bytes of letters, digits, “-” and “_”"), CHAT_MAX_ROOM_BYTES - 1);
  return room;
}

gboolean
cmd_join (ChatApp  *app,
          char    **args,
          GError  **error)
{
  g_autofree char *room = room_name (args[0], error);

  if (room == NULL)
    return FALSE;
  chat_mesh_join (app->mesh, room);
  save_rooms (app);
  return TRUE;
}

gboolean
cmd_part (ChatApp  *app,
          char    **args,
          GError  **error)
{
  ChatWindow *window = chat_model_get_active (app->model);
  g_autofree char *room = NULL;

  if (args[0] != NULL)
    {
      if ((room = room_name (args[0], error)) == NULL)
        return FALSE;
      window = chat_model_find_room (app->model, room);
      if (window == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("You are not in %s"), room);
          return FALSE;
        }
    }
  if (window->room == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   window->peer_id == NULL ? _("The default room cannot be parted")
                                           : _("This is a private window: /close closes it"));
      return FALSE;
    }
  chat_mesh_part (app->mesh, window);
  save_rooms (app);
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

static void
add_room (GPtrArray  *rooms,
          const char *room)
{
  if (!g_ptr_array_find_with_equal_func (rooms, room, g_str_equal, NULL))
    g_ptr_array_add (rooms, g_strdup (room));
}

/* The rooms we and the peers we know are in, and (@with_topics) those
 * whose topic we heard, sorted. */
static GPtrArray *
known_rooms (ChatApp  *app,
             gboolean  with_topics)
{
  GPtrArray *rooms = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) own = chat_model_dup_own_rooms (app->model);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; own[i] != NULL; i++)
    add_room (rooms, own[i]);
  g_hash_table_iter_init (&iter, app->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    for (guint i = 0; ((ChatPeer *) value)->rooms != NULL && ((ChatPeer *) value)->rooms[i] != NULL; i++)
      add_room (rooms, ((ChatPeer *) value)->rooms[i]);
  g_hash_table_iter_init (&iter, app->model->topics);
  while (with_topics && g_hash_table_iter_next (&iter, &key, NULL))
    if (*(char *) key != '\0')
      add_room (rooms, key);
  g_ptr_array_sort (rooms, compare_names);
  return rooms;
}

gboolean
cmd_rooms (ChatApp  *app,
           char    **args,
           GError  **error)
{
  g_autoptr(GPtrArray) rooms = known_rooms (app, TRUE);

  g_ptr_array_insert (rooms, 0, NULL);   /* the default room first */
  info (app, g_dngettext (GETTEXT_PACKAGE, "%u room in the mesh:", "%u rooms in the mesh:", rooms->len), rooms->len);
  for (guint i = 0; i < rooms->len; i++)
    {
      const char *room = g_ptr_array_index (rooms, i);
      ChatTopic *topic = chat_model_get_topic (app->model, room);
      guint members = chat_model_room_members (app->model, room);
      g_autofree char *line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — %u member", "%s — %u members",
                                                            members),
                                               room != NULL ? room : chat_model_get_room (app->model)->name,
                                               members);

      info (app, "  %s%s%s%s", line, chat_model_find_room (app->model, room) != NULL ? _(" (joined)") : "",
            topic != NULL && *topic->text != '\0' ? " — " : "",
            topic != NULL ? topic->text : "");
    }
  return TRUE;
}

gboolean
cmd_topic (ChatApp  *app,
           char    **args,
           GError  **error)
{
  ChatWindow *window = chat_model_get_active (app->model);
  ChatTopic *topic;

  if (window->peer_id != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("A private window has no topic"));
      return FALSE;
    }
  if (args[0] != NULL)
    {
      g_autofree char *text = g_strcmp0 (args[0], "-") == 0 ? g_strdup ("") : g_strdup (args[0]);

      if (strlen (text) > CHAT_MAX_TOPIC_BYTES)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("A topic is at most %d bytes"),
                       CHAT_MAX_TOPIC_BYTES);
          return FALSE;
        }
      chat_mesh_set_topic (app->mesh, window->room, text);
      return TRUE;
    }
  topic = chat_model_get_topic (app->model, window->room);
  if (topic == NULL || *topic->text == '\0')
    info (app, _("%s has no topic (/topic TEXT sets one)"), window->name);
  else
    info (app, _("Topic of %s: %s (set by %s)"), window->name, topic->text, topic->nick);
  return TRUE;
}

/* /part completes the rooms we are in, /join those we know of too. */
void
chat_commands_complete_rooms (ChatApp    *app,
                              GPtrArray  *candidates,
                              const char *word)
{
  g_autoptr(GPtrArray) rooms = known_rooms (app, FALSE);

  for (guint i = 0; i < rooms->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (rooms, i), word))
      g_ptr_array_add (candidates, g_strdup (g_ptr_array_index (rooms, i)));
}

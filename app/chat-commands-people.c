/* chat-commands-people.c: /me, /away, /back, /ignore, /unignore,
 * /clear, /search
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chat-commands-private.h"

gboolean
cmd_me (ChatApp  *app,
        char    **args,
        GError  **error)
{
  ChatWindow *window = chat_model_get_active (app->model);
  ChatPeer *peer;

  if (window->peer_id == NULL)
    {
      chat_mesh_say (app->mesh, window->room, args[0], TRUE);
      return TRUE;
    }
  peer = chat_model_get_peer (app->model, window->peer_id);
  if (peer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s is gone"), window->name);
      return FALSE;
    }
  chat_mesh_send_private (app->mesh, peer, args[0], TRUE);
  return TRUE;
}

gboolean
cmd_away (ChatApp  *app,
          char    **args,
          GError  **error)
{
  if (args[0] == NULL && app->model->own_away != NULL)
    return cmd_back (app, args, error);
  chat_mesh_set_away (app->mesh, args[0] != NULL ? args[0] : "");
  if (args[0] != NULL)
    info (app, _("You are away: %s (/back, or /away alone, to return)"), args[0]);
  else
    info (app, _("You are away (/back, or /away alone, to return)"));
  return TRUE;
}

gboolean
cmd_back (ChatApp  *app,
          char    **args,
          GError  **error)
{
  if (app->model->own_away == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("You are not away"));
      return FALSE;
    }
  chat_mesh_set_away (app->mesh, NULL);
  info (app, _("You are back"));
  return TRUE;
}

static void
save_ignored (ChatApp *app)
{
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (app->model->ignored, NULL);
  if (!chat_config_save_list (app->config, "ignore", (GStrv) app->model->ignored->pdata, &error))
    chat_model_notice (app->model, CHAT_LINE_ERROR, _("The ignore list is not saved: %s"), error->message);
  g_ptr_array_remove_index (app->model->ignored, app->model->ignored->len - 1);
}

static void
add_ignored (ChatApp    *app,
             const char *entry)
{
  if (entry != NULL && !g_ptr_array_find_with_equal_func (app->model->ignored, entry, g_str_equal, NULL))
    g_ptr_array_add (app->model->ignored, g_strdup (entry));
}

/* /ignore alone lists; /ignore PEER hides its room and private
 * messages, by nick and, for a peer that announced one, by stable id
 * (a rename does not escape it). A nick nobody has yet is taken too. */
gboolean
cmd_ignore (ChatApp  *app,
            char    **args,
            GError  **error)
{
  ChatPeer *peer;

  if (args[0] == NULL)
    {
      if (app->model->ignored->len == 0)
        info (app, _("You ignore nobody"));
      for (guint i = 0; i < app->model->ignored->len; i++)
        info (app, _("  ignored: %s"), (char *) g_ptr_array_index (app->model->ignored, i));
      return TRUE;
    }
  peer = chat_model_find_peer (app->model, args[0], NULL);
  if (peer != NULL && g_str_equal (peer->id, app->model->own_id))
    peer = NULL;
  add_ignored (app, peer != NULL ? peer->nick : args[0]);
  add_ignored (app, peer != NULL ? peer->uid : NULL);
  save_ignored (app);
  info (app, _("Ignoring %s: their room and private messages are hidden (/unignore %s shows them again)"),
        peer != NULL ? peer->nick : args[0], peer != NULL ? peer->nick : args[0]);
  return TRUE;
}

gboolean
cmd_unignore (ChatApp  *app,
              char    **args,
              GError  **error)
{
  ChatPeer *peer = chat_model_find_peer (app->model, args[0], NULL);
  guint removed = 0;

  for (guint i = app->model->ignored->len; i > 0; i--)
    {
      const char *entry = g_ptr_array_index (app->model->ignored, i - 1);

      if (g_ascii_strcasecmp (entry, args[0]) == 0 ||
          (peer != NULL && (g_ascii_strcasecmp (entry, peer->nick) == 0 || g_strcmp0 (entry, peer->uid) == 0)))
        {
          g_ptr_array_remove_index (app->model->ignored, i - 1);
          removed++;
        }
    }
  if (removed == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("You do not ignore %s"), args[0]);
      return FALSE;
    }
  save_ignored (app);
  info (app, _("%s is no longer ignored"), args[0]);
  return TRUE;
}

gboolean
cmd_clear (ChatApp  *app,
           char    **args,
           GError  **error)
{
  chat_window_clear (app->model, chat_model_get_active (app->model));
  return TRUE;
}

/* /search TEXT: the last line holding TEXT comes into view, marked;
 * /search again (alone, or with the same TEXT), or n / N in the
 * scrollback, go further up / back down. The result is in the notice
 * line, not in the window searched. */
gboolean
cmd_search (ChatApp  *app,
            char    **args,
            GError  **error)
{
  ChatWindow *window = chat_model_get_active (app->model);
  const char *text = args[0] != NULL ? args[0] : window->search;

  if (text == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Usage: /search TEXT"));
      return FALSE;
    }
  g_free (app->model->notice);
  if (chat_window_search (window, text, FALSE))
    {
      app->model->notice = g_strdup_printf (_("Found “%s” (/search or n: further up, N: back down, End: leave)"),
                                            text);
      app->model->notice_kind = CHAT_LINE_INFO;
    }
  else
    {
      app->model->notice = g_strdup_printf (_("No more “%s” in this window"), text);
      app->model->notice_kind = CHAT_LINE_ERROR;
    }
  chat_model_changed (app->model);
  return TRUE;
}

/* After a private message to a peer that is away: IRC says so too. */
void
chat_commands_say_if_away (ChatApp  *app,
                           ChatPeer *peer)
{
  if (peer->away == NULL)
    return;
  if (*peer->away != '\0')
    info (app, _("%s is away: %s"), peer->nick, peer->away);
  else
    info (app, _("%s is away"), peer->nick);
}

void
chat_commands_complete_ignored (ChatApp    *app,
                                GPtrArray  *candidates,
                                const char *word)
{
  for (guint i = 0; i < app->model->ignored->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (app->model->ignored, i), word))
      g_ptr_array_add (candidates, g_strdup (g_ptr_array_index (app->model->ignored, i)));
}

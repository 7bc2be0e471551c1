/* chat-commands-files.c: /send, /accept, /reject, /cancel, /transfers
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "chat-commands-private.h"

/* "3" -> 3; NULL (no argument) -> 0, the command's default. */
static gboolean
parse_number (const char *arg,
              guint      *number,
              GError    **error)
{
  guint64 value = 0;

  *number = 0;
  if (arg == NULL)
    return TRUE;
  if (g_str_has_prefix (arg, "#") || g_str_has_prefix (arg, "["))
    arg++;
  if (!g_ascii_string_to_unsigned (arg, 10, 1, G_MAXUINT, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not a transfer number"), arg);
      return FALSE;
    }
  *number = value;
  return TRUE;
}

gboolean
cmd_send (ChatApp  *app,
          char    **args,
          GError  **error)
{
  ChatPeer *peer = chat_model_find_peer (app->model, args[0], error);
  g_autofree char *path = NULL;

  if (peer == NULL)
    return FALSE;
  if (peer->link == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("No link with %s yet: try again in a moment"),
                   peer->nick);
      return FALSE;
    }
  path = g_str_has_prefix (args[1], "~/") ? g_build_filename (g_get_home_dir (), args[1] + 2, NULL) :
         g_strdup (args[1]);
  if (!chat_transfers_offer (chat_mesh_get_transfers (app->mesh), peer, path, error))
    return FALSE;
  if (chat_model_get_active (app->model) != chat_model_find_window (app->model, peer->id))
    info (app, _("Offering %s to %s: its progress shows in %s's window"), path, peer->nick, peer->nick);
  return TRUE;
}

gboolean
cmd_accept (ChatApp  *app,
            char    **args,
            GError  **error)
{
  guint number;

  return parse_number (args[0], &number, error) &&
         chat_transfers_accept (chat_mesh_get_transfers (app->mesh), number, error);
}

gboolean
cmd_reject (ChatApp  *app,
            char    **args,
            GError  **error)
{
  guint number;

  return parse_number (args[0], &number, error) &&
         chat_transfers_reject (chat_mesh_get_transfers (app->mesh), number, error);
}

gboolean
cmd_cancel (ChatApp  *app,
            char    **args,
            GError  **error)
{
  guint number;

  return parse_number (args[0], &number, error) &&
         chat_transfers_cancel (chat_mesh_get_transfers (app->mesh), number, error);
}

/* /accept and /reject: the offers waiting; /cancel: every transfer */
void
chat_commands_complete_transfers (ChatApp    *app,
                                  GPtrArray  *candidates,
                                  const char *word,
                                  gboolean    offers_only)
{
  g_autoptr(GPtrArray) numbers = chat_transfers_dup_numbers (chat_mesh_get_transfers (app->mesh), offers_only);

  for (guint i = 0; i < numbers->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (numbers, i), word))
      g_ptr_array_add (candidates, g_strdup (g_ptr_array_index (numbers, i)));
}

gboolean
cmd_transfers (ChatApp  *app,
               char    **args,
               GError  **error)
{
  ChatTransfers *transfers = chat_mesh_get_transfers (app->mesh);
  g_autoptr(GPtrArray) lines = chat_transfers_describe (transfers);

  if (lines->len == 0)
    info (app, _("No transfers. Received files go to %s"), chat_transfers_get_download_dir (transfers));
  for (guint i = 0; i < lines->len; i++)
    info (app, "  %s", (char *) g_ptr_array_index (lines, i));
  return TRUE;
}

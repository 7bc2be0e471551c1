/* chat-commands-private.h: what the files of commands share
 *
 * The table stays in chat-commands.c (one row per command gives /help,
 * completion and the argument checks); the commands of rooms and of
 * the people in them live in files of their own.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-app.h"

G_BEGIN_DECLS

/* Command output: in the window the user typed in. */
#define info(app, ...) \
  chat_window_add_printf ((app)->model, chat_model_get_active ((app)->model), CHAT_LINE_INFO, __VA_ARGS__)

/* chat-commands-rooms.c */
gboolean cmd_join    (ChatApp *app, char **args, GError **error);
gboolean cmd_part    (ChatApp *app, char **args, GError **error);
gboolean cmd_rooms   (ChatApp *app, char **args, GError **error);
gboolean cmd_topic   (ChatApp *app, char **args, GError **error);
void     chat_commands_complete_rooms (ChatApp    *app,
                                       GPtrArray  *candidates,
                                       const char *word);

/* chat-commands-people.c */
gboolean cmd_me      (ChatApp *app, char **args, GError **error);
gboolean cmd_away    (ChatApp *app, char **args, GError **error);
gboolean cmd_back    (ChatApp *app, char **args, GError **error);
gboolean cmd_ignore  (ChatApp *app, char **args, GError **error);
gboolean cmd_unignore (ChatApp *app, char **args, GError **error);
gboolean cmd_clear   (ChatApp *app, char **args, GError **error);
gboolean cmd_search  (ChatApp *app, char **args, GError **error);
void     chat_commands_say_if_away (ChatApp  *app,
                                   ChatPeer *peer);
void     chat_commands_complete_ignored (ChatApp    *app,
                                         GPtrArray  *candidates,
                                         const char *word);

/* chat-commands-files.c */
gboolean cmd_send      (ChatApp *app, char **args, GError **error);
gboolean cmd_accept    (ChatApp *app, char **args, GError **error);
gboolean cmd_reject    (ChatApp *app, char **args, GError **error);
gboolean cmd_cancel    (ChatApp *app, char **args, GError **error);
gboolean cmd_transfers (ChatApp *app, char **args, GError **error);
void     chat_commands_complete_transfers (ChatApp    *app,
                                           GPtrArray  *candidates,
                                           const char *word,
                                           gboolean    offers_only);

G_END_DECLS

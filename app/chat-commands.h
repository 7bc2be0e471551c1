/* chat-commands.h: the one table of commands
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-app.h"

G_BEGIN_DECLS

void       chat_commands_submit   (ChatApp    *app,
                                   const char *line);
GPtrArray *chat_commands_complete (const char *line,
                                   gsize       word_start,
                                   const char *word,
                                   gpointer    app);

G_END_DECLS

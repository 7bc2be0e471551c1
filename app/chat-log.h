/* chat-log.h: one plain-text log per conversation (XDG data dir)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-model.h"

G_BEGIN_DECLS

typedef struct {
  char *dir;
} ChatLog;

ChatLog *chat_log_new    (const char *dir);
void     chat_log_free   (ChatLog    *log);
void     chat_log_append (ChatLog    *log,
                          ChatWindow *window,
                          ChatLine   *line);
void     chat_log_reload (ChatLog    *log,
                          ChatWindow *window,
                          guint       max_lines);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatLog, chat_log_free)

G_END_DECLS

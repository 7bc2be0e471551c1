/* chat-log.h: one plain-text log per conversation (XDG data dir)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-model.h"
#include "chat-rate.h"

G_BEGIN_DECLS

/* What one author may add to the logs: a burst of LOG_AUTHOR_BURST
 * bytes, then LOG_AUTHOR_PER_SECOND (about two lines a second, some
 * 40 MB a day at most where a flooder once wrote 8.4 MB in 5 s). */
#define CHAT_LOG_AUTHOR_BURST      (64 * 1024)
#define CHAT_LOG_AUTHOR_PER_SECOND 512

typedef struct {
  char     *dir;
  ChatRate *per_author;   /* bytes of log per author id */
} ChatLog;

ChatLog *chat_log_new    (const char *dir);
void     chat_log_free   (ChatLog    *log);
ChatRateVerdict chat_log_append (ChatLog    *log,
                                 ChatWindow *window,
                                 ChatLine   *line);
void     chat_log_reload (ChatLog    *log,
                          ChatWindow *window,
                          guint       max_lines);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatLog, chat_log_free)

G_END_DECLS

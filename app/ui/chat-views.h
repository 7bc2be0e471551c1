/* chat-views.h: the parts of the screen, each drawn from the model
 *
 * Views only read the model and draw into a rectangle of stdscr; keys
 * and commands never go through them.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#define NCURSES_WIDECHAR 1
#include <ncurses.h>

#include "chat-config.h"
#include "chat-input.h"
#include "chat-model.h"

G_BEGIN_DECLS

enum {
  CHAT_PAIR_RED = 1,
  CHAT_PAIR_GREEN,
  CHAT_PAIR_YELLOW,
  CHAT_PAIR_BLUE,
  CHAT_PAIR_MAGENTA,
  CHAT_PAIR_CYAN,
  CHAT_PAIR_BAR,
  CHAT_PAIR_WARNING,
  CHAT_PAIR_OWN,
  CHAT_PAIR_NOTICE,
};

typedef struct {
  int y, x, height, width;
} ChatRect;

void   chat_views_init_colours    (ChatConfig  *config);
int    chat_view_put              (int          y,
                                   int          x,
                                   const char  *text,
                                   int          max_width,
                                   attr_t       attr);
void   chat_view_fill             (int          y,
                                   int          x,
                                   int          width,
                                   attr_t       attr);
attr_t chat_view_nick_attr        (const char  *nick);
attr_t chat_view_badge_attr       (ChatBadge    badge);

void   chat_view_title_draw        (ChatModel   *model,
                                    ChatRect     rect);
void   chat_view_conversation_draw (ChatModel   *model,
                                    ChatRect     rect);
int    chat_view_conversation_page (ChatRect     rect);
void   chat_view_peers_draw        (ChatModel   *model,
                                    ChatRect     rect);
void   chat_view_status_draw       (ChatModel   *model,
                                    ChatRect     rect);
int    chat_view_status_window_at  (ChatModel   *model,
                                    ChatRect     rect,
                                    int          x);
void   chat_view_notice_draw       (ChatModel   *model,
                                    ChatRect     rect);
int    chat_view_input_draw        (ChatModel   *model,
                                    ChatInput   *input,
                                    ChatRect     rect);

G_END_DECLS

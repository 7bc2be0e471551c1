/* chat-input.h: the UTF-8 line editor behind the input line
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GString   *text;
  gsize      cursor;     /* byte offset, always at a character boundary */
  GPtrArray *history;    /* oldest first */
  guint      history_pos;
  char      *draft;      /* the line being typed while browsing history */
  gsize      limit;      /* bytes the line may hold (what a peer accepts), 0 no limit */
} ChatInput;

/* Returns the candidates for the word being completed (owned strings). */
typedef GPtrArray *(*ChatCompleteFunc) (const char *line,
                                        gsize       word_start,
                                        const char *word,
                                        gpointer    user_data);

ChatInput *chat_input_new            (void);
void       chat_input_free           (ChatInput  *input);
gsize      chat_input_insert         (ChatInput  *input,
                                      const char *utf8);
gsize      chat_input_insert_char    (ChatInput  *input,
                                      gunichar    c);
void       chat_input_left           (ChatInput  *input);
void       chat_input_right          (ChatInput  *input);
void       chat_input_home           (ChatInput  *input);
void       chat_input_end            (ChatInput  *input);
void       chat_input_backspace      (ChatInput  *input);
void       chat_input_delete         (ChatInput  *input);
void       chat_input_kill_word      (ChatInput  *input);
void       chat_input_kill_to_start  (ChatInput  *input);
void       chat_input_kill_to_end    (ChatInput  *input);
void       chat_input_history_prev   (ChatInput  *input);
void       chat_input_history_next   (ChatInput  *input);
char      *chat_input_take           (ChatInput  *input);
char      *chat_input_complete       (ChatInput        *input,
                                      ChatCompleteFunc  func,
                                      gpointer          user_data);
int        chat_input_cursor_column  (ChatInput  *input);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatInput, chat_input_free)

G_END_DECLS

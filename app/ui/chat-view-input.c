/* chat-view-input.c: the input line
 *
 * "[window] text": when the text is wider than the line, it scrolls
 * horizontally so that the cursor stays visible.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "chat-text.h"
#include "ui/chat-views.h"

/* Returns the cursor's column. */
int
chat_view_input_draw (ChatModel *model,
                      ChatInput *input,
                      ChatRect   rect)
{
  g_autofree char *prompt = g_strdup_printf ("[%s] ", chat_model_get_active (model)->name);
  int prompt_width = chat_view_put (rect.y, rect.x, prompt, rect.width / 3, A_BOLD);
  int room = MAX (rect.width - prompt_width - 1, 1);
  int cursor = chat_input_cursor_column (input);
  const char *start = input->text->str;
  int skipped = 0;

  /* skip whole characters from the left until the cursor fits */
  while (cursor - skipped >= room && *start != '\0')
    {
      skipped += chat_char_width (g_utf8_get_char (start));
      start = g_utf8_next_char (start);
    }
  chat_view_put (rect.y, rect.x + prompt_width, start, room, A_NORMAL);
  return rect.x + prompt_width + cursor - skipped;
}

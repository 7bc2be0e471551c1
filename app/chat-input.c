/* chat-input.c: the UTF-8 line editor behind the input line
 *
 * Knows nothing of ncurses: keys become calls here, and the view draws
 * the text and the cursor column. The cursor is a byte offset kept on
 * character boundaries, so an é or a 😀 moves and deletes as one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "chat-input.h"
#include "chat-text.h"

#define HISTORY_MAX 200

ChatInput *
chat_input_new (void)
{
  ChatInput *input = g_new0 (ChatInput, 1);

  input->text = g_string_new (NULL);
  input->history = g_ptr_array_new_with_free_func (g_free);
  return input;
}

void
chat_input_free (ChatInput *input)
{
  if (input == NULL)
    return;
  g_string_free (input->text, TRUE);
  g_ptr_array_unref (input->history);
  g_free (input->draft);
  g_free (input);
}

/* Pasted text may hold newlines or tabs: the line stays one line.
 * Returns the bytes left out because the line is full (@limit): none
 * is cut silently, the caller says so. */
gsize
chat_input_insert (ChatInput  *input,
                   const char *utf8)
{
  g_autofree char *valid = g_utf8_make_valid (utf8, -1);
  gsize len = strlen (valid);
  gsize room = input->limit == 0 ? len : input->limit - MIN (input->limit, input->text->len);
  gsize kept = len;

  for (char *p = valid; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  if (kept > room)
    {
      /* whole characters only */
      const char *end = g_utf8_find_prev_char (valid, valid + room + 1);

      kept = end != NULL ? (gsize) (end - valid) : 0;
    }
  g_string_insert_len (input->text, input->cursor, valid, kept);
  input->cursor += kept;
  return len - kept;
}

gsize
chat_input_insert_char (ChatInput *input,
                        gunichar   c)
{
  char buf[7] = { 0 };

  if (!g_unichar_validate (c) || g_unichar_iscntrl (c))
    return 0;
  g_unichar_to_utf8 (c, buf);
  return chat_input_insert (input, buf);
}

static gsize
previous_boundary (ChatInput *input,
                   gsize      offset)
{
  return chat_text_prev_grapheme (input->text->str, input->text->len, offset);
}

static gsize
next_boundary (ChatInput *input,
               gsize      offset)
{
  return chat_text_next_grapheme (input->text->str, input->text->len, offset);
}

void
chat_input_left (ChatInput *input)
{
  input->cursor = previous_boundary (input, input->cursor);
}

void
chat_input_right (ChatInput *input)
{
  input->cursor = next_boundary (input, input->cursor);
}

void
chat_input_home (ChatInput *input)
{
  input->cursor = 0;
}

void
chat_input_end (ChatInput *input)
{
  input->cursor = input->text->len;
}

void
chat_input_backspace (ChatInput *input)
{
  gsize start = previous_boundary (input, input->cursor);

  g_string_erase (input->text, start, input->cursor - start);
  input->cursor = start;
}

void
chat_input_delete (ChatInput *input)
{
  gsize end = next_boundary (input, input->cursor);

  g_string_erase (input->text, input->cursor, end - input->cursor);
}

/* Ctrl+W: the spaces before the cursor, then the word before them. */
void
chat_input_kill_word (ChatInput *input)
{
  gsize start = input->cursor;

  while (start > 0 && input->text->str[start - 1] == ' ')
    start--;
  while (start > 0 && input->text->str[start - 1] != ' ')
    start--;
  g_string_erase (input->text, start, input->cursor - start);
  input->cursor = start;
}

void
chat_input_kill_to_start (ChatInput *input)
{
  g_string_erase (input->text, 0, input->cursor);
  input->cursor = 0;
}

void
chat_input_kill_to_end (ChatInput *input)
{
  g_string_truncate (input->text, input->cursor);
}

static void
set_text (ChatInput  *input,
          const char *text)
{
  g_string_assign (input->text, text);
  input->cursor = input->text->len;
}

void
chat_input_history_prev (ChatInput *input)
{
  if (input->history_pos == 0)
    return;
  if (input->history_pos == input->history->len)
    {
      g_free (input->draft);
      input->draft = g_strdup (input->text->str);
    }
  input->history_pos--;
  set_text (input, g_ptr_array_index (input->history, input->history_pos));
}

void
chat_input_history_next (ChatInput *input)
{
  if (input->history_pos >= input->history->len)
    return;
  input->history_pos++;
  if (input->history_pos == input->history->len)
    set_text (input, input->draft != NULL ? input->draft : "");
  else
    set_text (input, g_ptr_array_index (input->history, input->history_pos));
}

/* Enter: returns the line, remembers it, and empties the editor. */
char *
chat_input_take (ChatInput *input)
{
  char *line = g_strdup (input->text->str);

  if (*line != '\0')
    {
      if (input->history->len == HISTORY_MAX)
        g_ptr_array_remove_index (input->history, 0);
      g_ptr_array_add (input->history, g_strdup (line));
    }
  input->history_pos = input->history->len;
  g_clear_pointer (&input->draft, g_free);
  set_text (input, "");
  return line;
}

static char *
common_prefix (GPtrArray *words)
{
  const char *first = g_ptr_array_index (words, 0);
  gsize len = strlen (first);

  for (guint i = 1; i < words->len; i++)
    {
      const char *other = g_ptr_array_index (words, i);
      gsize j = 0;

      while (j < len && first[j] == other[j])
        j++;
      len = j;
    }
  /* never stop inside a character */
  while (len > 0 && !g_utf8_validate (first, len, NULL))
    len--;
  return g_strndup (first, len);
}

/* Tab: completes the word before the cursor as far as every candidate
 * agrees; a single candidate is completed with a trailing space.
 * Returns the candidates joined by spaces when there are several (for
 * the notice line), otherwise %NULL. */
char *
chat_input_complete (ChatInput        *input,
                     ChatCompleteFunc  func,
                     gpointer          user_data)
{
  gsize start = input->cursor;
  g_autofree char *word = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) candidates = NULL;

  while (start > 0 && input->text->str[start - 1] != ' ')
    start--;
  word = g_strndup (input->text->str + start, input->cursor - start);
  candidates = func (input->text->str, start, word, user_data);
  if (candidates == NULL || candidates->len == 0)
    return NULL;
  prefix = common_prefix (candidates);
  if (strlen (prefix) > strlen (word))
    {
      g_string_erase (input->text, start, input->cursor - start);
      input->cursor = start;
      chat_input_insert (input, prefix);
    }
  if (candidates->len == 1)
    {
      if (input->text->str[input->cursor] != ' ')
        chat_input_insert (input, " ");
      else
        chat_input_right (input);
      return NULL;
    }
  g_ptr_array_add (candidates, NULL);
  return g_strjoinv (" ", (char **) candidates->pdata);
}

/* The column of the cursor, counting wide characters as two. */
int
chat_input_cursor_column (ChatInput *input)
{
  g_autofree char *before = g_strndup (input->text->str, input->cursor);

  return chat_text_width (before);
}

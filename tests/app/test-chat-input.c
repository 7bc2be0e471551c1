/* test-chat-input.c: the line editor and display widths
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>

#include "chat-input.h"
#include "chat-text.h"

static void
type (ChatInput  *input,
      const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    chat_input_insert_char (input, g_utf8_get_char (p));
}

static void
test_widths (void)
{
  g_assert_cmpint (chat_text_width ("abc"), ==, 3);
  g_assert_cmpint (chat_text_width ("é"), ==, 1);
  g_assert_cmpint (chat_text_width ("e\xcc\x81"), ==, 1);   /* e + combining acute */
  g_assert_cmpint (chat_text_width ("漢字"), ==, 4);
  g_assert_cmpint (chat_text_width ("😀"), ==, 2);
}

static void
test_fit_and_wrap (void)
{
  g_autoptr(GPtrArray) lines = NULL;
  int width = -1;

  /* a wide character is never cut in half */
  g_assert_cmpuint (chat_text_fit ("a漢字", 2, &width), ==, 1);
  g_assert_cmpint (width, ==, 1);
  g_assert_cmpuint (chat_text_fit ("a漢字", 3, &width), ==, 4);
  g_assert_cmpint (width, ==, 3);

  lines = chat_text_wrap ("hello wide 漢字漢字漢字 world", 10);
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpint (chat_text_width (g_ptr_array_index (lines, i)), <=, 10);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "hello wide");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "漢字漢字漢");
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = chat_text_wrap ("", 10);
  g_assert_cmpuint (lines->len, ==, 1);
}

static void
test_editing (void)
{
  g_autoptr(ChatInput) input = chat_input_new ();

  type (input, "wörld");
  chat_input_home (input);
  type (input, "hello ");
  g_assert_cmpstr (input->text->str, ==, "hello wörld");
  chat_input_end (input);
  chat_input_left (input);
  chat_input_left (input);
  chat_input_left (input);
  chat_input_backspace (input);   /* the ö, two bytes, goes as one */
  g_assert_cmpstr (input->text->str, ==, "hello wrld");
  chat_input_delete (input);
  g_assert_cmpstr (input->text->str, ==, "hello wld");
  chat_input_kill_to_end (input);
  g_assert_cmpstr (input->text->str, ==, "hello w");
  chat_input_kill_word (input);
  g_assert_cmpstr (input->text->str, ==, "hello ");
  chat_input_kill_word (input);
  g_assert_cmpstr (input->text->str, ==, "");
  type (input, "a 漢字😀");
  chat_input_left (input);
  g_assert_cmpint (chat_input_cursor_column (input), ==, 6);
  chat_input_left (input);
  type (input, "X");
  g_assert_cmpstr (input->text->str, ==, "a 漢X字😀");
  chat_input_kill_to_start (input);
  g_assert_cmpstr (input->text->str, ==, "字😀");
  g_assert_cmpuint (input->cursor, ==, 0);
  /* at the edges nothing happens */
  chat_input_left (input);
  chat_input_backspace (input);
  chat_input_end (input);
  chat_input_right (input);
  chat_input_delete (input);
  g_assert_cmpstr (input->text->str, ==, "字😀");
  /* control characters are not typed */
  chat_input_insert_char (input, 0x1b);
  g_assert_cmpstr (input->text->str, ==, "字😀");
}

/* The cursor and the erasing keys move by what the screen shows as one
 * character: a letter with its combining accent, an emoji sequence, a
 * flag (issue 16, bug 8: an accent used to be split from its letter). */
static void
test_graphemes (void)
{
  g_autoptr(ChatInput) input = chat_input_new ();
  const char *accented = "e\xcc\x81";                       /* e + U+0301 */
  const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
  const char *flag = "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7";   /* FR */
  const char *thumb = "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"; /* with a skin tone */
  g_autofree char *text = g_strconcat ("a", accented, family, flag, thumb, "z", NULL);

  type (input, text);
  chat_input_left (input);                 /* before z */
  chat_input_left (input);                 /* before the thumb and its tone */
  g_assert_cmpuint (input->cursor, ==, strlen (text) - 1 - strlen (thumb));
  chat_input_left (input);                 /* before the flag, both halves */
  chat_input_left (input);                 /* before the family, all of it */
  g_assert_cmpuint (input->cursor, ==, 1 + strlen (accented));
  chat_input_backspace (input);            /* the accented e, letter and accent */
  g_assert_cmpuint (input->cursor, ==, 1);
  g_assert_true (g_str_has_prefix (input->text->str, "a\xf0\x9f\x91\xa8"));
  chat_input_delete (input);               /* the whole family */
  g_assert_true (g_str_has_prefix (input->text->str + 1, flag));
  chat_input_right (input);                /* over the flag */
  g_assert_cmpuint (input->cursor, ==, 1 + strlen (flag));
  chat_input_end (input);
  chat_input_backspace (input);
  chat_input_backspace (input);            /* z, then the thumb with its tone */
  g_assert_cmpstr (input->text->str + 1, ==, flag);
}

static void
test_paste (void)
{
  g_autoptr(ChatInput) input = chat_input_new ();
  g_autoptr(GString) big = g_string_new (NULL);
  g_autofree char *line = NULL;

  for (int i = 0; i < 1000; i++)
    g_string_append (big, "漢字 and text\n");
  chat_input_insert (input, big->str);
  g_assert_null (strchr (input->text->str, '\n'));
  g_assert_cmpint (chat_input_cursor_column (input), ==, 1000 * 14);
  line = chat_input_take (input);
  g_assert_cmpuint (strlen (line), ==, big->len);
  g_assert_cmpstr (input->text->str, ==, "");
}

static void
test_history (void)
{
  g_autoptr(ChatInput) input = chat_input_new ();
  g_autofree char *one = NULL, *two = NULL;

  type (input, "one");
  one = chat_input_take (input);
  type (input, "two");
  two = chat_input_take (input);
  type (input, "draft");
  chat_input_history_prev (input);
  g_assert_cmpstr (input->text->str, ==, "two");
  chat_input_history_prev (input);
  g_assert_cmpstr (input->text->str, ==, "one");
  chat_input_history_prev (input);
  g_assert_cmpstr (input->text->str, ==, "one");
  chat_input_history_next (input);
  chat_input_history_next (input);
  g_assert_cmpstr (input->text->str, ==, "draft");
}

static GPtrArray *
complete_names (const char *line,
                gsize       word_start,
                const char *word,
                gpointer    user_data)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (const char * const *name = user_data; *name != NULL; name++)
    if (g_str_has_prefix (*name, word))
      g_ptr_array_add (out, g_strdup (*name));
  return out;
}

static void
test_completion (void)
{
  static const char * const names[] = { "/whois", "/win", "/verify", "zoë", NULL };
  g_autoptr(ChatInput) input = chat_input_new ();
  g_autofree char *choices = NULL;

  type (input, "/w");
  choices = chat_input_complete (input, complete_names, (gpointer) names);
  g_assert_cmpstr (choices, ==, "/whois /win");
  g_assert_cmpstr (input->text->str, ==, "/w");
  type (input, "h");
  g_assert_null (chat_input_complete (input, complete_names, (gpointer) names));
  g_assert_cmpstr (input->text->str, ==, "/whois ");
  type (input, "z");
  g_assert_null (chat_input_complete (input, complete_names, (gpointer) names));
  g_assert_cmpstr (input->text->str, ==, "/whois zoë ");
}

/* The line holds what a peer accepts: the rest is counted, never cut
 * silently, and never half a character. */
static void
test_limit (void)
{
  g_autoptr(ChatInput) input = chat_input_new ();

  input->limit = 8;
  g_assert_cmpuint (chat_input_insert (input, "abcdef"), ==, 0);
  g_assert_cmpuint (chat_input_insert (input, "é😀"), ==, 4);   /* é fits (2 bytes), 😀 (4) does not */
  g_assert_cmpstr (input->text->str, ==, "abcdefé");
  g_assert_cmpuint (chat_input_insert_char (input, 'z'), ==, 1);
  g_assert_cmpstr (input->text->str, ==, "abcdefé");
  chat_input_home (input);
  chat_input_delete (input);
  g_assert_cmpuint (chat_input_insert_char (input, 'A'), ==, 0);
  g_assert_cmpstr (input->text->str, ==, "Abcdefé");
  input->limit = 0;
  g_assert_cmpuint (chat_input_insert (input, "no limit"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chat-input/widths", test_widths);
  g_test_add_func ("/chat-input/fit-and-wrap", test_fit_and_wrap);
  g_test_add_func ("/chat-input/editing", test_editing);
  g_test_add_func ("/chat-input/graphemes", test_graphemes);
  g_test_add_func ("/chat-input/paste", test_paste);
  g_test_add_func ("/chat-input/limit", test_limit);
  g_test_add_func ("/chat-input/history", test_history);
  g_test_add_func ("/chat-input/completion", test_completion);
  return g_test_run ();
}

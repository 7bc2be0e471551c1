/* chat-text.c: display widths of UTF-8 text, for a terminal
 *
 * The terminal decides how many columns a character takes with
 * wcwidth(); we ask the same function so that what we measure is what
 * it draws (two columns for 漢 or 😀, none for a combining accent).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>
#include <wchar.h>

#include "chat-text.h"

int
chat_char_width (gunichar c)
{
  int w = wcwidth ((wchar_t) c);

  /* wcwidth() says -1 outside a UTF-8 locale or for unassigned code
   * points; GLib's tables are a good second opinion then. */
  if (w >= 0)
    return w;
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

int
chat_text_width (const char *text)
{
  int width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += chat_char_width (g_utf8_get_char (p));
  return width;
}

/* How many bytes of @text fit in @max_width columns, never cutting a
 * character in two; the columns they take go to @width. */
gsize
chat_text_fit (const char *text,
               int         max_width,
               int        *width)
{
  const char *p = text;
  int used = 0;

  while (*p != '\0')
    {
      int w = chat_char_width (g_utf8_get_char (p));

      if (used + w > max_width)
        break;
      used += w;
      p = g_utf8_next_char (p);
    }
  if (width != NULL)
    *width = used;
  return p - text;
}

/* Splits @text into lines of at most @width columns, at a space when one
 * is near, otherwise anywhere (long URLs, CJK text without spaces). */
GPtrArray *
chat_text_wrap (const char *text,
                int         width)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  if (width < 1)
    width = 1;
  do
    {
      gsize len = chat_text_fit (p, width, NULL);

      if (len == 0 && *p != '\0')  /* a character wider than the line */
        len = g_utf8_next_char (p) - p;
      if (p[len] != '\0')
        {
          const char *space = g_strrstr_len (p, len, " ");

          if (space != NULL && space - p > (gssize) len / 2)
            len = space - p + 1;
        }
      g_ptr_array_add (lines, g_strndup (p, len));
      p += len;
      /* a line cut just before a space: the next one does not start with it */
      if (*p == ' ' && p[1] != '\0' && p[-1] != ' ')
        p++;
    }
  while (*p != '\0');
  return lines;
}

/* Text from the network, made safe to draw: valid UTF-8, no control
 * characters (an escape sequence could reprogram the terminal), at most
 * @max_bytes, cut at a character boundary. */
/* What continues the character before it on screen (UAX #29, the
 * extending rules, without its tables): combining marks (an accent typed
 * as e + U+0301), variation selectors, emoji skin tones and tags, and the
 * zero width joiner, after which the next character joins too (emoji
 * sequences such as a family). */
static gboolean
extends (gunichar c)
{
  return g_unichar_ismark (c) ||
         c == 0x200D ||
         (c >= 0x1F3FB && c <= 0x1F3FF) ||
         (c >= 0xE0020 && c <= 0xE007F);
}

static gboolean
is_regional_indicator (gunichar c)
{
  return c >= 0x1F1E6 && c <= 0x1F1FF;
}

gsize
chat_text_next_grapheme (const char *text,
                         gsize       len,
                         gsize       offset)
{
  const char *end = text + len;
  const char *p = text + offset;
  gunichar first, last;

  if (p >= end)
    return len;
  first = last = g_utf8_get_char (p);
  p = g_utf8_next_char (p);
  /* a flag is two regional indicators */
  if (is_regional_indicator (first) && p < end && is_regional_indicator (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  while (p < end)
    {
      gunichar c = g_utf8_get_char (p);

      if (!extends (c) && last != 0x200D)
        break;
      last = c;
      p = g_utf8_next_char (p);
    }
  return p - text;
}

/* Input lines are short (CHAT_MAX_TEXT_BYTES): counting from the start
 * is simpler than the rules backwards. */
gsize
chat_text_prev_grapheme (const char *text,
                         gsize       len,
                         gsize       offset)
{
  gsize boundary = 0;

  while (boundary < offset)
    {
      gsize next = chat_text_next_grapheme (text, len, boundary);

      if (next >= offset)
        break;
      boundary = next;
    }
  return boundary;
}

/* Characters a peer must not get onto our screen as they are: control
 * characters (escape sequences reprogram the terminal, newlines break a
 * line or a log record) and the bidirectional formatting characters
 * (U+202E RIGHT-TO-LEFT OVERRIDE and its kin reorder what follows them,
 * so "evil\u202Egnp.exe" reads as "evilexe.png"). */
gboolean
chat_char_is_hostile (gunichar c)
{
  return g_unichar_iscntrl (c) ||
         c == 0x061C ||                      /* ARABIC LETTER MARK */
         c == 0x200E || c == 0x200F ||       /* LRM, RLM */
         (c >= 0x202A && c <= 0x202E) ||     /* LRE, RLE, PDF, LRO, RLO */
         (c >= 0x2066 && c <= 0x2069);       /* LRI, RLI, FSI, PDI */
}

char *
chat_text_sanitize (const char *text,
                    gsize       max_bytes)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize len = g_utf8_next_char (p) - p;
      gboolean replaced = c != '\t' && chat_char_is_hostile (c);

      /* what is appended counts: U+FFFD takes 3 bytes for 1 */
      if (out->len + (replaced ? 3 : len) > max_bytes)
        break;
      if (c == '\t')
        g_string_append_c (out, ' ');
      else if (replaced)
        g_string_append_unichar (out, 0xFFFD);
      else
        g_string_append_len (out, p, len);
    }
  return g_string_free (out, FALSE);
}

static gboolean
is_word_char (const char *p)
{
  gunichar c = g_utf8_get_char (p);

  return g_unichar_isalnum (c) || c == '_' || c == '-' || g_unichar_ismark (c);
}

gboolean
chat_text_mentions (const char *text,
                    const char *nick)
{
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_nick = NULL;
  gsize nick_len;

  if (text == NULL || nick == NULL || *nick == '\0')
    return FALSE;
  folded_text = g_utf8_casefold (text, -1);
  folded_nick = g_utf8_casefold (nick, -1);
  nick_len = strlen (folded_nick);
  for (const char *p = strstr (folded_text, folded_nick); p != NULL; p = strstr (p + 1, folded_nick))
    {
      gboolean starts = p == folded_text || !is_word_char (g_utf8_find_prev_char (folded_text, p));
      gboolean ends = p[nick_len] == '\0' || !is_word_char (p + nick_len);

      if (starts && ends)
        return TRUE;
    }
  return FALSE;
}

gboolean
chat_text_contains (const char *text,
                    const char *needle)
{
  g_autofree char *folded_text = g_utf8_casefold (text, -1);
  g_autofree char *folded_needle = g_utf8_casefold (needle, -1);

  return strstr (folded_text, folded_needle) != NULL;
}

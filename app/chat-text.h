/* chat-text.h: display widths of UTF-8 text, for a terminal
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int    chat_char_width (gunichar c);
int    chat_text_width (const char *text);
gsize  chat_text_fit   (const char *text,
                        int         max_width,
                        int        *width);
GPtrArray *chat_text_wrap (const char *text,
                           int         width);
/* The byte offsets of the character on screen (a grapheme cluster: a
 * letter with its combining marks, an emoji sequence, a flag) after or
 * before @offset, for the cursor and the keys that erase. */
gsize  chat_text_next_grapheme (const char *text,
                                gsize       len,
                                gsize       offset);
gsize  chat_text_prev_grapheme (const char *text,
                                gsize       len,
                                gsize       offset);
/* A control or bidirectional formatting character. */
gboolean chat_char_is_hostile (gunichar c);
/* @text as valid UTF-8 of at most @max_bytes, each tab a space and each
 * hostile character U+FFFD. */
char  *chat_text_sanitize (const char *text,
                           gsize       max_bytes);

/* @text names @nick: as a word of its own, in any case ("ana:", "@ana"
 * and "Ana," do; "banana" does not). */
gboolean chat_text_mentions (const char *text,
                             const char *nick);
/* @text holds @needle, in any case. */
gboolean chat_text_contains (const char *text,
                             const char *needle);

G_END_DECLS

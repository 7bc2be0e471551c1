/* any-json-private.h: what the JSON reader and writer share
 *
 * Both skip runs of plain ASCII eight bytes at a time; the helpers are
 * static inline here, not functions in one of the two files, because
 * they are the inner loop of every string read or written.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* Eight bytes at a time (SWAR): strings are mostly long runs of plain
 * ASCII, and a byte at a time is what a 10 MiB message spent its time
 * on. For bytes below 0x80, (x - n) & ~x has the top bit set exactly
 * when x < n, and a byte equal to c is a zero byte of x ^ c. */
#define _ANY_SWAR_ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define _ANY_SWAR_HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Non-zero if a byte of @word is below 0x20, '"' or '\\' (never for a
 * byte >= 0x80): what a string writer escapes. */
static inline guint64
_any_swar_escapes (guint64 word)
{
  guint64 quote = word ^ (_ANY_SWAR_ONES * '"');
  guint64 backslash = word ^ (_ANY_SWAR_ONES * '\\');

  return ((word - _ANY_SWAR_ONES * 0x20) | (quote - _ANY_SWAR_ONES) | (backslash - _ANY_SWAR_ONES)) & ~word & _ANY_SWAR_HIGHS;
}

/* How many bytes from @p on (at most up to @end, in whole words) are
 * plain ASCII that needs no escaping; if @ascii_only, bytes >= 0x80 stop
 * it too (the reader checks UTF-8 a character at a time). */
static inline const guchar *
_any_json_skip_plain (const guchar *p,
                      const guchar *end,
                      gboolean      ascii_only)
{
  while (end - p >= 8)
    {
      guint64 word;

      memcpy (&word, p, sizeof word);
      if (_any_swar_escapes (word) != 0 || (ascii_only && (word & _ANY_SWAR_HIGHS) != 0))
        break;
      p += 8;
    }
  return p;
}

G_END_DECLS

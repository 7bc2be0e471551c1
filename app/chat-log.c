/* chat-log.c: one plain-text log per conversation (XDG data dir)
 *
 * One line per message, tab separated, easy to grep:
 *   2026-11-26T10:00:00.123Z <TAB> kind <TAB> nick <TAB> text
 * Text never holds a tab or a newline (the protocol and the line editor
 * replace them), so a line is always one record.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chat-log.h"

static const char * const kind_names[] = {
  [CHAT_LINE_MESSAGE] = "msg",
  [CHAT_LINE_OWN] = "own",
  [CHAT_LINE_EVENT] = "event",
  [CHAT_LINE_INFO] = "info",
  [CHAT_LINE_ERROR] = "error",
  [CHAT_LINE_WARNING] = "warning",
};

ChatLog *
chat_log_new (const char *dir)
{
  ChatLog *log = g_new0 (ChatLog, 1);

  log->dir = g_strdup (dir);
  log->per_author = chat_rate_new (CHAT_LOG_AUTHOR_PER_SECOND, CHAT_LOG_AUTHOR_BURST, 1024);
  return log;
}

void
chat_log_free (ChatLog *log)
{
  if (log == NULL)
    return;
  g_free (log->dir);
  chat_rate_free (log->per_author);
  g_free (log);
}

static char *
log_path (ChatLog    *log,
          ChatWindow *window)
{
  g_autofree char *name = g_strconcat (window->log_key, ".log", NULL);

  return g_build_filename (log->dir, name, NULL);
}

/* Writes @line to its window's log, unless its author (a peer) used up
 * its share of the disk: then the line is only shown, and the caller is
 * told (CHAT_RATE_DROP_FIRST once per flood). */
ChatRateVerdict
chat_log_append (ChatLog    *log,
                 ChatWindow *window,
                 ChatLine   *line)
{
  g_autofree char *path = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *stamp = NULL;
  FILE *file;
  int fd;

  /* command output and errors are for the screen, not for the record
   * (a bad /connect replayed after every restart helps nobody) */
  if (line->kind == CHAT_LINE_INFO || line->kind == CHAT_LINE_ERROR)
    return CHAT_RATE_OK;
  if (line->author != NULL)
    {
      ChatRateVerdict verdict = chat_rate_take (log->per_author, line->author,
                                                strlen (line->text), g_get_monotonic_time ());

      if (verdict != CHAT_RATE_OK)
        return verdict;
    }
  path = log_path (log, window);
  fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return CHAT_RATE_OK;
  file = fdopen (fd, "a");
  if (file == NULL)
    {
      g_close (fd, NULL);
      return CHAT_RATE_OK;
    }
  time = g_date_time_new_from_unix_utc (line->ts / 1000);
  stamp = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  fprintf (file, "%s.%03dZ\t%s\t%s\t%s\n", stamp, (int) (line->ts % 1000),
           !line->action ? kind_names[line->kind] : line->kind == CHAT_LINE_OWN ? "own-me" : "me",
           line->nick != NULL ? line->nick : "", line->text);
  fclose (file);
  return CHAT_RATE_OK;
}

static ChatLine *
parse_line (const char *text)
{
  g_auto(GStrv) fields = g_strsplit (text, "\t", 4);
  g_autoptr(GDateTime) time = NULL;
  gboolean action = FALSE;
  ChatLine *line;
  guint kind;

  if (g_strv_length (fields) != 4)
    return NULL;
  time = g_date_time_new_from_iso8601 (fields[0], NULL);
  if (time == NULL)
    return NULL;
  /* /me lines: "me" (someone's), "own-me" (ours) */
  if (g_str_equal (fields[1], "me") || g_str_equal (fields[1], "own-me"))
    {
      action = TRUE;
      kind = fields[1][0] == 'o' ? CHAT_LINE_OWN : CHAT_LINE_MESSAGE;
    }
  else
    for (kind = 0; kind < G_N_ELEMENTS (kind_names); kind++)
      if (g_str_equal (fields[1], kind_names[kind]))
        break;
  if (kind == G_N_ELEMENTS (kind_names))
    return NULL;
  line = chat_line_new (g_date_time_to_unix (time) * 1000 + g_date_time_get_microsecond (time) / 1000,
                        kind, *fields[2] != '\0' ? fields[2] : NULL, fields[3]);
  line->action = action;
  return line;
}

#define TAIL_BLOCK (64 * 1024)

/* The end of @path holding its last @max_lines lines (or all of it): read
 * backwards a block at a time, so that a start does not read, split and
 * free a log of years to keep its last 200 lines. */
static char *
read_tail (const char *path,
           guint       max_lines)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  GByteArray *tail = g_byte_array_new ();
  guint newlines = 0;
  off_t end;

  if (fd < 0)
    {
      g_byte_array_unref (tail);
      return NULL;
    }
  end = lseek (fd, 0, SEEK_END);
  /* one newline more than lines: the last one ends the file */
  while (end > 0 && newlines <= max_lines)
    {
      gsize size = MIN ((off_t) TAIL_BLOCK, end);
      g_autofree guint8 *block = g_malloc (size);

      end -= size;
      if (pread (fd, block, size, end) != (gssize) size)
        break;
      for (gsize i = 0; i < size; i++)
        newlines += block[i] == '\n';
      g_byte_array_prepend (tail, block, size);
    }
  close (fd);
  g_byte_array_append (tail, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (tail, FALSE);
}

/* The last @max_lines of the window's log become its scrollback. */
void
chat_log_reload (ChatLog    *log,
                 ChatWindow *window,
                 guint       max_lines)
{
  g_autofree char *path = log_path (log, window);
  g_autofree char *contents = read_tail (path, max_lines);
  g_auto(GStrv) lines = NULL;
  guint n, first;

  if (contents == NULL)
    return;
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  if (n > 0 && *lines[n - 1] == '\0')   /* after the last newline */
    n--;
  first = n > max_lines ? n - max_lines : 0;
  for (guint i = first; i < n; i++)
    {
      ChatLine *line = g_utf8_validate (lines[i], -1, NULL) ? parse_line (lines[i]) : NULL;

      /* logs of earlier versions hold errors too */
      if (line != NULL && line->kind == CHAT_LINE_ERROR)
        g_clear_pointer (&line, chat_line_free);
      if (line != NULL)
        chat_window_add_history (window, line);
    }
}

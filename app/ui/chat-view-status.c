/* chat-view-status.c: the notice line and the status bar
 *
 * Status bar: own nick, listening addresses, number of peers, windows
 * (with their unread counts). The notice line above it keeps the last
 * error or event, so it stays visible whatever window is shown.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chat-text.h"
#include "ui/chat-views.h"

void
chat_view_notice_draw (ChatModel *model,
                       ChatRect   rect)
{
  attr_t attr;

  if (model->notice == NULL)
    return;
  switch (model->notice_kind)
    {
    case CHAT_LINE_ERROR:
      attr = COLOR_PAIR (CHAT_PAIR_RED) | A_BOLD;
      break;
    case CHAT_LINE_WARNING:
      attr = COLOR_PAIR (CHAT_PAIR_WARNING) | A_BOLD;
      break;
    default:
      attr = COLOR_PAIR (CHAT_PAIR_NOTICE);
      break;
    }
  chat_view_put (rect.y, rect.x, model->notice, rect.width, attr);
}

/* After the nick: away, addresses, peers, then the windows; @starts
 * (nullable) gets the byte offset of each window's label. */
static GString *
status_text (ChatModel *model,
             GArray    *starts)
{
  GString *text = g_string_new (NULL);
  guint peers = g_hash_table_size (model->peers);

  if (model->own_away != NULL)
    g_string_append (text, _(" (away)"));
  if (model->listening->len == 0)
    g_string_append (text, _(" | not listening"));
  else
    {
      g_autoptr(GString) addresses = g_string_new (NULL);

      for (guint i = 0; i < model->listening->len; i++)
        g_string_append_printf (addresses, "%s%s", i > 0 ? " " : "",
                                (char *) g_ptr_array_index (model->listening, i));
      g_string_append_printf (text, _(" | listening %s"), addresses->str);
    }
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " | %u peer |", " | %u peers |", peers), peers);
  for (guint i = 0; i < model->windows->len; i++)
    {
      ChatWindow *window = g_ptr_array_index (model->windows, i);
      gsize start;

      g_string_append_c (text, ' ');
      start = text->len;
      if (starts != NULL)
        g_array_append_val (starts, start);
      g_string_append_printf (text, "%s%u:%s", i == model->active ? "*" : "", i + 1, window->name);
      /* unread lines, and among them those that name us */
      if (window->mentions > 0)
        g_string_append_printf (text, "(%u,@%u)", window->unread, window->mentions);
      else if (window->unread > 0)
        g_string_append_printf (text, "(%u)", window->unread);
    }
  return text;
}

void
chat_view_status_draw (ChatModel *model,
                       ChatRect   rect)
{
  attr_t bar = COLOR_PAIR (CHAT_PAIR_BAR);
  g_autoptr(GString) text = status_text (model, NULL);
  int x = rect.x;

  chat_view_fill (rect.y, rect.x, rect.width, bar);
  x += chat_view_put (rect.y, x, " ", rect.width, bar);
  x += chat_view_put (rect.y, x, model->own_nick, rect.x + rect.width - x, bar | A_BOLD);
  chat_view_put (rect.y, x, text->str, rect.x + rect.width - x, bar);
}

/* The window whose name is drawn at column @x of the status bar, or -1
 * (a mouse click). */
int
chat_view_status_window_at (ChatModel *model,
                            ChatRect   rect,
                            int        x)
{
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GString) text = status_text (model, starts);
  int origin = rect.x + 1 + chat_text_width (model->own_nick);

  for (guint i = 0; i < starts->len; i++)
    {
      gsize start = g_array_index (starts, gsize, i);
      gsize end = i + 1 < starts->len ? g_array_index (starts, gsize, i + 1) - 1 : text->len;
      g_autofree char *before = g_strndup (text->str, start);
      g_autofree char *label = g_strndup (text->str + start, end - start);
      int from = origin + chat_text_width (before);

      if (x >= from && x < from + chat_text_width (label))
        return (int) i;
    }
  return -1;
}

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

void
chat_view_status_draw (ChatModel *model,
                       ChatRect   rect)
{
  attr_t bar = COLOR_PAIR (CHAT_PAIR_BAR);
  g_autoptr(GString) text = g_string_new (NULL);
  guint peers = g_hash_table_size (model->peers);
  int x = rect.x;

  chat_view_fill (rect.y, rect.x, rect.width, bar);
  x += chat_view_put (rect.y, x, " ", rect.width, bar);
  x += chat_view_put (rect.y, x, model->own_nick, rect.x + rect.width - x, bar | A_BOLD);
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

      g_string_append_printf (text, " %s%u:%s", i == model->active ? "*" : "", i + 1, window->name);
      if (window->unread > 0)
        g_string_append_printf (text, "(%u)", window->unread);
    }
  chat_view_put (rect.y, x, text->str, rect.x + rect.width - x, bar);
}

/* chat-view-conversation.c: the active window's title and lines
 *
 * Lines are wrapped to the width (wide characters count two), the
 * continuation rows indented under the text; the view shows the bottom
 * of the window, or window->scroll rows above it after PgUp.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chat-text.h"
#include "ui/chat-views.h"

typedef struct {
  ChatLine *line;
  char     *text;
  gboolean  first;
} Row;

static void
row_free (Row *row)
{
  g_free (row->text);
  g_free (row);
}

static const char *
delivery_suffix (ChatDelivery delivery)
{
  switch (delivery)
    {
    case CHAT_DELIVERY_PENDING:
      return _(" (pending)");
    case CHAT_DELIVERY_DELIVERED:
      return _(" (delivered)");
    case CHAT_DELIVERY_FAILED:
      return _(" (not delivered)");
    case CHAT_DELIVERY_NONE:
    default:
      return "";
    }
}

/* "12:34 <nick> " or "12:34 -- ": the part before the text. */
static char *
line_prefix (ChatLine *line)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (line->ts / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autofree char *time = local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("--:--");

  switch (line->kind)
    {
    case CHAT_LINE_MESSAGE:
      return g_strdup_printf ("%s <%s> ", time, line->nick);
    case CHAT_LINE_OWN:
      return g_strdup_printf ("%s »%s« ", time, line->nick);
    case CHAT_LINE_EVENT:
      return g_strdup_printf ("%s -- ", time);
    case CHAT_LINE_ERROR:
      return g_strdup_printf ("%s !! ", time);
    case CHAT_LINE_WARNING:
      return g_strdup_printf ("%s !!! ", time);
    case CHAT_LINE_INFO:
    default:
      return g_strdup_printf ("%s    ", time);
    }
}

static attr_t
text_attr (ChatLine *line)
{
  switch (line->kind)
    {
    case CHAT_LINE_EVENT:
    case CHAT_LINE_INFO:
      return COLOR_PAIR (CHAT_PAIR_NOTICE);
    case CHAT_LINE_ERROR:
      return COLOR_PAIR (CHAT_PAIR_RED);
    case CHAT_LINE_WARNING:
      return COLOR_PAIR (CHAT_PAIR_WARNING) | A_BOLD;
    case CHAT_LINE_MESSAGE:
    case CHAT_LINE_OWN:
    default:
      return A_NORMAL;
    }
}

/* The rows of the last lines, enough to fill @needed rows. */
static GPtrArray *
layout (ChatWindow *window,
        int         width,
        int         needed,
        int        *indent)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);

  for (guint i = window->lines->len; i > 0 && (int) rows->len < needed; i--)
    {
      ChatLine *line = g_ptr_array_index (window->lines, i - 1);
      g_autofree char *prefix = line_prefix (line);
      g_autofree char *text = g_strconcat (line->text, delivery_suffix (line->delivery), NULL);
      int prefix_width = MIN (chat_text_width (prefix), width / 2);
      g_autoptr(GPtrArray) parts = chat_text_wrap (text, width - prefix_width);

      *indent = prefix_width;
      for (guint j = parts->len; j > 0; j--)
        {
          Row *row = g_new0 (Row, 1);

          row->line = line;
          row->text = g_strdup (g_ptr_array_index (parts, j - 1));
          row->first = j == 1;
          g_ptr_array_insert (rows, 0, row);
        }
    }
  return rows;
}

static void
draw_row (Row *row,
          int  y,
          int  x,
          int  width)
{
  g_autofree char *prefix = line_prefix (row->line);
  int prefix_width = MIN (chat_text_width (prefix), width / 2);

  if (row->first)
    {
      if (row->line->kind == CHAT_LINE_MESSAGE || row->line->kind == CHAT_LINE_OWN)
        {
          int used = chat_view_put (y, x, prefix, 6, A_DIM);
          attr_t nick = row->line->kind == CHAT_LINE_OWN ? COLOR_PAIR (CHAT_PAIR_OWN) | A_BOLD
                                                          : chat_view_nick_attr (row->line->nick);

          chat_view_put (y, x + used, prefix + 6, prefix_width - used, nick);
        }
      else
        chat_view_put (y, x, prefix, prefix_width, text_attr (row->line));
    }
  chat_view_put (y, x + prefix_width, row->text, width - prefix_width, text_attr (row->line));
}

int
chat_view_conversation_page (ChatRect rect)
{
  return MAX (rect.height - 1, 1);
}

void
chat_view_conversation_draw (ChatModel *model,
                             ChatRect   rect)
{
  ChatWindow *window = chat_model_get_active (model);
  int indent = 0;
  g_autoptr(GPtrArray) rows = layout (window, rect.width, rect.height + window->scroll, &indent);
  int last, first, text_height;

  /* never scroll past the oldest line */
  if ((int) rows->len < rect.height + (int) window->scroll)
    window->scroll = MAX ((int) rows->len - rect.height, 0);
  last = (int) rows->len - (int) window->scroll;
  /* scrolled back, the last row is the marker's: drawn over a row of
   * text it would hide the end of that text */
  text_height = window->scroll > 0 ? MAX (rect.height - 1, 1) : rect.height;
  first = MAX (last - text_height, 0);
  for (int i = first; i < last; i++)
    draw_row (g_ptr_array_index (rows, i), rect.y + (i - first), rect.x, rect.width);
  if (window->scroll > 0)
    chat_view_put (rect.y + rect.height - 1, rect.x + rect.width - 12, _("-- more --"), 12, A_REVERSE);
}

void
chat_view_title_draw (ChatModel *model,
                      ChatRect   rect)
{
  ChatWindow *window = chat_model_get_active (model);
  ChatPeer *peer = chat_model_get_peer (model, window->peer_id);
  g_autofree char *title = NULL;
  attr_t bar = COLOR_PAIR (CHAT_PAIR_BAR) | A_BOLD;

  chat_view_fill (rect.y, rect.x, rect.width, bar);
  if (window->peer_id == NULL)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " [%u] %s — %u peer in the mesh",
                                          " [%u] %s — %u peers in the mesh",
                                          g_hash_table_size (model->peers)),
                             model->active + 1, window->name, g_hash_table_size (model->peers));
  else if (peer == NULL)
    title = g_strdup_printf (_(" [%u] %s — gone"), model->active + 1, window->name);
  else if (peer->lag >= 0)
    title = g_strdup_printf (_(" [%u] %s — lag %d ms — %s"), model->active + 1, peer->nick,
                             peer->lag, chat_badge_name (chat_peer_get_badge (peer)));
  else
    title = g_strdup_printf (_(" [%u] %s — lag ? — %s"), model->active + 1, peer->nick,
                             chat_badge_name (chat_peer_get_badge (peer)));
  chat_view_put (rect.y, rect.x, title, rect.width, bar);
}

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
  ChatLine *line;    /* NULL: a date line */
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
    case CHAT_DELIVERY_QUEUED:
      return _(" (queued)");
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
    case CHAT_LINE_OWN:
      if (line->action)
        return g_strdup_printf ("%s * %s ", time, line->nick);
      return g_strdup_printf (line->kind == CHAT_LINE_OWN ? "%s »%s« " : "%s <%s> ", time, line->nick);
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
      return line->mention ? COLOR_PAIR (CHAT_PAIR_YELLOW) | A_BOLD : A_NORMAL;
    case CHAT_LINE_OWN:
    default:
      return A_NORMAL;
    }
}

/* The local day of @ts, as a number that changes when the date does. */
static int
local_day (gint64 ts)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ts / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  int year, month, day;

  if (local == NULL)
    return 0;
  g_date_time_get_ymd (local, &year, &month, &day);
  return year * 10000 + month * 100 + day;
}

static Row *
date_row (gint64 ts)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ts / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  /* TRANSLATORS: the date line between the messages of two days (strftime) */
  g_autofree char *date = local != NULL ? g_date_time_format (local, _("%A %-d %B %Y")) : NULL;
  Row *row = g_new0 (Row, 1);

  row->text = g_strdup_printf ("─── %s ───", date != NULL ? date : "?");
  row->first = TRUE;
  return row;
}

/* The rows of the last lines, enough to fill @needed rows. */
static GPtrArray *
layout (ChatWindow *window,
        int         width,
        int         needed,
        int        *indent)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  int today = local_day (g_get_real_time () / 1000);

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
      /* a date line where the day changes, and above a first line
       * of another day than today */
      if (i >= 2 ? local_day (((ChatLine *) g_ptr_array_index (window->lines, i - 2))->ts) != local_day (line->ts)
                 : local_day (line->ts) != today)
        g_ptr_array_insert (rows, 0, date_row (line->ts));
    }
  return rows;
}

static void
draw_row (Row      *row,
          ChatLine *found,
          int       y,
          int       x,
          int       width)
{
  g_autofree char *prefix = NULL;
  int prefix_width;
  attr_t attr;

  if (row->line == NULL)
    {
      chat_view_put (y, x + MAX ((width - chat_text_width (row->text)) / 2, 0), row->text, width, A_DIM);
      return;
    }
  prefix = line_prefix (row->line);
  prefix_width = MIN (chat_text_width (prefix), width / 2);
  attr = text_attr (row->line) | (row->line == found ? A_REVERSE : 0);
  if (row->first)
    {
      if ((row->line->kind == CHAT_LINE_MESSAGE || row->line->kind == CHAT_LINE_OWN) && !row->line->action)
        {
          int used = chat_view_put (y, x, prefix, 6, A_DIM);
          attr_t nick = row->line->kind == CHAT_LINE_OWN ? COLOR_PAIR (CHAT_PAIR_OWN) | A_BOLD
                                                          : chat_view_nick_attr (row->line->nick);

          chat_view_put (y, x + used, prefix + 6, prefix_width - used, nick);
        }
      else
        chat_view_put (y, x, prefix, prefix_width, attr);
    }
  chat_view_put (y, x + prefix_width, row->text, width - prefix_width, attr);
}

int
chat_view_conversation_page (ChatRect rect)
{
  return MAX (rect.height - 1, 1);
}

/* /search found a line: scroll so that it shows, half-way up. */
static void
jump_to_found (ChatWindow *window,
               ChatRect    rect)
{
  ChatLine *found = g_ptr_array_index (window->lines, window->found - 1);
  int indent = 0;
  g_autoptr(GPtrArray) rows = layout (window, rect.width, G_MAXINT, &indent);

  window->jump = FALSE;
  for (guint i = 0; i < rows->len; i++)
    if (((Row *) g_ptr_array_index (rows, i))->line == found)
      {
        int below = (int) rows->len - (int) i;   /* its rows and those after it */

        window->scroll = below > rect.height ? below - rect.height / 2 : 0;
        return;
      }
}

void
chat_view_conversation_draw (ChatModel *model,
                             ChatRect   rect)
{
  ChatWindow *window = chat_model_get_active (model);
  int indent = 0;
  g_autoptr(GPtrArray) rows = NULL;
  ChatLine *found = NULL;
  int last, first, text_height;

  if (window->found > window->lines->len)
    window->found = 0;
  if (window->found > 0)
    found = g_ptr_array_index (window->lines, window->found - 1);
  if (window->jump && found != NULL)
    jump_to_found (window, rect);
  rows = layout (window, rect.width, rect.height + window->scroll, &indent);

  /* scrolled back, the last row is the marker's: drawn over a row of
   * text it would hide the end of that text */
  text_height = window->scroll > 0 ? MAX (rect.height - 1, 1) : rect.height;
  /* never scroll past the oldest line (the marker's row counted) */
  if ((int) rows->len < text_height + (int) window->scroll)
    window->scroll = MAX ((int) rows->len - text_height, 0);
  if (window->scroll == 0)
    text_height = rect.height;
  last = (int) rows->len - (int) window->scroll;
  first = MAX (last - text_height, 0);
  for (int i = first; i < last; i++)
    draw_row (g_ptr_array_index (rows, i), found, rect.y + (i - first), rect.x, rect.width);
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
  if (window->room != NULL)
    {
      guint members = chat_model_room_members (model, window->room);

      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " [%u] %s — %u member", " [%u] %s — %u members",
                                            members),
                               model->active + 1, window->name, members);
    }
  else if (window->peer_id == NULL)
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
  if (window->peer_id == NULL && chat_model_get_topic (model, window->room) != NULL &&
      *chat_model_get_topic (model, window->room)->text != '\0')
    {
      char *with_topic = g_strdup_printf ("%s — %s", title, chat_model_get_topic (model, window->room)->text);

      g_free (title);
      title = with_topic;
    }
  else if (peer != NULL && peer->away != NULL)
    {
      char *with_away = *peer->away != '\0' ? g_strdup_printf (_("%s — away: %s"), title, peer->away)
                                              : g_strdup_printf (_("%s — away"), title);

      g_free (title);
      title = with_away;
    }
  chat_view_put (rect.y, rect.x, title, rect.width, bar);
}

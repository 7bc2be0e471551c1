/* chat-views.c: what every view draws with: colours, clipped text
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "chat-text.h"
#include "ui/chat-views.h"

static short
colour_from_name (const char *name,
                  short       fallback)
{
  static const char * const names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return i;
  return fallback;
}

void
chat_views_init_colours (ChatConfig *config)
{
  if (!has_colors ())
    return;
  start_color ();
  use_default_colors ();
  init_pair (CHAT_PAIR_RED, COLOR_RED, -1);
  init_pair (CHAT_PAIR_GREEN, COLOR_GREEN, -1);
  init_pair (CHAT_PAIR_YELLOW, COLOR_YELLOW, -1);
  init_pair (CHAT_PAIR_BLUE, COLOR_BLUE, -1);
  init_pair (CHAT_PAIR_MAGENTA, COLOR_MAGENTA, -1);
  init_pair (CHAT_PAIR_CYAN, COLOR_CYAN, -1);
  init_pair (CHAT_PAIR_BAR, COLOR_WHITE, COLOR_BLUE);
  init_pair (CHAT_PAIR_WARNING, COLOR_WHITE, COLOR_RED);
  init_pair (CHAT_PAIR_OWN, colour_from_name (config->own_colour, COLOR_GREEN), -1);
  init_pair (CHAT_PAIR_NOTICE, colour_from_name (config->notice_colour, COLOR_CYAN), -1);
}

/* Draws as much of @text as fits in @max_width columns; returns the
 * columns used. Wide characters are never cut in half. */
int
chat_view_put (int         y,
               int         x,
               const char *text,
               int         max_width,
               attr_t      attr)
{
  int width = 0;
  gsize len;

  if (max_width <= 0)
    return 0;
  len = chat_text_fit (text, max_width, &width);
  attron (attr);
  mvaddnstr (y, x, text, (int) len);
  attroff (attr);
  return width;
}

void
chat_view_fill (int    y,
                int    x,
                int    width,
                attr_t attr)
{
  attron (attr);
  mvhline (y, x, ' ', width);
  attroff (attr);
}

/* The same nick gets the same colour on every screen. */
attr_t
chat_view_nick_attr (const char *nick)
{
  static const short pairs[] = { CHAT_PAIR_RED, CHAT_PAIR_GREEN, CHAT_PAIR_YELLOW,
                                 CHAT_PAIR_BLUE, CHAT_PAIR_MAGENTA, CHAT_PAIR_CYAN };

  return COLOR_PAIR (pairs[g_str_hash (nick != NULL ? nick : "") % G_N_ELEMENTS (pairs)]) | A_BOLD;
}

attr_t
chat_view_badge_attr (ChatBadge badge)
{
  switch (badge)
    {
    case CHAT_BADGE_COMPAT:
      return COLOR_PAIR (CHAT_PAIR_YELLOW) | A_BOLD;
    case CHAT_BADGE_NATIVE:
      return COLOR_PAIR (CHAT_PAIR_CYAN) | A_BOLD;
    case CHAT_BADGE_VERIFIED:
      return COLOR_PAIR (CHAT_PAIR_GREEN) | A_BOLD;
    case CHAT_BADGE_UNLINKED:
      return A_DIM;
    case CHAT_BADGE_PLAIN:
    default:
      return COLOR_PAIR (CHAT_PAIR_RED) | A_BOLD;
    }
}

/* chat-view-peers.c: the peer list on the right
 *
 * One row per peer:  B nick      id   lag R [unread]
 *   B  E2E badge: ! plain, ~ compat, ? native unverified, ✓ verified,
 *      · not linked (known through the room only)
 *   R  = linked directly, > a node of the mesh (>3: three hops away);
 *      then z when away
 * In a named room's window, only the peers in that room.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ui/chat-views.h"

#define NICK_COLUMNS 10

static void
draw_peer (ChatModel *model,
           ChatPeer  *peer,
           int        y,
           ChatRect   rect)
{
  ChatBadge badge = chat_peer_get_badge (peer);
  ChatWindow *window = chat_model_find_window (model, peer->id);
  g_autofree char *lag = peer->lag >= 0 ? g_strdup_printf ("%dms", peer->lag) : g_strdup ("-");
  g_autofree char *id = g_strndup (peer->id, 4);
  g_autofree char *tail = NULL;
  g_autofree char *hops = NULL;
  g_autofree char *label = chat_model_peer_label (model, peer);
  int x = rect.x + 1;

  x += chat_view_put (y, x, chat_badge_symbol (badge), 1, chat_view_badge_attr (badge)) + 1;
  chat_view_put (y, x, label, NICK_COLUMNS, chat_view_nick_attr (label));
  x += NICK_COLUMNS + 1;
  if (chat_peer_is_direct (peer) || peer->hops < 2)
    hops = g_strdup (chat_peer_is_direct (peer) ? "=" : ">");
  else
    hops = g_strdup_printf (">%u", peer->hops);
  tail = g_strdup_printf ("%s %6s %s%s", id, lag, hops, peer->away != NULL ? "z" : "");
  x += chat_view_put (y, x, tail, rect.x + rect.width - x, A_DIM);
  if (window != NULL && window->unread > 0)
    {
      g_autofree char *unread = g_strdup_printf (" %u", window->unread);

      chat_view_put (y, x, unread, rect.x + rect.width - x, A_BOLD | A_REVERSE);
    }
}

void
chat_view_peers_draw (ChatModel *model,
                      ChatRect   rect)
{
  g_autoptr(GPtrArray) peers = chat_model_sorted_peers (model);
  const char *room = chat_model_get_active (model)->room;
  g_autofree char *header = NULL;
  int y = rect.y;

  for (guint i = peers->len; room != NULL && i > 0; i--)
    if (!chat_peer_in_room (g_ptr_array_index (peers, i - 1), room))
      g_ptr_array_remove_index (peers, i - 1);
  header = g_strdup_printf (_("Peers (%u)"), peers->len);

  mvvline_set (rect.y, rect.x, WACS_VLINE, rect.height);
  chat_view_put (y++, rect.x + 2, header, rect.width - 2, A_BOLD);
  for (guint i = 0; i < peers->len && y < rect.y + rect.height; i++)
    draw_peer (model, g_ptr_array_index (peers, i), y++, rect);
}

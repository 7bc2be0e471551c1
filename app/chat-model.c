/* chat-model.c: what the screen shows: peers, windows, their lines
 *
 * The model is plain data plus a "changed" hook: the network side and
 * the commands write to it, the views only read it. Nothing here knows
 * about ncurses or JSON.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "chat-model.h"
#include "chat-protocol.h"
#include "chat-text.h"

#define MAX_LINES_PER_WINDOW 2000

ChatLine *
chat_line_new (gint64        ts,
               ChatLineKind  kind,
               const char   *nick,
               const char   *text)
{
  ChatLine *line = g_new0 (ChatLine, 1);

  line->ts = ts;
  line->kind = kind;
  line->nick = g_strdup (nick);
  /* everything shown passes here: network text is checked already, but
   * error messages and disconnect reasons may quote a peer too */
  line->text = chat_text_sanitize (text, CHAT_MAX_TEXT_BYTES);
  return line;
}

void
chat_line_free (ChatLine *line)
{
  g_free (line->nick);
  g_free (line->text);
  g_free (line->mid);
  g_free (line->author);
  g_free (line);
}

ChatWindow *
chat_window_new (const char *peer_id,
                 const char *name,
                 const char *log_key)
{
  ChatWindow *window = g_new0 (ChatWindow, 1);

  window->peer_id = g_strdup (peer_id);
  window->name = g_strdup (name);
  window->log_key = g_strdup (log_key);
  window->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_line_free);
  return window;
}

static void
chat_window_free (ChatWindow *window)
{
  g_free (window->peer_id);
  g_free (window->node_id);
  g_free (window->name);
  g_free (window->log_key);
  g_free (window->room);
  g_free (window->search);
  g_ptr_array_unref (window->lines);
  g_free (window);
}

static void
chat_peer_free (ChatPeer *peer)
{
  g_free (peer->id);
  g_free (peer->nick);
  g_free (peer->uid);
  g_free (peer->node_id);
  g_free (peer->node_fingerprint);
  g_free (peer->shown_fingerprint);
  g_free (peer->hub);
  g_free (peer->away);
  g_strfreev (peer->rooms);
  g_clear_object (&peer->link);
  g_free (peer);
}

ChatModel *
chat_model_new (const char *own_id,
                const char *own_nick)
{
  ChatModel *model = g_new0 (ChatModel, 1);

  model->own_id = g_strdup (own_id);
  model->own_nick = g_strdup (own_nick);
  model->listening = g_ptr_array_new_with_free_func (g_free);
  model->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) chat_peer_free);
  model->windows = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_window_free);
  g_ptr_array_add (model->windows, chat_window_new (NULL, _("room"), "room"));
  model->topics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) chat_topic_free);
  model->ignored = g_ptr_array_new_with_free_func (g_free);
  return model;
}

void
chat_model_free (ChatModel *model)
{
  if (model == NULL)
    return;
  g_free (model->own_id);
  g_free (model->own_nick);
  g_ptr_array_unref (model->listening);
  g_hash_table_unref (model->peers);
  g_ptr_array_unref (model->windows);
  g_free (model->notice);
  g_free (model->own_away);
  g_hash_table_unref (model->topics);
  g_ptr_array_unref (model->ignored);
  g_free (model);
}

void
chat_model_changed (ChatModel *model)
{
  if (model->changed != NULL)
    model->changed (model, model->changed_data);
}

ChatPeer *
chat_model_get_peer (ChatModel  *model,
                     const char *id)
{
  return id != NULL ? g_hash_table_lookup (model->peers, id) : NULL;
}

ChatPeer *
chat_model_ensure_peer (ChatModel  *model,
                        const char *id)
{
  ChatPeer *peer = chat_model_get_peer (model, id);

  if (peer != NULL)
    return peer;
  peer = g_new0 (ChatPeer, 1);
  peer->id = g_strdup (id);
  /* until it says its nick, people see the start of its id */
  peer->nick = g_strndup (id, 8);
  peer->lag = -1;
  g_hash_table_insert (model->peers, peer->id, peer);
  return peer;
}

void
chat_model_remove_peer (ChatModel  *model,
                        const char *id)
{
  g_hash_table_remove (model->peers, id);
}

gboolean
chat_peer_is_direct (ChatPeer *peer)
{
  return peer->link != NULL && !any_peer_is_proxy (peer->link);
}

gboolean
chat_model_is_direct (ChatModel  *model,
                      const char *id)
{
  ChatPeer *peer = chat_model_get_peer (model, id);

  return peer != NULL && chat_peer_is_direct (peer);
}

ChatBadge
chat_peer_get_badge (ChatPeer *peer)
{
  if (peer->link == NULL && peer->node_id != NULL)
    {
      /* a mesh node: end to end between the ends */
      if (!peer->node_proven)
        return CHAT_BADGE_UNLINKED;
      return peer->verified ? CHAT_BADGE_VERIFIED : CHAT_BADGE_NATIVE;
    }
  if (peer->link == NULL)
    return CHAT_BADGE_UNLINKED;
  switch (any_peer_get_e2e_mode (peer->link))
    {
    case ANY_E2E_MODE_COMPAT:
      return CHAT_BADGE_COMPAT;
    case ANY_E2E_MODE_NATIVE:
      return peer->verified ? CHAT_BADGE_VERIFIED : CHAT_BADGE_NATIVE;
    case ANY_E2E_MODE_NONE:
    default:
      return CHAT_BADGE_PLAIN;
    }
}

/* One column each, distinct even without colours. */
const char *
chat_badge_symbol (ChatBadge badge)
{
  static const char * const symbols[] = { "·", "!", "~", "?", "✓" };

  return symbols[badge];
}

const char *
chat_badge_name (ChatBadge badge)
{
  switch (badge)
    {
    case CHAT_BADGE_COMPAT:
      return _("compat E2E");
    case CHAT_BADGE_NATIVE:
      return _("native E2E, unverified");
    case CHAT_BADGE_VERIFIED:
      return _("native E2E, verified");
    case CHAT_BADGE_UNLINKED:
      return _("not linked");
    case CHAT_BADGE_PLAIN:
    default:
      return _("plain");
    }
}

static int
compare_peers (gconstpointer a,
               gconstpointer b)
{
  const ChatPeer *pa = *(ChatPeer **) a, *pb = *(ChatPeer **) b;
  int by_nick = g_utf8_collate (pa->nick, pb->nick);

  return by_nick != 0 ? by_nick : g_strcmp0 (pa->id, pb->id);
}

GPtrArray *
chat_model_sorted_peers (ChatModel *model)
{
  GPtrArray *peers = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (peers, value);
  g_ptr_array_sort (peers, compare_peers);
  return peers;
}

/* PEER in a command: a nick (any case), else a unique id prefix. */
ChatPeer *
chat_model_find_peer_plain (ChatModel  *model,
                      const char *nick_or_id,
                      GError    **error)
{
  g_autoptr(GPtrArray) peers = chat_model_sorted_peers (model);
  ChatPeer *found = NULL;
  guint matches = 0;

  for (guint i = 0; i < peers->len; i++)
    {
      ChatPeer *peer = g_ptr_array_index (peers, i);

      if (g_ascii_strcasecmp (peer->nick, nick_or_id) == 0)
        return peer;
    }
  for (guint i = 0; i < peers->len; i++)
    {
      ChatPeer *peer = g_ptr_array_index (peers, i);

      if (g_str_has_prefix (peer->id, nick_or_id))
        {
          found = peer;
          matches++;
        }
    }
  if (matches == 1)
    return found;
  if (matches == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No peer “%s”"), nick_or_id);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("“%s” matches %u peers"), nick_or_id, matches);
  return NULL;
}

ChatWindow *
chat_model_get_room (ChatModel *model)
{
  return g_ptr_array_index (model->windows, 0);
}

ChatWindow *
chat_model_get_active (ChatModel *model)
{
  return g_ptr_array_index (model->windows, model->active);
}

ChatWindow *
chat_model_find_window (ChatModel  *model,
                        const char *peer_id)
{
  for (guint i = 1; peer_id != NULL && i < model->windows->len; i++)
    {
      ChatWindow *window = g_ptr_array_index (model->windows, i);

      if (g_strcmp0 (window->peer_id, peer_id) == 0)
        return window;
    }
  return NULL;
}

/* The private window with @peer, opened if needed; its log is keyed by
 * the peer's stable identity when it has one, so it survives restarts. */
ChatWindow *
chat_model_open_window (ChatModel *model,
                        ChatPeer  *peer)
{
  ChatWindow *window = chat_model_find_window (model, peer->id);
  g_autofree char *log_key = NULL;
  g_autofree char *label = NULL;

  if (window != NULL)
    return window;
  label = chat_model_peer_label (model, peer);
  log_key = g_strdup_printf ("private-%s", peer->uid != NULL ? peer->uid : peer->id);
  window = chat_window_new (peer->id, label, log_key);
  g_ptr_array_add (model->windows, window);
  if (model->window_opened != NULL)
    model->window_opened (model, window, model->window_opened_data);
  chat_model_changed (model);
  return window;
}

void
chat_model_close_window (ChatModel *model,
                         guint      index)
{
  if (index == 0 || index >= model->windows->len)
    return;
  g_ptr_array_remove_index (model->windows, index);
  if (model->active >= index)
    model->active--;
  chat_model_changed (model);
}

void
chat_model_set_active (ChatModel *model,
                       guint      index)
{
  if (index >= model->windows->len)
    return;
  model->active = index;
  chat_model_get_active (model)->unread = 0;
  chat_model_get_active (model)->mentions = 0;
  chat_model_changed (model);
}

static void
trim (ChatWindow *window)
{
  guint removed;

  if (window->lines->len <= MAX_LINES_PER_WINDOW)
    return;
  removed = window->lines->len - MAX_LINES_PER_WINDOW;
  g_ptr_array_remove_range (window->lines, 0, removed);
  /* the line /search found moved up, or is gone */
  window->found = window->found > removed ? window->found - removed : 0;
}

/* Lines reloaded from a log: not logged again, not unread. */
void
chat_window_add_history (ChatWindow *window,
                         ChatLine   *line)
{
  g_ptr_array_add (window->lines, line);
  trim (window);
}

/* What someone said (@author: its peer id, NULL for us), /me when
 * @action. */
ChatLine *
chat_window_add_said (ChatModel    *model,
                      ChatWindow   *window,
                      gint64        ts,
                      ChatLineKind  kind,
                      const char   *author,
                      const char   *nick,
                      const char   *text,
                      gboolean      action)
{
  ChatLine *line = chat_line_new (ts, kind, nick, text);

  line->author = g_strdup (author);
  line->action = action;
  g_ptr_array_add (window->lines, line);
  /* a line that names us is highlighted and rings; so does every
   * private message */
  if (kind == CHAT_LINE_MESSAGE && (window->peer_id != NULL || chat_text_mentions (line->text, model->own_nick)))
    {
      line->mention = window->peer_id == NULL;
      model->bells++;
    }
  if (window != chat_model_get_active (model) &&
      (kind == CHAT_LINE_MESSAGE || kind == CHAT_LINE_WARNING))
    {
      window->unread++;
      if (line->mention)
        window->mentions++;
    }
  /* keep a scrolled-up view where it is */
  if (window->scroll > 0)
    window->scroll++;
  if (model->line_added != NULL)
    model->line_added (model, window, line, model->line_added_data);
  trim (window);
  chat_model_changed (model);
  return line;
}

ChatLine *
chat_window_add_line (ChatModel    *model,
                      ChatWindow   *window,
                      gint64        ts,
                      ChatLineKind  kind,
                      const char   *nick,
                      const char   *text)
{
  return chat_window_add_said (model, window, ts, kind, NULL, nick, text, FALSE);
}

/* What a peer (@author, its id) said: the log limits each author. */
ChatLine *
chat_window_add_message (ChatModel  *model,
                         ChatWindow *window,
                         gint64      ts,
                         const char *author,
                         const char *nick,
                         const char *text)
{
  return chat_window_add_said (model, window, ts, CHAT_LINE_MESSAGE, author, nick, text, FALSE);
}

ChatLine *
chat_window_find_line (ChatWindow *window,
                       const char *mid)
{
  for (guint i = window->lines->len; i > 0; i--)
    {
      ChatLine *line = g_ptr_array_index (window->lines, i - 1);

      if (g_strcmp0 (line->mid, mid) == 0)
        return line;
    }
  return NULL;
}

/* Errors and events: in the active window, where the user looks, and
 * in the notice line of the status bar. Warnings go to the room too. */
void
chat_model_notice (ChatModel    *model,
                   ChatLineKind  kind,
                   const char   *format,
                   ...)
{
  va_list args;
  g_autofree char *text = NULL;
  ChatWindow *active = chat_model_get_active (model);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_free (model->notice);
  model->notice = g_strdup (text);
  model->notice_kind = kind;
  chat_window_add_line (model, active, g_get_real_time () / 1000, kind, NULL, text);
  if (kind == CHAT_LINE_WARNING && active != chat_model_get_room (model))
    chat_window_add_line (model, chat_model_get_room (model), g_get_real_time () / 1000, kind, NULL, text);
}

/* Drops the notice line if it is of @kind: an error about a link is
 * stale once a link is up again. */
void
chat_model_clear_notice (ChatModel    *model,
                         ChatLineKind  kind)
{
  if (model->notice == NULL || model->notice_kind != kind)
    return;
  g_clear_pointer (&model->notice, g_free);
  chat_model_changed (model);
}

void
chat_window_add_printf (ChatModel    *model,
                        ChatWindow   *window,
                        ChatLineKind  kind,
                        const char   *format,
                        ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  chat_window_add_line (model, window, g_get_real_time () / 1000, kind, NULL, text);
}

/* chat-ui-keys.c: pastes, the keys of a search, the mouse
 *
 * Bracketed paste: the terminal marks a paste (ESC [200~ … ESC [201~),
 * so that its newlines are not Enter. One line goes into the input
 * line; several are sent only once the user says y, to where they were
 * pasted, a burst at once and then a few a second (what peers accept
 * from one author: chat-mesh-room.c), each line as text, never as a
 * command.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "chat-commands.h"
#include "chat-protocol.h"
#include "ui/chat-ui-private.h"

#define MAX_PASTE_BYTES (1024 * 1024)
#define PASTE_BURST     16     /* below the peers' burst of 20 per author */
#define PASTE_EVERY_MS  250    /* below their 5 a second */
#define WHEEL_ROWS      3

void
chat_ui_paste_init (ChatUi *ui)
{
  define_key ("\033[200~", KEY_PASTE_BEGIN);
  define_key ("\033[201~", KEY_PASTE_END);
  fputs ("\033[?2004h", stdout);
  fflush (stdout);
}

void
chat_ui_paste_clear (ChatUi *ui)
{
  g_clear_handle_id (&ui->paste_timer, g_source_remove);
  g_clear_pointer (&ui->pending, g_strfreev);
  g_clear_pointer (&ui->outgoing, g_strfreev);
  g_clear_pointer (&ui->outgoing_room, g_free);
  g_clear_pointer (&ui->outgoing_peer, g_free);
  if (ui->paste != NULL)
    g_string_free (g_steal_pointer (&ui->paste), TRUE);
  if (ui->screen != NULL)
    {
      fputs ("\033[?2004l", stdout);
      fflush (stdout);
    }
}

void
chat_ui_paste_begin (ChatUi *ui)
{
  if (ui->paste == NULL)
    ui->paste = g_string_new (NULL);
}

static void
set_notice (ChatModel   *model,
            ChatLineKind kind,
            char        *text)
{
  g_free (model->notice);
  model->notice = text;
  model->notice_kind = kind;
  chat_model_changed (model);
}

/* One pasted line, as text (said, never run as a command: "/quit"
 * pasted is said). */
static void
send_line (ChatUi     *ui,
           const char *line)
{
  ChatApp *app = ui->app;
  g_autofree char *text = NULL;

  if (app->input->limit > 0 && strlen (line) > app->input->limit)
    {
      const char *end = g_utf8_find_prev_char (line, line + app->input->limit + 1);

      chat_ui_say_if_full (ui, strlen (line) - (end - line));
      text = g_strndup (line, end - line);
    }
  else
    text = g_strdup (line);
  if (ui->outgoing_peer != NULL)
    {
      ChatPeer *peer = chat_model_get_peer (app->model, ui->outgoing_peer);

      if (peer != NULL)
        chat_mesh_send_private (app->mesh, peer, text, FALSE);
    }
  else if (ui->outgoing_room == NULL || chat_model_find_room (app->model, ui->outgoing_room) != NULL)
    chat_mesh_say (app->mesh, ui->outgoing_room, text, FALSE);
}

static gboolean
on_paste_tick (gpointer user_data)
{
  ChatUi *ui = user_data;

  if (ui->outgoing[ui->outgoing_next] != NULL)
    send_line (ui, ui->outgoing[ui->outgoing_next++]);
  if (ui->outgoing[ui->outgoing_next] != NULL)
    return G_SOURCE_CONTINUE;
  ui->paste_timer = 0;
  g_clear_pointer (&ui->outgoing, g_strfreev);
  return G_SOURCE_REMOVE;
}

static void
send_pending (ChatUi *ui)
{
  ChatWindow *window = chat_model_get_active (ui->app->model);

  /* a paste still being sent gets the rest of its lines at once */
  while (ui->outgoing != NULL && ui->outgoing[ui->outgoing_next] != NULL)
    send_line (ui, ui->outgoing[ui->outgoing_next++]);
  g_clear_handle_id (&ui->paste_timer, g_source_remove);
  g_strfreev (ui->outgoing);
  ui->outgoing = g_steal_pointer (&ui->pending);
  ui->outgoing_next = 0;
  g_free (ui->outgoing_room);
  ui->outgoing_room = g_strdup (window->room);
  g_free (ui->outgoing_peer);
  ui->outgoing_peer = g_strdup (window->peer_id);
  window->scroll = 0;
  while (ui->outgoing[ui->outgoing_next] != NULL && ui->outgoing_next < PASTE_BURST)
    send_line (ui, ui->outgoing[ui->outgoing_next++]);
  if (ui->outgoing[ui->outgoing_next] != NULL)
    ui->paste_timer = g_timeout_add (PASTE_EVERY_MS, on_paste_tick, ui);
  else
    g_clear_pointer (&ui->outgoing, g_strfreev);
}

static void
paste_end (ChatUi *ui)
{
  g_autoptr(GString) paste = g_steal_pointer (&ui->paste);
  g_auto(GStrv) lines = g_strsplit (paste->str, "\n", -1);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      {
        g_strv_builder_add (kept, lines[i]);
        n++;
      }
  if (n <= 1)
    {
      /* one line (a newline at its end is not Enter): into the input line */
      g_strdelimit (paste->str, "\n", ' ');
      g_strstrip (paste->str);
      chat_ui_say_if_full (ui, chat_input_insert (ui->app->input, paste->str));
      return;
    }
  ui->pending = g_strv_builder_end (kept);
  set_notice (ui->app->model, CHAT_LINE_WARNING,
              g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send the %u pasted line to %s? (y/n)",
                                            "Send the %u pasted lines to %s? (y/n)", n),
                               n, chat_model_get_active (ui->app->model)->name));
}

void
chat_ui_paste_key (ChatUi *ui,
                   int     status,
                   wint_t  key)
{
  if (ui->pending != NULL)
    {
      guint n = g_strv_length (ui->pending);

      if (status == OK && (key == 'y' || key == 'Y'))
        {
          set_notice (ui->app->model, CHAT_LINE_INFO,
                      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Sending %u pasted line",
                                                    "Sending %u pasted lines", n), n));
          send_pending (ui);
        }
      else
        {
          set_notice (ui->app->model, CHAT_LINE_INFO,
                      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The pasted line was not sent",
                                                    "The %u pasted lines were not sent", n), n));
          g_clear_pointer (&ui->pending, g_strfreev);
        }
      return;
    }
  if (status == KEY_CODE_YES)
    {
      if (key == KEY_PASTE_END)
        paste_end (ui);
      else if (key == KEY_ENTER)
        g_string_append_c (ui->paste, '\n');
      return;
    }
  if (ui->paste->len >= MAX_PASTE_BYTES)
    return;
  if (key == '\r' || key == '\n')
    g_string_append_c (ui->paste, '\n');
  else if (key == '\t')
    g_string_append_c (ui->paste, ' ');
  else if (g_unichar_validate (key) && !g_unichar_iscntrl (key))
    g_string_append_unichar (ui->paste, key);
}

/* n and N in a window /search scrolled back, with nothing typed:
 * further up, back down. */
gboolean
chat_ui_search_key (ChatUi *ui,
                    wint_t  key)
{
  ChatWindow *window = chat_model_get_active (ui->app->model);
  g_autofree char *text = NULL;

  if ((key != 'n' && key != 'N') || ui->app->input->text->len > 0 || window->found == 0)
    return FALSE;
  text = g_strdup (window->search);
  if (chat_window_search (window, text, key == 'N'))
    set_notice (ui->app->model, CHAT_LINE_INFO,
                g_strdup_printf (_("Found “%s” (/search or n: further up, N: back down, End: leave)"), text));
  else
    set_notice (ui->app->model, CHAT_LINE_INFO,
                g_strdup_printf (key == 'N' ? _("Back at the bottom") : _("No more “%s” in this window"), text));
  return TRUE;
}

/* End with nothing typed: back to the bottom, the search left. */
void
chat_ui_leave_search (ChatUi *ui)
{
  ChatWindow *window = chat_model_get_active (ui->app->model);

  if (ui->app->input->text->len > 0)
    return;
  window->found = 0;
  window->scroll = 0;
}

/* Optional ([anychat] mouse=true): the wheel scrolls, a click on a
 * window's name in the status bar shows it. */
void
chat_ui_mouse (ChatUi *ui)
{
  ChatWindow *window = chat_model_get_active (ui->app->model);
  MEVENT event;
  int index;

  if (getmouse (&event) != OK)
    return;
  if (event.bstate & BUTTON4_PRESSED)
    window->scroll += WHEEL_ROWS;
  else if (event.bstate & BUTTON5_PRESSED)
    window->scroll = window->scroll > WHEEL_ROWS ? window->scroll - WHEEL_ROWS : 0;
  else if ((event.bstate & BUTTON1_CLICKED) && event.y == ui->status.y &&
           (index = chat_view_status_window_at (ui->app->model, ui->status, event.x)) >= 0)
    chat_model_set_active (ui->app->model, index);
}

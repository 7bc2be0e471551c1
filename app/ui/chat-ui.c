/* chat-ui.c: the terminal: ncurses set-up, keys, layout, redraws
 *
 * One main loop, no threads: stdin is watched with g_unix_fd_add() and
 * read with wget_wch() until it has nothing more, SIGWINCH comes through
 * g_unix_signal_add(). The model's "changed" hook schedules one redraw
 * in an idle, so a burst of events costs one screen update.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "chat-commands.h"
#include "chat-text.h"
#include "ui/chat-ui.h"
#include "ui/chat-ui-private.h"
#include "ui/chat-views.h"

#define PEER_LIST_COLUMNS 30
#define KEY_CTRL(c) ((c) & 0x1f)
#define KEY_ESCAPE 27

static void
layout_and_draw (ChatUi *ui)
{
  ChatApp *app = ui->app;
  int rows = LINES, cols = COLS;
  int peers_width = cols >= 60 ? PEER_LIST_COLUMNS : 0;
  int body = MAX (rows - 4, 1);
  int cursor;

  erase ();
  ui->conversation = (ChatRect) { 1, 0, body, cols - peers_width };
  chat_view_title_draw (app->model, (ChatRect) { 0, 0, 1, cols });
  chat_view_conversation_draw (app->model, ui->conversation);
  if (peers_width > 0)
    chat_view_peers_draw (app->model, (ChatRect) { 1, cols - peers_width, body, peers_width });
  chat_view_notice_draw (app->model, (ChatRect) { rows - 3, 0, 1, cols });
  ui->status = (ChatRect) { rows - 2, 0, 1, cols };
  chat_view_status_draw (app->model, ui->status);
  cursor = chat_view_input_draw (app->model, app->input, (ChatRect) { rows - 1, 0, 1, cols });
  move (rows - 1, MIN (cursor, cols - 1));
  refresh ();
  if (app->model->bells > 0)
    {
      if (app->config->bell)
        beep ();
      app->model->bells = 0;
    }
}

static gboolean
on_redraw (gpointer user_data)
{
  ChatUi *ui = user_data;

  ui->redraw_idle = 0;
  layout_and_draw (ui);
  return G_SOURCE_REMOVE;
}

void
chat_ui_redraw (ChatUi *ui)
{
  if (ui->redraw_idle == 0)
    ui->redraw_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_redraw, ui, NULL);
}

static void
on_model_changed (ChatModel *model,
                  gpointer   user_data)
{
  chat_ui_redraw (user_data);
}

static void
switch_window (ChatApp *app,
               int      delta)
{
  guint n = app->model->windows->len;

  chat_model_set_active (app->model, (app->model->active + n + delta) % n);
}

static void
scroll_pages (ChatUi *ui,
              int     pages)
{
  ChatWindow *window = chat_model_get_active (ui->app->model);
  int page = chat_view_conversation_page (ui->conversation);

  window->scroll = MAX ((int) window->scroll + pages * page, 0);
}

static void
complete (ChatUi *ui)
{
  g_autofree char *choices = chat_input_complete (ui->app->input, chat_commands_complete, ui->app);

  if (choices != NULL)
    {
      g_free (ui->app->model->notice);
      ui->app->model->notice = g_steal_pointer (&choices);
      ui->app->model->notice_kind = CHAT_LINE_INFO;
    }
}

/* The line is full: said, never cut silently. */
void
chat_ui_say_if_full (ChatUi *ui,
                     gsize   dropped)
{
  if (dropped == 0)
    return;
  chat_model_notice (ui->app->model, CHAT_LINE_ERROR,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "The line is full (%zu bytes, what peers accept): %zu byte was not added",
                                  "The line is full (%zu bytes, what peers accept): %zu bytes were not added",
                                  dropped),
                     ui->app->input->limit, dropped);
}

static void
submit (ChatUi *ui)
{
  g_autofree char *line = chat_input_take (ui->app->input);

  chat_model_get_active (ui->app->model)->scroll = 0;
  chat_commands_submit (ui->app, line);
}

/* Alt+digit arrives as ESC then the digit. */
static void
handle_escape (ChatUi *ui)
{
  wint_t next;

  if (get_wch (&next) == OK && next >= '1' && next <= '9')
    chat_model_set_active (ui->app->model, next - '1');
}

static void
handle_key (ChatUi *ui,
            int     status,
            wint_t  key)
{
  ChatInput *input = ui->app->input;

  if (status == KEY_CODE_YES)
    switch (key)
      {
      case KEY_LEFT: chat_input_left (input); break;
      case KEY_RIGHT: chat_input_right (input); break;
      case KEY_HOME: chat_input_home (input); break;
      case KEY_BACKSPACE: chat_input_backspace (input); break;
      case KEY_DC: chat_input_delete (input); break;
      case KEY_UP: chat_input_history_prev (input); break;
      case KEY_DOWN: chat_input_history_next (input); break;
      case KEY_PPAGE: scroll_pages (ui, 1); break;
      case KEY_NPAGE: scroll_pages (ui, -1); break;
      case KEY_ENTER: submit (ui); break;
      case KEY_END: chat_input_end (input); chat_ui_leave_search (ui); break;
      case KEY_PASTE_BEGIN: chat_ui_paste_begin (ui); break;
      case KEY_MOUSE: chat_ui_mouse (ui); break;
      case KEY_RESIZE: break;
      default: break;
      }
  else
    switch (key)
      {
      case '\r': case '\n': submit (ui); break;
      case '\t': complete (ui); break;
      case 127: case KEY_CTRL ('H'): chat_input_backspace (input); break;
      case KEY_CTRL ('A'): chat_input_home (input); break;
      case KEY_CTRL ('E'): chat_input_end (input); break;
      case KEY_CTRL ('W'): chat_input_kill_word (input); break;
      case KEY_CTRL ('U'): chat_input_kill_to_start (input); break;
      case KEY_CTRL ('K'): chat_input_kill_to_end (input); break;
      case KEY_CTRL ('N'): switch_window (ui->app, 1); break;
      case KEY_CTRL ('P'): switch_window (ui->app, -1); break;
      case KEY_CTRL ('L'): clearok (curscr, TRUE); break;
      case KEY_ESCAPE: handle_escape (ui); break;
      default:
        if (!chat_ui_search_key (ui, key))
          chat_ui_say_if_full (ui, chat_input_insert_char (input, key));
        break;
      }
}

static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  ChatUi *ui = user_data;
  wint_t key;
  int status;

  if (condition & (G_IO_HUP | G_IO_ERR))
    {
      /* the terminal is gone: nobody to chat with */
      ui->stdin_watch = 0;
      chat_mesh_stop (ui->app->mesh, "terminal closed");
      chat_app_quit (ui->app);
      return G_SOURCE_REMOVE;
    }
  /* a paste arrives as many keys at once: take them all, draw once */
  while ((status = get_wch (&key)) != ERR)
    {
      if (ui->paste != NULL || ui->pending != NULL)
        chat_ui_paste_key (ui, status, key);
      else
        handle_key (ui, status, key);
      if (ui->stdin_watch == 0)
        return G_SOURCE_REMOVE;
    }
  chat_ui_redraw (ui);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_winch (gpointer user_data)
{
  ChatUi *ui = user_data;
  struct winsize size;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0)
    resizeterm (size.ws_row, size.ws_col);
  clearok (curscr, TRUE);
  chat_ui_redraw (ui);
  return G_SOURCE_CONTINUE;
}

ChatUi *
chat_ui_new (ChatApp *app,
             GError **error)
{
  g_autoptr(ChatUi) ui = g_new0 (ChatUi, 1);

  ui->app = app;
  if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("anychat needs a terminal"));
      return NULL;
    }
  ui->screen = newterm (NULL, stdout, stdin);
  if (ui->screen == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Unknown terminal type “%s”"),
                   g_getenv ("TERM") != NULL ? g_getenv ("TERM") : "");
      return NULL;
    }
  set_escdelay (25);
  cbreak ();
  noecho ();
  nonl ();
  keypad (stdscr, TRUE);
  nodelay (stdscr, TRUE);
  chat_views_init_colours (app->config);
  chat_ui_paste_init (ui);
  if (app->config->mouse)
    mousemask (BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);

  app->model->changed = on_model_changed;
  app->model->changed_data = ui;
  ui->stdin_watch = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, ui);
  ui->winch_watch = g_unix_signal_add (SIGWINCH, on_winch, ui);
  layout_and_draw (ui);
  return g_steal_pointer (&ui);
}

void
chat_ui_free (ChatUi *ui)
{
  if (ui == NULL)
    return;
  g_clear_handle_id (&ui->stdin_watch, g_source_remove);
  g_clear_handle_id (&ui->winch_watch, g_source_remove);
  g_clear_handle_id (&ui->redraw_idle, g_source_remove);
  chat_ui_paste_clear (ui);
  if (ui->app->model->changed_data == ui)
    ui->app->model->changed = NULL;
  if (ui->screen != NULL)
    {
      endwin ();
      delscreen (ui->screen);
    }
  g_free (ui);
}

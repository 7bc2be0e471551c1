/* test-chat-commands.c: the command table, without a terminal or peers
 *
 * A real AnySocket that never listens nor connects: every command's
 * argument checks and messages, and what a plain line does.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "chat-commands.h"

#define BOB_ID "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"

typedef struct {
  ChatConfig     *config;
  ChatKnownPeers *known;
  AnySocket      *socket;
  ChatModel      *model;
  ChatMesh       *mesh;
  ChatInput      *input;
  ChatApp         app;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->config = chat_config_new ();
  f->known = chat_known_peers_load ("/nonexistent/known-peers");
  f->socket = any_socket_new ();
  f->model = chat_model_new (any_socket_get_id (f->socket), "me");
  f->mesh = chat_mesh_new (f->model, f->config, f->known, f->socket, "0123456789abcdef0123456789abcdef");
  f->input = chat_input_new ();
  f->app = (ChatApp) { f->config, f->known, f->model, f->mesh, NULL, f->input, NULL, NULL };
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  chat_mesh_free (f->mesh);
  chat_model_free (f->model);
  g_object_unref (f->socket);
  chat_known_peers_free (f->known);
  chat_config_free (f->config);
  chat_input_free (f->input);
}

static const char *
last_text (Fixture *f)
{
  ChatWindow *window = chat_model_get_active (f->model);

  g_assert_cmpuint (window->lines->len, >, 0);
  return ((ChatLine *) g_ptr_array_index (window->lines, window->lines->len - 1))->text;
}

static void
assert_says (Fixture    *f,
             const char *line,
             const char *expected)
{
  chat_commands_submit (&f->app, line);
  if (strstr (last_text (f), expected) == NULL)
    g_error ("%s: expected “%s”, got “%s”", line, expected, last_text (f));
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  assert_says (f, "/frobnicate", "Unknown command /frobnicate");
  assert_says (f, "/msg", "Usage: /msg PEER TEXT");
  assert_says (f, "/msg nobody", "Usage: /msg PEER TEXT");
  assert_says (f, "/win", "Usage: /win N");
  assert_says (f, "/win 2 3", "Usage: /win N");
  assert_says (f, "/win 9", "No window 9");
  assert_says (f, "/win x", "No window x");
  assert_says (f, "/close", "The room cannot be closed");
  assert_says (f, "/nick two words", "Usage: /nick NAME");
  assert_says (f, "/nick a/b", "one word");
  assert_says (f, "/connect nowhere", "Bad URI");
  assert_says (f, "/listen http://x:1", "Bad URI");
  assert_says (f, "/whois nobody", "No peer “nobody”");
  assert_says (f, "/verify nobody", "No peer “nobody”");
  assert_says (f, "/send", "Usage: /send PEER PATH");
  assert_says (f, "/send nobody /etc/hostname", "No peer “nobody”");
  assert_says (f, "/accept", "No transfer to act on");
  assert_says (f, "/accept x", "“x” is not a transfer number");
  assert_says (f, "/reject 3", "No transfer 3");
  assert_says (f, "/cancel", "No transfer to act on");
  assert_says (f, "/transfers", "No transfers. Received files go to ");
  assert_says (f, "/help nothing", "No command “nothing”");
  /* errors also go to the notice line */
  g_assert_cmpstr (f->model->notice, ==, "/help: No command “nothing”");
  g_assert_cmpint (f->model->notice_kind, ==, CHAT_LINE_ERROR);
}

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  ChatWindow *room = chat_model_get_room (f->model);

  assert_says (f, "/help msg", "Usage: /msg PEER TEXT — send a private message");
  assert_says (f, "/help /quit", "/quit [REASON]");
  assert_says (f, "/help send", "Usage: /send PEER PATH — offer a file to PEER");
  chat_commands_submit (&f->app, "/help");
  /* a heading, one line per command, the legend */
  g_assert_cmpuint (room->lines->len, >=, 2 + 14 + 1);
}

static void
test_plain_lines (Fixture       *f,
                  gconstpointer  data)
{
  ChatWindow *room = chat_model_get_room (f->model);
  ChatLine *line;

  chat_commands_submit (&f->app, "hello room");
  line = g_ptr_array_index (room->lines, room->lines->len - 1);
  g_assert_cmpint (line->kind, ==, CHAT_LINE_OWN);
  g_assert_cmpstr (line->text, ==, "hello room");
  chat_commands_submit (&f->app, "//not a command");
  line = g_ptr_array_index (room->lines, room->lines->len - 1);
  g_assert_cmpint (line->kind, ==, CHAT_LINE_OWN);
  g_assert_cmpstr (line->text, ==, "/not a command");
  chat_commands_submit (&f->app, "");
  g_assert_true (g_ptr_array_index (room->lines, room->lines->len - 1) == line);
}

static void
test_peers_and_windows (Fixture       *f,
                        gconstpointer  data)
{
  ChatPeer *bob = chat_model_ensure_peer (f->model, BOB_ID);
  ChatWindow *query;
  ChatLine *line;

  g_free (bob->nick);
  bob->nick = g_strdup ("bob");
  assert_says (f, "/peers", "bob b0b0b0b0 via unknown hub, not linked");
  assert_says (f, "/whois b0b0", "route: via unknown hub");
  assert_says (f, "/disconnect bob", "bob is not linked to us");
  assert_says (f, "/e2e bob", "bob is not linked to us");
  assert_says (f, "/verify bob", "bob is not linked to us");

  chat_commands_submit (&f->app, "/query bob");
  query = chat_model_get_active (f->model);
  g_assert_cmpstr (query->peer_id, ==, BOB_ID);
  /* no link and no hub: the message is kept, marked not delivered */
  chat_commands_submit (&f->app, "are you there");
  line = g_ptr_array_index (query->lines, query->lines->len - 2);
  g_assert_cmpstr (line->text, ==, "are you there");
  g_assert_cmpint (line->delivery, ==, CHAT_DELIVERY_FAILED);
  g_assert_nonnull (strstr (last_text (f), "No route to bob"));

  assert_says (f, "/win 1", "");
  g_assert_true (chat_model_get_active (f->model) == chat_model_get_room (f->model));
  chat_commands_submit (&f->app, "/win 2");
  chat_commands_submit (&f->app, "/close");
  g_assert_cmpuint (f->model->windows->len, ==, 1);

  chat_commands_submit (&f->app, "/nick alice");
  g_assert_cmpstr (f->model->own_nick, ==, "alice");
}

static void
test_completion (Fixture       *f,
                 gconstpointer  data)
{
  ChatPeer *bob = chat_model_ensure_peer (f->model, BOB_ID);
  g_autofree char *choices = NULL;

  g_free (bob->nick);
  bob->nick = g_strdup ("bob");
  chat_input_insert (f->input, "/q");
  choices = chat_input_complete (f->input, chat_commands_complete, &f->app);
  g_assert_cmpstr (choices, ==, "/query /quit");
  g_assert_cmpstr (f->input->text->str, ==, "/qu");
  g_clear_pointer (&choices, g_free);
  chat_input_insert (f->input, "e");
  g_assert_null (chat_input_complete (f->input, chat_commands_complete, &f->app));
  g_assert_cmpstr (f->input->text->str, ==, "/query ");
  chat_input_insert (f->input, "b");
  g_assert_null (chat_input_complete (f->input, chat_commands_complete, &f->app));
  g_assert_cmpstr (f->input->text->str, ==, "/query bob ");
  /* only the first argument completes */
  chat_input_insert (f->input, "b");
  g_assert_null (chat_input_complete (f->input, chat_commands_complete, &f->app));
  g_assert_cmpstr (f->input->text->str, ==, "/query bob b");

  g_free (chat_input_take (f->input));
  chat_input_insert (f->input, "/w");
  choices = chat_input_complete (f->input, chat_commands_complete, &f->app);
  g_assert_cmpstr (choices, ==, "/win /whois");
  g_clear_pointer (&choices, g_free);
  g_free (chat_input_take (f->input));
  chat_input_insert (f->input, "/help ve");
  g_assert_null (chat_input_complete (f->input, chat_commands_complete, &f->app));
  g_assert_cmpstr (f->input->text->str, ==, "/help verify ");
}

/* The settings file /join and /ignore write: a new one in a new folder. */
static char *
use_settings_file (Fixture *f)
{
  char *dir = g_dir_make_tmp ("anychat-commands-XXXXXX", NULL);

  f->config->file = g_build_filename (dir, "anychat.conf", NULL);
  return dir;
}

/* Rooms: /join opens a window and saves the room, /part closes it, the
 * default room stays; /topic and /rooms. */
static void
test_rooms (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *dir = use_settings_file (f);
  g_autofree char *saved = NULL;
  ChatPeer *bob = chat_model_ensure_peer (f->model, BOB_ID);
  const char * const in_dev[] = { "#dev", NULL };
  ChatWindow *dev;
  ChatLine *line;

  g_free (bob->nick);
  bob->nick = g_strdup ("bob");
  bob->rooms = g_strdupv ((char **) in_dev);

  assert_says (f, "/part", "The default room cannot be parted");
  assert_says (f, "/join #a/b", "A room is “#”");
  assert_says (f, "/join", "Usage: /join #ROOM");
  chat_commands_submit (&f->app, "/join #Dev");
  dev = chat_model_get_active (f->model);
  g_assert_cmpstr (dev->room, ==, "#dev");
  g_assert_cmpstr (dev->name, ==, "#dev");
  g_assert_nonnull (strstr (last_text (f), "You joined #dev"));
  g_assert_true (g_file_get_contents (f->config->file, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "rooms=#dev;"));

  /* a line typed in the room's window goes to the room */
  chat_commands_submit (&f->app, "hello dev");
  line = g_ptr_array_index (dev->lines, dev->lines->len - 1);
  g_assert_cmpint (line->kind, ==, CHAT_LINE_OWN);
  g_assert_cmpstr (line->text, ==, "hello dev");
  for (guint i = 0; i < chat_model_get_room (f->model)->lines->len; i++)
    g_assert_cmpstr (((ChatLine *) g_ptr_array_index (chat_model_get_room (f->model)->lines, i))->text, !=,
                     "hello dev");
  chat_commands_submit (&f->app, "/me waves");
  line = g_ptr_array_index (dev->lines, dev->lines->len - 1);
  g_assert_true (line->action);
  g_assert_cmpstr (line->text, ==, "waves");

  assert_says (f, "/topic", "#dev has no topic");
  chat_commands_submit (&f->app, "/topic release on friday");
  g_assert_nonnull (strstr (last_text (f), "me set the topic: release on friday"));
  assert_says (f, "/topic", "Topic of #dev: release on friday (set by me)");
  assert_says (f, "/rooms", "#dev — 2 members (joined) — release on friday");
  g_assert_nonnull (strstr (((ChatLine *) g_ptr_array_index (dev->lines, dev->lines->len - 3))->text,
                            "2 rooms in the mesh"));

  assert_says (f, "/part #ops", "You are not in #ops");
  chat_commands_submit (&f->app, "/part");
  g_assert_cmpuint (f->model->windows->len, ==, 1);
  g_clear_pointer (&saved, g_free);
  g_assert_true (g_file_get_contents (f->config->file, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "rooms=\n"));
  /* /close parts a room too */
  chat_commands_submit (&f->app, "/join ops");
  chat_commands_submit (&f->app, "/close");
  g_assert_cmpuint (f->model->windows->len, ==, 1);

  g_unlink (f->config->file);
  g_rmdir (dir);
}

/* /away, /back; /ignore and /unignore, saved in the settings file. */
static void
test_people (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *dir = use_settings_file (f);
  g_autofree char *saved = NULL;
  ChatPeer *bob = chat_model_ensure_peer (f->model, BOB_ID);
  ChatWindow *room = chat_model_get_room (f->model);

  g_free (bob->nick);
  bob->nick = g_strdup ("bob");
  bob->uid = g_strdup ("0123456789abcdef0123456789abcdef");

  assert_says (f, "/back", "You are not away");
  assert_says (f, "/away lunch", "You are away: lunch");
  g_assert_cmpstr (f->model->own_away, ==, "lunch");
  assert_says (f, "/away", "You are back");   /* /away alone returns */
  g_assert_null (f->model->own_away);
  assert_says (f, "/away", "You are away (");
  g_assert_cmpstr (f->model->own_away, ==, "");
  assert_says (f, "/back", "You are back");

  bob->away = g_strdup ("on a train");
  assert_says (f, "/whois bob", "away: on a train");
  assert_says (f, "/peers", ", away");

  assert_says (f, "/ignore", "You ignore nobody");
  assert_says (f, "/ignore bob", "Ignoring bob: their room and private messages are hidden");
  g_assert_true (chat_model_is_ignored (f->model, "bob", NULL));
  g_assert_true (chat_model_is_ignored (f->model, "bobby", bob->uid));   /* renamed */
  g_assert_true (g_file_get_contents (f->config->file, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "ignore=bob;0123456789abcdef0123456789abcdef;"));
  assert_says (f, "/ignore", "ignored: 0123456789abcdef0123456789abcdef");
  assert_says (f, "/unignore zed", "You do not ignore zed");
  assert_says (f, "/unignore bob", "bob is no longer ignored");
  g_assert_cmpuint (f->model->ignored->len, ==, 0);
  g_clear_pointer (&saved, g_free);
  g_assert_true (g_file_get_contents (f->config->file, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "ignore=\n"));

  chat_commands_submit (&f->app, "/clear");
  g_assert_cmpuint (room->lines->len, ==, 0);
  chat_commands_submit (&f->app, "one deploy");
  chat_commands_submit (&f->app, "two");
  chat_commands_submit (&f->app, "/search DEPLOY");
  g_assert_cmpuint (room->found, ==, 1);
  g_assert_cmpstr (f->model->notice, ==, "Found “DEPLOY” (/search or n: further up, N: back down, End: leave)");
  chat_commands_submit (&f->app, "/search");
  g_assert_cmpuint (room->found, ==, 0);
  g_assert_cmpstr (f->model->notice, ==, "No more “DEPLOY” in this window");
  g_assert_cmpuint (room->lines->len, ==, 2);   /* searching adds no line */

  g_unlink (f->config->file);
  g_rmdir (dir);
}

static void
test_completion_of_rooms (Fixture       *f,
                          gconstpointer  data)
{
  ChatPeer *bob = chat_model_ensure_peer (f->model, BOB_ID);
  const char * const rooms[] = { "#dev", "#design", NULL };
  g_autofree char *choices = NULL;

  bob->rooms = g_strdupv ((char **) rooms);
  chat_input_insert (f->input, "/join #d");
  choices = chat_input_complete (f->input, chat_commands_complete, &f->app);
  g_assert_cmpstr (choices, ==, "#design #dev");
  g_free (chat_input_take (f->input));
  chat_input_insert (f->input, "/join #dev");
  g_assert_null (chat_input_complete (f->input, chat_commands_complete, &f->app));
  g_assert_cmpstr (f->input->text->str, ==, "/join #dev ");
  g_free (chat_input_take (f->input));
  g_ptr_array_add (f->model->ignored, g_strdup ("zed"));
  chat_input_insert (f->input, "/unignore z");
  g_assert_null (chat_input_complete (f->input, chat_commands_complete, &f->app));
  g_assert_cmpstr (f->input->text->str, ==, "/unignore zed ");
  g_free (chat_input_take (f->input));
  chat_input_insert (f->input, "/to");
  g_assert_null (chat_input_complete (f->input, chat_commands_complete, &f->app));
  g_assert_cmpstr (f->input->text->str, ==, "/topic ");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/chat-commands/errors", test_errors);
  ADD ("/chat-commands/help", test_help);
  ADD ("/chat-commands/plain-lines", test_plain_lines);
  ADD ("/chat-commands/peers-and-windows", test_peers_and_windows);
  ADD ("/chat-commands/completion", test_completion);
  ADD ("/chat-commands/rooms", test_rooms);
  ADD ("/chat-commands/people", test_people);
  ADD ("/chat-commands/completion-of-rooms", test_completion_of_rooms);
  return g_test_run ();
}

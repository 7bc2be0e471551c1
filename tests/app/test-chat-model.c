/* test-chat-model.c: windows, peers and logs, without a network
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "chat-log.h"
#include "chat-model.h"
#include "chat-protocol.h"
#include "chat-text.h"

#define OWN_ID "00000000000000000000000000000000"
#define BOB_ID "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
#define BEA_ID "beabeabeabeabeabeabeabeabeabeabe"

static void
count_changes (ChatModel *model,
               gpointer   user_data)
{
  (*(guint *) user_data)++;
}

static void
test_find_peer (void)
{
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "me");
  g_autoptr(GError) error = NULL;
  ChatPeer *bob = chat_model_ensure_peer (model, BOB_ID);
  ChatPeer *bea = chat_model_ensure_peer (model, BEA_ID);

  /* a peer without a nick yet shows the start of its id */
  g_assert_cmpstr (bob->nick, ==, "b0b0b0b0");
  g_assert_true (chat_model_ensure_peer (model, BOB_ID) == bob);
  g_free (bob->nick);
  bob->nick = g_strdup ("Bob");

  g_assert_true (chat_model_find_peer (model, "bob", NULL) == bob);   /* any case */
  g_assert_true (chat_model_find_peer (model, "bea", NULL) == bea);   /* id prefix */
  g_assert_null (chat_model_find_peer (model, "b", &error));          /* ambiguous */
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (chat_model_find_peer (model, "zed", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (chat_peer_get_badge (bob), ==, CHAT_BADGE_UNLINKED);
  g_assert_cmpstr (chat_badge_symbol (CHAT_BADGE_UNLINKED), ==, "·");
  g_assert_false (chat_peer_is_direct (bob));
}

static void
test_windows_and_unread (void)
{
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "me");
  ChatPeer *bob = chat_model_ensure_peer (model, BOB_ID);
  ChatWindow *room = chat_model_get_room (model);
  ChatWindow *query;
  guint changes = 0;

  model->changed = count_changes;
  model->changed_data = &changes;
  query = chat_model_open_window (model, bob);
  g_assert_true (chat_model_open_window (model, bob) == query);
  g_assert_cmpuint (model->windows->len, ==, 2);
  g_assert_cmpstr (query->log_key, ==, "private-" BOB_ID);

  chat_window_add_line (model, query, 1, CHAT_LINE_MESSAGE, "bob", "hi");
  chat_window_add_line (model, query, 2, CHAT_LINE_EVENT, NULL, "not counted");
  g_assert_cmpuint (query->unread, ==, 1);
  chat_window_add_line (model, room, 3, CHAT_LINE_MESSAGE, "bob", "in the room");
  g_assert_cmpuint (room->unread, ==, 0);   /* the active window */
  g_assert_cmpuint (changes, >, 0);

  chat_model_set_active (model, 1);
  g_assert_true (chat_model_get_active (model) == query);
  g_assert_cmpuint (query->unread, ==, 0);
  chat_model_close_window (model, 0);   /* the room stays */
  g_assert_cmpuint (model->windows->len, ==, 2);
  chat_model_close_window (model, 1);
  g_assert_cmpuint (model->windows->len, ==, 1);
  g_assert_cmpuint (model->active, ==, 0);
}

static void
test_lines (void)
{
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "me");
  ChatWindow *room = chat_model_get_room (model);
  ChatLine *line;

  /* whatever a line says, it cannot drive the terminal */
  line = chat_window_add_line (model, room, 1, CHAT_LINE_ERROR, NULL, "reason: \033[2J\nnext");
  g_assert_null (strchr (line->text, '\033'));
  g_assert_null (strchr (line->text, '\n'));
  line->mid = g_strdup ("m1");
  g_assert_true (chat_window_find_line (room, "m1") == line);
  g_assert_null (chat_window_find_line (room, "m2"));

  /* a scrolled-up view stays where it is when a line comes */
  room->scroll = 3;
  chat_window_add_line (model, room, 2, CHAT_LINE_MESSAGE, "x", "y");
  g_assert_cmpuint (room->scroll, ==, 4);

  chat_model_notice (model, CHAT_LINE_ERROR, "bad %s", "thing");
  g_assert_cmpstr (model->notice, ==, "bad thing");
  g_assert_cmpstr (((ChatLine *) g_ptr_array_index (room->lines, room->lines->len - 1))->text, ==, "bad thing");
}

static void
append (ChatLog      *log,
        ChatWindow   *window,
        gint64        ts,
        ChatLineKind  kind,
        const char   *nick,
        const char   *text)
{
  ChatLine *line = chat_line_new (ts, kind, nick, text);

  chat_log_append (log, window, line);
  chat_line_free (line);
}

static void
test_log_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("anychat-log-XXXXXX", NULL);
  g_autoptr(ChatLog) log = chat_log_new (dir);
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "me");
  g_autoptr(ChatModel) later = chat_model_new (OWN_ID, "me");
  ChatWindow *room = chat_model_get_room (model);
  ChatWindow *reloaded = chat_model_get_room (later);
  g_autofree char *path = g_build_filename (dir, "room.log", NULL);
  g_autofree char *contents = NULL;
  ChatLine *line;
  FILE *file;

  append (log, room, G_GINT64_CONSTANT (1764150000123), CHAT_LINE_MESSAGE, "bob", "é 漢字 😀");
  append (log, room, G_GINT64_CONSTANT (1764150000456), CHAT_LINE_OWN, "me", "mine");
  append (log, room, G_GINT64_CONSTANT (1764150000789), CHAT_LINE_INFO, NULL, "not logged");
  append (log, room, G_GINT64_CONSTANT (1764150000790), CHAT_LINE_ERROR, NULL, "No window 9");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "not logged"));
  g_assert_null (strstr (contents, "No window 9"));
  g_assert_nonnull (strstr (contents, "2025-11-26T09:40:00.123Z\tmsg\tbob\té 漢字 😀\n"));

  /* a damaged file: bad lines are skipped, good ones kept */
  file = g_fopen (path, "a");
  fputs ("garbage without tabs\nnot-a-date\tmsg\tx\ty\n2025-11-26T09:40:01.000Z\tbogus\tx\ty\n\xff\xfe\n", file);
  /* an error an earlier version logged is not replayed */
  fputs ("2025-11-26T09:40:02.000Z\terror\t\tCannot connect to ws://nowhere:1\n", file);
  fclose (file);
  chat_log_reload (log, reloaded, 200);
  g_assert_cmpuint (reloaded->lines->len, ==, 2);
  line = g_ptr_array_index (reloaded->lines, 0);
  g_assert_cmpint (line->ts, ==, G_GINT64_CONSTANT (1764150000123));
  g_assert_cmpint (line->kind, ==, CHAT_LINE_MESSAGE);
  g_assert_cmpstr (line->nick, ==, "bob");
  g_assert_cmpstr (line->text, ==, "é 漢字 😀");
  g_assert_cmpint (((ChatLine *) g_ptr_array_index (reloaded->lines, 1))->kind, ==, CHAT_LINE_OWN);

  /* only the last lines come back */
  g_unlink (path);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("line %d", i);

      append (log, room, G_GINT64_CONSTANT (1764150000000) + i, CHAT_LINE_MESSAGE, "bob", text);
    }
  g_ptr_array_set_size (reloaded->lines, 0);
  chat_log_reload (log, reloaded, 2);
  g_assert_cmpuint (reloaded->lines->len, ==, 2);
  g_assert_cmpstr (((ChatLine *) g_ptr_array_index (reloaded->lines, 0))->text, ==, "line 3");
  g_assert_cmpstr (((ChatLine *) g_ptr_array_index (reloaded->lines, 1))->text, ==, "line 4");

  /* a log of many blocks: only its end is read, line boundaries kept */
  file = g_fopen (path, "a");
  for (int i = 5; i < 20000; i++)
    fprintf (file, "2025-11-26T09:40:02.000Z\tmsg\tbob\tline %d\n", i);
  fclose (file);
  g_ptr_array_set_size (reloaded->lines, 0);
  chat_log_reload (log, reloaded, 200);
  g_assert_cmpuint (reloaded->lines->len, ==, 200);
  g_assert_cmpstr (((ChatLine *) g_ptr_array_index (reloaded->lines, 0))->text, ==, "line 19800");
  g_assert_cmpstr (((ChatLine *) g_ptr_array_index (reloaded->lines, 199))->text, ==, "line 19999");

  g_unlink (path);
  g_rmdir (dir);
}

/* /me lines are logged as such and come back as such; a line on screen
 * keeps what a peer accepts, no more (one limit: the protocol's). */
static void
test_log_actions_and_limit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("anychat-log-XXXXXX", NULL);
  g_autoptr(ChatLog) log = chat_log_new (dir);
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "me");
  ChatWindow *room = chat_model_get_room (model);
  g_autofree char *path = g_build_filename (dir, "room.log", NULL);
  g_autofree char *big = g_strnfill (2 * CHAT_MAX_TEXT_BYTES, 'x');
  ChatLine *line = chat_line_new (G_GINT64_CONSTANT (1764150000123), CHAT_LINE_MESSAGE, "bob", "waves");

  line->action = TRUE;
  chat_log_append (log, room, line);
  line->kind = CHAT_LINE_OWN;
  chat_log_append (log, room, line);
  chat_line_free (line);
  chat_log_reload (log, room, 10);
  g_assert_cmpuint (room->lines->len, ==, 2);
  line = g_ptr_array_index (room->lines, 0);
  g_assert_true (line->action);
  g_assert_cmpint (line->kind, ==, CHAT_LINE_MESSAGE);
  line = g_ptr_array_index (room->lines, 1);
  g_assert_true (line->action);
  g_assert_cmpint (line->kind, ==, CHAT_LINE_OWN);

  line = chat_window_add_line (model, room, 1, CHAT_LINE_OWN, "me", big);
  g_assert_cmpuint (strlen (line->text), ==, CHAT_MAX_TEXT_BYTES);
  g_unlink (path);
  g_rmdir (dir);
}

/* A line that names us: highlighted, counted apart, rings; a private
 * message rings too. Not "banana" for "ana". */
static void
test_mentions (void)
{
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "Ana");
  ChatPeer *bob = chat_model_ensure_peer (model, BOB_ID);
  ChatWindow *dev = chat_model_open_room (model, "#dev");
  ChatWindow *query = chat_model_open_window (model, bob);
  ChatLine *line;

  g_assert_true (chat_text_mentions ("ana: look", "Ana"));
  g_assert_true (chat_text_mentions ("hey @ANA, see", "Ana"));
  g_assert_true (chat_text_mentions ("and ana", "ana"));
  g_assert_true (chat_text_mentions ("é ana é", "ana"));
  g_assert_false (chat_text_mentions ("banana", "ana"));
  g_assert_false (chat_text_mentions ("anaïs", "ana"));
  g_assert_false (chat_text_mentions ("ana_b", "ana"));
  g_assert_false (chat_text_mentions ("x", ""));

  chat_window_add_line (model, dev, 1, CHAT_LINE_MESSAGE, "bob", "nothing for you");
  g_assert_cmpuint (model->bells, ==, 0);
  line = chat_window_add_line (model, dev, 2, CHAT_LINE_MESSAGE, "bob", "ana, the build is red");
  g_assert_true (line->mention);
  g_assert_cmpuint (dev->unread, ==, 2);
  g_assert_cmpuint (dev->mentions, ==, 1);
  g_assert_cmpuint (model->bells, ==, 1);
  /* our own line naming us, an event: nothing */
  line = chat_window_add_line (model, dev, 3, CHAT_LINE_OWN, "Ana", "Ana is here");
  g_assert_false (line->mention);
  chat_window_add_line (model, dev, 4, CHAT_LINE_EVENT, NULL, "Ana joined");
  g_assert_cmpuint (model->bells, ==, 1);
  /* a private message rings, named or not */
  chat_window_add_line (model, query, 5, CHAT_LINE_MESSAGE, "bob", "psst");
  g_assert_cmpuint (model->bells, ==, 2);
  chat_model_set_active (model, chat_model_window_index (model, dev));
  g_assert_cmpuint (dev->unread, ==, 0);
  g_assert_cmpuint (dev->mentions, ==, 0);
}

static void
test_rooms_and_topics (void)
{
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "me");
  ChatPeer *bob = chat_model_ensure_peer (model, BOB_ID);
  ChatWindow *dev = chat_model_open_room (model, "#dev");
  const char * const in_dev[] = { "#dev", NULL };
  g_auto(GStrv) own = NULL;

  g_assert_true (chat_model_open_room (model, "#dev") == dev);
  g_assert_true (chat_model_find_room (model, NULL) == chat_model_get_room (model));
  g_assert_null (chat_model_find_room (model, "#ops"));
  g_assert_cmpstr (dev->log_key, ==, "room-dev");
  g_assert_cmpstr (dev->name, ==, "#dev");
  /* a room window is not a private one */
  g_assert_null (chat_model_find_window (model, NULL));
  own = chat_model_dup_own_rooms (model);
  g_assert_true (g_strv_equal ((const char * const *) own, in_dev));

  g_assert_true (chat_peer_in_room (bob, NULL));
  g_assert_false (chat_peer_in_room (bob, "#dev"));
  bob->rooms = g_strdupv ((char **) in_dev);
  g_assert_true (chat_peer_in_room (bob, "#dev"));

  /* the newest topic wins, whatever order they come in */
  g_assert_true (chat_model_set_topic (model, "#dev", "bob", "second", 20));
  g_assert_false (chat_model_set_topic (model, "#dev", "bea", "first", 10));
  g_assert_cmpstr (chat_model_get_topic (model, "#dev")->text, ==, "second");
  g_assert_null (chat_model_get_topic (model, NULL));
  g_assert_true (chat_model_set_topic (model, NULL, "bob", "lobby", 1));
  g_assert_cmpstr (chat_model_get_topic (model, NULL)->text, ==, "lobby");
  /* topics of made-up rooms: bounded */
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *room = g_strdup_printf ("#r%d", i);

      chat_model_set_topic (model, room, "x", "y", 1);
    }
  g_assert_cmpuint (g_hash_table_size (model->topics), <=, 256);
  g_assert_true (chat_model_set_topic (model, "#dev", "bob", "still updated", 30));
}

static void
test_search_clear_ignore (void)
{
  g_autoptr(ChatModel) model = chat_model_new (OWN_ID, "me");
  ChatWindow *room = chat_model_get_room (model);

  chat_window_add_line (model, room, 1, CHAT_LINE_MESSAGE, "bob", "the Deploy starts");
  chat_window_add_line (model, room, 2, CHAT_LINE_MESSAGE, "bea", "coffee");
  chat_window_add_line (model, room, 3, CHAT_LINE_INFO, NULL, "deploy (command output: not searched)");
  chat_window_add_line (model, room, 4, CHAT_LINE_OWN, "me", "deploy done");
  g_assert_true (chat_window_search (room, "deploy", FALSE));
  g_assert_cmpuint (room->found, ==, 4);
  g_assert_true (room->jump);
  g_assert_true (chat_window_search (room, "deploy", FALSE));
  g_assert_cmpuint (room->found, ==, 1);
  g_assert_false (chat_window_search (room, "deploy", FALSE));   /* none further up */
  g_assert_cmpuint (room->found, ==, 0);
  g_assert_true (chat_window_search (room, "deploy", FALSE));    /* from the bottom again */
  g_assert_cmpuint (room->found, ==, 4);
  g_assert_true (chat_window_search (room, "deploy", FALSE));
  g_assert_true (chat_window_search (room, "deploy", TRUE));     /* N: back down */
  g_assert_cmpuint (room->found, ==, 4);
  g_assert_true (chat_window_search (room, "BEA", FALSE));       /* a nick, a new search */
  g_assert_cmpuint (room->found, ==, 2);

  /* the line found stays the line found when old lines go */
  for (int i = 0; i < 2000; i++)
    chat_window_add_line (model, room, 10 + i, CHAT_LINE_MESSAGE, "bea", "filler");
  g_assert_cmpuint (room->lines->len, ==, 2000);
  g_assert_cmpuint (room->found, ==, 0);   /* bea's line went */
  chat_window_add_line (model, room, 3000, CHAT_LINE_MESSAGE, "bob", "the needle");
  g_assert_true (chat_window_search (room, "needle", FALSE));
  chat_window_add_line (model, room, 3001, CHAT_LINE_MESSAGE, "bea", "filler");
  g_assert_cmpstr (((ChatLine *) g_ptr_array_index (room->lines, room->found - 1))->text, ==, "the needle");

  chat_window_clear (model, room);
  g_assert_cmpuint (room->lines->len, ==, 0);
  g_assert_cmpuint (room->found, ==, 0);
  g_assert_false (chat_window_search (room, "deploy", FALSE));

  g_ptr_array_add (model->ignored, g_strdup ("Bob"));
  g_ptr_array_add (model->ignored, g_strdup ("0123456789abcdef0123456789abcdef"));
  g_assert_true (chat_model_is_ignored (model, "bob", NULL));
  g_assert_true (chat_model_is_ignored (model, "renamed", "0123456789abcdef0123456789abcdef"));
  g_assert_false (chat_model_is_ignored (model, "bea", NULL));
  g_assert_false (chat_model_is_ignored (model, NULL, NULL));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chat-model/find-peer", test_find_peer);
  g_test_add_func ("/chat-model/windows-and-unread", test_windows_and_unread);
  g_test_add_func ("/chat-model/lines", test_lines);
  g_test_add_func ("/chat-model/log-round-trip", test_log_round_trip);
  g_test_add_func ("/chat-model/log-actions-and-limit", test_log_actions_and_limit);
  g_test_add_func ("/chat-model/mentions", test_mentions);
  g_test_add_func ("/chat-model/rooms-and-topics", test_rooms_and_topics);
  g_test_add_func ("/chat-model/search-clear-ignore", test_search_clear_ignore);
  return g_test_run ();
}

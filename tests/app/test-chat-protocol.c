/* test-chat-protocol.c: anychat's JSON chat protocol, without sockets
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>

#include "chat-protocol.h"
#include "chat-text.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static ChatMessage *
decode (const char *json,
        GError    **error)
{
  g_autoptr(JsonNode) node = parse (json);

  return chat_message_decode (node, error);
}

static ChatMessage *
round_trip (const ChatMessage *msg)
{
  g_autoptr(JsonNode) node = chat_message_encode (msg);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(GError) error = NULL;
  ChatMessage *back = decode (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

static void
test_room_round_trip (void)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_ROOM);
  g_autoptr(ChatMessage) back = NULL;

  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (ID_A);
  msg->nick = g_strdup ("alice");
  msg->text = g_strdup ("é 漢字 😀");
  msg->ts = G_GINT64_CONSTANT (1764150000123);
  back = round_trip (msg);
  g_assert_cmpint (back->kind, ==, CHAT_KIND_ROOM);
  g_assert_cmpstr (back->mid, ==, msg->mid);
  g_assert_cmpstr (back->from, ==, ID_A);
  g_assert_cmpstr (back->nick, ==, "alice");
  g_assert_cmpstr (back->text, ==, "é 漢字 😀");
  g_assert_cmpint (back->ts, ==, msg->ts);
  g_assert_cmpint (back->ttl, ==, CHAT_DEFAULT_TTL);
}

static void
test_hello_round_trip (void)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_HELLO);
  g_autoptr(ChatMessage) back = NULL;
  ChatPeerInfo *info;

  msg->nick = g_strdup ("bob");
  msg->uid = g_strdup (ID_B);
  chat_message_add_peer (msg, ID_A, "alice", ID_B, NULL);
  back = round_trip (msg);
  g_assert_cmpint (back->kind, ==, CHAT_KIND_HELLO);
  g_assert_cmpint (back->version, ==, 1);
  g_assert_cmpstr (back->nick, ==, "bob");
  g_assert_cmpstr (back->uid, ==, ID_B);
  g_assert_cmpuint (back->peers->len, ==, 1);
  info = g_ptr_array_index (back->peers, 0);
  g_assert_cmpstr (info->id, ==, ID_A);
  g_assert_cmpstr (info->nick, ==, "alice");
  g_assert_cmpstr (info->hub, ==, ID_B);
  g_assert_null (info->uid);
}

static void
test_presence_and_private (void)
{
  g_autoptr(ChatMessage) nick = chat_message_new (CHAT_KIND_PRESENCE);
  g_autoptr(ChatMessage) private = chat_message_new (CHAT_KIND_PRIVATE);
  g_autoptr(ChatMessage) receipt = chat_message_new (CHAT_KIND_RECEIPT);
  g_autoptr(ChatMessage) back = NULL;

  nick->mid = chat_message_new_mid ();
  nick->from = g_strdup (ID_A);
  nick->nick = g_strdup ("alicia");
  nick->old = g_strdup ("alice");
  nick->presence = CHAT_PRESENCE_NICK;
  back = round_trip (nick);
  g_assert_cmpint (back->presence, ==, CHAT_PRESENCE_NICK);
  g_assert_cmpstr (back->old, ==, "alice");
  g_clear_pointer (&back, chat_message_free);

  private->mid = chat_message_new_mid ();
  private->nick = g_strdup ("alice");
  private->text = g_strdup ("secret");
  back = round_trip (private);
  g_assert_cmpint (back->kind, ==, CHAT_KIND_PRIVATE);
  g_assert_cmpstr (back->text, ==, "secret");
  g_clear_pointer (&back, chat_message_free);

  receipt->mid = g_strdup (private->mid);
  back = round_trip (receipt);
  g_assert_cmpint (back->kind, ==, CHAT_KIND_RECEIPT);
  g_assert_cmpstr (back->mid, ==, private->mid);
}

/* What a JavaScript bot sends: Date.now() as a double, no ttl. */
static void
test_javascript_numbers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChatMessage) msg = decode ("{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\","
                                       "\"nick\":\"bot\",\"text\":\"hi\",\"ts\":1764150000123.0}", &error);

  g_assert_no_error (error);
  g_assert_cmpint (msg->ts, ==, G_GINT64_CONSTANT (1764150000123));
  g_assert_cmpint (msg->ttl, ==, CHAT_DEFAULT_TTL);
}

static void
test_garbage (void)
{
  static const char * const bad[] = {
    "[1,2,3]",
    "{\"chat\": 7}",
    "{\"chat\": \"dance\"}",
    "{\"chat\": \"room\"}",
    "{\"chat\": \"room\", \"mid\": \"short\", \"from\": \"" ID_A "\", \"nick\": \"a\", \"text\": \"x\"}",
    "{\"chat\": \"room\", \"mid\": \"" ID_B "\", \"from\": \"" ID_A "\", \"nick\": \"a\", \"text\": 5}",
    "{\"chat\": \"room\", \"mid\": \"" ID_B "\", \"from\": \"" ID_A "\", \"nick\": \"\", \"text\": \"x\"}",
    "{\"chat\": \"room\", \"mid\": \"" ID_B "\", \"from\": \"" ID_A "\", \"nick\": \"a\", \"text\": \"x\", \"ttl\": 0}",
    "{\"chat\": \"room\", \"mid\": \"" ID_B "\", \"from\": \"" ID_A "\", \"nick\": \"a\", \"text\": \"x\", \"ts\": \"soon\"}",
    "{\"chat\": \"room\", \"mid\": \"" ID_B "\", \"from\": \"" ID_A "\", \"nick\": \"a\", \"text\": \"x\", \"ts\": 1e300}",
    "{\"chat\": \"presence\", \"mid\": \"" ID_B "\", \"from\": \"" ID_A "\", \"nick\": \"a\", \"event\": \"fly\"}",
    "{\"chat\": \"presence\", \"mid\": \"" ID_B "\", \"from\": \"" ID_A "\", \"nick\": \"a\", \"event\": \"nick\"}",
    "{\"chat\": \"hello\", \"v\": 1, \"nick\": \"a\", \"peers\": {}}",
    "{\"chat\": \"hello\", \"v\": 1, \"nick\": \"a\", \"peers\": [{\"id\": \"nope\", \"nick\": \"b\"}]}",
    "{\"chat\": \"hello\", \"nick\": \"a\"}",
    "{\"chat\": \"private\", \"mid\": \"" ID_B "\", \"nick\": \"a\"}",
    "{\"chat\": \"receipt\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ChatMessage) msg = decode (bad[i], &error);

      if (msg != NULL)
        g_error ("accepted: %s", bad[i]);
      g_assert_nonnull (error);
    }
}

/* Escape sequences and newlines would reprogram the terminal or break
 * a log line, bidirectional overrides would reorder it: they never get
 * through. A nick with any of them is refused (it names someone). */
static void
test_sanitize (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChatMessage) msg = decode ("{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\","
                                       "\"nick\":\" evil nick \",\"text\":\"a\\u001b[2Jb\\nc\\td"
                                       " \\u202egnp.exe \\u2066x\\u2069 \\u200f\"}", &error);
  static const char * const bad_nicks[] = { "evil\\u001b", "ana\\u202e", "\\u2067bob", "x\\u200ey", "tab\\tbed" };

  g_assert_no_error (error);
  g_assert_null (strchr (msg->text, '\033'));
  g_assert_null (strchr (msg->text, '\n'));
  g_assert_null (strchr (msg->text, '\t'));
  g_assert_true (g_str_has_prefix (msg->text, "a"));
  for (const char *p = msg->text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (chat_char_is_hostile (g_utf8_get_char (p)) && g_utf8_get_char (p) != '\t');
  g_assert_nonnull (strstr (msg->text, "\xef\xbf\xbdgnp.exe"));   /* U+FFFD where U+202E was */
  g_assert_null (strchr (msg->nick, ' '));

  for (guint i = 0; i < G_N_ELEMENTS (bad_nicks); i++)
    {
      g_autoptr(GError) refused = NULL;
      g_autofree char *json = g_strdup_printf ("{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\","
                                               "\"nick\":\"%s\",\"text\":\"hi\"}", bad_nicks[i]);
      g_autoptr(ChatMessage) spoof = decode (json, &refused);

      if (spoof != NULL)
        g_error ("nick accepted: %s", bad_nicks[i]);
      g_assert_error (refused, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
  g_assert_null (chat_nick_sanitize ("ana\u202E"));
  {
    g_autofree char *joined = chat_nick_sanitize ("two words");

    g_assert_cmpstr (joined, ==, "two_words");
  }

  /* each control character becomes U+FFFD, 3 bytes for 1: the limit is
   * on what comes out (found by tests/fuzz) */
  {
    g_autofree char *controls = g_strnfill (40, '\v');
    g_autofree char *clean = chat_text_sanitize (controls, CHAT_MAX_NICK_BYTES);

    g_assert_cmpuint (strlen (clean), <=, CHAT_MAX_NICK_BYTES);
    g_assert_cmpuint (strlen (clean), >=, CHAT_MAX_NICK_BYTES - 2);
  }
}

static void
test_ttl (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChatMessage) big = decode ("{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\","
                                       "\"nick\":\"a\",\"text\":\"x\",\"ttl\":1000}", &error);
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_ROOM);
  guint hops = 0;

  g_assert_no_error (error);
  g_assert_cmpint (big->ttl, ==, CHAT_MAX_TTL);
  while (chat_message_hop (msg))
    hops++;
  /* ttl 8: seven more hops after the first link */
  g_assert_cmpuint (hops, ==, CHAT_DEFAULT_TTL - 1);
  g_assert_cmpint (msg->ttl, ==, 1);
  g_assert_false (chat_message_hop (msg));
}

static void
test_dedupe (void)
{
  g_autoptr(ChatSeen) seen = chat_seen_new (4);
  g_autofree char *first = chat_message_new_mid ();

  g_assert_true (chat_seen_add (seen, first));
  g_assert_false (chat_seen_add (seen, first));
  g_assert_true (chat_seen_has (seen, first));
  /* four more push the first out of the ring: memory stays bounded */
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *mid = chat_message_new_mid ();

      g_assert_true (chat_seen_add (seen, mid));
      g_assert_false (chat_seen_add (seen, mid));
    }
  g_assert_false (chat_seen_has (seen, first));
  g_assert_true (chat_seen_add (seen, first));
}

static void
test_mid (void)
{
  g_autofree char *a = chat_message_new_mid ();
  g_autofree char *b = chat_message_new_mid ();

  g_assert_true (chat_id_is_valid (a));
  g_assert_cmpstr (a, !=, b);
  g_assert_false (chat_id_is_valid ("0123456789ABCDEF0123456789ABCDEF"));
  g_assert_false (chat_id_is_valid (NULL));
}

/* Rooms (issue 16): a plain "room" member, absent for the default room,
 * so that what a bot sends (no room) still lands in the default room. */
static void
test_rooms (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChatMessage) bot = decode ("{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\","
                                       "\"nick\":\"jsbot\",\"text\":\"hi\",\"ts\":1764150000123.0}", &error);
  g_autoptr(ChatMessage) dev = decode ("{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\","
                                       "\"nick\":\"a\",\"text\":\"waves\",\"room\":\"#Dev\",\"me\":true}", &error);
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_ROOM);
  g_autoptr(ChatMessage) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char * const bad[] = {
    "{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\",\"nick\":\"a\",\"text\":\"x\",\"room\":\"#a b\"}",
    "{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\",\"nick\":\"a\",\"text\":\"x\",\"room\":\"#\"}",
    "{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\",\"nick\":\"a\",\"text\":\"x\",\"room\":\"#../x\"}",
    "{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\",\"nick\":\"a\",\"text\":\"x\",\"room\":7}",
    "{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\",\"nick\":\"a\",\"text\":\"x\",\"me\":\"yes\"}",
    "{\"chat\":\"room\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\",\"nick\":\"a\",\"text\":\"x\","
      "\"room\":\"#0123456789012345678901234567890123\"}",
  };

  g_assert_no_error (error);
  g_assert_null (bot->room);
  g_assert_false (bot->action);
  g_assert_cmpstr (dev->room, ==, "#dev");
  g_assert_true (dev->action);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(ChatMessage) refused = decode (bad[i], &local_error);

      g_assert_null (refused);
      g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }

  /* the default room's messages carry no "room", nor "me" unless /me */
  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (ID_A);
  msg->nick = g_strdup ("a");
  msg->text = g_strdup ("x");
  node = chat_message_encode (msg);
  g_assert_false (json_object_has_member (json_node_get_object (node), "room"));
  g_assert_false (json_object_has_member (json_node_get_object (node), "me"));
  msg->room = g_strdup ("#dev");
  msg->action = TRUE;
  back = round_trip (msg);
  g_assert_cmpstr (back->room, ==, "#dev");
  g_assert_true (back->action);
}

static void
test_room_names (void)
{
  const char * const good[][2] = {
    { "dev", "#dev" }, { "#Dev", "#dev" }, { "#café-2_x", "#café-2_x" }, { "#ÉTÉ", "#été" },
  };
  const char * const bad[] = { "", "#", "# x", "#a/b", "#a.b", "#a\u202eb", "##a",
                               "#01234567890123456789012345678901" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *room = chat_room_normalize (good[i][0]);

      g_assert_cmpstr (room, ==, good[i][1]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *room = chat_room_normalize (bad[i]);

      if (room != NULL)
        g_error ("“%s” taken as a room: %s", bad[i], room);
    }
}

/* A topic travels like a room message; rooms, away and back as presence;
 * hellos carry them to a newcomer. */
static void
test_topic_away_rooms (void)
{
  g_autoptr(ChatMessage) topic = chat_message_new (CHAT_KIND_TOPIC);
  g_autoptr(ChatMessage) away = chat_message_new (CHAT_KIND_PRESENCE);
  g_autoptr(ChatMessage) rooms = chat_message_new (CHAT_KIND_PRESENCE);
  g_autoptr(ChatMessage) hello = chat_message_new (CHAT_KIND_HELLO);
  g_autoptr(ChatMessage) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ChatMessage) too_many = NULL;
  g_autoptr(GString) json = g_string_new ("{\"chat\":\"presence\",\"mid\":\"" ID_B "\",\"from\":\"" ID_A "\","
                                          "\"nick\":\"a\",\"event\":\"rooms\",\"rooms\":[");
  const char * const two[] = { "#dev", "#ops", NULL };

  topic->mid = chat_message_new_mid ();
  topic->from = g_strdup (ID_A);
  topic->nick = g_strdup ("a");
  topic->room = g_strdup ("#dev");
  topic->text = g_strdup ("release on friday");
  topic->ts = 5;
  back = round_trip (topic);
  g_assert_cmpint (back->kind, ==, CHAT_KIND_TOPIC);
  g_assert_cmpstr (back->room, ==, "#dev");
  g_assert_cmpstr (back->text, ==, "release on friday");
  g_clear_pointer (&back, chat_message_free);

  away->mid = chat_message_new_mid ();
  away->from = g_strdup (ID_A);
  away->nick = g_strdup ("a");
  away->presence = CHAT_PRESENCE_AWAY;
  away->text = g_strdup ("lunch");
  back = round_trip (away);
  g_assert_cmpint (back->presence, ==, CHAT_PRESENCE_AWAY);
  g_assert_cmpstr (back->text, ==, "lunch");
  g_clear_pointer (&back, chat_message_free);

  rooms->mid = chat_message_new_mid ();
  rooms->from = g_strdup (ID_A);
  rooms->nick = g_strdup ("a");
  rooms->presence = CHAT_PRESENCE_ROOMS;
  rooms->rooms = g_strdupv ((char **) two);
  back = round_trip (rooms);
  g_assert_cmpint (back->presence, ==, CHAT_PRESENCE_ROOMS);
  g_assert_true (g_strv_equal ((const char * const *) back->rooms, two));
  g_clear_pointer (&back, chat_message_free);

  /* a peer is in at most CHAT_MAX_ROOMS rooms */
  for (int i = 0; i <= CHAT_MAX_ROOMS; i++)
    g_string_append_printf (json, "%s\"#r%d\"", i > 0 ? "," : "", i);
  g_string_append (json, "]}");
  too_many = decode (json->str, &error);
  g_assert_null (too_many);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  hello->nick = g_strdup ("a");
  hello->away = g_strdup ("");
  hello->rooms = g_strdupv ((char **) two);
  chat_message_add_topic (hello, NULL, "b", "the default room's topic", 7);
  chat_message_add_topic (hello, "#dev", "c", "release", 8);
  chat_message_add_peer (hello, ID_B, "b", ID_A, NULL);
  chat_message_last_peer (hello)->away = g_strdup ("gone fishing");
  chat_message_last_peer (hello)->rooms = g_strdupv ((char **) two);
  back = round_trip (hello);
  g_assert_cmpstr (back->away, ==, "");
  g_assert_true (g_strv_equal ((const char * const *) back->rooms, two));
  g_assert_cmpuint (back->topics->len, ==, 2);
  g_assert_null (((ChatTopicInfo *) g_ptr_array_index (back->topics, 0))->room);
  g_assert_cmpstr (((ChatTopicInfo *) g_ptr_array_index (back->topics, 1))->room, ==, "#dev");
  g_assert_cmpstr (((ChatTopicInfo *) g_ptr_array_index (back->topics, 1))->text, ==, "release");
  g_assert_cmpint (((ChatTopicInfo *) g_ptr_array_index (back->topics, 1))->ts, ==, 8);
  g_assert_cmpstr (chat_message_last_peer (back)->away, ==, "gone fishing");
  g_assert_true (g_strv_equal ((const char * const *) chat_message_last_peer (back)->rooms, two));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chat-protocol/room", test_room_round_trip);
  g_test_add_func ("/chat-protocol/hello", test_hello_round_trip);
  g_test_add_func ("/chat-protocol/presence-private-receipt", test_presence_and_private);
  g_test_add_func ("/chat-protocol/javascript-numbers", test_javascript_numbers);
  g_test_add_func ("/chat-protocol/garbage", test_garbage);
  g_test_add_func ("/chat-protocol/sanitize", test_sanitize);
  g_test_add_func ("/chat-protocol/ttl", test_ttl);
  g_test_add_func ("/chat-protocol/dedupe", test_dedupe);
  g_test_add_func ("/chat-protocol/mid", test_mid);
  g_test_add_func ("/chat-protocol/rooms", test_rooms);
  g_test_add_func ("/chat-protocol/room-names", test_room_names);
  g_test_add_func ("/chat-protocol/topic-away-rooms", test_topic_away_rooms);
  return g_test_run ();
}

/* fuzz-chat.c: anychat's chat protocol (app/chat-protocol.c)
 *
 * The input is JSON from a peer. A message that decodes has text and
 * nicks that are safe to draw (valid UTF-8, no control characters: an
 * escape sequence could reprogram the terminal) and within their limits,
 * and encoding it and decoding that again gives the same encoding.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "chat-protocol.h"
#include "fuzz.h"

static void
assert_drawable (const char *text,
                 gsize       max_bytes)
{
  if (text == NULL)
    return;
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpuint (strlen (text), <=, max_bytes);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

/* Room names are names of log files too: "#", then letters, digits,
 * "-" and "_" only, at most 32 bytes in all, at most 32 of them. */
static void
assert_room (const char *room)
{
  if (room == NULL)
    return;
  assert_drawable (room, CHAT_MAX_ROOM_BYTES);
  g_assert_true (room[0] == '#' && room[1] != '\0');
  for (const char *p = room + 1; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_true (g_unichar_isalnum (g_utf8_get_char (p)) || *p == '-' || *p == '_');
}

static void
assert_rooms (const char *room,
              GStrv       rooms)
{
  assert_room (room);
  g_assert_true (rooms == NULL || g_strv_length (rooms) <= CHAT_MAX_ROOMS);
  for (guint i = 0; rooms != NULL && rooms[i] != NULL; i++)
    assert_room (rooms[i]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(ChatMessage) msg = NULL;
  g_autoptr(ChatMessage) again = NULL;
  g_autoptr(JsonNode) encoded = NULL;
  g_autoptr(JsonNode) encoded_again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL || !chat_message_is_chat (root))
    return 0;
  msg = chat_message_decode (root, &error);
  if (msg == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  assert_drawable (msg->nick, CHAT_MAX_NICK_BYTES);
  assert_drawable (msg->old, CHAT_MAX_NICK_BYTES);
  assert_drawable (msg->text, CHAT_MAX_TEXT_BYTES);
  assert_drawable (msg->away, CHAT_MAX_AWAY_BYTES);
  assert_rooms (msg->room, msg->rooms);
  for (guint i = 0; msg->peers != NULL && i < msg->peers->len; i++)
    {
      ChatPeerInfo *info = g_ptr_array_index (msg->peers, i);

      assert_drawable (info->nick, CHAT_MAX_NICK_BYTES);
      assert_drawable (info->away, CHAT_MAX_AWAY_BYTES);
      assert_rooms (NULL, info->rooms);
    }
  for (guint i = 0; msg->topics != NULL && i < msg->topics->len; i++)
    {
      ChatTopicInfo *info = g_ptr_array_index (msg->topics, i);

      assert_drawable (info->text, CHAT_MAX_TOPIC_BYTES);
      assert_rooms (info->room, NULL);
    }

  encoded = chat_message_encode (msg);
  again = chat_message_decode (encoded, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  encoded_again = chat_message_encode (again);
  text = json_to_string (encoded, FALSE);
  text_again = json_to_string (encoded_again, FALSE);
  g_assert_cmpstr (text, ==, text_again);
  return 0;
}

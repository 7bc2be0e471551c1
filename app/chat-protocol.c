/* chat-protocol.c: anychat's JSON messages on LINK packets
 *
 * Pure functions over JsonNode: no socket, no model. Everything that
 * comes from the network is checked here once (types, lengths, ids,
 * ttl) and made safe to draw, so the rest of the app can trust a
 * ChatMessage. The README's "anychat" section is the reference.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <string.h>

#include "chat-protocol.h"
#include "chat-text.h"

static const char * const kind_names[] = {
  [CHAT_KIND_HELLO] = "hello",
  [CHAT_KIND_ROOM] = "room",
  [CHAT_KIND_PRESENCE] = "presence",
  [CHAT_KIND_PRIVATE] = "private",
  [CHAT_KIND_RECEIPT] = "receipt",
  [CHAT_KIND_TOPIC] = "topic",
};

static const char * const presence_names[] = {
  [CHAT_PRESENCE_JOIN] = "join",
  [CHAT_PRESENCE_LEAVE] = "leave",
  [CHAT_PRESENCE_NICK] = "nick",
  [CHAT_PRESENCE_AWAY] = "away",
  [CHAT_PRESENCE_BACK] = "back",
  [CHAT_PRESENCE_ROOMS] = "rooms",
};

ChatMessage *
chat_message_new (ChatKind kind)
{
  ChatMessage *msg = g_new0 (ChatMessage, 1);

  msg->kind = kind;
  msg->version = CHAT_PROTOCOL_VERSION;
  msg->ttl = CHAT_DEFAULT_TTL;
  return msg;
}

static void
chat_peer_info_free (ChatPeerInfo *info)
{
  g_free (info->id);
  g_free (info->nick);
  g_free (info->hub);
  g_free (info->uid);
  g_free (info->away);
  g_strfreev (info->rooms);
  g_free (info);
}

static void
chat_topic_info_free (ChatTopicInfo *info)
{
  g_free (info->room);
  g_free (info->nick);
  g_free (info->text);
  g_free (info);
}

void
chat_message_free (ChatMessage *msg)
{
  if (msg == NULL)
    return;
  g_free (msg->mid);
  g_free (msg->from);
  g_free (msg->nick);
  g_free (msg->text);
  g_free (msg->old);
  g_free (msg->hub);
  g_free (msg->uid);
  g_free (msg->room);
  g_free (msg->away);
  g_strfreev (msg->rooms);
  g_clear_pointer (&msg->peers, g_ptr_array_unref);
  g_clear_pointer (&msg->topics, g_ptr_array_unref);
  g_free (msg);
}

void
chat_message_add_peer (ChatMessage *msg,
                       const char  *id,
                       const char  *nick,
                       const char  *hub,
                       const char  *uid)
{
  ChatPeerInfo *info = g_new0 (ChatPeerInfo, 1);

  if (msg->peers == NULL)
    msg->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_peer_info_free);
  info->id = g_strdup (id);
  info->nick = g_strdup (nick);
  info->hub = g_strdup (hub);
  info->uid = g_strdup (uid);
  g_ptr_array_add (msg->peers, info);
}

/* The entry chat_message_add_peer() added last, to add its away text
 * and rooms. */
ChatPeerInfo *
chat_message_last_peer (ChatMessage *msg)
{
  return g_ptr_array_index (msg->peers, msg->peers->len - 1);
}

void
chat_message_add_topic (ChatMessage *msg,
                        const char  *room,
                        const char  *nick,
                        const char  *text,
                        gint64       ts)
{
  ChatTopicInfo *info = g_new0 (ChatTopicInfo, 1);

  if (msg->topics == NULL)
    msg->topics = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_topic_info_free);
  info->room = g_strdup (room);
  info->nick = g_strdup (nick);
  info->text = g_strdup (text);
  info->ts = ts;
  g_ptr_array_add (msg->topics, info);
}

/* "#name" in lower case, or NULL: a room's name is "#" and at most 31
 * bytes of letters, digits, "-" and "_" (so that it is also the name of
 * its log file). "dev" is taken for "#dev". */
char *
chat_room_normalize (const char *name)
{
  g_autofree char *lower = NULL;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return NULL;
  if (*name == '#')
    name++;
  if (*name == '\0' || strlen (name) + 1 > CHAT_MAX_ROOM_BYTES)
    return NULL;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c) && c != '-' && c != '_')
        return NULL;
    }
  lower = g_utf8_strdown (name, -1);
  if (strlen (lower) + 1 > CHAT_MAX_ROOM_BYTES)
    return NULL;
  return g_strconcat ("#", lower, NULL);
}

/* 32 lowercase hex characters, like an AnySocket id. */
char *
chat_message_new_mid (void)
{
  GString *mid = g_string_sized_new (33);

  for (int i = 0; i < 4; i++)
    g_string_append_printf (mid, "%08x", g_random_int ());
  return g_string_free (mid, FALSE);
}

gboolean
chat_id_is_valid (const char *id)
{
  gsize len = 0;

  if (id == NULL)
    return FALSE;
  for (; id[len] != '\0'; len++)
    if (!g_ascii_isxdigit (id[len]) || g_ascii_isupper (id[len]))
      return FALSE;
  return len == 32;
}

/* A nick is one word people can type after /msg: no spaces, no control
 * characters, not empty, short. */
/* @object's member @name when it is a string, else NULL (json-glib's
 * _with_default() getter returns NULL for a number: not for the wire). */
const char *
chat_json_string_member (JsonObject *object,
                         const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
chat_nick_sanitize (const char *nick)
{
  g_autofree char *valid = g_utf8_make_valid (nick, -1);
  g_autofree char *clean = NULL;

  /* A nick names someone on screen: one with control or bidirectional
   * formatting characters is refused, not shown with U+FFFD in it. */
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    if (chat_char_is_hostile (g_utf8_get_char (p)))
      return NULL;
  clean = chat_text_sanitize (valid, CHAT_MAX_NICK_BYTES);

  g_strstrip (clean);
  for (char *p = clean; *p != '\0'; p++)
    if (*p == ' ' || *p == '/')
      *p = '_';
  if (*clean == '\0')
    return NULL;
  return g_steal_pointer (&clean);
}

static void
set_optional (JsonObject *object,
              const char *name,
              const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
}

static void
set_rooms (JsonObject *object,
           GStrv       rooms)
{
  JsonArray *array;

  if (rooms == NULL)
    return;
  array = json_array_new ();
  for (guint i = 0; rooms[i] != NULL; i++)
    json_array_add_string_element (array, rooms[i]);
  json_object_set_array_member (object, "rooms", array);
}

static void
encode_topics (JsonObject        *object,
               const ChatMessage *msg)
{
  JsonArray *topics;

  if (msg->topics == NULL)
    return;
  topics = json_array_new ();
  for (guint i = 0; i < msg->topics->len; i++)
    {
      ChatTopicInfo *info = g_ptr_array_index (msg->topics, i);
      JsonObject *entry = json_object_new ();

      set_optional (entry, "room", info->room);
      json_object_set_string_member (entry, "nick", info->nick);
      json_object_set_string_member (entry, "text", info->text);
      json_object_set_int_member (entry, "ts", info->ts);
      json_array_add_object_element (topics, entry);
    }
  json_object_set_array_member (object, "topics", topics);
}

JsonNode *
chat_message_encode (const ChatMessage *msg)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "chat", kind_names[msg->kind]);
  switch (msg->kind)
    {
    case CHAT_KIND_HELLO:
      {
        JsonArray *peers = json_array_new ();

        json_object_set_int_member (object, "v", msg->version);
        json_object_set_string_member (object, "nick", msg->nick);
        set_optional (object, "uid", msg->uid);
        set_optional (object, "away", msg->away);
        set_rooms (object, msg->rooms);
        encode_topics (object, msg);
        for (guint i = 0; msg->peers != NULL && i < msg->peers->len; i++)
          {
            ChatPeerInfo *info = g_ptr_array_index (msg->peers, i);
            JsonObject *entry = json_object_new ();

            json_object_set_string_member (entry, "id", info->id);
            json_object_set_string_member (entry, "nick", info->nick);
            set_optional (entry, "hub", info->hub);
            set_optional (entry, "uid", info->uid);
            set_optional (entry, "away", info->away);
            set_rooms (entry, info->rooms);
            json_array_add_object_element (peers, entry);
          }
        json_object_set_array_member (object, "peers", peers);
      }
      break;
    case CHAT_KIND_ROOM:
    case CHAT_KIND_TOPIC:
    case CHAT_KIND_PRESENCE:
      json_object_set_string_member (object, "mid", msg->mid);
      json_object_set_string_member (object, "from", msg->from);
      json_object_set_string_member (object, "nick", msg->nick);
      if (msg->kind != CHAT_KIND_PRESENCE)
        {
          json_object_set_string_member (object, "text", msg->text);
          set_optional (object, "room", msg->room);
          if (msg->action)
            json_object_set_boolean_member (object, "me", TRUE);
          if (msg->relayed)
            json_object_set_boolean_member (object, "relayed", TRUE);
        }
      else
        {
          json_object_set_string_member (object, "event", presence_names[msg->presence]);
          set_optional (object, "old", msg->old);
          set_optional (object, msg->presence == CHAT_PRESENCE_AWAY ? "text" : "reason", msg->text);
          set_optional (object, "hub", msg->hub);
          set_optional (object, "uid", msg->uid);
          set_rooms (object, msg->rooms);
        }
      json_object_set_int_member (object, "ts", msg->ts);
      json_object_set_int_member (object, "ttl", msg->ttl);
      break;
    case CHAT_KIND_PRIVATE:
      json_object_set_string_member (object, "mid", msg->mid);
      json_object_set_string_member (object, "nick", msg->nick);
      json_object_set_string_member (object, "text", msg->text);
      if (msg->action)
        json_object_set_boolean_member (object, "me", TRUE);
      json_object_set_int_member (object, "ts", msg->ts);
      break;
    case CHAT_KIND_RECEIPT:
      json_object_set_string_member (object, "mid", msg->mid);
      break;
    }
  json_node_init_object (node, object);
  return node;
}

gboolean
chat_message_is_chat (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
         json_object_has_member (json_node_get_object (node), "chat");
}

static gboolean
invalid (GError    **error,
         const char *member)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("bad or missing “%s”"), member);
  return FALSE;
}

/* A string member: must be there unless @optional, and be a string. */
static gboolean
get_string (JsonObject  *object,
            const char  *name,
            gboolean     optional,
            const char **value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return optional ? TRUE : invalid (error, name);
  *value = chat_json_string_member (object, name);
  return *value != NULL || invalid (error, name);
}

static gboolean
get_id (JsonObject  *object,
        const char  *name,
        gboolean     optional,
        char       **value,
        GError     **error)
{
  const char *id;

  if (!get_string (object, name, optional, &id, error))
    return FALSE;
  if (id != NULL && !chat_id_is_valid (id))
    return invalid (error, name);
  *value = g_strdup (id);
  return TRUE;
}

static gboolean
get_nick (JsonObject  *object,
          const char  *name,
          gboolean     optional,
          char       **value,
          GError     **error)
{
  const char *nick;

  if (!get_string (object, name, optional, &nick, error))
    return FALSE;
  if (nick == NULL)
    return TRUE;
  *value = chat_nick_sanitize (nick);
  return *value != NULL ? TRUE : invalid (error, name);
}

/* Text made safe to draw and cut to @max_bytes (a leave's "reason" to
 * what a WebSocket close frame carries: it is usually one). */
static gboolean
get_text (JsonObject  *object,
          const char  *name,
          gboolean     optional,
          gsize        max_bytes,
          char       **value,
          GError     **error)
{
  const char *text;

  if (!get_string (object, name, optional, &text, error))
    return FALSE;
  if (text != NULL)
    *value = chat_text_sanitize (text, max_bytes);
  return TRUE;
}

static gboolean
get_room (JsonObject  *object,
          char       **value,
          GError     **error)
{
  const char *room;

  if (!get_string (object, "room", TRUE, &room, error))
    return FALSE;
  if (room == NULL)
    return TRUE;
  *value = chat_room_normalize (room);
  return *value != NULL || invalid (error, "room");
}

/* @name: true, or nothing */
static gboolean
get_flag (JsonObject *object,
          const char *name,
          gboolean   *value,
          GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return invalid (error, name);
  *value = json_node_get_boolean (node);
  return TRUE;
}

/* "me": true, or nothing */
static gboolean
get_action (JsonObject *object,
            gboolean   *value,
            GError    **error)
{
  return get_flag (object, "me", value, error);
}

static gboolean
get_rooms (JsonObject *object,
           gboolean    optional,
           GStrv      *value,
           GError    **error)
{
  JsonNode *node = json_object_get_member (object, "rooms");
  g_autoptr(GStrvBuilder) rooms = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL)
    return optional || invalid (error, "rooms");
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) > CHAT_MAX_ROOMS)
    return invalid (error, "rooms");
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *room = NULL;

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        room = chat_room_normalize (json_node_get_string (element));
      if (room == NULL)
        return invalid (error, "rooms");
      g_strv_builder_add (rooms, room);
    }
  *value = g_strv_builder_end (rooms);
  return TRUE;
}

/* Integers may arrive as doubles from JavaScript (Date.now() is one). */
static gboolean
get_int (JsonObject *object,
         const char *name,
         gboolean    optional,
         gint64     *value,
         GError    **error)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL)
    return optional ? TRUE : invalid (error, name);
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type == G_TYPE_INT64)
    *value = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE && json_node_get_double (node) >= -9e15 && json_node_get_double (node) <= 9e15)
    *value = (gint64) json_node_get_double (node);
  else
    return invalid (error, name);
  return TRUE;
}

/* A hello's "topics": what its sender knows of the rooms' topics. */
static gboolean
decode_topics (JsonObject  *object,
               ChatMessage *msg,
               GError     **error)
{
  JsonNode *topics = json_object_get_member (object, "topics");
  JsonArray *array;

  if (topics == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (topics) || json_array_get_length (json_node_get_array (topics)) > CHAT_MAX_ROOMS + 1)
    return invalid (error, "topics");
  array = json_node_get_array (topics);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *entry = json_array_get_element (array, i);
      g_autofree char *room = NULL, *nick = NULL, *text = NULL;
      gint64 ts = 0;

      if (!JSON_NODE_HOLDS_OBJECT (entry))
        return invalid (error, "topics");
      if (!get_room (json_node_get_object (entry), &room, error) ||
          !get_nick (json_node_get_object (entry), "nick", FALSE, &nick, error) ||
          !get_text (json_node_get_object (entry), "text", FALSE, CHAT_MAX_TOPIC_BYTES, &text, error) ||
          !get_int (json_node_get_object (entry), "ts", TRUE, &ts, error))
        return FALSE;
      chat_message_add_topic (msg, room, nick, text, ts);
    }
  return TRUE;
}

static gboolean
decode_hello (JsonObject  *object,
              ChatMessage *msg,
              GError     **error)
{
  gint64 version = 0;
  JsonNode *peers;

  if (!get_int (object, "v", FALSE, &version, error) ||
      !get_nick (object, "nick", FALSE, &msg->nick, error) ||
      !get_id (object, "uid", TRUE, &msg->uid, error) ||
      !get_text (object, "away", TRUE, CHAT_MAX_AWAY_BYTES, &msg->away, error) ||
      !get_rooms (object, TRUE, &msg->rooms, error) ||
      !decode_topics (object, msg, error))
    return FALSE;
  msg->version = CLAMP (version, 0, G_MAXINT);
  peers = json_object_get_member (object, "peers");
  if (peers == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (peers) || json_array_get_length (json_node_get_array (peers)) > CHAT_MAX_HELLO_PEERS)
    return invalid (error, "peers");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (peers)); i++)
    {
      JsonNode *entry = json_array_get_element (json_node_get_array (peers), i);
      g_autofree char *id = NULL, *nick = NULL, *hub = NULL, *uid = NULL, *away = NULL;
      g_auto(GStrv) rooms = NULL;
      ChatPeerInfo *info;

      if (!JSON_NODE_HOLDS_OBJECT (entry))
        return invalid (error, "peers");
      if (!get_id (json_node_get_object (entry), "id", FALSE, &id, error) ||
          !get_nick (json_node_get_object (entry), "nick", FALSE, &nick, error) ||
          !get_id (json_node_get_object (entry), "hub", TRUE, &hub, error) ||
          !get_id (json_node_get_object (entry), "uid", TRUE, &uid, error) ||
          !get_text (json_node_get_object (entry), "away", TRUE, CHAT_MAX_AWAY_BYTES, &away, error) ||
          !get_rooms (json_node_get_object (entry), TRUE, &rooms, error))
        return FALSE;
      chat_message_add_peer (msg, id, nick, hub, uid);
      info = chat_message_last_peer (msg);
      info->away = g_steal_pointer (&away);
      info->rooms = g_steal_pointer (&rooms);
    }
  return TRUE;
}

static gboolean
decode_flooded (JsonObject  *object,
                ChatMessage *msg,
                GError     **error)
{
  gint64 ttl = CHAT_DEFAULT_TTL;

  if (!get_id (object, "mid", FALSE, &msg->mid, error) ||
      !get_id (object, "from", FALSE, &msg->from, error) ||
      !get_nick (object, "nick", FALSE, &msg->nick, error) ||
      !get_int (object, "ts", TRUE, &msg->ts, error) ||
      !get_int (object, "ttl", TRUE, &ttl, error))
    return FALSE;
  if (ttl < 1)
    return invalid (error, "ttl");
  msg->ttl = MIN (ttl, CHAT_MAX_TTL);
  if (msg->kind != CHAT_KIND_PRESENCE)
    return get_text (object, "text", FALSE,
                     msg->kind == CHAT_KIND_TOPIC ? CHAT_MAX_TOPIC_BYTES : CHAT_MAX_TEXT_BYTES,
                     &msg->text, error) &&
           get_room (object, &msg->room, error) &&
           get_action (object, &msg->action, error) &&
           get_flag (object, "relayed", &msg->relayed, error);
  else
    {
      const char *event;
      guint i;

      if (!get_string (object, "event", FALSE, &event, error))
        return FALSE;
      for (i = 0; i < G_N_ELEMENTS (presence_names); i++)
        if (g_str_equal (event, presence_names[i]))
          break;
      if (i == G_N_ELEMENTS (presence_names))
        return invalid (error, "event");
      msg->presence = i;
      if (msg->presence == CHAT_PRESENCE_AWAY)
        {
          if (!get_text (object, "text", TRUE, CHAT_MAX_AWAY_BYTES, &msg->text, error))
            return FALSE;
        }
      else if (!get_text (object, "reason", TRUE, CHAT_MAX_REASON_BYTES, &msg->text, error))
        return FALSE;
      if (msg->presence == CHAT_PRESENCE_ROOMS && !get_rooms (object, FALSE, &msg->rooms, error))
        return FALSE;
      return get_nick (object, "old", msg->presence != CHAT_PRESENCE_NICK, &msg->old, error) &&
             get_id (object, "hub", TRUE, &msg->hub, error) &&
             get_id (object, "uid", TRUE, &msg->uid, error);
    }
}

/* Returns the message, or %NULL with @error set when @node is not a
 * well-formed chat message (anything may come from a peer). */
ChatMessage *
chat_message_decode (JsonNode *node,
                     GError  **error)
{
  g_autoptr(ChatMessage) msg = NULL;
  JsonObject *object;
  const char *kind;
  gboolean ok = FALSE;
  guint i;

  if (!chat_message_is_chat (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("not a chat message"));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!get_string (object, "chat", FALSE, &kind, error))
    return NULL;
  for (i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (kind, kind_names[i]))
      break;
  if (i == G_N_ELEMENTS (kind_names))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("unknown chat message “%s”"), kind);
      return NULL;
    }
  msg = chat_message_new (i);
  switch (msg->kind)
    {
    case CHAT_KIND_HELLO:
      ok = decode_hello (object, msg, error);
      break;
    case CHAT_KIND_ROOM:
    case CHAT_KIND_TOPIC:
    case CHAT_KIND_PRESENCE:
      ok = decode_flooded (object, msg, error);
      break;
    case CHAT_KIND_PRIVATE:
      ok = get_id (object, "mid", FALSE, &msg->mid, error) &&
           get_nick (object, "nick", FALSE, &msg->nick, error) &&
           get_text (object, "text", FALSE, CHAT_MAX_TEXT_BYTES, &msg->text, error) &&
           get_action (object, &msg->action, error) &&
           get_int (object, "ts", TRUE, &msg->ts, error);
      break;
    case CHAT_KIND_RECEIPT:
      ok = get_id (object, "mid", FALSE, &msg->mid, error);
      break;
    }
  return ok ? g_steal_pointer (&msg) : NULL;
}

/* One hop further: FALSE when the message must not travel on. */
gboolean
chat_message_hop (ChatMessage *msg)
{
  if (msg->ttl <= 1)
    return FALSE;
  msg->ttl--;
  return TRUE;
}

struct _ChatSeen {
  GHashTable *set;
  char      **ring;
  guint       capacity;
  guint       next;
};

ChatSeen *
chat_seen_new (guint capacity)
{
  ChatSeen *seen = g_new0 (ChatSeen, 1);

  seen->capacity = MAX (capacity, 1);
  seen->ring = g_new0 (char *, seen->capacity);
  seen->set = g_hash_table_new (g_str_hash, g_str_equal);
  return seen;
}

void
chat_seen_free (ChatSeen *seen)
{
  if (seen == NULL)
    return;
  g_hash_table_unref (seen->set);
  for (guint i = 0; i < seen->capacity; i++)
    g_free (seen->ring[i]);
  g_free (seen->ring);
  g_free (seen);
}

gboolean
chat_seen_has (ChatSeen   *seen,
               const char *mid)
{
  return g_hash_table_contains (seen->set, mid);
}

/* TRUE when @mid is new (and is now remembered), FALSE for a repeat. */
gboolean
chat_seen_add (ChatSeen   *seen,
               const char *mid)
{
  char **slot = &seen->ring[seen->next];

  if (g_hash_table_contains (seen->set, mid))
    return FALSE;
  if (*slot != NULL)
    {
      g_hash_table_remove (seen->set, *slot);
      g_free (*slot);
    }
  *slot = g_strdup (mid);
  g_hash_table_add (seen->set, *slot);
  seen->next = (seen->next + 1) % seen->capacity;
  return TRUE;
}

/* chat-protocol.h: anychat's JSON messages on LINK packets
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CHAT_PROTOCOL_VERSION 1
#define CHAT_DEFAULT_TTL      8
#define CHAT_MAX_TTL          16
#define CHAT_MAX_NICK_BYTES   32
#define CHAT_MAX_TEXT_BYTES   8192
#define CHAT_MAX_REASON_BYTES 123   /* a WebSocket close frame's reason */
#define CHAT_MAX_HELLO_PEERS  256
#define CHAT_MAX_ROOM_BYTES   32    /* "#" and the name */
#define CHAT_MAX_ROOMS        32    /* rooms one peer announces */
#define CHAT_MAX_TOPIC_BYTES  512
#define CHAT_MAX_AWAY_BYTES   123

typedef enum {
  CHAT_KIND_HELLO,
  CHAT_KIND_ROOM,
  CHAT_KIND_PRESENCE,
  CHAT_KIND_PRIVATE,
  CHAT_KIND_RECEIPT,
  CHAT_KIND_TOPIC,
} ChatKind;

typedef enum {
  CHAT_PRESENCE_JOIN,
  CHAT_PRESENCE_LEAVE,
  CHAT_PRESENCE_NICK,
  CHAT_PRESENCE_AWAY,    /* with an optional text */
  CHAT_PRESENCE_BACK,
  CHAT_PRESENCE_ROOMS,   /* the rooms it is in now */
} ChatPresence;

/* One peer a hello says its sender knows, and a peer linked directly to
 * it (the hub a private message can go through). */
typedef struct {
  char *id;
  char *nick;
  char *hub;   /* nullable */
  char *uid;   /* nullable: the stable identity it announced */
  char *away;  /* nullable: its away text ("" away without one) */
  GStrv rooms; /* nullable: the named rooms it is in */
} ChatPeerInfo;

/* A room's topic, in a hello: what a newcomer learns from its neighbour. */
typedef struct {
  char  *room;   /* nullable: the default room */
  char  *nick;
  char  *text;
  gint64 ts;
} ChatTopicInfo;

typedef struct {
  ChatKind     kind;
  int          version;    /* hello */
  char        *mid;        /* room, presence, private, receipt */
  char        *from;       /* room, presence: the peer it is about */
  char        *nick;
  char        *text;       /* room, private, topic; presence leave: why, away: the text (optional) */
  char        *room;       /* room, topic: a named room ("#name"), NULL for the default room */
  gboolean     action;     /* room, private: /me ("me": true) */
  gboolean     relayed;    /* room on the mesh: said by a direct peer of its author that is not
                            * anychat (a bot), "relayed": true */
  GStrv        rooms;      /* hello, presence rooms: the named rooms of the peer */
  char        *away;       /* hello: the sender's away text, if away */
  char        *old;        /* presence nick: the former nick */
  char        *hub;        /* presence join: a peer linked to @from */
  char        *uid;        /* hello, presence join: stable identity */
  ChatPresence presence;
  gint64       ts;         /* ms since the epoch */
  int          ttl;        /* room, presence */
  GPtrArray   *peers;      /* hello: ChatPeerInfo */
  GPtrArray   *topics;     /* hello: ChatTopicInfo */
} ChatMessage;

ChatMessage *chat_message_new        (ChatKind           kind);
void         chat_message_free       (ChatMessage       *msg);
void         chat_message_add_peer   (ChatMessage       *msg,
                                      const char        *id,
                                      const char        *nick,
                                      const char        *hub,
                                      const char        *uid);
JsonNode    *chat_message_encode     (const ChatMessage *msg);
gboolean     chat_message_is_chat    (JsonNode          *node);
ChatMessage *chat_message_decode     (JsonNode          *node,
                                      GError           **error);
char        *chat_message_new_mid    (void);
gboolean     chat_message_hop        (ChatMessage       *msg);
const char  *chat_json_string_member (JsonObject        *object,
                                     const char        *name);
char        *chat_nick_sanitize      (const char        *nick);
char        *chat_room_normalize     (const char        *name);
ChatPeerInfo *chat_message_last_peer (ChatMessage       *msg);
void         chat_message_add_topic  (ChatMessage       *msg,
                                      const char        *room,
                                      const char        *nick,
                                      const char        *text,
                                      gint64             ts);
gboolean     chat_id_is_valid        (const char        *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatMessage, chat_message_free)

/* The message ids seen lately: a ring that forgets the oldest, so a
 * flood that loops back is dropped without the memory growing forever. */
typedef struct _ChatSeen ChatSeen;

ChatSeen *chat_seen_new   (guint       capacity);
void      chat_seen_free  (ChatSeen   *seen);
gboolean  chat_seen_add   (ChatSeen   *seen,
                           const char *mid);
gboolean  chat_seen_has   (ChatSeen   *seen,
                           const char *mid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatSeen, chat_seen_free)

G_END_DECLS

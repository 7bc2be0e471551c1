/* chat-model.h: what the screen shows: peers, windows, their lines
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

G_BEGIN_DECLS

typedef enum {
  CHAT_LINE_MESSAGE,   /* someone else said it */
  CHAT_LINE_OWN,       /* we said it */
  CHAT_LINE_EVENT,     /* joins, leaves, nick changes */
  CHAT_LINE_INFO,      /* command output */
  CHAT_LINE_ERROR,     /* a command or network error */
  CHAT_LINE_WARNING,   /* a security warning: must be seen */
} ChatLineKind;

typedef enum {
  CHAT_DELIVERY_NONE,
  CHAT_DELIVERY_PENDING,
  CHAT_DELIVERY_DELIVERED,
  CHAT_DELIVERY_FAILED,
  CHAT_DELIVERY_QUEUED,   /* kept on disk until its node is reachable */
} ChatDelivery;

typedef struct {
  gint64        ts;      /* ms since the epoch */
  ChatLineKind  kind;
  char         *nick;    /* nullable */
  char         *text;
  char         *mid;     /* nullable: private messages we sent */
  char         *author;  /* nullable: the peer id that said it (for per-author limits) */
  ChatDelivery  delivery;
  gboolean      action;   /* /me: "* nick text" */
  gboolean      mention;  /* names our nick: highlighted */
} ChatLine;

typedef struct {
  char      *peer_id;    /* NULL for a room */
  char      *node_id;    /* nullable: the mesh node of its peer, once known */
  char      *room;       /* "#name" for a named room, NULL for the default room and private windows */
  char      *name;       /* "room", "#name", or the peer's nick when it opened */
  char      *log_key;    /* file name of its log */
  GPtrArray *lines;      /* ChatLine */
  guint      unread;
  guint      mentions;   /* unread lines that name us */
  guint      scroll;     /* rows scrolled up from the bottom */
  char      *search;     /* nullable: what /search looks for */
  guint      found;      /* 1 + the index of the line /search found, 0 none */
  gboolean   jump;       /* the view scrolls to @found at its next draw */
} ChatWindow;

/* A room's topic: the newest one set wins. */
typedef struct {
  char  *nick;
  char  *text;
  gint64 ts;
} ChatTopic;

typedef enum {
  CHAT_BADGE_UNLINKED,   /* known, but no link with it (yet) */
  CHAT_BADGE_PLAIN,
  CHAT_BADGE_COMPAT,
  CHAT_BADGE_NATIVE,
  CHAT_BADGE_VERIFIED,
} ChatBadge;

typedef struct {
  char       *id;         /* the AnySocket id of this run */
  char       *nick;
  char       *uid;        /* nullable: stable identity (AUTH or hello) */
  char       *hub;        /* nullable: a direct peer of ours linked to it */
  AnyPeer    *link;       /* nullable: direct or proxied link */
  gboolean    said_hello;
  gboolean    verified;
  char       *shown_fingerprint;  /* nullable: what /verify showed, to confirm */
  int         lag;        /* ms, -1 unknown */
  char       *away;       /* nullable: away, with this text ("" none) */
  GStrv       rooms;      /* nullable: the named rooms it said it is in */
  guint       proxy_attempts;   /* failed links through its hub in a row */
  /* its node in the library's mesh (chat-mesh-nodes.c): a direct peer
   * that speaks the mesh, or a node any number of hops away, whose @id
   * is then its node id */
  char       *node_id;          /* nullable */
  char       *node_fingerprint; /* nullable: of its signing key */
  guint       hops;             /* 0 unknown */
  gboolean    node_proven;      /* its end-to-end handshake proved its keys */
  gboolean    asking;           /* a hello or ping to its node in flight */
  guint       greet_ticks;      /* syncs since its node was seen */
  gboolean    nick_clash;       /* unverified, with the nick of a verified identity */
} ChatPeer;

typedef struct _ChatModel ChatModel;
typedef void (*ChatModelChanged) (ChatModel *model, gpointer user_data);
typedef void (*ChatModelWindowOpened) (ChatModel  *model,
                                       ChatWindow *window,
                                       gpointer    user_data);
typedef void (*ChatModelLineAdded) (ChatModel  *model,
                                    ChatWindow *window,
                                    ChatLine   *line,
                                    gpointer    user_data);

struct _ChatModel {
  char       *own_id;
  char       *own_nick;
  GPtrArray  *listening;   /* URIs with their bound port */
  GHashTable *peers;       /* id -> ChatPeer */
  GPtrArray  *windows;     /* ChatWindow, [0] is the room */
  guint       active;
  char       *notice;
  ChatLineKind notice_kind;
  char       *own_away;    /* nullable: we are away, with this text ("" none) */
  GHashTable *topics;      /* room name ("" the default room) -> ChatTopic */
  GPtrArray  *ignored;     /* nicks and stable ids whose messages are hidden */
  guint       bells;       /* bells to ring (mentions, private messages), for the UI */

  ChatModelChanged changed;
  gpointer         changed_data;
  ChatModelLineAdded line_added;    /* the log listens here */
  gpointer           line_added_data;
  ChatModelWindowOpened window_opened;  /* and here, to fill the scrollback */
  gpointer              window_opened_data;
};

ChatModel  *chat_model_new            (const char   *own_id,
                                       const char   *own_nick);
void        chat_model_free           (ChatModel    *model);
void        chat_model_changed        (ChatModel    *model);

ChatPeer   *chat_model_get_peer       (ChatModel    *model,
                                       const char   *id);
ChatPeer   *chat_model_ensure_peer    (ChatModel    *model,
                                       const char   *id);
void        chat_model_remove_peer    (ChatModel    *model,
                                       const char   *id);
GPtrArray  *chat_model_sorted_peers   (ChatModel    *model);
ChatPeer   *chat_model_find_peer      (ChatModel    *model,
                                       const char   *nick_or_id,
                                       GError      **error);
gboolean    chat_peer_is_direct       (ChatPeer     *peer);
/* chat-model-labels.c */
gboolean    chat_model_nick_is_shared (ChatModel    *model,
                                       ChatPeer     *peer);
char       *chat_model_peer_label     (ChatModel    *model,
                                       ChatPeer     *peer);
ChatPeer   *chat_model_find_peer_plain (ChatModel   *model,
                                       const char  *nick_or_id,
                                       GError     **error);

gboolean    chat_model_is_direct      (ChatModel    *model,
                                       const char   *id);
ChatBadge   chat_peer_get_badge       (ChatPeer     *peer);
const char *chat_badge_symbol         (ChatBadge     badge);
const char *chat_badge_name           (ChatBadge     badge);

ChatWindow *chat_model_get_room       (ChatModel    *model);
ChatWindow *chat_model_get_active     (ChatModel    *model);
ChatWindow *chat_model_find_window    (ChatModel    *model,
                                       const char   *peer_id);
ChatWindow *chat_model_open_window    (ChatModel    *model,
                                       ChatPeer     *peer);
void        chat_model_close_window   (ChatModel    *model,
                                       guint         index);
void        chat_model_set_active     (ChatModel    *model,
                                       guint         index);
ChatLine   *chat_window_add_line      (ChatModel    *model,
                                       ChatWindow   *window,
                                       gint64        ts,
                                       ChatLineKind  kind,
                                       const char   *nick,
                                       const char   *text);
ChatLine   *chat_window_add_said      (ChatModel    *model,
                                       ChatWindow   *window,
                                       gint64        ts,
                                       ChatLineKind  kind,
                                       const char   *author,
                                       const char   *nick,
                                       const char   *text,
                                       gboolean      action);
ChatLine   *chat_window_add_message   (ChatModel    *model,
                                       ChatWindow   *window,
                                       gint64        ts,
                                       const char   *author,
                                       const char   *nick,
                                       const char   *text);
void        chat_window_add_history   (ChatWindow   *window,
                                       ChatLine     *line);
ChatLine   *chat_window_find_line     (ChatWindow   *window,
                                       const char   *mid);
ChatLine   *chat_line_new             (gint64        ts,
                                       ChatLineKind  kind,
                                       const char   *nick,
                                       const char   *text);
void        chat_line_free            (ChatLine     *line);

void        chat_model_notice         (ChatModel    *model,
                                       ChatLineKind  kind,
                                       const char   *format,
                                       ...) G_GNUC_PRINTF (3, 4);
void        chat_model_clear_notice   (ChatModel    *model,
                                       ChatLineKind  kind);
void        chat_window_add_printf    (ChatModel    *model,
                                       ChatWindow   *window,
                                       ChatLineKind  kind,
                                       const char   *format,
                                       ...) G_GNUC_PRINTF (4, 5);

ChatWindow *chat_window_new           (const char   *peer_id,
                                       const char   *name,
                                       const char   *log_key);

/* chat-model-rooms.c: named rooms, topics, what is hidden, /search */
void        chat_topic_free           (ChatTopic    *topic);
ChatWindow *chat_model_find_room      (ChatModel    *model,
                                       const char   *room);
ChatWindow *chat_model_open_room      (ChatModel    *model,
                                       const char   *room);
guint       chat_model_window_index   (ChatModel    *model,
                                       ChatWindow   *window);
GStrv       chat_model_dup_own_rooms  (ChatModel    *model);
gboolean    chat_peer_in_room         (ChatPeer     *peer,
                                       const char   *room);
guint       chat_model_room_members   (ChatModel    *model,
                                       const char   *room);
gboolean    chat_model_set_topic      (ChatModel    *model,
                                       const char   *room,
                                       const char   *nick,
                                       const char   *text,
                                       gint64        ts);
ChatTopic  *chat_model_get_topic      (ChatModel    *model,
                                       const char   *room);
gboolean    chat_model_is_ignored     (ChatModel    *model,
                                       const char   *nick,
                                       const char   *uid);
void        chat_window_clear         (ChatModel    *model,
                                       ChatWindow   *window);
gboolean    chat_window_search        (ChatWindow   *window,
                                       const char   *text,
                                       gboolean      newer);

/* Joins, leaves and renames: the room's business. */
#define chat_model_event(model, ...) \
  chat_window_add_printf ((model), chat_model_get_room (model), CHAT_LINE_EVENT, __VA_ARGS__)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatModel, chat_model_free)

G_END_DECLS

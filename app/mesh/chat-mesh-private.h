/* chat-mesh-private.h: what the files of the mesh share
 *
 * It does not include chat-mesh.h: chat-mesh.c includes this header, so
 * the two would include each other. Mesh files include both.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-config.h"
#include "chat-model.h"
#include "chat-protocol.h"
#include "chat-rate.h"

G_BEGIN_DECLS

/* the same typedef as in chat-mesh.h, which C11 allows */
typedef struct _ChatMesh ChatMesh;

struct _ChatMesh {
  ChatModel      *model;
  ChatConfig     *config;
  ChatKnownPeers *known;
  AnySocket      *socket;
  char           *uid;
  ChatSeen       *seen;
  GHashTable     *auths;        /* peer id -> the AUTH object of an anychat peer */
  GPtrArray      *targets;      /* ChatTarget: URIs we connect to */
  GHashTable     *dropped;      /* nick -> URI of a link a user dropped */
  GHashTable     *outbox;       /* peer id -> GPtrArray of ChatMessage, waiting for a proxy */
  GHashTable     *changed_keys; /* uid -> a new key refused (chat-mesh-trust.c) */
  ChatRate       *author_rate;  /* room messages per author id */
  struct _ChatTransfers *transfers;  /* files (chat-mesh-transfer.c) */
  AnyMesh        *any;          /* the library's mesh (chat-mesh-nodes.c) */
  GHashTable     *topics;       /* mesh topics we subscribe to */
  GHashTable     *departed;     /* node ids that said they leave */
  guint           sync_source;
  GPtrArray      *outbox_queue; /* private messages waiting for their node (chat-mesh-outbox.c) */
  GHashTable     *history;      /* room topic -> the last signed messages (chat-mesh-history.c) */
  GHashTable     *history_asked; /* room topics asked of a neighbour */
  GBytes         *releasing_signed; /* the signed bytes of a held publication shown now */
  GPtrArray      *early;        /* publications held until their author's route comes */
  guint           releasing;
  gboolean        stopping;
  guint           in_flight;    /* async operations not called back yet */
};

/* chat-mesh.c */
void     chat_mesh_send_to_link    (ChatMesh          *mesh,
                                    AnyPeer           *link,
                                    const ChatMessage *msg);
gint64   chat_mesh_now_ms          (void);
void     chat_mesh_peer_set_nick   (ChatMesh          *mesh,
                                    ChatPeer          *peer,
                                    const char        *nick);
void     chat_mesh_peer_set_uid    (ChatMesh          *mesh,
                                    ChatPeer          *peer,
                                    const char        *uid);
void     chat_mesh_update_auth_data (ChatMesh         *mesh);

/* chat-mesh-nodes.c */
void     chat_mesh_nodes_init      (ChatMesh          *mesh);
void     chat_mesh_nodes_free      (ChatMesh          *mesh);
char    *chat_mesh_room_topic      (const char        *room);
void     chat_mesh_sync_rooms      (ChatMesh          *mesh);
ChatPeer *chat_mesh_node_peer      (ChatMesh          *mesh,
                                    const char        *node_id,
                                    const char        *fingerprint,
                                    gboolean           create);
void     chat_mesh_check_nick      (ChatMesh          *mesh,
                                    ChatPeer          *peer);
void     chat_mesh_flood           (ChatMesh          *mesh,
                                    const ChatMessage *msg,
                                    const char        *except_id);
void     chat_mesh_send_to_bots    (ChatMesh          *mesh,
                                    const ChatMessage *msg,
                                    const char        *except_id);
gboolean chat_mesh_send_to_node    (ChatMesh          *mesh,
                                    ChatPeer          *peer,
                                    ChatMessage       *msg);
char    *chat_mesh_dup_node_fingerprint (ChatMesh     *mesh,
                                         ChatPeer     *peer);

/* chat-mesh-history.c */
void     chat_mesh_history_init    (ChatMesh          *mesh);
void     chat_mesh_history_free    (ChatMesh          *mesh);
void     chat_mesh_history_keep    (ChatMesh          *mesh,
                                    const char        *topic,
                                    GBytes            *signed_msg);
JsonNode *chat_mesh_history_answer (ChatMesh          *mesh,
                                    JsonObject        *ask);
void     chat_mesh_history_ask     (ChatMesh          *mesh);

/* chat-mesh-outbox.c */
void     chat_mesh_outbox_init     (ChatMesh          *mesh);
void     chat_mesh_outbox_free     (ChatMesh          *mesh);
void     chat_mesh_outbox_flush    (ChatMesh          *mesh);
void     chat_mesh_outbox_done     (ChatMesh          *mesh,
                                    const char        *mid,
                                    gboolean           delivered);

/* chat-mesh-room.c */
gint64   chat_mesh_sane_time       (gint64             ts);
void     chat_mesh_receive_hello   (ChatMesh          *mesh,
                                    ChatPeer          *sender,
                                    ChatMessage       *msg,
                                    guint              hops);
void     chat_mesh_receive_presence (ChatMesh         *mesh,
                                     ChatMessage      *msg);
void     chat_mesh_show_room       (ChatMesh          *mesh,
                                    ChatPeer          *peer,
                                    ChatMessage       *msg);
gboolean chat_mesh_within_author_limit (ChatMesh      *mesh,
                                        ChatPeer      *author,
                                        ChatMessage   *msg);
void     chat_mesh_send_hello      (ChatMesh          *mesh,
                                    ChatPeer          *to);
void     chat_mesh_flood_presence  (ChatMesh          *mesh,
                                    ChatPresence       presence,
                                    const char        *about_id,
                                    const char        *nick,
                                    const char        *old,
                                    const char        *uid,
                                    const char        *reason,
                                    const char        *except_id);
void     chat_mesh_room_limits_init (ChatMesh         *mesh);
void     chat_mesh_on_message      (AnySocket         *socket,
                                    AnyPacket         *packet,
                                    ChatMesh          *mesh);

/* chat-mesh-rooms.c */
void     chat_mesh_receive_topic   (ChatMesh          *mesh,
                                    ChatMessage       *msg,
                                    gint64             ts);
void     chat_mesh_receive_status  (ChatMesh          *mesh,
                                    ChatPeer          *peer,
                                    ChatMessage       *msg);
void     chat_mesh_remove_peer     (ChatMesh          *mesh,
                                    const char        *id);
void     chat_mesh_peer_set_state  (ChatMesh          *mesh,
                                    ChatPeer          *peer,
                                    const char        *away,
                                    GStrv              rooms);
void     chat_mesh_hello_add_state (ChatMesh          *mesh,
                                    ChatMessage       *msg);
void     chat_mesh_hello_learn_state (ChatMesh        *mesh,
                                      ChatPeer        *sender,
                                      ChatMessage     *msg);

/* chat-mesh-trust.c */
void     chat_mesh_trust_init      (ChatMesh   *mesh);
void     chat_mesh_trust_note_refused (ChatMesh   *mesh,
                                       JsonObject *auth,
                                       const char *reason);

/* chat-mesh-transfer.c */
void     chat_mesh_transfers_init  (ChatMesh   *mesh);

/* chat-mesh-reconnect.c */
void     chat_mesh_targets_init    (ChatMesh   *mesh);
void     chat_mesh_target_forget   (ChatMesh   *mesh,
                                    const char *peer_id);
gboolean chat_mesh_target_drop     (ChatMesh   *mesh,
                                    const char *peer_id,
                                    const char *nick);

/* chat-mesh-direct.c */
void     chat_mesh_show_private    (ChatMesh    *mesh,
                                    ChatPeer    *peer,
                                    ChatMessage *msg);
void     chat_mesh_private_done    (ChatMesh    *mesh,
                                    const char  *peer_id,
                                    const char  *mid,
                                    gboolean     delivered,
                                    const char  *why);
void     chat_mesh_receive_private (ChatMesh    *mesh,
                                    AnyPacket   *packet,
                                    ChatMessage *msg);
void     chat_mesh_outbox_drop     (ChatMesh    *mesh,
                                    const char  *peer_id);
void     chat_mesh_link_via_hub    (ChatMesh    *mesh,
                                    ChatPeer    *peer);
void     chat_mesh_relink_later    (ChatMesh    *mesh,
                                    ChatPeer    *peer);
guint    chat_mesh_drop_proxied_links (ChatMesh *mesh);

G_END_DECLS

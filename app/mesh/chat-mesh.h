/* chat-mesh.h: the chat on top of libanysocket
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-config.h"
#include "chat-model.h"
#include "chat-transfer.h"

G_BEGIN_DECLS

typedef struct _ChatMesh ChatMesh;

/* @bound_uri: the URI with the port actually bound, or NULL on @error */
typedef void (*ChatListenDone) (ChatMesh     *mesh,
                                const char   *uri,
                                const char   *bound_uri,
                                const GError *error,
                                gpointer      user_data);

ChatMesh  *chat_mesh_new            (ChatModel      *model,
                                     ChatConfig     *config,
                                     ChatKnownPeers *known,
                                     AnySocket      *socket,
                                     const char     *uid);
void       chat_mesh_free           (ChatMesh       *mesh);
AnySocket *chat_mesh_get_socket     (ChatMesh       *mesh);
gboolean   chat_mesh_check_uri      (const char     *uri,
                                     GError        **error);
void       chat_mesh_listen         (ChatMesh       *mesh,
                                     const char     *uri,
                                     ChatListenDone  done,
                                     gpointer        user_data);
void       chat_mesh_connect        (ChatMesh       *mesh,
                                     const char     *uri,
                                     gboolean        retry);
void       chat_mesh_disconnect     (ChatMesh       *mesh,
                                     ChatPeer       *peer);
gboolean   chat_mesh_reconnect      (ChatMesh       *mesh,
                                     const char     *nick,
                                     GError        **error);
void       chat_mesh_say            (ChatMesh       *mesh,
                                     const char     *room,
                                     const char     *text,
                                     gboolean        action);
/* chat-mesh-rooms.c: named rooms, topics, away */
void       chat_mesh_join           (ChatMesh       *mesh,
                                     const char     *room);
void       chat_mesh_part           (ChatMesh       *mesh,
                                     ChatWindow     *window);
void       chat_mesh_set_topic      (ChatMesh       *mesh,
                                     const char     *room,
                                     const char     *text);
void       chat_mesh_set_away       (ChatMesh       *mesh,
                                     const char     *text);
void       chat_mesh_set_nick       (ChatMesh       *mesh,
                                     const char     *nick);
void       chat_mesh_send_private   (ChatMesh       *mesh,
                                     ChatPeer       *peer,
                                     const char     *text,
                                     gboolean        action);
/* chat-mesh-outbox.c: kept for a node that is offline */
gboolean   chat_mesh_queue_private  (ChatMesh       *mesh,
                                     ChatWindow     *window,
                                     const char     *text,
                                     gboolean        action);
gboolean   chat_mesh_verify         (ChatMesh       *mesh,
                                     ChatPeer       *peer,
                                     GError        **error);
/* A known peer's new key that was refused (/trust): the remembered and
 * the presented fingerprints; then the new one remembered instead. */
gboolean   chat_mesh_changed_key    (ChatMesh       *mesh,
                                     const char     *nick,
                                     char          **known,
                                     char          **presented,
                                     GError        **error);
gboolean   chat_mesh_trust_changed_key (ChatMesh    *mesh,
                                        const char  *nick,
                                        GError     **error);
void       chat_mesh_stop           (ChatMesh       *mesh,
                                     const char     *reason);
gboolean   chat_mesh_is_idle        (ChatMesh       *mesh);

/* chat-mesh-transfer.c: /send, /accept, /reject, /cancel */
ChatTransfers *chat_mesh_get_transfers     (ChatMesh *mesh);

/* chat-mesh-link.c: a peer's link, for the commands */
ChatPeer   *chat_mesh_get_link_hub         (ChatMesh *mesh,
                                            ChatPeer *peer);
const char *chat_mesh_get_link_address     (ChatMesh *mesh,
                                            ChatPeer *peer);
char       *chat_mesh_dup_link_fingerprint (ChatMesh *mesh,
                                            ChatPeer *peer);
char       *chat_mesh_dup_own_fingerprint  (ChatMesh *mesh);
char       *chat_mesh_dup_own_node_fingerprint (ChatMesh *mesh);
gboolean    chat_mesh_start_e2e            (ChatMesh *mesh,
                                            ChatPeer *peer);
gboolean    chat_mesh_is_own_address       (ChatMesh   *mesh,
                                            const char *uri);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatMesh, chat_mesh_free)

G_END_DECLS

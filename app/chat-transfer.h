/* chat-transfer.h: files sent to one peer (/send, /accept, /reject, /cancel)
 *
 * The transfers know peers by id and reach them through a
 * ChatTransferLink: today the mesh's links (mesh/chat-mesh-transfer.c),
 * later the nodes of the library's mesh, with only that glue changing.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "chat-model.h"

G_BEGIN_DECLS

#define CHAT_FILE_CHUNK_BYTES   (256 * 1024)  /* file bytes per message */
#define CHAT_FILE_WINDOW        8             /* chunks sent and not acknowledged yet */
#define CHAT_FILE_MAX_NAME      200           /* bytes of a received file's name */
#define CHAT_FILE_MAX_OFFERS    8             /* offers one peer may have waiting */
#define CHAT_FILE_MAX_TRANSFERS 64            /* all transfers at once */
#define CHAT_FILE_STALL_SECONDS 60            /* an active transfer without progress fails */
#define CHAT_FILE_DEFAULT_MAX_MIB 4096        /* largest offer accepted (max-file-mib) */

/* The way to a peer. Messages are JSON objects with a "file" member. */
typedef struct _ChatTransferLink {
  /* Queue @msg for @peer_id; FALSE with @error when it cannot go. */
  gboolean (*send)         (const char *peer_id,
                            JsonNode   *msg,
                            gpointer    data,
                            GError    **error);
  /* Whether what goes to and comes from @peer_id is end-to-end encrypted. */
  gboolean (*is_protected) (const char *peer_id,
                            gpointer    data);
} ChatTransferLink;

typedef struct _ChatTransfers ChatTransfers;

ChatTransfers *chat_transfers_new        (ChatModel              *model,
                                          const ChatTransferLink *link,
                                          gpointer                link_data,
                                          const char             *download_dir,
                                          guint64                 max_size);
void           chat_transfers_free       (ChatTransfers          *transfers);
/* For tests: seconds without progress before an active transfer fails. */
void           chat_transfers_set_stall_timeout (ChatTransfers   *transfers,
                                                 guint            seconds);
const char    *chat_transfers_get_download_dir (ChatTransfers    *transfers);

gboolean       chat_transfers_is_file_message (JsonNode          *node);
/* A file message from @peer_id. */
void           chat_transfers_receive    (ChatTransfers          *transfers,
                                          const char             *peer_id,
                                          JsonNode               *msg);
/* @peer_id's link is gone: its transfers fail. */
void           chat_transfers_peer_gone  (ChatTransfers          *transfers,
                                          const char             *peer_id);

/* /send: hashes @path in a thread, then offers it. */
gboolean       chat_transfers_offer      (ChatTransfers          *transfers,
                                          ChatPeer               *peer,
                                          const char             *path,
                                          GError                **error);
/* @number 0: the newest offer waiting. */
gboolean       chat_transfers_accept     (ChatTransfers          *transfers,
                                          guint                   number,
                                          GError                **error);
gboolean       chat_transfers_reject     (ChatTransfers          *transfers,
                                          guint                   number,
                                          GError                **error);
/* @number 0: the only transfer there is. */
gboolean       chat_transfers_cancel     (ChatTransfers          *transfers,
                                          guint                   number,
                                          GError                **error);
/* The numbers of the offers waiting for our answer (@offers_only), or of
 * every transfer, as strings: what completes /accept and /cancel. */
GPtrArray     *chat_transfers_dup_numbers (ChatTransfers         *transfers,
                                           gboolean               offers_only);
/* One line per transfer, for /transfers. */
GPtrArray     *chat_transfers_describe   (ChatTransfers          *transfers);
gboolean       chat_transfers_is_idle    (ChatTransfers          *transfers);

/* A name a peer gave, safe as a file name in the download folder: no
 * path separators, no leading dots, no control or bidi characters,
 * valid UTF-8 of at most CHAT_FILE_MAX_NAME bytes, never empty. */
char          *chat_file_name_sanitize   (const char             *name);
/* Creates @name in @dir, or "NAME (1).EXT", "NAME (2).EXT"...: never
 * an existing file. */
GFileOutputStream *chat_file_create_unique (const char           *dir,
                                            const char           *name,
                                            GFile               **file,
                                            GError              **error);
/* "12.3 MiB" */
char          *chat_format_size          (guint64                 bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatTransfers, chat_transfers_free)

G_END_DECLS

/* chat-transfer-private.h: what the files of transfers share
 *
 * chat-transfer.c keeps the list, the lines the user sees and the
 * clock; chat-transfer-send.c the sender's side, chat-transfer-receive.c
 * the receiver's.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "chat-model.h"

G_BEGIN_DECLS

/* From chat-transfer.h; declared here, not included: that unit's .c
 * includes this header. */
typedef struct _ChatTransfers ChatTransfers;
typedef struct _ChatTransferLink ChatTransferLink;

#define MAX_ID_BYTES    64
#define MAX_REASON      123
#define TICK_MS         500
#define SHA256_HEX      64

typedef enum {
  STATE_HASHING,    /* sender: computing the hash */
  STATE_OFFERED,    /* both: waiting for the receiver's user */
  STATE_ACTIVE,     /* both: chunks flowing */
  STATE_VERIFYING,  /* sender: all acknowledged, waiting for "ok" */
} State;

typedef struct {
  ChatTransfers     *owner;
  guint              number;     /* what the user types: /accept 3 */
  gboolean           outgoing;
  State              state;
  char              *peer_id;
  char              *nick;
  char              *id;         /* the sender's id on the wire */
  char              *name;       /* offered (received: sanitised) */
  char              *path;       /* the source, or where it lands */
  guint64            size;
  char              *sha256;     /* hex */
  GFile             *file;       /* received: to delete on failure */
  GInputStream      *in;
  GOutputStream     *out;
  GChecksum         *checksum;   /* received: what came so far */
  GCancellable      *hashing;
  guint64            bytes;      /* sent, or written */
  guint64            next_seq;   /* chunks sent, or expected next */
  guint64            acked;      /* sender: chunks acknowledged */
  gint64             started_us;
  gint64             active_us;  /* last progress */
  char              *line_mid;   /* the progress line in the peer's window */
  struct _Pending   *pending;    /* sender: the hashing thread's callback data */
} Transfer;

struct _ChatTransfers {
  ChatModel              *model;
  const ChatTransferLink *link;
  gpointer                link_data;
  char                   *download_dir;
  guint64                 max_size;
  guint                   stall_seconds;
  GPtrArray              *list;        /* Transfer */
  guint                   last_number;
  guint                   tick;
  guint                   hashing;     /* threads still running */
};

/* What the hashing thread calls back with; @transfers NULL once its
 * transfer is gone (cancelled, or the app quit). */
typedef struct _Pending {
  ChatTransfers *transfers;
  guint          number;
} Pending;

/* chat-transfer.c */
ChatWindow *chat_transfer_window        (Transfer      *transfer);
void        chat_transfer_say           (Transfer      *transfer,
                                         ChatLineKind   kind,
                                         const char    *format,
                                         ...) G_GNUC_PRINTF (3, 4);
char       *chat_transfer_describe      (Transfer      *transfer);
void        chat_transfer_show_progress (Transfer      *transfer);
JsonObject *chat_transfer_message_new   (const char    *op,
                                         const char    *id);
gboolean    chat_transfers_send_to      (ChatTransfers *transfers,
                                         const char    *peer_id,
                                         JsonObject    *object,
                                         GError       **error);
void        chat_transfers_send_cancel  (ChatTransfers *transfers,
                                         const char    *peer_id,
                                         const char    *id,
                                         const char    *reason);
void        chat_transfer_remove        (Transfer      *transfer);
void        chat_transfer_fail          (Transfer      *transfer,
                                         const char    *reason,
                                         const char    *local_reason);
char       *chat_transfer_dup_elapsed   (Transfer      *transfer);
void        chat_transfer_go_active     (Transfer      *transfer);
Transfer   *chat_transfers_find_by_id   (ChatTransfers *transfers,
                                         const char    *peer_id,
                                         const char    *id,
                                         gboolean       outgoing);
Transfer   *chat_transfers_find_by_number (ChatTransfers *transfers,
                                           guint          number,
                                           gboolean     (*wanted) (Transfer *transfer),
                                           GError       **error);

/* chat-transfer-send.c */
void        chat_transfer_start_sending (Transfer      *transfer);
void        chat_transfer_receive_ack   (Transfer      *transfer,
                                         gint64         seq);
void        chat_transfer_receive_ok    (Transfer      *transfer);

/* chat-transfer-receive.c */
void        chat_transfers_receive_offer (ChatTransfers *transfers,
                                          const char    *peer_id,
                                          JsonObject    *object,
                                          const char    *id);
void        chat_transfer_receive_chunk (Transfer      *transfer,
                                         JsonObject    *object);
void        chat_transfer_receive_end   (Transfer      *transfer);
gboolean    chat_transfer_is_offer_to_us (Transfer     *transfer);

G_END_DECLS

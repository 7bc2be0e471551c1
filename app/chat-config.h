/* chat-config.h: settings, identity paths and known peers (XDG config)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CHAT_DEFAULT_PORT 7420

typedef struct {
  char    *dir;             /* $XDG_CONFIG_HOME/anychat */
  char    *data_dir;        /* $XDG_DATA_HOME/anychat */
  char    *file;            /* the settings file read */
  char    *nick;
  char   **listen;          /* URIs */
  char    *cert;            /* wss:// listening: PEM certificate and key files */
  char    *key;
  gboolean listen_default;  /* @listen is the default, not the user's */
  char   **connect;         /* peers to auto-connect */
  gboolean log;
  guint    heartbeat_ms;
  char   **ignore;          /* /ignore: nicks and stable ids */
  char   **rooms;           /* the named rooms to be in */
  gboolean bell;            /* ring on mentions and private messages */
  gboolean mouse;           /* wheel and clicks */
  char    *downloads;       /* where received files land */
  guint64  max_file_size;   /* bytes: larger offers are refused */
  char    *own_colour;      /* colour names for curses */
  char    *notice_colour;
} ChatConfig;

ChatConfig *chat_config_new         (void);
void        chat_config_free        (ChatConfig  *config);
gboolean    chat_config_load        (ChatConfig  *config,
                                     const char  *file,
                                     GError     **error);
char       *chat_config_path        (ChatConfig  *config,
                                     const char  *name);
/* The certificate of @cert and @key (both or neither; NULL with no
 * error when neither is set). */
GTlsCertificate *chat_config_load_certificate (const char *cert,
                                     const char  *key,
                                     GError     **error);
gboolean    chat_config_save_nick   (ChatConfig  *config,
                                     const char  *nick,
                                     GError     **error);
gboolean    chat_config_save_list   (ChatConfig  *config,
                                     const char  *key,
                                     GStrv        values,
                                     GError     **error);
gboolean    chat_config_ensure_dirs (ChatConfig  *config,
                                     GError     **error);
char       *chat_config_ensure_uid  (ChatConfig  *config,
                                     gboolean    *created,
                                     GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatConfig, chat_config_free)

/* Trust on first use: the fingerprint each stable identity showed first. */
typedef struct {
  char     *path;
  GKeyFile *file;
} ChatKnownPeers;

ChatKnownPeers *chat_known_peers_load         (const char     *path);
void            chat_known_peers_free         (ChatKnownPeers *known);
char           *chat_known_peers_fingerprint  (ChatKnownPeers *known,
                                               const char     *uid);
gboolean        chat_known_peers_is_verified  (ChatKnownPeers *known,
                                               const char     *uid);
gboolean        chat_known_peers_nick_is_other (ChatKnownPeers *known,
                                                const char     *nick,
                                                const char     *uid,
                                                const char     *node_id);
gboolean        chat_known_peers_remember     (ChatKnownPeers *known,
                                               const char     *uid,
                                               const char     *nick,
                                               const char     *fingerprint,
                                               gboolean        verified,
                                               GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatKnownPeers, chat_known_peers_free)

G_END_DECLS

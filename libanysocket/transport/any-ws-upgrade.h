/* any-ws-upgrade.h: the WebSocket upgrade of a plain ws:// connection,
 * answered without libsoup, and the rules both ways of answering share
 * (transport/ only: any-ws-server.c, any-ws-http.c, any-ws-connect.c)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "transport/any-transport.h"
#include "transport/any-upgrade-request.h"

G_BEGIN_DECLS

/* The longest request head (request line, headers, blank line) answered
 * here; a longer one is libsoup's. */
#define ANY_WS_UPGRADE_MAX_HEAD (8 * 1024)

typedef enum {
  ANY_WS_UPGRADE_INCOMPLETE,  /* nothing wrong so far; the rest may come */
  ANY_WS_UPGRADE_DECLINED,    /* not a plain upgrade: libsoup's to answer */
  ANY_WS_UPGRADE_READY,       /* a plain upgrade, to answer */
} AnyWsUpgradeStatus;

/* What a plain upgrade request said (READY). */
typedef struct {
  gsize              head_len;   /* its bytes, blank line included */
  char              *accept;     /* Sec-WebSocket-Accept */
  char              *protocol;   /* Sec-WebSocket-Protocol answered, or NULL */
  AnyUpgradeRequest *request;
} AnyWsUpgrade;

void               any_ws_upgrade_clear        (AnyWsUpgrade        *upgrade);

/* RFC 6455 4.2.1: base64 (padded, canonical) of 16 bytes. */
gboolean           any_ws_upgrade_key_is_valid (const char          *key,
                                                gsize                len);
/* RFC 6455 4.2.2: base64 (SHA-1 (@key + GUID)). */
char              *any_ws_upgrade_accept_key   (const char          *key,
                                                gssize               len);

/* Reads the start of a connection, @len bytes: READY (and @upgrade
 * filled) only for a well-formed HTTP/1.1 GET that libsoup and
 * any-ws-server.c would answer with a 101 without an extension (with
 * @protocols as AnySocket:ws-protocols; @deflate: the server offers
 * permessage-deflate, then an offer of any extension is libsoup's). */
AnyWsUpgradeStatus any_ws_upgrade_parse        (const char          *data,
                                                gsize                len,
                                                const char * const  *protocols,
                                                gboolean             deflate,
                                                AnyWsUpgrade        *upgrade);

/* Answers @upgrade on @connection, whose socket holds its request (read
 * with MSG_PEEK): writes the 101, consumes the request's head (what
 * follows stays in the socket, for the link) and returns the link, or
 * NULL when the socket failed (close it). */
AnyTransport      *any_ws_upgrade_answer       (GSocketConnection   *connection,
                                                const AnyWsUpgrade  *upgrade);

/* For tests: upgrades answered here since the process started. */
guint              any_ws_upgrade_count        (void);

G_END_DECLS

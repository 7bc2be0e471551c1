/* any-ws-server.h: the listening side of the WebSocket transport
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>
#include "transport/any-transport.h"
#include "transport/any-upgrade-request.h"

#include "transport/any-ws-http.h"

G_BEGIN_DECLS

#define ANY_TYPE_WS_SERVER (any_ws_server_get_type ())
G_DECLARE_FINAL_TYPE (AnyWsServer, any_ws_server, ANY, WS_SERVER, GObject)

/* Called for each accepted WebSocket, with what its upgrade request
 * said; ref @transport (and @request) to keep them. */
typedef void (*AnyWsServerAcceptFunc) (AnyTransport            *transport,
                                       AnyUpgradeRequest       *request,
                                       gpointer                 user_data);

AnyWsServer *any_ws_server_new        (gboolean               permessage_deflate,
                                       AnyWsServerAcceptFunc  accept_func,
                                       gpointer               user_data);
guint16      any_ws_server_listen     (AnyWsServer           *self,
                                       GInetSocketAddress    *address,
                                       GError               **error);
void         any_ws_server_disconnect (AnyWsServer           *self);
/* How long an accepted connection may take to send its WebSocket
 * upgrade request (0: the default, 5 s). */
void         any_ws_server_set_upgrade_timeout (AnyWsServer  *self,
                                       guint                  timeout_ms);
/* Connections accepted while @max_connections (0: no limit) are open
 * are closed at once (any-accept.c). */
void         any_ws_server_set_max_connections (AnyWsServer *self,
                                       guint                  max_connections);

/* Makes the server a wss:// one: every connection must open with a TLS
 * handshake (anything else is closed at once), with @certificate (which
 * has its private key). Set before the first listen. */
void         any_ws_server_set_tls_certificate (AnyWsServer *self,
                                       GTlsCertificate       *certificate);

/* The subprotocols an upgrade may choose (copied; NULL: the first one
 * offered, see any-ws-subprotocol.c). */
void         any_ws_server_set_protocols (AnyWsServer        *self,
                                       const char * const    *protocols);
/* Called for each plain HTTP request (not an upgrade); ref @exchange to
 * answer it later. Without one, 404. */
void         any_ws_server_set_http_func (AnyWsServer        *self,
                                       AnyWsHttpFunc          func,
                                       gpointer               user_data);

G_END_DECLS

/* any-ws-http.h: what the WebSocket port does with requests that are not
 * a plain upgrade: the subprotocol answer, and plain HTTP (transport/
 * only: any-ws-server.c)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "transport/any-http-exchange.h"

G_BEGIN_DECLS

typedef void (*AnyWsHttpFunc) (AnyHttpExchange *exchange,
                               gpointer         user_data);

/* Whether @msg asks for a WebSocket (any other request is plain HTTP). */
gboolean any_ws_http_is_upgrade     (SoupServerMessage   *msg);
/* Adds the Sec-WebSocket-Protocol answer to an upgrade (see
 * any-ws-subprotocol.c), or refuses it with 400. */
void     any_ws_http_answer_upgrade (SoupServerMessage   *msg,
                                     const char * const  *accepted);
/* From request-started: refuses a body over ANY_HTTP_MAX_BODY with 413
 * and keeps none of it. */
void     any_ws_http_bound_body     (SoupServerMessage   *msg);
/* Hands a plain request to @func (NULL: 404), which answers now or
 * later. */
void     any_ws_http_dispatch       (SoupServerMessage   *msg,
                                     AnyWsHttpFunc        func,
                                     gpointer             user_data);

G_END_DECLS

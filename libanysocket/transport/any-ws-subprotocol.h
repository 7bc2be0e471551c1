/* any-ws-subprotocol.h: choosing the WebSocket subprotocol a server
 * answers (RFC 6455 4.2.2)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The subprotocols a Sec-WebSocket-Protocol @header (all its lines joined
 * with commas) offers, in order: NULL if it is not a comma-separated
 * list of one or more tokens (RFC 7230 3.2.6). */
GStrv       any_ws_subprotocol_parse  (const char          *header);
/* The first of @offered that @accepted holds, or the first offered when
 * @accepted is NULL; NULL when none is acceptable. */
const char *any_ws_subprotocol_choose (const char * const  *offered,
                                       const char * const  *accepted);
/* A server's answer to the offer @header (NULL: no offer): NULL when the
 * upgrade goes on, *@chosen then being the subprotocol to answer (NULL:
 * none; free it); else why the upgrade is refused with 400 (*@chosen
 * NULL). Both ways of answering an upgrade (any-ws-http.c for libsoup's,
 * any-ws-upgrade.c) go through it. */
const char *any_ws_subprotocol_answer (const char          *header,
                                       const char * const  *accepted,
                                       char               **chosen);
/* "a, b, c": the request header that offers @protocols; NULL if none. */
char       *any_ws_subprotocol_offer  (const char * const  *protocols);

G_END_DECLS

/* any-http-exchange.h: one plain HTTP request on a WebSocket port, and
 * its answer, as the transport hands it upward
 *
 * The listening side (any-ws-server.c) answers WebSocket upgrades itself
 * and hands every other request up as an AnyHttpExchange: what was asked
 * (method, path, query, headers, body, remote address) and how to answer
 * (status, headers, body), now or later. No libsoup type crosses this
 * header: api/any-http-request.c wraps it for the application.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _AnyHttpExchange AnyHttpExchange;

typedef void (*AnyHttpHeaderFunc) (const char *name,
                                   const char *value,
                                   gpointer    user_data);

AnyHttpExchange *any_http_exchange_ref              (AnyHttpExchange   *self);
void             any_http_exchange_unref            (AnyHttpExchange   *self);

const char      *any_http_exchange_get_method       (AnyHttpExchange   *self);
/* Decoded, starting with '/'. */
const char      *any_http_exchange_get_path         (AnyHttpExchange   *self);
/* Raw (still %-encoded), without '?'; NULL without one. */
const char      *any_http_exchange_get_query        (AnyHttpExchange   *self);
/* All values of @name (any case) joined with ", "; NULL if none. */
const char      *any_http_exchange_get_header       (AnyHttpExchange   *self,
                                                     const char        *name);
void             any_http_exchange_foreach_header   (AnyHttpExchange   *self,
                                                     AnyHttpHeaderFunc  func,
                                                     gpointer           user_data);
/* The whole body (empty without one); bounded: ANY_HTTP_MAX_BODY. */
GBytes          *any_http_exchange_get_body         (AnyHttpExchange   *self);
/* "ADDRESS:PORT"; NULL if unknown. */
const char      *any_http_exchange_get_remote_address (AnyHttpExchange *self);

/* Answering: headers first, then one answer. An exchange not answered
 * when its handler returns waits (the connection is paused) until it is;
 * one whose client went away ignores its answer. */
void             any_http_exchange_add_response_header (AnyHttpExchange *self,
                                                     const char        *name,
                                                     const char        *value);
void             any_http_exchange_respond          (AnyHttpExchange   *self,
                                                     guint              status,
                                                     const char        *content_type,
                                                     GBytes            *body);
gboolean         any_http_exchange_is_answered      (AnyHttpExchange   *self);

/* Request bodies larger than this are refused (413) without being kept:
 * the JavaScript package reads no body at all, a web page's forms and
 * JSON posts are far smaller, and bulk data has the WebSocket (chunked,
 * bounded by AnySocket:max-message-size). */
#define ANY_HTTP_MAX_BODY (1024 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyHttpExchange, any_http_exchange_unref)

G_END_DECLS

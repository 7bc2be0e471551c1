/* any-ws-http.c: subprotocol answers and plain HTTP on the WebSocket port
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-ws-http.h"

#include "transport/any-http-exchange-soup.h"
#include "transport/any-ws-subprotocol.h"

/* Marks a message whose body went over the bound. */
#define TOO_LARGE "anysocket-too-large"

gboolean
any_ws_http_is_upgrade (SoupServerMessage *msg)
{
  return soup_message_headers_header_contains (soup_server_message_get_request_headers (msg),
                                               "Upgrade", "websocket");
}

static void
refuse (SoupServerMessage *msg,
        guint              status,
        const char        *why)
{
  g_autofree char *body = g_strdup_printf ("%s\r\n", why);

  g_debug ("Refusing an HTTP request: %u %s", status, why);
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, body, strlen (body));
}

void
any_ws_http_answer_upgrade (SoupServerMessage  *msg,
                            const char * const *accepted)
{
  const char *header = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                      "Sec-WebSocket-Protocol");
  g_autofree char *chosen = NULL;
  const char *refusal = any_ws_subprotocol_answer (header, accepted, &chosen);

  if (refusal != NULL)
    refuse (msg, SOUP_STATUS_BAD_REQUEST, refusal);
  /* libsoup (given no list of its own) keeps it, and gives it to the
   * SoupWebsocketConnection. */
  else if (chosen != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Sec-WebSocket-Protocol", chosen);
}

static void
too_large (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* What is still coming is read and dropped (the connection's deadline
   * bounds how long), then answered. */
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  if (g_object_get_data (G_OBJECT (msg), TOO_LARGE) != NULL)
    return;
  g_object_set_data (G_OBJECT (msg), TOO_LARGE, GINT_TO_POINTER (1));
  refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Request body too large");
}

static void
on_got_headers (SoupServerMessage *msg,
                gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* A status set here answers "Expect: 100-continue" at once. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > ANY_HTTP_MAX_BODY)
    too_large (msg);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (g_object_get_data (G_OBJECT (msg), TOO_LARGE) == NULL && body->length > ANY_HTTP_MAX_BODY)
    too_large (msg);
}

void
any_ws_http_bound_body (SoupServerMessage *msg)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), NULL);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), NULL);
}

void
any_ws_http_dispatch (SoupServerMessage *msg,
                      AnyWsHttpFunc      func,
                      gpointer           user_data)
{
  g_autoptr(AnyHttpExchange) exchange = any_http_exchange_new (msg);

  if (func != NULL)
    func (exchange, user_data);
  else
    any_http_exchange_respond (exchange, SOUP_STATUS_NOT_FOUND, NULL, NULL);
  any_http_exchange_hold (exchange);
}

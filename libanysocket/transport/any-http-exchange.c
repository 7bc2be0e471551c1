/* any-http-exchange.c: one plain HTTP request over libsoup's server
 * message, answered now or later
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-http-exchange.h"
#include "transport/any-http-exchange-soup.h"

struct _AnyHttpExchange
{
  gatomicrefcount    ref_count;
  SoupServerMessage *msg;
  gulong             disconnected_id;
  char              *remote;
  GBytes            *body;
  gboolean           paused;
  gboolean           answered;
  gboolean           gone;       /* the client went away */
};

static void
on_disconnected (SoupServerMessage *msg,
                 gpointer           user_data)
{
  AnyHttpExchange *self = user_data;

  self->gone = TRUE;
}

AnyHttpExchange *
any_http_exchange_new (SoupServerMessage *msg)
{
  AnyHttpExchange *self = g_new0 (AnyHttpExchange, 1);
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  g_atomic_ref_count_init (&self->ref_count);
  self->msg = g_object_ref (msg);
  self->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), self);
  if (remote != NULL)
    self->remote = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  return self;
}

AnyHttpExchange *
any_http_exchange_ref (AnyHttpExchange *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
any_http_exchange_unref (AnyHttpExchange *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  /* Dropped without an answer: the client gets one rather than a
   * connection that hangs. */
  if (!self->answered)
    any_http_exchange_respond (self, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL, NULL);
  g_signal_handler_disconnect (self->msg, self->disconnected_id);
  g_object_unref (self->msg);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_free (self->remote);
  g_free (self);
}

const char *
any_http_exchange_get_method (AnyHttpExchange *self)
{
  return soup_server_message_get_method (self->msg);
}

const char *
any_http_exchange_get_path (AnyHttpExchange *self)
{
  return g_uri_get_path (soup_server_message_get_uri (self->msg));
}

const char *
any_http_exchange_get_query (AnyHttpExchange *self)
{
  return g_uri_get_query (soup_server_message_get_uri (self->msg));
}

const char *
any_http_exchange_get_header (AnyHttpExchange *self,
                              const char      *name)
{
  return soup_message_headers_get_list (soup_server_message_get_request_headers (self->msg), name);
}

void
any_http_exchange_foreach_header (AnyHttpExchange   *self,
                                  AnyHttpHeaderFunc  func,
                                  gpointer           user_data)
{
  soup_message_headers_foreach (soup_server_message_get_request_headers (self->msg),
                                (SoupMessageHeadersForeachFunc) func, user_data);
}

GBytes *
any_http_exchange_get_body (AnyHttpExchange *self)
{
  if (self->body == NULL)
    self->body = soup_message_body_flatten (soup_server_message_get_request_body (self->msg));
  return self->body;
}

const char *
any_http_exchange_get_remote_address (AnyHttpExchange *self)
{
  return self->remote;
}

void
any_http_exchange_add_response_header (AnyHttpExchange *self,
                                       const char      *name,
                                       const char      *value)
{
  if (!self->answered)
    soup_message_headers_append (soup_server_message_get_response_headers (self->msg), name, value);
}

void
any_http_exchange_respond (AnyHttpExchange *self,
                           guint            status,
                           const char      *content_type,
                           GBytes          *body)
{
  SoupMessageBody *response;

  if (self->answered)
    return;
  self->answered = TRUE;
  if (self->gone)
    return;
  soup_server_message_set_status (self->msg, status, NULL);
  response = soup_server_message_get_response_body (self->msg);
  soup_message_body_truncate (response);
  if (body != NULL)
    soup_message_body_append_bytes (response, body);
  if (content_type != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (self->msg),
                                  "Content-Type", content_type);
  if (self->paused)
    {
      self->paused = FALSE;
      soup_server_message_unpause (self->msg);
    }
}

gboolean
any_http_exchange_is_answered (AnyHttpExchange *self)
{
  return self->answered;
}

void
any_http_exchange_hold (AnyHttpExchange *self)
{
  if (self->answered || self->gone)
    return;
  /* A status now, or libsoup would take the request for a failed
   * WebSocket upgrade; the answer replaces it. */
  soup_server_message_set_status (self->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_pause (self->msg);
  self->paused = TRUE;
}

/* any-ws-connect.c: the connecting side of the WebSocket transport
 *
 * libsoup 3.2's client (soup_session_websocket_connect_async) makes the
 * WebSocket over a stream of its own, framed by libsoup, with a send(2)
 * per frame. For plain ws:// with no extension
 * this file makes the connection itself: a GSocketClient (which honours
 * GIO's proxy resolver), the RFC 6455 upgrade request, the 101 answer
 * checked (status, Upgrade, Connection, Sec-WebSocket-Accept, no extension
 * or subprotocol the client did not ask for), and a client AnyWsLink
 * (our own framing, any-ws-link.c) on its socket. wss:// and
 * permessage-deflate stay with SoupSession (any-socket.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "transport/any-ws-connect.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "transport/any-dial-guard.h"
#include "transport/any-ws-link.h"
#include "transport/any-ws-subprotocol.h"
#include "transport/any-ws-upgrade.h"
#include "any-source.h"

/* An upgrade answer is a few hundred bytes; more is not one. */
#define ANSWER_MAX 8192

typedef struct {
  GUri              *uri;
  char             **headers;       /* to add: NAME, VALUE... */
  char              *key;
  char              *request;
  char             **protocols;     /* offered; NULL: none */
  char              *protocol;      /* the one the server chose */
  GSocketConnection *connection;
  AnyDialGuard       guard;         /* the caller's, @also and the deadline */
  GSource           *readable;
  GByteArray        *answer;
} Connect;

static void
connect_free (gpointer data)
{
  Connect *c = data;

  any_dial_guard_clear (&c->guard);
  any_clear_source (&c->readable);
  g_clear_object (&c->connection);
  g_clear_pointer (&c->answer, g_byte_array_unref);
  g_uri_unref (c->uri);
  g_strfreev (c->headers);
  g_free (c->key);
  g_free (c->request);
  g_strfreev (c->protocols);
  g_free (c->protocol);
  g_free (c);
}

gboolean
any_ws_connect_handles (GUri *uri)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "ws") == 0;
}

/* Completes @task (and drops the reference the steps pass on) with
 * @error, said as a time-out when the deadline cut it. */
static void
fail (GTask  *task,
      GError *error)
{
  Connect *c = g_task_get_task_data (task);

  g_task_return_error (task, any_dial_guard_explain (&c->guard, error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                     _("No WebSocket upgrade from the server within %u ms"),
                                                     c->guard.timeout_ms));
  g_object_unref (task);
}

/* The answer's head, @len bytes up to and with its blank line: NULL if it
 * is a WebSocket upgrade as asked, else why not. */
static GError *
check_answer (Connect    *c,
              const char *head,
              gsize       len)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *reason = NULL;
  g_autofree char *accept = any_ws_upgrade_accept_key (c->key, -1);
  const char *got_accept;
  const char *protocol;
  guint status = 0;

  if (!soup_headers_parse_response (head, (int) len, headers, NULL, &status, &reason))
    return g_error_new_literal (SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                                _("The server's answer to the WebSocket upgrade is not HTTP"));
  if (status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return g_error_new (SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET,
                        _("The server did not accept the WebSocket handshake (HTTP %u %s)"),
                        status, reason != NULL ? reason : "");
  got_accept = soup_message_headers_get_one (headers, "Sec-WebSocket-Accept");
  if (!soup_message_headers_header_equals (headers, "Upgrade", "websocket") ||
      !soup_message_headers_header_contains (headers, "Connection", "upgrade") ||
      got_accept == NULL || strcmp (got_accept, accept) != 0)
    return g_error_new_literal (SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                                _("The server's WebSocket upgrade is not valid (Upgrade, Connection or Sec-WebSocket-Accept)"));
  /* RFC 6455 4.1: a subprotocol must be one offered; none is fine. */
  protocol = soup_message_headers_get_list (headers, "Sec-WebSocket-Protocol");
  if (soup_message_headers_get_one (headers, "Sec-WebSocket-Extensions") != NULL ||
      (protocol != NULL && (c->protocols == NULL || !g_strv_contains ((const char * const *) c->protocols, protocol))))
    return g_error_new_literal (SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                                _("The server chose a WebSocket extension or subprotocol that was not offered"));
  c->protocol = g_strdup (protocol);
  return NULL;
}

/* Completes @task (and drops the steps' reference) with the WebSocket. */
static void
upgraded (GTask *task,
          gsize  head_len)
{
  Connect *c = g_task_get_task_data (task);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (c->connection, NULL);
  AnyTransport *link;

  /* Frames the server sent right behind its answer are the WebSocket's. */
  link = any_ws_link_new (G_IO_STREAM (c->connection), FALSE, c->answer->data + head_len,
                          c->answer->len - head_len, remote);
  g_task_return_pointer (task, link, g_object_unref);
  g_object_unref (task);
}

/* Reads what the server sent so far: FALSE while its answer's head is not
 * whole; then TRUE, with the head's length or an @error. */
static gboolean
read_answer (Connect  *c,
             gsize    *head_len,
             GError  **error)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (c->connection)));
  gsize before = c->answer->len;
  const char *end;
  gssize n;

  g_byte_array_set_size (c->answer, ANSWER_MAX);
  n = g_pollable_input_stream_read_nonblocking (in, c->answer->data + before, ANSWER_MAX - before,
                                                c->guard.cancellable, error);
  g_byte_array_set_size (c->answer, before + MAX (n, 0));
  if (n < 0 && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_clear_error (error);
      return FALSE;
    }
  if (n < 0)
    return TRUE;
  if (n == 0)
    {
      g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET,
                           _("The server closed the connection without answering the WebSocket upgrade"));
      return TRUE;
    }

  /* An HTTP head has no NUL: one makes the answer "too long" below. */
  end = g_strstr_len ((const char *) c->answer->data, c->answer->len, "\r\n\r\n");
  if (end != NULL)
    *head_len = (gsize) (end - (const char *) c->answer->data) + 4;
  else if (c->answer->len < ANSWER_MAX)
    return FALSE;
  else
    g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                         _("The server's answer to the WebSocket upgrade is too long"));
  return TRUE;
}

static gboolean
on_answer_readable (GObject  *stream,
                    gpointer  user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;
  gsize head_len = 0;

  if (!g_cancellable_set_error_if_cancelled (c->guard.cancellable, &error) &&
      !read_answer (c, &head_len, &error))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&c->readable, g_source_unref);   /* this source ends here */
  if (error == NULL)
    error = check_answer (c, (const char *) c->answer->data, head_len);
  if (error != NULL)
    fail (task, error);
  else
    upgraded (task, head_len);
  return G_SOURCE_REMOVE;
}

static void
on_request_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      fail (task, error);
      return;
    }
  c->answer = g_byte_array_sized_new (ANSWER_MAX);
  c->readable = g_pollable_input_stream_create_source (
      G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (c->connection))),
      c->guard.cancellable);
  g_source_set_callback (c->readable, G_SOURCE_FUNC (on_answer_readable), task, NULL);
  g_source_set_static_name (c->readable, "[anysocket] WebSocket upgrade answer");
  g_source_attach (c->readable, g_main_context_get_thread_default ());
}

static char *
upgrade_request (GUri               *uri,
                 const char         *key,
                 char              **protocols,
                 const char * const *headers)
{
  g_autofree char *offer = any_ws_subprotocol_offer ((const char * const *) protocols);
  const char *user_agent = "libanysocket";
  const char *host = g_uri_get_host (uri);
  gboolean ipv6 = strchr (host, ':') != NULL;
  const char *path = *g_uri_get_path (uri) != '\0' ? g_uri_get_path (uri) : "/";
  const char *query = g_uri_get_query (uri);
  GString *request = g_string_new (NULL);

  g_string_append_printf (request, "GET %s%s%s HTTP/1.1\r\n", path,
                          query != NULL ? "?" : "", query != NULL ? query : "");
  g_string_append_printf (request, "Host: %s%s%s", ipv6 ? "[" : "", host, ipv6 ? "]" : "");
  if (g_uri_get_port (uri) > 0)
    g_string_append_printf (request, ":%d", g_uri_get_port (uri));
  g_string_append_printf (request,
                          "\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: %s\r\n"
                          "Sec-WebSocket-Version: 13\r\n", key);
  if (offer != NULL)
    g_string_append_printf (request, "Sec-WebSocket-Protocol: %s\r\n", offer);
  /* Checked by AnyConnectOptions: tokens, no CR/LF, none of the above. */
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    {
      if (g_ascii_strcasecmp (headers[i], "User-Agent") == 0)
        user_agent = headers[i + 1];
      else
        g_string_append_printf (request, "%s: %s\r\n", headers[i], headers[i + 1]);
    }
  g_string_append_printf (request, "User-Agent: %s\r\n\r\n", user_agent);
  return g_string_free (request, FALSE);
}

static void
on_tcp_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;
  GSocket *socket;

  c->connection = g_socket_client_connect_to_uri_finish (G_SOCKET_CLIENT (source), result, &error);
  if (c->connection == NULL)
    {
      fail (task, error);
      return;
    }
  /* Each frame is a message of its own: as libsoup does, no Nagle. */
  socket = g_socket_connection_get_socket (c->connection);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  c->request = upgrade_request (c->uri, c->key, c->protocols, (const char * const *) c->headers);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (c->connection)),
                                   c->request, strlen (c->request), G_PRIORITY_DEFAULT,
                                   c->guard.cancellable, on_request_written, task);
}

void
any_ws_connect_async (GUri                *uri,
                      const char * const  *protocols,
                      const char * const  *headers,
                      guint                timeout_ms,
                      GCancellable        *cancellable,
                      GCancellable        *also_cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autofree char *uri_string = g_uri_to_string (uri);
  Connect *c = g_new0 (Connect, 1);
  guint32 nonce[4];

  g_task_set_source_tag (task, any_ws_connect_async);
  g_task_set_task_data (task, c, connect_free);
  c->uri = g_uri_ref (uri);
  c->protocols = g_strdupv ((char **) protocols);
  c->headers = g_strdupv ((char **) headers);
  for (guint i = 0; i < G_N_ELEMENTS (nonce); i++)
    nonce[i] = g_random_int ();
  c->key = g_base64_encode ((const guchar *) nonce, sizeof nonce);

  any_dial_guard_init (&c->guard, cancellable, also_cancellable, timeout_ms,
                       "[anysocket] WebSocket upgrade deadline");

  g_socket_client_connect_to_uri_async (client, uri_string, 80, c->guard.cancellable,
                                        on_tcp_connected, task);
}

AnyTransport *
any_ws_connect_finish (GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

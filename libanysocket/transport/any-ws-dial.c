/* any-ws-dial.c: WebSocket links from URIs: listening and connecting
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "any-error.h"
#include "transport/any-ws-dial.h"
#include "transport/any-stream-dial.h"
#include "transport/any-ws-connect.h"
#include "transport/any-ws-server.h"
#include "transport/any-ws-transport.h"

struct _AnyWsDial
{
  const AnyWsDialHost *host;
  gpointer      host_data;       /* the socket, which owns us */

  AnyWsServer  *server;
  AnyWsServer  *tls_server;      /* wss:// */
  AnyStreamServer *stream_server; /* tcp:// and unix:// */
  GTlsDatabase *session_database;   /* the session's, to see it change */
  SoupSession  *session;
  /* Cancels the connects any-ws-connect.c makes when the socket stops. */
  GCancellable *connecting;
};

AnyWsDial *
any_ws_dial_new (const AnyWsDialHost *host,
                 gpointer             host_data)
{
  AnyWsDial *self = g_new0 (AnyWsDial, 1);

  self->host = host;
  self->host_data = host_data;
  return self;
}

static AnyWsDialConfig
get_config (AnyWsDial *self)
{
  AnyWsDialConfig config = { 0 };

  self->host->config (self->host_data, &config);
  return config;
}

void
any_ws_dial_clear (AnyWsDial *self)
{
  g_clear_object (&self->server);
  g_clear_object (&self->tls_server);
  g_clear_pointer (&self->stream_server, any_stream_server_free);
  g_clear_object (&self->session);
  g_clear_object (&self->session_database);
  g_clear_object (&self->connecting);
}

void
any_ws_dial_free (AnyWsDial *self)
{
  if (self == NULL)
    return;
  any_ws_dial_clear (self);
  g_free (self);
}

void
any_ws_dial_stop (AnyWsDial *self)
{
  if (self->server != NULL)
    any_ws_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->tls_server != NULL)
    any_ws_server_disconnect (self->tls_server);
  g_clear_object (&self->tls_server);
  g_clear_pointer (&self->stream_server, any_stream_server_free);
  if (self->session != NULL)
    soup_session_abort (self->session);
  if (self->connecting != NULL)
    {
      g_cancellable_cancel (self->connecting);
      g_clear_object (&self->connecting);
    }
}

void
any_ws_dial_set_max_connections (AnyWsDial *self,
                                 guint      max_connections)
{
  if (self->server != NULL)
    any_ws_server_set_max_connections (self->server, max_connections);
  if (self->tls_server != NULL)
    any_ws_server_set_max_connections (self->tls_server, max_connections);
  if (self->stream_server != NULL)
    any_stream_server_set_max_connections (self->stream_server, max_connections);
}

void
any_ws_dial_set_protocols (AnyWsDial          *self,
                           const char * const *protocols)
{
  if (self->server != NULL)
    any_ws_server_set_protocols (self->server, protocols);
  if (self->tls_server != NULL)
    any_ws_server_set_protocols (self->tls_server, protocols);
}

void
any_ws_dial_reset_session (AnyWsDial *self)
{
  g_clear_object (&self->session);
}

/* URIs */

static GUri *
parse_uri (const char  *uri,
           gboolean     for_listen,
           GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  /* Path and query kept as written (percent-encoded), as libsoup parses
   * them: the upgrade request line is made from them. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_PATH | G_URI_FLAGS_ENCODED_QUERY, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Invalid URI '%s': %s"), uri, local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (parsed);
  if (g_strcmp0 (scheme, "unix") == 0)
    {
      if (*g_uri_get_path (parsed) != '/' || (g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0'))
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                       _("Invalid URI '%s': a unix socket is unix:///ABSOLUTE/PATH"), uri);
          return NULL;
        }
      return g_steal_pointer (&parsed);
    }
  if (g_strcmp0 (scheme, "ws") != 0 && g_strcmp0 (scheme, "wss") != 0 && g_strcmp0 (scheme, "tcp") != 0)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Invalid URI '%s': the scheme must be ws://, wss://, tcp:// or unix://"), uri);
      return NULL;
    }
  if (g_strcmp0 (scheme, "tcp") == 0 && g_uri_get_port (parsed) < 0)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Invalid URI '%s': no port"), uri);
      return NULL;
    }
  if (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Invalid URI '%s': no host"), uri);
      return NULL;
    }
  if (g_uri_get_port (parsed) < 0 && for_listen)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Invalid URI '%s': no port (use port 0 for any free port)"), uri);
      return NULL;
    }
  if (g_uri_get_port (parsed) == 0 && !for_listen)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Invalid URI '%s': cannot connect to port 0"), uri);
      return NULL;
    }
  return g_steal_pointer (&parsed);
}

/* Listening */

typedef struct {
  AnyWsDial *dial;
  guint16    port;
  gboolean   tls;      /* wss:// */
  gboolean   stream;   /* tcp:// */
} ListenData;

static void
on_accept (AnyTransport      *transport,
           AnyUpgradeRequest *request,
           gpointer           user_data)
{
  AnyWsDial *self = user_data;

  any_transport_set_upgrade_request (transport, request);
  self->host->link (self->host_data, transport, NULL);
}

static void
on_http (AnyHttpExchange *exchange,
         gpointer         user_data)
{
  AnyWsDial *self = user_data;

  self->host->http (self->host_data, exchange);
}

static void
on_stream_accept (AnyTransport *transport,
                  gpointer      user_data)
{
  AnyWsDial *self = user_data;

  self->host->link (self->host_data, transport, NULL);
}

/* The plain or the TLS server (@certificate), set up as @config says. */
static AnyWsServer *
get_server (AnyWsDial        *self,
            GTlsCertificate  *certificate,
            AnyWsDialConfig  *config)
{
  AnyWsServer **server = certificate != NULL ? &self->tls_server : &self->server;

  if (*server == NULL)
    {
      *server = any_ws_server_new (config->permessage_deflate, on_accept, self);
      any_ws_server_set_http_func (*server, on_http, self);
      any_ws_server_set_tls_certificate (*server, certificate);
    }
  any_ws_server_set_protocols (*server, config->ws_protocols);
  /* The upgrade is part of the handshake that auth-timeout bounds. */
  any_ws_server_set_upgrade_timeout (*server, config->upgrade_timeout_ms);
  any_ws_server_set_max_connections (*server, config->max_connections);
  return *server;
}

static void
listen_on_address (GTask          *task,
                   GInetAddress   *address,
                   guint16         port)
{
  ListenData *data = g_task_get_task_data (task);
  AnyWsDial *self = data->dial;
  AnyWsDialConfig config = get_config (self);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  g_autoptr(GError) error = NULL;
  guint16 bound;

  if (data->stream)
    {
      if (self->stream_server == NULL)
        self->stream_server = any_stream_server_new (on_stream_accept, self);
      any_stream_server_set_hello_timeout (self->stream_server, config.upgrade_timeout_ms);
      any_stream_server_set_max_connections (self->stream_server, config.max_connections);
      bound = any_stream_server_listen_inet (self->stream_server, G_INET_SOCKET_ADDRESS (socket_address), &error);
    }
  else
    {
      AnyWsServer *server = get_server (self, data->tls ? config.tls_certificate : NULL, &config);

      bound = any_ws_server_listen (server, G_INET_SOCKET_ADDRESS (socket_address), &error);
    }
  if (bound == 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, bound);
}

static void
on_listen_resolved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  ListenData *data = g_task_get_task_data (task);

  if (addresses == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  listen_on_address (task, addresses->data, data->port);
  g_resolver_free_addresses (addresses);
}

/* unix:///PATH: no port, 0 returned. */
static void
listen_unix (AnyWsDial  *self,
             const char *path,
             GTask      *task)
{
  AnyWsDialConfig config = get_config (self);
  GError *error = NULL;

  if (self->stream_server == NULL)
    self->stream_server = any_stream_server_new (on_stream_accept, self);
  any_stream_server_set_hello_timeout (self->stream_server, config.upgrade_timeout_ms);
  any_stream_server_set_max_connections (self->stream_server, config.max_connections);
  if (any_stream_server_listen_unix (self->stream_server, path, &error))
    g_task_return_int (task, 0);
  else
    g_task_return_error (task, error);
}

void
any_ws_dial_listen (AnyWsDial  *self,
                    const char *uri,
                    GTask      *task)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  ListenData *data;
  const char *host;

  parsed = parse_uri (uri, TRUE, &error);
  if (parsed == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_strcmp0 (g_uri_get_scheme (parsed), "unix") == 0)
    {
      listen_unix (self, g_uri_get_path (parsed), task);
      return;
    }
  if (g_strcmp0 (g_uri_get_scheme (parsed), "wss") == 0 && get_config (self).tls_certificate == NULL)
    {
      g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED,
                               _("%s needs a TLS certificate (the tls-certificate property)"), uri);
      return;
    }
  host = g_uri_get_host (parsed);
  data = g_new0 (ListenData, 1);
  data->dial = self;
  data->port = (guint16) g_uri_get_port (parsed);
  data->tls = g_strcmp0 (g_uri_get_scheme (parsed), "wss") == 0;
  data->stream = g_strcmp0 (g_uri_get_scheme (parsed), "tcp") == 0;
  g_task_set_task_data (task, data, g_free);

  address = g_inet_address_new_from_string (host);
  if (address != NULL)
    {
      listen_on_address (task, address, data->port);
      return;
    }

  {
    g_autoptr(GResolver) resolver = g_resolver_get_default ();

    g_resolver_lookup_by_name_async (resolver, host, g_task_get_cancellable (task),
                                     on_listen_resolved, g_object_ref (task));
  }
}

/* Connecting */

typedef struct {
  AnyWsDial   *dial;
  SoupMessage *msg;              /* through the session only */
  /* any-ws-connect.c's or any-stream-dial.c's */
  AnyTransport *(*finish) (GAsyncResult *result, GError **error);
} ConnectData;

static void
connect_data_free (gpointer user_data)
{
  ConnectData *data = user_data;

  g_clear_object (&data->msg);
  g_free (data);
}

static SoupSession *
get_session (AnyWsDial    *self,
             gboolean      permessage_deflate,
             GTlsDatabase *database)
{
  if (self->session != NULL && database != self->session_database)
    g_clear_object (&self->session);
  if (self->session == NULL)
    {
      self->session = soup_session_new_with_options ("max-conns", 1 << 16,
                                                     "max-conns-per-host", 1 << 16,
                                                     NULL);
      g_set_object (&self->session_database, database);
      if (database != NULL)
        soup_session_set_tls_database (self->session, database);
      /* A libsoup 3.2 session offers no WebSocket extension unless it has
       * the extension manager (which brings permessage-deflate). */
      if (permessage_deflate)
        soup_session_add_feature_by_type (self->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
    }
  return self->session;
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(AnyTransport) transport = NULL;
  g_autoptr(GError) error = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  transport = any_ws_transport_new (connection, soup_message_get_remote_address (data->msg));
  data->dial->host->link (data->dial->host_data, transport, task);
}

static void
on_link_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(AnyTransport) transport = NULL;
  g_autoptr(GError) error = NULL;

  transport = data->finish (result, &error);
  if (transport == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->dial->host->link (data->dial->host_data, transport, task);
}

void
any_ws_dial_connect (AnyWsDial          *self,
                     const char         *uri,
                     const char * const *headers,
                     GTask              *task)
{
  AnyWsDialConfig config = get_config (self);
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *request_headers;
  ConnectData *data;

  parsed = parse_uri (uri, FALSE, &error);
  if (parsed == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (any_stream_handles (parsed))
    {
      data = g_new0 (ConnectData, 1);
      data->dial = self;
      g_task_set_task_data (task, data, connect_data_free);
      if (self->connecting == NULL)
        self->connecting = g_cancellable_new ();
      data->finish = any_stream_connect_finish;
      any_stream_connect_async (parsed, config.connect_timeout_ms, g_task_get_cancellable (task),
                                self->connecting, on_link_connected, g_object_ref (task));
      return;
    }

  /* The JavaScript server serves its WebSocket on "/". */
  if (*g_uri_get_path (parsed) == '\0')
    {
      GUri *with_path = soup_uri_copy (parsed, SOUP_URI_PATH, "/", SOUP_URI_NONE);

      g_uri_unref (parsed);
      parsed = with_path;
    }

  data = g_new0 (ConnectData, 1);
  data->dial = self;
  g_task_set_task_data (task, data, connect_data_free);

  /* Plain ws:// without extensions: our own framing, as accepted
   * connections have (any-ws-connect.c). */
  if (!config.permessage_deflate && any_ws_connect_handles (parsed))
    {
      if (self->connecting == NULL)
        self->connecting = g_cancellable_new ();
      data->finish = any_ws_connect_finish;
      any_ws_connect_async (parsed, config.ws_protocols, headers, config.connect_timeout_ms,
                            g_task_get_cancellable (task), self->connecting,
                            on_link_connected, g_object_ref (task));
      return;
    }

  data->msg = soup_message_new_from_uri (SOUP_METHOD_GET, parsed);
  /* Here rather than the session's "user-agent", which would replace
   * one the caller added. */
  request_headers = soup_message_get_request_headers (data->msg);
  soup_message_headers_append (request_headers, "User-Agent", "libanysocket");
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    {
      if (g_ascii_strcasecmp (headers[i], "User-Agent") == 0)
        soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);
      else
        soup_message_headers_append (request_headers, headers[i], headers[i + 1]);
    }
  soup_session_websocket_connect_async (get_session (self, config.permessage_deflate, config.tls_database), data->msg,
                                        NULL, (char **) config.ws_protocols, G_PRIORITY_DEFAULT,
                                        g_task_get_cancellable (task),
                                        on_websocket_connected, g_object_ref (task));
}

/* Logging */

static void
drop_log_message (const char     *log_domain,
                  GLogLevelFlags  log_level,
                  const char     *message,
                  gpointer        user_data)
{
}

/* libsoup 3.2 logs several debug messages per WebSocket frame. GLib 2.74
 * formats each one and runs it through the default handler (which reads
 * G_MESSAGES_DEBUG from the environment every time) only to drop it: that
 * was about a quarter of a server's instructions per request. Unless the
 * environment asks for libsoup's debug output, those messages go to a
 * handler that does nothing. */
void
any_ws_dial_quiet_libsoup_debug (void)
{
  const char *wanted = g_getenv ("G_MESSAGES_DEBUG");

  if (wanted == NULL || (strstr (wanted, "libsoup") == NULL && strstr (wanted, "all") == NULL))
    g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);
}

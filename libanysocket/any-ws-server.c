/* any-ws-server.c: the listening side of the WebSocket transport
 *
 * One SoupServer per AnySocket, with one listening GSocket per URI.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-ws-server.h"

/* soup_server_listen_local() uses a backlog of 10: a burst of connections
 * then waits for TCP retransmits. */
#define LISTEN_BACKLOG 4096

struct _AnyWsServer
{
  GObject                parent_instance;
  SoupServer            *server;
  AnyWsServerAcceptFunc  accept_func;
  gpointer               user_data;
};

G_DEFINE_FINAL_TYPE (AnyWsServer, any_ws_server, G_TYPE_OBJECT)

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  AnyWsServer *self = user_data;

  if (self->accept_func != NULL)
    self->accept_func (connection, soup_server_message_get_remote_address (msg), self->user_data);
}

static void
any_ws_server_dispose (GObject *object)
{
  AnyWsServer *self = ANY_WS_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (any_ws_server_parent_class)->dispose (object);
}

static void
any_ws_server_class_init (AnyWsServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = any_ws_server_dispose;
}

static void
any_ws_server_init (AnyWsServer *self)
{
}

AnyWsServer *
any_ws_server_new (gboolean              permessage_deflate,
                   AnyWsServerAcceptFunc accept_func,
                   gpointer              user_data)
{
  AnyWsServer *self = g_object_new (ANY_TYPE_WS_SERVER, NULL);

  self->accept_func = accept_func;
  self->user_data = user_data;
  self->server = soup_server_new ("server-header", "libanysocket", NULL);
  /* permessage-deflate costs ~90 KiB per idle connection and 10-20% of
   * throughput (DESIGN.md): only when asked for. */
  if (!permessage_deflate)
    soup_server_remove_websocket_extension (self->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  /* Any path: the JavaScript client uses "/", others may not. A plain
   * HTTP request (or a TLS ClientHello from the JavaScript client's wss://
   * attempt) gets an HTTP error from libsoup and the connection closes. */
  soup_server_add_websocket_handler (self->server, NULL, NULL, NULL, on_websocket, self, NULL);
  return self;
}

guint16
any_ws_server_listen (AnyWsServer         *self,
                      GInetSocketAddress  *address,
                      GError             **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (g_socket_address_get_family (G_SOCKET_ADDRESS (address)),
                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return 0;
  if (!g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, error))
    return 0;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return 0;
  if (!soup_server_listen_socket (self->server, socket, 0, error))
    return 0;

  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

void
any_ws_server_disconnect (AnyWsServer *self)
{
  soup_server_disconnect (self->server);
}

/* any-ws-transport.c: a transport over one libsoup WebSocket connection
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "any-ws-transport.h"

/* A close frame's reason is at most 123 bytes (RFC 6455 5.5). */
#define MAX_CLOSE_REASON 123

struct _AnyWsTransport
{
  AnyTransport             parent_instance;
  SoupWebsocketConnection *connection;
  char                    *remote_address;
  char                    *error_reason;   /* when libsoup refused a frame */
};

G_DEFINE_FINAL_TYPE (AnyWsTransport, any_ws_transport, ANY_TYPE_TRANSPORT)

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 user_data)
{
  AnyTransport *transport = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);

  any_transport_deliver_frame (transport, data, len, type == SOUP_WEBSOCKET_DATA_TEXT);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  AnyTransport *transport = user_data;
  const char *data = soup_websocket_connection_get_close_data (connection);
  gushort code = soup_websocket_connection_get_close_code (connection);
  g_autofree char *reason = NULL;

  /* The JavaScript peer closes without a reason; report it as it does. */
  if (ANY_WS_TRANSPORT (transport)->error_reason != NULL)
    reason = g_strdup (ANY_WS_TRANSPORT (transport)->error_reason);
  else if (data != NULL && *data != '\0')
    reason = g_strdup (data);
  else if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_NORMAL ||
           code == SOUP_WEBSOCKET_CLOSE_NO_STATUS || code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
    reason = g_strdup ("Remote Connection Closed");
  else
    reason = g_strdup_printf ("Remote Connection Closed (WebSocket code %u)", code);

  any_transport_deliver_closed (transport, reason);
}

/* libsoup refuses an oversized frame or invalid UTF-8 on its own and then
 * closes without a reason (or drops the connection without a close
 * frame): close here first, with a reason both sides can read. */
static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  AnyWsTransport *self = user_data;
  const char *reason = "Invalid Packet! WebSocket protocol error";
  gushort code = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR;

  g_debug ("WebSocket error: %s", error->message);
  if (error->domain != SOUP_WEBSOCKET_ERROR || self->error_reason != NULL)
    return;

  if (error->code == SOUP_WEBSOCKET_CLOSE_TOO_BIG)
    {
      reason = "Message too big: WebSocket frame over the size limit";
      code = SOUP_WEBSOCKET_CLOSE_TOO_BIG;
    }
  else if (error->code == SOUP_WEBSOCKET_CLOSE_BAD_DATA)
    {
      reason = "Invalid Packet! Text frame is not valid UTF-8";
      code = SOUP_WEBSOCKET_CLOSE_BAD_DATA;
    }
  self->error_reason = g_strdup (reason);

  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (connection, code, reason);
}

static void
any_ws_transport_send (AnyTransport *transport,
                       GBytes       *frame)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (transport);

  if (soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  /* Never send_text(): the chunk header holds NUL code points. */
  soup_websocket_connection_send_message (self->connection, SOUP_WEBSOCKET_DATA_TEXT, frame);
}

static void
drop_connection_when_closed (SoupWebsocketConnection *connection,
                             gpointer                 user_data)
{
  g_object_unref (connection);
}

static void
any_ws_transport_close (AnyTransport *transport,
                        const char   *reason)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (transport);
  SoupWebsocketConnection *connection = g_steal_pointer (&self->connection);
  char truncated[MAX_CLOSE_REASON + 1];

  g_signal_handlers_disconnect_by_data (connection, self);

  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_CLOSED)
    {
      g_object_unref (connection);
      return;
    }

  /* The close handshake outlives us: the connection keeps itself alive
   * until libsoup reports it closed (or its close timeout fires). */
  g_signal_connect (connection, "closed", G_CALLBACK (drop_connection_when_closed), NULL);

  /* Closing already (the other side's close frame came, and libsoup
   * answered it; or we refused a frame): libsoup finishes the handshake,
   * and a second close is a critical. */
  if (soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  truncated[0] = '\0';
  if (reason != NULL)
    {
      const char *end = reason;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);
          if (next - reason > MAX_CLOSE_REASON)
            break;
          end = next;
        }
      memcpy (truncated, reason, end - reason);
      truncated[end - reason] = '\0';
    }
  soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, truncated);
}

static void
any_ws_transport_set_max_frame_size (AnyTransport *transport,
                                     gsize         max_bytes)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (transport);

  if (self->connection != NULL)
    soup_websocket_connection_set_max_incoming_payload_size (self->connection, max_bytes);
}

static const char *
any_ws_transport_get_remote_address (AnyTransport *transport)
{
  return ANY_WS_TRANSPORT (transport)->remote_address;
}

static void
any_ws_transport_dispose (GObject *object)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (object);

  if (self->connection != NULL)
    any_transport_close (ANY_TRANSPORT (self), "Peer destroyed");

  G_OBJECT_CLASS (any_ws_transport_parent_class)->dispose (object);
}

static void
any_ws_transport_finalize (GObject *object)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (object);

  g_free (self->remote_address);
  g_free (self->error_reason);

  G_OBJECT_CLASS (any_ws_transport_parent_class)->finalize (object);
}

static void
any_ws_transport_class_init (AnyWsTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AnyTransportClass *transport_class = ANY_TRANSPORT_CLASS (klass);

  object_class->dispose = any_ws_transport_dispose;
  object_class->finalize = any_ws_transport_finalize;
  transport_class->send = any_ws_transport_send;
  transport_class->close = any_ws_transport_close;
  transport_class->set_max_frame_size = any_ws_transport_set_max_frame_size;
  transport_class->get_remote_address = any_ws_transport_get_remote_address;
}

static void
any_ws_transport_init (AnyWsTransport *self)
{
}

AnyTransport *
any_ws_transport_new (SoupWebsocketConnection *connection,
                      GSocketAddress          *remote_address)
{
  AnyWsTransport *self = g_object_new (ANY_TYPE_WS_TRANSPORT, NULL);

  self->connection = g_object_ref (connection);
  if (G_IS_INET_SOCKET_ADDRESS (remote_address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (remote_address);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint16 port = g_inet_socket_address_get_port (inet);

      if (g_inet_address_get_family (g_inet_socket_address_get_address (inet)) == G_SOCKET_FAMILY_IPV6)
        self->remote_address = g_strdup_printf ("[%s]:%u", ip, port);
      else
        self->remote_address = g_strdup_printf ("%s:%u", ip, port);
    }

  /* Keepalive is the protocol's heartbeat, not WebSocket pings. */
  soup_websocket_connection_set_keepalive_interval (connection, 0);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (connection, "error", G_CALLBACK (on_error), self);

  return ANY_TRANSPORT (self);
}

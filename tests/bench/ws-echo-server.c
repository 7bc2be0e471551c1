/* ws-echo-server.c: a bare libsoup WebSocket echo server, the ceiling of
 * libanysocket's transport in the benchmark (no protocol on top)
 *
 * Listens on 127.0.0.1 (port 0 by default), prints the port as its first
 * line on stdout, and sends every frame it receives back unchanged. Set up
 * like libanysocket's own server (any-ws-server.c): a listening GSocket
 * with a large backlog handed to soup_server_listen_socket(), no
 * keepalive, permessage-deflate only with --deflate, and the same
 * max-incoming-payload-size.
 *
 * Exits on SIGINT/SIGTERM, or by itself after --timeout seconds.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

static gboolean opt_deflate = FALSE;
static int opt_port = 0;
static int opt_timeout = 600;
static char *opt_host = NULL;

static GOptionEntry entries[] = {
  { "deflate", 0, 0, G_OPTION_ARG_NONE, &opt_deflate, "Accept permessage-deflate", NULL },
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "Address to listen on (127.0.0.1)", "IP" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Port (0: any free port)", "PORT" },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, "Exit after this many seconds (600)", "S" },
  { NULL }
};

static GMainLoop *loop;
static guint64 frames;

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 user_data)
{
  frames++;
  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (connection, type, message);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  g_object_unref (connection);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  soup_websocket_connection_set_keepalive_interval (connection, 0);
  soup_websocket_connection_set_max_incoming_payload_size (connection, 8 * 1024 * 1024);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), NULL);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), NULL);
  g_object_ref (connection);
}

static void
drop_log_message (const char     *log_domain,
                  GLogLevelFlags  log_level,
                  const char     *message,
                  gpointer        user_data)
{
}

static gboolean
on_quit (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- bare libsoup WebSocket echo server");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  /* The ceiling pays for libsoup's per-frame debug messages what
   * libanysocket pays (any-socket.c quiets them the same way), no more. */
  g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);

  loop = g_main_loop_new (NULL, FALSE);
  server = soup_server_new ("server-header", "ws-echo-server", NULL);
  if (!opt_deflate)
    soup_server_remove_websocket_extension (server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_websocket_handler (server, NULL, NULL, NULL, on_websocket, NULL, NULL);

  address = g_inet_address_new_from_string (opt_host ? opt_host : "127.0.0.1");
  if (address == NULL)
    {
      g_printerr ("Invalid --host\n");
      return 2;
    }
  socket_address = g_inet_socket_address_new (address, (guint16) opt_port);
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  if (socket == NULL ||
      !g_socket_bind (socket, socket_address, TRUE, &error) ||
      (g_socket_set_listen_backlog (socket, 4096), !g_socket_listen (socket, &error)) ||
      !soup_server_listen_socket (server, socket, 0, &error) ||
      (bound = g_socket_get_local_address (socket, &error)) == NULL)
    {
      g_printerr ("Cannot listen: %s\n", error->message);
      return 1;
    }

  printf ("%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);

  g_unix_signal_add (SIGINT, on_quit, NULL);
  g_unix_signal_add (SIGTERM, on_quit, NULL);
  if (opt_timeout > 0)
    g_timeout_add_seconds (opt_timeout, on_quit, NULL);
  g_main_loop_run (loop);

  soup_server_disconnect (server);
  g_main_loop_unref (loop);
  g_printerr ("ws-echo-server: %" G_GUINT64_FORMAT " frames echoed\n", frames);
  return 0;
}

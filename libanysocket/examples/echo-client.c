/* echo-client.c: an AnySocket client in C
 *
 *   echo-client ws://HOST:PORT [TEXT]
 *
 * Connects, sends the request {"text": TEXT}, prints the reply as
 * "reply: <JSON>" and exits 0; any failure is printed and exits 1.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <anysocket.h>

/* A request with no reply after this long fails (the link stays up). */
#define REQUEST_TIMEOUT_MS 5000

typedef struct {
  GMainLoop *loop;
  const char *text;
  int status;
} Client;

static void
fail (Client       *client,
      const char   *what,
      const GError *error)
{
  g_printerr ("%s: %s\n", what, error->message);
  client->status = EXIT_FAILURE;
  g_main_loop_quit (client->loop);
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Client *client = user_data;
  AnyPeer *peer = ANY_PEER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (peer, result, &error);
  g_autofree char *text = NULL;

  if (reply == NULL)
    {
      fail (client, "request failed", error);
      return;
    }

  /* JSON text is UTF-8 whatever the locale: written as is, not through
   * g_print(), which would convert it to the locale's charset. */
  text = json_to_string (any_packet_get_msg (reply), FALSE);
  printf ("reply: %s\n", text);

  any_peer_disconnect (peer, "bye");
  client->status = EXIT_SUCCESS;
  g_main_loop_quit (client->loop);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;

  if (peer == NULL)
    {
      fail (client, "cannot connect", error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, client->text);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);

  any_peer_request_async (peer, request, REQUEST_TIMEOUT_MS, NULL, on_reply, client);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(AnySocket) socket = NULL;
  Client client = { NULL, "hello", EXIT_FAILURE };

  if (argc != 2 && argc != 3)
    {
      g_printerr ("usage: %s ws://HOST:PORT [TEXT]\n", argv[0]);
      return EXIT_FAILURE;
    }
  if (argc == 3)
    client.text = argv[2];

  loop = g_main_loop_new (NULL, FALSE);
  client.loop = loop;
  socket = any_socket_new ();
  any_socket_connect_async (socket, argv[1], NULL, on_connected, &client);
  g_main_loop_run (loop);

  return client.status;
}

/* echo-server.c: an AnySocket echo server in C
 *
 *   echo-server ws://HOST:PORT
 *
 * Listens on the URI (port 0 picks a free port), prints
 * "listening on port N" and answers every message with
 * {"echo": <the message>, "by": "c"}. SIGINT or SIGTERM stops it cleanly.
 *
 * Build it outside this tree with
 *   cc echo-server.c $(pkg-config --cflags --libs libanysocket-1)
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <glib-unix.h>
#include <anysocket.h>

static void
on_message (AnySocket *socket,
            AnyPacket *packet,
            gpointer   user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "echo");
  json_builder_add_value (builder, json_node_copy (any_packet_get_msg (packet)));
  json_builder_set_member_name (builder, "by");
  json_builder_add_string_value (builder, "c");
  json_builder_end_object (builder);
  reply = json_builder_get_root (builder);

  /* Replying to a plain message (not a request) is harmless: the other
   * side drops a reply it was not waiting for. */
  if (!any_packet_reply (packet, reply, &error))
    g_printerr ("could not reply to %s: %s\n",
                any_peer_get_id (any_packet_get_peer (packet)), error->message);
}

static void
on_listening (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);

  if (port == 0)
    {
      g_printerr ("cannot listen: %s\n", error->message);
      exit (EXIT_FAILURE);
    }
  /* The port is the first line of output: whoever started us waits for it. */
  g_print ("listening on port %u\n", port);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(AnySocket) socket = NULL;

  if (argc != 2)
    {
      g_printerr ("usage: %s ws://HOST:PORT\n", argv[0]);
      return EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  socket = any_socket_new ();
  g_signal_connect (socket, "message", G_CALLBACK (on_message), NULL);
  any_socket_listen_async (socket, argv[1], NULL, on_listening, NULL);

  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  /* Tells every connected peer why it is dropped (`Socket stopped`). */
  any_socket_stop (socket);
  return EXIT_SUCCESS;
}

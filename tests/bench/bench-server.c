/* bench-server.c: the libanysocket server of the benchmark
 *
 * Listens on ws://127.0.0.1:0 (or --port), prints the port as its first
 * line on stdout, and answers what any-bench sends:
 *   a request  {"type":"req",...}  with any_packet_reply (same message back)
 *   a message  {"type":"msg",...}  with any_peer_send   (same message back)
 * exactly as js-server.js does with packet.reply / packet.peer.send.
 *
 * Exits on SIGINT/SIGTERM, or by itself after --timeout seconds.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <anysocket.h>

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
static guint64 replies, sends, errors;

static gboolean
is_request (JsonNode *msg)
{
  JsonObject *object;
  const char *type;

  if (!JSON_NODE_HOLDS_OBJECT (msg))
    return FALSE;
  object = json_node_get_object (msg);
  type = json_object_get_string_member_with_default (object, "type", NULL);
  return type != NULL && strcmp (type, "req") == 0;
}

static void
on_message (AnySocket *socket,
            AnyPacket *packet,
            gpointer   user_data)
{
  JsonNode *msg = any_packet_get_msg (packet);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (is_request (msg))
    {
      ok = any_packet_reply (packet, msg, &error);
      replies++;
    }
  else
    {
      ok = any_peer_send (any_packet_get_peer (packet), msg, &error);
      sends++;
    }
  if (!ok)
    errors++;
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
      g_printerr ("Cannot listen: %s\n", error->message);
      exit (1);
    }
  printf ("%u\n", port);
  fflush (stdout);
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
  g_autoptr(GOptionContext) context = g_option_context_new ("- libanysocket benchmark server");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnySocket) server = NULL;
  g_autofree char *uri = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  server = any_socket_new ();
  any_socket_set_permessage_deflate (server, opt_deflate);
  g_signal_connect (server, "message", G_CALLBACK (on_message), NULL);

  uri = g_strdup_printf ("ws://%s:%d", opt_host ? opt_host : "127.0.0.1", opt_port);
  any_socket_listen_async (server, uri, NULL, on_listening, NULL);

  g_unix_signal_add (SIGINT, on_quit, NULL);
  g_unix_signal_add (SIGTERM, on_quit, NULL);
  if (opt_timeout > 0)
    g_timeout_add_seconds (opt_timeout, on_quit, NULL);
  g_main_loop_run (loop);

  any_socket_stop (server);
  g_main_loop_unref (loop);
  g_printerr ("bench-server: %" G_GUINT64_FORMAT " replies, %" G_GUINT64_FORMAT
              " sends, %" G_GUINT64_FORMAT " errors\n", replies, sends, errors);
  return 0;
}

/* bench-server.c: the libanysocket server of the benchmark
 *
 * Listens on ws://127.0.0.1:0 (or --port), prints the port as its first
 * line on stdout, and answers what any-bench sends:
 *   a request  {"type":"req",...}  with any_packet_reply (same message back)
 *   a message  {"type":"msg",...}  with any_peer_send   (same message back)
 *   a request  {"type":"big","data":S} (e2e-bench's large message) with
 *              any_packet_reply ({"type":"ack","length":len(S)}), a tiny ack
 *   a binary request (e2e-bench --binary) with {"type":"ack","length":N}
 *   a request  {"type":"bcast"} (idle-peers' fan-out) with
 *              any_socket_broadcast ({"type":"b"}) to every peer, then a
 *              reply
 * It takes any number of connections (max-connections 0: the library's
 * default of 10,000 would refuse the 100 new peers idle-peers measures at
 * 10,000), and allows every proxy request ("proxy-request"), so that idle-peers
 * can measure relayed FORWARD frames (the JavaScript default refuses).
 * exactly as js-server.js does with packet.reply / packet.peer.send.
 * End-to-end encryption needs nothing here: the answering side of a switch
 * is automatic, and the replies go out encrypted once it is done.
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
static char *opt_listen = NULL;
static char *opt_cert = NULL;
static char *opt_key = NULL;

static GOptionEntry entries[] = {
  { "deflate", 0, 0, G_OPTION_ARG_NONE, &opt_deflate, "Accept permessage-deflate", NULL },
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "Address to listen on (127.0.0.1)", "IP" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Port (0: any free port)", "PORT" },
  { "listen", 0, 0, G_OPTION_ARG_STRING, &opt_listen, "Listen on URI instead (tcp://HOST:PORT, unix:///PATH: prints 0)", "URI" },
  { "cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "wss://: the certificate (PEM)", "FILE" },
  { "key", 0, 0, G_OPTION_ARG_FILENAME, &opt_key, "wss://: its key (PEM)", "FILE" },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, "Exit after this many seconds (600)", "S" },
  { NULL }
};

static GMainLoop *loop;
static guint64 replies, sends, errors;
static JsonNode *broadcast_msg;    /* {"type":"b"} */

static const char *
msg_type (JsonNode *msg)
{
  if (!JSON_NODE_HOLDS_OBJECT (msg))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (msg), "type", NULL);
}

/* {"type":"ack","length":N} */
static JsonNode *
ack_of_length (gsize length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "ack");
  json_builder_set_member_name (builder, "length");
  json_builder_add_int_value (builder, (gint64) length);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* N: the length of the "data" string of @msg. */
static JsonNode *
big_ack (JsonNode *msg)
{
  return ack_of_length (strlen (json_object_get_string_member_with_default (json_node_get_object (msg),
                                                                            "data", "")));
}

static void
on_message (AnySocket *socket,
            AnyPacket *packet,
            gpointer   user_data)
{
  JsonNode *msg = any_packet_get_msg (packet);
  GBytes *bytes = any_packet_get_bytes (packet);
  const char *type = bytes != NULL ? NULL : msg_type (msg);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (bytes != NULL)
    {
      g_autoptr(JsonNode) ack = ack_of_length (g_bytes_get_size (bytes));

      ok = any_packet_reply (packet, ack, &error);
      replies++;
    }
  else if (g_strcmp0 (type, "req") == 0)
    {
      ok = any_packet_reply (packet, msg, &error);
      replies++;
    }
  else if (g_strcmp0 (type, "bcast") == 0)
    {
      any_socket_broadcast (socket, broadcast_msg);
      ok = any_packet_reply (packet, msg, &error);
      replies++;
    }
  else if (g_strcmp0 (type, "big") == 0)
    {
      g_autoptr(JsonNode) ack = big_ack (msg);

      ok = any_packet_reply (packet, ack, &error);
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

static gboolean
on_proxy_request (AnySocket  *socket,
                  AnyPeer    *from,
                  const char *target_id,
                  gpointer    user_data)
{
  return TRUE;
}

static void
on_listening (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);

  if (error != NULL)
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
  any_socket_set_max_connections (server, 0);
  g_signal_connect (server, "message", G_CALLBACK (on_message), NULL);
  g_signal_connect (server, "proxy-request", G_CALLBACK (on_proxy_request), NULL);
  broadcast_msg = json_from_string ("{\"type\":\"b\"}", NULL);

  if (opt_cert != NULL)
    {
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (opt_cert, opt_key, &error);

      if (certificate == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      any_socket_set_tls_certificate (server, certificate);
    }
  uri = opt_listen != NULL ? g_strdup (opt_listen)
                           : g_strdup_printf ("ws://%s:%d", opt_host ? opt_host : "127.0.0.1", opt_port);
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

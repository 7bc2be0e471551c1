/* browser-server.c: the libanysocket server the browser page talks to
 *
 *   browser-server PAGE_DIR BUNDLE_DIR [CERT KEY]
 *
 * Listens on ws://127.0.0.1, or with CERT and KEY (PEM files) on
 * wss://127.0.0.1 (a free port, printed as "PORT N" on stdout)
 * and serves, on that same port, through its own HTTP side: PAGE_DIR at
 * "/" (any_socket_serve_folder()), BUNDLE_DIR (npm anysocket's dist/) at
 * "/@anysocket", as the JavaScript server does, and "/hello" from an
 * AnySocket::http-request handler that answers 100 ms later.
 *
 * Requests it answers (each a JSON object with "op"):
 *   echo {data}         -> {echo: data}
 *   hash {data}         -> {len, sha256} of data's UTF-8
 *   big {len, seed}     -> {data: len ASCII characters, sha256}
 *   call_me {len}       -> calls the page's bytes.reverse() with len bytes,
 *                          -> {ok, detail}
 *   e2e_mode            -> {mode: "none" | "compat" | "native"}
 *   start_e2e           -> {started: true}, then starts E2E itself
 * RPC: bytes.reverse(buffer) -> buffer reversed; math.add(a, b).
 * Ends when stdin closes.
 *
 * SPDX-License-Identifier: MIT
 */
#include <anysocket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  AnyPacket  *packet;
  AnyRpcCall *call;
  guint       len;
} CallMe;

static char *
sha256_of (const char *data,
           gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

/* The same generator as the page's bigString(). */
static char *
big_string (guint   len,
            guint32 seed)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
  char *s = g_malloc (len + 1);
  guint32 x = seed;

  for (guint i = 0; i < len; i++)
    {
      x = x * 1103515245u + 12345u;
      s[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
    }
  s[len] = '\0';
  return s;
}

static void
reply (AnyPacket  *packet,
       JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autoptr(GError) error = NULL;

  if (!any_packet_reply (packet, node, &error))
    g_printerr ("reply: %s\n", error->message);
}

static GBytes *
pattern (guint len)
{
  guint8 *data = g_malloc (len);

  for (guint i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + 3);
  return g_bytes_new_take (data, len);
}

static void
on_called_page (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CallMe *call_me = user_data;
  AnyRpcCall *call = call_me->call;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();
  g_autoptr(GBytes) sent = pattern (call_me->len);

  if (!any_peer_invoke_finish (ANY_PEER (source), result, &error))
    {
      json_object_set_boolean_member (answer, "ok", FALSE);
      json_object_set_string_member (answer, "detail", error->message);
    }
  else
    {
      GBytes *got = any_rpc_call_get_result_bytes (call);
      const guint8 *a = g_bytes_get_data (sent, NULL);
      const guint8 *b = got != NULL ? g_bytes_get_data (got, NULL) : NULL;
      gboolean ok = got != NULL && g_bytes_get_size (got) == call_me->len;

      for (guint i = 0; ok && i < call_me->len; i++)
        ok = a[i] == b[call_me->len - 1 - i];
      json_object_set_boolean_member (answer, "ok", ok);
      json_object_set_string_member (answer, "detail", got != NULL ? "bytes" : "not binary");
    }
  reply (call_me->packet, g_steal_pointer (&answer));
  g_object_unref (call_me->packet);
  g_object_unref (call_me->call);
  g_free (call_me);
}

static void
on_message (AnySocket *socket,
            AnyPacket *packet,
            gpointer   user_data)
{
  JsonNode *msg = any_packet_get_msg (packet);
  JsonObject *in = JSON_NODE_HOLDS_OBJECT (msg) ? json_node_get_object (msg) : NULL;
  const char *op = in != NULL ? json_object_get_string_member_with_default (in, "op", "") : "";
  g_autoptr(JsonObject) out = json_object_new ();
  AnyPeer *peer = any_packet_get_peer (packet);

  if (strcmp (op, "echo") == 0)
    json_object_set_member (out, "echo", json_node_copy (json_object_get_member (in, "data")));
  else if (strcmp (op, "hash") == 0)
    {
      const char *data = json_object_get_string_member_with_default (in, "data", "");
      g_autofree char *sha = sha256_of (data, strlen (data));

      json_object_set_int_member (out, "len", strlen (data));
      json_object_set_string_member (out, "sha256", sha);
    }
  else if (strcmp (op, "big") == 0)
    {
      guint len = (guint) json_object_get_int_member_with_default (in, "len", 0);
      g_autofree char *data = big_string (len, (guint32) json_object_get_int_member_with_default (in, "seed", 1));
      g_autofree char *sha = sha256_of (data, len);

      json_object_set_string_member (out, "sha256", sha);
      json_object_set_string_member (out, "data", data);
    }
  else if (strcmp (op, "call_me") == 0)
    {
      CallMe *call_me = g_new0 (CallMe, 1);
      AnyRpcCall *call = any_rpc_call_new ("bytes.reverse");
      g_autoptr(GBytes) bytes = NULL;

      call_me->packet = g_object_ref (packet);
      call_me->call = call;
      call_me->len = (guint) json_object_get_int_member_with_default (in, "len", 16);
      bytes = pattern (call_me->len);
      any_rpc_call_add_bytes_param (call, bytes);
      any_peer_invoke_async (peer, call, 10000, NULL, on_called_page, call_me);
      return;
    }
  else if (strcmp (op, "e2e_mode") == 0)
    {
      static const char *modes[] = { "none", "compat", "native" };

      json_object_set_string_member (out, "mode", modes[any_peer_get_e2e_mode (peer)]);
    }
  else if (strcmp (op, "start_e2e") == 0)
    {
      json_object_set_boolean_member (out, "started", TRUE);
      reply (packet, g_steal_pointer (&out));
      any_peer_e2e (peer);
      return;
    }
  else
    json_object_set_string_member (out, "error", "unknown op");
  reply (packet, g_steal_pointer (&out));
}

static gboolean
on_reverse (AnySocket  *socket,
            AnyRpcCall *call,
            gpointer    user_data)
{
  GBytes *in = any_rpc_call_get_param_bytes (call, 0);
  gsize len = in != NULL ? g_bytes_get_size (in) : 0;
  const guint8 *data = in != NULL ? g_bytes_get_data (in, NULL) : NULL;
  guint8 *reversed = g_malloc (MAX (len, 1));
  g_autoptr(GBytes) out = NULL;

  if (in == NULL)
    {
      g_free (reversed);
      any_rpc_call_return_error_literal (call, "a binary param was expected");
      return TRUE;
    }
  for (gsize i = 0; i < len; i++)
    reversed[i] = data[len - 1 - i];
  out = g_bytes_new_take (reversed, len);
  any_rpc_call_return_bytes (call, out);
  return TRUE;
}

static gboolean
on_add (AnySocket  *socket,
        AnyRpcCall *call,
        gpointer    user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) sum = json_node_new (JSON_NODE_VALUE);

  json_node_set_double (sum, json_array_get_double_element (params, 0) + json_array_get_double_element (params, 1));
  any_rpc_call_return_value (call, sum);
  return TRUE;
}

static gboolean
answer_hello (gpointer user_data)
{
  g_autoptr(AnyHttpRequest) request = user_data;
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"hello\":\"from libanysocket\"}", 29);

  any_http_request_add_response_header (request, "Cache-Control", "no-store");
  any_http_request_respond (request, 200, "application/json", body);
  return G_SOURCE_REMOVE;
}

static gboolean
on_http_request (AnySocket      *socket,
                 AnyHttpRequest *request,
                 gpointer        user_data)
{
  if (strcmp (any_http_request_get_path (request), "/hello") != 0)
    return FALSE;
  g_timeout_add (100, answer_hello, g_object_ref (request));
  return TRUE;
}

static void
on_listened (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);

  if (port == 0)
    {
      g_printerr ("listen: %s\n", error->message);
      exit (1);
    }
  printf ("PORT %u\n", port);
  fflush (stdout);
}

static gboolean
on_stdin (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  char buf[256];
  gsize n = 0;

  if (g_io_channel_read_chars (channel, buf, sizeof buf, &n, NULL) != G_IO_STATUS_NORMAL || n == 0)
    {
      g_main_loop_quit (user_data);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(AnySocket) socket = NULL;
  g_autoptr(GIOChannel) in = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 3 && argc != 5)
    {
      g_printerr ("usage: browser-server PAGE_DIR BUNDLE_DIR [CERT KEY]\n");
      return 2;
    }
  if (argc == 5)
    {
      certificate = g_tls_certificate_new_from_files (argv[3], argv[4], &error);
      if (certificate == NULL)
        {
          g_printerr ("certificate: %s\n", error->message);
          return 1;
        }
    }
  socket = any_socket_new ();
  g_signal_connect (socket, "message", G_CALLBACK (on_message), NULL);
  g_signal_connect (socket, "rpc::bytes.reverse", G_CALLBACK (on_reverse), NULL);
  g_signal_connect (socket, "rpc::math.add", G_CALLBACK (on_add), NULL);
  g_signal_connect (socket, "http-request", G_CALLBACK (on_http_request), NULL);
  any_socket_serve_folder (socket, "/", argv[1]);
  any_socket_serve_folder (socket, "/@anysocket", argv[2]);
  any_socket_set_tls_certificate (socket, certificate);
  any_socket_listen_async (socket, certificate != NULL ? "wss://127.0.0.1:0" : "ws://127.0.0.1:0",
                           NULL, on_listened, NULL);

  in = g_io_channel_unix_new (0);
  g_io_channel_set_encoding (in, NULL, NULL);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, loop);
  g_main_loop_run (loop);
  any_socket_stop (socket);
  return 0;
}

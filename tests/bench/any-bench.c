/* any-bench.c: the load generator of the libanysocket benchmark
 *
 * One program, two client kinds:
 *   --proto=any  a libanysocket client (any_socket_connect_async,
 *                any_peer_request_async, any_peer_send), one AnySocket
 *                per connection (a server refuses a second link from the
 *                same id), against bench-server or js-server.js;
 *   --proto=ws   raw WebSocket text frames on libsoup, against
 *                ws-echo-server: each frame has the size of the
 *                AnySocket frame the other mode would send, and the echo
 *                counts as the reply;
 *   --proto=wire the AnySocket wire protocol written by hand on the same
 *                raw libsoup client (AUTH, then LINK frames with their
 *                own seqs; a reply must carry the negated seq of the
 *                oldest request in flight; pings are answered), against
 *                bench-server or js-server.js. It costs the client what
 *                --proto=ws does, so the server, not the load generator,
 *                sets the pace: the fair way to compare servers.
 * and three modes:
 *   --mode=req   requests {"type":"req","data":"hello"}, --inflight per
 *                connection, each answered with a reply;
 *   --mode=msg   fire-and-forget messages {"type":"msg","data":"hello"}
 *                (any_peer_send), which the server sends back; at most
 *                --inflight unanswered per connection (a window, so the
 *                queues stay bounded); latency = send to echo, in order;
 *   --mode=idle  opens --conns idle connections and reports the growth of
 *                the server's VmRSS (/proc/PID/status) per connection.
 *
 * Runs --warmup seconds, then measures --duration seconds, prints one
 * "RESULT key=value..." line and exits. With --server-pid it also reports
 * the server's CPU time (utime+stime from /proc/PID/stat) over the
 * measured window. Whether permessage-deflate was negotiated is reported
 * from the connections themselves (--proto=ws) or, for --proto=any, whose
 * API does not expose it, from a probe WebSocket handshake made by a
 * SoupSession built as the AnySocket client builds its own.
 *
 * Everything stops by itself: --max-time bounds the whole run.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <glib-unix.h>
#include <libsoup/soup.h>
#include <anysocket.h>

#include "bench-proc.h"
#include "bench-window.h"
#include "bench-wire.h"

/* Options */

static char *opt_proto = NULL;
static char *opt_mode = NULL;
static char *opt_host = NULL;
static char *opt_uri = NULL;
static char *opt_ca = NULL;
static int opt_port = 0;
static int opt_conns = 1;
static int opt_inflight = 1;
static double opt_duration = 5.0;
static double opt_warmup = 1.0;
static double opt_settle = 2.0;
static double opt_max_time = 0;
static int opt_server_pid = 0;
static gboolean opt_deflate = FALSE;
static int opt_connect_parallel = 32;

static GOptionEntry entries[] = {
  { "proto", 0, 0, G_OPTION_ARG_STRING, &opt_proto, "any (libanysocket), ws (raw frames) or wire (AnySocket frames by hand)", "any|ws|wire" },
  { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "req, msg or idle", "MODE" },
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "Server address (127.0.0.1)", "IP" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Server port", "PORT" },
  { "uri", 0, 0, G_OPTION_ARG_STRING, &opt_uri, "--proto=any: connect to URI instead (tcp://, unix://, wss://)", "URI" },
  { "ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "--proto=any: trust the certificates of FILE (wss://)", "FILE" },
  { "conns", 'c', 0, G_OPTION_ARG_INT, &opt_conns, "Connections (1)", "N" },
  { "inflight", 'k', 0, G_OPTION_ARG_INT, &opt_inflight, "Requests (or messages) in flight per connection (1)", "K" },
  { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &opt_duration, "Measured seconds (5)", "S" },
  { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &opt_warmup, "Warm-up seconds, not measured (1)", "S" },
  { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &opt_settle, "idle: seconds to wait before reading RSS (2)", "S" },
  { "max-time", 0, 0, G_OPTION_ARG_DOUBLE, &opt_max_time, "Give up after this many seconds (warmup+duration+settle+60)", "S" },
  { "server-pid", 0, 0, G_OPTION_ARG_INT, &opt_server_pid, "The server's pid, for its CPU time and RSS", "PID" },
  { "deflate", 0, 0, G_OPTION_ARG_NONE, &opt_deflate, "Offer permessage-deflate", NULL },
  { "connect-parallel", 0, 0, G_OPTION_ARG_INT, &opt_connect_parallel, "Connection attempts at once (32)", "N" },
  { NULL }
};

typedef enum { PROTO_ANY, PROTO_WS, PROTO_WIRE } Proto;
typedef enum { MODE_REQ, MODE_MSG, MODE_IDLE } Mode;

static Proto proto;
static Mode mode;

/* State */

typedef struct {
  guint                    index;
  AnySocket               *socket;       /* PROTO_ANY */
  AnyPeer                 *peer;         /* PROTO_ANY */
  SoupWebsocketConnection *ws;           /* PROTO_WS, PROTO_WIRE */
  gint32                   seq;          /* PROTO_WIRE: the last one taken */
  gboolean                 authenticated;   /* PROTO_WIRE */
  gint32                  *ring_seq;     /* PROTO_WIRE, req: seqs in flight */
  guint                    outstanding;
  /* Send times of what is in flight, oldest first (echoes come in order). */
  gint64                  *ring;
  guint                    ring_head;
  guint                    ring_len;
} Conn;

typedef struct {
  Conn   *conn;
  gint64  sent_at;
} Request;

static GMainLoop *loop;
static char *uri;
static Conn *conns;
static guint n_conns;
static guint next_to_connect;
static guint connecting;
static guint connected;
static guint target_connected;
static SoupSession *ws_session;
static JsonNode *payload;
static GBytes *frame;
static GBytes *wire_json;           /* PROTO_WIRE: the JSON of each request */
static gboolean running;
static gboolean measuring;
static guint64 completed;
static guint64 errors;
static GArray *latencies;            /* guint32 microseconds */
static const char *deflate_state = "unknown";
static int exit_status = 0;

static gint64 warmup_end = G_MAXINT64;
static gint64 measure_start;
static gint64 measure_end = G_MAXINT64;
static guint64 server_cpu_start;
static guint64 server_sys_start;
static guint64 client_cpu_start;
static guint64 machine_busy_start;
static gsize rss_before;
static void (*on_all_connected) (void);

static guint64
server_cpu_us_full (guint64 *sys_us)
{
  return bench_process_cpu_us (opt_server_pid, sys_us);
}

static gsize
server_rss_kib (void)
{
  return bench_process_rss_kib (opt_server_pid);
}

/* Results */

static const char *
proto_name (void)
{
  return proto == PROTO_ANY ? "any" : proto == PROTO_WS ? "ws" : "wire";
}

static const char *
mode_name (void)
{
  return mode == MODE_REQ ? "req" : mode == MODE_MSG ? "msg" : "idle";
}

static gboolean quit_soon (gpointer user_data);

static void
finish (void)
{
  guint64 server_sys;
  guint64 server_cpu = server_cpu_us_full (&server_sys) - server_cpu_start;
  guint64 client_cpu = bench_self_cpu_us () - client_cpu_start;
  guint64 machine_busy = bench_machine_busy_us () - machine_busy_start;
  gint64 others = (gint64) machine_busy - (gint64) server_cpu - (gint64) client_cpu;
  double seconds = (g_get_monotonic_time () - measure_start) / 1e6;
  double count = (double) completed;

  running = FALSE;
  measuring = FALSE;
  bench_latencies_sort (latencies);

  printf ("RESULT proto=%s mode=%s conns=%u inflight=%d deflate=%s seconds=%.2f count=%" G_GUINT64_FORMAT
          " rate=%.0f p50_us=%u p99_us=%u errors=%" G_GUINT64_FORMAT
          " srv_cpu_us_per_op=%.2f srv_cpu_pct=%.0f srv_sys_pct=%.0f cli_cpu_us_per_op=%.2f cli_cpu_pct=%.0f others_pct=%.0f\n",
          proto_name (), mode_name (), n_conns, opt_inflight, deflate_state, seconds, completed,
          count / seconds, bench_latencies_percentile (latencies, 0.50), bench_latencies_percentile (latencies, 0.99), errors,
          opt_server_pid > 0 && count > 0 ? server_cpu / count : 0.0,
          opt_server_pid > 0 ? 100.0 * server_cpu / (seconds * G_USEC_PER_SEC) : 0.0,
          server_cpu > 0 ? 100.0 * (server_sys - server_sys_start) / server_cpu : 0.0,
          count > 0 ? client_cpu / count : 0.0,
          100.0 * client_cpu / (seconds * G_USEC_PER_SEC),
          opt_server_pid > 0 ? MAX (0.0, 100.0 * others / (seconds * G_USEC_PER_SEC)) : 0.0);
  fflush (stdout);
  if (errors > 0)
    exit_status = 1;
  quit_soon (NULL);
}

static gboolean
on_measure_end (gpointer user_data)
{
  if (measuring)
    finish ();
  return G_SOURCE_REMOVE;
}

static gboolean
on_warmup_end (gpointer user_data)
{
  if (measuring || !running)
    return G_SOURCE_REMOVE;
  measuring = TRUE;
  completed = 0;
  errors = 0;
  g_array_set_size (latencies, 0);
  measure_start = g_get_monotonic_time ();
  server_cpu_start = server_cpu_us_full (&server_sys_start);
  client_cpu_start = bench_self_cpu_us ();
  machine_busy_start = bench_machine_busy_us ();
  measure_end = measure_start + (gint64) (opt_duration * G_USEC_PER_SEC);
  g_timeout_add_full (G_PRIORITY_HIGH, (guint) (opt_duration * 1000), on_measure_end, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
record (gint64 sent_at)
{
  gint64 now;
  guint32 us;

  if (!running)
    return;
  now = g_get_monotonic_time ();
  /* A busy connection's input source may keep the main loop from getting
   * to the timers: the phases also end here, on time. */
  if (!measuring)
    {
      if (now >= warmup_end)
        on_warmup_end (NULL);
      return;
    }
  if (now >= measure_end)
    {
      finish ();
      return;
    }
  completed++;
  us = (guint32) MIN (now - sent_at, G_MAXUINT32);
  g_array_append_val (latencies, us);
}

/* Sending */

static void
ring_push (Conn *c, gint64 t)
{
  c->ring[(c->ring_head + c->ring_len) % (guint) opt_inflight] = t;
  c->ring_len++;
}

static gint64
ring_pop (Conn *c)
{
  gint64 t;

  if (c->ring_len == 0)
    return g_get_monotonic_time ();
  t = c->ring[c->ring_head];
  c->ring_head = (c->ring_head + 1) % (guint) opt_inflight;
  c->ring_len--;
  return t;
}

static void issue (Conn *c);

/* --proto=wire: one single-chunk packet, framed by libanysocket's own
 * codec (any-codec.c), with the next seq of this connection. */
static void
wire_send (Conn          *c,
           AnyPacketType  type,
           const char    *json,
           gsize          json_len)
{
  guint8 buf[BENCH_WIRE_PACKET_MAX];
  gsize n = bench_wire_packet (buf, type, bench_wire_next_seq (&c->seq), json, json_len);
  /* libsoup copies the payload into its frame before returning. */
  g_autoptr(GBytes) bytes = g_bytes_new_static (buf, n);

  soup_websocket_connection_send_message (c->ws, SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Request *request = user_data;
  Conn *c = request->conn;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  c->outstanding--;
  if (reply == NULL)
    {
      if (running)
        {
          g_printerr ("request failed: %s\n", error->message);
          errors++;
        }
    }
  else
    {
      record (request->sent_at);
    }
  g_free (request);
  issue (c);
}

static void
send_one (Conn *c)
{
  g_autoptr(GError) error = NULL;

  if (proto == PROTO_WS)
    {
      ring_push (c, g_get_monotonic_time ());
      soup_websocket_connection_send_message (c->ws, SOUP_WEBSOCKET_DATA_TEXT, frame);
      c->outstanding++;
    }
  else if (proto == PROTO_WIRE)
    {
      gsize len;
      const char *json = g_bytes_get_data (wire_json, &len);

      wire_send (c, ANY_PACKET_TYPE_LINK, json, len);
      c->ring_seq[(c->ring_head + c->ring_len) % (guint) opt_inflight] = c->seq;
      ring_push (c, g_get_monotonic_time ());
      c->outstanding++;
    }
  else if (mode == MODE_REQ)
    {
      Request *request = g_new (Request, 1);

      request->conn = c;
      request->sent_at = g_get_monotonic_time ();
      c->outstanding++;
      any_peer_request_async (c->peer, payload, 0, NULL, on_reply, request);
    }
  else
    {
      ring_push (c, g_get_monotonic_time ());
      if (any_peer_send (c->peer, payload, &error))
        {
          c->outstanding++;
        }
      else
        {
          ring_pop (c);
          g_printerr ("send failed: %s\n", error->message);
          errors++;
          running = FALSE;
        }
    }
}

static void
issue (Conn *c)
{
  while (running && c->outstanding < (guint) opt_inflight)
    send_one (c);
}

/* An echo (ws) or a message sent back (any, msg mode). */
static void
echo_received (Conn *c)
{
  if (c->outstanding > 0)
    c->outstanding--;
  record (ring_pop (c));
  issue (c);
}

static void
on_ws_message (SoupWebsocketConnection *connection,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               gpointer                 user_data)
{
  echo_received (user_data);
}

static void connection_ready (void);

static void
wire_error (Conn       *c,
            const char *what)
{
  if (running)
    {
      g_printerr ("connection %u: %s\n", c->index, what);
      errors++;
    }
}

static void
on_wire_message (SoupWebsocketConnection *connection,
                 SoupWebsocketDataType    type,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  Conn *c = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);
  AnyChunk chunk;

  if (!any_chunk_decode (data, len, &chunk, NULL) || !chunk.last)
    {
      wire_error (c, "a frame that is not a whole packet");
      return;
    }
  if (!c->authenticated)
    {
      if (chunk.type != ANY_PACKET_TYPE_AUTH)
        {
          wire_error (c, "no AUTH from the server");
          return;
        }
      c->authenticated = TRUE;
      connection_ready ();
      return;
    }
  if (chunk.type == ANY_PACKET_TYPE_HEARTBEAT)
    {
      if (chunk.body_len == 1 && chunk.body[0] == '1')
        wire_send (c, ANY_PACKET_TYPE_HEARTBEAT, "2", 1);   /* a ping: pong */
      return;
    }
  if (chunk.type != ANY_PACKET_TYPE_LINK)
    return;   /* INTERNAL (synced time, ...): not ours */
  if (mode == MODE_REQ)
    {
      if (c->ring_len == 0 || chunk.seq != -c->ring_seq[c->ring_head])
        {
          wire_error (c, "a reply that is not to the oldest request");
          return;
        }
    }
  else if (chunk.seq <= 0)
    {
      wire_error (c, "a reply where a message was expected");
      return;
    }
  echo_received (c);
}

static void
on_peer_message (AnyPeer   *peer,
                 AnyPacket *packet,
                 gpointer   user_data)
{
  echo_received (user_data);
}

static void
on_peer_disconnected (AnyPeer    *peer,
                      const char *reason,
                      gpointer    user_data)
{
  if (running)
    {
      g_printerr ("connection %u closed: %s\n", ((Conn *) user_data)->index, reason);
      errors++;
    }
}

static void
on_ws_closed (SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  if (running)
    {
      g_printerr ("connection %u closed (code %u)\n", ((Conn *) user_data)->index,
                  soup_websocket_connection_get_close_code (connection));
      errors++;
    }
}

static void
start_load (void)
{
  running = TRUE;
  for (guint i = 0; i < n_conns; i++)
    issue (&conns[i]);
  warmup_end = g_get_monotonic_time () + (gint64) (opt_warmup * G_USEC_PER_SEC);
  if (opt_warmup > 0)
    g_timeout_add_full (G_PRIORITY_HIGH, (guint) (opt_warmup * 1000), on_warmup_end, NULL, NULL);
  else
    on_warmup_end (NULL);
}

/* Idle mode */

static gboolean
on_settled (gpointer user_data)
{
  gsize rss_after = server_rss_kib ();
  guint added = n_conns - 1;

  printf ("RESULT proto=%s mode=idle conns=%u deflate=%s rss_before_kib=%" G_GSIZE_FORMAT
          " rss_after_kib=%" G_GSIZE_FORMAT " kib_per_conn=%.2f\n",
          proto_name (), added, deflate_state, rss_before, rss_after,
          added > 0 ? ((double) rss_after - (double) rss_before) / added : 0.0);
  fflush (stdout);
  quit_soon (NULL);
  return G_SOURCE_REMOVE;
}

static void connect_more (void);

static void
idle_all_connected (void)
{
  g_timeout_add ((guint) (opt_settle * 1000), on_settled, NULL);
}

static gboolean
idle_baseline (gpointer user_data)
{
  rss_before = server_rss_kib ();
  target_connected = n_conns;
  on_all_connected = idle_all_connected;
  connect_more ();
  return G_SOURCE_REMOVE;
}

static void
idle_first_connected (void)
{
  /* One connection is open (one-time costs of the first one are out of
   * the measure); let the server settle, then read its RSS. */
  g_timeout_add (500, idle_baseline, NULL);
}

/* Connecting */

static void
connection_ready (void)
{
  connecting--;
  connected++;
  if (connected == target_connected)
    on_all_connected ();
  else
    connect_more ();
}

static void
connection_failed (Conn        *c,
                   const GError *error)
{
  g_printerr ("connection %u failed: %s\n", c->index, error->message);
  printf ("RESULT proto=%s mode=%s conns=%u error=connect-failed\n", proto_name (), mode_name (), n_conns);
  exit_status = 1;
  quit_soon (NULL);
}

static void
on_any_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Conn *c = user_data;
  g_autoptr(GError) error = NULL;

  c->peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);
  if (c->peer == NULL)
    {
      connection_failed (c, error);
      return;
    }
  g_signal_connect (c->peer, "message", G_CALLBACK (on_peer_message), c);
  g_signal_connect (c->peer, "disconnected", G_CALLBACK (on_peer_disconnected), c);
  connection_ready ();
}

static void
wire_authenticate (Conn *c)
{
  char json[64];
  gsize n = bench_wire_auth_json (json);

  wire_send (c, ANY_PACKET_TYPE_AUTH, json, n);
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Conn *c = user_data;
  g_autoptr(GError) error = NULL;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (c->ws == NULL)
    {
      connection_failed (c, error);
      return;
    }
  soup_websocket_connection_set_keepalive_interval (c->ws, 0);
  soup_websocket_connection_set_max_incoming_payload_size (c->ws, 8 * 1024 * 1024);
  g_signal_connect (c->ws, "message",
                    proto == PROTO_WIRE ? G_CALLBACK (on_wire_message) : G_CALLBACK (on_ws_message), c);
  g_signal_connect (c->ws, "closed", G_CALLBACK (on_ws_closed), c);
  if (c->index == 0)
    deflate_state = soup_websocket_connection_get_extensions (c->ws) != NULL ? "yes" : "no";
  if (proto == PROTO_WIRE)
    wire_authenticate (c);   /* ready when the server's AUTH comes */
  else
    connection_ready ();
}

/* The raw client (--proto=ws): permessage-deflate offered iff --deflate.
 * A libsoup 3.2 SoupSession has no SoupWebsocketExtensionManager by
 * default: it must be added for the offer to be made. */
static SoupSession *
new_ws_session (void)
{
  SoupSession *session = soup_session_new_with_options ("max-conns", 1 << 16,
                                                        "max-conns-per-host", 1 << 16,
                                                        NULL);

  if (opt_deflate)
    soup_session_add_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  else
    soup_session_remove_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  return session;
}

/* The probe for --proto=any: a session built exactly as libanysocket's
 * client builds its own (any-socket.c, get_session()), so that the probe
 * makes the same offer as the AnySocket client does. Keep the two in step. */
static SoupSession *
new_any_like_session (void)
{
  SoupSession *session = soup_session_new_with_options ("max-conns", 1 << 16,
                                                        "max-conns-per-host", 1 << 16,
                                                        "user-agent", "libanysocket",
                                                        NULL);

  if (!opt_deflate)
    soup_session_remove_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  return session;
}

static void
connect_one (Conn *c)
{
  if (proto == PROTO_ANY)
    {
      c->socket = any_socket_new ();
      if (opt_ca != NULL)
        {
          g_autoptr(GTlsDatabase) database = g_tls_file_database_new (opt_ca, NULL);

          any_socket_set_tls_database (c->socket, database);
        }
      any_socket_set_permessage_deflate (c->socket, opt_deflate);
      any_socket_connect_async (c->socket, uri, NULL, on_any_connected, c);
    }
  else
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);

      soup_session_websocket_connect_async (ws_session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                            NULL, on_ws_connected, c);
    }
}

static void
connect_more (void)
{
  while (next_to_connect < target_connected && connecting < (guint) opt_connect_parallel)
    {
      connecting++;
      connect_one (&conns[next_to_connect++]);
    }
}

/* The deflate probe (--proto=any) */

static void
on_probe_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  if (ws == NULL)
    {
      g_printerr ("deflate probe failed: %s\n", error->message);
    }
  else
    {
      deflate_state = soup_websocket_connection_get_extensions (ws) != NULL ? "yes" : "no";
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  connect_more ();
}

static void
probe_deflate (void)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  static SoupSession *probe_session;

  probe_session = new_any_like_session ();
  soup_session_websocket_connect_async (probe_session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_probe_connected, NULL);
}

/* Stopping */

static gboolean
on_quit (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
quit_soon (gpointer user_data)
{
  static gboolean quitting;

  if (quitting)
    return G_SOURCE_REMOVE;
  quitting = TRUE;
  running = FALSE;
  /* Close politely, give the close frames a moment, then go. */
  for (guint i = 0; i < n_conns; i++)
    {
      if (conns[i].peer != NULL)
        any_peer_disconnect (conns[i].peer, "bench done");
      if (conns[i].ws != NULL && soup_websocket_connection_get_state (conns[i].ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (conns[i].ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  g_timeout_add (200, on_quit, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_max_time (gpointer user_data)
{
  g_printerr ("any-bench: gave up after --max-time (%u of %u connected)\n", connected, target_connected);
  printf ("RESULT proto=%s mode=%s conns=%u error=timeout\n", proto_name (), mode_name (), n_conns);
  exit_status = 1;
  quit_soon (NULL);
  return G_SOURCE_REMOVE;
}

/* The AnySocket frame a request or message would be, for --proto=ws: a
 * typical seq (one byte above 0x7F, so one header code point takes two
 * bytes) and the JSON text. */
static GBytes *
build_frame (const char *json)
{
  guint8 buf[BENCH_WIRE_PACKET_MAX];

  return g_bytes_new (buf, bench_wire_packet (buf, ANY_PACKET_TYPE_LINK, 0x00000180, json, strlen (json)));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- libanysocket load generator");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *json;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if ((opt_port <= 0 && opt_uri == NULL) || opt_conns < 1 || opt_inflight < 1 || opt_duration <= 0)
    {
      g_printerr ("Need --port, --conns >= 1, --inflight >= 1, --duration > 0\n");
      return 2;
    }
  if (opt_proto == NULL || strcmp (opt_proto, "any") == 0)
    proto = PROTO_ANY;
  else if (strcmp (opt_proto, "ws") == 0)
    proto = PROTO_WS;
  else if (strcmp (opt_proto, "wire") == 0)
    proto = PROTO_WIRE;
  else
    {
      g_printerr ("--proto is any, ws or wire\n");
      return 2;
    }
  if (opt_uri != NULL && proto != PROTO_ANY)
    {
      g_printerr ("--uri needs --proto=any\n");
      return 2;
    }
  if (opt_mode == NULL || strcmp (opt_mode, "req") == 0)
    mode = MODE_REQ;
  else if (strcmp (opt_mode, "msg") == 0)
    mode = MODE_MSG;
  else if (strcmp (opt_mode, "idle") == 0)
    mode = MODE_IDLE;
  else
    {
      g_printerr ("--mode is req, msg or idle\n");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  uri = opt_uri != NULL ? g_strdup (opt_uri)
                        : g_strdup_printf ("ws://%s:%d/", opt_host ? opt_host : "127.0.0.1", opt_port);
  json = mode == MODE_MSG ? BENCH_MSG_JSON : BENCH_REQ_JSON;
  json_parser_load_from_data (parser, json, -1, NULL);
  payload = json_parser_steal_root (parser);
  frame = build_frame (json);
  wire_json = g_bytes_new_static (json, strlen (json));
  latencies = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1 << 20);
  ws_session = new_ws_session ();

  /* An idle run opens one connection first, then --conns more. */
  n_conns = (guint) opt_conns + (mode == MODE_IDLE ? 1 : 0);
  conns = g_new0 (Conn, n_conns);
  for (guint i = 0; i < n_conns; i++)
    {
      conns[i].index = i;
      conns[i].ring = g_new0 (gint64, opt_inflight);
      conns[i].ring_seq = g_new0 (gint32, opt_inflight);
    }

  if (mode == MODE_IDLE)
    {
      target_connected = 1;
      on_all_connected = idle_first_connected;
    }
  else
    {
      target_connected = n_conns;
      on_all_connected = start_load;
    }

  if (opt_max_time <= 0)
    opt_max_time = opt_warmup + opt_duration + opt_settle + 60;
  g_timeout_add ((guint) (opt_max_time * 1000), on_max_time, NULL);
  g_unix_signal_add (SIGINT, quit_soon, NULL);
  g_unix_signal_add (SIGTERM, quit_soon, NULL);

  /* A stream transport has no WebSocket to probe, nor deflate. */
  if (opt_uri != NULL)
    deflate_state = "no";
  if (proto == PROTO_ANY && opt_uri == NULL)
    probe_deflate ();
  else
    connect_more ();

  g_main_loop_run (loop);

  /* The process ends here: what the peers and sessions hold goes with it. */
  return exit_status;
}

/* e2e-bench.c: the end-to-end encryption benchmark's libanysocket client
 *
 * Against bench-server (libanysocket: the switch is native E2E, Noise XX)
 * or js-server.js (npm anysocket 0.4.29: compat E2E). One phase per run:
 *   --phase=handshake  --handshakes fresh links (a new AnySocket each, as a
 *                      server refuses a second link from the same id), one
 *                      after the other: connect, then (with --e2e)
 *                      any_peer_e2e() until AnyPeer::e2e; reports the
 *                      medians of the connect time, of the switch time
 *                      (any_peer_e2e() to the signal) and of both;
 *   --phase=req        one link, switched with --e2e; then requests
 *                      {"type":"req","data":"hello"}, --inflight at once,
 *                      --warmup seconds, then --duration measured seconds;
 *   --phase=big        one link, switched with --e2e; then --big-count
 *                      requests {"type":"big","data":"xxx..."} with a
 *                      --big-mib MiB string, one at a time (after one not
 *                      measured), each answered by a tiny ack: the time from
 *                      any_peer_request_async() to the ack; with --binary,
 *                      binary requests of --big-mib MiB instead
 *                      (any_peer_send_bytes_request_async()).
 * Prints one "RESULT key=value..." line (the e2e key is the mode the link
 * actually got: plain, compat or native) and exits. --server-pid adds the
 * server's CPU time; others_pct is what other processes took of the
 * machine meanwhile (as in any-bench). --max-time bounds the whole run.
 *
 * js-e2e-client.js is the same program on npm anysocket 0.4.29.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <glib-unix.h>
#include <anysocket.h>

#include "bench-proc.h"

/* Options */

static char *opt_phase = NULL;
static char *opt_host = NULL;
static char *opt_scheme = NULL;
static int opt_port = 0;
static gboolean opt_e2e = FALSE;
static int opt_handshakes = 100;
static int opt_inflight = 64;
static double opt_duration = 5.0;
static double opt_warmup = 1.0;
static double opt_big_mib = 10.0;
static int opt_big_count = 5;
static double opt_max_time = 0;
static int opt_server_pid = 0;
static gboolean opt_binary = FALSE;

static GOptionEntry entries[] = {
  { "phase", 0, 0, G_OPTION_ARG_STRING, &opt_phase, "handshake, req or big", "PHASE" },
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "Server address (127.0.0.1)", "IP" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Server port", "PORT" },
  { "scheme", 0, 0, G_OPTION_ARG_STRING, &opt_scheme, "ws (default) or tcp: the transport", "SCHEME" },
  { "e2e", 0, 0, G_OPTION_ARG_NONE, &opt_e2e, "Switch each link to E2E first", NULL },
  { "handshakes", 'n', 0, G_OPTION_ARG_INT, &opt_handshakes, "handshake: fresh links (100)", "N" },
  { "inflight", 'k', 0, G_OPTION_ARG_INT, &opt_inflight, "req: requests in flight (64)", "K" },
  { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &opt_duration, "req: measured seconds (5)", "S" },
  { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &opt_warmup, "req: warm-up seconds, not measured (1)", "S" },
  { "big-mib", 0, 0, G_OPTION_ARG_DOUBLE, &opt_big_mib, "big: MiB of the string (10)", "MIB" },
  { "big-count", 0, 0, G_OPTION_ARG_INT, &opt_big_count, "big: measured messages (5)", "N" },
  { "max-time", 0, 0, G_OPTION_ARG_DOUBLE, &opt_max_time, "Give up after this many seconds (120)", "S" },
  { "server-pid", 0, 0, G_OPTION_ARG_INT, &opt_server_pid, "The server's pid, for its CPU time", "PID" },
  { "binary", 0, 0, G_OPTION_ARG_NONE, &opt_binary, "big: a binary message instead of JSON", NULL },
  { NULL }
};

typedef enum { PHASE_HANDSHAKE, PHASE_REQ, PHASE_BIG } Phase;

static Phase phase;
static const char *phase_names[] = { "handshake", "req", "big" };

/* State */

static GMainLoop *loop;
static char *uri;
static int exit_status = 0;
static gboolean quitting;

/* The current link */
static AnySocket *socket_;
static AnyPeer *peer;
static gint64 connect_start;
static gint64 switch_start;
static const char *e2e_name = "plain";
static GPtrArray *old_sockets;      /* sockets and peers done with, kept until exit */

/* handshake */
static int handshakes_done;
static GArray *connect_us;          /* double */
static GArray *switch_us;
static GArray *total_us;

/* req */
static JsonNode *payload;
static gboolean running;
static gboolean measuring;
static guint outstanding;
static guint64 completed;
static guint64 errors;
static GArray *latencies;           /* double, microseconds */
static gint64 warmup_end;
static gint64 measure_start;
static gint64 measure_end = G_MAXINT64;
static guint64 server_cpu_start;
static guint64 client_cpu_start;
static guint64 machine_busy_start;

/* big */
static JsonNode *big_payload;
static GBytes *big_binary;
static gsize big_bytes;
static int big_sent;
static gint64 big_start;
static GArray *big_us;

static void quit_soon (void);

static guint64
server_cpu_us (void)
{
  return bench_process_cpu_us (opt_server_pid, NULL);
}

/* Statistics */

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Sorts @values; the median (mean of the middle two for an even count). */
static double
median (GArray *values)
{
  guint n = values->len;

  if (n == 0)
    return 0;
  g_array_sort (values, compare_double);
  if (n % 2 == 1)
    return g_array_index (values, double, n / 2);
  return (g_array_index (values, double, n / 2 - 1) + g_array_index (values, double, n / 2)) / 2;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0;
  i = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, MIN (i, sorted->len - 1));
}

static void
fail (const char *what,
      const char *message)
{
  g_printerr ("e2e-bench: %s: %s\n", what, message);
  printf ("RESULT phase=%s e2e=%s error=%s\n", phase_names[phase], opt_e2e ? "yes" : "plain", what);
  fflush (stdout);
  exit_status = 1;
  quit_soon ();
}

/* One link: connect, then switch (with --e2e) */

static void link_ready (void);
static void next_handshake (void);

static void
on_e2e (AnyPeer  *p,
        gpointer  user_data)
{
  gint64 now = g_get_monotonic_time ();

  switch (any_peer_get_e2e_mode (p))
    {
    case ANY_E2E_MODE_COMPAT: e2e_name = "compat"; break;
    case ANY_E2E_MODE_NATIVE: e2e_name = "native"; break;
    default: e2e_name = "none?"; break;
    }
  if (phase == PHASE_HANDSHAKE)
    {
      double sw = (double) (now - switch_start), total = (double) (now - connect_start);

      g_array_append_val (switch_us, sw);
      g_array_append_val (total_us, total);
    }
  /* Out of the signal handler before the link is used or dropped. */
  g_idle_add_once ((GSourceOnceFunc) link_ready, NULL);
}

static void
on_disconnected (AnyPeer    *p,
                 const char *reason,
                 gpointer    user_data)
{
  if (!quitting && p == peer)
    fail ("disconnected", reason);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  double us;

  peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);
  if (peer == NULL)
    {
      fail ("connect-failed", error->message);
      return;
    }
  us = (double) (g_get_monotonic_time () - connect_start);
  if (phase == PHASE_HANDSHAKE)
    g_array_append_val (connect_us, us);
  g_signal_connect (peer, "disconnected", G_CALLBACK (on_disconnected), NULL);
  if (!opt_e2e)
    {
      if (phase == PHASE_HANDSHAKE)
        g_array_append_val (total_us, us);
      link_ready ();
      return;
    }
  g_signal_connect (peer, "e2e", G_CALLBACK (on_e2e), NULL);
  switch_start = g_get_monotonic_time ();
  any_peer_e2e (peer);
}

static void
open_link (void)
{
  socket_ = any_socket_new ();
  connect_start = g_get_monotonic_time ();
  any_socket_connect_async (socket_, uri, NULL, on_connected, NULL);
}

static void
drop_link (void)
{
  if (peer != NULL)
    {
      AnyPeer *p = peer;

      peer = NULL;          /* its "disconnected" is ours: not a failure */
      any_peer_disconnect (p, "bench done");
      g_ptr_array_add (old_sockets, p);
    }
  if (socket_ != NULL)
    g_ptr_array_add (old_sockets, g_steal_pointer (&socket_));
}

/* handshake */

static void
handshake_report (void)
{
  double c = median (connect_us), s = median (switch_us), t = median (total_us);

  printf ("RESULT phase=handshake e2e=%s n=%d connect_p50_us=%.0f", e2e_name, handshakes_done, c);
  if (opt_e2e)
    printf (" switch_p50_us=%.0f switch_p10_us=%.0f switch_p90_us=%.0f",
            s, percentile (switch_us, 0.1), percentile (switch_us, 0.9));
  printf (" total_p50_us=%.0f\n", t);
  fflush (stdout);
  quit_soon ();
}

static void
next_handshake (void)
{
  if (handshakes_done == opt_handshakes)
    handshake_report ();
  else
    open_link ();
}

/* req */

static void finish_req (void);

static void
record (gint64 sent_at)
{
  gint64 now = g_get_monotonic_time ();
  double us;

  if (!measuring)
    {
      if (running && now >= warmup_end)
        {
          measuring = TRUE;
          completed = 0;
          errors = 0;
          measure_start = now;
          measure_end = now + (gint64) (opt_duration * G_USEC_PER_SEC);
          server_cpu_start = server_cpu_us ();
          client_cpu_start = bench_self_cpu_us ();
          machine_busy_start = bench_machine_busy_us ();
        }
      return;
    }
  if (now >= measure_end)
    {
      finish_req ();
      return;
    }
  completed++;
  us = (double) (now - sent_at);
  g_array_append_val (latencies, us);
}

static void issue (void);

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  gint64 *sent_at = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  outstanding--;
  if (reply == NULL)
    {
      if (running)
        {
          g_printerr ("request failed: %s\n", error->message);
          errors++;
        }
    }
  else if (running)
    {
      record (*sent_at);
    }
  g_free (sent_at);
  issue ();
}

static void
issue (void)
{
  while (running && outstanding < (guint) opt_inflight)
    {
      gint64 *sent_at = g_new (gint64, 1);

      *sent_at = g_get_monotonic_time ();
      outstanding++;
      any_peer_request_async (peer, payload, 0, NULL, on_reply, sent_at);
    }
}

static void
finish_req (void)
{
  guint64 server_cpu = server_cpu_us () - server_cpu_start;
  guint64 client_cpu = bench_self_cpu_us () - client_cpu_start;
  guint64 machine_busy = bench_machine_busy_us () - machine_busy_start;
  gint64 others = (gint64) machine_busy - (gint64) server_cpu - (gint64) client_cpu;
  double seconds = (g_get_monotonic_time () - measure_start) / 1e6;
  double count = (double) completed;

  if (!measuring)
    return;
  running = FALSE;
  measuring = FALSE;
  median (latencies);   /* sorts */
  printf ("RESULT phase=req e2e=%s inflight=%d seconds=%.2f count=%" G_GUINT64_FORMAT
          " rate=%.0f p50_us=%.0f p99_us=%.0f errors=%" G_GUINT64_FORMAT
          " srv_cpu_us_per_op=%.2f srv_cpu_pct=%.0f cli_cpu_us_per_op=%.2f cli_cpu_pct=%.0f others_pct=%.0f\n",
          e2e_name, opt_inflight, seconds, completed, count / seconds,
          percentile (latencies, 0.5), percentile (latencies, 0.99), errors,
          opt_server_pid > 0 && count > 0 ? server_cpu / count : 0.0,
          opt_server_pid > 0 ? 100.0 * server_cpu / (seconds * G_USEC_PER_SEC) : 0.0,
          count > 0 ? client_cpu / count : 0.0,
          100.0 * client_cpu / (seconds * G_USEC_PER_SEC),
          opt_server_pid > 0 ? MAX (0.0, 100.0 * others / (seconds * G_USEC_PER_SEC)) : 0.0);
  fflush (stdout);
  if (errors > 0)
    exit_status = 1;
  quit_soon ();
}

static gboolean
on_req_timer (gpointer user_data)
{
  /* A busy link may keep the main loop from the timers: record() also
   * ends the phases, on time; this is for a stalled one. */
  if (measuring && g_get_monotonic_time () >= measure_end)
    finish_req ();
  else if (!measuring && running && g_get_monotonic_time () >= warmup_end)
    record (0);
  return quitting ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
start_req (void)
{
  running = TRUE;
  warmup_end = g_get_monotonic_time () + (gint64) (opt_warmup * G_USEC_PER_SEC);
  g_timeout_add_full (G_PRIORITY_HIGH, 100, on_req_timer, NULL, NULL);
  issue ();
}

/* big */

static void send_big (void);

static void
big_report (void)
{
  double p50 = median (big_us);
  double mib = big_bytes / (1024.0 * 1024.0);
  guint64 server_cpu = server_cpu_us () - server_cpu_start;
  guint64 client_cpu = bench_self_cpu_us () - client_cpu_start;
  guint64 machine_busy = bench_machine_busy_us () - machine_busy_start;
  gint64 others = (gint64) machine_busy - (gint64) server_cpu - (gint64) client_cpu;
  double seconds = (g_get_monotonic_time () - measure_start) / 1e6;

  printf ("RESULT phase=big%s e2e=%s bytes=%" G_GSIZE_FORMAT " n=%u p50_ms=%.1f min_ms=%.1f max_ms=%.1f"
          " mib_per_s=%.1f srv_cpu_ms_per_op=%.1f cli_cpu_ms_per_op=%.1f others_pct=%.0f\n",
          opt_binary ? " body=binary" : "", e2e_name, big_bytes, big_us->len, p50 / 1000,
          g_array_index (big_us, double, 0) / 1000, g_array_index (big_us, double, big_us->len - 1) / 1000,
          p50 > 0 ? mib / (p50 / 1e6) : 0.0,
          opt_server_pid > 0 ? server_cpu / 1000.0 / big_us->len : 0.0,
          client_cpu / 1000.0 / big_us->len,
          opt_server_pid > 0 ? MAX (0.0, 100.0 * others / (seconds * G_USEC_PER_SEC)) : 0.0);
  fflush (stdout);
  quit_soon ();
}

static void
on_big_reply (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = opt_binary ? any_peer_send_bytes_request_finish (ANY_PEER (source), result, &error)
                                           : any_peer_request_finish (ANY_PEER (source), result, &error);
  double us = (double) (g_get_monotonic_time () - big_start);
  JsonNode *msg;

  if (reply == NULL)
    {
      fail ("big-failed", error->message);
      return;
    }
  msg = any_packet_get_msg (reply);
  if (!JSON_NODE_HOLDS_OBJECT (msg) ||
      json_object_get_int_member_with_default (json_node_get_object (msg), "length", -1) != (gint64) big_bytes)
    {
      fail ("big-bad-ack", "the ack does not give the length sent");
      return;
    }
  if (big_sent == 1)
    {
      /* The first one warms up; the measured ones start here. */
      measure_start = g_get_monotonic_time ();
      server_cpu_start = server_cpu_us ();
      client_cpu_start = bench_self_cpu_us ();
      machine_busy_start = bench_machine_busy_us ();
    }
  else
    g_array_append_val (big_us, us);
  if (big_sent == opt_big_count + 1)
    big_report ();
  else
    send_big ();
}

static void
send_big (void)
{
  big_sent++;
  big_start = g_get_monotonic_time ();
  if (opt_binary)
    any_peer_send_bytes_request_async (peer, big_binary, 600000, NULL, on_big_reply, NULL);
  else
    any_peer_request_async (peer, big_payload, 600000, NULL, on_big_reply, NULL);
}

static void
start_big (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  char *data;

  big_bytes = (gsize) (opt_big_mib * 1024 * 1024);
  data = g_malloc (big_bytes + 1);
  memset (data, 'x', big_bytes);
  data[big_bytes] = '\0';
  if (opt_binary)
    {
      big_binary = g_bytes_new_take (data, big_bytes);
      send_big ();
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "big");
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, data);
  json_builder_end_object (builder);
  g_free (data);
  big_payload = json_builder_get_root (builder);
  send_big ();
}

static void
link_ready (void)
{
  if (quitting)
    return;
  switch (phase)
    {
    case PHASE_HANDSHAKE:
      handshakes_done++;
      drop_link ();
      next_handshake ();
      break;
    case PHASE_REQ:
      start_req ();
      break;
    case PHASE_BIG:
      start_big ();
      break;
    }
}

/* Stopping */

static gboolean
on_quit (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
quit_soon (void)
{
  if (quitting)
    return;
  quitting = TRUE;
  running = FALSE;
  drop_link ();
  g_timeout_add (200, on_quit, NULL);
}

static gboolean
on_signal (gpointer user_data)
{
  quit_soon ();
  return G_SOURCE_REMOVE;
}

static gboolean
on_max_time (gpointer user_data)
{
  g_printerr ("e2e-bench: gave up after --max-time\n");
  printf ("RESULT phase=%s e2e=%s error=timeout\n", phase_names[phase], opt_e2e ? "yes" : "plain");
  fflush (stdout);
  exit_status = 1;
  quit_soon ();
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- libanysocket E2E benchmark client");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_phase == NULL || strcmp (opt_phase, "handshake") == 0)
    phase = PHASE_HANDSHAKE;
  else if (strcmp (opt_phase, "req") == 0)
    phase = PHASE_REQ;
  else if (strcmp (opt_phase, "big") == 0)
    phase = PHASE_BIG;
  else
    {
      g_printerr ("--phase is handshake, req or big\n");
      return 2;
    }
  if (opt_port <= 0 || opt_handshakes < 1 || opt_inflight < 1 || opt_duration <= 0 ||
      opt_big_count < 1 || opt_big_mib <= 0)
    {
      g_printerr ("Need --port, and --handshakes, --inflight, --duration, --big-count, --big-mib > 0\n");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  if (opt_scheme != NULL && strcmp (opt_scheme, "tcp") == 0)
    uri = g_strdup_printf ("tcp://%s:%d", opt_host ? opt_host : "127.0.0.1", opt_port);
  else if (opt_scheme == NULL || strcmp (opt_scheme, "ws") == 0)
    uri = g_strdup_printf ("ws://%s:%d/", opt_host ? opt_host : "127.0.0.1", opt_port);
  else
    {
      g_printerr ("--scheme is ws or tcp\n");
      return 2;
    }
  json_parser_load_from_data (parser, "{\"type\":\"req\",\"data\":\"hello\"}", -1, NULL);
  payload = json_parser_steal_root (parser);
  latencies = g_array_sized_new (FALSE, FALSE, sizeof (double), 1 << 20);
  connect_us = g_array_new (FALSE, FALSE, sizeof (double));
  switch_us = g_array_new (FALSE, FALSE, sizeof (double));
  total_us = g_array_new (FALSE, FALSE, sizeof (double));
  big_us = g_array_new (FALSE, FALSE, sizeof (double));
  old_sockets = g_ptr_array_new ();

  if (opt_max_time <= 0)
    opt_max_time = 120;
  g_timeout_add ((guint) (opt_max_time * 1000), on_max_time, NULL);
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);

  open_link ();
  g_main_loop_run (loop);

  /* The process ends here: the sockets and peers go with it. */
  return exit_status;
}

/* soak.c: one server, many peers, a long time (not a test: README "Soak")
 *
 *   soak [--minutes 10] [--steady 1000] [--churn 100] [--interval-ms 1000]
 *        [--server build/tests/bench/bench-server]
 *
 * Starts bench-server in its own process (so that its memory and file
 * descriptors are its own) and drives it from here with two kinds of
 * libanysocket peers:
 *
 *   steady   --steady peers, each its own AnySocket linked for the whole
 *            run, each with one request in flight: it sends, waits for
 *            the reply, waits --interval-ms, and sends again;
 *   churn    --churn peers that connect, make one request and stop their
 *            socket, over and over, each cycle with a new socket and id.
 *
 * Every minute it prints one Markdown row: replies per second, the
 * latency percentiles of the steady peers' requests in that minute, the
 * server's RSS and open file descriptors, churn cycles and errors. The
 * rows of the first minute, the middle one and the last one go into the
 * README. Exits 1 if any request failed or any steady peer was lost.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>

#include <anysocket.h>
#include <glib-unix.h>

#include "bench-proc.h"

#define REQUEST_TIMEOUT_MS 10000

static int opt_minutes = 10;
static int opt_steady = 1000;
static int opt_churn = 100;
static int opt_interval_ms = 1000;
static char *opt_server = NULL;

static GOptionEntry entries[] = {
  { "minutes", 0, 0, G_OPTION_ARG_INT, &opt_minutes, "How long (10)", "M" },
  { "steady", 0, 0, G_OPTION_ARG_INT, &opt_steady, "Peers linked all along (1000)", "N" },
  { "churn", 0, 0, G_OPTION_ARG_INT, &opt_churn, "Peers that connect, ask once and leave, over and over (100)", "N" },
  { "interval-ms", 0, 0, G_OPTION_ARG_INT, &opt_interval_ms, "Pause of a steady peer between requests (1000)", "MS" },
  { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt_server, "The bench-server program (next to this one)", "PATH" },
  { NULL }
};

typedef struct {
  char      *uri;
  GPid       server_pid;
  GMainLoop *loop;
  GArray    *latencies_us;   /* gint64, this minute's steady requests */
  guint64    replies;        /* this minute, steady and churn */
  guint64    churn_cycles;   /* this minute */
  guint64    errors;         /* whole run */
  guint      steady_linked;
  guint      minute;
} Soak;

typedef struct {
  Soak      *soak;
  AnySocket *socket;
  AnyPeer   *peer;
  gint64     sent_at;
  gboolean   churn;
} Peer;

static Soak soak;

static void peer_start (Peer *peer);

static JsonNode *
request_message (void)
{
  return json_from_string ("{\"type\":\"req\",\"pad\":\"0123456789abcdef\"}", NULL);
}

static void
peer_error (Peer       *peer,
            const char *what,
            GError     *error)
{
  soak.errors++;
  if (soak.errors <= 10)
    g_printerr ("soak: %s peer: %s: %s\n", peer->churn ? "churn" : "steady", what, error->message);
}

static gboolean
send_again (gpointer user_data);

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Peer *peer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  if (reply == NULL)
    {
      peer_error (peer, "request", error);
      if (!peer->churn)
        return;   /* a lost steady peer shows in the steady count */
    }
  else
    {
      soak.replies++;
      if (!peer->churn)
        {
          gint64 latency = g_get_monotonic_time () - peer->sent_at;

          g_array_append_val (soak.latencies_us, latency);
        }
    }

  if (peer->churn)
    {
      /* one cycle done: a new socket (and id) for the next one */
      soak.churn_cycles++;
      any_socket_stop (peer->socket);
      g_clear_object (&peer->peer);
      g_clear_object (&peer->socket);
      peer_start (peer);
    }
  else
    g_timeout_add (g_random_int_range (opt_interval_ms / 2 + 1, opt_interval_ms * 3 / 2 + 2),
                   send_again, peer);
}

static gboolean
send_again (gpointer user_data)
{
  Peer *peer = user_data;
  g_autoptr(JsonNode) msg = request_message ();

  peer->sent_at = g_get_monotonic_time ();
  any_peer_request_async (peer->peer, msg, REQUEST_TIMEOUT_MS, NULL, on_reply, peer);
  return G_SOURCE_REMOVE;
}

static void
on_disconnected (AnySocket  *socket,
                 AnyPeer    *link,
                 const char *reason,
                 gpointer    user_data)
{
  Peer *peer = user_data;

  if (!peer->churn)
    {
      soak.steady_linked--;
      soak.errors++;
      g_printerr ("soak: a steady peer was dropped: %s\n", reason);
    }
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Peer *peer = user_data;
  g_autoptr(GError) error = NULL;

  peer->peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);
  if (peer->peer == NULL)
    {
      peer_error (peer, "connect", error);
      if (peer->churn)
        {
          g_clear_object (&peer->socket);
          peer_start (peer);
        }
      return;
    }
  if (!peer->churn)
    {
      soak.steady_linked++;
      g_signal_connect (peer->socket, "disconnected", G_CALLBACK (on_disconnected), peer);
    }
  send_again (peer);
}

static void
peer_start (Peer *peer)
{
  peer->socket = any_socket_new ();
  any_socket_connect_async (peer->socket, soak.uri, NULL, on_connected, peer);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static double
percentile_ms (GArray *sorted,
               double  p)
{
  if (sorted->len == 0)
    return 0;
  return g_array_index (sorted, gint64, MIN (sorted->len - 1, (guint) (p * sorted->len))) / 1000.0;
}

static guint
count_fds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gboolean
on_minute (gpointer user_data)
{
  soak.minute++;
  g_array_sort (soak.latencies_us, compare_gint64);
  printf ("| %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %u | %" G_GUINT64_FORMAT " | %" G_GUINT64_FORMAT " |\n",
          soak.minute, soak.steady_linked, soak.replies / 60.0,
          percentile_ms (soak.latencies_us, 0.50), percentile_ms (soak.latencies_us, 0.90),
          percentile_ms (soak.latencies_us, 0.99),
          soak.latencies_us->len > 0 ? g_array_index (soak.latencies_us, gint64, soak.latencies_us->len - 1) / 1000.0 : 0,
          bench_process_rss_kib (soak.server_pid) / 1024.0, count_fds (soak.server_pid),
          soak.churn_cycles, soak.errors);
  fflush (stdout);
  g_array_set_size (soak.latencies_us, 0);
  soak.replies = 0;
  soak.churn_cycles = 0;
  if (soak.minute >= (guint) opt_minutes)
    {
      g_main_loop_quit (soak.loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* 1,100 links need more than the usual 1,024 descriptors, here and in
 * the server (which inherits the limit). */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static char *
start_server (const char *self_path,
              GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (self_path);
  g_autofree char *server = opt_server ? g_strdup (opt_server) : g_build_filename (dir, "bench-server", NULL);
  g_autofree char *timeout = g_strdup_printf ("%d", opt_minutes * 60 + 120);
  const char *argv[] = { server, "--timeout", timeout, NULL };
  int out_fd;
  char line[32] = "";
  FILE *out;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &soak.server_pid, NULL, &out_fd, NULL, error))
    return NULL;
  out = fdopen (out_fd, "r");
  if (out == NULL || fgets (line, sizeof line, out) == NULL || atoi (line) <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s printed no port", server);
      return NULL;
    }
  return g_strdup_printf ("ws://127.0.0.1:%d", atoi (line));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- a long run of many peers against one server");
  g_autoptr(GError) error = NULL;
  Peer *peers;
  guint total;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("soak: %s\n", error->message);
      return 2;
    }
  raise_fd_limit ();
  soak.uri = start_server (argv[0], &error);
  if (soak.uri == NULL)
    {
      g_printerr ("soak: %s\n", error->message);
      return 2;
    }
  soak.loop = g_main_loop_new (NULL, FALSE);
  soak.latencies_us = g_array_new (FALSE, FALSE, sizeof (gint64));

  total = opt_steady + opt_churn;
  peers = g_new0 (Peer, total);
  for (guint i = 0; i < total; i++)
    {
      peers[i].churn = i >= (guint) opt_steady;
      peer_start (&peers[i]);
    }

  printf ("soak: %d steady peers (one request every %d ms each), %d churning, %d minutes against %s\n\n",
          opt_steady, opt_interval_ms, opt_churn, opt_minutes, soak.uri);
  printf ("| minute | steady peers linked | replies/s | p50 ms | p90 ms | p99 ms | max ms | server RSS MiB | server fds | churn cycles | errors (total) |\n");
  printf ("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  fflush (stdout);
  g_timeout_add_seconds (60, on_minute, NULL);
  g_main_loop_run (soak.loop);

  kill (soak.server_pid, SIGTERM);
  g_spawn_close_pid (soak.server_pid);
  return soak.errors == 0 && soak.steady_linked == (guint) opt_steady ? 0 : 1;
}

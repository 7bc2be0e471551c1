/* idle-peers.c: many idle AnySocket peers on raw sockets, for the hub rows
 * of the benchmark (run-bench.sh): hub CPU and RSS per idle peer, the
 * server's cost per new connection, and fan-out (hub CPU per delivery of
 * a broadcast and of relayed FORWARD frames)
 *
 * One thread, one epoll set, non-blocking sockets and a hand-written
 * WebSocket client (RFC 6455 upgrade, masked text frames), so that 10,000
 * connections cost this side little. Each peer speaks the AnySocket wire
 * protocol (--proto=wire, PROTOCOL.md, with libanysocket's own codec):
 * AUTH with a fresh UUIDv4 id, a pong to every ping at once, and a ping
 * of its own every --ping-interval seconds (5, the default heartbeat of
 * both libraries), as an idle AnySocket client does. --proto=ws: only the
 * upgrade (the bare libsoup echo server).
 *
 * The run, at each level of peers (the union of --levels, --cost-at and
 * --fanout-at, in increasing order): connect up to that many, let the
 * server settle (--settle s), then
 *   --levels     the server's CPU % over --window seconds (30) and its
 *                VmRSS growth per peer since the first peer;
 *                "RESULT kind=idle ..."
 *   --fanout-at  (after the idle rate, as at a cost level) peer 0 asks for a broadcast ({"type":"bcast"}, which
 *                bench-server and js-server.js answer with a broadcast
 *                of {"type":"b"} to every peer, then a reply), again as
 *                soon as every peer has it, for --fanout-seconds; then
 *                peer 0 proxies to every other peer through the server
 *                (INTERNAL PROXY; the hub must allow it) and sends each of
 *                them a FORWARD frame, again as soon as all arrived;
 *                "RESULT kind=broadcast|relay ... us_per_delivery=X"
 *   --cost-at    --cost-conns (100) more peers, connected --connect-parallel
 *                at a time: the server's CPU from the first connect to the
 *                last AUTH answered, per peer; "net" subtracts the idle
 *                CPU rate just measured; "RESULT kind=connect ..."
 * The new peers stay, so the next level starts from there.
 *
 * Every wait is bounded (--stall-timeout without progress, --step-timeout
 * per step, --max-time for all);
 * a peer the server closes is counted (dropped=) and said on stderr.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <glib.h>

#include "codec/any-codec.h"

#include "bench-proc.h"
#include "bench-wire.h"

static int opt_port = 0;
static char *opt_proto = NULL;
static int opt_server_pid = 0;
static char *opt_levels = NULL;
static char *opt_cost_at = NULL;
static int opt_cost_conns = 100;
static int opt_fanout_at = 0;
static double opt_fanout_seconds = 5;
static double opt_window = 30;
static double opt_settle = 5;
static double opt_ping_interval = 5;
static int opt_parallel = 64;
static double opt_step_timeout = 600;
static double opt_stall_timeout = 30;
static int opt_max_time = 1800;

static GOptionEntry entries[] = {
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Server port", "PORT" },
  { "proto", 0, 0, G_OPTION_ARG_STRING, &opt_proto, "wire (AnySocket, default) or ws (upgrade only)", "wire|ws" },
  { "server-pid", 0, 0, G_OPTION_ARG_INT, &opt_server_pid, "The server's pid (CPU, RSS)", "PID" },
  { "levels", 0, 0, G_OPTION_ARG_STRING, &opt_levels, "Idle levels: CPU over --window, RSS", "N,N,..." },
  { "cost-at", 0, 0, G_OPTION_ARG_STRING, &opt_cost_at, "Levels at which to measure new connections", "N,N,..." },
  { "cost-conns", 0, 0, G_OPTION_ARG_INT, &opt_cost_conns, "New connections measured (100)", "K" },
  { "fanout-at", 0, 0, G_OPTION_ARG_INT, &opt_fanout_at, "Level at which to measure fan-out (0: none)", "N" },
  { "fanout-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_fanout_seconds, "Seconds of broadcasts, then of relays (5)", "S" },
  { "window", 0, 0, G_OPTION_ARG_DOUBLE, &opt_window, "Idle window (30 s)", "S" },
  { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &opt_settle, "Seconds after connecting, before measuring (5)", "S" },
  { "ping-interval", 0, 0, G_OPTION_ARG_DOUBLE, &opt_ping_interval, "Our own pings (5 s; 0: none)", "S" },
  { "connect-parallel", 0, 0, G_OPTION_ARG_INT, &opt_parallel, "Connections being set up at once (64)", "N" },
  { "step-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_step_timeout, "Give up a step after (600 s)", "S" },
  { "stall-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_stall_timeout, "... or after this long without progress (30 s)", "S" },
  { "max-time", 0, 0, G_OPTION_ARG_INT, &opt_max_time, "Give up everything after (1800 s)", "S" },
  { NULL }
};

typedef enum { S_CONNECTING, S_UPGRADE, S_AUTH, S_READY, S_DEAD } State;

typedef struct {
  int         fd;
  State       state;
  gint32      seq;
  guint8      id[16];
  GByteArray *in;          /* what is not parsed yet */
  GByteArray *out;         /* what send(2) did not take yet */
  gint64      next_ping;
} Peer;

static gboolean wire;
static Peer *peers;
static guint n_peers;        /* started */
static guint n_ready, n_setting_up, n_dropped;
static int ep;
static struct sockaddr_in server_addr;
static char upgrade_request[256];

/* Fan-out counters */
static guint64 bcast_delivered, relay_delivered;
static guint bcast_replies, proxy_ok, proxy_answers;

/* Sending */

static void
peer_write (Peer *p, const guint8 *data, gsize len)
{
  ssize_t n = 0;

  if (p->state == S_DEAD)
    return;
  if (p->out == NULL || p->out->len == 0)
    {
      n = send (p->fd, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN)
        return;   /* the read side will see it go */
      if (n < 0)
        n = 0;
      if ((gsize) n == len)
        return;
      epoll_ctl (ep, EPOLL_CTL_MOD, p->fd, &(struct epoll_event) { .events = EPOLLIN | EPOLLOUT, .data.ptr = p });
    }
  if (p->out == NULL)
    p->out = g_byte_array_new ();
  g_byte_array_append (p->out, data + n, (guint) (len - (gsize) n));
}

/* A masked text frame (RFC 6455 5.2) with a fresh key, appended to @out. */
static void
ws_frame (GByteArray *out, const guint8 *payload, gsize len)
{
  guint32 key = g_random_int ();

  bench_ws_frame (out, 0x1, payload, len, (const guint8 *) &key);
}

/* One single-chunk AnySocket packet (a new seq unless @reply_to). */
static void
chunk_frame (GByteArray *out, Peer *p, AnyPacketType type, gint32 reply_to, const char *json)
{
  guint8 buf[BENCH_WIRE_PACKET_MAX];
  gint32 seq = reply_to != 0 ? -reply_to : bench_wire_next_seq (&p->seq);

  ws_frame (out, buf, bench_wire_packet (buf, type, seq, json, strlen (json)));
}

static void
peer_send (Peer *p, AnyPacketType type, gint32 reply_to, const char *json)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();

  chunk_frame (frame, p, type, reply_to, json);
  peer_write (p, frame->data, frame->len);
}

/* Receiving */

static void
peer_dead (Peer *p, const char *why)
{
  if (p->state == S_DEAD)
    return;
  if (p->state == S_READY)
    n_ready--;
  else
    n_setting_up--;
  if (why != NULL)
    {
      n_dropped++;
      if (n_dropped <= 5)
        g_printerr ("idle-peers: peer %u closed: %s\n", (guint) (p - peers), why);
    }
  p->state = S_DEAD;
  epoll_ctl (ep, EPOLL_CTL_DEL, p->fd, NULL);
  close (p->fd);
}

static void
peer_ready (Peer *p)
{
  p->state = S_READY;
  n_setting_up--;
  n_ready++;
  if (opt_ping_interval > 0)
    p->next_ping = g_get_monotonic_time () + g_random_int_range (0, (gint32) (opt_ping_interval * G_USEC_PER_SEC));
}

static void
on_text (Peer *p, const guint8 *data, gsize len)
{
  AnyChunk chunk;

  if (!wire)
    return;
  if (len > 0 && data[0] == ANY_FRAME_FORWARD)
    {
      relay_delivered++;
      return;
    }
  if (!any_chunk_decode (data, len, &chunk, NULL))
    {
      peer_dead (p, "a frame that is not an AnySocket chunk");
      return;
    }
  if (p->state == S_AUTH)
    {
      if (chunk.type == ANY_PACKET_TYPE_AUTH)
        peer_ready (p);
      return;
    }
  switch (chunk.type)
    {
    case ANY_PACKET_TYPE_HEARTBEAT:
      if (chunk.body_len == 1 && chunk.body[0] == '1')
        peer_send (p, ANY_PACKET_TYPE_HEARTBEAT, 0, "2");
      break;
    case ANY_PACKET_TYPE_LINK:
      if (chunk.seq > 0)
        bcast_delivered++;
      else
        bcast_replies++;
      break;
    case ANY_PACKET_TYPE_INTERNAL:
      if (chunk.seq < 0)
        {
          proxy_answers++;
          if (g_strstr_len ((const char *) chunk.body, (gssize) chunk.body_len, "\"ok\":true") != NULL)
            proxy_ok++;
        }
      else if (g_strstr_len ((const char *) chunk.body, (gssize) chunk.body_len, "\"time\"") != NULL)
        {
          /* The hub's synced-time request confirming a link: answered. */
          g_autofree char *answer = g_strdup_printf ("{\"o\":null,\"t\":%" G_GINT64_FORMAT "}",
                                                     g_get_real_time () / 1000);
          peer_send (p, ANY_PACKET_TYPE_INTERNAL, chunk.seq, answer);
        }
      break;
    default:
      break;
    }
}

static void
ws_send_control (Peer *p, guint8 opcode, const guint8 *payload, gsize len)
{
  static const guint8 zero[4];   /* a zero mask: allowed (the key is any 32 bits) */
  g_autoptr(GByteArray) frame = g_byte_array_new ();

  bench_ws_frame (frame, opcode, payload, MIN (len, 125), zero);
  peer_write (p, frame->data, frame->len);
}

/* Parses the frames in @buf; returns how many bytes it used. */
static gsize
parse_frames (Peer *p, const guint8 *buf, gsize len)
{
  gsize pos = 0;
  guint8 first;
  gsize head;
  guint64 plen;

  while (p->state != S_DEAD && bench_ws_parse_head (buf + pos, len - pos, &first, &head, &plen))
    {
      guint8 opcode = first & 0x0f;

      if (plen > (1 << 24))
        {
          peer_dead (p, "a frame over 16 MiB");
          break;
        }
      if (len - pos < head + plen)
        break;
      if (opcode == 1 || opcode == 0)
        on_text (p, buf + pos + head, (gsize) plen);
      else if (opcode == 8)
        {
          g_autofree char *reason = g_strdup_printf ("close frame %u \"%.*s\"",
                                                     plen >= 2 ? (buf[pos + head] << 8 | buf[pos + head + 1]) : 0,
                                                     plen > 2 ? (int) plen - 2 : 0, buf + pos + head + 2);
          peer_dead (p, reason);
        }
      else if (opcode == 9)
        ws_send_control (p, 0xA, buf + pos + head, (gsize) plen);
      pos += head + (gsize) plen;
    }
  return pos;
}

static void
on_upgrade_answer (Peer *p)
{
  guint8 *end = (guint8 *) g_strstr_len ((const char *) p->in->data, p->in->len, "\r\n\r\n");
  gsize used;

  if (end == NULL)
    return;
  if (p->in->len < 12 || memcmp (p->in->data, "HTTP/1.1 101", 12) != 0)
    {
      peer_dead (p, "the upgrade was refused");
      return;
    }
  used = (gsize) (end + 4 - p->in->data);
  g_byte_array_remove_range (p->in, 0, (guint) used);
  if (wire)
    {
      char json[64];

      bench_wire_auth_json_for (p->id, json);
      p->state = S_AUTH;
      peer_send (p, ANY_PACKET_TYPE_AUTH, 0, json);
    }
  else
    peer_ready (p);
}

static void
on_readable (Peer *p)
{
  static guint8 buf[65536];

  for (;;)
    {
      ssize_t n = recv (p->fd, buf, sizeof buf, 0);
      gsize used;

      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        {
          peer_dead (p, n == 0 ? "connection closed" : g_strerror (errno));
          return;
        }
      if (n < 0)
        return;
      if (p->state == S_UPGRADE || (p->in != NULL && p->in->len > 0))
        {
          if (p->in == NULL)
            p->in = g_byte_array_new ();
          g_byte_array_append (p->in, buf, (guint) n);
          if (p->state == S_UPGRADE)
            on_upgrade_answer (p);
          if (p->state == S_DEAD || p->state == S_UPGRADE)
            return;
          used = parse_frames (p, p->in->data, p->in->len);
          if (p->state != S_DEAD)
            g_byte_array_remove_range (p->in, 0, (guint) used);
        }
      else
        {
          used = parse_frames (p, buf, (gsize) n);
          if (p->state != S_DEAD && used < (gsize) n)
            {
              if (p->in == NULL)
                p->in = g_byte_array_new ();
              g_byte_array_append (p->in, buf + used, (guint) ((gsize) n - used));
            }
        }
      if (p->state == S_DEAD || (gsize) n < sizeof buf)
        return;
    }
}

static void
on_writable (Peer *p)
{
  if (p->state == S_CONNECTING)
    {
      int err = 0;
      socklen_t len = sizeof err;

      getsockopt (p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0)
        {
          peer_dead (p, g_strerror (err));
          return;
        }
      p->state = S_UPGRADE;
      epoll_ctl (ep, EPOLL_CTL_MOD, p->fd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = p });
      peer_write (p, (const guint8 *) upgrade_request, strlen (upgrade_request));
      return;
    }
  if (p->out != NULL && p->out->len > 0)
    {
      ssize_t n = send (p->fd, p->out->data, p->out->len, MSG_NOSIGNAL);

      if (n > 0)
        g_byte_array_remove_range (p->out, 0, (guint) n);
      if (p->out->len == 0)
        epoll_ctl (ep, EPOLL_CTL_MOD, p->fd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = p });
    }
}

/* Connecting */

static void
start_peer (void)
{
  Peer *p = &peers[n_peers++];
  int one = 1;

  p->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (p->fd < 0)
    {
      g_printerr ("idle-peers: socket: %s (ulimit -n is %ld)\n", g_strerror (errno), sysconf (_SC_OPEN_MAX));
      printf ("RESULT kind=error what=socket peers=%u\n", n_ready);
      exit (1);
    }
  setsockopt (p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bench_wire_new_id (p->id);
  p->state = S_CONNECTING;
  n_setting_up++;
  epoll_ctl (ep, EPOLL_CTL_ADD, p->fd, &(struct epoll_event) { .events = EPOLLOUT, .data.ptr = p });
  if (connect (p->fd, (struct sockaddr *) &server_addr, sizeof server_addr) < 0 && errno != EINPROGRESS)
    peer_dead (p, g_strerror (errno));
}

/* The loop */

static guint target;      /* peers to have started */

static void
pump (int timeout_ms)
{
  static struct epoll_event events[1024];
  gint64 now;
  int n;

  while (n_peers < target && n_setting_up < (guint) opt_parallel)
    start_peer ();
  n = epoll_wait (ep, events, G_N_ELEMENTS (events), timeout_ms);
  for (int i = 0; i < n; i++)
    {
      Peer *p = events[i].data.ptr;

      if (p->state != S_DEAD && (events[i].events & (EPOLLOUT | EPOLLERR)))
        on_writable (p);
      if (p->state != S_DEAD && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && p->state != S_CONNECTING)
        on_readable (p);
    }
  if (!wire || opt_ping_interval <= 0)
    return;
  now = g_get_monotonic_time ();
  for (guint i = 0; i < n_peers; i++)
    if (peers[i].state == S_READY && peers[i].next_ping <= now)
      {
        peers[i].next_ping = now + (gint64) (opt_ping_interval * G_USEC_PER_SEC);
        peer_send (&peers[i], ANY_PACKET_TYPE_HEARTBEAT, 0, "1");
      }
}

/* Pumps for @seconds. */
static void
pump_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    pump (20);
}

typedef gboolean (*Done) (void);

/* Pumps until @done, at most --step-timeout; FALSE on timeout. */
static guint64 server_cpu (void);

static gboolean
pump_until (Done done, const char *what)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (opt_step_timeout * G_USEC_PER_SEC);
  guint64 cpu0 = server_cpu ();
  guint64 progress = 0, last_progress = G_MAXUINT64;
  gint64 progress_at = start;

  while (!done ())
    {
      gint64 now = g_get_monotonic_time ();

      /* Progress: a peer set up, or something delivered. */
      progress = n_ready + n_dropped + bcast_delivered + relay_delivered + proxy_answers;
      if (progress != last_progress)
        {
          last_progress = progress;
          progress_at = now;
        }
      if (now >= end || now - progress_at >= (gint64) (opt_stall_timeout * G_USEC_PER_SEC))
        {
          double pct = 100.0 * (double) (server_cpu () - cpu0) / (double) (g_get_monotonic_time () - start);

          g_printerr ("idle-peers: gave up waiting for %s (%u ready, %u setting up, %u dropped; server CPU %.0f%% meanwhile)\n",
                      what, n_ready, n_setting_up, n_dropped, pct);
          printf ("RESULT kind=error what=%s peers=%u setting_up=%u dropped=%u cpu_pct=%.1f\n",
                  what, n_ready, n_setting_up, n_dropped, pct);
          fflush (stdout);
          return FALSE;
        }
      pump (20);
    }
  return TRUE;
}

static gboolean
all_set_up (void)
{
  return n_peers >= target && n_setting_up == 0;
}

static gboolean
connect_to (guint count)
{
  target = count;
  return pump_until (all_set_up, "connections");
}

/* The server's CPU time, µs, to the microsecond (bench-proc.c). */
static guint64
server_cpu (void)
{
  return bench_process_runtime_us (opt_server_pid);
}

/* Fan-out */

/* The server's idle CPU % at this level, measured just before: what a
 * window spends on heartbeats, not on the fan-out. */
static double idle_pct;

/* RESULT of a fan-out window: the server's CPU per delivery, gross and net
 * of the idle rate. */
static void
print_fanout (const char *kind, guint count, guint rounds, guint64 deliveries,
              guint64 cpu0, gint64 start)
{
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  double cpu = (double) (server_cpu () - cpu0);
  double net = MAX (0.0, cpu - idle_pct / 100.0 * seconds * G_USEC_PER_SEC);

  printf ("RESULT kind=%s level=%d peers=%u rounds=%u deliveries=%" G_GUINT64_FORMAT " seconds=%.2f"
          " us_per_delivery=%.3f net_us_per_delivery=%.3f idle_pct=%.2f dropped=%u\n",
          kind, opt_fanout_at, count, rounds, deliveries, seconds,
          deliveries > 0 ? cpu / (double) deliveries : 0.0,
          deliveries > 0 ? net / (double) deliveries : 0.0, idle_pct, n_dropped);
  fflush (stdout);
}

static guint64 goal_count;
static guint goal_replies;

static gboolean
broadcast_arrived (void)
{
  return bcast_delivered >= goal_count && bcast_replies >= goal_replies;
}

static gboolean
relay_arrived (void)
{
  return relay_delivered >= goal_count;
}

static gboolean
proxies_answered (void)
{
  return proxy_answers >= goal_replies;
}

static void
measure_broadcast (void)
{
  Peer *p0 = &peers[0];
  guint64 cpu0 = server_cpu ();
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (opt_fanout_seconds * G_USEC_PER_SEC);
  guint rounds = 0;
  guint n = n_ready;

  bcast_delivered = 0;
  bcast_replies = 0;
  while (g_get_monotonic_time () < end)
    {
      goal_count = (guint64) (rounds + 1) * n;
      goal_replies = rounds + 1;
      peer_send (p0, ANY_PACKET_TYPE_LINK, 0, "{\"type\":\"bcast\"}");
      if (!pump_until (broadcast_arrived, "broadcast"))
        return;
      rounds++;
    }
  print_fanout ("broadcast", n, rounds, bcast_delivered, cpu0, start);
}

static void
measure_relay (void)
{
  Peer *p0 = &peers[0];
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();
  g_autoptr(GByteArray) burst = g_byte_array_new ();
  g_autoptr(GString) frame = g_string_new (NULL);
  guint8 inner[64];
  gsize inner_len;
  const char *body = "{\"type\":\"r\"}";
  guint64 cpu0;
  gint64 start, end;
  guint rounds = 0;

  /* Link peer 0 with every other peer, 64 requests at a time. */
  proxy_ok = proxy_answers = 0;
  for (guint i = 1; i < n_peers; i++)
    if (peers[i].state == S_READY)
      g_ptr_array_add (targets, &peers[i]);
  for (guint i = 0; i < targets->len; i++)
    {
      Peer *t = targets->pdata[i];
      char id[33], json[96];

      any_id_from_bytes (t->id, id);
      g_snprintf (json, sizeof json, "{\"type\":2,\"action\":\"proxy\",\"id\":\"%s\"}", id);
      peer_send (p0, ANY_PACKET_TYPE_INTERNAL, 0, json);
      goal_replies = i + 1 > 64 ? i + 1 - 64 : 0;
      if (!pump_until (proxies_answered, "proxy-answers"))
        return;
    }
  goal_replies = targets->len;
  if (!pump_until (proxies_answered, "proxy-answers"))
    return;
  if (proxy_ok < targets->len)
    {
      g_printerr ("idle-peers: the server refused %u of %u proxy requests\n", targets->len - proxy_ok, targets->len);
      printf ("RESULT kind=relay error=proxy-refused ok=%u of=%u\n", proxy_ok, targets->len);
      return;
    }
  pump_for (1);   /* the hub's confirmations */

  cpu0 = server_cpu ();
  start = g_get_monotonic_time ();
  end = start + (gint64) (opt_fanout_seconds * G_USEC_PER_SEC);
  relay_delivered = 0;
  while (g_get_monotonic_time () < end)
    {
      /* One FORWARD frame to each target, written in one go. */
      g_byte_array_set_size (burst, 0);
      inner_len = any_chunk_header_encode (inner, TRUE, ANY_PACKET_TYPE_LINK, (gint32) rounds + 1);
      memcpy (inner + inner_len, body, strlen (body));
      inner_len += strlen (body);
      for (guint i = 0; i < targets->len; i++)
        {
          g_string_truncate (frame, 0);
          any_forward_encode (frame, ((Peer *) targets->pdata[i])->id, p0->id, inner, inner_len);
          ws_frame (burst, (const guint8 *) frame->str, frame->len);
        }
      goal_count = (guint64) (rounds + 1) * targets->len;
      peer_write (p0, burst->data, burst->len);
      if (!pump_until (relay_arrived, "relay"))
        return;
      rounds++;
    }
  print_fanout ("relay", targets->len, rounds, relay_delivered, cpu0, start);
}

/* Levels */

static GArray *
parse_list (const char *list)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) parts = g_strsplit (list != NULL ? list : "", ",", 0);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      {
        guint v = (guint) g_ascii_strtoull (parts[i], NULL, 10);
        g_array_append_val (out, v);
      }
  return out;
}

static gboolean
in_list (GArray *list, guint v)
{
  for (guint i = 0; i < list->len; i++)
    if (g_array_index (list, guint, i) == v)
      return TRUE;
  return FALSE;
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static void
on_alarm (int sig)
{
  static const char msg[] = "RESULT kind=error what=max-time\n";

  (void) !write (STDOUT_FILENO, msg, sizeof msg - 1);
  _exit (1);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- idle AnySocket peers");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) levels = NULL;
  g_autoptr(GArray) cost_at = NULL;
  g_autoptr(GArray) all = NULL;
  guint max_peers;
  gsize rss_base;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_port <= 0)
    {
      g_printerr ("Need --port\n");
      return 2;
    }
  wire = opt_proto == NULL || strcmp (opt_proto, "wire") == 0;
  if (!wire && opt_fanout_at > 0)
    {
      g_printerr ("--fanout-at needs --proto=wire\n");
      return 2;
    }
  signal (SIGALRM, on_alarm);
  alarm ((unsigned) opt_max_time);
  signal (SIGPIPE, SIG_IGN);

  levels = parse_list (opt_levels);
  cost_at = parse_list (opt_cost_at);
  all = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (all, levels->data, levels->len);
  g_array_append_vals (all, cost_at->data, cost_at->len);
  if (opt_fanout_at > 0)
    g_array_append_val (all, opt_fanout_at);
  g_array_sort (all, compare_uint);
  max_peers = 1;
  for (guint i = 0; i < all->len; i++)
    max_peers = MAX (max_peers, g_array_index (all, guint, i) + (guint) opt_cost_conns);
  peers = g_new0 (Peer, max_peers + 1);

  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server_addr.sin_port = htons ((guint16) opt_port);
  bench_ws_upgrade_request (upgrade_request, sizeof upgrade_request, opt_port);
  ep = epoll_create1 (0);

  /* The first peer: its one-time costs stay out of the per-peer figures. */
  if (!connect_to (1))
    return 1;
  pump_for (1);
  rss_base = bench_process_rss_kib (opt_server_pid);

  for (guint i = 0; i < all->len; i++)
    {
      guint level = g_array_index (all, guint, i);
      guint64 cpu0;
      gint64 t0;
      double seconds;

      if (i > 0 && level == g_array_index (all, guint, i - 1))
        continue;
      if (level > n_peers && !connect_to (level))
        return 1;
      pump_for (opt_settle);
      /* The idle CPU rate: over --window at the idle levels, 5 s before a
       * cost or fan-out measure elsewhere. */
      if (in_list (levels, level) || in_list (cost_at, level) || (guint) opt_fanout_at == level)
        {
          double w = in_list (levels, level) ? opt_window : MIN (opt_window, 5.0);

          cpu0 = server_cpu ();
          t0 = g_get_monotonic_time ();
          pump_for (w);
          seconds = (g_get_monotonic_time () - t0) / 1e6;
          idle_pct = 100.0 * (double) (server_cpu () - cpu0) / (seconds * G_USEC_PER_SEC);
          if (in_list (levels, level))
            {
              gsize rss = bench_process_rss_kib (opt_server_pid);

              printf ("RESULT kind=idle level=%u peers=%u seconds=%.1f cpu_pct=%.2f rss_before_kib=%" G_GSIZE_FORMAT
                      " rss_kib=%" G_GSIZE_FORMAT " kib_per_peer=%.2f dropped=%u\n",
                      level, n_ready, seconds, idle_pct, rss_base, rss,
                      n_ready > 1 ? ((double) rss - (double) rss_base) / (n_ready - 1) : 0.0, n_dropped);
              fflush (stdout);
            }
        }
      if ((guint) opt_fanout_at == level)
        {
          measure_broadcast ();
          measure_relay ();
        }
      if (in_list (cost_at, level))
        {
          guint before = n_ready;

          cpu0 = server_cpu ();
          t0 = g_get_monotonic_time ();
          if (!connect_to (n_peers + (guint) opt_cost_conns))
            return 1;
          seconds = (g_get_monotonic_time () - t0) / 1e6;
          {
            double cpu = (double) (server_cpu () - cpu0);
            guint added = n_ready > before ? n_ready - before : 0;

            printf ("RESULT kind=connect level=%u peers=%u new=%u seconds=%.2f us_per_conn=%.0f net_us_per_conn=%.0f idle_pct=%.2f dropped=%u\n",
                    level, before, added, seconds, added > 0 ? cpu / added : 0.0,
                    added > 0 ? MAX (0.0, cpu - idle_pct / 100.0 * seconds * G_USEC_PER_SEC) / added : 0.0,
                    idle_pct, n_dropped);
            fflush (stdout);
          }
        }
    }
  /* The process ends here: the kernel closes the sockets. */
  return 0;
}

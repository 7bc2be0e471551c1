/* ws-load.c: the lean load generator of the benchmark's request rows
 *
 * any-bench drives every WebSocket server with a libsoup client; at 100
 * and 1,000 connections that client, not the server, sets the pace (it
 * took 100% of its core while libanysocket's server took 53-76% of its
 * own: run-bench.sh's header has the numbers). This one costs a fraction
 * of that: one thread, one epoll set, non-blocking sockets, no libsoup,
 * no GLib main loop on the hot path.
 *
 * Set-up (blocking, one connection after the other): connect, the HTTP
 * upgrade by hand (RFC 6455), and for --proto=wire the AnySocket AUTH
 * exchange exactly as any-bench --proto=wire does it (bench-wire.c: a
 * fresh UUIDv4 id; the server's first packet must be its AUTH).
 *
 * Then each connection keeps --inflight requests (BENCH_REQ_JSON) in
 * flight: when replies come, as many new requests go out, in one send(2);
 * replies are read as large as the socket has them. Each request is one
 * single-chunk LINK packet with the connection's next seq (so its size is
 * what any-bench --proto=wire sends), in a masked text frame.
 *   --proto=wire  against bench-server or js-server.js: a reply must carry
 *                 the negated seq of the oldest request in flight (as
 *                 any-bench checks); a ping (HEARTBEAT "1") is answered
 *                 with a pong at once, so the heartbeat keeps the link;
 *                 INTERNAL packets are not ours and are skipped.
 *   --proto=ws    against ws-echo-server: the same frames; the echo must
 *                 carry the seq of the oldest request in flight.
 * Any other reply, a close, or a connection that got no reply during the
 * measured window is an error (errors= in the RESULT line, exit 1). At
 * the end, per connection, requests sent = replies received + requests
 * still in flight (at most --inflight), or that too is an error; the
 * totals go to stderr ("ws-load: sent=... replied=...").
 *
 * The masking key (RFC 6455 5.3) is fixed per connection and the body of
 * every request is masked once, at set-up, for each of the four offsets
 * at which it can start: RFC 6455 asks a fresh unpredictable key per
 * frame, which protects proxies from a hostile browser script, not a
 * server from its load generator; the server unmasks what it gets in
 * the same way whatever the key, so its cost is what a real client gives
 * it. Only the 6-10 bytes of the chunk header (the seq) are masked per
 * request.
 *
 * Runs --warmup seconds, measures --duration seconds, prints any-bench's
 * RESULT line (bench-window.c) and exits; --server-pid adds the server's
 * CPU. --max-time bounds the whole run; each set-up read gives up after
 * 10 s.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE   /* memmem */
#include <errno.h>
#include <fcntl.h>
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
#include <sys/time.h>

#include <glib.h>

#include "bench-window.h"
#include "bench-wire.h"

static char *opt_proto = NULL;
static char *opt_mode = NULL;
static int opt_port = 0;
static int opt_conns = 1;
static int opt_inflight = 1;
static double opt_duration = 5.0;
static double opt_warmup = 1.0;
static double opt_max_time = 0;
static int opt_server_pid = 0;
static gboolean opt_deflate = FALSE;

static GOptionEntry entries[] = {
  { "proto", 0, 0, G_OPTION_ARG_STRING, &opt_proto, "wire (AnySocket frames, default) or ws (echo of the same frames)", "wire|ws" },
  { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "req (the only one)", "req" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Server port on 127.0.0.1", "PORT" },
  { "conns", 'c', 0, G_OPTION_ARG_INT, &opt_conns, "Connections (1)", "N" },
  { "inflight", 'k', 0, G_OPTION_ARG_INT, &opt_inflight, "Requests in flight per connection (1)", "K" },
  { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &opt_duration, "Measured seconds (5)", "S" },
  { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &opt_warmup, "Warm-up seconds, not measured (1)", "S" },
  { "max-time", 0, 0, G_OPTION_ARG_DOUBLE, &opt_max_time, "Give up after this many seconds (warmup+duration+60)", "S" },
  { "server-pid", 0, 0, G_OPTION_ARG_INT, &opt_server_pid, "The server's pid, for its CPU time", "PID" },
  { "deflate", 0, 0, G_OPTION_ARG_NONE, &opt_deflate, "Refused: no permessage-deflate here (use any-bench)", NULL },
  { NULL }
};

#define MAX_INFLIGHT 4096
#define REQUEST_MAX (14 + ANY_CHUNK_HEADER_MAX + sizeof BENCH_REQ_JSON)
#define REQ_LEN (sizeof BENCH_REQ_JSON - 1)

typedef struct {
  int         fd;
  guint       index;
  gboolean    dead;
  guint8      key[4];
  guint8      body[4][REQ_LEN];   /* the request JSON masked at payload offset 0..3 */
  gint32      seq;                /* the last one taken */
  gint32     *ring_seq;           /* what is in flight, oldest first */
  gint64     *ring_t;
  guint       head, len;
  GByteArray *in;                 /* a partial frame */
  GByteArray *out;                /* what send(2) did not take */
  guint64     sent, replied, replied_in_window;
} Conn;

static gboolean wire;
static Conn *conns;
static int ep;
static BenchWindow window;
static guint64 errors;
static gint64 now_us;
static guint64 waits, events_seen;   /* in the measured window */

static void
conn_error (Conn *c, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
conn_error (Conn *c, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  if (c->dead)
    return;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (errors < 5)
    g_printerr ("ws-load: connection %u: %s\n", c->index, what);
  errors++;
  c->dead = TRUE;
  epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
}

/* Sending */

static void
conn_write (Conn *c, const guint8 *data, gsize len)
{
  ssize_t n = 0;

  if (c->dead)
    return;
  if (c->out->len == 0)
    {
      n = send (c->fd, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        {
          conn_error (c, "send: %s", g_strerror (errno));
          return;
        }
      if (n < 0)
        n = 0;
      if ((gsize) n == len)
        return;
      epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &(struct epoll_event) { .events = EPOLLIN | EPOLLOUT, .data.ptr = c });
    }
  g_byte_array_append (c->out, data + n, (guint) (len - (gsize) n));
}

static void
on_writable (Conn *c)
{
  ssize_t n = send (c->fd, c->out->data, c->out->len, MSG_NOSIGNAL);

  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    {
      conn_error (c, "send: %s", g_strerror (errno));
      return;
    }
  if (n > 0)
    g_byte_array_remove_range (c->out, 0, (guint) n);
  if (c->out->len == 0)
    epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = c });
}

/* A control or set-up packet: built and masked whole, not on the hot path. */
static void
send_packet (Conn *c, AnyPacketType type, const char *json)
{
  guint8 packet[BENCH_WIRE_PACKET_MAX];
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  gsize n = bench_wire_packet (packet, type, bench_wire_next_seq (&c->seq), json, strlen (json));

  bench_ws_frame (frame, 0x1, packet, n, c->key);
  conn_write (c, frame->data, frame->len);
}

/* One request frame at @out: the header and the seq masked here, the
 * body copied already masked. Returns its length. */
static gsize
build_request (Conn *c, guint8 *out)
{
  guint8 chunk[ANY_CHUNK_HEADER_MAX];
  gint32 seq = bench_wire_next_seq (&c->seq);
  gsize h = any_chunk_header_encode (chunk, TRUE, ANY_PACKET_TYPE_LINK, seq);
  gsize head = bench_ws_head (out, 0x1, h + REQ_LEN, c->key);

  memcpy (out + head, chunk, h);
  bench_ws_mask (out + head, h, c->key, 0);
  memcpy (out + head + h, c->body[h & 3], REQ_LEN);
  c->ring_seq[(c->head + c->len) % (guint) opt_inflight] = seq;
  c->ring_t[(c->head + c->len) % (guint) opt_inflight] = now_us;
  c->len++;
  c->sent++;
  return head + h + REQ_LEN;
}

/* Tops the connection up to --inflight requests, in one send. */
static void
fill (Conn *c)
{
  static guint8 buf[MAX_INFLIGHT * REQUEST_MAX];
  gsize n = 0;

  while (c->len < (guint) opt_inflight)
    n += build_request (c, buf + n);
  if (n > 0)
    conn_write (c, buf, n);
}

/* Receiving */

/* A text frame's payload: an AnySocket packet (wire) or an echo (ws). */
static void
on_text (Conn *c, const guint8 *data, gsize len)
{
  AnyChunk chunk;
  gint32 oldest;

  if (!any_chunk_decode (data, len, &chunk, NULL) || !chunk.last)
    {
      conn_error (c, "a frame that is not a whole packet");
      return;
    }
  if (wire && chunk.type == ANY_PACKET_TYPE_HEARTBEAT)
    {
      if (chunk.body_len == 1 && chunk.body[0] == '1')
        send_packet (c, ANY_PACKET_TYPE_HEARTBEAT, "2");   /* a ping: pong */
      return;
    }
  if (wire && chunk.type != ANY_PACKET_TYPE_LINK)
    return;   /* INTERNAL (synced time, ...): not ours */
  oldest = c->len > 0 ? c->ring_seq[c->head] : 0;
  if (c->len == 0 || chunk.type != ANY_PACKET_TYPE_LINK || chunk.seq != (wire ? -oldest : oldest))
    {
      conn_error (c, "a reply with seq %d while the oldest request in flight is %d (%u in flight)",
                  chunk.seq, oldest, c->len);
      return;
    }
  if (window.measuring)
    {
      guint32 us = (guint32) CLAMP (now_us - c->ring_t[c->head], 0, G_MAXUINT32);

      window.count++;
      c->replied_in_window++;
      g_array_append_val (window.latencies, us);
    }
  c->head = (c->head + 1) % (guint) opt_inflight;
  c->len--;
  c->replied++;
}

/* Parses the server's frames in @buf; returns how many bytes it used. */
static gsize
parse_frames (Conn *c, const guint8 *buf, gsize len)
{
  gsize pos = 0;
  guint8 first;
  gsize head;
  guint64 plen;

  while (!c->dead && bench_ws_parse_head (buf + pos, len - pos, &first, &head, &plen))
    {
      guint8 opcode = first & 0x0f;

      if (plen > (1 << 20))
        {
          conn_error (c, "a frame of %" G_GUINT64_FORMAT " bytes", plen);
          break;
        }
      if (len - pos < head + plen)
        break;
      if (!(first & 0x80) || opcode == 0)
        conn_error (c, "a fragmented message");
      else if (opcode == 0x1 || opcode == 0x2)
        on_text (c, buf + pos + head, (gsize) plen);
      else if (opcode == 0x8)
        conn_error (c, "closed by the server (close frame, code %u)",
                    plen >= 2 ? (guint) (buf[pos + head] << 8 | buf[pos + head + 1]) : 0);
      else if (opcode == 0x9)
        {
          g_autoptr(GByteArray) pong = g_byte_array_new ();

          bench_ws_frame (pong, 0xA, buf + pos + head, (gsize) MIN (plen, 125), c->key);
          conn_write (c, pong->data, pong->len);
        }
      pos += head + (gsize) plen;
    }
  return pos;
}

/* What is in @buf (@n bytes just received) after what c->in holds. */
static void
take (Conn *c, const guint8 *buf, gsize n)
{
  gsize used;

  if (c->in->len > 0)
    {
      g_byte_array_append (c->in, buf, (guint) n);
      used = parse_frames (c, c->in->data, c->in->len);
      if (!c->dead)
        g_byte_array_remove_range (c->in, 0, (guint) used);
    }
  else
    {
      used = parse_frames (c, buf, n);
      if (!c->dead && used < n)
        g_byte_array_append (c->in, buf + used, (guint) (n - used));
    }
}

static void
on_readable (Conn *c)
{
  static guint8 buf[1 << 16];
  ssize_t n = recv (c->fd, buf, sizeof buf, 0);

  if (n == 0)
    {
      conn_error (c, "closed by the server");
      return;
    }
  if (n < 0)
    {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        conn_error (c, "recv: %s", g_strerror (errno));
      return;
    }
  take (c, buf, (gsize) n);
  if (!c->dead)
    fill (c);
}

/* Set-up: blocking */

static gboolean
recv_some (Conn *c)
{
  guint8 buf[4096];
  ssize_t n = recv (c->fd, buf, sizeof buf, 0);

  if (n <= 0)
    {
      g_printerr ("ws-load: connection %u: %s during set-up\n", c->index,
                  n == 0 ? "closed by the server" : g_strerror (errno));
      return FALSE;
    }
  g_byte_array_append (c->in, buf, (guint) n);
  return TRUE;
}

/* The server's AUTH, first of all (--proto=wire). Frames after it stay
 * in c->in for the loop. */
static gboolean
await_auth (Conn *c)
{
  for (;;)
    {
      guint8 first;
      gsize head;
      guint64 plen;
      AnyChunk chunk;

      if (bench_ws_parse_head (c->in->data, c->in->len, &first, &head, &plen) && c->in->len >= head + plen)
        {
          gboolean auth = (first & 0x0f) == 0x1 && any_chunk_decode (c->in->data + head, (gsize) plen, &chunk, NULL)
                          && chunk.type == ANY_PACKET_TYPE_AUTH;

          if (!auth)
            {
              g_printerr ("ws-load: connection %u: no AUTH from the server\n", c->index);
              return FALSE;
            }
          g_byte_array_remove_range (c->in, 0, (guint) (head + plen));
          return TRUE;
        }
      if (!recv_some (c))
        return FALSE;
    }
}

static gboolean
conn_setup (Conn *c, const struct sockaddr_in *addr, const char *upgrade)
{
  struct timeval tv = { .tv_sec = 10 };
  int one = 1;
  guint8 *end;
  char json[64];

  c->fd = socket (AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0 || connect (c->fd, (const struct sockaddr *) addr, sizeof *addr) < 0)
    {
      g_printerr ("ws-load: connection %u: %s (ulimit -n is %ld)\n", c->index, g_strerror (errno), sysconf (_SC_OPEN_MAX));
      return FALSE;
    }
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt (c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (send (c->fd, upgrade, strlen (upgrade), MSG_NOSIGNAL) != (ssize_t) strlen (upgrade))
    return FALSE;
  while (c->in->len == 0 || (end = memmem (c->in->data, c->in->len, "\r\n\r\n", 4)) == NULL)
    if (!recv_some (c))
      return FALSE;
  if (c->in->len < 12 || memcmp (c->in->data, "HTTP/1.1 101", 12) != 0)
    {
      g_printerr ("ws-load: connection %u: the upgrade was refused: %.*s\n", c->index,
                  (int) MIN (c->in->len, 40), c->in->data);
      return FALSE;
    }
  g_byte_array_remove_range (c->in, 0, (guint) (end + 4 - c->in->data));
  if (wire)
    {
      bench_wire_auth_json (json);
      send_packet (c, ANY_PACKET_TYPE_AUTH, json);
      if (c->dead || !await_auth (c))
        return FALSE;
    }
  fcntl (c->fd, F_SETFL, fcntl (c->fd, F_GETFL) | O_NONBLOCK);
  return TRUE;
}

static void
conn_init (Conn *c, guint index)
{
  guint32 key = g_random_int ();

  c->index = index;
  memcpy (c->key, &key, 4);
  for (gsize a = 0; a < 4; a++)
    {
      memcpy (c->body[a], BENCH_REQ_JSON, REQ_LEN);
      bench_ws_mask (c->body[a], REQ_LEN, c->key, a);
    }
  c->ring_seq = g_new0 (gint32, opt_inflight);
  c->ring_t = g_new0 (gint64, opt_inflight);
  c->in = g_byte_array_new ();
  c->out = g_byte_array_new ();
}

/* Checks, per connection, that every request is answered or in flight. */
static void
check_counts (void)
{
  guint64 sent = 0, replied = 0, in_flight = 0;
  guint stalled = 0, dead = 0;

  for (int i = 0; i < opt_conns; i++)
    {
      Conn *c = &conns[i];

      sent += c->sent;
      replied += c->replied;
      in_flight += c->len;
      if (c->dead)
        dead++;
      else if (c->replied_in_window == 0)
        stalled++;
      if (c->sent != c->replied + c->len || c->len > (guint) opt_inflight)
        {
          g_printerr ("ws-load: connection %u: sent %" G_GUINT64_FORMAT ", replied %" G_GUINT64_FORMAT
                      ", %u in flight\n", c->index, c->sent, c->replied, c->len);
          errors++;
        }
    }
  if (stalled > 0)
    {
      g_printerr ("ws-load: %u connections got no reply in the measured window\n", stalled);
      errors++;
    }
  g_printerr ("ws-load: sent=%" G_GUINT64_FORMAT " replied=%" G_GUINT64_FORMAT " in_flight=%" G_GUINT64_FORMAT
              " measured=%" G_GUINT64_FORMAT " stalled=%u dead=%u events_per_wait=%.1f\n",
              sent, replied, in_flight, window.count, stalled, dead,
              waits > 0 ? (double) events_seen / waits : 0.0);
}

/* Closes as any-bench does: a close frame (1000) on each connection,
 * then up to 1 s for the server to close its side, so that its clean-up
 * after a client that leaves runs as usual (npm anysocket's server slowed
 * down run after run when the clients only went away). */
static void
close_all (void)
{
  static const guint8 normal[2] = { 0x03, 0xe8 };
  static struct epoll_event events[1024];
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  guint open = 0;

  for (int i = 0; i < opt_conns; i++)
    {
      Conn *c = &conns[i];

      if (c->dead)
        continue;
      g_byte_array_set_size (frame, 0);
      bench_ws_frame (frame, 0x8, normal, sizeof normal, c->key);
      conn_write (c, frame->data, frame->len);
      open += !c->dead;
    }
  while (open > 0 && g_get_monotonic_time () < deadline)
    {
      int n = epoll_wait (ep, events, G_N_ELEMENTS (events), 50);

      for (int i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;
          guint8 buf[4096];
          ssize_t got;

          if (c->dead)
            continue;
          if (events[i].events & EPOLLOUT)
            on_writable (c);
          got = recv (c->fd, buf, sizeof buf, 0);   /* what is left: not counted */
          if (!c->dead && (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)))
            {
              c->dead = TRUE;
              epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
            }
          open -= c->dead;
        }
    }
  for (int i = 0; i < opt_conns; i++)
    close (conns[i].fd);
}

static void
on_alarm (int sig)
{
  static const char msg[] = "RESULT proto=ws-load mode=req error=timeout\n";

  (void) sig;
  (void) !write (STDOUT_FILENO, msg, sizeof msg - 1);
  _exit (1);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- lean WebSocket load generator");
  g_autoptr(GError) error = NULL;
  struct sockaddr_in addr = { .sin_family = AF_INET };
  static struct epoll_event events[1024];
  char upgrade[256];
  const char *proto_name;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_port <= 0 || opt_conns < 1 || opt_inflight < 1 || opt_inflight > MAX_INFLIGHT || opt_duration <= 0)
    {
      g_printerr ("Need --port, --conns >= 1, 1 <= --inflight <= %d, --duration > 0\n", MAX_INFLIGHT);
      return 2;
    }
  if ((opt_mode != NULL && strcmp (opt_mode, "req") != 0) || opt_deflate)
    {
      g_printerr ("ws-load does requests only, without deflate: use any-bench\n");
      return 2;
    }
  wire = opt_proto == NULL || strcmp (opt_proto, "wire") == 0;
  if (!wire && strcmp (opt_proto, "ws") != 0)
    {
      g_printerr ("--proto is wire or ws\n");
      return 2;
    }
  proto_name = wire ? "wire" : "ws";
  if (opt_max_time <= 0)
    opt_max_time = opt_warmup + opt_duration + 60;
  signal (SIGALRM, on_alarm);
  alarm ((unsigned) opt_max_time + 1);

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons ((guint16) opt_port);
  bench_ws_upgrade_request (upgrade, sizeof upgrade, opt_port);
  ep = epoll_create1 (0);
  conns = g_new0 (Conn, opt_conns);
  for (int i = 0; i < opt_conns; i++)
    {
      conn_init (&conns[i], (guint) i);
      if (!conn_setup (&conns[i], &addr, upgrade))
        {
          printf ("RESULT proto=%s mode=req conns=%d error=connect-failed\n", proto_name, opt_conns);
          return 1;
        }
    }

  now_us = g_get_monotonic_time ();
  for (int i = 0; i < opt_conns; i++)
    {
      Conn *c = &conns[i];

      epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = c });
      /* What came with the server's AUTH (a ping, say). */
      if (c->in->len > 0)
        g_byte_array_remove_range (c->in, 0, (guint) parse_frames (c, c->in->data, c->in->len));
      fill (c);
    }
  bench_window_plan (&window, opt_server_pid, opt_warmup, opt_duration);
  while (bench_window_tick (&window))
    {
      int n = epoll_wait (ep, events, G_N_ELEMENTS (events), 100);

      if (n < 0 && errno != EINTR)
        {
          g_printerr ("ws-load: epoll_wait: %s\n", g_strerror (errno));
          errors++;
          break;
        }
      if (window.measuring)
        {
          waits++;
          events_seen += (guint64) MAX (n, 0);
        }
      for (int i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;

          now_us = g_get_monotonic_time ();
          if (!c->dead && (events[i].events & EPOLLOUT))
            on_writable (c);
          if (!c->dead && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            on_readable (c);
        }
    }
  if (!window.measuring)
    bench_window_start (&window, opt_server_pid);
  check_counts ();
  bench_window_print (&window, proto_name, (guint) opt_conns, opt_inflight, errors);
  status = errors > 0;
  close_all ();   /* its errors come after the result */
  return status;
}

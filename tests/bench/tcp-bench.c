/* tcp-bench.c: the load generator of the raw TCP rows (tcp-echo-server)
 *
 * --conns connections to 127.0.0.1:--port, each keeping --inflight
 * messages of --size bytes (36, the size of the benchmark's AnySocket
 * request frame) in flight: whenever whole messages come back, as many
 * new ones go out, in one send(2). One thread, one epoll set. Runs
 * --warmup seconds, measures --duration seconds, prints any-bench's
 * RESULT line (proto=tcp) and exits; --server-pid adds the server's CPU.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
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

#include "bench-window.h"

static BenchLoadOptions o;

typedef struct {
  int     fd;
  size_t  partial;     /* bytes of the next message already received */
  gint64 *ring;        /* send times of what is in flight, oldest first */
  guint   head, len;
} Conn;

static char *out_buf;

/* Sends @n messages, notes their send time. */
static gboolean
conn_send (Conn *c, guint n)
{
  gint64 now = g_get_monotonic_time ();
  size_t len = (size_t) n * (size_t) o.size;
  size_t done = 0;

  while (done < len)
    {
      ssize_t w = send (c->fd, out_buf + done, len - done, MSG_NOSIGNAL);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;   /* blocking socket: a real error */
      done += (size_t) w;
    }
  for (guint i = 0; i < n; i++)
    c->ring[(c->head + c->len++) % (guint) o.inflight] = now;
  return TRUE;
}

int
main (int argc, char *argv[])
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  struct epoll_event events[256];
  static char in_buf[65536];
  BenchWindow window = { 0 };
  Conn *conns;
  int ep, one = 1;
  guint64 errors = 0;

  if (!bench_load_options_parse (&o, "- raw TCP ping-pong load generator", &argc, &argv))
    return 2;
  out_buf = g_malloc0 ((gsize) o.size * (gsize) o.inflight);
  memset (out_buf, 'x', (gsize) o.size * (gsize) o.inflight);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons ((guint16) o.port);
  ep = epoll_create1 (0);
  conns = g_new0 (Conn, o.conns);
  for (int i = 0; i < o.conns; i++)
    {
      Conn *c = &conns[i];

      c->fd = socket (AF_INET, SOCK_STREAM, 0);
      if (connect (c->fd, (struct sockaddr *) &addr, sizeof addr) < 0)
        {
          perror ("tcp-bench: connect");
          printf ("RESULT proto=tcp mode=req conns=%d error=connect-failed\n", o.conns);
          return 1;
        }
      setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c->ring = g_new0 (gint64, o.inflight);
      epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = c });
    }
  for (int i = 0; i < o.conns; i++)
    conn_send (&conns[i], (guint) o.inflight);

  bench_window_plan (&window, o.server_pid, o.warmup, o.duration);
  for (;;)
    {
      int n = epoll_wait (ep, events, G_N_ELEMENTS (events), 100);

      if (!bench_window_tick (&window))
        break;
      for (int i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;
          ssize_t got = recv (c->fd, in_buf, sizeof in_buf, 0);
          guint whole;

          if (got <= 0)
            {
              if (got < 0 && errno == EINTR)
                continue;
              g_printerr ("tcp-bench: connection closed\n");
              errors++;
              goto done;
            }
          c->partial += (size_t) got;
          whole = (guint) (c->partial / (size_t) o.size);
          c->partial %= (size_t) o.size;
          for (guint k = 0; k < whole; k++)
            {
              gint64 sent = c->ring[c->head];

              c->head = (c->head + 1) % (guint) o.inflight;
              c->len--;
              if (window.measuring)
                bench_window_record (&window, sent);
            }
          if (whole > 0 && !conn_send (c, whole))
            {
              errors++;
              goto done;
            }
        }
    }
done:
  if (!window.measuring)
    bench_window_start (&window, o.server_pid);
  bench_window_print (&window, "tcp", (guint) o.conns, o.inflight, errors);
  return errors > 0;
}

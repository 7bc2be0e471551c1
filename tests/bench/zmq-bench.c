/* zmq-bench.c: the load generator of the ZeroMQ rows (zmq-echo-server)
 *
 * --conns DEALER sockets (a TCP connection each) to
 * tcp://127.0.0.1:--port, each keeping --inflight messages of --size
 * bytes (36, the benchmark's AnySocket request frame) in flight; each
 * message that comes back is replaced by a new one. zmq_poll over all
 * sockets. Runs --warmup seconds, measures --duration seconds, prints
 * any-bench's RESULT line (proto=zmq) and exits; --server-pid adds the
 * server's CPU.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <zmq.h>

#include "bench-window.h"

static BenchLoadOptions o;

typedef struct {
  gint64 *ring;        /* send times of what is in flight, oldest first */
  guint   head, len;
} Ring;

int
main (int argc, char *argv[])
{
  g_autofree char *endpoint = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *in = NULL;
  BenchWindow window = { 0 };
  zmq_pollitem_t *items;
  Ring *rings;
  void *ctx;
  int linger = 0, hwm = 0;

  if (!bench_load_options_parse (&o, "- ZeroMQ DEALER load generator", &argc, &argv))
    return 2;
  endpoint = g_strdup_printf ("tcp://127.0.0.1:%d", o.port);
  payload = g_malloc (o.size);
  memset (payload, 'x', o.size);
  in = g_malloc (o.size + 1);
  ctx = zmq_ctx_new ();
  zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, o.conns + 16);
  items = g_new0 (zmq_pollitem_t, o.conns);
  rings = g_new0 (Ring, o.conns);
  for (int i = 0; i < o.conns; i++)
    {
      void *s = zmq_socket (ctx, ZMQ_DEALER);

      if (s == NULL)
        {
          g_printerr ("zmq-bench: socket %d: %s\n", i, zmq_strerror (zmq_errno ()));
          printf ("RESULT proto=zmq mode=req conns=%d error=connect-failed\n", o.conns);
          return 1;
        }
      zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
      zmq_setsockopt (s, ZMQ_SNDHWM, &hwm, sizeof hwm);
      zmq_setsockopt (s, ZMQ_RCVHWM, &hwm, sizeof hwm);
      zmq_connect (s, endpoint);
      items[i].socket = s;
      items[i].events = ZMQ_POLLIN;
      rings[i].ring = g_new0 (gint64, o.inflight);
    }
  /* DEALER queues what it sends until connected: no need to wait. */
  for (int i = 0; i < o.conns; i++)
    for (int k = 0; k < o.inflight; k++)
      {
        rings[i].ring[rings[i].len++] = g_get_monotonic_time ();
        zmq_send (items[i].socket, payload, o.size, 0);
      }

  bench_window_plan (&window, o.server_pid, o.warmup, o.duration);
  for (;;)
    {
      int n = zmq_poll (items, o.conns, 100);

      if (!bench_window_tick (&window))
        break;
      for (int i = 0; n > 0 && i < o.conns; i++)
        {
          Ring *r = &rings[i];

          if (!(items[i].revents & ZMQ_POLLIN))
            continue;
          /* Everything that is there, each answer replaced at once. */
          while (zmq_recv (items[i].socket, in, o.size + 1, ZMQ_DONTWAIT) >= 0)
            {
              gint64 sent = r->ring[r->head];

              r->head = (r->head + 1) % (guint) o.inflight;
              r->len--;
              if (window.measuring)
                bench_window_record (&window, sent);
              r->ring[(r->head + r->len++) % (guint) o.inflight] = g_get_monotonic_time ();
              zmq_send (items[i].socket, payload, o.size, 0);
            }
        }
    }
  if (!window.measuring)
    bench_window_start (&window, o.server_pid);
  bench_window_print (&window, "zmq", (guint) o.conns, o.inflight, 0);
  /* The process ends here; the sockets go with it (linger 0). */
  _exit (0);
}

/* zmq-echo-server.c: a ZeroMQ ROUTER echo server over tcp, the ZeroMQ rows
 * of the benchmark (zmq-bench is its DEALER load generator)
 *
 * Binds tcp://127.0.0.1:* (or --port), prints the port as its first line
 * on stdout, and sends every message back to the DEALER it came from
 * (the routing id frame, then the payload). One application thread and
 * ZeroMQ's one I/O thread, both in this process.
 *
 *   zmq-echo-server [--port N] [--timeout S]
 *
 * Exits on SIGINT/SIGTERM, or by itself after --timeout seconds (600).
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "bench-server-args.h"

static volatile sig_atomic_t stop;

static void
on_signal (int sig)
{
  stop = 1;
}

int
main (int argc, char *argv[])
{
  int port, timeout, poll_ms = 500;
  char endpoint[64];
  size_t endpoint_len = sizeof endpoint;
  void *ctx, *router;
  time_t deadline;
  zmq_msg_t id, body;
  unsigned long echoed = 0;

  if (!bench_server_args (argc, argv, &port, &timeout))
    return 2;
  signal (SIGINT, on_signal);
  signal (SIGTERM, on_signal);
  deadline = time (NULL) + timeout;

  ctx = zmq_ctx_new ();
  router = zmq_socket (ctx, ZMQ_ROUTER);
  zmq_setsockopt (router, ZMQ_RCVTIMEO, &poll_ms, sizeof poll_ms);
  if (port > 0)
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
  else
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:*");
  if (zmq_bind (router, endpoint) != 0 ||
      zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_len) != 0)
    {
      fprintf (stderr, "zmq-echo-server: cannot bind: %s\n", zmq_strerror (zmq_errno ()));
      return 1;
    }
  printf ("%s\n", strrchr (endpoint, ':') + 1);
  fflush (stdout);

  zmq_msg_init (&id);
  zmq_msg_init (&body);
  while (!stop && time (NULL) < deadline)
    {
      if (zmq_msg_recv (&id, router, 0) < 0)
        continue;   /* the receive timeout: look at the clock */
      if (zmq_msg_recv (&body, router, 0) < 0)
        continue;
      zmq_msg_send (&id, router, ZMQ_SNDMORE);
      zmq_msg_send (&body, router, 0);
      echoed++;
    }
  fprintf (stderr, "zmq-echo-server: %lu messages echoed\n", echoed);
  zmq_close (router);
  zmq_ctx_term (ctx);
  return 0;
}

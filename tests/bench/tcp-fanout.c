/* tcp-fanout.c: the floor of a hub's fan-out on this machine: one small
 * send(2) to each of --peers loopback TCP connections per round, with
 * nothing else (no framing, no protocol, no main loop)
 *
 *   tcp-fanout [--peers 1000] [--size 20] [--seconds 5] [--reader-cpu 0] [--sender-cpu 1]
 *
 * A child process on --reader-cpu holds the peers' ends in one epoll set
 * and reads, as idle-peers does; the sender on --sender-cpu writes --size
 * bytes (about the size of the fan-out's broadcast frame) to each connection,
 * waits until the reader has them all, and starts again, for --seconds.
 * Prints the sender's CPU (user + system, getrusage) per send: on loopback
 * the sender's system call also runs the receiving side's TCP and its
 * wake-up, which is what a hub pays per delivery whatever it does above
 * the socket.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <glib.h>

static int opt_peers = 1000;
static int opt_size = 20;
static double opt_seconds = 5;
static int opt_reader_cpu = 0;
static int opt_sender_cpu = 1;

static GOptionEntry entries[] = {
  { "peers", 0, 0, G_OPTION_ARG_INT, &opt_peers, "Connections (1000)", "N" },
  { "size", 0, 0, G_OPTION_ARG_INT, &opt_size, "Bytes per send (20)", "B" },
  { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_seconds, "How long (5)", "S" },
  { "reader-cpu", 0, 0, G_OPTION_ARG_INT, &opt_reader_cpu, "CPU of the reader (0, -1: any)", "CPU" },
  { "sender-cpu", 0, 0, G_OPTION_ARG_INT, &opt_sender_cpu, "CPU of the sender (1, -1: any)", "CPU" },
  { NULL }
};

static void
pin (int cpu)
{
  cpu_set_t set;

  if (cpu < 0)
    return;
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  sched_setaffinity (0, sizeof set, &set);
}

static double
cpu_seconds (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* The child: connects every peer, reads, and says on @ack when a round
 * (peers x size bytes) is all in. Exits when nothing comes for 5 s. */
static void
reader (struct sockaddr_in *address, int ack)
{
  int ep = epoll_create1 (0);
  int one = 1;
  long long got = 0, round = (long long) opt_peers * opt_size;
  static char buf[65536];

  pin (opt_reader_cpu);
  for (int i = 0; i < opt_peers; i++)
    {
      int fd = socket (AF_INET, SOCK_STREAM, 0);
      struct epoll_event event = { .events = EPOLLIN, .data.fd = fd };

      if (fd < 0 || connect (fd, (struct sockaddr *) address, sizeof *address) < 0)
        _exit (1);
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      epoll_ctl (ep, EPOLL_CTL_ADD, fd, &event);
    }
  for (;;)
    {
      struct epoll_event events[256];
      int n = epoll_wait (ep, events, G_N_ELEMENTS (events), 5000);

      if (n <= 0)
        _exit (0);
      for (int i = 0; i < n; i++)
        {
          ssize_t r = recv (events[i].data.fd, buf, sizeof buf, 0);

          if (r <= 0)
            _exit (0);
          /* A round ends on a multiple: every send is whole on loopback. */
          got += r;
          if (got % round == 0 && write (ack, "x", 1) != 1)
            _exit (1);
        }
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- the kernel's floor of a fan-out");
  g_autoptr(GError) error = NULL;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t address_len = sizeof address;
  int listener, one = 1, ack[2];
  int *fds;
  char *message;
  gint64 start;
  double cpu0;
  long rounds = 0;
  pid_t child;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_peers < 1 || opt_size < 1)
    {
      g_printerr ("tcp-fanout: %s\n", error != NULL ? error->message : "bad option");
      return 2;
    }
  listener = socket (AF_INET, SOCK_STREAM, 0);
  if (listener < 0 || bind (listener, (struct sockaddr *) &address, sizeof address) < 0 ||
      listen (listener, 4096) < 0 || getsockname (listener, (struct sockaddr *) &address, &address_len) < 0 ||
      pipe (ack) < 0)
    {
      perror ("tcp-fanout");
      return 1;
    }
  child = fork ();
  if (child == 0)
    reader (&address, ack[1]);

  pin (opt_sender_cpu);
  fds = g_new (int, opt_peers);
  for (int i = 0; i < opt_peers; i++)
    {
      fds[i] = accept (listener, NULL, NULL);
      if (fds[i] < 0)
        {
          perror ("tcp-fanout: accept");
          return 1;
        }
      setsockopt (fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  message = g_malloc (opt_size);
  memset (message, 'x', opt_size);

  start = g_get_monotonic_time ();
  cpu0 = cpu_seconds ();
  while (g_get_monotonic_time () - start < (gint64) (opt_seconds * G_USEC_PER_SEC))
    {
      char x;

      for (int i = 0; i < opt_peers; i++)
        if (send (fds[i], message, opt_size, MSG_DONTWAIT) != opt_size)
          {
            perror ("tcp-fanout: send");
            return 1;
          }
      if (read (ack[0], &x, 1) != 1)
        return 1;
      rounds++;
    }
  printf ("RESULT kind=tcp-fanout peers=%d size=%d rounds=%ld seconds=%.2f us_per_send=%.3f\n", opt_peers,
          opt_size, rounds, (g_get_monotonic_time () - start) / 1e6,
          (cpu_seconds () - cpu0) * 1e6 / ((double) rounds * opt_peers));
  for (int i = 0; i < opt_peers; i++)
    close (fds[i]);
  waitpid (child, NULL, 0);
  g_free (fds);
  g_free (message);
  return 0;
}

/* tcp-echo-server.c: raw TCP echo over loopback, the physical limit in the
 * benchmark (no framing, no protocol: what comes in goes back out)
 *
 * One thread, one epoll set, non-blocking sockets: each readable
 * connection gets one recv(2) of up to 64 KiB and one send(2) of what it
 * read (what the kernel does not take waits for EPOLLOUT, and the
 * connection is not read meanwhile). Listens on 127.0.0.1 (port 0 by
 * default) and prints the port as its first line on stdout.
 *
 *   tcp-echo-server [--port N] [--timeout S]
 *
 * Exits on SIGINT/SIGTERM, or by itself after --timeout seconds (600).
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "bench-server-args.h"

#define BUF_SIZE 65536

typedef struct {
  int    fd;
  char  *pending;      /* what send(2) did not take yet */
  size_t pending_len;
} Conn;

static volatile sig_atomic_t stop;

static void
on_signal (int sig)
{
  stop = 1;
}

static void
conn_close (int ep, Conn *c)
{
  epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  free (c->pending);
  free (c);
}

/* Sends @len bytes, keeps the rest; FALSE when the connection is gone. */
static int
conn_send (int ep, Conn *c, const char *data, size_t len)
{
  ssize_t n = send (c->fd, data, len, MSG_NOSIGNAL);
  struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

  if (n < 0 && errno != EAGAIN)
    return 0;
  if (n < 0)
    n = 0;
  if ((size_t) n == len)
    return 1;
  c->pending = malloc (len - (size_t) n);
  memcpy (c->pending, data + n, len - (size_t) n);
  c->pending_len = len - (size_t) n;
  epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev);
  return 1;
}

static int
conn_flush (int ep, Conn *c)
{
  char *data = c->pending;
  size_t len = c->pending_len;
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
  int ok;

  c->pending = NULL;
  c->pending_len = 0;
  ok = conn_send (ep, c, data, len);
  free (data);
  if (ok && c->pending == NULL)
    epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev);
  return ok;
}

int
main (int argc, char *argv[])
{
  int port, timeout;
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t addr_len = sizeof addr;
  static char buf[BUF_SIZE];
  struct epoll_event events[256];
  int lfd, ep, one = 1;
  time_t deadline;
  Conn listener = { .fd = -1 };

  if (!bench_server_args (argc, argv, &port, &timeout))
    return 2;
  signal (SIGINT, on_signal);
  signal (SIGTERM, on_signal);
  deadline = time (NULL) + timeout;

  lfd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  setsockopt (lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons ((uint16_t) port);
  if (bind (lfd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (lfd, 4096) < 0 ||
      getsockname (lfd, (struct sockaddr *) &addr, &addr_len) < 0)
    {
      perror ("tcp-echo-server: listen");
      return 1;
    }
  printf ("%u\n", ntohs (addr.sin_port));
  fflush (stdout);

  ep = epoll_create1 (0);
  listener.fd = lfd;
  epoll_ctl (ep, EPOLL_CTL_ADD, lfd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = &listener });

  while (!stop && time (NULL) < deadline)
    {
      int n = epoll_wait (ep, events, 256, 1000);

      for (int i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;

          if (c == &listener)
            {
              int fd;

              while ((fd = accept4 (lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
                {
                  Conn *nc = calloc (1, sizeof *nc);

                  nc->fd = fd;
                  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                  epoll_ctl (ep, EPOLL_CTL_ADD, fd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = nc });
                }
              continue;
            }
          if (c->pending != NULL)
            {
              if (!conn_flush (ep, c))
                conn_close (ep, c);
              continue;
            }
          ssize_t got = recv (c->fd, buf, sizeof buf, 0);

          if (got == 0 || (got < 0 && errno != EAGAIN) || (got > 0 && !conn_send (ep, c, buf, (size_t) got)))
            conn_close (ep, c);
        }
    }
  return 0;
}

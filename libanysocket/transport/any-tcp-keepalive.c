/* any-tcp-keepalive.c: TCP keepalive on a link's socket
 * (AnySocket:tcp-keepalive)
 *
 * After @idle_s seconds without a segment either way the kernel sends a
 * probe, then one every idle_s / 3 seconds (at least 1), and gives the
 * connection up after ANY_TCP_KEEPALIVE_PROBES unanswered: a dead peer or
 * a forgotten NAT mapping is found within about twice @idle_s even with
 * the protocol's heartbeat off. Upstream's 0.4.32 calls node's
 * setKeepAlive(true, 30000) when asked (tcpKeepAlive: true), which sets
 * the idle time; the interval and count are libuv's or the system's.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-tcp-keepalive.h"

#ifdef G_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

/* Whether every option was set; 0 turns keepalive off. */
gboolean
any_tcp_keepalive_apply (int   fd,
                         guint idle_s)
{
#ifdef G_OS_UNIX
  int on = idle_s > 0;
  gboolean ok = setsockopt (fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) == 0;

  if (idle_s > 0)
    {
      int idle = (int) MIN (idle_s, 32767);   /* Linux's limit (MAX_TCP_KEEPIDLE) */
      int interval = MAX (1, idle / 3);
      int count = ANY_TCP_KEEPALIVE_PROBES;

#ifdef TCP_KEEPIDLE
      ok = setsockopt (fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == 0 && ok;
#elif defined (TCP_KEEPALIVE)
      ok = setsockopt (fd, IPPROTO_TCP, TCP_KEEPALIVE, &idle, sizeof idle) == 0 && ok;
#endif
#ifdef TCP_KEEPINTVL
      ok = setsockopt (fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) == 0 && ok;
#endif
#ifdef TCP_KEEPCNT
      ok = setsockopt (fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) == 0 && ok;
#endif
    }
  if (!ok)
    g_debug ("Could not set TCP keepalive (%u s) on a connection", idle_s);
  return ok;
#else
  return FALSE;
#endif
}

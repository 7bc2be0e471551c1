/* test-tcp-keepalive.c: AnySocket:tcp-keepalive on both ends of a real
 * loopback link, read back with getsockopt(2)
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

typedef struct {
  int keepalive;
  int idle;
  int interval;
  int count;
} Keepalive;

/* The connected TCP socket of this process whose local (@local TRUE) or
 * remote port is @port, or -1. */
static int
find_link_fd (guint16  port,
              gboolean local)
{
  for (int fd = 3; fd < 4096; fd++)
    {
      struct sockaddr_in mine, theirs;
      socklen_t mine_len = sizeof mine, theirs_len = sizeof theirs;
      int type = 0;
      socklen_t type_len = sizeof type;

      if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM ||
          getsockname (fd, (struct sockaddr *) &mine, &mine_len) != 0 || mine.sin_family != AF_INET ||
          getpeername (fd, (struct sockaddr *) &theirs, &theirs_len) != 0)
        continue;
      if (ntohs (local ? mine.sin_port : theirs.sin_port) == port)
        return fd;
    }
  return -1;
}

static Keepalive
read_keepalive (int fd)
{
  Keepalive k = { -1, -1, -1, -1 };
  socklen_t len = sizeof (int);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (getsockopt (fd, SOL_SOCKET, SO_KEEPALIVE, &k.keepalive, &len), ==, 0);
  g_assert_cmpint (getsockopt (fd, IPPROTO_TCP, TCP_KEEPIDLE, &k.idle, &len), ==, 0);
  g_assert_cmpint (getsockopt (fd, IPPROTO_TCP, TCP_KEEPINTVL, &k.interval, &len), ==, 0);
  g_assert_cmpint (getsockopt (fd, IPPROTO_TCP, TCP_KEEPCNT, &k.count, &len), ==, 0);
  return k;
}

/* Links between a server and a client with these settings (G_MAXUINT:
 * the default); the keepalive of the server's and the client's end. */
static void
link_keepalive (guint      server_s,
                guint      client_s,
                Keepalive *server_end,
                Keepalive *client_end)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  if (server_s != G_MAXUINT)
    any_socket_set_tcp_keepalive (server, server_s);
  if (client_s != G_MAXUINT)
    g_object_set (client, "tcp-keepalive", client_s, NULL);
  port = listen_local (server);
  peer = connect_local (client, port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (peer);

  *server_end = read_keepalive (find_link_fd (port, TRUE));
  *client_end = read_keepalive (find_link_fd (port, FALSE));
  any_socket_stop (client);
  any_socket_stop (server);
  drain ();
}

/* 30 s by default: probes after 30 idle seconds, every 10, 3 of them. */
static void
test_default (void)
{
  g_autoptr(AnySocket) socket = any_socket_new ();
  Keepalive server_end, client_end;

  g_assert_cmpuint (any_socket_get_tcp_keepalive (socket), ==, 30);
  link_keepalive (G_MAXUINT, G_MAXUINT, &server_end, &client_end);
  for (guint i = 0; i < 2; i++)
    {
      Keepalive *k = i == 0 ? &server_end : &client_end;

      g_assert_cmpint (k->keepalive, ==, 1);
      g_assert_cmpint (k->idle, ==, 30);
      g_assert_cmpint (k->interval, ==, 10);
      g_assert_cmpint (k->count, ==, 3);
    }
}

/* Each side applies its own setting; 0 turns keepalive off. */
static void
test_set_and_off (void)
{
  Keepalive server_end, client_end;

  link_keepalive (7, 0, &server_end, &client_end);
  g_assert_cmpint (server_end.keepalive, ==, 1);
  g_assert_cmpint (server_end.idle, ==, 7);
  g_assert_cmpint (server_end.interval, ==, 2);
  g_assert_cmpint (server_end.count, ==, 3);
  g_assert_cmpint (client_end.keepalive, ==, 0);

  link_keepalive (0, 1, &server_end, &client_end);
  g_assert_cmpint (server_end.keepalive, ==, 0);
  g_assert_cmpint (client_end.keepalive, ==, 1);
  g_assert_cmpint (client_end.idle, ==, 1);
  g_assert_cmpint (client_end.interval, ==, 1);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* A GObject property: notified once per change. */
static void
test_property (void)
{
  g_autoptr(AnySocket) socket = any_socket_new ();
  guint notified = 0;
  guint value = 0;

  g_signal_connect (socket, "notify::tcp-keepalive", G_CALLBACK (on_notify), &notified);
  any_socket_set_tcp_keepalive (socket, 45);
  any_socket_set_tcp_keepalive (socket, 45);
  g_object_get (socket, "tcp-keepalive", &value, NULL);
  g_assert_cmpuint (value, ==, 45);
  g_assert_cmpuint (notified, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tcp-keepalive/default", test_default);
  g_test_add_func ("/tcp-keepalive/set-and-off", test_set_and_off);
  g_test_add_func ("/tcp-keepalive/property", test_property);

  return g_test_run ();
}

/* test-bad-fds.c: a server whose process runs out of file descriptors
 *
 * A program of its own: it lowers RLIMIT_NOFILE for the whole process.
 * Raw TCP connections take every descriptor left, so the server finds
 * connections in its backlog and none to accept them with (EMFILE). It
 * must not spin (GSocketService re-armed accept at once and logged a
 * warning each time: 100% CPU, ~42k warnings a second), must say so once,
 * must keep serving the peer it has, and must accept again by itself once
 * descriptors are free.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_MS 10000
#include "../common/loopback.h"

/* Descriptors left free above those in use when the case starts: enough
 * for the server, the healthy peer and a few raw connections. */
#define FD_HEADROOM      32
/* How long the exhausted server is watched, and the CPU it may use in
 * that time (it used all of it). */
#define EXHAUSTED_MS     1000
#define MAX_CPU_MS       250
/* How often the shortage may be logged in that time. */
#define MAX_WARNINGS     3

static guint shortage_warnings;
static guint recovery_messages;
static guint other_warnings;

static const char *
field_message (const GLogField *fields,
               gsize            n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      return fields[i].value;
  return "";
}

/* Counts what the server logs; debug output only with BADINPUT_DEBUG. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *message = field_message (fields, n_fields);

  if (level & G_LOG_LEVEL_WARNING && g_str_has_prefix (message, "Cannot accept connections"))
    shortage_warnings++;
  else if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL) && other_warnings++ > MAX_WARNINGS)
    return G_LOG_WRITER_HANDLED;
  else if (level & G_LOG_LEVEL_MESSAGE && g_str_has_prefix (message, "Accepting connections again"))
    recovery_messages++;
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && g_getenv ("BADINPUT_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  /* Shown once each: the old listener logged thousands. */
  if (shortage_warnings > MAX_WARNINGS + 1 && g_str_has_prefix (message, "Cannot accept connections"))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* The test framework's handler for g_log() calls, before the writer. */
static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  GLogField fields[] = {
    { "GLIB_DOMAIN", domain != NULL ? domain : "", -1 },
    { "MESSAGE", message, -1 },
  };

  log_writer (level, fields, G_N_ELEMENTS (fields), NULL);
}

static void
on_message (AnySocket *socket,
            AnyPacket *packet,
            gpointer   user_data)
{
  g_autoptr(JsonNode) echo = json_node_copy (any_packet_get_msg (packet));

  any_packet_reply (packet, echo, NULL);
}

static void
expect_alive (AnyPeer *peer)
{
  g_autoptr(JsonNode) msg = json_checked ("{\"still\":\"here\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = request_local (peer, msg, WAIT_MS, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
}

/* The highest descriptor in use (fcntl, not /proc: valgrind hides its
 * own descriptors from the former only). */
static int
highest_fd (void)
{
  int highest = 2;

  for (int fd = 0; fd < 4096; fd++)
    if (fcntl (fd, F_GETFD) != -1)
      highest = fd;
  return highest;
}

static gint64
cpu_us (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* Connects without iterating the main loop: the server cannot accept in
 * between, so the connections wait in its backlog. -1 on EMFILE. */
static int
tcp_connect (guint16 port)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    {
      g_assert_cmpint (errno, ==, EMFILE);
      return -1;
    }
  addr.sin_family = AF_INET;
  addr.sin_port = g_htons (port);
  addr.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  return fd;
}

static void
test_fds_exhausted (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) healthy = any_socket_new ();
  g_autoptr(AnySocket) late = any_socket_new ();
  g_autoptr(AnyPeer) healthy_peer = NULL;
  g_autoptr(AnyPeer) late_peer = NULL;
  g_autoptr(GArray) raws = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) error = NULL;
  gboolean exhausted = FALSE;
  struct rlimit limit;
  gint64 cpu_before, cpu_used;
  guint port;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  /* Only the soft limit: valgrind refuses a change to the hard one. */
  limit.rlim_cur = highest_fd () + 1 + FD_HEADROOM;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  g_test_message ("RLIMIT_NOFILE %lu", (unsigned long) limit.rlim_cur);

  any_socket_set_heartbeat_interval (server, 1000);
  any_socket_set_heartbeat_interval (healthy, 1000);
  g_signal_connect (server, "message", G_CALLBACK (on_message), NULL);
  port = listen_local (server);
  healthy_peer = connect_local (healthy, port, &error);
  g_assert_no_error (error);
  expect_alive (healthy_peer);

  /* Every descriptor left, without letting the server run. */
  for (guint i = 0; i < limit.rlim_cur && !exhausted; i++)
    {
      int fd = tcp_connect ((guint16) port);

      if (fd < 0)
        exhausted = TRUE;
      else
        g_array_append_val (raws, fd);
    }
  g_test_message ("%u raw connections wait in the backlog", raws->len);
  g_assert_true (exhausted);
  g_assert_cmpuint (raws->len, >, 0);

  /* The server wakes up to connections it cannot accept. */
  iterate_for (50);
  cpu_before = cpu_us ();
  iterate_for (EXHAUSTED_MS);
  cpu_used = cpu_us () - cpu_before;
  g_test_message ("CPU over %u ms without descriptors: %" G_GINT64_FORMAT " us; warnings: %u (%u others)",
                  EXHAUSTED_MS, cpu_used, shortage_warnings, other_warnings);
  g_assert_cmpint (cpu_used, <, (gint64) MAX_CPU_MS * 1000);
  g_assert_cmpuint (shortage_warnings + other_warnings, <=, MAX_WARNINGS);
  g_assert_cmpuint (shortage_warnings, ==, 1);
  g_assert_cmpuint (recovery_messages, ==, 0);

  /* The peer it has does not notice. */
  expect_alive (healthy_peer);
  g_assert_true (any_peer_is_connected (healthy_peer));

  /* Descriptors come back: accepting resumes by itself, the waiting
   * connections (closed by now) are taken and dropped, and a newcomer
   * gets in. */
  for (guint i = 0; i < raws->len; i++)
    close (g_array_index (raws, int, i));
  late_peer = connect_local (late, port, &error);
  g_assert_no_error (error);
  expect_alive (late_peer);
  g_assert_cmpuint (recovery_messages, ==, 1);
  expect_alive (healthy_peer);
  g_assert_cmpuint (shortage_warnings, <=, MAX_WARNINGS);
  g_assert_cmpuint (other_warnings, ==, 0);

  any_socket_stop (late);
  any_socket_stop (healthy);
  any_socket_stop (server);
  drain ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Warnings are counted, not fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_log_set_default_handler (log_handler, NULL);

  g_test_add_func ("/badinput/fds/exhausted", test_fds_exhausted);
  return g_test_run ();
}

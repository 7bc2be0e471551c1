/* test-transports-hostile.c: what only the stream transports and wss://
 * have: hostile bytes on a tcp:// or unix:// port beside a healthy peer,
 * wrong peers on each kind of port, TLS rules, the unix socket file
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <glib/gstdio.h>

#include "healthy-client.h"
#include "memory-mark.h"
#include "transports.h"

/* A time bound, ten times longer under valgrind. */
#define BOUND_MS(ms) (running_slow () ? (ms) * 10 : (ms))

#define HELLO "ANYSOCK\x01"
#define HELLO_LEN 8

/* --- a raw attacker ------------------------------------------------------ */

/* A non-blocking connection to @uri (tcp://127.0.0.1:PORT or unix://PATH). */
static int
raw_connect (const char *uri)
{
  int fd;

  if (g_str_has_prefix (uri, "unix://"))
    {
      struct sockaddr_un sun = { .sun_family = AF_UNIX };

      g_strlcpy (sun.sun_path, uri + strlen ("unix://"), sizeof sun.sun_path);
      fd = socket (AF_UNIX, SOCK_STREAM, 0);
      g_assert_cmpint (connect (fd, (struct sockaddr *) &sun, sizeof sun), ==, 0);
    }
  else
    {
      struct sockaddr_in sin = { .sin_family = AF_INET };
      const char *port = strrchr (uri, ':');

      sin.sin_port = htons (atoi (port + 1));
      sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      fd = socket (AF_INET, SOCK_STREAM, 0);
      g_assert_cmpint (connect (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
    }
  g_assert_cmpint (fcntl (fd, F_SETFL, O_NONBLOCK), ==, 0);
  return fd;
}

static void
raw_send (int fd, const void *data, gsize len)
{
  g_assert_cmpint (send (fd, data, len, MSG_NOSIGNAL), ==, (gssize) len);
}

/* Reads what comes until the end of stream (or a reset), for at most
 * @ms: the milliseconds it took, or -1 if the stream stayed open. What
 * was read goes to @got (if not NULL). */
static gint64
raw_wait_end (int fd, guint ms, GByteArray *got)
{
  gint64 start = g_get_monotonic_time ();
  gboolean ended = FALSE;

  WAIT_FOR (({
    guint8 buf[4096];
    gssize n;

    while ((n = recv (fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
      if (got != NULL)
        g_byte_array_append (got, buf, n);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
      ended = TRUE;
    ended;
  }), ms);
  return ended ? (g_get_monotonic_time () - start) / 1000 : -1;
}

/* --- bad input beside a healthy peer ------------------------------------ */

typedef enum {
  BAD_MAGIC,
  BAD_VERSION,
  BAD_HUGE_LENGTH,
  BAD_TRUNCATED,
  BAD_ENDLESS,
  BAD_SILENT,
  BAD_MASKED,
  N_BAD
} Bad;

static const char *bad_names[N_BAD] = {
  "bad-magic", "bad-version", "huge-length", "truncated-frame", "endless-frame", "silent", "masked-frame",
};

/* The server's auth-timeout in these cases: what bounds the hello and
 * the first AUTH. */
#define AUTH_TIMEOUT_MS BOUND_MS (1000)

static void
attack (int fd, Bad bad)
{
  switch (bad)
    {
    case BAD_MAGIC:
      raw_send (fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
      break;
    case BAD_VERSION:
      raw_send (fd, "ANYSOCK\x02", HELLO_LEN);
      break;
    case BAD_HUGE_LENGTH:
      /* A text frame of 2^63 - 1 bytes. */
      raw_send (fd, HELLO "\x81\x7f\x7f\xff\xff\xff\xff\xff\xff\xff", HELLO_LEN + 10);
      break;
    case BAD_TRUNCATED:
      /* 1000 bytes announced, 10 sent, then the end of stream. */
      raw_send (fd, HELLO "\x81\x7e\x03\xe8" "0123456789", HELLO_LEN + 14);
      shutdown (fd, SHUT_WR);
      break;
    case BAD_ENDLESS:
      /* 100 000 bytes announced (under the limit before AUTH); a few
       * come, the rest never does. */
      raw_send (fd, HELLO "\x81\x7f\x00\x00\x00\x00\x00\x01\x86\xa0" "{\"a\":", HELLO_LEN + 15);
      break;
    case BAD_SILENT:
      break;
    case BAD_MASKED:
      /* A WebSocket client's masked frame: the stream framing has none. */
      raw_send (fd, HELLO "\x81\x82\x01\x02\x03\x04" "ab", HELLO_LEN + 8);
      break;
    case N_BAD:
      g_assert_not_reached ();
    }
}

static void
test_bad_input (gconstpointer data)
{
  Bad bad = GPOINTER_TO_INT (data) % N_BAD;
  Kind kind = GPOINTER_TO_INT (data) / N_BAD;
  g_autoptr(AnySocket) server = new_socket (kind);
  g_autofree char *dir = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GByteArray) got = g_byte_array_new ();
  HealthyClient *healthy = healthy_client_new (BOUND_MS (100));
  g_autoptr(GList) peers = NULL;
  guint replied_before;
  gint64 took;
  int fd;

  any_socket_set_auth_timeout (server, AUTH_TIMEOUT_MS);
  uri = listen_kind (server, kind, &dir);
  healthy_client_connect (healthy, uri);
  healthy_client_pump (healthy, TRUE);
  WAIT_UNTIL (healthy->replied >= 50);
  replied_before = healthy->replied;

  fd = raw_connect (uri);
  attack (fd, bad);
  took = raw_wait_end (fd, AUTH_TIMEOUT_MS + BOUND_MS (4000), got);
  g_test_message ("%s over %s: closed after %" G_GINT64_FORMAT " ms, %u bytes read",
                  bad_names[bad], kind_names[kind], took, got->len);
  g_assert_cmpint (took, >=, 0);
  /* Refused at once, but for the peers that say nothing wrong in time:
   * the auth time-out, then (once a link) the close handshake's bound
   * (ANY_WS_LINK_CLOSE_TIMEOUT_MS, 1 s) for a peer that never answers. */
  if (bad == BAD_ENDLESS || bad == BAD_SILENT)
    g_assert_cmpint (took, <=, AUTH_TIMEOUT_MS + BOUND_MS (1000 + 1000));
  else
    g_assert_cmpint (took, <, BOUND_MS (500));
  /* The server said hello first, whatever came. */
  g_assert_cmpuint (got->len, >=, HELLO_LEN);
  g_assert_cmpmem (got->data, HELLO_LEN, HELLO, HELLO_LEN);
  close (fd);

  /* The healthy peer went on, lost nothing and was not held up. */
  WAIT_UNTIL (healthy->replied >= replied_before + 50);
  g_assert_cmpuint (healthy->replied, >=, replied_before + 50);
  healthy_client_pump (healthy, FALSE);
  WAIT_FOR (healthy->in_flight == 0, WAIT_MS);
  g_assert_cmpuint (healthy->in_flight, ==, 0);
  g_assert_cmpuint (healthy->failed, ==, 0);
  g_assert_cmpuint (healthy->mismatched, ==, 0);
  g_assert_cmpuint (healthy->replied, ==, healthy->sent);
  g_assert_null (healthy->disconnect_reason);
  g_assert_cmpint (healthy_client_slowest_reply_us (healthy), <, BOUND_MS (1000) * 1000);
  /* The attacker is gone from the server, the healthy peer is there. */
  peers = any_socket_get_peers (server);
  g_assert_cmpuint (g_list_length (peers), ==, 1);
  any_socket_stop (server);
  iterate_for (20);
  healthy_client_free (healthy);
  drain ();
  remove_dir (g_steal_pointer (&dir));
}

/* --- wrong peers --------------------------------------------------------- */

/* @client connects to @uri and fails quickly: the milliseconds it took. */
static gint64
connect_fails (AnySocket *client, const char *uri, GError **error)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(AnyPeer) peer = connect_uri (client, uri, error);

  g_assert_null (peer);
  return (g_get_monotonic_time () - start) / 1000;
}

/* A client of one kind on a port of another: a clean error at once, on
 * both sides (no hang until a time-out). */
static void
test_wrong_peer (gconstpointer data)
{
  Kind server_kind = GPOINTER_TO_INT (data) / N_KINDS;
  Kind client_kind = GPOINTER_TO_INT (data) % N_KINDS;
  g_autoptr(AnySocket) server = NULL;
  g_autoptr(AnySocket) client = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *wrong = NULL;
  g_autoptr(GError) error = NULL;
  gint64 took;

  if (skip_without_cert (server_kind) || skip_without_cert (client_kind))
    return;
  server = new_socket (server_kind);
  client = new_socket (client_kind);
  uri = listen_kind (server, server_kind, &dir);
  wrong = g_strdup_printf ("%s%s", kind_names[client_kind], strstr (uri, "://"));
  took = connect_fails (client, wrong, &error);
  g_test_message ("%s client on a %s port: %s after %" G_GINT64_FORMAT " ms",
                  kind_names[client_kind], kind_names[server_kind], error->message, took);
  g_assert_nonnull (error);
  g_assert_cmpint (took, <, BOUND_MS (1000));
  any_socket_stop (server);
  drain ();
  remove_dir (g_steal_pointer (&dir));
}

/* --- wss:// -------------------------------------------------------------- */

/* The error of listening on @uri, or NULL. */
static GError *
listen_error (AnySocket  *socket,
              const char *uri)
{
  AsyncResult r = { 0 };

  any_socket_listen_async (socket, uri, NULL, on_listened, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  return r.error;
}

static void
test_wss_without_certificate (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(GError) error = listen_error (server, "wss://127.0.0.1:0");

  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED);
}

/* Without the test certificate trusted, our client refuses the server. */
static void
test_wss_untrusted (void)
{
  g_autoptr(AnySocket) server = NULL;
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autofree char *dir = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  gint64 took;

  if (skip_without_cert (KIND_WSS))
    return;
  server = new_socket (KIND_WSS);
  uri = listen_kind (server, KIND_WSS, &dir);
  took = connect_fails (client, uri, &error);
  g_test_message ("untrusted: %s after %" G_GINT64_FORMAT " ms", error->message, took);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpint (any_socket_get_peers (server) == NULL, ==, TRUE);
  any_socket_stop (server);
  drain ();
}

/* TLS 1.2 and later only: openssl's client speaking TLS 1.1 gets no
 * answer to its upgrade request (closed after the handshake), one
 * speaking 1.2 or 1.3 gets its 101. */
static void
test_wss_tls_versions (void)
{
  g_autoptr(AnySocket) server = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *uri = NULL;
  const char *versions[] = { "-tls1_1", "-tls1_2", "-tls1_3" };
  const gboolean accepted[] = { FALSE, TRUE, TRUE };

  if (skip_without_cert (KIND_WSS))
    return;
  server = new_socket (KIND_WSS);
  any_socket_set_auth_timeout (server, 1000);
  uri = listen_kind (server, KIND_WSS, &dir);
  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *connect = g_strdup (strstr (uri, "://") + 3);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GBytes) out = NULL;
      GAsyncResult *result = NULL;
      const char *request = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n\r\n";
      g_autoptr(GBytes) input = g_bytes_new_static (request, strlen (request));
      gboolean upgraded;

      /* -tls1_1 also needs a security level that allows it. -ign_eof:
       * read until the server closes (the auth time-out, at most). */
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                  "openssl", "s_client", "-quiet", "-ign_eof", "-connect", connect, versions[i],
                                  "-cipher", "DEFAULT:@SECLEVEL=0", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_async (process, input, NULL, store_result, &result);
      g_assert_true (WAIT_FOR (result != NULL, BOUND_MS (15000)));
      g_assert_true (g_subprocess_communicate_finish (process, result, &out, NULL, &error));
      g_object_unref (result);
      g_assert_no_error (error);
      upgraded = g_bytes_get_size (out) > 0 &&
                 g_strstr_len (g_bytes_get_data (out, NULL), g_bytes_get_size (out), " 101 ") != NULL;
      g_test_message ("openssl s_client %s: %s", versions[i], upgraded ? "upgraded" : "closed");
      g_assert_cmpint (upgraded, ==, accepted[i]);
    }
  any_socket_stop (server);
  drain ();
}

/* --- unix sockets -------------------------------------------------------- */

static void
test_unix_file (void)
{
  g_autoptr(AnySocket) server = new_socket (KIND_UNIX);
  g_autoptr(AnySocket) second = new_socket (KIND_UNIX);
  g_autofree char *dir = NULL;
  g_autofree char *uri = NULL;
  const char *path;
  struct stat st;
  GError *error = NULL;

  uri = listen_kind (server, KIND_UNIX, &dir);
  path = uri + strlen ("unix://");
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Someone listens there: refused, and the socket stays. */
  error = listen_error (second, uri);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_cmpint (g_lstat (path, &st), ==, 0);

  /* Stopping removes it. */
  any_socket_stop (server);
  g_assert_cmpint (g_lstat (path, &st), ==, -1);

  /* A socket file no one listens on (a crashed server's) is replaced. */
  {
    int fd = socket (AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
    g_assert_cmpint (bind (fd, (struct sockaddr *) &sun, sizeof sun), ==, 0);
    close (fd);
  }
  error = listen_error (second, uri);
  g_assert_no_error (error);
  any_socket_stop (second);
  g_assert_cmpint (g_lstat (path, &st), ==, -1);

  /* A file that is not a socket is refused and left alone. */
  g_assert_true (g_file_set_contents (path, "precious", -1, NULL));
  error = listen_error (second, uri);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "precious");
  }
  g_unlink (path);
  drain ();
  remove_dir (g_steal_pointer (&dir));
}

static void
test_bad_uris (void)
{
  g_autoptr(AnySocket) socket = any_socket_new ();
  const char *bad[] = { "unix://relative/path", "unix:relative", "tcp://127.0.0.1", "udp://127.0.0.1:1" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = listen_error (socket, bad[i]);

      g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI);
    }
}

/* tcp://[::1]:PORT, both ways (skipped without IPv6 loopback). */
static void
test_tcp_ipv6 (void)
{
  g_autoptr(AnySocket) server = new_socket (KIND_TCP);
  g_autoptr(AnySocket) client = new_socket (KIND_TCP);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(JsonNode) msg = json_checked ("{\"n\": 6}");
  g_autofree char *uri = NULL;
  AsyncResult r = { 0 };

  any_socket_listen_async (server, "tcp://[::1]:0", NULL, on_listened, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  if (r.error != NULL)
    {
      g_test_skip (r.error->message);
      g_clear_error (&r.error);
      return;
    }
  uri = g_strdup_printf ("tcp://[::1]:%u", r.port);
  peer = connect_uri (client, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (any_peer_get_remote_address (peer), ==, strrchr (uri, '/') + 1);
  reply = request_local (peer, msg, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msg_int (msg_member (any_packet_get_msg (reply), "echo"), "n"), ==, 6);
  any_socket_stop (client);
  any_socket_stop (server);
  drain ();
}

void
add_hostile_tests (void)
{
  for (Kind kind = KIND_TCP; kind <= KIND_UNIX; kind++)
    for (Bad bad = 0; bad < N_BAD; bad++)
      {
        g_autofree char *path = g_strdup_printf ("/transports/%s/bad-input/%s", kind_names[kind], bad_names[bad]);

        g_test_add_data_func (path, GINT_TO_POINTER (kind * N_BAD + bad), test_bad_input);
      }
  for (Kind server = 0; server < N_KINDS; server++)
    for (Kind client = 0; client < N_KINDS; client++)
      {
        g_autofree char *path = NULL;

        /* Same kind: the cases above; unix against inet: no such link. */
        if (server == client || (server == KIND_UNIX) != (client == KIND_UNIX))
          continue;
        path = g_strdup_printf ("/transports/%s/wrong-client/%s", kind_names[server], kind_names[client]);
        g_test_add_data_func (path, GINT_TO_POINTER (server * N_KINDS + client), test_wrong_peer);
      }
  g_test_add_func ("/transports/wss/no-certificate", test_wss_without_certificate);
  g_test_add_func ("/transports/wss/untrusted", test_wss_untrusted);
  g_test_add_func ("/transports/wss/tls-versions", test_wss_tls_versions);
  g_test_add_func ("/transports/unix/socket-file", test_unix_file);
  g_test_add_func ("/transports/bad-uris", test_bad_uris);
  g_test_add_func ("/transports/tcp/ipv6", test_tcp_ipv6);
}

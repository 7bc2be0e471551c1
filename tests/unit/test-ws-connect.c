/* test-ws-connect.c: any_socket_connect_async() against hand-made servers
 * on loopback (a thread with blocking sockets): what any-ws-connect.c
 * accepts as a WebSocket upgrade, what it refuses and how it says so, and
 * that it never waits forever.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <anysocket.h>
#include <libsoup/soup.h>

#include "loopback.h"

#define WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define SERVER_ID "0123456789abcdef4123456789abcdef"

typedef enum {
  ANSWER_RIGHT_WITH_AUTH,   /* 101, then the server's AUTH in the same send */
  ANSWER_HTTP_404,
  ANSWER_BAD_ACCEPT,
  ANSWER_EXTENSION,         /* an extension the client did not offer */
  ANSWER_NOTHING,           /* reads the request, never answers */
} Answer;

typedef struct {
  GSocket     *listener;
  Answer       answer;
  GThread     *thread;
  AsyncResult  connect;     /* main thread: the connect's outcome */
} Fixture;

static char *
accept_for (const char *request)
{
  const char *key = strstr (request, "Sec-WebSocket-Key: ");
  g_autofree char *k = NULL;
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_assert_nonnull (key);
  key += strlen ("Sec-WebSocket-Key: ");
  k = g_strndup (key, strcspn (key, "\r"));
  g_checksum_update (sha1, (const guchar *) k, -1);
  g_checksum_update (sha1, (const guchar *) WEBSOCKET_GUID, -1);
  g_checksum_get_digest (sha1, digest, &len);
  return g_base64_encode (digest, len);
}

static gpointer
serve_one (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GSocket) conn = g_socket_accept (f->listener, NULL, NULL);
  GString *request = g_string_new (NULL);
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autofree char *accept = NULL;
  char buf[1024];

  g_assert_nonnull (conn);
  g_socket_set_timeout (conn, 5);
  while (strstr (request->str, "\r\n\r\n") == NULL)
    {
      gssize n = g_socket_receive (conn, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      g_string_append_len (request, buf, n);
    }
  accept = accept_for (request->str);
  g_string_free (request, TRUE);

  switch (f->answer)
    {
    case ANSWER_RIGHT_WITH_AUTH:
    case ANSWER_EXTENSION:
      g_string_append_printf (answer, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n", accept,
                              f->answer == ANSWER_EXTENSION ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "");
      if (f->answer == ANSWER_RIGHT_WITH_AUTH)
        {
          /* An unmasked text frame: "1", AUTH, seq 1, {"id": ...}. */
          const char auth[] = "11\0\0\0\1{\"id\":\"" SERVER_ID "\"}";

          g_string_append_c (answer, (char) 0x81);
          g_string_append_c (answer, (char) (sizeof auth - 1));
          g_string_append_len (answer, auth, sizeof auth - 1);
        }
      break;
    case ANSWER_HTTP_404:
      g_string_append (answer, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      break;
    case ANSWER_BAD_ACCEPT:
      g_string_append (answer, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      break;
    case ANSWER_NOTHING:
      break;
    }
  if (answer->len > 0)
    g_socket_send (conn, answer->str, answer->len, NULL, NULL);
  if (f->answer == ANSWER_RIGHT_WITH_AUTH)
    {
      /* The client's AUTH, then goodbye: a server that does not answer
       * the client's close frame would hold the client until libsoup's
       * close timeout. */
      g_socket_receive (conn, buf, sizeof buf, NULL, NULL);
      return NULL;
    }
  /* Until the client goes (at most the socket timeout). */
  while (g_socket_receive (conn, buf, sizeof buf, NULL, NULL) > 0)
    ;
  return NULL;
}

static guint16
start_server (Fixture *f,
              Answer   answer)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  f->answer = answer;
  f->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_true (g_socket_bind (f->listener, any_port, TRUE, NULL));
  g_assert_true (g_socket_listen (f->listener, NULL));
  bound = g_socket_get_local_address (f->listener, NULL);
  f->thread = g_thread_new ("server", serve_one, f);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Connects to the server, stopping @socket after @stop_after_ms if not 0;
 * returns how long it took, in ms. */
static gint64
connect_to (Fixture   *f,
            AnySocket *socket,
            guint16    port,
            guint      stop_after_ms)
{
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  gint64 start = g_get_monotonic_time ();

  any_socket_connect_async (socket, uri, NULL, on_connected, &f->connect);
  if (stop_after_ms > 0)
    {
      iterate_for (stop_after_ms);
      any_socket_stop (socket);
    }
  g_assert_true (wait_for (&f->connect.done, 10000));
  return (g_get_monotonic_time () - start) / 1000;
}

static void
finish (Fixture   *f,
        AnySocket *socket)
{
  any_socket_stop (socket);
  g_thread_join (f->thread);
  g_object_unref (f->listener);
  g_clear_object (&f->connect.peer);
  g_clear_error (&f->connect.error);
}

static void
test_frames_behind_the_answer (void)
{
  Fixture f = { 0 };
  g_autoptr(AnySocket) socket = any_socket_new ();

  connect_to (&f, socket, start_server (&f, ANSWER_RIGHT_WITH_AUTH), 0);
  g_assert_no_error (f.connect.error);
  g_assert_cmpstr (any_peer_get_id (f.connect.peer), ==, SERVER_ID);
  finish (&f, socket);
}

static void
test_refused_upgrade (void)
{
  Fixture f = { 0 };
  g_autoptr(AnySocket) socket = any_socket_new ();

  connect_to (&f, socket, start_server (&f, ANSWER_HTTP_404), 0);
  g_assert_error (f.connect.error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  g_assert_nonnull (strstr (f.connect.error->message, "404"));
  finish (&f, socket);
}

static void
test_bad_accept (void)
{
  Fixture f = { 0 };
  g_autoptr(AnySocket) socket = any_socket_new ();

  connect_to (&f, socket, start_server (&f, ANSWER_BAD_ACCEPT), 0);
  g_assert_error (f.connect.error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE);
  finish (&f, socket);
}

static void
test_extension_not_offered (void)
{
  Fixture f = { 0 };
  g_autoptr(AnySocket) socket = any_socket_new ();

  connect_to (&f, socket, start_server (&f, ANSWER_EXTENSION), 0);
  g_assert_error (f.connect.error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE);
  finish (&f, socket);
}

static void
test_no_answer_times_out (void)
{
  Fixture f = { 0 };
  g_autoptr(AnySocket) socket = any_socket_new ();
  gint64 ms;

  any_socket_set_auth_timeout (socket, 300);
  ms = connect_to (&f, socket, start_server (&f, ANSWER_NOTHING), 0);
  g_assert_error (f.connect.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (ms, >=, 290);
  g_assert_cmpint (ms, <, 3000);
  finish (&f, socket);
}

static void
test_stop_fails_pending_connect (void)
{
  Fixture f = { 0 };
  g_autoptr(AnySocket) socket = any_socket_new ();
  gint64 ms;

  ms = connect_to (&f, socket, start_server (&f, ANSWER_NOTHING), 100);
  g_assert_error (f.connect.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (ms, <, 3000);
  finish (&f, socket);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ws-connect/frames-behind-the-answer", test_frames_behind_the_answer);
  g_test_add_func ("/ws-connect/refused-upgrade", test_refused_upgrade);
  g_test_add_func ("/ws-connect/bad-accept", test_bad_accept);
  g_test_add_func ("/ws-connect/extension-not-offered", test_extension_not_offered);
  g_test_add_func ("/ws-connect/no-answer-times-out", test_no_answer_times_out);
  g_test_add_func ("/ws-connect/stop-fails-pending-connect", test_stop_fails_pending_connect);

  return g_test_run ();
}

/* test-request.c: the upgrade request's headers and cookies reach the
 * server's authenticate-peer handlers; the client adds them with
 * AnyConnectOptions, which refuses what would break the request; over
 * real loopback sockets
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loopback.h"

typedef struct {
  guint      calls;            /* authenticate-peer */
  guint      legacy_calls;     /* authenticate */
  char      *path, *query, *token, *dup, *agent, *session, *theme, *missing_cookie;
  char      *remote, *claimed_id;
  gboolean   id_null;
  guint      names;
  const char *require_session; /* refuse a peer without this cookie */
} Server;

/* The handler runs once per connection of a case: the last one wins. */
static void
set_str (char       **field,
         const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static gboolean
on_authenticate_peer (AnySocket  *socket,
                      AnyPeer    *peer,
                      const char *peer_id,
                      JsonNode   *auth,
                      Server     *server)
{
  g_auto(GStrv) names = any_peer_dup_request_header_names (peer);

  server->calls++;
  set_str (&server->path, any_peer_get_request_path (peer));
  set_str (&server->query, any_peer_get_request_query (peer));
  set_str (&server->token, any_peer_get_request_header (peer, "x-token"));
  set_str (&server->dup, any_peer_get_request_header (peer, "X-Dup"));
  set_str (&server->agent, any_peer_get_request_header (peer, "User-Agent"));
  set_str (&server->session, any_peer_get_request_cookie (peer, "session"));
  set_str (&server->theme, any_peer_get_request_cookie (peer, "theme"));
  set_str (&server->missing_cookie, any_peer_get_request_cookie (peer, "Session"));
  set_str (&server->remote, any_peer_get_remote_address (peer));
  set_str (&server->claimed_id, peer_id);
  server->id_null = any_peer_get_id (peer) == NULL;
  server->names = names != NULL ? g_strv_length (names) : 0;
  if (server->require_session != NULL)
    return g_strcmp0 (any_peer_get_request_cookie (peer, "session"), server->require_session) == 0;
  return TRUE;
}

static gboolean
on_authenticate (AnySocket  *socket,
                 const char *peer_id,
                 JsonNode   *auth,
                 Server     *server)
{
  server->legacy_calls++;
  return TRUE;
}

static void
server_clear (Server *server)
{
  g_free (server->path);
  g_free (server->query);
  g_free (server->token);
  g_free (server->dup);
  g_free (server->agent);
  g_free (server->session);
  g_free (server->theme);
  g_free (server->missing_cookie);
  g_free (server->remote);
  g_free (server->claimed_id);
  memset (server, 0, sizeof *server);
}

static AnySocket *
server_new (Server *server,
            guint  *port)
{
  AnySocket *socket = any_socket_new ();

  g_signal_connect (socket, "authenticate-peer", G_CALLBACK (on_authenticate_peer), server);
  g_signal_connect (socket, "authenticate", G_CALLBACK (on_authenticate), server);
  *port = listen_local (socket);
  return socket;
}

static AnyPeer *
connect_with (AnySocket         *client,
              const char        *uri,
              AnyConnectOptions *options,
              GError           **error)
{
  AsyncResult r = { 0 };

  any_socket_connect_with_options_async (client, uri, options, NULL, on_connected, &r);
  g_assert_true (wait_for (&r.done, 5000));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.peer;
}

static AnyConnectOptions *
options_new (const char *session)
{
  AnyConnectOptions *options = any_connect_options_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (any_connect_options_add_header (options, "X-Token", "t0k\xc3\xa9n \t value", &error));
  g_assert_true (any_connect_options_add_header (options, "X-Dup", "a", &error));
  g_assert_true (any_connect_options_add_header (options, "X-Dup", "b", &error));
  g_assert_true (any_connect_options_add_header (options, "User-Agent", "my-agent/1", &error));
  g_assert_true (any_connect_options_add_cookie (options, "session", "first", &error));
  g_assert_true (any_connect_options_add_cookie (options, "theme", "dark \"x\"", &error));
  /* Replaces the first value. */
  g_assert_true (any_connect_options_add_cookie (options, "session", session, &error));
  g_assert_no_error (error);
  return options;
}

/* Both ways to connect: our own upgrade (ws://), and libsoup's session
 * (permessage-deflate offered, as wss:// does). */
static void
run_headers_and_cookies (gboolean session_path)
{
  Server server = { 0 };
  guint port;
  g_autoptr(AnySocket) socket = server_new (&server, &port);
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new ("s3cr3t");
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/chat/room?x=1&y=%%20", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(GList) peers = NULL;
  AnyPeer *accepted;
  Server client_side = { 0 };

  any_socket_set_permessage_deflate (client, session_path);
  g_signal_connect (client, "authenticate-peer", G_CALLBACK (on_authenticate_peer), &client_side);
  peer = connect_with (client, uri, options, &error);
  g_assert_no_error (error);
  /* Read now: not sent. */
  g_assert_true (any_connect_options_add_cookie (options, "late", "1", &error));

  g_assert_cmpuint (server.calls, ==, 1);
  g_assert_cmpuint (server.legacy_calls, ==, 1);
  g_assert_cmpstr (server.path, ==, "/chat/room");
  g_assert_cmpstr (server.query, ==, "x=1&y=%20");
  g_assert_cmpstr (server.token, ==, "t0k\xc3\xa9n \t value");
  g_assert_cmpstr (server.dup, ==, "a, b");
  g_assert_cmpstr (server.agent, ==, "my-agent/1");
  g_assert_cmpstr (server.session, ==, "s3cr3t");
  g_assert_cmpstr (server.theme, ==, "dark \"x\"");
  g_assert_null (server.missing_cookie);
  g_assert_true (g_str_has_prefix (server.remote, "127.0.0.1:"));
  g_assert_cmpstr (server.claimed_id, ==, any_socket_get_id (client));
  g_assert_true (server.id_null);
  g_assert_cmpuint (server.names, >=, 7);

  /* The client's view of the server: a peer we dialled, no request. */
  g_assert_cmpuint (client_side.calls, ==, 1);
  g_assert_null (client_side.path);
  g_assert_null (client_side.token);
  g_assert_null (client_side.session);
  g_assert_cmpuint (client_side.names, ==, 0);
  g_assert_null (any_peer_get_request_path (peer));
  g_assert_null (any_peer_dup_request_header_names (peer));

  /* The server's peer keeps its request while it lives. */
  peers = any_socket_get_peers (socket);
  g_assert_cmpuint (g_list_length (peers), ==, 1);
  accepted = peers->data;
  g_assert_cmpstr (any_peer_get_request_cookie (accepted, "session"), ==, "s3cr3t");
  g_assert_null (any_peer_get_request_cookie (accepted, "late"));
  g_assert_cmpstr (any_peer_get_request_path (accepted), ==, "/chat/room");

  any_socket_stop (client);
  any_socket_stop (socket);
  drain ();
  server_clear (&server);
  server_clear (&client_side);
}

static void
test_headers_and_cookies (void)
{
  run_headers_and_cookies (FALSE);
}

static void
test_headers_and_cookies_session (void)
{
  run_headers_and_cookies (TRUE);
}

/* An authenticate-peer handler refuses a peer by its cookie; the
 * authenticate handlers do not run then. A peer with no Cookie at all is
 * refused as well, and one with the right cookie gets in. */
static void
test_refuse_by_cookie (void)
{
  Server server = { .require_session = "good" };
  guint port;
  g_autoptr(AnySocket) socket = server_new (&server, &port);
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  const char *sessions[] = { "bad", NULL, "good" };

  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    {
      g_autoptr(AnySocket) client = any_socket_new ();
      g_autoptr(AnyConnectOptions) options = any_connect_options_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;

      if (sessions[i] != NULL)
        g_assert_true (any_connect_options_add_cookie (options, "session", sessions[i], NULL));
      peer = connect_with (client, uri, options, &error);
      if (i < 2)
        {
          g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
          g_assert_null (peer);
          g_assert_cmpuint (server.legacy_calls, ==, 0);
        }
      else
        {
          g_autoptr(GList) peers = any_socket_get_peers (socket);

          g_assert_no_error (error);
          g_assert_true (any_peer_is_connected (peer));
          g_assert_cmpuint (server.legacy_calls, ==, 1);
          g_assert_cmpuint (g_list_length (peers), ==, 1);
        }
      g_assert_cmpuint (server.calls, ==, i + 1);
      any_socket_stop (client);
      drain ();
      g_clear_pointer (&server.session, g_free);
    }
  any_socket_stop (socket);
  drain ();
  server_clear (&server);
}

/* What would break the request or the handshake is refused, with an
 * error that names it; nothing refused is sent. */
static void
test_validation (void)
{
  g_autoptr(AnyConnectOptions) options = any_connect_options_new ();
  static const char * const bad_names[] = {
    "", "X A", "X-A\r\nEvil: 1", "X:A", "X-\xc3\xa9", "Host", "host", "Connection", "Upgrade",
    "Sec-WebSocket-Key", "sec-websocket-protocol", "Sec-WebSocket-Extensions", "Content-Length",
    "Transfer-Encoding", "Cookie", "COOKIE",
  };
  static const char * const bad_values[] = {
    "a\r\nEvil: 1", "a\nb", "a\rb", "\x01", "a\x7f", "\xff\xfe",
  };
  static const char * const bad_cookie_names[] = { "", "a=b", "a;b", "a b", "a\r\n" };
  static const char * const bad_cookie_values[] = { "x;y", " lead", "trail ", "a\r\nb", "a\tb", "\x01" };
  Server server = { 0 };
  guint port;
  g_autoptr(AnySocket) socket = server_new (&server, &port);
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_autoptr(GError) local = NULL;

      g_assert_false (any_connect_options_add_header (options, bad_names[i], "v", &local));
      g_assert_error (local, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", local->message);
      g_assert_null (strchr (local->message, '\n'));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      g_autoptr(GError) local = NULL;

      g_assert_false (any_connect_options_add_header (options, "X-Ok", bad_values[i], &local));
      g_assert_error (local, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (local->message, "X-Ok"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_cookie_names); i++)
    {
      g_autoptr(GError) local = NULL;

      g_assert_false (any_connect_options_add_cookie (options, bad_cookie_names[i], "v", &local));
      g_assert_error (local, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_cookie_values); i++)
    {
      g_autoptr(GError) local = NULL;

      g_assert_false (any_connect_options_add_cookie (options, "c", bad_cookie_values[i], &local));
      g_assert_error (local, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
    }
  /* Tokens with every allowed punctuation, and an empty value. */
  g_assert_true (any_connect_options_add_header (options, "X!#$%&'*+-.^_`|~9", "", &error));
  g_assert_true (any_connect_options_add_cookie (options, "ok", "", &error));
  g_assert_no_error (error);

  /* Only what was accepted went out, and the request still works. */
  peer = connect_with (client, uri, options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (server.calls, ==, 1);
  g_assert_cmpuint (server.names, ==, 8);   /* Host, Upgrade, Connection, Key, Version, X!..., Cookie, User-Agent */

  any_socket_stop (client);
  any_socket_stop (socket);
  drain ();
  server_clear (&server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/request/headers-and-cookies", test_headers_and_cookies);
  g_test_add_func ("/request/headers-and-cookies/session", test_headers_and_cookies_session);
  g_test_add_func ("/request/refuse-by-cookie", test_refuse_by_cookie);
  g_test_add_func ("/request/validation", test_validation);

  return g_test_run ();
}

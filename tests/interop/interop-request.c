/* interop-request.c: the upgrade request's cookies and headers between
 * libanysocket and the JavaScript package (issue 12)
 *
 * A JavaScript client connects with its `cookies` option: our server's
 * authenticate-peer handler reads them (and refuses a wrong one). Our
 * client connects with AnyConnectOptions: the JavaScript server's
 * `http_upgrade` event (js-peer.js --upgrades) shows the cookies, as its
 * AnyHTTPPeer parses them, and the headers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "interop.h"

typedef struct {
  guint  calls;
  char  *session, *theme, *path, *agent;
  char  *require_session;   /* refuse a peer without it */
} Seen;

static gboolean
on_authenticate_peer (AnySocket  *socket,
                      AnyPeer    *peer,
                      const char *peer_id,
                      JsonNode   *auth,
                      Seen       *seen)
{
  seen->calls++;
  g_free (seen->session);
  seen->session = g_strdup (any_peer_get_request_cookie (peer, "session"));
  g_free (seen->theme);
  seen->theme = g_strdup (any_peer_get_request_cookie (peer, "theme"));
  g_free (seen->path);
  seen->path = g_strdup (any_peer_get_request_path (peer));
  g_free (seen->agent);
  seen->agent = g_strdup (any_peer_get_request_header (peer, "User-Agent"));
  return seen->require_session == NULL || g_strcmp0 (seen->session, seen->require_session) == 0;
}

static void
seen_clear (Seen *seen)
{
  g_free (seen->session);
  g_free (seen->theme);
  g_free (seen->path);
  g_free (seen->agent);
}

/* The JavaScript client's cookies reach our server's authenticate-peer;
 * one with the wrong session is refused. */
static void
test_request_js_client_cookies (gconstpointer data)
{
  CSide *c = c_side_new (5000, NULL, NULL);
  Seen seen = { .require_session = "js-s3cr3t" };
  static const char * const good[] = { "--cookies={\"session\":\"js-s3cr3t\",\"theme\":\"dark blue\"}", NULL };
  static const char * const bad[] = { "--cookies={\"session\":\"guess\"}", NULL };
  JsPeer *js;
  g_autoptr(JsonNode) connected = NULL, refused = NULL;

  g_signal_connect (c->socket, "authenticate-peer", G_CALLBACK (on_authenticate_peer), &seen);
  c_side_listen (c);

  js = js_spawn_full ("client", c->port, good, FALSE);
  connected = js_expect (js, "connected", 5000);
  g_assert_cmpstr (msg_string (connected, "id"), ==, any_socket_get_id (c->socket));
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_cmpstr (seen.session, ==, "js-s3cr3t");
  g_assert_cmpstr (seen.theme, ==, "dark blue");
  g_assert_cmpstr (seen.path, ==, "/");
  js_free (js);

  js = js_spawn_full ("client", c->port, bad, FALSE);
  refused = js_expect (js, "connect_error", 5000);
  note ("a wrong cookie: the JavaScript client's connect fails with '%s'", msg_string (refused, "error"));
  g_assert_cmpuint (seen.calls, ==, 2);
  g_assert_cmpstr (seen.session, ==, "guess");
  g_assert_cmpuint (count_peers (c), ==, 0);
  js_free (js);

  seen_clear (&seen);
  c_side_free (c);
}

/* Our client's headers and cookies, on both ways it connects, as the
 * JavaScript server sees them. */
static void
test_request_c_client_headers (gconstpointer data)
{
  for (guint session_path = 0; session_path < 2; session_path++)
    {
      static const char * const args[] = { "--upgrades", NULL };
      JsPeer *js = js_spawn ("server", 0, args);
      CSide *c = c_side_new (5000, NULL, NULL);
      g_autoptr(AnyConnectOptions) options = any_connect_options_new ();
      g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/", js->port);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;
      g_autoptr(JsonNode) upgrade = NULL;
      JsonNode *cookies, *headers;

      any_socket_set_permessage_deflate (c->socket, session_path);
      g_assert_true (any_connect_options_add_cookie (options, "session", "c-s3cr3t", &error));
      g_assert_true (any_connect_options_add_cookie (options, "lang", "fr", &error));
      g_assert_true (any_connect_options_add_header (options, "X-Token", "abc def", &error));
      g_assert_true (any_connect_options_add_header (options, "User-Agent", "interop/1", &error));
      g_assert_no_error (error);
      any_socket_connect_with_options_async (c->socket, uri, options, NULL, store_result, &result);
      g_assert_true (WAIT_FOR (result != NULL, 5000));
      peer = any_socket_connect_finish (c->socket, result, &error);
      g_assert_no_error (error);

      upgrade = js_expect (js, "http_upgrade", 5000);
      cookies = msg_member (upgrade, "cookies");
      headers = msg_member (upgrade, "headers");
      note ("%s: the JavaScript server saw cookie '%s', x-token '%s', user-agent '%s'",
            session_path ? "SoupSession" : "our upgrade", msg_string (headers, "cookie"),
            msg_string (headers, "x-token"), msg_string (headers, "user-agent"));
      g_assert_cmpstr (msg_string (cookies, "session"), ==, "c-s3cr3t");
      g_assert_cmpstr (msg_string (cookies, "lang"), ==, "fr");
      g_assert_cmpstr (msg_string (headers, "cookie"), ==, "session=c-s3cr3t; lang=fr");
      g_assert_cmpstr (msg_string (headers, "x-token"), ==, "abc def");
      g_assert_cmpstr (msg_string (headers, "user-agent"), ==, "interop/1");
      g_assert_cmpstr (msg_string (upgrade, "url"), ==, "/");

      json_node_unref (js_expect (js, "connected", 5000));
      c_side_free (c);
      js_free (js);
    }
}

void
interop_add_request_cases (void)
{
  add_one ("request/js-client-cookies", test_request_js_client_cookies);
  add_one ("request/c-client-headers-and-cookies", test_request_c_client_headers);
}

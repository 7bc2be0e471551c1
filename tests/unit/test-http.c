/* test-http.c: plain HTTP on a listening port (AnySocket::http-request,
 * AnyHttpRequest, any_socket_serve_folder()) and WebSocket subprotocols
 * (AnySocket:ws-protocols), over real loopback sockets: hand-made
 * requests from a raw TCP client, and libanysocket clients
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "loopback.h"
#include "raw-http.h"
#include "temp-tree.h"

#define AUTH_TIMEOUT 500
#define LATER_MS     (AUTH_TIMEOUT + 300)

typedef struct {
  AnySocket      *server;
  guint           port;
  char           *tmp;          /* tmp/www is served at /static */
  char           *www;
  GPtrArray      *held;         /* AnyHttpRequest answered later */
  char          **header_names; /* of the last /api/echo */
} Fixture;

/* "METHOD|q|X-Test|cookie sid|body length|remote address" */
static gboolean
on_http_request (AnySocket      *socket,
                 AnyHttpRequest *request,
                 gpointer        user_data)
{
  Fixture *fx = user_data;
  const char *path = any_http_request_get_path (request);

  if (strcmp (path, "/api/echo") == 0)
    {
      g_autofree char *text = g_strdup_printf ("%s|%s|%s|%s|%zu|%s", any_http_request_get_method (request),
                                               any_http_request_get_query_param (request, "q"),
                                               any_http_request_get_header (request, "x-test"),
                                               any_http_request_get_cookie (request, "sid"),
                                               g_bytes_get_size (any_http_request_get_body (request)),
                                               any_http_request_get_remote_address (request));
      g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

      g_strfreev (fx->header_names);
      fx->header_names = any_http_request_dup_header_names (request);
      any_http_request_add_response_header (request, "X-Reply", "yes");
      any_http_request_respond (request, 200, "text/plain", body);
      return TRUE;
    }
  if (strcmp (path, "/api/later") == 0)
    {
      g_ptr_array_add (fx->held, g_object_ref (request));
      return TRUE;
    }
  /* Taken, never answered, not kept: 500. */
  if (strcmp (path, "/api/drop") == 0)
    return TRUE;
  return FALSE;
}

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *sub = NULL;
  g_autofree char *out = NULL;

  fx->tmp = g_dir_make_tmp ("anysocket-http-XXXXXX", NULL);
  g_assert_nonnull (fx->tmp);
  fx->www = g_build_filename (fx->tmp, "www", NULL);
  sub = g_build_filename (fx->www, "sub", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  write_file (fx->tmp, "secret.txt", "SECRET");
  write_file (fx->www, "index.html", "<p>index</p>");
  write_file (fx->www, "app.js", "console.log(1);");
  write_file (sub, "index.html", "<p>sub</p>");
  out = g_build_filename (fx->www, "out", NULL);
  g_assert_cmpint (symlink ("../secret.txt", out), ==, 0);
  g_free (out);
  out = g_build_filename (fx->www, "in.js", NULL);
  g_assert_cmpint (symlink ("app.js", out), ==, 0);

  fx->held = g_ptr_array_new_with_free_func (g_object_unref);
  fx->server = any_socket_new ();
  /* The deadline of a request's arrival, short: an answer that takes
   * longer (test_route_later) must not be cut by it. */
  any_socket_set_auth_timeout (fx->server, AUTH_TIMEOUT);
  g_signal_connect (fx->server, "http-request", G_CALLBACK (on_http_request), fx);
  any_socket_serve_folder (fx->server, "/static/", fx->www);
  fx->port = listen_local (fx->server);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_ptr_array_unref (fx->held);
  any_socket_stop (fx->server);
  g_object_unref (fx->server);
  drain ();
  test_remove_tree (fx->tmp);
  g_free (fx->tmp);
  g_free (fx->www);
  g_strfreev (fx->header_names);
}

static RawHttpResponse *
get (Fixture    *fx,
     const char *method,
     const char *target)
{
  g_autofree char *request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", method, target);

  return raw_http_exchange (fx->port, request, WAIT_MS);
}

#define assert_header(response, name, expected) G_STMT_START {          \
    g_autofree char *ah_value_ = raw_http_header ((response), (name));  \
    g_assert_cmpstr (ah_value_, ==, (expected));                        \
  } G_STMT_END

/* Routes */

static void
test_route (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(RawHttpResponse) r = raw_http_exchange (fx->port,
      "GET /api/echo?x=1&q=a+b%21 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: one\r\nx-test: two\r\n"
      "Cookie: a=1; sid=\"xyz\"\r\n\r\n", WAIT_MS);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_str_has_prefix (raw_http_body_text (r), "GET|a b!|one, two|xyz|0|127.0.0.1:"));
  assert_header (r, "X-Reply", "yes");
  assert_header (r, "Content-Type", "text/plain");
  g_assert_nonnull (fx->header_names);
  g_assert_true (g_strv_contains ((const char * const *) fx->header_names, "Host"));
  g_assert_true (g_strv_contains ((const char * const *) fx->header_names, "X-Test"));
  g_assert_false (g_strv_contains ((const char * const *) fx->header_names, "x-test"));
  g_assert_cmpuint (g_strv_length (fx->header_names), ==, 3);
}

static void
test_route_body (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(RawHttpResponse) r = raw_http_exchange (fx->port,
      "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello", WAIT_MS);
  g_autoptr(RawHttpResponse) chunked = raw_http_exchange (fx->port,
      "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n", WAIT_MS);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_str_has_prefix (raw_http_body_text (r), "POST|(null)|(null)|(null)|5|"));
  g_assert_cmpuint (chunked->status, ==, 200);
  g_assert_true (g_str_has_prefix (raw_http_body_text (chunked), "POST|(null)|(null)|(null)|7|"));
}

static gboolean
answer_held (gpointer user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GBytes) body = g_bytes_new_static ("later", 5);

  any_http_request_respond (g_ptr_array_index (fx->held, 0), 201, "text/plain", body);
  g_assert_true (any_http_request_get_answered (g_ptr_array_index (fx->held, 0)));
  g_ptr_array_remove_index (fx->held, 0);
  return G_SOURCE_REMOVE;
}

/* Answered LATER_MS later, after the deadline of the request's arrival;
 * meanwhile the server answers others. Each connection serves one
 * request. */
static void
test_route_later (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(RawHttp) raw = raw_http_open (fx->port);
  static const char request[] = "GET /api/later HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autoptr(RawHttpResponse) other = NULL;
  g_autoptr(RawHttpResponse) later = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (raw_http_send (raw, request, strlen (request)));
  g_assert_true (WAIT_FOR (fx->held->len == 1, WAIT_MS));
  other = get (fx, "GET", "/api/echo");
  g_assert_cmpuint (other->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, <, LATER_MS * 1000);

  g_timeout_add (LATER_MS, answer_held, fx);
  later = raw_http_read (raw, FALSE, WAIT_MS);
  g_assert_cmpuint (later->status, ==, 201);
  g_assert_cmpstr (raw_http_body_text (later), ==, "later");
  assert_header (later, "Connection", "close");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, LATER_MS * 1000);
  g_assert_true (raw_http_wait_closed (raw, WAIT_MS));
}

static void
test_route_dropped (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(RawHttpResponse) r = get (fx, "GET", "/api/drop");

  g_assert_cmpuint (r->status, ==, 500);
}

/* Held, and the client goes away: the late answer does nothing. */
static void
test_route_client_gone (Fixture       *fx,
                        gconstpointer  data)
{
  RawHttp *raw = raw_http_open (fx->port);
  static const char request[] = "GET /api/later HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autoptr(RawHttpResponse) after = NULL;

  g_assert_true (raw_http_send (raw, request, strlen (request)));
  g_assert_true (WAIT_FOR (fx->held->len == 1, WAIT_MS));
  raw_http_close (raw);
  iterate_for (100);
  answer_held (fx);
  after = get (fx, "GET", "/api/echo");
  g_assert_cmpuint (after->status, ==, 200);
}

static void
test_not_found (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(RawHttpResponse) r = get (fx, "GET", "/nothing/here");
  g_autoptr(RawHttpResponse) root = get (fx, "GET", "/");

  g_assert_cmpuint (r->status, ==, 404);
  g_assert_cmpuint (root->status, ==, 404);
}

/* Folders */

static void
test_folder (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(RawHttpResponse) js = get (fx, "GET", "/static/app.js");
  g_autoptr(RawHttpResponse) index = get (fx, "GET", "/static/");
  g_autoptr(RawHttpResponse) bare = get (fx, "GET", "/static");
  g_autoptr(RawHttpResponse) sub = get (fx, "GET", "/static/sub/");
  g_autoptr(RawHttpResponse) head = get (fx, "HEAD", "/static/app.js");
  g_autoptr(RawHttpResponse) link_in = get (fx, "GET", "/static/in.js");
  g_autoptr(RawHttpResponse) missing = get (fx, "GET", "/static/missing.js");
  g_autoptr(RawHttpResponse) post = raw_http_exchange (fx->port,
      "POST /static/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", WAIT_MS);
  g_autoptr(RawHttpResponse) prefix_only = get (fx, "GET", "/staticx/app.js");

  g_assert_cmpuint (js->status, ==, 200);
  g_assert_cmpstr (raw_http_body_text (js), ==, "console.log(1);");
  assert_header (js, "Content-Type", "text/javascript; charset=utf-8");
  g_assert_cmpuint (index->status, ==, 200);
  g_assert_cmpstr (raw_http_body_text (index), ==, "<p>index</p>");
  assert_header (index, "Content-Type", "text/html; charset=utf-8");
  g_assert_cmpuint (bare->status, ==, 301);
  assert_header (bare, "Location", "/static/");
  g_assert_cmpuint (sub->status, ==, 200);
  g_assert_cmpstr (raw_http_body_text (sub), ==, "<p>sub</p>");
  g_assert_cmpuint (head->status, ==, 200);
  assert_header (head, "Content-Length", "15");
  g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);
  g_assert_cmpuint (link_in->status, ==, 200);
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpuint (post->status, ==, 405);
  assert_header (post, "Allow", "GET, HEAD");
  g_assert_cmpuint (prefix_only->status, ==, 404);
}

/* No way out of the folder: each gets 400 (libsoup refuses a %-encoded
 * "..") or 404, never the secret next to it. */
static void
test_folder_traversal (Fixture       *fx,
                       gconstpointer  data)
{
  static const char *targets[] = {
    "/static/../secret.txt",
    "/static/./../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/..%2fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/sub/..%2f..%2fsecret.txt",
    "/static/..\\secret.txt",
    "/static/%2e%2e%5csecret.txt",
    "/static/out",
    "/static/out/",
    "/static//../secret.txt",
    "/static/%00/../secret.txt",
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/out",
  };

  /* Also at the root: a path that lost its prefix to ".." still finds
   * only the folder's own files. */
  any_socket_serve_folder (fx->server, "/", fx->www);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(RawHttpResponse) r = get (fx, "GET", targets[i]);

      g_test_message ("%s: %u", targets[i], r->status);
      g_assert_true (r->status == 400 || r->status == 404);
      g_assert_null (strstr (raw_http_body_text (r), "SECRET"));
    }
}

/* Subprotocols: raw upgrade requests */

typedef struct {
  const char *name;
  const char *accepted;   /* comma-separated, NULL: the default */
  const char *offer;      /* NULL: no header */
  guint       status;
  const char *chosen;     /* NULL: no Sec-WebSocket-Protocol answer */
} ProtocolCase;

static const ProtocolCase protocol_cases[] = {
  { "one", NULL, "chat", 101, "chat" },
  { "several", NULL, "chat, superchat,v2", 101, "chat" },
  { "null", NULL, "null", 101, "null" },
  { "none", NULL, NULL, 101, NULL },
  { "two-headers", NULL, "a\r\nSec-WebSocket-Protocol: b", 101, "a" },
  { "invalid", NULL, "a b", 400, NULL },
  { "empty", NULL, "", 400, NULL },
  { "list-match", "v2,v1", "v0, v1, v2", 101, "v1" },
  { "list-no-match", "v2,v1", "null", 400, NULL },
  { "list-none", "v2,v1", NULL, 101, NULL },
};

static void
test_protocol (Fixture       *fx,
               gconstpointer  data)
{
  const ProtocolCase *c = data;
  g_auto(GStrv) accepted = c->accepted != NULL ? g_strsplit (c->accepted, ",", -1) : NULL;
  g_autofree char *request = g_strdup_printf ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                              "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n%s%s%s\r\n",
                                              c->offer != NULL ? "Sec-WebSocket-Protocol: " : "",
                                              c->offer != NULL ? c->offer : "",
                                              c->offer != NULL ? "\r\n" : "");
  g_autoptr(RawHttpResponse) r = NULL;

  any_socket_set_ws_protocols (fx->server, (const char * const *) accepted);
  r = raw_http_exchange (fx->port, request, WAIT_MS);
  g_test_message ("%s", r->head);
  g_assert_cmpuint (r->status, ==, c->status);
  assert_header (r, "Sec-WebSocket-Protocol", c->chosen);
  if (c->status == 400)
    g_assert_true (strstr (raw_http_body_text (r), "Sec-WebSocket-Protocol") != NULL ||
                   strstr (raw_http_body_text (r), "subprotocol") != NULL);
}

/* A libanysocket client offers its ws-protocols. */
static void
test_protocol_client (Fixture       *fx,
                      gconstpointer  data)
{
  static const char *accepted[] = { "v2", "v1", NULL };
  static const char *offered[] = { "v1", NULL };
  static const char *other[] = { "v0", NULL };
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnySocket) refused = any_socket_new ();
  g_autoptr(AnySocket) plain = any_socket_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) got = NULL;
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(AnyPeer) plain_peer = NULL;

  any_socket_set_ws_protocols (fx->server, accepted);
  g_object_set (client, "ws-protocols", offered, NULL);
  g_object_get (client, "ws-protocols", &got, NULL);
  g_assert_cmpstrv (got, offered);
  peer = connect_local (client, fx->port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (peer);

  any_socket_set_ws_protocols (refused, other);
  g_assert_null (connect_local (refused, fx->port, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "400"));
  g_clear_error (&error);

  /* No offer: accepted. */
  plain_peer = connect_local (plain, fx->port, &error);
  g_assert_nonnull (plain_peer);
  g_assert_no_error (error);

  any_socket_stop (client);
  any_socket_stop (refused);
  any_socket_stop (plain);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/http/route", test_route);
  ADD ("/http/route/body", test_route_body);
  ADD ("/http/route/later", test_route_later);
  ADD ("/http/route/dropped", test_route_dropped);
  ADD ("/http/route/client-gone", test_route_client_gone);
  ADD ("/http/not-found", test_not_found);
  ADD ("/http/folder", test_folder);
  ADD ("/http/folder/traversal", test_folder_traversal);
  for (guint i = 0; i < G_N_ELEMENTS (protocol_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ws-protocols/%s", protocol_cases[i].name);

      g_test_add (path, Fixture, &protocol_cases[i], fixture_setup, test_protocol, fixture_teardown);
    }
  ADD ("/ws-protocols/client", test_protocol_client);
  return g_test_run ();
}

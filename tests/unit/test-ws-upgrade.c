/* test-ws-upgrade.c: the upgrade request parser of the fast path
 * (any-ws-upgrade.c): what it answers, what it leaves to libsoup (every
 * request it is not sure of), every prefix of a good request waiting for
 * more, and what it hands up (path, query, headers, subprotocol)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-ws-upgrade.h"

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define GOOD "GET /chat/../room?x=1%20y HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: WebSocket\r\n" \
             "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n" \
             "Cookie: a=1\r\ncookie: b=2\r\n\r\n"

static AnyWsUpgradeStatus
parse_full (const char         *request,
            const char * const *protocols,
            gboolean            deflate,
            AnyWsUpgrade       *upgrade)
{
  return any_ws_upgrade_parse (request, strlen (request), protocols, deflate, upgrade);
}

static AnyWsUpgradeStatus
parse (const char *request)
{
  AnyWsUpgrade upgrade;
  AnyWsUpgradeStatus status = parse_full (request, NULL, FALSE, &upgrade);

  any_ws_upgrade_clear (&upgrade);
  return status;
}

static void
test_good (void)
{
  AnyWsUpgrade upgrade;
  g_autofree char *with_frame = g_strconcat (GOOD, "\x89\x80\0\0\0\0", NULL);
  g_auto(GStrv) names = NULL;

  g_assert_cmpint (parse_full (GOOD, NULL, FALSE, &upgrade), ==, ANY_WS_UPGRADE_READY);
  g_assert_cmpuint (upgrade.head_len, ==, strlen (GOOD));
  /* RFC 6455 1.3's example. */
  g_assert_cmpstr (upgrade.accept, ==, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  g_assert_null (upgrade.protocol);
  /* libsoup's GUri: dot segments removed, percent-encoding kept. */
  g_assert_cmpstr (any_upgrade_request_get_path (upgrade.request), ==, "/room");
  g_assert_cmpstr (any_upgrade_request_get_query (upgrade.request), ==, "x=1%20y");
  g_assert_cmpstr (any_upgrade_request_get_header (upgrade.request, "host"), ==, "127.0.0.1:8080");
  g_assert_cmpstr (any_upgrade_request_get_cookie (upgrade.request, "b"), ==, "2");
  names = any_upgrade_request_dup_header_names (upgrade.request);
  g_assert_cmpuint (g_strv_length (names), ==, 6);
  g_assert_cmpstr (names[0], ==, "Host");
  any_ws_upgrade_clear (&upgrade);

  /* What follows the head is not part of it. */
  g_assert_cmpint (any_ws_upgrade_parse (with_frame, strlen (GOOD) + 6, NULL, FALSE, &upgrade), ==,
                   ANY_WS_UPGRADE_READY);
  g_assert_cmpuint (upgrade.head_len, ==, strlen (GOOD));
  any_ws_upgrade_clear (&upgrade);
}

/* Every prefix waits for more; none is answered early. */
static void
test_prefixes (void)
{
  for (gsize len = 1; len < strlen (GOOD); len++)
    {
      AnyWsUpgrade upgrade;

      g_assert_cmpint (any_ws_upgrade_parse (GOOD, len, NULL, FALSE, &upgrade), ==, ANY_WS_UPGRADE_INCOMPLETE);
      g_assert_null (upgrade.request);
    }
}

static void
test_protocols (void)
{
  const char *accepted[] = { "chat", "null", NULL };
  const char *offer = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n"
                      "Sec-WebSocket-Protocol: x, null\r\nSec-WebSocket-Protocol: chat\r\n\r\n";
  const char *bad = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n"
                    "Sec-WebSocket-Protocol: a b\r\n\r\n";
  const char *none[] = { "other", NULL };
  AnyWsUpgrade upgrade;

  /* Any accepted: the first offered. */
  g_assert_cmpint (parse_full (offer, NULL, FALSE, &upgrade), ==, ANY_WS_UPGRADE_READY);
  g_assert_cmpstr (upgrade.protocol, ==, "x");
  any_ws_upgrade_clear (&upgrade);
  /* The client's order, over both lines. */
  g_assert_cmpint (parse_full (offer, accepted, FALSE, &upgrade), ==, ANY_WS_UPGRADE_READY);
  g_assert_cmpstr (upgrade.protocol, ==, "null");
  any_ws_upgrade_clear (&upgrade);
  /* Refusals are libsoup's (400). */
  g_assert_cmpint (parse_full (offer, none, FALSE, &upgrade), ==, ANY_WS_UPGRADE_DECLINED);
  g_assert_cmpint (parse_full (bad, NULL, FALSE, &upgrade), ==, ANY_WS_UPGRADE_DECLINED);
}

static void
test_extensions (void)
{
  const char *request = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n"
                        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
  AnyWsUpgrade upgrade;

  /* Not offered: ignored, as libsoup does. */
  g_assert_cmpint (parse_full (request, NULL, FALSE, &upgrade), ==, ANY_WS_UPGRADE_READY);
  any_ws_upgrade_clear (&upgrade);
  /* Offered: libsoup negotiates. */
  g_assert_cmpint (parse_full (request, NULL, TRUE, &upgrade), ==, ANY_WS_UPGRADE_DECLINED);
  /* Offered, and the client asks for none: ours. */
  g_assert_cmpint (parse_full (GOOD, NULL, TRUE, &upgrade), ==, ANY_WS_UPGRADE_READY);
  any_ws_upgrade_clear (&upgrade);
}

#define HEAD "Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
#define VERSION "Sec-WebSocket-Version: 13\r\n"
#define KEY_LINE "Sec-WebSocket-Key: " KEY "\r\n"

static const char *declined[] = {
  "POST / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "\r\n",
  "get / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.0\r\n" HEAD VERSION KEY_LINE "\r\n",
  "GET http://a/ HTTP/1.1\r\n" HEAD VERSION KEY_LINE "\r\n",
  "GET * HTTP/1.1\r\n" HEAD VERSION KEY_LINE "\r\n",
  "GET  / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "\r\n",
  "GET /\t HTTP/1.1\r\n" HEAD VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1 \r\n" HEAD VERSION KEY_LINE "\r\n",
  /* keys: none, two, empty, bad length, not base64, unpadded */
  "GET / HTTP/1.1\r\n" HEAD VERSION "\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION "Sec-WebSocket-Key:\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n\r\n",
  /* versions: none, other, two */
  "GET / HTTP/1.1\r\n" HEAD KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\n" HEAD "Sec-WebSocket-Version: 8\r\n" KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION VERSION KEY_LINE "\r\n",
  /* Host: none, two, with a slash (libsoup's GUri takes "a b") */
  "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\nHost: b\r\n" HEAD VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\nHost: a/b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" VERSION KEY_LINE "\r\n",
  /* Upgrade and Connection */
  "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket, h2c\r\nConnection: Upgrade\r\n" VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" VERSION
  KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n" VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n" VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: \"Upgrade\"\r\n" VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n" VERSION KEY_LINE "\r\n",
  /* a body */
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "Content-Length: 0\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "Transfer-Encoding: chunked\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "Expect: 100-continue\r\n\r\n",
  /* syntax libsoup repairs or reads its own way */
  "GET / HTTP/1.1\n" HEAD VERSION KEY_LINE "\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "X-A: 1\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "X-A: 1\r\n 2\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "X-A : 1\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE ": 1\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "no colon\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "X-A: caf\xc3\xa9\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "X-A: a\rb\r\n\r\n",
  "GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "X-A: \x01\r\n\r\n",
  /* not HTTP at all */
  "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
  "ANYSOCKET",
  "\r\nGET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "\r\n",
};

static void
test_declined (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (declined); i++)
    {
      g_test_message ("case %u: %.*s", i, (int) strcspn (declined[i], "\r\n"), declined[i]);
      g_assert_cmpint (parse (declined[i]), ==, ANY_WS_UPGRADE_DECLINED);
    }
}

/* A NUL, complete or not, and heads over the bound. */
static void
test_bounds (void)
{
  static const char nul[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
  g_autofree char *pad = g_strnfill (ANY_WS_UPGRADE_MAX_HEAD, 'x');
  g_autofree char *over = g_strconcat ("GET / HTTP/1.1\r\nX-Pad: ", pad, "\r\n" HEAD VERSION KEY_LINE "\r\n", NULL);
  g_autofree char *at = g_strconcat ("GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE "X-Pad: ", NULL);
  g_autofree char *fits = NULL;
  g_autoptr(GString) many = g_string_new ("GET / HTTP/1.1\r\n" HEAD VERSION KEY_LINE);
  AnyWsUpgrade upgrade;

  g_assert_cmpint (any_ws_upgrade_parse (nul, sizeof nul - 1, NULL, FALSE, &upgrade), ==, ANY_WS_UPGRADE_DECLINED);
  g_assert_cmpint (any_ws_upgrade_parse (nul, 25, NULL, FALSE, &upgrade), ==, ANY_WS_UPGRADE_DECLINED);
  g_assert_cmpint (parse (over), ==, ANY_WS_UPGRADE_DECLINED);
  /* Incomplete at the bound: no more is waited for. */
  g_assert_cmpint (any_ws_upgrade_parse (over, ANY_WS_UPGRADE_MAX_HEAD, NULL, FALSE, &upgrade), ==,
                   ANY_WS_UPGRADE_DECLINED);
  g_assert_cmpint (any_ws_upgrade_parse (over, ANY_WS_UPGRADE_MAX_HEAD - 1, NULL, FALSE, &upgrade), ==,
                   ANY_WS_UPGRADE_INCOMPLETE);
  /* Exactly at the bound: answered. */
  fits = g_strdup_printf ("%s%.*s\r\n\r\n", at, (int) (ANY_WS_UPGRADE_MAX_HEAD - strlen (at) - 4), pad);
  g_assert_cmpuint (strlen (fits), ==, ANY_WS_UPGRADE_MAX_HEAD);
  g_assert_cmpint (parse (fits), ==, ANY_WS_UPGRADE_READY);
  /* More header lines than answered here. */
  for (guint i = 0; i < 64; i++)
    g_string_append_printf (many, "X-%u: 1\r\n", i);
  g_string_append (many, "\r\n");
  g_assert_cmpint (parse (many->str), ==, ANY_WS_UPGRADE_DECLINED);
}

static void
test_key (void)
{
  g_assert_true (any_ws_upgrade_key_is_valid (KEY, strlen (KEY)));
  g_assert_false (any_ws_upgrade_key_is_valid ("AAAAAAAAAAAAAAAAAAAAAB==", 24));
  g_assert_false (any_ws_upgrade_key_is_valid ("AAAAAAAAAAAAAAAAAAAAAAAA", 24));
  g_assert_false (any_ws_upgrade_key_is_valid ("", 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ws-upgrade/good", test_good);
  g_test_add_func ("/ws-upgrade/prefixes", test_prefixes);
  g_test_add_func ("/ws-upgrade/protocols", test_protocols);
  g_test_add_func ("/ws-upgrade/extensions", test_extensions);
  g_test_add_func ("/ws-upgrade/declined", test_declined);
  g_test_add_func ("/ws-upgrade/bounds", test_bounds);
  g_test_add_func ("/ws-upgrade/key", test_key);
  return g_test_run ();
}

/* interop-web.c: WebSocket subprotocols against node's `ws` and the
 * JavaScript server
 *
 * A browser running npm anysocket's bundle offers the subprotocol "null"
 * (tests/browser covers the browser itself); here node's `ws` client
 * offers subprotocols to our server, and our client offers one to the
 * JavaScript server (whose `ws` echoes the first offered).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "interop.h"

/* What our server answers a bare `ws` client offering @protocols (a JSON
 * array): the chosen subprotocol, or NULL with the HTTP status. */
static char *
ws_offer (JsPeer     *js,
          guint       port,
          const char *protocols,
          gint64     *status)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"ws_offer\",\"port\":%u,\"protocols\":%s}", port, protocols);
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;

  js_command_text (js, command);
  answer = js_expect (js, "ws_offer", 10000);
  object = json_node_get_object (answer);
  *status = json_object_get_int_member_with_default (object, "status", 101);
  if (json_object_has_member (object, "error"))
    {
      note ("ws offering %s: %s (HTTP %" G_GINT64_FORMAT ")", protocols,
            json_object_get_string_member (object, "error"), *status);
      return NULL;
    }
  return g_strdup (json_object_get_string_member (object, "protocol"));
}

static void
test_ws_offers (gconstpointer data)
{
  static const char *accepted[] = { "v2", "v1", NULL };
  CSide *c = c_side_new (HEARTBEAT_MS, NULL, NULL);
  JsPeer *js = js_spawn ("server", 0, NULL);
  gint64 status = 0;
  char *chosen;

  c_side_listen (c);
  /* Any offer: the first one, as `ws` itself answers. */
  chosen = ws_offer (js, c->port, "[\"null\"]", &status);
  g_assert_cmpstr (chosen, ==, "null");
  g_free (chosen);
  chosen = ws_offer (js, c->port, "[\"chat\",\"superchat\"]", &status);
  g_assert_cmpstr (chosen, ==, "chat");
  g_free (chosen);
  chosen = ws_offer (js, c->port, "[]", &status);
  g_assert_cmpstr (chosen, ==, "");
  g_free (chosen);

  /* A list: the client's first that is in it; none: 400. */
  any_socket_set_ws_protocols (c->socket, accepted);
  chosen = ws_offer (js, c->port, "[\"v0\",\"v1\",\"v2\"]", &status);
  g_assert_cmpstr (chosen, ==, "v1");
  g_free (chosen);
  chosen = ws_offer (js, c->port, "[\"null\"]", &status);
  g_assert_null (chosen);
  g_assert_cmpint (status, ==, 400);

  js_free (js);
  c_side_free (c);
}

/* Our client offers a subprotocol to the JavaScript server, which
 * chooses it (its `ws` echoes the first offered); the link works. */
static void
test_c_client_offers (gconstpointer data)
{
  static const char *offered[] = { "anysocket.v1", "other", NULL };
  JsPeer *js = js_spawn ("server", 0, NULL);
  CSide *c = c_side_new (HEARTBEAT_MS, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) connected = NULL;
  Link link = { DIR_JS_SERVER, c, js, NULL };

  any_socket_set_ws_protocols (c->socket, offered);
  link.peer = connect_local (c->socket, js->port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (link.peer);
  connected = js_expect (js, "connected", 10000);
  g_assert_cmpstr (msg_string (connected, "ws_protocol"), ==, "anysocket.v1");
  assert_link_works (&link);

  js_free (js);
  c_side_free (c);
}

void
interop_add_web_cases (void)
{
  add_one ("ws-protocols/ws-client-offers", test_ws_offers);
  add_one ("ws-protocols/c-client-offers", test_c_client_offers);
}

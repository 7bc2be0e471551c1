/* interop-wss.c: the JavaScript client on a libanysocket wss:// port
 *
 * The package's connect("ws", ...) tries wss:// first and falls back to
 * ws://; a wss:// port closes anything but TLS, so a link that works came
 * over TLS. node trusts the throwaway test certificate through
 * NODE_EXTRA_CA_CERTS (set in the case's own subprocess only).
 *
 * SPDX-License-Identifier: MIT
 */
#include "interop.h"
#include "test-cert.h"

/* A C server on wss:// and a JavaScript client, connected. */
static Link *
wss_link_open (TestCert *cert)
{
  Link *link = g_new0 (Link, 1);
  g_autoptr(GTlsCertificate) tls = test_cert_load (cert);
  g_autoptr(JsonNode) connected = NULL;
  AsyncResult r = { 0 };

  link->dir = DIR_C_SERVER;
  link->c = c_side_new (5000, NULL, NULL);
  any_socket_set_tls_certificate (link->c->socket, tls);
  any_socket_listen_async (link->c->socket, "wss://127.0.0.1:0", NULL, on_listened, &r);
  g_assert_true (wait_for (&r.done, 5000));
  g_assert_no_error (r.error);
  link->c->port = r.port;
  link->js = js_spawn ("client", link->c->port, NULL);
  if (!WAIT_FOR (link->c->connected->len > 0, 10000))
    g_error ("The JavaScript client did not connect over wss:// within 10 s");
  link->peer = g_object_ref (g_ptr_array_index (link->c->connected, 0));
  connected = js_expect (link->js, "connected", 10000);
  g_assert_cmpstr (msg_string (connected, "id"), ==, any_socket_get_id (link->c->socket));
  return link;
}

/* Messages, 64 requests in flight, big messages both ways, then compat
 * E2E (the package's own) started by us, over wss://. */
static void
test_wss_js_client (gconstpointer data)
{
  g_autofree char *skip = NULL;
  g_autoptr(TestCert) cert = test_cert_new (&skip);
  Link *link;

  if (cert == NULL)
    {
      g_test_skip (skip);
      return;
    }
  g_setenv ("NODE_EXTRA_CA_CERTS", cert->cert_path, TRUE);
  link = wss_link_open (cert);
  assert_link_works (link);
  exchange_requests (link);
  exchange_big (link, NULL, NULL);

  any_peer_e2e (link->peer);
  if (!WAIT_FOR (link->c->e2e_signals > 0 || link->c->disconnected->len > 0, 6000))
    g_error ("no E2E over wss:// within 6 s");
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_COMPAT);
  json_node_unref (js_expect (link->js, "e2e", 6000));
  assert_link_works (link);
  link_close (link);
}

/* Without the certificate trusted, node refuses the TLS server, falls
 * back to ws://, which the wss:// port closes: a connect error, no peer. */
static void
test_wss_js_untrusted (gconstpointer data)
{
  g_autofree char *skip = NULL;
  g_autoptr(TestCert) cert = test_cert_new (&skip);
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autoptr(JsonNode) failed = NULL;
  CSide *c;
  JsPeer *js;
  AsyncResult r = { 0 };

  if (cert == NULL)
    {
      g_test_skip (skip);
      return;
    }
  g_unsetenv ("NODE_EXTRA_CA_CERTS");
  tls = test_cert_load (cert);
  c = c_side_new (5000, NULL, NULL);
  any_socket_set_tls_certificate (c->socket, tls);
  any_socket_listen_async (c->socket, "wss://127.0.0.1:0", NULL, on_listened, &r);
  g_assert_true (wait_for (&r.done, 5000));
  g_assert_no_error (r.error);
  js = js_spawn ("client", r.port, NULL);
  failed = js_expect (js, "connect_error", 10000);
  note ("untrusted wss:// from node: %s", msg_string (failed, "error"));
  g_assert_cmpuint (c->connected->len, ==, 0);
  js_free (js);
  c_side_free (c);
}

void
interop_add_wss_cases (void)
{
  add_one ("wss/js-client", test_wss_js_client);
  add_one ("wss/js-client-untrusted", test_wss_js_untrusted);
}

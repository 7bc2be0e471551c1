/* bad-autobahn-server.c: the Autobahn TestSuite's cases (its
 * fuzzingclient) against our server: a raw client (tests/common/ws-peer.h)
 * upgrades, authenticates like any AnySocket peer, then plays the case
 * (autobahn-cases.h) while the healthy client keeps talking to the same
 * server, and the server must let the link go afterwards
 *
 * SPDX-License-Identifier: MIT
 */
#include "bad-input.h"
#include "autobahn-cases.h"

/* What the cases of section 9 send at most, and a little more. */
#define AB_BIG_LIMIT (16 * 1024 * 1024)

static WsPeer *
ab_connect (Fixture *fx,
            char     id[33])
{
  g_autofree char *body = NULL;
  g_autoptr(GBytes) auth = NULL;
  WsPeer *peer = ws_peer_new (bare_connect (fx), TRUE, NULL);
  gsize len;
  const guint8 *data;

  g_snprintf (id, 33, "%08x%08x%08x%08x", g_random_int (), g_random_int (), g_random_int (), g_random_int ());
  peer->answer_heartbeats = TRUE;
  body = g_strdup_printf ("{\"id\":\"%s\"}", id);
  auth = chunk_new (LAST, T_AUTH, 1, body, strlen (body));
  data = g_bytes_get_data (auth, &len);
  g_assert_true (ws_peer_send (peer, WS_FIN | WS_OP_TEXT, data, len, 0));
  WAIT_FOR (any_socket_get_peer (fx->server, id) != NULL || peer->eof, WAIT_MS);
  g_assert_nonnull (any_socket_get_peer (fx->server, id));
  return peer;
}

static void
test_autobahn_server (Fixture       *fx,
                      gconstpointer  data)
{
  const AbCase *c = data;
  char id[33];
  WsPeer *peer;

  if (c->big)
    any_socket_set_max_message_size (fx->server, AB_BIG_LIMIT);
  peer = ab_connect (fx, id);
  if (any_socket_get_peer (fx->server, id) != NULL)
    autobahn_run (c, peer, AB_SIDE_SERVER);
  ws_peer_free (peer);

  /* The server let the link go, and said why. */
  WAIT_FOR (any_socket_get_peer (fx->server, id) == NULL, WAIT_MS);
  g_assert_null (any_socket_get_peer (fx->server, id));
  g_assert_true (g_hash_table_contains (fx->disconnect_reasons, id));
  g_test_message ("server side reason: %s", (const char *) g_hash_table_lookup (fx->disconnect_reasons, id));
}

void
badinput_add_autobahn_server_cases (void)
{
  autobahn_add_tests ("server", sizeof (Fixture), (GTestFixtureFunc) (void (*) (void)) fixture_setup,
                      (GTestFixtureFunc) (void (*) (void)) test_autobahn_server,
                      (GTestFixtureFunc) (void (*) (void)) fixture_teardown);
}

/* e2e-cipher.c: which Noise cipher native E2E runs (issue 17)
 *
 * Two libanysocket 0.2 peers list "noise-xx-aesgcm" then "noise-xx" and
 * run Noise_XX_25519_AESGCM_SHA256; a peer that lists only "noise-xx" (a
 * 0.1 peer, stood in for by _any_socket_set_legacy_e2e_caps_for_testing())
 * gets Noise_XX_25519_ChaChaPoly_SHA256 from either side of the link, and
 * messages, JSON and binary, go both ways in each case. A relay that takes
 * "noise-xx-aesgcm" out of one AUTH (to push the link to the other cipher)
 * makes the handshake fail: the prologue binds both lists.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "e2e.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "protocol/any-caps.h"

#define BIN_BYTES (3 * 1024 * 1024 + 7)

typedef struct {
  GBytes *got;
} BytesWait;

static void
on_bytes_message (AnySocket *socket,
                  AnyPacket *packet,
                  gpointer   user_data)
{
  BytesWait *w = user_data;
  GBytes *bytes = any_packet_get_bytes (packet);

  if (bytes != NULL && w->got == NULL)
    w->got = g_bytes_ref (bytes);
}

/* A binary message of BIN_BYTES from @from arrives whole at the other end. */
static void
binary_roundtrip (Side *from)
{
  Side *to = other_side (from);
  g_autofree guint8 *data = g_malloc (BIN_BYTES);
  g_autoptr(GBytes) sent = NULL;
  g_autoptr(GError) error = NULL;
  BytesWait w = { NULL };
  gulong id = g_signal_connect (to->socket, "message", G_CALLBACK (on_bytes_message), &w);

  for (gsize i = 0; i < BIN_BYTES; i++)
    data[i] = (guint8) (i * 131 + (i >> 12));
  sent = g_bytes_new_take (g_steal_pointer (&data), BIN_BYTES);
  g_assert_true (any_peer_send_bytes (from->peer, sent, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (w.got != NULL || to->peer_reason != NULL);
  g_assert_null (to->peer_reason);
  g_assert_true (g_bytes_equal (w.got, sent));
  g_signal_handler_disconnect (to->socket, id);
  g_bytes_unref (w.got);
}

static void
check_cipher (Pair       *pair,
              const char *expected)
{
  g_assert_cmpstr (_any_peer_get_e2e_cipher (pair->client.peer), ==, expected);
  g_assert_cmpstr (_any_peer_get_e2e_cipher (pair->server.peer), ==, expected);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  binary_roundtrip (&pair->client);
  binary_roundtrip (&pair->server);
  requests_in_flight (&pair->client, IN_FLIGHT);
}

static void
test_aesgcm_by_default (void)
{
  Pair *pair = pair_new ();

  pair_connect (pair, FALSE);
  g_assert_null (_any_peer_get_e2e_cipher (pair->client.peer));
  establish_native (pair, &pair->client);
  check_cipher (pair, "AESGCM");
  pair_free (pair);
}

/* @legacy_side: "client" or "server" lists only "noise-xx"; @initiator
 * starts the switch. */
static void
test_legacy (gconstpointer data)
{
  const char *which = data;
  Pair *pair = pair_new ();
  gboolean legacy_client = g_str_has_prefix (which, "client");
  gboolean client_starts = g_str_has_suffix (which, "client-starts");

  _any_socket_set_legacy_e2e_caps_for_testing (legacy_client ? pair->client.socket : pair->server.socket);
  /* through the relay, to see what each side listed */
  pair->relay = relay_new (pair->port);
  pair->relay->keep_bin = TRUE;
  pair_connect (pair, TRUE);
  g_assert_cmpstr (pair->relay->client_caps, ==, legacy_client ? ANY_E2E_CAPS_LEGACY : ANY_E2E_CAPS_LOCAL);
  g_assert_cmpstr (pair->relay->server_caps, ==, legacy_client ? ANY_E2E_CAPS_LOCAL : ANY_E2E_CAPS_LEGACY);
  establish_native (pair, client_starts ? &pair->client : &pair->server);
  check_cipher (pair, "ChaChaPoly");
  pair_free (pair);
}

/* A relay strips "noise-xx-aesgcm" from the AUTH going @dir: the two ends
 * no longer agree on the caps (nor on the cipher), and the switch fails
 * at the first authenticated handshake message instead of running a
 * cipher one end did not choose. */
static void
test_strip_aesgcm (gconstpointer data)
{
  Dir dir = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();

  pair->relay = relay_new (pair->port);
  pair->relay->keep_bin = TRUE;
  pair->relay->strip_aesgcm[dir] = TRUE;
  pair_connect (pair, TRUE);
  /* what each end sent, before the relay changed it */
  g_assert_cmpstr (pair->relay->client_caps, ==, ANY_E2E_CAPS_LOCAL);
  g_assert_cmpstr (pair->relay->server_caps, ==, ANY_E2E_CAPS_LOCAL);

  any_peer_e2e (pair->client.peer);
  WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
  g_test_message ("client: %s; server: %s", pair->client.peer_reason, pair->server.peer_reason);
  g_assert_cmpuint (pair->client.peer_e2e, ==, 0);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 0);
  g_assert_true (strstr (pair->client.peer_reason, "E2E switch failed") != NULL ||
                 strstr (pair->server.peer_reason, "E2E switch failed") != NULL);
  pair_free (pair);
}

void
e2e_add_cipher_cases (void)
{
  g_test_add_func ("/e2e/cipher/aesgcm-by-default", test_aesgcm_by_default);
  g_test_add_data_func ("/e2e/cipher/legacy-client/client-starts", "client/client-starts", test_legacy);
  g_test_add_data_func ("/e2e/cipher/legacy-client/server-starts", "client/server-starts", test_legacy);
  g_test_add_data_func ("/e2e/cipher/legacy-server/client-starts", "server/client-starts", test_legacy);
  g_test_add_data_func ("/e2e/cipher/legacy-server/server-starts", "server/server-starts", test_legacy);
  g_test_add_data_func ("/e2e/cipher/strip-aesgcm/c2s", GINT_TO_POINTER (C2S), test_strip_aesgcm);
  g_test_add_data_func ("/e2e/cipher/strip-aesgcm/s2c", GINT_TO_POINTER (S2C), test_strip_aesgcm);
}

/* e2e-switch.c: native switching between two libanysocket peers, glare,
 * the policy, timeouts
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE  /* memmem() */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "e2e.h"

/* 1. Native between two libanysocket sockets */

static void
test_native (gconstpointer data)
{
  gboolean server_initiates = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  Side *initiator = server_initiates ? &pair->server : &pair->client;
  gint64 deadline;
  guint sent_c = 0, sent_s = 0, switching_sends = 0;
  g_autofree char *big = big_text (BIG_BYTES);
  g_autofree char *client_fp = NULL;
  g_autofree char *server_fp = NULL;
  g_autofree char *remote = NULL;
  AnyE2eMode mode = ANY_E2E_MODE_NONE;

  pair_connect (pair, FALSE);

  /* A few in the clear first. */
  for (guint i = 0; i < 3; i++)
    {
      send_numbered (&pair->client, sent_c++);
      send_numbered (&pair->server, sent_s++);
    }

  any_peer_e2e (initiator->peer);
  g_assert_cmpint (any_peer_get_e2e_mode (initiator->peer), ==, ANY_E2E_MODE_NONE);

  /* Both ends keep sending, one message each per main loop iteration,
   * through every step of the switch. */
  deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  while ((pair->client.peer_e2e == 0 || pair->server.peer_e2e == 0) &&
         pair->client.peer_reason == NULL && pair->server.peer_reason == NULL &&
         g_get_monotonic_time () < deadline && switching_sends < 5000)
    {
      for (guint i = 0; i < 4; i++)
        {
          send_numbered (&pair->client, sent_c++);
          send_numbered (&pair->server, sent_s++);
        }
      switching_sends++;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (100);
    }
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  g_test_message ("%u rounds of 4 messages each way sent while switching", switching_sends);
  g_assert_cmpuint (switching_sends, >, 0);

  /* And some after. */
  for (guint i = 0; i < 3; i++)
    {
      send_numbered (&pair->client, sent_c++);
      send_numbered (&pair->server, sent_s++);
    }
  WAIT_UNTIL (count_from (&pair->server, "client") == sent_c && count_from (&pair->client, "server") == sent_s);
  check_numbered (&pair->server, "client", sent_c);
  check_numbered (&pair->client, "server", sent_s);

  /* e2e on both peers and both sockets, once; native; fingerprints. */
  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->client.socket_e2e, ==, 1);
  g_assert_cmpuint (pair->server.socket_e2e, ==, 1);
  g_assert_cmpint (pair->client.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (pair->server.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_object_get (pair->client.peer, "e2e-mode", &mode, NULL);
  g_assert_cmpint (mode, ==, ANY_E2E_MODE_NATIVE);
  g_object_get (pair->server.peer, "e2e-mode", &mode, NULL);
  g_assert_cmpint (mode, ==, ANY_E2E_MODE_NATIVE);

  client_fp = any_socket_dup_fingerprint (pair->client.socket);
  server_fp = any_socket_dup_fingerprint (pair->server.socket);
  assert_fingerprint_format (client_fp);
  assert_fingerprint_format (server_fp);
  g_assert_cmpstr (client_fp, !=, server_fp);
  remote = any_peer_dup_remote_fingerprint (pair->client.peer);
  g_assert_cmpstr (remote, ==, server_fp);
  g_clear_pointer (&remote, g_free);
  remote = any_peer_dup_remote_fingerprint (pair->server.peer);
  g_assert_cmpstr (remote, ==, client_fp);
  /* With no handler, verify-peer still ran with the right key. */
  g_assert_cmpuint (pair->client.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, server_fp);
  g_assert_cmpuint (pair->server.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->server.verified, 0), ==, client_fp);

  /* Asking again, on either side, does nothing. */
  any_peer_e2e (pair->client.peer);
  any_peer_e2e (pair->server.peer);
  iterate_for (QUIET_MS);
  g_assert_true (any_peer_is_connected (pair->client.peer));
  g_assert_true (any_peer_is_connected (pair->server.peer));
  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);

  /* 64 requests in flight, both ways. */
  requests_in_flight (&pair->client, IN_FLIGHT);
  requests_in_flight (&pair->server, IN_FLIGHT);

  /* 5 MiB, both ways. */
  send_big (&pair->client, big);
  send_big (&pair->server, big);
  WAIT_UNTIL (msg_string (last_message (&pair->server), "big") != NULL &&
              msg_string (last_message (&pair->client), "big") != NULL);
  g_assert_true (g_str_equal (msg_string (last_message (&pair->server), "big"), big));
  g_assert_true (g_str_equal (msg_string (last_message (&pair->client), "big"), big));

  /* Heartbeats are encrypted too, and still measure the lag. */
  any_socket_set_heartbeat_interval (pair->client.socket, 100);
  any_socket_set_heartbeat_interval (pair->server.socket, 100);
  WAIT_UNTIL (pair->client.heartbeats >= 2 && pair->server.heartbeats >= 2);
  any_socket_set_heartbeat_interval (pair->client.socket, 0);
  any_socket_set_heartbeat_interval (pair->server.socket, 0);
  g_assert_cmpint (any_peer_get_lag (pair->client.peer), >=, 0);
  g_assert_cmpint (any_peer_get_lag (pair->server.peer), >=, 0);

  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  pair_free (pair);
}

/* 2. Glare: both ends ask at once */

/* Returns whether the client's id sorts above the server's (the lower id
 * answers, the higher one waits). */
static gboolean
glare_round (void)
{
  Pair *pair = pair_new ();
  gboolean client_higher;

  pair_connect (pair, FALSE);
  client_higher = strcmp (any_socket_get_id (pair->client.socket),
                          any_socket_get_id (pair->server.socket)) > 0;

  any_peer_e2e (pair->client.peer);
  any_peer_e2e (pair->server.peer);
  for (guint i = 0; i < 5; i++)
    {
      send_numbered (&pair->client, i);
      send_numbered (&pair->server, i);
    }
  WAIT_UNTIL ((pair->client.socket_e2e == 1 && pair->server.socket_e2e == 1) ||
              pair->client.peer_reason != NULL || pair->server.peer_reason != NULL);
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);

  WAIT_UNTIL (count_from (&pair->server, "client") == 5 && count_from (&pair->client, "server") == 5);
  check_numbered (&pair->server, "client", 5);
  check_numbered (&pair->client, "server", 5);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  iterate_for (QUIET_MS);

  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NATIVE);
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  {
    g_autofree char *a = any_peer_dup_remote_fingerprint (pair->client.peer);
    g_autofree char *b = any_socket_dup_fingerprint (pair->server.socket);
    g_autofree char *c = any_peer_dup_remote_fingerprint (pair->server.peer);
    g_autofree char *d = any_socket_dup_fingerprint (pair->client.socket);

    g_assert_cmpstr (a, ==, b);
    g_assert_cmpstr (c, ==, d);
  }
  pair_free (pair);
  return client_higher;
}

static void
test_glare (void)
{
  gboolean seen_higher = FALSE, seen_lower = FALSE;
  guint rounds = 0;

  /* Ids are random: go on until both orders happened. */
  while ((!seen_higher || !seen_lower) && rounds < 32)
    {
      if (glare_round ())
        seen_higher = TRUE;
      else
        seen_lower = TRUE;
      rounds++;
    }
  g_test_message ("%u glare rounds", rounds);
  g_assert_true (seen_higher && seen_lower);
}

/* 5. Policy */

static void
test_require_native (gconstpointer data)
{
  gboolean server_initiates = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();

  any_socket_set_e2e_policy (pair->client.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  any_socket_set_e2e_policy (pair->server.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  g_assert_cmpint (any_socket_get_e2e_policy (pair->client.socket), ==, ANY_E2E_POLICY_REQUIRE_NATIVE);
  pair_connect (pair, FALSE);
  establish_native (pair, server_initiates ? &pair->server : &pair->client);
  send_numbered (&pair->client, 0);
  send_numbered (&pair->server, 0);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  check_numbered (&pair->server, "client", 1);
  check_numbered (&pair->client, "server", 1);
  pair_free (pair);
}

/* 7. A switch that does not finish in e2e-timeout */

static void
test_timeout (gconstpointer data)
{
  gboolean drop_final = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  /* Dropping message 2 leaves the initiator (client) waiting; dropping
   * message 3 the responder (server). */
  Side *waiting = drop_final ? &pair->server : &pair->client;
  gint64 start, elapsed_ms;

  any_socket_set_e2e_timeout (pair->client.socket, E2E_TIMEOUT_MS);
  any_socket_set_e2e_timeout (pair->server.socket, E2E_TIMEOUT_MS);
  g_assert_cmpuint (any_socket_get_e2e_timeout (pair->client.socket), ==, E2E_TIMEOUT_MS);
  pair->relay = relay_new (pair->port);
  if (drop_final)
    {
      pair->relay->drop_switch[C2S] = TRUE;
      pair->relay->drop_switch_step = 3;
    }
  else
    {
      pair->relay->drop_switch[S2C] = TRUE;
    }
  pair_connect (pair, TRUE);

  start = g_get_monotonic_time ();
  any_peer_e2e (pair->client.peer);
  if (!drop_final)
    send_numbered (&pair->client, 0);   /* waits for the switch, dies with it */
  WAIT_UNTIL (waiting->peer_reason != NULL);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("%s: '%s' after %" G_GINT64_FORMAT " ms", waiting->name, waiting->peer_reason, elapsed_ms);
  g_assert_cmpstr (waiting->peer_reason, ==, "e2e timed out");
  g_assert_cmpint (elapsed_ms, >=, E2E_TIMEOUT_MS - 5);
  g_assert_cmpint (elapsed_ms, <, E2E_TIMEOUT_MS + 1700);
  g_assert_cmpuint (pair->relay->switch_dropped, ==, 1);
  g_assert_cmpuint (waiting->peer_e2e, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (waiting->peer), ==, ANY_E2E_MODE_NONE);
  WAIT_UNTIL (other_side (waiting)->peer_reason != NULL);
  g_assert_cmpstr (other_side (waiting)->peer_reason, ==, "e2e timed out");
  g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
  pair_free (pair);
}

void
e2e_add_switch_cases (void)
{
  g_test_add_data_func ("/e2e/native/client-initiates", GINT_TO_POINTER (FALSE), test_native);
  g_test_add_data_func ("/e2e/native/server-initiates", GINT_TO_POINTER (TRUE), test_native);
  g_test_add_func ("/e2e/glare", test_glare);
  g_test_add_data_func ("/e2e/policy/require-native/client-initiates", GINT_TO_POINTER (FALSE),
                        test_require_native);
  g_test_add_data_func ("/e2e/policy/require-native/server-initiates", GINT_TO_POINTER (TRUE),
                        test_require_native);
  g_test_add_data_func ("/e2e/relay/timeout/answer-dropped", GINT_TO_POINTER (FALSE), test_timeout);
  g_test_add_data_func ("/e2e/relay/timeout/final-dropped", GINT_TO_POINTER (TRUE), test_timeout);
}

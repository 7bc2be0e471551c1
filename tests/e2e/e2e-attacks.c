/* e2e-attacks.c: a relay that attacks the native E2E link: man in the
 * middle, tampering, replay, reordering, reflection, truncation, headers,
 * downgrade, capture
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE  /* memmem() */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "e2e.h"
#include "protocol/any-caps.h"

/* 6. Through a relay that attacks */

/* Through the relay, switched (by the client), and quiet: a round trip
 * each way made sure nothing is in flight. */
/* @keep_bin: the relay lets "bin" through (binary frames, see Relay). */
static Pair *
relayed_native_pair_full (gboolean keep_bin)
{
  Pair *pair = pair_new ();

  pair->relay = relay_new (pair->port);
  pair->relay->keep_bin = keep_bin;
  pair_connect (pair, TRUE);
  establish_native (pair, &pair->client);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  return pair;
}

static Pair *
relayed_native_pair (void)
{
  return relayed_native_pair_full (FALSE);
}

/* @victim closed the link because a chunk failed authentication, kept
 * @expected messages (nothing forged, partial or garbled), forgot its
 * keys, and the other end learned that the link is gone. */
static void
assert_detected (Side  *victim,
                 guint  expected)
{
  Side *other = other_side (victim);

  WAIT_UNTIL (victim->peer_reason != NULL);
  g_test_message ("%s: %s", victim->name, victim->peer_reason);
  assert_contains (victim->peer_reason, FAILED_AUTH);
  g_assert_cmpstr (victim->socket_reason, ==, victim->peer_reason);
  g_assert_false (any_peer_is_connected (victim->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (victim->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_null (any_peer_dup_remote_fingerprint (victim->peer));
  WAIT_UNTIL (other->peer_reason != NULL);
  g_assert_cmpint (any_peer_get_e2e_mode (other->peer), ==, ANY_E2E_MODE_NONE);
  iterate_for (QUIET_MS);
  g_assert_cmpuint (victim->messages->len, ==, expected);
}

/* 6a. Man in the middle */

typedef enum {
  MITM_CLIENT_PINS,     /* the client pinned the server's key */
  MITM_CLIENT_VERIFIES, /* the client's verify-peer knows the server's key */
  MITM_SERVER_PINS,     /* only the server pinned the client's key */
  MITM_UNVERIFIED,      /* nobody compares: the relay reads everything */
} MitmDefence;

static void
test_mitm (gconstpointer data)
{
  MitmDefence defence = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  const char *server_id = any_socket_get_id (pair->server.socket);
  const char *client_id = any_socket_get_id (pair->client.socket);
  g_autofree char *server_fp = any_socket_dup_fingerprint (pair->server.socket);
  g_autofree char *client_fp = any_socket_dup_fingerprint (pair->client.socket);
  g_autofree char *relay_fp = NULL;
  g_autofree char *remote = NULL;
  g_autoptr(JsonNode) secret = json_printf ("{\"from\":\"client\",\"n\":0,\"secret\":\"%s\"}", MARKER);
  Relay *relay;

  /* Out of band, one side knows the other's fingerprint: pinned once
   * connected, so that the switch below is the one that meets the relay
   * (a link made after the pin proves the key at once: test-pinned-*). */
  pair_connect (pair, TRUE);
  if (defence == MITM_CLIENT_PINS)
    any_socket_pin_fingerprint (pair->client.socket, server_id, server_fp);
  else if (defence == MITM_CLIENT_VERIFIES)
    pair->client.accept_only = g_strdup (server_fp);
  else if (defence == MITM_SERVER_PINS)
    any_socket_pin_fingerprint (pair->server.socket, client_id, client_fp);

  relay = pair->relay;
  relay->mitm = TRUE;
  relay_fp = any_noise_fingerprint (any_noise_keypair_get_public (relay->mitm_key));
  g_assert_cmpstr (relay_fp, !=, server_fp);
  g_assert_cmpstr (relay_fp, !=, client_fp);

  any_peer_e2e (pair->client.peer);
  /* Waits until the switch is over, then goes out encrypted. */
  send_json_node (&pair->client, secret);

  switch (defence)
    {
    case MITM_UNVERIFIED:
      /* Both ends believe they are natively encrypted with each other and
       * messages flow; only the fingerprints show that each holds the
       * relay's key, and the relay reads both ways. */
      WAIT_UNTIL (pair->client.socket_e2e == 1 && pair->server.socket_e2e == 1);
      g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NATIVE);
      g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NATIVE);
      remote = any_peer_dup_remote_fingerprint (pair->client.peer);
      g_assert_cmpstr (remote, ==, relay_fp);
      g_clear_pointer (&remote, g_free);
      remote = any_peer_dup_remote_fingerprint (pair->server.peer);
      g_assert_cmpstr (remote, ==, relay_fp);
      WAIT_UNTIL (count_from (&pair->server, "client") == 1);
      g_assert_cmpstr (msg_string (last_message (&pair->server), "secret"), ==, MARKER);
      roundtrip (&pair->server);
      g_assert_cmpuint (relay->mitm_plain[C2S]->len, >=, 2);
      assert_contains (g_ptr_array_index (relay->mitm_plain[C2S], 0), MARKER);
      g_assert_cmpuint (relay->mitm_plain[S2C]->len, >=, 1);
      assert_contains (g_ptr_array_index (relay->mitm_plain[S2C], 0), MARKER);
      g_assert_null (pair->client.peer_reason);
      g_assert_null (pair->server.peer_reason);
      break;

    case MITM_CLIENT_PINS:
    case MITM_CLIENT_VERIFIES:
      /* The client refuses the relay's key before anything of its own
       * goes out; the link closes. */
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("client: %s", pair->client.peer_reason);
      assert_contains (pair->client.peer_reason, server_id);
      assert_contains (pair->client.peer_reason, relay_fp);
      if (defence == MITM_CLIENT_PINS)
        {
          assert_contains (pair->client.peer_reason, "changed");
          assert_contains (pair->client.peer_reason, server_fp);
          g_assert_cmpuint (pair->client.verified->len, ==, 0);
        }
      else
        {
          assert_contains (pair->client.peer_reason, "refused");
          g_assert_cmpuint (pair->client.verified->len, ==, 1);
          g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, relay_fp);
        }
      g_assert_cmpuint (pair->client.peer_e2e, ==, 0);
      g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NONE);
      g_assert_null (any_peer_dup_remote_fingerprint (pair->client.peer));
      /* The client checks the key before it answers: the relay never gets
       * message 3, so neither the client's id nor its key, and it reads
       * nothing the client sent. */
      iterate_for (QUIET_MS);
      g_assert_null (relay->mitm_client_payload);
      g_assert_cmpuint (relay->mitm_plain[C2S]->len, ==, 0);
      g_assert_cmpuint (relay->mitm_waiting.length, ==, 0);
      for (guint i = 0; i < relay->seen[C2S]->len; i++)
        g_assert_false (bytes_contain (g_ptr_array_index (relay->seen[C2S], i), MARKER));
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      /* The server, which checks nothing, may have accepted the relay. */
      g_assert_cmpuint (pair->server.verified->len, <=, 1);
      if (pair->server.verified->len == 1)
        g_assert_cmpstr (g_ptr_array_index (pair->server.verified, 0), ==, relay_fp);
      break;

    case MITM_SERVER_PINS:
      /* The server refuses the relay's key presented as the client's.
       * (The client checked nothing: what it sent is the relay's.) */
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      assert_contains (pair->server.peer_reason, client_id);
      assert_contains (pair->server.peer_reason, "changed");
      assert_contains (pair->server.peer_reason, relay_fp);
      assert_contains (pair->server.peer_reason, client_fp);
      g_assert_cmpuint (pair->server.peer_e2e, ==, 0);
      g_assert_cmpuint (pair->server.verified->len, ==, 0);
      assert_contains (relay->mitm_server_payload, server_id);
      iterate_for (QUIET_MS);
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      g_assert_cmpuint (pair->client.verified->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, relay_fp);
      WAIT_UNTIL (relay->mitm_plain[C2S]->len >= 1);
      assert_contains (g_ptr_array_index (relay->mitm_plain[C2S], 0), MARKER);
      break;
    }
  pair_free (pair);
}

/* 6b. Tampering */

static void
test_tamper (gconstpointer data)
{
  Dir dir = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  Side *sender = dir == C2S ? &pair->client : &pair->server;
  Side *receiver = other_side (sender);
  guint before = receiver->messages->len;

  relay_arm (pair->relay, ATTACK_TAMPER, dir);
  send_numbered (sender, 0);
  assert_detected (receiver, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* Native E2E between peers that take binary frames: the chunks of JSON
 * packets and binary messages go as binary frames, the ciphertext as it
 * is (no base64: a frame is its plaintext plus header and tag), and a
 * flipped bit in one is caught as in a text frame. */
static void
test_tamper_binary (gconstpointer data)
{
  Dir dir = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair_full (TRUE);
  Side *sender = dir == C2S ? &pair->client : &pair->server;
  Side *receiver = other_side (sender);
  g_autoptr(GBytes) body = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  guint before;
  gsize len;
  g_assert_cmpuint (pair->relay->binary_seen[C2S], >, 0);
  g_assert_cmpuint (pair->relay->binary_seen[S2C], >, 0);

  /* a binary message of 32 bytes: 6 of header, 32 of ciphertext, 16 of tag */
  before = pair->relay->seen[dir]->len;
  len = receiver->messages->len;
  g_assert_true (any_peer_send_bytes (sender->peer, body, NULL));
  WAIT_UNTIL (receiver->messages->len == len + 1);
  g_assert_cmpuint (pair->relay->seen[dir]->len, ==, before + 1);
  g_bytes_get_data (g_ptr_array_index (pair->relay->seen[dir], before), &len);
  g_assert_cmpuint (len, ==, 6 + 32 + 16);

  before = receiver->messages->len;
  relay_arm (pair->relay, ATTACK_TAMPER, dir);
  send_numbered (sender, 0);
  assert_detected (receiver, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6c. Replay */

static void
test_replay (void)
{
  Pair *pair = relayed_native_pair ();
  guint before = pair->server.messages->len;

  relay_arm (pair->relay, ATTACK_REPLAY, C2S);
  send_numbered (&pair->client, 0);
  /* The first copy is genuine and delivered; the second is refused. */
  assert_detected (&pair->server, before + 1);
  check_numbered (&pair->server, "client", 1);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6d. Reordering */

static void
test_reorder (void)
{
  Pair *pair = relayed_native_pair ();
  guint before = pair->server.messages->len;

  relay_arm (pair->relay, ATTACK_REORDER, C2S);
  send_numbered (&pair->client, 0);
  send_numbered (&pair->client, 1);
  assert_detected (&pair->server, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6e. Reflection */

static void
test_reflect (gconstpointer data)
{
  Dir dir = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  Side *sender = dir == C2S ? &pair->client : &pair->server;
  guint before = sender->messages->len;

  relay_arm (pair->relay, ATTACK_REFLECT, dir);
  send_numbered (sender, 0);
  assert_detected (sender, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6f. Truncation: one chunk of a 3 MiB message disappears. */

static void
test_truncate (gconstpointer data)
{
  gboolean drop_last = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  g_autofree char *text = g_strnfill (TRUNCATE_BYTES, 'x');
  guint before = pair->server.messages->len;
  /* {"big":"...","from":"client"}: 3 MiB + 25 bytes, 4 chunks. */
  guint chunks = 4;

  relay_arm (pair->relay, ATTACK_DROP_CHUNK, C2S);
  pair->relay->drop_chunk = drop_last ? chunks - 1 : 1;
  send_big (&pair->client, text);
  if (drop_last)
    {
      /* Nothing to notice until the next chunk: it fails. */
      WAIT_UNTIL (pair->relay->chunks_seen == chunks);
      iterate_for (QUIET_MS);
      g_assert_null (pair->server.peer_reason);
      g_assert_cmpuint (pair->server.messages->len, ==, before);
      send_numbered (&pair->client, 0);
    }
  assert_detected (&pair->server, before);
  g_assert_cmpuint (pair->relay->chunks_seen, ==, chunks);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6g. The clear header is associated data. */

static void
test_header (gconstpointer data)
{
  Attack attack = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  guint before = pair->server.messages->len;

  relay_arm (pair->relay, attack, C2S);
  send_numbered (&pair->client, 0);
  assert_detected (&pair->server, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6h. Downgrade: the relay strips "caps" from the server's AUTH. */

typedef enum {
  DOWNGRADE_SERVER_INITIATES,        /* native from the server: the prologues differ */
  DOWNGRADE_CLIENT_REQUIRES_NATIVE,  /* the client would pick compat: its policy refuses */
  DOWNGRADE_SERVER_REQUIRES_NATIVE,  /* the client picks compat: the server's policy refuses */
  DOWNGRADE_ALLOW_COMPAT,            /* both allow compat: compat, as documented */
} Downgrade;

static void
test_downgrade (gconstpointer data)
{
  Downgrade variant = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  const char *server_id = any_socket_get_id (pair->server.socket);

  if (variant == DOWNGRADE_CLIENT_REQUIRES_NATIVE)
    any_socket_set_e2e_policy (pair->client.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  if (variant == DOWNGRADE_SERVER_REQUIRES_NATIVE)
    any_socket_set_e2e_policy (pair->server.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);

  pair->relay = relay_new (pair->port);
  /* Only the server's AUTH, on its way to the client. */
  pair->relay->strip_caps[S2C] = TRUE;
  pair_connect (pair, TRUE);
  /* What the relay saw before it stripped them. */
  g_assert_cmpstr (pair->relay->client_caps, ==, ANY_E2E_CAPS_LOCAL);
  g_assert_cmpstr (pair->relay->server_caps, ==, ANY_E2E_CAPS_LOCAL);

  switch (variant)
    {
    case DOWNGRADE_SERVER_INITIATES:
      /* The server saw the client's caps and starts native; the client
       * answers (it can), but binds "no caps" for the server in its
       * prologue: the handshake must break, not succeed. */
      any_peer_e2e (pair->server.peer);
      send_numbered (&pair->server, 0);
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      g_test_message ("client: %s", pair->client.peer_reason);
      assert_contains (pair->server.peer_reason, "E2E switch failed");
      g_assert_cmpuint (count_frames_of_type (pair->relay->seen[C2S], 0, ANY_PACKET_TYPE_SWITCH), ==, 1);
      g_assert_cmpuint (count_from (&pair->client, "server"), ==, 0);
      break;

    case DOWNGRADE_CLIENT_REQUIRES_NATIVE:
      /* The client thinks the server is a compat-only peer: its policy
       * refuses at once, before any SWITCH leaves. */
      any_peer_e2e (pair->client.peer);
      g_assert_nonnull (pair->client.peer_reason);
      g_test_message ("client: %s", pair->client.peer_reason);
      assert_contains (pair->client.peer_reason, server_id);
      assert_contains (pair->client.peer_reason, "native");
      WAIT_UNTIL (pair->server.peer_reason != NULL);
      g_assert_cmpuint (count_frames_of_type (pair->relay->seen[C2S], 0, ANY_PACKET_TYPE_SWITCH), ==, 0);
      break;

    case DOWNGRADE_SERVER_REQUIRES_NATIVE:
      /* The client picks compat; the server refuses to answer it. */
      any_peer_e2e (pair->client.peer);
      send_numbered (&pair->client, 0);
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      assert_contains (pair->server.peer_reason, "Compat E2E refused");
      assert_contains (pair->server.peer_reason, "native");
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      break;

    case DOWNGRADE_ALLOW_COMPAT:
      /* Even with both policies allowing compat, the server saw the
       * client advertise native in AUTH: an honest client would never ask
       * it for compat, so it refuses (the relay stripped caps from one
       * direction only; stripping both is what REQUIRE_NATIVE is for). */
      any_peer_e2e (pair->client.peer);
      send_numbered (&pair->client, 0);
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      assert_contains (pair->server.peer_reason, "Compat E2E refused");
      assert_contains (pair->server.peer_reason, "downgrade");
      g_assert_cmpuint (pair->server.socket_e2e, ==, 0);
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      pair_free (pair);
      return;
    }

  g_assert_cmpuint (pair->client.peer_e2e, ==, 0);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NONE);
  pair_free (pair);
}

/* 6i. What the relay forwards after the switch holds no plaintext. */

static void
test_capture (void)
{
  Pair *pair = pair_new ();
  g_autoptr(JsonNode) clear = json_printf ("{\"from\":\"client\",\"n\":0,\"text\":\"%s\"}", MARKER);
  g_autoptr(GString) big = g_string_new (NULL);
  guint from[2];
  guint encrypted = 0;
  gboolean seen_in_clear = FALSE;

  pair_connect (pair, TRUE);

  /* Before the switch the relay reads the marker: the capture works. */
  send_json_node (&pair->client, clear);
  WAIT_UNTIL (count_from (&pair->server, "client") == 1);
  for (guint i = 0; i < pair->relay->seen[C2S]->len; i++)
    seen_in_clear = seen_in_clear || bytes_contain (g_ptr_array_index (pair->relay->seen[C2S], i), MARKER);
  g_assert_true (seen_in_clear);
  from[C2S] = pair->relay->seen[C2S]->len;
  from[S2C] = pair->relay->seen[S2C]->len;

  establish_native (pair, &pair->client);

  /* Messages, requests and replies, and a multi-chunk message, both
   * ways, all carrying the marker. */
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonNode) c = json_printf ("{\"from\":\"client\",\"n\":%u,\"text\":\"%s\"}", i + 1, MARKER);
      g_autoptr(JsonNode) s = json_printf ("{\"from\":\"server\",\"n\":%u,\"text\":\"%s\"}", i, MARKER);

      send_json_node (&pair->client, c);
      send_json_node (&pair->server, s);
    }
  requests_in_flight (&pair->client, 8);
  requests_in_flight (&pair->server, 8);
  while (big->len < 3 * CHUNK_UNITS / 2)
    g_string_append (big, MARKER " ");
  send_big (&pair->client, big->str);
  send_big (&pair->server, big->str);
  WAIT_UNTIL (count_from (&pair->server, "client") == 12 && count_from (&pair->client, "server") == 11);
  g_assert_cmpstr (msg_string (last_message (&pair->server), "big"), ==, big->str);
  g_assert_cmpstr (msg_string (last_message (&pair->client), "big"), ==, big->str);

  for (Dir dir = C2S; dir <= S2C; dir++)
    for (guint i = from[dir]; i < pair->relay->seen[dir]->len; i++)
      {
        GBytes *frame = g_ptr_array_index (pair->relay->seen[dir], i);
        gsize len;
        const guint8 *data = g_bytes_get_data (frame, &len);
        AnyChunk chunk;

        g_assert_false (bytes_contain (frame, MARKER));
        g_assert_true (any_chunk_decode (data, len, &chunk, NULL));
        if (chunk.type == ANY_PACKET_TYPE_SWITCH)
          continue;
        /* Ciphertext: base64, no JSON. */
        g_assert_cmpuint (chunk.body_len % 4, ==, 0);
        g_assert_null (memchr (chunk.body, '{', chunk.body_len));
        g_assert_null (memchr (chunk.body, '"', chunk.body_len));
        encrypted++;
      }
  g_test_message ("%u encrypted frames captured", encrypted);
  g_assert_cmpuint (encrypted, >=, 10 + 10 + 4 * 8 + 2 * 2);
  pair_free (pair);
}

void
e2e_add_attacks_cases (void)
{
  g_test_add_data_func ("/e2e/relay/mitm/client-pins", GINT_TO_POINTER (MITM_CLIENT_PINS), test_mitm);
  g_test_add_data_func ("/e2e/relay/mitm/client-verify-peer", GINT_TO_POINTER (MITM_CLIENT_VERIFIES), test_mitm);
  g_test_add_data_func ("/e2e/relay/mitm/server-pins", GINT_TO_POINTER (MITM_SERVER_PINS), test_mitm);
  g_test_add_data_func ("/e2e/relay/mitm/unverified", GINT_TO_POINTER (MITM_UNVERIFIED), test_mitm);
  g_test_add_data_func ("/e2e/relay/tamper/client-to-server", GINT_TO_POINTER (C2S), test_tamper);
  g_test_add_data_func ("/e2e/relay/tamper/server-to-client", GINT_TO_POINTER (S2C), test_tamper);
  g_test_add_data_func ("/e2e/relay/tamper-binary/client-to-server", GINT_TO_POINTER (C2S), test_tamper_binary);
  g_test_add_data_func ("/e2e/relay/tamper-binary/server-to-client", GINT_TO_POINTER (S2C), test_tamper_binary);
  g_test_add_func ("/e2e/relay/replay", test_replay);
  g_test_add_func ("/e2e/relay/reorder", test_reorder);
  g_test_add_data_func ("/e2e/relay/reflect/client-to-server", GINT_TO_POINTER (C2S), test_reflect);
  g_test_add_data_func ("/e2e/relay/reflect/server-to-client", GINT_TO_POINTER (S2C), test_reflect);
  g_test_add_data_func ("/e2e/relay/truncate/middle-chunk", GINT_TO_POINTER (FALSE), test_truncate);
  g_test_add_data_func ("/e2e/relay/truncate/last-chunk", GINT_TO_POINTER (TRUE), test_truncate);
  g_test_add_data_func ("/e2e/relay/header/seq", GINT_TO_POINTER (ATTACK_HEADER_SEQ), test_header);
  g_test_add_data_func ("/e2e/relay/header/type", GINT_TO_POINTER (ATTACK_HEADER_TYPE), test_header);
  g_test_add_data_func ("/e2e/relay/header/flag", GINT_TO_POINTER (ATTACK_HEADER_FLAG), test_header);
  g_test_add_data_func ("/e2e/relay/downgrade/server-initiates-native",
                        GINT_TO_POINTER (DOWNGRADE_SERVER_INITIATES), test_downgrade);
  g_test_add_data_func ("/e2e/relay/downgrade/client-requires-native",
                        GINT_TO_POINTER (DOWNGRADE_CLIENT_REQUIRES_NATIVE), test_downgrade);
  g_test_add_data_func ("/e2e/relay/downgrade/server-requires-native",
                        GINT_TO_POINTER (DOWNGRADE_SERVER_REQUIRES_NATIVE), test_downgrade);
  g_test_add_data_func ("/e2e/relay/downgrade/allow-compat",
                        GINT_TO_POINTER (DOWNGRADE_ALLOW_COMPAT), test_downgrade);
  g_test_add_func ("/e2e/relay/capture", test_capture);
}

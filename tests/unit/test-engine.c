/* test-engine.c: the protocol engine driven through a fake transport
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "anysocket.h"
#include "protocol/any-engine.h"
#include "fake-transport.h"
#include "crypto/any-noise.h"

#define LOCAL_ID  "aaaaaaaaaaaa4aaa8aaaaaaaaaaaaaaa"
#define REMOTE_ID "bbbbbbbbbbbb4bbb8bbbbbbbbbbbbbbb"

typedef struct {
  FakeTransport *transport;
  AnyEngine     *engine;
  gboolean       connected;
  gboolean       refuse;
  char          *closed_reason;
  GPtrArray     *packets;      /* "TYPE seq json" strings */
  int            heartbeats;
  int            last_lag;
} Fixture;

static gboolean
on_authenticate (gpointer user_data, const char *peer_id, JsonObject *auth, char **reason)
{
  Fixture *f = user_data;

  g_assert_cmpstr (peer_id, ==, REMOTE_ID);
  if (f->refuse)
    *reason = g_strdup ("refused by test");
  return !f->refuse;
}

static void
on_connected (gpointer user_data)
{
  ((Fixture *) user_data)->connected = TRUE;
}

static void
on_packet (gpointer user_data, AnyPacketType type, gint32 seq, JsonNode *data)
{
  Fixture *f = user_data;
  g_autofree char *json = json_to_string (data, FALSE);

  g_ptr_array_add (f->packets, g_strdup_printf ("%s %d %s", any_packet_type_to_string (type), seq, json));
  json_node_unref (data);
}

static void
on_heartbeat (gpointer user_data, int lag_ms)
{
  Fixture *f = user_data;

  f->heartbeats++;
  f->last_lag = lag_ms;
}

static void
on_closed (gpointer user_data, const char *reason)
{
  Fixture *f = user_data;

  g_assert_null (f->closed_reason);
  f->closed_reason = g_strdup (reason);
}

static const AnyEngineCallbacks callbacks = {
  .authenticate = on_authenticate,
  .connected = on_connected,
  .packet = on_packet,
  .heartbeat = on_heartbeat,
  .closed = on_closed,
};

static void
fixture_start (Fixture       *f,
               AnyEngineRole  role,
               guint          heartbeat_ms,
               guint          auth_timeout_ms)
{
  AnyEngineConfig config = {
    .local_id = LOCAL_ID,
    .heartbeat_interval_ms = heartbeat_ms,
    .auth_timeout_ms = auth_timeout_ms,
    .max_message_size = 8 * 1024 * 1024,
    .max_partials = 4,
  };

  f->transport = fake_transport_new ();
  f->packets = g_ptr_array_new_with_free_func (g_free);
  f->engine = any_engine_new (role, ANY_TRANSPORT (f->transport), &callbacks, f);
  any_engine_start (f->engine, &config);
}

static void
fixture_setup_client (Fixture *f, gconstpointer data)
{
  fixture_start (f, ANY_ENGINE_ROLE_CLIENT, 0, 0);
}

static void
fixture_setup_server (Fixture *f, gconstpointer data)
{
  fixture_start (f, ANY_ENGINE_ROLE_SERVER, 0, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  any_engine_free (f->engine);
  g_object_unref (f->transport);
  g_ptr_array_unref (f->packets);
  g_free (f->closed_reason);
}

/* Sends a whole packet to the engine as the remote side would. */
static void
receive_packet (Fixture *f, AnyPacketType type, gint32 seq, const char *json)
{
  g_autoptr(GPtrArray) frames = any_chunk_split (type, seq, json, strlen (json), ANY_CHUNK_MAX_UNITS);

  for (guint i = 0; i < frames->len; i++)
    {
      gsize len;
      const void *data = g_bytes_get_data (frames->pdata[i], &len);
      fake_transport_receive (f->transport, data, len);
    }
}

static void
receive_auth (Fixture *f, gint32 seq)
{
  receive_packet (f, ANY_PACKET_TYPE_AUTH, seq, "{\"id\":\"" REMOTE_ID "\"}");
}

/* Pops the next sent frame and checks its header; returns its JSON. */
static char *
pop_sent (Fixture *f, AnyPacketType type, gint32 seq)
{
  g_autoptr(GBytes) frame = fake_transport_pop_sent (f->transport);
  AnyChunk chunk;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data;

  g_assert_nonnull (frame);
  data = g_bytes_get_data (frame, &len);
  g_assert_true (any_chunk_decode (data, len, &chunk, &error));
  g_assert_cmpint (chunk.type, ==, type);
  g_assert_cmpint (chunk.seq, ==, seq);
  g_assert_true (chunk.last);
  return g_strndup ((const char *) chunk.body, chunk.body_len);
}

static JsonNode *
json (const char *text)
{
  return json_from_string (text, NULL);
}

static void
test_client_auth (Fixture *f, gconstpointer data)
{
  g_autofree char *auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);

  g_assert_cmpstr (auth, ==, "{\"id\":\"" LOCAL_ID "\"}");
  g_assert_false (f->connected);
  receive_auth (f, 1);
  g_assert_true (f->connected);
  g_assert_cmpint (any_engine_get_state (f->engine), ==, ANY_ENGINE_STATE_CONNECTED);
  g_assert_cmpstr (any_engine_get_peer_id (f->engine), ==, REMOTE_ID);
  g_assert_null (f->closed_reason);
}

static void
test_client_holds_sends_until_connected (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) first = json ("{\"n\":1}");
  g_autoptr(JsonNode) second = json ("{\"n\":2}");
  g_autofree char *auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);
  g_autofree char *a = NULL, *b = NULL;

  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, first, NULL), ==, 2);
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_INTERNAL, 0, second, NULL), ==, 3);
  g_assert_cmpuint (fake_transport_get_sent (f->transport)->len, ==, 0);

  receive_auth (f, 1);
  a = pop_sent (f, ANY_PACKET_TYPE_LINK, 2);
  b = pop_sent (f, ANY_PACKET_TYPE_INTERNAL, 3);
  g_assert_cmpstr (a, ==, "{\"n\":1}");
  g_assert_cmpstr (b, ==, "{\"n\":2}");
}

static void
test_server_holds_received_until_connected (Fixture *f, gconstpointer data)
{
  g_autofree char *auth = NULL;

  receive_packet (f, ANY_PACKET_TYPE_LINK, 2, "\"early\"");
  receive_packet (f, ANY_PACKET_TYPE_INTERNAL, 3, "{\"type\":5}");
  g_assert_cmpuint (f->packets->len, ==, 0);
  g_assert_cmpuint (fake_transport_get_sent (f->transport)->len, ==, 0);

  receive_auth (f, 1);
  auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);
  g_assert_cmpstr (auth, ==, "{\"id\":\"" LOCAL_ID "\"}");
  g_assert_true (f->connected);
  g_assert_cmpuint (f->packets->len, ==, 2);
  g_assert_cmpstr (f->packets->pdata[0], ==, "LINK 2 \"early\"");
  g_assert_cmpstr (f->packets->pdata[1], ==, "INTERNAL 3 {\"type\":5}");
}

static void
test_server_refuses_auth (Fixture *f, gconstpointer data)
{
  f->refuse = TRUE;
  receive_auth (f, 1);
  g_assert_false (f->connected);
  g_assert_cmpstr (f->closed_reason, ==, "refused by test");
  g_assert_true (fake_transport_was_closed (f->transport));
  g_assert_cmpstr (fake_transport_get_close_reason (f->transport), ==, "refused by test");
}

static void
test_invalid_auth (Fixture *f, gconstpointer data)
{
  receive_packet (f, ANY_PACKET_TYPE_AUTH, 1, "{\"id\":42}");
  g_assert_cmpstr (f->closed_reason, ==, "Invalid Auth Packet!");
}

static void
test_auth_timeout (void)
{
  Fixture f = { 0 };
  gint64 deadline;

  fixture_start (&f, ANY_ENGINE_ROLE_SERVER, 0, 50);
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (f.closed_reason == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (f.closed_reason, ==, "auth timed out");
  fixture_teardown (&f, NULL);
}

static void
test_replies_and_requests (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) answer = json ("{\"ok\":true}");
  g_autofree char *auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);
  g_autofree char *reply = NULL;

  receive_auth (f, 1);
  receive_packet (f, ANY_PACKET_TYPE_LINK, 7, "{\"q\":1}");
  receive_packet (f, ANY_PACKET_TYPE_LINK, -2, "{\"a\":1}");
  g_assert_cmpstr (f->packets->pdata[0], ==, "LINK 7 {\"q\":1}");
  g_assert_cmpstr (f->packets->pdata[1], ==, "LINK -2 {\"a\":1}");

  /* A reply takes the negated seq of the request and no new seq. */
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 7, answer, NULL), ==, -7);
  reply = pop_sent (f, ANY_PACKET_TYPE_LINK, -7);
  g_assert_cmpstr (reply, ==, "{\"ok\":true}");
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, answer, NULL), ==, 2);
}

static void
test_seq_wraps (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) msg = json ("1");
  g_autofree char *auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);

  receive_auth (f, 1);
  any_engine_set_last_seq_for_testing (f->engine, G_MAXINT32 - 1);
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL), ==, G_MAXINT32);
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL), ==, 1);
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL), ==, 2);
}

/* A broadcast (any-engine-shared.c): one frame for every link that can
 * take it, with a seq after each one's last, the same bytes queued to
 * each; a link holding packets back sends its own, later, in order. */
static void
test_shared_frame (void)
{
  Fixture a = { 0 }, b = { 0 }, held = { 0 };
  Fixture *all[] = { &a, &b, &held };
  g_autoptr(JsonNode) msg = json ("{\"to\":\"all\"}");
  g_autoptr(AnySharedFrame) frame = NULL;
  g_autoptr(GBytes) to_a = NULL, to_b = NULL;
  g_autofree char *held_json = NULL;
  gint32 seq = 0;
  gsize body_len;

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      fixture_start (all[i], ANY_ENGINE_ROLE_CLIENT, 0, 0);
      g_free (pop_sent (all[i], ANY_PACKET_TYPE_AUTH, 1));
      receive_auth (all[i], 1);
    }
  any_engine_set_last_seq_for_testing (a.engine, 4);
  any_engine_set_last_seq_for_testing (b.engine, 9);
  any_engine_set_holding (held.engine, TRUE);
  g_assert_cmpint (any_engine_peek_shared_seq (a.engine, ANY_PACKET_TYPE_LINK), ==, 5);
  g_assert_cmpint (any_engine_peek_shared_seq (held.engine, ANY_PACKET_TYPE_LINK), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    seq = MAX (seq, any_engine_peek_shared_seq (all[i]->engine, ANY_PACKET_TYPE_LINK));
  g_assert_cmpint (seq, ==, 10);

  frame = any_engine_encode_shared (ANY_PACKET_TYPE_LINK, seq, msg, &body_len);
  g_assert_true (any_engine_send_shared (a.engine, ANY_PACKET_TYPE_LINK, seq, frame, body_len));
  g_assert_true (any_engine_send_shared (b.engine, ANY_PACKET_TYPE_LINK, seq, frame, body_len));
  g_assert_false (any_engine_send_shared (held.engine, ANY_PACKET_TYPE_LINK, seq, frame, body_len));
  /* A seq before a link's next is refused (it could be a pending
   * request's). */
  g_assert_false (any_engine_send_shared (b.engine, ANY_PACKET_TYPE_LINK, 3, frame, body_len));
  g_assert_cmpint (any_engine_send (held.engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL), ==, 2);

  to_a = fake_transport_pop_sent (a.transport);
  to_b = fake_transport_pop_sent (b.transport);
  g_assert_true (to_a == to_b);
  g_assert_true (to_a == any_shared_frame_get_payload (frame));
  g_assert_null (fake_transport_pop_sent (b.transport));
  g_assert_null (fake_transport_pop_sent (held.transport));
  any_engine_set_holding (held.engine, FALSE);
  held_json = pop_sent (&held, ANY_PACKET_TYPE_LINK, 2);
  g_assert_cmpstr (held_json, ==, "{\"to\":\"all\"}");
  /* The skipped seqs are gone: what follows comes after the shared one. */
  g_assert_cmpint (any_engine_send (a.engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL), ==, 11);
  g_free (pop_sent (&a, ANY_PACKET_TYPE_LINK, 11));
  g_assert_cmpint (any_engine_send (b.engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL), ==, 11);
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    fixture_teardown (all[i], NULL);
}

static void
test_big_message_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) text = g_string_new ("\"");
  g_autoptr(JsonNode) msg = NULL;
  g_autofree char *auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);
  GPtrArray *sent = fake_transport_get_sent (f->transport);
  g_autofree char *expected = NULL;

  for (int i = 0; text->len < 3 * 1024 * 1024; i++)
    g_string_append (text, i % 3 == 0 ? "é漢😀" : "abcdefgh");
  g_string_append_c (text, '"');
  msg = json (text->str);

  receive_auth (f, 1);
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL), ==, 2);
  g_assert_cmpuint (sent->len, >=, 2);

  /* Feed our own frames back: a peer with the same codec joins them. */
  while (sent->len > 0)
    {
      g_autoptr(GBytes) frame = fake_transport_pop_sent (f->transport);
      gsize len;
      const void *bytes = g_bytes_get_data (frame, &len);

      fake_transport_receive (f->transport, bytes, len);
    }
  g_assert_cmpuint (f->packets->len, ==, 1);
  expected = g_strdup_printf ("LINK 2 %s", text->str);
  g_assert_true (g_str_equal (f->packets->pdata[0], expected));
}

static void
test_message_too_big_to_send (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) text = g_string_new ("\"");
  g_autoptr(JsonNode) msg = NULL;
  g_autoptr(GError) error = NULL;

  g_string_append_len (text, "", 0);
  while (text->len < 8 * 1024 * 1024 + 10)
    g_string_append (text, "0123456789abcdef");
  g_string_append_c (text, '"');
  msg = json (text->str);
  receive_auth (f, 1);
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, msg, &error), ==, 0);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG);
  g_assert_null (f->closed_reason);
}

static void
test_invalid_json (Fixture *f, gconstpointer data)
{
  receive_auth (f, 1);
  receive_packet (f, ANY_PACKET_TYPE_LINK, 2, "{\"a\":");
  g_assert_nonnull (f->closed_reason);
  g_assert_true (g_str_has_prefix (f->closed_reason, "Invalid JSON in LINK packet 2"));
}

static void
test_heartbeat_pong (Fixture *f, gconstpointer data)
{
  g_autofree char *auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);
  g_autofree char *pong = NULL;
  g_autoptr(JsonNode) after = NULL;

  /* What follows AUTH is read in another state: no pong overtakes it. */
  g_assert_cmpint (fake_transport_get_last_lane (f->transport), ==, ANY_TRANSPORT_LANE_BARRIER);
  receive_auth (f, 1);
  receive_packet (f, ANY_PACKET_TYPE_HEARTBEAT, 5, "1");
  pong = pop_sent (f, ANY_PACKET_TYPE_HEARTBEAT, 2);
  g_assert_cmpstr (pong, ==, "2");
  /* A pong goes ahead of the chunks of a big message still queued. */
  g_assert_cmpint (fake_transport_get_last_lane (f->transport), ==, ANY_TRANSPORT_LANE_URGENT);
  /* Duplicate pings: each answered, nothing else changes. */
  for (gint32 seq = 7; seq < 10; seq++)
    {
      g_autofree char *again = NULL;

      receive_packet (f, ANY_PACKET_TYPE_HEARTBEAT, seq, "1");
      again = pop_sent (f, ANY_PACKET_TYPE_HEARTBEAT, seq - 4);
      g_assert_cmpstr (again, ==, "2");
    }
  g_assert_null (fake_transport_pop_sent (f->transport));
  after = json ("{\"after\":\"pings\"}");
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, after, NULL), ==, 6);
  g_assert_cmpint (fake_transport_get_last_lane (f->transport), ==, ANY_TRANSPORT_LANE_ORDERED);
  /* An unsolicited pong is not a round trip. */
  receive_packet (f, ANY_PACKET_TYPE_HEARTBEAT, 6, "2");
  g_assert_cmpint (f->heartbeats, ==, 0);
  g_assert_null (f->closed_reason);
}

static void
iterate_until (gboolean *flag, int *counter, int count, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline &&
         !(flag != NULL && *flag) && !(counter != NULL && *counter >= count))
    g_main_context_iteration (NULL, TRUE);
}

/* A connected client with a heartbeat of @heartbeat_ms, once its first
 * tick pinged (the AUTH counts as received), at most 5 s. */
static void
start_until_first_ping (Fixture *f,
                        guint    heartbeat_ms)
{
  g_autofree char *auth = NULL;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  fixture_start (f, ANY_ENGINE_ROLE_CLIENT, heartbeat_ms, 0);
  auth = pop_sent (f, ANY_PACKET_TYPE_AUTH, 1);
  receive_auth (f, 1);
  /* Blocks: the armed tick wakes the loop up. */
  while (fake_transport_get_sent (f->transport)->len == 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fake_transport_get_sent (f->transport)->len, >, 0);
}

static void
test_heartbeat_lag_and_missed (void)
{
  Fixture f = { 0 };
  gint64 started;
  g_autofree char *ping = NULL;
  int pings_answered = 0;

  start_until_first_ping (&f, 40);
  ping = pop_sent (&f, ANY_PACKET_TYPE_HEARTBEAT, 2);
  g_assert_cmpstr (ping, ==, "1");
  g_usleep (3000);
  receive_packet (&f, ANY_PACKET_TYPE_HEARTBEAT, 2, "2");
  g_assert_cmpint (f.heartbeats, ==, 1);
  g_assert_cmpint (f.last_lag, >=, 3);
  pings_answered++;

  /* Then silence: two ticks with nothing received close the link. */
  started = g_get_monotonic_time ();
  iterate_until ((gboolean *) &f.closed_reason, NULL, 0, 2000);
  g_assert_cmpstr (f.closed_reason, ==, "Missed Heartbeats");
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 40 * 1000);
  g_assert_true (fake_transport_was_closed (f.transport));
  g_assert_cmpint (pings_answered, ==, 1);
  fixture_teardown (&f, NULL);
}

/* Lets the main loop run for @ms, waiting at most 1 ms at a time. */
static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

/* The peer's ping while ours is due within half an interval: ours goes
 * with the pong, and the tick starts again from there (no second ping at
 * the old deadline). Earlier in the interval a ping gets only its pong. */
static void
test_heartbeat_ping_along (void)
{
  Fixture f = { 0 };
  g_autofree char *auth = NULL, *pong = NULL, *pong2 = NULL, *ping = NULL;

  fixture_start (&f, ANY_ENGINE_ROLE_CLIENT, 400, 0);
  auth = pop_sent (&f, ANY_PACKET_TYPE_AUTH, 1);
  receive_auth (&f, 1);

  /* 400 ms to our tick: only the pong. */
  receive_packet (&f, ANY_PACKET_TYPE_HEARTBEAT, 2, "1");
  pong = pop_sent (&f, ANY_PACKET_TYPE_HEARTBEAT, 2);
  g_assert_cmpstr (pong, ==, "2");
  g_assert_null (fake_transport_pop_sent (f.transport));

  /* 150 ms or less to our tick (the loop does not run meanwhile). */
  g_usleep (250 * 1000);
  receive_packet (&f, ANY_PACKET_TYPE_HEARTBEAT, 3, "1");
  pong2 = pop_sent (&f, ANY_PACKET_TYPE_HEARTBEAT, 3);
  g_assert_cmpstr (pong2, ==, "2");
  ping = pop_sent (&f, ANY_PACKET_TYPE_HEARTBEAT, 4);
  g_assert_cmpstr (ping, ==, "1");

  /* Past the old deadline (and its coarse step), before the new one. */
  iterate_for (250);
  g_assert_null (fake_transport_pop_sent (f.transport));
  g_assert_null (f.closed_reason);
  fixture_teardown (&f, NULL);
}

/* Pops every frame sent so far (all heartbeats): how many pings ("1")
 * and pongs ("2"). */
static void
count_heartbeats (Fixture *f,
                  guint   *pings,
                  guint   *pongs)
{
  GBytes *frame;

  *pings = *pongs = 0;
  while ((frame = fake_transport_pop_sent (f->transport)) != NULL)
    {
      AnyChunk chunk;
      gsize len;
      const guint8 *data = g_bytes_get_data (frame, &len);

      g_assert_true (any_chunk_decode (data, len, &chunk, NULL));
      g_assert_cmpint (chunk.type, ==, ANY_PACKET_TYPE_HEARTBEAT);
      g_assert_cmpuint (chunk.body_len, ==, 1);
      if (chunk.body[0] == '1')
        (*pings)++;
      else if (chunk.body[0] == '2')
        (*pongs)++;
      else
        g_assert_not_reached ();
      g_bytes_unref (frame);
    }
}

/* Lets the main loop run until @ms after @start. */
static void
iterate_until_ms (gint64 start,
                  guint  ms)
{
  iterate_for ((guint) MAX (0, (start + ms * 1000 - g_get_monotonic_time ()) / 1000));
}

/* The peer's ping a little after ours (less than half an interval):
 * only its pong, but our tick moves to an interval from then, so that
 * the peer's next ping comes first and takes ours along (issue 14: a
 * peer a little behind us otherwise pinged on its own for up to twenty
 * turns). The tick moves once per ping of ours: a peer that pings ten
 * times an interval still gets our pings. Interval 1 s: the steps of a
 * coarse tick are 32 ms, the margins here 150 ms or more. */
static void
test_heartbeat_into_step (void)
{
  Fixture f = { 0 };
  guint pings, pongs, our_pings = 0;
  gint64 t0;
  gint32 seq = 2;

  /* Our first tick pings; then the peer's ping, 300 ms behind. */
  start_until_first_ping (&f, 1000);
  t0 = g_get_monotonic_time ();
  count_heartbeats (&f, &pings, &pongs);
  g_assert_cmpuint (pings, ==, 1);
  iterate_until_ms (t0, 300);
  receive_packet (&f, ANY_PACKET_TYPE_HEARTBEAT, seq++, "1");
  count_heartbeats (&f, &pings, &pongs);
  g_assert_cmpuint (pings, ==, 0);
  g_assert_cmpuint (pongs, ==, 1);

  /* Past our old deadline (1,032 ms at most), before the moved one
   * (1,300 ms): no ping of our own. */
  iterate_until_ms (t0, 1150);
  count_heartbeats (&f, &pings, &pongs);
  g_assert_cmpuint (pings, ==, 0);
  g_assert_null (f.closed_reason);

  /* The peer's next ping takes ours along. */
  receive_packet (&f, ANY_PACKET_TYPE_HEARTBEAT, seq++, "1");
  count_heartbeats (&f, &pings, &pongs);
  g_assert_cmpuint (pings, ==, 1);
  g_assert_cmpuint (pongs, ==, 1);

  /* A peer that pings every 100 ms for 1.6 intervals: our ping still
   * goes (the tick moved only once, then ours fell due within half an
   * interval and went along). */
  t0 = g_get_monotonic_time ();
  for (guint i = 1; i <= 16; i++)
    {
      iterate_until_ms (t0, i * 100);
      receive_packet (&f, ANY_PACKET_TYPE_HEARTBEAT, seq++, "1");
      count_heartbeats (&f, &pings, &pongs);
      g_assert_cmpuint (pongs, ==, 1);
      our_pings += pings;
    }
  g_assert_cmpuint (our_pings, >=, 1);
  g_assert_null (f.closed_reason);
  fixture_teardown (&f, NULL);
}

static void
test_binary_frame_closes (Fixture *f, gconstpointer data)
{
  receive_auth (f, 1);
  any_transport_deliver_frame (ANY_TRANSPORT (f->transport), (const guint8 *) "13\0\0\0\2{}", 8, FALSE);
  g_assert_nonnull (strstr (f->closed_reason, "Binary"));
}

static void
test_unexpected_packets (Fixture *f, gconstpointer data)
{
  receive_packet (f, ANY_PACKET_TYPE_HEARTBEAT, 1, "1");
  g_assert_nonnull (f->closed_reason);
  g_assert_nonnull (strstr (f->closed_reason, "HEARTBEAT packet before authentication"));
}

static void
test_closed_engine_refuses_send (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) msg = json ("1");
  g_autoptr(GError) error = NULL;

  any_engine_close (f->engine, "bye");
  g_assert_cmpstr (f->closed_reason, ==, "bye");
  g_assert_cmpint (any_engine_send (f->engine, ANY_PACKET_TYPE_LINK, 0, msg, &error), ==, 0);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
  /* Closing twice reports once. */
  any_engine_close (f->engine, "again");
  g_assert_cmpstr (f->closed_reason, ==, "bye");
}

/* Two engines back to back: what one sends, the other receives when
 * pump() moves it, as a WebSocket would (in order, later). */
typedef struct {
  Fixture          a;
  Fixture          b;
  AnyNoiseKeypair *identity_a;
  AnyNoiseKeypair *identity_b;
} EnginePair;

static void
pump (EnginePair *pair)
{
  for (int round = 0; round < 1000; round++)
    {
      GPtrArray *from_a = fake_transport_get_sent (pair->a.transport);
      GPtrArray *from_b = fake_transport_get_sent (pair->b.transport);

      if (from_a->len == 0 && from_b->len == 0)
        return;
      while (from_a->len > 0)
        {
          g_autoptr(GBytes) frame = fake_transport_pop_sent (pair->a.transport);
          gsize len;
          const void *data = g_bytes_get_data (frame, &len);

          fake_transport_receive (pair->b.transport, data, len);
        }
      while (from_b->len > 0)
        {
          g_autoptr(GBytes) frame = fake_transport_pop_sent (pair->b.transport);
          gsize len;
          const void *data = g_bytes_get_data (frame, &len);

          fake_transport_receive (pair->a.transport, data, len);
        }
    }
  g_assert_not_reached ();
}

static int e2e_events;

static void
count_e2e (gpointer user_data)
{
  e2e_events++;
}

static const AnyEngineCallbacks pair_callbacks = {
  .connected = on_connected,
  .packet = on_packet,
  .e2e = count_e2e,
  .closed = on_closed,
};

static void
pair_start (EnginePair *pair, gboolean native)
{
  AnyEngineConfig config = {
    .max_message_size = 8 * 1024 * 1024,
    .max_partials = 4,
    .e2e_timeout_ms = 0,
  };

  pair->identity_a = native ? any_noise_keypair_new () : NULL;
  pair->identity_b = native ? any_noise_keypair_new () : NULL;
  e2e_events = 0;
  for (int i = 0; i < 2; i++)
    {
      Fixture *f = i == 0 ? &pair->a : &pair->b;

      f->transport = fake_transport_new ();
      f->packets = g_ptr_array_new_with_free_func (g_free);
      f->engine = any_engine_new (i == 0 ? ANY_ENGINE_ROLE_CLIENT : ANY_ENGINE_ROLE_SERVER,
                                  ANY_TRANSPORT (f->transport), &pair_callbacks, f);
      config.local_id = i == 0 ? LOCAL_ID : REMOTE_ID;
      config.identity = i == 0 ? pair->identity_a : pair->identity_b;
      any_engine_start (f->engine, &config);
    }
  pump (pair);
  g_assert_true (pair->a.connected && pair->b.connected);
}

static void
pair_stop (EnginePair *pair)
{
  fixture_teardown (&pair->a, NULL);
  fixture_teardown (&pair->b, NULL);
  g_clear_pointer (&pair->identity_a, any_noise_keypair_unref);
  g_clear_pointer (&pair->identity_b, any_noise_keypair_unref);
}

static void
check_e2e_pair (gboolean native)
{
  EnginePair pair = { 0 };
  g_autoptr(GString) big = g_string_new ("\"");
  g_autoptr(JsonNode) during = json ("\"during é漢😀\"");
  g_autoptr(JsonNode) after = json ("{\"n\":2}");
  g_autoptr(JsonNode) big_node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_big = NULL;

  pair_start (&pair, native);
  g_assert_true (any_engine_start_e2e (pair.a.engine, &error));
  g_assert_no_error (error);
  /* Sent during the switch: held, then encrypted, in order. */
  g_assert_cmpint (any_engine_send (pair.a.engine, ANY_PACKET_TYPE_LINK, 0, during, NULL), >, 0);
  g_assert_cmpint (any_engine_send (pair.b.engine, ANY_PACKET_TYPE_LINK, 0, during, NULL), >, 0);
  pump (&pair);

  g_assert_cmpint (e2e_events, ==, 2);
  g_assert_cmpint (any_engine_get_e2e_mode (pair.a.engine), ==, native ? ANY_E2E_MODE_NATIVE : ANY_E2E_MODE_COMPAT);
  g_assert_cmpint (any_engine_get_e2e_mode (pair.b.engine), ==, native ? ANY_E2E_MODE_NATIVE : ANY_E2E_MODE_COMPAT);
  if (native)
    {
      g_assert_cmpmem (any_engine_get_remote_static (pair.a.engine), 32,
                       any_noise_keypair_get_public (pair.identity_b), 32);
      g_assert_cmpmem (any_engine_get_remote_static (pair.b.engine), 32,
                       any_noise_keypair_get_public (pair.identity_a), 32);
    }

  /* Frames on the wire no longer hold the plaintext. */
  g_assert_cmpint (any_engine_send (pair.a.engine, ANY_PACKET_TYPE_LINK, 0, after, NULL), >, 0);
  {
    GPtrArray *sent = fake_transport_get_sent (pair.a.transport);
    gsize len;
    const char *data = g_bytes_get_data (sent->pdata[0], &len);

    g_assert_cmpuint (sent->len, ==, 1);
    g_assert_null (g_strstr_len (data, len, "\"n\""));
  }
  for (int i = 0; big->len < 3 * 1024 * 1024; i++)
    g_string_append (big, i % 2 ? "é漢😀" : "0123456789");
  g_string_append_c (big, '"');
  big_node = json (big->str);
  g_assert_cmpint (any_engine_send (pair.b.engine, ANY_PACKET_TYPE_LINK, 0, big_node, NULL), >, 0);
  pump (&pair);

  g_assert_null (pair.a.closed_reason);
  g_assert_null (pair.b.closed_reason);
  g_assert_cmpuint (pair.b.packets->len, ==, 2);
  g_assert_true (g_str_has_suffix (pair.b.packets->pdata[0], "\"during é漢😀\""));
  g_assert_true (g_str_has_suffix (pair.b.packets->pdata[1], "{\"n\":2}"));
  g_assert_cmpuint (pair.a.packets->len, ==, 2);
  g_assert_true (g_str_has_suffix (pair.a.packets->pdata[0], "\"during é漢😀\""));
  expected_big = g_strdup_printf (" %s", big->str);
  g_assert_true (g_str_has_suffix (pair.a.packets->pdata[1], expected_big));
  pair_stop (&pair);
}

static void
test_e2e_compat_pair (void)
{
  check_e2e_pair (FALSE);
}

static void
test_e2e_native_pair (void)
{
  check_e2e_pair (TRUE);
}

/* Proxied peers (PROTOCOL.md 8): two engines that start connected, with
 * no AUTH, and learn each other's capabilities later. */
static void
proxied_pair_start (EnginePair *pair, gboolean native)
{
  AnyEngineConfig config = {
    .max_message_size = 8 * 1024 * 1024,
    .max_partials = 4,
    .e2e_timeout_ms = 0,
  };

  pair->identity_a = native ? any_noise_keypair_new () : NULL;
  pair->identity_b = native ? any_noise_keypair_new () : NULL;
  e2e_events = 0;
  for (int i = 0; i < 2; i++)
    {
      Fixture *f = i == 0 ? &pair->a : &pair->b;

      f->transport = fake_transport_new ();
      f->packets = g_ptr_array_new_with_free_func (g_free);
      f->engine = any_engine_new (ANY_ENGINE_ROLE_SERVER, ANY_TRANSPORT (f->transport), &pair_callbacks, f);
      config.local_id = i == 0 ? LOCAL_ID : REMOTE_ID;
      config.identity = i == 0 ? pair->identity_a : pair->identity_b;
      any_engine_start_connected (f->engine, &config, i == 0 ? REMOTE_ID : LOCAL_ID);
      /* Connected at once, and nothing sent: no AUTH crosses a hub. */
      g_assert_true (f->connected);
      g_assert_cmpint (any_engine_get_state (f->engine), ==, ANY_ENGINE_STATE_CONNECTED);
      g_assert_cmpstr (any_engine_get_peer_id (f->engine), ==, i == 0 ? REMOTE_ID : LOCAL_ID);
      g_assert_cmpuint (fake_transport_get_sent (f->transport)->len, ==, 0);
      g_assert_true (any_engine_get_peer_caps_pending (f->engine));
    }
}

/* What @from would put in its probe. */
static JsonObject *
probe_of (Fixture *from)
{
  JsonObject *object = json_object_new ();

  any_engine_add_local_caps (from->engine, object);
  return object;
}

static void
check_proxied_pair (gboolean native)
{
  EnginePair pair = { 0 };
  g_autoptr(JsonNode) early = json ("\"before the switch\"");
  g_autoptr(JsonNode) held = json ("\"asked after e2e, before the caps\"");
  g_autoptr(JsonObject) probe_a = NULL, probe_b = NULL;
  g_autoptr(GError) error = NULL;

  proxied_pair_start (&pair, native);
  g_assert_cmpint (any_engine_send (pair.a.engine, ANY_PACKET_TYPE_LINK, 0, early, NULL), ==, 1);
  pump (&pair);
  g_assert_cmpuint (pair.b.packets->len, ==, 1);

  /* The switch waits for the capabilities, and so does what is sent. */
  g_assert_true (any_engine_start_e2e (pair.a.engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (any_engine_send (pair.a.engine, ANY_PACKET_TYPE_LINK, 0, held, NULL), >, 0);
  g_assert_cmpuint (fake_transport_get_sent (pair.a.transport)->len, ==, 0);

  probe_a = probe_of (&pair.a);
  probe_b = probe_of (&pair.b);
  g_assert_true (json_object_has_member (probe_a, "caps") == native);
  any_engine_set_peer_caps (pair.b.engine, probe_a);
  any_engine_set_peer_caps (pair.a.engine, native ? probe_b : NULL);
  g_assert_false (any_engine_get_peer_caps_pending (pair.a.engine));
  pump (&pair);

  g_assert_cmpint (e2e_events, ==, 2);
  g_assert_cmpint (any_engine_get_e2e_mode (pair.a.engine), ==, native ? ANY_E2E_MODE_NATIVE : ANY_E2E_MODE_COMPAT);
  g_assert_cmpint (any_engine_get_e2e_mode (pair.b.engine), ==, native ? ANY_E2E_MODE_NATIVE : ANY_E2E_MODE_COMPAT);
  g_assert_null (pair.a.closed_reason);
  g_assert_null (pair.b.closed_reason);
  g_assert_cmpuint (pair.b.packets->len, ==, 2);
  g_assert_true (g_str_has_suffix (pair.b.packets->pdata[1], "\"asked after e2e, before the caps\""));

  /* Capabilities that come late change nothing once switched. */
  any_engine_set_peer_caps (pair.b.engine, probe_a);
  g_assert_cmpint (any_engine_get_e2e_mode (pair.b.engine), ==, native ? ANY_E2E_MODE_NATIVE : ANY_E2E_MODE_COMPAT);
  pair_stop (&pair);
}

static void
test_proxied_pair_native (void)
{
  check_proxied_pair (TRUE);
}

static void
test_proxied_pair_compat (void)
{
  check_proxied_pair (FALSE);
}

static const guint8 forward_frame[] = "6" "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
                                      "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20"
                                      "13" "\0\0\0\x01" "{}";
static int forwards;

static void
on_forward (gpointer user_data, const guint8 *frame, gsize len, const AnyForward *forward)
{
  g_assert_cmpmem (frame, len, forward_frame, sizeof forward_frame - 1);
  g_assert_cmpint (forward->to[0], ==, 0x01);
  g_assert_cmpint (forward->from[15], ==, 0x20);
  g_assert_cmpmem (forward->inner, forward->inner_len, "13\0\0\0\x01{}", 8);
  forwards++;
}

/* A FORWARD frame goes to the owner whole (a hub relays it as it is),
 * and whole frames go out as they are. */
static void
test_forward_frames (void)
{
  static const AnyEngineCallbacks forward_callbacks = {
    .connected = on_connected,
    .packet = on_packet,
    .forward = on_forward,
    .closed = on_closed,
  };
  AnyEngineConfig config = {
    .local_id = LOCAL_ID,
    .max_message_size = 8 * 1024 * 1024,
    .max_partials = 4,
  };
  Fixture f = { 0 };
  g_autoptr(GBytes) frame = g_bytes_new_static (forward_frame, sizeof forward_frame - 1);
  g_autoptr(GBytes) sent = NULL;

  f.transport = fake_transport_new ();
  f.packets = g_ptr_array_new_with_free_func (g_free);
  f.engine = any_engine_new (ANY_ENGINE_ROLE_SERVER, ANY_TRANSPORT (f.transport), &forward_callbacks, &f);
  any_engine_start (f.engine, &config);
  /* Not before AUTH. */
  g_assert_false (any_engine_send_frame (f.engine, frame, NULL));
  receive_auth (&f, 1);
  g_assert_true (f.connected);
  {
    g_autoptr(GBytes) auth = fake_transport_pop_sent (f.transport);

    g_assert_nonnull (auth);
  }

  forwards = 0;
  fake_transport_receive (f.transport, forward_frame, sizeof forward_frame - 1);
  g_assert_cmpint (forwards, ==, 1);
  g_assert_null (f.closed_reason);
  g_assert_cmpuint (f.packets->len, ==, 0);

  g_assert_true (any_engine_send_frame (f.engine, frame, NULL));
  sent = fake_transport_pop_sent (f.transport);
  g_assert_true (g_bytes_equal (sent, frame));
  fixture_teardown (&f, NULL);
}

/* Native E2E moves to a new key every so many chunks, both sides at the
 * same one: with an interval of 3, ten messages each way still arrive;
 * with only the sender rekeying, the third chunk fails authentication. */
static void
check_rekey (gboolean both)
{
  EnginePair pair = { 0 };

  pair_start (&pair, TRUE);
  g_assert_true (any_engine_start_e2e (pair.a.engine, NULL));
  pump (&pair);
  g_assert_cmpint (any_engine_get_e2e_mode (pair.b.engine), ==, ANY_E2E_MODE_NATIVE);
  any_engine_set_rekey_interval_for_testing (pair.a.engine, 3);
  if (both)
    any_engine_set_rekey_interval_for_testing (pair.b.engine, 3);

  for (int i = 0; i < 10; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"i\":%d}", i);
      g_autoptr(JsonNode) msg = json (text);

      if (pair.a.closed_reason != NULL || pair.b.closed_reason != NULL)
        break;
      any_engine_send (pair.a.engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL);
      any_engine_send (pair.b.engine, ANY_PACKET_TYPE_LINK, 0, msg, NULL);
      pump (&pair);
    }
  if (both)
    {
      g_assert_null (pair.a.closed_reason);
      g_assert_null (pair.b.closed_reason);
      g_assert_cmpuint (pair.a.packets->len, ==, 10);
      g_assert_cmpuint (pair.b.packets->len, ==, 10);
      g_assert_true (g_str_has_suffix (pair.b.packets->pdata[9], "{\"i\":9}"));
    }
  else
    {
      g_assert_nonnull (pair.b.closed_reason);
      g_assert_nonnull (strstr (pair.b.closed_reason, "failed authentication"));
      /* The nonces count from the switch: chunks 0, 1 and 2 came through. */
      g_assert_cmpuint (pair.b.packets->len, ==, 3);
    }
  pair_stop (&pair);
}

static void
test_rekey_both (void)
{
  check_rekey (TRUE);
}

static void
test_rekey_one_side (void)
{
  check_rekey (FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup, func) g_test_add (path, Fixture, NULL, setup, func, fixture_teardown)
  ADD ("/engine/client/auth", fixture_setup_client, test_client_auth);
  ADD ("/engine/client/holds-sends", fixture_setup_client, test_client_holds_sends_until_connected);
  ADD ("/engine/server/holds-received", fixture_setup_server, test_server_holds_received_until_connected);
  ADD ("/engine/server/refuses-auth", fixture_setup_server, test_server_refuses_auth);
  ADD ("/engine/server/invalid-auth", fixture_setup_server, test_invalid_auth);
  g_test_add_func ("/engine/server/auth-timeout", test_auth_timeout);
  ADD ("/engine/replies", fixture_setup_client, test_replies_and_requests);
  ADD ("/engine/seq-wraps", fixture_setup_client, test_seq_wraps);
  g_test_add_func ("/engine/shared-frame", test_shared_frame);
  ADD ("/engine/big-message", fixture_setup_client, test_big_message_round_trip);
  ADD ("/engine/too-big-to-send", fixture_setup_client, test_message_too_big_to_send);
  ADD ("/engine/invalid-json", fixture_setup_client, test_invalid_json);
  ADD ("/engine/heartbeat/pong", fixture_setup_client, test_heartbeat_pong);
  g_test_add_func ("/engine/heartbeat/lag-and-missed", test_heartbeat_lag_and_missed);
  g_test_add_func ("/engine/heartbeat/ping-along", test_heartbeat_ping_along);
  g_test_add_func ("/engine/heartbeat/into-step", test_heartbeat_into_step);
  ADD ("/engine/binary-frame", fixture_setup_client, test_binary_frame_closes);
  ADD ("/engine/unexpected-packet", fixture_setup_server, test_unexpected_packets);
  ADD ("/engine/closed-refuses-send", fixture_setup_client, test_closed_engine_refuses_send);
  g_test_add_func ("/engine/e2e/compat-pair", test_e2e_compat_pair);
  g_test_add_func ("/engine/e2e/native-pair", test_e2e_native_pair);
  g_test_add_func ("/engine/e2e/rekey", test_rekey_both);
  g_test_add_func ("/engine/e2e/rekey-one-side-only", test_rekey_one_side);
  g_test_add_func ("/engine/proxied/native-pair", test_proxied_pair_native);
  g_test_add_func ("/engine/proxied/compat-pair", test_proxied_pair_compat);
  g_test_add_func ("/engine/proxied/forward-frames", test_forward_frames);
#undef ADD

  return g_test_run ();
}

/* interop-e2e.c: compat E2E against the JavaScript peer, started by either
 * side
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <signal.h>
#include <string.h>

#include "interop.h"

/* E2E (PROTOCOL.md 6): the JavaScript peer advertises no native E2E, so
 * every switch here is compat (secp521r1 ECDH, AES-256-CBC). */

#define E2E_MARKER     "PLAINTEXT-MARKER-QzX"
#define E2E_JS_STATE_CONNECTED  2
#define E2E_JS_STATE_SWITCHING  3
#define E2E_BURST      40

static const char * const e2e_js_args[] = { "--marker=" E2E_MARKER, NULL };

/* Moves the "message" events queued so far into @into. */
static void
js_collect_messages (JsPeer    *js,
                     GPtrArray *into)
{
  JsonNode *node;

  while ((node = js_take (js, "message")) != NULL)
    g_ptr_array_add (into, node);
}

/* The stream messages {"s": @name, "i": ...} among @events: checks that
 * they are 0, 1, 2, ... in order and returns how many there are;
 * @n_after (nullable) counts those printed after output line @after_n. */
static guint
js_check_stream (GPtrArray  *events,
                 const char *name,
                 gint64      after_n,
                 guint      *n_after)
{
  guint count = 0;

  if (n_after != NULL)
    *n_after = 0;
  for (guint k = 0; k < events->len; k++)
    {
      JsonNode *msg = msg_member (g_ptr_array_index (events, k), "msg");
      JsonObject *object;

      if (msg == NULL || !JSON_NODE_HOLDS_OBJECT (msg))
        continue;
      object = json_node_get_object (msg);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "s", NULL), name) != 0)
        continue;
      if (json_object_get_int_member (object, "i") != count)
        g_error ("JS side: stream '%s' message %" G_GINT64_FORMAT " arrived where %u was due",
                 name, json_object_get_int_member (object, "i"), count);
      if (n_after != NULL && msg_required_int (g_ptr_array_index (events, k), "n") > after_n)
        (*n_after)++;
      count++;
    }
  return count;
}

/* The same for what the C side received: @n_compat counts those delivered
 * once the link was encrypted. */
static guint
c_check_stream (CSide      *c,
                const char *name,
                guint      *n_compat)
{
  guint count = 0;

  if (n_compat != NULL)
    *n_compat = 0;
  for (guint k = 0; k < c->streamed->len; k++)
    {
      StreamItem *item = &g_array_index (c->streamed, StreamItem, k);

      if (g_strcmp0 (item->s, name) != 0)
        continue;
      if (item->i != count)
        g_error ("C side: stream '%s' message %" G_GINT64_FORMAT " arrived where %u was due",
                 name, item->i, count);
      if (n_compat != NULL && item->mode == ANY_E2E_MODE_COMPAT)
        (*n_compat)++;
      count++;
    }
  return count;
}

/* Sends {"s": @name, "i": @i, "t": text[, "data": @data]}. */
static void
c_send_stream_item (AnyPeer    *peer,
                    const char *name,
                    guint       i,
                    const char *data)
{
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autofree char *text = g_strdup_printf ("flux é 漢字 😀 #%u", i);

  json_object_set_string_member (object, "s", name);
  json_object_set_int_member (object, "i", i);
  json_object_set_string_member (object, "t", text);
  if (data != NULL)
    json_object_set_string_member (object, "data", data);
  json_node_take_object (msg, object);
  send_local (peer, msg);
}

static gboolean
on_c_stream_tick (gpointer user_data)
{
  CSide *c = user_data;

  c_send_stream_item (c->stream_peer, c->stream_name, c->stream_count++, NULL);
  return G_SOURCE_CONTINUE;
}

/* Our side sends {"s": @name, "i": 0, 1, ...} every millisecond. */
static void
c_stream_start (CSide      *c,
                AnyPeer    *peer,
                const char *name)
{
  g_assert_cmpuint (c->stream_source, ==, 0);
  g_free (c->stream_name);
  c->stream_name = g_strdup (name);
  g_set_object (&c->stream_peer, peer);
  c->stream_count = 0;
  c->stream_source = g_timeout_add (1, on_c_stream_tick, c);
}

static guint
c_stream_stop (CSide *c)
{
  g_clear_handle_id (&c->stream_source, g_source_remove);
  return c->stream_count;
}

/* Starts the switch from our side or the JavaScript side (@js_command, a
 * JSON text: {"cmd":"e2e", ...}). */
static void
e2e_start (Link       *link,
           gboolean    c_initiates,
           const char *js_command)
{
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
  if (c_initiates)
    {
      any_peer_e2e (link->peer);
      /* Done only when the answer comes back. */
      g_assert_true (any_peer_is_connected (link->peer));
      g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
      g_assert_cmpuint (link->c->e2e_signals, ==, 0);
    }
  else
    js_command_text (link->js, js_command ? js_command : "{\"cmd\":\"e2e\"}");
}

/* Waits until both sides report the switch done, and checks how. Returns
 * the JavaScript side's "e2e" event ("n", "ms"). */
static JsonNode *
e2e_wait (Link *link)
{
  JsonNode *js_e2e;
  g_autoptr(JsonNode) peer_e2e = NULL;
  g_autofree char *fingerprint = NULL;

  if (!WAIT_FOR (link->c->e2e_signals > 0 || link->c->disconnected->len > 0, 6000))
    g_error ("%s: no AnySocket::e2e within 6 s", dir_name (link->dir));
  if (link->c->disconnected->len > 0)
    g_error ("%s: the link closed during the switch: %s", dir_name (link->dir),
             (char *) g_ptr_array_index (link->c->disconnected, 0));

  /* Ours: property notified, then AnyPeer::e2e, then AnySocket::e2e, once. */
  g_assert_cmpuint (link->c->e2e_signals, ==, 1);
  g_assert_cmpstr (link->c->e2e_order->str, ==, "nps");
  g_assert_true (link->c->e2e_peer == link->peer);
  g_assert_cmpint (link->c->e2e_mode_notified, ==, ANY_E2E_MODE_COMPAT);
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_COMPAT);
  g_assert_true (any_peer_is_connected (link->peer));
  /* Compat authenticates no key: there is no fingerprint to compare. */
  fingerprint = any_peer_dup_remote_fingerprint (link->peer);
  g_assert_null (fingerprint);

  /* Theirs: socket.on("e2e") and peer.on("e2e"), the protocol in E2EE. */
  js_e2e = js_expect (link->js, "e2e", 6000);
  g_assert_cmpstr (msg_string (js_e2e, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_cmpint (msg_required_int (js_e2e, "state"), ==, E2E_JS_ENCRYPTION_E2EE);
  peer_e2e = js_expect (link->js, "peer_e2e", 1000);
  g_assert_cmpstr (msg_string (peer_e2e, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  return js_e2e;
}

/* Every frame the JavaScript side sent and received since capture_start
 * is ciphertext (hex of IV + AES blocks) and shows no marker. */
static void
assert_capture_encrypted (JsonNode   *report,
                          const char *what)
{
  g_autofree char *text = json_to_string (report, FALSE);
  static const char * const sides[] = { "out", "in" };

  note ("%s: wire seen by the JS side: %.600s", what, text);
  for (guint k = 0; k < G_N_ELEMENTS (sides); k++)
    {
      gint64 frames = capture_count (report, sides[k], "frames");

      g_assert_cmpint (frames, >, 0);
      if (capture_count (report, sides[k], "hex") != frames)
        g_error ("%s: frames %s the JS side in the clear: %s", what,
                 k == 0 ? "sent by" : "received by", text);
      g_assert_cmpint (capture_count (report, sides[k], "marker"), ==, 0);
      /* No SWITCH (or other) packet in the clear after the switch. */
      g_assert_cmpint (capture_type_count (report, sides[k], "4"), ==, 0);
    }
}

static void
send_marker_both_ways (Link *link)
{
  g_autoptr(JsonNode) to_js = json_checked ("{\"secret\":\"" E2E_MARKER " vers JS é 漢字 😀\"}");
  g_autoptr(JsonNode) to_c = json_checked ("{\"secret\":\"" E2E_MARKER " vers C ü 字 😀\"}");

  assert_link_carries (link, to_js, to_c);
}

/* A compat switch started by either side, then everything the plain
 * cases do, with the JavaScript side checking that the wire carries only
 * ciphertext. */
static void
e2e_compat_case (Direction dir,
                 gboolean  c_initiates)
{
  Link *link = link_open (dir, 5000, e2e_js_args);
  g_autoptr(JsonNode) control = NULL;
  g_autoptr(JsonNode) js_e2e = NULL;
  g_autoptr(JsonNode) report = NULL;
  gint64 start, c_to_js_ms, js_to_c_ms;

  /* Control: before the switch the capture sees the marker both ways. */
  js_capture_start (link->js);
  send_marker_both_ways (link);
  control = js_capture_report (link->js);
  g_assert_cmpint (capture_count (control, "out", "marker"), >=, 1);
  g_assert_cmpint (capture_count (control, "in", "marker"), >=, 1);
  g_assert_cmpint (capture_count (control, "out", "hex"), ==, 0);
  g_assert_cmpint (capture_count (control, "in", "hex"), ==, 0);

  start = g_get_monotonic_time ();
  e2e_start (link, c_initiates, NULL);
  js_e2e = e2e_wait (link);
  note ("%s: compat switch started by %s done in %" G_GINT64_FORMAT " ms", dir_name (dir),
        c_initiates ? "C" : "JS", (g_get_monotonic_time () - start) / 1000);

  js_capture_start (link->js);
  send_marker_both_ways (link);
  exchange_messages (link);
  exchange_requests (link);
  exchange_big (link, &c_to_js_ms, &js_to_c_ms);
  note ("%s: after the compat switch, 5 MiB C->JS in %" G_GINT64_FORMAT " ms, JS->C in %"
        G_GINT64_FORMAT " ms (request + reply)", dir_name (dir), c_to_js_ms, js_to_c_ms);
  assert_link_works (link);

  report = js_capture_report (link->js);
  assert_capture_encrypted (report, dir_name (dir));
  /* The 5 MiB messages went as several chunks each way. */
  g_assert_cmpint (capture_count (report, "out", "partial"), >=, 4);
  g_assert_cmpint (capture_count (report, "in", "partial"), >=, 4);
  /* Requests and messages each way (LINK is type 3). */
  g_assert_cmpint (capture_type_count (report, "out", "3"), >=, 2 * N_REQUESTS);
  g_assert_cmpint (capture_type_count (report, "in", "3"), >=, 2 * N_REQUESTS);

  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_COMPAT);
  g_assert_cmpuint (link->c->e2e_signals, ==, 1);
  g_assert_null (js_take (link->js, "e2e"));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));
  link_close (link);
}

static void
test_e2e_c_initiates (gconstpointer data)
{
  e2e_compat_case (GPOINTER_TO_INT (data), TRUE);
}

static void
test_e2e_js_initiates (gconstpointer data)
{
  e2e_compat_case (GPOINTER_TO_INT (data), FALSE);
}

/* 1.5 M units: the burst's big message goes as two chunks. */
#define E2E_BURST_BIG_UNITS  (3 * 1048576 / 2)

/* Checks the big message of a burst, as the JavaScript side summarized it. */
static void
assert_js_burst_big (GPtrArray  *events,
                     const char *name,
                     guint       index,
                     const char *expected)
{
  g_autofree char *expected_sha = sha256_hex (expected);

  for (guint k = 0; k < events->len; k++)
    {
      JsonNode *msg = msg_member (g_ptr_array_index (events, k), "msg");
      JsonObject *object, *data;

      if (msg == NULL || !JSON_NODE_HOLDS_OBJECT (msg))
        continue;
      object = json_node_get_object (msg);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "s", NULL), name) != 0 ||
          json_object_get_int_member (object, "i") != index)
        continue;
      g_assert_true (json_object_has_member (object, "data"));
      data = json_object_get_object_member (object, "data");
      g_assert_cmpint (json_object_get_int_member (data, "len"), ==, utf16_length (expected));
      g_assert_cmpstr (json_object_get_string_member (data, "sha256"), ==, expected_sha);
      return;
    }
  g_error ("JS side: no message %s #%u", name, index);
}

/* Both sides stream a message every millisecond across the switch; the
 * initiator sends a burst (one message of several chunks among them)
 * right after starting it, and requests are in flight across it both
 * ways. Everything arrives, in order, exactly once; what was sent while
 * switching arrives encrypted, after the other side saw the switch.
 *
 * Not done: requests of ours in flight when WE start the switch. The
 * JavaScript peer (0.4.29) then answers some of them in the clear after
 * its SWITCH answer (it handles LINK packets on a queue of their own,
 * concurrently with the SWITCH, and decides plain or encrypted when it
 * starts serializing), which no initiator can decrypt: a JavaScript
 * initiator drops the link just the same ("Invalid initialization
 * vector"). See the E2E notes in the interop report. */
static void
e2e_during_case (Direction dir,
                 gboolean  c_initiates)
{
  Link *link = link_open (dir, 5000, e2e_js_args);
  g_autoptr(GPtrArray) js_got = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GHashTable) seqs = g_hash_table_new (NULL, NULL);
  g_autoptr(JsonNode) js_e2e = NULL;
  g_autoptr(JsonNode) stopped = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) js_requests = NULL;
  g_autofree char *big = NULL;
  Requests during, before = { 0 };
  guint c_count, js_count, after, n_compat, n_before_c, n_before_js;
  gint64 js_e2e_n;

  js_capture_start (link->js);
  c_stream_start (link->c, link->peer, "c");
  js_command_text (link->js, "{\"cmd\":\"stream_start\",\"s\":\"js\",\"every\":1}");
  started = js_expect (link->js, "stream_started", 5000);

  /* Both streams flow before the switch. */
  g_assert_true (WAIT_FOR (({ js_collect_messages (link->js, js_got);
                              js_check_stream (js_got, "c", 0, NULL) >= 10 &&
                              c_check_stream (link->c, "js", NULL) >= 10; }), 5000));

  if (c_initiates)
    {
      big = big_string (E2E_BURST_BIG_UNITS, 0xB16, TRUE);
      /* Requests in flight when the switch starts: the JavaScript peer
       * may answer some of them unencrypted after its SWITCH answer (its
       * queues race); libanysocket takes those as plain text until the
       * first encrypted chunk. */
      c_requests_start (&before, link->peer, 0, N_REQUESTS / 2);
      e2e_start (link, TRUE, NULL);
      /* Requests made while switching: they wait, like messages. */
      c_requests_start (&during, link->peer, N_REQUESTS / 2, N_REQUESTS / 2);
      for (guint i = 0; i < E2E_BURST; i++)
        {
          /* Still switching: these wait, and go out encrypted. */
          g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
          c_send_stream_item (link->peer, "c-burst", i, i == E2E_BURST / 2 ? big : NULL);
        }
      /* The JavaScript side's requests reach us while we switch. */
      js_command_text (link->js, "{\"cmd\":\"requests\",\"count\":64,\"prefix\":\"js à travers #\"}");
    }
  else
    {
      g_autofree char *command = g_strdup_printf ("{\"cmd\":\"e2e\",\"s\":\"js-burst\",\"sync\":%u,"
                                                  "\"during\":%u,\"big_units\":%u,\"big_seed\":2838}",
                                                  E2E_BURST / 2, E2E_BURST / 2, E2E_BURST_BIG_UNITS);

      big = big_string (E2E_BURST_BIG_UNITS, 2838, FALSE);
      /* Requests made just before the switch: answered across it. */
      js_command_text (link->js, "{\"cmd\":\"requests\",\"count\":64,\"prefix\":\"js à travers #\"}");
      e2e_start (link, FALSE, command);
      /* Ours reach it before, while or after it switches. */
      c_requests_start (&during, link->peer, 0, N_REQUESTS);
    }
  js_e2e = e2e_wait (link);
  js_e2e_n = msg_required_int (js_e2e, "n");
  if (!c_initiates)
    {
      g_autoptr(JsonNode) e2e_started = js_expect (link->js, "e2e_started", 2000);

      /* peer.e2e() makes its key pair in promises: the first half went
       * before the switch began, the second half usually while it was
       * under way (on a loaded machine node may not have made its key
       * pair yet; then it went just before, which the ordering checks
       * below cover as well). */
      g_assert_cmpint (msg_required_int (e2e_started, "state_after_call"), ==, E2E_JS_STATE_CONNECTED);
      g_assert_true (msg_required_int (e2e_started, "state_during") == E2E_JS_STATE_SWITCHING ||
                     msg_required_int (e2e_started, "state_during") == E2E_JS_STATE_CONNECTED);
    }

  /* Both streams go on, encrypted, for a while. */
  g_assert_true (WAIT_FOR (({ guint n_js_after = 0, n_c_compat = 0;
                              js_collect_messages (link->js, js_got);
                              js_check_stream (js_got, "c", js_e2e_n, &n_js_after);
                              c_check_stream (link->c, "js", &n_c_compat);
                              n_js_after >= 10 && n_c_compat >= 10; }), 5000));
  c_count = c_stream_stop (link->c);
  js_command_text (link->js, "{\"cmd\":\"stream_stop\"}");
  stopped = js_expect (link->js, "stream_stopped", 5000);
  js_count = (guint) msg_required_int (stopped, "count");

  /* Every request answered, both ways. */
  if (c_initiates)
    c_requests_finish (&before, link->peer, seqs);
  c_requests_finish (&during, link->peer, seqs);
  g_assert_cmpuint (g_hash_table_size (seqs), ==, N_REQUESTS);
  js_requests = js_expect (link->js, "requests_done", 15000);
  g_assert_cmpint (msg_required_int (js_requests, "ok"), ==, 64);

  /* Everything arrives, in order, exactly once. */
  if (!WAIT_FOR (({ js_collect_messages (link->js, js_got);
                    js_check_stream (js_got, "c", 0, NULL) == c_count &&
                    c_check_stream (link->c, "js", NULL) == js_count &&
                    js_check_stream (js_got, "c-burst", 0, NULL) == (c_initiates ? E2E_BURST : 0) &&
                    c_check_stream (link->c, "js-burst", NULL) == (c_initiates ? 0 : E2E_BURST); }), 5000))
    g_error ("%s: lost messages: JS got %u of %u from the C stream, %u of %u of the C burst; "
             "C got %u of %u from the JS stream, %u of %u of the JS burst", dir_name (dir),
             js_check_stream (js_got, "c", 0, NULL), c_count,
             js_check_stream (js_got, "c-burst", 0, NULL), c_initiates ? E2E_BURST : 0,
             c_check_stream (link->c, "js", NULL), js_count,
             c_check_stream (link->c, "js-burst", NULL), c_initiates ? 0 : E2E_BURST);
  iterate_for (50);
  js_collect_messages (link->js, js_got);
  g_assert_cmpuint (js_check_stream (js_got, "c", 0, NULL), ==, c_count);
  g_assert_cmpuint (c_check_stream (link->c, "js", NULL), ==, js_count);

  js_check_stream (js_got, "c", js_e2e_n, &after);
  n_before_js = c_count - after;
  c_check_stream (link->c, "js", &n_compat);
  n_before_c = js_count - n_compat;
  note ("%s (switch by %s): C stream %u messages, %u before the JS side saw the switch; "
        "JS stream %u messages, %u delivered to C before the switch", dir_name (dir),
        c_initiates ? "C" : "JS", c_count, n_before_js, js_count, n_before_c);
  g_assert_cmpuint (n_before_js, >=, 10);
  g_assert_cmpuint (n_before_c, >=, 10);

  if (c_initiates)
    {
      /* The burst waited for the switch: the JS side got it afterwards. */
      g_assert_cmpuint (js_check_stream (js_got, "c-burst", js_e2e_n, &after), ==, E2E_BURST);
      g_assert_cmpuint (after, ==, E2E_BURST);
      assert_js_burst_big (js_got, "c-burst", E2E_BURST / 2, big);
    }
  else
    {
      /* The half sent while switching reached us encrypted. */
      StreamItem *item = NULL;

      g_assert_cmpuint (c_check_stream (link->c, "js-burst", &n_compat), ==, E2E_BURST);
      g_assert_cmpuint (n_compat, >=, E2E_BURST / 2);
      for (guint k = 0; k < link->c->streamed->len; k++)
        {
          StreamItem *candidate = &g_array_index (link->c->streamed, StreamItem, k);

          if (g_str_equal (candidate->s, "js-burst") && candidate->i == E2E_BURST - 1)
            item = candidate;
        }
      g_assert_nonnull (item);
      g_assert_cmpint (item->mode, ==, ANY_E2E_MODE_COMPAT);
      g_assert_cmpuint (item->data_len, ==, E2E_BURST_BIG_UNITS);
      {
        g_autofree char *expected_sha = sha256_hex (big);
        g_assert_cmpstr (item->data_sha, ==, expected_sha);
      }
    }

  report = js_capture_report (link->js);
  note ("%s: frames seen by the JS side across the switch: out %" G_GINT64_FORMAT " (%"
        G_GINT64_FORMAT " hex), in %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " hex)", dir_name (dir),
        capture_count (report, "out", "frames"), capture_count (report, "out", "hex"),
        capture_count (report, "in", "frames"), capture_count (report, "in", "hex"));
  /* Exactly one SWITCH each way, in the clear. */
  g_assert_cmpint (capture_type_count (report, "out", "4"), ==, 1);
  g_assert_cmpint (capture_type_count (report, "in", "4"), ==, 1);

  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_COMPAT);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));
  g_assert_null (js_take (link->js, "send_error"));
  assert_link_works (link);
  link_close (link);
}

static void
test_e2e_during_c_initiates (gconstpointer data)
{
  e2e_during_case (GPOINTER_TO_INT (data), TRUE);
}

static void
test_e2e_during_js_initiates (gconstpointer data)
{
  e2e_during_case (GPOINTER_TO_INT (data), FALSE);
}

static Link *
link_open_require_native (Direction dir)
{
  CSide *c = c_side_new (5000, NULL, NULL);

  any_socket_set_e2e_policy (c->socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  g_assert_cmpint (any_socket_get_e2e_policy (c->socket), ==, ANY_E2E_POLICY_REQUIRE_NATIVE);
  return link_open_with (dir, c, e2e_js_args, TRUE);
}

/* A socket that requires native E2E refuses the JavaScript peer's compat
 * SWITCH: the link closes, with a reason that says why, at once (not
 * after the JavaScript side's 5 s e2e timeout). */
static void
test_e2e_policy_refuses_js (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open_require_native (dir);
  g_autoptr(JsonNode) disconnected = NULL;
  const char *reason;
  gint64 start;

  assert_link_works (link);
  start = g_get_monotonic_time ();
  e2e_start (link, FALSE, NULL);
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 3000));
  reason = g_ptr_array_index (link->c->disconnected, 0);
  note ("%s: compat SWITCH from JS refused after %" G_GINT64_FORMAT " ms: %s", dir_name (dir),
        (g_get_monotonic_time () - start) / 1000, reason);
  g_assert_nonnull (strstr (reason, "native"));
  g_assert_nonnull (strstr (reason, "E2E"));
  g_assert_false (any_peer_is_connected (link->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpuint (link->c->e2e_signals, ==, 0);
  g_assert_cmpstr (link->c->e2e_order->str, ==, "");

  disconnected = js_expect (link->js, "disconnected", 3000);
  g_assert_cmpstr (msg_string (disconnected, "reason"), ==, "Remote Connection Closed");
  g_assert_null (js_take (link->js, "e2e"));
  g_assert_null (js_take (link->js, "peer_e2e"));
  g_assert_cmpuint (link->c->disconnected->len, ==, 1);
  link_close (link);
}

/* Toward a JavaScript peer (no native E2E), any_peer_e2e() on a socket
 * that requires native fails: the link closes with a clear reason and no
 * SWITCH goes out. */
static void
test_e2e_policy_refuses_c (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open_require_native (dir);
  g_autoptr(JsonNode) disconnected = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) msg = json_checked ("\"after the refusal\"");
  g_autoptr(GError) error = NULL;
  const char *reason;

  assert_link_works (link);
  js_capture_start (link->js);
  any_peer_e2e (link->peer);
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 3000));
  reason = g_ptr_array_index (link->c->disconnected, 0);
  note ("%s: any_peer_e2e() toward JS with REQUIRE_NATIVE: %s", dir_name (dir), reason);
  g_assert_nonnull (strstr (reason, "native"));
  g_assert_nonnull (strstr (reason, "E2E"));
  g_assert_false (any_peer_is_connected (link->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpuint (link->c->e2e_signals, ==, 0);
  g_assert_false (any_peer_send (link->peer, msg, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);

  disconnected = js_expect (link->js, "disconnected", 3000);
  g_assert_cmpstr (msg_string (disconnected, "reason"), ==, "Remote Connection Closed");
  report = js_capture_report (link->js);
  g_assert_cmpint (capture_type_count (report, "in", "4"), ==, 0);
  g_assert_null (js_take (link->js, "e2e"));
  g_assert_cmpuint (link->c->disconnected->len, ==, 1);
  link_close (link);
}

/* Our heartbeat (200 ms) goes on across the switch, encrypted: pings
 * reach the JavaScript side as pings, its pongs update our lag, and the
 * link stays up. */
static void
e2e_heartbeat_case (Direction dir,
                    gboolean  c_initiates)
{
  Link *link = link_open (dir, HEARTBEAT_MS, e2e_js_args);
  g_autoptr(JsonNode) js_e2e = NULL;
  g_autoptr(JsonNode) stats_before = NULL;
  g_autoptr(JsonNode) stats_after = NULL;
  g_autoptr(JsonNode) report = NULL;
  guint heartbeats_before;
  gint64 pings_before, pings_after;

  g_assert_true (WAIT_FOR (link->c->heartbeats >= 2, 5 * HEARTBEAT_MS));
  /* Right after a pong, so that our next ping comes ~200 ms later, long
   * after the switch: a JavaScript initiator (0.4.29) takes any HEARTBEAT
   * received while it waits for the SWITCH answer for an invalid packet
   * and drops the link ("Invalid Packet!"), whoever sends it. */
  heartbeats_before = link->c->heartbeats;
  g_assert_true (WAIT_FOR (link->c->heartbeats > heartbeats_before, 3 * HEARTBEAT_MS));
  e2e_start (link, c_initiates, NULL);
  js_e2e = e2e_wait (link);
  js_capture_start (link->js);
  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats_before = js_expect (link->js, "stats", 2000);
  pings_before = msg_required_int (stats_before, "pings_received");
  heartbeats_before = link->c->heartbeats;

  iterate_for (5 * HEARTBEAT_MS);

  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats_after = js_expect (link->js, "stats", 2000);
  pings_after = msg_required_int (stats_after, "pings_received");
  note ("%s (switch by %s): after the switch, %u heartbeats in %u ms, lag %d ms; "
        "JS side got %" G_GINT64_FORMAT " pings", dir_name (dir), c_initiates ? "C" : "JS",
        link->c->heartbeats - heartbeats_before, 5 * HEARTBEAT_MS,
        any_peer_get_lag (link->peer), pings_after - pings_before);
  g_assert_cmpuint (link->c->heartbeats - heartbeats_before, >=, 3);
  g_assert_cmpint (any_peer_get_lag (link->peer), >=, 0);
  g_assert_cmpint (any_peer_get_lag (link->peer), <, 1000);
  g_assert_cmpint (pings_after - pings_before, >=, 3);
  g_assert_true (any_peer_is_connected (link->peer));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));

  /* The heartbeats were encrypted, both ways. */
  report = js_capture_report (link->js);
  assert_capture_encrypted (report, dir_name (dir));
  g_assert_cmpint (capture_type_count (report, "out", "5"), >=, 3);
  g_assert_cmpint (capture_type_count (report, "in", "5"), >=, 3);

  assert_link_works (link);
  link_close (link);
}

static void
test_e2e_heartbeat_c_initiates (gconstpointer data)
{
  e2e_heartbeat_case (GPOINTER_TO_INT (data), TRUE);
}

static void
test_e2e_heartbeat_js_initiates (gconstpointer data)
{
  e2e_heartbeat_case (GPOINTER_TO_INT (data), FALSE);
}

void
interop_add_e2e_cases (void)
{
  add_both ("e2e/c-initiates", test_e2e_c_initiates);
  add_both ("e2e/js-initiates", test_e2e_js_initiates);
  add_both ("e2e/during-switch-c-initiates", test_e2e_during_c_initiates);
  add_both ("e2e/during-switch-js-initiates", test_e2e_during_js_initiates);
  add_both ("e2e/policy-refuses-js-compat", test_e2e_policy_refuses_js);
  add_both ("e2e/policy-refuses-c-compat", test_e2e_policy_refuses_c);
  add_both ("e2e/heartbeat-c-initiates", test_e2e_heartbeat_c_initiates);
  add_both ("e2e/heartbeat-js-initiates", test_e2e_heartbeat_js_initiates);
}

/* interop-heartbeat.c: our side against a JavaScript peer with the heartbeat
 * of upstream's newer releases (git 0.4.30-0.4.32, not on npm), put over
 * the 0.4.29 module by upstream-heartbeat/heartbeat-0.4.32.js (js-peer.js
 * --upstream-heartbeat): pings every interval even under traffic, a probe
 * after a missed pong, "Missed Heartbeats" after heartbeatsMaxMissed (2).
 * "strict" makes only a real pong count (upstream counts any message), so
 * a pong stuck behind megabytes would drop the link.
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <string.h>

#include "interop.h"

/* Short enough that a pong queued behind 20 MiB would be missed: the JS
 * peer drops the link when no pong came for two intervals (before the
 * lanes of any-ws-transport.c it did, 6 runs out of 6 at 200 ms). Not
 * shorter: node itself freezes while it parses 20 MiB (100-400 ms here,
 * 750 ms and more while other builds load both cores), and a pong it
 * reads late counts as missed: at 500 ms, 1 run in 3 dropped under
 * load, with our side's own delay ("other_max") still small. */
#define UPSTREAM_HB_MS   1000
/* 20 MiB of JavaScript string each way, at once */
#define HUGE_UNITS       (20 * 1048576)
#define HUGE_SEED_TO_JS  0xFACADE
#define HUGE_SEED_TO_C   0xD00D
#define HUGE_ROUNDS      3
#define HUGE_ROUNDS_MAX  8


/* The longest time our main loop did not come back to a 5 ms timer. */
typedef struct {
  gint64 last;
  gint64 max_gap;
} LoopWatch;

static gboolean
loop_watch_tick (gpointer user_data)
{
  LoopWatch *watch = user_data;
  gint64 now = g_get_monotonic_time ();

  if (watch->last != 0)
    watch->max_gap = MAX (watch->max_gap, now - watch->last);
  watch->last = now;
  return G_SOURCE_CONTINUE;
}

static void
on_huge_replied (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A delay of the report in ms, -1 when none was measured (null). */
static double
report_ms (JsonNode   *report,
           const char *name)
{
  JsonNode *node = msg_member (report, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? msg_required_double (report, name) : -1.0;
}

/* Nobody dropped the link, which still carries messages both ways. */
static void
assert_link_intact_and_close (Link *link)
{
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));
  g_assert_true (any_peer_is_connected (link->peer));
  assert_link_works (link);
  link_close (link);
}

/* The JS side's heartbeat report; notes its delays. */
static JsonNode *
heartbeat_report (Link       *link,
                  const char *what)
{
  JsonNode *report;

  js_command_text (link->js, "{\"cmd\":\"heartbeat_report\"}");
  report = js_expect (link->js, "heartbeat", 5000);
  note ("%s: %s: JS pings %" G_GINT64_FORMAT ", probes %" G_GINT64_FORMAT ", pongs %" G_GINT64_FORMAT
        ", unanswered %" G_GINT64_FORMAT ", pong delay median %.1f ms, max %.1f ms (without the JS side's "
        "own stalls: median %.1f, max %.1f; its longest stall %.1f ms), missed in a row %"
        G_GINT64_FORMAT ", drops %" G_GINT64_FORMAT, dir_name (link->dir), what,
        msg_required_int (report, "pings"), msg_required_int (report, "probes"),
        msg_required_int (report, "pongs"), msg_required_int (report, "unanswered"),
        report_ms (report, "delay_median"), report_ms (report, "delay_max"),
        report_ms (report, "other_median"), report_ms (report, "other_max"), report_ms (report, "stall_max"),
        msg_required_int (report, "max_missed_seen"), msg_required_int (report, "drops"));
  return report;
}

/* 20 MiB each way at the same time (3 times), while the JS side pings every UPSTREAM_HB_MS
 * and counts only real pongs: every ping is answered well within the
 * interval, nobody drops the link, every byte arrives. Both sides keep
 * what they get ("op":"hold") and hash it afterwards: hashing 20 MiB in
 * the handler would block either main loop, which no send order fixes. */
static void
test_upstream_huge_both_ways (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  g_autofree char *heartbeat_arg = g_strdup_printf ("--heartbeat=%d", UPSTREAM_HB_MS);
  /* Making 20 MiB freezes node for a while: before it connects. */
  g_autofree char *make_arg = g_strdup_printf ("--make-big=%u:%u", HUGE_UNITS, HUGE_SEED_TO_C);
  const char * const js_args[] = { heartbeat_arg, "--upstream-heartbeat=strict", make_arg, NULL };
  Link *link = link_open (dir, UPSTREAM_HB_MS, js_args);
  g_autofree char *to_js = big_string (HUGE_UNITS, HUGE_SEED_TO_JS, TRUE);
  g_autofree char *to_js_sha = sha256_hex (to_js);
  g_autofree char *to_c = big_string (HUGE_UNITS, HUGE_SEED_TO_C, FALSE);
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"send_big\",\"units\":%u,\"seed\":%u,"
                                              "\"astral\":false,\"timeout\":50000,\"op\":\"hold\"}",
                                              HUGE_UNITS, HUGE_SEED_TO_C);
  g_autoptr(JsonNode) reset = NULL;
  g_autoptr(JsonNode) held_hash = NULL;
  g_autoptr(JsonNode) report = NULL;
  const char *got;
  LoopWatch watch = { 0 };
  guint watch_source;
  gint64 rounds_start;

  /* The JS timer starts with the first message after AUTH. */
  assert_link_works (link);
  iterate_for (2 * UPSTREAM_HB_MS);
  js_command_text (link->js, "{\"cmd\":\"heartbeat_reset\"}");
  reset = js_expect (link->js, "heartbeat_reset", 2000);

  /* Rounds: long enough for several pings whatever the machine's speed
   * (at least HUGE_ROUNDS, and three heartbeat intervals: with our own
   * framing three rounds can take less than 4 s). */
  watch_source = g_timeout_add (5, loop_watch_tick, &watch);
  rounds_start = g_get_monotonic_time ();
  for (guint round = 0;
       round < HUGE_ROUNDS ||
       (round < HUGE_ROUNDS_MAX && g_get_monotonic_time () - rounds_start < 3 * UPSTREAM_HB_MS * G_TIME_SPAN_MILLISECOND);
       round++)
    {
      g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(AnyPacket) reply = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) held = NULL;
      g_autoptr(JsonNode) big_done = NULL;
      gint64 start = g_get_monotonic_time ();

      json_object_set_string_member (object, "op", "hold");
      json_object_set_string_member (object, "data", to_js);
      json_node_take_object (msg, object);
      js_command_text (link->js, command);
      any_peer_request_async (link->peer, msg, 50000, NULL, on_huge_replied, &result);
      g_clear_pointer (&msg, json_node_unref);

      g_assert_true (WAIT_FOR (result != NULL, 52000));
      note ("%s: 20 MiB C->JS held in %" G_GINT64_FORMAT " ms", dir_name (dir),
            (g_get_monotonic_time () - start) / 1000);
      big_done = js_expect (link->js, "big_done", 52000);
      note ("%s: 20 MiB JS->C held in %" G_GINT64_FORMAT " ms", dir_name (dir), msg_int (big_done, "ms"));
      reply = any_peer_request_finish (link->peer, result, &error);
      g_assert_no_error (error);
      held = js_expect (link->js, "held", 5000);
      g_assert_cmpint (msg_required_int (held, "len"), ==, HUGE_UNITS);
    }
  g_source_remove (watch_source);
  note ("%s: our main loop's longest stall meanwhile: %" G_GINT64_FORMAT " ms", dir_name (dir), watch.max_gap / 1000);
  report = heartbeat_report (link, "20 MiB each way, 3 times or more");

  /* Every byte arrived. */
  js_command_text (link->js, "{\"cmd\":\"held_hash\"}");
  held_hash = js_expect (link->js, "held_hash", 10000);
  g_assert_cmpstr (msg_string (held_hash, "sha256"), ==, to_js_sha);
  g_assert_nonnull (link->c->held);
  got = json_object_get_string_member_with_default (json_node_get_object (link->c->held), "data", "");
  g_assert_cmpuint (strlen (got), ==, strlen (to_c));
  g_assert_true (strcmp (got, to_c) == 0);

  /* The JS peer pinged all along (it does not wait for silence) and got
   * its pongs: the link never came near a drop. A pong read late because
   * node itself was frozen (its JSON.parse of our 20 MiB: 100-400 ms
   * here) may cost one probe; what our side took ("other": the delay
   * minus node's own freezes) is well within the interval. */
  g_assert_cmpint (msg_required_int (report, "pings"), >=, 2);
  g_assert_cmpint (msg_required_int (report, "drops"), ==, 0);
  g_assert_cmpint (msg_required_int (report, "max_missed_seen"), <=, 1);
  g_assert_cmpint (msg_required_int (report, "pongs"), >=, msg_required_int (report, "pings") - 1);
  g_assert_cmpfloat (report_ms (report, "other_max"), >=, 0);
  g_assert_cmpfloat (report_ms (report, "other_max"), <, UPSTREAM_HB_MS / 2);

  assert_link_intact_and_close (link);
}

/* What the send path adds to a pong: the JS side pings every 50 ms (and
 * never drops: it only measures) while we send it 20 MiB, three times.
 * A pong handed to libsoup behind the chunks already queued would wait
 * for them to be written. */
static void
test_pong_behind_huge (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=50", "--upstream-heartbeat=strict", "--max-missed=1000", NULL };
  Link *link = link_open (dir, 0, js_args);
  g_autofree char *to_js = big_string (HUGE_UNITS, HUGE_SEED_TO_JS, FALSE);
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autoptr(JsonNode) reset = NULL;
  g_autoptr(JsonNode) report = NULL;
  LoopWatch watch = { 0 };
  guint watch_source;

  json_object_set_string_member (object, "op", "hold");
  json_object_set_string_member (object, "data", to_js);
  json_node_take_object (msg, object);
  assert_link_works (link);
  iterate_for (200);
  js_command_text (link->js, "{\"cmd\":\"heartbeat_reset\"}");
  reset = js_expect (link->js, "heartbeat_reset", 2000);
  watch_source = g_timeout_add (5, loop_watch_tick, &watch);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(AnyPacket) reply = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) held = NULL;

      reply = request_local (link->peer, msg, 30000, &error);
      g_assert_no_error (error);
      held = js_expect (link->js, "held", 5000);
      g_assert_cmpint (msg_required_int (held, "len"), ==, HUGE_UNITS);
    }
  g_source_remove (watch_source);
  note ("%s: our main loop's longest stall meanwhile: %" G_GINT64_FORMAT " ms", dir_name (dir), watch.max_gap / 1000);
  report = heartbeat_report (link, "3 x 20 MiB C->JS");
  g_assert_cmpint (msg_required_int (report, "pongs"), >=, 10);
  g_assert_cmpfloat (report_ms (report, "other_max"), >=, 0);
  g_assert_cmpfloat (report_ms (report, "other_max"), <, UPSTREAM_HB_MS);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

/* 50 pings at once (and 20 pongs nobody asked for): each ping is
 * answered, nothing is confused, the link stays. */
static void
test_duplicate_pings (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=200", NULL };
  Link *link = link_open (dir, HEARTBEAT_MS, js_args);
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(JsonNode) pongs_sent = NULL;
  gint64 pongs_before, pongs;
  guint heartbeats_before;

  assert_link_works (link);
  g_assert_true (WAIT_FOR (link->c->heartbeats >= 1, 5 * HEARTBEAT_MS));
  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  before = js_expect (link->js, "stats", 2000);
  pongs_before = msg_required_int (before, "pongs_received");

  js_command_text (link->js, "{\"cmd\":\"pings\",\"count\":20,\"value\":2}");
  pongs_sent = js_expect (link->js, "pings_sent", 2000);
  js_command_text (link->js, "{\"cmd\":\"pings\",\"count\":50}");
  sent = js_expect (link->js, "pings_sent", 2000);
  heartbeats_before = link->c->heartbeats;
  iterate_for (4 * HEARTBEAT_MS);

  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  after = js_expect (link->js, "stats", 2000);
  pongs = msg_required_int (after, "pongs_received") - pongs_before;
  note ("%s: 50 pings and 20 unasked pongs at once: %" G_GINT64_FORMAT " pongs back; our heartbeat: %u more, lag %d ms",
        dir_name (dir), pongs, link->c->heartbeats - heartbeats_before, any_peer_get_lag (link->peer));
  /* Each of ours (the 0.4.29 peer answers them) plus one per ping */
  g_assert_cmpint (pongs, >=, 50);
  g_assert_cmpint (pongs, <=, 50 + (link->c->heartbeats - heartbeats_before) + 2);
  /* The unasked pongs did not fake a lag: ours kept measuring. */
  g_assert_cmpuint (link->c->heartbeats - heartbeats_before, >=, 2);
  g_assert_cmpint (any_peer_get_lag (link->peer), >=, 0);
  g_assert_cmpint (any_peer_get_lag (link->peer), <, 1000);
  assert_link_intact_and_close (link);
}

/* A peer that stops answering: the stalled JavaScript peer (SIGSTOP) is
 * dropped by our rule; our stalled side (its main loop blocked) by the
 * upstream-like JavaScript peer's rule, after two missed pongs. */
static void
test_upstream_drops_stalled (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=200", "--upstream-heartbeat=strict", NULL };
  Link *link = link_open (dir, 0, js_args);
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) disconnected = NULL;
  gint64 stalled_at;

  assert_link_works (link);
  /* Pongs flow first. */
  iterate_for (4 * HEARTBEAT_MS);
  report = heartbeat_report (link, "idle");
  g_assert_cmpint (msg_required_int (report, "pongs"), >=, 2);
  g_assert_cmpint (msg_required_int (report, "drops"), ==, 0);
  g_clear_pointer (&report, json_node_unref);

  /* Our main loop stalls for 5 intervals: the JS side misses two pongs
   * (probing after the first) and drops us. */
  stalled_at = g_get_monotonic_time ();
  g_usleep (5 * HEARTBEAT_MS * 1000);
  disconnected = js_expect (link->js, "disconnected", 5000);
  note ("%s: our side stalled; the upstream-like JS peer says \"%s\" (%" G_GINT64_FORMAT " ms after the stall began)",
        dir_name (dir), msg_string (disconnected, "reason"), (g_get_monotonic_time () - stalled_at) / 1000);
  g_assert_cmpstr (msg_string (disconnected, "reason"), ==, "Missed Heartbeats");
  report = heartbeat_report (link, "after the stall");
  g_assert_cmpint (msg_required_int (report, "drops"), ==, 1);
  g_assert_cmpint (msg_required_int (report, "probes"), >=, 1);
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 2000));
  link_close (link);
}

static void
test_stalled_upstream_peer_dropped (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=200", "--upstream-heartbeat=strict", NULL };
  Link *link = link_open (dir, HEARTBEAT_MS, js_args);
  gint64 stopped_at, elapsed_ms;

  assert_link_works (link);
  g_assert_true (WAIT_FOR (link->c->heartbeats >= 2, 5 * HEARTBEAT_MS));
  js_signal (link->js, SIGSTOP);
  stopped_at = g_get_monotonic_time ();
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 10 * HEARTBEAT_MS));
  elapsed_ms = (g_get_monotonic_time () - stopped_at) / 1000;
  note ("%s: upstream-like JS peer stopped, dropped by us after %" G_GINT64_FORMAT " ms", dir_name (dir), elapsed_ms);
  g_assert_cmpstr (g_ptr_array_index (link->c->disconnected, 0), ==, "Missed Heartbeats");
  g_assert_cmpint (elapsed_ms, <=, 3 * HEARTBEAT_MS + 300);
  js_signal (link->js, SIGCONT);
  link_close (link);
}

void
interop_add_heartbeat_cases (void)
{
  add_both ("heartbeat/upstream-20mib-both-ways", test_upstream_huge_both_ways);
  add_both ("heartbeat/pong-behind-20mib", test_pong_behind_huge);
  add_both ("heartbeat/duplicate-pings", test_duplicate_pings);
  add_both ("heartbeat/upstream-drops-stalled-us", test_upstream_drops_stalled);
  add_both ("heartbeat/stalled-upstream-peer-dropped", test_stalled_upstream_peer_dropped);
}

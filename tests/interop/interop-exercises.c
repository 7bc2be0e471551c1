/* interop-exercises.c: what several interop cases run over a link: the
 * same data as js-peer.js makes, messages, requests and 5 MiB each way
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "interop.h"

/* Test data */

static const gunichar big_alphabet[] = {
  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
  'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', ' ',
  'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N',
  'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  0xE9, 0x6F22, 0x5B57, '"', '\\', '\n', 0x20AC,
  0x1F600, /* only when astral */
};

/* The same generator as bigString() in js-peer.js: @units UTF-16 code
 * units of pseudo-random text (ASCII, é, 漢, 字, €, JSON escapes and,
 * with @astral, 😀). */
char *
big_string (guint units,
            guint32 seed,
            gboolean astral)
{
  guint n_alpha = G_N_ELEMENTS (big_alphabet) - (astral ? 0 : 1);
  GString *out = g_string_sized_new (units * 2);
  guint32 x = seed;
  guint n = 0;

  while (n < units)
    {
      gunichar c;

      x = x * 1103515245u + 12345u;
      c = big_alphabet[(x >> 16) % n_alpha];
      if (c > 0xFFFF && units - n < 2)
        c = 'x';
      g_string_append_unichar (out, c);
      n += c > 0xFFFF ? 2 : 1;
    }
  return g_string_free (out, FALSE);
}

/* A JavaScript string's length. */
guint
utf16_length (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    n += g_utf8_get_char (p) > 0xFFFF ? 2 : 1;
  return n;
}

char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* @to_js, sent by the C side, reaches the JavaScript side, and @to_c the
 * other way. */
void
assert_link_carries (Link     *link,
                     JsonNode *to_js,
                     JsonNode *to_c)
{
  g_autoptr(JsonNode) event = NULL;
  g_autoptr(JsonNode) got = NULL;

  send_local (link->peer, to_js);
  event = js_expect (link->js, "message", 5000);
  assert_json_equal (msg_member (event, "msg"), to_js);

  js_command_with (link->js, "send", "msg", to_c);
  g_assert_true (WAIT_FOR (link->c->messages.length > 0, 5000));
  got = g_queue_pop_head (&link->c->messages);
  assert_json_equal (got, to_c);
}

/* Both ways: a message from each side reaches the other. */
void
assert_link_works (Link *link)
{
  g_autoptr(JsonNode) to_js = json_checked ("\"still here, é 漢字 😀\"");
  g_autoptr(JsonNode) to_c = json_checked ("{\"back\":\"ü 字 😀\"}");

  assert_link_carries (link, to_js, to_c);
}

const char *
dir_name (Direction dir)
{
  return dir == DIR_JS_SERVER ? "JS server <- C client" : "C server <- JS client";
}

static const char * const unicode_messages[] = {
  "\"héllo wörld\"",
  "\"漢字 and 日本語のテキスト\"",
  "\"emoji 😀 👍🏽 🇫🇷 and a lone BMP one: ☃\"",
  "{\"text\":\"é漢字😀\",\"n\":42,\"f\":-3.5,\"list\":[1,\"ü\",null,true,false],"
  "\"nested\":{\"k€y\":\"välue\",\"empty\":{},\"arr\":[]}}",
  "\"escapes: quote \\\" backslash \\\\ newline \\n tab \\t control \\u0001 \\u0007 \\u007f\"",
  "[\"\\u00ff\\u0100\\u07ff\\u0800\\ufffd\", \"😀😀😀\"]",
  "\"ÿþ\\u0080\\u00c3\"",
  "12345",
  "true",
};

/* Every message of unicode_messages, each way, in order. */
void
exchange_messages (Link *link)
{
  guint n = G_N_ELEMENTS (unicode_messages);

  /* C -> JavaScript, in order */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_checked (unicode_messages[i]);

      send_local (link->peer, msg);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_checked (unicode_messages[i]);
      g_autoptr(JsonNode) event = js_expect (link->js, "message", 5000);

      assert_json_equal (msg_member (event, "msg"), msg);
      g_assert_cmpstr (msg_string (event, "id"), ==, any_socket_get_id (link->c->socket));
      g_assert_cmpint (msg_required_int (event, "seq"), >, 0);
    }

  /* JavaScript -> C, in order */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_checked (unicode_messages[i]);

      js_command_with (link->js, "send", "msg", msg);
    }
  g_assert_true (WAIT_FOR (link->c->messages.length >= n, 5000));
  g_assert_cmpuint (link->c->messages.length, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_checked (unicode_messages[i]);
      g_autoptr(JsonNode) got = g_queue_pop_head (&link->c->messages);

      assert_json_equal (got, msg);
    }
}


static void
request_slot_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RequestSlot *slot = user_data;

  slot->requests->results[slot->index] = g_object_ref (result);
  slot->requests->done++;
}

/* Sends @count echo requests at once: {"op":"echo","data":"req ... #i","i":i}
 * for i from @first. */
void
c_requests_start (Requests *requests,
                  AnyPeer  *peer,
                  guint     first,
                  guint     count)
{
  g_assert_cmpuint (count, <=, N_REQUESTS);
  memset (requests, 0, sizeof *requests);
  requests->first = first;
  requests->count = count;
  for (guint k = 0; k < count; k++)
    {
      g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      guint i = first + k;
      g_autofree char *text = g_strdup_printf ("req é 漢字 😀 #%u", i);

      json_object_set_string_member (object, "op", "echo");
      json_object_set_string_member (object, "data", text);
      json_object_set_int_member (object, "i", i);
      json_node_take_object (msg, object);
      requests->slots[k].requests = requests;
      requests->slots[k].index = k;
      any_peer_request_async (peer, msg, 10000, NULL, request_slot_done, &requests->slots[k]);
    }
}

/* Waits for every reply and checks it; the replies' seqs go into @seqs,
 * where each must be new. */
void
c_requests_finish (Requests   *requests,
                   AnyPeer    *peer,
                   GHashTable *seqs)
{
  if (!WAIT_FOR (requests->done == requests->count, 15000))
    g_error ("only %u of %u requests answered", requests->done, requests->count);

  for (guint k = 0; k < requests->count; k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPacket) reply = any_peer_request_finish (peer, requests->results[k], &error);
      guint i = requests->first + k;
      g_autofree char *text = g_strdup_printf ("req é 漢字 😀 #%u", i);
      JsonObject *object;

      g_assert_no_error (error);
      g_assert_true (any_packet_is_reply (reply));
      g_assert_cmpint (any_packet_get_seq (reply), <, 0);
      g_assert_true (any_packet_get_peer (reply) == peer);
      g_assert_false (g_hash_table_contains (seqs, GINT_TO_POINTER (any_packet_get_seq (reply))));
      g_hash_table_add (seqs, GINT_TO_POINTER (any_packet_get_seq (reply)));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (any_packet_get_msg (reply)));
      object = json_node_get_object (any_packet_get_msg (reply));
      g_assert_cmpstr (json_object_get_string_member (object, "echo"), ==, text);
      g_assert_cmpint (json_object_get_int_member (object, "i"), ==, i);
      g_clear_object (&requests->results[k]);
    }
}

/* N_REQUESTS echo requests in flight at once, each way. */
void
exchange_requests (Link *link)
{
  Direction dir = link->dir;
  guint echoes_before = link->c->echoes;
  Requests requests;
  g_autoptr(GHashTable) seqs = g_hash_table_new (NULL, NULL);
  g_autoptr(JsonNode) done = NULL;
  gint64 start;

  /* C -> JavaScript: 64 in flight at once */
  start = g_get_monotonic_time ();
  c_requests_start (&requests, link->peer, 0, N_REQUESTS);
  g_assert_cmpuint (requests.done, ==, 0);
  c_requests_finish (&requests, link->peer, seqs);
  note ("%s: %d C->JS requests answered in %" G_GINT64_FORMAT " ms", dir_name (dir),
                  N_REQUESTS, (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpuint (g_hash_table_size (seqs), ==, N_REQUESTS);

  /* JavaScript -> C: 64 send(msg, true) at once, we answer each */
  js_command_text (link->js, "{\"cmd\":\"requests\",\"count\":64,\"prefix\":\"js é 漢字 😀 #\"}");
  done = js_expect (link->js, "requests_done", 15000);
  note ("%s: %d JS->C requests answered in %" G_GINT64_FORMAT " ms", dir_name (dir),
                  N_REQUESTS, msg_required_int (done, "ms"));
  g_assert_cmpint (msg_required_int (done, "count"), ==, N_REQUESTS);
  g_assert_cmpint (msg_required_int (done, "ok"), ==, N_REQUESTS);
  g_assert_cmpuint (link->c->echoes - echoes_before, ==, N_REQUESTS);
}

/* 5 MiB each way, content checked; returns the times in ms (request +
 * reply) through @c_to_js_ms and @js_to_c_ms (nullable). */
void
exchange_big (Link   *link,
              gint64 *c_to_js_ms,
              gint64 *js_to_c_ms)
{
  Direction dir = link->dir;
  g_autofree char *to_js = big_string (BIG_UNITS, 0xC0FFEE, TRUE);
  g_autofree char *to_js_sha = sha256_hex (to_js);
  g_autofree char *to_c = NULL;
  g_autofree char *to_c_sha = NULL;
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) hashed = NULL;
  g_autoptr(JsonNode) big_done = NULL;
  g_autoptr(JsonNode) expected_reply = NULL;
  JsonObject *answer;
  gint64 start, elapsed;

  g_assert_cmpuint (utf16_length (to_js), ==, BIG_UNITS);

  /* C -> JavaScript: 5 MiB (with astral characters, never cut in two by
   * the chunking), answered with its length and SHA-256 */
  json_object_set_string_member (object, "op", "hash");
  json_object_set_string_member (object, "data", to_js);
  json_node_take_object (msg, object);
  start = g_get_monotonic_time ();
  reply = request_local (link->peer, msg, 30000, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  note ("%s: 5 MiB C->JS (%zu UTF-8 bytes) request + reply in %" G_GINT64_FORMAT " ms",
                  dir_name (dir), strlen (to_js), elapsed / 1000);
  answer = json_node_get_object (any_packet_get_msg (reply));
  g_assert_cmpint (json_object_get_int_member (answer, "len"), ==, BIG_UNITS);
  g_assert_cmpstr (json_object_get_string_member (answer, "sha256"), ==, to_js_sha);
  hashed = js_expect (link->js, "hashed", 5000);
  g_assert_cmpstr (msg_string (hashed, "sha256"), ==, to_js_sha);

  /* JavaScript -> C: 5 MiB of BMP text (the JavaScript peer cuts chunks by
   * UTF-16 units and could split a surrogate pair), compared exactly */
  to_c = big_string (BIG_UNITS, 0xBEEF, FALSE);
  to_c_sha = sha256_hex (to_c);
  js_command_text (link->js, "{\"cmd\":\"send_big\",\"units\":5242880,\"seed\":48879,\"astral\":false}");
  big_done = js_expect (link->js, "big_done", 30000);
  note ("%s: 5 MiB JS->C (%zu UTF-8 bytes) request + reply in %" G_GINT64_FORMAT " ms",
                  dir_name (dir), strlen (to_c), msg_required_int (big_done, "ms"));
  g_assert_cmpint (msg_required_int (big_done, "len"), ==, BIG_UNITS);
  g_assert_cmpstr (msg_string (big_done, "sha256"), ==, to_c_sha);
  g_assert_nonnull (link->c->hashed);
  g_assert_cmpuint (strlen (link->c->hashed), ==, strlen (to_c));
  g_assert_true (strcmp (link->c->hashed, to_c) == 0);
  expected_reply = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  json_object_set_int_member (object, "len", BIG_UNITS);
  json_object_set_string_member (object, "sha256", to_c_sha);
  json_node_take_object (expected_reply, object);
  assert_json_equal (msg_member (big_done, "reply"), expected_reply);
  if (c_to_js_ms != NULL)
    *c_to_js_ms = elapsed / 1000;
  if (js_to_c_ms != NULL)
    *js_to_c_ms = msg_required_int (big_done, "ms");
}

JsonNode *
js_capture_report (JsPeer *js)
{
  js_command_text (js, "{\"cmd\":\"capture_report\"}");
  return js_expect (js, "capture", 5000);
}

void
js_capture_start (JsPeer *js)
{
  g_autoptr(JsonNode) started = NULL;

  js_command_text (js, "{\"cmd\":\"capture_start\"}");
  started = js_expect (js, "capture_started", 5000);
}

gint64
capture_count (JsonNode   *report,
               const char *side,
               const char *member)
{
  JsonObject *object = json_object_get_object_member (json_node_get_object (report), side);

  return json_object_get_int_member (object, member);
}

gint64
capture_type_count (JsonNode   *report,
                    const char *side,
                    const char *type)
{
  JsonObject *object = json_object_get_object_member (json_node_get_object (report), side);
  JsonObject *types = json_object_get_object_member (object, "types");

  return json_object_get_int_member_with_default (types, type, 0);
}

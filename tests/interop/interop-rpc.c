/* interop-rpc.c: RPC against the JavaScript peer, both ways
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <signal.h>
#include <string.h>

#include "interop.h"

/* RPC (PROTOCOL.md 7), both ways: the JavaScript `peer.rpc.a.b(...)`
 * served by AnySocket::rpc handlers, and any_peer_call_async() /
 * any_peer_invoke_async() served by the JavaScript `setRPC()` (js-peer.js
 * --rpc). Binary params and results travel as base64 listed in "bin". */

#define RPC_BIG_BYTES   (1024 * 1024 + 3)

static const char * const rpc_js_args[] = { "--rpc", NULL };

/* Bytes that are not text, not repeating with a short period. */
static GBytes *
rpc_pattern (gsize len)
{
  guint8 *data = g_malloc (len + 1);
  guint32 x = 12345;

  for (gsize i = 0; i < len; i++)
    {
      x = x * 1103515245u + 12345u;
      data[i] = (guint8) (x >> 16);
    }
  return g_bytes_new_take (data, len);
}

static char *
rpc_base64 (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return g_base64_encode (data, len);
}

/* {"len": N, "sha256": hex}: how both sides describe a binary param. */
static JsonNode *
rpc_bytes_info (GBytes *bytes, gboolean with_is_buffer)
{
  g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_autofree char *text = g_strdup_printf ("{%s\"len\":%" G_GSIZE_FORMAT ",\"sha256\":\"%s\"}",
                                           with_is_buffer ? "\"is_buffer\":true," : "",
                                           g_bytes_get_size (bytes), digest);

  return json_checked (text);
}

/* The C side's methods */

static gboolean
on_c_rpc_add (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) sum = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (sum, json_array_get_int_element (params, 0) + json_array_get_int_element (params, 1));
  any_rpc_call_return_value (call, sum);
  return TRUE;
}

/* Each param back, a binary one as {"len", "sha256"}. */
static gboolean
on_c_rpc_bytes_info (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) answer = json_node_new (JSON_NODE_ARRAY);
  JsonArray *described = json_array_new ();

  for (guint i = 0; i < json_array_get_length (params); i++)
    {
      g_autoptr(GBytes) bytes = any_rpc_call_get_param_bytes (call, i);

      json_array_add_element (described, bytes ? rpc_bytes_info (bytes, FALSE)
                                               : json_node_copy (json_array_get_element (params, i)));
    }
  json_node_take_array (answer, described);
  any_rpc_call_return_value (call, answer);
  return TRUE;
}

/* [len, byte]: len times byte, binary. */
static gboolean
on_c_rpc_bytes_make (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  gsize len = json_array_get_int_element (params, 0);
  guint8 *data = g_malloc (len + 1);
  g_autoptr(GBytes) bytes = NULL;

  memset (data, (int) json_array_get_int_element (params, 1), len);
  bytes = g_bytes_new_take (data, len);
  any_rpc_call_return_bytes (call, bytes);
  return TRUE;
}

static gboolean
on_c_rpc_fail (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  any_rpc_call_return_error_literal (call, "C handler failure \u00e9");
  return TRUE;
}

static gboolean
complete_later (gpointer user_data)
{
  AnyRpcCall *call = user_data;
  g_autoptr(JsonNode) answer = json_checked ("\"later \u2713\"");

  any_rpc_call_return_value (call, answer);
  return G_SOURCE_REMOVE;
}

static gboolean
on_c_rpc_later (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  g_timeout_add_full (G_PRIORITY_DEFAULT, 50, complete_later, g_object_ref (call), g_object_unref);
  return TRUE;
}

/* Sends {"cmd":"rpc", ...} and returns the answer's event. */
static JsonNode *
js_rpc (JsPeer     *js,
        const char *command,
        const char *event)
{
  js_command_text (js, command);
  return js_expect (js, event, 10000);
}

static void
test_rpc_js_calls_c (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);
  g_autoptr(GBytes) big = rpc_pattern (RPC_BIG_BYTES);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autofree char *big_base64 = rpc_base64 (big);
  g_autofree char *info_command = NULL;
  g_autoptr(JsonNode) expected_info = NULL;
  JsonNode *ev;
  JsonObject *error;
  gsize made_len = 0;
  g_autofree guint8 *made_data = NULL;

  g_signal_connect (link->c->socket, "rpc::math.add", G_CALLBACK (on_c_rpc_add), NULL);
  g_signal_connect (link->c->socket, "rpc::bytes.info", G_CALLBACK (on_c_rpc_bytes_info), NULL);
  g_signal_connect (link->c->socket, "rpc::bytes.make", G_CALLBACK (on_c_rpc_bytes_make), NULL);
  g_signal_connect (link->c->socket, "rpc::fail", G_CALLBACK (on_c_rpc_fail), NULL);
  g_signal_connect (link->c->socket, "rpc::later", G_CALLBACK (on_c_rpc_later), NULL);

  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"math\",\"add\"],\"params\":[2,40]}", "rpc_result");
  g_assert_cmpint (msg_required_int (ev, "result"), ==, 42);
  g_assert_null (msg_member (ev, "buffer"));
  json_node_unref (ev);

  /* Buffers: the JavaScript caller lists them as "bin": ["1","2"]. */
  info_command = g_strdup_printf ("{\"cmd\":\"rpc\",\"path\":[\"bytes\",\"info\"],"
                                  "\"params\":[\"label \u00e9\",\"%s\",\"\"],\"buffers\":[1,2]}", big_base64);
  ev = js_rpc (link->js, info_command, "rpc_result");
  {
    g_autoptr(JsonNode) big_info = rpc_bytes_info (big, FALSE);
    g_autoptr(JsonNode) empty_info = rpc_bytes_info (empty, FALSE);
    g_autofree char *big_text = json_to_string (big_info, FALSE);
    g_autofree char *empty_text = json_to_string (empty_info, FALSE);
    g_autofree char *text = g_strdup_printf ("[\"label \u00e9\",%s,%s]", big_text, empty_text);

    expected_info = json_checked (text);
  }
  assert_json_equal (msg_member (ev, "result"), expected_info);
  json_node_unref (ev);

  /* A binary result arrives as a Buffer. */
  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"bytes\",\"make\"],\"params\":[1000,171]}", "rpc_result");
  g_assert_true (json_object_get_boolean_member_with_default (json_node_get_object (ev), "buffer", FALSE));
  made_data = g_base64_decode (msg_string (ev, "result"), &made_len);
  g_assert_cmpuint (made_len, ==, 1000);
  for (gsize i = 0; i < made_len; i++)
    g_assert_cmpuint (made_data[i], ==, 171);
  json_node_unref (ev);

  /* A handler's error is a 500; a method nobody serves a 404. */
  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"fail\"],\"params\":[]}", "rpc_error");
  error = json_node_get_object (msg_member (ev, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 500);
  g_assert_cmpstr (json_object_get_string_member (error, "error"), ==, "C handler failure \u00e9");
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'fail'");
  json_node_unref (ev);

  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"math\",\"sub\"],\"params\":[1]}", "rpc_error");
  error = json_node_get_object (msg_member (ev, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (error, "error"), ==, "Method not found!");
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'math,sub'");
  json_node_unref (ev);

  /* Completed later, from a timeout. */
  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"later\"]}", "rpc_result");
  g_assert_cmpstr (msg_string (ev, "result"), ==, "later \u2713");
  json_node_unref (ev);

  g_assert_null (js_take (link->js, "rpc_timeout"));
  g_assert_cmpuint (link->c->messages.length, ==, 0);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  assert_link_works (link);
  link_close (link);
}

/* Calls @method on the JavaScript peer with the params of @params_json. */
static JsonNode *
c_call (AnyPeer     *peer,
        const char  *method,
        const char  *params_json,
        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) params = json_checked (params_json);

  any_peer_call_async (peer, method, json_node_get_array (params), NULL, store_result, &result);
  g_assert_true (WAIT_FOR (result != NULL, 10000));
  return any_peer_call_finish (peer, result, error);
}

static gboolean
c_invoke (AnyPeer     *peer,
          AnyRpcCall  *call,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  any_peer_invoke_async (peer, call, 10000, NULL, store_result, &result);
  g_assert_true (WAIT_FOR (result != NULL, 12000));
  return any_peer_invoke_finish (peer, result, error);
}

static void
assert_c_call (AnyPeer    *peer,
               const char *method,
               const char *params_json,
               const char *expected_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) got = c_call (peer, method, params_json, &error);
  g_autoptr(JsonNode) expected = json_checked (expected_json);

  g_assert_no_error (error);
  assert_json_equal (got, expected);
}

static void
assert_c_call_fails (AnyPeer    *peer,
                     const char *method,
                     int         code,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) got = c_call (peer, method, "[]", &error);

  g_assert_null (got);
  g_assert_error (error, ANY_RPC_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_rpc_c_calls_js (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, rpc_js_args);
  g_autoptr(GBytes) big = rpc_pattern (RPC_BIG_BYTES);
  g_autoptr(GBytes) small = rpc_pattern (1000);
  g_autoptr(GError) error = NULL;

  assert_c_call (link->peer, "math.add", "[2,40]", "42");
  assert_c_call (link->peer, "echo", "[\"\u00e9\u6f22\u5b57\U0001F600\",{\"a\":[1,null,true]},[]]",
                 "[\"\u00e9\u6f22\u5b57\U0001F600\",{\"a\":[1,null,true]},[]]");

  /* A binary param is a Buffer there. */
  {
    g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.info");
    g_autoptr(JsonNode) expected = rpc_bytes_info (big, TRUE);

    any_rpc_call_add_bytes_param (call, big);
    g_assert_true (c_invoke (link->peer, call, &error));
    g_assert_no_error (error);
    assert_json_equal (any_rpc_call_get_result (call), expected);
    g_assert_null (any_rpc_call_get_result_bytes (call));
  }

  /* Binary both ways. */
  {
    g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.reverse");
    g_autoptr(GBytes) got = NULL;
    const guint8 *sent, *back;
    gsize len;

    any_rpc_call_add_bytes_param (call, small);
    g_assert_true (c_invoke (link->peer, call, &error));
    g_assert_no_error (error);
    got = any_rpc_call_get_result_bytes (call);
    g_assert_nonnull (got);
    g_assert_cmpuint (g_bytes_get_size (got), ==, 1000);
    sent = g_bytes_get_data (small, &len);
    back = g_bytes_get_data (got, NULL);
    for (gsize i = 0; i < len; i++)
      g_assert_cmpuint (back[i], ==, sent[len - 1 - i]);
  }

  /* A Buffer result: bytes through invoke, base64 through call. */
  {
    g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.make");
    g_autoptr(JsonNode) len = json_checked ("1000");
    g_autoptr(JsonNode) byte = json_checked ("171");
    g_autoptr(GBytes) got = NULL;
    g_autoptr(JsonNode) as_call = NULL;
    g_autofree char *expected_base64 = NULL;
    guint8 expected[1000];

    any_rpc_call_add_param (call, len);
    any_rpc_call_add_param (call, byte);
    g_assert_true (c_invoke (link->peer, call, &error));
    g_assert_no_error (error);
    got = any_rpc_call_get_result_bytes (call);
    memset (expected, 171, sizeof expected);
    g_assert_nonnull (got);
    g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), expected, sizeof expected);

    as_call = c_call (link->peer, "bytes.make", "[3,171]", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_node_get_string (as_call), ==, "q6ur");
  }

  /* Errors: a throwing method is a 500 with its message; an async one
   * loses it (the JavaScript peer sends the Error object, which JSON
   * makes {}); a rejected string stays a string. */
  assert_c_call_fails (link->peer, "fail.sync", ANY_RPC_ERROR_FAILED, "sync failure \u00e9 (method: 'fail,sync')");
  assert_c_call_fails (link->peer, "fail.async", ANY_RPC_ERROR_FAILED, "{} (method: 'fail,async')");
  assert_c_call_fails (link->peer, "fail.reject", ANY_RPC_ERROR_FAILED, "plain rejection (method: 'fail,reject')");
  assert_c_call_fails (link->peer, "no.such", ANY_RPC_ERROR_NOT_FOUND, "Method not found! (method: 'no,such')");
  assert_c_call_fails (link->peer, "notAFunction", ANY_RPC_ERROR_NOT_FOUND,
                       "Method not found! (method: 'notAFunction')");
  /* The JavaScript callee looks methods up through the prototype chain
   * of its table: "toString" is Object.prototype.toString. */
  assert_c_call (link->peer, "toString", "[]", "\"[object Object]\"");

  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  assert_link_works (link);
  link_close (link);
}

void
interop_add_rpc_cases (void)
{
  add_both ("rpc/js-calls-c", test_rpc_js_calls_c);
  add_both ("rpc/c-calls-js", test_rpc_c_calls_js);
}

/* test-rpc.c: RPC between two libanysocket endpoints over loopback
 *
 * The server serves methods through AnySocket::rpc, the client calls them
 * with any_peer_call_async() and any_peer_invoke_async(). Linked with the
 * private layers for what the public API cannot do: sending an
 * RPC_NOTIFY, and reading hand-made replies.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loopback.h"
#include "api/any-peer-private.h"
#include "api/any-rpc-call-private.h"
#include "protocol/any-rpc-wire.h"

typedef struct {
  AnySocket *server;
  AnySocket *client;
  AnyPeer   *server_side;  /* the client, as the server sees it */
  AnyPeer   *client_side;  /* the server, as the client sees it */
  GPtrArray *kept;         /* AnyRpcCall that handlers kept for later */
  GPtrArray *seen;         /* "handler method" of every handler run */
  guint      later_source;
} Fixture;

typedef struct {
  gboolean  done;
  JsonNode *value;         /* any_peer_call_finish() */
  gboolean  ok;            /* any_peer_invoke_finish() */
  GError   *error;
} CallResult;

static void
call_result_clear (CallResult *r)
{
  g_clear_pointer (&r->value, json_node_unref);
  g_clear_error (&r->error);
  r->done = FALSE;
  r->ok = FALSE;
}

static void
record_server_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  Fixture *fx = user_data;

  g_set_object (&fx->server_side, peer);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  guint port;

  fx->server = any_socket_new ();
  fx->client = any_socket_new ();
  fx->kept = g_ptr_array_new_with_free_func (g_object_unref);
  fx->seen = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fx->server, "connected", G_CALLBACK (record_server_connected), fx);

  port = listen_local (fx->server);
  fx->client_side = connect_local (fx->client, port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->client_side);
  for (int i = 0; i < 500 && fx->server_side == NULL; i++)
    iterate_for (10);
  g_assert_nonnull (fx->server_side);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_handle_id (&fx->later_source, g_source_remove);
  /* Kept calls answer (500) as they go: before the sockets stop. */
  g_ptr_array_unref (fx->kept);
  g_ptr_array_unref (fx->seen);
  any_socket_stop (fx->client);
  any_socket_stop (fx->server);
  g_clear_object (&fx->client_side);
  g_clear_object (&fx->server_side);
  g_clear_object (&fx->client);
  g_clear_object (&fx->server);
  drain ();
}

/* Calling */

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallResult *r = user_data;

  r->value = any_peer_call_finish (ANY_PEER (source), result, &r->error);
  g_assert_true ((r->value == NULL) != (r->error == NULL));
  r->done = TRUE;
}

static void
on_invoke_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallResult *r = user_data;

  r->ok = any_peer_invoke_finish (ANY_PEER (source), result, &r->error);
  g_assert_true (r->ok == (r->error == NULL));
  r->done = TRUE;
}

/* Calls @method with the params of @params_json (NULL: none) and waits
 * for the answer. */
static void
call (AnyPeer *peer, const char *method, const char *params_json, CallResult *r)
{
  g_autoptr(JsonNode) params = params_json ? json_from_string (params_json, NULL) : NULL;

  g_assert_true (params_json == NULL || JSON_NODE_HOLDS_ARRAY (params));
  any_peer_call_async (peer, method, params ? json_node_get_array (params) : NULL, NULL, on_call_done, r);
  g_assert_true (wait_for (&r->done, WAIT_MS));
}

static void
invoke (AnyPeer *peer, AnyRpcCall *rpc, guint timeout_ms, CallResult *r)
{
  any_peer_invoke_async (peer, rpc, timeout_ms, NULL, on_invoke_done, r);
  g_assert_true (wait_for (&r->done, WAIT_MS));
}

static void
assert_json (JsonNode *node, const char *expected)
{
  g_autoptr(JsonNode) parsed = json_from_string (expected, NULL);
  g_autofree char *got = node ? json_to_string (node, FALSE) : g_strdup ("(null)");
  g_autofree char *want = json_to_string (parsed, FALSE);

  g_assert_cmpstr (got, ==, want);
}

static GBytes *
pattern_bytes (gsize len)
{
  guint8 *data = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + i / 251);
  return g_bytes_new_take (data, len);
}

static GBytes *
reversed_bytes (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint8 *out = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    out[i] = data[len - 1 - i];
  return g_bytes_new_take (out, len);
}

/* Handlers */

static void
note_seen (Fixture *fx, const char *handler, AnyRpcCall *rpc)
{
  g_ptr_array_add (fx->seen, g_strdup_printf ("%s %s", handler, any_rpc_call_get_method (rpc)));
}

/* rpc::math.add: the sum of the integer params. */
static gboolean
on_math_add (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  JsonArray *params = any_rpc_call_get_params (rpc);
  g_autoptr(JsonNode) sum = json_node_new (JSON_NODE_VALUE);
  gint64 total = 0;

  note_seen (fx, "add", rpc);
  g_assert_true (any_rpc_call_get_peer (rpc) == fx->server_side);
  g_assert_true (any_rpc_call_get_wants_reply (rpc));
  g_assert_cmpstr (any_rpc_call_get_method (rpc), ==, "math.add");
  for (guint i = 0; i < json_array_get_length (params); i++)
    {
      g_assert_null (any_rpc_call_get_param_bytes (rpc, i));
      total += json_array_get_int_element (params, i);
    }
  json_node_set_int (sum, total);
  any_rpc_call_return_value (rpc, sum);
  return TRUE;
}

/* rpc::echo: the params back, as an array; rpc::nothing: no result. */
static gboolean
on_echo (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  g_autoptr(JsonNode) params = json_node_new (JSON_NODE_ARRAY);

  note_seen (fx, "echo", rpc);
  json_node_set_array (params, any_rpc_call_get_params (rpc));
  any_rpc_call_return_value (rpc, g_str_equal (any_rpc_call_get_method (rpc), "nothing") ? NULL : params);
  return TRUE;
}

/* rpc::bytes.reverse: param 0 binary, param 1 a label: the bytes
 * reversed, binary. */
static gboolean
on_bytes_reverse (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  JsonArray *params = any_rpc_call_get_params (rpc);
  g_autoptr(GBytes) bytes = any_rpc_call_get_param_bytes (rpc, 0);
  g_autoptr(GBytes) reversed = NULL;

  note_seen (fx, "reverse", rpc);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (json_array_get_length (params), ==, 2);
  /* The binary param is there as its base64 too. */
  g_assert_cmpuint (strlen (json_array_get_string_element (params, 0)), ==,
                    (g_bytes_get_size (bytes) + 2) / 3 * 4);
  g_assert_cmpstr (json_array_get_string_element (params, 1), ==, "label é");
  g_assert_null (any_rpc_call_get_param_bytes (rpc, 1));
  g_assert_null (any_rpc_call_get_param_bytes (rpc, 2));
  reversed = reversed_bytes (bytes);
  any_rpc_call_return_bytes (rpc, reversed);
  return TRUE;
}

/* rpc::fail.gerror and rpc::fail.literal */
static gboolean
on_fail (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  note_seen (fx, "fail", rpc);
  if (g_str_equal (any_rpc_call_get_method (rpc), "fail.gerror"))
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "Disk full ✗");

      any_rpc_call_return_error (rpc, error);
    }
  else
    {
      any_rpc_call_return_error_literal (rpc, "Literal failure");
    }
  return TRUE;
}

/* rpc::keep: takes the call and keeps it, unanswered. */
static gboolean
on_keep (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  note_seen (fx, "keep", rpc);
  g_ptr_array_add (fx->kept, g_object_ref (rpc));
  return TRUE;
}

/* rpc::drop: takes the call and forgets it. */
static gboolean
on_drop (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  note_seen (fx, "drop", rpc);
  return TRUE;
}

/* Value results */

static void
test_value (Fixture *fx, gconstpointer data)
{
  CallResult r = { 0 };

  g_signal_connect (fx->server, "rpc::math.add", G_CALLBACK (on_math_add), fx);
  g_signal_connect (fx->server, "rpc::echo", G_CALLBACK (on_echo), fx);
  g_signal_connect (fx->server, "rpc::nothing", G_CALLBACK (on_echo), fx);

  call (fx->client_side, "math.add", "[2, 40, -5]", &r);
  g_assert_no_error (r.error);
  assert_json (r.value, "37");
  call_result_clear (&r);

  call (fx->client_side, "echo", "[\"é漢字😀\", {\"a\": [1, 2.5, null, true]}, []]", &r);
  g_assert_no_error (r.error);
  assert_json (r.value, "[\"é漢字😀\", {\"a\": [1, 2.5, null, true]}, []]");
  call_result_clear (&r);

  /* No params: an empty array; no result: null. */
  call (fx->client_side, "echo", NULL, &r);
  assert_json (r.value, "[]");
  call_result_clear (&r);
  call (fx->client_side, "nothing", "[1]", &r);
  g_assert_no_error (r.error);
  g_assert_true (JSON_NODE_HOLDS_NULL (r.value));
  call_result_clear (&r);

  g_assert_cmpuint (fx->seen->len, ==, 4);
  g_assert_true (any_peer_is_connected (fx->client_side));
}

/* Binary params and results, sizes around the base64 groups and over
 * one chunk (1 MiB of characters). */
static void
test_bytes (Fixture *fx, gconstpointer data)
{
  static const gsize sizes[] = { 0, 1, 2, 3, 4, 1024 * 1024 + 7 };
  g_autoptr(JsonNode) label = json_from_string ("\"label é\"", NULL);

  g_signal_connect (fx->server, "rpc::bytes.reverse", G_CALLBACK (on_bytes_reverse), fx);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(AnyRpcCall) rpc = any_rpc_call_new ("bytes.reverse");
      g_autoptr(GBytes) bytes = pattern_bytes (sizes[i]);
      g_autoptr(GBytes) expected = reversed_bytes (bytes);
      g_autoptr(GBytes) got = NULL;
      g_autoptr(GBytes) param = NULL;
      CallResult r = { 0 };

      any_rpc_call_add_bytes_param (rpc, bytes);
      any_rpc_call_add_param (rpc, label);
      param = any_rpc_call_get_param_bytes (rpc, 0);
      g_assert_true (param != NULL && g_bytes_equal (param, bytes));
      g_assert_null (any_rpc_call_get_result (rpc));
      g_assert_null (any_rpc_call_get_peer (rpc));

      any_peer_invoke_async (fx->client_side, rpc, 0, NULL, on_invoke_done, &r);
      g_assert_true (wait_for (&r.done, 20000));
      g_assert_no_error (r.error);
      g_assert_true (r.ok);
      g_assert_true (any_rpc_call_get_peer (rpc) == fx->client_side);
      got = any_rpc_call_get_result_bytes (rpc);
      g_assert_nonnull (got);
      g_assert_cmpuint (g_bytes_get_size (got), ==, sizes[i]);
      g_assert_true (g_bytes_equal (got, expected));
      /* The result itself is the base64 it travelled as. */
      g_assert_cmpuint (strlen (json_node_get_string (any_rpc_call_get_result (rpc))), ==,
                        (sizes[i] + 2) / 3 * 4);
    }

}

/* A binary result through any_peer_call_async() is its base64 string;
 * a plain result through invoke has no bytes. */
static gboolean
on_bytes_make (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("\x00\x01\x02\xff", 4);

  any_rpc_call_return_bytes (rpc, bytes);
  return TRUE;
}

static void
test_bytes_result_forms (Fixture *fx, gconstpointer data)
{
  g_autoptr(AnyRpcCall) plain = any_rpc_call_new ("math.add");
  CallResult r = { 0 };

  g_signal_connect (fx->server, "rpc::bytes.make", G_CALLBACK (on_bytes_make), fx);
  g_signal_connect (fx->server, "rpc::math.add", G_CALLBACK (on_math_add), fx);
  call (fx->client_side, "bytes.make", NULL, &r);
  g_assert_no_error (r.error);
  assert_json (r.value, "\"AAEC/w==\"");
  call_result_clear (&r);

  invoke (fx->client_side, plain, 0, &r);
  g_assert_true (r.ok);
  assert_json (any_rpc_call_get_result (plain), "0");
  g_assert_null (any_rpc_call_get_result_bytes (plain));
}

/* Errors */

static gboolean
decline (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  note_seen (fx, "decline", rpc);
  return FALSE;
}

static void
test_not_found (Fixture *fx, gconstpointer data)
{
  CallResult r = { 0 };

  /* No handler at all. */
  call (fx->client_side, "no.such", "[1]", &r);
  g_assert_error (r.error, ANY_RPC_ERROR, ANY_RPC_ERROR_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "Method not found! (method: 'no,such')");
  call_result_clear (&r);

  /* A handler that declines. */
  g_signal_connect (fx->server, "rpc", G_CALLBACK (decline), fx);
  call (fx->client_side, "no.such", NULL, &r);
  g_assert_error (r.error, ANY_RPC_ERROR, ANY_RPC_ERROR_NOT_FOUND);
  call_result_clear (&r);
  g_assert_cmpuint (fx->seen->len, ==, 1);
  g_assert_cmpstr (fx->seen->pdata[0], ==, "decline no.such");

  /* A name we cannot send fails here. */
  call (fx->client_side, "a..b", NULL, &r);
  g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  call_result_clear (&r);
  call (fx->client_side, "", NULL, &r);
  g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  call_result_clear (&r);
  g_assert_cmpuint (fx->seen->len, ==, 1);
  g_assert_true (any_peer_is_connected (fx->client_side));
}

static void
test_error (Fixture *fx, gconstpointer data)
{
  CallResult r = { 0 };

  g_signal_connect (fx->server, "rpc::fail.gerror", G_CALLBACK (on_fail), fx);
  g_signal_connect (fx->server, "rpc::fail.literal", G_CALLBACK (on_fail), fx);

  call (fx->client_side, "fail.gerror", NULL, &r);
  g_assert_error (r.error, ANY_RPC_ERROR, ANY_RPC_ERROR_FAILED);
  g_assert_cmpstr (r.error->message, ==, "Disk full ✗ (method: 'fail,gerror')");
  call_result_clear (&r);

  call (fx->client_side, "fail.literal", NULL, &r);
  g_assert_error (r.error, ANY_RPC_ERROR, ANY_RPC_ERROR_FAILED);
  g_assert_cmpstr (r.error->message, ==, "Literal failure (method: 'fail,literal')");
  call_result_clear (&r);
  g_assert_true (any_peer_is_connected (fx->client_side));
}

/* Completion later, from the main loop */

static gboolean
complete_kept (gpointer user_data)
{
  Fixture *fx = user_data;
  g_autoptr(JsonNode) answer = json_from_string ("{\"later\": true}", NULL);

  for (guint i = 0; i < fx->kept->len; i++)
    any_rpc_call_return_value (fx->kept->pdata[i], answer);
  g_ptr_array_set_size (fx->kept, 0);
  fx->later_source = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
on_later (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  g_ptr_array_add (fx->kept, g_object_ref (rpc));
  if (fx->later_source == 0)
    fx->later_source = g_timeout_add (100, complete_kept, fx);
  return TRUE;
}

static void
test_later (Fixture *fx, gconstpointer data)
{
  CallResult r[3] = { { 0 } };
  gint64 started = g_get_monotonic_time ();

  g_signal_connect (fx->server, "rpc::later", G_CALLBACK (on_later), fx);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    any_peer_call_async (fx->client_side, "later", NULL, NULL, on_call_done, &r[i]);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_assert_true (wait_for (&r[i].done, WAIT_MS));
      g_assert_no_error (r[i].error);
      assert_json (r[i].value, "{\"later\": true}");
      call_result_clear (&r[i]);
    }
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 100 * 1000);
}

static gboolean
release_kept (gpointer user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_set_size (fx->kept, 0);
  fx->later_source = 0;
  return G_SOURCE_REMOVE;
}

/* A handler that takes the call and drops it, now or after a while: the
 * caller gets a 500 then, not its timeout. */
static void
test_dropped (Fixture *fx, gconstpointer data)
{
  g_autoptr(AnyRpcCall) rpc = any_rpc_call_new ("drop");
  CallResult r = { 0 };
  gint64 started = g_get_monotonic_time ();

  g_signal_connect (fx->server, "rpc::drop", G_CALLBACK (on_drop), fx);
  g_signal_connect (fx->server, "rpc::keep", G_CALLBACK (on_keep), fx);

  any_peer_invoke_async (fx->client_side, rpc, 30000, NULL, on_invoke_done, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_error (r.error, ANY_RPC_ERROR, ANY_RPC_ERROR_FAILED);
  g_assert_cmpstr (r.error->message, ==, "RPC handler returned no result (method: 'drop')");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 1000 * 1000);
  call_result_clear (&r);

  any_peer_call_async (fx->client_side, "keep", NULL, NULL, on_call_done, &r);
  g_assert_true (wait_count ((int *) &fx->kept->len, 1, WAIT_MS));
  fx->later_source = g_timeout_add (50, release_kept, fx);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_error (r.error, ANY_RPC_ERROR, ANY_RPC_ERROR_FAILED);
  call_result_clear (&r);
}

/* Dispatch by detail */

static gboolean
on_detailed (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  g_autoptr(JsonNode) answer = json_from_string ("\"detailed\"", NULL);

  note_seen (fx, "detailed", rpc);
  any_rpc_call_return_value (rpc, answer);
  return TRUE;
}

/* Takes every method under "generic." and declines the others. */
static gboolean
on_generic (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  g_autoptr(JsonNode) answer = json_from_string ("\"generic\"", NULL);

  note_seen (fx, "generic", rpc);
  if (!g_str_has_prefix (any_rpc_call_get_method (rpc), "generic."))
    return FALSE;
  any_rpc_call_return_value (rpc, answer);
  return TRUE;
}

static void
test_detail (Fixture *fx, gconstpointer data)
{
  static const struct {
    const char *method;
    const char *result;    /* NULL: 404 */
    const char *seen;      /* handlers that ran, in order */
  } cases[] = {
    { "x.y",          "\"detailed\"", "generic x.y|detailed x.y" },
    { "generic.one",  "\"generic\"",  "generic generic.one" },
    { "x",            NULL,           "generic x" },
    { "x.y.z",        NULL,           "generic x.y.z" },
    /* Never connected to by name: no quark, the generic handler only. */
    { "never.heard.of", NULL,         "generic never.heard.of" },
  };

  g_signal_connect (fx->server, "rpc", G_CALLBACK (on_generic), fx);
  g_signal_connect (fx->server, "rpc::x.y", G_CALLBACK (on_detailed), fx);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CallResult r = { 0 };
      g_autofree char *seen = NULL;

      g_ptr_array_set_size (fx->seen, 0);
      call (fx->client_side, cases[i].method, NULL, &r);
      if (cases[i].result != NULL)
        {
          g_assert_no_error (r.error);
          assert_json (r.value, cases[i].result);
        }
      else
        g_assert_error (r.error, ANY_RPC_ERROR, ANY_RPC_ERROR_NOT_FOUND);
      g_ptr_array_add (fx->seen, NULL);
      seen = g_strjoinv ("|", (char **) fx->seen->pdata);
      g_assert_cmpstr (seen, ==, cases[i].seen);
      g_ptr_array_set_size (fx->seen, 0);
      call_result_clear (&r);
    }
  g_assert_cmpuint (g_quark_try_string ("never.heard.of"), ==, 0);
}

/* RPC_NOTIFY: the handler runs, nothing is answered. */

static gboolean
on_notified (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  g_autoptr(JsonNode) answer = json_from_string ("1", NULL);

  note_seen (fx, "notified", rpc);
  g_assert_false (any_rpc_call_get_wants_reply (rpc));
  assert_json ((JsonNode *) json_array_get_element (any_rpc_call_get_params (rpc), 0), "\"hi\"");
  /* Completing is allowed, and sends nothing. */
  any_rpc_call_return_value (rpc, answer);
  return TRUE;
}

static void
on_packet_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallResult *r = user_data;
  g_autoptr(AnyPacket) reply = g_task_propagate_pointer (G_TASK (result), &r->error);

  r->done = TRUE;
}

static void
test_notify (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonNode) notify = json_from_string ("{\"type\":4,\"method\":[\"note\"],\"params\":[\"hi\"],\"bin\":[]}", NULL);
  g_autoptr(JsonNode) unserved = json_from_string ("{\"type\":4,\"method\":[\"nobody\"],\"params\":[],\"bin\":[]}", NULL);
  CallResult r = { 0 }, r2 = { 0 }, after = { 0 };

  g_signal_connect (fx->server, "rpc::note", G_CALLBACK (on_notified), fx);
  g_signal_connect (fx->server, "rpc::drop", G_CALLBACK (on_drop), fx);
  g_signal_connect (fx->server, "rpc::math.add", G_CALLBACK (on_math_add), fx);

  /* Sent as requests, so that an answer would show: none comes. */
  _any_peer_request (fx->client_side, ANY_PACKET_TYPE_INTERNAL, notify, 300, NULL, NULL, on_packet_done, &r);
  _any_peer_request (fx->client_side, ANY_PACKET_TYPE_INTERNAL, unserved, 300, NULL, NULL, on_packet_done, &r2);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_true (wait_for (&r2.done, WAIT_MS));
  g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT);
  g_assert_error (r2.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT);
  g_assert_cmpuint (fx->seen->len, ==, 1);
  g_assert_cmpstr (fx->seen->pdata[0], ==, "notified note");
  call_result_clear (&r);
  call_result_clear (&r2);

  call (fx->client_side, "math.add", "[1, 1]", &after);
  assert_json (after.value, "2");
  call_result_clear (&after);
}

/* No answer in time, a peer that leaves */

static void
test_timeout (Fixture *fx, gconstpointer data)
{
  g_autoptr(AnyRpcCall) slow = any_rpc_call_new ("keep");
  g_autoptr(JsonNode) late = json_from_string ("\"late\"", NULL);
  CallResult r = { 0 };
  gint64 started = g_get_monotonic_time ();

  g_signal_connect (fx->server, "rpc::keep", G_CALLBACK (on_keep), fx);
  g_signal_connect (fx->server, "rpc::math.add", G_CALLBACK (on_math_add), fx);
  invoke (fx->client_side, slow, 150, &r);
  g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 150 * 1000);
  g_assert_null (any_rpc_call_get_result (slow));
  call_result_clear (&r);

  /* The late answer is dropped; the link works on. */
  g_assert_cmpuint (fx->kept->len, ==, 1);
  any_rpc_call_return_value (fx->kept->pdata[0], late);
  call (fx->client_side, "math.add", "[20, 22]", &r);
  assert_json (r.value, "42");
  call_result_clear (&r);
  g_assert_true (any_peer_is_connected (fx->client_side));
}

static void
test_disconnect (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonNode) answer = json_from_string ("\"nobody listens\"", NULL);
  CallResult r[2] = { { 0 } };

  g_signal_connect (fx->server, "rpc::keep", G_CALLBACK (on_keep), fx);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    any_peer_call_async (fx->client_side, "keep", NULL, NULL, on_call_done, &r[i]);
  g_assert_true (wait_count ((int *) &fx->kept->len, 2, WAIT_MS));

  any_peer_disconnect (fx->server_side, "Going away");
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_assert_true (wait_for (&r[i].done, WAIT_MS));
      g_assert_error (r[i].error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
      call_result_clear (&r[i]);
    }

  /* Completing or dropping a call of a gone peer does nothing (a critical
   * would abort this test). */
  g_assert_false (any_peer_is_connected (fx->server_side));
  any_rpc_call_return_value (fx->kept->pdata[0], answer);
  g_ptr_array_set_size (fx->kept, 0);
}

static void
test_cancel (Fixture *fx, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CallResult r = { 0 };

  g_signal_connect (fx->server, "rpc::keep", G_CALLBACK (on_keep), fx);
  any_peer_call_async (fx->client_side, "keep", NULL, cancellable, on_call_done, &r);
  g_assert_true (wait_count ((int *) &fx->kept->len, 1, WAIT_MS));
  g_cancellable_cancel (cancellable);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  call_result_clear (&r);
}

/* Misuse is a critical, and changes nothing. */

static gboolean
on_complete_twice (AnySocket *socket, AnyRpcCall *rpc, Fixture *fx)
{
  g_autoptr(JsonNode) first = json_from_string ("\"first\"", NULL);

  any_rpc_call_return_value (rpc, first);
  g_test_expect_message ("AnySocket", G_LOG_LEVEL_CRITICAL, "*already completed*");
  any_rpc_call_return_error_literal (rpc, "second");
  g_test_assert_expected_messages ();
  g_test_expect_message ("AnySocket", G_LOG_LEVEL_CRITICAL, "*was received*");
  any_rpc_call_add_param (rpc, first);
  g_test_assert_expected_messages ();
  return TRUE;
}

static void
test_misuse (Fixture *fx, gconstpointer data)
{
  g_autoptr(AnyRpcCall) outgoing = any_rpc_call_new ("twice");
  g_autoptr(JsonNode) value = json_from_string ("1", NULL);
  CallResult r = { 0 };

  g_signal_connect (fx->server, "rpc::twice", G_CALLBACK (on_complete_twice), fx);

  g_test_expect_message ("AnySocket", G_LOG_LEVEL_CRITICAL, "*not an incoming call*");
  any_rpc_call_return_value (outgoing, value);
  g_test_assert_expected_messages ();

  invoke (fx->client_side, outgoing, 0, &r);
  g_assert_no_error (r.error);
  assert_json (any_rpc_call_get_result (outgoing), "\"first\"");

  /* Sent once only. */
  g_test_expect_message ("AnySocket", G_LOG_LEVEL_CRITICAL, "*sent already*");
  any_rpc_call_add_param (outgoing, value);
  g_test_assert_expected_messages ();
  call_result_clear (&r);
  invoke (fx->client_side, outgoing, 0, &r);
  g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  call_result_clear (&r);
}

/* Replies as they come off the wire (no sockets) */

static void
test_parse_reply (void)
{
  static const struct {
    const char *reply;
    GQuark      domain;
    int         code;
    const char *message;   /* the error, or the result's JSON */
    gsize       bytes;     /* of a binary result, or G_MAXSIZE */
  } cases[] = {
    { "{\"result\":[1,\"a\"],\"bin\":false}", 0, 0, "[1,\"a\"]", G_MAXSIZE },
    { "{\"result\":7}", 0, 0, "7", G_MAXSIZE },
    { "{}", 0, 0, "null", G_MAXSIZE },
    { "{\"error\":null,\"result\":1}", 0, 0, "1", G_MAXSIZE },
    { "{\"result\":\"AAEC/w==\",\"bin\":true}", 0, 0, "\"AAEC/w==\"", 4 },
    { "{\"result\":\"\",\"bin\":true}", 0, 0, "\"\"", 0 },
    { "{\"result\":\"AAEC/w=\",\"bin\":true}", 1, ANY_RPC_ERROR_INVALID_REPLY, NULL, 0 },
    { "{\"result\":12,\"bin\":true}", 1, ANY_RPC_ERROR_INVALID_REPLY, NULL, 0 },
    { "[1]", 1, ANY_RPC_ERROR_INVALID_REPLY, NULL, 0 },
    { "\"error\"", 1, ANY_RPC_ERROR_INVALID_REPLY, NULL, 0 },
    { "{\"error\":\"Method not found!\",\"details\":\"method: 'a,b'\",\"code\":404}",
      1, ANY_RPC_ERROR_NOT_FOUND, "Method not found! (method: 'a,b')", 0 },
    { "{\"error\":\"Boom\",\"details\":\"method: 'a'\",\"code\":500}",
      1, ANY_RPC_ERROR_FAILED, "Boom (method: 'a')", 0 },
    /* A JavaScript Error object arrives as {}; other codes are FAILED. */
    { "{\"error\":{},\"details\":\"method: 'a'\",\"code\":500}", 1, ANY_RPC_ERROR_FAILED, "{} (method: 'a')", 0 },
    { "{\"error\":{\"why\":[1]},\"code\":403}", 1, ANY_RPC_ERROR_FAILED, "{\"why\":[1]}", 0 },
    { "{\"error\":\"x\",\"code\":\"404\",\"details\":7}", 1, ANY_RPC_ERROR_FAILED, "x", 0 },
    { "{\"error\":false}", 1, ANY_RPC_ERROR_FAILED, "false", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) msg = json_from_string (cases[i].reply, NULL);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("reply %s", cases[i].reply);
      g_assert_nonnull (msg);
      ok = _any_rpc_parse_reply (msg, &result, &bytes, &error);
      if (cases[i].domain == 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          assert_json (result, cases[i].message);
          if (cases[i].bytes == G_MAXSIZE)
            g_assert_null (bytes);
          else
            g_assert_cmpuint (g_bytes_get_size (bytes), ==, cases[i].bytes);
        }
      else
        {
          g_assert_false (ok);
          g_assert_null (result);
          g_assert_null (bytes);
          g_assert_error (error, ANY_RPC_ERROR, cases[i].code);
          if (cases[i].message != NULL)
            g_assert_cmpstr (error->message, ==, cases[i].message);
        }
    }
}

/* The request as it goes on the wire: what the JavaScript callee needs
 * (no sockets: a peer that never connected). */
static void
test_request_encoding (void)
{
  g_autoptr(AnyPeer) peer = g_object_new (ANY_TYPE_PEER, NULL);
  g_autoptr(AnyRpcCall) rpc = any_rpc_call_new ("hello.user");
  g_autoptr(AnyRpcCall) plain = any_rpc_call_new ("ping");
  g_autoptr(AnyRpcCall) bad = any_rpc_call_new ("a..b");
  g_autoptr(GBytes) bytes = g_bytes_new_static ("\x00\xff", 2);
  g_autoptr(JsonNode) text = json_from_string ("\"é\"", NULL);
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) plain_request = NULL;
  g_autoptr(GError) error = NULL;

  any_rpc_call_add_param (rpc, text);
  any_rpc_call_add_bytes_param (rpc, bytes);
  any_rpc_call_add_param (rpc, NULL);
  any_rpc_call_add_bytes_param (rpc, bytes);
  request = _any_rpc_call_start (rpc, peer, &error);
  g_assert_no_error (error);
  assert_json (request, "{\"type\":3,\"method\":[\"hello\",\"user\"],"
                        "\"params\":[\"é\",\"AP8=\",null,\"AP8=\"],\"bin\":[1,3]}");
  g_assert_true (any_rpc_call_get_peer (rpc) == peer);
  g_assert_null (_any_rpc_call_start (rpc, peer, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* "bin" is always there, even empty. */
  plain_request = _any_rpc_call_start (plain, peer, &error);
  g_assert_no_error (error);
  assert_json (plain_request, "{\"type\":3,\"method\":[\"ping\"],\"params\":[],\"bin\":[]}");

  g_assert_null (_any_rpc_call_start (bad, peer, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);

  g_assert_true (_any_rpc_method_is_valid ("a"));
  g_assert_true (_any_rpc_method_is_valid ("a.b.c"));
  g_assert_true (_any_rpc_method_is_valid ("é.漢字"));
  g_assert_false (_any_rpc_method_is_valid (".a"));
  g_assert_false (_any_rpc_method_is_valid ("a."));
  g_assert_false (_any_rpc_method_is_valid (""));
  g_assert_false (_any_rpc_method_is_valid ("a\xff"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/rpc/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("value", test_value);
  ADD ("bytes", test_bytes);
  ADD ("bytes-result-forms", test_bytes_result_forms);
  ADD ("not-found", test_not_found);
  ADD ("error", test_error);
  ADD ("later", test_later);
  ADD ("dropped", test_dropped);
  ADD ("detail", test_detail);
  ADD ("notify", test_notify);
  ADD ("timeout", test_timeout);
  ADD ("disconnect", test_disconnect);
  ADD ("cancel", test_cancel);
  ADD ("misuse", test_misuse);
#undef ADD
  g_test_add_func ("/rpc/parse-reply", test_parse_reply);
  g_test_add_func ("/rpc/request-encoding", test_request_encoding);

  return g_test_run ();
}

/* bad-internal.c: hostile INTERNAL requests: unknown types, SYNCED_TIME,
 * RPC
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "bad-input.h"

/* Cases: INTERNAL (PROTOCOL.md 7) */

typedef struct {
  const char *name;
  const char *body;
} BadInternal;

static const BadInternal bad_internals[] = {
  { "type-99",        "{\"type\":99}" },
  { "type-0",         "{\"type\":0}" },
  { "type-string",    "{\"type\":\"3\"}" },
  { "no-type",        "{\"method\":[\"a\"]}" },
  { "not-an-object",  "[3]" },
};

static void
test_internal_unknown (Fixture       *fx,
                       gconstpointer  data)
{
  const BadInternal *c = data;
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, c->body));
  raw_expect_close (fx, raw, "Invalid internal message");
}

static void
test_internal_rpc (Fixture       *fx,
                   gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2,
                           "{\"type\":3,\"method\":[\"a\",\"b\"],\"params\":[],\"bin\":[]}"));
  reply = raw_wait (raw, T_INTERNAL, -2);
  g_assert_nonnull (reply);
  g_assert_null (raw_find (raw, T_LINK, -2));
  object = frame_object (reply, &node);
  g_assert_nonnull (object);
  if (object == NULL)
    return;
  g_assert_cmpint (json_object_get_int_member_with_default (object, "code", 0), ==, 404);
  g_assert_true (json_object_has_member (object, "error"));
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "details", NULL), ==, "method: 'a,b'");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  raw->next_seq = 3;
  raw_expect_alive (fx, raw);
}

/* The other INTERNAL requests get the answers the JavaScript peer expects
 * (or none), and the link stays up. */
static void
test_internal_other (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(JsonNode) time_node = NULL, proxy_node = NULL;
  JsonObject *object;
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, "{\"type\":5,\"time\":1234567}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":2,\"action\":\"proxy\",\"id\":\"00000000000000000000000000000000\"}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 4, "{\"type\":4,\"method\":[\"a\"],\"params\":[],\"bin\":[]}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 5, "{\"type\":1,\"action\":\"connected\",\"id\":\"00000000000000000000000000000000\"}"));

  reply = raw_wait (raw, T_INTERNAL, -2);
  object = frame_object (reply, &time_node);
  g_assert_nonnull (object);
  if (object != NULL)
    {
      g_assert_cmpint (json_object_get_int_member_with_default (object, "o", 0), ==, 1234567);
      g_assert_cmpint (json_object_get_int_member_with_default (object, "t", 0), >, 1234567);
    }
  reply = raw_wait (raw, T_INTERNAL, -3);
  object = frame_object (reply, &proxy_node);
  g_assert_nonnull (object);
  if (object != NULL)
    g_assert_false (json_object_get_boolean_member_with_default (object, "ok", TRUE));

  raw->next_seq = 6;
  raw_expect_alive (fx, raw);
  g_assert_null (raw_find (raw, T_INTERNAL, -4));
  g_assert_null (raw_find (raw, T_INTERNAL, -5));
  g_assert_cmpuint (fx->raw_messages->len, ==, 1);
}

/* Cases: RPC requests (PROTOCOL.md 7). The server serves "rpc.echo",
 * which answers {"params": its params, "bytes": the size of each binary
 * param, null for the others}. A bad call gets the JavaScript peer's
 * error reply (404 for the method, 500 for the rest); the link stays up. */

#define RPC_ECHO_DETAILS "method: 'rpc,echo'"

typedef struct {
  const char *name;
  const char *body;     /* the INTERNAL packet */
  int         code;     /* of the error reply; 0 for a result */
  const char *error;    /* its start, or the result's JSON */
  const char *details;
} BadRpc;

static const BadRpc bad_rpcs[] = {
  /* The method: 404, printed as JavaScript prints it. */
  { "method-string",        "{\"type\":3,\"method\":\"rpc.echo\",\"params\":[],\"bin\":[]}",
    404, "Method not found!", "method: 'rpc.echo'" },
  { "method-missing",       "{\"type\":3,\"params\":[],\"bin\":[]}",
    404, "Method not found!", "method: 'undefined'" },
  { "method-null",          "{\"type\":3,\"method\":null,\"params\":[]}",
    404, "Method not found!", "method: 'null'" },
  { "method-number",        "{\"type\":3,\"method\":12.5,\"params\":[]}",
    404, "Method not found!", "method: '12.5'" },
  { "method-object",        "{\"type\":3,\"method\":{\"rpc\":\"echo\"},\"params\":[]}",
    404, "Method not found!", "method: '[object Object]'" },
  { "method-empty-array",   "{\"type\":3,\"method\":[],\"params\":[]}",
    404, "Method not found!", "method: ''" },
  { "method-non-string-parts", "{\"type\":3,\"method\":[\"rpc\",1,null,true,{\"a\":1},[2,[3]]],\"params\":[]}",
    404, "Method not found!", "method: 'rpc,1,,true,[object Object],2,3'" },
  { "method-empty-part",    "{\"type\":3,\"method\":[\"rpc\",\"\"],\"params\":[]}",
    404, "Method not found!", "method: 'rpc,'" },
  /* Served as "rpc.echo", but a dotted part is not two parts. */
  { "method-dotted-part",   "{\"type\":3,\"method\":[\"rpc.echo\"],\"params\":[]}",
    404, "Method not found!", "method: 'rpc.echo'" },
  { "method-17-parts",      "{\"type\":3,\"method\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
                            "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"],\"params\":[]}",
    404, "Method not found!", "method: 'a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a'" },
  { "method-unknown",       "{\"type\":3,\"method\":[\"rpc\",\"nothing\"],\"params\":[1]}",
    404, "Method not found!", "method: 'rpc,nothing'" },
  /* The params */
  { "params-string",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":\"x\",\"bin\":[]}",
    500, "Invalid RPC params", RPC_ECHO_DETAILS },
  { "params-object",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":{\"0\":1},\"bin\":[]}",
    500, "Invalid RPC params", RPC_ECHO_DETAILS },
  { "params-null",          "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":null,\"bin\":[]}",
    0, "{\"params\":[],\"bytes\":[]}", NULL },
  { "params-missing",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"]}",
    0, "{\"params\":[],\"bytes\":[]}", NULL },
  /* The bin indexes */
  { "bin-string",           "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":\"0\"}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-out-of-range",     "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[1]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-out-of-range-string", "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"1\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-huge-index",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[99999999999999999999]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-negative",         "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[-1]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-negative-string",  "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"-0\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-garbage-string",   "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"zero\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-leading-zero",     "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"00\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-spaced-string",    "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\" 0\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-fraction",         "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[0.5]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-null-entry",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[null]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-duplicate",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[0,\"0\"]}",
    500, "Invalid RPC bin: param 0 listed twice", RPC_ECHO_DETAILS },
  { "bin-no-params",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"bin\":[0]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  /* The binary params */
  { "base64-invalid",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"not base64!\"],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  { "base64-unpadded",      "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AAE\"],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  { "base64-not-a-string",  "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[[1,2]],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  { "base64-null",          "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[null],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  /* What is fine: string indexes as the JavaScript caller sends them,
   * integers, no "bin" at all, an empty string. */
  { "bin-string-index",     "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"x\",\"AAEC\",\"\"],\"bin\":[\"1\",2]}",
    0, "{\"params\":[\"x\",\"AAEC\",\"\"],\"bytes\":[null,3,0]}", NULL },
  { "bin-missing",          "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AAEC\"]}",
    0, "{\"params\":[\"AAEC\"],\"bytes\":[null]}", NULL },
};

static gboolean
on_rpc_echo (AnySocket  *socket,
             AnyRpcCall *call,
             gpointer    user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) answer = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *sizes = json_array_new ();

  for (guint i = 0; i < json_array_get_length (params); i++)
    {
      g_autoptr(GBytes) bytes = any_rpc_call_get_param_bytes (call, i);

      if (bytes != NULL)
        json_array_add_int_element (sizes, g_bytes_get_size (bytes));
      else
        json_array_add_null_element (sizes);
    }
  json_object_set_array_member (object, "params", json_array_ref (params));
  json_object_set_array_member (object, "bytes", sizes);
  json_node_take_object (answer, object);
  any_rpc_call_return_value (call, answer);
  return TRUE;
}

/* The answer to request @seq: an error reply with @code, an @error that
 * starts so and @details (all but the first 40 bytes when @details_prefix),
 * or (@code 0) {"result": @error, "bin": false}. */
static void
raw_expect_rpc_reply (RawClient  *raw,
                      gint32      seq,
                      int         code,
                      const char *error,
                      const char *details,
                      gboolean    details_prefix)
{
  RawFrame *reply = raw_wait (raw, T_INTERNAL, -seq);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_nonnull (reply);
  object = frame_object (reply, &node);
  g_assert_nonnull (object);
  if (object == NULL)
    return;
  if (code == 0)
    {
      g_autoptr(JsonNode) expected = json_or_null (error);

      g_assert_false (json_object_has_member (object, "error"));
      g_assert_false (json_object_get_boolean_member_with_default (object, "bin", TRUE));
      g_assert_true (json_node_equal (json_object_get_member (object, "result"), expected));
      return;
    }
  g_assert_cmpint (json_object_get_int_member_with_default (object, "code", 0), ==, code);
  assert_prefix (json_object_get_string_member_with_default (object, "error", NULL), error);
  if (details_prefix)
    assert_prefix (json_object_get_string_member_with_default (object, "details", NULL), details);
  else
    g_assert_cmpstr (json_object_get_string_member_with_default (object, "details", NULL), ==, details);
}

static void
test_rpc_bad (Fixture       *fx,
              gconstpointer  data)
{
  const BadRpc *c = data;
  RawClient *raw = raw_connect (fx);

  g_signal_connect (fx->server, "rpc::rpc.echo", G_CALLBACK (on_rpc_echo), NULL);
  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, c->body));
  raw_expect_rpc_reply (raw, 2, c->code, c->error, c->details, FALSE);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  raw->next_seq = 3;
  raw_expect_alive (fx, raw);
}

/* A method path of 60,000 bytes, in one part and in 16 parts: 404, and
 * the details quote only its start. */
static void
test_rpc_huge_method (Fixture       *fx,
                      gconstpointer  data)
{
  gboolean split = GPOINTER_TO_INT (data);
  RawClient *raw = raw_connect (fx);
  g_autoptr(GString) body = g_string_new ("{\"type\":3,\"method\":[");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  RawFrame *reply;

  g_signal_connect (fx->server, "rpc::rpc.echo", G_CALLBACK (on_rpc_echo), NULL);
  if (!raw_auth (fx, raw))
    return;
  for (guint part = 0; part < (split ? 16 : 1); part++)
    {
      g_autofree char *name = g_strnfill (split ? 3750 : 60000, 'x');

      g_string_append_printf (body, "%s\"%s\"", part > 0 ? "," : "", name);
    }
  g_string_append (body, "],\"params\":[],\"bin\":[]}");
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, body->str));
  raw_expect_rpc_reply (raw, 2, 404, "Method not found!", "method: 'xxxxxxxx", TRUE);
  reply = raw_find (raw, T_INTERNAL, -2);
  object = frame_object (reply, &node);
  if (object != NULL)
    g_assert_cmpuint (strlen (json_object_get_string_member (object, "details")), <, 600);
  raw->next_seq = 3;
  raw_expect_alive (fx, raw);
}

/* No answer where none can be given: an RPC_NOTIFY (good or bad; a
 * request with seq 0 closes the link: bad-auth.c); a long "bin" fails at
 * its first repeated entry. */
static void
test_rpc_unanswered (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(GString) long_bin = g_string_new ("{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[0");

  g_signal_connect (fx->server, "rpc::rpc.echo", G_CALLBACK (on_rpc_echo), NULL);
  if (!raw_auth (fx, raw))
    return;
  for (guint i = 0; i < 10000; i++)
    g_string_append (long_bin, ",0");
  g_string_append (long_bin, "]}");

  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, "{\"type\":4,\"method\":[\"rpc\",\"echo\"],\"params\":[1]}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":4,\"method\":7,\"params\":\"x\"}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 4, "{\"type\":4,\"method\":[\"rpc\",\"echo\"],\"params\":\"x\"}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 5, long_bin->str));
  raw_expect_rpc_reply (raw, 5, 500, "Invalid RPC bin: param 0 listed twice", RPC_ECHO_DETAILS, FALSE);
  raw->next_seq = 6;
  raw_expect_alive (fx, raw);
  g_assert_null (raw_find (raw, T_INTERNAL, -2));
  g_assert_null (raw_find (raw, T_INTERNAL, -3));
  g_assert_null (raw_find (raw, T_INTERNAL, -4));
}

void
badinput_add_internal_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_internals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/internal/unknown/%s", bad_internals[i].name);

      g_test_add (path, Fixture, &bad_internals[i], fixture_setup, test_internal_unknown, fixture_teardown);
    }

  ADD ("internal/rpc-404", NULL, test_internal_rpc);

  ADD ("internal/other-requests", NULL, test_internal_other);

  for (guint i = 0; i < G_N_ELEMENTS (bad_rpcs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/rpc/%s", bad_rpcs[i].name);

      g_test_add (path, Fixture, &bad_rpcs[i], fixture_setup, test_rpc_bad, fixture_teardown);
    }

  ADD ("rpc/huge-method/one-part", GINT_TO_POINTER (FALSE), test_rpc_huge_method);

  ADD ("rpc/huge-method/16-parts", GINT_TO_POINTER (TRUE), test_rpc_huge_method);

  ADD ("rpc/unanswered", NULL, test_rpc_unanswered);
}

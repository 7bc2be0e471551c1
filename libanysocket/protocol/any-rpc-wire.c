/* any-rpc-wire.c: RPC on the wire (PROTOCOL.md 7): decoding and encoding
 *
 * A call is the INTERNAL request
 *   {"type":3,"method":["a","b"],"params":[...],"bin":[indexes]}
 * in which the params listed in "bin" are binary, packed as base64
 * strings; type 4 (RPC_NOTIFY) is the same without an answer. The answer
 * is {"result":value,"bin":bool} ("bin": the result is base64 of binary)
 * or {"error":...,"details":"method: 'a,b'","code":404|500}, where the
 * details print the method array as JavaScript does (joined with commas).
 *
 * An incoming call is checked before any handler sees it: its method must
 * be 1 to ANY_RPC_MAX_METHOD_PARTS non-empty strings without dots (a
 * handler is found by the parts joined with dots, so ["a.b"] and
 * ["a","b"] could not be told apart), "params" an array (or absent),
 * "bin" distinct indexes of params that hold valid base64. What fails gets
 * the answer the JavaScript peer gives (404 for the method, 500 for the
 * rest) and the link stays up: a bad call is its caller's problem, not a
 * broken protocol. This file builds the answers; api/any-internal.c
 * dispatches the calls and sends what it is given.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "any-error.h"
#include "protocol/any-rpc-wire.h"
#include "protocol/any-internal-msg.h"
#include "codec/any-base64.h"
#include "codec/any-json.h"

/* Error details quote the method; a hostile one is cut to this. */
#define MAX_DETAILS_METHOD_BYTES 512

/* Binary values */

GBytes *
_any_rpc_decode_bytes (JsonNode *node)
{
  const char *text;
  GByteArray *out;
  gsize len;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (node);
  len = strlen (text);
  out = g_byte_array_sized_new (len / 4 * 3);
  if (!any_base64_decode_strict ((const guint8 *) text, len, out))
    {
      g_byte_array_unref (out);
      return NULL;
    }
  return g_byte_array_free_to_bytes (out);
}

static void
bytes_unref_nullable (gpointer bytes)
{
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

/* The binary params of a call: a GBytes at each binary one, NULL at the
 * others; @n_params NULLs to begin with. */
GPtrArray *
_any_rpc_param_bytes_new (guint n_params)
{
  GPtrArray *param_bytes = g_ptr_array_new_full (n_params + 1, bytes_unref_nullable);

  g_ptr_array_set_size (param_bytes, n_params);
  return param_bytes;
}

JsonNode *
_any_rpc_encode_bytes (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GString) text = g_string_sized_new ((len + 2) / 3 * 4 + 1);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  any_base64_encode_append (text, data, len);
  json_node_set_string (node, text->str);
  return node;
}

/* Answers */

/* Cuts @text to @max_bytes at most (and an ellipsis), at the start of a
 * character: the frame must stay valid UTF-8. */
static void
truncate_utf8 (GString *text,
               gsize    max_bytes)
{
  gsize len = max_bytes;

  if (text->len <= max_bytes)
    return;
  while (len > 0 && ((guchar) text->str[len] & 0xC0) == 0x80)
    len--;
  g_string_truncate (text, len);
  g_string_append (text, "…");
}

/* `"" + value` in JavaScript, for what JSON holds: how the JavaScript
 * peer prints a method in its error details. Arrays join their elements
 * with commas, null elements print as nothing; @node NULL is undefined.
 * Stops once @out is past the details' limit. */
static void
append_js_text (GString  *out,
                JsonNode *node,
                gboolean  in_array)
{
  if (out->len > MAX_DETAILS_METHOD_BYTES)
    return;
  if (node == NULL)
    {
      g_string_append (out, "undefined");
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      if (!in_array)
        g_string_append (out, "null");
      break;
    case JSON_NODE_OBJECT:
      g_string_append (out, "[object Object]");
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        for (guint i = 0; i < n && out->len <= MAX_DETAILS_METHOD_BYTES; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_js_text (out, json_array_get_element (array, i), TRUE);
          }
      }
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *text = json_node_get_string (node);

          /* A little past the limit, for truncate_utf8() to cut. */
          g_string_append_len (out, text, strnlen (text, MAX_DETAILS_METHOD_BYTES + 8));
        }
      else
        {
          /* Numbers and booleans print as JSON writes them. */
          any_json_write (out, node);
        }
      break;
    default:
      break;
    }
}

static JsonNode *
error_answer_js (const char *message,
                 const char *js_method,
                 int         code)
{
  JsonNode *answer = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autofree char *details = g_strdup_printf ("method: '%s'", js_method);
  g_autofree char *valid = g_utf8_make_valid (message, -1);

  json_object_set_string_member (object, "error", valid);
  json_object_set_string_member (object, "details", details);
  json_object_set_int_member (object, "code", code);
  json_node_take_object (answer, object);
  return answer;
}

/* The method of an incoming call that has one: its parts have no dots,
 * so commas in place of the dots print it as JavaScript does. */
JsonNode *
_any_rpc_error_answer (const char *message,
                       const char *method,
                       int         code)
{
  g_autofree char *js_method = g_strdelimit (g_strdup (method), ".", ',');

  return error_answer_js (message, js_method, code);
}

/* @result NULL is null. */
JsonNode *
_any_rpc_result_answer (JsonNode *result,
                        gboolean  bin)
{
  JsonNode *answer = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_member (object, "result", result ? json_node_ref (result) : json_node_new (JSON_NODE_NULL));
  json_object_set_boolean_member (object, "bin", bin);
  json_node_take_object (answer, object);
  return answer;
}

/* Incoming calls */

/* The parts of the call's "method" joined with dots, or NULL if it is
 * not a method we can name (see the top of the file). */
char *
_any_rpc_method_path (JsonObject *request)
{
  JsonNode *method = json_object_get_member (request, "method");
  g_autoptr(GString) path = NULL;
  JsonArray *parts;
  guint n;

  if (method == NULL || !JSON_NODE_HOLDS_ARRAY (method))
    return NULL;
  parts = json_node_get_array (method);
  n = json_array_get_length (parts);
  if (n == 0 || n > ANY_RPC_MAX_METHOD_PARTS)
    return NULL;

  path = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *part = json_array_get_element (parts, i);
      const char *name;
      gsize len;

      if (!JSON_NODE_HOLDS_VALUE (part) || json_node_get_value_type (part) != G_TYPE_STRING)
        return NULL;
      name = json_node_get_string (part);
      len = strnlen (name, ANY_RPC_MAX_METHOD_BYTES + 1);
      if (len == 0 || memchr (name, '.', len) != NULL ||
          path->len + (i > 0) + len > ANY_RPC_MAX_METHOD_BYTES)
        return NULL;
      if (i > 0)
        g_string_append_c (path, '.');
      g_string_append_len (path, name, len);
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* "params": absent or null is no params. A new reference, or NULL with
 * @problem set. */
static JsonNode *
read_params (JsonObject  *request,
             char       **problem)
{
  JsonNode *params = json_object_get_member (request, "params");

  if (params == NULL || JSON_NODE_HOLDS_NULL (params))
    {
      JsonNode *none = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (none, json_array_new ());
      return none;
    }
  if (!JSON_NODE_HOLDS_ARRAY (params))
    {
      *problem = g_strdup ("Invalid RPC params");
      return NULL;
    }
  return json_node_ref (params);
}

/* An index in "bin": an integer, or a decimal string as the JavaScript
 * caller sends them (its indexes come from a for...in loop). -1 for
 * anything else, "012", "+1", " 1" and "1.0" included. */
static gint64
bin_index (JsonNode *node)
{
  const char *text;
  guint64 value;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return MAX (json_node_get_int (node), -1);
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return -1;
  text = json_node_get_string (node);
  if ((text[0] == '0' && text[1] != '\0') ||
      !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &value, NULL))
    return -1;
  return (gint64) value;
}

/* The binary params, decoded: one GBytes or NULL per param, or NULL when
 * "bin" lists none; NULL with @problem set when "bin" is invalid. */
static GPtrArray *
read_bin (JsonObject  *request,
          JsonNode    *params,
          char       **problem)
{
  JsonNode *bin = json_object_get_member (request, "bin");
  JsonArray *params_array = json_node_get_array (params);
  guint n_params = json_array_get_length (params_array);
  g_autoptr(GPtrArray) decoded = NULL;
  JsonArray *indexes;
  guint n;

  /* The JavaScript callee fails without "bin"; we need not. */
  if (bin == NULL || JSON_NODE_HOLDS_NULL (bin))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (bin))
    {
      *problem = g_strdup ("Invalid RPC bin: not an array");
      return NULL;
    }
  indexes = json_node_get_array (bin);
  n = json_array_get_length (indexes);
  if (n == 0)
    return NULL;

  decoded = _any_rpc_param_bytes_new (n_params);
  /* Each index is distinct and below n_params: this loop ends after
   * n_params + 1 turns at most, however long "bin" is. */
  for (guint i = 0; i < n; i++)
    {
      gint64 index = bin_index (json_array_get_element (indexes, i));
      GBytes *bytes;

      if (index < 0 || index >= n_params)
        {
          *problem = g_strdup_printf ("Invalid RPC bin: entry %u is not the index of a param", i);
          return NULL;
        }
      if (g_ptr_array_index (decoded, index) != NULL)
        {
          *problem = g_strdup_printf ("Invalid RPC bin: param %" G_GINT64_FORMAT " listed twice", index);
          return NULL;
        }
      bytes = _any_rpc_decode_bytes (json_array_get_element (params_array, index));
      if (bytes == NULL)
        {
          *problem = g_strdup_printf ("Invalid RPC bin: param %" G_GINT64_FORMAT " is not base64", index);
          return NULL;
        }
      g_ptr_array_index (decoded, index) = bytes;
    }
  return g_steal_pointer (&decoded);
}

/* The answer to a call of a method nobody serves: the method printed as
 * the JavaScript peer prints it, whatever it was. */
JsonNode *
_any_rpc_not_found_answer (JsonObject *request)
{
  g_autoptr(GString) js_method = g_string_new (NULL);

  append_js_text (js_method, json_object_get_member (request, "method"), FALSE);
  truncate_utf8 (js_method, MAX_DETAILS_METHOD_BYTES);
  return error_answer_js ("Method not found!", js_method->str, 404);
}

/* The params of an incoming call and its binary ones, decoded; FALSE
 * with @problem set when they are invalid. */
gboolean
_any_rpc_read_params (JsonObject  *request,
                      JsonNode   **params,
                      GPtrArray  **param_bytes,
                      char       **problem)
{
  *params = read_params (request, problem);
  if (*params != NULL)
    *param_bytes = read_bin (request, *params, problem);
  return *problem == NULL;
}

/* Outgoing calls */

/* Non-empty parts between the dots, in UTF-8. */
gboolean
_any_rpc_method_is_valid (const char *method)
{
  const char *p;

  if (method == NULL || !g_utf8_validate (method, -1, NULL))
    return FALSE;
  for (p = method; *p != '\0'; p++)
    if (*p == '.' && (p == method || p[1] == '.' || p[1] == '\0'))
      return FALSE;
  return p != method;
}

/* The request of a call: @params an array node, @param_bytes (nullable)
 * non-NULL at the binary params. */
JsonNode *
_any_rpc_request_new (const char *method,
                      JsonNode   *params,
                      GPtrArray  *param_bytes)
{
  g_auto(GStrv) names = g_strsplit (method, ".", -1);
  JsonNode *request = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *parts = json_array_new ();
  JsonArray *bin = json_array_new ();

  for (guint i = 0; names[i] != NULL; i++)
    json_array_add_string_element (parts, names[i]);
  for (guint i = 0; param_bytes != NULL && i < param_bytes->len; i++)
    if (g_ptr_array_index (param_bytes, i) != NULL)
      json_array_add_int_element (bin, i);

  json_object_set_int_member (object, "type", ANY_INTERNAL_RPC);
  json_object_set_array_member (object, "method", parts);
  json_object_set_member (object, "params", json_node_ref (params));
  /* Always, even empty: the JavaScript callee iterates it and fails
   * without it. */
  json_object_set_array_member (object, "bin", bin);
  json_node_take_object (request, object);
  return request;
}

static gboolean
member_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* The error of an error reply: its code (404, or 500 for any other), its
 * message (a string, or the JSON of whatever else it is: the JavaScript
 * peer sends a rejected promise's value as it is, an Error object
 * becoming {}) and the details. */
static void
set_remote_error (JsonObject  *reply,
                  JsonNode    *failure,
                  GError     **error)
{
  JsonNode *code = json_object_get_member (reply, "code");
  JsonNode *details = json_object_get_member (reply, "details");
  g_autoptr(GString) message = g_string_new (NULL);
  AnyRpcError rpc_code = ANY_RPC_ERROR_FAILED;

  if (code != NULL && JSON_NODE_HOLDS_VALUE (code) && json_node_get_value_type (code) == G_TYPE_INT64 &&
      json_node_get_int (code) == ANY_RPC_ERROR_NOT_FOUND)
    rpc_code = ANY_RPC_ERROR_NOT_FOUND;

  if (member_is_string (failure))
    g_string_append (message, json_node_get_string (failure));
  else
    any_json_write (message, failure);
  if (member_is_string (details))
    g_string_append_printf (message, " (%s)", json_node_get_string (details));
  g_set_error_literal (error, ANY_RPC_ERROR, rpc_code, message->str);
}

/* Reads the answer to a call: FALSE with @error for an error reply or a
 * reply that is none; otherwise the result (a null node when absent) and,
 * when the reply says it is binary, its bytes. */
gboolean
_any_rpc_parse_reply (JsonNode  *msg,
                      JsonNode **result,
                      GBytes   **result_bytes,
                      GError   **error)
{
  JsonObject *object;
  JsonNode *failure, *value, *bin;

  *result = NULL;
  *result_bytes = NULL;
  if (!JSON_NODE_HOLDS_OBJECT (msg))
    {
      g_set_error_literal (error, ANY_RPC_ERROR, ANY_RPC_ERROR_INVALID_REPLY,
                           _("Invalid RPC reply: not an object"));
      return FALSE;
    }
  object = json_node_get_object (msg);

  failure = json_object_get_member (object, "error");
  if (failure != NULL && !JSON_NODE_HOLDS_NULL (failure))
    {
      set_remote_error (object, failure, error);
      return FALSE;
    }

  value = json_object_get_member (object, "result");
  bin = json_object_get_member (object, "bin");
  if (bin != NULL && JSON_NODE_HOLDS_VALUE (bin) && json_node_get_value_type (bin) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (bin))
    {
      *result_bytes = _any_rpc_decode_bytes (value);
      if (*result_bytes == NULL)
        {
          g_set_error_literal (error, ANY_RPC_ERROR, ANY_RPC_ERROR_INVALID_REPLY,
                               _("Invalid RPC reply: the binary result is not base64"));
          return FALSE;
        }
    }
  *result = value != NULL ? json_node_ref (value) : json_node_new (JSON_NODE_NULL);
  return TRUE;
}

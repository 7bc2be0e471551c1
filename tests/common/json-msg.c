/* json-msg.c: the JSON messages tests send and read back
 *
 * SPDX-License-Identifier: MIT
 */
#include "json-msg.h"

JsonNode *
json_checked (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

JsonNode *
json_printf (const char *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return json_checked (text);
}

JsonNode *
json_or_null (const char *text)
{
  return json_from_string (text, NULL);
}

JsonNode *
msg_member (JsonNode   *msg,
            const char *name)
{
  if (msg == NULL || !JSON_NODE_HOLDS_OBJECT (msg))
    return NULL;
  return json_object_get_member (json_node_get_object (msg), name);
}

const char *
msg_string (JsonNode   *msg,
            const char *name)
{
  JsonNode *member = msg_member (msg, name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

gint64
msg_int (JsonNode   *msg,
         const char *name)
{
  JsonNode *member = msg_member (msg, name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (member);
}

static JsonNode *
required_value (JsonNode   *msg,
                const char *name)
{
  JsonNode *member = msg_member (msg, name);

  g_assert_nonnull (member);
  g_assert_true (JSON_NODE_HOLDS_VALUE (member));
  return member;
}

gint64
msg_required_int (JsonNode   *msg,
                  const char *name)
{
  return json_node_get_int (required_value (msg, name));
}

double
msg_required_double (JsonNode   *msg,
                     const char *name)
{
  return json_node_get_double (required_value (msg, name));
}

void
assert_json_equal (JsonNode *got,
                   JsonNode *expected)
{
  if (got == NULL || !json_node_equal (got, expected))
    {
      g_autofree char *got_text = got ? json_to_string (got, FALSE) : g_strdup ("(none)");
      g_autofree char *expected_text = json_to_string (expected, FALSE);

      g_error ("JSON differs: got %s, expected %s", got_text, expected_text);
    }
}

/* vectors.c: loading the JSON known-answer vectors of tests/crypto/vectors
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "vectors.h"
#include "crypto/any-crypto.h"

JsonNode *
vectors_load (const char *relpath)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "vectors", relpath, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

guint8 *
vectors_hex (const char *hex,
             gsize      *len)
{
  gsize n = strlen (hex);
  guint8 *out = g_malloc (n / 2 + 1);

  g_assert_true (any_crypto_hex_decode (hex, n, out));
  *len = n / 2;
  return out;
}

guint8 *
vectors_member_hex (JsonObject *obj,
                    const char *name,
                    gsize      *len)
{
  const char *hex = json_object_get_string_member (obj, name);

  g_assert_nonnull (hex);
  return vectors_hex (hex, len);
}

char *
vectors_to_hex (const guint8 *data,
                gsize         len)
{
  GString *s = g_string_sized_new (2 * len + 1);

  any_crypto_hex_append (s, data, len);
  return g_string_free (s, FALSE);
}

void
vectors_foreach_wycheproof (JsonNode       *root,
                            WycheproofFunc  func,
                            gpointer        user_data)
{
  JsonArray *groups = json_object_get_array_member (json_node_get_object (root), "testGroups");

  for (guint g = 0; g < json_array_get_length (groups); g++)
    {
      JsonObject *group = json_array_get_object_element (groups, g);
      JsonArray *tests = json_object_get_array_member (group, "tests");

      for (guint t = 0; t < json_array_get_length (tests); t++)
        {
          JsonObject *test = json_array_get_object_element (tests, t);
          const char *result = json_object_get_string_member (test, "result");
          VectorResult r;

          if (g_str_equal (result, "valid"))
            r = VECTOR_VALID;
          else if (g_str_equal (result, "invalid"))
            r = VECTOR_INVALID;
          else if (g_str_equal (result, "acceptable"))
            r = VECTOR_ACCEPTABLE;
          else
            g_error ("unknown Wycheproof result %s", result);

          func (group, test, r, user_data);
        }
    }
}

gboolean
vectors_has_flag (JsonObject *test,
                  const char *flag)
{
  JsonArray *flags;

  if (!json_object_has_member (test, "flags"))
    return FALSE;
  flags = json_object_get_array_member (test, "flags");
  for (guint i = 0; i < json_array_get_length (flags); i++)
    if (g_str_equal (json_array_get_string_element (flags, i), flag))
      return TRUE;
  return FALSE;
}

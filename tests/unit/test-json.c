/* test-json.c: the JSON reader and writer (any-json.c), against json-glib
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "anysocket.h"
#include "codec/any-json.h"
#include "json-tree.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* strict: same value types (what the reader must agree with json-glib on).
 * Otherwise numbers compare by value: the writer writes 1.0 as 1, as
 * JSON.stringify() does, which reads back as an integer. */
static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b,
             gboolean  strict)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (json_node_get_node_type (a) != json_node_get_node_type (b))
    return FALSE;

  switch (json_node_get_node_type (a))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);

        if (json_array_get_length (x) != json_array_get_length (y))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (x); i++)
          if (!nodes_equal (json_array_get_element (x, i), json_array_get_element (y, i), strict))
            return FALSE;
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a), *y = json_node_get_object (b);
        g_autoptr(GList) kx = json_object_get_members (x);
        g_autoptr(GList) ky = json_object_get_members (y);
        GList *l, *m;

        if (json_object_get_size (x) != json_object_get_size (y))
          return FALSE;
        for (l = kx, m = ky; l != NULL && m != NULL; l = l->next, m = m->next)
          {
            if (strcmp (l->data, m->data) != 0)
              return FALSE;
            if (!nodes_equal (json_object_get_member (x, l->data), json_object_get_member (y, m->data), strict))
              return FALSE;
          }
        return l == NULL && m == NULL;
      }

    case JSON_NODE_VALUE:
      {
        GType ta = json_node_get_value_type (a), tb = json_node_get_value_type (b);
        gboolean na = ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE;
        gboolean nb = tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE;

        if (ta != tb && !(na && nb && !strict))
          return FALSE;
        if (ta == G_TYPE_STRING)
          return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
        if (ta == G_TYPE_BOOLEAN)
          return !json_node_get_boolean (a) == !json_node_get_boolean (b);
        if (ta == G_TYPE_INT64 && tb == G_TYPE_INT64)
          return json_node_get_int (a) == json_node_get_int (b);
        if (ta == G_TYPE_DOUBLE && tb == G_TYPE_DOUBLE)
          {
            gdouble x = json_node_get_double (a), y = json_node_get_double (b);

            return x == y || (isnan (x) && isnan (y));
          }
        /* one int, one double */
        {
          gint64 i = ta == G_TYPE_INT64 ? json_node_get_int (a) : json_node_get_int (b);
          gdouble d = ta == G_TYPE_DOUBLE ? json_node_get_double (a) : json_node_get_double (b);

          return (gdouble) i == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
                 (gint64) d == i;
        }
      }

    default:
      return FALSE;
    }
}

/* Every child's parent is its container's node, as JsonParser sets it. */
static void
assert_parents (JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_assert_true (json_node_get_parent (json_array_get_element (array, i)) == node);
          assert_parents (json_array_get_element (array, i));
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        {
          g_assert_true (json_node_get_parent (member) == node);
          assert_parents (member);
        }
    }
}

static JsonNode *
glib_parse (const char *text,
            gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, len, &error))
    {
      g_test_message ("json-glib refused '%s': %s", text, error->message);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/* Parses from an exact-size heap copy: no NUL after the text, so reading
 * past len shows under valgrind. */
static JsonNode *
parse_exact (const char  *text,
             gsize        len,
             GError     **error)
{
  g_autofree char *copy = g_malloc (len > 0 ? len : 1);

  memcpy (copy, text, len);
  return any_json_parse (copy, len, error);
}

static JsonNode *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = parse_exact (text, strlen (text), &error);

  if (node == NULL)
    g_error ("refused '%s': %s", text, error->message);
  return node;
}

static char *
write_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  any_json_write (out, node);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Differential: valid documents, parsed by both                       */

static const char *const corpus[] = {
  "{\"type\":\"req\",\"data\":\"hello\"}",
  "{\"type\":\"res\",\"data\":{\"ok\":true,\"list\":[1,2,3],\"nested\":{\"a\":null}},\"id\":\"0123456789abcdef\",\"t\":1712345678901}",
  "0", "-0", "1", "-1", "42", "true", "false", "null", "\"\"", "\"x\"",
  "[]", "{}", "[[]]", "[{}]", "{\"a\":[]}", "{\"\":\"\"}", "[[[[[[[[[[1]]]]]]]]]]",
  "  \t\r\n [ 1 , 2 ,\n\t3 ]  \r\n ",
  "{ \"a\" : 1 , \"b\" : [ true , false , null ] }",
  "9223372036854775807", "-9223372036854775808", "-9223372036854775807", "4294967296", "-4294967297",
  "0.5", "-0.5", "1.0", "1e5", "1E5", "1e+5", "1e-5", "1.5e300", "-1.5E-300", "2.5e+3", "0.1", "0.2",
  "3.141592653589793", "2.2250738585072014e-308", "1.7976931348623157e308", "5e-324", "0e0", "-0.0",
  "123456789.123456789", "1e21", "1e-7", "100000000000000000000.0",
  "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
  "\"\\u0041\\u00e9\\u20ac\\uFFFF\\u0001\\u001f\"",
  "\"\\ud83d\\ude00 \\uD834\\uDD1E\"",
  "\"h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8 \xe2\x80\xa9 \xef\xbf\xbd\"",
  "\"a\\nb\\u2028c\"",
  "[\"mixed \\\"quotes\\\" and \\\\ slashes / \", 1, -2.5, {\"k\\u00fc\":\"v\"}]",
  "{\"a\":1,\"b\":2,\"a\":3}",
  "{\"z\":1,\"y\":2,\"x\":3,\"w\":{\"v\":[{\"u\":[]}]}}",
  "[1,\"two\",3.0,[4],{\"five\":5},true,false,null]",
  "\"\x7f\"",
};

static void
test_differential (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      const char *text = corpus[i];
      g_autoptr(JsonNode) ours = NULL;
      g_autoptr(JsonNode) theirs = NULL;
      g_autoptr(JsonNode) ours_again = NULL;
      g_autoptr(JsonNode) theirs_again = NULL;
      g_autoptr(JsonNode) from_theirs = NULL;
      g_autofree char *written = NULL;
      g_autofree char *written_theirs = NULL;

      g_test_message ("corpus %u: %s", i, text);
      ours = parse_ok (text);
      theirs = glib_parse (text, -1);
      g_assert_nonnull (theirs);
      g_assert_true (nodes_equal (ours, theirs, TRUE));
      assert_parents (ours);

      /* The writer's text reads back, by both, to the same value. */
      written = write_to_string (ours);
      g_assert_true (g_utf8_validate (written, -1, NULL));
      ours_again = parse_ok (written);
      theirs_again = glib_parse (written, -1);
      g_assert_nonnull (theirs_again);
      g_assert_true (nodes_equal (ours, ours_again, FALSE));
      g_assert_true (nodes_equal (ours, theirs_again, FALSE));

      /* And so does json-glib's tree written by ours. */
      written_theirs = write_to_string (theirs);
      g_assert_cmpstr (written, ==, written_theirs);
      from_theirs = parse_ok (written_theirs);
      g_assert_true (nodes_equal (theirs, from_theirs, FALSE));
    }
}

/* ------------------------------------------------------------------ */
/* Specific values                                                     */

static void
test_numbers (void)
{
  static const struct { const char *text; gint64 value; } ints[] = {
    { "0", 0 }, { "-0", 0 }, { "7", 7 }, { "-7", -7 },
    { "9223372036854775807", G_MAXINT64 }, { "-9223372036854775808", G_MININT64 },
  };
  static const struct { const char *text; gdouble value; } doubles[] = {
    { "9223372036854775808", 9223372036854775808.0 },
    { "-9223372036854775809", -9223372036854775809.0 },
    { "18446744073709551615", 18446744073709551615.0 },
    { "18446744073709551616", 18446744073709551616.0 },
    { "123456789012345678901234567890", 123456789012345678901234567890.0 },
    { "1.0", 1.0 }, { "0.1", 0.1 }, { "1e2", 100.0 }, { "-2.5E-3", -0.0025 },
    { "1e400", INFINITY }, { "-1e400", -INFINITY }, { "1e-400", 0.0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr(JsonNode) node = parse_ok (ints[i].text);

      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (node), ==, ints[i].value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr(JsonNode) node = parse_ok (doubles[i].text);

      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_DOUBLE);
      g_assert_true (json_node_get_double (node) == doubles[i].value);
    }
}

static void
test_strings (void)
{
  static const struct { const char *text; const char *value; } cases[] = {
    { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
    { "\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf" },
    /* What UTF-8 cannot hold becomes U+FFFD. */
    { "\"\\ud800\"", "\xef\xbf\xbd" },
    { "\"a\\ud800b\"", "a\xef\xbf\xbd" "b" },
    { "\"\\udc00\"", "\xef\xbf\xbd" },
    { "\"\\ude00\\ud83d\"", "\xef\xbf\xbd\xef\xbf\xbd" },
    { "\"\\ud83d\\u0041\"", "\xef\xbf\xbd" "A" },
    { "\"\\ud83d\\ud83d\\ude00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80" },
    { "\"a\\u0000b\"", "a\xef\xbf\xbd" "b" },
    { "\"\\/\"", "/" },
    { "\"\\u00E9\\u00e9\"", "\xc3\xa9\xc3\xa9" },
    { "\"\\u0800\\u07ff\"", "\xe0\xa0\x80\xdf\xbf" },
    { "\"\xe2\x80\xa8\"", "\xe2\x80\xa8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse_ok (cases[i].text);

      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
      g_assert_cmpstr (json_node_get_string (node), ==, cases[i].value);
    }

  /* Long strings go through the heap scratch buffer. */
  for (gsize len = 250; len < 270; len++)
    {
      g_autoptr(GString) text = g_string_new ("{\"");
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;

      for (gsize j = 0; j < len; j++)
        g_string_append_c (text, 'a' + j % 26);
      g_string_append (text, "\":\"");
      for (gsize j = 0; j < len; j++)
        {
          g_string_append (text, j % 7 == 0 ? "\\n" : "b");
          g_string_append_c (expected, j % 7 == 0 ? '\n' : 'b');
        }
      g_string_append (text, "\"}");
      node = parse_ok (text->str);
      object = json_node_get_object (node);
      g_assert_cmpuint (json_object_get_size (object), ==, 1);
      {
        g_autoptr(GList) values = json_object_get_values (object);

        g_assert_cmpstr (json_node_get_string (values->data), ==, expected->str);
      }
    }
}

static void
test_duplicate_keys (void)
{
  g_autoptr(JsonNode) node = parse_ok ("{\"a\":1,\"b\":2,\"a\":{\"c\":[3]}}");
  g_autofree char *written = write_to_string (node);

  g_assert_cmpstr (written, ==, "{\"a\":{\"c\":[3]},\"b\":2}");
  assert_parents (node);
}

static void
test_deep_nesting (void)
{
  for (guint depth = 126; depth <= 130; depth++)
    {
      g_autoptr(GString) arrays = g_string_new (NULL);
      g_autoptr(GString) objects = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      for (guint i = 0; i < depth; i++)
        g_string_append_c (arrays, '[');
      for (guint i = 0; i < depth; i++)
        g_string_append_c (arrays, ']');
      for (guint i = 0; i < depth; i++)
        g_string_append (objects, "{\"k\":");
      g_string_append (objects, "1");
      for (guint i = 0; i < depth; i++)
        g_string_append_c (objects, '}');

      node = any_json_parse (arrays->str, arrays->len, &error);
      if (depth <= ANY_JSON_MAX_DEPTH)
        {
          g_autofree char *written = write_to_string (node);

          g_assert_no_error (error);
          g_assert_cmpstr (written, ==, arrays->str);
        }
      else
        {
          g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
          g_assert_null (node);
        }
      g_clear_error (&error);
      g_clear_pointer (&node, json_node_unref);

      node = any_json_parse (objects->str, objects->len, &error);
      if (depth <= ANY_JSON_MAX_DEPTH)
        g_assert_no_error (error);
      else
        g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
    }

  /* Far deeper than the limit: refused without recursing that far. */
  {
    g_autofree char *deep = g_strnfill (100000, '[');
    g_autoptr(GError) error = NULL;

    g_assert_null (any_json_parse (deep, 100000, &error));
    g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
  }
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

static void
test_write (void)
{
  static const struct { const char *text; const char *expected; } cases[] = {
    { "{ \"type\" : \"req\" , \"data\" : \"hello\" }", "{\"type\":\"req\",\"data\":\"hello\"}" },
    { "\"\\u0000\"", "\"\xef\xbf\xbd\"" },
    { "\"\\u0001\\u0008\\t\\n\\u000b\\f\\r\\u000e\\u001e\\u001F \\\" \\\\ / \\u007f\"",
      "\"\\u0001\\b\\t\\n\\u000b\\f\\r\\u000e\\u001e\\u001f \\\" \\\\ / \x7f\"" },
    { "\"\\u2028\\u2029\\u00e9\"", "\"\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\"" },
    { "[0.1,0.2,0.30000000000000004,1.0,-0.0,1e21,1e-7,123.456,-1.5e300]",
      "[0.1,0.2,0.30000000000000004,1,0,1e+21,1e-07,123.456,-1.5e+300]" },
    { "[9223372036854775807,-9223372036854775808,0,-1]",
      "[9223372036854775807,-9223372036854775808,0,-1]" },
    { "[1e400,-1e400]", "[null,null]" },
    { "[true,false,null,[],{},\"\"]", "[true,false,null,[],{},\"\"]" },
    { "{\"\\n\":{\"\\u001f\":1}}", "{\"\\n\":{\"\\u001f\":1}}" },
  };
  g_autoptr(GString) out = g_string_new ("prefix");
  g_autoptr(JsonNode) nan = json_node_init_double (json_node_alloc (), NAN);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse_ok (cases[i].text);
      g_autofree char *written = write_to_string (node);

      g_assert_cmpstr (written, ==, cases[i].expected);
    }

  /* Appends; NULL and NaN are null. */
  any_json_write (out, NULL);
  any_json_write (out, nan);
  g_assert_cmpstr (out->str, ==, "prefixnullnull");

  /* Every double written reads back to itself. */
  {
    static const gdouble values[] = {
      0.1, 1.0 / 3, 2.0 / 3, 1e-300, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
      123456789.123456789, 9007199254740993.0, 4503599627370497.5, 0.30000000000000004, 1e15, 1e16, 1e17,
    };

    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      for (int sign = -1; sign <= 1; sign += 2)
        {
          g_autoptr(JsonNode) node = json_node_init_double (json_node_alloc (), sign * values[i]);
          g_autofree char *written = write_to_string (node);
          g_autoptr(JsonNode) back = parse_ok (written);

          g_assert_null (strchr (written, ','));
          g_assert_true (json_node_get_double (back) == sign * values[i]);
        }
  }
}

/* ------------------------------------------------------------------ */
/* Randomized round trip                                               */

static void
random_string (GRand   *rand,
               GString *out)
{
  guint len = g_rand_int_range (rand, 0, 12);

  for (guint i = 0; i < len; i++)
    {
      gunichar c;

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0: c = g_rand_int_range (rand, 1, 0x20); break;
        case 1: c = g_rand_int_range (rand, 0x80, 0x800); break;
        case 2:
          do
            c = g_rand_int_range (rand, 0x800, 0x10000);
          while (c >= 0xd800 && c <= 0xdfff);
          break;
        case 3: c = g_rand_int_range (rand, 0x10000, 0x110000); break;
        case 4: c = "\"\\/\x7f"[g_rand_int_range (rand, 0, 4)]; break;
        default: c = g_rand_int_range (rand, 0x20, 0x7f); break;
        }
      g_string_append_unichar (out, c);
    }
}

static JsonNode *
random_node (GRand *rand,
             guint  depth)
{
  guint kind = g_rand_int_range (rand, 0, depth < 6 ? 9 : 7);
  JsonNode *node = json_node_alloc ();

  switch (kind)
    {
    case 0:
      return json_node_init_null (node);
    case 1:
      return json_node_init_boolean (node, g_rand_boolean (rand));
    case 2:
      {
        /* Shifted as unsigned: shifting into a signed sign bit is undefined. */
        gint64 v = (gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand));

        /* all magnitudes, not just huge ones */
        v >>= g_rand_int_range (rand, 0, 64);
        return json_node_init_int (node, v);
      }
    case 3:
      {
        union { guint64 bits; gdouble d; } u;

        do
          u.bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
        while (!isfinite (u.d));
        return json_node_init_double (node, u.d);
      }
    case 4:
      return json_node_init_double (node, g_rand_double_range (rand, -1e6, 1e6));
    case 5:
    case 6:
      {
        g_autoptr(GString) s = g_string_new (NULL);

        random_string (rand, s);
        return json_node_init_string (node, s->str);
      }
    case 7:
      {
        JsonArray *array = json_array_new ();
        guint n = g_rand_int_range (rand, 0, 5);

        for (guint i = 0; i < n; i++)
          json_array_add_element (array, random_node (rand, depth + 1));
        json_node_init_array (node, array);
        json_array_unref (array);
        return node;
      }
    default:
      {
        JsonObject *object = json_object_new ();
        guint n = g_rand_int_range (rand, 0, 5);

        for (guint i = 0; i < n; i++)
          {
            g_autoptr(GString) key = g_string_new (NULL);

            random_string (rand, key);
            json_object_set_member (object, key->str, random_node (rand, depth + 1));
          }
        json_node_init_object (node, object);
        json_object_unref (object);
        return node;
      }
    }
}

static void
test_random_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(JsonNode) tree = random_node (rand, 0);
      g_autofree char *written = write_to_string (tree);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) ours = parse_exact (written, strlen (written), &error);
      g_autoptr(JsonNode) theirs = NULL;
      g_autofree char *rewritten = NULL;

      g_assert_no_error (error);
      g_assert_true (g_utf8_validate (written, -1, NULL));
      if (!nodes_equal (tree, ours, FALSE))
        g_error ("round trip %u differs: %s", i, written);
      assert_parents (ours);

      /* Stable: writing what was read gives the same text. */
      rewritten = write_to_string (ours);
      g_assert_cmpstr (written, ==, rewritten);

      /* json-glib reads it to the same value, where it can: it cuts a
       * string at \u0000... which we never write, and mangles integers
       * beyond gint64, which we write only as doubles. */
      theirs = glib_parse (written, -1);
      g_assert_nonnull (theirs);
      g_assert_true (nodes_equal (ours, theirs, FALSE));
    }
}

/* ------------------------------------------------------------------ */
/* Invalid input                                                       */

typedef struct {
  const char *text;
  gsize       len;   /* 0: strlen */
} Bad;

#define BAD(s) { s, sizeof (s) - 1 }

static const Bad bad_inputs[] = {
  BAD (""), BAD (" "), BAD ("\n\t\r "),
  BAD ("["), BAD ("]"), BAD ("{"), BAD ("}"), BAD ("[1"), BAD ("[1,"), BAD ("{\"a\""), BAD ("{\"a\":"),
  BAD ("{\"a\":1"), BAD ("[1,]"), BAD ("{\"a\":1,}"), BAD ("[,1]"), BAD ("{,}"), BAD ("[1 2]"),
  BAD ("{\"a\" 1}"), BAD ("{a:1}"), BAD ("{'a':1}"), BAD ("{1:1}"), BAD ("{\"a\":1 \"b\":2}"),
  BAD ("[1]]"), BAD ("[1] x"), BAD ("1 2"), BAD ("{}{}"), BAD ("\"a\" \"b\""),
  BAD ("\"abc"), BAD ("\"abc\\"), BAD ("\"abc\\\""), BAD ("\""),
  BAD ("\"\\x\""), BAD ("\"\\u12\""), BAD ("\"\\u12G4\""), BAD ("\"\\U0041\""), BAD ("\"\\'\""), BAD ("\"\\\xc3\xa9\""),
  BAD ("\"\\u"), BAD ("\"\\ud83d\\u"),
  BAD ("\"a\nb\""), BAD ("\"a\tb\""), BAD ("\"\x01\""), BAD ("\"\x1f\""),
  BAD ("\"a\0b\""), BAD ("[1,\0 2]"), BAD ("\0"), BAD ("[1]\0"), BAD ("\0[1]"),
  BAD ("01"), BAD ("-01"), BAD ("00"), BAD ("+1"), BAD (".5"), BAD ("1."), BAD ("-"), BAD ("-.5"), BAD ("1e"),
  BAD ("1e+"), BAD ("1.e5"), BAD ("0x10"), BAD ("1_000"), BAD ("--1"), BAD ("[-]"), BAD ("[1.]"),
  BAD ("NaN"), BAD ("Infinity"), BAD ("-Infinity"), BAD ("nan"), BAD ("undefined"),
  BAD ("tru"), BAD ("truee"), BAD ("True"), BAD ("nul"), BAD ("nulll"), BAD ("fals"), BAD ("[true false]"),
  BAD ("/* c */ 1"), BAD ("// c\n1"), BAD ("[1] // c"),
  BAD ("\xef\xbb\xbf{}"), BAD ("\x0b[]"), BAD ("\x0c[]"), BAD ("\xc2\xa0[]"),
  /* invalid UTF-8 inside strings */
  BAD ("\"\x80\""), BAD ("\"\xc3\""), BAD ("\"\xc3(\""), BAD ("\"\xc0\xaf\""), BAD ("\"\xe0\x80\xaf\""),
  BAD ("\"\xed\xa0\x80\""), BAD ("\"\xf4\x90\x80\x80\""), BAD ("\"\xf5\x80\x80\x80\""), BAD ("\"\xff\""),
  BAD ("\"\xf0\x9f\x98\""), BAD ("\"\xf0\x9f\x98"), BAD ("\"\xe2\x82"),
};

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *node = parse_exact (bad_inputs[i].text, bad_inputs[i].len, &error);

      if (node != NULL)
        g_error ("accepted bad input %u: '%s'", i, bad_inputs[i].text);
      g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "at byte "));
      g_test_message ("bad %u: %s", i, error->message);
    }

  /* NULL error is fine. */
  g_assert_null (any_json_parse ("[1,", 3, NULL));
}

static void
test_error_offsets (void)
{
  static const struct { const char *text; const char *where; } cases[] = {
    { "[1,]", "at byte 3" },
    { "{\"a\":1} x", "at byte 8" },
    { "[\"ab\x01\"]", "at byte 4" },
    { "  01", "at byte 2" },
    { "[\"\\q\"]", "at byte 2" },
    { "[1,2", "at byte 4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (any_json_parse (cases[i].text, strlen (cases[i].text), &error));
      g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
      if (!g_str_has_suffix (error->message, cases[i].where))
        g_error ("'%s': '%s', wanted '%s'", cases[i].text, error->message, cases[i].where);
    }
}

/* Every prefix of a valid document, and single-byte mutations of it, from
 * exact-size buffers: an error or a value, never a crash or an overread. */
static void
test_truncations_and_mutations (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      gsize len = strlen (corpus[i]);

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = parse_exact (corpus[i], cut, &error);

          g_assert_true ((node == NULL) == (error != NULL));
        }
      for (guint m = 0; m < 50; m++)
        {
          g_autofree char *copy = g_memdup2 (corpus[i], len);
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = NULL;
          static const char interesting[] = "\"\\[]{}:,0-.eE\0\x1f\x80\xc3\xff u";

          copy[g_rand_int_range (rand, 0, len)] = g_rand_boolean (rand) ?
            interesting[g_rand_int_range (rand, 0, sizeof interesting - 1)] :
            (char) g_rand_int_range (rand, 0, 256);
          node = parse_exact (copy, len, &error);
          g_assert_true ((node == NULL) == (error != NULL));
          if (node != NULL)
            {
              g_autofree char *written = write_to_string (node);
              g_autoptr(JsonNode) back = parse_ok (written);

              g_assert_true (g_utf8_validate (written, -1, NULL));
              /* an exponent out of range reads as inf, written as null */
              if (!json_tree_has_non_finite (node) && !nodes_equal (node, back, FALSE))
                g_error ("mutation '%.*s' -> '%s' differs", (int) len, copy, written);
            }
        }
    }
}

/* The reader stops at len: what follows is never looked at. */
static void
test_stops_at_len (void)
{
  static const char *const tails[] = { "", "garbage", "]", "}", ",1]", "\"", "0", "e5", ".5", "\\u0041\"", "\0" };

  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    for (guint t = 0; t < G_N_ELEMENTS (tails); t++)
      {
        gsize len = strlen (corpus[i]), tail_len = strlen (tails[t]) + (t == G_N_ELEMENTS (tails) - 1);
        g_autofree char *buffer = g_malloc (len + tail_len);
        g_autoptr(JsonNode) expected = parse_ok (corpus[i]);
        g_autoptr(JsonNode) node = NULL;
        g_autoptr(GError) error = NULL;

        memcpy (buffer, corpus[i], len);
        memcpy (buffer + len, tails[t], tail_len);
        node = any_json_parse (buffer, len, &error);
        g_assert_no_error (error);
        g_assert_true (nodes_equal (node, expected, TRUE));
      }

  /* A value cut by len is an error, whatever follows in memory. */
  {
    static const char text[] = "[\"abc\", 12345, true]";
    g_autoptr(GError) error = NULL;

    g_assert_null (any_json_parse (text, 4, &error));   /* ["ab */
    g_clear_error (&error);
    g_assert_null (any_json_parse (text, 10, &error));  /* ["abc", 12 */
    g_clear_error (&error);
    g_assert_null (any_json_parse (text, 17, &error));  /* ..., tr */
    g_clear_error (&error);
    g_assert_null (any_json_parse ("\"\\ud83d\\ude00\"", 8, &error));
    g_clear_error (&error);
    {
      g_autoptr(JsonNode) n = any_json_parse ("12345", 3, &error);

      g_assert_no_error (error);
      g_assert_cmpint (json_node_get_int (n), ==, 123);
    }
    {
      g_autoptr(JsonNode) n = any_json_parse ("1.5e10", 3, &error);

      g_assert_no_error (error);
      g_assert_true (json_node_get_double (n) == 1.5);
    }
  }
}

/* The writer and the reader skip plain text eight bytes at a time: every
 * special byte at every position of a word, next to plain ASCII and to
 * multi-byte UTF-8, against a byte-at-a-time reference. */
static char *
reference_escape (const char *text)
{
  GString *out = g_string_new ("\"");

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static void
test_word_boundaries (void)
{
  static const char *const specials[] = { "\"", "\\", "\x01", "\x1f", "\n", " ", "\x7f", "é", "漢", "😀" };
  guint cases = 0;

  for (guint len = 0; len <= 24; len++)
    for (guint at = 0; at <= len; at++)
      for (guint k = 0; k < G_N_ELEMENTS (specials); k++)
        {
          g_autoptr(GString) text = g_string_new (NULL);
          g_autoptr(GString) written = g_string_new (NULL);
          g_autoptr(JsonNode) node = NULL, back = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *expected = NULL;

          for (guint i = 0; i < len; i++)
            g_string_append (text, i == at ? specials[k] : "a");
          if (at == len)
            g_string_append (text, specials[k]);
          node = json_node_init_string (json_node_alloc (), text->str);
          any_json_write (written, node);
          expected = reference_escape (text->str);
          g_assert_cmpstr (written->str, ==, expected);
          back = any_json_parse (written->str, written->len, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (json_node_get_string (back), ==, text->str);
          cases++;
        }
  /* A raw control character or a lone quote inside is refused wherever it is. */
  for (guint at = 0; at < 20; at++)
    {
      g_autoptr(GString) bad = g_string_new ("\"");
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      for (guint i = 0; i < 20; i++)
        g_string_append_c (bad, i == at ? '\x01' : 'b');
      g_string_append_c (bad, '"');
      node = any_json_parse (bad->str, bad->len, &error);
      g_assert_null (node);
      g_assert_nonnull (error);
    }
  g_test_message ("%u strings", cases);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/differential", test_differential);
  g_test_add_func ("/json/numbers", test_numbers);
  g_test_add_func ("/json/strings", test_strings);
  g_test_add_func ("/json/duplicate-keys", test_duplicate_keys);
  g_test_add_func ("/json/deep-nesting", test_deep_nesting);
  g_test_add_func ("/json/write", test_write);
  g_test_add_func ("/json/random-round-trip", test_random_round_trip);
  g_test_add_func ("/json/invalid", test_invalid);
  g_test_add_func ("/json/error-offsets", test_error_offsets);
  g_test_add_func ("/json/truncations-and-mutations", test_truncations_and_mutations);
  g_test_add_func ("/json/stops-at-len", test_stops_at_len);
  g_test_add_func ("/json/word-boundaries", test_word_boundaries);

  return g_test_run ();
}

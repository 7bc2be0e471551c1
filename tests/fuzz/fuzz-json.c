/* fuzz-json.c: the JSON reader and writer (any-json.c)
 *
 * Whatever the input, the reader returns a tree or an error, never reads
 * outside it. What it accepts, json-glib's own parser must accept too
 * (we take nothing that is not JSON), and writing the tree and reading
 * that back gives an equal tree, written the same way (the writer says
 * exactly what the reader read). The one loss is on purpose: a number too
 * big for a double (1e400) reads as infinity and is written as null, as
 * JavaScript's JSON.stringify() does.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec/any-json.h"
#include "fuzz.h"
#include "json-tree.h"

/* abort(), not g_error(): libFuzzer saves the input on SIGABRT only */
G_NORETURN static void
fail (const char   *what,
      const char   *why,
      const guint8 *text,
      gsize         len)
{
  g_printerr ("%s (%s): %.*s\n", what, why, (int) MIN (len, 200), (const char *) text);
  abort ();
}

/* A \uD800-\uDFFF escape (a surrogate, paired or not) anywhere. */
static gboolean
has_surrogate_escape (const guint8 *text,
                      gsize         len)
{
  for (gsize i = 0; i + 3 < len; i++)
    if (text[i] == '\\' && text[i + 1] == 'u' && g_ascii_tolower (text[i + 2]) == 'd' &&
        strchr ("89abcdefABCDEF", text[i + 3]) != NULL && text[i + 3] != '\0')
      return TRUE;
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonNode) tree = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) text_again = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  tree = any_json_parse ((const char *) data, size, &error);
  if (tree == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  g_assert_no_error (error);

  parser = json_parser_new_immutable ();
  /* json-glib refuses a lone surrogate escape, which JSON.parse() takes
   * and we read as U+FFFD (any-json.h): the one difference allowed; and
   * json-glib 1.6 leaks on that path, so it is not asked at all then */
  if (!has_surrogate_escape (data, size) &&
      !json_parser_load_from_data (parser, (const char *) data, (gssize) size, &error))
    fail ("any_json_parse() accepted what json-glib refuses", error->message, data, size);
  g_clear_error (&error);
  any_json_write (text, tree);
  again = any_json_parse (text->str, text->len, &error);
  if (again == NULL)
    fail ("cannot read back what was written", error->message, (const guint8 *) text->str, text->len);
  if (!json_tree_has_non_finite (tree))
    g_assert_true (json_node_equal (tree, again));
  any_json_write (text_again, again);
  g_assert_cmpstr (text->str, ==, text_again->str);
  return 0;
}

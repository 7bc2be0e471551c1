/* vectors.h: loading the JSON known-answer vectors of tests/crypto/vectors
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Parses tests/crypto/vectors/@relpath (found through G_TEST_SRCDIR);
 * aborts the test on error. */
JsonNode *vectors_load       (const char  *relpath);

/* Decodes a hex string (asserts it is valid); never returns NULL, even
 * for "" (then *len is 0). */
guint8   *vectors_hex        (const char  *hex,
                              gsize       *len);

/* The hex member @name of @obj, decoded. */
guint8   *vectors_member_hex (JsonObject  *obj,
                              const char  *name,
                              gsize       *len);

/* Lowercase hex of @data, newly allocated. */
char     *vectors_to_hex     (const guint8 *data,
                              gsize         len);

typedef enum {
  VECTOR_VALID,
  VECTOR_INVALID,
  VECTOR_ACCEPTABLE,
} VectorResult;

/* Calls @func on every tests[] entry of every testGroups[] entry of a
 * Wycheproof file. */
typedef void (*WycheproofFunc) (JsonObject   *group,
                                JsonObject   *test,
                                VectorResult  result,
                                gpointer      user_data);
void      vectors_foreach_wycheproof (JsonNode       *root,
                                      WycheproofFunc  func,
                                      gpointer        user_data);

/* TRUE if the test's "flags" array contains @flag. */
gboolean  vectors_has_flag   (JsonObject  *test,
                              const char  *flag);

G_END_DECLS

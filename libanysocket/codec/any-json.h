/* any-json.h: a small, strict JSON reader and writer over json-glib's types
 *
 * The per-packet path: every received packet's text is parsed here and
 * every sent packet's text is written here. json-glib's JsonParser and
 * JsonGenerator are general and slow (a GScanner, signals and a UTF-8
 * re-validation per call); these two do only RFC 8259 and produce and
 * accept the same JsonNode trees.
 *
 * Reader (any_json_parse, in any-json.c):
 *  - the whole text is one JSON value, whitespace around it allowed,
 *    nothing else after it; nesting deeper than ANY_JSON_MAX_DEPTH
 *    arrays/objects is an error;
 *  - reads exactly @len bytes: the text need not be NUL-terminated and a
 *    NUL byte anywhere is an error;
 *  - integers that fit a gint64 become G_TYPE_INT64 values; numbers with a
 *    fraction or an exponent, and integers beyond gint64, become
 *    G_TYPE_DOUBLE (an exponent beyond the double range gives ±inf, as
 *    JSON.parse() does);
 *  - strings are UTF-8 (invalid UTF-8 and raw control characters in them
 *    are errors); \uXXXX escapes give one character, surrogate pairs one
 *    supplementary character. What a C string cannot hold becomes U+FFFD:
 *    a lone or mismatched surrogate escape (JSON.parse() keeps it as a
 *    UTF-16 unit, UTF-8 has no form for it) and \u0000 (json-glib used to
 *    cut the string there);
 *  - objects keep their members' order; of duplicate keys the last value
 *    wins, at the first key's place (json_object_set_member());
 *  - leading zeros, '+', '.5', '1.', NaN, Infinity, trailing commas and
 *    comments are errors, as in JSON.parse();
 *  - errors are ANY_SOCKET_ERROR_PROTOCOL and give the byte offset.
 *
 * Writer (any_json_write, in any-json-write.c): compact text as JSON.stringify() writes it:
 * no spaces; '"', '\\' and every control character below U+0020 escaped
 * (\b \f \n \r \t, others as \u00XX); other characters, U+2028/U+2029
 * too, as they are; integers in decimal; doubles in the shortest of
 * %.15g/%.16g/%.17g that reads back exactly, -0 as 0, NaN and infinities
 * as null; a NULL node as null.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ANY_JSON_MAX_DEPTH 128

JsonNode *any_json_parse (const char  *text,
                          gsize        len,
                          GError     **error);

void      any_json_write (GString     *out,
                          JsonNode    *node);

const char *any_json_get_string_member (JsonObject *object,
                                        const char *name);

G_END_DECLS

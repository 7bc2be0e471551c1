/* json-msg.h: the JSON messages tests send and read back: made from
 * text, read member by member, compared
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* JSON text that must parse (the test fails otherwise). */
JsonNode   *json_checked        (const char *text);
JsonNode   *json_printf         (const char *format,
                                 ...) G_GNUC_PRINTF (1, 2);
/* JSON text that may not parse (what a server under attack sent): NULL
 * then. */
JsonNode   *json_or_null        (const char *text);

/* Members of an object message; a message of another shape, or a member
 * missing or of another type, reads as NULL (-1 for msg_int), for the
 * caller's assertion to report. */
JsonNode   *msg_member          (JsonNode   *msg,
                                 const char *name);
const char *msg_string          (JsonNode   *msg,
                                 const char *name);
gint64      msg_int             (JsonNode   *msg,
                                 const char *name);
/* A number member that must be there (any number: JavaScript does not
 * tell integers apart). */
gint64      msg_required_int    (JsonNode   *msg,
                                 const char *name);
double      msg_required_double (JsonNode   *msg,
                                 const char *name);

/* @got (nullable) equals @expected; the test fails showing both. */
void        assert_json_equal   (JsonNode   *got,
                                 JsonNode   *expected);

G_END_DECLS

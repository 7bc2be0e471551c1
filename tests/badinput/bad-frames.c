/* bad-frames.c: hostile malformed frames, before and after AUTH, and text
 * that is not UTF-8
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "bad-input.h"

/* The cases of the table, kept for the whole run. */
static GPtrArray *frame_cases;

/* Cases: malformed frames, before and after AUTH */

#define IGNORED ((const char *) 1)
#define BYTES(s) s, sizeof (s) - 1
#define ID16(b) b b b b b b b b b b b b b b b b

typedef struct {
  const char *name;
  const char *bytes;
  gsize       len;
  gboolean    binary;
  const char *reason;        /* before AUTH */
  const char *reason_after;  /* after AUTH, NULL when the same, IGNORED when ignored */
} BadFrame;

static const BadFrame bad_frames[] = {
  { "empty",                 BYTES (""),                                  FALSE, "Truncated chunk header (0 bytes)", NULL },
  { "flag-only",             BYTES ("1"),                                 FALSE, "Truncated chunk header (1 bytes)", NULL },
  { "truncated-header",      BYTES ("13" "\0\0"),                         FALSE, "Truncated chunk header (4 bytes)", NULL },
  { "truncated-seq",         BYTES ("13" "\0\0\0"),                       FALSE, "Truncated chunk header (5 bytes)", NULL },
  { "seq-code-point-u0100",  BYTES ("13" "\0\0\0" "\xC4\x80" "{}"),       FALSE, "Invalid or truncated seq in chunk header", NULL },
  { "seq-code-point-3-byte", BYTES ("13" "\0\0\0" "\xE2\x82\xAC" "{}"),   FALSE, "Invalid or truncated seq in chunk header", NULL },
  { "type-0",                BYTES ("10" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x30", NULL },
  { "type-6-in-chunk",       BYTES ("16" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x36", NULL },
  { "type-7",                BYTES ("17" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x37", NULL },
  { "type-9",                BYTES ("19" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x39", NULL },
  { "type-letter",           BYTES ("1a" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x61", NULL },
  { "type-non-ascii",        BYTES ("1" "\xC3\xA9" "\0\0\0\x02" "{}"),    FALSE, "Unknown packet type 0xc3", NULL },
  { "flag-0",                BYTES ("03" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x30", NULL },
  { "flag-3",                BYTES ("33" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x33", NULL },
  { "flag-9",                BYTES ("93" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x39", NULL },
  { "flag-nul",              BYTES ("\0" "3" "\0\0\0\x02" "{}"),          FALSE, "Invalid chunk flag 0x00", NULL },
  { "flag-letter",           BYTES ("x3" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x78", NULL },
  /* This raw client advertises no "bin" (bad-binary.c has one that does) */
  { "binary-frame",          BYTES ("13" "\0\0\0\x02" "{}"),              TRUE,  "Invalid Packet! Binary frame before authentication",
                                                                          "Invalid Packet! Binary frame from a peer that did not advertise \"bin\"" },
  { "binary-empty",          BYTES (""),                                  TRUE,  "Invalid Packet! Binary frame before authentication",
                                                                          "Invalid Packet! Binary frame from a peer that did not advertise \"bin\"" },
  { "binary-message",        BYTES ("b\x01" "\0\0\0\x02" "hi"),           TRUE,  "Invalid Packet! Binary frame before authentication",
                                                                          "Invalid Packet! Binary frame from a peer that did not advertise \"bin\"" },
  { "invalid-json",          BYTES ("13" "\0\0\0\x02" "{not json"),       FALSE, "Invalid JSON in LINK packet 2", NULL },
  { "truncated-json",        BYTES ("13" "\0\0\0\x02" "{\"a\":"),         FALSE, "Invalid JSON in LINK packet 2", NULL },
  { "nul-in-json",           BYTES ("13" "\0\0\0\x02" "[1," "\0" "2]"),   FALSE, "Invalid JSON in LINK packet 2", NULL },
  { "empty-body",            BYTES ("13" "\0\0\0\x02"),                   FALSE, "Invalid JSON", NULL },
  { "blank-body",            BYTES ("13" "\0\0\0\x02" "  \n "),           FALSE, "Invalid JSON", NULL },
  { "invalid-json-internal", BYTES ("12" "\0\0\0\x02" "{\"type\":"),      FALSE, "Invalid JSON in INTERNAL packet 2", NULL },
  { "invalid-json-auth",     BYTES ("11" "\0\0\0\x01" "{\"id\""),         FALSE, "Invalid JSON in AUTH packet 1", NULL },
  { "forward-flag-only",     BYTES ("6"),                                 FALSE, "Invalid or truncated FORWARD header", NULL },
  { "forward-truncated",     BYTES ("6" ID16 ("\x01") "\x02\x02"),        FALSE, "Invalid or truncated FORWARD header", NULL },
  { "forward-valid",         BYTES ("6" ID16 ("\x01") ID16 ("\x02") "13" "\0\0\0\x02" "{}"),
                                                                          FALSE, "Invalid Packet! FORWARD before authentication",
                                                                          "Invalid FORWARD: source 02020202020202020202020202020202 is not the sender" },
};

typedef struct {
  const BadFrame *frame;
  gboolean        after_auth;
} BadFrameCase;

static void
test_bad_frame (Fixture       *fx,
                gconstpointer  data)
{
  const BadFrameCase *c = data;
  RawClient *raw = raw_connect (fx);
  const char *expected = c->frame->reason;

  if (c->after_auth)
    {
      if (!raw_auth (fx, raw))
        return;
      if (c->frame->reason_after != NULL)
        expected = c->frame->reason_after;
    }

  g_assert_true (raw_send_bytes (raw, g_bytes_new_static (c->frame->bytes, c->frame->len), c->frame->binary));
  if (expected == IGNORED)
    {
      raw_expect_alive (fx, raw);
      g_assert_cmpuint (fx->raw_messages->len, ==, 1);
      return;
    }
  raw_expect_close (fx, raw, expected);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* Writes one masked WebSocket frame straight to the connection's stream,
 * bypassing libsoup's checks (it refuses to send invalid UTF-8 as text). */
static gboolean
raw_write_unchecked (RawClient    *raw,
                     guint8        opcode,
                     const guint8 *payload,
                     gsize         len)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 head[2] = { 0x80 | opcode, 0x80 | (guint8) len };
  guint8 mask[4] = { 0, 0, 0, 0 };   /* a zero mask leaves the payload as it is */
  GOutputStream *out;

  g_assert (len < 126);
  if (!raw_is_open (raw))
    return FALSE;
  g_byte_array_append (frame, head, 2);
  g_byte_array_append (frame, mask, 4);
  g_byte_array_append (frame, payload, len);
  out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (raw->conn));
  if (!g_output_stream_write_all (out, frame->data, frame->len, NULL, NULL, &error) ||
      !g_output_stream_flush (out, NULL, &error))
    {
      g_test_message ("raw write failed: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* A link the WebSocket layer refused (not our close code path): there must
 * still be a close frame with a reason, and the server must not blame the
 * remote side for a close it made itself. */
void
raw_expect_websocket_close (Fixture   *fx,
                            RawClient *raw)
{
  WAIT_FOR (raw->closed, WAIT_MS);
  g_assert_true (raw->closed);
  g_test_message ("raw link closed: code %u, reason '%s'", raw->close_code,
                  raw->close_reason ? raw->close_reason : "(none)");
  g_assert_cmpuint (raw->close_code, !=, 0);
  g_assert_true (raw->close_reason != NULL && raw->close_reason[0] != '\0');
  if (raw->authenticated)
    {
      const char *server_reason;

      WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, raw->id), WAIT_MS);
      server_reason = g_hash_table_lookup (fx->disconnect_reasons, raw->id);
      g_test_message ("server side reason: '%s'", server_reason ? server_reason : "(none)");
      g_assert_nonnull (server_reason);
      g_assert_false (server_reason != NULL && g_str_has_prefix (server_reason, "Remote Connection Closed"));
    }
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* All the broken frames at once, each on its own link, while the healthy
 * client keeps going. */
static void
test_many_bad_clients (Fixture       *fx,
                       gconstpointer  data)
{
  RawClient *raws[G_N_ELEMENTS (bad_frames)];

  /* No timeout: the reasons must be the frames', not the clock's. */
  any_socket_set_auth_timeout (fx->server, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    raws[i] = raw_connect (fx);
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    g_assert_true (raw_send_bytes (raws[i], g_bytes_new_static (bad_frames[i].bytes, bad_frames[i].len),
                                   bad_frames[i].binary));
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    raw_expect_close (fx, raws[i], bad_frames[i].reason);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* A text frame that is not UTF-8. */
static void
test_invalid_utf8 (Fixture       *fx,
                   gconstpointer  data)
{
  gboolean after_auth = GPOINTER_TO_INT (data);
  RawClient *raw = raw_connect (fx);
  static const char frame[] = "13" "\0\0\0\x02" "[\"\xC3\x28\"]";

  if (after_auth && !raw_auth (fx, raw))
    return;
  g_assert_true (raw_write_unchecked (raw, 0x1, (const guint8 *) frame, sizeof frame - 1));
  raw_expect_websocket_close (fx, raw);
}

void
badinput_add_frames_cases (void)
{
  frame_cases = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    for (int after = 0; after <= 1; after++)
      {
        BadFrameCase *c = g_new0 (BadFrameCase, 1);
        g_autofree char *path = g_strdup_printf ("/badinput/frame/%s/%s", bad_frames[i].name,
                                                 after ? "after-auth" : "before-auth");

        c->frame = &bad_frames[i];
        c->after_auth = after;
        g_ptr_array_add (frame_cases, c);
        g_test_add (path, Fixture, c, fixture_setup, test_bad_frame, fixture_teardown);
      }

  ADD ("frame/all-at-once", NULL, test_many_bad_clients);

  ADD ("frame/invalid-utf8/before-auth", GINT_TO_POINTER (FALSE), test_invalid_utf8);

  ADD ("frame/invalid-utf8/after-auth", GINT_TO_POINTER (TRUE), test_invalid_utf8);
}

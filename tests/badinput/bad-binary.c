/* bad-binary.c: broken binary frames from a raw client that advertised
 * "bin" in its AUTH caps (issue 17; protocol/any-engine-bytes.c), while
 * the healthy client keeps talking (the fixture checks it lost nothing).
 * Frames from a client that did not advertise it, or before AUTH, are in
 * bad-frames.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "bad-input.h"

typedef struct {
  const char *name;
  const char *first;        /* a binary frame, or NULL for none */
  gsize       first_len;
  const char *second;
  gsize       second_len;
  const char *reason;       /* NULL: the frames are fine, the link stays */
} BadBinary;

#define B(text) text, sizeof text - 1

static const BadBinary bad_binaries[] = {
  { "empty",             B (""), NULL, 0, "Invalid Packet! Malformed binary frame header" },
  { "short-header",      B ("b\x01\0\0"), NULL, 0, "Invalid Packet! Malformed binary frame header" },
  { "bad-magic",         B ("B\x01\0\0\0\x02" "x"), NULL, 0, "Invalid Packet! Malformed binary frame header" },
  { "unknown-flag",      B ("b\x03\0\0\0\x02" "x"), NULL, 0, "Invalid Packet! Malformed binary frame header" },
  { "seq-0",             B ("b\x01\0\0\0\0" "x"), NULL, 0, "Invalid Packet! Binary frame with a seq no peer sends" },
  { "seq-min",           B ("b\x01\x80\0\0\0" "x"), NULL, 0, "Invalid Packet! Binary frame with a seq no peer sends" },
  { "interleaved",       B ("b\0\0\0\0\x02" "part of 2"), B ("b\x01\0\0\0\x03" "all of 3"),
                         "Invalid Packet! Chunks of two binary messages interleaved" },
  /* a sealed chunk in a binary frame, on a link that is not encrypted */
  { "chunk-in-the-clear", B ("13\0\0\0\x02" "{}"), NULL, 0, "Invalid Packet! Malformed binary frame header" },
  { "good-in-two",       B ("b\0\0\0\0\x70" "hello "), B ("b\x01\0\0\0\x70" "world"), NULL },
};

static void
test_bad_binary (Fixture       *fx,
                 gconstpointer  data)
{
  const BadBinary *c = data;
  RawClient *raw = raw_connect (fx);

  if (!raw_auth_with_caps (fx, raw, "{\"v\":1,\"bin\":1}"))
    return;
  g_assert_true (raw_send_bytes (raw, g_bytes_new_static (c->first, c->first_len), TRUE));
  if (c->second != NULL)
    g_assert_true (raw_send_bytes (raw, g_bytes_new_static (c->second, c->second_len), TRUE));
  if (c->reason == NULL)
    {
      /* the message (JSON null beside its bytes), then raw_expect_alive()'s */
      raw_expect_alive (fx, raw);
      g_assert_cmpuint (fx->raw_messages->len, ==, 2);
      g_assert_cmpstr (g_ptr_array_index (fx->raw_messages, 0), ==, "null");
      return;
    }
  raw_expect_close (fx, raw, c->reason);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* Binary FORWARD frames (docs/protocol.md, "Binary messages through a
 * hub"): only from a peer that advertised "binfwd", well formed, and under
 * the same rules as text ones (this hub relays only between linked peers). */
typedef enum {
  FWD_NO_CAP,
  FWD_UNLINKED,
  FWD_TRUNCATED,
} BadForward;

static void
test_bad_binary_forward (Fixture       *fx,
                         gconstpointer  data)
{
  BadForward variant = GPOINTER_TO_INT (data);
  RawClient *a = raw_connect (fx);
  RawClient *b = raw_connect (fx);
  g_autofree char *reason = NULL;

  if (!raw_auth_with_caps (fx, a, variant == FWD_NO_CAP ? "{\"v\":1,\"bin\":1}"
                                                        : "{\"v\":1,\"bin\":1,\"binfwd\":1}") ||
      !raw_auth_with_caps (fx, b, "{\"v\":1,\"bin\":1,\"binfwd\":1}"))
    return;
  switch (variant)
    {
    case FWD_NO_CAP:
      g_assert_true (raw_send_bytes (a, forward_frame (b->id, a->id), TRUE));
      reason = g_strdup ("Invalid Packet! Binary FORWARD from a peer that did not advertise \"binfwd\"");
      break;
    case FWD_UNLINKED:
      g_assert_true (raw_send_bytes (a, forward_frame (b->id, a->id), TRUE));
      reason = g_strdup_printf ("Invalid FORWARD: peer %s is not linked to %s", a->id, b->id);
      break;
    case FWD_TRUNCATED:
      g_assert_true (raw_send_bytes (a, g_bytes_new_static ("6abc", 4), TRUE));
      reason = g_strdup ("Invalid or truncated FORWARD header");
      break;
    }
  raw_expect_close (fx, a, reason);
  /* nothing reached the other raw client beyond the server's AUTH */
  g_assert_cmpuint (b->frames->len, ==, 1);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

void
badinput_add_binary_cases (void)
{
  g_test_add ("/badinput/binary/forward-without-cap", Fixture, GINT_TO_POINTER (FWD_NO_CAP),
              fixture_setup, test_bad_binary_forward, fixture_teardown);
  g_test_add ("/badinput/binary/forward-unlinked", Fixture, GINT_TO_POINTER (FWD_UNLINKED),
              fixture_setup, test_bad_binary_forward, fixture_teardown);
  g_test_add ("/badinput/binary/forward-truncated", Fixture, GINT_TO_POINTER (FWD_TRUNCATED),
              fixture_setup, test_bad_binary_forward, fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (bad_binaries); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/binary/%s", bad_binaries[i].name);

      g_test_add (path, Fixture, &bad_binaries[i], fixture_setup, test_bad_binary, fixture_teardown);
    }
}

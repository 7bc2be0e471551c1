/* interop-bytes.c: binary messages with the npm peer (issue 17). The
 * JavaScript package (0.4.29) has no binary message (its only binary
 * convention is RPC's "bin", base64 inside JSON, which interop-rpc.c
 * covers): it advertises no "bin" cap, so sending bytes to it fails with
 * a clear NOT_SUPPORTED error and nothing goes on the wire; it takes our
 * AUTH with the extra "bin" member, and the link goes on.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "interop.h"

static void
on_request_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_bytes_fallback (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);
  g_autoptr(GBytes) body = g_bytes_new_static ("\0\1\2", 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AnyPacket) reply = NULL;

  g_assert_false (any_peer_send_bytes (link->peer, body, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED);
  note ("%s: %s", dir_name (dir), error->message);
  g_assert_nonnull (strstr (error->message, "\"bin\""));
  g_clear_error (&error);

  any_peer_send_bytes_request_async (link->peer, body, 2000, NULL, on_request_done, &result);
  g_assert_true (WAIT_FOR (result != NULL, 5000));
  reply = any_peer_send_bytes_request_finish (link->peer, result, &error);
  g_assert_null (reply);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED);

  /* nothing reached the JavaScript side, and the link still works */
  assert_link_works (link);
  g_assert_null (js_take (link->js, "message"));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

void
interop_add_bytes_cases (void)
{
  add_both ("bytes/fallback", test_bytes_fallback);
}

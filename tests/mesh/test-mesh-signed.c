/* test-mesh-signed.c: a publication's signed bytes (any-mesh-signed.c):
 * kept in a ::message handler, checked again later, and a copy with one
 * byte changed anywhere refused.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "mesh-harness.h"

#define CONVERGE_MS 20000

typedef struct {
  GBytes *signed_msg;
  char   *author;
  char   *fingerprint;
  gboolean outside_is_null;
} Kept;

static void
on_message (AnyMesh    *mesh,
            const char *topic,
            const char *author,
            const char *fingerprint,
            JsonNode   *msg,
            Kept       *kept)
{
  if (kept->signed_msg != NULL)
    return;
  kept->signed_msg = any_mesh_dup_message_signed (mesh);
  kept->author = g_strdup (author);
  kept->fingerprint = g_strdup (fingerprint);
}

static void
test_signed (void)
{
  Net *net = net_new (3);
  Kept kept = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) msg = NULL;
  g_autofree char *topic = NULL;
  g_autofree char *author = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(GBytes) outside = NULL;
  gsize len;
  const guint8 *data;

  net_chain (net);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  g_signal_connect (net_node (net, 2)->mesh, "message", G_CALLBACK (on_message), &kept);
  outside = any_mesh_dup_message_signed (net_node (net, 2)->mesh);
  g_assert_null (outside);
  net_publish (net, 0, 7);
  g_assert_true (WAIT_FOR (kept.signed_msg != NULL, CONVERGE_MS));
  g_assert_null (any_mesh_dup_message_signed (net_node (net, 2)->mesh));   /* only in the handler */

  msg = any_mesh_verify_signed (kept.signed_msg, &topic, &author, &fingerprint, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpstr (topic, ==, "t");
  g_assert_cmpstr (author, ==, net_node (net, 0)->node_id);
  g_assert_cmpstr (author, ==, kept.author);
  g_assert_cmpstr (fingerprint, ==, kept.fingerprint);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (msg), "n"), ==, 7);

  /* one byte changed, anywhere past the relays' hop limit (byte 2, not
   * signed): refused */
  data = g_bytes_get_data (kept.signed_msg, &len);
  for (gsize i = 3; i < len; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(JsonNode) bad_msg = NULL;

      copy[i] ^= 0x01;
      bad = g_bytes_new (copy, len);
      bad_msg = any_mesh_verify_signed (bad, NULL, NULL, NULL, &bad_error);
      g_assert_null (bad_msg);
      g_assert_error (bad_error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
    }
  /* cut short, and empty */
  {
    g_autoptr(GBytes) cut = g_bytes_new (data, len - 1);
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;

    g_assert_null (any_mesh_verify_signed (cut, NULL, NULL, NULL, &e1));
    g_assert_null (any_mesh_verify_signed (empty, NULL, NULL, NULL, &e2));
    g_assert_nonnull (e1);
    g_assert_nonnull (e2);
  }
  g_bytes_unref (kept.signed_msg);
  g_free (kept.author);
  g_free (kept.fingerprint);
  net_free (net);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mesh/signed", test_signed);
  return g_test_run ();
}

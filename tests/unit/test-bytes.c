/* test-bytes.c: binary messages and requests between libanysocket
 * endpoints over real loopback sockets (issue 17): sizes 0, 1, 64 KiB
 * and 5 MiB, plain, compat E2E and native E2E, over our own WebSocket
 * framing (ws://) and over libsoup's (permessage-deflate), both ways,
 * replies binary and JSON
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loopback.h"
#include "api/any-socket-private.h"
#include "transport/any-frame-pool.h"

typedef enum {
  MODE_PLAIN,
  MODE_COMPAT,
  MODE_NATIVE,
} Mode;

typedef struct {
  Mode     mode;
  gboolean deflate;
  guint64  server_max;   /* max-message-size, 0: the default */
  guint64  client_max;
} Variant;

typedef struct {
  AnySocket *server;
  AnySocket *client;
  AnyPeer   *to_server;   /* the client's peer */
  AnyPeer   *to_client;   /* the server's peer */
  GQueue     server_got;  /* AnyPacket */
  GQueue     client_got;
  guint      e2e;
} Pair;

/* 511 and 512: sealed by nettle and by GnuTLS (crypto/any-noise-cipher.c);
 * 1 MiB + 1: a full chunk and a 1-byte one. */
static const gsize sizes[] = { 0, 1, 511, 512, 64 * 1024, 1024 * 1024 + 1, 5 * 1024 * 1024 };

static GBytes *
pattern (gsize len, guint8 seed)
{
  guint8 *data = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 131 + seed + (i >> 16));
  return g_bytes_new_take (data, len);
}

static void
on_server_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  Pair *pair = user_data;
  GBytes *bytes = any_packet_get_bytes (packet);

  /* a binary request is answered with its bytes reversed, a JSON
   * {"len":N} one with N */
  if (bytes != NULL && g_bytes_get_size (bytes) > 0 && ((const guint8 *) g_bytes_get_data (bytes, NULL))[0] == 'R')
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      guint8 *reversed = g_malloc (len);
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;

      for (gsize i = 0; i < len; i++)
        reversed[i] = data[len - 1 - i];
      reply = g_bytes_new_take (reversed, len);
      g_assert_true (any_packet_reply_bytes (packet, reply, &error));
      g_assert_no_error (error);
      return;
    }
  if (bytes != NULL && g_bytes_get_size (bytes) > 0 && ((const guint8 *) g_bytes_get_data (bytes, NULL))[0] == 'J')
    {
      g_autoptr(JsonNode) reply = json_printf ("{\"len\":%" G_GSIZE_FORMAT "}", g_bytes_get_size (bytes));

      g_assert_true (any_packet_reply (packet, reply, NULL));
      return;
    }
  g_queue_push_tail (&pair->server_got, g_object_ref (packet));
}

static void
on_client_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  Pair *pair = user_data;

  g_queue_push_tail (&pair->client_got, g_object_ref (packet));
}

static void
on_e2e (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  ((Pair *) user_data)->e2e++;
}

static void
on_server_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  g_set_object (&((Pair *) user_data)->to_client, peer);
}

static void
pair_open (Pair *pair, const Variant *variant)
{
  g_autoptr(GError) error = NULL;
  guint port;

  memset (pair, 0, sizeof *pair);
  pair->server = any_socket_new ();
  pair->client = any_socket_new ();
  if (variant->mode == MODE_COMPAT)
    {
      _any_socket_drop_identity_for_testing (pair->server);
      _any_socket_drop_identity_for_testing (pair->client);
    }
  if (variant->server_max != 0)
    any_socket_set_max_message_size (pair->server, variant->server_max);
  if (variant->client_max != 0)
    any_socket_set_max_message_size (pair->client, variant->client_max);
  any_socket_set_permessage_deflate (pair->server, variant->deflate);
  any_socket_set_permessage_deflate (pair->client, variant->deflate);
  g_signal_connect (pair->server, "message", G_CALLBACK (on_server_message), pair);
  g_signal_connect (pair->server, "connected", G_CALLBACK (on_server_connected), pair);
  g_signal_connect (pair->client, "message", G_CALLBACK (on_client_message), pair);
  g_signal_connect (pair->client, "e2e", G_CALLBACK (on_e2e), pair);
  port = listen_local (pair->server);
  pair->to_server = connect_local (pair->client, port, &error);
  g_assert_no_error (error);
  g_assert_true (WAIT_FOR (pair->to_client != NULL, 5000));
  if (variant->mode != MODE_PLAIN)
    {
      any_peer_e2e (pair->to_server);
      g_assert_true (WAIT_FOR (pair->e2e == 1, 10000));
      AnyE2eMode want = variant->mode == MODE_NATIVE ? ANY_E2E_MODE_NATIVE : ANY_E2E_MODE_COMPAT;

      g_assert_cmpint (any_peer_get_e2e_mode (pair->to_server), ==, want);
    }
}

static void
pair_close (Pair *pair)
{
  any_socket_stop (pair->client);
  any_socket_stop (pair->server);
  g_queue_clear_full (&pair->server_got, g_object_unref);
  g_queue_clear_full (&pair->client_got, g_object_unref);
  g_clear_object (&pair->to_server);
  g_clear_object (&pair->to_client);
  g_clear_object (&pair->client);
  g_clear_object (&pair->server);
}

static void
assert_bytes_equal (GBytes *got, GBytes *want)
{
  g_assert_nonnull (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, g_bytes_get_size (want));
  g_assert_true (g_bytes_equal (got, want));
}

static void
on_replied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static AnyPacket *
bytes_request (AnyPeer *peer, GBytes *bytes)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AnyPacket *reply;

  any_peer_send_bytes_request_async (peer, bytes, 20000, NULL, on_replied, &result);
  g_assert_true (WAIT_FOR (result != NULL, 25000));
  reply = any_peer_send_bytes_request_finish (peer, result, &error);
  g_assert_no_error (error);
  g_assert_true (any_packet_is_reply (reply));
  return reply;
}

static void
test_sizes (gconstpointer data)
{
  const Variant *variant = data;
  Pair pair;

  pair_open (&pair, variant);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) out = pattern (sizes[i], (guint8) i);
      g_autoptr(GBytes) back = pattern (sizes[i], (guint8) (i + 100));
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPacket) got = NULL;

      /* client -> server, a message */
      g_assert_true (any_peer_send_bytes (pair.to_server, out, &error));
      g_assert_no_error (error);
      g_assert_true (WAIT_FOR (!g_queue_is_empty (&pair.server_got), 20000));
      got = g_queue_pop_head (&pair.server_got);
      assert_bytes_equal (any_packet_get_bytes (got), out);
      g_assert_true (JSON_NODE_HOLDS_NULL (any_packet_get_msg (got)));
      g_assert_false (any_packet_is_reply (got));
      g_clear_object (&got);

      /* server -> client */
      g_assert_true (any_peer_send_bytes (pair.to_client, back, &error));
      g_assert_no_error (error);
      g_assert_true (WAIT_FOR (!g_queue_is_empty (&pair.client_got), 20000));
      got = g_queue_pop_head (&pair.client_got);
      assert_bytes_equal (any_packet_get_bytes (got), back);
      g_clear_object (&got);

      /* a binary request, its binary reply (reversed), and one with a
       * JSON reply */
      if (sizes[i] > 0)
        {
          gsize len;
          guint8 *data_r = g_bytes_unref_to_data (g_bytes_ref (out), &len);
          g_autoptr(GBytes) request = NULL;
          g_autoptr(GBytes) reversed = NULL;
          g_autoptr(AnyPacket) reply = NULL;
          guint8 *rev = g_malloc (len);

          data_r[0] = 'R';
          for (gsize k = 0; k < len; k++)
            rev[k] = data_r[len - 1 - k];
          request = g_bytes_new_take (data_r, len);
          reversed = g_bytes_new_take (rev, len);
          reply = bytes_request (pair.to_server, request);
          assert_bytes_equal (any_packet_get_bytes (reply), reversed);
          g_clear_object (&reply);

          data_r = g_bytes_unref_to_data (g_bytes_ref (out), &len);
          data_r[0] = 'J';
          g_clear_pointer (&request, g_bytes_unref);
          request = g_bytes_new_take (data_r, len);
          reply = bytes_request (pair.to_server, request);
          g_assert_null (any_packet_get_bytes (reply));
          g_assert_cmpint (msg_int (any_packet_get_msg (reply), "len"), ==, (gint64) len);
        }
    }
  /* The 1 MiB frames' buffers went back to be sealed into again
   * (transport/any-frame-pool.c), a few at most. */
  if (variant->mode == MODE_NATIVE && !variant->deflate)
    {
      g_assert_cmpuint (any_frame_pool_get_held (), >=, 1);
      g_assert_cmpuint (any_frame_pool_get_held (), <=, ANY_FRAME_POOL_MAX);
    }
  /* JSON still flows beside */
  send_local (pair.to_server, json_checked ("{\"after\":true}"));
  g_assert_true (WAIT_FOR (!g_queue_is_empty (&pair.server_got), 5000));
  g_assert_true (any_peer_is_connected (pair.to_server));
  pair_close (&pair);
}

static void
on_disconnected (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  g_free (*(char **) user_data);
  *(char **) user_data = g_strdup (reason);
}

/* A message over the sender's max-message-size is refused before it is
 * sent; over the receiver's, it closes the link with a reason. */
static void
test_too_big (void)
{
  static const Variant limits = { MODE_PLAIN, FALSE, 1024 * 1024, 2 * 1024 * 1024 };
  g_autoptr(GBytes) over_own = pattern (2 * 1024 * 1024 + 1, 7);
  g_autoptr(GBytes) over_server = pattern (1024 * 1024 + 1, 8);
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  Pair pair;

  pair_open (&pair, &limits);
  g_signal_connect (pair.client, "disconnected", G_CALLBACK (on_disconnected), &reason);
  g_assert_false (any_peer_send_bytes (pair.to_server, over_own, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG);
  g_assert_true (any_peer_is_connected (pair.to_server));
  g_assert_true (any_peer_send_bytes (pair.to_server, over_server, NULL));
  g_assert_true (WAIT_FOR (reason != NULL, 10000));
  g_assert_cmpstr (reason, ==, "Message too big");
  g_assert_true (g_queue_is_empty (&pair.server_got));
  pair_close (&pair);
}

int
main (int argc, char **argv)
{
  static const Variant variants[] = {
    { MODE_PLAIN, FALSE }, { MODE_COMPAT, FALSE }, { MODE_NATIVE, FALSE },
    { MODE_PLAIN, TRUE }, { MODE_COMPAT, TRUE }, { MODE_NATIVE, TRUE },
  };
  static const char * const names[] = { "plain", "compat-e2e", "native-e2e" };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bytes/%s/%s", variants[i].deflate ? "libsoup" : "ws-link",
                                               names[variants[i].mode]);

      g_test_add_data_func (path, &variants[i], test_sizes);
    }
  g_test_add_func ("/bytes/too-big", test_too_big);
  return g_test_run ();
}

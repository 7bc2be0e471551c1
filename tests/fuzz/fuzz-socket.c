/* fuzz-socket.c: the whole stack behind a transport, fed hostile frames
 *
 * An AnySocket with an RPC handler and a permissive hub has two links on
 * fake transports: B, well behaved, and A, whose frames come from the
 * input, cut at each 0xFF byte (never part of UTF-8). Unless A's first
 * frame is an AUTH chunk, A is authenticated first (as a libanysocket
 * peer, so native E2E messages are taken too) and the input is what it
 * sends after. An input starting with 'C' makes A a server we connect to
 * instead: the rest is all it sends, its AUTH answer included, and the
 * connect must complete (a peer or an error) by the end. Everything must
 * end in a reply, an ignored frame or a clean disconnect: no crash, no
 * critical, no warning, no leak; B must stay connected whatever A sends.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "any-private.h"
#include "fake-transport.h"
#include "fuzz.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_US "0123456789abcdef0123456789abcdef"   /* fixed: inputs can address us */
#define MAX_MESSAGE (64 * 1024)
#define MAX_FRAMES 256

static gboolean
on_rpc (AnySocket  *socket,
        AnyRpcCall *call,
        gpointer    user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(GBytes) bytes = any_rpc_call_get_param_bytes (call, 0);

  if (g_str_equal (any_rpc_call_get_method (call), "fail.now"))
    any_rpc_call_return_error_literal (call, "failed on purpose");
  else if (bytes != NULL)
    any_rpc_call_return_bytes (call, bytes);
  else
    {
      g_autoptr(JsonNode) result = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (result, params != NULL ? params : json_array_new ());
      any_rpc_call_return_value (call, result);
    }
  return TRUE;
}

static gboolean
on_proxy_request (AnySocket  *socket,
                  AnyPeer    *from,
                  const char *target_id,
                  gpointer    user_data)
{
  return TRUE;
}

static void
pump (void)
{
  for (guint i = 0; i < 8 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* What B (or A, before the input) says: its AUTH, as one chunk. */
static void
deliver_auth (FakeTransport *transport,
              const char    *auth)
{
  g_autoptr(GString) frame = g_string_new (NULL);

  any_chunk_encode (frame, TRUE, ANY_PACKET_TYPE_AUTH, 1, auth, strlen (auth));
  fake_transport_receive (transport, frame->str, frame->len);
}

static FakeTransport *
accept_link (AnySocket  *socket,
             const char *id,
             gboolean    authenticate)
{
  FakeTransport *transport = fake_transport_new ();

  _any_socket_accept_transport (socket, ANY_TRANSPORT (transport));
  if (authenticate)
    {
      g_autofree char *auth = g_strdup_printf ("{\"id\":\"%s\",\"caps\":{\"v\":1,\"e2e\":[\"%s\"]}}",
                                               id, ANY_E2E_CAP_NATIVE);

      deliver_auth (transport, auth);
      pump ();
    }
  return transport;
}

/* FUZZ_VERBOSE=1: what the link sent back, to see what an input reached. */
static void
report (FakeTransport *transport,
        const char    *name)
{
  GPtrArray *sent = fake_transport_get_sent (transport);

  for (guint i = 0; i < sent->len; i++)
    {
      gsize len;
      const char *frame = g_bytes_get_data (g_ptr_array_index (sent, i), &len);

      g_printerr ("%s got %c%c +%" G_GSIZE_FORMAT ": %.*s\n", name, frame[0], frame[1], len,
                  (int) MIN (len > 6 ? len - 6 : 0, 160), len > 6 ? frame + 6 : "");
    }
  g_printerr ("%s closed: %s\n", name, fake_transport_was_closed (transport) ?
              fake_transport_get_close_reason (transport) : "no");
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  guint *completions = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);

  g_assert_true ((peer != NULL) != (error != NULL));
  (*completions)++;
}

static gboolean
starts_with_auth (const uint8_t *data,
                  size_t         size)
{
  return size >= 2 && data[0] == ANY_CHUNK_LAST && data[1] == '0' + ANY_PACKET_TYPE_AUTH;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(AnySocket) socket = NULL;
  g_autoptr(FakeTransport) a = NULL;
  g_autoptr(FakeTransport) b = NULL;
  const guint8 *start = data, *end = data + size;
  gboolean client = size > 0 && data[0] == 'C';
  guint frames = 0, completions = 0;

  if (!initialized)
    {
      /* a critical or a warning is a bug here, as a crash is */
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      initialized = TRUE;
    }

  socket = any_socket_new ();
  _any_socket_set_id_for_testing (socket, ID_US);
  any_socket_set_max_message_size (socket, MAX_MESSAGE);
  g_signal_connect (socket, "rpc", G_CALLBACK (on_rpc), NULL);
  g_signal_connect (socket, "proxy-request", G_CALLBACK (on_proxy_request), NULL);

  b = accept_link (socket, ID_B, TRUE);
  g_assert_nonnull (any_socket_get_peer (socket, ID_B));
  if (client)
    {
      a = fake_transport_new ();
      _any_socket_connect_transport (socket, ANY_TRANSPORT (a), on_connected, &completions);
      start++;
    }
  else
    a = accept_link (socket, ID_A, !starts_with_auth (data, size));

  while (start <= end && frames++ < MAX_FRAMES)
    {
      const guint8 *cut = memchr (start, 0xFF, end - start);
      gsize len = (cut != NULL ? cut : end) - start;

      fake_transport_receive (a, start, len);
      pump ();
      if (cut == NULL)
        break;
      start = cut + 1;
    }

  if (g_getenv ("FUZZ_VERBOSE") != NULL)
    report (a, "A");
  /* nothing A sends can take B's link down */
  g_assert_true (any_socket_get_peer (socket, ID_B) != NULL &&
                 any_peer_is_connected (any_socket_get_peer (socket, ID_B)));
  any_socket_stop (socket);
  pump ();
  if (client)
    g_assert_cmpuint (completions, ==, 1);
  g_assert_true (fake_transport_was_closed (b));
  g_assert_null (any_socket_get_peers (socket));
  return 0;
}

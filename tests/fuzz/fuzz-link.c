/* fuzz-link.c: the socket under test and its links on fake transports,
 * for the fuzz targets of the whole stack (fuzz-link.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "fuzz-link.h"

void
fuzz_link_init (void)
{
  static gboolean initialized;

  if (!initialized)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      initialized = TRUE;
    }
}

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

AnySocket *
fuzz_link_socket_new (void)
{
  AnySocket *socket = any_socket_new ();

  _any_socket_set_id_for_testing (socket, FUZZ_ID_US);
  any_socket_set_max_message_size (socket, FUZZ_MAX_MESSAGE);
  g_signal_connect (socket, "rpc", G_CALLBACK (on_rpc), NULL);
  g_signal_connect (socket, "proxy-request", G_CALLBACK (on_proxy_request), NULL);
  return socket;
}

void
fuzz_link_pump (void)
{
  for (guint i = 0; i < 8 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

void
fuzz_link_deliver_auth (FakeTransport *transport,
                        const char    *auth)
{
  g_autoptr(GString) frame = g_string_new (NULL);

  any_chunk_encode (frame, TRUE, ANY_PACKET_TYPE_AUTH, 1, auth, strlen (auth));
  fake_transport_receive (transport, frame->str, frame->len);
}

FakeTransport *
fuzz_link_accept (AnySocket  *socket,
                  const char *id,
                  gboolean    authenticate)
{
  FakeTransport *transport = fake_transport_new ();

  _any_socket_accept_transport (socket, ANY_TRANSPORT (transport));
  if (authenticate)
    {
      g_autofree char *auth = g_strdup_printf ("{\"id\":\"%s\",\"caps\":{\"v\":1,\"e2e\":[\"%s\"]}}",
                                               id, ANY_E2E_CAP_NATIVE);

      fuzz_link_deliver_auth (transport, auth);
      fuzz_link_pump ();
    }
  return transport;
}

void
fuzz_link_report (FakeTransport *transport,
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

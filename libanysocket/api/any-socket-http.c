/* any-socket-http.c: AnySocket's web side: the WebSocket subprotocols it
 * offers and accepts, and plain HTTP on its listening ports (the
 * http-request signal, then the folders it serves, then 404)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-http-request.h"
#include "any-socket.h"
#include "api/any-http-request-private.h"
#include "api/any-socket-http.h"
#include "api/any-socket-private.h"
#include "transport/any-ws-dial.h"

struct _AnySocketHttp
{
  char      **ws_protocols;
  GPtrArray  *folders;          /* AnyFolder */
};

enum {
  PROP_WS_PROTOCOLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint first_prop_id;
static guint http_request_signal;

AnySocketHttp *
_any_socket_http_new (void)
{
  AnySocketHttp *self = g_new0 (AnySocketHttp, 1);

  self->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) _any_folder_free);
  return self;
}

void
_any_socket_http_free (AnySocketHttp *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->ws_protocols);
  g_ptr_array_unref (self->folders);
  g_free (self);
}

const char * const *
_any_socket_http_get_protocols (AnySocketHttp *self)
{
  return (const char * const *) self->ws_protocols;
}

/**
 * any_socket_get_ws_protocols:
 * @self: an #AnySocket
 *
 * The WebSocket subprotocols the socket accepts and offers.
 *
 * Returns: (nullable) (transfer none) (array zero-terminated=1): the
 *   [property@AnySocket.Socket:ws-protocols]
 *
 * Since: 0.2
 */
const char * const *
any_socket_get_ws_protocols (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);
  return _any_socket_http_get_protocols (_any_socket_get_http (self));
}

/**
 * any_socket_set_ws_protocols:
 * @self: an #AnySocket
 * @protocols: (nullable) (array zero-terminated=1): subprotocol names
 *
 * Sets [property@AnySocket.Socket:ws-protocols].
 *
 * Since: 0.2
 */
void
any_socket_set_ws_protocols (AnySocket          *self,
                             const char * const *protocols)
{
  AnySocketHttp *http;

  g_return_if_fail (ANY_IS_SOCKET (self));

  http = _any_socket_get_http (self);
  if (protocols != NULL && protocols[0] == NULL)
    protocols = NULL;
  if (protocols == NULL && http->ws_protocols == NULL)
    return;
  if (protocols != NULL && http->ws_protocols != NULL &&
      g_strv_equal ((const char * const *) http->ws_protocols, protocols))
    return;
  g_strfreev (http->ws_protocols);
  http->ws_protocols = g_strdupv ((char **) protocols);
  any_ws_dial_set_protocols (_any_socket_get_dial (self), protocols);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WS_PROTOCOLS]);
}

/**
 * any_socket_serve_folder:
 * @self: an #AnySocket
 * @url_prefix: where the folder appears, such as `"/"` or `"/static"`
 * @directory: (type filename): the folder
 *
 * Serves the files under @directory on every URI the socket listens on,
 * to plain HTTP `GET` and `HEAD` requests whose path starts with
 * @url_prefix and that no [signal@AnySocket.Socket::http-request]
 * handler took: `/static/a/b.js` is `directory/a/b.js`, with a
 * `Content-Type` from its name, and a directory's `index.html` stands for
 * the directory (a path to a directory without its final `/` is
 * redirected to it). Nothing outside @directory is served: not through
 * `..` (plain or %-encoded), nor through symbolic links that lead out.
 * Other methods get 405, missing files 404. Of several prefixes, the
 * longest that matches is used. The JavaScript package serves its own
 * browser bundle at `/@anysocket`: to do the same, serve the folder that
 * holds `anysocket.browser.js`.
 *
 * Since: 0.2
 */
void
any_socket_serve_folder (AnySocket  *self,
                         const char *url_prefix,
                         const char *directory)
{
  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (url_prefix != NULL && directory != NULL);

  g_ptr_array_add (_any_socket_get_http (self)->folders, _any_folder_new (url_prefix, directory));
}

void
_any_socket_http_dispatch (gpointer         host,
                           AnyHttpExchange *exchange)
{
  AnySocket *self = host;
  AnySocketHttp *http = _any_socket_get_http (self);
  g_autoptr(AnyHttpRequest) request = _any_http_request_new (exchange);
  g_autoptr(GBytes) not_found = NULL;
  gboolean handled = FALSE;

  g_signal_emit (self, http_request_signal, 0, request, &handled);
  if (handled || any_http_request_get_answered (request))
    return;
  if (_any_folder_serve (http->folders, exchange))
    return;
  not_found = g_bytes_new_static ("Not Found\r\n", 11);
  any_http_exchange_respond (exchange, 404, "text/plain; charset=utf-8", not_found);
}

gboolean
_any_socket_http_get_property (AnySocket *self,
                               guint      prop_id,
                               GValue    *value)
{
  if (prop_id != first_prop_id + PROP_WS_PROTOCOLS)
    return FALSE;
  g_value_set_boxed (value, any_socket_get_ws_protocols (self));
  return TRUE;
}

gboolean
_any_socket_http_set_property (AnySocket    *self,
                               guint         prop_id,
                               const GValue *value)
{
  if (prop_id != first_prop_id + PROP_WS_PROTOCOLS)
    return FALSE;
  any_socket_set_ws_protocols (self, g_value_get_boxed (value));
  return TRUE;
}

void
_any_socket_http_class_init (GObjectClass *klass,
                             guint         first_id)
{
  first_prop_id = first_id;

  /**
   * AnySocket:ws-protocols:
   *
   * WebSocket subprotocols (`Sec-WebSocket-Protocol`). Listening, they
   * are the ones accepted: of those a client offers, the first it offers
   * that is in this list is chosen, and an offer with none of them is
   * refused (HTTP 400 `Unsupported WebSocket subprotocol`); a client that
   * offers none is accepted. %NULL (the default) accepts any: the first
   * one offered is chosen, as node's `ws` does. This is what lets a
   * browser running the JavaScript package's bundle connect: it offers
   * the subprotocol `null` and fails an answer that chose none.
   * Connecting, they are offered, and an answer that chooses one not
   * offered fails.
   *
   * Since: 0.2
   */
  properties[PROP_WS_PROTOCOLS] =
    g_param_spec_boxed ("ws-protocols", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  for (guint i = 0; i < N_PROPS; i++)
    g_object_class_install_property (klass, first_id + i, properties[i]);

  /**
   * AnySocket::http-request:
   * @self: the socket
   * @request: the request
   *
   * A plain HTTP request (not a WebSocket upgrade) reached a port the
   * socket listens on (the JavaScript `server.http` routes). A handler
   * that answers it ([method@AnySocket.HttpRequest.respond]), or keeps a
   * reference to answer later, returns %TRUE; the next handlers are then
   * skipped. A request no handler took goes to the folders of
   * [method@AnySocket.Socket.serve_folder], then gets 404.
   *
   * Returns: %TRUE when the request is taken
   *
   * Since: 0.2
   */
  http_request_signal =
    g_signal_new ("http-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, ANY_TYPE_HTTP_REQUEST);
}

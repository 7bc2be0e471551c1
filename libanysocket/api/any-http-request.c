/* any-http-request.c: AnyHttpRequest, a plain HTTP request on a listening
 * port, and its answer
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "api/any-http-request-private.h"

/**
 * AnyHttpRequest:
 *
 * A plain HTTP request (not a WebSocket upgrade) that reached a port the
 * socket listens on, as the JavaScript package's `server.http` routes get
 * them. It is given to [signal@AnySocket.Socket::http-request]; when no
 * handler takes it, the folders of [method@AnySocket.Socket.serve_folder]
 * are tried, then it gets 404.
 *
 * The handler reads the request ([method@AnySocket.HttpRequest.get_method],
 * [method@AnySocket.HttpRequest.get_path], [method@AnySocket.HttpRequest.get_header],
 * [method@AnySocket.HttpRequest.get_cookie], [method@AnySocket.HttpRequest.get_body]...)
 * and answers it once with [method@AnySocket.HttpRequest.respond], now or
 * later: a handler that returns %TRUE and keeps a reference answers when
 * it likes, and the connection waits. A request dropped without an answer
 * gets 500.
 *
 * Bodies over 1 MiB are refused (413) before the application sees them;
 * a request must arrive whole within the socket's
 * [property@AnySocket.Socket:auth-timeout] (5 s by default), an answer be
 * written within 60 s, and a kept-alive connection idles at most the
 * auth timeout.
 *
 * Since: 0.2
 */
struct _AnyHttpRequest
{
  GObject          parent_instance;

  AnyHttpExchange *exchange;
  GHashTable      *query;     /* name -> value, parsed when asked */
  GHashTable      *cookies;   /* name -> value, parsed when asked */
};

G_DEFINE_FINAL_TYPE (AnyHttpRequest, any_http_request, G_TYPE_OBJECT)

static void
any_http_request_finalize (GObject *object)
{
  AnyHttpRequest *self = ANY_HTTP_REQUEST (object);

  /* Unanswered, the exchange answers 500 as it goes. */
  g_clear_pointer (&self->exchange, any_http_exchange_unref);
  g_clear_pointer (&self->query, g_hash_table_unref);
  g_clear_pointer (&self->cookies, g_hash_table_unref);

  G_OBJECT_CLASS (any_http_request_parent_class)->finalize (object);
}

static void
any_http_request_class_init (AnyHttpRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = any_http_request_finalize;
}

static void
any_http_request_init (AnyHttpRequest *self)
{
}

AnyHttpRequest *
_any_http_request_new (AnyHttpExchange *exchange)
{
  AnyHttpRequest *self = g_object_new (ANY_TYPE_HTTP_REQUEST, NULL);

  self->exchange = any_http_exchange_ref (exchange);
  return self;
}

/**
 * any_http_request_get_method:
 * @self: an #AnyHttpRequest
 *
 * The request's method.
 *
 * Returns: the request's method, such as `"GET"` or `"POST"`
 *
 * Since: 0.2
 */
const char *
any_http_request_get_method (AnyHttpRequest *self)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  return any_http_exchange_get_method (self->exchange);
}

/**
 * any_http_request_get_path:
 * @self: an #AnyHttpRequest
 *
 * The path the request asks for.
 *
 * Returns: the path asked for, decoded (`%20` is a space), starting with `/`
 *   and without the query
 *
 * Since: 0.2
 */
const char *
any_http_request_get_path (AnyHttpRequest *self)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  return any_http_exchange_get_path (self->exchange);
}

/**
 * any_http_request_get_query:
 * @self: an #AnyHttpRequest
 *
 * The request's query, as sent.
 *
 * Returns: (nullable): the query, still %-encoded and without its `?`, or
 *   %NULL without one
 *
 * Since: 0.2
 */
const char *
any_http_request_get_query (AnyHttpRequest *self)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  return any_http_exchange_get_query (self->exchange);
}

/**
 * any_http_request_get_query_param:
 * @self: an #AnyHttpRequest
 * @name: a parameter's name
 *
 * One parameter of the query (`application/x-www-form-urlencoded`: `+` is
 * a space), decoded; of a name given twice, the last.
 *
 * Returns: (nullable): its value, or %NULL if the query has none
 *
 * Since: 0.2
 */
const char *
any_http_request_get_query_param (AnyHttpRequest *self,
                                  const char     *name)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->query == NULL)
    {
      const char *query = any_http_exchange_get_query (self->exchange);

      if (query != NULL)
        self->query = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
      if (self->query == NULL)
        self->query = g_hash_table_new (g_str_hash, g_str_equal);
    }
  return g_hash_table_lookup (self->query, name);
}

/**
 * any_http_request_get_header:
 * @self: an #AnyHttpRequest
 * @name: a header's name, in any case
 *
 * One header of the request, looked up in any case.
 *
 * Returns: (nullable): the header's value (a header given several times:
 *   its values joined with `, `), or %NULL if the request has none
 *
 * Since: 0.2
 */
const char *
any_http_request_get_header (AnyHttpRequest *self,
                             const char     *name)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return any_http_exchange_get_header (self->exchange, name);
}

static void
add_name (const char *name,
          const char *value,
          gpointer    user_data)
{
  GPtrArray *names = user_data;

  for (guint i = 0; i < names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (names, i), name) == 0)
      return;
  g_ptr_array_add (names, g_strdup (name));
}

/**
 * any_http_request_dup_header_names:
 * @self: an #AnyHttpRequest
 *
 * Lists the request's headers, for [method@AnySocket.HttpRequest.get_header].
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the
 *   request's headers, each once, in the order they came
 *
 * Since: 0.2
 */
char **
any_http_request_dup_header_names (AnyHttpRequest *self)
{
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  any_http_exchange_foreach_header (self->exchange, add_name, names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* "a=1; b=2" (RFC 6265 5.4), several Cookie headers joined by ", " too. */
static GHashTable *
parse_cookies (const char *header)
{
  GHashTable *cookies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) pairs = NULL;

  if (header == NULL)
    return cookies;
  pairs = g_strsplit_set (header, ";,", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      char *name, *value;
      gsize len;

      if (eq == NULL)
        continue;
      *eq = '\0';
      name = g_strstrip (pairs[i]);
      value = g_strstrip (eq + 1);
      len = strlen (value);
      if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
        {
          value[len - 1] = '\0';
          value++;
        }
      /* The first of a name wins (the most specific path, RFC 6265 5.4). */
      if (*name != '\0' && !g_hash_table_contains (cookies, name))
        g_hash_table_insert (cookies, g_strdup (name), g_strdup (value));
    }
  return cookies;
}

/**
 * any_http_request_get_cookie:
 * @self: an #AnyHttpRequest
 * @name: a cookie's name
 *
 * One cookie of the request's `Cookie` header, as sent (not %-decoded).
 *
 * Returns: (nullable): its value, or %NULL if the request has none
 *
 * Since: 0.2
 */
const char *
any_http_request_get_cookie (AnyHttpRequest *self,
                             const char     *name)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->cookies == NULL)
    self->cookies = parse_cookies (any_http_exchange_get_header (self->exchange, "Cookie"));
  return g_hash_table_lookup (self->cookies, name);
}

/**
 * any_http_request_get_body:
 * @self: an #AnyHttpRequest
 *
 * The request's body (1 MiB at most: a larger one is refused before).
 *
 * Returns: (transfer none): the request's body, empty without one
 *
 * Since: 0.2
 */
GBytes *
any_http_request_get_body (AnyHttpRequest *self)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  return any_http_exchange_get_body (self->exchange);
}

/**
 * any_http_request_get_remote_address:
 * @self: an #AnyHttpRequest
 *
 * Where the request came from.
 *
 * Returns: (nullable): the client's address and port, as
 *   [property@AnySocket.Peer:remote-address] says it
 *
 * Since: 0.2
 */
const char *
any_http_request_get_remote_address (AnyHttpRequest *self)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), NULL);
  return any_http_exchange_get_remote_address (self->exchange);
}

/**
 * any_http_request_add_response_header:
 * @self: an #AnyHttpRequest
 * @name: a header's name
 * @value: its value
 *
 * Adds a header to the answer; before [method@AnySocket.HttpRequest.respond]
 * only.
 *
 * Since: 0.2
 */
void
any_http_request_add_response_header (AnyHttpRequest *self,
                                      const char     *name,
                                      const char     *value)
{
  g_return_if_fail (ANY_IS_HTTP_REQUEST (self));
  g_return_if_fail (name != NULL && value != NULL);
  any_http_exchange_add_response_header (self->exchange, name, value);
}

/**
 * any_http_request_respond:
 * @self: an #AnyHttpRequest
 * @status: the HTTP status, such as 200
 * @content_type: (nullable): the body's `Content-Type`
 * @body: (nullable): the body
 *
 * Answers the request, once: later calls, and an answer to a client that
 * went away, do nothing. A `HEAD` request gets the headers only.
 *
 * Since: 0.2
 */
void
any_http_request_respond (AnyHttpRequest *self,
                          guint           status,
                          const char     *content_type,
                          GBytes         *body)
{
  g_return_if_fail (ANY_IS_HTTP_REQUEST (self));
  g_return_if_fail (status >= 200 && status <= 599);
  any_http_exchange_respond (self->exchange, status, content_type, body);
}

/**
 * any_http_request_get_answered:
 * @self: an #AnyHttpRequest
 *
 * Whether the request was answered.
 *
 * Returns: whether [method@AnySocket.HttpRequest.respond] was called
 *
 * Since: 0.2
 */
gboolean
any_http_request_get_answered (AnyHttpRequest *self)
{
  g_return_val_if_fail (ANY_IS_HTTP_REQUEST (self), FALSE);
  return any_http_exchange_is_answered (self->exchange);
}

/* any-connect-options.c: AnyConnectOptions, what a connect adds to its
 * WebSocket upgrade request, and any_socket_connect_with_options_async()
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "any-error.h"
#include "any-socket.h"
#include "api/any-connect-options-private.h"
#include "api/any-socket-private.h"

/**
 * AnyConnectOptions:
 *
 * Extra headers and cookies for the WebSocket upgrade request of a
 * connect ([method@AnySocket.Socket.connect_with_options_async]): what the
 * JavaScript package's `cookies` connect option does, and more. The
 * server reads them while it authenticates the link
 * ([signal@AnySocket.Socket::authenticate-peer],
 * [method@AnySocket.Peer.get_request_cookie]).
 *
 * What would break the request or the handshake is refused when added,
 * with `ANY_SOCKET_ERROR_INVALID_ARGUMENT`: names that are not HTTP
 * tokens, control characters (CR, LF...) in values, and the headers the
 * WebSocket handshake owns (`Host`, `Connection`, `Upgrade`,
 * `Sec-WebSocket-*`, `Content-Length`, `Transfer-Encoding`; `Cookie`
 * is built from [method@AnySocket.ConnectOptions.add_cookie]). A
 * `User-Agent` header replaces libanysocket's own.
 *
 * With [property@AnySocket.ConnectOptions:reconnect], the socket dials the
 * peer again when its link drops (any-socket-reconnect.c describes how).
 *
 * The options are read when the connect starts: changing them afterwards
 * does not change that connect, and one object can serve many connects.
 *
 * Since: 0.2
 */
struct _AnyConnectOptions
{
  GObject    parent_instance;
  GPtrArray *headers;   /* name, value, name, value... */
  GPtrArray *cookies;   /* name, value, ...: one per name */
  AnyReconnectPolicy policy;
};

G_DEFINE_FINAL_TYPE (AnyConnectOptions, any_connect_options, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RECONNECT,
  PROP_RECONNECT_FIRST,
  PROP_RECONNECT_INITIAL,
  PROP_RECONNECT_FACTOR,
  PROP_RECONNECT_MAX,
  PROP_RECONNECT_JITTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
any_connect_options_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AnyReconnectPolicy *policy = &ANY_CONNECT_OPTIONS (object)->policy;

  switch (prop_id)
    {
    case PROP_RECONNECT:         g_value_set_boolean (value, policy->enabled); break;
    case PROP_RECONNECT_FIRST:   g_value_set_boolean (value, policy->first); break;
    case PROP_RECONNECT_INITIAL: g_value_set_uint (value, policy->initial_ms); break;
    case PROP_RECONNECT_FACTOR:  g_value_set_double (value, policy->factor); break;
    case PROP_RECONNECT_MAX:     g_value_set_uint (value, policy->max_ms); break;
    case PROP_RECONNECT_JITTER:  g_value_set_double (value, policy->jitter); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_connect_options_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  AnyReconnectPolicy *policy = &ANY_CONNECT_OPTIONS (object)->policy;
  gboolean changed;

#define SET(field, getter) (changed = policy->field != getter (value), policy->field = getter (value))
  switch (prop_id)
    {
    case PROP_RECONNECT:         SET (enabled, g_value_get_boolean); break;
    case PROP_RECONNECT_FIRST:   SET (first, g_value_get_boolean); break;
    case PROP_RECONNECT_INITIAL: SET (initial_ms, g_value_get_uint); break;
    case PROP_RECONNECT_FACTOR:  SET (factor, g_value_get_double); break;
    case PROP_RECONNECT_MAX:     SET (max_ms, g_value_get_uint); break;
    case PROP_RECONNECT_JITTER:  SET (jitter, g_value_get_double); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); return;
    }
#undef SET
  if (changed)
    g_object_notify_by_pspec (object, properties[prop_id]);
}

static void
any_connect_options_finalize (GObject *object)
{
  AnyConnectOptions *self = ANY_CONNECT_OPTIONS (object);

  g_ptr_array_unref (self->headers);
  g_ptr_array_unref (self->cookies);
  G_OBJECT_CLASS (any_connect_options_parent_class)->finalize (object);
}

static void
any_connect_options_class_init (AnyConnectOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = any_connect_options_finalize;
  object_class->get_property = any_connect_options_get_property;
  object_class->set_property = any_connect_options_set_property;

  /**
   * AnyConnectOptions:reconnect:
   *
   * Whether the socket dials the peer again when the link drops, after
   * [property@AnySocket.ConnectOptions:reconnect-initial] milliseconds,
   * then each time [property@AnySocket.ConnectOptions:reconnect-factor]
   * times longer, up to [property@AnySocket.ConnectOptions:reconnect-max],
   * each delay shortened by a random part of up to
   * [property@AnySocket.ConnectOptions:reconnect-jitter] of it. Before
   * each wait the socket emits [signal@AnySocket.Socket::reconnecting];
   * a new link emits [signal@AnySocket.Socket::connected] again (a new
   * [class@AnySocket.Peer], usually with the same id).
   *
   * Reconnecting stops for good on [method@AnySocket.Peer.close],
   * [method@AnySocket.Socket.stop], the connect's `GCancellable`, and on
   * a refusal, which no retry would change: either side refusing the
   * AUTH (`Invalid Auth Packet!`, an
   * [signal@AnySocket.Socket::authenticate-peer] handler saying no; a
   * JavaScript server refuses by closing the new link without a reason
   * before the AUTH completes, so such a close counts as a refusal too), a
   * duplicate id, a pinned key that changed or was not proven, a key a
   * [signal@AnySocket.Socket::verify-peer] handler refused, and an
   * invalid URI; [signal@AnySocket.Socket::reconnect-failed] says so.
   *
   * Since: 0.2
   */
  properties[PROP_RECONNECT] =
    g_param_spec_boolean ("reconnect", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AnyConnectOptions:reconnect-first:
   *
   * With [property@AnySocket.ConnectOptions:reconnect], whether a failed
   * first dial is retried too (a peer that may start after us): the
   * connect then completes once connected, or with the error that ended
   * the retrying. When FALSE, a failed first dial fails the connect.
   *
   * Since: 0.2
   */
  properties[PROP_RECONNECT_FIRST] =
    g_param_spec_boolean ("reconnect-first", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AnyConnectOptions:reconnect-initial:
   *
   * The wait before the first new dial after a drop, in milliseconds.
   *
   * Since: 0.2
   */
  properties[PROP_RECONNECT_INITIAL] =
    g_param_spec_uint ("reconnect-initial", NULL, NULL, 1, 24 * 3600 * 1000, 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AnyConnectOptions:reconnect-factor:
   *
   * How much longer each wait is than the one before (1: always the same).
   *
   * Since: 0.2
   */
  properties[PROP_RECONNECT_FACTOR] =
    g_param_spec_double ("reconnect-factor", NULL, NULL, 1.0, 100.0, 2.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AnyConnectOptions:reconnect-max:
   *
   * The longest wait between two dials, in milliseconds.
   *
   * Since: 0.2
   */
  properties[PROP_RECONNECT_MAX] =
    g_param_spec_uint ("reconnect-max", NULL, NULL, 1, 24 * 3600 * 1000, 60000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AnyConnectOptions:reconnect-jitter:
   *
   * Up to which part of each wait is taken off at random (0: none), so
   * that many clients dropped at once do not all dial at the same time:
   * a wait of D milliseconds becomes one between D × (1 − jitter) and D.
   *
   * Since: 0.2
   */
  properties[PROP_RECONNECT_JITTER] =
    g_param_spec_double ("reconnect-jitter", NULL, NULL, 0.0, 1.0, 0.2,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
any_connect_options_init (AnyConnectOptions *self)
{
  self->headers = g_ptr_array_new_with_free_func (g_free);
  self->cookies = g_ptr_array_new_with_free_func (g_free);
  self->policy = (AnyReconnectPolicy) { FALSE, FALSE, 1000, 2.0, 60000, 0.2 };
}

void
_any_connect_options_get_policy (AnyConnectOptions  *self,
                                 AnyReconnectPolicy *policy)
{
  if (self == NULL)
    *policy = (AnyReconnectPolicy) { FALSE, FALSE, 1000, 2.0, 60000, 0.2 };
  else
    *policy = self->policy;
}

/**
 * any_connect_options_new:
 *
 * Creates options that add nothing.
 *
 * Returns: (transfer full): new [class@AnySocket.ConnectOptions]
 *
 * Since: 0.2
 */
AnyConnectOptions *
any_connect_options_new (void)
{
  return g_object_new (ANY_TYPE_CONNECT_OPTIONS, NULL);
}

/* RFC 9110 5.6.2: token = 1*tchar */
static gboolean
is_token (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* No control character but HTAB (CR, LF and NUL would end the header). */
static gboolean
is_field_value (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
      return FALSE;
  return g_utf8_validate (text, -1, NULL);
}

static gboolean
is_handshake_header (const char *name)
{
  static const char * const owned[] = {
    "Host", "Connection", "Upgrade", "Content-Length", "Transfer-Encoding", "Cookie",
  };

  for (guint i = 0; i < G_N_ELEMENTS (owned); i++)
    if (g_ascii_strcasecmp (name, owned[i]) == 0)
      return TRUE;
  return g_ascii_strncasecmp (name, "Sec-WebSocket-", strlen ("Sec-WebSocket-")) == 0;
}

/**
 * any_connect_options_add_header:
 * @self: an [class@AnySocket.ConnectOptions]
 * @name: the header's name, an HTTP token
 * @value: its value: no control character but tab
 * @error: return location for a `GError`
 *
 * Adds a header to the upgrade request (after any added before, a name
 * added twice is sent twice). A name that is not a token, a value with
 * CR, LF or another control character, and the headers the handshake
 * owns (see [class@AnySocket.ConnectOptions]) are refused with
 * `ANY_SOCKET_ERROR_INVALID_ARGUMENT`.
 *
 * Returns: TRUE if the header was added
 *
 * Since: 0.2
 */
gboolean
any_connect_options_add_header (AnyConnectOptions  *self,
                                const char         *name,
                                const char         *value,
                                GError            **error)
{
  g_autofree char *shown = NULL;

  g_return_val_if_fail (ANY_IS_CONNECT_OPTIONS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  shown = g_strescape (name, NULL);
  if (!is_token (name))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("Invalid header name '%s': it must be letters, digits or !#$%%&'*+-.^_`|~"), shown);
      return FALSE;
    }
  if (is_handshake_header (name))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   g_ascii_strcasecmp (name, "Cookie") == 0
                   ? _("The header '%s' cannot be added: add cookies one by one instead")
                   : _("The header '%s' cannot be added: the WebSocket handshake sets it"), shown);
      return FALSE;
    }
  if (!is_field_value (value))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("Invalid value for the header '%s': no control characters (such as CR or LF)"),
                   shown);
      return FALSE;
    }
  g_ptr_array_add (self->headers, g_strdup (name));
  g_ptr_array_add (self->headers, g_strdup (value));
  return TRUE;
}

/**
 * any_connect_options_add_cookie:
 * @self: an [class@AnySocket.ConnectOptions]
 * @name: the cookie's name, an HTTP token
 * @value: its value: no `;`, no control character, no blank at either end
 * @error: return location for a `GError`
 *
 * Adds a cookie to the upgrade request's `Cookie` header, as the
 * JavaScript package's `cookies` connect option does (`NAME=VALUE`,
 * joined with `; `, nothing encoded). Adding a name again replaces its
 * value. What the header could not carry intact is refused with
 * `ANY_SOCKET_ERROR_INVALID_ARGUMENT`.
 *
 * Returns: TRUE if the cookie was added
 *
 * Since: 0.2
 */
gboolean
any_connect_options_add_cookie (AnyConnectOptions  *self,
                                const char         *name,
                                const char         *value,
                                GError            **error)
{
  gsize len;

  g_return_val_if_fail (ANY_IS_CONNECT_OPTIONS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  len = strlen (value);
  if (!is_token (name))
    {
      g_autofree char *shown = g_strescape (name, NULL);

      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("Invalid cookie name '%s': it must be letters, digits or !#$%%&'*+-.^_`|~"), shown);
      return FALSE;
    }
  if (!is_field_value (value) || strchr (value, ';') != NULL || strchr (value, '\t') != NULL ||
      (len > 0 && (value[0] == ' ' || value[len - 1] == ' ')))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("Invalid value for the cookie '%s': no ';', no control characters, no blank at either end"),
                   name);
      return FALSE;
    }
  for (guint i = 0; i < self->cookies->len; i += 2)
    if (strcmp (g_ptr_array_index (self->cookies, i), name) == 0)
      {
        g_free (g_ptr_array_index (self->cookies, i + 1));
        g_ptr_array_index (self->cookies, i + 1) = g_strdup (value);
        return TRUE;
      }
  g_ptr_array_add (self->cookies, g_strdup (name));
  g_ptr_array_add (self->cookies, g_strdup (value));
  return TRUE;
}

char **
_any_connect_options_dup_headers (AnyConnectOptions *self)
{
  GStrvBuilder *builder;
  char **headers;

  if (self == NULL || (self->headers->len == 0 && self->cookies->len == 0))
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->headers->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->headers, i));
  if (self->cookies->len > 0)
    {
      g_autoptr(GString) cookie = g_string_new (NULL);

      for (guint i = 0; i < self->cookies->len; i += 2)
        g_string_append_printf (cookie, "%s%s=%s", i > 0 ? "; " : "",
                                (const char *) g_ptr_array_index (self->cookies, i),
                                (const char *) g_ptr_array_index (self->cookies, i + 1));
      g_strv_builder_add (builder, "Cookie");
      g_strv_builder_add (builder, cookie->str);
    }
  headers = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return headers;
}

/**
 * any_socket_connect_with_options_async:
 * @self: an [class@AnySocket.Socket]
 * @uri: the peer, `ws://HOST:PORT` (or `wss://` for TLS; `tcp://` and
 *   `unix://` have no upgrade request: @options are not used)
 * @options: (nullable): what to add to the upgrade request
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called once connected
 * @user_data: data for @callback
 *
 * [method@AnySocket.Socket.connect_async] whose WebSocket upgrade request
 * carries the headers and cookies of @options (read now: later changes
 * to @options do not apply), and which dials again after a drop with
 * [property@AnySocket.ConnectOptions:reconnect]. Finish with
 * [method@AnySocket.Socket.connect_finish].
 *
 * Since: 0.2
 */
void
any_socket_connect_with_options_async (AnySocket           *self,
                                       const char          *uri,
                                       AnyConnectOptions   *options,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_auto(GStrv) headers = NULL;

  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (options == NULL || ANY_IS_CONNECT_OPTIONS (options));

  headers = _any_connect_options_dup_headers (options);
  if (options != NULL && options->policy.enabled)
    _any_socket_reconnect_start (self, uri, (const char * const *) headers, &options->policy,
                                 cancellable, callback, user_data);
  else
    _any_socket_connect_uri (self, uri, (const char * const *) headers, cancellable, callback, user_data);
}

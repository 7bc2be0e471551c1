/* any-socket-tls.c: AnySocket's TLS settings: the certificate wss://
 * listening presents, and the certificate authorities wss:// connecting
 * trusts
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-socket.h"
#include "api/any-socket-private.h"
#include "api/any-socket-tls.h"

struct _AnySocketTls
{
  GTlsCertificate *certificate;
  GTlsDatabase    *database;
};

enum {
  PROP_TLS_CERTIFICATE,
  PROP_TLS_DATABASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint first_prop_id;

AnySocketTls *
_any_socket_tls_new (void)
{
  return g_new0 (AnySocketTls, 1);
}

void
_any_socket_tls_free (AnySocketTls *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->certificate);
  g_clear_object (&self->database);
  g_free (self);
}

GTlsCertificate *
_any_socket_tls_get_certificate (AnySocketTls *self)
{
  return self->certificate;
}

GTlsDatabase *
_any_socket_tls_get_database (AnySocketTls *self)
{
  return self->database;
}

/**
 * any_socket_get_tls_certificate:
 * @self: an #AnySocket
 *
 * Gets [property@AnySocket.Socket:tls-certificate].
 *
 * Returns: (transfer none) (nullable): the certificate `wss://` listening presents
 *
 * Since: 0.2
 */
GTlsCertificate *
any_socket_get_tls_certificate (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);

  return _any_socket_get_tls (self)->certificate;
}

/**
 * any_socket_set_tls_certificate:
 * @self: an #AnySocket
 * @certificate: (nullable): a certificate with its private key, or %NULL
 *
 * Sets [property@AnySocket.Socket:tls-certificate]. Listening sockets
 * already open keep the certificate they had.
 *
 * Since: 0.2
 */
void
any_socket_set_tls_certificate (AnySocket       *self,
                                GTlsCertificate *certificate)
{
  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (g_set_object (&_any_socket_get_tls (self)->certificate, certificate))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_CERTIFICATE]);
}

/**
 * any_socket_get_tls_database:
 * @self: an #AnySocket
 *
 * Gets [property@AnySocket.Socket:tls-database].
 *
 * Returns: (transfer none) (nullable): what `wss://` connecting trusts, or %NULL for the system's
 *
 * Since: 0.2
 */
GTlsDatabase *
any_socket_get_tls_database (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);

  return _any_socket_get_tls (self)->database;
}

/**
 * any_socket_set_tls_database:
 * @self: an #AnySocket
 * @database: (nullable): the certificate authorities to trust, or %NULL
 *
 * Sets [property@AnySocket.Socket:tls-database], for connects made from
 * now on.
 *
 * Since: 0.2
 */
void
any_socket_set_tls_database (AnySocket    *self,
                             GTlsDatabase *database)
{
  g_return_if_fail (ANY_IS_SOCKET (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (g_set_object (&_any_socket_get_tls (self)->database, database))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_DATABASE]);
}

gboolean
_any_socket_tls_get_property (AnySocket *self,
                              guint      prop_id,
                              GValue    *value)
{
  if (prop_id == first_prop_id + PROP_TLS_CERTIFICATE)
    g_value_set_object (value, any_socket_get_tls_certificate (self));
  else if (prop_id == first_prop_id + PROP_TLS_DATABASE)
    g_value_set_object (value, any_socket_get_tls_database (self));
  else
    return FALSE;
  return TRUE;
}

gboolean
_any_socket_tls_set_property (AnySocket    *self,
                              guint         prop_id,
                              const GValue *value)
{
  if (prop_id == first_prop_id + PROP_TLS_CERTIFICATE)
    any_socket_set_tls_certificate (self, g_value_get_object (value));
  else if (prop_id == first_prop_id + PROP_TLS_DATABASE)
    any_socket_set_tls_database (self, g_value_get_object (value));
  else
    return FALSE;
  return TRUE;
}

guint
_any_socket_tls_class_init (GObjectClass *klass,
                            guint         first_id)
{
  first_prop_id = first_id;

  /**
   * AnySocket:tls-certificate:
   *
   * The certificate (with its private key) that `wss://` listening
   * presents, for example from g_tls_certificate_new_from_files().
   * Without one, [method@AnySocket.Socket.listen_async] on a `wss://`
   * URI fails with `ANY_SOCKET_ERROR_NOT_SUPPORTED`. TLS is GIO's
   * (glib-networking): TLS 1.2 and later.
   *
   * Since: 0.2
   */
  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * AnySocket:tls-database:
   *
   * The certificate authorities `wss://` connects trust, for example a
   * test authority from g_tls_file_database_new(). %NULL (the default):
   * the system's.
   *
   * Since: 0.2
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  for (guint i = 0; i < N_PROPS; i++)
    g_object_class_install_property (klass, first_id + i, properties[i]);
  return first_id + N_PROPS;
}

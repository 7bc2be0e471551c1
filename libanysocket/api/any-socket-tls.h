/* any-socket-tls.h: AnySocket's TLS settings (any-socket-tls.c), for
 * any-socket.c
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-socket.h"

G_BEGIN_DECLS

typedef struct _AnySocketTls AnySocketTls;

AnySocketTls    *_any_socket_tls_new             (void);
void             _any_socket_tls_free            (AnySocketTls *self);
GTlsCertificate *_any_socket_tls_get_certificate (AnySocketTls *self);
GTlsDatabase    *_any_socket_tls_get_database    (AnySocketTls *self);
/* Installs AnySocket:tls-certificate and :tls-database from @first_id
 * on; returns the id after them. */
guint            _any_socket_tls_class_init      (GObjectClass *klass,
                                                  guint         first_id);
gboolean         _any_socket_tls_get_property    (AnySocket    *self,
                                                  guint         prop_id,
                                                  GValue       *value);
gboolean         _any_socket_tls_set_property    (AnySocket    *self,
                                                  guint         prop_id,
                                                  const GValue *value);

G_END_DECLS

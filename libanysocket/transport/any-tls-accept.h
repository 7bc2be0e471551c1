/* any-tls-accept.h: the server side of a TLS handshake (wss://), TLS 1.2
 * and later only
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Runs a TLS server handshake with @certificate over @connection (GIO's
 * TLS: glib-networking, GnuTLS): the TLS stream, or an error (the
 * connection is then closed). A handshake that ends on TLS 1.0 or 1.1
 * fails. Not bounded in time: the caller closes @connection at its own
 * deadline, which fails the handshake. */
void       any_tls_accept_async  (GSocketConnection   *connection,
                                  GTlsCertificate     *certificate,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
GIOStream *any_tls_accept_finish (GAsyncResult        *result,
                                  GError             **error);

G_END_DECLS

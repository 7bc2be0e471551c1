/* any-socket-http.h: AnySocket's web side (any-socket-http.c) and the
 * folders it serves (any-folder.c), for any-socket.c
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-socket.h"
#include "transport/any-http-exchange.h"

G_BEGIN_DECLS

typedef struct _AnySocketHttp AnySocketHttp;

AnySocketHttp      *_any_socket_http_new           (void);
void                _any_socket_http_free          (AnySocketHttp   *self);
const char * const *_any_socket_http_get_protocols (AnySocketHttp   *self);
/* AnyWsDialHost.http */
void                _any_socket_http_dispatch      (gpointer         host,
                                                    AnyHttpExchange *exchange);
/* Installs AnySocket:ws-protocols from @first_id on, and
 * AnySocket::http-request. */
void                _any_socket_http_class_init    (GObjectClass    *klass,
                                                    guint            first_id);
gboolean            _any_socket_http_get_property  (AnySocket       *self,
                                                    guint            prop_id,
                                                    GValue          *value);
gboolean            _any_socket_http_set_property  (AnySocket       *self,
                                                    guint            prop_id,
                                                    const GValue    *value);

/* A folder served under a URL prefix (any-folder.c) */
typedef struct _AnyFolder AnyFolder;

AnyFolder *_any_folder_new   (const char      *url_prefix,
                              const char      *directory);
void       _any_folder_free  (AnyFolder       *folder);
/* Answers @exchange from the folder whose prefix matches its path
 * (the longest), or returns FALSE when none does. */
gboolean   _any_folder_serve (GPtrArray       *folders,
                              AnyHttpExchange *exchange);

G_END_DECLS

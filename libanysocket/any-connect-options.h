/* any-connect-options.h: AnyConnectOptions, what a connect adds to its
 * WebSocket upgrade request
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <glib-object.h>
#include "any-version.h"

G_BEGIN_DECLS

#define ANY_TYPE_CONNECT_OPTIONS (any_connect_options_get_type ())
ANY_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (AnyConnectOptions, any_connect_options, ANY, CONNECT_OPTIONS, GObject)

ANY_AVAILABLE_IN_0_2
AnyConnectOptions *any_connect_options_new        (void);
ANY_AVAILABLE_IN_0_2
gboolean           any_connect_options_add_header (AnyConnectOptions  *self,
                                                   const char         *name,
                                                   const char         *value,
                                                   GError            **error);
ANY_AVAILABLE_IN_0_2
gboolean           any_connect_options_add_cookie (AnyConnectOptions  *self,
                                                   const char         *name,
                                                   const char         *value,
                                                   GError            **error);

G_END_DECLS

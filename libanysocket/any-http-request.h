/* any-http-request.h: AnyHttpRequest, a plain HTTP request on a listening
 * port, and its answer
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <gio/gio.h>
#include "any-version.h"

G_BEGIN_DECLS

#define ANY_TYPE_HTTP_REQUEST (any_http_request_get_type ())
ANY_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (AnyHttpRequest, any_http_request, ANY, HTTP_REQUEST, GObject)

/* What was asked */
ANY_AVAILABLE_IN_0_2
const char *any_http_request_get_method         (AnyHttpRequest *self);
ANY_AVAILABLE_IN_0_2
const char *any_http_request_get_path           (AnyHttpRequest *self);
ANY_AVAILABLE_IN_0_2
const char *any_http_request_get_query          (AnyHttpRequest *self);
ANY_AVAILABLE_IN_0_2
const char *any_http_request_get_query_param    (AnyHttpRequest *self,
                                                 const char     *name);
ANY_AVAILABLE_IN_0_2
const char *any_http_request_get_header         (AnyHttpRequest *self,
                                                 const char     *name);
ANY_AVAILABLE_IN_0_2
char      **any_http_request_dup_header_names   (AnyHttpRequest *self);
ANY_AVAILABLE_IN_0_2
const char *any_http_request_get_cookie         (AnyHttpRequest *self,
                                                 const char     *name);
ANY_AVAILABLE_IN_0_2
GBytes     *any_http_request_get_body           (AnyHttpRequest *self);
ANY_AVAILABLE_IN_0_2
const char *any_http_request_get_remote_address (AnyHttpRequest *self);

/* The answer */
ANY_AVAILABLE_IN_0_2
void        any_http_request_add_response_header (AnyHttpRequest *self,
                                                  const char     *name,
                                                  const char     *value);
ANY_AVAILABLE_IN_0_2
void        any_http_request_respond            (AnyHttpRequest *self,
                                                 guint           status,
                                                 const char     *content_type,
                                                 GBytes         *body);
ANY_AVAILABLE_IN_0_2
gboolean    any_http_request_get_answered       (AnyHttpRequest *self);

G_END_DECLS

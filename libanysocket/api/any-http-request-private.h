/* any-http-request-private.h: AnyHttpRequest as the socket makes it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-http-request.h"
#include "transport/any-http-exchange.h"

G_BEGIN_DECLS

AnyHttpRequest *_any_http_request_new (AnyHttpExchange *exchange);

G_END_DECLS

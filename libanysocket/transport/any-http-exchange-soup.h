/* any-http-exchange-soup.h: making an AnyHttpExchange from libsoup's
 * message (transport/ only)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

/* Not included: any-http-exchange.c includes this file (one unit). */
typedef struct _AnyHttpExchange AnyHttpExchange;

G_BEGIN_DECLS

AnyHttpExchange *any_http_exchange_new  (SoupServerMessage *msg);
/* After the handler ran: an exchange still unanswered pauses @msg until
 * its answer. */
void             any_http_exchange_hold (AnyHttpExchange   *self);

G_END_DECLS

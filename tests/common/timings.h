/* timings.h: requests timed, and timings gathered over rounds, printed
 * and judged by their median (the latency tests)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

G_BEGIN_DECLS

/* Prints "# @what, ms: each value (median M)" to stderr and returns
 * whether the median of @values_us (gint64 microseconds, @rounds of
 * them: asserted) is under @limit_us. */
gboolean   median_under   (GArray     *values_us,
                           guint       rounds,
                           gint64      limit_us,
                           const char *what);

/* Sends @msg as a request to @peer; its round trip, in microseconds,
 * is appended to @into_us (under @lock, if not NULL) when the reply
 * comes (a failure fails the test). */
void       request_timed  (AnyPeer    *peer,
                           JsonNode   *msg,
                           GArray     *into_us,
                           GMutex     *lock);

G_END_DECLS

/* chat-rate.h: token buckets per key (an author, a link), bounded in
 * number, for flood limits
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CHAT_RATE_OK,           /* within the limit: take it */
  CHAT_RATE_DROP_FIRST,   /* over the limit, the first time since it was last within: say so */
  CHAT_RATE_DROP,         /* still over the limit: drop it quietly */
} ChatRateVerdict;

typedef struct _ChatRate ChatRate;

ChatRate       *chat_rate_new  (double      per_second,
                                double      burst,
                                guint       max_keys);
void            chat_rate_free (ChatRate   *rate);
ChatRateVerdict chat_rate_take (ChatRate   *rate,
                                const char *key,
                                double      cost,
                                gint64      now_us);
guint           chat_rate_size (ChatRate   *rate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatRate, chat_rate_free)

G_END_DECLS

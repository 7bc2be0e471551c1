/* chat-rate.c: token buckets per key, bounded in number
 *
 * Each key has a bucket of @burst tokens that refills at @per_second;
 * taking costs tokens (1 per message, or bytes for a log). A key over
 * its limit is told so once per flood (CHAT_RATE_DROP_FIRST), then
 * dropped quietly: a flood costs one notice, not one per message. The
 * flood is over once its bucket has refilled completely.
 *
 * Keys come from the network (ids anyone can make up), so the table is
 * bounded: when it is full, buckets that refilled completely carry no
 * state worth keeping and go first; failing that, the least recently
 * used one goes. A flood of made-up keys then only forgets old keys,
 * it cannot grow memory.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "chat-rate.h"

typedef struct {
  char     *key;
  double    tokens;
  gint64    updated_us;
  gboolean  dropping;   /* told already that it is over the limit */
  GList     link;       /* in rate->recent; its data is this bucket */
} Bucket;

struct _ChatRate {
  double      per_second;
  double      burst;
  guint       max_keys;
  GHashTable *buckets;   /* key -> Bucket */
  GQueue      recent;    /* Bucket, most recently used at the head */
};

static void
bucket_free (gpointer data)
{
  Bucket *bucket = data;

  g_free (bucket->key);
  g_free (bucket);
}

ChatRate *
chat_rate_new (double per_second,
               double burst,
               guint  max_keys)
{
  ChatRate *rate;

  g_return_val_if_fail (per_second > 0 && burst >= 1 && max_keys > 0, NULL);
  rate = g_new0 (ChatRate, 1);
  rate->per_second = per_second;
  rate->burst = burst;
  rate->max_keys = max_keys;
  rate->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, bucket_free);
  g_queue_init (&rate->recent);
  return rate;
}

void
chat_rate_free (ChatRate *rate)
{
  if (rate == NULL)
    return;
  g_hash_table_destroy (rate->buckets);
  g_free (rate);
}

guint
chat_rate_size (ChatRate *rate)
{
  return g_hash_table_size (rate->buckets);
}

static void
refill (ChatRate *rate,
        Bucket   *bucket,
        gint64    now_us)
{
  if (now_us > bucket->updated_us)
    {
      bucket->tokens = MIN (rate->burst,
                            bucket->tokens + (now_us - bucket->updated_us) * rate->per_second / G_USEC_PER_SEC);
      bucket->updated_us = now_us;
    }
}

static void
forget (ChatRate *rate,
        Bucket   *bucket)
{
  g_queue_unlink (&rate->recent, &bucket->link);
  g_hash_table_remove (rate->buckets, bucket->key);
}

/* Room for one more key: a full bucket if there is one among the least
 * recently used, else the least recently used itself. */
static void
make_room (ChatRate *rate,
           gint64    now_us)
{
  guint looked = 0;

  for (GList *l = rate->recent.tail; l != NULL && looked < 16; l = l->prev, looked++)
    {
      Bucket *bucket = l->data;

      refill (rate, bucket, now_us);
      if (bucket->tokens >= rate->burst)
        {
          forget (rate, bucket);
          return;
        }
    }
  forget (rate, rate->recent.tail->data);
}

ChatRateVerdict
chat_rate_take (ChatRate   *rate,
                const char *key,
                double      cost,
                gint64      now_us)
{
  Bucket *bucket = g_hash_table_lookup (rate->buckets, key);

  if (bucket == NULL)
    {
      if (g_hash_table_size (rate->buckets) >= rate->max_keys)
        make_room (rate, now_us);
      bucket = g_new0 (Bucket, 1);
      bucket->key = g_strdup (key);
      bucket->tokens = rate->burst;
      bucket->updated_us = now_us;
      bucket->link.data = bucket;
      g_hash_table_insert (rate->buckets, bucket->key, bucket);
    }
  else
    {
      g_queue_unlink (&rate->recent, &bucket->link);
      refill (rate, bucket, now_us);
    }
  g_queue_push_head_link (&rate->recent, &bucket->link);

  /* a flood ends when the key was quiet long enough to refill its whole
   * burst: a flooder that gets one message through now and then is
   * still the same flood, and is not announced again */
  if (bucket->tokens >= rate->burst)
    bucket->dropping = FALSE;
  if (bucket->tokens >= cost)
    {
      bucket->tokens -= cost;
      return CHAT_RATE_OK;
    }
  if (bucket->dropping)
    return CHAT_RATE_DROP;
  bucket->dropping = TRUE;
  return CHAT_RATE_DROP_FIRST;
}

/* any-mesh-e2e.c: end-to-end sessions between two mesh nodes
 * (see any-mesh-e2e.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "mesh/any-mesh-e2e.h"

#define PROLOGUE_LABEL "AnyMesh-e2e-v1"
#define RESET_LABEL    "AnyMesh-reset-v1"
#define RESET_LEN      (8 + ANY_ED25519_SIGNATURE_LEN)
#define MAX_QUEUED     64
#define WINDOW         64
#define MAX_RECENT     32       /* sealed messages kept to resend after a RESET */
#define RECENT_MS      30000

typedef enum {
  STATE_HELLO_SENT,
  STATE_WELCOME_SENT,
  STATE_READY,
} State;

typedef struct {
  guint8             peer[ANY_MESH_NODE_ID_LEN];
  guint64            id;
  State              state;
  AnyNoiseHandshake *hs;
  AnyNoiseCipher    *tx;
  AnyNoiseCipher    *rx;
  guint64            tx_nonce;
  gboolean           rx_any;
  guint64            rx_top;
  guint64            rx_mask;
  GPtrArray         *queue;       /* GBytes waiting for the handshake */
  gint64             started_ms;
  GQueue             recent;      /* Recent: the last messages sealed */
  gboolean           incoming;    /* in AnyMeshE2e.incoming */
} Session;

typedef struct {
  guint64 nonce;
  gint64  sent_ms;
  GBytes *plain;
} Recent;

static void
recent_free (gpointer data)
{
  Recent *r = data;

  g_bytes_unref (r->plain);
  g_free (r);
}

struct _AnyMeshE2e {
  AnyMeshCore               *core;
  AnyNoiseKeypair           *identity;
  const AnyMeshE2eCallbacks *callbacks;
  gpointer                   user_data;
  GHashTable                *sessions;  /* peer id -> Session */
  /* A HELLO from a node we have a working session with: its handshake
   * waits here, and replaces the session only once it completes, so that
   * a HELLO forged by any node cannot break a session. */
  GHashTable                *incoming;  /* peer id -> Session */
  AnyMeshE2eStats            stats;
};

static void
session_free (gpointer data)
{
  Session *s = data;

  g_clear_pointer (&s->hs, any_noise_handshake_free);
  g_clear_pointer (&s->tx, any_noise_cipher_free);
  g_clear_pointer (&s->rx, any_noise_cipher_free);
  g_ptr_array_unref (s->queue);
  g_queue_clear_full (&s->recent, recent_free);
  g_free (s);
}

AnyMeshE2e *
any_mesh_e2e_new (AnyMeshCore               *core,
                  AnyNoiseKeypair           *identity,
                  const AnyMeshE2eCallbacks *callbacks,
                  gpointer                   user_data)
{
  AnyMeshE2e *self = g_new0 (AnyMeshE2e, 1);

  self->core = core;
  self->identity = any_noise_keypair_ref (identity);
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->sessions = g_hash_table_new_full (any_mesh_id_hash, any_mesh_node_id_equal, NULL, session_free);
  self->incoming = g_hash_table_new_full (any_mesh_id_hash, any_mesh_node_id_equal, NULL, session_free);
  return self;
}

void
any_mesh_e2e_free (AnyMeshE2e *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->incoming);
  any_noise_keypair_unref (self->identity);
  g_free (self);
}

const AnyMeshE2eStats *
any_mesh_e2e_get_stats (AnyMeshE2e *self)
{
  return &self->stats;
}

static GByteArray *
prologue (const guint8 *initiator, const guint8 *responder)
{
  GByteArray *p = g_byte_array_new ();

  g_byte_array_append (p, (const guint8 *) PROLOGUE_LABEL, strlen (PROLOGUE_LABEL));
  g_byte_array_append (p, initiator, ANY_MESH_NODE_ID_LEN);
  g_byte_array_append (p, responder, ANY_MESH_NODE_ID_LEN);
  return p;
}

static GHashTable *
table_of (AnyMeshE2e *self, Session *s)
{
  return s->incoming ? self->incoming : self->sessions;
}

static Session *
session_new (AnyMeshE2e *self, const guint8 *peer, guint64 id, gint64 now_ms, gboolean incoming)
{
  Session *s = g_new0 (Session, 1);

  memcpy (s->peer, peer, ANY_MESH_NODE_ID_LEN);
  s->id = id;
  s->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  s->started_ms = now_ms;
  s->incoming = incoming;
  g_hash_table_replace (table_of (self, s), s->peer, s);
  return s;
}

static void
fail (AnyMeshE2e *self, Session *s)
{
  self->stats.failed++;
  self->stats.queued_dropped += s->queue->len;
  g_hash_table_remove (table_of (self, s), s->peer);
}

/* The DATA header as associated data: hop limit zeroed (relays change it). */
static void
header_ad (guint8 ad[ANY_MESH_DATA_HEADER_LEN], const guint8 *dst, const guint8 *src, guint64 session)
{
  g_autoptr(GByteArray) h = g_byte_array_sized_new (ANY_MESH_DATA_HEADER_LEN);

  any_mesh_data_write (h, 0, dst, src, ANY_MESH_DATA_SEALED, session, NULL, 0);
  memcpy (ad, h->data, ANY_MESH_DATA_HEADER_LEN);
}

/* Keeps what was sealed a while, to send it again if the other end says
 * it lost the session (on_reset()). */
static void
remember (Session *s, guint64 nonce, GBytes *plain)
{
  Recent *r = g_new0 (Recent, 1);

  r->nonce = nonce;
  r->sent_ms = g_get_monotonic_time () / 1000;
  r->plain = g_bytes_ref (plain);
  g_queue_push_tail (&s->recent, r);
  if (g_queue_get_length (&s->recent) > MAX_RECENT)
    recent_free (g_queue_pop_head (&s->recent));
}

static gboolean
seal_and_send (AnyMeshE2e *self, Session *s, GBytes *plain)
{
  const guint8 *own = any_mesh_core_get_id (self->core);
  guint8 ad[ANY_MESH_DATA_HEADER_LEN];
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize len;
  const guint8 *p = g_bytes_get_data (plain, &len);
  guint64 nonce = s->tx_nonce++;

  for (int i = 7; i >= 0; i--)
    g_byte_array_append (body, (guint8 []) { (nonce >> (8 * i)) & 0xff }, 1);
  header_ad (ad, s->peer, own, s->id);
  any_noise_cipher_set_nonce (s->tx, nonce);
  if (!any_noise_cipher_encrypt_with_ad (s->tx, ad, sizeof ad, p, len, body, NULL))
    return FALSE;
  self->stats.sealed_sent++;
  remember (s, nonce, plain);
  return any_mesh_core_send_data (self->core, s->peer, ANY_MESH_DATA_SEALED, s->id,
                                  body->data, body->len);
}

static void
become_ready (AnyMeshE2e *self, Session *s, int rtt_ms)
{
  g_autoptr(GPtrArray) queue = g_steal_pointer (&s->queue);
  guint8 peer[ANY_MESH_NODE_ID_LEN];

  s->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  if (!any_noise_handshake_split (s->hs, &s->tx, &s->rx, NULL))
    {
      fail (self, s);
      return;
    }
  g_clear_pointer (&s->hs, any_noise_handshake_free);
  s->state = STATE_READY;
  if (s->incoming)
    {
      g_hash_table_steal (self->incoming, s->peer);
      s->incoming = FALSE;
      g_hash_table_replace (self->sessions, s->peer, s);
    }
  memcpy (peer, s->peer, sizeof peer);
  for (guint i = 0; i < queue->len; i++)
    seal_and_send (self, s, g_ptr_array_index (queue, i));
  self->callbacks->verified (self->user_data, peer, rtt_ms);
}

static gboolean
start_handshake (AnyMeshE2e *self, const guint8 *dst, gint64 now_ms, GPtrArray *queue)
{
  const guint8 *own = any_mesh_core_get_id (self->core);
  g_autoptr(GByteArray) pro = prologue (own, dst);
  g_autoptr(GByteArray) msg = g_byte_array_new ();
  Session *s = session_new (self, dst, ((guint64) g_random_int () << 32) | g_random_int (), now_ms, FALSE);

  if (queue != NULL)
    for (guint i = 0; i < queue->len; i++)
      g_ptr_array_add (s->queue, g_bytes_ref (g_ptr_array_index (queue, i)));
  s->state = STATE_HELLO_SENT;
  s->hs = any_noise_handshake_new_initiator (self->identity, pro->data, pro->len);
  if (!any_noise_handshake_write_message (s->hs, NULL, 0, msg, NULL)
      || !any_mesh_core_send_data (self->core, dst, ANY_MESH_DATA_HELLO, s->id, msg->data, msg->len))
    {
      fail (self, s);
      return FALSE;
    }
  return TRUE;
}

gboolean
any_mesh_e2e_send (AnyMeshE2e   *self,
                   const guint8 *dst,
                   const guint8 *plain,
                   gsize         len,
                   gint64        now_ms)
{
  Session *s = g_hash_table_lookup (self->sessions, dst);
  g_autoptr(GBytes) bytes = NULL;

  if (any_mesh_core_lookup (self->core, dst) == NULL)
    return FALSE;
  bytes = g_bytes_new (plain, len);
  if (s != NULL && s->state == STATE_READY)
    return seal_and_send (self, s, bytes);
  if (s == NULL)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, bytes);
      return start_handshake (self, dst, now_ms, one);
    }
  if (s->queue->len >= MAX_QUEUED)
    {
      self->stats.queued_dropped++;
      return FALSE;
    }
  g_ptr_array_add (s->queue, g_steal_pointer (&bytes));
  return TRUE;
}

/* The static key the handshake proved must be the one @id announced. */
static gboolean
proven_key_matches (AnyMeshE2e *self, const guint8 *id, AnyNoiseHandshake *hs)
{
  const AnyMeshRoute *route = any_mesh_core_lookup (self->core, id);
  const guint8 *remote = any_noise_handshake_get_remote_static (hs);

  return route != NULL && remote != NULL && memcmp (route->dh_pub, remote, 32) == 0;
}

static void
on_hello (AnyMeshE2e *self, const AnyMeshData *d, gint64 now_ms)
{
  const guint8 *own = any_mesh_core_get_id (self->core);
  Session *s = g_hash_table_lookup (self->sessions, d->src);
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GByteArray) pro = NULL;
  g_autoptr(GByteArray) msg = g_byte_array_new ();

  if (any_mesh_core_lookup (self->core, d->src) == NULL)
    return;
  if (s != NULL && s->id == d->session)
    return;  /* the same HELLO again */
  /* Both sides started: the lower node id stays the initiator. */
  if (s != NULL && s->state == STATE_HELLO_SENT && memcmp (own, d->src, ANY_MESH_NODE_ID_LEN) < 0)
    return;
  if (s != NULL && s->state == STATE_READY)
    {
      Session *pending = g_hash_table_lookup (self->incoming, d->src);

      if (pending != NULL && pending->id == d->session)
        return;
      s = session_new (self, d->src, d->session, now_ms, TRUE);
    }
  else
    {
      if (s != NULL)
        queue = g_ptr_array_ref (s->queue);
      s = session_new (self, d->src, d->session, now_ms, FALSE);
    }
  if (queue != NULL)
    for (guint i = 0; i < queue->len; i++)
      g_ptr_array_add (s->queue, g_bytes_ref (g_ptr_array_index (queue, i)));
  pro = prologue (d->src, own);
  s->state = STATE_WELCOME_SENT;
  s->hs = any_noise_handshake_new_responder (self->identity, pro->data, pro->len);
  if (!any_noise_handshake_read_message (s->hs, d->body, d->body_len, NULL, NULL)
      || !any_noise_handshake_write_message (s->hs, NULL, 0, msg, NULL)
      || !any_mesh_core_send_data (self->core, d->src, ANY_MESH_DATA_WELCOME, s->id,
                                   msg->data, msg->len))
    fail (self, s);
}

static void
on_welcome (AnyMeshE2e *self, Session *s, const AnyMeshData *d, gint64 now_ms)
{
  g_autoptr(GByteArray) msg = g_byte_array_new ();

  if (s->state != STATE_HELLO_SENT)
    return;
  if (!any_noise_handshake_read_message (s->hs, d->body, d->body_len, NULL, NULL)
      || !proven_key_matches (self, s->peer, s->hs)
      || !any_noise_handshake_write_message (s->hs, NULL, 0, msg, NULL)
      || !any_mesh_core_send_data (self->core, s->peer, ANY_MESH_DATA_CONFIRM, s->id,
                                   msg->data, msg->len))
    {
      fail (self, s);
      return;
    }
  become_ready (self, s, (int) MIN (now_ms - s->started_ms, G_MAXINT));
}

static void
on_confirm (AnyMeshE2e *self, Session *s, const AnyMeshData *d)
{
  if (s->state != STATE_WELCOME_SENT)
    return;
  if (!any_noise_handshake_read_message (s->hs, d->body, d->body_len, NULL, NULL)
      || !proven_key_matches (self, s->peer, s->hs))
    {
      fail (self, s);
      return;
    }
  become_ready (self, s, -1);
}

static void
on_sealed (AnyMeshE2e *self, Session *s, const AnyMeshData *d)
{
  guint8 ad[ANY_MESH_DATA_HEADER_LEN];
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  guint64 nonce = 0, diff;

  if (s->state != STATE_READY || d->body_len < 8 + ANY_NOISE_TAG_LEN)
    {
      self->stats.failed++;
      return;
    }
  for (int i = 0; i < 8; i++)
    nonce = (nonce << 8) | d->body[i];
  diff = s->rx_any && nonce <= s->rx_top ? s->rx_top - nonce : 0;
  if (s->rx_any && nonce <= s->rx_top && (diff >= WINDOW || (s->rx_mask & (G_GUINT64_CONSTANT (1) << diff))))
    {
      self->stats.replayed++;
      return;
    }
  header_ad (ad, d->dst, d->src, d->session);
  any_noise_cipher_set_nonce (s->rx, nonce);
  if (!any_noise_cipher_decrypt_with_ad (s->rx, ad, sizeof ad, d->body + 8, d->body_len - 8, plain, NULL))
    {
      self->stats.failed++;
      return;
    }
  if (!s->rx_any)
    {
      s->rx_any = TRUE;
      s->rx_top = nonce;
      s->rx_mask = 1;
    }
  else if (nonce > s->rx_top)
    {
      guint64 shift = nonce - s->rx_top;

      s->rx_mask = shift >= WINDOW ? 1 : (s->rx_mask << shift) | 1;
      s->rx_top = nonce;
    }
  else
    s->rx_mask |= G_GUINT64_CONSTANT (1) << diff;
  self->stats.sealed_received++;
  self->callbacks->deliver (self->user_data, d->src, plain->data, plain->len);
}

/* What a RESET signs: the label, the node that sealed (it gets the
 * RESET), the node that lost the session, the session and the nonce. */
static GByteArray *
reset_signed_bytes (const guint8 *sealer, const guint8 *lost, guint64 session, const guint8 *nonce)
{
  GByteArray *msg = g_byte_array_new ();
  guint8 s8[8];

  for (int i = 0; i < 8; i++)
    s8[i] = (session >> (56 - 8 * i)) & 0xff;
  g_byte_array_append (msg, (const guint8 *) RESET_LABEL, strlen (RESET_LABEL));
  g_byte_array_append (msg, sealer, ANY_MESH_NODE_ID_LEN);
  g_byte_array_append (msg, lost, ANY_MESH_NODE_ID_LEN);
  g_byte_array_append (msg, s8, 8);
  g_byte_array_append (msg, nonce, 8);
  return msg;
}

/* The other end lost our session (it restarted, and signed so): what we
 * sealed from the nonce it names on goes again, over a new handshake. A
 * RESET that is not signed by that end is ignored, so a relay cannot make
 * us send a message twice. */
static void
on_reset (AnyMeshE2e *self, Session *s, const AnyMeshData *d, gint64 now_ms)
{
  g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GByteArray) msg = NULL;
  const AnyMeshRoute *route = any_mesh_core_lookup (self->core, d->src);
  guint8 peer[ANY_MESH_NODE_ID_LEN];
  guint64 from = 0;

  if (s->state != STATE_READY || d->body_len != RESET_LEN || route == NULL)
    return;
  msg = reset_signed_bytes (d->dst, d->src, d->session, d->body);
  if (!any_ed25519_verify (route->sign_pub, msg->data, msg->len, d->body + 8))
    {
      self->stats.failed++;
      return;
    }
  for (int i = 0; i < 8; i++)
    from = (from << 8) | d->body[i];
  for (GList *l = s->recent.head; l != NULL; l = l->next)
    {
      Recent *r = l->data;

      if (r->nonce >= from && r->sent_ms + RECENT_MS > now_ms)
        g_ptr_array_add (again, g_bytes_ref (r->plain));
    }
  memcpy (peer, s->peer, sizeof peer);
  g_hash_table_remove (self->sessions, peer);
  if (again->len > 0)
    start_handshake (self, peer, now_ms, again);
}

void
any_mesh_e2e_receive (AnyMeshE2e        *self,
                      const AnyMeshData *d,
                      gint64             now_ms)
{
  Session *s;

  if (d->kind == ANY_MESH_DATA_HELLO)
    {
      on_hello (self, d, now_ms);
      return;
    }
  s = g_hash_table_lookup (self->sessions, d->src);
  if ((s == NULL || s->id != d->session) && d->kind == ANY_MESH_DATA_CONFIRM)
    s = g_hash_table_lookup (self->incoming, d->src);
  if (s == NULL || s->id != d->session)
    {
      /* A session we do not know (we restarted, or it is stale): say so,
       * and the other end starts a new handshake. */
      if (d->kind == ANY_MESH_DATA_SEALED && d->body_len >= 8)
        {
          guint8 body[RESET_LEN];
          g_autoptr(GByteArray) msg = reset_signed_bytes (d->src, d->dst, d->session, d->body);

          memcpy (body, d->body, 8);
          any_mesh_core_sign (self->core, msg->data, msg->len, body + 8);
          any_mesh_core_send_data (self->core, d->src, ANY_MESH_DATA_RESET, d->session, body, sizeof body);
        }
      return;
    }
  switch (d->kind)
    {
    case ANY_MESH_DATA_WELCOME:
      on_welcome (self, s, d, now_ms);
      break;
    case ANY_MESH_DATA_CONFIRM:
      on_confirm (self, s, d);
      break;
    case ANY_MESH_DATA_SEALED:
      on_sealed (self, s, d);
      break;
    case ANY_MESH_DATA_RESET:
      on_reset (self, s, d, now_ms);
      break;
    default:
      break;
    }
}

void
any_mesh_e2e_tick (AnyMeshE2e *self,
                   guint       timeout_ms,
                   gint64      now_ms)
{
  GHashTable *tables[] = { self->sessions, self->incoming };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      GHashTableIter iter;
      Session *s;

      g_hash_table_iter_init (&iter, tables[t]);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &s))
        if ((s->state != STATE_READY && s->started_ms + timeout_ms <= now_ms)
            || any_mesh_core_lookup (self->core, s->peer) == NULL)
          {
            self->stats.queued_dropped += s->queue->len;
            g_hash_table_iter_remove (&iter);
          }
    }
}

void
any_mesh_e2e_forget (AnyMeshE2e   *self,
                     const guint8 *id)
{
  g_hash_table_remove (self->incoming, id);
  g_hash_table_remove (self->sessions, id);
}

gboolean
any_mesh_e2e_is_verified (AnyMeshE2e   *self,
                          const guint8 *id)
{
  Session *s = g_hash_table_lookup (self->sessions, id);

  return s != NULL && s->state == STATE_READY;
}

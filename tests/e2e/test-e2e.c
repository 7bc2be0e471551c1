/* test-e2e.c: end-to-end encryption between libanysocket peers
 *
 * Two AnySocket endpoints on loopback (port 0), linked directly or
 * through a relay: a libsoup WebSocket server that accepts the client,
 * opens its own WebSocket to the real server and forwards text frames
 * both ways. The relay has hooks that make it an attacker on the wire:
 * it tampers with, replays, reorders, reflects, drops or rewrites
 * encrypted chunks, strips the "caps" of an AUTH packet, drops handshake
 * messages, or runs the native handshake itself with its own static key
 * on both sides (a man-in-the-middle that presents the real ids, which it
 * read in AUTH, and re-encrypts everything), using the private Noise and
 * codec API.
 *
 * Every wait is bounded (WAIT_MS); a wait that runs out fails the test.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE  /* memmem() */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "anysocket.h"
#include "any-codec.h"
#include "crypto/any-noise.h"

#define WAIT_MS          10000
#define QUIET_MS         150
#define FINGERPRINT_LEN  71
#define IN_FLIGHT        64
#define BIG_BYTES        (5 * 1024 * 1024)
#define TRUNCATE_BYTES   (3 * 1024 * 1024)
#define CHUNK_UNITS      1048576
#define E2E_TIMEOUT_MS   300
#define MARKER           "PLAINTEXT-MARKER-6b1f0c2e"
#define FAILED_AUTH      "failed authentication"

/* Waits */

#define WAIT_UNTIL(cond) G_STMT_START {                                       \
    gint64 wu_deadline_ = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;  \
    while (!(cond) && g_get_monotonic_time () < wu_deadline_)                 \
      if (!g_main_context_iteration (NULL, FALSE))                            \
        g_usleep (200);                                                       \
    if (!(cond))                                                              \
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,       \
                           "timed out waiting for: " #cond);                  \
  } G_STMT_END

#define assert_contains(haystack, needle) G_STMT_START {                      \
    const char *ac_h_ = (haystack), *ac_n_ = (needle);                        \
    if (ac_h_ == NULL || strstr (ac_h_, ac_n_) == NULL)                       \
      {                                                                       \
        g_autofree char *ac_m_ =                                              \
          g_strdup_printf ("%s = '%s' does not contain '%s'", #haystack,      \
                           ac_h_ ? ac_h_ : "(null)", ac_n_);                  \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,     \
                             ac_m_);                                          \
      }                                                                       \
  } G_STMT_END

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (200);
}

/* Lets closing handshakes finish, so nothing is in flight when a test
 * ends: quiet for 100 ms, or 3 s at most. */
static void
drain (void)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  gint64 quiet_since = g_get_monotonic_time ();

  while (g_get_monotonic_time () < deadline &&
         g_get_monotonic_time () - quiet_since < 100 * 1000)
    {
      if (g_main_context_iteration (NULL, FALSE))
        quiet_since = g_get_monotonic_time ();
      else
        g_usleep (1000);
    }
}

/* JSON */

static JsonNode *json_printf (const char *format, ...) G_GNUC_PRINTF (1, 2);

static JsonNode *
json_printf (const char *format,
             ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonNode *
msg_member (JsonNode   *msg,
            const char *name)
{
  if (msg == NULL || !JSON_NODE_HOLDS_OBJECT (msg))
    return NULL;
  return json_object_get_member (json_node_get_object (msg), name);
}

static const char *
msg_string (JsonNode   *msg,
            const char *name)
{
  JsonNode *member = msg_member (msg, name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

static gint64
msg_int (JsonNode   *msg,
         const char *name)
{
  JsonNode *member = msg_member (msg, name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (member);
}

static void
assert_fingerprint_format (const char *fingerprint)
{
  g_assert_nonnull (fingerprint);
  g_assert_cmpuint (strlen (fingerprint), ==, FINGERPRINT_LEN);
  for (guint i = 0; i < FINGERPRINT_LEN; i++)
    {
      if (i % 6 == 5)
        g_assert_cmpint (fingerprint[i], ==, ' ');
      else
        g_assert_true (g_ascii_isdigit (fingerprint[i]));
    }
}

static gboolean
bytes_contain (GBytes     *bytes,
               const char *needle)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return memmem (data, len, needle, strlen (needle)) != NULL;
}

/* A frame: @header_len bytes of @data, then @body. */
static GBytes *
frame_with_body (const guint8 *data,
                 gsize         header_len,
                 const char   *body,
                 gsize         body_len)
{
  GString *out = g_string_sized_new (header_len + body_len);

  g_string_append_len (out, (const char *) data, header_len);
  g_string_append_len (out, body, body_len);
  return g_string_free_to_bytes (out);
}

/* The relay */

typedef enum {
  C2S,  /* client to server */
  S2C,  /* server to client */
} Dir;

static Dir
reverse (Dir dir)
{
  return dir == C2S ? S2C : C2S;
}

typedef enum {
  ATTACK_NONE,
  ATTACK_TAMPER,       /* flip one bit of the ciphertext */
  ATTACK_REPLAY,       /* send the frame twice */
  ATTACK_REORDER,      /* swap two consecutive frames */
  ATTACK_REFLECT,      /* forward it, and send it back to its sender too */
  ATTACK_DROP_CHUNK,   /* drop chunk number drop_chunk of the next message */
  ATTACK_HEADER_SEQ,   /* seq + 1 in the clear header */
  ATTACK_HEADER_TYPE,  /* LINK <-> INTERNAL in the clear header */
  ATTACK_HEADER_FLAG,  /* last <-> more in the clear header */
} Attack;

typedef struct {
  GSocketService          *service;
  SoupServer              *server;
  SoupSession             *session;
  guint                    port;
  guint                    upstream_port;
  SoupWebsocketConnection *down;           /* accepted from the client */
  SoupWebsocketConnection *up;             /* to the real server */
  gboolean                 up_pending;
  GQueue                   waiting;        /* C2S frames until up is open */

  GPtrArray               *seen[2];        /* every frame received, per direction */
  char                    *client_id;
  char                    *server_id;
  char                    *client_caps;
  char                    *server_caps;

  /* Attacks. */
  gboolean                 strip_caps[2];  /* AUTH going that way loses "caps" */
  gboolean                 drop_switch[2]; /* SWITCH going that way vanishes */
  gint64                   drop_switch_step; /* 0: every one; else only this native step */
  guint                    switch_dropped;
  Attack                   attack;
  Dir                      attack_dir;
  gboolean                 armed;
  guint                    drop_chunk;
  guint                    chunks_seen;
  GBytes                  *held;
  guint                    attacked;

  /* Man in the middle: answers the client's native handshake with its
   * own key (claiming the server's id) and runs another one with the
   * server (claiming the client's id), then re-encrypts both ways.
   * Index [C2S] is the client's side, [S2C] the server's. */
  gboolean                 mitm;
  AnyNoiseKeypair         *mitm_key;
  AnyNoiseHandshake       *mitm_handshake[2];
  AnyNoiseCipher          *mitm_open[2];   /* opens frames going that way */
  AnyNoiseCipher          *mitm_seal[2];   /* seals frames going that way */
  GQueue                   mitm_waiting;   /* MitmFrame, until all four keys exist */
  GPtrArray               *mitm_plain[2];  /* what it read, per direction */
  char                    *mitm_client_payload;
  char                    *mitm_server_payload;
} Relay;

static void
relay_send (Relay  *relay,
            Dir     dir,
            GBytes *frame)
{
  SoupWebsocketConnection *conn = dir == C2S ? relay->up : relay->down;

  if (dir == C2S && relay->up == NULL && relay->up_pending)
    {
      g_queue_push_tail (&relay->waiting, g_bytes_ref (frame));
      return;
    }
  if (conn != NULL && soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (conn, SOUP_WEBSOCKET_DATA_TEXT, frame);
}

/* The e2e capabilities of an AUTH packet, as the engine puts them in the
 * prologue: "a,b", "" for none. */
static char *
auth_caps (JsonNode *auth)
{
  JsonNode *caps = msg_member (auth, "caps");
  JsonNode *e2e = msg_member (caps, "e2e");
  g_autoptr(GString) out = g_string_new (NULL);

  if (e2e == NULL || !JSON_NODE_HOLDS_ARRAY (e2e))
    return g_strdup ("");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (e2e)); i++)
    {
      JsonNode *cap = json_array_get_element (json_node_get_array (e2e), i);

      if (!JSON_NODE_HOLDS_VALUE (cap) || json_node_get_value_type (cap) != G_TYPE_STRING)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, json_node_get_string (cap));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static JsonNode *
chunk_json (const AnyChunk *chunk)
{
  g_autofree char *text = g_strndup ((const char *) chunk->body, chunk->body_len);

  return json_from_string (text, NULL);
}

/* What the relay learns from the AUTH packets going by (in the clear). */
static void
relay_note_auth (Relay          *relay,
                 Dir             dir,
                 const AnyChunk *chunk)
{
  g_autoptr(JsonNode) auth = chunk_json (chunk);
  const char *id = msg_string (auth, "id");

  if (id == NULL)
    return;
  if (dir == C2S)
    {
      g_free (relay->client_id);
      relay->client_id = g_strdup (id);
      g_free (relay->client_caps);
      relay->client_caps = auth_caps (auth);
    }
  else
    {
      g_free (relay->server_id);
      relay->server_id = g_strdup (id);
      g_free (relay->server_caps);
      relay->server_caps = auth_caps (auth);
    }
}

static GBytes *
strip_caps (GBytes         *frame,
            const AnyChunk *chunk,
            gsize           header_len)
{
  g_autoptr(JsonNode) auth = chunk_json (chunk);
  g_autofree char *text = NULL;

  g_assert_nonnull (auth);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (auth));
  g_assert_true (json_object_has_member (json_node_get_object (auth), "caps"));
  json_object_remove_member (json_node_get_object (auth), "caps");
  text = json_to_string (auth, FALSE);
  return frame_with_body (g_bytes_get_data (frame, NULL), header_len, text, strlen (text));
}

/* One bit of the ciphertext (not of the tag) flipped; the body stays
 * valid base64, so only the AEAD can notice. */
static GBytes *
tamper_body (GBytes         *frame,
             const AnyChunk *chunk,
             gsize           header_len)
{
  g_autofree char *encoded = g_strndup ((const char *) chunk->body, chunk->body_len);
  g_autofree guint8 *raw = NULL;
  g_autofree char *changed = NULL;
  gsize len = 0;

  raw = g_base64_decode (encoded, &len);
  g_assert_cmpuint (len, >, ANY_NOISE_TAG_LEN);
  raw[(len - ANY_NOISE_TAG_LEN) / 2] ^= 0x04;
  changed = g_base64_encode (raw, len);
  return frame_with_body (g_bytes_get_data (frame, NULL), header_len, changed, strlen (changed));
}

static GBytes *
rewrite_header (const AnyChunk *chunk,
                gboolean        last,
                AnyPacketType   type,
                gint32          seq)
{
  GString *out = g_string_new (NULL);

  any_chunk_encode (out, last, type, seq, (const char *) chunk->body, chunk->body_len);
  return g_string_free_to_bytes (out);
}

static gint64
switch_step (const AnyChunk *chunk)
{
  g_autoptr(JsonNode) node = chunk_json (chunk);

  return msg_int (node, "step");
}

typedef struct {
  Dir     dir;
  GBytes *frame;
} MitmFrame;

static void
mitm_frame_free (gpointer data)
{
  MitmFrame *mf = data;

  g_bytes_unref (mf->frame);
  g_free (mf);
}

static char *
prologue_for (const char *initiator_id,
              const char *responder_id,
              const char *initiator_caps,
              const char *responder_caps)
{
  return g_strdup_printf ("AnySocket E2E v1\n%s\n%s\n%s\n%s",
                          initiator_id, responder_id, initiator_caps, responder_caps);
}

static void
mitm_send_switch (Relay      *relay,
                  Dir         dir,
                  int         step,
                  GByteArray *message)
{
  g_autofree char *encoded = g_base64_encode (message->data, message->len);
  g_autofree char *json = g_strdup_printf ("{\"type\":3,\"step\":%d,\"noise\":\"%s\"}", step, encoded);
  GString *frame = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;

  any_chunk_encode (frame, TRUE, ANY_PACKET_TYPE_SWITCH, 4240 + step, json, strlen (json));
  bytes = g_string_free_to_bytes (frame);
  relay_send (relay, dir, bytes);
}

/* Opens each waiting frame with the keys of the side it came from and
 * seals it again with those of the side it goes to. */
static void
mitm_flush (Relay *relay)
{
  MitmFrame *mf;

  if (relay->mitm_open[C2S] == NULL || relay->mitm_open[S2C] == NULL)
    return;
  while ((mf = g_queue_pop_head (&relay->mitm_waiting)) != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (mf->frame, &len);
      AnyChunk chunk;
      gsize header_len;
      g_autofree char *encoded = NULL;
      g_autofree guint8 *raw = NULL;
      g_autofree char *sealed = NULL;
      g_autoptr(GByteArray) plain = g_byte_array_new ();
      g_autoptr(GByteArray) cipher = g_byte_array_new ();
      g_autoptr(GBytes) out = NULL;
      gsize raw_len = 0;

      g_assert_true (any_chunk_decode (data, len, &chunk, NULL));
      header_len = chunk.body - data;
      encoded = g_strndup ((const char *) chunk.body, chunk.body_len);
      raw = g_base64_decode (encoded, &raw_len);
      g_assert_true (any_noise_cipher_decrypt_with_ad (relay->mitm_open[mf->dir], data, header_len,
                                                       raw, raw_len, plain, NULL));
      g_ptr_array_add (relay->mitm_plain[mf->dir], g_strndup ((const char *) plain->data, plain->len));
      g_assert_true (any_noise_cipher_encrypt_with_ad (relay->mitm_seal[mf->dir], data, header_len,
                                                       plain->data, plain->len, cipher, NULL));
      sealed = g_base64_encode (cipher->data, cipher->len);
      out = frame_with_body (data, header_len, sealed, strlen (sealed));
      relay_send (relay, mf->dir, out);
      mitm_frame_free (mf);
    }
}

static void
mitm_split (Relay *relay,
            Dir    side)
{
  g_autoptr(GError) error = NULL;
  AnyNoiseCipher *send = NULL, *recv = NULL;

  g_assert_true (any_noise_handshake_split (relay->mitm_handshake[side], &send, &recv, &error));
  g_assert_no_error (error);
  /* With the client the relay responds: it sends S2C and receives C2S.
   * With the server it initiates: it sends C2S and receives S2C. */
  relay->mitm_seal[reverse (side)] = send;
  relay->mitm_open[side] = recv;
  g_clear_pointer (&relay->mitm_handshake[side], any_noise_handshake_free);
}

/* The man in the middle, on a native SWITCH going @dir. */
static void
mitm_switch (Relay          *relay,
             Dir             dir,
             const AnyChunk *chunk)
{
  g_autoptr(JsonNode) node = chunk_json (chunk);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autofree guint8 *message = NULL;
  const char *noise = msg_string (node, "noise");
  gint64 step = msg_int (node, "step");
  gsize len = 0;

  g_assert_cmpint (msg_int (node, "type"), ==, 3);
  g_assert_nonnull (noise);
  message = g_base64_decode (noise, &len);

  if (dir == C2S && step == 1)
    {
      /* The client's: answer it as "the server", with our own key ... */
      g_autofree char *to_client = prologue_for (relay->client_id, relay->server_id,
                                                 relay->client_caps, relay->server_caps);
      g_autofree char *as_server = g_strdup_printf ("{\"id\":\"%s\"}", relay->server_id);
      g_autofree char *to_server = prologue_for (relay->client_id, relay->server_id,
                                                 relay->client_caps, relay->server_caps);

      g_assert_null (relay->mitm_handshake[C2S]);
      relay->mitm_handshake[C2S] = any_noise_handshake_new_responder (relay->mitm_key,
                                                                      (const guint8 *) to_client,
                                                                      strlen (to_client));
      g_assert_true (any_noise_handshake_read_message (relay->mitm_handshake[C2S], message, len, NULL, &error));
      g_assert_true (any_noise_handshake_write_message (relay->mitm_handshake[C2S],
                                                        (const guint8 *) as_server, strlen (as_server),
                                                        out, &error));
      g_assert_no_error (error);
      mitm_send_switch (relay, S2C, 2, out);

      /* ... and start one with the server as "the client". */
      g_byte_array_set_size (out, 0);
      relay->mitm_handshake[S2C] = any_noise_handshake_new_initiator (relay->mitm_key,
                                                                      (const guint8 *) to_server,
                                                                      strlen (to_server));
      g_assert_true (any_noise_handshake_write_message (relay->mitm_handshake[S2C], NULL, 0, out, &error));
      g_assert_no_error (error);
      mitm_send_switch (relay, C2S, 1, out);
    }
  else if (dir == S2C && step == 2 && relay->mitm_handshake[S2C] != NULL)
    {
      g_autofree char *as_client = g_strdup_printf ("{\"id\":\"%s\"}", relay->client_id);

      if (!any_noise_handshake_read_message (relay->mitm_handshake[S2C], message, len, payload, &error))
        {
          g_test_message ("relay: the server's handshake failed: %s", error->message);
          return;
        }
      relay->mitm_server_payload = g_strndup ((const char *) payload->data, payload->len);
      g_assert_true (any_noise_handshake_write_message (relay->mitm_handshake[S2C],
                                                        (const guint8 *) as_client, strlen (as_client),
                                                        out, &error));
      g_assert_no_error (error);
      mitm_send_switch (relay, C2S, 3, out);
      mitm_split (relay, S2C);
    }
  else if (dir == C2S && step == 3 && relay->mitm_handshake[C2S] != NULL)
    {
      g_assert_true (any_noise_handshake_read_message (relay->mitm_handshake[C2S], message, len, payload, &error));
      g_assert_no_error (error);
      relay->mitm_client_payload = g_strndup ((const char *) payload->data, payload->len);
      mitm_split (relay, C2S);
    }
  else
    {
      g_test_message ("relay: unexpected native SWITCH step %" G_GINT64_FORMAT, step);
      return;
    }
  mitm_flush (relay);
}

/* TRUE when the attack took care of the frame (changed, dropped, held,
 * sent twice); FALSE to forward it unchanged. */
static gboolean
relay_attack (Relay          *relay,
              Dir             dir,
              GBytes         *frame,
              const AnyChunk *chunk,
              gsize           header_len)
{
  g_autoptr(GBytes) changed = NULL;

  if (chunk->type == ANY_PACKET_TYPE_AUTH)
    {
      if (!relay->strip_caps[dir])
        return FALSE;
      changed = strip_caps (frame, chunk, header_len);
      relay_send (relay, dir, changed);
      return TRUE;
    }

  if (chunk->type == ANY_PACKET_TYPE_SWITCH)
    {
      if (relay->drop_switch[dir] &&
          (relay->drop_switch_step == 0 || switch_step (chunk) == relay->drop_switch_step))
        {
          relay->switch_dropped++;
          return TRUE;
        }
      if (relay->mitm)
        {
          mitm_switch (relay, dir, chunk);
          return TRUE;
        }
      return FALSE;
    }

  /* Once the man in the middle has started, everything goes through its
   * keys. */
  if (relay->mitm && (relay->mitm_handshake[C2S] != NULL || relay->mitm_open[C2S] != NULL))
    {
      MitmFrame *mf = g_new0 (MitmFrame, 1);

      mf->dir = dir;
      mf->frame = g_bytes_ref (frame);
      g_queue_push_tail (&relay->mitm_waiting, mf);
      mitm_flush (relay);
      return TRUE;
    }

  if (!relay->armed || dir != relay->attack_dir)
    return FALSE;

  switch (relay->attack)
    {
    case ATTACK_NONE:
      return FALSE;
    case ATTACK_TAMPER:
      changed = tamper_body (frame, chunk, header_len);
      relay_send (relay, dir, changed);
      break;
    case ATTACK_REPLAY:
      relay_send (relay, dir, frame);
      relay_send (relay, dir, frame);
      break;
    case ATTACK_REORDER:
      if (relay->held == NULL)
        {
          relay->held = g_bytes_ref (frame);
          return TRUE;
        }
      relay_send (relay, dir, frame);
      relay_send (relay, dir, relay->held);
      g_clear_pointer (&relay->held, g_bytes_unref);
      break;
    case ATTACK_REFLECT:
      relay_send (relay, dir, frame);
      relay_send (relay, reverse (dir), frame);
      break;
    case ATTACK_DROP_CHUNK:
      if (relay->chunks_seen++ == relay->drop_chunk)
        relay->attacked++;
      else
        relay_send (relay, dir, frame);
      if (chunk->last)
        relay->armed = FALSE;
      return TRUE;
    case ATTACK_HEADER_SEQ:
      changed = rewrite_header (chunk, chunk->last, chunk->type, chunk->seq + 1);
      relay_send (relay, dir, changed);
      break;
    case ATTACK_HEADER_TYPE:
      changed = rewrite_header (chunk, chunk->last,
                                chunk->type == ANY_PACKET_TYPE_LINK ? ANY_PACKET_TYPE_INTERNAL
                                                                    : ANY_PACKET_TYPE_LINK,
                                chunk->seq);
      relay_send (relay, dir, changed);
      break;
    case ATTACK_HEADER_FLAG:
      changed = rewrite_header (chunk, !chunk->last, chunk->type, chunk->seq);
      relay_send (relay, dir, changed);
      break;
    }
  relay->attacked++;
  relay->armed = FALSE;
  return TRUE;
}

static void
relay_receive (Relay  *relay,
               Dir     dir,
               GBytes *frame)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);
  AnyChunk chunk;

  g_ptr_array_add (relay->seen[dir], g_bytes_ref (frame));
  if (!any_chunk_decode (data, len, &chunk, NULL))
    {
      relay_send (relay, dir, frame);
      return;
    }
  if (chunk.type == ANY_PACKET_TYPE_AUTH)
    relay_note_auth (relay, dir, &chunk);
  if (!relay_attack (relay, dir, frame, &chunk, chunk.body - data))
    relay_send (relay, dir, frame);
}

static void
on_relay_message (SoupWebsocketConnection *conn,
                  gint                     type,
                  GBytes                  *message,
                  gpointer                 user_data)
{
  Relay *relay = user_data;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  relay_receive (relay, conn == relay->down ? C2S : S2C, message);
}

/* A close code one may send in a close frame. */
static gushort
sendable_code (gushort code)
{
  switch (code)
    {
    case SOUP_WEBSOCKET_CLOSE_GOING_AWAY:
    case SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR:
    case SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA:
    case SOUP_WEBSOCKET_CLOSE_BAD_DATA:
    case SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION:
    case SOUP_WEBSOCKET_CLOSE_TOO_BIG:
      return code;
    default:
      return SOUP_WEBSOCKET_CLOSE_NORMAL;
    }
}

/* A close on one side is passed on to the other, reason included. */
static void
relay_pass_close (Relay                   *relay,
                  SoupWebsocketConnection *from)
{
  SoupWebsocketConnection *to = from == relay->down ? relay->up : relay->down;

  if (to != NULL && soup_websocket_connection_get_state (to) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (to, sendable_code (soup_websocket_connection_get_close_code (from)),
                                     soup_websocket_connection_get_close_data (from));
}

static void
on_relay_closed (SoupWebsocketConnection *conn,
                 gpointer                 user_data)
{
  relay_pass_close (user_data, conn);
}

static void
relay_setup_connection (Relay                   *relay,
                        SoupWebsocketConnection *conn)
{
  soup_websocket_connection_set_keepalive_interval (conn, 0);
  soup_websocket_connection_set_max_incoming_payload_size (conn, 0);
  g_signal_connect (conn, "message", G_CALLBACK (on_relay_message), relay);
  g_signal_connect (conn, "closed", G_CALLBACK (on_relay_closed), relay);
}

static void
on_relay_up_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Relay *relay = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *frame;

  relay->up = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  relay->up_pending = FALSE;
  if (relay->up == NULL)
    {
      g_test_message ("relay: cannot reach the server: %s", error->message);
      g_queue_clear_full (&relay->waiting, (GDestroyNotify) g_bytes_unref);
      if (soup_websocket_connection_get_state (relay->down) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (relay->down, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "relay: no server");
      return;
    }
  relay_setup_connection (relay, relay->up);
  while ((frame = g_queue_pop_head (&relay->waiting)) != NULL)
    {
      relay_send (relay, C2S, frame);
      g_bytes_unref (frame);
    }
  if (soup_websocket_connection_get_state (relay->down) == SOUP_WEBSOCKET_STATE_CLOSED)
    relay_pass_close (relay, relay->down);
}

static void
on_relay_websocket (SoupServer              *server,
                    SoupServerMessage       *msg,
                    const char              *path,
                    SoupWebsocketConnection *connection,
                    gpointer                 user_data)
{
  Relay *relay = user_data;
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/", relay->upstream_port);
  g_autoptr(SoupMessage) up_msg = soup_message_new (SOUP_METHOD_GET, uri);

  /* One link per relay. */
  g_assert_null (relay->down);
  relay->down = g_object_ref (connection);
  relay_setup_connection (relay, relay->down);
  relay->up_pending = TRUE;
  soup_session_websocket_connect_async (relay->session, up_msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_relay_up_connected, relay);
}

static gboolean
on_relay_incoming (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  Relay *relay = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (relay->server, G_IO_STREAM (connection), local, remote, &error))
    g_test_message ("relay: cannot accept: %s", error->message);
  return TRUE;
}

static Relay *
relay_new (guint upstream_port)
{
  Relay *relay = g_new0 (Relay, 1);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  relay->upstream_port = upstream_port;
  g_queue_init (&relay->waiting);
  relay->seen[C2S] = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  relay->seen[S2C] = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  relay->mitm_plain[C2S] = g_ptr_array_new_with_free_func (g_free);
  relay->mitm_plain[S2C] = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&relay->mitm_waiting);
  relay->mitm_key = any_noise_keypair_new ();

  relay->server = soup_server_new (NULL, NULL);
  soup_server_remove_websocket_extension (relay->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_websocket_handler (relay->server, NULL, NULL, NULL, on_relay_websocket, relay, NULL);
  relay->session = soup_session_new ();
  soup_session_remove_feature_by_type (relay->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);

  /* Accepted by hand and handed to libsoup, as the library's own server
   * does (soup_server_listen() leaks an accepted GSocket in libsoup 3.2). */
  relay->service = g_socket_service_new ();
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), address,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &effective, &error));
  g_assert_no_error (error);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (relay->service, "incoming", G_CALLBACK (on_relay_incoming), relay);
  g_socket_service_start (relay->service);
  return relay;
}

static void
relay_close_connection (Relay                    *relay,
                        SoupWebsocketConnection **conn)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  if (*conn == NULL)
    return;
  if (soup_websocket_connection_get_state (*conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (*conn, SOUP_WEBSOCKET_CLOSE_NORMAL, "relay stopped");
  while (soup_websocket_connection_get_state (*conn) != SOUP_WEBSOCKET_STATE_CLOSED &&
         g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (200);
  g_signal_handlers_disconnect_by_data (*conn, relay);
  g_clear_object (conn);
}

static void
relay_free (Relay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  WAIT_UNTIL (!relay->up_pending);
  relay_close_connection (relay, &relay->down);
  relay_close_connection (relay, &relay->up);
  soup_session_abort (relay->session);
  soup_server_disconnect (relay->server);
  drain ();
  g_clear_object (&relay->session);
  g_clear_object (&relay->server);
  g_clear_object (&relay->service);

  g_queue_clear_full (&relay->waiting, (GDestroyNotify) g_bytes_unref);
  g_ptr_array_unref (relay->seen[C2S]);
  g_ptr_array_unref (relay->seen[S2C]);
  g_clear_pointer (&relay->held, g_bytes_unref);
  for (Dir dir = C2S; dir <= S2C; dir++)
    {
      g_clear_pointer (&relay->mitm_handshake[dir], any_noise_handshake_free);
      g_clear_pointer (&relay->mitm_open[dir], any_noise_cipher_free);
      g_clear_pointer (&relay->mitm_seal[dir], any_noise_cipher_free);
      g_ptr_array_unref (relay->mitm_plain[dir]);
    }
  g_queue_clear_full (&relay->mitm_waiting, mitm_frame_free);
  g_clear_pointer (&relay->mitm_key, any_noise_keypair_unref);
  g_free (relay->mitm_client_payload);
  g_free (relay->mitm_server_payload);
  g_free (relay->client_id);
  g_free (relay->server_id);
  g_free (relay->client_caps);
  g_free (relay->server_caps);
  g_free (relay);
}

static void
relay_arm (Relay  *relay,
           Attack  attack,
           Dir     dir)
{
  relay->attack = attack;
  relay->attack_dir = dir;
  relay->attacked = 0;
  relay->chunks_seen = 0;
  relay->armed = TRUE;
}

static guint
count_frames_of_type (GPtrArray     *frames,
                      guint          from,
                      AnyPacketType  type)
{
  guint count = 0;

  for (guint i = from; i < frames->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (frames, i), &len);
      AnyChunk chunk;

      if (any_chunk_decode (data, len, &chunk, NULL) && chunk.type == type)
        count++;
    }
  return count;
}

/* The two ends */

typedef struct _Pair Pair;

typedef struct {
  Pair       *pair;
  const char *name;
  AnySocket  *socket;
  AnyPeer    *peer;           /* the other end, once connected */
  GPtrArray  *messages;       /* JsonNode: every message (not reply), in order */
  guint       peer_e2e;       /* AnyPeer::e2e */
  guint       socket_e2e;     /* AnySocket::e2e */
  AnyE2eMode  mode_at_e2e;
  char       *peer_reason;    /* AnyPeer::disconnected */
  char       *socket_reason;  /* AnySocket::disconnected */
  guint       heartbeats;
  GPtrArray  *verified;       /* fingerprints AnySocket::verify-peer saw */
  char       *accept_only;    /* verify-peer accepts this fingerprint only */
  gboolean    refuse_all;     /* verify-peer refuses every key */
} Side;

struct _Pair {
  Side   server;
  Side   client;
  guint  port;
  Relay *relay;
};

static void
on_peer_e2e (AnyPeer  *peer,
             gpointer  user_data)
{
  Side *side = user_data;

  side->peer_e2e++;
  side->mode_at_e2e = any_peer_get_e2e_mode (peer);
}

static void
on_peer_disconnected (AnyPeer    *peer,
                      const char *reason,
                      gpointer    user_data)
{
  Side *side = user_data;

  /* Emitted once. */
  g_assert_null (side->peer_reason);
  side->peer_reason = g_strdup (reason);
}

static void
on_peer_heartbeat (AnyPeer  *peer,
                   gpointer  user_data)
{
  Side *side = user_data;

  side->heartbeats++;
}

static void
on_socket_connected (AnySocket *socket,
                     AnyPeer   *peer,
                     gpointer   user_data)
{
  Side *side = user_data;

  g_assert_null (side->peer);
  side->peer = g_object_ref (peer);
  g_signal_connect (peer, "e2e", G_CALLBACK (on_peer_e2e), side);
  g_signal_connect (peer, "disconnected", G_CALLBACK (on_peer_disconnected), side);
  g_signal_connect (peer, "heartbeat", G_CALLBACK (on_peer_heartbeat), side);
}

/* Records every message; answers those with a "req" member with a copy. */
static void
on_socket_message (AnySocket *socket,
                   AnyPacket *packet,
                   gpointer   user_data)
{
  Side *side = user_data;
  JsonNode *msg = any_packet_get_msg (packet);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (side->messages, json_node_ref (msg));
  if (msg_member (msg, "req") != NULL)
    {
      g_assert_true (any_packet_reply (packet, msg, &error));
      g_assert_no_error (error);
    }
}

static void
on_socket_e2e (AnySocket *socket,
               AnyPeer   *peer,
               gpointer   user_data)
{
  Side *side = user_data;

  g_assert_true (peer == side->peer);
  /* After the peer's own signal. */
  g_assert_cmpuint (side->peer_e2e, ==, side->socket_e2e + 1);
  side->socket_e2e++;
}

static void
on_socket_disconnected (AnySocket  *socket,
                        AnyPeer    *peer,
                        const char *reason,
                        gpointer    user_data)
{
  Side *side = user_data;

  g_assert_true (peer == side->peer);
  g_assert_null (side->socket_reason);
  side->socket_reason = g_strdup (reason);
}

static gboolean
on_verify_peer (AnySocket  *socket,
                AnyPeer    *peer,
                const char *fingerprint,
                gpointer    user_data)
{
  Side *side = user_data;

  g_assert_true (peer == side->peer);
  assert_fingerprint_format (fingerprint);
  g_ptr_array_add (side->verified, g_strdup (fingerprint));
  if (side->refuse_all)
    return FALSE;
  if (side->accept_only != NULL)
    return g_str_equal (fingerprint, side->accept_only);
  return TRUE;
}

static void
side_init (Pair       *pair,
           Side       *side,
           const char *name)
{
  side->pair = pair;
  side->name = name;
  side->socket = any_socket_new ();
  /* No heartbeats unless a test asks: the relay's attacks count frames. */
  any_socket_set_heartbeat_interval (side->socket, 0);
  side->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  side->verified = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (side->socket, "connected", G_CALLBACK (on_socket_connected), side);
  g_signal_connect (side->socket, "message", G_CALLBACK (on_socket_message), side);
  g_signal_connect (side->socket, "e2e", G_CALLBACK (on_socket_e2e), side);
  g_signal_connect (side->socket, "disconnected", G_CALLBACK (on_socket_disconnected), side);
  g_signal_connect (side->socket, "verify-peer", G_CALLBACK (on_verify_peer), side);
}

/* Forgets the link (not the socket), for a reconnection. */
static void
side_reset (Side *side)
{
  if (side->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (side->peer, side);
      g_clear_object (&side->peer);
    }
  g_ptr_array_set_size (side->messages, 0);
  g_ptr_array_set_size (side->verified, 0);
  side->peer_e2e = side->socket_e2e = side->heartbeats = 0;
  side->mode_at_e2e = ANY_E2E_MODE_NONE;
  g_clear_pointer (&side->peer_reason, g_free);
  g_clear_pointer (&side->socket_reason, g_free);
}

static void
side_clear (Side *side)
{
  side_reset (side);
  g_signal_handlers_disconnect_by_data (side->socket, side);
  g_clear_object (&side->socket);
  g_ptr_array_unref (side->messages);
  g_ptr_array_unref (side->verified);
  g_free (side->accept_only);
}

static Side *
other_side (Side *side)
{
  return side == &side->pair->server ? &side->pair->client : &side->pair->server;
}

typedef struct {
  gboolean  done;
  guint     port;
  AnyPeer  *peer;
  GError   *error;
} AsyncResult;

static void
on_listened (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->port = any_socket_listen_finish (ANY_SOCKET (source), result, &r->error);
  r->done = TRUE;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->peer = any_socket_connect_finish (ANY_SOCKET (source), result, &r->error);
  r->done = TRUE;
}

static Pair *
pair_new (void)
{
  Pair *pair = g_new0 (Pair, 1);
  AsyncResult r = { 0 };

  side_init (pair, &pair->server, "server");
  side_init (pair, &pair->client, "client");
  any_socket_listen_async (pair->server.socket, "ws://127.0.0.1:0", NULL, on_listened, &r);
  WAIT_UNTIL (r.done);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.port, >, 0);
  pair->port = r.port;
  return pair;
}

/* Connects the client to the server, directly or through a new relay. */
static void
pair_connect (Pair     *pair,
              gboolean  via_relay)
{
  AsyncResult r = { 0 };
  g_autofree char *uri = NULL;
  guint port = pair->port;

  /* A test may have made (and configured) the relay already. */
  if (via_relay)
    {
      if (pair->relay == NULL)
        pair->relay = relay_new (pair->port);
      port = pair->relay->port;
    }
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  any_socket_connect_async (pair->client.socket, uri, NULL, on_connected, &r);
  WAIT_UNTIL (r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.peer == pair->client.peer);
  g_object_unref (r.peer);
  WAIT_UNTIL (pair->server.peer != NULL);
  g_assert_cmpstr (any_peer_get_id (pair->client.peer), ==, any_socket_get_id (pair->server.socket));
  g_assert_cmpstr (any_peer_get_id (pair->server.peer), ==, any_socket_get_id (pair->client.socket));
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NONE);
  g_assert_null (any_peer_dup_remote_fingerprint (pair->client.peer));
}

/* Closes the link (if still up), waits until both ends know, and makes a
 * new direct one. */
static void
pair_reconnect (Pair *pair)
{
  if (any_peer_is_connected (pair->client.peer))
    any_peer_disconnect (pair->client.peer, "reconnecting");
  WAIT_UNTIL (pair->client.socket_reason != NULL && pair->server.socket_reason != NULL);
  side_reset (&pair->client);
  side_reset (&pair->server);
  pair_connect (pair, FALSE);
}

static void
pair_free (Pair *pair)
{
  any_socket_stop (pair->client.socket);
  any_socket_stop (pair->server.socket);
  drain ();
  if (pair->relay != NULL)
    relay_free (pair->relay);
  side_clear (&pair->client);
  side_clear (&pair->server);
  drain ();
  g_free (pair);
}

/* Messages and requests */

static void
send_json_node (Side     *from,
                JsonNode *msg)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (any_peer_send (from->peer, msg, &error));
  g_assert_no_error (error);
}

static void
send_numbered (Side *from,
               guint n)
{
  g_autoptr(JsonNode) msg = json_printf ("{\"from\":\"%s\",\"n\":%u}", from->name, n);

  send_json_node (from, msg);
}

static guint
count_from (Side       *receiver,
            const char *from)
{
  guint count = 0;

  for (guint i = 0; i < receiver->messages->len; i++)
    if (g_strcmp0 (msg_string (g_ptr_array_index (receiver->messages, i), "from"), from) == 0)
      count++;
  return count;
}

/* The numbered messages from @from arrived once each, in order. */
static void
check_numbered (Side       *receiver,
                const char *from,
                guint       count)
{
  gint64 expected = 0;

  for (guint i = 0; i < receiver->messages->len; i++)
    {
      JsonNode *msg = g_ptr_array_index (receiver->messages, i);

      if (g_strcmp0 (msg_string (msg, "from"), from) != 0)
        continue;
      g_assert_cmpint (msg_int (msg, "n"), ==, expected);
      expected++;
    }
  g_assert_cmpint (expected, ==, count);
}

typedef struct {
  gboolean   done;
  AnyPacket *reply;
  GError    *error;
} Request;

static void
on_request_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;

  request->reply = any_peer_request_finish (ANY_PEER (source), result, &request->error);
  request->done = TRUE;
}

static void
request_clear (Request *request)
{
  g_clear_object (&request->reply);
  g_clear_error (&request->error);
}

/* @count requests in flight at once from @from, each answered with a
 * copy of itself. */
static void
requests_in_flight (Side *from,
                    guint count)
{
  g_autofree Request *requests = g_new0 (Request, count);
  gboolean all_done;

  for (guint i = 0; i < count; i++)
    {
      g_autoptr(JsonNode) msg = json_printf ("{\"req\":%u,\"side\":\"%s\",\"m\":\"" MARKER "\","
                                             "\"pad\":\"%0*u\"}",
                                             i, from->name, (int) (i * 37 % 500) + 1, i);

      any_peer_request_async (from->peer, msg, WAIT_MS, NULL, on_request_done, &requests[i]);
    }
  do
    {
      all_done = TRUE;
      for (guint i = 0; i < count; i++)
        all_done = all_done && requests[i].done;
      if (!all_done && !g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
  while (!all_done);
  for (guint i = 0; i < count; i++)
    {
      JsonNode *reply;

      g_assert_no_error (requests[i].error);
      g_assert_true (any_packet_is_reply (requests[i].reply));
      reply = any_packet_get_msg (requests[i].reply);
      g_assert_cmpint (msg_int (reply, "req"), ==, i);
      g_assert_cmpstr (msg_string (reply, "side"), ==, from->name);
      request_clear (&requests[i]);
    }
}

/* One request and its reply: everything sent before it has arrived. */
static void
roundtrip (Side *from)
{
  requests_in_flight (from, 1);
}

/* Switches the link (initiated by @initiator) and waits for both ends. */
static void
establish_native (Pair *pair,
                  Side *initiator)
{
  g_autofree char *client_fp = NULL;
  g_autofree char *server_fp = NULL;
  g_autofree char *client_remote = NULL;
  g_autofree char *server_remote = NULL;

  any_peer_e2e (initiator->peer);
  WAIT_UNTIL ((pair->client.socket_e2e == 1 && pair->server.socket_e2e == 1) ||
              pair->client.peer_reason != NULL || pair->server.peer_reason != NULL);
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);
  g_assert_cmpint (pair->client.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (pair->server.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NATIVE);

  /* Each end sees the key the other end holds. */
  client_fp = any_socket_dup_fingerprint (pair->client.socket);
  server_fp = any_socket_dup_fingerprint (pair->server.socket);
  client_remote = any_peer_dup_remote_fingerprint (pair->server.peer);
  server_remote = any_peer_dup_remote_fingerprint (pair->client.peer);
  assert_fingerprint_format (client_fp);
  assert_fingerprint_format (server_fp);
  g_assert_cmpstr (client_fp, !=, server_fp);
  g_assert_cmpstr (client_remote, ==, client_fp);
  g_assert_cmpstr (server_remote, ==, server_fp);
}

/* A JSON message of at least @bytes bytes whose "big" member mixes
 * 3-byte characters (one chunk holds 3 bytes per UTF-16 unit: the
 * largest encrypted frames), ASCII and 4-byte characters (surrogate
 * pairs, which chunk boundaries must not cut). */
static char *
big_text (gsize bytes)
{
  GString *text = g_string_sized_new (bytes + 8);
  guint i = 0;

  while (text->len < bytes / 3)
    g_string_append (text, "\xe2\x82\xac");   /* U+20AC */
  while (text->len < bytes)
    {
      if (i % 997 == 996)
        g_string_append (text, "\xf0\x9f\x98\x80");   /* U+1F600 */
      else
        g_string_append_c (text, 'a' + i % 26);
      i++;
    }
  return g_string_free (text, FALSE);
}

static void
send_big (Side       *from,
          const char *text)
{
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "big", text);
  json_object_set_string_member (object, "from", from->name);
  json_node_set_object (msg, object);
  send_json_node (from, msg);
}

static JsonNode *
last_message (Side *side)
{
  g_assert_cmpuint (side->messages->len, >, 0);
  return g_ptr_array_index (side->messages, side->messages->len - 1);
}

/* 1. Native between two libanysocket sockets */

static void
test_native (gconstpointer data)
{
  gboolean server_initiates = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  Side *initiator = server_initiates ? &pair->server : &pair->client;
  gint64 deadline;
  guint sent_c = 0, sent_s = 0, switching_sends = 0;
  g_autofree char *big = big_text (BIG_BYTES);
  g_autofree char *client_fp = NULL;
  g_autofree char *server_fp = NULL;
  g_autofree char *remote = NULL;
  AnyE2eMode mode = ANY_E2E_MODE_NONE;

  pair_connect (pair, FALSE);

  /* A few in the clear first. */
  for (guint i = 0; i < 3; i++)
    {
      send_numbered (&pair->client, sent_c++);
      send_numbered (&pair->server, sent_s++);
    }

  any_peer_e2e (initiator->peer);
  g_assert_cmpint (any_peer_get_e2e_mode (initiator->peer), ==, ANY_E2E_MODE_NONE);

  /* Both ends keep sending, one message each per main loop iteration,
   * through every step of the switch. */
  deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  while ((pair->client.peer_e2e == 0 || pair->server.peer_e2e == 0) &&
         pair->client.peer_reason == NULL && pair->server.peer_reason == NULL &&
         g_get_monotonic_time () < deadline && switching_sends < 5000)
    {
      for (guint i = 0; i < 4; i++)
        {
          send_numbered (&pair->client, sent_c++);
          send_numbered (&pair->server, sent_s++);
        }
      switching_sends++;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (100);
    }
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  g_test_message ("%u rounds of 4 messages each way sent while switching", switching_sends);
  g_assert_cmpuint (switching_sends, >, 0);

  /* And some after. */
  for (guint i = 0; i < 3; i++)
    {
      send_numbered (&pair->client, sent_c++);
      send_numbered (&pair->server, sent_s++);
    }
  WAIT_UNTIL (count_from (&pair->server, "client") == sent_c && count_from (&pair->client, "server") == sent_s);
  check_numbered (&pair->server, "client", sent_c);
  check_numbered (&pair->client, "server", sent_s);

  /* e2e on both peers and both sockets, once; native; fingerprints. */
  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->client.socket_e2e, ==, 1);
  g_assert_cmpuint (pair->server.socket_e2e, ==, 1);
  g_assert_cmpint (pair->client.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (pair->server.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_object_get (pair->client.peer, "e2e-mode", &mode, NULL);
  g_assert_cmpint (mode, ==, ANY_E2E_MODE_NATIVE);
  g_object_get (pair->server.peer, "e2e-mode", &mode, NULL);
  g_assert_cmpint (mode, ==, ANY_E2E_MODE_NATIVE);

  client_fp = any_socket_dup_fingerprint (pair->client.socket);
  server_fp = any_socket_dup_fingerprint (pair->server.socket);
  assert_fingerprint_format (client_fp);
  assert_fingerprint_format (server_fp);
  g_assert_cmpstr (client_fp, !=, server_fp);
  remote = any_peer_dup_remote_fingerprint (pair->client.peer);
  g_assert_cmpstr (remote, ==, server_fp);
  g_clear_pointer (&remote, g_free);
  remote = any_peer_dup_remote_fingerprint (pair->server.peer);
  g_assert_cmpstr (remote, ==, client_fp);
  /* With no handler, verify-peer still ran with the right key. */
  g_assert_cmpuint (pair->client.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, server_fp);
  g_assert_cmpuint (pair->server.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->server.verified, 0), ==, client_fp);

  /* Asking again, on either side, does nothing. */
  any_peer_e2e (pair->client.peer);
  any_peer_e2e (pair->server.peer);
  iterate_for (QUIET_MS);
  g_assert_true (any_peer_is_connected (pair->client.peer));
  g_assert_true (any_peer_is_connected (pair->server.peer));
  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);

  /* 64 requests in flight, both ways. */
  requests_in_flight (&pair->client, IN_FLIGHT);
  requests_in_flight (&pair->server, IN_FLIGHT);

  /* 5 MiB, both ways. */
  send_big (&pair->client, big);
  send_big (&pair->server, big);
  WAIT_UNTIL (msg_string (last_message (&pair->server), "big") != NULL &&
              msg_string (last_message (&pair->client), "big") != NULL);
  g_assert_true (g_str_equal (msg_string (last_message (&pair->server), "big"), big));
  g_assert_true (g_str_equal (msg_string (last_message (&pair->client), "big"), big));

  /* Heartbeats are encrypted too, and still measure the lag. */
  any_socket_set_heartbeat_interval (pair->client.socket, 100);
  any_socket_set_heartbeat_interval (pair->server.socket, 100);
  WAIT_UNTIL (pair->client.heartbeats >= 2 && pair->server.heartbeats >= 2);
  any_socket_set_heartbeat_interval (pair->client.socket, 0);
  any_socket_set_heartbeat_interval (pair->server.socket, 0);
  g_assert_cmpint (any_peer_get_lag (pair->client.peer), >=, 0);
  g_assert_cmpint (any_peer_get_lag (pair->server.peer), >=, 0);

  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  pair_free (pair);
}

/* 2. Glare: both ends ask at once */

/* Returns whether the client's id sorts above the server's (the lower id
 * answers, the higher one waits). */
static gboolean
glare_round (void)
{
  Pair *pair = pair_new ();
  gboolean client_higher;

  pair_connect (pair, FALSE);
  client_higher = strcmp (any_socket_get_id (pair->client.socket),
                          any_socket_get_id (pair->server.socket)) > 0;

  any_peer_e2e (pair->client.peer);
  any_peer_e2e (pair->server.peer);
  for (guint i = 0; i < 5; i++)
    {
      send_numbered (&pair->client, i);
      send_numbered (&pair->server, i);
    }
  WAIT_UNTIL ((pair->client.socket_e2e == 1 && pair->server.socket_e2e == 1) ||
              pair->client.peer_reason != NULL || pair->server.peer_reason != NULL);
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);

  WAIT_UNTIL (count_from (&pair->server, "client") == 5 && count_from (&pair->client, "server") == 5);
  check_numbered (&pair->server, "client", 5);
  check_numbered (&pair->client, "server", 5);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  iterate_for (QUIET_MS);

  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NATIVE);
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  {
    g_autofree char *a = any_peer_dup_remote_fingerprint (pair->client.peer);
    g_autofree char *b = any_socket_dup_fingerprint (pair->server.socket);
    g_autofree char *c = any_peer_dup_remote_fingerprint (pair->server.peer);
    g_autofree char *d = any_socket_dup_fingerprint (pair->client.socket);

    g_assert_cmpstr (a, ==, b);
    g_assert_cmpstr (c, ==, d);
  }
  pair_free (pair);
  return client_higher;
}

static void
test_glare (void)
{
  gboolean seen_higher = FALSE, seen_lower = FALSE;
  guint rounds = 0;

  /* Ids are random: go on until both orders happened. */
  while ((!seen_higher || !seen_lower) && rounds < 32)
    {
      if (glare_round ())
        seen_higher = TRUE;
      else
        seen_lower = TRUE;
      rounds++;
    }
  g_test_message ("%u glare rounds", rounds);
  g_assert_true (seen_higher && seen_lower);
}

/* 3. Identity */

static mode_t
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  return st.st_mode & 0777;
}

static void
write_file (const char *path,
            const char *contents,
            gssize      len,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                           mode, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* Loading @path into @socket fails and leaves its identity as it was. */
static void
assert_load_refused (AnySocket  *socket,
                     const char *path,
                     GQuark      domain,
                     int         code)
{
  g_autofree char *before = any_socket_dup_fingerprint (socket);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (any_socket_load_identity (socket, path, &error));
  g_assert_nonnull (error);
  g_test_message ("%s refused: %s", path, error->message);
  if (domain != 0)
    g_assert_error (error, domain, code);
  after = any_socket_dup_fingerprint (socket);
  g_assert_cmpstr (after, ==, before);
}

static void
test_identity_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anysocket-e2e-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *loose = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *short_key = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(AnySocket) a = any_socket_new ();
  g_autoptr(AnySocket) b = any_socket_new ();
  g_autoptr(AnySocket) c = any_socket_new ();
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;
  g_autofree char *fc = NULL;
  g_autofree char *contents = NULL;
  guint8 noise[200];

  g_assert_no_error (error);
  path = g_build_filename (dir, "identity", NULL);
  loose = g_build_filename (dir, "loose", NULL);
  garbage = g_build_filename (dir, "garbage", NULL);
  short_key = g_build_filename (dir, "short", NULL);
  missing = g_build_filename (dir, "missing", NULL);

  fa = any_socket_dup_fingerprint (a);
  fb = any_socket_dup_fingerprint (b);
  assert_fingerprint_format (fa);
  assert_fingerprint_format (fb);
  g_assert_cmpstr (fa, !=, fb);

  /* Saved with mode 0600 ... */
  g_assert_true (any_socket_save_identity (a, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_mode (path), ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, fa));

  /* ... loaded into another socket: the same fingerprint. */
  g_assert_true (any_socket_load_identity (b, path, &error));
  g_assert_no_error (error);
  g_clear_pointer (&fb, g_free);
  fb = any_socket_dup_fingerprint (b);
  g_assert_cmpstr (fb, ==, fa);

  /* Saving over a file others can read gives a 0600 file too. */
  write_file (loose, "old", -1, 0644);
  g_assert_true (any_socket_save_identity (a, loose, &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_mode (loose), ==, 0600);

  /* A key file others can read or write is refused, as ssh does. */
  fc = any_socket_dup_fingerprint (c);
  g_assert_cmpint (g_chmod (loose, 0644), ==, 0);
  assert_load_refused (c, loose, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_chmod (loose, 0640), ==, 0);
  assert_load_refused (c, loose, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_chmod (loose, 0602), ==, 0);
  assert_load_refused (c, loose, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_chmod (loose, 0400), ==, 0);
  g_assert_true (any_socket_load_identity (c, loose, &error));
  g_assert_no_error (error);
  g_clear_pointer (&fc, g_free);
  fc = any_socket_dup_fingerprint (c);
  g_assert_cmpstr (fc, ==, fa);
  any_socket_generate_identity (c);
  g_clear_pointer (&fc, g_free);
  fc = any_socket_dup_fingerprint (c);
  assert_fingerprint_format (fc);
  g_assert_cmpstr (fc, !=, fa);

  /* Garbage (mode 0600) is refused. */
  for (guint i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_random_int_range (1, 256);
  write_file (garbage, (const char *) noise, sizeof noise, 0600);
  assert_load_refused (c, garbage, 0, 0);
  write_file (garbage, "[AnySocket Identity]\nversion=1\nprivate-key=not base64 at all!\n", -1, 0600);
  assert_load_refused (c, garbage, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  write_file (garbage, "[Something Else]\nkey=value\n", -1, 0600);
  assert_load_refused (c, garbage, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  write_file (garbage, "", 0, 0600);
  assert_load_refused (c, garbage, 0, 0);
  /* 31 bytes of key. */
  write_file (short_key, "[AnySocket Identity]\nversion=1\n"
              "private-key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n", -1, 0600);
  assert_load_refused (c, short_key, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  assert_load_refused (c, missing, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_unlink (loose), ==, 0);
  g_assert_cmpint (g_unlink (garbage), ==, 0);
  g_assert_cmpint (g_unlink (short_key), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Peers using loaded identities present them. */
static void
test_identity_presented (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anysocket-e2e-XXXXXX", &error);
  g_autofree char *server_path = g_build_filename (dir, "server", NULL);
  g_autofree char *client_path = g_build_filename (dir, "client", NULL);
  g_autoptr(AnySocket) server_keys = any_socket_new ();
  g_autoptr(AnySocket) client_keys = any_socket_new ();
  g_autofree char *server_fp = any_socket_dup_fingerprint (server_keys);
  g_autofree char *client_fp = any_socket_dup_fingerprint (client_keys);
  g_autofree char *seen_by_client = NULL;
  g_autofree char *seen_by_server = NULL;
  g_autofree char *own = NULL;
  Pair *pair;

  g_assert_no_error (error);
  g_assert_true (any_socket_save_identity (server_keys, server_path, &error));
  g_assert_true (any_socket_save_identity (client_keys, client_path, &error));
  g_assert_no_error (error);

  pair = pair_new ();
  g_assert_true (any_socket_load_identity (pair->server.socket, server_path, &error));
  g_assert_true (any_socket_load_identity (pair->client.socket, client_path, &error));
  g_assert_no_error (error);
  own = any_socket_dup_fingerprint (pair->server.socket);
  g_assert_cmpstr (own, ==, server_fp);

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  seen_by_client = any_peer_dup_remote_fingerprint (pair->client.peer);
  seen_by_server = any_peer_dup_remote_fingerprint (pair->server.peer);
  g_assert_cmpstr (seen_by_client, ==, server_fp);
  g_assert_cmpstr (seen_by_server, ==, client_fp);
  roundtrip (&pair->client);
  pair_free (pair);

  g_assert_cmpint (g_unlink (server_path), ==, 0);
  g_assert_cmpint (g_unlink (client_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* 4. Pinning, TOFU, verify-peer */

/* A well-formed fingerprint that is not @fingerprint. */
static char *
wrong_fingerprint (const char *fingerprint)
{
  char *wrong = g_strdup (fingerprint);

  wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;
  return wrong;
}

static void
test_pin_right (void)
{
  Pair *pair = pair_new ();
  g_autofree char *server_fp = any_socket_dup_fingerprint (pair->server.socket);
  g_autofree char *client_fp = any_socket_dup_fingerprint (pair->client.socket);

  any_socket_pin_fingerprint (pair->client.socket, any_socket_get_id (pair->server.socket), server_fp);
  any_socket_pin_fingerprint (pair->server.socket, any_socket_get_id (pair->client.socket), client_fp);
  g_assert_cmpstr (any_socket_get_pinned_fingerprint (pair->client.socket,
                                                      any_socket_get_id (pair->server.socket)), ==, server_fp);
  g_assert_null (any_socket_get_pinned_fingerprint (pair->client.socket, "0123456789abcdef0123456789abcdef"));

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  /* verify-peer runs after the pin check passed. */
  g_assert_cmpuint (pair->client.verified->len, ==, 1);
  g_assert_cmpuint (pair->server.verified->len, ==, 1);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  pair_free (pair);
}

/* A wrong pin on the side that checks: @pinning is the client (the
 * initiator, which checks after message 2) or the server (the responder,
 * which checks after message 3). */
static void
test_pin_wrong (gconstpointer data)
{
  gboolean server_pins = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  Side *pinning = server_pins ? &pair->server : &pair->client;
  Side *pinned = other_side (pinning);
  const char *pinned_id = any_socket_get_id (pinned->socket);
  g_autofree char *real = any_socket_dup_fingerprint (pinned->socket);
  g_autofree char *wrong = wrong_fingerprint (real);

  any_socket_pin_fingerprint (pinning->socket, pinned_id, wrong);
  pair_connect (pair, FALSE);
  send_numbered (&pair->client, 0);
  roundtrip (&pair->client);

  /* The client initiates; what it sends meanwhile waits for the switch
   * and is never delivered over a refused key. */
  any_peer_e2e (pair->client.peer);
  send_numbered (&pair->client, 1);
  WAIT_UNTIL (pinning->peer_reason != NULL && pinned->peer_reason != NULL);
  g_test_message ("%s: %s", pinning->name, pinning->peer_reason);
  assert_contains (pinning->peer_reason, pinned_id);
  assert_contains (pinning->peer_reason, "changed");
  assert_contains (pinning->peer_reason, real);
  assert_contains (pinning->peer_reason, wrong);
  g_assert_cmpstr (pinning->socket_reason, ==, pinning->peer_reason);
  g_assert_cmpuint (pinning->peer_e2e, ==, 0);
  g_assert_cmpuint (pinning->verified->len, ==, 0);
  g_assert_false (any_peer_is_connected (pinning->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (pinning->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_null (any_peer_dup_remote_fingerprint (pinning->peer));
  iterate_for (QUIET_MS);
  g_assert_cmpuint (count_from (&pair->server, "client"), ==, 1);
  pair_free (pair);
}

/* Trust on first use: pin what the first handshake showed; the same key
 * passes later, a new one is refused, forgetting the pin accepts it. */
static void
test_pin_tofu (void)
{
  Pair *pair = pair_new ();
  const char *server_id = any_socket_get_id (pair->server.socket);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *rotated = NULL;

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  first = any_peer_dup_remote_fingerprint (pair->client.peer);
  any_socket_pin_fingerprint (pair->client.socket, server_id, first);

  pair_reconnect (pair);
  establish_native (pair, &pair->client);
  second = any_peer_dup_remote_fingerprint (pair->client.peer);
  g_assert_cmpstr (second, ==, first);

  /* The server gets a new key (same id): the link is refused, and
   * initiated from either side. */
  any_socket_generate_identity (pair->server.socket);
  rotated = any_socket_dup_fingerprint (pair->server.socket);
  g_assert_cmpstr (rotated, !=, first);
  for (guint i = 0; i < 2; i++)
    {
      pair_reconnect (pair);
      any_peer_e2e (i == 0 ? pair->client.peer : pair->server.peer);
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      assert_contains (pair->client.peer_reason, server_id);
      assert_contains (pair->client.peer_reason, "changed");
      assert_contains (pair->client.peer_reason, rotated);
      g_assert_cmpuint (pair->client.peer_e2e, ==, 0);
    }

  /* Forgotten: accepted, with the new key. */
  any_socket_pin_fingerprint (pair->client.socket, server_id, NULL);
  g_assert_null (any_socket_get_pinned_fingerprint (pair->client.socket, server_id));
  pair_reconnect (pair);
  establish_native (pair, &pair->client);
  g_clear_pointer (&second, g_free);
  second = any_peer_dup_remote_fingerprint (pair->client.peer);
  g_assert_cmpstr (second, ==, rotated);
  pair_free (pair);
}

static void
test_verify_peer_accept (void)
{
  Pair *pair = pair_new ();
  g_autofree char *server_fp = any_socket_dup_fingerprint (pair->server.socket);
  g_autofree char *client_fp = any_socket_dup_fingerprint (pair->client.socket);

  pair->client.accept_only = g_strdup (server_fp);
  pair->server.accept_only = g_strdup (client_fp);
  pair_connect (pair, FALSE);
  establish_native (pair, &pair->server);
  g_assert_cmpuint (pair->client.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, server_fp);
  g_assert_cmpuint (pair->server.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->server.verified, 0), ==, client_fp);
  roundtrip (&pair->client);
  pair_free (pair);
}

static void
test_verify_peer_refuse (gconstpointer data)
{
  gboolean server_refuses = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  Side *refusing = server_refuses ? &pair->server : &pair->client;
  Side *refused = other_side (refusing);
  g_autofree char *refused_fp = any_socket_dup_fingerprint (refused->socket);

  refusing->refuse_all = TRUE;
  pair_connect (pair, FALSE);
  any_peer_e2e (pair->client.peer);
  send_numbered (&pair->client, 0);
  WAIT_UNTIL (refusing->peer_reason != NULL && refused->peer_reason != NULL);
  g_test_message ("%s: %s", refusing->name, refusing->peer_reason);
  assert_contains (refusing->peer_reason, refused_fp);
  assert_contains (refusing->peer_reason, any_socket_get_id (refused->socket));
  assert_contains (refusing->peer_reason, "refused");
  g_assert_cmpuint (refusing->verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (refusing->verified, 0), ==, refused_fp);
  g_assert_cmpuint (refusing->peer_e2e, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (refusing->peer), ==, ANY_E2E_MODE_NONE);
  iterate_for (QUIET_MS);
  g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
  pair_free (pair);
}

/* 5. Policy */

static void
test_require_native (gconstpointer data)
{
  gboolean server_initiates = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();

  any_socket_set_e2e_policy (pair->client.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  any_socket_set_e2e_policy (pair->server.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  g_assert_cmpint (any_socket_get_e2e_policy (pair->client.socket), ==, ANY_E2E_POLICY_REQUIRE_NATIVE);
  pair_connect (pair, FALSE);
  establish_native (pair, server_initiates ? &pair->server : &pair->client);
  send_numbered (&pair->client, 0);
  send_numbered (&pair->server, 0);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  check_numbered (&pair->server, "client", 1);
  check_numbered (&pair->client, "server", 1);
  pair_free (pair);
}

/* 6. Through a relay that attacks */

/* Through the relay, switched (by the client), and quiet: a round trip
 * each way made sure nothing is in flight. */
static Pair *
relayed_native_pair (void)
{
  Pair *pair = pair_new ();

  pair_connect (pair, TRUE);
  establish_native (pair, &pair->client);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  return pair;
}

/* @victim closed the link because a chunk failed authentication, kept
 * @expected messages (nothing forged, partial or garbled), forgot its
 * keys, and the other end learned that the link is gone. */
static void
assert_detected (Side  *victim,
                 guint  expected)
{
  Side *other = other_side (victim);

  WAIT_UNTIL (victim->peer_reason != NULL);
  g_test_message ("%s: %s", victim->name, victim->peer_reason);
  assert_contains (victim->peer_reason, FAILED_AUTH);
  g_assert_cmpstr (victim->socket_reason, ==, victim->peer_reason);
  g_assert_false (any_peer_is_connected (victim->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (victim->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_null (any_peer_dup_remote_fingerprint (victim->peer));
  WAIT_UNTIL (other->peer_reason != NULL);
  g_assert_cmpint (any_peer_get_e2e_mode (other->peer), ==, ANY_E2E_MODE_NONE);
  iterate_for (QUIET_MS);
  g_assert_cmpuint (victim->messages->len, ==, expected);
}

/* 6a. Man in the middle */

typedef enum {
  MITM_CLIENT_PINS,     /* the client pinned the server's key */
  MITM_CLIENT_VERIFIES, /* the client's verify-peer knows the server's key */
  MITM_SERVER_PINS,     /* only the server pinned the client's key */
  MITM_UNVERIFIED,      /* nobody compares: the relay reads everything */
} MitmDefence;

static void
test_mitm (gconstpointer data)
{
  MitmDefence defence = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  const char *server_id = any_socket_get_id (pair->server.socket);
  const char *client_id = any_socket_get_id (pair->client.socket);
  g_autofree char *server_fp = any_socket_dup_fingerprint (pair->server.socket);
  g_autofree char *client_fp = any_socket_dup_fingerprint (pair->client.socket);
  g_autofree char *relay_fp = NULL;
  g_autofree char *remote = NULL;
  g_autoptr(JsonNode) secret = json_printf ("{\"from\":\"client\",\"n\":0,\"secret\":\"%s\"}", MARKER);
  Relay *relay;

  /* Out of band, one side knows the other's fingerprint. */
  if (defence == MITM_CLIENT_PINS)
    any_socket_pin_fingerprint (pair->client.socket, server_id, server_fp);
  else if (defence == MITM_CLIENT_VERIFIES)
    pair->client.accept_only = g_strdup (server_fp);
  else if (defence == MITM_SERVER_PINS)
    any_socket_pin_fingerprint (pair->server.socket, client_id, client_fp);

  pair_connect (pair, TRUE);
  relay = pair->relay;
  relay->mitm = TRUE;
  relay_fp = any_noise_fingerprint (any_noise_keypair_get_public (relay->mitm_key));
  g_assert_cmpstr (relay_fp, !=, server_fp);
  g_assert_cmpstr (relay_fp, !=, client_fp);

  any_peer_e2e (pair->client.peer);
  /* Waits until the switch is over, then goes out encrypted. */
  send_json_node (&pair->client, secret);

  switch (defence)
    {
    case MITM_UNVERIFIED:
      /* Both ends believe they are natively encrypted with each other and
       * messages flow; only the fingerprints show that each holds the
       * relay's key, and the relay reads both ways. */
      WAIT_UNTIL (pair->client.socket_e2e == 1 && pair->server.socket_e2e == 1);
      g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NATIVE);
      g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NATIVE);
      remote = any_peer_dup_remote_fingerprint (pair->client.peer);
      g_assert_cmpstr (remote, ==, relay_fp);
      g_clear_pointer (&remote, g_free);
      remote = any_peer_dup_remote_fingerprint (pair->server.peer);
      g_assert_cmpstr (remote, ==, relay_fp);
      WAIT_UNTIL (count_from (&pair->server, "client") == 1);
      g_assert_cmpstr (msg_string (last_message (&pair->server), "secret"), ==, MARKER);
      roundtrip (&pair->server);
      g_assert_cmpuint (relay->mitm_plain[C2S]->len, >=, 2);
      assert_contains (g_ptr_array_index (relay->mitm_plain[C2S], 0), MARKER);
      g_assert_cmpuint (relay->mitm_plain[S2C]->len, >=, 1);
      assert_contains (g_ptr_array_index (relay->mitm_plain[S2C], 0), MARKER);
      g_assert_null (pair->client.peer_reason);
      g_assert_null (pair->server.peer_reason);
      break;

    case MITM_CLIENT_PINS:
    case MITM_CLIENT_VERIFIES:
      /* The client refuses the relay's key before anything of its own
       * goes out; the link closes. */
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("client: %s", pair->client.peer_reason);
      assert_contains (pair->client.peer_reason, server_id);
      assert_contains (pair->client.peer_reason, relay_fp);
      if (defence == MITM_CLIENT_PINS)
        {
          assert_contains (pair->client.peer_reason, "changed");
          assert_contains (pair->client.peer_reason, server_fp);
          g_assert_cmpuint (pair->client.verified->len, ==, 0);
        }
      else
        {
          assert_contains (pair->client.peer_reason, "refused");
          g_assert_cmpuint (pair->client.verified->len, ==, 1);
          g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, relay_fp);
        }
      g_assert_cmpuint (pair->client.peer_e2e, ==, 0);
      g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NONE);
      g_assert_null (any_peer_dup_remote_fingerprint (pair->client.peer));
      /* The client checks the key before it answers: the relay never gets
       * message 3, so neither the client's id nor its key, and it reads
       * nothing the client sent. */
      iterate_for (QUIET_MS);
      g_assert_null (relay->mitm_client_payload);
      g_assert_cmpuint (relay->mitm_plain[C2S]->len, ==, 0);
      g_assert_cmpuint (relay->mitm_waiting.length, ==, 0);
      for (guint i = 0; i < relay->seen[C2S]->len; i++)
        g_assert_false (bytes_contain (g_ptr_array_index (relay->seen[C2S], i), MARKER));
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      /* The server, which checks nothing, may have accepted the relay. */
      g_assert_cmpuint (pair->server.verified->len, <=, 1);
      if (pair->server.verified->len == 1)
        g_assert_cmpstr (g_ptr_array_index (pair->server.verified, 0), ==, relay_fp);
      break;

    case MITM_SERVER_PINS:
      /* The server refuses the relay's key presented as the client's.
       * (The client checked nothing: what it sent is the relay's.) */
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      assert_contains (pair->server.peer_reason, client_id);
      assert_contains (pair->server.peer_reason, "changed");
      assert_contains (pair->server.peer_reason, relay_fp);
      assert_contains (pair->server.peer_reason, client_fp);
      g_assert_cmpuint (pair->server.peer_e2e, ==, 0);
      g_assert_cmpuint (pair->server.verified->len, ==, 0);
      assert_contains (relay->mitm_server_payload, server_id);
      iterate_for (QUIET_MS);
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      g_assert_cmpuint (pair->client.verified->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, relay_fp);
      WAIT_UNTIL (relay->mitm_plain[C2S]->len >= 1);
      assert_contains (g_ptr_array_index (relay->mitm_plain[C2S], 0), MARKER);
      break;
    }
  pair_free (pair);
}

/* 6b. Tampering */

static void
test_tamper (gconstpointer data)
{
  Dir dir = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  Side *sender = dir == C2S ? &pair->client : &pair->server;
  Side *receiver = other_side (sender);
  guint before = receiver->messages->len;

  relay_arm (pair->relay, ATTACK_TAMPER, dir);
  send_numbered (sender, 0);
  assert_detected (receiver, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6c. Replay */

static void
test_replay (void)
{
  Pair *pair = relayed_native_pair ();
  guint before = pair->server.messages->len;

  relay_arm (pair->relay, ATTACK_REPLAY, C2S);
  send_numbered (&pair->client, 0);
  /* The first copy is genuine and delivered; the second is refused. */
  assert_detected (&pair->server, before + 1);
  check_numbered (&pair->server, "client", 1);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6d. Reordering */

static void
test_reorder (void)
{
  Pair *pair = relayed_native_pair ();
  guint before = pair->server.messages->len;

  relay_arm (pair->relay, ATTACK_REORDER, C2S);
  send_numbered (&pair->client, 0);
  send_numbered (&pair->client, 1);
  assert_detected (&pair->server, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6e. Reflection */

static void
test_reflect (gconstpointer data)
{
  Dir dir = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  Side *sender = dir == C2S ? &pair->client : &pair->server;
  guint before = sender->messages->len;

  relay_arm (pair->relay, ATTACK_REFLECT, dir);
  send_numbered (sender, 0);
  assert_detected (sender, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6f. Truncation: one chunk of a 3 MiB message disappears. */

static void
test_truncate (gconstpointer data)
{
  gboolean drop_last = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  g_autofree char *text = g_strnfill (TRUNCATE_BYTES, 'x');
  guint before = pair->server.messages->len;
  /* {"big":"...","from":"client"}: 3 MiB + 25 bytes, 4 chunks. */
  guint chunks = 4;

  relay_arm (pair->relay, ATTACK_DROP_CHUNK, C2S);
  pair->relay->drop_chunk = drop_last ? chunks - 1 : 1;
  send_big (&pair->client, text);
  if (drop_last)
    {
      /* Nothing to notice until the next chunk: it fails. */
      WAIT_UNTIL (pair->relay->chunks_seen == chunks);
      iterate_for (QUIET_MS);
      g_assert_null (pair->server.peer_reason);
      g_assert_cmpuint (pair->server.messages->len, ==, before);
      send_numbered (&pair->client, 0);
    }
  assert_detected (&pair->server, before);
  g_assert_cmpuint (pair->relay->chunks_seen, ==, chunks);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6g. The clear header is associated data. */

static void
test_header (gconstpointer data)
{
  Attack attack = GPOINTER_TO_INT (data);
  Pair *pair = relayed_native_pair ();
  guint before = pair->server.messages->len;

  relay_arm (pair->relay, attack, C2S);
  send_numbered (&pair->client, 0);
  assert_detected (&pair->server, before);
  g_assert_cmpuint (pair->relay->attacked, ==, 1);
  pair_free (pair);
}

/* 6h. Downgrade: the relay strips "caps" from the server's AUTH. */

typedef enum {
  DOWNGRADE_SERVER_INITIATES,        /* native from the server: the prologues differ */
  DOWNGRADE_CLIENT_REQUIRES_NATIVE,  /* the client would pick compat: its policy refuses */
  DOWNGRADE_SERVER_REQUIRES_NATIVE,  /* the client picks compat: the server's policy refuses */
  DOWNGRADE_ALLOW_COMPAT,            /* both allow compat: compat, as documented */
} Downgrade;

static void
test_downgrade (gconstpointer data)
{
  Downgrade variant = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  const char *server_id = any_socket_get_id (pair->server.socket);

  if (variant == DOWNGRADE_CLIENT_REQUIRES_NATIVE)
    any_socket_set_e2e_policy (pair->client.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  if (variant == DOWNGRADE_SERVER_REQUIRES_NATIVE)
    any_socket_set_e2e_policy (pair->server.socket, ANY_E2E_POLICY_REQUIRE_NATIVE);

  pair->relay = relay_new (pair->port);
  /* Only the server's AUTH, on its way to the client. */
  pair->relay->strip_caps[S2C] = TRUE;
  pair_connect (pair, TRUE);
  /* What the relay saw before it stripped them. */
  g_assert_cmpstr (pair->relay->client_caps, ==, "noise-xx");
  g_assert_cmpstr (pair->relay->server_caps, ==, "noise-xx");

  switch (variant)
    {
    case DOWNGRADE_SERVER_INITIATES:
      /* The server saw the client's caps and starts native; the client
       * answers (it can), but binds "no caps" for the server in its
       * prologue: the handshake must break, not succeed. */
      any_peer_e2e (pair->server.peer);
      send_numbered (&pair->server, 0);
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      g_test_message ("client: %s", pair->client.peer_reason);
      assert_contains (pair->server.peer_reason, "E2E switch failed");
      g_assert_cmpuint (count_frames_of_type (pair->relay->seen[C2S], 0, ANY_PACKET_TYPE_SWITCH), ==, 1);
      g_assert_cmpuint (count_from (&pair->client, "server"), ==, 0);
      break;

    case DOWNGRADE_CLIENT_REQUIRES_NATIVE:
      /* The client thinks the server is a compat-only peer: its policy
       * refuses at once, before any SWITCH leaves. */
      any_peer_e2e (pair->client.peer);
      g_assert_nonnull (pair->client.peer_reason);
      g_test_message ("client: %s", pair->client.peer_reason);
      assert_contains (pair->client.peer_reason, server_id);
      assert_contains (pair->client.peer_reason, "native");
      WAIT_UNTIL (pair->server.peer_reason != NULL);
      g_assert_cmpuint (count_frames_of_type (pair->relay->seen[C2S], 0, ANY_PACKET_TYPE_SWITCH), ==, 0);
      break;

    case DOWNGRADE_SERVER_REQUIRES_NATIVE:
      /* The client picks compat; the server refuses to answer it. */
      any_peer_e2e (pair->client.peer);
      send_numbered (&pair->client, 0);
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      assert_contains (pair->server.peer_reason, "Compat E2E refused");
      assert_contains (pair->server.peer_reason, "native");
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      break;

    case DOWNGRADE_ALLOW_COMPAT:
      /* Even with both policies allowing compat, the server saw the
       * client advertise native in AUTH: an honest client would never ask
       * it for compat, so it refuses (the relay stripped caps from one
       * direction only; stripping both is what REQUIRE_NATIVE is for). */
      any_peer_e2e (pair->client.peer);
      send_numbered (&pair->client, 0);
      WAIT_UNTIL (pair->client.peer_reason != NULL && pair->server.peer_reason != NULL);
      g_test_message ("server: %s", pair->server.peer_reason);
      assert_contains (pair->server.peer_reason, "Compat E2E refused");
      assert_contains (pair->server.peer_reason, "downgrade");
      g_assert_cmpuint (pair->server.socket_e2e, ==, 0);
      g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
      pair_free (pair);
      return;
    }

  g_assert_cmpuint (pair->client.peer_e2e, ==, 0);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NONE);
  pair_free (pair);
}

/* 6i. What the relay forwards after the switch holds no plaintext. */

static void
test_capture (void)
{
  Pair *pair = pair_new ();
  g_autoptr(JsonNode) clear = json_printf ("{\"from\":\"client\",\"n\":0,\"text\":\"%s\"}", MARKER);
  g_autoptr(GString) big = g_string_new (NULL);
  guint from[2];
  guint encrypted = 0;
  gboolean seen_in_clear = FALSE;

  pair_connect (pair, TRUE);

  /* Before the switch the relay reads the marker: the capture works. */
  send_json_node (&pair->client, clear);
  WAIT_UNTIL (count_from (&pair->server, "client") == 1);
  for (guint i = 0; i < pair->relay->seen[C2S]->len; i++)
    seen_in_clear = seen_in_clear || bytes_contain (g_ptr_array_index (pair->relay->seen[C2S], i), MARKER);
  g_assert_true (seen_in_clear);
  from[C2S] = pair->relay->seen[C2S]->len;
  from[S2C] = pair->relay->seen[S2C]->len;

  establish_native (pair, &pair->client);

  /* Messages, requests and replies, and a multi-chunk message, both
   * ways, all carrying the marker. */
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonNode) c = json_printf ("{\"from\":\"client\",\"n\":%u,\"text\":\"%s\"}", i + 1, MARKER);
      g_autoptr(JsonNode) s = json_printf ("{\"from\":\"server\",\"n\":%u,\"text\":\"%s\"}", i, MARKER);

      send_json_node (&pair->client, c);
      send_json_node (&pair->server, s);
    }
  requests_in_flight (&pair->client, 8);
  requests_in_flight (&pair->server, 8);
  while (big->len < 3 * CHUNK_UNITS / 2)
    g_string_append (big, MARKER " ");
  send_big (&pair->client, big->str);
  send_big (&pair->server, big->str);
  WAIT_UNTIL (count_from (&pair->server, "client") == 12 && count_from (&pair->client, "server") == 11);
  g_assert_cmpstr (msg_string (last_message (&pair->server), "big"), ==, big->str);
  g_assert_cmpstr (msg_string (last_message (&pair->client), "big"), ==, big->str);

  for (Dir dir = C2S; dir <= S2C; dir++)
    for (guint i = from[dir]; i < pair->relay->seen[dir]->len; i++)
      {
        GBytes *frame = g_ptr_array_index (pair->relay->seen[dir], i);
        gsize len;
        const guint8 *data = g_bytes_get_data (frame, &len);
        AnyChunk chunk;

        g_assert_false (bytes_contain (frame, MARKER));
        g_assert_true (any_chunk_decode (data, len, &chunk, NULL));
        if (chunk.type == ANY_PACKET_TYPE_SWITCH)
          continue;
        /* Ciphertext: base64, no JSON. */
        g_assert_cmpuint (chunk.body_len % 4, ==, 0);
        g_assert_null (memchr (chunk.body, '{', chunk.body_len));
        g_assert_null (memchr (chunk.body, '"', chunk.body_len));
        encrypted++;
      }
  g_test_message ("%u encrypted frames captured", encrypted);
  g_assert_cmpuint (encrypted, >=, 10 + 10 + 4 * 8 + 2 * 2);
  pair_free (pair);
}

/* 7. A switch that does not finish in e2e-timeout */

static void
test_timeout (gconstpointer data)
{
  gboolean drop_final = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  /* Dropping message 2 leaves the initiator (client) waiting; dropping
   * message 3 the responder (server). */
  Side *waiting = drop_final ? &pair->server : &pair->client;
  gint64 start, elapsed_ms;

  any_socket_set_e2e_timeout (pair->client.socket, E2E_TIMEOUT_MS);
  any_socket_set_e2e_timeout (pair->server.socket, E2E_TIMEOUT_MS);
  g_assert_cmpuint (any_socket_get_e2e_timeout (pair->client.socket), ==, E2E_TIMEOUT_MS);
  pair->relay = relay_new (pair->port);
  if (drop_final)
    {
      pair->relay->drop_switch[C2S] = TRUE;
      pair->relay->drop_switch_step = 3;
    }
  else
    {
      pair->relay->drop_switch[S2C] = TRUE;
    }
  pair_connect (pair, TRUE);

  start = g_get_monotonic_time ();
  any_peer_e2e (pair->client.peer);
  if (!drop_final)
    send_numbered (&pair->client, 0);   /* waits for the switch, dies with it */
  WAIT_UNTIL (waiting->peer_reason != NULL);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("%s: '%s' after %" G_GINT64_FORMAT " ms", waiting->name, waiting->peer_reason, elapsed_ms);
  g_assert_cmpstr (waiting->peer_reason, ==, "e2e timed out");
  g_assert_cmpint (elapsed_ms, >=, E2E_TIMEOUT_MS - 5);
  g_assert_cmpint (elapsed_ms, <, E2E_TIMEOUT_MS + 1700);
  g_assert_cmpuint (pair->relay->switch_dropped, ==, 1);
  g_assert_cmpuint (waiting->peer_e2e, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (waiting->peer), ==, ANY_E2E_MODE_NONE);
  WAIT_UNTIL (other_side (waiting)->peer_reason != NULL);
  g_assert_cmpstr (other_side (waiting)->peer_reason, ==, "e2e timed out");
  g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
  pair_free (pair);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/e2e/native/client-initiates", GINT_TO_POINTER (FALSE), test_native);
  g_test_add_data_func ("/e2e/native/server-initiates", GINT_TO_POINTER (TRUE), test_native);
  g_test_add_func ("/e2e/glare", test_glare);

  g_test_add_func ("/e2e/identity/files", test_identity_files);
  g_test_add_func ("/e2e/identity/presented", test_identity_presented);

  g_test_add_func ("/e2e/pin/right", test_pin_right);
  g_test_add_data_func ("/e2e/pin/wrong/initiator-checks", GINT_TO_POINTER (FALSE), test_pin_wrong);
  g_test_add_data_func ("/e2e/pin/wrong/responder-checks", GINT_TO_POINTER (TRUE), test_pin_wrong);
  g_test_add_func ("/e2e/pin/tofu", test_pin_tofu);
  g_test_add_func ("/e2e/verify-peer/accept", test_verify_peer_accept);
  g_test_add_data_func ("/e2e/verify-peer/refuse/initiator", GINT_TO_POINTER (FALSE), test_verify_peer_refuse);
  g_test_add_data_func ("/e2e/verify-peer/refuse/responder", GINT_TO_POINTER (TRUE), test_verify_peer_refuse);

  g_test_add_data_func ("/e2e/policy/require-native/client-initiates", GINT_TO_POINTER (FALSE),
                        test_require_native);
  g_test_add_data_func ("/e2e/policy/require-native/server-initiates", GINT_TO_POINTER (TRUE),
                        test_require_native);

  g_test_add_data_func ("/e2e/relay/mitm/client-pins", GINT_TO_POINTER (MITM_CLIENT_PINS), test_mitm);
  g_test_add_data_func ("/e2e/relay/mitm/client-verify-peer", GINT_TO_POINTER (MITM_CLIENT_VERIFIES), test_mitm);
  g_test_add_data_func ("/e2e/relay/mitm/server-pins", GINT_TO_POINTER (MITM_SERVER_PINS), test_mitm);
  g_test_add_data_func ("/e2e/relay/mitm/unverified", GINT_TO_POINTER (MITM_UNVERIFIED), test_mitm);
  g_test_add_data_func ("/e2e/relay/tamper/client-to-server", GINT_TO_POINTER (C2S), test_tamper);
  g_test_add_data_func ("/e2e/relay/tamper/server-to-client", GINT_TO_POINTER (S2C), test_tamper);
  g_test_add_func ("/e2e/relay/replay", test_replay);
  g_test_add_func ("/e2e/relay/reorder", test_reorder);
  g_test_add_data_func ("/e2e/relay/reflect/client-to-server", GINT_TO_POINTER (C2S), test_reflect);
  g_test_add_data_func ("/e2e/relay/reflect/server-to-client", GINT_TO_POINTER (S2C), test_reflect);
  g_test_add_data_func ("/e2e/relay/truncate/middle-chunk", GINT_TO_POINTER (FALSE), test_truncate);
  g_test_add_data_func ("/e2e/relay/truncate/last-chunk", GINT_TO_POINTER (TRUE), test_truncate);
  g_test_add_data_func ("/e2e/relay/header/seq", GINT_TO_POINTER (ATTACK_HEADER_SEQ), test_header);
  g_test_add_data_func ("/e2e/relay/header/type", GINT_TO_POINTER (ATTACK_HEADER_TYPE), test_header);
  g_test_add_data_func ("/e2e/relay/header/flag", GINT_TO_POINTER (ATTACK_HEADER_FLAG), test_header);
  g_test_add_data_func ("/e2e/relay/downgrade/server-initiates-native",
                        GINT_TO_POINTER (DOWNGRADE_SERVER_INITIATES), test_downgrade);
  g_test_add_data_func ("/e2e/relay/downgrade/client-requires-native",
                        GINT_TO_POINTER (DOWNGRADE_CLIENT_REQUIRES_NATIVE), test_downgrade);
  g_test_add_data_func ("/e2e/relay/downgrade/server-requires-native",
                        GINT_TO_POINTER (DOWNGRADE_SERVER_REQUIRES_NATIVE), test_downgrade);
  g_test_add_data_func ("/e2e/relay/downgrade/allow-compat",
                        GINT_TO_POINTER (DOWNGRADE_ALLOW_COMPAT), test_downgrade);
  g_test_add_func ("/e2e/relay/capture", test_capture);

  g_test_add_data_func ("/e2e/relay/timeout/answer-dropped", GINT_TO_POINTER (FALSE), test_timeout);
  g_test_add_data_func ("/e2e/relay/timeout/final-dropped", GINT_TO_POINTER (TRUE), test_timeout);

  return g_test_run ();
}

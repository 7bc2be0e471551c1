/* e2e-relay.c: a WebSocket relay between the two ends that can attack
 * what it forwards (see e2e.h)
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE  /* memmem() */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "e2e.h"

/* The relay */

static Dir
reverse (Dir dir)
{
  return dir == C2S ? S2C : C2S;
}

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

static void
relay_send_binary (Relay  *relay,
                   Dir     dir,
                   GBytes *frame)
{
  SoupWebsocketConnection *conn = dir == C2S ? relay->up : relay->down;

  if (conn != NULL && soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (conn, SOUP_WEBSOCKET_DATA_BINARY, frame);
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

/* The AUTH without "bin" in its caps (binary frames: see Relay). */
static GBytes *
strip_bin (GBytes         *frame,
           const AnyChunk *chunk,
           gsize           header_len)
{
  g_autoptr(JsonNode) auth = chunk_json (chunk);
  JsonNode *caps = msg_member (auth, "caps");
  g_autofree char *text = NULL;

  if (caps == NULL || !JSON_NODE_HOLDS_OBJECT (caps))
    return g_bytes_ref (frame);
  json_object_remove_member (json_node_get_object (caps), "bin");
  text = json_to_string (auth, FALSE);
  return frame_with_body (g_bytes_get_data (frame, NULL), header_len, text, strlen (text));
}

/* The AUTH with "noise-xx-aesgcm" gone from its e2e list (and "bin"
 * unless @keep_bin): a relay that pushes both ends down to ChaChaPoly. */
static GBytes *
strip_aesgcm (GBytes         *frame,
              const AnyChunk *chunk,
              gsize           header_len,
              gboolean        keep_bin)
{
  g_autoptr(JsonNode) auth = chunk_json (chunk);
  JsonNode *caps = msg_member (auth, "caps");
  JsonNode *e2e = msg_member (caps, "e2e");
  g_autoptr(JsonArray) kept = json_array_new ();
  g_autofree char *text = NULL;

  g_assert_nonnull (e2e);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (e2e)); i++)
    {
      const char *cap = json_array_get_string_element (json_node_get_array (e2e), i);

      if (!g_str_equal (cap, "noise-xx-aesgcm"))
        json_array_add_string_element (kept, cap);
    }
  json_object_set_array_member (json_node_get_object (caps), "e2e", json_array_ref (kept));
  if (!keep_bin)
    json_object_remove_member (json_node_get_object (caps), "bin");
  text = json_to_string (auth, FALSE);
  return frame_with_body (g_bytes_get_data (frame, NULL), header_len, text, strlen (text));
}

GBytes *
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

static void
mitm_frame_free (gpointer data)
{
  MitmFrame *mf = data;

  g_bytes_unref (mf->frame);
  g_free (mf);
}

/* The cipher both ends choose from the caps they saw (protocol/any-e2e.c):
 * the man in the middle speaks the same one to each. */
static AnyNoiseCipherSuite
mitm_suite (Relay *relay)
{
  g_auto(GStrv) c = g_strsplit (relay->client_caps ? relay->client_caps : "", ",", -1);
  g_auto(GStrv) sv = g_strsplit (relay->server_caps ? relay->server_caps : "", ",", -1);

  return g_strv_contains ((const char * const *) c, "noise-xx-aesgcm") &&
         g_strv_contains ((const char * const *) sv, "noise-xx-aesgcm") ? ANY_NOISE_CIPHER_AESGCM
                                                                          : ANY_NOISE_CIPHER_CHACHAPOLY;
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
      relay->mitm_handshake[C2S] = any_noise_handshake_new_full (mitm_suite (relay), FALSE, relay->mitm_key,
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
      relay->mitm_handshake[S2C] = any_noise_handshake_new_full (mitm_suite (relay), TRUE, relay->mitm_key,
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
      if (relay->strip_caps[dir])
        changed = strip_caps (frame, chunk, header_len);
      else if (relay->strip_aesgcm[dir])
        changed = strip_aesgcm (frame, chunk, header_len, relay->keep_bin);
      else if (!relay->keep_bin)
        changed = strip_bin (frame, chunk, header_len);
      else
        return FALSE;
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
  Dir dir = conn == relay->down ? C2S : S2C;

  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      g_assert_true (relay->keep_bin);
      relay->binary_seen[dir]++;
      g_ptr_array_add (relay->seen[dir], g_bytes_ref (message));
      /* one bit of the ciphertext's tag */
      if (relay->armed && relay->attack == ATTACK_TAMPER && relay->attack_dir == dir)
        {
          gsize len = g_bytes_get_size (message);
          guint8 *data = g_memdup2 (g_bytes_get_data (message, NULL), len);
          g_autoptr(GBytes) changed = NULL;

          data[len - 1] ^= 0x01;
          changed = g_bytes_new_take (data, len);
          relay_send_binary (relay, dir, changed);
          relay->attacked++;
          relay->armed = FALSE;
          return;
        }
      relay_send_binary (relay, dir, message);
      return;
    }
  relay_receive (relay, dir, message);
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

Relay *
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

void
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

void
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

guint
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

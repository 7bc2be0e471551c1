/* any-engine.c: the protocol engine of one connection (PROTOCOL.md 2-5)
 *
 * Receiving: frame -> chunk header -> reassembly -> JSON -> dispatch by
 * state. Sending: JSON -> chunks -> frames. A single-chunk packet, the
 * common case, is generated straight after its header into the buffer
 * that becomes the frame, and parsed straight from the received frame.
 * The heartbeat is any-heartbeat.c's, the E2E switch any-e2e-switch.c's.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "any-error.h"
#include "protocol/any-engine.h"
#include "protocol/any-engine-private.h"
#include "codec/any-json.h"
#include "protocol/any-reassembly.h"
#include "protocol/any-trust.h"
#include "crypto/any-noise.h"
#include "crypto/any-crypto.h"

/* The largest frame a healthy peer sends: 1,048,576 UTF-16 units are at
 * most 3 MiB of UTF-8; compat E2EE doubles that as hex, plus IV and
 * padding. */
#define MAX_FRAME_SIZE ((gsize) 8 * 1024 * 1024)
/* Until a peer that connected to us sent its AUTH, that AUTH is all it
 * may send: a bigger WebSocket message closes the link (1009), whatever
 * max-message-size allows afterwards, so that connections that never
 * authenticate cost little. An AUTH packet is an id, capabilities and
 * the application's auth data (a token): a few hundred bytes, or a few
 * KiB with a large token. A link we opened keeps its full limit: the
 * server's first messages may follow its AUTH in the same read, before
 * we have handled it. */
#define MAX_AUTH_BYTES ((gsize) 128 * 1024)

/* What holding one packet costs beyond its JSON text (HeldPacket, list
 * link, JsonNode): counted so a flood of tiny packets before AUTH is
 * bounded by memory, not by text. */
#define HELD_PACKET_OVERHEAD 128

/* Ids longer than this are not ids. */
#define MAX_PEER_ID_LENGTH 256

static void
held_packet_free (gpointer data)
{
  HeldPacket *held = data;

  g_clear_pointer (&held->data, json_node_unref);
  g_clear_pointer (&held->bytes, g_bytes_unref);
  if (held->text != NULL)
    g_string_free (held->text, TRUE);
  g_free (held);
}

gint32
any_engine_next_seq (AnyEngine *self)
{
  /* PROTOCOL.md 3: after 2,147,483,647 the counter wraps to 1. */
  if (self->seq >= G_MAXINT32)
    self->seq = 0;
  return ++self->seq;
}

/* Closes the link once: timers stop, buffers go, the owner hears why. */
static void
engine_shutdown (AnyEngine  *self,
                 const char *reason,
                 gboolean    close_transport)
{
  if (self->state == ANY_ENGINE_STATE_CLOSED)
    return;
  self->state = ANY_ENGINE_STATE_CLOSED;

  any_timer_cancel (&self->auth_timer);
  any_timer_cancel (&self->e2e_timer);
  any_timer_cancel (&self->heartbeat_timer);
  any_engine_drop_bin_out (self);
  /* Keys go with the link. */
  g_clear_pointer (&self->e2e, any_e2e_free);
  any_reassembly_clear (self->reassembly);
  g_queue_clear_full (&self->held_in, held_packet_free);
  g_queue_clear_full (&self->held_out, held_packet_free);
  self->held_in_bytes = 0;

  if (close_transport)
    any_transport_close (self->transport, reason);

  if (self->callbacks->closed != NULL)
    self->callbacks->closed (self->user_data, reason);
}

void
any_engine_fail (AnyEngine  *self,
                 const char *reason)
{
  g_debug ("Closing link to %s: %s", self->peer_id ? self->peer_id : "(unauthenticated)", reason);
  engine_shutdown (self, reason, TRUE);
}

gboolean
any_engine_is_encrypting (AnyEngine *self)
{
  return self->e2e != NULL && any_e2e_is_active (self->e2e);
}

/* Sends @frame (the chunk header of @seq, @header_len bytes, then the
 * packet's JSON text), taking it. */
static void
send_frame (AnyEngine     *self,
            AnyPacketType  type,
            gint32         seq,
            gint32         reply_to,
            GString       *frame,
            gsize          header_len)
{
  gsize body_len = frame->len - header_len;

  if (any_engine_should_hold (self, type, reply_to))
    {
      HeldPacket *held = g_new0 (HeldPacket, 1);

      held->type = type;
      held->seq = seq;
      g_string_erase (frame, 0, header_len);
      held->text = frame;
      g_queue_push_tail (&self->held_out, held);
    }
  else if (body_len <= ANY_CHUNK_MAX_UNITS && (!any_engine_is_encrypting (self) || type == ANY_PACKET_TYPE_SWITCH))
    {
      /* A UTF-8 byte is at most one UTF-16 unit: this fits one chunk. */
      GBytes *bytes = g_string_free_to_bytes (frame);

      any_transport_send_lane (self->transport, bytes, any_engine_packet_lane (self, type));
      g_bytes_unref (bytes);
    }
  else
    {
      any_engine_write_text (self, type, seq, frame->str + header_len, body_len);
      g_string_free (frame, TRUE);
    }
}

gint32
any_engine_send (AnyEngine      *self,
                 AnyPacketType   type,
                 gint32          reply_to,
                 JsonNode       *data,
                 GError        **error)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize header_len, body_len;
  GString *frame;
  gint32 seq;

  if (self->state == ANY_ENGINE_STATE_CLOSED)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return 0;
    }

  seq = reply_to != 0 ? -ABS (reply_to) : any_engine_next_seq (self);

  /* The header's size does not depend on the last-chunk flag, so the JSON
   * can be generated right after it, into what becomes the frame. */
  header_len = any_chunk_header_encode (header, TRUE, type, seq);
  frame = g_string_sized_new (256);
  g_string_append_len (frame, (const char *) header, header_len);
  any_json_write (frame, data);
  body_len = frame->len - header_len;

  if (body_len > self->max_message_size)
    {
      g_string_free (frame, TRUE);
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG,
                   _("Message of %lu bytes exceeds the limit of %lu"),
                   (gulong) body_len, (gulong) self->max_message_size);
      return 0;
    }
  send_frame (self, type, seq, reply_to, frame, header_len);
  return seq;
}

void
any_engine_send_control (AnyEngine     *self,
                         AnyPacketType  type,
                         JsonNode      *data)
{
  any_engine_send (self, type, 0, data, NULL);
}

/* As any_engine_send_control() with @json, a short JSON text that is
 * already written (a heartbeat's "1" or "2": no node to build and
 * serialise twice per peer and interval on a hub). */
void
any_engine_send_control_text (AnyEngine     *self,
                              AnyPacketType  type,
                              const char    *json)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize header_len;
  GString *frame;
  gint32 seq;

  if (self->state == ANY_ENGINE_STATE_CLOSED)
    return;
  seq = any_engine_next_seq (self);
  header_len = any_chunk_header_encode (header, TRUE, type, seq);
  frame = g_string_sized_new (header_len + strlen (json) + 1);
  g_string_append_len (frame, (const char *) header, header_len);
  g_string_append (frame, json);
  send_frame (self, type, seq, 0, frame, header_len);
}

static void
send_auth (AnyEngine *self)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "id", self->local_id);
  if (self->auth_data != NULL)
    json_object_set_member (object, "auth", json_node_copy (self->auth_data));
  /* PROTOCOL.md 4: extra AUTH keys are ignored by the JavaScript peer. */
  any_engine_add_local_caps (self, object);
  json_node_set_object (node, object);
  any_engine_send_control (self, ANY_PACKET_TYPE_AUTH, node);
}

static void
on_auth_timeout (AnyTimer *timer,
                 gpointer  user_data)
{
  AnyEngine *self = user_data;

  any_engine_enter (self);
  any_engine_fail (self, "auth timed out");
  any_engine_leave (self);
}

static void
deliver (AnyEngine     *self,
         AnyPacketType  type,
         gint32         seq,
         JsonNode      *data)
{
  if (self->callbacks->packet != NULL)
    self->callbacks->packet (self->user_data, type, seq, data);
  else
    json_node_unref (data);
}

void
any_engine_flush_held_out (AnyEngine *self)
{
  HeldPacket *held;

  if (self->holding)
    return;
  /* A binary message being sealed goes first; its last frame flushes. */
  while (self->bin_out == NULL && (held = g_queue_pop_head (&self->held_out)) != NULL)
    {
      if (held->bytes != NULL)
        any_engine_write_bytes (self, held->seq, held->bytes);
      else
        any_engine_write_text (self, held->type, held->seq, held->text->str, held->text->len);
      held_packet_free (held);
    }
}

static void
become_connected (AnyEngine *self)
{
  HeldPacket *held;

  self->state = ANY_ENGINE_STATE_CONNECTED;
  any_timer_cancel (&self->auth_timer);
  any_transport_set_max_frame_size (self->transport, self->max_frame_size);
  /* The first tick pings: a proxied peer, which sent no AUTH, has not
   * missed anything yet. */
  self->received_since_tick = TRUE;
  any_engine_start_heartbeat (self);

  any_engine_create_e2e (self);
  if (self->proving)
    {
      any_engine_prove_pinned_key (self);
      return;
    }

  /* What the owner sent before the AUTH exchange goes first, in order. */
  any_engine_flush_held_out (self);

  if (self->callbacks->connected != NULL)
    self->callbacks->connected (self->user_data);

  while (self->state == ANY_ENGINE_STATE_CONNECTED &&
         (held = g_queue_pop_head (&self->held_in)) != NULL)
    {
      self->held_in_bytes = 0;
      deliver (self, held->type, held->seq, g_steal_pointer (&held->data));
      held_packet_free (held);
    }
  self->held_in_bytes = 0;
}

static void
handle_auth (AnyEngine *self,
             JsonNode  *node)
{
  JsonObject *object;
  JsonNode *id_node;
  const char *id;
  g_autofree char *reason = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      any_engine_fail (self, "Invalid Auth Packet!");
      return;
    }
  object = json_node_get_object (node);
  id_node = json_object_get_member (object, "id");
  id = id_node != NULL && JSON_NODE_HOLDS_VALUE (id_node) &&
       json_node_get_value_type (id_node) == G_TYPE_STRING ? json_node_get_string (id_node) : NULL;
  if (id == NULL || *id == '\0' || strlen (id) > MAX_PEER_ID_LENGTH)
    {
      any_engine_fail (self, "Invalid Auth Packet!");
      return;
    }

  if (self->callbacks->authenticate != NULL &&
      !self->callbacks->authenticate (self->user_data, id, object, &reason))
    {
      any_engine_fail (self, reason != NULL ? reason : "Invalid Auth Packet!");
      return;
    }
  if (self->state == ANY_ENGINE_STATE_CLOSED)
    return;

  g_free (self->peer_id);
  self->peer_id = g_strdup (id);
  g_free (self->peer_caps);
  self->peer_caps = any_engine_caps_to_string (object);
  any_engine_read_bin_cap (self, object);
  self->peer_mesh = any_engine_caps_have_mesh (object);
  if (self->pinned)
    {
      g_autofree char *refused = any_trust_check_auth (id, self->peer_caps);

      if (refused != NULL)
        {
          any_engine_fail (self, refused);
          return;
        }
    }

  if (self->role == ANY_ENGINE_ROLE_SERVER)
    send_auth (self);
  become_connected (self);
}

static void
dispatch (AnyEngine     *self,
          AnyPacketType  type,
          gint32         seq,
          JsonNode      *node,
          gsize          text_len)
{
  g_autofree char *reason = NULL;

  if (self->proving && any_engine_is_held_type (type))
    {
      any_engine_fail_plain_from_pinned (self, type);
    }
  else if (self->state == ANY_ENGINE_STATE_CONNECTED && type != ANY_PACKET_TYPE_SWITCH &&
           any_e2e_is_native_responder (self->e2e))
    {
      reason = g_strdup_printf ("Invalid Packet! Plain %s packet during the E2E handshake",
                                any_packet_type_to_string (type));
      any_engine_fail (self, reason);
    }
  else if (self->state == ANY_ENGINE_STATE_CONNECTED)
    {
      switch (type)
        {
        case ANY_PACKET_TYPE_LINK:
        case ANY_PACKET_TYPE_INTERNAL:
          deliver (self, type, seq, node);
          return;
        case ANY_PACKET_TYPE_HEARTBEAT:
          any_engine_handle_heartbeat (self, node);
          break;
        case ANY_PACKET_TYPE_SWITCH:
          any_engine_handle_switch (self, node);
          break;
        case ANY_PACKET_TYPE_AUTH:
        case ANY_PACKET_TYPE_FORWARD:
        default:
          reason = g_strdup_printf ("Invalid Packet! Unexpected %s packet after authentication",
                                    any_packet_type_to_string (type));
          any_engine_fail (self, reason);
          break;
        }
    }
  else if (type == ANY_PACKET_TYPE_AUTH)
    {
      handle_auth (self, node);
    }
  else if (any_engine_is_held_type (type))
    {
      HeldPacket *held;

      if (self->held_in_bytes + text_len + HELD_PACKET_OVERHEAD > self->max_message_size)
        {
          any_engine_fail (self, "Too much data before authentication");
        }
      else
        {
          held = g_new0 (HeldPacket, 1);
          held->type = type;
          held->seq = seq;
          held->data = g_steal_pointer (&node);
          self->held_in_bytes += text_len + HELD_PACKET_OVERHEAD;
          g_queue_push_tail (&self->held_in, held);
        }
    }
  else
    {
      reason = g_strdup_printf ("Invalid Packet! Unexpected %s packet before authentication",
                                any_packet_type_to_string (type));
      any_engine_fail (self, reason);
    }

  g_clear_pointer (&node, json_node_unref);
}

/* hex(iv) + hex(ciphertext): 32 + 32k characters (k >= 1), lowercase. */
static gboolean
looks_like_compat_ciphertext (const guint8 *body,
                              gsize         len)
{
  if (len < 64 || len % 32 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (body[i]) && !(body[i] >= 'a' && body[i] <= 'f'))
      return FALSE;
  return TRUE;
}

static void
handle_frame (AnyEngine    *self,
              const guint8 *data,
              gsize         len,
              gboolean      is_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) whole = NULL;
  AnyChunk chunk;
  const guint8 *body;
  gsize body_len;
  const char *text;
  gsize text_len;
  JsonNode *node;

  if (self->state == ANY_ENGINE_STATE_CLOSED)
    return;
  self->received_since_tick = TRUE;

  /* A binary message, or a sealed chunk sent as a binary frame. */
  if (!is_text && (len == 0 || !any_engine_takes_binary_chunk (self, data[0])))
    {
      any_engine_handle_binary_frame (self, data, len);
      return;
    }

  if (is_text && any_frame_is_forward (data, len))
    {
      AnyForward forward;

      if (!any_forward_decode (data, len, &forward, &error))
        any_engine_fail (self, error->message);
      else if (self->state != ANY_ENGINE_STATE_CONNECTED)
        any_engine_fail (self, "Invalid Packet! FORWARD before authentication");
      else if (self->callbacks->forward != NULL)
        self->callbacks->forward (self->user_data, data, len, &forward);
      return;
    }

  if (!any_chunk_decode (data, len, &chunk, &error))
    {
      any_engine_fail (self, error->message);
      return;
    }
  /* No peer sends these (PROTOCOL.md 3: seqs run 1..2^31-1, replies
   * their negation): a request with seq 0 cannot be answered (its reply
   * would look like a new request), and -2^31 answers no request. */
  if (chunk.seq == 0 || chunk.seq == G_MININT32)
    {
      g_autofree char *reason = g_strdup_printf ("Invalid Packet! %s packet with seq %d, which no peer sends",
                                                 any_packet_type_to_string (chunk.type), chunk.seq);
      any_engine_fail (self, reason);
      return;
    }

  body = chunk.body;
  body_len = chunk.body_len;
  if (any_engine_is_encrypting (self) && self->compat_plain_grace &&
      !looks_like_compat_ciphertext (chunk.body, chunk.body_len))
    {
      /* Sent in the clear before the peer switched: see compat_plain_grace. */
    }
  else if (any_engine_is_encrypting (self))
    {
      g_string_truncate (self->plain, 0);
      if (!any_e2e_open_full (self->e2e, data, chunk.body - data, chunk.seq, chunk.body, chunk.body_len,
                              !is_text, self->plain, &error))
        {
          any_engine_fail (self, error->message);
          return;
        }
      /* Decrypted bytes never went through the WebSocket's UTF-8 check:
       * any_json_parse() refuses invalid UTF-8 and raw NUL itself. */
      body = (const guint8 *) self->plain->str;
      body_len = self->plain->len;
      self->compat_plain_grace = FALSE;
    }

  if (!any_reassembly_add (self->reassembly, &chunk, body, body_len, &whole, &error))
    {
      any_engine_fail (self, error->message);
      return;
    }
  if (!chunk.last)
    return;

  text = whole != NULL ? whole->str : (const char *) body;
  text_len = whole != NULL ? whole->len : body_len;

  node = any_json_parse (text, text_len, &error);
  if (node == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("Invalid JSON in %s packet %d: %s",
                                                 any_packet_type_to_string (chunk.type),
                                                 chunk.seq, error->message);
      any_engine_fail (self, reason);
      return;
    }

  dispatch (self, chunk.type, chunk.seq, node, text_len);
}

static void
on_transport_frame (gpointer      user_data,
                    const guint8 *data,
                    gsize         len,
                    gboolean      is_text)
{
  AnyEngine *self = user_data;

  any_engine_enter (self);
  handle_frame (self, data, len, is_text);
  any_engine_leave (self);
}

static void
on_transport_closed (gpointer    user_data,
                     const char *reason)
{
  AnyEngine *self = user_data;

  any_engine_enter (self);
  engine_shutdown (self, reason, FALSE);
  any_engine_leave (self);
}

AnyEngine *
any_engine_new (AnyEngineRole             role,
                AnyTransport             *transport,
                const AnyEngineCallbacks *callbacks,
                gpointer                  user_data)
{
  AnyEngine *self = g_new0 (AnyEngine, 1);

  self->role = role;
  self->state = ANY_ENGINE_STATE_NEW;
  self->transport = g_object_ref (transport);
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->context = g_main_context_ref_thread_default ();
  self->timers = any_timers_get_for_context (self->context);
  any_timer_init (&self->auth_timer, self->timers, on_auth_timeout, self);
  any_timer_init (&self->e2e_timer, self->timers, any_engine_on_e2e_timeout, self);
  any_timer_init (&self->heartbeat_timer, self->timers, any_engine_on_heartbeat_tick, self);
  any_timer_init (&self->seal_timer, self->timers, any_engine_on_seal_tick, self);
  self->max_message_size = 64 * 1024 * 1024;
  self->reassembly = any_reassembly_new (self->max_message_size, 16);
  self->plain = g_string_new (NULL);
  g_queue_init (&self->held_in);
  g_queue_init (&self->held_out);

  any_transport_set_receiver (transport, on_transport_frame, on_transport_closed, self);
  return self;
}

void
any_engine_start (AnyEngine             *self,
                  const AnyEngineConfig *config)
{
  g_return_if_fail (self->state == ANY_ENGINE_STATE_NEW);

  self->local_id = g_strdup (config->local_id);
  self->auth_data = config->auth_data ? json_node_copy (config->auth_data) : NULL;
  self->heartbeat_interval_ms = config->heartbeat_interval_ms;
  self->max_message_size = config->max_message_size;
  self->identity = config->identity ? any_noise_keypair_ref (config->identity) : NULL;
  self->e2e_policy = config->e2e_policy;
  self->e2e_timeout_ms = config->e2e_timeout_ms;
  self->local_mesh = config->mesh;
  self->legacy_e2e_caps = config->legacy_e2e_caps;
  any_reassembly_free (self->reassembly);
  self->reassembly = any_reassembly_new (config->max_message_size, config->max_partials);
  self->max_frame_size = MIN (MAX_FRAME_SIZE, config->max_message_size * 2 + 256);
  any_transport_set_max_frame_size (self->transport,
                                    self->role == ANY_ENGINE_ROLE_SERVER ?
                                      MIN (MAX_AUTH_BYTES, self->max_frame_size) :
                                      self->max_frame_size);
  /* one whole message must fit, hex-encoded (compat E2E doubles it) */
  if (config->max_send_buffer > 0)
    any_transport_set_max_send_buffer (self->transport,
                                       MAX (config->max_send_buffer,
                                            config->max_message_size > G_MAXSIZE / 3 ?
                                              G_MAXSIZE : config->max_message_size * 3));

  self->state = ANY_ENGINE_STATE_AUTHENTICATING;
  if (config->auth_timeout_ms > 0)
    any_timer_arm_ms (&self->auth_timer, config->auth_timeout_ms);

  if (self->role == ANY_ENGINE_ROLE_CLIENT)
    {
      any_engine_enter (self);
      send_auth (self);
      any_engine_leave (self);
    }
}

/* A proxied peer (PROTOCOL.md 8) starts connected: no AUTH crosses the
 * hub, the id is the one the hub named. */
void
any_engine_start_connected (AnyEngine             *self,
                            const AnyEngineConfig *config,
                            const char            *peer_id)
{
  AnyEngineConfig connected = *config;

  connected.auth_timeout_ms = 0;
  self->role = ANY_ENGINE_ROLE_SERVER;
  any_engine_start (self, &connected);
  self->peer_id = g_strdup (peer_id);
  self->peer_caps = g_strdup ("");
  self->peer_caps_pending = TRUE;
  any_engine_enter (self);
  become_connected (self);
  any_engine_leave (self);
}

/* A frame that is already whole (a FORWARD frame a hub relays, or one a
 * proxied peer sends through us): not a packet of this link, so neither
 * held nor encrypted, as the JavaScript peer does. @binary: a binary
 * FORWARD frame, to a peer that takes them (any-engine-bytes.c). */
gboolean
any_engine_send_frame_full (AnyEngine  *self,
                            GBytes     *frame,
                            gboolean    binary,
                            GError    **error)
{
  if (self->state != ANY_ENGINE_STATE_CONNECTED)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is not connected"));
      return FALSE;
    }
  if (!binary)
    any_transport_send (self->transport, frame);
  else if (any_engine_takes_binary_forward (self))
    any_transport_send_binary (self->transport, frame, ANY_TRANSPORT_LANE_ORDERED);
  else
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED,
                   "Peer %s does not take binary FORWARD frames", self->peer_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
any_engine_send_frame (AnyEngine  *self,
                       GBytes     *frame,
                       GError    **error)
{
  return any_engine_send_frame_full (self, frame, FALSE, error);
}

AnyEngineState
any_engine_get_state (AnyEngine *self)
{
  return self->state;
}

const char *
any_engine_get_peer_id (AnyEngine *self)
{
  return self->peer_id;
}

void
any_engine_close (AnyEngine  *self,
                  const char *reason)
{
  any_engine_enter (self);
  engine_shutdown (self, reason, TRUE);
  any_engine_leave (self);
}

void
any_engine_set_holding (AnyEngine *self,
                        gboolean   holding)
{
  self->holding = holding;
  /* Released: what waited goes now, unless AUTH or a switch still holds
   * it (they flush it themselves). */
  if (!holding && self->state == ANY_ENGINE_STATE_CONNECTED && !self->proving &&
      !self->e2e_start_pending && (self->e2e == NULL || !any_e2e_is_switching (self->e2e)))
    any_engine_flush_held_out (self);
}

void
any_engine_set_last_seq_for_testing (AnyEngine *self,
                                     gint32     seq)
{
  self->seq = seq;
}

void
any_engine_really_free (AnyEngine *self)
{
  g_clear_pointer (&self->bin_in, g_byte_array_unref);
  any_engine_drop_bin_out (self);
  any_timer_cancel (&self->auth_timer);
  any_timer_cancel (&self->e2e_timer);
  any_timer_cancel (&self->heartbeat_timer);
  g_clear_pointer (&self->e2e, any_e2e_free);
  g_clear_pointer (&self->identity, any_noise_keypair_unref);
  g_free (self->peer_caps);
  if (self->plain != NULL)
    {
      any_crypto_wipe (self->plain->str, self->plain->allocated_len);
      g_string_free (self->plain, TRUE);
    }
  if (self->state != ANY_ENGINE_STATE_CLOSED)
    any_transport_close (self->transport, "Peer destroyed");
  any_transport_set_receiver (self->transport, NULL, NULL, NULL);
  g_queue_clear_full (&self->held_in, held_packet_free);
  g_queue_clear_full (&self->held_out, held_packet_free);
  any_reassembly_free (self->reassembly);
  g_clear_pointer (&self->auth_data, json_node_unref);
  g_clear_object (&self->transport);
  any_timers_unref (self->timers);
  g_main_context_unref (self->context);
  g_free (self->local_id);
  g_free (self->peer_id);
  g_free (self);
}

void
any_engine_free (AnyEngine *self)
{
  if (self == NULL)
    return;
  if (self->busy > 0)
    {
      self->free_pending = TRUE;
      return;
    }
  any_engine_really_free (self);
}

/* any-engine-bytes.c: binary LINK messages between libanysocket peers
 *
 * A peer whose AUTH caps say "bin": 1 takes WebSocket binary frames
 * (libanysocket/docs/protocol.md, "Binary messages"). A binary message
 * is cut into chunks of up to ANY_BIN_CHUNK_MAX bytes, one frame each:
 *
 *   'b' | flags (0x01: last chunk) | seq (int32, big-endian) | payload
 *
 * seq as in text chunks: a new message counts up, a reply is the negated
 * seq of the message it answers (which may have been JSON or binary).
 * Under E2E the payload is sealed as a text chunk's body is, the first 6
 * bytes its header: native E2E carries its ciphertext as is, with no
 * base64 or hex on the way. A binary frame before AUTH, from a peer that
 * did not advertise "bin", with another flag, or interleaving two
 * messages closes the link with a reason.
 *
 * Under native E2E, the sealed chunks of JSON packets go in binary frames
 * too, their ciphertext as it is after the usual chunk header, instead of
 * base64 in text frames: a binary frame that starts with a chunk flag
 * ('1' or '2') rather than 'b'.
 *
 * The JavaScript package (0.4.29) has no binary message: it never
 * advertises "bin", and sending bytes to it fails (any_engine_send_bytes()).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crypto/any-noise-cipher.h"
#include "protocol/any-caps.h"
#include "protocol/any-engine.h"
#include "protocol/any-engine-private.h"
#include "transport/any-frame-pool.h"

#define BIN_MAGIC      'b'
#define BIN_FLAG_LAST  0x01
#define BIN_HEADER_LEN 6
/* The payload of one frame: a big message leaves room between its frames
 * for a heartbeat (any-transport.h, lanes). */
#define ANY_BIN_CHUNK_MAX (1024 * 1024)

void
any_engine_read_bin_cap (AnyEngine  *self,
                         JsonObject *holder)
{
  JsonNode *caps = json_object_get_member (holder, "caps");
  JsonNode *bin;

  self->peer_bin = FALSE;
  self->peer_binfwd = FALSE;
  if (caps == NULL || !JSON_NODE_HOLDS_OBJECT (caps))
    return;
  bin = json_object_get_member (json_node_get_object (caps), ANY_BIN_CAP);
  self->peer_bin = bin != NULL && JSON_NODE_HOLDS_VALUE (bin) &&
                   json_node_get_value_type (bin) == G_TYPE_INT64 && json_node_get_int (bin) == 1;
  bin = json_object_get_member (json_node_get_object (caps), ANY_BINFWD_CAP);
  self->peer_binfwd = self->peer_bin && bin != NULL && JSON_NODE_HOLDS_VALUE (bin) &&
                      json_node_get_value_type (bin) == G_TYPE_INT64 && json_node_get_int (bin) == 1;
}

/* The peer at the other end of this direct link takes (and, as a hub,
 * relays) binary FORWARD frames. */
gboolean
any_engine_takes_binary_forward (AnyEngine *self)
{
  return self->peer_binfwd && any_transport_can_send_binary (self->transport);
}

/* A binary frame that starts as a FORWARD frame does: for a proxied link
 * of ours, or to relay. Only on a link that said it takes them. */
static void
handle_binary_forward (AnyEngine    *self,
                       const guint8 *data,
                       gsize         len)
{
  g_autoptr(GError) error = NULL;
  AnyForward forward;

  if (!any_forward_decode (data, len, &forward, &error))
    any_engine_fail (self, error->message);
  else if (!self->peer_binfwd)
    any_engine_fail (self, "Invalid Packet! Binary FORWARD from a peer that did not advertise \"binfwd\"");
  else if (self->callbacks->forward != NULL)
    {
      forward.binary = TRUE;
      self->callbacks->forward (self->user_data, data, len, &forward);
    }
}

gboolean
any_engine_can_send_bytes (AnyEngine *self)
{
  return self->peer_bin && any_transport_can_send_binary (self->transport);
}

static gboolean
native_with_binary (AnyEngine *self)
{
  return any_engine_is_encrypting (self) && any_e2e_get_mode (self->e2e) == ANY_E2E_MODE_NATIVE &&
         self->peer_bin;
}

gboolean
any_engine_sends_binary_chunks (AnyEngine *self)
{
  return native_with_binary (self) && any_transport_can_send_binary (self->transport);
}

/* Whether a binary frame that starts with @first is a sealed chunk. */
gboolean
any_engine_takes_binary_chunk (AnyEngine *self,
                               guint8     first)
{
  return (first == ANY_CHUNK_LAST || first == ANY_CHUNK_PARTIAL) &&
         self->state == ANY_ENGINE_STATE_CONNECTED && native_with_binary (self);
}

static void
header_encode (guint8   header[BIN_HEADER_LEN],
               gboolean last,
               gint32   seq)
{
  guint32 be = GUINT32_TO_BE ((guint32) seq);

  header[0] = BIN_MAGIC;
  header[1] = last ? BIN_FLAG_LAST : 0;
  memcpy (header + 2, &be, 4);
}

/* Writes the frame of @bytes that starts at @pos (sealed when the link is
 * encrypted); returns where the next one starts. */
static gsize
write_frame (AnyEngine *self,
             gint32     seq,
             GBytes    *bytes,
             gsize      pos)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize slice = MIN (len - pos, ANY_BIN_CHUNK_MAX);
  guint8 header[BIN_HEADER_LEN];
  gboolean sealed = any_engine_is_encrypting (self);
  gsize pad = 0;
  GString *frame = sealed ? any_e2e_frame_new_aligned ((const char *) data + pos, slice, BIN_HEADER_LEN, &pad)
                          : g_string_sized_new (BIN_HEADER_LEN + slice + 64);
  g_autoptr(GBytes) out = NULL;

  header_encode (header, pos + slice >= len, seq);
  g_string_append_len (frame, (const char *) header, BIN_HEADER_LEN);
  if (sealed)
    any_e2e_seal_full (self->e2e, frame, BIN_HEADER_LEN, seq, (const char *) data + pos, slice, TRUE);
  else
    g_string_append_len (frame, (const char *) data + pos, slice);
  out = any_frame_pool_to_bytes (frame, pad);
  any_transport_send_binary (self->transport, out, ANY_TRANSPORT_LANE_ORDERED);
  return pos + slice;
}

/* Frames one binary message, sealed when the link is encrypted.
 *
 * Sealed, a big message is not sealed whole before its first frame
 * leaves: one frame is sealed and handed to the transport per turn of
 * the main loop (seal_timer, due at once), so the transport writes frame
 * k while frame k + 1 is sealed and the peer opens frame k meanwhile:
 * sealing, writing and opening overlap instead of adding up. Plain, every
 * frame is handed at once (there is nothing to overlap). */
void
any_engine_write_bytes (AnyEngine *self,
                        gint32     seq,
                        GBytes    *bytes)
{
  gsize len = g_bytes_get_size (bytes);
  gsize pos;

  /* Held for a proxied peer whose probe then said no "bin". */
  if (!any_engine_can_send_bytes (self))
    {
      g_warning ("Binary message of %" G_GSIZE_FORMAT " bytes to %s dropped: the peer does not take "
                 "binary messages", len, self->peer_id);
      return;
    }
  pos = write_frame (self, seq, bytes, 0);

  if (pos >= len)
    return;
  if (!any_engine_is_encrypting (self))
    {
      while (pos < len)
        pos = write_frame (self, seq, bytes, pos);
      return;
    }
  g_assert (self->bin_out == NULL);
  self->bin_out = g_bytes_ref (bytes);
  self->bin_out_pos = pos;
  self->bin_out_seq = seq;
  any_timer_arm_ms (&self->seal_timer, 0);
}

gsize
any_engine_get_bytes_unsealed (AnyEngine *self)
{
  return self->bin_out != NULL ? g_bytes_get_size (self->bin_out) - self->bin_out_pos : 0;
}

void
any_engine_drop_bin_out (AnyEngine *self)
{
  any_timer_cancel (&self->seal_timer);
  g_clear_pointer (&self->bin_out, g_bytes_unref);
}

/* The next frame of bin_out; after the last, what waited behind it. */
void
any_engine_on_seal_tick (AnyTimer *timer,
                         gpointer  user_data)
{
  AnyEngine *self = user_data;

  if (self->bin_out == NULL || self->state != ANY_ENGINE_STATE_CONNECTED)
    return;
  any_engine_enter (self);
  self->bin_out_pos = write_frame (self, self->bin_out_seq, self->bin_out, self->bin_out_pos);
  if (self->state == ANY_ENGINE_STATE_CONNECTED && self->bin_out != NULL)
    {
      if (self->bin_out_pos < g_bytes_get_size (self->bin_out))
        any_timer_arm_ms (&self->seal_timer, 0);
      else
        {
          any_engine_drop_bin_out (self);
          any_engine_flush_held_out (self);
        }
    }
  any_engine_leave (self);
}

gint32
any_engine_send_bytes (AnyEngine  *self,
                       gint32      reply_to,
                       GBytes     *bytes,
                       GError    **error)
{
  gint32 seq;

  if (self->state == ANY_ENGINE_STATE_CLOSED)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           _("Cannot send: the peer is disconnected"));
      return 0;
    }
  /* A link through a hub that relays binary frames, whose caps are not
   * known yet (the peer layer sent the probe): the bytes, and what
   * follows, wait for its answer. */
  if (self->state == ANY_ENGINE_STATE_CONNECTED && self->peer_caps_pending &&
      any_transport_can_send_binary (self->transport))
    self->bin_wait_caps = TRUE;
  else if (self->state != ANY_ENGINE_STATE_CONNECTED || !any_engine_can_send_bytes (self))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED,
                   _("Peer %s does not take binary messages (it did not advertise \"bin\" in its AUTH: "
                     "a JavaScript anysocket peer, or one through a hub): send the bytes as an RPC "
                     "parameter, or as base64 in JSON"),
                   self->peer_id != NULL ? self->peer_id : "?");
      return 0;
    }
  if (g_bytes_get_size (bytes) > self->max_message_size)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG,
                   _("Message of %lu bytes exceeds the limit of %lu"),
                   (gulong) g_bytes_get_size (bytes), (gulong) self->max_message_size);
      return 0;
    }

  /* PROTOCOL.md 3: the same counter as text packets */
  seq = reply_to != 0 ? -ABS (reply_to) : any_engine_next_seq (self);

  if (any_engine_should_hold (self, ANY_PACKET_TYPE_LINK, reply_to))
    {
      HeldPacket *held = g_new0 (HeldPacket, 1);

      held->type = ANY_PACKET_TYPE_LINK;
      held->seq = seq;
      held->bytes = g_bytes_ref (bytes);
      g_queue_push_tail (&self->held_out, held);
    }
  else
    any_engine_write_bytes (self, seq, bytes);
  return seq;
}

static void
deliver (AnyEngine *self,
         gint32     seq,
         GBytes    *bytes)
{
  if (self->callbacks->packet_bytes != NULL)
    self->callbacks->packet_bytes (self->user_data, seq, bytes);
}

void
any_engine_handle_binary_frame (AnyEngine    *self,
                                const guint8 *data,
                                gsize         len)
{
  g_autoptr(GError) error = NULL;
  const guint8 *payload;
  gsize payload_len, plain_len;
  gboolean last, sealed;
  guint32 be;
  gint32 seq;

  if (self->state != ANY_ENGINE_STATE_CONNECTED)
    {
      any_engine_fail (self, "Invalid Packet! Binary frame before authentication");
      return;
    }
  if (!self->peer_bin)
    {
      any_engine_fail (self, "Invalid Packet! Binary frame from a peer that did not advertise \"bin\"");
      return;
    }
  if (len > 0 && any_frame_is_forward (data, len))
    {
      handle_binary_forward (self, data, len);
      return;
    }
  if (self->proving)
    {
      any_engine_fail_plain_from_pinned (self, ANY_PACKET_TYPE_LINK);
      return;
    }
  if (any_e2e_is_native_responder (self->e2e))
    {
      any_engine_fail (self, "Invalid Packet! Binary frame during the E2E handshake");
      return;
    }
  if (len < BIN_HEADER_LEN || data[0] != BIN_MAGIC || (data[1] & ~BIN_FLAG_LAST) != 0)
    {
      any_engine_fail (self, "Invalid Packet! Malformed binary frame header");
      return;
    }
  last = (data[1] & BIN_FLAG_LAST) != 0;
  memcpy (&be, data + 2, 4);
  seq = (gint32) GUINT32_FROM_BE (be);
  if (seq == 0 || seq == G_MININT32)
    {
      any_engine_fail (self, "Invalid Packet! Binary frame with a seq no peer sends");
      return;
    }
  if (self->bin_in != NULL && seq != self->bin_in_seq)
    {
      any_engine_fail (self, "Invalid Packet! Chunks of two binary messages interleaved");
      return;
    }

  payload = data + BIN_HEADER_LEN;
  payload_len = len - BIN_HEADER_LEN;
  sealed = any_engine_is_encrypting (self) && any_e2e_get_mode (self->e2e) == ANY_E2E_MODE_NATIVE;
  if (any_engine_is_encrypting (self) && !sealed)
    {
      /* Compat E2E (AES-CBC, hex): opened first, then taken as plain. */
      g_string_truncate (self->plain, 0);
      if (!any_e2e_open_full (self->e2e, data, BIN_HEADER_LEN, seq, payload, payload_len, TRUE, self->plain, &error))
        {
          any_engine_fail (self, error->message);
          return;
        }
      payload = (const guint8 *) self->plain->str;
      payload_len = self->plain->len;
    }
  /* Sealed, the tag is not part of the message (a chunk shorter than its
   * tag fails to open below). */
  plain_len = sealed ? payload_len - MIN (payload_len, ANY_NOISE_TAG_LEN) : payload_len;

  if ((self->bin_in != NULL ? self->bin_in->len : 0) + plain_len > self->max_message_size)
    {
      any_engine_fail (self, "Message too big");
      return;
    }
  if (!sealed && last && self->bin_in == NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (payload, payload_len);

      deliver (self, seq, bytes);
      return;
    }
  if (self->bin_in == NULL)
    {
      self->bin_in = g_byte_array_sized_new (last ? plain_len : plain_len * 2);
      self->bin_in_seq = seq;
    }
  /* Sealed, opened straight into the message (no copy of the plaintext). */
  if (!sealed)
    g_byte_array_append (self->bin_in, payload, payload_len);
  else if (!any_e2e_open_raw_append (self->e2e, data, BIN_HEADER_LEN, seq, payload, payload_len, self->bin_in, &error))
    {
      any_engine_fail (self, error->message);
      return;
    }
  if (last)
    {
      g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->bin_in));

      deliver (self, seq, bytes);
    }
}

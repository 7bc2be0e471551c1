/* any-e2e-switch.c: the engine's switch to end-to-end encryption
 *
 * Starting and answering the SWITCH handshake (protocol/any-e2e.c does
 * the cryptography), holding everything else back meanwhile, the
 * capabilities each side advertises, and the rules for a pinned key
 * (protocol/any-trust.h): a pinned link proves its key before it counts.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-error.h"
#include "protocol/any-engine.h"
#include "protocol/any-engine-private.h"
#include "protocol/any-trust.h"

/* E2E needs both ids and both capability lists. */
void
any_engine_create_e2e (AnyEngine *self)
{
  AnyE2eConfig config = {
    .local_id = self->local_id,
    .peer_id = self->peer_id,
    .identity = self->identity,
    .local_caps = any_engine_local_e2e_caps (self),
    .peer_caps = self->peer_caps,
    .policy = self->e2e_policy,
    .pinned = self->pinned,
    .verify = self->callbacks->verify_peer,
    .verify_data = self->user_data,
  };

  g_clear_pointer (&self->e2e, any_e2e_free);
  self->e2e = any_e2e_new (&config);
}

/* The e2e capabilities we list, "a,b" ("" without an identity). */
const char *
any_engine_local_e2e_caps (AnyEngine *self)
{
  if (self->identity == NULL)
    return "";
  return self->legacy_e2e_caps ? ANY_E2E_CAPS_LEGACY : ANY_E2E_CAPS_LOCAL;
}

void
any_engine_fail_plain_from_pinned (AnyEngine     *self,
                                   AnyPacketType  type)
{
  g_autofree char *reason = any_trust_plain_reason (self->peer_id, type);

  any_engine_fail (self, reason);
}

/* A pinned peer's link: the switch goes first, before anything the peer
 * sent after its AUTH (which no key vouches for) is looked at. */
void
any_engine_prove_pinned_key (AnyEngine *self)
{
  g_autoptr(GError) error = NULL;
  HeldPacket *held = g_queue_peek_head (&self->held_in);

  if (held != NULL)
    any_engine_fail_plain_from_pinned (self, held->type);
  else if (!any_engine_start_e2e (self, &error))
    {
      g_autofree char *reason = g_strdup_printf ("E2E switch failed: %s", error->message);

      any_engine_fail (self, reason);
    }
}

/* The e2e capabilities a peer advertised in the "caps" member of @holder
 * (its AUTH object, or the probe of a proxied peer), as "a,b" ("" for a
 * plain JavaScript peer). They go into the native handshake's prologue. */
char *
any_engine_caps_to_string (JsonObject *holder)
{
  JsonNode *caps = json_object_get_member (holder, "caps");
  JsonNode *e2e;
  g_autoptr(GString) out = g_string_new (NULL);

  if (caps == NULL || !JSON_NODE_HOLDS_OBJECT (caps))
    return g_strdup ("");
  e2e = json_object_get_member (json_node_get_object (caps), "e2e");
  if (e2e == NULL || !JSON_NODE_HOLDS_ARRAY (e2e))
    return g_strdup ("");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (e2e)) && i < 16; i++)
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

gboolean
any_engine_caps_have_mesh (JsonObject *holder)
{
  JsonNode *caps = json_object_get_member (holder, "caps");
  JsonNode *mesh;
  JsonArray *versions;

  if (caps == NULL || !JSON_NODE_HOLDS_OBJECT (caps))
    return FALSE;
  mesh = json_object_get_member (json_node_get_object (caps), ANY_MESH_CAP_MEMBER);
  if (mesh == NULL || !JSON_NODE_HOLDS_ARRAY (mesh))
    return FALSE;
  versions = json_node_get_array (mesh);
  for (guint i = 0; i < json_array_get_length (versions) && i < 16; i++)
    {
      JsonNode *v = json_array_get_element (versions, i);

      if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_INT64
          && json_node_get_int (v) == ANY_MESH_CAP_VERSION)
        return TRUE;
    }
  return FALSE;
}

gboolean
any_engine_get_peer_mesh (AnyEngine *self)
{
  return self->local_mesh && self->peer_mesh;
}

void
any_engine_set_local_mesh (AnyEngine *self)
{
  self->local_mesh = TRUE;
}

void
any_engine_take_peer_mesh (AnyEngine  *self,
                           JsonObject *holder)
{
  if (holder != NULL && self->state == ANY_ENGINE_STATE_CONNECTED && any_engine_caps_have_mesh (holder))
    self->peer_mesh = TRUE;
}

/* {"v": 1, "e2e": ["noise-xx-aesgcm", "noise-xx"], "bin": 1, "mesh": [2]}: "e2e" with an
 * identity, "bin" (binary messages, any-engine-bytes.c) where the
 * transport has binary frames, "mesh" when an AnyMesh runs over the
 * socket; nothing when none. */
void
any_engine_add_local_caps (AnyEngine  *self,
                           JsonObject *object)
{
  g_autoptr(JsonObject) caps = NULL;
  gboolean bin = any_transport_can_send_binary (self->transport);

  if (self->identity == NULL && !bin && !self->local_mesh)
    return;
  caps = json_object_new ();
  json_object_set_int_member (caps, "v", 1);
  if (self->identity != NULL)
    {
      g_autoptr(JsonArray) e2e = json_array_new ();
      g_auto(GStrv) names = g_strsplit (any_engine_local_e2e_caps (self), ",", -1);

      for (guint i = 0; names[i] != NULL; i++)
        json_array_add_string_element (e2e, names[i]);
      json_object_set_array_member (caps, "e2e", g_steal_pointer (&e2e));
    }
  if (bin)
    {
      json_object_set_int_member (caps, ANY_BIN_CAP, 1);
      json_object_set_int_member (caps, ANY_BINFWD_CAP, 1);
    }
  if (self->local_mesh)
    {
      JsonArray *mesh = json_array_new ();

      json_array_add_int_element (mesh, ANY_MESH_CAP_VERSION);
      json_object_set_array_member (caps, ANY_MESH_CAP_MEMBER, mesh);
    }
  json_object_set_object_member (object, "caps", g_steal_pointer (&caps));
}

void
any_engine_on_e2e_timeout (AnyTimer *timer,
                           gpointer  user_data)
{
  AnyEngine *self = user_data;

  any_engine_enter (self);
  if (self->proving)
    {
      g_autofree char *reason = any_trust_timeout_reason (self->peer_id);

      any_engine_fail (self, reason);
    }
  else
    any_engine_fail (self, "e2e timed out");
  any_engine_leave (self);
}

static void
start_e2e_timer (AnyEngine *self)
{
  if (!any_timer_is_armed (&self->e2e_timer) && self->e2e_timeout_ms > 0)
    any_timer_arm_ms (&self->e2e_timer, self->e2e_timeout_ms);
}

/* The switch is done (the peer's key was checked during the handshake):
 * what waited goes out, encrypted. */
static void
e2e_established (AnyEngine *self)
{
  any_timer_cancel (&self->e2e_timer);
  self->e2e_start_pending = FALSE;
  self->compat_plain_grace = self->e2e_started_here &&
                             any_e2e_get_mode (self->e2e) == ANY_E2E_MODE_COMPAT;
  if (self->proving)
    {
      /* The pinned key is proven (the pin was checked during the
       * handshake): now the link counts. */
      self->proving = FALSE;
      if (self->callbacks->connected != NULL)
        self->callbacks->connected (self->user_data);
      if (self->state != ANY_ENGINE_STATE_CONNECTED)
        return;
    }

  any_engine_flush_held_out (self);
  if (self->callbacks->e2e != NULL)
    self->callbacks->e2e (self->user_data);
}

void
any_engine_handle_switch (AnyEngine *self,
                          JsonNode  *node)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  gboolean done = FALSE;

  if (!any_e2e_receive_switch (self->e2e, node, &reply, &done, &error))
    {
      g_autofree char *reason = g_strdup_printf ("E2E switch failed: %s", error->message);

      any_engine_fail (self, reason);
      return;
    }
  /* An answer goes out in the clear, before encryption starts. */
  if (reply != NULL)
    any_engine_send_control (self, ANY_PACKET_TYPE_SWITCH, reply);
  if (done)
    e2e_established (self);
  else if (any_e2e_is_switching (self->e2e))
    start_e2e_timer (self);
}

gboolean
any_engine_start_e2e (AnyEngine  *self,
                      GError    **error)
{
  g_autoptr(JsonNode) first = NULL;

  if (self->state != ANY_ENGINE_STATE_CONNECTED || self->e2e == NULL)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                           "Cannot switch to E2E: the peer is not connected");
      return FALSE;
    }
  if (self->e2e_start_pending)
    return TRUE;
  if (self->peer_caps_pending)
    {
      /* Which mode depends on what the peer can do: wait for its probe,
       * bounded by the switch's own timeout. */
      self->e2e_start_pending = TRUE;
      start_e2e_timer (self);
      return TRUE;
    }
  first = any_e2e_start (self->e2e, error);
  if (first == NULL)
    return FALSE;
  self->e2e_started_here = TRUE;
  start_e2e_timer (self);
  any_engine_send_control (self, ANY_PACKET_TYPE_SWITCH, first);
  return TRUE;
}

void
any_engine_set_peer_caps (AnyEngine  *self,
                          JsonObject *holder)
{
  g_autoptr(GError) error = NULL;

  if (!self->peer_caps_pending || self->state != ANY_ENGINE_STATE_CONNECTED)
    return;
  self->peer_caps_pending = FALSE;
  g_free (self->peer_caps);
  self->peer_caps = holder != NULL ? any_engine_caps_to_string (holder) : g_strdup ("");
  if (holder != NULL)
    any_engine_read_bin_cap (self, holder);
  any_engine_take_peer_mesh (self, holder);
  /* Only an idle E2E state is replaced: a switch the peer started
   * already chose its mode by its SWITCH packet's type. */
  if (any_e2e_get_mode (self->e2e) == ANY_E2E_MODE_NONE && !any_e2e_is_switching (self->e2e))
    any_engine_create_e2e (self);

  if (self->e2e_start_pending)
    {
      self->e2e_start_pending = FALSE;
      any_engine_enter (self);
      /* The peer may have switched first: its switch carries what waited. */
      if (any_e2e_get_mode (self->e2e) != ANY_E2E_MODE_NONE)
        any_engine_flush_held_out (self);
      else if (!any_e2e_is_switching (self->e2e) && !any_engine_start_e2e (self, &error))
        {
          g_autofree char *reason = g_strdup_printf ("E2E switch failed: %s", error->message);

          any_engine_fail (self, reason);
        }
      any_engine_leave (self);
    }
  /* Bytes that waited for these caps go now, unless something else holds. */
  if (self->bin_wait_caps && self->state == ANY_ENGINE_STATE_CONNECTED)
    {
      self->bin_wait_caps = FALSE;
      if (!any_engine_should_hold (self, ANY_PACKET_TYPE_LINK, 0))
        {
          any_engine_enter (self);
          any_engine_flush_held_out (self);
          any_engine_leave (self);
        }
    }
}

gboolean
any_engine_get_peer_caps_pending (AnyEngine *self)
{
  return self->peer_caps_pending;
}

/* Called by the owner's authenticate callback, before the link is
 * connected (or, for a proxied peer, before it starts): the peer's id
 * has a pinned native key. @prove_first: a direct link, which must offer
 * native E2E in AUTH and prove the key before it is connected. */
void
any_engine_require_pinned_key (AnyEngine *self,
                               gboolean   prove_first)
{
  self->pinned = TRUE;
  self->proving = prove_first;
}

/* "AESGCM" or "ChaChaPoly" once native E2E is up, else NULL (tests). */
const char *
any_engine_get_e2e_cipher (AnyEngine *self)
{
  return self->e2e != NULL ? any_e2e_get_cipher_name (self->e2e) : NULL;
}

AnyE2eMode
any_engine_get_e2e_mode (AnyEngine *self)
{
  return self->e2e != NULL ? any_e2e_get_mode (self->e2e) : ANY_E2E_MODE_NONE;
}

const guint8 *
any_engine_get_remote_static (AnyEngine *self)
{
  return self->e2e != NULL ? any_e2e_get_remote_static (self->e2e) : NULL;
}

void
any_engine_set_rekey_interval_for_testing (AnyEngine *self,
                                           guint64    interval)
{
  if (self->e2e != NULL)
    any_e2e_set_rekey_interval_for_testing (self->e2e, interval);
}

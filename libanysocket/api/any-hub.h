/* any-hub.h: relaying between peers that proxy through us (PROTOCOL.md 8)
 *
 * The hub side of proxying: which direct peers are linked, answering
 * PROXY requests, relaying FORWARD frames between linked peers and telling
 * linked peers when one leaves.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "api/any-private.h"

G_BEGIN_DECLS

typedef struct _AnyHub AnyHub;

AnyHub   *any_hub_new            (AnySocket        *socket);
void      any_hub_free           (AnyHub           *self);

/* An INTERNAL PROXY packet from a direct peer (`proxy` or `unproxy`). */
void      any_hub_handle_proxy   (AnyHub           *self,
                                  AnyPeer          *from,
                                  gint32            seq,
                                  JsonObject       *request);
/* A FORWARD frame from @from for another peer. FALSE with @reason when
 * @from broke the rules and must be disconnected. */
gboolean  any_hub_relay          (AnyHub           *self,
                                  AnyPeer          *from,
                                  const guint8     *frame,
                                  gsize             len,
                                  const char       *to_id,
                                  char            **reason);
/* A direct peer left: its links go, linked peers hear of it. */
void      any_hub_peer_gone      (AnyHub           *self,
                                  const char       *id);
gboolean  any_hub_is_linked      (AnyHub           *self,
                                  const char       *a,
                                  const char       *b);

G_END_DECLS

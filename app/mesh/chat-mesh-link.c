/* chat-mesh-link.c: what the rest of the app may ask of a peer's link
 *
 * A ChatPeer carries the AnyPeer of its link, but only the mesh talks to
 * libanysocket: the commands (/whois, /peers, /e2e, /verify) read a
 * link's route, address and fingerprints, and start its E2E switch,
 * through these functions.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

/* The direct peer that relays @peer's proxied link, or NULL when the
 * link is not proxied or that hub is no longer in the model. */
ChatPeer *
chat_mesh_get_link_hub (ChatMesh *mesh,
                        ChatPeer *peer)
{
  AnyPeer *via = peer->link != NULL ? any_peer_get_via (peer->link) : NULL;

  return via != NULL ? chat_model_get_peer (mesh->model, any_peer_get_id (via)) : NULL;
}

/* The remote address of @peer's link, or NULL without one. */
const char *
chat_mesh_get_link_address (ChatMesh *mesh,
                            ChatPeer *peer)
{
  return peer->link != NULL ? any_peer_get_remote_address (peer->link) : NULL;
}

/* @peer's key fingerprint: only a native E2E link proves one, so NULL
 * for any other link. */
char *
chat_mesh_dup_link_fingerprint (ChatMesh *mesh,
                                ChatPeer *peer)
{
  if (peer->link == NULL || any_peer_get_e2e_mode (peer->link) != ANY_E2E_MODE_NATIVE)
    return NULL;
  return any_peer_dup_remote_fingerprint (peer->link);
}

char *
chat_mesh_dup_own_fingerprint (ChatMesh *mesh)
{
  return any_socket_dup_fingerprint (mesh->socket);
}

/* Starts switching @peer's link to E2E; FALSE, doing nothing, when the
 * link is already encrypted (or there is none). */
gboolean
chat_mesh_start_e2e (ChatMesh *mesh,
                     ChatPeer *peer)
{
  if (peer->link == NULL || any_peer_get_e2e_mode (peer->link) != ANY_E2E_MODE_NONE)
    return FALSE;
  any_peer_e2e (peer->link);
  return TRUE;
}

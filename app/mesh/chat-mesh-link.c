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

#include <ifaddrs.h>
#include <netinet/in.h>

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
  if (peer->link == NULL && peer->node_id != NULL)
    return chat_mesh_dup_node_fingerprint (mesh, peer);
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

/* Whether @address is one of this machine's: loopback, "any", or an
 * address of one of its interfaces. */
static gboolean
is_local_address (GInetAddress *address)
{
  struct ifaddrs *list = NULL;
  gboolean local = g_inet_address_get_is_loopback (address) || g_inet_address_get_is_any (address);

  if (local || getifaddrs (&list) != 0)
    return local;
  for (struct ifaddrs *i = list; i != NULL && !local; i = i->ifa_next)
    {
      g_autoptr(GSocketAddress) socket_address = NULL;

      if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
        continue;
      socket_address = g_socket_address_new_from_native (i->ifa_addr, i->ifa_addr->sa_family == AF_INET ?
                                                         sizeof (struct sockaddr_in) :
                                                         sizeof (struct sockaddr_in6));
      local = socket_address != NULL &&
              g_inet_address_equal (address, g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address)));
    }
  freeifaddrs (list);
  return local;
}

/* Whether @uri names this instance: a port it listens on, on one of this
 * machine's addresses (or "localhost"). */
gboolean
chat_mesh_is_own_address (ChatMesh   *mesh,
                          const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GInetAddress) address = NULL;
  gboolean port_is_ours = FALSE;

  if (parsed == NULL || g_uri_get_host (parsed) == NULL || g_uri_get_port (parsed) <= 0)
    return FALSE;
  for (guint i = 0; i < mesh->model->listening->len && !port_is_ours; i++)
    {
      g_autoptr(GUri) own = g_uri_parse (g_ptr_array_index (mesh->model->listening, i), G_URI_FLAGS_NONE, NULL);

      port_is_ours = own != NULL && g_uri_get_port (own) == g_uri_get_port (parsed);
    }
  if (!port_is_ours)
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_host (parsed), "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (g_uri_get_host (parsed));
  return address != NULL && is_local_address (address);
}

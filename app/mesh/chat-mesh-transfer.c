/* chat-mesh-transfer.c: file transfers over the mesh's links
 *
 * The glue between the transfers (chat-transfer.c), which know peers
 * by id, and libanysocket: a file message goes on the peer's link
 * (direct, or proxied through a hub: E2E either way), file messages
 * that come in are handed over, and a link that goes ends its
 * transfers. When anychat moves onto the library's mesh, this file is
 * what changes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chat-transfer.h"
#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

static AnyPeer *
link_of (ChatMesh   *mesh,
         const char *peer_id)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, peer_id);

  return peer != NULL && peer->link != NULL && any_peer_is_connected (peer->link) ? peer->link : NULL;
}

static gboolean
send_file_message (const char *peer_id,
                   JsonNode   *msg,
                   gpointer    data,
                   GError    **error)
{
  AnyPeer *link = link_of (data, peer_id);

  if (link == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("not linked"));
      return FALSE;
    }
  return any_peer_send (link, msg, error);
}

/* A file is private: it goes only where the library encrypts end to
 * end (native or compat), never through a hub in the clear. */
static gboolean
is_protected (const char *peer_id,
              gpointer    data)
{
  AnyPeer *link = link_of (data, peer_id);

  return link != NULL && any_peer_get_e2e_mode (link) != ANY_E2E_MODE_NONE;
}

static const ChatTransferLink mesh_link = {
  .send = send_file_message,
  .is_protected = is_protected,
};

static void
on_message (AnySocket *socket,
            AnyPacket *packet,
            ChatMesh  *mesh)
{
  const char *peer_id = any_peer_get_id (any_packet_get_peer (packet));

  if (chat_transfers_is_file_message (any_packet_get_msg (packet)) &&
      chat_model_get_peer (mesh->model, peer_id) != NULL)
    chat_transfers_receive (mesh->transfers, peer_id, any_packet_get_msg (packet));
}

static void
on_disconnected (AnySocket  *socket,
                 AnyPeer    *link,
                 const char *reason,
                 ChatMesh   *mesh)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, any_peer_get_id (link));

  /* an older link of a peer that has a newer one takes nothing along */
  if (peer == NULL || peer->link == NULL || peer->link == link)
    chat_transfers_peer_gone (mesh->transfers, any_peer_get_id (link));
}

void
chat_mesh_transfers_init (ChatMesh *mesh)
{
  mesh->transfers = chat_transfers_new (mesh->model, &mesh_link, mesh, mesh->config->downloads,
                                        mesh->config->max_file_size);
  g_signal_connect (mesh->socket, "message", G_CALLBACK (on_message), mesh);
  /* before the mesh's own handler forgets the peer: its nick is still known */
  g_signal_connect (mesh->socket, "disconnected", G_CALLBACK (on_disconnected), mesh);
}

ChatTransfers *
chat_mesh_get_transfers (ChatMesh *mesh)
{
  return mesh->transfers;
}

/* any-mesh-signed.c: AnyMesh's publications as signed bytes, to keep
 * and to check again later (a chat's history for a newcomer)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "any-error.h"
#include "api/any-mesh-private.h"
#include "mesh/any-mesh-wire.h"

/* Bytes 0-2 of a PUBLISH packet come before its author's key
 * (docs/protocol.md, "The mesh"). */
#define AUTHOR_OFFSET 3

/* any-mesh-links.c, during AnyMesh::message: the packet delivered. */
void
_any_mesh_set_delivering (AnyMesh              *self,
                          const AnyMeshPublish *pub)
{
  g_clear_pointer (&self->delivering, g_bytes_unref);
  if (pub != NULL)
    self->delivering = g_bytes_new (pub->author - AUTHOR_OFFSET,
                                    (gsize) (pub->sig + ANY_ED25519_SIGNATURE_LEN - (pub->author - AUTHOR_OFFSET)));
}

/**
 * any_mesh_dup_message_signed:
 * @self: an [class@AnySocket.Mesh]
 *
 * In a handler of [signal@AnySocket.Mesh::message]: the message as its
 * author signed it (the whole PUBLISH packet of `docs/protocol.md`),
 * which anyone can check again with [func@AnySocket.Mesh.verify_signed],
 * for example after passing it on to another node. Outside such a
 * handler, %NULL.
 *
 * Returns: (transfer full) (nullable): the signed message, or %NULL
 * Since: 0.2
 */
GBytes *
any_mesh_dup_message_signed (AnyMesh *self)
{
  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  return self->delivering != NULL ? g_bytes_ref (self->delivering) : NULL;
}

/**
 * any_mesh_verify_signed:
 * @signed_msg: a message from [method@AnySocket.Mesh.dup_message_signed]
 * @topic: (out) (optional) (transfer full): its topic
 * @author_id: (out) (optional) (transfer full): its author's node id
 * @author_fingerprint: (out) (optional) (transfer full): the fingerprint of
 *   its author's key
 * @error: return location for a #GError
 *
 * Checks the signature of a published message and reads it: what
 * [signal@AnySocket.Mesh::message] gave for it, from bytes that may have
 * passed through anyone.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with
 *   %ANY_SOCKET_ERROR_PROTOCOL when it is not a signed message whose
 *   signature verifies
 * Since: 0.2
 */
JsonNode *
any_mesh_verify_signed (GBytes  *signed_msg,
                        char   **topic,
                        char   **author_id,
                        char   **author_fingerprint,
                        GError **error)
{
  gsize len = 0;
  const guint8 *data;
  AnyMeshPublish pub;
  g_autoptr(JsonParser) parser = NULL;
  guint8 raw_id[ANY_MESH_NODE_ID_LEN];

  g_return_val_if_fail (signed_msg != NULL, NULL);
  data = g_bytes_get_data (signed_msg, &len);
  if (data == NULL || !any_mesh_publish_read (data, len, &pub) || !any_mesh_publish_verify (data, len))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   _("Not a signed mesh message, or its signature does not verify"));
      return NULL;
    }
  parser = json_parser_new ();
  if (!g_utf8_validate ((const char *) pub.payload, pub.payload_len, NULL) ||
      !json_parser_load_from_data (parser, (const char *) pub.payload, pub.payload_len, NULL) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL, _("The signed message is not JSON"));
      return NULL;
    }
  if (topic != NULL)
    *topic = g_strndup (pub.topic, pub.topic_len);
  any_ed25519_node_id (pub.author, raw_id);
  if (author_id != NULL)
    *author_id = any_ed25519_node_id_hex (raw_id);
  if (author_fingerprint != NULL)
    *author_fingerprint = any_ed25519_fingerprint (pub.author);
  return json_node_copy (json_parser_get_root (parser));
}

/* any-mesh-request.c: AnyMesh's messages and requests to one node
 *
 * Each is a JSON text sealed end to end (mesh/any-mesh-e2e.c):
 * {"t":"m","d":MSG} a message, {"t":"q","r":N,"d":MSG} a request,
 * {"t":"a","r":N,"d":REPLY} its answer, {"t":"x","r":N} "nobody answers".
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "any-error.h"
#include "api/any-mesh-private.h"

typedef struct {
  guint32  number;
  char    *node_id;
  gint64   started_ms;
  gboolean waiting;       /* for a route: the route going away is no failure */
  GSource *timeout;
  GSource *cancelled;     /* a GCancellable source, when cancellable */
} Request;

static void
request_free (gpointer data)
{
  Request *r = data;

  if (r->timeout != NULL)
    {
      g_source_destroy (r->timeout);
      g_source_unref (r->timeout);
    }
  if (r->cancelled != NULL)
    {
      g_source_destroy (r->cancelled);
      g_source_unref (r->cancelled);
    }
  g_free (r->node_id);
  g_free (r);
}

static void
stop_timer (GTask *task)
{
  Request *r = g_task_get_task_data (task);

  if (r->timeout != NULL)
    {
      g_source_destroy (r->timeout);
      g_clear_pointer (&r->timeout, g_source_unref);
    }
  if (r->cancelled != NULL)
    {
      g_source_destroy (r->cancelled);
      g_clear_pointer (&r->cancelled, g_source_unref);
    }
}

/* A message that waits for a route to its node (route-wait): @task, when
 * there is one, is a send_async's (returns when sent) or a request's
 * (@request, its number: fails if no route came in time). */
typedef struct {
  char    *node_id;
  char    *text;
  GTask   *task;
  guint32  request;
  gint64   deadline_ms;
} Waiting;

#define MAX_WAITING 256

static void
waiting_free (Waiting *w)
{
  g_free (w->node_id);
  g_free (w->text);
  g_clear_object (&w->task);
  g_free (w);
}

static gboolean
route_ready (AnyMesh *self, const guint8 *dst)
{
  const AnyMeshRoute *route = any_mesh_core_lookup (self->core, dst);

  return route != NULL && route->next_hop != NULL;
}

static void
no_route_error (AnyMesh *self, const char *node_id, GError **error)
{
  g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
               _("The mesh has no route to %s"), node_id);
}

/* @w could not be sent: its request or send_async fails with @error. */
static void
waiting_fail (AnyMesh *self, Waiting *w, GError *error)
{
  if (w->request != 0)
    {
      g_autoptr(GTask) owned = NULL;

      if (!g_hash_table_steal_extended (self->requests, GUINT_TO_POINTER (w->request), NULL,
                                        (gpointer *) &owned))
        {
          g_error_free (error);
          return;   /* cancelled or timed out meanwhile */
        }
      stop_timer (owned);
      g_task_return_error (owned, error);
    }
  else if (w->task != NULL)
    g_task_return_error (w->task, error);
  else
    {
      g_debug ("Mesh message to %s dropped: %s", w->node_id, error->message);
      g_error_free (error);
    }
}

static void
waiting_send (AnyMesh *self, Waiting *w)
{
  guint8 dst[ANY_MESH_NODE_ID_LEN];
  Request *r = NULL;
  GTask *task;

  if (w->request != 0
      && (task = g_hash_table_lookup (self->requests, GUINT_TO_POINTER (w->request))) != NULL)
    r = g_task_get_task_data (task);
  else if (w->request != 0)
    return;   /* cancelled or timed out meanwhile */
  any_ed25519_node_id_parse (w->node_id, dst);
  if (!any_mesh_e2e_send (self->e2e, dst, (const guint8 *) w->text, strlen (w->text), _any_mesh_now_ms ()))
    {
      waiting_fail (self, w, g_error_new (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                                          _("The message to %s could not be sent"), w->node_id));
      return;
    }
  if (r != NULL)
    {
      r->waiting = FALSE;
      r->started_ms = _any_mesh_now_ms ();
    }
  else if (w->task != NULL)
    g_task_return_boolean (w->task, TRUE);
}

void
_any_mesh_flush_waiting (AnyMesh    *self,
                         const char *node_id)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_free);

  for (GList *l = self->waiting.head, *next; l != NULL; l = next)
    {
      next = l->next;
      if (strcmp (((Waiting *) l->data)->node_id, node_id) == 0)
        {
          g_ptr_array_add (ready, l->data);
          g_queue_delete_link (&self->waiting, l);
        }
    }
  for (guint i = 0; i < ready->len; i++)
    waiting_send (self, g_ptr_array_index (ready, i));
}

void
_any_mesh_expire_waiting (AnyMesh  *self,
                          gint64    now_ms,
                          gboolean  all)
{
  Waiting *w;

  while ((w = g_queue_peek_head (&self->waiting)) != NULL && (all || w->deadline_ms <= now_ms))
    {
      g_queue_pop_head (&self->waiting);
      waiting_fail (self, w, g_error_new (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                                          all ? _("The mesh was destroyed")
                                              : _("The mesh found no route to %s within %u ms"),
                                          w->node_id, self->route_wait));
      waiting_free (w);
    }
}

/* Seals @object to @node_id, or (when @may_wait and route-wait allows)
 * keeps it until a route comes: *@waits says so. */
static gboolean
seal_json_full (AnyMesh    *self,
                const char *node_id,
                JsonObject *object,
                gboolean    may_wait,
                GTask      *task,
                guint32     request,
                gboolean   *waits,
                GError    **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  guint8 dst[ANY_MESH_NODE_ID_LEN];
  Waiting *w;

  *waits = FALSE;
  if (!any_ed25519_node_id_parse (node_id, dst)
      || (!may_wait && !g_hash_table_contains (self->nodes, node_id)))
    {
      no_route_error (self, node_id, error);
      return FALSE;
    }
  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  if (strlen (text) + ANY_MESH_DATA_HEADER_LEN + 8 + ANY_NOISE_TAG_LEN > self->limits.max_message_size)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG,
                   _("The message is over the mesh's max-message-size"));
      return FALSE;
    }
  if (!route_ready (self, dst))
    {
      if (self->route_wait == 0)
        {
          no_route_error (self, node_id, error);
          return FALSE;
        }
      if (self->waiting.length >= MAX_WAITING)
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                       _("Too many mesh messages wait for a route"));
          return FALSE;
        }
      w = g_new0 (Waiting, 1);
      w->node_id = g_strdup (node_id);
      w->text = g_steal_pointer (&text);
      w->task = task != NULL ? g_object_ref (task) : NULL;
      w->request = request;
      w->deadline_ms = _any_mesh_now_ms () + self->route_wait;
      g_queue_push_tail (&self->waiting, w);
      *waits = TRUE;
      return TRUE;
    }
  if (!any_mesh_e2e_send (self->e2e, dst, (const guint8 *) text, strlen (text), _any_mesh_now_ms ()))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                   _("The message to %s could not be sent"), node_id);
      return FALSE;
    }
  return TRUE;
}

/* A known node's route may be re-learned: wait for it; no new node. */
static gboolean
seal_json (AnyMesh    *self,
           const char *node_id,
           JsonObject *object,
           GError    **error)
{
  gboolean waits;

  return seal_json_full (self, node_id, object, FALSE, NULL, 0, &waits, error);
}

gboolean
_any_mesh_seal_now (AnyMesh    *self,
                    const char *node_id,
                    JsonObject *object)
{
  guint8 dst[ANY_MESH_NODE_ID_LEN];
  g_autoptr(GError) error = NULL;

  if (!any_ed25519_node_id_parse (node_id, dst) || !route_ready (self, dst))
    return FALSE;
  return seal_json (self, node_id, object, &error);
}

/**
 * any_mesh_send:
 * @self: an [class@AnySocket.Mesh]
 * @node_id: the id of a reachable node
 * @msg: the message, any JSON value
 * @error: return location for a #GError
 *
 * Sends @msg to the node @node_id, over any number of hops, end-to-end
 * encrypted and authenticated: the relays see only its routing header.
 * The node gets it through [signal@AnySocket.Mesh::node-message]. The
 * first message to a node waits for the end-to-end handshake; a message
 * to a known node whose route is being re-learned waits for the route for
 * up to [property@AnySocket.Mesh:route-wait] (it is dropped if none comes:
 * [method@AnySocket.Mesh.send_async] reports that). Delivery is not
 * confirmed: use [method@AnySocket.Mesh.request_async] for that.
 *
 * Returns: %TRUE if it was sent (or queued for the handshake or the
 *   route); %FALSE with %ANY_SOCKET_ERROR_DISCONNECTED when there is no
 *   route
 * Since: 0.2
 */
gboolean
any_mesh_send (AnyMesh    *self,
               const char *node_id,
               JsonNode   *msg,
               GError    **error)
{
  g_autoptr(JsonObject) object = json_object_new ();

  g_return_val_if_fail (ANY_IS_MESH (self), FALSE);
  g_return_val_if_fail (node_id != NULL, FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);
  json_object_set_string_member (object, "t", "m");
  json_object_set_member (object, "d", json_node_copy (msg));
  return seal_json (self, node_id, object, error);
}

/**
 * any_mesh_send_async:
 * @self: an [class@AnySocket.Mesh]
 * @node_id: a node id
 * @msg: the message, any JSON value
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called when it was sent
 *   or could not be
 * @user_data: data for @callback
 *
 * Sends @msg to the node @node_id like [method@AnySocket.Mesh.send], but
 * when there is no route to the node yet (a node not yet announced, or
 * one whose route is being re-learned after a link went down) it waits
 * for one up to [property@AnySocket.Mesh:route-wait] and reports whether
 * the message could be sent.
 *
 * Since: 0.2
 */
void
any_mesh_send_async (AnyMesh             *self,
                     const char          *node_id,
                     JsonNode            *msg,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  gboolean waits;

  g_return_if_fail (ANY_IS_MESH (self));
  g_return_if_fail (node_id != NULL);
  g_return_if_fail (msg != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, any_mesh_send_async);
  json_object_set_string_member (object, "t", "m");
  json_object_set_member (object, "d", json_node_copy (msg));
  if (!seal_json_full (self, node_id, object, TRUE, task, 0, &waits, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!waits)
    g_task_return_boolean (task, TRUE);
}

/**
 * any_mesh_send_finish:
 * @self: an [class@AnySocket.Mesh]
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@AnySocket.Mesh.send_async].
 *
 * Returns: %TRUE if the message was sent (or queued for the end-to-end
 *   handshake); %FALSE with %ANY_SOCKET_ERROR_DISCONNECTED when no route
 *   came within [property@AnySocket.Mesh:route-wait]
 * Since: 0.2
 */
gboolean
any_mesh_send_finish (AnyMesh       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
on_request_timeout (gpointer user_data)
{
  GTask *task = user_data;
  AnyMesh *self = g_task_get_source_object (task);
  Request *r = g_task_get_task_data (task);
  g_autoptr(GTask) owned = NULL;

  g_clear_pointer (&r->timeout, g_source_unref);
  if (r->cancelled != NULL)
    {
      g_source_destroy (r->cancelled);
      g_clear_pointer (&r->cancelled, g_source_unref);
    }
  g_hash_table_steal_extended (self->requests, GUINT_TO_POINTER (r->number), NULL, (gpointer *) &owned);
  g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT,
                           _("No reply from %s in time"), r->node_id);
  return G_SOURCE_REMOVE;
}

/* The caller cancelled: the request ends at once (a reply that comes
 * later is dropped). */
static gboolean
on_request_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  AnyMesh *self = g_task_get_source_object (task);
  Request *r = g_task_get_task_data (task);
  g_autoptr(GTask) owned = NULL;

  g_hash_table_steal_extended (self->requests, GUINT_TO_POINTER (r->number), NULL, (gpointer *) &owned);
  g_clear_pointer (&r->cancelled, g_source_unref);
  if (r->timeout != NULL)
    {
      g_source_destroy (r->timeout);
      g_clear_pointer (&r->timeout, g_source_unref);
    }
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

/**
 * any_mesh_request_async:
 * @self: an [class@AnySocket.Mesh]
 * @node_id: the id of a reachable node
 * @msg: the request, any JSON value
 * @timeout_ms: how long to wait for the reply; 0 for
 *   [property@AnySocket.Mesh:request-timeout]
 * @cancellable: (nullable): a `GCancellable`
 * @callback: (scope async) (closure user_data): called with the reply
 * @user_data: data for @callback
 *
 * Sends @msg to the node @node_id end to end, like
 * [method@AnySocket.Mesh.send], as a request that a handler of its
 * [signal@AnySocket.Mesh::request] answers. The round trip updates the
 * node's [property@AnySocket.MeshNode:lag]. Without a route to the node
 * (unknown yet, or its route being re-learned) the request waits for one
 * up to [property@AnySocket.Mesh:route-wait], then fails with
 * %ANY_SOCKET_ERROR_DISCONNECTED. Cancelling @cancellable ends it at once
 * with `G_IO_ERROR_CANCELLED`.
 *
 * Since: 0.2
 */
void
any_mesh_request_async (AnyMesh             *self,
                        const char          *node_id,
                        JsonNode            *msg,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  Request *r;

  g_return_if_fail (ANY_IS_MESH (self));
  g_return_if_fail (node_id != NULL);
  g_return_if_fail (msg != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, any_mesh_request_async);
  r = g_new0 (Request, 1);
  r->number = ++self->next_request;
  r->node_id = g_strdup (node_id);
  r->started_ms = _any_mesh_now_ms ();
  g_task_set_task_data (task, r, request_free);

  json_object_set_string_member (object, "t", "q");
  json_object_set_int_member (object, "r", r->number);
  json_object_set_member (object, "d", json_node_copy (msg));
  if (!seal_json_full (self, node_id, object, TRUE, NULL, r->number, &r->waiting, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  r->timeout = g_timeout_source_new (timeout_ms != 0 ? timeout_ms : self->request_timeout);
  g_source_set_callback (r->timeout, on_request_timeout, task, NULL);
  g_source_set_static_name (r->timeout, "[anysocket] mesh request timeout");
  g_source_attach (r->timeout, g_main_context_get_thread_default ());
  if (cancellable != NULL)
    {
      r->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (r->cancelled, G_SOURCE_FUNC (on_request_cancelled), task, NULL);
      g_source_set_static_name (r->cancelled, "[anysocket] mesh request cancelled");
      g_source_attach (r->cancelled, g_main_context_get_thread_default ());
    }
  g_hash_table_insert (self->requests, GUINT_TO_POINTER (r->number), g_steal_pointer (&task));
}

/**
 * any_mesh_request_finish:
 * @self: an [class@AnySocket.Mesh]
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@AnySocket.Mesh.request_async].
 *
 * Returns: (transfer full): the reply; %NULL with
 *   %ANY_SOCKET_ERROR_TIMEOUT, %ANY_SOCKET_ERROR_DISCONNECTED (no route, or
 *   the route went away), or %ANY_SOCKET_ERROR_FAILED (nobody answered)
 * Since: 0.2
 */
JsonNode *
any_mesh_request_finish (AnyMesh       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Fails the requests to @node_id (all of them for NULL). */
void
_any_mesh_fail_requests (AnyMesh    *self,
                         const char *node_id,
                         const char *reason)
{
  GHashTableIter iter;
  GTask *task;
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &task))
    {
      Request *r = g_task_get_task_data (task);

      if (node_id == NULL || (g_strcmp0 (r->node_id, node_id) == 0 && !r->waiting))
        {
          g_ptr_array_add (failed, task);
          g_hash_table_iter_steal (&iter);
        }
    }
  for (guint i = 0; i < failed->len; i++)
    stop_timer (g_ptr_array_index (failed, i));
  for (guint i = 0; i < failed->len; i++)
    g_task_return_new_error (g_ptr_array_index (failed, i), ANY_SOCKET_ERROR,
                             ANY_SOCKET_ERROR_DISCONNECTED, "%s", reason);
}

static void
answer (AnyMesh     *self,
        AnyMeshNode *node,
        gint64       number,
        JsonNode    *msg)
{
  g_autoptr(JsonNode) reply = _any_mesh_emit_request (self, node, msg);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (object, "t", reply != NULL ? "a" : "x");
  json_object_set_int_member (object, "r", number);
  if (reply != NULL)
    json_object_set_member (object, "d", g_steal_pointer (&reply));
  if (!seal_json (self, any_mesh_node_get_id (node), object, &error))
    g_debug ("Mesh reply not sent: %s", error->message);
}

static void
take_reply (AnyMesh     *self,
            AnyMeshNode *node,
            gint64       number,
            JsonNode    *reply)
{
  g_autoptr(GTask) task = NULL;
  Request *r;

  if (number <= 0 || number > G_MAXUINT32)
    return;
  task = g_hash_table_lookup (self->requests, GUINT_TO_POINTER ((guint32) number));
  if (task == NULL)
    return;
  r = g_task_get_task_data (task);
  if (g_strcmp0 (r->node_id, any_mesh_node_get_id (node)) != 0)
    {
      task = NULL;   /* another node cannot answer for it */
      return;
    }
  g_object_ref (task);
  stop_timer (task);
  g_hash_table_remove (self->requests, GUINT_TO_POINTER ((guint32) number));
  _any_mesh_node_set_lag (node, (int) MIN (_any_mesh_now_ms () - r->started_ms, G_MAXINT));
  if (reply != NULL)
    g_task_return_pointer (task, json_node_copy (reply), (GDestroyNotify) json_node_unref);
  else
    g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_FAILED,
                             _("%s has no handler for the request"), r->node_id);
}

/* AnyMeshE2eCallbacks.deliver: an authenticated plaintext from @src. */
void
_any_mesh_deliver (gpointer      user_data,
                   const guint8 *src,
                   const guint8 *plain,
                   gsize         len)
{
  AnyMesh *self = user_data;
  g_autofree char *id = any_ed25519_node_id_hex (src);
  AnyMeshNode *node = g_hash_table_lookup (self->nodes, id);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(AnyMeshNode) hold = NULL;
  JsonObject *object;
  const char *type;
  JsonNode *data;
  gint64 number;

  if (node == NULL)
    return;
  if (!g_utf8_validate ((const char *) plain, len, NULL)
      || !json_parser_load_from_data (parser, (const char *) plain, len, NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      self->bad_json++;
      return;
    }
  hold = g_object_ref (node);
  object = json_node_get_object (json_parser_get_root (parser));
  type = json_object_get_string_member_with_default (object, "t", "");
  data = json_object_get_member (object, "d");
  number = json_object_get_int_member_with_default (object, "r", 0);
  if (strcmp (type, "m") == 0 && data != NULL)
    _any_mesh_emit_node_message (self, node, data);
  else if (strcmp (type, "q") == 0 && data != NULL)
    answer (self, node, number, data);
  else if (strcmp (type, "a") == 0 && data != NULL)
    take_reply (self, node, number, data);
  else if (strcmp (type, "x") == 0)
    take_reply (self, node, number, NULL);
  else if (strcmp (type, "p") == 0 || strcmp (type, "o") == 0)
    _any_mesh_take_ping (self, node, object, type[0] == 'o');
  else
    self->bad_json++;
}

/* AnyMeshE2eCallbacks.verified: a handshake with @id completed. */
void
_any_mesh_verified (gpointer      user_data,
                    const guint8 *id,
                    int           rtt_ms)
{
  AnyMesh *self = user_data;
  g_autofree char *hex = any_ed25519_node_id_hex (id);
  AnyMeshNode *node = g_hash_table_lookup (self->nodes, hex);

  if (node == NULL)
    return;
  _any_mesh_node_set_verified (node, TRUE);
  if (rtt_ms >= 0)
    _any_mesh_node_set_lag (node, rtt_ms);
}

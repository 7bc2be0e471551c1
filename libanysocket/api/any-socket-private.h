/* any-socket-private.h: AnySocket's private API (tests, fuzzing, and its
 * proxying half, any-socket-proxy.c)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-socket.h"
#include "api/any-hub.h"
#include "crypto/any-noise.h"
#include "codec/any-codec.h"
#include "transport/any-transport.h"
#include "transport/any-ws-dial.h"

G_BEGIN_DECLS

/* The mesh: any-socket.c for any-mesh.c. @packet gets every LINK
 * message of a peer that speaks the mesh: TRUE if it was a mesh packet. */
typedef struct {
  gboolean (*packet) (gpointer  mesh,
                      AnyPeer  *peer,
                      JsonNode *data);
  /* A link that speaks the mesh since a probe (made before the mesh, or
   * proxied): a neighbour now. */
  void     (*ready)  (gpointer  mesh,
                      AnyPeer  *peer);
} AnySocketMeshHost;
void       _any_socket_set_mesh          (AnySocket  *self,
                                          const AnySocketMeshHost *host,
                                          gpointer    mesh);
AnyNoiseKeypair *_any_socket_get_identity (AnySocket *self);

/* Tests and fuzzing */
void       _any_socket_set_id_for_testing (AnySocket *self,
                                          const char *id);
void       _any_socket_drop_identity_for_testing (AnySocket *self);
void       _any_socket_set_legacy_e2e_caps_for_testing (AnySocket *self);
void       _any_socket_accept_transport  (AnySocket  *self,
                                          AnyTransport *transport);
void       _any_socket_connect_transport (AnySocket  *self,
                                          AnyTransport *transport,
                                          GAsyncReadyCallback callback,
                                          gpointer    user_data);

/* The web side: any-socket.c for any-socket-http.c (api/any-socket-http.h;
 * declared here, not included: that file includes this one) */
typedef struct _AnySocketHttp AnySocketHttp;
AnySocketHttp *_any_socket_get_http      (AnySocket  *self);
typedef struct _AnySocketTls AnySocketTls;
AnySocketTls *_any_socket_get_tls        (AnySocket  *self);
AnyWsDial *_any_socket_get_dial          (AnySocket  *self);
/* Connecting, with extra headers for the upgrade request (NAME, VALUE...,
 * NULL-terminated; NULL for none): any-connect-options.c */
void       _any_socket_connect_uri       (AnySocket  *self,
                                          const char *uri,
                                          const char * const *headers,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer    user_data);

/* Proxying: any-socket.c for any-socket-proxy.c */
AnyPeer   *_any_socket_add_proxied_peer  (AnySocket  *self,
                                          AnyPeer    *via,
                                          const char *peer_id);

/* Proxying: any-socket-proxy.c for any-socket.c */
void       _any_proxy_send_unproxy  (AnyPeer        *via,
                                     const char     *peer_id);
void       _any_proxy_handle_network (AnyPeer       *hub,
                                     JsonObject     *msg);
AnyTransport *_any_proxy_transport_new (AnyPeer     *via,
                                     const char     *local_id,
                                     const char     *remote_id);
void       _any_proxy_close_via     (AnySocket      *self,
                                     AnyPeer        *hub,
                                     const char     *reason);
void       _any_proxy_forward       (AnySocket      *self,
                                     AnyHub         *hub,
                                     AnyPeer        *from,
                                     const guint8   *frame,
                                     gsize           len,
                                     const AnyForward *forward);
AnyHub    *_any_proxy_hub_new       (AnySocket      *socket);

/* Links: any-socket.c for any-socket-links.c */
void       _any_socket_announce_peer (AnySocket     *self,
                                     AnyPeer        *peer,
                                     GTask          *task);
void       _any_socket_retire_peer  (AnySocket      *self,
                                     AnyPeer        *peer,
                                     const char     *reason);
AnyHub    *_any_socket_get_hub      (AnySocket      *self);
typedef struct _AnyLinks AnyLinks;
/* Reconnecting connects: any-socket.c for any-socket-reconnect.c (the
 * array belongs to the socket, its items to themselves) */
GPtrArray *_any_socket_get_reconnects (AnySocket    *self);
void       _any_reconnects_stop     (GPtrArray      *reconnects);
void       _any_socket_reconnect_class_init (GObjectClass *klass);
AnyLinks  *_any_socket_get_links    (AnySocket      *self);

/* Links: any-socket-links.c for any-socket.c. A direct link to an id we
 * reach through a hub waits (not in the peer table) until the other side
 * accepted it, then takes over. */

AnyLinks  *_any_links_new           (AnySocket      *socket);
void       _any_links_free          (AnyLinks       *self);
void       _any_links_stop          (AnyLinks       *self);
gboolean   _any_links_is_pending    (AnyLinks       *self,
                                     const char     *id);
void       _any_links_hold          (AnyLinks       *self,
                                     AnyPeer        *direct,
                                     AnyPeer        *proxied,
                                     GTask          *task);
void       _any_links_seen          (AnyLinks       *self,
                                     AnyPeer        *peer);
gboolean   _any_links_internal      (AnyLinks       *self,
                                     AnyPeer        *peer,
                                     JsonNode       *data);
void       _any_links_answered      (AnyLinks       *self,
                                     AnyPeer        *peer);
void       _any_links_peer_gone     (AnyLinks       *self,
                                     AnyPeer        *peer,
                                     const char     *reason);
/* Whether @direct takes over from a proxied peer with fences. */
gboolean   _any_links_will_fence    (AnyLinks       *self,
                                     AnyPeer        *direct);
/* The proxied peer a direct link replaced, still draining, or NULL. */
AnyPeer   *_any_links_get_retiring  (AnyLinks       *self,
                                     const char     *id);

/* The object, for its files: any-socket.c (the class, listening and
 * connecting), any-socket-host.c (what its peers report),
 * any-socket-identity.c, any-socket-properties.c */
#define SOCKET_DEFAULT_REPLY_TIMEOUT         30000
#define SOCKET_DEFAULT_HEARTBEAT_INTERVAL    5000
#define SOCKET_DEFAULT_AUTH_TIMEOUT          5000
#define SOCKET_DEFAULT_MAX_MESSAGE_SIZE      (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define SOCKET_DEFAULT_MAX_SEND_BUFFER       (G_GUINT64_CONSTANT (256) * 1024 * 1024)
#define SOCKET_DEFAULT_MAX_PARTIAL_MESSAGES  16
#define SOCKET_DEFAULT_E2E_TIMEOUT           5000
#define SOCKET_DEFAULT_MAX_CONNECTIONS       10000
#define SOCKET_DEFAULT_TCP_KEEPALIVE         30

struct _AnySocket
{
  GObject       parent_instance;

  char         *id;
  GMainContext *context;

  guint         reply_timeout;
  guint         heartbeat_interval;
  guint         auth_timeout;
  guint64       max_message_size;
  guint64       max_send_buffer;
  guint         max_partial_messages;
  JsonNode     *auth_data;
  gboolean      permessage_deflate;
  guint         e2e_timeout;
  AnyE2ePolicy  e2e_policy;
  gboolean      legacy_e2e_caps;  /* tests: _any_socket_set_legacy_e2e_caps_for_testing() */
  guint         max_connections;
  guint         tcp_keepalive;   /* idle seconds, 0: off */

  AnyNoiseKeypair *identity;     /* the static key of native E2E */
  const AnySocketMeshHost *mesh_host; /* set by an AnyMesh over this socket */
  gpointer      mesh;
  GHashTable   *pins;            /* peer id -> fingerprint */

  AnyWsDial    *dial;            /* listening and connecting */

  GHashTable   *peers;           /* id -> AnyPeer, authenticated or proxied */
  guint         n_proxied;       /* of them proxied: none on a plain hub, whose
                                  * peers' departures then skip the walk
                                  * for peers reached through them */
  GHashTable   *unauthenticated; /* AnyPeer -> GTask of connect_async or NULL */
  AnyHub       *hub;             /* peers that proxy through us */
  AnyLinks     *links;           /* direct links taking over proxied ones */
  AnySocketHttp *http;           /* subprotocols, plain HTTP (any-socket-http.c) */
  GPtrArray    *reconnects;      /* connects that dial again (any-socket-reconnect.c) */
  AnySocketTls *tls;             /* wss:// (any-socket-tls.c) */
};

enum {
  SOCKET_SIGNAL_CONNECTED,
  SOCKET_SIGNAL_MESSAGE,
  SOCKET_SIGNAL_HEARTBEAT,
  SOCKET_SIGNAL_DISCONNECTED,
  SOCKET_SIGNAL_E2E,
  SOCKET_SIGNAL_RPC,
  SOCKET_SIGNAL_AUTHENTICATE,
  SOCKET_SIGNAL_AUTHENTICATE_PEER,
  SOCKET_SIGNAL_VERIFY_PEER,
  SOCKET_SIGNAL_PROXY_REQUEST,
  SOCKET_SIGNAL_UNTRUSTED,
  SOCKET_N_SIGNALS
};
extern guint _any_socket_signals[SOCKET_N_SIGNALS];

/* any-socket-host.c for any-socket.c */
extern const AnyWsDialHost _any_socket_dial_host;
/* any-socket-properties.c for any-socket.c */
void       _any_socket_properties_class_init (GObjectClass *object_class);

G_END_DECLS

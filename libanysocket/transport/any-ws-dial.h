/* any-ws-dial.h: WebSocket links from URIs: listening and connecting
 *
 * What AnySocket needs of the WebSocket transport, behind one object
 * that owns the server, the libsoup session and the connects in flight:
 * it parses `ws://` URIs, listens, connects, and hands every new link
 * upward as an AnyTransport. No libsoup type crosses this header.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include "transport/any-transport.h"
#include "transport/any-http-exchange.h"

G_BEGIN_DECLS

typedef struct _AnyWsDial AnyWsDial;

typedef struct {
  gboolean permessage_deflate;  /* offer or accept the extension */
  guint    upgrade_timeout_ms;  /* for the upgrade of an accepted link; 0: none */
  guint    connect_timeout_ms;  /* for a connect's TCP connection and upgrade */
  guint    max_connections;     /* accepted links open at once; 0: no limit */
  const char * const *ws_protocols; /* subprotocols offered or accepted; NULL: none offered, any accepted */
  GTlsCertificate *tls_certificate; /* wss:// listening (borrowed); NULL: cannot */
  GTlsDatabase    *tls_database;    /* wss:// connecting: trusted CAs (borrowed); NULL: the system's */
} AnyWsDialConfig;

/* What the dialler needs from its owner (the socket), handed to it at
 * construction. */
typedef struct {
  /* A new link: accepted (@connect_task NULL) or made for
   * any_ws_dial_connect() (its task, not yet returned). */
  void (*link)   (gpointer         host,
                  AnyTransport    *transport,
                  GTask           *connect_task);
  /* The settings as they are now: read when they are used. */
  void (*config) (gpointer         host,
                  AnyWsDialConfig *config);
  /* A plain HTTP request on a listening port: ref @exchange to answer
   * it later. */
  void (*http)   (gpointer         host,
                  AnyHttpExchange *exchange);
} AnyWsDialHost;

AnyWsDial *any_ws_dial_new     (const AnyWsDialHost   *host,
                                gpointer               host_data);
/* Drops the server, the session and the connects' cancellable without
 * stopping them (the socket's dispose); the dialler stays usable. */
void       any_ws_dial_clear   (AnyWsDial             *self);
void       any_ws_dial_free    (AnyWsDial             *self);

/* Listens on @uri (`ws://HOST:PORT`, `wss://HOST:PORT` with a
 * certificate, `tcp://HOST:PORT` or `unix:///PATH`; HOST resolved if needed): returns
 * the bound port to @task (g_task_return_int()), or an error. Uses the
 * task's cancellable and task data. */
void       any_ws_dial_listen  (AnyWsDial             *self,
                                const char            *uri,
                                GTask                 *task);
/* Connects to @uri (`ws://`, `wss://`, `tcp://` or `unix://`): the link goes to the host's
 * link callback with @task, an error to @task. @headers (NAME, VALUE...,
 * NULL-terminated, checked by the caller; may be NULL) go into the
 * upgrade request. Uses the task's cancellable and task data. */
void       any_ws_dial_connect (AnyWsDial             *self,
                                const char            *uri,
                                const char * const    *headers,
                                GTask                 *task);
/* Stops listening, aborts the session and cancels connects in flight;
 * links already handed up are not touched. */
void       any_ws_dial_stop    (AnyWsDial             *self);
void       any_ws_dial_set_max_connections (AnyWsDial *self,
                                guint                  max_connections);
/* The listening server's accepted subprotocols, changed. */
void       any_ws_dial_set_protocols (AnyWsDial       *self,
                                const char * const    *protocols);
/* Connects made from now on use a new session (permessage-deflate changed). */
void       any_ws_dial_reset_session (AnyWsDial       *self);

/* Once per process: drops libsoup's debug messages unless asked for. */
void       any_ws_dial_quiet_libsoup_debug (void);

G_END_DECLS

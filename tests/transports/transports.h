/* transports.h: what the files of the transports suite share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "loopback.h"
#include "api/any-socket-private.h"
#include "test-cert.h"

typedef enum {
  KIND_WS,
  KIND_WSS,
  KIND_TCP,
  KIND_UNIX,
  N_KINDS
} Kind;

extern const char *kind_names[N_KINDS];
/* Made once, in main(); NULL: no openssl, the wss cases skip. */
extern TestCert *cert;
extern char *cert_skip_reason;

/* The certificate and the trust @kind needs. */
void       prepare           (AnySocket  *socket,
                              Kind        kind);
/* A socket prepared for @kind that answers each request {"echo": request}. */
AnySocket *new_socket        (Kind        kind);
/* Listens on a fresh address of @kind; the URI to connect to. @dir: the
 * temporary directory of a unix socket (remove_dir()), else NULL. */
char      *listen_kind       (AnySocket  *socket,
                              Kind        kind,
                              char      **dir);
AnyPeer   *connect_uri       (AnySocket  *socket,
                              const char *uri,
                              GError    **error);
void       remove_dir        (char       *dir);
/* TRUE (and the test skipped) for wss:// without openssl. */
gboolean   skip_without_cert (Kind        kind);

/* test-transports-hostile.c */
void       add_hostile_tests (void);

/* fuzz-link.h: what the fuzz targets of the whole stack share: a socket
 * under test with an RPC handler and a permissive hub, and its links on
 * fake transports
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "anysocket.h"
#include "api/any-socket-private.h"
#include "codec/any-codec.h"
#include "protocol/any-caps.h"
#include "fake-transport.h"

G_BEGIN_DECLS

#define FUZZ_ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FUZZ_ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define FUZZ_ID_US "0123456789abcdef0123456789abcdef"   /* fixed: inputs can address us */
#define FUZZ_MAX_MESSAGE (64 * 1024)
/* An input is cut into frames at each 0xFF byte (never part of UTF-8). */
#define FUZZ_CUT 0xFF
#define FUZZ_MAX_FRAMES 256

/* Once per process: a critical or a warning is a bug, as a crash is. */
void           fuzz_link_init          (void);
/* The socket under test: id FUZZ_ID_US, RPC echo ("fail.now" fails),
 * every proxy request allowed. */
AnySocket     *fuzz_link_socket_new    (void);
/* Runs what is ready on the main context (a bounded number of times). */
void           fuzz_link_pump          (void);
/* Delivers @auth (JSON text) as one AUTH chunk from the peer. */
void           fuzz_link_deliver_auth  (FakeTransport *transport,
                                        const char    *auth);
/* A link accepted by @socket; @authenticate: the peer @id sends its AUTH
 * (as a libanysocket peer that can do native E2E) first. */
FakeTransport *fuzz_link_accept        (AnySocket     *socket,
                                        const char    *id,
                                        gboolean       authenticate);
/* FUZZ_VERBOSE=1: what the link sent back, to see what an input reached. */
void           fuzz_link_report        (FakeTransport *transport,
                                        const char    *name);

G_END_DECLS

/* any-upgrade-request.h: what an accepted link's WebSocket upgrade request
 * said (path, query, headers, cookies), in plain GLib types
 *
 * The listening side copies it out of libsoup's message when the upgrade
 * is done (any-ws-server.c) and hands it up with the transport
 * (any_transport_get_upgrade_request()); AnyPeer reads it for the
 * application (api/any-peer-request.c). Values that are not UTF-8 are
 * kept with U+FFFD in place of their bad bytes, so that every string
 * given out is valid for GObject introspection.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AnyUpgradeRequest AnyUpgradeRequest;

AnyUpgradeRequest *any_upgrade_request_new        (const char        *path,
                                                   const char        *query);
AnyUpgradeRequest *any_upgrade_request_ref        (AnyUpgradeRequest *self);
void               any_upgrade_request_unref      (AnyUpgradeRequest *self);

/* A header as received; a repeated one is joined to the first with ", "
 * (RFC 9110 5.3), a repeated Cookie with "; " (RFC 6265 5.4). */
void               any_upgrade_request_add_header (AnyUpgradeRequest *self,
                                                   const char        *name,
                                                   const char        *value);

const char        *any_upgrade_request_get_path   (AnyUpgradeRequest *self);
const char        *any_upgrade_request_get_query  (AnyUpgradeRequest *self);
/* @name in any case; NULL when absent. */
const char        *any_upgrade_request_get_header (AnyUpgradeRequest *self,
                                                   const char        *name);
/* The header names in the order they first came (as sent). */
char             **any_upgrade_request_dup_header_names (AnyUpgradeRequest *self);
/* The value of the first cookie called @name (case-sensitive) in the
 * Cookie header, NULL when there is none (see the .c file for the
 * syntax it accepts). Valid as long as @self. */
const char        *any_upgrade_request_get_cookie (AnyUpgradeRequest *self,
                                                   const char        *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyUpgradeRequest, any_upgrade_request_unref)

G_END_DECLS

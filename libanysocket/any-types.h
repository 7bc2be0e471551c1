/* any-types.h: forward declarations shared by the public headers
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _AnySocket AnySocket;
typedef struct _AnyPeer   AnyPeer;
typedef struct _AnyPacket AnyPacket;

G_END_DECLS

/* anysocket.h: the only header to include
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#define ANYSOCKET_INSIDE
# include "any-version.h"
# include "any-error.h"
# include "any-enum-types.h"
# include "any-types.h"
# include "any-packet.h"
# include "any-peer.h"
# include "any-peer-reply.h"
# include "any-rpc-call.h"
# include "any-http-request.h"
# include "any-connect-options.h"
# include "any-socket.h"
# include "any-mesh-node.h"
# include "any-mesh.h"
#undef ANYSOCKET_INSIDE

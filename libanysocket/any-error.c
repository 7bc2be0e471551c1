/* any-error.c: the ANY_SOCKET_ERROR and ANY_RPC_ERROR domains
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "anysocket.h"

G_DEFINE_QUARK (any-socket-error-quark, any_socket_error)
G_DEFINE_QUARK (any-rpc-error-quark, any_rpc_error)

/* any-error.c: the ANY_SOCKET_ERROR and ANY_RPC_ERROR domains
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-error.h"

/**
 * any_socket_error_quark:
 *
 * The quark of the %ANY_SOCKET_ERROR domain; use %ANY_SOCKET_ERROR.
 *
 * Returns: the error domain's quark
 */
G_DEFINE_QUARK (any-socket-error-quark, any_socket_error)

/**
 * any_rpc_error_quark:
 *
 * The quark of the %ANY_RPC_ERROR domain; use %ANY_RPC_ERROR.
 *
 * Returns: the error domain's quark
 */
G_DEFINE_QUARK (any-rpc-error-quark, any_rpc_error)

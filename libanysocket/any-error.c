/* any-error.c: the ANY_SOCKET_ERROR domain
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "anysocket.h"

G_DEFINE_QUARK (any-socket-error-quark, any_socket_error)

/* any-version.h: export macro and version of libanysocket
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <glib.h>

/**
 * ANY_MAJOR_VERSION:
 *
 * The major version of the libanysocket headers compiled against.
 */
#define ANY_MAJOR_VERSION 0

/**
 * ANY_MINOR_VERSION:
 *
 * The minor version of the libanysocket headers compiled against.
 */
#define ANY_MINOR_VERSION 1

/**
 * ANY_MICRO_VERSION:
 *
 * The micro version of the libanysocket headers compiled against.
 */
#define ANY_MICRO_VERSION 0

/* Symbols are hidden by default (-fvisibility=hidden); only what carries
 * this macro is part of the ABI. */
#if defined(_WIN32)
# define _ANY_EXTERN __declspec(dllexport) extern
#else
# define _ANY_EXTERN __attribute__((visibility ("default"))) extern
#endif

#define ANY_AVAILABLE_IN_ALL _ANY_EXTERN

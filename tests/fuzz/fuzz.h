/* fuzz.h: the one entry point of every fuzz target (libFuzzer's)
 *
 * Each target is built twice: with clang's -fsanitize=fuzzer when the
 * `fuzzing` option is on, and always with fuzz-driver.c, which replays
 * the target's corpus (tests/fuzz/corpus/NAME) as a meson test so that
 * every input that once found a bug stays fixed.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

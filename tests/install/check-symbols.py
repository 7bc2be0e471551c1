#!/usr/bin/env python3
# check-symbols.py: the exported ABI of libanysocket only grows
#
# SPDX-License-Identifier: MIT
#
#   check-symbols.py LIBRARY.so SYMBOLS_FILE
#
# Compares the symbols the shared library exports (nm -D --defined-only)
# with the committed list (libanysocket/libanysocket.symbols, one name a
# line, sorted). A listed symbol that is gone breaks every program linked
# against an earlier release: that fails. A new symbol fails too, until it
# is added to the list, so the list stays the record of the ABI (and a
# symbol exported by mistake, without ANY_AVAILABLE_IN_*, is seen in
# review). Prints TAP.
#
# Why a list and not a linker version script: symbols are already hidden
# by default and exported by the ANY_AVAILABLE_IN_* macros; a version
# script would be a second export list to keep in step, and tagging the
# 0.1 symbols with a version node now would change what programs built
# against 0.1 link to.

import subprocess
import sys


def exported(library):
    out = subprocess.run(['nm', '-D', '--defined-only', library],
                         capture_output=True, text=True, check=True).stdout
    # "ADDRESS TYPE NAME"; every exported kind (text, data, read-only).
    return {line.split()[2] for line in out.splitlines() if len(line.split()) == 3}


def main():
    library, symbols_file = sys.argv[1:3]
    with open(symbols_file, encoding='utf-8') as f:
        listed = {line.strip() for line in f if line.strip() and not line.startswith('#')}
    have = exported(library)
    missing = sorted(listed - have)
    added = sorted(have - listed)

    print('TAP version 13')
    print('1..2')
    if missing:
        print('not ok 1 - no listed symbol is gone (an ABI break)')
        for name in missing:
            print(f'# gone: {name}')
        print('# Removing or renaming an exported function breaks programs built against')
        print('# an earlier release: keep it (deprecate it with ANY_DEPRECATED_IN_x_y_FOR).')
    else:
        print(f'ok 1 - the {len(listed)} listed symbols are all exported')
    if added:
        print('not ok 2 - every exported symbol is in the list')
        for name in added:
            print(f'# new: {name}')
        print('# New API: mark it ANY_AVAILABLE_IN_<this minor version>, then record it with')
        print(f"#   nm -D --defined-only {library} | awk 'NF == 3 {{print $3}}' | sort > {symbols_file}")
    else:
        print(f'ok 2 - no symbol exported beyond the list ({len(have)} exported)')
    return 1 if missing or added else 0


if __name__ == '__main__':
    sys.exit(main())

#!/bin/bash
# test-install.sh: a third party builds against the installed library
#
#   test-install.sh BUILDDIR PREFIX LIBDIR INCLUDEDIR DATADIR SOURCE HEADER...
#
# Installs BUILDDIR into a temporary DESTDIR (meson install --destdir),
# checks that every public HEADER landed in INCLUDEDIR/libanysocket-1,
# then compiles and links SOURCE with nothing but the flags of the
# installed libanysocket-1.pc (its prefix moved into the DESTDIR) and runs
# it against the installed shared library. CC, MESON and SRCDIR (the
# source tree, which the flags must not mention) come from the
# environment. Prints TAP.
set -uo pipefail

builddir=$1 prefix=$2 libdir=$3 includedir=$4 datadir=$5 source=$6
shift 6
headers=("$@")

source "$(dirname "$0")/../common/tap.sh"
source "$(dirname "$0")/destdir.sh"

begin_install_tap 9

licence=$root$(abs "$datadir")/doc/libanysocket-1/LICENSE
cmp -s "$licence" "$SRCDIR/LICENSE"
ok $? "the licence is installed with the docs" "$licence"

incdir=$root$(abs "$includedir")/libanysocket-1
missing=()
for h in "${headers[@]}"; do
  [ -f "$incdir/$h" ] || missing+=("$h")
done
ok ${#missing[@]} "the ${#headers[@]} public headers are installed" "missing in $incdir: ${missing[*]}"

# The installed .pc with its prefix moved into the DESTDIR. Every other
# path in the file must follow from ${prefix}: the next check sees it.
pcfile=$root$(abs "$libdir")/pkgconfig/libanysocket-1.pc
pc_into_destdir "$libdir"
pkg () { PKG_CONFIG_PATH=$tmp/pkgconfig pkg-config "$@" libanysocket-1; }
grep -q "^prefix=$root$prefix\$" "$tmp/pkgconfig/libanysocket-1.pc" &&
  cflags=$(pkg --cflags 2>&1) && libs=$(pkg --libs 2>&1)
ok $? "pkg-config reads the installed libanysocket-1.pc" "$pcfile: $cflags $libs"

# The flags must lead into the install, not back into the source or build tree.
case " $cflags $libs " in
  *" -I$incdir "*" -L$root"*) leak=0 ;;
  *) leak=1 ;;
esac
case " $cflags $libs " in
  *"$builddir"*|*"$SRCDIR"*) leak=1 ;;
esac
ok $leak "the pkg-config flags point into the DESTDIR" "cflags: $cflags
libs: $libs"

# The headers must build warning-free in a stricter program than ours.
# shellcheck disable=SC2086 # the flags are word lists
out=$($CC -Wall -Wextra -Wno-unused-parameter -Werror -o "$tmp/third-party" "$source" $cflags $libs 2>&1)
ok $? "third-party.c compiles and links with <anysocket.h> and the pkg-config flags" "$out"

# A program that pins the 0.1 API (ANY_VERSION_MAX_ALLOWED) is warned
# about 0.2 API (json-glib's and GLib's availability macros).
cat >"$tmp/pinned.c" <<'PINNED'
#define ANY_VERSION_MIN_REQUIRED ANY_ENCODE_VERSION (0, 1)
#define ANY_VERSION_MAX_ALLOWED ANY_ENCODE_VERSION (0, 1)
#include <anysocket.h>
int main (void) {
  g_object_unref (any_socket_new ());
  return (int) any_get_minor_version ();
}
PINNED
# shellcheck disable=SC2086 # the flags are word lists
out=$($CC -Werror=deprecated-declarations -c -o "$tmp/pinned.o" "$tmp/pinned.c" $cflags 2>&1)
status=$?
case $status:$out in
  0:*|*"any_socket_new"*) status=1 ;;
  *"any_get_minor_version"*"Not available before 0.2"*) status=0 ;;
esac
ok $status "ANY_VERSION_MAX_ALLOWED 0.1 warns about 0.2 API, and only about it" "$out"

LD_LIBRARY_PATH=$root$(abs "$libdir")
export LD_LIBRARY_PATH
resolved=$(ldd "$tmp/third-party" 2>&1 | grep libanysocket-1)
case $resolved in
  *"=> $root"*) status=0 ;;
  *) status=1 ;;
esac
ok $status "it runs against the installed libanysocket-1.so.0" "$resolved"

out=$(timeout 60 "$tmp/third-party" 2>&1)
status=$?
ok $status "it listens, connects, asks and gets the reply" "$out"
[ $status -eq 0 ] && echo "# $out"

[ $failed -eq 0 ]

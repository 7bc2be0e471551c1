#!/bin/bash
# test-bindings.sh: third parties in Vala and Python against the install
#
#   test-bindings.sh BUILDDIR PREFIX LIBDIR DATADIR PYTHONDIR VALA_SOURCE PY_SOURCE
#
# Installs BUILDDIR into a temporary DESTDIR, builds VALA_SOURCE with
# valac --pkg libanysocket-1 and nothing but the installed .vapi, .deps and
# .pc, runs it against the installed library, then runs PY_SOURCE with
# /usr/bin/python3 and PYTHONPATH (PYTHONDIR: where the override went),
# GI_TYPELIB_PATH and LD_LIBRARY_PATH leading into the DESTDIR. VALAC (may
# be empty: the Vala cases skip), PYTHON, CC and MESON come from the
# environment. Prints TAP.
set -uo pipefail

builddir=$1 prefix=$2 libdir=$3 datadir=$4 pythondir=$5 vala_source=$6 py_source=$7

source "$(dirname "$0")/../common/tap.sh"
source "$(dirname "$0")/destdir.sh"

begin_install_tap 6

libroot=$root$(abs "$libdir")
export LD_LIBRARY_PATH=$libroot
export GI_TYPELIB_PATH=$libroot/girepository-1.0
export PYTHONPATH=$root$pythondir
export PYTHONDONTWRITEBYTECODE=1

vapidir=$root$(abs "$datadir")/vala/vapi
if [ -z "${VALAC:-}" ]; then
  for i in 1 2 3; do echo "ok $((n + i)) # SKIP valac or the .vapi (-Dvapi) is missing"; done
  n=$((n + 3))
else
  [ -f "$vapidir/libanysocket-1.vapi" ] && grep -qx 'json-glib-1.0' "$vapidir/libanysocket-1.deps"
  ok $? "libanysocket-1.vapi and .deps are installed" "$(ls -l "$vapidir" 2>&1)"

  pc_into_destdir "$libdir"
  # valac runs pkg-config for the C flags and $CC for the C compiler.
  out=$(cd "$tmp" && PKG_CONFIG_PATH=$tmp/pkgconfig $VALAC --vapidir="$vapidir" --pkg libanysocket-1 \
        -X -w -o "$tmp/third-party-vala" "$vala_source" 2>&1)
  ok $? "third-party.vala builds with valac --pkg libanysocket-1" "$out"

  out=$(timeout 60 "$tmp/third-party-vala" 2>&1)
  status=$?
  ok $status "the Vala program listens, connects, asks with yield and gets the reply" "$out"
  [ $status -eq 0 ] && echo "# $out"
fi

[ -f "$root$pythondir/gi/overrides/AnySocket.py" ]
ok $? "the PyGObject override is installed into gi/overrides" "$root$pythondir"

out=$(timeout 60 "$PYTHON" "$py_source" "$root" 2>&1)
status=$?
ok $status "a Python program awaits the installed library through the installed override" "$out"
[ $status -eq 0 ] && echo "# $out"

[ $failed -eq 0 ]

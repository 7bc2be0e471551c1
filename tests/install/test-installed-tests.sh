#!/bin/bash
# test-installed-tests.sh: -Dinstalled_tests=true installs tests that pass
#
#   test-installed-tests.sh BUILDDIR PREFIX LIBDIR LIBEXECDIR DATADIR PYTHONDIR NAME...
#
# Installs BUILDDIR into a temporary DESTDIR and checks that each NAME has
# its .test file in DATADIR/installed-tests/libanysocket-1 (Type=session,
# an Exec line whose programs are installed). The .test files name the
# final paths, which do not exist yet: copies with the DESTDIR put in
# front of LIBEXECDIR and DATADIR are run by gnome-desktop-testing-runner
# (or, without it, each Exec line in turn), with LD_LIBRARY_PATH,
# GI_TYPELIB_PATH and PYTHONPATH leading into the DESTDIR. MESON comes
# from the environment. Prints TAP.
set -uo pipefail

builddir=$1 prefix=$2 libdir=$3 libexecdir=$4 datadir=$5 pythondir=$6
shift 6
names=("$@")

source "$(dirname "$0")/../common/tap.sh"
source "$(dirname "$0")/destdir.sh"

begin_install_tap 4

execdir=$(abs "$libexecdir")/installed-tests/libanysocket-1
metadir=$(abs "$datadir")/installed-tests/libanysocket-1
bad=()
for name in "${names[@]}"; do
  file=$root$metadir/$name.test
  grep -qx 'Type=session' "$file" 2>/dev/null && grep -q "^Exec=.*$execdir/" "$file" || bad+=("$name")
done
ok ${#bad[@]} "the ${#names[@]} .test files are installed (Type=session, Exec= into $execdir)" \
  "missing or wrong: ${bad[*]}"

# Every installed path an Exec line names exists in the DESTDIR.
missing=()
for path in $(grep -h '^Exec=' "$root$metadir"/*.test | grep -o "$execdir/[^ ]*\|$(abs "$datadir")/gjs-1.0/[^ ]*" | sort -u); do
  [ -f "$root$path" ] || missing+=("$path")
done
ok ${#missing[@]} "what the Exec lines run is installed" "missing: ${missing[*]}"

libroot=$root$(abs "$libdir")
export LD_LIBRARY_PATH=$libroot
export GI_TYPELIB_PATH=$libroot/girepository-1.0
export PYTHONPATH=$root$pythondir
export PYTHONDONTWRITEBYTECODE=1

staged=$tmp/staged/installed-tests/libanysocket-1
mkdir -p "$staged"
for file in "$root$metadir"/*.test; do
  sed "s|$execdir|$root$execdir|g; s|$(abs "$datadir")/gjs-1.0|$root$(abs "$datadir")/gjs-1.0|g" \
    "$file" >"$staged/$(basename "$file")"
done
if command -v gnome-desktop-testing-runner >/dev/null; then
  how="gnome-desktop-testing-runner"
  out=$(gnome-desktop-testing-runner --parallel=1 --timeout=120 -d "$tmp/staged" libanysocket-1 2>&1)
  status=$?
else
  how="each Exec line (no gnome-desktop-testing-runner)"
  status=0 out=""
  for file in "$staged"/*.test; do
    exec_line=$(sed -n 's/^Exec=//p' "$file")
    # shellcheck disable=SC2086 # the Exec line is a word list
    if ! res=$(timeout 120 $exec_line 2>&1); then
      status=1
      out+="FAIL $(basename "$file"): $res"$'\n'
    fi
  done
fi
ok $status "the installed tests pass against the DESTDIR ($how)" "$out"
[ $status -eq 0 ] && echo "# $(grep '^SUMMARY' <<<"$out" || echo "${#names[@]} .test files")"

[ $failed -eq 0 ]

# destdir.sh: what the install tests share (source it)
#
# Source it after tests/common/tap.sh, with builddir, prefix and MESON
# set. Gives a temporary folder $tmp
# (removed on exit) with the DESTDIR $root, abs (an install path as meson
# computes it from an option), install_destdir (meson install into $root;
# prints its output), begin_install_tap PLAN (the TAP header, then
# install_destdir as test 1) and pc_into_destdir LIBDIR (a copy of the installed
# libanysocket-1.pc in $tmp/pkgconfig with its prefix moved into $root, as
# a staging build does; pkg-config --define-variable=prefix would move the
# prefix of glib-2.0 and the other required packages too).

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

abs () { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }

# --no-rebuild: meson test has just built everything, and a ninja run
# here would race with the other tests.
install_destdir () {
  "$MESON" install -C "$builddir" --no-rebuild --quiet --destdir "$root" 2>&1
}

pc_into_destdir () {
  local pcfile
  pcfile=$root$(abs "$1")/pkgconfig/libanysocket-1.pc
  mkdir -p "$tmp/pkgconfig"
  sed "s|^prefix=.*|prefix=$root$prefix|" "$pcfile" >"$tmp/pkgconfig/libanysocket-1.pc"
}

# The TAP header for $1 tests, and the install as the first.
begin_install_tap () {
  local out
  echo "TAP version 13"
  echo "1..$1"
  out=$(install_destdir)
  ok $? "meson install --destdir" "$out"
}

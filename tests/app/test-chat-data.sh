#!/bin/bash
# test-chat-data.sh: anychat's data files and translations
#
#   test-chat-data.sh SRCDIR BUILDDIR PREFIX DATADIR MANDIR LOCALEDIR
#
# The desktop entry passes desktop-file-validate, the metainfo
# appstreamcli validate --no-net, the man page groff without warnings;
# the example config is read by anychat; French is complete and shows in
# `anychat --help`; POTFILES.in names every app file with strings; and
# `meson install` puts all of it in place. ANYCHAT and MESON come from
# the environment. Prints TAP.
set -uo pipefail

srcdir=$1 builddir=$2 prefix=$3 datadir=$4 mandir=$5 localedir=$6
app_id=io.github.anysocket.anychat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source "$(dirname "$0")/../common/tap.sh"

skip () {
  n=$((n + 1))
  echo "ok $n - # SKIP $1"
}

abs () { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }

echo "TAP version 13"
echo "1..8"

if command -v desktop-file-validate >/dev/null; then
  out=$(desktop-file-validate "$builddir/data/$app_id.desktop" 2>&1)
  [ -z "$out" ] && grep -q '^Terminal=true$' "$builddir/data/$app_id.desktop"
  ok $? "the desktop entry passes desktop-file-validate and says Terminal=true" "$out"
else
  skip "desktop-file-validate is not installed (desktop-file-utils)"
fi

if command -v appstreamcli >/dev/null; then
  out=$(appstreamcli validate --no-net "$builddir/data/$app_id.metainfo.xml" 2>&1)
  ok $? "the metainfo passes appstreamcli validate --no-net" "$out"
else
  skip "appstreamcli is not installed (appstream)"
fi

if command -v groff >/dev/null; then
  out=$(groff -man -ww -z "$srcdir/data/anychat.1" 2>&1)
  [ -z "$out" ] && grep -qF 'no\-listen' "$srcdir/data/anychat.1"
  ok $? "the man page formats without a warning and documents the options" "$out"
else
  skip "groff is not installed"
fi

# Read by anychat: with no terminal it stops right after the config and
# the identity, with exactly that complaint.
mkdir -p "$tmp/home"
out=$(HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/config XDG_DATA_HOME=$tmp/home/data LANGUAGE= LC_ALL=C.UTF-8 \
      "$ANYCHAT" --config "$srcdir/data/anychat.conf.example" --no-listen </dev/null 2>&1)
[ "$out" = "anychat: anychat needs a terminal" ]
ok $? "anychat reads the example config (valid keys and URIs)" "$out"

# complete for the strings of today's sources, not only for its own
grep -v '^#' "$srcdir/po/POTFILES.in" | grep . >"$tmp/potfiles"
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=g_dngettext:2,3 \
         -D "$srcdir" -f "$tmp/potfiles" -o "$tmp/fresh.pot" 2>"$tmp/xgettext.log"
msgmerge --quiet --no-fuzzy-matching -o "$tmp/fr.po" "$srcdir/po/fr.po" "$tmp/fresh.pot" 2>>"$tmp/xgettext.log"
stats=$(msgfmt --check --statistics -o /dev/null "$tmp/fr.po" 2>&1)
case $stats in *untranslated*|*fuzzy*) false ;; *translated*) true ;; *) false ;; esac
ok $? "fr.po translates every string of the sources ($stats)" "$stats
$(cat "$tmp/xgettext.log")"

out=$(ANYCHAT_LOCALEDIR=$builddir/po LC_ALL=C.UTF-8 LANGUAGE=fr "$ANYCHAT" --help 2>&1)
grep -q "Se connecter à URI" <<<"$out" && grep -q "messagerie pair à pair" <<<"$out"
ok $? "LANGUAGE=fr anychat --help is in French" "$out"

missing=""
for f in $(cd "$srcdir" && grep -l -E '\b(N?_|g_dngettext) ?\(' app/*.c app/*/*.c libanysocket/*.c libanysocket/*/*.c); do
  grep -qx "$f" "$srcdir/po/POTFILES.in" || missing="$missing $f"
done
[ -z "$missing" ]
ok $? "POTFILES.in lists every app and library file with translatable strings" "missing:$missing"

"$MESON" install -C "$builddir" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1
root=$tmp/root
wanted=(
  "$(abs "$datadir")/applications/$app_id.desktop"
  "$(abs "$datadir")/metainfo/$app_id.metainfo.xml"
  "$(abs "$mandir")/man1/anychat.1"
  "$(abs "$datadir")/doc/anychat/anychat.conf.example"
  "$(abs "$localedir")/fr/LC_MESSAGES/anysocket.mo"
  "$prefix/bin/anychat"
)
absent=""
for f in "${wanted[@]}"; do [ -f "$root$f" ] || absent="$absent $f"; done
[ -z "$absent" ]
ok $? "meson install puts the binary, desktop entry, metainfo, man page, example config and French catalogue in place" \
   "absent:$absent
$(cat "$tmp/install.log")"

[ "$failed" -eq 0 ]

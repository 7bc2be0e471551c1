#!/usr/bin/env bash
# ws-load-smoke.sh: a short run of ws-load (the lean load generator of
# run-bench.sh's N x 1 rows) against each server, so that it cannot rot
# (meson test --suite bench).
#
#   ws-load-smoke.sh BINDIR SRCDIR [NODE]
#
# BINDIR holds ws-load, bench-server and ws-echo-server; SRCDIR is
# tests/bench (js-server.js, node_modules). With NODE and npm anysocket in
# SRCDIR/node_modules, js-server.js is driven too; otherwise that case is
# skipped and says so. Each case: 1 x 1, then 3 x 4 (--inflight), both
# with errors=0 (every reply matched to its request's seq, none missing,
# none twice: ws-load checks) and a reply count above 0. Then ws-load
# must catch a wrong id: --proto=wire against the echo server gets its
# requests back with +seq where a reply carries -seq, and must fail.
#
# Bounded: every ws-load run has --max-time, each server --timeout.
#
# SPDX-License-Identifier: MIT
set -u -o pipefail

BIN=$1 SRC=$2 NODE=${3:-}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ws-load-smoke.XXXXXX")
declare -A PID PORT
cleanup() {
    for s in "${!PID[@]}"; do kill "${PID[$s]}" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

start() {   # start NAME COMMAND...: its first stdout line is its port
    local s=$1; shift
    "$@" --timeout 120 > "$WORK/$s.out" 2> "$WORK/$s.err" &
    PID[$s]=$!
    for _ in $(seq 100); do
        PORT[$s]=$(head -n1 "$WORK/$s.out" 2>/dev/null)
        [ -n "${PORT[$s]}" ] && return 0
        sleep 0.1
    done
    echo "not ok: server $s did not start"; cat "$WORK/$s.err"
    exit 1
}

FAILED=0
run() {   # run SERVER PROTO CONNS INFLIGHT
    local s=$1 proto=$2 out
    out=$("$BIN/ws-load" --proto "$proto" --port "${PORT[$s]}" --server-pid "${PID[$s]}" \
          --conns "$3" --inflight "$4" --warmup 0.2 --duration 0.5 --max-time 30 2> "$WORK/err")
    local rc=$? line
    line=$(grep '^RESULT' <<< "$out")
    if [ $rc -eq 0 ] && [[ " $line " == *" errors=0 "* ]] && [[ " $line " != *" count=0 "* ]] \
       && [[ " $line " == *" count="* ]]; then
        echo "ok: $s $proto $3 x $4: $line"
    else
        echo "not ok: $s $proto $3 x $4 (exit $rc): $line"; cat "$WORK/err"
        FAILED=1
    fi
}

start any "$BIN/bench-server"
start ws "$BIN/ws-echo-server"
CASES=("any wire" "ws ws")
if [ -n "$NODE" ] && [ -f "$SRC/node_modules/anysocket/package.json" ]; then
    start js "$NODE" "$SRC/js-server.js"
    CASES+=("js wire")
else
    echo "skipped: js-server.js (no node or no npm anysocket in $SRC/node_modules)"
fi
for c in "${CASES[@]}"; do
    read -r s proto <<< "$c"
    run "$s" "$proto" 1 1
    run "$s" "$proto" 3 4
done

# A reply to the wrong id must be caught.
out=$("$BIN/ws-load" --proto wire --port "${PORT[ws]}" --conns 1 --warmup 0.1 --duration 0.3 --max-time 30 2>&1)
if [ $? -ne 0 ] && grep -q "a reply with seq" <<< "$out"; then
    echo "ok: a reply to the wrong seq is an error"
else
    echo "not ok: a reply to the wrong seq went unnoticed: $out"
    FAILED=1
fi
exit $FAILED

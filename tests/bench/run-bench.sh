#!/usr/bin/env bash
# run-bench.sh: the libanysocket benchmark, printed as Markdown for README.
#
#   tests/bench/run-bench.sh BUILDDIR [--deflate] [--quick]
#
# Builds nothing: BUILDDIR must hold tests/bench/{any-bench,bench-server,
# ws-echo-server} (`meson setup BUILDDIR --buildtype=release && ninja -C
# BUILDDIR`). Installs npm anysocket@0.4.29 into tests/bench/node_modules
# with `npm ci` when it is missing.
#
# Three servers on 127.0.0.1, each on port 0 (the port is the first line
# each prints): (a) bench-server (libanysocket), (b) js-server.js (npm
# anysocket 0.4.29 on node), (c) ws-echo-server (bare libsoup WebSocket,
# the ceiling of the transport). One load generator, any-bench, drives
# them all with the same raw libsoup client: AnySocket frames written by
# hand for (a) and (b) (--proto=wire), frames of the same size for (c)
# (--proto=ws), so that the client costs the same against each server and
# the servers are what is compared. (a) is also driven by the libanysocket
# client (--proto=any: "libanysocket, our client"), library to library.
# Every configuration runs against the servers in turn, BENCH_REPEAT
# times, and the run with the median rate is reported. Idle memory is
# measured on fresh servers.
#
# With two or more CPUs the servers run on CPU 1 and the load generator on
# CPU 0 (taskset), so each side has a core of its own; BENCH_PIN=0 turns
# that off.
#
# --deflate asks every side to offer and accept permessage-deflate (the
# default, and what the README reports, is off); the deflate column tells
# what was actually negotiated. --quick: 1 repeat, 2 s runs, 200
# idle connections (a smoke test; not for README).
#
# Environment: BENCH_DURATION (5 s), BENCH_WARMUP (1 s), BENCH_REPEAT (3),
# BENCH_IDLE_CONNS (1000), BENCH_PIN (1).
#
# Everything is bounded: each any-bench run gives up by itself (--max-time),
# each server exits by itself after BENCH_SERVER_TIMEOUT (3600 s), and the
# servers are killed on exit.
#
# SPDX-License-Identifier: MIT
set -u -o pipefail

usage() { echo "usage: $0 BUILDDIR [--deflate] [--quick]" >&2; exit 2; }
[ $# -ge 1 ] || usage
BUILDDIR=$(cd "$1" 2>/dev/null && pwd) || { echo "no such build dir: $1" >&2; exit 2; }
shift
DEFLATE=()
QUICK=0
for arg in "$@"; do
    case "$arg" in
        --deflate) DEFLATE=(--deflate) ;;
        --quick) QUICK=1 ;;
        *) usage ;;
    esac
done

SRCDIR=$(cd "$(dirname "$0")" && pwd)
BIN="$BUILDDIR/tests/bench"
DURATION=${BENCH_DURATION:-5}
WARMUP=${BENCH_WARMUP:-1}
REPEAT=${BENCH_REPEAT:-3}
IDLE_CONNS=${BENCH_IDLE_CONNS:-1000}
PIN=${BENCH_PIN:-1}
SERVER_TIMEOUT=${BENCH_SERVER_TIMEOUT:-3600}
if [ "$QUICK" = 1 ]; then
    DURATION=2; WARMUP=0.5; REPEAT=1; IDLE_CONNS=200
fi

for exe in any-bench bench-server ws-echo-server; do
    [ -x "$BIN/$exe" ] || { echo "missing $BIN/$exe: build first (ninja -C $BUILDDIR)" >&2; exit 2; }
done
QUIET_WAIT=${BENCH_QUIET_WAIT:-30}
server_command() {
    case $1 in
        any) CMD=("$BIN/bench-server" --timeout "$SERVER_TIMEOUT" "${DEFLATE[@]}") ;;
        js)  CMD=(node "$SRCDIR/js-server.js" --timeout "$SERVER_TIMEOUT" "${DEFLATE[@]}") ;;
        ws)  CMD=("$BIN/ws-echo-server" --timeout "$SERVER_TIMEOUT" "${DEFLATE[@]}") ;;
    esac
}
. "$SRCDIR/bench-lib.sh"
bench_need_npm

# 1,000 idle connections: a socket each on both sides, plus the rest.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNS * 2 + 256)) ]; then
    echo "warning: ulimit -n is $(ulimit -n), too low for $IDLE_CONNS connections" >&2
fi

# What is run: a server process and the client driving it. "anyc" is the
# libanysocket server driven by the libanysocket client.
SERVERS=(any anyc js ws)
PROCS=(any js ws)
declare -A NAME=([any]="libanysocket" [anyc]="libanysocket, our client" [js]="JS anysocket 0.4.29" [ws]="bare libsoup ws")
declare -A PROC=([any]=any [anyc]=any [js]=js [ws]=ws)
declare -A CLIENT=([any]=wire [anyc]=any [js]=wire [ws]=ws)

LINE=
bench() {   # bench SERVER ARGS... -> the RESULT line in $LINE
    local s=${PROC[$1]} proto=${CLIENT[$1]}; shift
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then
        echo "  (server $s is gone: started again)" >&2
        start_server "$s"
    fi
    wait_quiet
    "${CLIENT_CPU[@]}" "$BIN/any-bench" --proto "$proto" --port "${PORT[$s]}" \
        --server-pid "${PID[$s]}" "${DEFLATE[@]}" "$@" 2>> "$WORK/bench.err" | grep '^RESULT' | tail -n1 > "$WORK/line"
    LINE=$(cat "$WORK/line")
}

# Spoiled runs (other processes took more than BENCH_OTHERS_MAX % of a
# CPU) are run again, up to BENCH_RETRIES more times (bench-lib.sh).
OTHERS_MAX=${BENCH_OTHERS_MAX:-5}
RETRIES=${BENCH_RETRIES:-3}
bench_clean() { clean_run bench "$@"; }

# The configurations: label, mode, connections, in flight per connection.
CONFIGS=(
    "req 1 conn x 1 in flight|req|1|1"
    "req 1 conn x 64 in flight|req|1|64"
    "req 100 conns x 1 in flight|req|100|1"
    "fire-and-forget 1 conn, window 256|msg|1|256"
)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Running the benchmark ($REPEAT x ${DURATION}s per configuration and server; load average: $LOAD_BEFORE)" >&2
for s in "${PROCS[@]}"; do start_server "$s"; done

declare -A RESULT
for c in "${!CONFIGS[@]}"; do
    IFS='|' read -r label mode conns inflight <<< "${CONFIGS[$c]}"
    for s in "${SERVERS[@]}"; do : > "$WORK/r.$c.$s"; done
    for rep in $(seq "$REPEAT"); do
        for s in "${SERVERS[@]}"; do
            bench_clean "$s" --mode "$mode" --conns "$conns" --inflight "$inflight" \
                        --duration "$DURATION" --warmup "$WARMUP"
            line=$LINE
            echo "  $label / ${NAME[$s]} #$rep: ${line:-failed}" >&2
            [ -n "$line" ] && [ -n "$(field "$line" rate)" ] && echo "$line" >> "$WORK/r.$c.$s"
        done
    done
    for s in "${SERVERS[@]}"; do
        n=$(wc -l < "$WORK/r.$c.$s")
        if [ "$n" -gt 0 ]; then
            # The run with the median rate.
            RESULT[$c.$s]=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^rate=/) { split($i, a, "="); print a[2] "\t" $0 } }' "$WORK/r.$c.$s" \
                            | sort -n | sed -n "$(( (n + 1) / 2 ))p" | cut -f2-)
        fi
    done
done
for s in "${PROCS[@]}"; do stop_server "$s"; done

declare -A IDLE
for s in "${PROCS[@]}"; do
    start_server "$s"
    sleep 0.5
    bench "$s" --mode idle --conns "$IDLE_CONNS" --settle 2 --duration 1 --max-time 120
    line=$LINE
    echo "  idle $IDLE_CONNS / ${NAME[$s]}: ${line:-failed}" >&2
    IDLE[$s]=$line
    stop_server "$s"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Formatting
num()   { awk -v x="$1" -v f="$2" 'BEGIN { if (x == "") print "n/a"; else printf f, x }'; }
get()   { field "${RESULT[$1]:-}" "$2"; }
ms()    { awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else printf "%.2f", x / 1000 }'; }

echo
echo "Loopback, $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), Linux $(uname -r);"
echo "node $(node --version), libsoup $(pkg-config --modversion libsoup-3.0 2>/dev/null || echo '?'), json-glib $(pkg-config --modversion json-glib-1.0 2>/dev/null || echo '?');"
echo "${DURATION} s measured after ${WARMUP} s warm-up, median of $REPEAT runs;"
echo "servers pinned to CPU 1, load generator to CPU 0: $([ ${#SERVER_CPU[@]} -gt 0 ] && echo yes || echo no);"
echo "load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER; runs started while other processes were busy: $BUSY_RUNS; kept runs in which others took more than ${OTHERS_MAX}% of a CPU: $SPOILED_RUNS."
echo
echo "| configuration | server | req/s | p50 ms | p99 ms | vs JS | vs bare ws | server CPU µs/req | of it kernel | CPU/req vs JS | server CPU % | client CPU % | deflate |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for c in "${!CONFIGS[@]}"; do
    IFS='|' read -r label mode conns inflight <<< "${CONFIGS[$c]}"
    for s in "${SERVERS[@]}"; do
        if [ -z "${RESULT[$c.$s]:-}" ]; then
            echo "| $label | ${NAME[$s]} | failed | | | | | | | | | | |"
            continue
        fi
        rate=$(get "$c.$s" rate)
        vs_js=$(ratio "$rate" "$(get "$c.js" rate)")
        vs_ws=$(ratio "$rate" "$(get "$c.ws" rate)")
        cpu=$(get "$c.$s" srv_cpu_us_per_op)
        cpu_js=$(ratio "$cpu" "$(get "$c.js" srv_cpu_us_per_op)")
        [ "$s" = ws ] && { vs_js="—"; cpu_js="—"; }
        echo "| $label | ${NAME[$s]} | $(num "$rate" %.0f) | $(ms "$(get "$c.$s" p50_us)") | $(ms "$(get "$c.$s" p99_us)") | $vs_js | $vs_ws | $(num "$cpu" %.1f) | $(get "$c.$s" srv_sys_pct)% | $cpu_js | $(get "$c.$s" srv_cpu_pct) | $(get "$c.$s" cli_cpu_pct) | $(get "$c.$s" deflate) |"
    done
done

echo
echo "| idle connections | server | RSS before (KiB) | RSS after (KiB) | per connection (KiB) | deflate |"
echo "| ---: | --- | ---: | ---: | ---: | --- |"
for s in "${PROCS[@]}"; do
    l=${IDLE[$s]}
    echo "| $IDLE_CONNS | ${NAME[$s]} | $(field "$l" rss_before_kib) | $(field "$l" rss_after_kib) | $(num "$(field "$l" kib_per_conn)" %.1f) | $(field "$l" deflate) |"
done

# Goals
c64=1   # index of "1 conn x 64 in flight"
goal() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "" || v == "n/a") print "n/a"; else if ((op == ">=" && v + 0 >= t) || (op == "<=" && v + 0 <= t) || (op == "<" && v + 0 < t)) print "met"; else print "**not met**" }'; }
r_ws=$(ratio "$(get "$c64.any" rate)" "$(get "$c64.ws" rate)")
r_js=$(ratio "$(get "$c64.any" rate)" "$(get "$c64.js" rate)")
r_cpu=$(ratio "$(get "$c64.any" srv_cpu_us_per_op)" "$(get "$c64.js" srv_cpu_us_per_op)")
kib=$(field "${IDLE[any]}" kib_per_conn)
echo
echo "| goal (1 conn x 64 in flight; idle: $IDLE_CONNS connections) | measured | |"
echo "| --- | ---: | --- |"
echo "| libanysocket req/s >= 80% of bare libsoup ws | $(awk -v r="$r_ws" 'BEGIN { if (r == "n/a") print r; else printf "%.0f%%", r * 100 }') | $(goal "$r_ws" ">=" 0.8) |"
echo "| libanysocket req/s >= 2x JS anysocket | ${r_js}x | $(goal "$r_js" ">=" 2) |"
# When the load generator saturates first, req/s understates the server:
# the same two goals at equal server CPU (requests per CPU-second).
c_ws=$(ratio "$(get "$c64.ws" srv_cpu_us_per_op)" "$(get "$c64.any" srv_cpu_us_per_op)")
c_js=$(ratio "$(get "$c64.js" srv_cpu_us_per_op)" "$(get "$c64.any" srv_cpu_us_per_op)")
echo "| (same, at equal server CPU) requests per CPU-second >= 80% of bare libsoup ws | $(awk -v r="$c_ws" 'BEGIN { if (r == "n/a") print r; else printf "%.0f%%", r * 100 }') | $(goal "$c_ws" ">=" 0.8) |"
echo "| (same, at equal server CPU) requests per CPU-second >= 2x JS anysocket | ${c_js}x | $(goal "$c_js" ">=" 2) |"
echo "| libanysocket server CPU per request <= 1/3 of JS | $(awk -v r="$r_cpu" 'BEGIN { if (r == "n/a") print r; else printf "%.2f", r }') | $(goal "$r_cpu" "<=" 0.3334) |"
echo "| libanysocket idle connection < 16 KiB RSS (JS ~53 KiB) | $(num "$kib" %.1f) KiB | $(goal "$kib" "<" 16) |"
echo
echo "req/s: replies (or messages sent back) per second at the load generator; p50/p99: send to reply."
echo "vs JS, vs bare ws: req/s ratios. Server CPU µs/req: utime+stime of the server process"
echo "(/proc/PID/stat) over the measured window divided by the requests; kernel: its system-time share."
echo "Server/client CPU %: of one core; a side at ~100% is the bottleneck. The load generator is the"
echo "same raw libsoup client for every server (AnySocket frames written by hand for libanysocket and JS,"
echo "frames of the same size for the bare server), except \"libanysocket, our client\": the libanysocket"
echo "client against the libanysocket server, library to library. deflate: permessage-deflate negotiated"
echo "(for the libanysocket client, seen through a probe handshake made like its own). Idle: server VmRSS"
echo "growth over $IDLE_CONNS connections, measured after one connection is already open."

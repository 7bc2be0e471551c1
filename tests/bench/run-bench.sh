#!/usr/bin/env bash
# run-bench.sh: the libanysocket benchmark, printed as Markdown for README.
#
#   tests/bench/run-bench.sh BUILDDIR [--deflate] [--quick]
#
# Builds nothing: BUILDDIR must hold tests/bench/{any-bench,ws-load,
# bench-server,ws-echo-server} (`meson setup BUILDDIR --buildtype=release && ninja -C
# BUILDDIR`). Installs npm anysocket@0.4.29 into tests/bench/node_modules
# with `npm ci` when it is missing.
#
# Five servers on 127.0.0.1, each on port 0 (the port is the first line
# each prints): (a) bench-server (libanysocket), (b) js-server.js (npm
# anysocket 0.4.29 on node), (c) ws-echo-server (bare libsoup WebSocket,
# the ceiling of the transport), (d) tcp-echo-server (raw TCP ping-pong,
# the physical limit, driven by tcp-bench), (e) zmq-echo-server (ZeroMQ
# ROUTER over tcp, driven by zmq-bench's DEALERs; skipped, and said so,
# when the build has no libzmq), and bench-server again on tcp:// and
# unix:// (the stream transports, driven by any-bench --uri). One load
# generator drives (a), (b) and (c) in each row, with the same client:
# AnySocket frames written by hand for (a) and (b) (--proto=wire), frames
# of the same size for (c) (--proto=ws), so that the client costs the same
# against each server and the servers are what is compared. (a) is also
# driven by the libanysocket client (any-bench --proto=any: "libanysocket,
# our client"), library to library.
#
# Which generator: ws-load (the same frames and checks on raw non-blocking
# sockets and epoll, no libsoup) for the request rows, as tcp-bench is for
# raw TCP; any-bench (a raw libsoup client) for the fire-and-forget row.
# At 1 x 1 any-bench's own latency was part of every WebSocket server's
# round trip and pulled their ratios towards 1 (libanysocket 1.16x npm
# with it, 1.31x with ws-load in one run on a busy machine,
# 2026-12-07). At 100 x 1 and 1,000 x 1 any-bench measured itself: pinned on its core it ran at 99-100%
# of it (16.5 µs of CPU per request at 100 x 1, 39 at 1,000 x 1) while
# bench-server used 75% (100 x 1) and 48% (1,000 x 1) of its own, so
# libanysocket came out at 1.00x and 0.80x bare libsoup. ws-load costs
# 5.3-8.3 µs per request and uses 69-72% of its core against bench-server,
# 28-52% against the two slower servers; all three then run at 92-100%:
# 2.01x and 2.90x bare libsoup, 3.73x and 4.69x npm (2026-12-07, medians
# of 3; the npm and bare servers' CPU per request stays within 8% of what
# it is under any-bench, bench-server's falls from 12.5 to 7.8 µs at
# 100 x 1: it no longer waits for its client). BENCH_LOADGEN=libsoup
# runs any-bench in every row, as before, for comparison; ws-load has no
# permessage-deflate, so --deflate also keeps any-bench.
# Every configuration runs against the servers in turn, BENCH_REPEAT
# times, and the run with the median rate is reported.
#
# Then the hub rows (bench-hub.sh, on fresh servers a, b, c, BENCH_REPEAT
# times each, medians): idle-peers holds N idle AnySocket peers for N =
# 1,000, 5,000, 10,000 (the server's CPU % over a 30 s window at the
# default 5 s heartbeat, its RSS per peer), measures the server's CPU per
# new connection at 100, 1,000, 3,000 and 10,000 peers, and the fan-out to
# 1,000 peers (server CPU per delivery of a broadcast and of relayed
# FORWARD frames); and the syscalls per request at 1 x 1 (bench-syscalls.sh,
# perf stat on the server).
#
# With two or more CPUs the servers run on CPU 1 and the load generator on
# CPU 0 (taskset), so each side has a core of its own; BENCH_PIN=0 turns
# that off. `ulimit -n` is raised to its hard limit (10,000 peers need
# 10,000 descriptors on each side).
#
# --deflate asks every side to offer and accept permessage-deflate (the
# default, and what the README reports, is off); the deflate column tells
# what was actually negotiated. --quick: 1 repeat, 2 s runs, 200
# idle peers at most, 5 s idle windows (a smoke test; not for README).
#
# Environment: BENCH_DURATION (5 s), BENCH_WARMUP (1 s), BENCH_REPEAT (3),
# BENCH_HUB_REPEAT (BENCH_REPEAT), BENCH_IDLE_LEVELS (1000,5000,10000),
# BENCH_COST_AT (100,1000,3000,10000), BENCH_FANOUT (1000),
# BENCH_IDLE_WINDOW (30 s), BENCH_PIN (1), BENCH_PARTS ("req hub sys":
# which parts run), BENCH_ROWS ("1x1 1x64 100x1 1000x1 msg": which request
# rows), BENCH_SERVERS (all: which of any anyc anytcp anyunix js ws tcp
# zmq), BENCH_LOADGEN (lean; libsoup: any-bench in every row).
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
PIN=${BENCH_PIN:-1}
SERVER_TIMEOUT=${BENCH_SERVER_TIMEOUT:-3600}
IDLE_LEVELS=${BENCH_IDLE_LEVELS:-1000,5000,10000}
COST_AT=${BENCH_COST_AT:-100,1000,3000,10000}
FANOUT=${BENCH_FANOUT:-1000}
IDLE_WINDOW=${BENCH_IDLE_WINDOW:-30}
PARTS=${BENCH_PARTS:-req hub sys}
ROWS=${BENCH_ROWS:-1x1 1x64 100x1 1000x1 msg}
LOADGEN=${BENCH_LOADGEN:-lean}
case $LOADGEN in lean|libsoup) ;; *) echo "BENCH_LOADGEN is lean or libsoup" >&2; exit 2 ;; esac
if [ "$QUICK" = 1 ]; then
    DURATION=2; WARMUP=0.5; REPEAT=1
    IDLE_LEVELS=200,500; COST_AT=100,500; FANOUT=200; IDLE_WINDOW=5
fi
HUB_REPEAT=${BENCH_HUB_REPEAT:-$REPEAT}
part() { [[ " $PARTS " == *" $1 "* ]]; }

for exe in any-bench ws-load bench-server ws-echo-server tcp-echo-server tcp-bench idle-peers; do
    [ -x "$BIN/$exe" ] || { echo "missing $BIN/$exe: build first (ninja -C $BUILDDIR)" >&2; exit 2; }
done
QUIET_WAIT=${BENCH_QUIET_WAIT:-30}
server_command() {
    case $1 in
        any) CMD=("$BIN/bench-server" --timeout "$SERVER_TIMEOUT" "${DEFLATE[@]}") ;;
        js)  CMD=(node "$SRCDIR/js-server.js" --timeout "$SERVER_TIMEOUT" "${DEFLATE[@]}") ;;
        ws)  CMD=("$BIN/ws-echo-server" --timeout "$SERVER_TIMEOUT" "${DEFLATE[@]}") ;;
        tcp) CMD=("$BIN/tcp-echo-server" --timeout "$SERVER_TIMEOUT") ;;
        zmq) CMD=("$BIN/zmq-echo-server" --timeout "$SERVER_TIMEOUT") ;;
        # libanysocket over its stream transports (no HTTP, no WebSocket)
        anytcp)  CMD=("$BIN/bench-server" --timeout "$SERVER_TIMEOUT" --listen tcp://127.0.0.1:0) ;;
        anyunix) rm -f "$WORK/bench.sock"
                 CMD=("$BIN/bench-server" --timeout "$SERVER_TIMEOUT" --listen "unix://$WORK/bench.sock") ;;
    esac
}
. "$SRCDIR/bench-lib.sh"
bench_need_npm

# 10,000 idle peers: a socket each on both sides (separate processes),
# plus the rest.
MAX_PEERS=$(tr ',' '\n' <<< "$IDLE_LEVELS,$COST_AT" | sort -n | tail -n1)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((MAX_PEERS + 1024)) ]; then
    echo "warning: ulimit -n is $(ulimit -n), too low for $MAX_PEERS peers" >&2
fi

# What is run: a server process and the client driving it. "anyc" is the
# libanysocket server driven by the libanysocket client.
SERVERS=(any anyc anytcp anyunix js ws tcp zmq)
PROCS=(any anytcp anyunix js ws tcp zmq)
ZMQ_NOTE=
if [ ! -x "$BIN/zmq-bench" ] || [ ! -x "$BIN/zmq-echo-server" ]; then
    ZMQ_NOTE="The ZeroMQ rows are skipped: this build has no libzmq (apt-get install libzmq3-dev, then meson setup --reconfigure)."
    echo "$ZMQ_NOTE" >&2
    SERVERS=(any anyc anytcp anyunix js ws tcp); PROCS=(any anytcp anyunix js ws tcp)
fi
if [ -n "${BENCH_SERVERS:-}" ]; then   # a subset, in the order above
    keep() { local x; for x in "$@"; do [[ " $BENCH_SERVERS " == *" $x "* ]] && echo "$x"; done; }
    mapfile -t SERVERS < <(keep "${SERVERS[@]}")
    mapfile -t PROCS < <(keep "${PROCS[@]}"; [[ " $BENCH_SERVERS " == *" anyc "* && " $BENCH_SERVERS " != *" any "* ]] && echo any)
fi
declare -A NAME=([any]="libanysocket" [anyc]="libanysocket, our client" [anytcp]="libanysocket tcp://, our client"
                [anyunix]="libanysocket unix://, our client" [js]="JS anysocket 0.4.29" [ws]="bare libsoup ws"
                [tcp]="raw TCP ping-pong" [zmq]="ZeroMQ DEALER/ROUTER")
declare -A PROC=([any]=any [anyc]=any [anytcp]=anytcp [anyunix]=anyunix [js]=js [ws]=ws [tcp]=tcp [zmq]=zmq)
declare -A CLIENT=([any]=wire [anyc]=any [anytcp]=any [anyunix]=any [js]=wire [ws]=ws [tcp]=tcp [zmq]=zmq)
# Where the libanysocket client connects for the stream transports.
stream_uri() {
    case $1 in
        anytcp) echo "tcp://127.0.0.1:${PORT[anytcp]}" ;;
        anyunix) echo "unix://$WORK/bench.sock" ;;
    esac
}

LINE=
GEN=any-bench   # the generator of the row being run (lean rows: ws-load)
bench() {   # bench SERVER ARGS... -> the RESULT line in $LINE
    local s=${PROC[$1]} proto=${CLIENT[$1]}; shift
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then
        echo "  (server $s is gone: started again)" >&2
        start_server "$s"
    fi
    wait_quiet
    if [ "$proto" = tcp ] || [ "$proto" = zmq ]; then
        # tcp-bench and zmq-bench: request/reply only, no --mode.
        [ "$2" = req ] || { LINE=; return; }
        shift 2
        "${CLIENT_CPU[@]}" timeout 120 "$BIN/$proto-bench" --port "${PORT[$s]}" --server-pid "${PID[$s]}" "$@" \
            2>> "$WORK/bench.err" | grep '^RESULT' | tail -n1 > "$WORK/line"
    elif [ -n "$(stream_uri "$s")" ]; then
        "${CLIENT_CPU[@]}" "$BIN/any-bench" --proto any --uri "$(stream_uri "$s")" \
            --server-pid "${PID[$s]}" "$@" 2>> "$WORK/bench.err" | grep '^RESULT' | tail -n1 > "$WORK/line"
    else
        local gen=any-bench
        [ "$proto" != any ] && gen=$GEN
        "${CLIENT_CPU[@]}" "$BIN/$gen" --proto "$proto" --port "${PORT[$s]}" \
            --server-pid "${PID[$s]}" "${DEFLATE[@]}" "$@" 2>> "$WORK/bench.err" | grep '^RESULT' | tail -n1 > "$WORK/line"
    fi
    LINE=$(cat "$WORK/line")
}

# Spoiled runs (other processes took more than BENCH_OTHERS_MAX % of a
# CPU) are run again, up to BENCH_RETRIES more times (bench-lib.sh).
OTHERS_MAX=${BENCH_OTHERS_MAX:-5}
RETRIES=${BENCH_RETRIES:-3}
bench_clean() { clean_run bench "$@"; }

# The configurations: label, mode, connections, in flight per connection,
# key (BENCH_ROWS), load generator of the wire and ws clients (see above).
CONFIGS=(
    "req 1 conn x 1 in flight|req|1|1|1x1|ws-load"
    "req 1 conn x 64 in flight|req|1|64|1x64|ws-load"
    "req 100 conns x 1 in flight|req|100|1|100x1|ws-load"
    "req 1000 conns x 1 in flight|req|1000|1|1000x1|ws-load"
    "fire-and-forget 1 conn, window 256|msg|1|256|msg|any-bench"
)
row_gen() {   # row_gen GENERATOR -> the one used, after BENCH_LOADGEN and --deflate
    if [ "$LOADGEN" = libsoup ] || [ ${#DEFLATE[@]} -gt 0 ]; then echo any-bench; else echo "$1"; fi
}
row_on() { [[ " $ROWS " == *" $1 "* ]]; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Running the benchmark ($REPEAT x ${DURATION}s per configuration and server; parts: $PARTS; load average: $LOAD_BEFORE)" >&2
echo "Other processes at the start:" >&2
ps -eo pcpu=,comm= --sort=-pcpu | head -n 5 >&2

declare -A RESULT
if part req; then
for s in "${PROCS[@]}"; do start_server "$s"; done
for c in "${!CONFIGS[@]}"; do
    IFS='|' read -r label mode conns inflight key gen <<< "${CONFIGS[$c]}"
    row_on "$key" || continue
    GEN=$(row_gen "$gen")
    for s in "${SERVERS[@]}"; do : > "$WORK/r.$c.$s"; done
    for rep in $(seq "$REPEAT"); do
        for s in "${SERVERS[@]}"; do
            { [ "$s" = tcp ] || [ "$s" = zmq ]; } && [ "$mode" != req ] && continue
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
fi

. "$SRCDIR/bench-hub.sh"
part hub && hub_run
. "$SRCDIR/bench-syscalls.sh"
part sys && syscalls_run
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Formatting
num()   { awk -v x="$1" -v f="$2" 'BEGIN { if (x == "" || x == "n/a") print "n/a"; else printf f, x }'; }
get()   { field "${RESULT[$1]:-}" "$2"; }
ms()    { awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else printf "%.2f", x / 1000 }'; }
pct()   { awk -v r="$1" 'BEGIN { if (r == "n/a" || r == "") print "n/a"; else printf "%.0f%%", r * 100 }'; }
goal()  { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "" || v == "n/a") print "n/a"; else if ((op == ">=" && v + 0 >= t) || (op == "<=" && v + 0 <= t) || (op == "<" && v + 0 < t)) print "met"; else print "**not met**" }'; }

echo
echo "Loopback, $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), Linux $(uname -r);"
echo "node $(node --version), libsoup $(pkg-config --modversion libsoup-3.0 2>/dev/null || echo '?'), json-glib $(pkg-config --modversion json-glib-1.0 2>/dev/null || echo '?'), libzmq $(pkg-config --modversion libzmq 2>/dev/null || echo 'none');"
echo "${DURATION} s measured after ${WARMUP} s warm-up, median of $REPEAT runs; hub rows: median of $HUB_REPEAT;"
echo "servers pinned to CPU 1, load generator to CPU 0: $([ ${#SERVER_CPU[@]} -gt 0 ] && echo yes || echo no);"
echo "load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER; runs started while other processes were busy: $BUSY_RUNS; kept runs in which others took more than ${OTHERS_MAX}% of a CPU: $SPOILED_RUNS."
[ -n "$ZMQ_NOTE" ] && echo "$ZMQ_NOTE"

if part req; then
echo
echo "| configuration | server | req/s | p50 ms | p99 ms | vs JS | vs bare ws | vs raw TCP | server CPU µs/req | of it kernel | CPU/req vs JS | server CPU % | client CPU % | deflate |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for c in "${!CONFIGS[@]}"; do
    IFS='|' read -r label mode conns inflight key gen <<< "${CONFIGS[$c]}"
    row_on "$key" || continue
    for s in "${SERVERS[@]}"; do
        { [ "$s" = tcp ] || [ "$s" = zmq ]; } && [ "$mode" != req ] && continue
        if [ -z "${RESULT[$c.$s]:-}" ]; then
            echo "| $label | ${NAME[$s]} | failed | | | | | | | | | | | |"
            continue
        fi
        rate=$(get "$c.$s" rate)
        vs_js=$(ratio "$rate" "$(get "$c.js" rate)")
        vs_ws=$(ratio "$rate" "$(get "$c.ws" rate)")
        vs_tcp=$(ratio "$rate" "$(get "$c.tcp" rate)")
        cpu=$(get "$c.$s" srv_cpu_us_per_op)
        cpu_js=$(ratio "$cpu" "$(get "$c.js" srv_cpu_us_per_op)")
        case $s in ws|tcp|zmq) vs_js="—"; cpu_js="—" ;; esac
        echo "| $label | ${NAME[$s]} | $(num "$rate" %.0f) | $(ms "$(get "$c.$s" p50_us)") | $(ms "$(get "$c.$s" p99_us)") | $vs_js | $vs_ws | $vs_tcp | $(num "$cpu" %.1f) | $(get "$c.$s" srv_sys_pct)% | $cpu_js | $(get "$c.$s" srv_cpu_pct) | $(get "$c.$s" cli_cpu_pct) | $(get "$c.$s" deflate) |"
    done
done
fi

part hub && hub_tables
part sys && syscalls_table

# Goals: issue 14's (and, at 1 x 64, the earlier ones).
c1=0; c64=1; c100=2; c1000=3
echo
echo "| goal | measured | |"
echo "| --- | ---: | --- |"
if part req; then
    r=$(ratio "$(get "$c1.any" rate)" "$(get "$c1.js" rate)")
    echo "| 1 x 1: req/s >= 1.3x JS anysocket | ${r}x | $(goal "$r" ">=" 1.3) |"
    r=$(ratio "$(get "$c1.any" rate)" "$(get "$c1.tcp" rate)")
    echo "| 1 x 1: req/s >= 0.6x raw TCP ping-pong | ${r}x | $(goal "$r" ">=" 0.6) |"
    for c in $c100 $c1000; do
        IFS='|' read -r label _ <<< "${CONFIGS[$c]}"
        r=$(ratio "$(get "$c.any" rate)" "$(get "$c.ws" rate)")
        echo "| ${label#req }: req/s >= 1.2x bare libsoup ws | ${r}x | $(goal "$r" ">=" 1.2) |"
        r=$(ratio "$(get "$c.any" rate)" "$(get "$c.js" rate)")
        echo "| ${label#req }: req/s >= 1.5x JS anysocket | ${r}x | $(goal "$r" ">=" 1.5) |"
    done
    r=$(ratio "$(get "$c64.anyc" rate)" "$(get "$c64.zmq" rate)")
    echo "| 1 x 64 library to library: req/s >= 0.6x ZeroMQ DEALER/ROUTER | ${r}x | $(goal "$r" ">=" 0.6) |"
    # issue 17's goals for tcp://
    r=$(ratio "$(get "$c64.anytcp" rate)" "$(get "$c64.zmq" rate)")
    echo "| tcp:// 1 x 64: req/s >= 1/1.5 of ZeroMQ DEALER/ROUTER | ${r}x | $(goal "$r" ">=" 0.6667) |"
    r=$(ratio "$(get "$c1.anytcp" rate)" "$(get "$c1.tcp" rate)")
    echo "| tcp:// 1 x 1: req/s >= 0.7x raw TCP ping-pong | ${r}x | $(goal "$r" ">=" 0.7) |"
fi
part sys && syscalls_goals
part hub && hub_goals
if part req; then
    r=$(ratio "$(get "$c64.any" rate)" "$(get "$c64.ws" rate)")
    echo "| (earlier) 1 x 64: req/s >= 80% of bare libsoup ws | $(pct "$r") | $(goal "$r" ">=" 0.8) |"
    r=$(ratio "$(get "$c64.any" rate)" "$(get "$c64.js" rate)")
    echo "| (earlier) 1 x 64: req/s >= 2x JS anysocket | ${r}x | $(goal "$r" ">=" 2) |"
    r=$(ratio "$(get "$c64.any" srv_cpu_us_per_op)" "$(get "$c64.js" srv_cpu_us_per_op)")
    echo "| (earlier) 1 x 64: server CPU per request <= 1/3 of JS | $(num "$r" %.2f) | $(goal "$r" "<=" 0.3334) |"
fi
echo
echo "req/s: replies (or messages sent back) per second at the load generator; p50/p99: send to reply."
echo "vs JS, vs bare ws, vs raw TCP: req/s ratios. Server CPU µs/req: utime+stime of the server process"
echo "(/proc/PID/stat) over the measured window divided by the requests; kernel: its system-time share."
echo "Server/client CPU %: of one core; a side at ~100% is the bottleneck. The load generator is the"
echo "same client for every WebSocket server in a row (AnySocket frames written by hand for libanysocket and JS,"
echo "frames of the same size for the bare server): $(if [ "$(row_gen ws-load)" = ws-load ]; then echo "ws-load (raw sockets, epoll) in the request rows, a raw libsoup client (any-bench) in the fire-and-forget row"; else echo "a raw libsoup client (any-bench) in every row"; fi);"
echo "except \"libanysocket, our client\": the libanysocket"
echo "client against the libanysocket server, library to library (also over tcp:// and unix://, the"
echo "stream transports without HTTP or WebSocket). Raw TCP: tcp-bench, 36-byte messages"
echo "(the size of the AnySocket request frame) echoed by an epoll server, one recv and one send per"
echo "readable connection. ZeroMQ: zmq-bench's DEALER sockets (one TCP connection each), 36-byte messages"
echo "echoed by a ROUTER. deflate: permessage-deflate negotiated."

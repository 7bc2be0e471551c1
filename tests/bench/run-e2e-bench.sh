#!/usr/bin/env bash
# run-e2e-bench.sh: the cost of end-to-end encryption, printed as Markdown
# for README.
#
#   tests/bench/run-e2e-bench.sh BUILDDIR [--quick]
#
# Builds nothing: BUILDDIR must hold tests/bench/{e2e-bench,bench-server}
# (`meson setup BUILDDIR --buildtype=release && ninja -C BUILDDIR`).
# Installs npm anysocket@0.4.29 into tests/bench/node_modules with `npm ci`
# when it is missing.
#
# Two servers on 127.0.0.1, each on port 0 (the port is the first line each
# prints): bench-server (libanysocket) and js-server.js (npm anysocket
# 0.4.29 on node). Two clients: e2e-bench (libanysocket) and
# js-e2e-client.js (npm anysocket). Six links:
#   C -> C   plain, native   (e2e-bench against bench-server)
#   C -> JS  plain, compat   (e2e-bench against js-server.js)
#   JS -> JS plain, compat   (js-e2e-client.js against js-server.js: the
#                             JavaScript peer's own E2EE)
#   C -> C   plain, native   binary: e2e-bench --binary, the 10 MiB message
#                             only, as a binary message (issue 17)
#   C -> C   the same binary message over tcp:// (bench-server --listen
#                             tcp://, e2e-bench --scheme tcp: no HTTP, no
#                             WebSocket masking)
# and for each, three measures (the client always starts the switch):
#   handshake  median of E2E_BENCH_HANDSHAKES (100) fresh links of the time
#              from any_peer_e2e() / peer.e2e() to the "e2e" signal (and
#              of connect + switch);
#   req/s      one link, switched, then 64 requests {"type":"req",
#              "data":"hello"} in flight for E2E_BENCH_DURATION (5) s after
#              E2E_BENCH_WARMUP (1) s; median of E2E_BENCH_REPEAT (3) runs;
#   10 MiB     one link, switched, then a request {"type":"big","data":
#              "xxx..."} with a 10 MiB string answered by a tiny ack, one at
#              a time: median of E2E_BENCH_BIG_COUNT (5) after one not
#              measured; the run with the median of E2E_BENCH_REPEAT runs.
#
# With two or more CPUs the servers run on CPU 1 and the clients on CPU 0
# (taskset); E2E_BENCH_PIN=0 turns that off. E2E_BENCH_LINKS=REGEX runs
# only the links whose key (c-c-native, c-c-native-bin, ...) matches it
# (the others print n/a), for an A/B of two builds in less time. --quick: 20 handshakes, 1
# repeat, 2 s runs, 2 MiB (a smoke test; not for README).
#
# Everything is bounded: each client gives up by itself (--max-time, and
# `timeout`), each server exits by itself after E2E_BENCH_SERVER_TIMEOUT
# (3600 s), and the servers are killed on exit.
#
# SPDX-License-Identifier: MIT
set -u -o pipefail

usage() { echo "usage: $0 BUILDDIR [--quick]" >&2; exit 2; }
[ $# -ge 1 ] || usage
BUILDDIR=$(cd "$1" 2>/dev/null && pwd) || { echo "no such build dir: $1" >&2; exit 2; }
shift
QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        *) usage ;;
    esac
done

SRCDIR=$(cd "$(dirname "$0")" && pwd)
BIN="$BUILDDIR/tests/bench"
HANDSHAKES=${E2E_BENCH_HANDSHAKES:-100}
DURATION=${E2E_BENCH_DURATION:-5}
WARMUP=${E2E_BENCH_WARMUP:-1}
REPEAT=${E2E_BENCH_REPEAT:-3}
BIG_MIB=${E2E_BENCH_BIG_MIB:-10}
BIG_COUNT=${E2E_BENCH_BIG_COUNT:-5}
PIN=${E2E_BENCH_PIN:-1}
SERVER_TIMEOUT=${E2E_BENCH_SERVER_TIMEOUT:-3600}
if [ "$QUICK" = 1 ]; then
    HANDSHAKES=20; DURATION=2; WARMUP=0.5; REPEAT=1; BIG_MIB=2; BIG_COUNT=3
fi
INFLIGHT=64
ONLY=${E2E_BENCH_LINKS:-}
wanted() { [ -z "$ONLY" ] || [[ $1 =~ $ONLY ]]; }

for exe in e2e-bench bench-server; do
    [ -x "$BIN/$exe" ] || { echo "missing $BIN/$exe: build first (ninja -C $BUILDDIR)" >&2; exit 2; }
done
QUIET_WAIT=${E2E_BENCH_QUIET_WAIT:-30}
server_command() {
    case $1 in
        any) CMD=("$BIN/bench-server" --timeout "$SERVER_TIMEOUT") ;;
        js)  CMD=(node "$SRCDIR/js-server.js" --timeout "$SERVER_TIMEOUT") ;;
        anytcp) CMD=("$BIN/bench-server" --timeout "$SERVER_TIMEOUT" --listen tcp://127.0.0.1:0) ;;
    esac
}
. "$SRCDIR/bench-lib.sh"
bench_need_npm

SERVERS=(any js anytcp)


# The links: key|label|client|server|e2e
LINKS=(
    "c-c-plain|C → C|c|any|plain"
    "c-c-native|C → C|c|any|native"
    "c-js-plain|C → JS|c|js|plain"
    "c-js-compat|C → JS|c|js|compat"
    "js-js-plain|JS → JS|js|js|plain"
    "js-js-compat|JS → JS|js|js|compat"
    "c-c-plain-bin|C → C binary|cbin|any|plain"
    "c-c-native-bin|C → C binary|cbin|any|native"
    "c-c-plain-bin-tcp|C → C binary, tcp://|cbintcp|anytcp|plain"
    "c-c-native-bin-tcp|C → C binary, tcp://|cbintcp|anytcp|native"
)

LINE=
run_client() {   # run_client LINK-INDEX PHASE ARGS... -> the RESULT line in $LINE
    local key label client s e2e cmd=() extra=() budget
    IFS='|' read -r key label client s e2e <<< "${LINKS[$1]}"
    local phase=$2; shift 2
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then
        echo "  (server $s is gone: started again)" >&2
        start_server "$s"
    fi
    [ "$e2e" != plain ] && extra=(--e2e)
    case $phase in
        handshake) budget=$((HANDSHAKES * 2 + 30)) ;;
        req) budget=$(awk -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", d + w + 30 }') ;;
        big) budget=$(awk -v m="$BIG_MIB" -v n="$BIG_COUNT" 'BEGIN { printf "%d", (n + 1) * (m * 2 + 5) + 30 }') ;;
    esac
    case $client in
        c)  cmd=("$BIN/e2e-bench") ;;
        cbin) cmd=("$BIN/e2e-bench" --binary) ;;
        cbintcp) cmd=("$BIN/e2e-bench" --binary --scheme tcp) ;;
        js) cmd=(node "$SRCDIR/js-e2e-client.js") ;;
    esac
    wait_quiet
    timeout -k 5 $((budget + 10)) "${CLIENT_CPU[@]}" "${cmd[@]}" --phase "$phase" --port "${PORT[$s]}" \
        --server-pid "${PID[$s]}" --max-time "$budget" "${extra[@]}" "$@" \
        2>> "$WORK/client.err" | grep '^RESULT' | tail -n1 > "$WORK/line"
    LINE=$(cat "$WORK/line")
    if [ -n "$LINE" ] && [ -n "$(field "$LINE" error)" ]; then
        echo "  ($label $e2e $phase failed: $(tail -n2 "$WORK/client.err" | tr '\n' ' '))" >&2
    fi
}

# Spoiled runs (other processes took more than E2E_BENCH_OTHERS_MAX % of a
# CPU) are run again, up to E2E_BENCH_RETRIES more times (bench-lib.sh).
OTHERS_MAX=${E2E_BENCH_OTHERS_MAX:-5}
RETRIES=${E2E_BENCH_RETRIES:-3}
run_clean() { clean_run run_client "$@"; }

# The RESULT line with the median KEY of a file of lines, among the clean
# runs (others_pct <= OTHERS_MAX) when there is one.
median_line() {   # median_line FILE KEY
    local n
    awk -v m="$OTHERS_MAX" '{ for (i = 1; i <= NF; i++) if ($i ~ /^others_pct=/) { split($i, a, "="); if (a[2] + 0 <= m) print } }' "$1" > "$1.clean"
    [ -s "$1.clean" ] || cp "$1" "$1.clean"
    n=$(wc -l < "$1.clean")
    [ "$n" -gt 0 ] || return 0
    awk -v k="$2" '{ for (i = 1; i <= NF; i++) if ($i ~ "^" k "=") { split($i, a, "="); print a[2] "\t" $0 } }' "$1.clean" \
        | sort -n | sed -n "$(( (n + 1) / 2 ))p" | cut -f2-
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Running the E2E benchmark ($HANDSHAKES handshakes, $REPEAT x ${DURATION}s req/s and $REPEAT x $BIG_COUNT x ${BIG_MIB} MiB per link; load average: $LOAD_BEFORE)" >&2
for s in "${SERVERS[@]}"; do start_server "$s"; done

declare -A HS REQ BIG
for i in "${!LINKS[@]}"; do
    IFS='|' read -r key label client s e2e <<< "${LINKS[$i]}"
    : > "$WORK/req.$i"; : > "$WORK/big.$i"
    # the binary links differ in their big message only
    { [[ $client = cbin* ]] || ! wanted "$key"; } && continue
    run_client "$i" handshake --handshakes "$HANDSHAKES"
    HS[$i]=$LINE
    echo "  handshake $label $e2e: ${LINE:-failed}" >&2
    : > "$WORK/req.$i"; : > "$WORK/big.$i"
done
for rep in $(seq "$REPEAT"); do
    for i in "${!LINKS[@]}"; do
        IFS='|' read -r key label client s e2e <<< "${LINKS[$i]}"
        { [[ $client = cbin* ]] || ! wanted "$key"; } && continue
        run_clean "$i" req --inflight "$INFLIGHT" --duration "$DURATION" --warmup "$WARMUP"
        echo "  req $label $e2e #$rep: ${LINE:-failed}" >&2
        [ -n "$LINE" ] && [ -n "$(field "$LINE" rate)" ] && echo "$LINE" >> "$WORK/req.$i"
    done
    for i in "${!LINKS[@]}"; do
        IFS='|' read -r key label client s e2e <<< "${LINKS[$i]}"
        wanted "$key" || continue
        run_clean "$i" big --big-mib "$BIG_MIB" --big-count "$BIG_COUNT"
        echo "  big $label $e2e #$rep: ${LINE:-failed}" >&2
        [ -n "$LINE" ] && [ -n "$(field "$LINE" p50_ms)" ] && echo "$LINE" >> "$WORK/big.$i"
    done
done
for i in "${!LINKS[@]}"; do
    REQ[$i]=$(median_line "$WORK/req.$i" rate)
    BIG[$i]=$(median_line "$WORK/big.$i" p50_ms)
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Formatting
num()   { awk -v x="$1" -v f="$2" 'BEGIN { if (x == "") print "n/a"; else printf f, x }'; }
ms()    { awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else printf "%.2f", x / 1000 }'; }
pct()   { awk -v r="$1" 'BEGIN { if (r == "n/a" || r == "") print "n/a"; else printf "%.0f%%", r * 100 }'; }
goal()  { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "" || v == "n/a") print "n/a"; else if ((op == ">=" && v + 0 >= t) || (op == "<" && v + 0 < t)) print "met"; else print "**not met**" }'; }

plain_of() {   # the index of the plain link with the same client and server as link $1
    case $1 in 1) echo 0 ;; 3) echo 2 ;; 5) echo 4 ;; 7) echo 6 ;; 9) echo 8 ;; *) echo "$1" ;; esac
}

echo
echo "Loopback, $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)), Linux $(uname -r);"
echo "node $(node --version), npm anysocket $(node -p 'require(process.argv[1]).version' "$SRCDIR/node_modules/anysocket/package.json");"
echo "handshake: median of $HANDSHAKES fresh links; req/s: $INFLIGHT requests in flight on one link, ${DURATION} s after ${WARMUP} s,"
echo "median of $REPEAT runs; ${BIG_MIB} MiB: median of $BIG_COUNT (after one not measured), the median of $REPEAT runs;"
echo "servers pinned to CPU 1, clients to CPU 0: $([ ${#SERVER_CPU[@]} -gt 0 ] && echo yes || echo no);"
echo "load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER; runs started while other processes were busy: $BUSY_RUNS; kept runs in which others took more than ${OTHERS_MAX}% of a CPU: $SPOILED_RUNS."
echo
echo "| client → server | E2E | handshake ms | connect + handshake ms | req/s | vs plain | p50 ms | p99 ms | server CPU µs/req | client CPU µs/req | ${BIG_MIB} MiB ms | MiB/s | vs plain |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for i in "${!LINKS[@]}"; do
    IFS='|' read -r key label client s e2e <<< "${LINKS[$i]}"
    p=$(plain_of "$i")
    h=${HS[$i]:-}; r=${REQ[$i]:-}; b=${BIG[$i]:-}
    hs="n/a"; [ "$e2e" != plain ] && hs=$(ms "$(field "$h" switch_p50_us)")
    total=$(ms "$(field "$h" total_p50_us)")
    [ -n "$(field "$h" error)" ] && { hs="failed"; total="failed"; }
    rate=$(field "$r" rate)
    vs_rate="—"; vs_big="—"
    if [ "$i" != "$p" ]; then
        vs_rate=$(ratio "$rate" "$(field "${REQ[$p]:-}" rate)")
        # how much longer than plain the big message takes
        vs_big=$(ratio "$(field "$b" p50_ms)" "$(field "${BIG[$p]:-}" p50_ms)")
        [ "$vs_big" != n/a ] && vs_big="${vs_big}x time"
    fi
    echo "| $label | $e2e | $hs | $total | $(num "$rate" %.0f) | $vs_rate | $(ms "$(field "$r" p50_us)") | $(ms "$(field "$r" p99_us)") | $(num "$(field "$r" srv_cpu_us_per_op)" %.1f) | $(num "$(field "$r" cli_cpu_us_per_op)" %.1f) | $(num "$(field "$b" p50_ms)" %.0f) | $(num "$(field "$b" mib_per_s)" %.1f) | $vs_big |"
done

# Goals: native (link 1) against plain C -> C (link 0); 10 MiB native
# against the JavaScript peer's compat (link 5).
native_rate=$(field "${REQ[1]:-}" rate); plain_rate=$(field "${REQ[0]:-}" rate)
cost=$(awk -v n="$native_rate" -v p="$plain_rate" 'BEGIN { if (n == "" || p == "" || p + 0 == 0) print "n/a"; else printf "%.1f", 100 * (1 - n / p) }')
# The same at equal CPU: client+server CPU per request, native over plain.
cpu_n=$(awk -v a="$(field "${REQ[1]:-}" srv_cpu_us_per_op)" -v b="$(field "${REQ[1]:-}" cli_cpu_us_per_op)" 'BEGIN { if (a == "" || b == "") print ""; else print a + b }')
cpu_p=$(awk -v a="$(field "${REQ[0]:-}" srv_cpu_us_per_op)" -v b="$(field "${REQ[0]:-}" cli_cpu_us_per_op)" 'BEGIN { if (a == "" || b == "") print ""; else print a + b }')
cpu_cost=$(awk -v n="$cpu_n" -v p="$cpu_p" 'BEGIN { if (n == "" || p == "" || p + 0 == 0) print "n/a"; else printf "%+.1f", 100 * (n / p - 1) }')
big_x=$(ratio "$(field "${BIG[5]:-}" p50_ms)" "$(field "${BIG[1]:-}" p50_ms)")
compat_x=$(ratio "$(field "${BIG[5]:-}" p50_ms)" "$(field "${BIG[3]:-}" p50_ms)")
hs_x=$(ratio "$(field "${HS[5]:-}" switch_p50_us)" "$(field "${HS[1]:-}" switch_p50_us)")
# a binary message under native E2E, in GB/s (10^9 bytes)
gbs() { awk -v b="$(field "$1" bytes)" -v t="$(field "$1" p50_ms)" 'BEGIN { if (b == "" || t == "" || t + 0 == 0) print "n/a"; else printf "%.2f", b / (t / 1000) / 1e9 }'; }
bin_gbs=$(gbs "${BIG[7]:-}")
bin_tcp_gbs=$(gbs "${BIG[9]:-}")
echo
echo "| goal | measured | |"
echo "| --- | ---: | --- |"
echo "| native E2EE costs < 15% of plain req/s (C → C, $INFLIGHT in flight) | ${cost}% | $(goal "$cost" "<" 15) |"
echo "| (same, in CPU: client + server CPU per request, native over plain) | ${cpu_cost}% | $(goal "$cpu_cost" "<" 15) |"
echo "| ${BIG_MIB} MiB: native >= 3x faster than the JavaScript peer's compat E2EE (JS → JS) | ${big_x}x | $(goal "$big_x" ">=" 3) |"
echo "| ${BIG_MIB} MiB binary message, native E2EE (C → C): >= 1 GB/s | ${bin_gbs} GB/s | $(goal "$bin_gbs" ">=" 1) |"
echo "| (same over tcp://: no WebSocket masking) | ${bin_tcp_gbs} GB/s | $(goal "$bin_tcp_gbs" ">=" 1) |"
echo "| (for reference) ${BIG_MIB} MiB: libanysocket compat (C → JS) vs JS → JS compat | ${compat_x}x | |"
echo "| (for reference) handshake: native vs JS → JS compat | ${hs_x}x faster | |"
echo
echo "handshake: any_peer_e2e() (peer.e2e() in JavaScript) to the \"e2e\" signal on a fresh link, the client"
echo "starting; connect + handshake from the connect call. req/s: replies per second at the client; p50/p99:"
echo "request to reply. CPU µs/req: utime+stime over the measured window divided by the requests (server:"
echo "/proc/PID/stat; client: getrusage / process.cpuUsage). ${BIG_MIB} MiB: a request carrying a ${BIG_MIB} MiB"
echo "JSON string to its tiny ack (serialize, chunk, encrypt, send, decrypt, reassemble, parse; both ways);"
echo "\"C → C binary\": the same with a ${BIG_MIB} MiB binary message (any_peer_send_bytes_request_async(), binary frames)."
echo "Native: Noise_XX_25519_AESGCM_SHA256 between two libanysocket 0.2 peers (ChaChaPoly with a 0.1 peer); compat: the JavaScript peer's"
echo "scheme (secp521r1 ECDH, AES-256-CBC, per-chunk PBKDF2 keys)."

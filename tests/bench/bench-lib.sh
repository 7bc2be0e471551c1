# bench-lib.sh: what run-bench.sh and run-e2e-bench.sh share (sourced).
#
# The caller sets SRCDIR, PIN (1 to pin), QUIET_WAIT (seconds), OTHERS_MAX
# and RETRIES, and defines server_command NAME, which sets the array CMD to
# the command of server NAME. This file sets SERVER_CPU/CLIENT_CPU, WORK,
# PID, PORT, BUSY_RUNS, SPOILED_RUNS.
#
# SPDX-License-Identifier: MIT

# npm anysocket@0.4.29 in tests/bench/node_modules, installed when missing.
bench_need_npm() {
    command -v node >/dev/null || { echo "node is needed for the JavaScript peers" >&2; exit 2; }
    if [ ! -f "$SRCDIR/node_modules/anysocket/package.json" ]; then
        echo "Installing npm anysocket (npm ci) in $SRCDIR" >&2
        (cd "$SRCDIR" && npm ci --silent --no-audit --no-fund) || { echo "npm ci failed" >&2; exit 2; }
    fi
}

# With two or more CPUs, servers on CPU 1 and clients on CPU 0.
SERVER_CPU=(); CLIENT_CPU=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU=(taskset -c 1); CLIENT_CPU=(taskset -c 0)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anybench.XXXXXX")
declare -A PID PORT

bench_cleanup() {
    for s in "${!PID[@]}"; do
        kill "${PID[$s]}" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# Starts server NAME; its first stdout line is the port it listens on.
start_server() {
    local s=$1
    server_command "$s"
    : > "$WORK/$s.out"
    "${SERVER_CPU[@]}" "${CMD[@]}" > "$WORK/$s.out" 2>> "$WORK/$s.err" &
    PID[$s]=$!
    for _ in $(seq 100); do
        PORT[$s]=$(head -n1 "$WORK/$s.out" 2>/dev/null)
        [ -n "${PORT[$s]}" ] && return 0
        kill -0 "${PID[$s]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "server $s did not start:" >&2; cat "$WORK/$s.err" >&2
    exit 1
}

stop_server() {
    kill "${PID[$1]}" 2>/dev/null
    wait "${PID[$1]}" 2>/dev/null
    unset "PID[$1]"
}

# The machine may be shared: before each run, wait (up to QUIET_WAIT
# seconds) until other processes use less than 10% of one CPU over half a
# second, so that they do not take the cores the two sides use.
BUSY_RUNS=0
cpu_busy_pct() {   # busy % of one CPU, whole machine, over 0.5 s
    local a b
    a=$(head -n1 /proc/stat); sleep 0.5; b=$(head -n1 /proc/stat)
    awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN {
        split(a, x, " "); split(b, y, " "); tot = 0; idle = 0
        for (i = 2; i <= 9; i++) tot += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        if (tot <= 0) print 0; else printf "%d", 100 * n * (tot - idle) / tot }'
}
wait_quiet() {
    local waited=0 busy
    while busy=$(cpu_busy_pct) && [ "$busy" -gt 10 ]; do
        if [ "$waited" -ge "$QUIET_WAIT" ]; then
            echo "  (machine still busy: ${busy}% of a CPU used by others; measuring anyway)" >&2
            BUSY_RUNS=$((BUSY_RUNS + 1))
            return
        fi
        sleep 1; waited=$((waited + 1))
    done
}

# field "RESULT k=v ..." KEY
field() { tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"; }

# ratio A B: A / B with two decimals, n/a when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# A run during which other processes took more than OTHERS_MAX % of a CPU
# (the client's others_pct, from /proc/stat) is run again, up to RETRIES
# more times; the cleanest attempt is kept. clean_run RUNNER ARGS...:
# RUNNER ARGS... sets LINE to the client's RESULT line.
SPOILED_RUNS=0
clean_run() {
    local best='' best_others=1000000 line others _
    for _ in $(seq 0 "$RETRIES"); do
        "$@"
        line=$LINE
        others=$(field "$line" others_pct)
        [ -n "$line" ] && [ -n "$others" ] || continue
        if [ "$others" -lt "$best_others" ]; then best=$line; best_others=$others; fi
        [ "$others" -le "$OTHERS_MAX" ] && break
        echo "    (other processes took ${others}% of a CPU during the run: again)" >&2
    done
    if [ -n "$best" ] && [ "$best_others" -gt "$OTHERS_MAX" ]; then SPOILED_RUNS=$((SPOILED_RUNS + 1)); fi
    LINE=$best
}

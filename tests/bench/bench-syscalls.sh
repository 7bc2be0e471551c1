# bench-syscalls.sh: the syscalls per request at 1 x 1 (sourced by
# run-bench.sh).
#
# strace -c -f, attached to each server (all its threads) for a 1 x 1
# run of SYS_DURATION seconds without warm-up, counts every system call;
# divided by the requests answered in that run. strace slows the server
# (several times), not what it calls per request. The connection's set-up
# and the heartbeats of those seconds are in the count (a few dozen calls
# against thousands of requests).
#
# SPDX-License-Identifier: MIT

SYS_DURATION=${BENCH_SYS_DURATION:-3}
SYS_PROCS=(any js ws tcp)

syscalls_run() {
    local s tp
    command -v strace >/dev/null || { echo "strace missing: no syscall rows" >&2; return; }
    for s in "${SYS_PROCS[@]}"; do
        start_server "$s"
        sleep 0.5
        strace -c -f -q -o "$WORK/strace.$s" -p "${PID[$s]}" 2>> "$WORK/strace.err" &
        tp=$!
        sleep 1
        bench "$s" --mode req --conns 1 --inflight 1 --duration "$SYS_DURATION" --warmup 0
        echo "$LINE" > "$WORK/sysline.$s"
        kill -INT "$tp" 2>/dev/null
        wait "$tp" 2>/dev/null
        echo "  syscalls / ${NAME[$s]}: $(syscalls_per_req "$s") per request (${LINE:-failed})" >&2
        stop_server "$s"
    done
}

# The total calls of strace's summary, divided by the requests.
syscalls_per_req() {
    local calls count
    calls=$(awk '$NF == "total" { print $4 }' "$WORK/strace.$1" 2>/dev/null)
    count=$(field "$(cat "$WORK/sysline.$1" 2>/dev/null)" count)
    ratio "$calls" "$count"
}

# The three most frequent calls, per request: "send 1.00, recvfrom 1.00, ...".
syscalls_top() {
    local count
    count=$(field "$(cat "$WORK/sysline.$1" 2>/dev/null)" count)
    [ -n "$count" ] || return
    awk '$1 ~ /^[0-9.]+$/ && $NF != "total" && NF >= 5 { print $4 "\t" $NF }' \
        "$WORK/strace.$1" | sort -rn | head -n 4 \
        | awk -v n="$count" '{ printf "%s%s %.2f", (NR > 1 ? ", " : ""), $2, $1 / n }'
}

syscalls_table() {
    local s
    echo
    echo "| 1 x 1, strace -c -f on the server | syscalls per request | the most frequent, per request |"
    echo "| --- | ---: | --- |"
    for s in "${SYS_PROCS[@]}"; do
        echo "| ${NAME[$s]} | $(syscalls_per_req "$s") | $(syscalls_top "$s") |"
    done
}

syscalls_goals() {
    local r
    r=$(syscalls_per_req any)
    echo "| 1 x 1: at most 5 syscalls per request on the server | $r | $(goal "$r" "<=" 5) |"
}

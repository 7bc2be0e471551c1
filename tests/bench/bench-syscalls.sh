# bench-syscalls.sh: the syscalls per request at 1 x 1 (sourced by
# run-bench.sh).
#
# perf stat counts the system calls of each server (every thread, kernel
# tracepoints raw_syscalls:sys_enter and syscalls:sys_enter_NAME for the
# usual ones) during a 1 x 1 run of SYS_DURATION seconds without
# warm-up; divided by the requests answered in that run. A tracer that
# stops the server at each call (strace, perf trace) slows it so much
# that the next request is already waiting whenever it looks, and its
# counts are those of a batching server (libanysocket: 3.2 per request
# under strace against 10.5 under perf stat). The connection's set-up and
# the heartbeats of those seconds are in the count (a few dozen calls
# against thousands of requests).
#
# SPDX-License-Identifier: MIT

SYS_DURATION=${BENCH_SYS_DURATION:-3}
SYS_PROCS=(any js ws tcp)
SYS_CALLS=(write read sendto recvfrom writev sendmsg recvmsg poll ppoll epoll_wait epoll_pwait futex)

syscalls_run() {
    local s tp events
    if ! perf stat -e raw_syscalls:sys_enter true 2>/dev/null; then
        echo "perf cannot count syscalls here (perf stat -e raw_syscalls:sys_enter): no syscall rows" >&2
        return
    fi
    events=raw_syscalls:sys_enter$(printf ',syscalls:sys_enter_%s' "${SYS_CALLS[@]}")
    for s in "${SYS_PROCS[@]}"; do
        start_server "$s"
        sleep 0.5
        perf stat -x, -e "$events" -p "${PID[$s]}" -o "$WORK/perf.$s" 2>> "$WORK/perf.err" &
        tp=$!
        sleep 0.5
        bench "$s" --mode req --conns 1 --inflight 1 --duration "$SYS_DURATION" --warmup 0
        echo "$LINE" > "$WORK/sysline.$s"
        kill -INT "$tp" 2>/dev/null
        wait "$tp" 2>/dev/null
        echo "  syscalls / ${NAME[$s]}: $(syscalls_per_req "$s") per request (${LINE:-failed})" >&2
        stop_server "$s"
    done
}

# syscalls_count SERVER EVENT: perf's count of EVENT.
syscalls_count() {
    awk -F, -v e="$2" '$3 == e { print $1 }' "$WORK/perf.$1" 2>/dev/null
}

syscalls_requests() {
    field "$(cat "$WORK/sysline.$1" 2>/dev/null)" count
}

syscalls_per_req() {
    ratio "$(syscalls_count "$1" raw_syscalls:sys_enter)" "$(syscalls_requests "$1")"
}

# The four most frequent of SYS_CALLS, per request: "sendto 1.00, ...".
syscalls_top() {
    local n c name
    n=$(syscalls_requests "$1")
    [ -n "$n" ] || return
    for name in "${SYS_CALLS[@]}"; do
        c=$(syscalls_count "$1" "syscalls:sys_enter_$name")
        [ -n "$c" ] && [ "$c" -gt 0 ] 2>/dev/null && printf '%s\t%s\n' "$c" "$name"
    done | sort -rn | head -n 4 | awk -v n="$n" '{ printf "%s%s %.2f", (NR > 1 ? ", " : ""), $2, $1 / n }'
}

syscalls_table() {
    local s
    echo
    echo "| 1 x 1, perf stat on the server | syscalls per request | the most frequent, per request |"
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

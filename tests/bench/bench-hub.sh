# bench-hub.sh: the hub rows of run-bench.sh (sourced by it): idle peers,
# cost per new connection, fan-out, all from idle-peers.c.
#
# For each of libanysocket, the JavaScript server and the bare libsoup
# echo, HUB_REPEAT times, on a fresh server: one idle-peers run that
# climbs through the levels (IDLE_LEVELS: the server's CPU % over
# IDLE_WINDOW seconds and its RSS per peer; COST_AT: the server's CPU per
# new connection, 100 new peers; FANOUT: broadcast and relayed FORWARD
# frames to that many peers, not on the bare echo). Medians per level.
# BENCH_HUB_SERVERS ("any js ws") chooses the servers.
#
# SPDX-License-Identifier: MIT

read -r -a HUB_PROCS <<< "${BENCH_HUB_SERVERS:-any js ws}"

hub_run() {
    local s rep proto fan
    for s in "${HUB_PROCS[@]}"; do
        : > "$WORK/hub.$s"
        proto=wire; fan=(--fanout-at "$FANOUT")
        [ "$s" = ws ] && { proto=ws; fan=(); }
        for rep in $(seq "$HUB_REPEAT"); do
            start_server "$s"
            sleep 0.5
            wait_quiet
            echo "  hub / ${NAME[$s]} #$rep (levels $IDLE_LEVELS, cost at $COST_AT, fan-out $FANOUT)" >&2
            "${CLIENT_CPU[@]}" timeout 1900 "$BIN/idle-peers" --proto "$proto" --port "${PORT[$s]}" \
                --server-pid "${PID[$s]}" --levels "$IDLE_LEVELS" --cost-at "$COST_AT" "${fan[@]}" \
                --window "$IDLE_WINDOW" --max-time 1800 2>> "$WORK/hub.err" \
                | grep '^RESULT' | tee -a "$WORK/hub.$s" | sed 's/^/    /' >&2
            stop_server "$s"
        done
    done
}

# hub_median SERVER KIND LEVEL KEY: the median of KEY over the runs.
hub_median() {
    local vals n
    vals=$(grep " kind=$2 level=$3 " "$WORK/hub.$1" 2>/dev/null | while read -r l; do field "$l" "$4"; done | sort -g)
    n=$(grep -c . <<< "$vals")
    [ -n "$vals" ] && [ "$n" -gt 0 ] && sed -n "$(( (n + 1) / 2 ))p" <<< "$vals"
}
# hub_max SERVER KIND LEVEL KEY: the largest (dropped peers).
hub_max() {
    grep " kind=$2 level=$3 " "$WORK/hub.$1" 2>/dev/null | while read -r l; do field "$l" "$4"; done | sort -g | tail -n1
}

hub_levels() { tr ',' ' ' <<< "$1"; }

hub_tables() {
    local n s
    echo
    echo "| idle peers | server | server CPU % (${IDLE_WINDOW} s window) | RSS per peer (KiB) | peers dropped (worst run) |"
    echo "| ---: | --- | ---: | ---: | ---: |"
    for n in $(hub_levels "$IDLE_LEVELS"); do
        for s in "${HUB_PROCS[@]}"; do
            echo "| $n | ${NAME[$s]} | $(num "$(hub_median "$s" idle "$n" cpu_pct)" %.1f) | $(num "$(hub_median "$s" idle "$n" kib_per_peer)" %.1f) | $(hub_max "$s" idle "$n" dropped) |"
        done
    done
    echo
    echo "| peers already connected | server | server CPU µs per new connection | net of the idle load | idle load % |"
    echo "| ---: | --- | ---: | ---: | ---: |"
    for n in $(hub_levels "$COST_AT"); do
        for s in "${HUB_PROCS[@]}"; do
            echo "| $n | ${NAME[$s]} | $(num "$(hub_median "$s" connect "$n" us_per_conn)" %.0f) | $(num "$(hub_median "$s" connect "$n" net_us_per_conn)" %.0f) | $(num "$(hub_median "$s" connect "$n" idle_pct)" %.1f) |"
        done
    done
    echo
    echo "| fan-out to $FANOUT peers | server | server CPU µs per delivery | net of the idle load | deliveries/s |"
    echo "| --- | --- | ---: | ---: | ---: |"
    for s in any js; do
        for k in broadcast relay; do
            local d sec
            d=$(hub_median "$s" "$k" "$FANOUT" deliveries); sec=$(hub_median "$s" "$k" "$FANOUT" seconds)
            echo "| $k | ${NAME[$s]} | $(num "$(hub_median "$s" "$k" "$FANOUT" us_per_delivery)" %.2f) | $(num "$(hub_median "$s" "$k" "$FANOUT" net_us_per_delivery)" %.2f) | $(awk -v d="$d" -v s="$sec" 'BEGIN { if (d == "" || s + 0 == 0) print "n/a"; else printf "%.0f", d / s }') |"
        done
    done
    echo
    echo "Idle: idle-peers holds the peers (one process, epoll, AnySocket frames written by hand: AUTH, a pong"
    echo "to each ping, a ping of its own every 5 s, as an idle AnySocket client does); server CPU from"
    echo "/proc/PID/task/*/schedstat over the window; RSS: VmRSS growth since the first peer, per peer."
    echo "New connection: 100 more peers, 64 at a time, TCP connect + upgrade + AUTH; the server's CPU from"
    echo "the first connect to the last AUTH answer, per peer; net: minus the idle rate measured just before."
    echo "Fan-out: one peer asks for a broadcast (the server calls any_socket_broadcast / server.broadcast,"
    echo "then replies), again as soon as every peer has it; relay: that peer proxies to all others through"
    echo "the server, then sends each a FORWARD frame (one write), again as soon as all arrived; net: minus"
    echo "the idle rate (heartbeats) measured just before, over the same time."
}

hub_goals() {
    local top cpu cpu_js kib c_lo c_hi c_js flat half b r
    top=$(hub_levels "$IDLE_LEVELS" | tr ' ' '\n' | tail -n1)
    cpu=$(hub_median any idle "$top" cpu_pct); cpu_js=$(hub_median js idle "$top" cpu_pct)
    echo "| $top idle peers: hub CPU <= JS anysocket's (JS: $(num "$cpu_js" %.1f)%) | $(num "$cpu" %.1f)% | $(goal "$(ratio "$cpu" "$cpu_js")" "<=" 1) |"
    echo "| $top idle peers: hub CPU < 5% of a core | $(num "$cpu" %.1f)% | $(goal "$cpu" "<" 5) |"
    kib=$(hub_median any idle "$top" kib_per_peer)
    echo "| $top idle peers: RSS per peer < 8 KiB | $(num "$kib" %.1f) KiB | $(goal "$kib" "<" 8) |"
    c_lo=$(hub_median any connect "$(hub_levels "$COST_AT" | tr ' ' '\n' | head -n1)" us_per_conn)
    c_hi=$(hub_median any connect "$top" us_per_conn)
    [ -z "$c_hi" ] && c_hi=$(hub_median any connect "$(hub_levels "$COST_AT" | tr ' ' '\n' | tail -n1)" us_per_conn)
    flat=$(ratio "$c_hi" "$c_lo")
    echo "| cost per new connection flat from first to last level (last / first <= 1.5) | ${flat}x | $(goal "$flat" "<=" 1.5) |"
    c_js=$(hub_median js connect "$(hub_levels "$COST_AT" | tr ' ' '\n' | tail -n1)" us_per_conn)
    half=$(ratio "$c_hi" "$c_js")
    echo "| cost per new connection <= 0.5x JS anysocket's (at the last level) | ${half}x | $(goal "$half" "<=" 0.5) |"
    b=$(hub_median any broadcast "$FANOUT" net_us_per_delivery); r=$(hub_median any relay "$FANOUT" net_us_per_delivery)
    echo "| fan-out to $FANOUT: broadcast < 2 µs hub CPU per delivery (net of the idle load) | $(num "$b" %.2f) µs | $(goal "$b" "<" 2) |"
    echo "| fan-out to $FANOUT: relayed < 2 µs hub CPU per delivery (net of the idle load) | $(num "$r" %.2f) µs | $(goal "$r" "<" 2) |"
}

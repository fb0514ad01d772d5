#!/usr/bin/env bash
# Restart and clean stop with N journaled orders (issue 15 items 6 and 7; README "Benchmarks").
# Builds a data dir of N paid orders as the writer journals them (benches/restart.rs), opens it in a
# fresh process (restart time, RSS per held order), then starts the real server on it three times:
# the time from start until /readyz answers ready, the server's RSS then, and the time from SIGTERM
# to exit (a clean stop).
# Usage: benches/restart.sh [orders]   (default 2000000; the data dir goes to $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${1:-2000000}
cargo build --release --quiet
bench=$(cargo bench --bench restart --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*restart[^"]*"' | cut -d'"' -f4 | tail -1)
bin=target/release/livestock
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bench" build "$work/data" "$orders"
du -sh --apparent-size "$work/data"
for _ in 1 2; do "$bench" open "$work/data"; done
for run in 1 2 3; do
    start=$(date +%s.%N)
    LIVESTOCK_TOKEN_ADMIN=restart-bench-token RUST_LOG=warn "$bin" serve --listen 127.0.0.1:0 \
        --data "$work/data" > "$work/out" 2>&1 &
    pid=$!
    url=""
    until [ -n "$url" ] && curl -sf "$url/readyz" > /dev/null; do
        url=$(grep -o 'http://[0-9.:]*' "$work/out" | head -1 || true)
        sleep 0.05
    done
    ready=$(date +%s.%N)
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" || true
    stopped=$(date +%s.%N)
    awk -v r="$run" -v a="$start" -v b="$ready" -v c="$stopped" -v kb="$rss_kb" -v n="$orders" \
        'BEGIN { printf "server run %d: ready after %.2f s, RSS %d MiB (%.0f B/order), clean stop %.2f s\n", r, b - a, kb / 1024, kb * 1024 / n, c - b }'
done

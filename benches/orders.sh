#!/usr/bin/env bash
# The order path under load: one hot SKU, one-unit paid orders from 64 keep-alive connections (wrk),
# durable (every answer after its fdatasync), with the warnings engine on and off.
# Usage: benches/orders.sh [seconds]     (needs wrk: apt-get install wrk; builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
cargo build --release --quiet
bin=target/release/livestock
token=bench-admin-token
run() { # $1 = alerts enabled (true/false), $2 = events per request
    local dir; dir=$(mktemp -d)
    printf '[alerts]\nenabled = %s\n' "$1" > "$dir/config.toml"
    LIVESTOCK_TOKEN_ADMIN=$token RUST_LOG=warn "$bin" serve --listen 127.0.0.1:0 --data "$dir/data" \
        --config "$dir/config.toml" > "$dir/out" 2>&1 &
    local pid=$!
    local url=""
    for _ in $(seq 100); do
        url=$(grep -o 'http://[0-9.:]*' "$dir/out" | head -1 || true)
        [ -n "$url" ] && break
        sleep 0.1
    done
    curl -sf -X POST "$url/api/v1/skus" -H "Authorization: Bearer $token" \
        -d '{"sku":"LOAD-HOT","name":"爆款","category":"load","price_cents":100,"on_hand":1000000000}' > /dev/null
    local out rps
    out=$(TOKEN=$token BATCH=$2 wrk -t1 -c64 -d"${secs}s" --latency -s benches/orders.lua "$url")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    local committed
    committed=$(curl -sf "$url/api/v1/skus/LOAD-HOT" -H "Authorization: Bearer $token" | grep -o '"committed":[0-9]*' | cut -d: -f2)
    printf 'alerts=%-5s events/request=%-4s requests/s=%-9s events/s=%-9.0f p50=%-8s p99=%-8s committed=%s\n' \
        "$1" "$2" "$rps" "$(echo "$rps * $2" | bc)" \
        "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" "$committed"
    kill -TERM $pid; wait $pid || true
    rm -rf "$dir"
}
for batch in 1 100; do
    run true $batch
    run false $batch
done

#!/usr/bin/env bash
# `make bench`: the pages' budgets against the release server in sandbox mode, on a fresh
# SQLite database: OpenPay's first load per encoding (the page and every file it names), its
# server-rendered throughput beside the same bytes served as a static file by the same server
# (wrk, 32 connections), the server's resident memory idle and after that load, and the back
# office's first load and moves.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${KASSA_BIN:-target/release/kassa}
[ -x "$binary" ] || { echo "$binary is missing: run make build-release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (Debian package wrk)" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
base="http://127.0.0.1:$port"
page='/openpay?receivername=Sara%20Ahmadi&description=Order%201042&price=120000'
static="target/site/bench-openpay-$port.html"
server=
trap 'kill $server 2>/dev/null; rm -rf "$dir" "$static"' EXIT

# Starts the server in sandbox mode on $port, serving the site at $1, its database in $2.
start() {
  KASSA_SANDBOX=1 LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$1" \
    LEPTOS_OUTPUT_NAME=kassa DATABASE_URL="sqlite://$2/kassa.db?mode=rwc" KASSA_DATA_DIR="$2" \
    "$binary" >"$2/server.log" 2>&1 &
  server=$!
}
rss() { awk '/VmRSS/{print $2}' "/proc/$server/status"; }

# A first start after a build compresses the site's files (server/src/precompressed.rs): the
# memory it keeps once they are written, on a copy of the site without its compressed files.
mkdir "$dir/first"
cp -r target/site "$dir/first/site"
find "$dir/first/site" \( -name '*.br' -o -name '*.gz' \) -delete
start "$dir/first/site" "$dir/first"
# Done when it has compressed the files and each page's pack of modules (server/src/packs.rs).
done_starting() { grep -q "compressed the site's files" "$1" && grep -q "compressed the pages' packs" "$1"; }
for _ in $(seq 1 600); do done_starting "$dir/first/server.log" && break; sleep 0.1; done
sleep 1
echo "resident memory after a first start's compression: $(rss) KB"
kill $server
wait $server 2>/dev/null || true

start target/site "$dir"
for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/track" && break; sleep 0.1; done
for _ in $(seq 1 600); do grep -q "compressed the pages' packs" "$dir/server.log" && break; sleep 0.1; done

echo "resident memory at start (its pages' packs compressed): $(rss) KB"
curl -s "$base$page" -o "$static"
echo "resident memory after one page: $(rss) KB"

# What the page loads: its stylesheet, scripts, wasm and images under /pkg and /logos.
files=$(grep -oE '(href|src)="/(pkg|logos)/[^"]+"' "$static" | sed -E 's/.*="([^"]+)"/\1/' | sort -u)
for encoding in br gzip identity; do
  total=$(curl -s -H "Accept-Encoding: $encoding" "$base$page" | wc -c)
  line="page $total"
  for file in $files; do
    n=$(curl -s -H "Accept-Encoding: $encoding" "$base$file" | wc -c)
    total=$((total + n))
    line="$line, $file $n"
  done
  echo "OpenPay first load ($encoding): $total bytes [$line]"
done

throughput() { wrk -t2 -c32 -d8s "$1" | awk '/Requests\/sec/{print $2}'; }
for round in 1 2; do
  rendered=$(throughput "$base$page")
  served=$(throughput "$base/$(basename "$static")")
  ratio=$(python3 -c "print(round($rendered / $served, 2))")
  echo "round $round: OpenPay rendered $rendered req/s, the same bytes static $served req/s: $ratio"
done
echo "resident memory after the load: $(rss) KB"

# The back office as the demo store's owner sees it: the first load and each move's bytes
# (end2end/bench/back-office-weight.mjs, Chromium; after the throughput runs, which it would
# otherwise disturb).
(cd end2end && node bench/back-office-weight.mjs "$base")

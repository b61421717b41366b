#!/usr/bin/env bash
# HTTP API benchmark (issue "HTTP API", performance): one node serving a ledger of N committed
# consents, loaded with wrk from loopback on GET /v1/check and GET /v1/receipts/{tx_id} (random
# subjects and consents), then two raw hello-worlds in the same run: Boost.Beast on the node's
# thread count (the ceiling: the node's server is Beast) and cpp-httplib (the server the node had
# before, for comparison). Prints one line per target; docs/BENCHMARKS.md records them.
#
# Usage: bench/http_bench.sh [--consents N] [--duration S] [--warmup S] [--connections C]
#   defaults: 1,000,000 consents, 15 s per target after 3 s of unmeasured warm-up (the same
#   requests, so the caches hold what a node that has been serving holds), 32 connections,
#   2 wrk threads.
#   CONSENTD_BENCH_DIR: the node home (default /tmp/consentd-bench-http, reused for the same N);
#   CONSENTD_BENCH_NO_SETUP=1: skip scripts/setup (bench/run has built already).
# The routes run twice: with the node's answer cache (the default; wrk repeats 20,000 questions,
# so nearly every answer comes from it) and with http.answer_cache_bytes = 0 (every answer
# computed: the handler's cost in full). Then, with the node stopped, consentd_bench_queries
# times the two handlers in process.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
consents=1000000
duration=15
warmup=3
connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --consents) consents=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "http_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done

for v in consents duration warmup connections; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "http_bench: --$v takes a whole number, not \"${!v}\"" >&2; exit 2; }
done

[ -n "${CONSENTD_BENCH_NO_SETUP:-}" ] || "$root/scripts/setup"
if ! command -v wrk >/dev/null || ! command -v jq >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk jq
fi
bin="$root/build"
home=${CONSENTD_BENCH_DIR:-/tmp/consentd-bench-http}
port=8701
hello_port=8799
beast_port=8798
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# The node home is reused when it was built for the same number of consents (it takes minutes).
if [ "$(cat "$home/consents" 2>/dev/null)" != "$consents" ]; then
  "$bin/bench/consentd_bench_http_fixture" --home "$home" --consents "$consents" --http-port "$port"
  echo "$consents" >"$home/consents"
fi
# The fixture's config with the answer cache set (bytes; 0 turns it off).
set_answer_cache() {
  jq --argjson b "$1" '.http.answer_cache_bytes = $b' "$home/config.json" >"$home/config.json.new"
  mv "$home/config.json.new" "$home/config.json"
}
set_answer_cache $((128 << 20))
"$bin/node/consentd" --home "$home" >"$home/stdout.log" 2>&1 &
pids+=($!)
"$bin/bench/consentd_bench_hello" --port "$hello_port" --threads 32 &
pids+=($!)
"$bin/bench/consentd_bench_hello_beast" --port "$beast_port" --threads 2 &
pids+=($!)
up=no
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null &&
     curl -sf "http://127.0.0.1:$hello_port/" >/dev/null &&
     curl -sf "http://127.0.0.1:$beast_port/" >/dev/null; then up=yes; break; fi
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.1
done
if [ "$up" != yes ]; then
  echo "http_bench: the node did not come up:" >&2
  tail -5 "$home/stdout.log" "$home/consentd.log" >&2 2>/dev/null || true
  exit 1
fi

cat >"$home/paths.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local headers = {}
if os.getenv("TOKEN") then headers["Authorization"] = "Bearer " .. os.getenv("TOKEN") end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
LUA

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, in clock ticks
run() {  # name url paths-file key server-pid
  local out before after
  if [ "$warmup" -gt 0 ]; then
    PATHS_FILE=$3 TOKEN=$(cat "$home/token.txt") wrk -t2 -c"$connections" -d"${warmup}s" \
      -s "$home/paths.lua" "$2" >/dev/null
  fi
  before=$(cpu_ticks "$5")
  out=$(PATHS_FILE=$3 TOKEN=$(cat "$home/token.txt") wrk -t2 -c"$connections" -d"${duration}s" \
        --latency -s "$home/paths.lua" "$2")
  after=$(cpu_ticks "$5")
  local rps p50 p99 errors requests cpu_us
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # The server's CPU per request: wrk shares the cores, so this is the server's own cost.
  cpu_us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="${requests:-0}" \
           'BEGIN {if (n > 0) printf "%.0f", 1e6 * t / hz / n; else print "-"}')
  printf '%-28s %10s req/s   p50 %-8s p99 %-8s non-2xx %s   server CPU %s us/request\n' \
    "$1" "$rps" "$p50" "$p99" "${errors:-0}" "$cpu_us"
  echo "$rps" >"$home/$4.rps"
}

echo "consents: $consents, wrk -t2 -c$connections -d${duration}s after ${warmup} s of warm-up, loopback"
run "GET /v1/check" "http://127.0.0.1:$port" "$home/check_paths.txt" check "${pids[0]}"
run "GET /v1/receipts/{tx_id}" "http://127.0.0.1:$port" "$home/receipt_paths.txt" receipt "${pids[0]}"
# The same without the answer cache: a node of its own on the same home.
kill "${pids[0]}" && wait "${pids[0]}" 2>/dev/null || true
set_answer_cache 0
"$bin/node/consentd" --home "$home" >"$home/stdout.log" 2>&1 &
pids[0]=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "http_bench: the node stopped" >&2; exit 1; }
  sleep 0.1
done
run "uncached GET /v1/check" "http://127.0.0.1:$port" "$home/check_paths.txt" check_uncached "${pids[0]}"
run "uncached GET /v1/receipts/{tx_id}" "http://127.0.0.1:$port" "$home/receipt_paths.txt" receipt_uncached "${pids[0]}"
set_answer_cache $((128 << 20))
printf '/hello\n' >"$home/hello_paths.txt"
run "beast (raw Boost.Beast)" "http://127.0.0.1:$beast_port" "$home/hello_paths.txt" beast "${pids[2]}"
run "hello (raw cpp-httplib)" "http://127.0.0.1:$hello_port" "$home/hello_paths.txt" hello "${pids[1]}"
for r in check receipt check_uncached receipt_uncached; do
  awk -v a="$(cat "$home/$r.rps")" -v b="$(cat "$home/beast.rps")" -v n="$r" \
    'BEGIN {printf "%-28s %.0f%% of the Boost.Beast hello-world ceiling\n", n, 100 * a / b}'
done

# The handlers' own cost, in process and without HTTP, on the same home once the node has let
# go of it: steadier than wrk on 2 shared cores, so the figure to compare builds with.
kill "${pids[0]}" && wait "${pids[0]}" 2>/dev/null || true
"$bin/bench/consentd_bench_queries" --home "$home" --queries 100000 | sed 's/^/in process: /'

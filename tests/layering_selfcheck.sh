#!/usr/bin/env bash
# Shows that scripts/check-layering has teeth: a copy of the tree with forbidden includes
# added must fail, naming each offending file and line; the untouched copy must pass.
set -euo pipefail
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in common crypto ledger consensus wallet node cli bench tests scripts; do
  [ -d "$root/$d" ] && cp -r "$root/$d" "$tmp/"
done
"$tmp/scripts/check-layering" "$tmp" >/dev/null || { echo "clean copy should pass"; exit 1; }

mkdir -p "$tmp/consensus" "$tmp/ledger"
printf '#pragma once\n#include <vector>\n#include <boost/asio.hpp>\n' > "$tmp/consensus/bad_boost.h"
printf '#include "node/peer.h"\n' > "$tmp/consensus/bad_layer.cc"
printf '#include "ledger/store.h"\n' > "$tmp/consensus/bad_ledger.cc"
printf '#include <secp256k1.h>\n' > "$tmp/ledger/bad_secp.cc"
printf '#include <leveldb/db.h>\n' > "$tmp/ledger/state.cc.bad.cc"
printf '#include <httplib.h>\n' > "$tmp/common/bad_http.cc"
printf '#include "crypto/sha256.h"\n' > "$tmp/common/bad_up.cc"
# Route handlers see node/http/message.h only: no Beast beside the server, no httplib server.
printf '#include <boost/beast/http.hpp>\n' > "$tmp/node/http/bad_route.cc"
printf '#include <httplib.h>\n' > "$tmp/node/http/bad_server.cc"
# consensus/ stays pure: no clock, no thread, no process-wide cache.
printf '#include <chrono>\n' > "$tmp/consensus/bad_clock.cc"
printf 'int Now() { return std::chrono::steady_clock::now(); }\n' > "$tmp/consensus/bad_now.cc"
printf 'Cache& Get() {\n  static Cache* cache = new Cache();\n  return *cache;\n}\n' > "$tmp/consensus/bad_global.cc"
# node/ reaches clocks, threads and files through its Env; the transports and the Env may.
printf 'auto t = std::chrono::steady_clock::now();\n' > "$tmp/node/bad_clock.cc"
printf 'void Go() {\n  std::thread t([] {});\n}\n' > "$tmp/node/bad_thread.cc"
printf '#include <fstream>\n' > "$tmp/node/bad_file.cc"
printf '#include "common/file_util.h"\n' > "$tmp/node/bad_file_util.cc"
printf 'int fd = ::open(path, 0);\n' > "$tmp/node/bad_open.cc"
printf 'auto t = std::chrono::steady_clock::now();\n' > "$tmp/node/p2p/ok_transport_clock.cc"

set +e
out=$("$tmp/scripts/check-layering" "$tmp" 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" -ne 0 ] || { echo "FAIL: check-layering passed a tree with forbidden includes"; exit 1; }
for expect in "consensus/bad_boost.h:3:" "consensus/bad_layer.cc:1:" "consensus/bad_ledger.cc:1:" "ledger/bad_secp.cc:1:" \
              "ledger/state.cc.bad.cc:1:" "common/bad_http.cc:1:" "common/bad_up.cc:1:" \
              "node/http/bad_route.cc:1:" "node/http/bad_server.cc:1:" \
              "consensus/bad_clock.cc:1:" "consensus/bad_now.cc:1:" "consensus/bad_global.cc:2:" \
              "node/bad_clock.cc:1:" "node/bad_thread.cc:2:" "node/bad_file.cc:1:" \
              "node/bad_file_util.cc:1:" "node/bad_open.cc:1:"; do
  grep -qF "$expect" <<<"$out" || { echo "FAIL: violation not reported: $expect"; exit 1; }
done
if grep -qF "node/p2p/ok_transport_clock.cc" <<<"$out"; then
  echo "FAIL: a transport's clock was reported"; exit 1
fi
echo "layering self-check: ok"

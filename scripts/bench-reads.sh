#!/usr/bin/env bash
# Public read benchmark: starts Stillroom on the embedded default in a
# throwaway folder, seeds 20 published articles (cover + 6-item gallery
# each), then measures the 20-article list query uncached (POST) and cached
# (GET persisted query) against a plain net/http handler serving the same
# bytes, in one run on loopback. Usage: scripts/bench-reads.sh [-c 16] [-d 10s]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stillroom-bench.XXXXXX")
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/stillroom" ./server
go build -o "$tmp/benchreads" ./internal/tools/benchreads
port=$(go run ./internal/tools/freeport 1)
export STILLROOM_ADMIN_EMAIL=bench@example.com STILLROOM_ADMIN_PASSWORD=bench-password-1
STILLROOM_ADDR=127.0.0.1:$port STILLROOM_DATA_DIR=$tmp/data STILLROOM_ENV=production \
	"$tmp/stillroom" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break
	sleep 0.2
done
"$tmp/benchreads" -server "http://127.0.0.1:$port" "$@"

#!/usr/bin/env bash
# Concurrent large uploads: starts Stillroom on the embedded default in a
# throwaway folder (or on the S3 store named by STILLROOM_S3_* when set),
# sends N (50) files of SIZE (10 MiB) at once through the multipart spec
# and then through direct-upload tickets, checks every sha256, reports the
# server's peak resident memory (VmHWM) and runs `stillroom gc --dry-run
# --grace 0s` to show that no object is left unreferenced.
# Usage: scripts/bench-uploads.sh [-n 50] [-size 10485760]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stillroom-bench-uploads.XXXXXX")
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/stillroom" ./server
go build -o "$tmp/benchuploads" ./internal/tools/benchuploads
port=$(go run ./internal/tools/freeport 1)
export STILLROOM_DATA_DIR=$tmp/data STILLROOM_ADMIN_EMAIL=bench@example.com STILLROOM_ADMIN_PASSWORD=bench-password-1
export STILLROOM_MAX_BODY_BYTES=$((64 << 20)) STILLROOM_UPLOAD_WAIT=100ms
STILLROOM_ADDR=127.0.0.1:$port "$tmp/stillroom" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 150); do
	curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break
	sleep 0.2
done
"$tmp/benchuploads" -server "http://127.0.0.1:$port" -email bench@example.com -password bench-password-1 "$@"
echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{printf "%.0f MiB", $2/1024}')"

kill "$pid"
wait "$pid" 2>/dev/null || true
pid=
"$tmp/stillroom" gc --dry-run --grace 0s

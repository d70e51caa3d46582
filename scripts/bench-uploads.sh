#!/usr/bin/env bash
# Concurrent large uploads: starts Stillroom on the embedded default in a
# throwaway folder, sends N (50) files of SIZE (10 MiB) at once through the
# multipart spec and then through direct-upload tickets, checks every
# sha256, reports the server's peak resident memory (VmHWM; set GOMEMLIMIT
# to see its effect) and runs `stillroom gc --dry-run --grace 0s` to show
# that no object is left unreferenced.
# Usage: scripts/bench-uploads.sh [-n 50] [-size 10485760]
script=bench-uploads
# shellcheck source=lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/server.sh"

go build -o "$tmp/benchuploads" ./internal/tools/benchuploads
start_server STILLROOM_ADMIN_EMAIL=bench@example.com STILLROOM_ADMIN_PASSWORD=bench-password-1 \
	STILLROOM_MAX_BODY_BYTES=$((64 << 20)) STILLROOM_UPLOAD_WAIT=100ms
"$tmp/benchuploads" -server "http://127.0.0.1:$port" -email bench@example.com -password bench-password-1 "$@"
echo "server peak memory: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$server_pid/status")"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
STILLROOM_DATA_DIR=$tmp/data "$tmp/stillroom" gc --dry-run --grace 0s

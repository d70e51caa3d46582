#!/usr/bin/env bash
# Public read benchmark: starts Stillroom on the embedded default in a
# throwaway folder, seeds 20 published articles (cover + 6-item gallery
# each), then measures the 20-article list query uncached (POST) and cached
# (GET persisted query) against a plain net/http handler serving the same
# bytes, in one run on loopback, all without compression; then, for
# information, the cached answer gzipped as browsers get it.
# Usage: scripts/bench-reads.sh [-c 16] [-d 10s]
script=bench-reads
# shellcheck source=lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/server.sh"

go build -o "$tmp/benchreads" ./internal/tools/benchreads
start_server STILLROOM_ENV=production STILLROOM_ADMIN_EMAIL=bench@example.com STILLROOM_ADMIN_PASSWORD=bench-password-1
"$tmp/benchreads" -server "http://127.0.0.1:$port" -pid "$server_pid" -email bench@example.com -password bench-password-1 "$@"

#!/usr/bin/env bash
# GraphQL-over-HTTP compliance of the real server, checked by the
# graphql-http package's server audits (clients/audit.mjs):
#
#   ./scripts/graphql-audit.sh
#
# It builds the server, starts it on a free loopback port with a throwaway
# data folder (embedded database, local disk, development mode so that the
# audits' introspection query works), waits for /readyz, runs every audit
# against /graphql and fails when any MUST requirement fails; SHOULD and
# MAY findings are printed as warnings. The server and its data are removed
# however the script ends. Needs node and `npm ci --prefix clients` (run
# here when clients/node_modules is missing).
set -euo pipefail

readonly START_TIMEOUT_SECONDS=120

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

die() {
	printf 'graphql-audit.sh: %s\n' "$*" >&2
	exit 1
}

command -v node >/dev/null || die "node is not installed"
if [[ ! -d clients/node_modules ]]; then
	npm ci --prefix clients --no-audit --no-fund --loglevel=error
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stillroom-audit.XXXXXX")
server_pid=
cleanup() {
	local rc=$?
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

server_failed() {
	printf 'graphql-audit.sh: %s; the server log:\n' "$1" >&2
	sed 's/^/  | /' "$tmp/server.log" >&2
	exit 1
}

echo "building the server"
go build -o "$tmp/stillroom" ./server
port=$(go run ./internal/tools/freeport 1)
# Only the settings given here: none of the caller's STILLROOM_* variables.
(
	for v in $(compgen -e | grep '^STILLROOM_' || true); do unset "$v"; done
	STILLROOM_ADDR=127.0.0.1:$port STILLROOM_DATA_DIR=$tmp/data exec "$tmp/stillroom"
) >"$tmp/server.log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + START_TIMEOUT_SECONDS))
until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
	kill -0 "$server_pid" 2>/dev/null || server_failed "the server exited before it was ready"
	((SECONDS < deadline)) || server_failed "the server was not ready after ${START_TIMEOUT_SECONDS}s"
	sleep 0.2
done
echo "server ready on 127.0.0.1:$port"

node clients/audit.mjs "http://127.0.0.1:$port/graphql" || server_failed "the audits failed"

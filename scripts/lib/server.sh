# Sourced by scripts that run something against a real server (the
# JavaScript checks and the benchmarks). Before sourcing, set `script` to
# the caller's name. It builds the server, starts it on a free loopback port
# with a throwaway data folder and only the STILLROOM_* settings given to
# start_server (none of the caller's), waits for /readyz, and removes the
# server and its data however the script ends. Sets `port` and `tmp`.
set -euo pipefail

readonly START_TIMEOUT_SECONDS=120

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

die() {
	printf '%s: %s\n' "$script" "$*" >&2
	exit 1
}

# need_clients makes sure node and the pinned npm packages are there.
need_clients() {
	command -v node >/dev/null || die "node is not installed"
	if [[ ! -d clients/node_modules ]]; then
		npm ci --prefix clients --no-audit --no-fund --loglevel=error
	fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stillroom-$script.XXXXXX")
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
	printf '%s: %s; the server log:\n' "$script" "$1" >&2
	sed 's/^/  | /' "$tmp/server.log" >&2
	exit 1
}

# start_server NAME=VALUE... starts the server with those STILLROOM_*
# settings besides its address and data folder, and waits until it is ready.
# The binary is $tmp/stillroom, its process $server_pid, its data folder
# $tmp/data.
start_server() {
	echo "building the server"
	go build -o "$tmp/stillroom" ./server
	port=$(go run ./internal/tools/freeport 1)
	(
		for v in $(compgen -e | grep '^STILLROOM_' || true); do unset "$v"; done
		exec env STILLROOM_ADDR="127.0.0.1:$port" STILLROOM_DATA_DIR="$tmp/data" "$@" "$tmp/stillroom"
	) >"$tmp/server.log" 2>&1 &
	server_pid=$!
	local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
	until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
		kill -0 "$server_pid" 2>/dev/null || server_failed "the server exited before it was ready"
		((SECONDS < deadline)) || server_failed "the server was not ready after ${START_TIMEOUT_SECONDS}s"
		sleep 0.2
	done
	echo "server ready on 127.0.0.1:$port"
}

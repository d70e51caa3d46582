#!/usr/bin/env bash
# The test command of Stillroom, run by CI (.ci/run) and by hand:
#
#   ./scripts/test.sh                                   everything
#   ./scripts/test.sh -run TestContract -v              extra args go to `go test`
#   STILLROOM_TEST_PKGS="./media/..." ./scripts/test.sh only these packages
#
# It builds the pinned MinIO once (into .cache/bin), starts it on free
# loopback ports with a throwaway data dir and random credentials, exports
# STILLROOM_TEST_S3_*, then runs go vet, staticcheck, the go generate drift check and
# go test -race. MinIO and its data are removed however the script ends.
set -euo pipefail

readonly MINIO_MODULE=github.com/minio/minio
readonly MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
readonly MINIO_START_TIMEOUT_SECONDS=60

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

section() { printf '\n==> %s\n' "$*"; }
die() {
	printf 'test.sh: %s\n' "$*" >&2
	exit 1
}
rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# --- MinIO binary -----------------------------------------------------------
# Rebuilt when missing or when its stamp names another version, so bumping
# MINIO_VERSION is enough. The lock keeps concurrent runs from building twice.
bin_dir=$repo/.cache/bin
minio_bin=$bin_dir/minio
stamp=$bin_dir/minio.version
want_stamp=$MINIO_MODULE@$MINIO_VERSION

build_minio() {
	if [[ -x $minio_bin && "$(cat "$stamp" 2>/dev/null)" == "$want_stamp" ]]; then
		echo "using $minio_bin ($want_stamp)"
		return
	fi
	echo "building $want_stamp into $bin_dir (about 4 minutes the first time)"
	rm -f "$stamp"
	GOBIN=$bin_dir go install "$want_stamp"
	echo "$want_stamp" >"$stamp"
}

section "MinIO binary"
mkdir -p "$bin_dir"
if command -v flock >/dev/null; then
	exec 9>"$bin_dir/.minio.lock"
	flock 9
	build_minio
	flock -u 9
	exec 9>&-
else
	build_minio
fi

# --- Start MinIO -----------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stillroom-test.XXXXXX")
minio_pid=
cleanup() {
	local rc=$?
	if [[ -n $minio_pid ]]; then
		kill "$minio_pid" 2>/dev/null || true
		wait "$minio_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "Starting MinIO"
ports=$(go run ./internal/tools/freeport 2)
{
	read -r api_port
	read -r console_port
} <<<"$ports"
access_key=test$(rand_hex 8)
secret_key=$(rand_hex 20)
minio_log=$tmp/minio.log

MINIO_ROOT_USER=$access_key MINIO_ROOT_PASSWORD=$secret_key MINIO_UPDATE=off \
	"$minio_bin" server "$tmp/data" \
	--address "127.0.0.1:$api_port" --console-address "127.0.0.1:$console_port" \
	>"$minio_log" 2>&1 &
minio_pid=$!

minio_failed() {
	printf 'test.sh: MinIO %s; its log:\n' "$1" >&2
	sed 's/^/  | /' "$minio_log" >&2
	exit 1
}
deadline=$((SECONDS + MINIO_START_TIMEOUT_SECONDS))
until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$api_port/minio/health/live" 2>/dev/null; do
	kill -0 "$minio_pid" 2>/dev/null || minio_failed "exited before it was ready"
	((SECONDS < deadline)) || minio_failed "was not live after ${MINIO_START_TIMEOUT_SECONDS}s"
	sleep 0.2
done
echo "MinIO live on 127.0.0.1:$api_port (console 127.0.0.1:$console_port), data in $tmp/data"

export STILLROOM_TEST_S3_ENDPOINT=127.0.0.1:$api_port
export STILLROOM_TEST_S3_ACCESS_KEY=$access_key
export STILLROOM_TEST_S3_SECRET_KEY=$secret_key
# Tests that run MinIO clusters of their own (internal/faults) start this binary.
export STILLROOM_TEST_MINIO_BIN=$minio_bin

# --- go vet ----------------------------------------------------------------
section "go vet ./..."
go vet ./...

# --- staticcheck -------------------------------------------------------------
# Pinned, and run with `go run pkg@version` so that its dependencies stay out
# of the module's go.mod (the Go module proxy fetches it once into the cache).
section "staticcheck ./..."
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# --- go generate drift ------------------------------------------------------
# Snapshot the whole working tree, untracked files included, as a git tree
# object through a private index (the real index is untouched), so that a
# change to any file, committed or not, shows up as a diff.
section "go generate ./... leaves no diff"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not a git work tree: cannot check go generate"
snapshot() {
	rm -f "$tmp/snapshot.index"
	GIT_INDEX_FILE=$tmp/snapshot.index git add -A .
	GIT_INDEX_FILE=$tmp/snapshot.index git write-tree
}
before=$(snapshot)
go generate ./...
after=$(snapshot)
if [[ $before != "$after" ]]; then
	{
		echo "test.sh: go generate ./... changed the tree; run it and commit the result:"
		git --no-pager diff --stat "$before" "$after"
		git --no-pager diff "$before" "$after"
	} >&2
	exit 1
fi
echo "no diff"

# --- Web builds ------------------------------------------------------------
# The desk's and GraphiQL's builds (desk/dist, graphiql/dist) are committed and embedded in the binary, so
# `go run ./server` needs no Node. Rebuild it from its sources and lockfile
# and fail when the result differs from what is committed, as for go
# generate. Add a web project to the list to check it the same way.
web_projects=(desk graphiql)
section "web builds (npm ci && npm run build) leave no diff: ${web_projects[*]}"
for web in "${web_projects[@]}"; do
	before=$(snapshot)
	npm ci --prefix "$web" --no-audit --no-fund --loglevel=error
	npm run build --prefix "$web" --silent >/dev/null
	after=$(snapshot)
	if [[ $before != "$after" ]]; then
		{
			echo "test.sh: the build of $web/ differs from what is committed; run (cd $web && npm ci && npm run build) and commit the result:"
			git --no-pager diff --stat "$before" "$after"
		} >&2
		exit 1
	fi
	echo "$web: no diff"
done

# --- Browser and npm packages ----------------------------------------------
# The browser tests (internal/browsertest) drive Debian's Chromium, never a
# downloaded build; install it when missing (CI starts without it). They
# also inject axe-core from clients/node_modules.
section "Chromium and the clients' npm packages"
if ! command -v chromium >/dev/null && [[ ! -x /usr/bin/chromium ]]; then
	sudo=
	[[ $(id -u) -eq 0 ]] || sudo=sudo
	echo "installing Debian's chromium (about 1.5 minutes)"
	$sudo apt-get update -qq || true
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null || chromium --version
npm ci --prefix clients --no-audit --no-fund --loglevel=error

# --- go test ---------------------------------------------------------------
read -r -a pkgs <<<"${STILLROOM_TEST_PKGS:-./...}"
section "go test -race ${pkgs[*]} $*"
go test -race -timeout 45m "${pkgs[@]}" "$@"

# --- JavaScript clients ----------------------------------------------------
# GraphQL-over-HTTP compliance (graphql-http's server audits) and a real
# JavaScript multipart upload, each against a freshly built server: see
# scripts/graphql-audit.sh and scripts/js-upload.sh. The npm packages are
# pinned in clients/package-lock.json (installed before go test: the
# browser tests take axe-core from there). A run narrowed to some packages
# or tests (STILLROOM_TEST_PKGS or extra arguments) leaves them out.
if [[ -n ${STILLROOM_TEST_PKGS:-} || $# -gt 0 ]]; then
	section "JavaScript clients: skipped (narrowed run)"
else
	section "JavaScript clients: GraphQL-over-HTTP audits, JS upload"
	./scripts/graphql-audit.sh
	./scripts/js-upload.sh
fi

section "All tests passed"

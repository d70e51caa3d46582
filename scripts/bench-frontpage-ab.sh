#!/usr/bin/env bash
# Compares the uncached front page (BenchmarkFrontPage, server/reads_bench_test.go)
# of a base commit and the working tree in one run, alternating them so both
# see the same machine load; prints each run and the median ns/op ratio.
# Usage: scripts/bench-frontpage-ab.sh <base-commit> [rounds=3] [benchtime=300x]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=${1:?usage: scripts/bench-frontpage-ab.sh <base-commit> [rounds] [benchtime]}
rounds=${2:-3}
benchtime=${3:-300x}
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
(cd "$tmp/base" && go test -c -o "$tmp/base.test" ./server)
(cd "$root" && go test -c -o "$tmp/head.test" ./server)
declare -A dir=([base]="$tmp/base/server" [head]="$root/server")
for _ in $(seq "$rounds"); do
	for w in base head; do
		line=$(cd "${dir[$w]}" && "$tmp/$w.test" -test.run='^$' -test.bench=BenchmarkFrontPage \
			-test.benchtime="$benchtime" -test.benchmem | grep '^BenchmarkFrontPage')
		printf '%s\t%s\n' "$w" "$line" | tee -a "$tmp/runs"
	done
done
median() { grep "^$1" "$tmp/runs" | awk '{print $4}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
b=$(median base)
h=$(median head)
awk -v b="$b" -v h="$h" 'BEGIN { printf "median ns/op: base %d, head %d; head runs at %.0f%% of base'"'"'s rate\n", b, h, 100*b/h }'

#!/usr/bin/env bash
# Compares the image pipeline (media.Process) with libvips on the same
# 24-megapixel photo-like JPEG: the same renditions (2048, 1024, 512 and 256
# wide, a 512 square, each as JPEG q82 and WebP q89 method 4; the 1200x630
# social card as JPEG; no metadata). Ends with the WebP/JPEG byte ratio at
# equal SSIM (media's TestWebPSmallerAtEqualSSIM). Prints median wall
# times, the ratio to libvips, peak memory (maximum resident set size),
# CPU time per photo (user + system; a machine busy with other work changes
# it far less than wall time, so its ratio is the steadier figure there) and
# photos per second with two at a time.
#
# libvips is measured three ways:
#   vipsthumbnail x5     five vipsthumbnail commands, each with its own
#                        shrink-on-load decode (includes process start-up)
#   libvips independent  the same five in one process (vips_thumbnail_buffer)
#   libvips cascade      one shrink-on-load decode to 2048 wide, the rest
#                        made from it in memory: what media.Process does,
#                        and the fairest baseline; the ratio is against it
#
# Usage: scripts/bench-media.sh            (RUNS=7 by default)
#        RUNS=11 GOBENCH=1 scripts/bench-media.sh
# Installs libvips-tools, libvips-dev, gcc and time with apt-get when they
# are missing (as root). Run it on an otherwise idle machine: it measures
# wall time.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

missing=()
command -v vipsthumbnail >/dev/null || missing+=(libvips-tools)
pkg-config --exists vips 2>/dev/null || missing+=(libvips-dev)
command -v gcc >/dev/null || missing+=(gcc)
[ -x /usr/bin/time ] || missing+=(time)
if ((${#missing[@]})); then
	echo "== installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== building; generating a 6000x4000 photo-like JPEG (q90)"
go run ./internal/tools/benchphoto -o "$work/in.jpg"
# -tags nodynamic: the WebAssembly WebP encoder, as a static binary uses,
# even though libvips-dev brings the libwebp.so gen2brain/webp would load.
go build -tags nodynamic -o "$work/benchmedia" ./internal/tools/benchmedia
cat >"$work/vipsbench.c" <<'EOF'
/* In-process libvips baseline: the renditions of media.Process. */
#include <vips/vips.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Each rendition as JPEG q82 and, unless jpegOnly, as WebP q89 method 4:
 * the formats and settings of media.Process. */
static int save(VipsImage *in, int jpegOnly) {
	void *buf;
	size_t len;
	/* Two encodes of one lazily computed image: compute it once. */
	VipsImage *im = jpegOnly ? (g_object_ref(in), in) : vips_image_copy_memory(in);
	if (!im) return -1;
	int err = vips_jpegsave_buffer(im, &buf, &len, "Q", 82, "strip", TRUE, NULL);
	if (!err) g_free(buf);
	if (!err && !jpegOnly) {
		err = vips_webpsave_buffer(im, &buf, &len, "Q", 89, "effort", 4, "strip", TRUE, NULL);
		if (!err) g_free(buf);
	}
	g_object_unref(im);
	return err ? -1 : 0;
}

/* cascade: one shrink-on-load decode to 2048 wide, kept in memory; the
 * smaller sizes and the square from it. independent: every size from the
 * original, each with its own shrink-on-load decode. */
static int once(const char *data, size_t n, int cascade) {
	/* w1024, w512, w256, square512, social (1200x630, JPEG only) */
	static const int widths[] = {1024, 512, 256, 512, 1200};
	static const int heights[] = {10000000, 10000000, 10000000, 512, 630};
	VipsImage *t, *m;
	if (vips_thumbnail_buffer((void *)data, n, &t, 2048, "height", 10000000, NULL)) return -1;
	if (!(m = vips_image_copy_memory(t))) return -1;
	g_object_unref(t);
	if (save(m, 0)) return -1;
	for (int i = 0; i < 5; i++) {
		VipsImage *r, *w;
		int square = i == 3, social = i == 4;
		VipsInteresting crop = square ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE;
		/* The social card: 1200 wide, then its middle 630 rows (libvips
		 * 8.14's crop on a shrink-on-load buffer fails with "out of order
		 * read"). */
		int h = social ? 10000000 : heights[i];
		int err = cascade
			? vips_thumbnail_image(m, &w, widths[i], "height", h, "crop", crop, NULL)
			: vips_thumbnail_buffer((void *)data, n, &w, widths[i], "height", h, "crop", crop, NULL);
		if (err) return -1;
		if (social) {
			int top = w->Ysize > 630 ? (w->Ysize - 630) / 2 : 0;
			err = vips_extract_area(w, &r, 0, top, w->Xsize, w->Ysize < 630 ? w->Ysize : 630, NULL);
			g_object_unref(w);
			if (err) return -1;
		} else {
			r = w;
		}
		if (save(r, social)) return -1;
		g_object_unref(r);
	}
	g_object_unref(m);
	return 0;
}

int main(int argc, char **argv) {
	if (VIPS_INIT(argv[0])) vips_error_exit(NULL);
	if (argc < 4) {
		fprintf(stderr, "usage: vipsbench in.jpg runs cascade|independent\n");
		return 2;
	}
	vips_cache_set_max(0); /* no reuse of results between runs */
	gchar *data;
	gsize n;
	if (!g_file_get_contents(argv[1], &data, &n, NULL)) return 1;
	int runs = atoi(argv[2]), cascade = argv[3][0] == 'c';
	double *t = calloc(runs, sizeof *t);
	if (once(data, n, cascade)) vips_error_exit(NULL); /* warm-up: lazy init */
	for (int r = 0; r < runs; r++) {
		gint64 t0 = g_get_monotonic_time();
		if (once(data, n, cascade)) vips_error_exit(NULL);
		t[r] = (g_get_monotonic_time() - t0) / 1e6;
	}
	qsort(t, runs, sizeof *t, cmp);
	printf("%.3f\n", t[runs / 2]);
	return 0;
}
EOF
# shellcheck disable=SC2046
gcc -O2 -o "$work/vipsbench" "$work/vipsbench.c" $(pkg-config --cflags --libs vips)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
peak_mb() { # peak RSS in MB of a command; its CPU seconds (user + system) go to $work/cpu.$1
	local name=$1
	shift
	/usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" >/dev/null
	awk '{ print $2 + $3 }' "$work/rss" >"$work/cpu.$name"
	awk '{ printf "%.0f", $1 / 1024 }' "$work/rss"
}
cpu_of() { # CPU seconds (user + system) of a command, to $work/cpu.$1; its output to stdout
	local name=$1
	shift
	/usr/bin/time -f '%U %S' -o "$work/time.$name" "$@"
	awk '{ print $1 + $2 }' "$work/time.$name" >"$work/cpu.$name"
}

thumbnails() {
	local in=$1 out=$2
	vipsthumbnail "$in" -s 2048x -o "$out/w2048.jpg[Q=82,strip]"
	vipsthumbnail "$in" -s 1024x -o "$out/w1024.jpg[Q=82,strip]"
	vipsthumbnail "$in" -s 512x -o "$out/w512.jpg[Q=82,strip]"
	vipsthumbnail "$in" -s 256x -o "$out/w256.jpg[Q=82,strip]"
	vipsthumbnail "$in" -s 512 -c -o "$out/square512.jpg[Q=82,strip]"
	vipsthumbnail "$in" -s 1200x630 -c -o "$out/social.jpg[Q=82,strip]"
	vipsthumbnail "$in" -s 2048x -o "$out/w2048.webp[Q=89,effort=4,strip]"
	vipsthumbnail "$in" -s 1024x -o "$out/w1024.webp[Q=89,effort=4,strip]"
	vipsthumbnail "$in" -s 512x -o "$out/w512.webp[Q=89,effort=4,strip]"
	vipsthumbnail "$in" -s 256x -o "$out/w256.webp[Q=89,effort=4,strip]"
	vipsthumbnail "$in" -s 512 -c -o "$out/square512.webp[Q=89,effort=4,strip]"
}

echo "== $(nproc) CPUs, $(vips --version), $(go version | cut -d' ' -f3), $RUNS runs each, load $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$work/out"
thumbnails "$work/in.jpg" "$work/out" # warm the page cache
vt=$(for _ in $(seq "$RUNS"); do
	t0=$(now)
	thumbnails "$work/in.jpg" "$work/out"
	elapsed "$t0" "$(now)"
	echo
done | median)
vi=$("$work/vipsbench" "$work/in.jpg" "$RUNS" independent)
vc=$(cpu_of vc_runs "$work/vipsbench" "$work/in.jpg" "$RUNS" cascade)
ours_out=$(cpu_of ours_runs "$work/benchmedia" -in "$work/in.jpg" -runs "$RUNS")
ours=$(awk '/^sequential:/ { print $3 }' <<<"$ours_out")

echo
echo "one photo, the full set (6 JPEG + 5 WebP): median wall time"
printf '  %-22s %7s s\n' "vipsthumbnail x11" "$vt" "libvips independent" "$vi" "libvips cascade" "$vc" "media.Process" "$ours"
echo "  ratio media.Process / libvips cascade:      $(div "$ours" "$vc")x (target <= 2.0)"
echo "  ratio media.Process / vipsthumbnail x11:    $(div "$ours" "$vt")x"

echo
echo "peak memory (maximum resident set size), one photo"
printf '  %-22s %5s MB\n' \
	"vipsthumbnail 2048" "$(peak_mb thumb vipsthumbnail "$work/in.jpg" -s 2048x -o "$work/out/p.jpg[Q=82,strip]")" \
	"libvips cascade" "$(peak_mb vc_1 "$work/vipsbench" "$work/in.jpg" 1 cascade)" \
	"media.Process" "$(peak_mb ours_1 "$work/benchmedia" -in "$work/in.jpg" -runs 1)"
echo "  (target for media.Process: <= 120 MB)"

# CPU time does not depend on what else the machine runs as wall time does:
# the runs above less the one-photo runs (start-up, warm-up and WebP
# compile cancel out), per photo.
if ((RUNS > 1)); then
	per_photo() { awk -v a="$(cat "$work/cpu.$1")" -v b="$(cat "$work/cpu.$2")" -v n=$((RUNS - 1)) 'BEGIN { printf "%.3f", (a - b) / n }'; }
	cvc=$(per_photo vc_runs vc_1)
	cours=$(per_photo ours_runs ours_1)
	echo
	echo "CPU time per photo (user + system, all threads)"
	printf '  %-22s %7s s\n' "libvips cascade" "$cvc" "media.Process" "$cours"
	echo "  ratio media.Process / libvips cascade:      $(div "$cours" "$cvc")x"
fi

echo
echo "two at a time ($RUNS photos each)"
t0=$(now)
"$work/vipsbench" "$work/in.jpg" "$RUNS" cascade >/dev/null &
"$work/vipsbench" "$work/in.jpg" "$RUNS" cascade >/dev/null &
wait
vp=$(elapsed "$t0" "$(now)")
# Each vipsbench also makes one warm-up photo.
echo "  libvips cascade:  $(div $((2 * (RUNS + 1))) "$vp") photos/s"
par=$("$work/benchmedia" -in "$work/in.jpg" -runs "$RUNS" -parallel 2 | awk '/^parallel/ { print $(NF - 1) }')
echo "  media.Process:    $par photos/s"
echo
echo "media.Process detail:"
sed 's/^/  /' <<<"$ours_out"

echo
echo "WebP/JPEG bytes at equal SSIM (go test ./media -run WebPSmallerAtEqualSSIM -v)"
go test -tags nodynamic -count=1 ./media -run WebPSmallerAtEqualSSIM -v | grep -E 'set [0-9]+ bytes|FAIL' | sed 's/^ */  /'

if [ "${GOBENCH:-0}" = 1 ]; then
	echo
	echo "== go test -bench (media, media/internal/jpeg)"
	go test -run '^$' -bench 'Process24MP|Decode24MP' -benchtime 5x ./media/
	go test -run '^$' -bench Decode -benchtime 5x ./media/internal/jpeg/
fi

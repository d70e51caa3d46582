// Command benchreads measures public reads of a running Stillroom: the
// 20-article list query (cover and a 6-item gallery each) uncached (POST)
// and cached (GET persisted query), against a plain net/http handler that
// serves the same bytes, in one run on loopback. It seeds the content
// first through the GraphQL API and waits until its photos are processed,
// so that no background work falls in a measured phase. See scripts/bench-reads.sh.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stillroom/stillroom/internal/frontpage"
)

func main() {
	server := flag.String("server", "http://127.0.0.1:8080", "Stillroom base URL")
	email := flag.String("email", os.Getenv("STILLROOM_ADMIN_EMAIL"), "admin email (to seed)")
	password := flag.String("password", os.Getenv("STILLROOM_ADMIN_PASSWORD"), "admin password")
	conns := flag.Int("c", 16, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration of each run")
	flag.IntVar(&serverPID, "pid", 0, "the server's process ID, to report its CPU time per request (Linux)")
	flag.Parse()
	log.SetFlags(0)

	seed(*server, *email, *password)
	body, _ := json.Marshal(map[string]any{"query": frontpage.Query})
	post := func() *http.Request {
		r, _ := http.NewRequest("POST", *server+"/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	sum := sha256.Sum256([]byte(frontpage.Query))
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
	reg := *server + "/graphql?" + url.Values{"query": {frontpage.Query}, "extensions": {ext}}.Encode()
	must(http.Get(reg))
	cachedURL := *server + "/graphql?" + url.Values{"extensions": {ext}}.Encode()

	// The plain handler serves the very bytes the API answers.
	resp := must(http.DefaultClient.Do(post()))
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ln := must(net.Listen("tcp", "127.0.0.1:0"))
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}))
	plainURL := "http://" + ln.Addr().String() + "/"
	// The three compared answers must be the same bytes.
	if got := do(must(http.NewRequest("GET", cachedURL, nil))); !bytes.Equal(got, answer) {
		log.Fatalf("benchreads: the cached answer (%d bytes) differs from the uncached one (%d bytes)", len(got), len(answer))
	}

	fmt.Printf("list query answer: %d bytes; %d connections, %s per run\n\n", len(answer), *conns, *dur)
	fmt.Printf("%-28s %10s %10s %10s %12s\n", "target", "req/s", "p50 ms", "p99 ms", "server CPU/req")
	plain := load("plain net/http, same bytes", *conns, *dur, func() *http.Request { r, _ := http.NewRequest("GET", plainURL, nil); return r })
	unc := load("stillroom uncached (POST)", *conns, *dur, post)
	cac := load("stillroom cached (GET APQ)", *conns, *dur, func() *http.Request { r, _ := http.NewRequest("GET", cachedURL, nil); return r })
	fmt.Printf("\nuncached: %.1f%% of plain's rate; cached: %.1f%% of plain's rate\n", 100*unc/plain, 100*cac/plain)
	// What a browser gets: the cached answer gzipped (read, not unpacked).
	// Not part of the ratio, since these are other bytes than plain's.
	gz := func() *http.Request {
		r, _ := http.NewRequest("GET", cachedURL, nil)
		r.Header.Set("Accept-Encoding", "gzip")
		return r
	}
	load("cached, gzip (not compared)", *conns, *dur, gz)
	if peak := serverPeakRSS(); peak != "" {
		fmt.Printf("server peak memory (VmHWM): %s\n", peak)
	}
}

// load runs requests on conns connections for d and prints the rate and
// latency percentiles; it returns the rate.
func load(name string, conns int, d time.Duration, req func() *http.Request) float64 {
	// No Accept-Encoding unless a request sets one: the plain handler, the
	// uncached and the cached answers are compared as the same bytes.
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	var mu sync.Mutex
	var lat []time.Duration
	errors := 0
	cpu0 := serverCPU()
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				start := time.Now()
				resp, err := client.Do(req())
				if err != nil {
					bad++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad++
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	rate := float64(len(lat)) / d.Seconds()
	fmt.Printf("%-28s %10.0f %10.2f %10.2f", name, rate, pct(0.5), pct(0.99))
	if cpu1 := serverCPU(); cpu1 > 0 && len(lat) > 0 && !strings.HasPrefix(name, "plain") {
		fmt.Printf(" %9.2f ms", float64((cpu1-cpu0).Microseconds())/1000/float64(len(lat)))
	}
	if errors > 0 {
		fmt.Printf("  (%d errors)", errors)
	}
	fmt.Println()
	return rate
}

// serverPID is the server's process, whose CPU time serverCPU reads.
var serverPID int

// serverPeakRSS returns the server's peak resident memory as Linux reports
// it, or "" without -pid.
func serverPeakRSS() string {
	if serverPID == 0 {
		return ""
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", serverPID))
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// serverCPU returns the CPU time (user + system) the server has used, from
// /proc; 0 when unknown. CPU time per request is steadier than rates on a
// shared machine: other processes slow the server down without adding to it.
func serverCPU() time.Duration {
	if serverPID == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", serverPID))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): state is
	// field 3; utime and stime are fields 14 and 15, in clock ticks.
	rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticksPerSecond
}

// seed signs in and makes 20 published articles, each with a cover and a
// published gallery of 6 stills, unless there are some already.
func seed(server, email, password string) {
	var out struct {
		Data struct {
			Login    struct{ Token string }
			Articles struct{ TotalCount int }
		}
	}
	gql(server, "", `{ articles { totalCount } }`, nil, &out)
	if out.Data.Articles.TotalCount >= 20 {
		return
	}
	gql(server, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, map[string]any{"e": email, "p": password}, &out)
	tok := out.Data.Login.Token
	if tok == "" {
		log.Fatal("benchreads: sign-in failed; give -email and -password of an admin")
	}
	var assets []string
	for i := range 8 {
		assets = append(assets, upload(server, tok, i))
	}
	// Measure nothing while the renditions are being made: that work
	// would slow whichever phase it fell in, and the answer would change
	// when it ends.
	waitReady(server, tok, assets)
	for i := range 20 {
		var g struct {
			Data struct{ CreateGallery struct{ ID string } }
		}
		gql(server, tok, `mutation($t: String!) { createGallery(input: {title: $t}) { id } }`, map[string]any{"t": fmt.Sprintf("Thư viện ảnh %d", i)}, &g)
		gid := g.Data.CreateGallery.ID
		var items []string
		for j := range 6 {
			items = append(items, assets[(i+j)%len(assets)])
		}
		gql(server, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": items}, nil)
		gql(server, tok, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid}, nil)
		var a struct {
			Data struct{ CreateArticle struct{ ID string } }
		}
		gql(server, tok, `mutation($in: ArticleInput!) { createArticle(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"title": fmt.Sprintf("Bài viết số %d về phong trào Dân vận khéo", i), "coverAssetId": assets[i%len(assets)],
			"blocks": []any{map[string]any{"paragraph": "Sáng nay, Ban Chỉ đạo tổ chức buổi toạ đàm."}, map[string]any{"gallery": gid}},
		}}, &a)
		gql(server, tok, `mutation($a: ID!) { publishArticle(id: $a) { id } }`, map[string]any{"a": a.Data.CreateArticle.ID}, nil)
	}
}

// waitReady waits until every asset in ids is READY.
func waitReady(server, token string, ids []string) {
	deadline := time.Now().Add(5 * time.Minute)
	for _, id := range ids {
		for {
			var out struct {
				Data struct{ Asset struct{ Status string } }
			}
			gql(server, token, `query($id: ID!) { asset(id: $id) { status } }`, map[string]any{"id": id}, &out)
			switch out.Data.Asset.Status {
			case "READY":
			case "FAILED":
				log.Fatalf("benchreads: seeded asset %s FAILED", id)
			default:
				if time.Now().After(deadline) {
					log.Fatalf("benchreads: seeded asset %s not READY after 5 minutes", id)
				}
				time.Sleep(200 * time.Millisecond)
				continue
			}
			break
		}
	}
}

func gql(server, token, query string, vars map[string]any, out any) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", server+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	raw := do(req)
	var probe struct{ Errors []any }
	if json.Unmarshal(raw, &probe) != nil || len(probe.Errors) > 0 {
		log.Fatalf("benchreads: %s: %s", query, raw)
	}
	if out != nil {
		json.Unmarshal(raw, out)
	}
}

func upload(server, token string, i int) string {
	img := image.NewRGBA(image.Rect(0, 0, 1600, 900))
	for y := range 900 {
		for x := range 1600 {
			img.SetRGBA(x, y, color.RGBA{uint8(x / 7), uint8(y / 4), uint8(i * 30), 255})
		}
	}
	var jb bytes.Buffer
	jpeg.Encode(&jb, img, nil)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", `{"query":"mutation($f: Upload!) { uploadAsset(file: $f, input: {altText: \"Ảnh minh hoạ\", credit: \"Stillroom\"}) { id } }","variables":{"f":null}}`)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", fmt.Sprintf("Sequence 01.00_00_%02d_00.Still%03d.jpg", i, i))
	fw.Write(jb.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", server+"/graphql", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	req.Header.Set("Authorization", "Bearer "+token)
	var out struct {
		Data struct{ UploadAsset struct{ ID string } }
	}
	raw := do(req)
	if json.Unmarshal(raw, &out) != nil || out.Data.UploadAsset.ID == "" {
		log.Fatalf("benchreads: upload: %s", raw)
	}
	return out.Data.UploadAsset.ID
}

func do(req *http.Request) []byte {
	resp := must(http.DefaultClient.Do(req))
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return raw
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal("benchreads: ", err)
	}
	return v
}
